"""`scripts/generate.py`: paths from a tiny trained run, seeds, bounded batches, atomic output, bad input."""

import shutil

import numpy as np
import pandas as pd
import pytest

from timegan.cli import generate as cli
from timegan.cli.generate import CHUNK, chunk_seed, main, write_paths


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    from timegan import TimeGANConfig
    from timegan.run import train_run

    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2021-01-04", periods=40)  # ends on Friday 2021-02-26
    values = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (40, 2)), axis=0)) * [1, 2]
    columns = pd.MultiIndex.from_tuples([("AAA", "Adj Close"), ("BBB", "Adj Close")], names=["ticker", "field"])
    prices = pd.DataFrame(values, index=pd.DatetimeIndex(dates, name="Date"), columns=columns)
    out = tmp_path_factory.mktemp("runs") / "run"
    config = TimeGANConfig(seq_len=5, hidden_dim=4, num_layers=1, batch_size=4, seed=0)
    # Untrained (steps=0): the command only reads the saved model, whatever its training.
    train_run(out, prices=prices, config=config, steps=0, n_synthetic=4, progress=False)
    return out


def read(path):
    return pd.read_csv(path, dtype={"ticker": str, "field": str})


def expected_paths(model, n, length, seed):
    chunks = [
        model.generate(CHUNK, seed=chunk_seed(seed, k), seq_len=length, batch_size=CHUNK) for k in range(-(-n // CHUNK))
    ]
    return np.concatenate(chunks)[:n]


def test_csv_has_tidy_columns_future_business_days_and_the_models_values(tiny_run, capsys):
    from timegan import load_run

    out = tiny_run.parent / "paths.csv"
    assert (
        main(
            [
                "--run",
                str(tiny_run),
                "--n-paths",
                "40",
                "--path-length",
                "7",
                "--seed",
                "3",
                "--batch-size",
                "32",
                "--output",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert "Wrote 40 paths x 7 business days (2021-03-01 .. 2021-03-09) x 2 series, seed 3" in capsys.readouterr().out
    frame = read(out)
    assert list(frame.columns) == ["sample", "step", "date", "ticker", "field", "value"]
    assert len(frame) == 40 * 7 * 2
    assert frame["sample"].unique().tolist() == list(range(40))
    first = frame[frame["sample"] == 0]
    assert first["step"].tolist() == [s for s in range(7) for _ in range(2)]
    # Step 0 is the first business day after the last real date (Fri 2021-02-26); weekends are skipped.
    assert first["date"].unique().tolist() == [
        "2021-03-01",
        "2021-03-02",
        "2021-03-03",
        "2021-03-04",
        "2021-03-05",
        "2021-03-08",
        "2021-03-09",
    ]
    assert first["ticker"].tolist()[:2] == ["AAA", "BBB"] and set(frame["field"]) == {"Adj Close"}
    model = load_run(tiny_run).model
    values = frame["value"].to_numpy().reshape(40, 7, 2)
    np.testing.assert_allclose(values, expected_paths(model, 40, 7, 3), rtol=1e-7)
    assert not [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_generate_does_not_read_the_runs_synthetic_csv(tiny_run, tmp_path):
    """The command generates its own paths: the run's synthetic.csv (large for a large run) is left unread."""
    from timegan import load_run

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "synthetic.csv").write_text("not,a,table\n")
    out = tmp_path / "paths.csv"
    assert main(["--run", str(run), "--n-paths", "3", "--output", str(out), "--quiet"]) == 0
    assert read(out)["sample"].nunique() == 3
    assert load_run(run, synthetic=False).synthetic is None
    with pytest.raises(ValueError, match="synthetic.csv' is unreadable"):
        load_run(run)


def test_same_seed_same_csv_whatever_the_batch_size_and_another_seed_differs(tiny_run):
    outputs = {}
    for batch, seed in ((32, 5), (64, 5), (256, 5), (32, 6)):
        out = tiny_run.parent / f"paths-{batch}-{seed}.csv"
        assert (
            main(
                [
                    "--run",
                    str(tiny_run),
                    "--n-paths",
                    "70",
                    "--seed",
                    str(seed),
                    "--batch-size",
                    str(batch),
                    "--output",
                    str(out),
                    "--quiet",
                ]
            )
            == 0
        )
        outputs[batch, seed] = out.read_bytes()
    assert outputs[32, 5] == outputs[64, 5] == outputs[256, 5]
    assert outputs[32, 6] != outputs[32, 5]
    frame = read(tiny_run.parent / "paths-32-5.csv")
    assert frame["step"].max() == 4  # default length: the run's seq_len


def test_default_output_in_the_run_and_no_silent_overwrite(tiny_run, capsys):
    target = tiny_run / "paths.csv"
    assert main(["--run", str(tiny_run), "--n-paths", "2", "--quiet"]) == 0
    before = target.read_bytes()
    capsys.readouterr()
    assert main(["--run", str(tiny_run), "--n-paths", "3", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists; pass --overwrite" in err
    assert target.read_bytes() == before
    assert main(["--run", str(tiny_run), "--n-paths", "3", "--overwrite", "--quiet"]) == 0
    assert read(target)["sample"].max() == 2


class FakeModel:
    """Records the size of each `generate` call; paths are seed + sample index + step / 100."""

    def __init__(self, bad_call=None, fail_call=None, error=RuntimeError):
        self.feature_names = [("AAA", "Close"), ("AAA", "Volume")]
        self.calls = []
        self.bad_call, self.fail_call, self.error = bad_call, fail_call, error

    def generate(self, n, seed=None, seq_len=None, batch_size=None):
        self.calls.append(n)
        if len(self.calls) == self.fail_call:
            raise self.error("disk full")
        paths = (
            np.full((n, seq_len, 2), float(seed))
            + np.arange(n)[:, None, None]
            + np.arange(seq_len)[None, :, None] / 100
        )
        if len(self.calls) == self.bad_call:
            paths[3, 2, 1] = np.nan
        return paths


DATES = pd.bdate_range("2024-01-01", periods=4)


def test_memory_stays_bounded_each_call_at_most_one_chunk_and_one_batch_in_memory(tmp_path, monkeypatch):
    model = FakeModel()
    held = []
    real_concatenate = np.concatenate
    monkeypatch.setattr(
        cli.np,
        "concatenate",
        lambda arrays, *a, **k: held.append(sum(len(x) for x in arrays)) or real_concatenate(arrays, *a, **k),
    )
    write_paths(model, tmp_path / "p.csv", 1000, 4, DATES, seed=1, batch_size=64, progress=False)
    assert model.calls == [CHUNK] * 32  # ceil(1000 / 32) calls of one chunk each, never more than 64 paths
    assert max(held) <= 64
    frame = read(tmp_path / "p.csv")
    assert len(frame) == 1000 * 4 * 2 and frame["sample"].iloc[-1] == 999


def test_non_finite_value_names_the_first_bad_path_and_writes_nothing(tmp_path, capsys, monkeypatch):
    model = FakeModel(bad_call=3)  # third chunk: paths 64..95, bad at its path 3
    with pytest.raises(ValueError, match=r"^Generated path 67 has a non-finite value \(nan\) at step 2 for AAA Volume"):
        write_paths(model, tmp_path / "p.csv", 100, 4, DATES, seed=1, batch_size=32, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failure_mid_write_leaves_neither_output_nor_temporary_file(tmp_path, error):
    model = FakeModel(fail_call=3, error=error)
    with pytest.raises(error):
        write_paths(model, tmp_path / "p.csv", 200, 4, DATES, seed=1, batch_size=32, progress=False)
    assert len(model.calls) == 3  # two batches were already written to the temporary file
    assert list(tmp_path.iterdir()) == []


def test_interrupt_exits_130_and_keeps_the_previous_output(tiny_run, tmp_path, monkeypatch, capsys):
    out = tmp_path / "p.csv"
    out.write_text("previous\n")
    monkeypatch.setattr(cli, "write_paths", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    assert main(["--run", str(tiny_run), "--n-paths", "2", "--output", str(out), "--overwrite", "--quiet"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert out.read_text() == "previous\n"


def bad_inputs(tmp_path, run):
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    shutil.copy(run / "run.json", unfinished / "run.json")
    (tmp_path / "folder.csv").mkdir()
    return [
        (["--n-paths", "0"], "Expected --n-paths to be an integer >= 1. Received: 0"),
        (["--n-paths", "5", "--path-length", "1"], "Expected --path-length to be an integer >= 2. Received: 1"),
        (["--n-paths", "5", "--seed", "-1"], "argument --seed: expected an integer seed from 0 to 2**32 - 1"),
        (["--n-paths", "5", "--batch-size", "50"], "Expected --batch-size to be a multiple of 32"),
        (["--n-paths", "5", "--batch-size", "0"], "argument --batch-size: expected a positive integer, received '0'"),
        (["--n-paths", "many"], "argument --n-paths: invalid int value: 'many'"),
        (["--n-paths", "5", "--run", str(tmp_path / "missing")], f"No run directory at '{tmp_path / 'missing'}'"),
        (["--n-paths", "5", "--run", str(tmp_path)], f"'{tmp_path}' is not a run directory (no run.json)"),
        (
            ["--n-paths", "5", "--run", str(unfinished)],
            f"Run '{unfinished}' is not finished (no model/); finish it with `train.py --output-dir {unfinished} --resume`",
        ),
        (
            ["--n-paths", "5", "--output", str(tmp_path / "nowhere" / "p.csv")],
            f"Expected --output in an existing folder. Received: '{tmp_path / 'nowhere' / 'p.csv'}'",
        ),
        (
            ["--n-paths", "5", "--output", str(tmp_path / "folder.csv")],
            f"Expected --output to be a file path. Received a directory: '{tmp_path / 'folder.csv'}'",
        ),
        (
            ["--n-paths", "100000000", "--path-length", "250", "--output", str(tmp_path / "big.csv")],
            "Expected an output of at most 10 GiB (the size limit). Received: --n-paths 100000000 x --path-length 250",
        ),
    ]


def exit_code(argv):
    """`main`'s exit code, also for usage errors, which argparse reports by raising SystemExit."""
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


def test_bad_inputs_are_one_line_exit_2_and_write_nothing(tiny_run, tmp_path, capsys):
    before = sorted(p.name for p in tiny_run.iterdir())
    for argv, message in bad_inputs(tmp_path, tiny_run):
        argv = argv if "--run" in argv else ["--run", str(tiny_run), *argv]
        assert exit_code([*argv, "--quiet"]) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, (argv, err)
        assert sorted(p.name for p in tiny_run.iterdir()) == before
    assert [p.name for p in tmp_path.rglob("*.csv*")] == ["folder.csv"]


def test_estimated_size_is_an_upper_bound_of_the_real_file(tmp_path):
    write_paths(FakeModel(), tmp_path / "p.csv", 70, 4, DATES, seed=123456, batch_size=32, progress=False)
    actual = (tmp_path / "p.csv").stat().st_size
    estimate = cli.estimated_bytes(70, 4, FakeModel().feature_names)
    assert actual <= estimate <= 2 * actual
