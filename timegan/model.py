"""TimeGAN (Yoon, Jarrett & van der Schaar, NeurIPS 2019): five networks, three training phases.

Phases, as in the reference implementation:

1. embedding: embedder + recovery on `recon_weight * sqrt(MSE(X, R(E(X))))`;
2. supervised: the supervisor on `MSE(H[:, 1:], S(H)[:, :-1])`, H = E(X);
3. joint: per step, `generator_updates_per_step` times a generator+supervisor update then an
   embedder+recovery update, then a discriminator update when its loss exceeds
   `disc_loss_threshold`.

Each update is one `GradientTape` over an explicit variable list; every network output is
computed once per update. A whole phase step (for the joint phase: all its updates, the batches
and the noise) is one compiled TensorFlow call.
"""

import json
import logging
import numbers
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from timegan import _atomic, losses
from timegan.callbacks import Callback, ProgressBar
from timegan.config import TimeGANConfig
from timegan.networks import NETWORK_NAMES, build_networks, unroll_for_training
from timegan.preprocessing import FeatureScaler, check_window_count, make_windows, window_dataset

logger = logging.getLogger(__name__)

PHASES = ("embedding", "supervised", "joint")
FORMAT_VERSION = 1
_OPTIMIZER_VARIABLES = {
    "embedding": ("embedder", "recovery"),
    "supervised": ("supervisor",),
    "generator": ("generator", "supervisor"),
    "embedder": ("embedder", "recovery"),
    "discriminator": ("discriminator",),
}
_RUN_FILES = ("config.json", "scaler.json", "data.json", "training.json", "optimizers.npz",
              *(f"networks/{name}.keras" for name in NETWORK_NAMES))


class TimeGAN:
    """A TimeGAN for multivariate time series, trained on windows of real data.

    Example:
        >>> model = TimeGAN(TimeGANConfig(seq_len=24))
        >>> history = model.fit(prices, steps=1000)        # prices: DataFrame (dates x features)
        >>> paths = model.generate(100, seed=0)           # (100, 24, n_features), price units
        >>> model.save("runs/model"); model = TimeGAN.load("runs/model")

    Attributes:
        config: the `TimeGANConfig`.
        n_features: features per time step, known after `fit` or `load`.
        scaler: the `FeatureScaler` fitted on the training data; maps model outputs to
            original units.
        feature_names: list of `(ticker, field)` pairs naming the features.
        data_info: description of the training data (tickers, fields, dates, rows).
        steps_done: dict phase -> steps trained so far.
        networks: dict name -> `keras.Sequential` (embedder, recovery, generator, supervisor,
            discriminator).
        stop_training: set to True (e.g. by a callback) to stop after the current step.
    """

    def __init__(self, config=None):
        if config is None:
            config = TimeGANConfig()
        if not isinstance(config, TimeGANConfig):
            raise TypeError(f"Expected a TimeGANConfig. Received: {type(config).__name__}")
        self.config = config
        self.n_features = None
        self.scaler = None
        self.feature_names = None
        self.data_info = {}
        self.steps_done = dict.fromkeys(PHASES, 0)
        self.networks = None
        self._generation_networks = None
        self.stop_training = False
        self._history = []
        self._optimizers = None
        self._seed_generator = None
        self._train_functions = None

    # ------------------------------------------------------------------ building

    @property
    def built(self):
        return self.networks is not None

    def build(self, n_features):
        """Creates the networks, optimizers and compiled update functions for `n_features`."""
        if isinstance(n_features, bool) or not isinstance(n_features, numbers.Integral) or n_features < 1:
            raise ValueError(f"Expected `n_features` to be an integer >= 1. Received: n_features={n_features!r}")
        if self.built:
            if n_features != self.n_features:
                raise ValueError(f"This model was built for {self.n_features} features. Received: {n_features}")
            return
        self.n_features = int(n_features)
        self._build_networks()

    def _build_networks(self):
        unroll = unroll_for_training(self.config)
        self.networks = build_networks(self.config, self.n_features, unroll=unroll)
        # Generation and the saved .keras files use the recurrent loop, which takes paths of any
        # length and runs on cuDNN; with unrolled training networks these are loop copies whose
        # weights `_loop_networks` refreshes.
        self._generation_networks = build_networks(self.config, self.n_features) if unroll else self.networks
        self._optimizers = {}
        for name, owners in _OPTIMIZER_VARIABLES.items():
            optimizer = keras.optimizers.Adam(learning_rate=self.config.learning_rate, name=f"{name}_adam")
            optimizer.build(self._variables(owners))
            self._optimizers[name] = optimizer
        self._seed_generator = keras.random.SeedGenerator(self.config.seed, name="noise_seed")
        compile_ = lambda update: tf.function(update, jit_compile=self.config.jit_compile)  # noqa: E731
        self._compiled = {
            "embedding": compile_(self._embedding_update),
            "supervised": compile_(self._supervised_update),
            "generator_embedder": compile_(self._generator_embedder_update),
            "discriminator": compile_(self._discriminator_update),
        }
        # One call per step; batches come from the iterator outside the (maybe XLA) updates.
        self._train_functions = {
            "embedding": tf.function(lambda iterator: self._compiled["embedding"](next(iterator))),
            "supervised": tf.function(lambda iterator: self._compiled["supervised"](next(iterator))),
            "joint": tf.function(self._joint_step),
        }
        self._synthesize = tf.function(self._synthesize_scaled, reduce_retracing=True)

    def _loop_networks(self):
        if self._generation_networks is not self.networks:
            for name, network in self.networks.items():
                self._generation_networks[name].set_weights(network.get_weights())
        return self._generation_networks

    def _variables(self, owners):
        return [v for name in owners for v in self.networks[name].trainable_variables]

    # ------------------------------------------------------------------ updates

    def _noise(self, batch_size, seq_len, seed=None):
        z_dim = self.config.z_dim or self.n_features
        return keras.random.uniform((batch_size, seq_len, z_dim), seed=seed or self._seed_generator)

    def _apply(self, optimizer_name, tape, loss):
        owners = _OPTIMIZER_VARIABLES[optimizer_name]
        variables = self._variables(owners)
        gradients = tape.gradient(loss, variables)
        missing = [v.path for v, g in zip(variables, gradients) if g is None]
        if missing:
            raise RuntimeError(f"No gradient reaches {missing} in the {optimizer_name} update.")
        self._optimizers[optimizer_name].apply_gradients(zip(gradients, variables))

    def _embedding_update(self, x):
        cfg, net = self.config, self.networks
        with tf.GradientTape() as tape:
            x_tilde = net["recovery"](net["embedder"](x, training=True), training=True)
            recon = losses.reconstruction_loss(x, x_tilde)
            loss = cfg.recon_weight * tf.sqrt(recon)
        self._apply("embedding", tape, loss)
        return {"recon": recon}

    def _supervised_update(self, x):
        net = self.networks
        h = net["embedder"](x, training=False)
        with tf.GradientTape() as tape:
            supervised = losses.supervised_loss(h, net["supervisor"](h, training=True))
        self._apply("supervised", tape, supervised)
        return {"supervised": supervised}

    def _joint_step(self, iterator):
        # The generator+embedder update is traced once and called
        # `generator_updates_per_step` times, each on a fresh batch and fresh noise.
        seq_len = self.config.seq_len
        for _ in range(self.config.generator_updates_per_step):
            x = next(iterator)
            logs = self._compiled["generator_embedder"](x, self._noise(tf.shape(x)[0], seq_len))
        x = next(iterator)
        return {**logs, **self._compiled["discriminator"](x, self._noise(tf.shape(x)[0], seq_len))}

    def _generator_embedder_update(self, x, z):
        cfg, net = self.config, self.networks
        n = tf.shape(x)[0]
        with tf.GradientTape() as embedder_tape:
            h = net["embedder"](x, training=True)
            # Generator + supervisor update. The embedder is not trained here, so H is shared
            # with the embedder update below. R(H) is not batched with R(H_hat): the embedder's
            # gradient would then flow back through the supervisor and generator for nothing.
            with tf.GradientTape() as generator_tape:
                e_hat = net["generator"](z, training=True)
                supervised_out = net["supervisor"](tf.concat([h, e_hat], axis=0), training=True)
                h_supervised, h_hat = supervised_out[:n], supervised_out[n:]
                x_hat = net["recovery"](h_hat, training=True)
                logits = net["discriminator"](tf.concat([h_hat, e_hat], axis=0), training=True)
                adversarial = losses.generator_adversarial_loss(logits[:n], logits[n:], cfg.gamma)
                supervised = losses.supervised_loss(h, h_supervised)
                moments = losses.moment_loss(x, x_hat, cfg.moment_eps)
                generator_loss = (adversarial + cfg.generator_supervised_weight * tf.sqrt(supervised)
                                  + cfg.moment_weight * moments)
            self._apply("generator", generator_tape, generator_loss)
            # Embedder + recovery update, with the supervisor as just updated.
            recon = losses.reconstruction_loss(x, net["recovery"](h, training=True))
            supervised_e = losses.supervised_loss(h, net["supervisor"](h, training=False))
            embedder_loss = cfg.recon_weight * tf.sqrt(recon) + cfg.embedder_supervised_weight * supervised_e
        self._apply("embedder", embedder_tape, embedder_loss)
        return {"generator_adversarial": adversarial, "supervised": supervised, "moments": moments, "recon": recon}

    def _discriminator_update(self, x, z):
        cfg, net = self.config, self.networks
        n = tf.shape(x)[0]
        h = net["embedder"](x, training=False)
        e_hat = net["generator"](z, training=False)
        h_hat = net["supervisor"](e_hat, training=False)
        with tf.GradientTape() as tape:
            logits = net["discriminator"](tf.concat([h, h_hat, e_hat], axis=0), training=True)
            loss = losses.discriminator_loss(logits[:n], logits[n:2 * n], logits[2 * n:], cfg.gamma)
        if loss > cfg.disc_loss_threshold:
            self._apply("discriminator", tape, loss)
        return {"discriminator": loss}

    def _synthesize_scaled(self, z):
        net = self._generation_networks
        return net["recovery"](net["supervisor"](net["generator"](z, training=False), training=False), training=False)

    # ------------------------------------------------------------------ training

    def fit(self, data, steps=1000, callbacks=None, progress=True, feature_names=None):
        """Trains the three phases in order, each until it has run its number of steps.

        Steps are totals per phase: a model restored with `load` from a checkpoint continues
        where it stopped, and calling `fit` again with the same steps does nothing more.

        Args:
            data: a DataFrame of prices (rows = days, columns = features; MultiIndex columns
                `(ticker, field)` as from `load_prices`), a 2-D array (rows, features), or a
                3-D array of windows (n, seq_len, features), all in original units. The scaler
                is fitted on the first call and reused afterwards.
            steps: steps per phase: an int for all three, or `(embedding, supervised, joint)`.
            callbacks: list of `timegan.callbacks.Callback`.
            progress: show a tqdm progress bar per phase.
            feature_names: names of the features when `data` is an array; default
                `("x0", "value"), ("x1", "value"), ...`.

        Returns:
            DataFrame of the loss history (`losses()`).

        Raises:
            ValueError: on bad steps, data with the wrong shape or NaN, fewer than 2 windows,
                fewer windows than `batch_size`, or a phase asked to run after a later one began.
        """
        targets = _phase_steps(steps)
        windows = self._prepare_windows(data, feature_names)
        check_window_count(len(windows) + self.config.seq_len - 1, self.config.seq_len, self.config.batch_size)
        self.build(windows.shape[-1])
        for i, phase in enumerate(PHASES):
            later = [p for p in PHASES[i + 1:] if self.steps_done[p] > 0]
            if targets[phase] > self.steps_done[phase] and later:
                raise ValueError(
                    f"Cannot train more {phase} steps ({self.steps_done[phase]} -> {targets[phase]}): "
                    f"the {later[0]} phase has already started."
                )

        callbacks = list(callbacks or [])
        if progress:
            callbacks.insert(0, ProgressBar())
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"Expected timegan.callbacks.Callback instances. Received: {type(callback).__name__}")
            callback.set_model(self)

        per_step = {"embedding": 1, "supervised": 1, "joint": self.config.generator_updates_per_step + 1}
        consumed = sum(self.steps_done[p] * per_step[p] for p in PHASES)
        dataset = window_dataset(self.scaler.transform(windows), self.config.batch_size, self.config.seed, consumed)
        iterator = iter(dataset)
        self.stop_training = False
        for phase in PHASES:
            if self.steps_done[phase] >= targets[phase] or self.stop_training:
                continue
            self._run_phase(phase, targets[phase], iterator, callbacks)
        return self.losses()

    def _run_phase(self, phase, total, iterator, callbacks):
        train = self._train_functions[phase]
        for callback in callbacks:
            callback.on_phase_begin(phase, self.steps_done[phase], total)
        logs = {}
        while self.steps_done[phase] < total and not self.stop_training:
            logs = {name: float(value) for name, value in train(iterator).items()}
            if not all(np.isfinite(v) for v in logs.values()):
                raise FloatingPointError(f"Non-finite loss in the {phase} phase at step {self.steps_done[phase] + 1}: {logs}")
            self.steps_done[phase] += 1
            self._history.append({"phase": phase, "step": self.steps_done[phase], **logs})
            for callback in callbacks:
                callback.on_step_end(phase, self.steps_done[phase], logs)
        for callback in callbacks:
            callback.on_phase_end(phase, logs)

    def _prepare_windows(self, data, feature_names):
        seq_len = self.config.seq_len
        info = {}
        if isinstance(data, pd.DataFrame):
            if isinstance(data.columns, pd.MultiIndex):
                names = [tuple(str(part) for part in column[:2]) for column in data.columns]
            else:
                names = [(str(column), "value") for column in data.columns]
            try:
                values = data.to_numpy(dtype="float64")
            except (ValueError, TypeError):
                raise ValueError("Expected numeric price columns; the DataFrame has non-numeric values.") from None
            check_window_count(len(values), seq_len, 1)
            windows = make_windows(values, seq_len)
            info = _describe_frame(data, names)
        else:
            array = np.asarray(data, dtype="float64")
            if array.ndim == 2:
                check_window_count(len(array), seq_len, 1)
                windows = make_windows(array, seq_len)
            elif array.ndim == 3:
                if array.shape[1] != seq_len:
                    raise ValueError(f"Expected windows of seq_len={seq_len} steps. Received: shape={array.shape}")
                if not np.isfinite(array).all():
                    raise ValueError("Expected finite values only; the windows contain NaN or inf.")
                windows = array
            else:
                raise ValueError(f"Expected a DataFrame, (rows, features) or (n, seq_len, features) data. Received: shape={array.shape}")
            names = feature_names or [(f"x{i}", "value") for i in range(windows.shape[-1])]
        if len(names) != windows.shape[-1]:
            raise ValueError(f"Expected {windows.shape[-1]} feature names. Received: {len(names)}")
        if self.scaler is None:
            self.scaler = FeatureScaler().fit(windows)
            self.feature_names = [tuple(name) for name in names]
            self.data_info = {**info, "n_windows": len(windows), "seq_len": seq_len}
        elif windows.shape[-1] != self.n_features:
            raise ValueError(f"This model was trained on {self.n_features} features. Received: {windows.shape[-1]}")
        return windows

    def losses(self):
        """Loss history: DataFrame with columns phase, step and one per loss (NaN where unused)."""
        return pd.DataFrame(self._history, columns=_history_columns(self._history))

    # ------------------------------------------------------------------ generation

    def generate(self, n, seed=None, seq_len=None, batch_size=1024):
        """Generates synthetic windows in original units.

        Args:
            n: number of windows (>= 1).
            seed: int for reproducible output; None draws from the model's noise stream.
            seq_len: length of each path; default the training `seq_len` (the recurrent
                networks can run longer paths).
            batch_size: windows per forward pass.

        Returns:
            float64 array (n, seq_len, n_features) in the units of the training data.
        """
        self._check_trained()
        for name, value in (("n", n), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Expected `{name}` to be an integer >= 1. Received: {name}={value!r}")
        seq_len = self.config.seq_len if seq_len is None else seq_len
        if isinstance(seq_len, bool) or not isinstance(seq_len, numbers.Integral) or seq_len < 2:
            raise ValueError(f"Expected `seq_len` to be an integer >= 2. Received: seq_len={seq_len!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
            raise ValueError(f"Expected `seed` to be a non-negative integer or None. Received: seed={seed!r}")
        generator = None if seed is None else keras.random.SeedGenerator(int(seed))
        self._loop_networks()
        chunks = []
        for start in range(0, n, batch_size):
            size = min(batch_size, n - start)
            chunks.append(self._synthesize(self._noise(size, seq_len, seed=generator)).numpy())
        return self.scaler.inverse_transform(np.concatenate(chunks).astype("float64"))

    def generate_frame(self, n, seed=None, seq_len=None):
        """`generate` as a tidy DataFrame with columns sample, step, ticker, field, value."""
        return windows_to_frame(self.generate(n, seed=seed, seq_len=seq_len), self.feature_names)

    def _check_trained(self):
        if not self.built or self.scaler is None:
            raise ValueError("This TimeGAN has not been fitted; call `fit` or `TimeGAN.load` first.")

    # ------------------------------------------------------------------ persistence

    def save(self, path):
        """Saves networks (.keras), config/scaler/data/progress (JSON), optimizer state and losses.

        The directory is written beside `path` and renamed into place: an interrupted save
        leaves the previous content of `path` intact.
        """
        self._check_trained()
        from timegan import __version__

        with _atomic.atomic_path(path) as tmp:
            (tmp / "networks").mkdir(parents=True)
            for name, network in self._loop_networks().items():
                network.save(tmp / "networks" / f"{name}.keras")
            _atomic.write_json(tmp / "config.json", self.config.to_dict())
            _atomic.write_json(tmp / "scaler.json", self.scaler.to_dict())
            _atomic.write_json(tmp / "data.json", {"feature_names": [list(n) for n in self.feature_names], **self.data_info})
            _atomic.write_json(tmp / "training.json", {
                "format_version": FORMAT_VERSION,
                "timegan_version": __version__,
                "n_features": self.n_features,
                "steps_done": self.steps_done,
            })
            state = {f"{name}/{i}": np.asarray(v) for name, opt in self._optimizers.items() for i, v in enumerate(opt.variables)}
            state["noise_seed"] = np.asarray(self._seed_generator.state)
            np.savez(tmp / "optimizers.npz", **state)
            self.losses().to_csv(tmp / "losses.csv", index=False)

    @classmethod
    def load(cls, path):
        """Loads a model saved by `save` (or a checkpoint), ready to generate or continue `fit`.

        Raises:
            FileNotFoundError: if `path` is not a directory.
            ValueError: if the directory is incomplete or from an incompatible format version.
        """
        path = Path(path)
        if not path.is_dir():
            raise FileNotFoundError(f"No saved TimeGAN at {str(path)!r} (not a directory)")
        missing = [name for name in _RUN_FILES if not (path / name).is_file()]
        if missing:
            raise ValueError(f"Saved TimeGAN {str(path)!r} is incomplete: missing {missing}")
        try:
            training = _read_json(path / "training.json")
            version = training.get("format_version")
            if version != FORMAT_VERSION:
                raise ValueError(f"Saved TimeGAN {str(path)!r} has format version {version!r}; this version of timegan reads {FORMAT_VERSION}")
            model = cls(TimeGANConfig.from_dict(_read_json(path / "config.json")))
            model.scaler = FeatureScaler.from_dict(_read_json(path / "scaler.json"))
            data = _read_json(path / "data.json")
            model.feature_names = [tuple(n) for n in data.pop("feature_names")]
            model.data_info = data
            model.n_features = int(training["n_features"])
            model.steps_done = {phase: int(training["steps_done"][phase]) for phase in PHASES}
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"Saved TimeGAN {str(path)!r} has an unreadable description file: {error!r}") from None
        # Rebuilt by the factory for this machine (unrolled on a CPU, cuDNN loop on a GPU).
        model._build_networks()
        for name in NETWORK_NAMES:
            try:
                model.networks[name].load_weights(path / "networks" / f"{name}.keras")
            except ValueError as error:
                raise ValueError(f"Saved TimeGAN {str(path)!r} has a {name} network that does not match its config: {error}") from None
        with np.load(path / "optimizers.npz", allow_pickle=False) as state:
            for name, optimizer in model._optimizers.items():
                for i, variable in enumerate(optimizer.variables):
                    variable.assign(state[f"{name}/{i}"])
            model._seed_generator.state.assign(state["noise_seed"])
        if (path / "losses.csv").is_file():
            frame = pd.read_csv(path / "losses.csv")
            model._history = [{k: v for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))}
                              for row in frame.to_dict("records")]
        return model


def windows_to_frame(windows, feature_names):
    """Turns windows (n, seq_len, n_features) into a tidy DataFrame.

    Returns:
        DataFrame with columns sample, step, ticker, field, value; one row per value, ordered by
        sample, step, then feature.
    """
    windows = np.asarray(windows)
    n, seq_len, n_features = windows.shape
    if len(feature_names) != n_features:
        raise ValueError(f"Expected {n_features} feature names. Received: {len(feature_names)}")
    tickers = np.array([name[0] for name in feature_names], dtype=object)
    fields = np.array([name[1] for name in feature_names], dtype=object)
    return pd.DataFrame({
        "sample": np.repeat(np.arange(n), seq_len * n_features),
        "step": np.tile(np.repeat(np.arange(seq_len), n_features), n),
        "ticker": np.tile(tickers, n * seq_len),
        "field": np.tile(fields, n * seq_len),
        "value": windows.reshape(-1),
    })


def frame_to_windows(frame, feature_names=None):
    """Inverse of `windows_to_frame`: tidy DataFrame -> (windows, feature_names).

    Raises:
        ValueError: if columns are missing or the samples do not all have the same steps.
    """
    needed = ["sample", "step", "ticker", "field", "value"]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise ValueError(f"Expected tidy columns {needed}. Missing: {absent}")
    wide = frame.pivot_table(index=["sample", "step"], columns=["ticker", "field"], values="value", aggfunc="first", sort=False)
    if feature_names is not None:
        wide = wide[[tuple(n) for n in feature_names]]
    if wide.isna().any().any():
        raise ValueError("The tidy frame is incomplete: some (sample, step, feature) values are missing.")
    wide = wide.sort_index()
    n_samples = wide.index.get_level_values("sample").nunique()
    if len(wide) % n_samples:
        raise ValueError("Expected every sample to have the same number of steps.")
    values = wide.to_numpy(dtype="float64").reshape(n_samples, -1, wide.shape[1])
    return values, [tuple(c) for c in wide.columns]


def _phase_steps(steps):
    received = steps
    if isinstance(steps, numbers.Integral) and not isinstance(steps, bool):
        steps = (steps,) * 3
    if isinstance(steps, dict):
        unknown = sorted(set(steps) - set(PHASES))
        if unknown:
            raise ValueError(f"Unknown phases {unknown} in `steps`. Expected keys among {list(PHASES)}")
        steps = tuple(steps.get(p, 0) for p in PHASES)
    if (not isinstance(steps, (tuple, list)) or len(steps) != 3
            or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0 for s in steps)):
        raise ValueError(f"Expected `steps` as an integer >= 0 or three of them (embedding, supervised, joint). Received: steps={received!r}")
    return dict(zip(PHASES, (int(s) for s in steps)))


def _describe_frame(frame, names):
    info = {
        "tickers": list(dict.fromkeys(n[0] for n in names)),
        "fields": list(dict.fromkeys(n[1] for n in names)),
        "rows": len(frame),
    }
    if isinstance(frame.index, pd.DatetimeIndex) and len(frame):
        info.update(start=str(frame.index[0].date()), end=str(frame.index[-1].date()))
    for key in ("rows_dropped", "sources"):
        if key in frame.attrs:
            info[key] = frame.attrs[key]
    return info


def _history_columns(history):
    columns = ["phase", "step"]
    for row in history:
        columns.extend(k for k in row if k not in columns)
    return columns


def _read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
