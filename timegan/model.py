"""TimeGAN (Yoon, Jarrett & van der Schaar, NeurIPS 2019) as a `keras.Model`: five networks, three phases.

Phases, as in the reference implementation:

1. embedding: embedder + recovery on `recon_weight * sqrt(MSE(X, R(E(X))))`;
2. supervised: the supervisor on `MSE(H[:, 1:], S(H)[:, :-1])`, H = E(X);
3. joint: per step, `generator_updates_per_step` times a generator+supervisor update then an
   embedder+recovery update, then a discriminator update when its loss exceeds
   `disc_loss_threshold`.

`train_step` runs one step of the current phase (`model.phase`); `fit` runs one Keras `fit` per
phase. Each update is one `GradientTape` over an explicit variable list; every network output is
computed once per update. A whole phase step (for the joint phase: all its updates, its batches
and its noise) is one compiled TensorFlow call.

Under a `tf.distribute` strategy every replica takes its slice of the global batch; the loss
terms are means over the global batch (cross-replica reductions before any square root, the
moment loss from global batch moments), so all replicas take the same decisions and the losses
equal those of one device with the same batch.
"""

import hashlib
import json
import logging
import numbers
import zipfile
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from timegan import _atomic, losses
from timegan._memory import check_windows_fit
from timegan._validation import Integer, check_gradients, format_value, validate
from timegan.config import TimeGANConfig
from timegan.networks import NETWORK_NAMES, build_networks, unroll_for_training, weight_shapes
from timegan.noise import persistent_channels
from timegan.preprocessing import check_window_count, window_dataset
from timegan.representation import (
    MARGINAL_PROBABILITIES,
    check_start_price,
    make_representation,
    quantile_map,
    representation_from_dict,
    volume_features,
)
from timegan.windows import frame_to_windows, prepare_windows, windows_to_frame

__all__ = ["LOG_NAMES", "PHASES", "TimeGAN", "frame_to_windows", "windows_to_frame"]

logger = logging.getLogger(__name__)

PHASES = ("embedding", "supervised", "joint")
# Every phase logs these names (NaN for the terms a phase does not compute), so a CSVLogger
# writes one table for the three phases. `loss` is the sum of the objectives the step minimised
# (what `keras.callbacks.TerminateOnNaN` watches).
LOG_NAMES = ("loss", "recon", "supervised", "generator_adversarial", "moments", "stylized", "discriminator")
FORMAT_VERSION = 2
_NOISE_BLOCK = 256  # generation noise is drawn in blocks of this many samples, one seed per block
# The generator's drift (`TimeGAN.drift_offset`) and marginal (`TimeGAN.generator_marginal`) are
# estimated, for paths of a given length, from enough paths of that length for this many values a
# series (4096 windows at seq_len 24), drawn with this seed whatever the user's: the estimates are a
# function of the weights and the length only (the drift's standard error, about 1 / sqrt(98 304),
# is 0.003 standard deviations; 98 304 values reach the 1e-4 quantiles of the marginal).
CALIBRATION_VALUES = 4096 * 24
_CALIBRATION_CACHE = 4  # lengths whose estimates are kept
_CALIBRATION_SEED = 2**32 - 1
# Path steps (paths x (burn-in + length)) per batch when drawing the calibration paths: the
# recurrent loop runs step by step, so short paths are drawn in one batch rather than one per
# 1,024 paths (32 batches for 3-step windows); at most 2**18 x hidden floats per layer's output.
_CALIBRATION_BATCH_STEPS = 2**18
ARCHIVE_NAME = "timegan.keras"
_OPTIMIZER_VARIABLES = {
    "embedding": ("embedder", "recovery"),
    "supervised": ("supervisor",),
    "generator": ("generator", "supervisor"),
    "embedder": ("embedder", "recovery"),
    "discriminator": ("discriminator",),
}
_FORMAT_1_FILES = (
    "config.json",
    "scaler.json",
    "data.json",
    "training.json",
    "optimizers.npz",
    *(f"networks/{name}.keras" for name in NETWORK_NAMES),
)
_RUN_FILES = (ARCHIVE_NAME, "data.json")
# The fitted representation beside the archive, readable without Keras: levels models keep the
# `scaler.json` of earlier versions (scripts/benchmark.py and old runs read it unchanged).
_REPRESENTATION_FILES = {"levels": "scaler.json", "returns": "representation.json"}


class _Untracked:
    """Holds objects that Keras must not track (nor save): the loop copies used for generation."""

    def __init__(self, value):
        self.value = value


@keras.saving.register_keras_serializable(package="timegan")
class TimeGAN(keras.Model):
    """A TimeGAN for multivariate time series, trained on windows of real data.

    Example:
        >>> model = TimeGAN(TimeGANConfig(seq_len=24))
        >>> model.compile()                                 # the paper's Adam for each update
        >>> model.fit(prices, steps=(1000, 1000, 1000),     # prices: DataFrame (dates x features)
        ...           callbacks=[keras.callbacks.TerminateOnNaN()])
        >>> paths = model.generate(100, seed=0)             # (100, 24, n_features), price units
        >>> # TimeGANConfig(representation="returns"): paths of any length from a start price
        >>> paths = model.generate(100, seed=0, seq_len=4000, start_price=100.0)
        >>> model.save("runs/model"); model = TimeGAN.load("runs/model")

    Args:
        config: the `TimeGANConfig` (default: the paper's settings).
        n_features: features per time step; None builds the networks at the first `fit`.
        representation: the fitted representation of the training data
            (`timegan.representation`: a `FeatureScaler` for levels, a `ReturnsRepresentation`
            for returns) or its `to_dict()`; None fits it at the first `fit`.
        scaler: the name of `representation` in archives of earlier versions (levels only).
        feature_names: list of `(ticker, field)` pairs naming the features.
        data_info: description of the training data (tickers, fields, dates, rows).
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Attributes:
        config: the `TimeGANConfig`.
        n_features: features per time step, known after `fit` or `load`.
        representation: the fitted representation (kind `config.representation`); maps model
            outputs to prices. `scaler` is the same object (its name before returns existed).
        feature_names: list of `(ticker, field)` pairs naming the features.
        data_info: description of the training data (tickers, fields, dates, rows).
        phase: the phase `train_step` runs ("embedding", "supervised" or "joint"); callbacks
            read it.
        steps_done: dict phase -> steps trained so far (saved with the weights).
        networks: dict name -> `keras.Sequential` (embedder, recovery, generator, supervisor,
            discriminator); each is also an attribute of that name.
    """

    def __init__(
        self,
        config=None,
        n_features=None,
        representation=None,
        feature_names=None,
        data_info=None,
        scaler=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if config is None:
            config = TimeGANConfig()
        if isinstance(config, dict):
            config = TimeGANConfig.from_dict(config)
        if not isinstance(config, TimeGANConfig):
            raise TypeError(f"Expected a TimeGANConfig. Received: config of type {type(config).__name__}")
        self.config = config
        self.n_features = None
        if representation is not None and scaler is not None:
            raise ValueError("Expected one of `representation` and `scaler` (its older name). Received: both")
        representation = scaler if representation is None else representation
        if isinstance(representation, dict):
            representation = representation_from_dict(representation)
        if representation is not None and getattr(representation, "kind", None) != config.representation:
            raise ValueError(
                f"Expected a fitted {config.representation!r} representation (config.representation). "
                f"Received: {getattr(representation, 'kind', type(representation).__name__)!r}"
            )
        self.representation = representation
        self.feature_names = None if feature_names is None else [tuple(name) for name in feature_names]
        self.data_info = dict(data_info or {})
        self.phase = PHASES[0]
        self._log = _Untracked([])
        self._generation = _Untracked(None)
        self._marginal_cache = _Untracked(None)  # {(digest of the weights, length): generator_marginal}
        self._validation = _Untracked(None)
        self._phase_functions = {}
        self._traced_update = None
        # Training progress and the noise stream live in variables: they are saved and restored
        # with the weights, and under a strategy every replica keeps the same values.
        self.steps_counter = self.add_weight(
            shape=(len(PHASES),),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name="steps_done",
            aggregation="only_first_replica",
        )
        self.noise_state = self.add_weight(
            shape=(2,),
            dtype="int64",
            trainable=False,
            name="noise_state",
            initializer=keras.initializers.Constant([config.seed, 0]),
            aggregation="only_first_replica",
        )
        if n_features is not None:
            self.build_networks(n_features)

    # ------------------------------------------------------------------ building

    @property
    def networks(self):
        if self.n_features is None:
            return None
        return {name: getattr(self, name) for name in NETWORK_NAMES}

    @property
    def validation_windows(self):
        """Held-out windows `(n, seq_len, n_features)` on the model's scale, from the
        `validation_data` of the last `fit` (None without it); `BestModel` scores on them."""
        return self._validation.value

    @property
    def scaler(self):
        """The fitted representation (its name from before returns existed)."""
        return self.representation

    @property
    def steps_done(self):
        return dict(zip(PHASES, (int(v) for v in keras.ops.convert_to_numpy(self.steps_counter))))

    def build_networks(self, n_features):
        """Creates the five networks for `n_features` (and the optimizers' slots if compiled).

        Raises:
            ValueError: if `n_features` is not an integer >= 1, or differs from the number the
                model was built for.
        """
        if isinstance(n_features, bool) or not isinstance(n_features, numbers.Integral) or n_features < 1:
            raise ValueError(f"Expected `n_features` to be an integer >= 1. Received: n_features={n_features!r}")
        if self.n_features is not None:
            if n_features != self.n_features:
                raise ValueError(
                    f"This model was built for {self.n_features} features. Received: n_features={n_features}"
                )
            return
        # hidden_dim=None follows the data (config.default_hidden_dim); the resolved width is what
        # get_config saves, so a loaded model rebuilds the same networks.
        self.config = self.config.resolve(int(n_features))
        unroll = unroll_for_training(self.config)
        with self.distribute_strategy.scope():
            networks = build_networks(self.config, int(n_features), unroll=unroll)
            for name in NETWORK_NAMES:
                setattr(self, name, networks[name])
        self.n_features = int(n_features)
        # Generation uses the recurrent loop, which takes paths of any length and runs on cuDNN;
        # with unrolled training networks these are loop copies whose weights `_loop_networks`
        # refreshes. They are not tracked: the archive holds each weight once.
        self._generation = _Untracked(build_networks(self.config, self.n_features) if unroll else None)
        self.built = True
        if self.compiled:
            self._build_optimizers()

    def build(self, input_shape=None):
        """Builds the networks from `(batch, seq_len, n_features)` (Keras' build protocol)."""
        if input_shape is not None:
            self.build_networks(int(input_shape[-1]))

    def call(self, inputs, training=False):
        """Synthetic windows on the model's scale (`config.representation`) from noise
        `(batch, time, config.noise_dim(n_features))`, taken as given (with `persistent_noise`,
        its last channels already persistent: `timegan.noise.persistent_channels`):
        R(S(G(Z))), or R(G(Z)) with `config.synthetic_path="generator"`."""
        return self._synthesise(self.networks, inputs, training=training)

    def _synthesise(self, networks, z, training=False):
        """R(S(G(z))) or R(G(z)) (`config.synthetic_path`) with the given networks."""
        latent = networks["generator"](z, training=training)
        if self.config.synthetic_path == "supervisor":
            latent = networks["supervisor"](latent, training=training)
        return networks["recovery"](latent, training=training)

    def compile(
        self,
        embedding_optimizer=None,
        supervised_optimizer=None,
        generator_optimizer=None,
        embedder_optimizer=None,
        discriminator_optimizer=None,
        **kwargs,
    ):
        """Sets one optimizer per update and resets the traced train steps.

        Call it inside `strategy.scope()` to train under a `tf.distribute` strategy. Each
        optimizer left None is the paper's `Adam(config.learning_rate)`.

        Args:
            embedding_optimizer: embedder + recovery in the embedding phase.
            supervised_optimizer: the supervisor in the supervised phase.
            generator_optimizer: generator + supervisor in the joint phase.
            embedder_optimizer: embedder + recovery in the joint phase.
            discriminator_optimizer: the discriminator in the joint phase.
            **kwargs: passed to `keras.Model.compile` (`jit_compile` defaults to
                `config.jit_compile`; `run_eagerly` for debugging).

        Raises:
            TypeError: if an optimizer is not a `keras.optimizers.Optimizer`.
        """
        given = {
            "embedding": embedding_optimizer,
            "supervised": supervised_optimizer,
            "generator": generator_optimizer,
            "embedder": embedder_optimizer,
            "discriminator": discriminator_optimizer,
        }
        kwargs.setdefault("jit_compile", self.config.jit_compile)
        with self.distribute_strategy.scope():
            super().compile(optimizer=None, **kwargs)
            for name, optimizer in given.items():
                if optimizer is None:
                    optimizer = keras.optimizers.Adam(learning_rate=self.config.learning_rate, name=f"{name}_adam")
                elif not isinstance(optimizer, keras.optimizers.Optimizer):
                    raise TypeError(
                        f"Expected `{name}_optimizer` to be a keras.optimizers.Optimizer. "
                        f"Received: {name}_optimizer of type {type(optimizer).__name__}"
                    )
                setattr(self, f"{name}_optimizer", optimizer)
        self._phase_functions = {}
        self._traced_update = None
        if self.n_features is not None:
            self._build_optimizers()

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {name: keras.optimizers.serialize(self._optimizer(name)) for name in _OPTIMIZER_VARIABLES}

    def compile_from_config(self, config):
        self.compile(**{f"{name}_optimizer": keras.optimizers.deserialize(value) for name, value in config.items()})

    def _optimizer(self, name):
        return getattr(self, f"{name}_optimizer")

    def _build_optimizers(self):
        with self.distribute_strategy.scope():
            for name, owners in _OPTIMIZER_VARIABLES.items():
                if not self._optimizer(name).built:
                    self._optimizer(name).build(self._variables(owners))

    def _variables(self, owners):
        return [v for name in owners for v in getattr(self, name).trainable_variables]

    def _loop_networks(self):
        copies = self._generation.value
        if copies is None:
            return self.networks
        for name in NETWORK_NAMES:
            copies[name].set_weights(getattr(self, name).get_weights())
        return copies

    # ------------------------------------------------------------------ one step

    # Plain Python control flow only (the phase, the replica count, the update count are known when
    # traced; the one data-dependent branch is an explicit tf.cond): without AutoGraph, tracing does
    # not rewrite this code and everything it calls, Keras' optimizers included.
    @tf.autograph.experimental.do_not_convert
    def train_step(self, data):
        """One step of `self.phase`; returns the logs (`LOG_NAMES`, NaN where not computed).

        Args:
            data: a batch `(batch, seq_len, n_features)` for the embedding and supervised
                phases; for the joint phase `(batch, generator_updates_per_step + 1, seq_len,
                n_features)`, one batch per update (as `make_dataset` builds it).
        """
        if self.phase == "embedding":
            logs = self._embedding_update(data)
        elif self.phase == "supervised":
            logs = self._supervised_update(data)
        else:
            logs = self._joint_step(data)
        self.steps_counter.assign_add(tf.one_hot(PHASES.index(self.phase), len(PHASES), dtype="int64"))
        nan = tf.constant(float("nan"))
        logs = {name: tf.cast(logs[name], "float32") if name in logs else nan for name in LOG_NAMES}
        if _multi_worker(self.distribute_strategy):
            # Keras reduces logs across workers along axis 0 (a scalar has none); it returns scalars.
            logs = {name: tf.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    def _replicas(self):
        return tf.distribute.get_replica_context().num_replicas_in_sync

    def _global_mean(self, value):
        """The mean over the global batch of a per-replica mean (all replicas have equal batches)."""
        if self._replicas() == 1:
            return value
        return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.MEAN, value)

    def _global_reduce_mean(self, x, axes):
        return self._global_mean(tf.reduce_mean(x, axis=axes))

    def _global_moments(self, x, axes):
        mean = self._global_mean(tf.reduce_mean(x, axis=axes))
        variance = self._global_mean(tf.reduce_mean(tf.math.squared_difference(x, tf.stop_gradient(mean)), axis=axes))
        return mean, variance

    def _noise(self, batch_size, seq_len):
        """Uniform noise for this replica's `batch_size` rows: the global batch's noise is drawn
        from the model's noise state on every replica and each takes its slice, so the noise is
        that of one device with the global batch."""
        z_dim = self.config.noise_dim(self.n_features)
        seed = tf.identity(self.noise_state.value)  # read before the increment below
        self.noise_state.assign_add(tf.constant([0, 1], "int64"))
        replicas = self._replicas()
        if replicas == 1:
            noise = tf.random.stateless_uniform((batch_size, seq_len, z_dim), seed=seed)
        else:
            noise = tf.random.stateless_uniform((batch_size * replicas, seq_len, z_dim), seed=seed)
            start = tf.distribute.get_replica_context().replica_id_in_sync_group * batch_size
            noise = noise[start : start + batch_size]
        return self._persist(noise)

    def _persist(self, z):
        """Uniform noise with its last `config.persistent_noise` channels made persistent."""
        return persistent_channels(z, self.config.persistent_noise, self.config.noise_persistence)

    def _replica_loss(self, loss):
        """What each replica differentiates (inside its tape): the optimizers sum the replicas'
        gradients, and the global means pass the full gradient back to every replica, so each
        takes `1 / replicas` of the loss."""
        replicas = self._replicas()
        return loss / replicas if replicas > 1 else loss

    def _gradients(self, optimizer_name, tape, loss):
        variables = self._variables(_OPTIMIZER_VARIABLES[optimizer_name])
        pairs = check_gradients(tape.gradient(loss, variables), variables, optimizer_name)
        return [g for g, _ in pairs], variables

    def _apply(self, optimizer_name, tape, loss):
        gradients, variables = self._gradients(optimizer_name, tape, loss)
        self._optimizer(optimizer_name).apply_gradients(zip(gradients, variables))

    def _embedding_update(self, x):
        cfg = self.config
        with tf.GradientTape() as tape:
            x_tilde = self.recovery(self.embedder(x, training=True), training=True)
            recon = self._global_mean(losses.reconstruction_loss(x, x_tilde))
            loss = cfg.recon_weight * tf.sqrt(recon)
            replica_loss = self._replica_loss(loss)
        self._apply("embedding", tape, replica_loss)
        return {"loss": loss, "recon": recon}

    def _supervised_update(self, x):
        h = self.embedder(x, training=False)
        with tf.GradientTape() as tape:
            supervised = self._global_mean(losses.supervised_loss(h, self.supervisor(h, training=True)))
            replica_loss = self._replica_loss(supervised)
        self._apply("supervised", tape, replica_loss)
        return {"loss": supervised, "supervised": supervised}

    def _joint_step(self, batches):
        # Each generator+embedder update, then the discriminator, takes its own batch and fresh noise.
        seq_len, updates = self.config.seq_len, self.config.generator_updates_per_step
        total = 0.0
        # On one device the update is traced once and called `updates` times (half the graph to
        # compile); on several, a nested tf.function may not hold the optimizers' all-reduce.
        update = self._generator_embedder_update
        if self._replicas() == 1:
            if self._traced_update is None:
                self._traced_update = tf.function(self._generator_embedder_update, autograph=False)
            update = self._traced_update
        noise_len = seq_len + self.config.train_burn_in
        for i in range(updates):
            x = batches[:, i]
            logs = update(x, self._noise(tf.shape(x)[0], noise_len))
            total = logs.pop("objectives")
        x = batches[:, updates]
        discriminator = self._discriminator_update(x, self._noise(tf.shape(x)[0], noise_len))
        return {**logs, "discriminator": discriminator, "loss": total + discriminator}

    def _stylized_terms(self):
        """The terms of the stylized-facts loss that the config switches on."""
        cfg = self.config
        terms = losses.STYLIZED_TERMS
        if cfg.stylized_window_correlations:
            terms += ("sum_correlation", "vol_correlation")
        if cfg.stylized_variance_ratio:
            terms += ("variance_ratio",)
        if cfg.stylized_correlation_dispersion:
            terms += ("correlation_dispersion",)
        if cfg.stylized_basket_kurtosis:
            terms += ("basket_kurtosis",)
        return terms

    def _stylized_delta(self):
        """The heavy-tail parameters the stylized-facts loss undoes (`config.stylized_scale="returns"`),
        (n_features,) float32, or None where it works on the model's scale."""
        representation = self.representation
        if self.config.stylized_scale != "returns" or getattr(representation, "delta", None) is None:
            return None
        if not np.any(representation.delta > 0):
            return None
        return tf.constant(representation.delta, "float32")

    def _generator_embedder_update(self, x, z):
        cfg = self.config
        n = tf.shape(x)[0]
        with tf.GradientTape() as embedder_tape:
            h = self.embedder(x, training=True)
            # Generator + supervisor update. The embedder is not trained here, so H is shared
            # with the embedder update below. R(H) is not batched with R(H_hat): the embedder's
            # gradient would then flow back through the supervisor and generator for nothing.
            with tf.GradientTape() as generator_tape:
                burn_in = cfg.train_burn_in
                e_hat = self.generator(z, training=True)
                if burn_in:  # the supervisor runs on the whole noise length, then both drop the burn-in
                    h_supervised = self.supervisor(h, training=True)
                    h_hat = self.supervisor(e_hat, training=True)
                else:
                    supervised_out = self.supervisor(tf.concat([h, e_hat], axis=0), training=True)
                    h_supervised, h_hat = supervised_out[:n], supervised_out[n:]
                # The moment loss is on the synthetic data as generation makes it (synthetic_path):
                # the recurrent recovery also runs through the burn-in.
                x_hat = self.recovery(h_hat if cfg.synthetic_path == "supervisor" else e_hat, training=True)
                x_hat, h_hat, e_hat = x_hat[:, burn_in:], h_hat[:, burn_in:], e_hat[:, burn_in:]
                logits = self.discriminator(tf.concat([h_hat, e_hat], axis=0), training=True)
                adversarial = self._global_mean(losses.generator_adversarial_loss(logits[:n], logits[n:], cfg.gamma))
                supervised = self._global_mean(losses.supervised_loss(h, h_supervised))
                if self._replicas() == 1:
                    moments = losses.moment_loss(x, x_hat, cfg.moment_eps)
                else:
                    moments = losses.moment_loss(x, x_hat, cfg.moment_eps, moments=self._global_moments)
                generator_loss = (
                    adversarial + cfg.generator_supervised_weight * tf.sqrt(supervised) + cfg.moment_weight * moments
                )
                terms = {}
                # Computed only when switched on: at weight 0 the graph is the paper's (logged NaN).
                if cfg.stylized_weight > 0:
                    mean = losses.reduce_mean if self._replicas() == 1 else self._global_reduce_mean
                    real, synthetic = x, x_hat
                    delta = self._stylized_delta()
                    if delta is not None:
                        real, synthetic = losses.lambert_w_tails(x, delta), losses.lambert_w_tails(x_hat, delta)
                    terms["stylized"] = losses.stylized_facts_loss(
                        real,
                        synthetic,
                        return_lags=cfg.stylized_return_lags,
                        abs_lags=cfg.stylized_lags,
                        leverage_lags=cfg.stylized_leverage_lags,
                        eps=cfg.moment_eps,
                        mean=mean,
                        norm=cfg.stylized_norm,
                        terms=self._stylized_terms(),
                    )
                    generator_loss += cfg.stylized_weight * terms["stylized"]
                replica_loss = self._replica_loss(generator_loss)
            self._apply("generator", generator_tape, replica_loss)
            # Embedder + recovery update, with the supervisor as just updated.
            recon = self._global_mean(losses.reconstruction_loss(x, self.recovery(h, training=True)))
            supervised_e = self._global_mean(losses.supervised_loss(h, self.supervisor(h, training=False)))
            embedder_loss = cfg.recon_weight * tf.sqrt(recon) + cfg.embedder_supervised_weight * supervised_e
            replica_loss = self._replica_loss(embedder_loss)
        self._apply("embedder", embedder_tape, replica_loss)
        return {
            "generator_adversarial": adversarial,
            "supervised": supervised,
            "moments": moments,
            **terms,
            "recon": recon,
            "objectives": generator_loss + embedder_loss,
        }

    def _discriminator_update(self, x, z):
        cfg = self.config
        n = tf.shape(x)[0]
        h = self.embedder(x, training=False)
        e_hat = self.generator(z, training=False)
        burn_in = cfg.train_burn_in
        h_hat = self.supervisor(e_hat, training=False)[:, burn_in:]
        e_hat = e_hat[:, burn_in:]
        with tf.GradientTape() as tape:
            logits = self.discriminator(tf.concat([h, h_hat, e_hat], axis=0), training=True)
            loss = self._global_mean(
                losses.discriminator_loss(logits[:n], logits[n : 2 * n], logits[2 * n :], cfg.gamma)
            )
            replica_loss = self._replica_loss(loss)
        gradients, variables = self._gradients("discriminator", tape, replica_loss)
        self._apply_if(loss > cfg.disc_loss_threshold, self._optimizer("discriminator"), gradients, variables)
        return loss

    def _apply_if(self, condition, optimizer, gradients, variables):
        """Applies the update only if `condition` (the same on every replica) holds."""

        def update():
            optimizer.apply_gradients(zip(gradients, variables))
            return tf.constant(True)

        if self._replicas() == 1:
            tf.cond(condition, update, lambda: tf.constant(False))
            return
        # An all-reduce (the optimizer's) cannot sit inside a conditional branch on several
        # replicas: update unconditionally, then put the old values back if it was not wanted.
        state = list(variables) + list(optimizer.variables)
        before = [tf.identity(v.value) for v in state]
        update()

        def restore(strategy, keep, before):
            keep = strategy.experimental_local_results(keep)[0]
            for variable, old in zip(state, before):
                strategy.extended.update(
                    variable.value, lambda var, o: var.assign(tf.where(keep, var, o)), args=(old,), group=False
                )

        tf.distribute.get_replica_context().merge_call(restore, args=(condition, before))

    # ------------------------------------------------------------------ training

    def make_dataset(self, windows, phase):
        """The `tf.data` pipeline of `phase`, continuing the batch stream where training stopped.

        One stream of shuffled batches (a function of `config.seed` and of TensorFlow's global
        seed, if one is set: `timegan.preprocessing.window_dataset`) feeds the phases in order,
        so a run resumed with the same global seed, or none, sees the batches an uninterrupted
        one would.

        Args:
            windows: windows (n, seq_len, n_features) on the model's scale.
            phase: "embedding", "supervised" or "joint".

        Returns:
            An infinite `tf.data.Dataset` of `(batch_size, seq_len, n_features)` batches, or for
            the joint phase `(batch_size, generator_updates_per_step + 1, seq_len, n_features)`.
        """
        updates = self.config.generator_updates_per_step + 1
        per_step = {"embedding": 1, "supervised": 1, "joint": updates}
        done = self.steps_done
        consumed = sum(done[p] * per_step[p] for p in PHASES)
        dataset = window_dataset(windows, self.config.batch_size, self.config.seed, consumed)
        if phase == "joint":
            dataset = dataset.batch(updates, drop_remainder=True).map(lambda b: tf.transpose(b, [1, 0, 2, 3]))
        return dataset

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # `fit` builds the networks before Keras' fit starts. Keras' symbolic build under a
        # strategy would draw a batch from a first iterator of the dataset, and the training
        # iterator would then see the next reshuffle: other batches than on one device.
        if self.n_features is None:
            super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def set_phase(self, phase):
        """Makes `train_step` run `phase`; the phase's traced train function is reused if there is one."""
        if phase not in PHASES:
            raise ValueError(f"Expected `phase` to be one of {PHASES}. Received: phase={phase!r}")
        if self.train_function is not None and self.phase in PHASES:
            self._phase_functions[self.phase] = self.train_function
        self.phase = phase
        self.train_function = self._phase_functions.get(phase)
        self.make_train_function()

    def fit(self, data, steps=1000, callbacks=None, progress=True, feature_names=None, verbose=0, validation_data=None):
        """Trains the three phases in order, each until it has run its number of steps.

        Steps are totals per phase: a model restored with `load` (or from a checkpoint)
        continues where it stopped, and calling `fit` again with the same steps does nothing
        more. Each phase is one Keras `fit` of one epoch (epoch index = phase index, so
        `CSVLogger` and `TensorBoard` epoch scalars get one row per phase) with
        `steps_per_epoch` the phase's remaining steps; callbacks read `model.phase`.

        Args:
            data: a DataFrame of prices (rows = days, columns = features; MultiIndex columns
                `(ticker, field)` as from `load_prices`), a 2-D array (rows, features), or a
                3-D array of windows (n, seq_len, features), all in original units (for
                "returns": windows of seq_len + 1 prices, each giving seq_len returns). The
                representation is fitted on the first call (on the whole series, not the
                overlapping windows) and reused afterwards. "returns" needs prices > 0
                (volumes, fields named "Volume", >= 0).
            steps: steps per phase: an int for all three, or `(embedding, supervised, joint)`.
            callbacks: list of `keras.callbacks.Callback` (TensorBoard, CSVLogger,
                TerminateOnNaN, ModelCheckpoint, `timegan.callbacks.Checkpoint`, your own).
                A `keras.callbacks.BackupAndRestore` spans the three phases: its backup is
                restored once before the first phase (weights, optimizers, steps done per phase,
                noise state, so a killed run continues at its phase and step), saved every
                `save_freq` steps or at each phase end (`"epoch"`), and deleted when the last
                phase ends. `losses()` then starts at the restored step.
            progress: show a tqdm progress bar per phase (`timegan.callbacks.ProgressBar`).
            feature_names: names of the features when `data` is an array; default
                `("x0", "value"), ("x1", "value"), ...`.
            verbose: Keras' own progress output (default 0: the tqdm bar instead).
            validation_data: held-out data in the form and units of `data` (the same features),
                never trained on, e.g. the last part of the history with a gap of at least
                `seq_len` rows (`timegan.preprocessing.holdout_split`). It is put on the model's
                scale with the scaler fitted on `data` (`validation_windows`) for the callbacks
                that score the model on it (`timegan.callbacks.BestModel`); for returns, the
                target of marginal calibration (`representation.u_quantiles`) is fitted on the
                training and held-out days together. Default None.

        Returns:
            A `keras.callbacks.History`: `history.history[name]` holds the last step's value of
            each loss per phase trained (NaN where a phase has no such loss). The loss of every
            step is in `losses()`.

        Raises:
            ValueError: on bad steps, data with the wrong shape or NaN, a non-positive price in
                returns mode (its column and row named), fewer than 2 windows,
                fewer windows than `batch_size`, or a phase asked to run after a later one began.
        """
        from timegan.callbacks import ProgressBar

        targets = _phase_steps(steps)
        first_fit = self.representation is None
        scaled = self._prepare_windows(data, feature_names)
        self._validation.value = None if validation_data is None else self._scaled_validation(validation_data)
        if first_fit and self._validation.value is not None and self.config.representation == "returns":
            # The target of marginal calibration covers the held-out days too (the baselines of the
            # report are fitted on the whole history as well); the networks never see them.
            days = [_distinct_steps(w, windows_given=np.ndim(data) == 3) for w in (scaled, self._validation.value)]
            self.representation.fit_marginal(np.concatenate(days))
        check_window_count(len(scaled) + self.config.seq_len - 1, self.config.seq_len, self.config.batch_size)
        if not self.compiled:
            self.compile()
        self.build_networks(scaled.shape[-1])
        callbacks = list(callbacks or [])
        for callback in callbacks:
            if not isinstance(callback, keras.callbacks.Callback):
                raise TypeError(f"Expected keras.callbacks.Callback instances. Received: {type(callback).__name__}")
        backups = [c for c in callbacks if isinstance(c, keras.callbacks.BackupAndRestore)]
        if backups:
            callbacks = [_WholeFit(c) if c in backups else c for c in callbacks]
            self._restore_backup(backups)
        self._check_phase_order(targets)
        recorder = _StepRecorder(self._log.value)
        callbacks = [recorder, *([ProgressBar()] if progress else []), *callbacks]
        self.stop_training = False
        history = keras.callbacks.History()
        history.set_model(self)
        history.epoch, history.history = [], {}
        for index, phase in enumerate(PHASES):
            remaining = targets[phase] - self.steps_done[phase]
            if remaining <= 0:
                continue
            self.set_phase(phase)
            recorder.phase, recorder.first_step = phase, self.steps_done[phase] + 1
            phase_history = super().fit(
                self.make_dataset(scaled, phase),
                epochs=index + 1,
                initial_epoch=index,
                steps_per_epoch=remaining,
                callbacks=callbacks,
                verbose=verbose,
                shuffle=False,
            )
            history.epoch.append(index)
            for name, values in phase_history.history.items():
                history.history.setdefault(name, []).extend(values)
            for callback in callbacks:  # one table across phases, not one file per phase
                if isinstance(callback, keras.callbacks.CSVLogger):
                    callback.append = True
            if self.stop_training:
                logger.info("Training stopped by a callback in the %s phase at step %d.", phase, self.steps_done[phase])
                break
        for backup in backups:  # the end of the whole training, as after Keras' one fit
            backup.on_train_end()
        history.params = {"steps": targets, "phases": [PHASES[i] for i in history.epoch]}
        return history

    def _check_phase_order(self, targets):
        done = self.steps_done
        for i, phase in enumerate(PHASES):
            later = [p for p in PHASES[i + 1 :] if done[p] > 0]
            if targets[phase] > done[phase] and later:
                raise ValueError(
                    f"Cannot train more {phase} steps ({done[phase]} -> {targets[phase]}): "
                    f"the {later[0]} phase has already started."
                )

    def _restore_backup(self, backups):
        """Restores the state a `keras.callbacks.BackupAndRestore` saved (once, before the first phase).

        Its backup holds every variable: the networks, the optimizers, the steps done per phase
        and the noise state, so training continues at the saved phase and step; the phase is
        read from the restored steps, not from Keras' epoch number.
        """
        for backup in backups:
            backup.set_model(self)
            backup.on_train_begin()
        self._initial_epoch = None  # Keras would start every later phase's fit at the saved epoch
        if any(self.steps_done.values()):
            logger.info("Restored the backup of %s: training continues at %s.", backups[0].backup_dir, self.steps_done)

    def _prepare_windows(self, data, feature_names):
        """Training windows on the model's scale, float32 (n, seq_len, n_features).

        Levels: windows of `seq_len` prices, MinMax-scaled. Returns: windows of `seq_len + 1`
        consecutive prices, each giving `seq_len` log returns, so no return spans two windows
        nor two series; the statistics are fitted once on the whole series.
        """
        returns = self.config.representation == "returns"
        windows, names, info = prepare_windows(data, self.config.seq_len + returns, feature_names)
        if self.n_features is not None and windows.shape[-1] != self.n_features:
            raise ValueError(f"This model was trained on {self.n_features} features. Received: {windows.shape[-1]}")
        if self.representation is None:
            representation = self._new_representation(names)
            labels = [" ".join(map(str, name)) for name in names]
            if not returns or (windows.ndim == 3 and np.ndim(data) == 3):
                representation.fit(windows, feature_names=labels)
            else:  # one series: each price once
                representation.fit(_distinct_steps(windows), feature_names=labels)
            self.representation = representation
            self.feature_names = names
            self.data_info = {**info, "n_windows": len(windows), "seq_len": self.config.seq_len}
        return self.representation.transform(windows).astype("float32")

    def _new_representation(self, names):
        if self.config.representation == "levels":
            return make_representation("levels")
        return make_representation("returns", heavy_tail=self.config.heavy_tail, volume_features=volume_features(names))

    def _scaled_validation(self, data):
        returns = self.config.representation == "returns"
        windows, names, _ = prepare_windows(data, self.config.seq_len + returns, self.feature_names)
        if names != self.feature_names:
            raise ValueError(
                f"Expected `validation_data` with the features of the training data {self.feature_names}. "
                f"Received: {names}"
            )
        return self.representation.transform(windows).astype("float32")

    def losses(self):
        """Loss history: DataFrame with columns phase, step and one per loss (NaN where unused)."""
        return pd.DataFrame(self._log.value, columns=_history_columns(self._log.value))

    # ------------------------------------------------------------------ generation

    def generate(self, n, seed=None, seq_len=None, batch_size=1024, start_price=None, burn_in=None):
        """Generates synthetic paths in price units, each in one pass of the recurrent networks.

        Levels: each path is `seq_len` prices mapped back from the MinMax scale. Returns: each
        path is `seq_len` log returns cumulated from `start_price`, `p_t = p_0 * exp(r_1 + ... +
        r_t)` (`ReturnsRepresentation.inverse_transform`), so any length comes out as one
        price path without seams; step 0 is the first price after the start price. With
        `config.drift_calibration` (returns), the generator's drift on the model's scale
        (`drift_offset`) is taken off every step first, so each series has the training data's drift;
        with `config.marginal_calibration` (returns, the default) each series' values are mapped
        onto the data's marginal instead (`calibrate_marginal`). Either is estimated for paths of
        this `seq_len` (`generator_marginal`), so the first L steps of a longer path equal a path
        of L steps from the same seed before calibration, not necessarily after.

        Args:
            n: number of paths (>= 1).
            seed: int for reproducible output (sample i depends only on the seed and i, not on
                `n` or `batch_size`); None for fresh random noise.
            seq_len: length of each path (>= 2); default the training `seq_len` (the
                recurrent networks run any length: 250, 4000, ...).
            batch_size: paths per forward pass.
            start_price: returns only: the price before step 0, a number for every feature or
                one per feature (n_features,), finite and > 0 (volumes >= 0). Default None: the
                last real prices of the training data.
            burn_in: recurrent steps run and dropped before each path (>= 0); default
                `config.burn_in`.

        Returns:
            float64 array (n, seq_len, n_features) in the units of the training data.

        Raises:
            ValueError: if the model is not fitted, on a bad `n`, `seed`, `seq_len`,
                `batch_size` or `burn_in`, a `start_price` that is not finite and positive or
                has the wrong length, a `start_price` given to a levels model, or if `n`
                windows of `seq_len` steps cannot fit in half the memory
                (`timegan._memory.check_windows_fit`; the message names the largest `n` that fits),
                or with `config.marginal_calibration` on a representation saved without
                `u_quantiles`.
            TypeError: if `start_price` is not numeric.
        """
        self._check_trained()
        for name, value in (("n", n), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Expected `{name}` to be an integer >= 1. Received: {name}={value!r}")
        seq_len = self.config.seq_len if seq_len is None else seq_len
        if isinstance(seq_len, bool) or not isinstance(seq_len, numbers.Integral) or seq_len < 2:
            raise ValueError(f"Expected `seq_len` to be an integer >= 2. Received: seq_len={seq_len!r}")
        burn_in = self.config.burn_in if burn_in is None else burn_in
        if isinstance(burn_in, bool) or not isinstance(burn_in, numbers.Integral) or burn_in < 0:
            raise ValueError(f"Expected `burn_in` to be an integer >= 0. Received: burn_in={burn_in!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
            raise ValueError(f"Expected `seed` to be a non-negative integer or None. Received: seed={seed!r}")
        check_windows_fit(n, seq_len, self.n_features)
        start = self.check_start_price(start_price)
        if seed is None:
            seed = int(tf.random.uniform((), maxval=2**31 - 1, dtype="int64"))
        networks = self._loop_networks()
        outputs = self._draw(networks, int(seed), n, seq_len, int(burn_in), batch_size)
        if self.config.representation == "levels":
            return self.representation.inverse_transform(outputs)
        if self.config.marginal_calibration:
            outputs = self.calibrate_marginal(outputs, networks)
        elif self.config.drift_calibration:
            outputs -= self.drift_offset(networks, length=outputs.shape[1])
        return self.representation.inverse_transform(outputs, start_prices=start, include_start=False)

    def drift_offset(self, networks=None, length=None):
        """The generator's drift: each feature's mean on the model's scale over generated paths.

        The mean over generated paths of `length` steps (after the config's `burn_in`), from
        noise drawn with a fixed seed, so the value depends on the weights and the length only
        (`generator_marginal`). On the training data this mean is 0 by construction
        (standardised returns; with heavy tails the IGMM fit of `fit_lambert_w` makes the
        Gaussianised returns' mean 0), so it is the generator's bias; `generate` subtracts it
        with `config.drift_calibration`, estimated for the length it generates. (On the models
        measured the bias is the same after 0 to 48 steps of burn-in: docs/many_series.md,
        "Each series' drift".)

        Args:
            networks: the networks to draw with (default: those `generate` uses).
            length: steps of the paths it is for (default `config.seq_len`).

        Returns:
            float64 array (n_features,), in standard deviations of each feature's Gaussianised
            daily log return.

        Raises:
            ValueError: if the model is not fitted.
        """
        return self.generator_marginal(networks, length)["mean"]

    def generator_marginal(self, networks=None, length=None):
        """Each feature's distribution on the model's scale over generated paths of `length` steps.

        Drawn from `ceil(CALIBRATION_VALUES / length)` paths of `length` steps (after the
        config's `burn_in`; 4096 windows at seq_len 24, 394 paths of a trading year) with a fixed
        seed, so it depends on the weights and the length only; kept until the weights change.
        Per length, because a generator's marginal can move along a path: on the Quickstart
        model its spread stays within 3% from step 0 to step 1000, but a model trained to match
        the |u| autocorrelation up to lag 20 widens by 8% from its first 24 steps to steps
        200-250, so windows and year-long paths need their own estimates (docs/finance.md,
        "Marginal calibration").

        Args:
            networks: the networks to draw with (default: those `generate` uses).
            length: steps of the paths (default `config.seq_len`), an integer >= 1.

        Returns:
            dict of float64 arrays: "mean" and "std" (n_features,), "quantiles"
            (len(`timegan.representation.MARGINAL_PROBABILITIES`), n_features) at those
            probabilities; units: standard deviations of each feature's Gaussianised daily log
            return.

        Raises:
            ValueError: if the model is not fitted, or `length` is not an integer >= 1.
        """
        self._check_trained()
        networks = self._loop_networks() if networks is None else networks
        cfg = self.config
        if length is None:
            length = cfg.seq_len
        elif isinstance(length, bool) or not isinstance(length, numbers.Integral) or length < 1:
            raise ValueError(f"Expected `length` to be an integer >= 1. Received: length={length!r}")
        length = int(length)
        digest = hashlib.blake2b(f"{cfg.burn_in} {cfg.synthetic_path}".encode(), digest_size=16)
        for name in ("generator", "supervisor", "recovery"):
            for weight in networks[name].get_weights():
                digest.update(np.ascontiguousarray(weight).tobytes())
        key = (digest.hexdigest(), length)
        cache = self._marginal_cache.value
        if cache is None or key[0] not in {k[0] for k in cache}:
            cache = self._marginal_cache.value = {}
        if key not in cache:
            batch_size = max(1024, _CALIBRATION_BATCH_STEPS // (cfg.burn_in + length))
            n_paths = -(-CALIBRATION_VALUES // length)
            paths = self._draw(networks, _CALIBRATION_SEED, n_paths, length, cfg.burn_in, batch_size=batch_size)
            values = paths.reshape(-1, paths.shape[-1])
            if len(cache) >= _CALIBRATION_CACHE:
                cache.pop(next(iter(cache)))
            cache[key] = {
                "mean": values.mean(axis=0),
                "std": values.std(axis=0),
                "quantiles": np.quantile(values, MARGINAL_PROBABILITIES, axis=0),
            }
        return {name: array.copy() for name, array in cache[key].items()}

    def calibrate_marginal(self, outputs, networks=None, length=None):
        """Moves generated values on the model's scale to the data's marginal, per feature.

        `timegan.representation.quantile_map` from `generator_marginal` (the source) to the
        representation's `u_quantiles` and `u_std` (the target, fitted on the training days and,
        when `fit` was given `validation_data`, the held-out days).

        Args:
            outputs: float array (..., n_features), the generator's values on the model's scale.
            networks: the networks `outputs` came from (default: those `generate` uses).
            length: steps of the paths `outputs` holds, whose marginal is mapped (default: the
                second axis of a 3-d `outputs`, else `config.seq_len`).

        Returns:
            float64 array of the shape of `outputs`.

        Raises:
            ValueError: if the model is not fitted, is a levels model, or its representation was
                saved without `u_quantiles` (runs from before marginal calibration: set
                `marginal_calibration=False` or train again).
        """
        self._check_trained()
        representation = self.representation
        if getattr(representation, "u_quantiles", None) is None:
            raise ValueError(
                "Expected a returns representation fitted with `u_quantiles` for marginal calibration. Received: "
                f"a {self.config.representation} representation without them (saved before they were stored: "
                "set `marginal_calibration=False` or train again)"
            )
        if length is None and np.ndim(outputs) == 3:
            length = np.shape(outputs)[1]
        source = self.generator_marginal(networks, length)
        return quantile_map(
            outputs, source["quantiles"], representation.u_quantiles, source["std"], representation.u_std
        )

    def _draw(self, networks, seed, n, seq_len, burn_in, batch_size=1024):
        """`n` windows on the model's scale, float64 (n, seq_len, n_features): sample i from noise
        (seed, i) (`_generation_noise`), `burn_in` steps run and dropped, in batches."""
        chunks = []
        for first in range(0, n, batch_size):
            z = self._generation_noise(seed, first, min(first + batch_size, n), burn_in + seq_len)
            chunks.append(keras.ops.convert_to_numpy(self._synthesise(networks, z))[:, burn_in:])
        return np.concatenate(chunks).astype("float64")

    def check_start_price(self, start_price):
        """The start price of returns paths as float64 (n_features,); None stays None (the last real prices).

        See `timegan.representation.check_start_price` (volume features may start at 0).

        Raises:
            TypeError: if `start_price` is not numeric.
            ValueError: if it is given to a levels model, is not one number or `n_features`
                numbers, or is not finite and positive (volume features: >= 0).
        """
        self._check_trained()
        volumes = getattr(self.representation, "volume_features", ())
        return check_start_price(start_price, self.n_features, self.config.representation, volumes, self.feature_names)

    def generate_scaled(self, n, seed=0):
        """`n` synthetic windows `(n, seq_len, n_features)` on the model's scale (what the
        recovery network outputs, before the inverse of the scaler), from the training networks.

        Sample i's noise depends only on `seed` and i, and the model's own noise state is not
        touched, so scoring a model during training does not change what it trains on. The
        config's `burn_in` steps are run and dropped first, as `generate` does.
        """
        self._check_trained()
        burn_in = self.config.burn_in
        z = self._generation_noise(int(seed), 0, int(n), burn_in + self.config.seq_len)
        return keras.ops.convert_to_numpy(self.call(z, training=False))[:, burn_in:].astype("float64")

    def _generation_noise(self, seed, start, stop, seq_len):
        """Noise of samples `start .. stop - 1`: sample i's noise is a function of (seed, i) only
        (fixed blocks of `_NOISE_BLOCK` samples), whatever the batch size and the chunking."""
        z_dim = self.config.noise_dim(self.n_features)
        first, last = start // _NOISE_BLOCK, (stop - 1) // _NOISE_BLOCK
        blocks = [
            tf.random.stateless_uniform((_NOISE_BLOCK, seq_len, z_dim), seed=tf.constant([seed, block], "int64"))
            for block in range(first, last + 1)
        ]
        offset = first * _NOISE_BLOCK
        return self._persist(tf.concat(blocks, axis=0)[start - offset : stop - offset])

    def generate_frame(self, n, seed=None, seq_len=None, start_price=None):
        """`generate` as a tidy DataFrame with columns sample, step, ticker, field, value (price units)."""
        paths = self.generate(n, seed=seed, seq_len=seq_len, start_price=start_price)
        return windows_to_frame(paths, self.feature_names)

    def _check_trained(self):
        if self.n_features is None or self.representation is None:
            raise ValueError("This TimeGAN has not been fitted; call `fit` or `TimeGAN.load` first.")

    # ------------------------------------------------------------------ persistence

    def get_config(self):
        return {
            "name": self.name,
            "config": self.config.to_dict(),
            "n_features": self.n_features,
            "representation": None if self.representation is None else self.representation.to_dict(),
            "feature_names": None if self.feature_names is None else [list(n) for n in self.feature_names],
            "data_info": self.data_info,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def save(self, path, overwrite=True, **kwargs):
        """Saves the model: a run-style directory, or one Keras archive if `path` ends in `.keras`.

        The directory holds `timegan.keras` (networks in their loop form, optimizers, noise
        state, steps done, config, representation and data description), the representation as
        `scaler.json` (levels) or `representation.json` (returns) and `data.json` (the same,
        readable without Keras), `training.json` (format version, steps done) and
        `losses.csv`. Everything is written beside `path` and renamed into place: an
        interrupted save leaves the previous content of `path` intact.

        Raises:
            ValueError: if the model has not been fitted.
        """
        self._check_trained()
        path = Path(path)
        if path.suffix == ".keras":
            with _atomic.atomic_path(path) as tmp:
                self._save_archive(tmp, **kwargs)
            return
        from timegan import __version__

        with _atomic.atomic_path(path) as tmp:
            tmp.mkdir(parents=True)
            self._save_archive(tmp / ARCHIVE_NAME, **kwargs)
            _atomic.write_json(tmp / _REPRESENTATION_FILES[self.config.representation], self.representation.to_dict())
            _atomic.write_json(
                tmp / "data.json", {"feature_names": [list(n) for n in self.feature_names], **self.data_info}
            )
            _atomic.write_json(
                tmp / "training.json",
                {
                    "format_version": FORMAT_VERSION,
                    "timegan_version": __version__,
                    "n_features": self.n_features,
                    "steps_done": self.steps_done,
                },
            )
            self.losses().to_csv(tmp / "losses.csv", index=False)

    def _save_archive(self, target, **kwargs):
        # Only the weights matter: `from_config` rebuilds the networks with the factory in the
        # form this machine trains best (unrolled on a CPU, the cuDNN loop on a GPU).
        super().save(target, **kwargs)

    @classmethod
    def load(cls, path):
        """Loads a model saved by `save` (a directory or a `.keras` archive), ready to generate or
        continue `fit` bit for bit (weights, optimizer state, noise state, steps done).

        Directories of the first format (`networks/*.keras` + `optimizers.npz`) are read too.

        Raises:
            FileNotFoundError: if nothing is at `path`.
            ValueError: if the directory is incomplete, from an unknown format version, or the
                archive is not a readable TimeGAN `.keras` file.
        """
        path = _atomic.readable_path(path)  # the previous version if a crash interrupted a replacement
        if path.is_file():
            return _load_archive(path)
        if not path.is_dir():
            raise FileNotFoundError(f"No saved TimeGAN at {str(path)!r} (not a directory or .keras file)")
        if (path / "optimizers.npz").is_file() and not (path / ARCHIVE_NAME).exists():
            return _load_format_1(cls, path)
        missing = [name for name in (*_RUN_FILES, "training.json") if not (path / name).is_file()]
        if not any((path / name).is_file() for name in _REPRESENTATION_FILES.values()):
            missing.append(" or ".join(_REPRESENTATION_FILES.values()))
        if missing:
            raise ValueError(f"Saved TimeGAN {str(path)!r} is incomplete: missing {missing}")
        training = _read_json(path, "training.json")
        version = training.get("format_version") if isinstance(training, dict) else None
        if version != FORMAT_VERSION:
            raise ValueError(
                f"Saved TimeGAN {str(path)!r} has format version {version!r}; "
                f"this version of timegan reads {FORMAT_VERSION} (and 1)"
            )
        model = _load_archive(path / ARCHIVE_NAME)
        model._log.value[:] = _read_losses(path)
        return model


DISTRIBUTE = ("none", "mirrored", "multiworker")


def distribution_strategy(name="none"):
    """The `tf.distribute` strategy called `name`, to build, compile and fit a TimeGAN under.

    Args:
        name: "none" (the default strategy: one device), "mirrored" (`MirroredStrategy`: all
            GPUs of this machine, or its CPU) or "multiworker" (`MultiWorkerMirroredStrategy`:
            the machines listed in the `TF_CONFIG` environment variable).

    Returns:
        A `tf.distribute.Strategy`; use `with strategy.scope(): model = TimeGAN(...)`.

    Raises:
        ValueError: on another name.
    """
    if name not in DISTRIBUTE:
        raise ValueError(f"Expected `distribute` to be one of {DISTRIBUTE}. Received: distribute={name!r}")
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def _multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()


class _StepRecorder(keras.callbacks.Callback):
    """Appends each step's losses (the finite ones) to the model's history."""

    def __init__(self, history):
        super().__init__()
        self.history = history
        self.phase = None
        self.first_step = 1

    def on_train_batch_end(self, batch, logs=None):
        values = {name: float(value) for name, value in (logs or {}).items() if name != "loss"}
        row = {"phase": self.phase, "step": self.first_step + batch}
        row.update((name, value) for name, value in values.items() if not np.isnan(value))
        self.history.append(row)


class _WholeFit(keras.callbacks.Callback):
    """Shows a callback one training over the three phases instead of one per phase: `fit` calls
    its `on_train_begin` before the first phase and `on_train_end` after the last; the epoch
    (phase) and batch hooks pass through."""

    def __init__(self, callback):
        super().__init__()
        self.callback = callback

    def set_model(self, model):
        super().set_model(model)
        self.callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        self.callback.set_params(params)

    def on_epoch_begin(self, epoch, logs=None):
        self.callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self.callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.callback.on_train_batch_end(batch, logs)


def _load_archive(path):
    if not zipfile.is_zipfile(path):
        raise ValueError(f"Cannot read the TimeGAN archive {str(path)!r}: not a valid .keras file (not a zip archive)")
    try:
        _check_archive(path)
        model = keras.saving.load_model(path, safe_mode=True)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"Cannot read the TimeGAN archive {str(path)!r}: not a valid .keras file ({error})") from None
    if not isinstance(model, TimeGAN):
        raise ValueError(f"Expected a TimeGAN in {str(path)!r}. Received: a {type(model).__name__}")
    if model.n_features is None or model.representation is None:
        raise ValueError(f"The archive {str(path)!r} holds a TimeGAN that was never fitted.")
    if not model.compiled:
        model.compile()
    return model


def _check_archive(path):
    """Checks an archive's `config.json` against the shapes of its stored weights, before building anything.

    A config read from a file is untrusted: `"hidden_dim": 200000` would build networks of
    terabytes before Keras found that the weights do not fit them. The stored shapes are read
    from the HDF5 metadata (no weight is loaded) and compared with `networks.weight_shapes`.

    Raises:
        ValueError: naming the archive if it does not describe a TimeGAN, its config is invalid,
            or the config's networks do not have the stored weights' shapes.
    """
    with zipfile.ZipFile(path) as archive:
        description = json.loads(archive.read("config.json"))
        if not isinstance(description, dict) or description.get("registered_name") != "timegan>TimeGAN":
            received = (
                (description.get("registered_name") or description.get("class_name"))
                if isinstance(description, dict)
                else None
            )
            what = received if isinstance(received, str) else "file without a model class"
            raise ValueError(
                f"Expected a TimeGAN in {str(path)!r}. Received: a {format_value(what, 60).strip(chr(39))}"
            )
        arguments = description.get("config")
        if not isinstance(arguments, dict) or not {"config", "n_features"} <= set(arguments):
            raise ValueError(f"The archive {str(path)!r} has a config.json without `config` and `n_features`")
        try:
            config = TimeGANConfig.from_dict(arguments["config"])
            n_features = validate(arguments["n_features"], "n_features", Integer(1))
        except (TypeError, ValueError) as error:
            raise ValueError(f"The archive {str(path)!r} has an invalid config.json: {error}") from None
    _check_weight_shapes(path, config, n_features, _stored_weight_shapes(path))


def _stored_weight_shapes(archive_path):
    """Shapes of the network weights stored in a `.keras` archive, read from the HDF5 metadata only
    (optimizer slots and the model's own counters left out)."""
    import h5py

    stored = []

    def collect(name, item):
        owner = name.split("/")[0]
        if isinstance(item, h5py.Dataset) and owner != "vars" and not owner.endswith("_optimizer"):
            stored.append(tuple(item.shape))

    with zipfile.ZipFile(archive_path) as archive, archive.open("model.weights.h5") as handle:
        with h5py.File(handle, "r") as weights:
            weights.visititems(collect)
    return stored


def _check_weight_shapes(path, config, n_features, stored):
    expected = weight_shapes(config, n_features)
    if sorted(stored) != sorted(expected):
        missing = sorted(set(expected) - set(stored), key=lambda shape: -int(np.prod(shape)))
        raise ValueError(
            f"Saved TimeGAN {str(path)!r} has a config that does not match its stored weights: "
            f"hidden_dim={config.hidden_dim}, num_layers={config.num_layers}, cell={config.cell!r}, "
            f"n_features={n_features} need {len(expected)} network weights ({int(sum(map(np.prod, expected)))} "
            f"values{f', e.g. shape {missing[0]}' if missing else ''}); the files store {len(stored)} "
            f"({int(sum(map(np.prod, stored)))} values)"
        )


def _load_format_1(cls, path):
    """Reads a directory of format 1: networks/*.keras, optimizers.npz and JSON descriptions."""
    missing = [name for name in _FORMAT_1_FILES if not (path / name).is_file()]
    if missing:
        raise ValueError(f"Saved TimeGAN {str(path)!r} is incomplete: missing {missing}")
    training = _read_json(path, "training.json")
    try:
        if training.get("format_version") != 1:
            raise ValueError(
                f"Saved TimeGAN {str(path)!r} has format version {training.get('format_version')!r}; "
                f"this version of timegan reads {FORMAT_VERSION} (and 1)"
            )
        data = _read_json(path, "data.json")
        config = TimeGANConfig.from_dict(_read_json(path, "config.json"))
        n_features = validate(training["n_features"], "n_features", Integer(1))
        try:
            stored = [
                shape for name in NETWORK_NAMES for shape in _stored_weight_shapes(path / "networks" / f"{name}.keras")
            ]
        except (zipfile.BadZipFile, OSError, KeyError) as error:
            raise ValueError(f"Saved TimeGAN {str(path)!r} has an unreadable network file: {error}") from None
        _check_weight_shapes(path, config, n_features, stored)
        model = cls(
            config,
            n_features=n_features,
            scaler=_read_json(path, "scaler.json"),
            feature_names=data.pop("feature_names"),
            data_info=data,
        )
        steps = [int(training["steps_done"][phase]) for phase in PHASES]
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"Saved TimeGAN {str(path)!r} has an unreadable description file: {error!r}") from None
    model.compile()
    for name in NETWORK_NAMES:
        try:
            getattr(model, name).load_weights(path / "networks" / f"{name}.keras")
        except ValueError as error:
            raise ValueError(
                f"Saved TimeGAN {str(path)!r} has a {name} network that does not match its config: {error}"
            ) from None
    with np.load(path / "optimizers.npz", allow_pickle=False) as state:
        for name in _OPTIMIZER_VARIABLES:
            for i, variable in enumerate(model._optimizer(name).variables):
                variable.assign(state[f"{name}/{i}"])
        model.noise_state.assign(state["noise_seed"].astype("int64"))
    model.steps_counter.assign(np.asarray(steps, dtype="int64"))
    model._log.value[:] = _read_losses(path)
    return model


def _read_losses(path):
    if not (path / "losses.csv").is_file():
        return []
    frame = pd.read_csv(path / "losses.csv")
    return [
        {k: v for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))} for row in frame.to_dict("records")
    ]


def _distinct_steps(windows, windows_given=False):
    """The values of overlapping windows (n, steps, n_features) cut one step apart from one
    series, each step once (n + steps - 1, n_features): the first window, then the last step of
    each next one; windows given as such (independent) are taken whole."""
    if windows_given:
        return windows.reshape(-1, windows.shape[-1])
    return np.concatenate([windows[0], windows[1:, -1]])


def _phase_steps(steps):
    received = steps
    if isinstance(steps, numbers.Integral) and not isinstance(steps, bool):
        steps = (steps,) * 3
    if isinstance(steps, dict):
        unknown = sorted(set(steps) - set(PHASES))
        if unknown:
            raise ValueError(f"Unknown phases {unknown} in `steps`. Expected keys among {list(PHASES)}")
        steps = tuple(steps.get(p, 0) for p in PHASES)
    if (
        not isinstance(steps, (tuple, list))
        or len(steps) != 3
        or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0 for s in steps)
    ):
        raise ValueError(
            f"Expected `steps` as an integer >= 0 or three of them (embedding, supervised, joint). Received: steps={received!r}"
        )
    return dict(zip(PHASES, (int(s) for s in steps)))


def _history_columns(history):
    columns = ["phase", "step"]
    for row in history:
        columns.extend(k for k in row if k not in columns)
    return columns


def _read_json(directory, name):
    try:
        with open(directory / name, encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise ValueError(f"Saved TimeGAN {str(directory)!r} has an unreadable {name}: {error}") from None
