import contextlib
import dataclasses
import io
import json
import re
import shutil

import keras
import numpy as np
import pandas as pd
import pytest
from _series import sine_series

from timegan import Checkpoint, TimeGAN, TimeGANConfig, frame_to_windows
from timegan.networks import NETWORK_NAMES

TINY = TimeGANConfig(seq_len=4, hidden_dim=4, num_layers=1, batch_size=8, seed=0)
# Tests that do not compare with the shared model (trained unrolled, as on a CPU by default) nor test
# unrolling train the recurrent loop, the form a GPU trains (test_unrolled_training_... shows both
# forms compute the same), so that both forms' training runs in the suite.
LOOP = dataclasses.replace(TINY, unroll=False)


def weights(model):
    return {name: [w.copy() for w in net.get_weights()] for name, net in model.networks.items()}


def changed(before, after):
    return {name for name in NETWORK_NAMES if any(not np.array_equal(a, b) for a, b in zip(before[name], after[name]))}


@pytest.fixture
def trained(trained_timegan):
    model, path = trained_timegan
    assert model.config == TINY and model.steps_done == {"embedding": 3, "supervised": 3, "joint": 3}
    return model, path


def test_each_phase_changes_only_its_own_networks():
    model = TimeGAN(dataclasses.replace(LOOP, disc_loss_threshold=1e9))
    data = sine_series()
    model.fit(data, steps=(0, 0, 0), progress=False)
    snapshots = [weights(model)]
    for steps in ((1, 0, 0), (1, 1, 0), (1, 1, 1)):
        model.fit(data, steps=steps, progress=False)
        snapshots.append(weights(model))
    assert changed(snapshots[0], snapshots[1]) == {"embedder", "recovery"}
    assert changed(snapshots[1], snapshots[2]) == {"supervisor"}
    # Joint phase: generator+supervisor and embedder+recovery updates; the discriminator is
    # skipped because its loss is below the (huge) threshold.
    assert changed(snapshots[2], snapshots[3]) == {"generator", "supervisor", "embedder", "recovery"}
    assert model.steps_done == {"embedding": 1, "supervised": 1, "joint": 1}


def test_discriminator_updates_when_its_loss_exceeds_the_threshold(trained):
    model, _ = trained
    joint = model.losses().query("phase == 'joint'")
    assert (joint["discriminator"] > TINY.disc_loss_threshold).all()
    untrained = TimeGAN(TINY, n_features=2)  # same seed: the weights `trained` started from
    assert "discriminator" in changed(weights(untrained), weights(model))


def test_losses_are_finite_and_reconstruction_falls(trained):
    history = trained[0].losses()
    assert list(history.columns[:2]) == ["phase", "step"]
    assert history.groupby("phase").size().to_dict() == {"embedding": 3, "joint": 3, "supervised": 3}
    numeric = history.drop(columns=["phase", "step"]).to_numpy(dtype=float)
    assert np.isfinite(numeric[~np.isnan(numeric)]).all() and (~np.isnan(numeric)).sum() >= 3 + 3 + 3 * 5

    model = TimeGAN(dataclasses.replace(LOOP, learning_rate=0.01))
    model.fit(sine_series(), steps=(80, 0, 0), progress=False)
    recon = model.losses()["recon"].to_numpy()
    assert len(recon) == 80 and np.isfinite(recon).all()
    assert recon[-10:].mean() < 0.75 * recon[:10].mean()


def test_generate_is_in_original_units_and_seeded(trained):
    model, _ = trained
    a, b = model.generate(6, seed=3), model.generate(6, seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (6, 4, 2)
    assert not np.array_equal(model.generate(6), model.generate(6))
    # Sigmoid outputs mapped back through the scaler stay in the data's range [0, 10].
    assert a.min() >= -1e-6 and a.max() <= 10 + 1e-6 and a.max() > 1.0
    assert model.generate(2, seq_len=20).shape == (2, 20, 2)


def test_a_seed_fixes_each_sample_whatever_the_batch_size(trained):
    model, _ = trained
    reference = model.generate(300, seed=7)  # crosses a noise block (256 samples)
    for batch_size in (13, 256, 299):
        np.testing.assert_allclose(model.generate(300, seed=7, batch_size=batch_size), reference, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.generate(5, seed=7), reference[:5], rtol=1e-6, atol=1e-9)
    assert not np.allclose(model.generate(5, seed=8), reference[:5])


def test_save_load_generate_identical(trained):
    model, path = trained
    loaded = TimeGAN.load(path)
    assert loaded.config == model.config and loaded.steps_done == model.steps_done
    np.testing.assert_array_equal(loaded.generate(5, seed=11), model.generate(5, seed=11))
    np.testing.assert_array_equal(loaded.scaler.data_max, model.scaler.data_max)
    assert loaded.feature_names == model.feature_names and loaded.data_info == model.data_info
    assert loaded.losses().shape == model.losses().shape
    assert sorted(p.name for p in path.iterdir()) == [
        "data.json",
        "losses.csv",
        "scaler.json",
        "timegan.keras",
        "training.json",
    ]
    assert not list(path.parent.glob(".*tmp"))
    # The archive alone (safe mode) is the whole model; generation runs the cuDNN-ready loop.
    archive = keras.saving.load_model(path / "timegan.keras", safe_mode=True)
    assert isinstance(archive, TimeGAN) and archive.steps_done == model.steps_done
    np.testing.assert_array_equal(archive.generate(5, seed=11), model.generate(5, seed=11))
    for name, network in loaded._loop_networks().items():
        assert not any(layer.unroll for layer in network.layers[:-1])
        for a, b in zip(network.get_weights(), model.networks[name].get_weights()):
            np.testing.assert_array_equal(a, b)


def test_a_single_keras_file_saves_and_loads_the_whole_model(trained, tmp_path):
    model, _ = trained
    model.save(tmp_path / "model.keras")
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
    loaded = TimeGAN.load(tmp_path / "model.keras")
    assert loaded.steps_done == model.steps_done and loaded.feature_names == model.feature_names
    np.testing.assert_array_equal(loaded.generate(4, seed=5), model.generate(4, seed=5))


def test_a_corrupt_archive_gives_one_line_naming_the_file(trained, tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(np.random.default_rng(0).bytes(256))
    with pytest.raises(
        ValueError, match=r"Cannot read the TimeGAN archive '.*bad.keras': not a valid .keras file"
    ) as error:
        TimeGAN.load(bad)
    assert "\n" not in str(error.value)
    broken = tmp_path / "run"
    shutil.copytree(trained[1], broken)
    (broken / "timegan.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"Cannot read the TimeGAN archive '.*run/timegan.keras'"):
        TimeGAN.load(broken)


def save_format_1(model, path):
    """Writes `model` as the first save format did: networks/*.keras, optimizers.npz, JSON."""
    (path / "networks").mkdir(parents=True)
    for name, network in model._loop_networks().items():
        network.save(path / "networks" / f"{name}.keras")
    (path / "config.json").write_text(json.dumps(model.config.to_dict()))
    (path / "scaler.json").write_text(json.dumps(model.scaler.to_dict()))
    (path / "data.json").write_text(
        json.dumps({"feature_names": [list(n) for n in model.feature_names], **model.data_info})
    )
    (path / "training.json").write_text(
        json.dumps({"format_version": 1, "n_features": model.n_features, "steps_done": model.steps_done})
    )
    state = {
        f"{name}/{i}": np.asarray(v)
        for name in ("embedding", "supervised", "generator", "embedder", "discriminator")
        for i, v in enumerate(model._optimizer(name).variables)
    }
    state["noise_seed"] = np.asarray(model.noise_state)
    np.savez(path / "optimizers.npz", **state)
    model.losses().to_csv(path / "losses.csv", index=False)


def test_a_run_of_the_first_format_still_loads_with_its_whole_state(trained, tmp_path):
    model, _ = trained
    save_format_1(model, tmp_path / "old")
    loaded = TimeGAN.load(tmp_path / "old")
    assert loaded.steps_done == model.steps_done
    np.testing.assert_array_equal(flat_weights(loaded), flat_weights(model))
    np.testing.assert_array_equal(training_state(loaded), training_state(model))
    np.testing.assert_array_equal(loaded.generate(3, seed=4), model.generate(3, seed=4))
    pd.testing.assert_frame_equal(loaded.losses(), model.losses())


def test_generate_frame_is_tidy_and_inverts(trained):
    model, _ = trained
    frame = model.generate_frame(3, seed=1)
    assert list(frame.columns) == ["sample", "step", "ticker", "field", "value"]
    assert len(frame) == 3 * 4 * 2
    windows, names = frame_to_windows(frame, model.feature_names)
    np.testing.assert_allclose(windows, model.generate(3, seed=1))
    assert names == [("x0", "value"), ("x1", "value")]


def test_load_refuses_incomplete_and_incompatible(trained, tmp_path):
    _, path = trained
    broken = tmp_path / "broken"
    shutil.copytree(path, broken)
    (broken / "timegan.keras").unlink()
    with pytest.raises(ValueError, match=r"incomplete: missing \['timegan.keras'\]"):
        TimeGAN.load(broken)
    future = tmp_path / "future"
    shutil.copytree(path, future)
    info = json.loads((future / "training.json").read_text())
    (future / "training.json").write_text(json.dumps({**info, "format_version": 99}))
    with pytest.raises(ValueError, match=r"format version 99; this version of timegan reads 2 \(and 1\)"):
        TimeGAN.load(future)
    with pytest.raises(FileNotFoundError, match="not a directory"):
        TimeGAN.load(tmp_path / "nothing")


class StopAt(keras.callbacks.Callback):
    def __init__(self, phase, step):
        super().__init__()
        self.phase, self.step = phase, step

    def on_train_batch_end(self, batch, logs=None):
        if (self.model.phase, self.model.steps_done[self.model.phase]) == (self.phase, self.step):
            self.model.stop_training = True


def flat_weights(model):
    return np.concatenate([w.ravel() for arrays in weights(model).values() for w in arrays])


def training_state(model):
    """Everything besides the weights that training continues from: optimizer slots, noise, steps."""
    optimizers = [
        v
        for name in ("embedding", "supervised", "generator", "embedder", "discriminator")
        for v in model._optimizer(name).variables
    ]
    return np.concatenate(
        [np.asarray(v, dtype="float64").ravel() for v in [*optimizers, model.noise_state, model.steps_counter]]
    )


def fraction_moved(a, b, atol=1e-5):
    """Fraction of all weights on which two models differ by more than `atol`."""
    return float(np.mean(np.abs(flat_weights(a) - flat_weights(b)) > atol))


def test_resume_continues_at_the_saved_step_and_matches_an_uninterrupted_run(trained, tmp_path):
    data, steps = sine_series(), (3, 3, 3)
    full, _ = trained  # trained on sine_series() for 3 steps per phase, uninterrupted

    interrupted = TimeGAN(TINY)
    interrupted.fit(
        data, steps=steps, progress=False, callbacks=[Checkpoint(tmp_path / "ckpt", every=2), StopAt("joint", 2)]
    )
    assert interrupted.steps_done == {"embedding": 3, "supervised": 3, "joint": 2}

    resumed = TimeGAN.load(tmp_path / "ckpt")
    assert resumed.steps_done == {"embedding": 3, "supervised": 3, "joint": 2}
    # The checkpoint holds the whole training state, bit for bit.
    np.testing.assert_array_equal(flat_weights(resumed), flat_weights(interrupted))
    np.testing.assert_array_equal(training_state(resumed), training_state(interrupted))

    resumed.fit(data, steps=steps, progress=False)
    history = resumed.losses()
    assert history[history.phase == "joint"]["step"].tolist() == [1, 2, 3]
    # Continuing must give the uninterrupted run's weights. Two identical runs are not always
    # bit-identical (float32 rounding varies from call to call, even on one thread), and Adam
    # turns a gradient made of rounding noise into a full step, so a few weights (1 of 627 in
    # the worst run seen, on 8-step windows) can move by 1e-4. A lost, repeated or optimizer-reset step moves
    # almost all of them (> 99%), restarted noise 16%, restarted batches 54% (48% on 4-step windows).
    assert fraction_moved(full, interrupted) > 0.9  # one step fewer: the measure sees it
    assert fraction_moved(full, resumed) < 0.05
    # The moment loss differs by up to 2e-4 (relative) between two identical runs under load.
    pd.testing.assert_frame_equal(history, full.losses(), rtol=2e-3)


def test_fit_bad_input():
    model = TimeGAN(TINY)
    with pytest.raises(ValueError, match="Received: batch_size=8"):
        model.fit(sine_series(n=5), steps=1, progress=False)
    with pytest.raises(ValueError, match=r"Expected windows of seq_len=4 steps. Received: shape=\(64, 9, 2\)"):
        model.fit(sine_series(seq_len=9), steps=1, progress=False)
    with pytest.raises(ValueError, match="Received: steps=-1"):
        model.fit(sine_series(), steps=-1, progress=False)
    with pytest.raises(ValueError, match="NaN or inf"):
        model.fit(np.full((64, 4, 2), np.nan), steps=1, progress=False)
    with pytest.raises(ValueError, match="has not been fitted"):
        model.generate(3)


def test_cannot_go_back_to_an_earlier_phase(trained):
    with pytest.raises(
        ValueError, match=r"Cannot train more supervised steps \(3 -> 5\): the joint phase has already started"
    ):
        trained[0].fit(sine_series(), steps=(3, 5, 3), progress=False)


def test_an_interrupted_save_leaves_the_previous_model_intact(trained, tmp_path, monkeypatch):
    import keras

    model, _ = trained
    path = tmp_path / "model"
    model.save(path)
    before = model.generate(4, seed=2)
    original = keras.Model.save

    def failing_save(self, target, *args, **kwargs):
        original(self, target, *args, **kwargs)
        raise OSError("disk full")  # after the archive, before the JSON files

    monkeypatch.setattr(keras.Model, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary left behind
    np.testing.assert_array_equal(TimeGAN.load(path).generate(4, seed=2), before)


def test_trained_supervisor_predicts_the_next_latent_step():
    model = TimeGAN(dataclasses.replace(LOOP, learning_rate=0.01, hidden_dim=6, seq_len=8))
    model.fit(sine_series(n=128, seq_len=8), steps=(100, 300, 0), progress=False)
    x = model.scaler.transform(sine_series(n=128, seq_len=8, seed=1)).astype("float32")
    h = model.networks["embedder"](x).numpy()
    s = model.networks["supervisor"](h).numpy()
    to_next = np.mean((s[:, :-1] - h[:, 1:]) ** 2)
    to_same = np.mean((s[:, :-1] - h[:, :-1]) ** 2)
    assert to_next < 0.5 * to_same  # it learned H[t + 1], not a copy of H[t]


@pytest.fixture(scope="module")
def looped():
    """LOOP trained as the shared model was (3 steps per phase on `sine_series()`), with its
    progress bars on: the model and what the bars wrote on stderr. Only read by the tests."""
    model, err = TimeGAN(LOOP), io.StringIO()
    with contextlib.redirect_stderr(err):  # tqdm takes sys.stderr when a bar opens
        model.fit(sine_series(), steps=3, progress=True)
    return model, err.getvalue()


def test_unrolled_training_computes_what_the_loop_computes(trained, looped):
    # The shared model is the unrolled run (TINY on a CPU); `looped` the loop run.
    unrolled, _ = trained
    looped, _ = looped
    assert [layer.unroll for layer in unrolled.networks["generator"].layers[:-1]] == [True]
    assert [layer.unroll for layer in looped.networks["generator"].layers[:-1]] == [False]
    pd.testing.assert_frame_equal(unrolled.losses(), looped.losses(), rtol=2e-3)  # float32 noise of the moment loss
    for name in NETWORK_NAMES:
        for a, b in zip(unrolled.networks[name].get_weights(), looped.networks[name].get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)  # float32 noise, far below one step
    np.testing.assert_allclose(
        unrolled.generate(3, seed=1, seq_len=30), looped.generate(3, seed=1, seq_len=30), rtol=1e-4
    )


def test_progress_bars_show_each_phase_its_compile_wait_and_losses(looped):
    _, err = looped
    for phase in ("embedding", "supervised", "joint"):
        assert re.search(rf"{phase}: 100%.*3/3", err), err
    assert err.count("compiling the first step") >= 3
    assert "recon=" in err and "discriminator=" in err
