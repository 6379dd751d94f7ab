import numpy as np
import pandas as pd
import pytest

from timegan import FeatureScaler, align_prices, make_windows
from timegan.preprocessing import check_window_count, window_dataset


def test_align_inner_joins_dates_and_drops_incomplete_rows():
    a = pd.DataFrame({"Adj Close": [1.0, 2.0, np.nan, 4.0]}, index=pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06"]))
    b = pd.DataFrame({"Adj Close": [10.0, 20.0, 30.0]}, index=pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-06"]))
    prices, dropped = align_prices({"A": a, "B": b})
    assert dropped == 1  # 2020-01-03 has a NaN for A; 2020-01-01 is not common
    assert list(prices.index.strftime("%Y-%m-%d")) == ["2020-01-02", "2020-01-06"]
    assert list(prices.columns) == [("A", "Adj Close"), ("B", "Adj Close")]
    assert prices.to_numpy().tolist() == [[2.0, 10.0], [4.0, 30.0]]
    assert not prices.isna().any().any()


def test_align_without_common_dates():
    a = pd.DataFrame({"x": [1.0]}, index=pd.to_datetime(["2020-01-01"]))
    b = pd.DataFrame({"x": [1.0]}, index=pd.to_datetime(["2021-01-01"]))
    with pytest.raises(ValueError, match="no trading day in common"):
        align_prices({"A": a, "B": b})


def test_windows_overlap_in_time_order():
    values = np.arange(10, dtype=float).reshape(5, 2)
    windows = make_windows(values, 3)
    assert windows.shape == (3, 3, 2)
    np.testing.assert_array_equal(windows[0], values[0:3])
    np.testing.assert_array_equal(windows[2], values[2:5])


@pytest.mark.parametrize("seq_len, message", [(1, "seq_len=1"), (6, "at least seq_len=6 rows")])
def test_windows_bad_input(seq_len, message):
    with pytest.raises(ValueError, match=message):
        make_windows(np.zeros((5, 2)), seq_len)
    with pytest.raises(ValueError, match="NaN or inf"):
        make_windows(np.array([[1.0], [np.nan], [2.0]]), 2)


def test_window_count_checks():
    check_window_count(25, 24, 2)
    with pytest.raises(ValueError, match=r"seq_len \+ 1 = 25 rows of data. Received: 24 rows"):
        check_window_count(24, 24, 1)
    with pytest.raises(ValueError, match="Received: batch_size=128"):
        check_window_count(100, 24, 128)


def test_scaler_round_trip_on_windows_and_json(sine_windows):
    scaler = FeatureScaler().fit(sine_windows)
    scaled = scaler.transform(sine_windows)
    assert scaled.min() == pytest.approx(0.0) and scaled.max() == pytest.approx(1.0)
    np.testing.assert_allclose(scaler.inverse_transform(scaled), sine_windows, rtol=1e-12)
    restored = FeatureScaler.from_dict(scaler.to_dict())
    np.testing.assert_array_equal(restored.transform(sine_windows), scaled)
    with pytest.raises(ValueError, match="Expected 2 features"):
        scaler.transform(np.zeros((3, 4)))


def test_dataset_is_seeded_and_skips_consumed_batches():
    windows = np.arange(40, dtype="float32").reshape(20, 2, 1)
    first = [b.numpy() for b in window_dataset(windows, 4, seed=1).take(6)]
    again = [b.numpy() for b in window_dataset(windows, 4, seed=1).take(6)]
    resumed = [b.numpy() for b in window_dataset(windows, 4, seed=1, skip_batches=4).take(2)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(resumed[0], first[4])
    np.testing.assert_array_equal(resumed[1], first[5])
    assert sorted(np.concatenate(first[:5]).ravel()[::2].tolist()) == sorted(windows[:, 0, 0].tolist())
