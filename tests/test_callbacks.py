"""Keras callbacks on a TimeGAN (and the shared progress bar): each with an effect asserted."""

import csv
import dataclasses
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from timegan import Checkpoint, PhaseTensorBoard, ProgressBar, TimeGAN, TimeGANConfig

TINY = TimeGANConfig(seq_len=4, hidden_dim=4, num_layers=1, batch_size=8, seed=0)
LOOP = dataclasses.replace(
    TINY, unroll=False
)  # the loop form (as on a GPU); for tests that do not compare with TINY's runs


def sines(n=64, seq_len=4, dim=2, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(seq_len)[None, :, None]
    return 5 + 5 * np.sin(rng.uniform(0.2, 0.6, (n, 1, dim)) * t + rng.uniform(0, np.pi, (n, 1, dim)))


def last_losses(model):
    """The last step's losses of each phase, as fit's epoch logs report them."""
    return model.losses().groupby("phase", sort=False).last()


class PhaseLog(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append((self.model.phase, self.model.steps_done[self.model.phase], float(logs["loss"])))


class StopAt(keras.callbacks.Callback):
    def __init__(self, phase, step):
        super().__init__()
        self.phase, self.step = phase, step

    def on_train_batch_end(self, batch, logs=None):
        if (self.model.phase, self.model.steps_done[self.model.phase]) == (self.phase, self.step):
            self.model.stop_training = True


def test_keras_callbacks_see_each_step_with_its_phase_and_write_csv_and_tensorboard(tmp_path):
    model = TimeGAN(LOOP)
    phases = PhaseLog()
    history = model.fit(
        sines(),
        steps=(2, 1, 2),
        progress=False,
        callbacks=[
            phases,
            keras.callbacks.CSVLogger(str(tmp_path / "log.csv")),
            keras.callbacks.TensorBoard(str(tmp_path / "tb")),
            PhaseTensorBoard(tmp_path / "steps"),
        ],
    )
    assert [(p, s) for p, s, _ in phases.seen] == [
        ("embedding", 1),
        ("embedding", 2),
        ("supervised", 1),
        ("joint", 1),
        ("joint", 2),
    ]
    assert all(math.isfinite(loss) for _, _, loss in phases.seen)
    last = last_losses(model)

    # History and CSVLogger: one epoch per phase (epoch index = phase index), one table.
    assert history.epoch == [0, 1, 2] and history.params["phases"] == ["embedding", "supervised", "joint"]
    np.testing.assert_allclose(history.history["recon"][0], last.loc["embedding", "recon"], rtol=1e-6)
    assert math.isnan(history.history["discriminator"][0])
    with open(tmp_path / "log.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    np.testing.assert_allclose(float(rows[1]["supervised"]), last.loc["supervised", "supervised"], rtol=1e-6)
    np.testing.assert_allclose(float(rows[2]["discriminator"]), last.loc["joint", "discriminator"], rtol=1e-6)

    # TensorBoard: the epoch scalars of the three phases, with the logged values.
    scalars = read_scalars(tmp_path / "tb" / "train")
    assert sorted(scalars["epoch_loss"]) == [0, 1, 2]
    np.testing.assert_allclose(scalars["epoch_moments"][2], last.loc["joint", "moments"], rtol=1e-6)

    # PhaseTensorBoard: every step, per phase, against the phase's step.
    steps = read_scalars(tmp_path / "steps")
    losses = model.losses().set_index(["phase", "step"])
    assert sorted(steps["embedding/recon"]) == [1, 2] and sorted(steps["joint/discriminator"]) == [1, 2]
    assert "embedding/discriminator" not in steps  # NaN terms are not written
    np.testing.assert_allclose(steps["joint/recon"][1], losses.loc[("joint", 1), "recon"], rtol=1e-6)
    np.testing.assert_allclose(
        steps["supervised/supervised"][1], losses.loc[("supervised", 1), "supervised"], rtol=1e-6
    )


def read_scalars(directory):
    """tag -> {step: value} from the TensorBoard event files in `directory`."""
    scalars = {}
    for path in directory.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                scalars.setdefault(value.tag, {})[event.step] = float(tf.make_ndarray(value.tensor))
    return scalars


def test_terminate_on_nan_stops_training_and_no_checkpoint_keeps_a_nan_model(tmp_path):
    model = TimeGAN(LOOP)
    checkpoint = Checkpoint(tmp_path / "ckpt", every=1)
    model.fit(sines(), steps=(1, 0, 0), progress=False, callbacks=[checkpoint])
    # Any Keras optimizer per update; this one turns the weights into NaN at its first step
    # (whose loss is still finite), so the next step's loss is NaN.
    model.compile(embedding_optimizer=keras.optimizers.SGD(learning_rate=float("nan")))
    model.fit(sines(), steps=(4, 4, 4), progress=False, callbacks=[keras.callbacks.TerminateOnNaN(), checkpoint])
    assert model.steps_done == {"embedding": 3, "supervised": 0, "joint": 0}  # stopped at the NaN
    saved = TimeGAN.load(tmp_path / "ckpt")
    assert saved.steps_done == {"embedding": 1, "supervised": 0, "joint": 0}
    assert all(np.isfinite(w).all() for net in saved.networks.values() for w in net.get_weights())


def test_model_checkpoint_archive_resumes_as_the_uninterrupted_run(trained_timegan, tmp_path):
    full, _ = trained_timegan  # 3 steps per phase on sines(), uninterrupted
    interrupted = TimeGAN(TINY)
    interrupted.fit(
        sines(),
        steps=3,
        progress=False,
        callbacks=[keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.keras"), save_freq=1), StopAt("joint", 1)],
    )
    resumed = TimeGAN.load(tmp_path / "ckpt.keras")
    assert resumed.steps_done == {"embedding": 3, "supervised": 3, "joint": 1}
    for a, b in zip(resumed.variables, interrupted.variables):
        if "seed_generator" not in a.path:  # the GRUs' unused dropout seeds
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
    for name in ("embedding", "supervised", "generator", "embedder", "discriminator"):
        for a, b in zip(resumed._optimizer(name).variables, interrupted._optimizer(name).variables):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    resumed.fit(sines(), steps=3, progress=False)
    assert resumed.losses()["step"].tolist() == [2, 3]
    # As in tests/test_model.py: rounding noise moves a few weights, a lost step almost all.
    moved = [
        np.mean(np.abs(a - b) > 1e-5)
        for name in full.networks
        for a, b in zip(full.networks[name].get_weights(), resumed.networks[name].get_weights())
    ]
    assert np.mean(moved) < 0.05
    np.testing.assert_allclose(
        resumed.losses()[["recon", "discriminator"]].to_numpy(),
        full.losses().tail(2)[["recon", "discriminator"]].to_numpy(),
        rtol=2e-3,
    )


def test_the_progress_bar_serves_any_keras_model(capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((12, 3)), np.ones((12, 1)), batch_size=4, epochs=2, verbose=0, callbacks=[ProgressBar()])
    err = capsys.readouterr().err
    assert "epoch 1/2" in err and "epoch 2/2" in err and "3/3" in err and "loss=" in err


def test_checkpoint_rejects_a_bad_interval():
    with pytest.raises(ValueError, match="Received: every=0"):
        Checkpoint("somewhere", every=0)
