"""Returns runs from the command line: synthetic.csv and generate.py in price units from a start price."""

import numpy as np
import pandas as pd
import pytest

from timegan.cli import generate as generate_cli
from timegan.cli import train as train_cli


@pytest.fixture(scope="module")
def returns_run(tmp_path_factory):
    from timegan import TimeGANConfig
    from timegan.run import train_run

    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2021-01-04", periods=40, name="Date")
    values = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (40, 2)), axis=0)) * [1, 2]
    columns = pd.MultiIndex.from_tuples([("AAA", "Adj Close"), ("BBB", "Adj Close")], names=["ticker", "field"])
    prices = pd.DataFrame(values, index=dates, columns=columns)
    out = tmp_path_factory.mktemp("runs") / "run"
    config = TimeGANConfig(seq_len=5, hidden_dim=4, num_layers=1, batch_size=4, representation="returns")
    run = train_run(out, prices=prices, config=config, steps=1, n_synthetic=3, progress=False, start_price=[10.0, 20.0])
    return out, run


def exit_code(main, argv):
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


def test_synthetic_csv_is_in_price_units_from_the_given_start_price(returns_run):
    out, run = returns_run
    synthetic = pd.read_csv(out / "synthetic.csv")
    expected = run.model.generate(3, seed=run.model.config.seed, start_price=[10.0, 20.0])
    np.testing.assert_allclose(synthetic["value"].to_numpy(), expected.reshape(-1), rtol=1e-5)
    assert (out / "model" / "representation.json").is_file()


def test_generate_writes_long_paths_from_the_start_price(returns_run, tmp_path):
    out, run = returns_run
    argv = ["--run", str(out), "--n-paths", "2", "--path-length", "30", "--seed", "7", "--quiet"]
    assert exit_code(generate_cli.main, [*argv, "--output", str(tmp_path / "a.csv"), "--start-price", "1"]) == 0
    assert exit_code(generate_cli.main, [*argv, "--output", str(tmp_path / "b.csv"), "--start-price", "3", "6"]) == 0
    one = pd.read_csv(tmp_path / "a.csv")["value"].to_numpy().reshape(2, 30, 2)
    scaled = pd.read_csv(tmp_path / "b.csv")["value"].to_numpy().reshape(2, 30, 2)
    np.testing.assert_allclose(scaled, one * [3, 6], rtol=1e-7)
    expected = run.model.generate(2, seed=generate_cli.chunk_seed(7, 0), seq_len=30, batch_size=32, start_price=1.0)
    np.testing.assert_allclose(one, expected, rtol=1e-7)


def test_paths_start_from_the_last_real_day_of_the_run_not_of_its_training_part(returns_run, tmp_path):
    """The model is fitted on the days before the held-out ones; the default start is the history's last day."""
    from timegan.run import load_run

    out, _ = returns_run
    run = load_run(out)
    last_day = run.prices.to_numpy()[-1]
    assert not np.allclose(run.model.representation.last_prices, last_day)  # the held-out days came after
    argv = ["--run", str(out), "--n-paths", "2", "--path-length", "6", "--seed", "3", "--quiet"]
    assert exit_code(generate_cli.main, [*argv, "--output", str(tmp_path / "p.csv")]) == 0
    paths = pd.read_csv(tmp_path / "p.csv")["value"].to_numpy().reshape(2, 6, 2)
    expected = run.model.generate(2, seed=generate_cli.chunk_seed(3, 0), seq_len=6, batch_size=32, start_price=last_day)
    np.testing.assert_allclose(paths, expected, rtol=1e-7)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--start-price", "0"], "expected a positive finite number"),
        (["--start-price", "-5"], "expected a positive finite number"),
        (["--start-price", "1", "2", "3"], "Expected `start_price` to be a number or 2 numbers"),
        (["--path-length", "1"], "--path-length to be an integer >= 2"),
    ],
)
def test_generate_bad_inputs_are_one_line_exit_2(returns_run, tmp_path, capsys, argv, message):
    out, _ = returns_run
    code = exit_code(
        generate_cli.main, ["--run", str(out), "--n-paths", "2", "--output", str(tmp_path / "x.csv"), *argv]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "x.csv").exists()


def test_train_refuses_an_unknown_representation_and_a_levels_start_price(tmp_path, capsys):
    assert exit_code(train_cli.main, ["--representation", "prices", "--output-dir", str(tmp_path / "r")]) == 2
    assert "invalid choice: 'prices'" in capsys.readouterr().err
    argv = ["--representation", "levels", "--start-price", "5", "--source", "bundled", "--tickers", "BA"]
    assert exit_code(train_cli.main, [*argv, "--output-dir", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no `start_price` for representation='levels'" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], 48),
        (["--representation", "levels"], 24),
        (["--seq-len", "30"], 30),
        (["--representation", "levels", "--seq-len", "12"], 12),
    ],
)
def test_the_window_length_defaults_to_48_days_for_returns_and_the_papers_24_for_levels(argv, expected):
    assert train_cli._seq_len(train_cli.build_parser().parse_args(argv)) == expected
