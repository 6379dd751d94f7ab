"""What Keras' callbacks lack for a TimeGAN: a tqdm progress bar, a phase-aware checkpoint and
per-step TensorBoard scalars per phase.

`TimeGAN.fit` runs one Keras `fit` per phase (epoch index = phase index), so any Keras callback
works (`TensorBoard`, `CSVLogger`, `TerminateOnNaN`, `ModelCheckpoint`, your own); a callback
reads the phase from `self.model.phase`. `ProgressBar` also serves the image GANs.
"""

import logging
import math
import time

import keras
import numpy as np

from timegan._validation import Integer, validate

logger = logging.getLogger(__name__)


class ProgressBar(keras.callbacks.Callback):
    """A tqdm bar per epoch on stderr with the latest logs and the ETA.

    For a TimeGAN the bar is named after the phase and counts its steps from where training
    stands (a resumed run starts part-way); otherwise it is "epoch i/n".

    Args:
        steps_per_epoch: length of the bar; default Keras' `steps` for the fit.
        epochs: number of epochs shown in the name; default Keras' `epochs`.
        refresh_seconds: at most one refresh of the shown losses per this many seconds. Default 0.5.
    """

    def __init__(self, steps_per_epoch=None, epochs=None, refresh_seconds=0.5):
        super().__init__()
        self.steps_per_epoch = steps_per_epoch
        self.epochs = epochs
        self.refresh_seconds = refresh_seconds
        self._bar = None
        self._last = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm.auto import tqdm

        steps = self.steps_per_epoch or self.params.get("steps")
        phase = getattr(self.model, "phase", None)
        if phase is not None and hasattr(self.model, "steps_done"):
            initial = self.model.steps_done[phase]
            self._bar = tqdm(
                total=initial + (steps or 0),
                initial=initial,
                desc=f"{phase:>10}",
                unit="step",
                dynamic_ncols=True,
                leave=True,
            )
        else:
            epochs = self.epochs or self.params.get("epochs")
            self._bar = tqdm(
                total=steps, desc=f"epoch {epoch + 1}/{epochs}", unit="step", dynamic_ncols=True, leave=True
            )
        # The first step traces and compiles the train function, up to a minute or two.
        self._bar.set_postfix_str("compiling the first step")
        self._last = 0.0

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        self._bar.update(1)
        now = time.monotonic()
        if now - self._last >= self.refresh_seconds:
            self._last = now
            self._bar.set_postfix(_shown(logs), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            if logs:
                self._bar.set_postfix(_shown(logs), refresh=False)
            self._bar.close()
            self._bar = None

    def on_train_end(self, logs=None):
        self.on_epoch_end(None)  # closes a bar left open by a stopped epoch


def _shown(logs):
    shown = {}
    for name, value in (logs or {}).items():
        value = float(value)
        if not math.isnan(value):  # a TimeGAN phase logs NaN for the terms it does not compute
            shown[name] = f"{value:.4f}"
    return shown


class Checkpoint(keras.callbacks.Callback):
    """Saves the whole TimeGAN (`model.save(directory)`) every `every` steps and at each phase end.

    Each save replaces `directory` atomically, so an interruption leaves the previous complete
    checkpoint, and a model with a non-finite loss or weight is never saved; it holds the weights, the optimizers' state, the noise state, the steps done and
    the loss history. `TimeGAN.load(directory)` followed by `fit` with the same steps continues
    as the uninterrupted run would.

    Args:
        directory: where to save (a directory, replaced at each save).
        every: steps between saves (>= 1). Default 500.

    Raises:
        ValueError: if `every` is not an integer >= 1.
    """

    def __init__(self, directory, every=500):
        super().__init__()
        self.directory = directory
        self.every = validate(every, "every", Integer(1))
        self._saved_at = None

    def on_train_batch_end(self, batch, logs=None):
        step = self.model.steps_done[self.model.phase]
        if step % self.every == 0:
            self._save(step, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._save(self.model.steps_done[self.model.phase], logs)

    def _save(self, step, logs):
        finite = math.isfinite(float((logs or {}).get("loss", 0.0))) and all(
            np.isfinite(keras.ops.convert_to_numpy(v)).all() for v in self.model.trainable_variables
        )
        if not finite:
            logger.warning(
                "No checkpoint at %s step %d: the loss or the weights are not finite.", self.model.phase, step
            )
            return
        if self._saved_at != (self.model.phase, step):
            self.model.save(self.directory)
            self._saved_at = (self.model.phase, step)
            logger.debug("Checkpoint saved at %s step %d.", self.model.phase, step)


class PhaseTensorBoard(keras.callbacks.Callback):
    """Writes each step's losses as TensorBoard scalars `{phase}/{loss}` against the phase's step.

    `keras.callbacks.TensorBoard` counts batches from 0 in each `fit`, so the three phases of a
    TimeGAN would draw over one another; here each phase has its own curves (`embedding/recon`,
    `joint/discriminator`, ...), continued across resumes.

    Args:
        log_dir: directory of the event files (`tensorboard --logdir log_dir`).
        every: write every `every` steps (>= 1). Default 1.

    Raises:
        ValueError: if `every` is not an integer >= 1.
    """

    def __init__(self, log_dir, every=1):
        super().__init__()
        self.log_dir = str(log_dir)
        self.every = validate(every, "every", Integer(1))
        self._writer = None

    def on_train_batch_end(self, batch, logs=None):
        import tensorflow as tf

        phase = self.model.phase
        step = self.model.steps_done[phase]
        if step % self.every:
            return
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
        with self._writer.as_default():
            for name, value in (logs or {}).items():
                value = float(value)
                if not math.isnan(value):  # terms the phase does not compute
                    tf.summary.scalar(f"{phase}/{name}", value, step=step)

    def on_epoch_end(self, epoch, logs=None):
        if self._writer is not None:
            self._writer.flush()


SELECTION_FILE = "selection.json"


class BestModel(keras.callbacks.Callback):
    """Keeps the best model of the joint phase, judged on held-out data the networks never saw.

    Every `every` joint steps (and at the end of the joint phase) the generator makes as many
    windows as there are held-out windows, on the model's own scale (the scale the networks
    work on, whatever the data representation), from noise fixed once for the whole run, and
    `validation_score` compares them with the held-out windows; the lowest score so far is the
    best (on a tie, the later one). The held-out windows are the `validation_data` given to `TimeGAN.fit`
    (`model.validation_windows`).

    `directory` holds the best model (`model.save(directory)`, so `TimeGAN.load(directory)`
    reads it) and `selection.json`: `{"metric", "every", "best_step", "best_score", "scores":
    [[joint step, score], ...]}`. The model is replaced, with its `selection.json`, in one
    atomic step when a better one is found; `selection.json` alone is rewritten (atomically)
    after the other evaluations. A model with a non-finite weight or score is never kept.

    Resume: if `directory` already holds a selection (a run interrupted and continued from
    its checkpoint), its best model and score stay the best until a better one is found, and
    the scores of the steps not yet retrained are kept.

    Training callbacks may be called once per several steps (`steps_per_execution`): an
    evaluation happens at the first call at or after each multiple of `every`.

    Args:
        directory: where to keep the best model (a directory, created or replaced).
        every: joint steps between evaluations (>= 1). Default 100.
        seed: seed of the evaluation noise (>= 0). Default 0.
        metric: `f(real, synthetic) -> float`, lower is better, on arrays
            `(n, seq_len, n_features)`; default `validation_score`.

    Raises:
        ValueError: if `every` or `seed` is not a valid integer, or (when training starts) if
            `fit` was given no `validation_data`.
    """

    def __init__(self, directory, every=100, seed=0, metric=None):
        super().__init__()
        from pathlib import Path

        from timegan._validation import SEED, Integer, validate

        self.directory = Path(directory)
        self.every = validate(every, "every", Integer(1))
        self.seed = validate(seed, "seed", SEED)
        self.metric = validation_score if metric is None else metric
        self.best_step = None
        self.best_score = math.inf
        self.scores = []
        self._evaluated_at = None

    @property
    def metric_name(self):
        return getattr(self.metric, "__name__", type(self.metric).__name__)

    def on_train_begin(self, logs=None):
        if getattr(self.model, "validation_windows", None) is None:
            raise ValueError(
                "Expected held-out data for BestModel: pass `validation_data=` to `TimeGAN.fit`. Received: none"
            )
        done = self.model.steps_done["joint"]
        record = read_selection(self.directory)
        if record is not None:
            self.best_step, self.best_score = record["best_step"], record["best_score"]
            # Scores of steps after the checkpoint the run resumed from are computed again.
            self.scores = [entry for entry in record["scores"] if entry[0] <= done]
        # A checkpoint written just before a due score (and a kill) leaves it due after the resume.
        self._evaluated_at = max((step for step, _ in self.scores), default=0)

    def on_train_batch_end(self, batch, logs=None):
        if self.model.phase != "joint":
            return
        step = self.model.steps_done["joint"]
        if step // self.every > self._evaluated_at // self.every:
            self._evaluate(step)

    def on_epoch_end(self, epoch, logs=None):
        if self.model.phase == "joint" and self.model.steps_done["joint"] != self._evaluated_at:
            self._evaluate(self.model.steps_done["joint"])

    def _evaluate(self, step):
        from timegan import _atomic

        real = self.model.validation_windows
        score = float(self.metric(real, self.model.generate_scaled(len(real), seed=self.seed)))
        self._evaluated_at = step
        self.scores.append([step, score])
        finite = math.isfinite(score) and all(
            np.isfinite(keras.ops.convert_to_numpy(v)).all() for v in self.model.trainable_variables
        )
        # On a tie (every classifier separates two poor models perfectly: 0.5) the later,
        # longer-trained model is kept.
        kept = finite and score <= self.best_score
        logger.info(
            "Joint step %d: held-out %s %.4f (%s; best before %.4f).",
            step,
            self.metric_name,
            score,
            "kept as the best" if kept else "not kept",
            self.best_score,
        )
        if kept:
            self.best_step, self.best_score = step, score
            with _atomic.atomic_path(self.directory) as tmp:
                self.model.save(tmp)
                _atomic.write_json(tmp / SELECTION_FILE, self._record())
        elif self.directory.is_dir():
            _atomic.write_json(self.directory / SELECTION_FILE, self._record())

    def _record(self):
        return {
            "metric": self.metric_name,
            "every": self.every,
            "seed": self.seed,
            "best_step": self.best_step,
            "best_score": self.best_score,
            "scores": self.scores,
        }


def read_selection(directory):
    """The `selection.json` of a `BestModel` directory as a dict, or None if there is none.

    Raises:
        ValueError: naming the file if it is not such JSON.
    """
    import json
    from pathlib import Path

    from timegan import _atomic

    file = _atomic.readable_path(Path(directory)) / SELECTION_FILE
    if not file.is_file():
        return None
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
        best_step, best_score = int(record["best_step"]), float(record["best_score"])
        scores = [[int(step), float(score)] for step, score in record["scores"]]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as error:
        raise ValueError(f"Selection file {str(file)!r} is unreadable: {type(error).__name__}: {error}") from None
    return {**record, "best_step": best_step, "best_score": best_score, "scores": scores}


def validation_score(real, synthetic, folds=5, seed=0):
    """A cheap two-sample score of synthetic windows against held-out real ones; lower is better.

    A classifier two-sample test (Lopez-Paz & Oquab, "Revisiting classifier two-sample tests",
    ICLR 2017): a logistic regression tells real from synthetic windows, and the score is
    `|accuracy - 0.5|` of its `folds`-fold cross-validated predictions, as in the TimeGAN
    paper's discriminative score (Yoon et al. 2019, section 5), which trains a recurrent
    classifier for minutes instead. The classifier reads, per window, its values, its one-step
    changes and five statistics per feature (mean, standard deviation, last minus first value,
    mean absolute change, standard deviation of the changes), standardised, on the scale it is
    given (the model's scale when `BestModel` calls it).

    Args:
        real: held-out real windows `(n, seq_len, n_features)`.
        synthetic: synthetic windows `(m, seq_len, n_features)`.
        folds: cross-validation folds (>= 2). Default 5.
        seed: seed of the folds. Default 0.

    Returns:
        float in [0, 0.5]: 0 when the classifier does no better than chance; inf if
        `synthetic` holds NaN or inf (a diverged generator is never the best).

    Raises:
        ValueError: if the arrays are not 3-D with the same window shape, hold fewer than
            `folds` windows each, or `real` holds non-finite values.
    """
    real, synthetic = _checked_windows(real, synthetic, folds)
    if not np.isfinite(synthetic).all():
        return math.inf
    return classifier_two_sample_score(window_features(real), window_features(synthetic), folds, seed)


def classifier_two_sample_score(real, synthetic, folds=5, seed=0):
    """`|accuracy - 0.5|` of a `folds`-fold cross-validated, standardised logistic regression
    telling rows of `real` `(n, d)` from rows of `synthetic` `(m, d)` (Lopez-Paz & Oquab 2017):
    0 when it does no better than chance, 0.5 when it tells every row apart. What
    `validation_score` computes on `window_features`; any other features of windows can be
    scored the same way (`scripts/diagnose_many_series.py`)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.concatenate([real, synthetic])
    y = np.concatenate([np.ones(len(real)), np.zeros(len(synthetic))])
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    accuracy = cross_val_score(classifier, x, y, cv=StratifiedKFold(folds, shuffle=True, random_state=seed)).mean()
    return float(abs(accuracy - 0.5))


def stylized_score(real, synthetic, lags=5):
    """How far the stylized facts of synthetic windows are from held-out real ones; lower is better.

    The distance of `timegan.losses.stylized_facts_loss` (Cont 2001; Wiese et al. 2020, section 6:
    autocorrelation of u at lags 1..`lags`, of |u| and the leverage correlation at lags
    1..`lags`, volatility dispersion, kurtosis and cross-correlations, each as a mean absolute
    gap), on the scale it is given (the model's scale when `BestModel` calls it). Unlike
    `validation_score` it does not saturate: where every window is told apart (a linear
    classifier separates the last years of a history from the years before at 0.28 of 0.5), it
    still orders two models by how close their statistics are (docs/selection.md).

    Args:
        real: held-out real windows `(n, seq_len, n_features)`.
        synthetic: synthetic windows `(m, seq_len, n_features)`.
        lags: largest lag of the autocorrelations and the leverage correlation (>= 1). Default 5.

    Returns:
        float >= 0; inf if `synthetic` holds NaN or inf.

    Raises:
        ValueError: if the arrays are not 3-D with the same window shape, hold fewer than 2
            windows each, or `real` holds non-finite values.
    """
    from timegan import losses

    real, synthetic = _checked_windows(real, synthetic, 2)
    if not np.isfinite(synthetic).all():
        return math.inf
    gap = losses.stylized_facts_loss(
        real.astype("float32"), synthetic.astype("float32"), return_lags=lags, abs_lags=lags, leverage_lags=lags
    )
    return float(gap)


def _checked_windows(real, synthetic, fewest):
    real, synthetic = np.asarray(real, dtype="float64"), np.asarray(synthetic, dtype="float64")
    if real.ndim != 3 or synthetic.ndim != 3 or real.shape[1:] != synthetic.shape[1:]:
        raise ValueError(
            "Expected real and synthetic windows (n, seq_len, n_features) of the same window shape. "
            f"Received: real {real.shape}, synthetic {synthetic.shape}"
        )
    if min(len(real), len(synthetic)) < fewest:
        raise ValueError(
            f"Expected at least {fewest} windows in each set. Received: {len(real)} real, {len(synthetic)} synthetic"
        )
    if not np.isfinite(real).all():
        raise ValueError("Expected finite held-out windows. Received: NaN or inf in `real`")
    return real, synthetic


# The scores `BestModel` can select by, by the name `run.json` records ("validation": {"metric"}).
SELECTION_METRICS = {"classifier": validation_score, "stylized": stylized_score}


def window_features(windows):
    """What `validation_score`'s classifier reads of windows `(n, seq_len, n_features)`: an array
    `(n, (2 * seq_len + 4) * n_features)` of the values, the one-step changes and, per feature,
    the mean, standard deviation, last minus first value, mean absolute change and standard
    deviation of the changes."""
    n = len(windows)
    changes = np.diff(windows, axis=1)
    statistics = [
        windows.mean(axis=1),
        windows.std(axis=1),
        windows[:, -1] - windows[:, 0],
        np.abs(changes).mean(axis=1),
        changes.std(axis=1),
    ]
    return np.concatenate([windows.reshape(n, -1), changes.reshape(n, -1), *statistics], axis=1)
