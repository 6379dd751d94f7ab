"""`scripts/benchmark_finance.py`: the baseline rows end to end on bundled data, and bad input."""

import json

import pytest
from _scripts import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("benchmark_finance")


def test_baselines_floor_and_paper_rows_are_printed_and_written(script, tmp_path, capsys):
    output = tmp_path / "table.json"
    code = script.main(
        [
            "--tickers",
            "BA",
            "KO",
            "--source",
            "bundled",
            "--start",
            "2018-01-01",
            "--representations",
            "--n-paths",
            "3",
            "--path-length",
            "60",
            "--seeds",
            "2",
            "--max-lag",
            "10",
            "--block-size",
            "5",
            "--output",
            str(output),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    for row in ("GARCH-t", "GJR-t", "bootstrap", "Gaussian RW", "real floor", "Quant GANs (paper)", "GARCH (paper)"):
        assert row in printed
    assert "0.0039" in printed and "0.4636" in printed  # the paper's EMD(1) and GARCH leverage
    assert "L = 10." in printed
    written = json.loads(output.read_text())
    assert set(written["rows"]) == {"GARCH-t", "GJR-t", "bootstrap", "Gaussian RW", "real floor"}
    assert len(written["rows"]["GARCH-t"]["per_seed"]) == 2
    assert written["rows"]["GARCH-t"]["mean"]["emd_100"] is None  # paths of 59 returns have no 100-day return
    assert written["rows"]["GARCH-t"]["mean"]["correlation_returns"] > 0
    assert written["fitted"]["bootstrap_block_size"] == 5
    # The start-of-path transient: i.i.d. Gaussian steps have none (ratio about 1, 3 x 3 returns).
    assert "start |r|" in printed
    assert 0.3 < written["rows"]["Gaussian RW"]["mean"]["start_ratio_abs"] < 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tickers", "BA", "--source", "bundled", "--representations", "prices"], "--representations among"),
        (["--tickers", "BA", "--source", "bundled", "--burn-in", "-1"], "--burn-in >= 0"),
        (["--source", "bundled"], "Expected --tickers or --csv"),
        (["--tickers", "BA", "--source", "bundled", "--steps", "1", "2"], "--steps with 1 or 3 values"),
        (["--tickers", "ZZZZ", "--source", "bundled", "--representations"], "No bundled data"),
        (["--tickers", "BA", "--source", "bundled", "--path-length", "1", "--representations"], "--path-length >= 2"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(script, capsys, argv, message):
    assert script.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and err.startswith("benchmark_finance: error:")
