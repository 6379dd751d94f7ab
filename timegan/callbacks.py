"""Training callbacks for `TimeGAN.fit`: progress bars, TensorBoard scalars, checkpoints.

TimeGAN trains in three phases, so its callbacks see phases and steps rather than epochs and
batches. Subclass `Callback` and override any hook; set `model.stop_training = True` to stop
after the current step.
"""

import logging
import time

logger = logging.getLogger(__name__)


class Callback:
    """Base class. Hooks receive the phase name ("embedding", "supervised", "joint")."""

    def __init__(self):
        self.model = None

    def set_model(self, model):
        self.model = model

    def on_phase_begin(self, phase, initial_step, total_steps):
        """Called before the first step of a phase (`initial_step` > 0 when resuming)."""

    def on_step_end(self, phase, step, logs):
        """Called after step `step` (1-based) of `phase`; `logs` maps loss names to floats."""

    def on_phase_end(self, phase, logs):
        """Called after the last step of a phase, with the last step's logs."""


class ProgressBar(Callback):
    """One tqdm bar per phase with the latest losses and the ETA."""

    def __init__(self, refresh_seconds=0.5):
        super().__init__()
        self.refresh_seconds = refresh_seconds
        self._bar = None
        self._last = 0.0

    def on_phase_begin(self, phase, initial_step, total_steps):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=total_steps, initial=initial_step, desc=f"{phase:>10}", unit="step",
                         dynamic_ncols=True, leave=True)
        # The first step traces and compiles the phase's graph, up to a minute or two.
        self._bar.set_postfix_str("compiling the first step")
        self._last = 0.0

    def on_step_end(self, phase, step, logs):
        self._bar.update(step - self._bar.n)
        now = time.monotonic()
        if now - self._last >= self.refresh_seconds:
            self._last = now
            self._bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)

    def on_phase_end(self, phase, logs):
        if self._bar is not None:
            if logs:
                self._bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
            self._bar.close()
            self._bar = None


class TensorBoard(Callback):
    """Writes every loss as a TensorBoard scalar `{phase}/{loss}` against the phase step.

    Uses TensorFlow's own summary writer with the scalar plugin's metadata, so logs are written
    without the `tensorboard` package (which is only needed to view them).
    """

    def __init__(self, log_dir, every=1):
        super().__init__()
        self.log_dir = str(log_dir)
        self.every = every
        self._writer = None
        self._metadata = None

    def on_phase_begin(self, phase, initial_step, total_steps):
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
            plugin = summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
            self._metadata = summary_pb2.SummaryMetadata(plugin_data=plugin).SerializeToString()

    def on_step_end(self, phase, step, logs):
        if step % self.every:
            return
        import tensorflow as tf

        with self._writer.as_default():
            for name, value in logs.items():
                tf.summary.write(f"{phase}/{name}", tf.constant(value, tf.float32), step=step, metadata=self._metadata)

    def on_phase_end(self, phase, logs):
        if self._writer is not None:
            self._writer.flush()


class Checkpoint(Callback):
    """Saves the whole model (networks, optimizers, progress) every `every` steps and at phase end.

    Each save replaces `directory` atomically, so an interruption leaves the previous complete
    checkpoint. `TimeGAN.load(directory)` followed by `fit` with the same steps resumes.
    """

    def __init__(self, directory, every=500):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"Expected `every` to be an integer >= 1. Received: every={every!r}")
        self.directory = directory
        self.every = every
        self._saved_at = None

    def on_step_end(self, phase, step, logs):
        if step % self.every == 0:
            self._save(phase, step)

    def on_phase_end(self, phase, logs):
        self._save(phase, self.model.steps_done[phase])

    def _save(self, phase, step):
        if self._saved_at != (phase, step):
            self.model.save(self.directory)
            self._saved_at = (phase, step)
            logger.debug("Checkpoint saved at %s step %d.", phase, step)
