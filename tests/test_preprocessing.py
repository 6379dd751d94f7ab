import numpy as np
import pandas as pd
import pytest

from timegan import FeatureScaler, align_prices, make_windows
from timegan.preprocessing import check_window_count, window_dataset


def test_align_inner_joins_dates_and_drops_incomplete_rows():
    a = pd.DataFrame(
        {"Adj Close": [1.0, 2.0, np.nan, 4.0]},
        index=pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06"]),
    )
    b = pd.DataFrame(
        {"Adj Close": [10.0, 20.0, 30.0]}, index=pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-06"])
    )
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


def test_windows_need_an_integer_length_and_a_feature():
    assert make_windows(np.zeros((5, 1)), np.int64(2)).shape == (4, 2, 1)
    with pytest.raises(TypeError, match="Expected `seq_len` to be an integer >= 2. Received: seq_len=2.0"):
        make_windows(np.zeros((5, 1)), 2.0)
    with pytest.raises(ValueError, match=r"with at least one feature. Received: shape=\(5, 0\)"):
        make_windows(np.zeros((5, 0)), 2)


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


def test_the_batch_order_follows_the_seed_and_the_global_seed_as_documented():
    """tf.data combines the shuffle's seed with TensorFlow's global seed: a resumed run gets the
    uninterrupted run's batches when both processes have the same global seed, or none."""
    import tensorflow as tf

    windows = np.arange(40, dtype="float32").reshape(20, 2, 1)

    def batches():
        return np.stack([b.numpy() for b in window_dataset(windows, 4, seed=1).take(6)])

    fresh = batches()
    tf.random.set_seed(7)
    with_global = batches()
    tf.random.set_seed(7)
    np.testing.assert_array_equal(batches(), with_global)
    tf.random.set_seed(None)  # back to a fresh process's state
    np.testing.assert_array_equal(batches(), fresh)
    assert not np.array_equal(with_global, fresh)


def _walk_and_constant(constant, n=40):
    rng = np.random.default_rng(0)
    return np.stack([100 + np.cumsum(rng.normal(size=n)), np.full(n, constant)], axis=-1)


@pytest.mark.parametrize("constant", [5.0, 0.01, 0.0, -3.25])
def test_constant_feature_maps_back_exactly(constant, caplog):
    # Issue 15 section 1: 0.5 on the model scale came back as 5.5 for a constant 5.0 (0.51 for 0.01).
    x = _walk_and_constant(constant)
    with caplog.at_level("WARNING", logger="timegan.preprocessing"):
        scaler = FeatureScaler().fit(x[None], feature_names=["walk", "Open"])
    assert f"Feature 1 ('Open') is constant ({constant!r})" in caplog.text
    assert "Feature 0" not in caplog.text
    restored = scaler.inverse_transform(np.full((1, 3, 2), 0.5))
    assert (restored[..., 1] == constant).all()
    assert scaler.inverse_transform(np.array([[0.0, -7.0], [1.0, 3.0]]))[:, 1].tolist() == [constant, constant]
    np.testing.assert_allclose(restored[..., 0], 0.5 * (x[:, 0].min() + x[:, 0].max()), rtol=1e-12)
    # The constant is 0 on the model scale, and a value off the constant stays visible to metrics.
    assert scaler.transform(x)[:, 1].tolist() == [0.0] * len(x)
    assert scaler.transform(np.array([[100.0, constant + 1]]))[0, 1] == 1.0
    assert (FeatureScaler.from_dict(scaler.to_dict()).inverse_transform(np.full((2, 2), 0.9))[:, 1] == constant).all()


def test_scaler_json_keeps_the_old_format_readable():
    old = {"data_min": [1.0, 5.0], "data_max": [3.0, 5.0]}  # a scaler.json written before this version
    scaler = FeatureScaler.from_dict(old)
    np.testing.assert_array_equal(scaler.inverse_transform(np.array([[0.5, 0.5]])), [[2.0, 5.0]])
    assert scaler.to_dict() == {"kind": "levels", **old}
    named = FeatureScaler().fit(np.array([[1.0, 2.0], [2.0, 4.0]]), feature_names=["a", "b"])
    assert FeatureScaler.from_dict(named.to_dict()).feature_names == ["a", "b"]


@pytest.mark.parametrize(
    "values, error, message",
    [
        (
            {"data_min": [float("nan")], "data_max": [1.0]},
            ValueError,
            "Expected `data_min` to be a list of finite numbers of magnitude <= 1.124e+307. Received: data_min[0]=nan",
        ),
        ({"data_min": [0.0, 1.0], "data_max": [1.0, float("inf")]}, ValueError, "Received: data_max[1]=inf"),
        ({"data_min": [0.0], "data_max": [1e308]}, ValueError, "Received: data_max[0]=1e+308"),
        ({"data_min": [0.0], "data_max": ["1"]}, TypeError, "Received: data_max[0]='1'"),
        ({"data_min": [True], "data_max": [1.0]}, TypeError, "Received: data_min[0]=True"),
        (
            {"data_min": 0.0, "data_max": [1.0]},
            TypeError,
            "Expected `data_min` to be a non-empty list of finite numbers of magnitude <= 1.124e+307. Received: data_min=0.0",
        ),
        ({"data_min": [], "data_max": []}, ValueError, "Received: data_min=[]"),
        (
            {"data_min": [0.0, 5.0], "data_max": [1.0, 2.0]},
            ValueError,
            "Expected `data_min` <= `data_max` for every feature. Received: data_min[1]=5.0 > data_max[1]=2.0",
        ),
        (
            {"data_min": [0.0, 1.0], "data_max": [1.0]},
            ValueError,
            "Expected `data_min` and `data_max` of equal length. Received: 2 and 1 values",
        ),
        ({"data_min": [0.0]}, ValueError, "Missing FeatureScaler keys: ['data_max']"),
        ({"data_min": [0.0], "data_max": [1.0], "scale": [1.0]}, ValueError, "Unknown FeatureScaler keys: ['scale']"),
        (
            {"kind": "returns", "data_min": [0.0], "data_max": [1.0]},
            ValueError,
            "Expected `kind` to be 'levels'. Received: kind='returns'",
        ),
        ([0.0, 1.0], TypeError, "Expected a dict of FeatureScaler values. Received: list"),
    ],
)
def test_scaler_from_dict_refuses_bad_state_in_one_line(values, error, message):
    with pytest.raises(error) as raised:
        FeatureScaler.from_dict(values)
    assert type(raised.value) is error
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_scaler_refuses_non_finite_and_overflowing_data():
    with pytest.raises(
        ValueError,
        match=r"Expected `data` to hold only finite values of magnitude <= 1.124e\+307. "
        r"Received: data\[1, 0\]=nan \(1 such values\)",
    ):
        FeatureScaler().fit(np.array([[1.0], [np.nan], [2.0]]))
    # Values near the float64 limit: their range (3.4e308) would be inf and every output inf.
    with pytest.raises(ValueError, match=r"Received: data\[0, 0\]=-1.7e\+308 \(2 such values\)"):
        FeatureScaler().fit(np.array([[-1.7e308], [1.7e308]]))
    scaler = FeatureScaler().fit(np.array([[-1e307], [1e307]]))
    np.testing.assert_allclose(scaler.inverse_transform(np.array([[-3.0], [0.5], [4.0]])).ravel(), [-7e307, 0.0, 7e307])
    with pytest.raises(ValueError, match="Expected `data` to hold only finite values"):
        scaler.inverse_transform(np.array([[np.inf]]))
    with pytest.raises(ValueError, match="The inverse_transform result overflows float64"):
        scaler.inverse_transform(np.array([[1e10]]))
    tiny = FeatureScaler().fit(np.array([[0.0], [5e-324]]))  # the smallest positive float64 as the range
    with pytest.raises(ValueError, match="The transform result overflows float64"):
        tiny.transform(np.array([[1.0]]))
    with pytest.raises(ValueError, match="Expected `start_prices` to be None for the levels representation"):
        scaler.inverse_transform(np.zeros((1, 1)), start_prices=np.ones(1))
    with pytest.raises(ValueError, match="Received: data.shape=\\(2, 0\\)"):
        FeatureScaler().fit(np.zeros((2, 0)))
    with pytest.raises(TypeError, match="Expected `data` to be a numeric array"):
        FeatureScaler().fit([["a"]])
