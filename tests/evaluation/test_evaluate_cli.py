"""`scripts/evaluate.py` end to end on a real (tiny) run and on files, and every bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evaluation.cli import main

ROOT = Path(__file__).resolve().parents[2]
FAST = [
    "--quiet",
    "--discriminative-iterations",
    "5",
    "--predictive-iterations",
    "5",
    "--no-tsne",
    "--no-all-features",
    "--max-samples",
    "30",
]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A complete run directory of an untrained tiny model: the report does not need training."""
    from timegan import TimeGANConfig, load_prices, train_run

    out = tmp_path_factory.mktemp("runs") / "run"
    prices = load_prices(["BA", "CAT"], start="2019-01-01", end="2019-03-31", source="bundled")
    config = TimeGANConfig(seq_len=8, hidden_dim=4, num_layers=1, batch_size=16)
    train_run(out, prices=prices, config=config, steps=0, progress=False)
    return out


def test_report_of_a_run(tiny_run, capsys):
    from timegan import load_run

    assert main(["--run", str(tiny_run), *FAST]) == 0
    out = capsys.readouterr().out
    assert "Discriminative score" in out and f"Report: {tiny_run}/report.html" in out
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    run = load_run(tiny_run)  # the run itself is still whole
    assert metrics["data"]["n_real"] == len(run.real_windows) and metrics["data"]["n_synthetic"] == len(run.synthetic)
    assert metrics["data"]["feature_names"] == ["BA Adj Close", "CAT Adj Close"]
    assert metrics["data"]["info"]["tickers"] == ["BA", "CAT"]
    assert metrics["stylized_facts"]["features"] == ["BA Adj Close", "CAT Adj Close"]
    # Long paths: the whole price history against paths the model generates as long.
    long = metrics["stylized_facts_long"]
    assert long["real_shape"] == [1, len(run.prices), 2] and long["synthetic_shape"] == [100, len(run.prices), 2]
    # The same long paths against as many paths of each baseline, the verdict printed first.
    finance = metrics["finance"]
    assert (finance["settings"]["n_paths"], finance["settings"]["path_len"]) == (100, len(run.prices))
    assert out.startswith(finance["verdict"])
    assert (tiny_run / "report.html").stat().st_size > 10000 and (tiny_run / "loss_curve.png").exists()
    page = (tiny_run / "report.html").read_text()
    assert "Training losses" not in page  # the untrained run has no loss history to show
    assert "Stylized facts of long paths" in page and "2019-01-02" in page  # the run's dates


def test_a_run_scored_on_windows_of_another_length(tiny_run, tmp_path):
    """`--seq-len` with `--run`: the prices cut at that length, the model generating as many windows."""
    from timegan import load_run

    out = tmp_path / "report12"
    assert main(["--run", str(tiny_run), "--seq-len", "12", "--output", str(out), *FAST]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    run = load_run(tiny_run)
    assert run.model.config.seq_len == 8
    data = metrics["data"]
    assert data["seq_len"] == 12 and data["n_real"] == data["n_synthetic"] == len(run.prices) - 11
    assert data["info"]["windows_length"].startswith("12 steps, generated for this report (the run trained on 8)")


@pytest.mark.parametrize("paper_len, expected", [(6, 6), (24, 8)])
def test_the_window_scores_use_the_papers_length_unless_the_run_is_shorter(
    tiny_run, tmp_path, monkeypatch, paper_len, expected
):
    """A run trained on windows longer than the paper's is scored on the paper's (here made 6
    steps so that the tiny run trained on 8 is "longer"); a shorter run on its own windows."""
    import evaluation.report
    from timegan import load_run

    calls = []

    def fake_evaluate_arrays(real, synthetic, output_dir, **options):
        calls.append((real.shape, synthetic.shape, options["info"]))

    monkeypatch.setattr(evaluation.report, "PAPER_WINDOW_LEN", paper_len)
    monkeypatch.setattr(evaluation.report, "evaluate_arrays", fake_evaluate_arrays)
    evaluation.report.evaluate_run(tiny_run, output_dir=tmp_path, long_path_len=0)
    ((real, synthetic, info),) = calls
    assert real == synthetic == (len(load_run(tiny_run).prices) - expected + 1, expected, 2)
    assert ("windows_length" in info) == (expected != 8)  # said when not the run's own length


def test_synthetic_csv_is_read_only_when_its_windows_are_scored(tiny_run, tmp_path, monkeypatch):
    """A run scored on windows of another length than its own generates them: its synthetic.csv
    (tens of megabytes for a large run) is then not read; at its own length it is, checked cell by cell."""
    import evaluation.report
    from timegan import load_run

    calls = []
    monkeypatch.setattr(evaluation.report, "evaluate_arrays", lambda real, synthetic, *a, **o: calls.append(synthetic))
    damaged = tmp_path / "run"
    shutil.copytree(tiny_run, damaged, ignore=shutil.ignore_patterns("report.html", "metrics.json"))
    lines = (damaged / "synthetic.csv").read_text().splitlines()
    lines[2] = ",".join(lines[2].split(",")[:-1] + ["zzz"])
    (damaged / "synthetic.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(evaluation.report, "PAPER_WINDOW_LEN", 6)
    evaluation.report.evaluate_run(damaged, output_dir=tmp_path / "a", long_path_len=0)  # generates 6-step windows
    assert calls[-1].shape[1] == 6
    with pytest.raises(ValueError, match=r"column 'value' of .*synthetic.csv'. Received: 'zzz' on line 3"):
        evaluation.report.evaluate_run(damaged, output_dir=tmp_path / "b", long_path_len=0, window_len=8)
    evaluation.report.evaluate_run(tiny_run, output_dir=tmp_path / "c", long_path_len=0, window_len=8)
    run = load_run(tiny_run)
    synthetic = run.synthetic
    if run.model.config.representation == "returns":  # the report divides each window by its first price
        synthetic = synthetic / synthetic[:, :1]
    np.testing.assert_allclose(calls[-1], synthetic)


def test_two_files_reach_the_report(tiny_run, tmp_path, monkeypatch, capsys):
    """--real/--synthetic: the files are read and passed on (the report itself is tested in test_report)."""
    import evaluation.report
    from timegan import load_run

    calls = []

    def fake_evaluate_arrays(real, synthetic, output_dir, feature_names=None, **options):
        calls.append((real, synthetic, output_dir, feature_names, options))
        return {"discriminative": {"score": 0.25}, "files": ["report.html", "metrics.json", "roc.png"]}

    monkeypatch.setattr(evaluation.report, "evaluate_arrays", fake_evaluate_arrays)
    run = load_run(tiny_run)
    np.save(tmp_path / "real.npy", run.real_windows)
    out = str(tmp_path / "report")
    assert (
        main(
            [
                "--real",
                str(tmp_path / "real.npy"),
                "--synthetic",
                str(tiny_run / "synthetic.csv"),
                "--output",
                out,
                "--seed",
                "3",
                "--repeats",
                "2",
                "--no-tsne",
                "--quiet",
            ]
        )
        == 0
    )
    ((real, synthetic, output_dir, names, options),) = calls
    np.testing.assert_array_equal(real, run.real_windows)
    np.testing.assert_allclose(synthetic, run.synthetic, rtol=1e-5)  # synthetic.csv keeps 6 digits
    # Feature names come from the tidy synthetic.csv when the .npy file has none.
    assert output_dir == out and names == [("BA", "Adj Close"), ("CAT", "Adj Close")]
    assert options == {
        "seed": 3,
        "repeats": 2,
        "split": "blocked",
        "diversity": "flatten",
        "discriminative_iterations": 2000,
        "discriminative_cell": "lstm",
        "predictive_iterations": 5000,
        "predictive_cell": "gru",
        "max_samples": 1000,
        "tsne": False,
        "baselines": True,
        "all_features": True,
        "progress": False,
    }
    assert "Discriminative score 0.2500" in capsys.readouterr().out
    # A series file (here a CSV of prices) is cut into windows as long as the other file's.
    run.prices.droplevel(0, axis=1).set_axis(["BA", "CAT"], axis=1).to_csv(tmp_path / "prices.csv")
    assert (
        main(
            [
                "--real",
                str(tmp_path / "prices.csv"),
                "--synthetic",
                str(tiny_run / "synthetic.csv"),
                "--output",
                out,
                "--quiet",
            ]
        )
        == 0
    )
    np.testing.assert_array_equal(calls[-1][0], run.real_windows)


def bad_inputs(tmp_path, tiny_run):
    np.save(tmp_path / "two.npy", np.ones((10, 8, 2)))
    np.save(tmp_path / "three.npy", np.ones((10, 8, 3)))
    (tmp_path / "x.txt").write_text("1")
    two, three = str(tmp_path / "two.npy"), str(tmp_path / "three.npy")
    out = str(tmp_path / "out")

    def write(name, text):
        path = tmp_path / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
        return str(path)

    def run_copy(name, change):
        """A copy of the tiny run with one file changed by `change(path)`."""
        path = tmp_path / name
        shutil.copytree(tiny_run, path, ignore=shutil.ignore_patterns("report.html", "metrics.json"))
        change(path)
        return str(path)

    def replace_line(path, number, text):
        lines = path.read_text().splitlines()
        lines[number - 1] = text
        path.write_text("\n".join(lines) + "\n")

    series = "Date,Close,Volume\n" + "".join(f"2020-01-{d:02d},{10 + d},{1000 + d}\n" for d in range(1, 21))
    abc = write("abc.csv", series.replace("2020-01-03,13,1003", "2020-01-03,abc,1003"))
    nan_series = write("nan_series.csv", series.replace("2020-01-05,15,", "2020-01-05,NaN,"))
    bad_date = write("bad_date.csv", series.replace("2020-01-04,", "yesterday,"))
    synthetic_lines = (tiny_run / "synthetic.csv").read_text().splitlines()
    tidy_header, first = synthetic_lines[0], synthetic_lines[1].split(",")

    def tidy(value):
        return write(
            f"tidy_{value or 'empty'}.csv",
            "\n".join([tidy_header, ",".join(first[:-1] + [value]), *synthetic_lines[2:]]) + "\n",
        )

    missing_step = write("missing_step.csv", "\n".join([tidy_header, *synthetic_lines[2:]]) + "\n")
    nan_npy = tmp_path / "nan.npy"
    array = np.ones((10, 8, 2))
    array[3, 4, 1] = np.nan
    np.save(nan_npy, array)
    not_a_run = tmp_path / "not_a_run"
    not_a_run.mkdir()
    (not_a_run / "notes.txt").write_text("mine")
    return [
        ([], "Expected --run DIR, or both --real PATH and --synthetic PATH."),
        (
            ["--run", str(tiny_run), "--seq-len", "2", "--output", out],
            "Expected --seq-len to be an integer >= 3. Received: 2",
        ),
        (
            ["--run", str(tiny_run), "--seq-len", "5000", "--output", out],
            "at most the run's 61 days of prices. Received: 5000",
        ),
        (["--run", str(tmp_path / "missing")], "No run directory at"),
        (["--run", str(tmp_path), "--real", two], "Expected either --run or --real/--synthetic, not both."),
        (["--real", two], "Expected --run DIR, or both --real PATH and --synthetic PATH."),
        (["--real", two, "--synthetic", two], "Expected --output DIR with --real/--synthetic."),
        (["--real", str(tmp_path / "none.npy"), "--synthetic", two, "--output", out], "No such file"),
        (["--real", two, "--synthetic", three, "--output", out], "same (seq_len, n_features)"),
        (["--real", str(tmp_path / "x.txt"), "--synthetic", two, "--output", out], "Expected a .npy or .csv file"),
        (
            ["--real", two, "--synthetic", two, "--output", out, "--repeats", "0"],
            "expected a positive integer, received '0'",
        ),
        (
            ["--real", two, "--synthetic", two, "--output", out, "--seed", "-1"],
            "argument --seed: expected an integer seed from 0 to 2**32 - 1",
        ),
        (["--real", two, "--synthetic", two, "--output", out, "--discriminative-cell", "rnn"], "invalid choice: 'rnn'"),
        (["--real", two, "--synthetic", two, "--output", out, "--split", "kfold"], "invalid choice: 'kfold'"),
        # Files are read as they are or refused, naming file, column, line and value.
        (
            ["--real", abc, "--synthetic", two, "--output", out],
            f"--real: Expected a finite number in every cell of column 'Close' of '{abc}'. Received: 'abc' on line 4",
        ),
        (
            ["--real", two, "--synthetic", abc, "--output", out],
            f"--synthetic: Expected a finite number in every cell of column 'Close' of '{abc}'. Received: 'abc' on line 4",
        ),
        (
            ["--real", nan_series, "--synthetic", two, "--output", out],
            "column 'Close' of '" + nan_series + "'. Received: 'NaN' on line 6",
        ),
        (
            ["--real", bad_date, "--synthetic", two, "--output", out],
            "column 'Date' of '" + bad_date + "'. Received: 'yesterday' on line 5",
        ),
        (
            ["--real", two, "--synthetic", tidy("abc"), "--output", out],
            "column 'value' of '" + str(tmp_path / "tidy_abc.csv") + "'. Received: 'abc' on line 2",
        ),
        (
            ["--real", two, "--synthetic", tidy(""), "--output", out],
            "column 'value' of '" + str(tmp_path / "tidy_empty.csv") + "'. Received: an empty cell on line 2",
        ),
        (["--real", two, "--synthetic", tidy("nan"), "--output", out], "Received: 'nan' on line 2"),
        (["--real", two, "--synthetic", missing_step, "--output", out], "Received: sample 0 with"),
        (
            ["--real", str(nan_npy), "--synthetic", two, "--output", out],
            "Expected finite numbers in '" + str(nan_npy) + "'. Received: nan at index (3, 4, 1)",
        ),
        (
            ["--real", write("empty.csv", ""), "--synthetic", two, "--output", out],
            "empty.csv' to be a CSV table with a header and data rows. Received: an empty file",
        ),
        (
            ["--real", write("binary.csv", bytes(range(256)) * 4), "--synthetic", two, "--output", out],
            "binary.csv' to be a CSV table (UTF-8 text). Received: binary data",
        ),
        (
            ["--real", write("header.csv", "Date,Close,Volume\n"), "--synthetic", two, "--output", out],
            "header.csv' to have data rows below its header. Received: the header ['Date', 'Close', 'Volume'] only",
        ),
        # --run: a directory that is not a run is called so; --resume is suggested for unfinished runs only.
        (
            ["--run", str(not_a_run)],
            "Expected a run directory written by scripts/train.py (run.json, prices.csv, model/). Received: '"
            + str(not_a_run)
            + "', which holds no run.json",
        ),
        (
            ["--run", run_copy("unfinished", lambda p: shutil.rmtree(p / "model"))],
            "is unfinished (no model/ yet); finish it with `scripts/train.py --resume",
        ),
        (
            ["--run", run_copy("garbage_prices", lambda p: replace_line(p / "prices.csv", 5, "2019-01-04,12.5,zzz"))],
            "column 'CAT Adj Close' of '"
            + str(tmp_path / "garbage_prices" / "prices.csv")
            + "'. Received: 'zzz' on line 5",
        ),
        (
            ["--run", run_copy("text_prices", lambda p: (p / "prices.csv").write_text("just some words\n"))],
            "prices.csv' as a CSV table",
        ),
        (
            [
                "--run",
                run_copy(
                    "nan_synthetic", lambda p: replace_line(p / "synthetic.csv", 3, ",".join(first[:-1] + ["nan"]))
                ),
            ],
            "column 'value' of '" + str(tmp_path / "nan_synthetic" / "synthetic.csv") + "'. Received: 'nan' on line 3",
        ),
    ]


def test_bad_inputs_give_one_line_and_exit_2(tmp_path, tiny_run, capsys):
    for argv, message in bad_inputs(tmp_path, tiny_run):
        try:
            code = main(argv)
        except SystemExit as exit:  # argparse's own errors
            code = exit.code
        err = capsys.readouterr().err
        assert code == 2, argv
        assert err.startswith("timegan-evaluate: error: ") and err.count("\n") == 1, err
        assert message in err, (argv, err)
        assert "Traceback" not in err
        if "--run" in argv and "unfinished" not in err:
            assert "--resume" not in err, err
        assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob("*/report.html")) and not list(tmp_path.glob("*/metrics.json"))


def test_script_wrapper():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate.py"), "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "--synthetic" in result.stdout
