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
