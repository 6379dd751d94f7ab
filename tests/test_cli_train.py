"""`scripts/train.py` end to end on the bundled data, resume, and every bad input."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from timegan.cli.train import main
from timegan.config import TimeGANConfig
from timegan.run import load_run

ROOT = Path(__file__).resolve().parents[1]
# The levels representation: these tests check levels properties (synthetic prices inside the real range);
# tests/test_cli_returns.py covers returns runs.
TINY = [
    "--representation",
    "levels",
    "--seq-len",
    "4",
    "--hidden-dim",
    "4",
    "--num-layers",
    "1",
    "--batch-size",
    "16",
    "--quiet",
]
DATA = ["--tickers", "BA", "CAT", "--start", "2019-01-01", "--end", "2019-06-30", "--source", "bundled"]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    logs = out.parent / "tensorboard"
    assert (
        main(
            [*DATA, *TINY, "--steps", "2", "--checkpoint-every", "1", "--output-dir", str(out), "--log-dir", str(logs)]
        )
        == 0
    )
    return out


def test_run_directory_is_complete_and_in_price_units(finished_run):
    names = {p.name for p in finished_run.iterdir()}
    assert {
        "run.json",
        "prices.csv",
        "model",
        "checkpoint",
        "synthetic.csv",
        "losses.csv",
        "loss_curve.png",
        "paths_BA.png",
        "paths_CAT.png",
    } <= names
    assert not [n for n in names if n.endswith(".tmp")]
    run = load_run(finished_run)
    real = run.real_windows
    assert real.shape == (len(run.prices) - 3, 4, 2)
    assert run.synthetic.shape == real.shape  # as many synthetic windows as real ones
    low, high = run.prices.min().to_numpy(), run.prices.max().to_numpy()
    assert (run.synthetic.min(axis=(0, 1)) >= low - 1e-3).all() and (
        run.synthetic.max(axis=(0, 1)) <= high + 1e-3
    ).all()
    assert run.synthetic.mean() > 50  # prices (BA ~ 350, CAT ~ 130 in 2019), not the [0, 1] scale
    assert run.feature_names == [("BA", "Adj Close"), ("CAT", "Adj Close")]
    assert run.model.steps_done == {"embedding": 2, "supervised": 2, "joint": 2}
    losses = pd.read_csv(finished_run / "losses.csv")
    assert losses.groupby("phase").size().to_dict() == {"embedding": 2, "joint": 2, "supervised": 2}
    import tensorflow as tf

    events = list((finished_run.parent / "tensorboard").glob("events.out.tfevents.*"))
    tags = {
        (value.tag, event.step)
        for path in events
        for event in tf.compat.v1.train.summary_iterator(str(path))
        for value in event.summary.value
    }
    assert {("embedding/recon", 1), ("embedding/recon", 2), ("joint/discriminator", 2)} <= tags
    info = json.loads((finished_run / "run.json").read_text())
    assert info["tickers"] == ["BA", "CAT"] and info["sources"] == {"BA": "bundled", "CAT": "bundled"}


def test_existing_run_is_refused_then_resumed_with_more_steps(finished_run, capsys):
    before = (finished_run / "run.json").stat().st_mtime_ns
    assert main([*DATA, *TINY, "--steps", "2", "--output-dir", str(finished_run)]) == 2
    err = capsys.readouterr().err
    assert "already holds a run; pass --overwrite" in err and err.count("\n") == 1
    assert (finished_run / "run.json").stat().st_mtime_ns == before

    assert main(["--resume", "--steps", "2", "2", "4", "--quiet", "--output-dir", str(finished_run)]) == 0
    # The steps training did (the last model's), whichever model generation uses.
    assert "Trained 2 embedding, 2 supervised and 4 joint steps in " in capsys.readouterr().out
    run = load_run(finished_run, model="last")
    assert run.model.steps_done == {"embedding": 2, "supervised": 2, "joint": 4}
    assert run.losses.query("phase == 'joint'")["step"].tolist() == [1, 2, 3, 4]


def test_resume_of_a_run_killed_before_its_first_checkpoint_starts_from_step_0(tmp_path, monkeypatch, capsys):
    """run.json and prices.csv are all a run killed early holds: --resume trains it from step 0 with its config."""
    from timegan.model import TimeGAN

    def killed(self, *args, **kwargs):
        raise KeyboardInterrupt

    out = tmp_path / "early"
    with monkeypatch.context() as patch:
        patch.setattr(TimeGAN, "fit", killed)
        assert main([*DATA, *TINY, "--steps", "1", "--output-dir", str(out)]) == 130
    assert sorted(p.name for p in out.iterdir()) == [".lock", "prices.csv", "run.json"]
    assert main([*DATA, *TINY, "--steps", "1", "--output-dir", str(out)]) == 2  # a run: refused without --resume
    assert "already holds a run; pass --overwrite to replace it or --resume" in capsys.readouterr().err
    assert main(["--resume", "--quiet", "--output-dir", str(out)]) == 0
    run = load_run(out)
    assert run.model.steps_done == {"embedding": 1, "supervised": 1, "joint": 1}
    assert run.model.config.hidden_dim == 4 and run.model.config.seq_len == 4
    assert run.losses["step"].tolist() == [1, 1, 1]


def test_steps_done_of_a_saved_model_or_one_line_naming_the_file(finished_run, tmp_path):
    from timegan.run import read_steps_done

    assert set(read_steps_done(finished_run / "model")) == {"embedding", "supervised", "joint"}
    (tmp_path / "training.json").write_text('{"steps_done": {"embedding": 1}}')
    with pytest.raises(ValueError, match=r"Cannot read the steps done from '.*training.json'"):
        read_steps_done(tmp_path)
    with pytest.raises(ValueError, match=r"Cannot read the steps done from '.*missing.*training.json'"):
        read_steps_done(tmp_path / "missing")


def test_load_run_refuses_an_unfinished_run(tmp_path):
    (tmp_path / "half").mkdir()
    info = {"config": TimeGANConfig().to_dict(), "steps": 2}
    (tmp_path / "half" / "run.json").write_text(json.dumps(info))
    with pytest.raises(
        ValueError,
        match=r"is incomplete \(missing \['prices.csv', 'model'\]\): its training did not "
        r"finish; finish it with timegan-train --resume",
    ):
        load_run(tmp_path / "half")


def test_load_run_says_a_directory_that_is_not_a_run_is_not_one(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"is not a run directory \(it has no run.json\)") as error:
        load_run(tmp_path)
    assert "--resume" not in str(error.value)


def test_script_prints_one_line_without_traceback():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train.py"), "--seq-len", "1", "--source", "bundled"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "timegan-train: error: Expected `seq_len` to be an integer >= 2. Received: seq_len=1"
    ]


def test_synthetic_csv_is_tidy(finished_run):
    frame = pd.read_csv(finished_run / "synthetic.csv")
    assert list(frame.columns) == ["sample", "step", "ticker", "field", "value"]
    assert set(frame["ticker"]) == {"BA", "CAT"} and set(frame["step"]) == set(range(4))
    assert np.isfinite(frame["value"]).all()


def test_evaluate_flag_writes_the_report_of_the_run(finished_run, monkeypatch, capsys):
    import evaluation.report

    evaluated = []

    def fake_evaluate_run(run_dir):
        evaluated.append(Path(run_dir))
        return {"finance": {"verdict": "The synthetic paths beat GARCH(1,1)-t on 1 of 4 target scores."}}

    monkeypatch.setattr(evaluation.report, "evaluate_run", fake_evaluate_run)
    assert main(["--resume", "--quiet", "--evaluate", "--output-dir", str(finished_run)]) == 0
    assert evaluated == [finished_run]
    out = capsys.readouterr().out
    assert "report.html" in out and "beat GARCH(1,1)-t on 1 of 4" in out  # the verdict is printed
