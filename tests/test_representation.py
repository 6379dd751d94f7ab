import json

import numpy as np
import pytest
from scipy.stats import kurtosis

from timegan.preprocessing import FeatureScaler
from timegan.representation import (
    MAX_DELTA,
    ReturnsRepresentation,
    fit_lambert_w,
    gaussianize,
    heavy_tail,
    make_representation,
    representation_from_dict,
)


def lambert_w_returns(n, delta, seed, n_features=1, mean=3e-4, std=0.01):
    """Log returns that are Lambert W x Gaussian with a known delta (Goerg 2011)."""
    u = np.random.default_rng(seed).standard_normal((n, n_features))
    return mean + std * heavy_tail(u, delta)


def prices_from(returns, start=50.0):
    return start * np.exp(np.concatenate([np.zeros((1, returns.shape[1])), np.cumsum(returns, axis=0)]))


@pytest.fixture(scope="module")
def ohlcv_like():
    """301 rows: two heavy-tailed price walks, a constant price 5.0, a volume with zeros."""
    prices = prices_from(lambert_w_returns(300, 0.15, seed=1, n_features=2))
    volume = np.random.default_rng(2).integers(0, 5000, size=(301, 1)).astype(float)
    volume[[0, 10, 11]] = 0.0
    return np.concatenate([prices, np.full((301, 1), 5.0), volume], axis=1)


@pytest.fixture(scope="module")
def named(ohlcv_like):
    """A representation fitted on `ohlcv_like`, shared by the tests that only read it."""
    return ReturnsRepresentation(volume_features=[3]).fit(ohlcv_like, feature_names=["A", "B", "Open", "Volume"])


def test_lambert_w_pair_is_inverse():
    u = np.linspace(-6, 6, 101)
    for delta in (0.0, 0.05, 0.3, MAX_DELTA):
        np.testing.assert_allclose(gaussianize(heavy_tail(u, delta), delta), u, rtol=1e-12, atol=1e-14)
    # Per-feature deltas broadcast over the last axis; delta 0 is the identity.
    z = np.array([[2.0, 2.0]])
    assert gaussianize(z, np.array([0.0, 0.5]))[0, 0] == 2.0
    assert gaussianize(z, np.array([0.0, 0.5]))[0, 1] < 2.0
    with pytest.raises(ValueError, match=r"Expected `delta` to be finite and >= 0. Received: delta=-0.1"):
        gaussianize(z, -0.1)
    with pytest.raises(ValueError, match=r"Received: delta=\[0.1, nan\]"):
        heavy_tail(z, [0.1, np.nan])


def test_igmm_recovers_a_known_delta_and_gaussianises():
    returns = lambert_w_returns(2000, 0.2, seed=0)[:, 0]
    mu, sigma, delta = fit_lambert_w(returns)
    assert delta == pytest.approx(0.2, abs=0.03)
    assert mu == pytest.approx(3e-4, abs=5e-4) and sigma == pytest.approx(0.01, rel=0.05)
    assert kurtosis(returns) > 5  # excess kurtosis of the heavy-tailed sample
    # On data from the same law that IGMM did not see, the transformed returns are near Gaussian.
    held_out = lambert_w_returns(4000, 0.2, seed=1)[:, 0]
    assert abs(kurtosis(gaussianize((held_out - mu) / sigma, delta))) < 0.3
    # Gaussian data: delta 0.
    assert fit_lambert_w(np.random.default_rng(3).standard_normal(2000))[2] == 0.0


def test_returns_representation_gaussianises_heavy_tails_and_standardises():
    prices = prices_from(lambert_w_returns(2000, 0.2, seed=0, n_features=2))
    representation = ReturnsRepresentation().fit(prices)
    assert representation.delta == pytest.approx([0.2, 0.2], abs=0.03)
    u = representation.transform(prices)
    assert u.shape == (2000, 2)
    np.testing.assert_allclose(kurtosis(u, axis=0), 0.0, atol=1e-6)  # IGMM's moment condition
    np.testing.assert_allclose(u.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(u.std(axis=0), 1.0, atol=1e-6)
    plain = ReturnsRepresentation(heavy_tail=False).fit(prices)
    assert plain.delta.tolist() == [0.0, 0.0]
    assert kurtosis(plain.transform(prices), axis=0).min() > 5


def test_levels_to_returns_to_levels_round_trip(ohlcv_like, caplog):
    with caplog.at_level("WARNING", logger="timegan.representation"):
        representation = make_representation("returns", volume_features=[3]).fit(
            ohlcv_like, feature_names=["A", "B", "Open", "Volume"]
        )
    assert "Feature 2 ('Open') has log returns of zero variance" in caplog.text
    assert "Feature 0" not in caplog.text and "Feature 3" not in caplog.text
    u = representation.transform(ohlcv_like)
    assert u.shape == (300, 4) and (u[:, 2] == 0).all()
    back = representation.inverse_transform(u, start_prices=ohlcv_like[0])
    assert back.shape == (301, 4)
    np.testing.assert_allclose(back, ohlcv_like, rtol=1e-10, atol=1e-10)
    assert (back[:, 2] == 5.0).all()  # the constant comes back exactly
    # Windows: each window's own first prices restore it; without the start, steps - 1 rows.
    windows = np.lib.stride_tricks.sliding_window_view(ohlcv_like, 6, axis=0).transpose(0, 2, 1)
    u_windows = representation.transform(windows)
    assert u_windows.shape == (296, 5, 4)
    restored = representation.inverse_transform(u_windows, start_prices=windows[:, 0])
    np.testing.assert_allclose(restored, windows, rtol=1e-10, atol=1e-10)
    tail = representation.inverse_transform(u_windows, start_prices=windows[:, 0], include_start=False)
    np.testing.assert_array_equal(tail, restored[:, 1:])


def test_inverse_transform_builds_paths_from_start_prices(ohlcv_like):
    representation = ReturnsRepresentation(volume_features=[3]).fit(ohlcv_like)
    u = np.zeros((2, 3, 4))
    u[0, :, 0] = 1.0
    paths = representation.inverse_transform(u)  # default start: the last fitted prices
    np.testing.assert_array_equal(paths[:, 0], np.broadcast_to(ohlcv_like[-1], (2, 4)))
    r = heavy_tail(1.0, representation.delta[0]) * representation.std[0] + representation.mean[0]
    np.testing.assert_allclose(paths[0, :, 0], ohlcv_like[-1, 0] * np.exp(r * np.arange(4)), rtol=1e-13)
    assert (paths[..., 2] == 5.0).all()
    # A model output that would move a constant feature changes nothing.
    u[..., 2] = 3.0
    assert (representation.inverse_transform(u, start_prices=[1.0, 2.0, 4.0, 0.0])[..., 2] == 4.0).all()


def test_json_round_trip(ohlcv_like):
    representation = make_representation("returns", volume_features=(3,)).fit(ohlcv_like, feature_names=list("abcd"))
    values = json.loads(json.dumps(representation.to_dict()))
    assert values["kind"] == "returns" and values["volume_features"] == [3] and values["feature_names"] == list("abcd")
    restored = representation_from_dict(values)
    assert isinstance(restored, ReturnsRepresentation)
    np.testing.assert_array_equal(restored.transform(ohlcv_like), representation.transform(ohlcv_like))
    u = np.random.default_rng(0).standard_normal((3, 4, 4))
    np.testing.assert_array_equal(restored.inverse_transform(u), representation.inverse_transform(u))
    levels = representation_from_dict(make_representation("levels").fit(ohlcv_like).to_dict())
    assert isinstance(levels, FeatureScaler) and levels.kind == "levels"
    legacy = representation_from_dict({"data_min": [1.0], "data_max": [2.0]})  # scaler.json of earlier versions
    assert legacy.inverse_transform(np.array([[0.5]]))[0, 0] == 1.5


def test_levels_and_returns_share_the_interface(ohlcv_like):
    for kind in ("levels", "returns"):
        representation = make_representation(kind).fit(ohlcv_like[:, :3])
        assert representation.kind == kind
        scaled = representation.transform(ohlcv_like[:, :3])
        start = None if kind == "levels" else ohlcv_like[0, :3]
        np.testing.assert_allclose(
            representation.inverse_transform(scaled, start_prices=start), ohlcv_like[:, :3], rtol=1e-10
        )
        assert type(representation).from_dict(json.loads(json.dumps(representation.to_dict()))).n_features == 3


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda r, x: r.transform(np.where(np.arange(301)[:, None] == 17, 0.0, x)),
            ValueError,
            "Expected `prices` to hold positive prices for log returns. Received: 0.0 at row 17, feature 0 ('A')",
        ),
        (
            lambda r, x: r.transform(-x[None, :6]),
            ValueError,
            "Expected `prices` to hold positive prices for log returns. Received: -50.0 at window 0, step 0, feature 0 ('A')",
        ),
        (
            lambda r, x: r.transform(np.where(np.arange(4) == 3, -1.0, x)),
            ValueError,
            "Expected `prices` to hold non-negative volumes for log returns. Received: -1.0 at row 0, feature 3 ('Volume')",
        ),
        (
            lambda r, x: r.transform(x[:1]),
            ValueError,
            "Expected at least 2 time steps to take returns. Received: prices.shape=(1, 4)",
        ),
        (
            lambda r, x: r.transform(x[:, :2]),
            ValueError,
            "Expected 4 features in the last axis of `prices`. Received: prices.shape=(301, 2)",
        ),
        (
            lambda r, x: r.transform(np.where(x > 100, np.nan, x)),
            ValueError,
            "Expected `prices` to hold only finite values.",
        ),
        (
            lambda r, x: r.inverse_transform(np.zeros((2, 3, 4)), start_prices=[1.0, 0.0, 1.0, 1.0]),
            ValueError,
            "Expected `start_prices` to hold positive prices for log returns. Received: 0.0 at feature 1 ('B')",
        ),
        (
            lambda r, x: r.inverse_transform(np.zeros((2, 3, 4)), start_prices=np.ones((3, 4))),
            ValueError,
            "Expected `start_prices` of shape (4,) or (2, 4). Received: start_prices.shape=(3, 4)",
        ),
        (lambda r, x: r.inverse_transform(np.full((1, 2, 4), 1e4)), ValueError, "The price paths overflow float64"),
        (
            lambda r, x: r.inverse_transform(np.zeros((1, 2, 4)), include_start=1),
            TypeError,
            "Expected `include_start` to be a bool. Received: include_start=1",
        ),
        (
            lambda r, x: ReturnsRepresentation(volume_features=[7]).fit(x),
            ValueError,
            "Expected `volume_features` to be indices in [0, 4). Received: volume_features=[7]",
        ),
        (
            lambda r, x: ReturnsRepresentation(heavy_tail="yes"),
            TypeError,
            "Expected `heavy_tail` to be a bool. Received: heavy_tail='yes'",
        ),
        (
            lambda r, x: make_representation("prices"),
            ValueError,
            "Expected `kind` to be one of 'levels', 'returns'. Received: kind='prices'",
        ),
        (
            lambda r, x: make_representation("levels", heavy_tail=True),
            ValueError,
            "Expected no options for kind='levels'.",
        ),
        (
            lambda r, x: ReturnsRepresentation().transform(x),
            ValueError,
            "The representation is not fitted; call `fit` first.",
        ),
    ],
)
def test_bad_inputs_are_refused_in_one_line(ohlcv_like, named, call, error, message):
    representation = named
    with pytest.raises(error) as raised:
        call(representation, ohlcv_like)
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"std": [0.01, -1.0, 0.0, 1.0]}, "Expected `std[1]` to be a finite number >= 0. Received: std[1]=-1.0"),
        ({"delta": [0.1, 0.1, 0.0, 5.0]}, "Expected `delta[3]` to be a number in [0, 1]. Received: delta[3]=5.0"),
        (
            {"mean": [0.0, float("nan"), 0.0, 0.0]},
            "Expected `mean` to be a list of finite numbers. Received: mean[1]=nan",
        ),
        ({"mean": [0.0]}, "Expected `std` to hold 1 values like `mean`. Received: 4 values"),
        (
            {"last_prices": [1.0, -2.0, 5.0, 0.0]},
            "Expected `last_prices` to hold positive prices for log returns. Received: -2.0 at feature 1",
        ),
        ({"kind": "levels"}, "Expected `kind` to be 'returns'. Received: kind='levels'"),
        ({"extra": 1}, "Unknown ReturnsRepresentation keys: ['extra']"),
    ],
)
def test_from_dict_refuses_bad_state(named, change, message):
    values = {k: v for k, v in named.to_dict().items() if k != "feature_names"}
    with pytest.raises(ValueError) as raised:
        ReturnsRepresentation.from_dict({**values, **change})
    assert message in str(raised.value)


def test_from_dict_refuses_missing_keys(named):
    values = {k: v for k, v in named.to_dict().items() if k != "delta"}
    with pytest.raises(ValueError, match=r"Missing ReturnsRepresentation keys: \['delta'\]"):
        ReturnsRepresentation.from_dict(values)
