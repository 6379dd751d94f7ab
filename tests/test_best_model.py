"""Keeping the best model of the joint phase (`BestModel`, held-out data, runs, generation) and
resuming with `keras.callbacks.BackupAndRestore` across the three phases."""

import contextlib
import json

import keras
import numpy as np
import pandas as pd
import pytest
from _series import sine_series
from test_model import fraction_moved

from timegan import BestModel, TimeGAN, TimeGANConfig
from timegan.callbacks import read_selection, stylized_score, validation_score
from timegan.preprocessing import holdout_split, make_windows

TINY = TimeGANConfig(seq_len=4, hidden_dim=4, num_layers=1, batch_size=8, seed=0)


def sines(n=64, seq_len=8, dim=2, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(seq_len)[None, :, None]
    return 5 + 5 * np.sin(rng.uniform(0.2, 0.6, (n, 1, dim)) * t + rng.uniform(0, np.pi, (n, 1, dim)))


def prices(n=160, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-01-04", periods=n)
    values = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (n, 2)), axis=0)) * [1, 2]
    columns = pd.MultiIndex.from_tuples([("AAA", "Adj Close"), ("BBB", "Adj Close")], names=["ticker", "field"])
    return pd.DataFrame(values, index=pd.DatetimeIndex(dates, name="Date"), columns=columns)


# ---------------------------------------------------------------- held-out split


def test_holdout_split_keeps_the_last_rows_apart_by_the_gap():
    data = np.arange(100)[:, None]
    train, held = holdout_split(data, 0.2, gap=8)
    assert held[:, 0].tolist() == list(range(80, 100))
    assert train[:, 0].tolist() == list(range(72))
    # No held-out window of 8 days shares a day with a training window.
    assert make_windows(held, 8)[:, :, 0].min() - make_windows(train, 8)[:, :, 0].max() == 9
    frame_train, frame_held = holdout_split(prices(50), 0.1, gap=5, min_rows=12)
    assert (len(frame_train), len(frame_held)) == (33, 12)
    assert frame_train.index[-1] < frame_held.index[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fraction": 0.0, "gap": 1}, "Expected `fraction` to be"),
        ({"fraction": 0.5, "gap": -1}, "Expected `gap` to be"),
        ({"fraction": 0.5, "gap": 60}, "Expected more than 110 rows to hold out the last 50"),
    ],
)
def test_holdout_split_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        holdout_split(np.zeros((100, 1)), **kwargs)


# ---------------------------------------------------------------- the score


def test_validation_score_is_near_zero_for_one_distribution_and_high_for_another():
    real, same = sines(200, seed=0), sines(200, seed=1)
    assert validation_score(real, same) < 0.1
    assert validation_score(real, same * 0.8 + 1) > 0.3  # the same mean, less spread
    assert validation_score(real, same[:, ::-1]) > 0.3  # time reversed
    assert validation_score(real, np.full_like(real, np.nan)) == np.inf
    with pytest.raises(ValueError, match="of the same window shape"):
        validation_score(real, real[:, :4])


def test_stylized_score_is_zero_on_itself_and_orders_known_processes():
    rng = np.random.default_rng(0)

    def clustered(n=400, steps=24, features=2):
        # Stochastic volatility: log sigma an AR(1), so |u| clusters; the same per-step spread as noise.
        log_sigma = np.zeros((n, steps + 50, features))
        for t in range(1, steps + 50):
            log_sigma[:, t] = 0.95 * log_sigma[:, t - 1] + 0.25 * rng.standard_normal((n, features))
        return (np.exp(log_sigma) * rng.standard_normal(log_sigma.shape))[:, 50:]

    real = clustered()
    assert stylized_score(real, real) == 0.0
    assert stylized_score(real, clustered()) < stylized_score(real, rng.standard_normal(real.shape))
    assert stylized_score(real, np.full_like(real, np.inf)) == np.inf
    with pytest.raises(ValueError, match="of the same window shape"):
        stylized_score(real, real[:, :4])
    with pytest.raises(ValueError, match="Expected finite held-out windows"):
        stylized_score(np.full_like(real, np.nan), real)


def test_select_metric_is_checked_and_recorded(tmp_path):
    from timegan.cli.train import main
    from timegan.run import load_run, read_run_info, train_run

    config = TimeGANConfig(seq_len=3, hidden_dim=4, num_layers=1, batch_size=4, seed=0)
    out = tmp_path / "levels"
    train_run(out, prices=prices(60), config=config, steps=(1, 1, 2), n_synthetic=4, progress=False, select_every=1)
    assert json.loads((out / "run.json").read_text())["validation"]["metric"] == "classifier"  # levels
    assert read_selection(out / "best")["metric"] == "validation_score"
    with pytest.raises(ValueError, match=r"Expected `select_metric` to be one of .*Received: select_metric='best'"):
        train_run(tmp_path / "bad", prices=prices(60), config=config, steps=1, select_metric="best")
    info = json.loads((out / "run.json").read_text())
    info["validation"]["metric"] = "accuracy"
    (out / "run.json").write_text(json.dumps(info))
    with pytest.raises(ValueError, match=r"expected `validation.metric` among \['classifier', 'stylized'\]"):
        read_run_info(out)
    with pytest.raises(ValueError, match="validation.metric"):
        load_run(out)
    with pytest.raises(SystemExit) as exit_info:
        main(["--select-metric", "accuracy"])
    assert exit_info.value.code == 2


# ---------------------------------------------------------------- the selection


@pytest.fixture
def good_and_bad(trained_timegan):
    """A model and, by construction, a worse one: the held-out windows are drawn from the first
    model itself (another seed); the second is the first with its output shifted."""
    _, path = trained_timegan
    model = TimeGAN.load(path)
    good = [w.copy() for w in model.get_weights()]
    model.recovery.layers[-1].bias.assign(model.recovery.layers[-1].bias + 1.5)
    bad = [w.copy() for w in model.get_weights()]
    model.set_weights(good)
    held_out = model.generate_scaled(200, seed=123)
    return model, good, bad, held_out


def evaluate_at(callback, model, step, weights):
    """What fit does at joint step `step` with `weights`: the callback sees the end of the step."""
    model.set_weights(weights)
    model.steps_counter.assign([3, 3, step])
    callback.on_train_batch_end(step - 1)


def start(callback, model, held_out, joint_steps=0):
    model.phase = "joint"
    model.steps_counter.assign([3, 3, joint_steps])
    model._validation.value = held_out  # what fit(validation_data=...) sets
    callback.set_model(model)
    callback.on_train_begin()


@pytest.mark.parametrize("order", [("good", "bad"), ("bad", "good")])
def test_the_better_of_two_known_models_is_kept_whichever_comes_first(good_and_bad, tmp_path, order):
    model, good, bad, held_out = good_and_bad
    weights = {"good": good, "bad": bad}
    callback = BestModel(tmp_path / "best", every=1)
    start(callback, model, held_out)
    evaluate_at(callback, model, 1, weights[order[0]])
    evaluate_at(callback, model, 2, weights[order[1]])
    good_step = 1 + order.index("good")
    scores = dict(callback.scores)
    assert scores[good_step] < 0.15 < 0.4 < scores[3 - good_step]
    record = read_selection(tmp_path / "best")
    assert (record["best_step"], record["best_score"]) == (good_step, scores[good_step])
    assert record["scores"] == [[1, scores[1]], [2, scores[2]]]
    kept = TimeGAN.load(tmp_path / "best")
    assert kept.steps_done["joint"] == good_step
    model.set_weights(good)
    np.testing.assert_allclose(kept.generate_scaled(16, seed=5), model.generate_scaled(16, seed=5), atol=1e-6)


def test_scores_are_taken_every_k_steps_even_when_callbacks_skip_steps(good_and_bad, tmp_path):
    model, good, _, held_out = good_and_bad
    callback = BestModel(tmp_path / "best", every=4)
    start(callback, model, held_out)
    for step in (2, 3, 5, 6, 8, 9, 13):  # called once per several steps (steps_per_execution)
        evaluate_at(callback, model, step, good)
    assert [step for step, _ in callback.scores] == [5, 8, 13]


def test_a_resumed_run_keeps_the_best_found_before_the_interruption(good_and_bad, tmp_path):
    model, good, bad, held_out = good_and_bad
    first = BestModel(tmp_path / "best", every=1)
    start(first, model, held_out)
    for step, weights in ((1, bad), (2, good), (3, bad), (4, bad)):
        evaluate_at(first, model, step, weights)
    best_before = read_selection(tmp_path / "best")

    # Resumed from a checkpoint at joint step 3: step 4 is trained (and scored) again.
    resumed = BestModel(tmp_path / "best", every=1)
    start(resumed, model, held_out, joint_steps=3)
    assert (resumed.best_step, resumed.best_score) == (2, best_before["best_score"])
    assert resumed.scores == best_before["scores"][:3]
    evaluate_at(resumed, model, 4, bad)
    record = read_selection(tmp_path / "best")
    assert record["best_step"] == 2 and [s for s, _ in record["scores"]] == [1, 2, 3, 4]
    assert TimeGAN.load(tmp_path / "best").steps_done["joint"] == 2


def test_best_model_needs_held_out_data_and_valid_settings(trained_timegan, tmp_path):
    model = TimeGAN.load(trained_timegan[1])
    callback = BestModel(tmp_path / "best")
    callback.set_model(model)
    with pytest.raises(ValueError, match="pass `validation_data=` to `TimeGAN.fit`"):
        callback.on_train_begin()
    with pytest.raises(ValueError, match="Expected `every` to be"):
        BestModel(tmp_path, every=0)


def test_fit_scores_held_out_windows_on_the_models_scale(tmp_path):
    train, held = holdout_split(prices(), 0.2, gap=8)
    model = TimeGAN(TINY)
    model.fit(
        train,
        steps=(1, 1, 3),
        progress=False,
        validation_data=held,
        callbacks=[BestModel(tmp_path / "best", every=2)],
    )
    np.testing.assert_allclose(
        model.validation_windows, model.scaler.transform(make_windows(held.to_numpy(), 4)), rtol=1e-6
    )
    assert [step for step, _ in read_selection(tmp_path / "best")["scores"]] == [2, 3]  # and at the phase end
    with pytest.raises(ValueError, match="Expected `validation_data` with the features of the training data"):
        model.fit(train, steps=(1, 1, 3), validation_data=held.iloc[:, :1], progress=False)


# ---------------------------------------------------------------- runs, generation, report


@pytest.fixture(scope="module")
def selected_run(tmp_path_factory):
    """A run of the command line on 2019's first half of BA and CAT: 4 joint steps, scored every 2."""
    import contextlib
    import io

    from timegan.cli.train import main

    out = tmp_path_factory.mktemp("runs") / "run"
    printed = io.StringIO()
    argv = [
        *["--tickers", "BA", "CAT", "--start", "2019-01-01", "--end", "2019-06-30", "--source", "bundled"],
        *["--seq-len", "5", "--hidden-dim", "4", "--num-layers", "1", "--batch-size", "4", "--quiet"],
        *["--steps", "1", "1", "4", "--select-every", "2", "--n-synthetic", "4", "--output-dir", str(out)],
    ]
    with contextlib.redirect_stdout(printed):
        assert main(argv) == 0
    return out, printed.getvalue()


def test_a_run_keeps_the_best_beside_the_last_and_says_which(selected_run):
    from evaluation.report import _model_description
    from timegan.run import load_run

    out, printed = selected_run
    info = json.loads((out / "run.json").read_text())
    # A returns run is selected by its stylized facts.
    assert info["validation"] == {"fraction": 0.1, "gap": 5, "every": 2, "metric": "stylized"}
    record = read_selection(out / "best")
    assert [step for step, _ in record["scores"]] == [2, 4]
    step, score = record["best_step"], record["best_score"]
    assert f"best/: the best model on the held-out days: joint step {step}, stylized_score {score:.4f}" in printed
    best, last = load_run(out), load_run(out, model="last")
    assert (best.which, last.which) == ("best", "last")
    assert best.model.steps_done["joint"] == step and last.model.steps_done["joint"] == 4
    # The model trained on the rows before the gap only; at least the last 15 rows (10 windows of
    # 6 prices, i.e. 5 returns) are held out.
    n_rows = len(best.prices)
    assert n_rows > 100 and best.model.data_info["rows"] == n_rows - max(-(-n_rows // 10), 15) - 5
    # synthetic.csv is the best model's; for the last, load_run leaves it to be generated anew.
    start = best.prices.to_numpy()[-1]  # returns paths start from the history's last day
    np.testing.assert_allclose(best.synthetic, best.model.generate(4, seed=0, start_price=start), rtol=1e-5)
    assert last.synthetic is None
    assert _model_description(best).startswith(f"best on the held-out days (best/): joint step {step}, ")
    assert _model_description(last) == f"last (model/); the best (best/) was joint step {step}"
    with pytest.raises(ValueError, match="Expected `model` to be one of"):
        load_run(out, model="first")


def test_generate_uses_the_best_model_unless_asked_for_the_last(selected_run, tmp_path, capsys):
    from timegan.cli.generate import chunk_seed, main
    from timegan.run import load_run

    selected_run = selected_run[0]
    step = read_selection(selected_run / "best")["best_step"]
    for choice, expected in (([], f"from the best model (joint step {step})"), (["--model", "last"], "the last model")):
        out = tmp_path / f"paths{len(choice)}.csv"
        argv = ["--run", str(selected_run), "--n-paths", "2", "--output", str(out), "--quiet", *choice]
        assert main(argv) == 0
        assert expected in capsys.readouterr().out
        run = load_run(selected_run, model=choice[-1] if choice else "best")
        values = pd.read_csv(out)["value"].to_numpy()
        generated = run.model.generate(32, seed=chunk_seed(0, 0), batch_size=32, start_price=run.prices.to_numpy()[-1])
        np.testing.assert_allclose(values, generated[:2].ravel(), rtol=1e-6)


def test_a_run_without_held_out_data_and_an_old_run_keep_the_last_only(tmp_path):
    from timegan.run import load_run, train_run

    config = TimeGANConfig(seq_len=3, hidden_dim=4, num_layers=1, batch_size=4, seed=0)
    out = tmp_path / "run"
    train_run(out, prices=prices(40), config=config, steps=1, n_synthetic=4, progress=False, validation_fraction=0)
    assert not (out / "best").exists()
    assert json.loads((out / "run.json").read_text())["validation"] is None
    run = load_run(out)
    assert run.which == "last" and run.selection is None and run.synthetic is not None
    # A run written before held-out data existed has no "validation" in run.json: resuming it
    # trains on all its rows, as it did.
    info = json.loads((out / "run.json").read_text())
    del info["validation"]
    (out / "run.json").write_text(json.dumps(info))
    train_run(out, steps=(1, 1, 2), resume=True, progress=False)
    assert not (out / "best").exists()
    assert load_run(out).model.data_info["rows"] == 40


def test_a_history_too_short_to_hold_out_is_refused_before_anything_is_written(tmp_path):
    from timegan.run import train_run

    config = TimeGANConfig(seq_len=5, hidden_dim=4, num_layers=1, batch_size=4, seed=0)
    with pytest.raises(ValueError, match="lower --validation-fraction or pass --validation-fraction 0"):
        train_run(tmp_path / "run", prices=prices(24), config=config, steps=1, progress=False)
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------- BackupAndRestore


class Kill(keras.callbacks.Callback):
    def __init__(self, phase, step):
        super().__init__()
        self.phase, self.step = phase, step

    def on_train_batch_end(self, batch, logs=None):
        if (self.model.phase, self.model.steps_done[self.model.phase]) == (self.phase, self.step):
            raise KeyboardInterrupt


class PhaseLog(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append((self.model.phase, self.model.steps_done[self.model.phase]))


def test_backup_and_restore_continues_a_killed_run_at_its_phase_and_step(trained_timegan, tmp_path):
    """Killed in the supervised phase, resumed and killed again in the joint phase, resumed to the
    end: each resume continues at its phase and step, and the end is the uninterrupted run's."""
    full, _ = trained_timegan  # trained on sine_series() for 3 steps per phase, uninterrupted
    backup = tmp_path / "backup"
    models, logs = [], []
    for kill in (Kill("supervised", 2), Kill("joint", 2), None):
        model, log = TimeGAN(TINY), PhaseLog()
        models.append(model)
        logs.append(log)
        callbacks = [keras.callbacks.BackupAndRestore(backup, save_freq=1), log, *([kill] if kill else [])]
        with pytest.raises(KeyboardInterrupt) if kill else contextlib.nullcontext():
            model.fit(sine_series(), steps=3, progress=False, callbacks=callbacks)
    assert logs[1].seen == [("supervised", 3), ("joint", 1), ("joint", 2)]
    assert logs[2].seen == [("joint", 3)]
    assert models[2].steps_done == {"embedding": 3, "supervised": 3, "joint": 3}
    for killed in models[:2]:
        assert fraction_moved(full, killed) > 0.5  # the measure sees the missing steps
    assert fraction_moved(full, models[2]) < 0.05  # the criterion of the checkpoint resume test
    assert not backup.exists()  # deleted once the last phase ended, as after Keras' own fit


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--validation-fraction", "1"], "expected a number in [0, 1), received '1'"),
        (["--validation-fraction", "nan"], "expected a number in [0, 1), received 'nan'"),
        (["--select-every", "0"], "expected a positive integer, received '0'"),
    ],
)
def test_bad_selection_options_are_one_line_exit_2(argv, message, capsys):
    from timegan.cli.train import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_generate_refuses_an_unknown_model(capsys):
    from timegan.cli.generate import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--run", "x", "--n-paths", "1", "--model", "first"])
    assert exit_info.value.code == 2
    assert "argument --model: invalid choice: 'first'" in capsys.readouterr().err
