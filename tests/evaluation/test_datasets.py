"""The benchmark data follow the TimeGAN reference: GOOG in time order, the paper's sines."""

import numpy as np
import pandas as pd
import pytest

from evaluation.benchmark import benchmark_windows
from evaluation.datasets import load_stocks_prices, normalized_windows, read_series_csv, sine_windows, stocks_windows


def test_stocks_are_in_time_order_and_normalised():
    prices = load_stocks_prices()
    assert prices.shape == (3685, 6)
    assert list(prices.columns) == ["Open", "High", "Low", "Close", "Adj_Close", "Volume"]
    # The file is most recent first; its last line is the oldest day.
    assert prices.iloc[-1]["Open"] == pytest.approx(49.676899)
    windows = stocks_windows()
    assert windows.shape == (3662, 24, 6)
    assert windows.min() == 0.0 and windows.max() == pytest.approx(1.0)
    # Window i covers days i .. i + 23: consecutive windows overlap by 23 days.
    np.testing.assert_array_equal(windows[1, :-1], windows[0, 1:])
    low, high = prices.min(), prices.max()
    np.testing.assert_allclose(windows[0, 0], ((prices.iloc[0] - low) / (high - low)).to_numpy())


def test_shuffled_windows_are_a_seeded_permutation():
    ordered = stocks_windows(seq_len=5)
    shuffled = stocks_windows(seq_len=5, shuffle_seed=0)
    np.testing.assert_array_equal(shuffled, stocks_windows(seq_len=5, shuffle_seed=0))
    assert not np.array_equal(shuffled, ordered)
    np.testing.assert_allclose(np.sort(shuffled[:, 0, 0]), np.sort(ordered[:, 0, 0]))


def test_sines_follow_the_paper():
    windows = sine_windows(n=500, seq_len=24, n_features=5, seed=0)
    assert windows.shape == (500, 24, 5)
    np.testing.assert_array_equal(windows, sine_windows(n=500, seq_len=24, n_features=5, seed=0))
    # x_t = (sin(freq * t + phase) + 1) / 2 with freq, phase in [0, 0.1]: at t = 0, sin(phase) in [0, 0.0998].
    assert windows[:, 0].min() >= 0.5 and windows[:, 0].max() <= (np.sin(0.1) + 1) / 2
    freq = np.arcsin(2 * windows[:, 1] - 1) - np.arcsin(2 * windows[:, 0] - 1)
    assert freq.min() >= 0 and freq.max() <= 0.1 + 1e-9


def test_csv_series_and_benchmark_data(tmp_path):
    path = tmp_path / "series.csv"
    dates = pd.date_range("2020-01-01", periods=30).strftime("%Y-%m-%d")[::-1]  # newest first
    pd.DataFrame({"Date": dates, "a": np.arange(30.0), "b": 1.0}).to_csv(path, index=False)
    series = read_series_csv(path)
    assert list(series.columns) == ["a", "b"] and series["a"].tolist() == list(np.arange(30.0)[::-1])
    windows = benchmark_windows("csv", csv=path, seq_len=4, seed=0)
    assert windows.shape == (27, 4, 2)
    np.testing.assert_array_equal(np.sort(windows[:, 0, 0]), np.sort(normalized_windows(series, 4)[:, 0, 0]))
    with pytest.raises(ValueError, match="Expected `csv` exactly when dataset='csv'"):
        benchmark_windows("stocks", csv=path)
    with pytest.raises(
        ValueError, match="Expected `dataset` to be one of 'stocks', 'sines', 'csv'. Received: dataset='energy'"
    ):
        benchmark_windows("energy")
    (tmp_path / "text.csv").write_text("name\nx\ny\n")
    with pytest.raises(ValueError, match="at least one numeric column"):
        read_series_csv(tmp_path / "text.csv")
