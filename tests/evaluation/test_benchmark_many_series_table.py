"""`scripts/benchmark_many_series_table.py`: which runs it makes and skips, the records it keeps,
the table it prints, and bad input (no training here: the run is faked)."""

import json

import pytest
from _scripts import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("benchmark_many_series_table")


def metrics(disc, corr):
    if corr is None:  # one series: no last-feature predictive score, no correlation matrix
        return {
            "discriminative": {"score": disc, "baseline": {"score": 0.05}},
            "predictive_all": {"mae": 0.03, "baseline_mae": 0.02},
            "data": {"info": {"config": {"hidden_dim": 24}, "selection": {"best_step": 1900}}},
        }
    return {
        "discriminative": {"score": disc, "baseline": {"score": 0.05}},
        "predictive_last": {"mae": 0.04, "baseline_mae": 0.036},
        "correlation": {
            "returns": {"distance": corr, "real_floor": 0.17},
            "abs": {"distance": 0.3, "real_floor": 0.13},
        },
        "data": {"info": {"config": {"hidden_dim": 24}, "selection": {"best_step": 1900}}},
    }


@pytest.fixture
def stocks(tmp_path):
    folder = tmp_path / "stocks"
    folder.mkdir()
    for ticker in ("BA", "CAT", "DIS"):
        (folder / f"{ticker}.csv").write_text("Date,Adj Close\n")
    return folder


def test_runs_each_count_and_seed_once_and_resumes(script, stocks, tmp_path, monkeypatch, capsys):
    calls = []

    def fake_call(name, arguments):
        calls.append((name, arguments))
        if name == "evaluate.py":
            run = tmp_path / "runs" / arguments[arguments.index("--run") + 1].split("/")[-1]
            seed = int(run.name.split("_s")[-1])
            run.mkdir(parents=True, exist_ok=True)
            one = run.name.split("_n")[1].startswith("1_")
            (run / "metrics.json").write_text(json.dumps(metrics(0.1 + 0.02 * seed, None if one else 0.5)))
        return 60.0

    monkeypatch.setattr(script, "_call", fake_call)
    output = tmp_path / "table.jsonl"
    argv = ["--csv", str(stocks), "--order", "BA", "CAT", "DIS", "--counts", "1", "3", "--seeds", "0", "1"]
    argv += ["--runs", str(tmp_path / "runs"), "--output", str(output), "--", "--hidden-dim", "24"]
    assert script.main(argv) == 0
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(r["n_tickers"], r["seed"]) for r in records] == [(1, 0), (1, 1), (3, 0), (3, 1)]
    assert records[2]["tickers"] == ["BA", "CAT", "DIS"] and records[0]["discriminative"] == 0.1
    assert (records[0]["predictive"], records[0]["correlation"], records[2]["predictive"]) == (0.03, None, 0.04)
    train = [arguments for name, arguments in calls if name == "train.py"]
    assert train[2][train[2].index("--csv") + 1 : train[2].index("--start")] == [
        str(stocks / f"{t}.csv") for t in ("BA", "CAT", "DIS")
    ]
    assert train[0][-4:-2] == ["--hidden-dim", "24"]  # the extra arguments reach train.py
    table = capsys.readouterr().out
    assert "| after | 3 | 0,1 | 24 | 1.0 | 0.110 ± 0.014 | 0.040 ± 0.000 | 0.500 ± 0.000 |" in table
    calls.clear()
    assert script.main(argv) == 0  # everything is on record: nothing runs again
    assert calls == []
    with open(output, "a") as file:  # a second process recorded a run again: counted once
        file.write(output.read_text().splitlines()[0] + "\n")
    assert len(script._done(output)) == 4 and "| after | 1 | 0,1 |" in script.summary(script._done(output))
    assert script.main([*argv[:-3], "--label", "before", "--counts", "1", "--seeds", "0"]) == 0
    assert [name for name, _ in calls] == ["train.py", "evaluate.py"]


def test_bad_input_is_one_line_and_exit_2(script, stocks, tmp_path, capsys):
    base = ["--csv", str(stocks), "--output", str(tmp_path / "t.jsonl")]
    assert script.main([*base, "--order", "BA", "XYZ", "--counts", "1"]) == 2
    assert "Missing: ['XYZ']" in capsys.readouterr().err
    assert script.main([*base, "--order", "BA", "CAT", "--counts", "3"]) == 2
    assert "Expected --counts <= 2" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        script.main([*base, "--counts", "0"])
    assert exit_info.value.code == 2
    # A line of --output that is not a record of the table (by hand, or cut short) is named, not a traceback.
    (tmp_path / "t.jsonl").write_text('{"label": "a", "n_tickers": 1, "seed": 0}\n{"label": "a"}\n')
    assert script.main([*base, "--summary"]) == 2
    assert 'Received at line 2: \'{"label": "a"}\'' in capsys.readouterr().err
    (tmp_path / "t.jsonl").write_text('{"label": "a", "n_tickers": 1, "seed": 0, "discriminative": 0.1}\n')
    assert script.main([*base, "--summary"]) == 0  # a record with scores only: its other cells are "-"
    assert "| a | 1 | 0 | - | - | 0.100 | - |" in capsys.readouterr().out


def test_a_failing_run_ends_the_benchmark_with_its_code_and_one_line(script, stocks, tmp_path, capsys):
    argv = ["--csv", str(stocks), "--order", "BA", "--counts", "1", "--seeds", "0"]
    argv += ["--runs", str(tmp_path / "runs"), "--output", str(tmp_path / "t.jsonl"), "--", "--seq-len", "1"]
    with pytest.raises(SystemExit) as exit_info:
        script.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "train.py exited with code 2" in err and "Traceback" not in err
    assert not (tmp_path / "t.jsonl").exists()
