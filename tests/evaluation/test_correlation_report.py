"""Joint structure: correlation matrices of r and |r| across series, their distance and floor, in the report."""

import json

import matplotlib.figure
import numpy as np
import pytest

from evaluation.correlation import (
    correlation_matrix,
    joint_structure,
    plot_correlation_matrices,
    real_halves,
    split_history,
)
from evaluation.finance import log_returns
from evaluation.report import _joint_structure, evaluate_arrays

NAMES = ["A", "B", "C"]
FAST = {"discriminative_iterations": 5, "predictive_iterations": 5, "max_samples": 30, "progress": False}


def correlated_returns(n, rho, n_features=3, seed=0, volatility=None):
    """Gaussian returns (n, n_features) with pairwise correlation `rho`, optionally times a volatility path."""
    rng = np.random.default_rng(seed)
    covariance = np.full((n_features, n_features), rho) + (1 - rho) * np.eye(n_features)
    returns = 0.01 * rng.standard_normal((n, n_features)) @ np.linalg.cholesky(covariance).T
    return returns if volatility is None else returns * volatility


def common_volatility(n, seed):
    """A slowly varying volatility shared by every series (log-AR(1)), shape (n, 1)."""
    rng = np.random.default_rng(seed)
    log_vol = np.zeros(n)
    for t in range(1, n):
        log_vol[t] = 0.98 * log_vol[t - 1] + 0.2 * rng.standard_normal()
    return np.exp(log_vol)[:, None]


def test_a_history_against_itself_is_at_zero_and_its_floor_is_the_two_halves():
    history = correlated_returns(4000, 0.6)
    joint = joint_structure(history, split_history(history, 200))  # the same 20 paths on both sides
    for transform in ("returns", "abs"):
        assert joint[transform].distance == pytest.approx(0, abs=1e-12)
        np.testing.assert_allclose(joint[transform].real, joint[transform].synthetic)
    # The floor compares the first 10 paths with the last 10.
    first, second = real_halves(split_history(history, 200))
    expected = np.linalg.norm(correlation_matrix(first) - correlation_matrix(second))
    assert joint["returns"].floor == pytest.approx(expected)
    assert 0 < joint["returns"].floor < 0.2  # one market: sampling noise only


def test_hand_computed_distances():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((20000, 1))
    together = np.concatenate([x, x], axis=1)  # correlation 1
    apart = rng.standard_normal((20, 1000, 2))  # correlation about 0
    joint = joint_structure(together, apart)
    np.testing.assert_allclose(joint["returns"].real, np.ones((2, 2)))
    # Two off-diagonal entries of 1 - 0: sqrt(2).
    assert joint["returns"].distance == pytest.approx(np.sqrt(2), abs=0.05)
    # A market whose correlation falls from 0.9 to 0 halfway: the floor is about sqrt(2) * 0.9.
    regime = np.concatenate([correlated_returns(5000, 0.9, 2, seed=2), correlated_returns(5000, 0.0, 2, seed=3)])
    assert joint_structure(regime, apart)["returns"].floor == pytest.approx(np.sqrt(2) * 0.9, abs=0.06)


def test_orderings_of_returns_and_volatility_correlation():
    n, paths = 10000, (40, 250, 3)
    volatility = common_volatility(n, seed=4)
    real = correlated_returns(n, 0.6, volatility=volatility)
    same = correlated_returns(n, 0.6, seed=5, volatility=common_volatility(n, seed=6)).reshape(paths)
    weaker = correlated_returns(n, 0.3, seed=5, volatility=common_volatility(n, seed=6)).reshape(paths)
    # Each series with its own volatility path: r still correlated, |r| much less.
    own = np.concatenate(
        [correlated_returns(n, 0.6, seed=5)[:, [j]] * common_volatility(n, seed=10 + j) for j in range(3)], axis=1
    )
    independent = correlated_returns(n, 0.0, seed=5).reshape(paths)
    scores = {
        name: joint_structure(real, synthetic)
        for name, synthetic in (("same", same), ("weaker", weaker), ("own", own.reshape(paths)), ("none", independent))
    }
    returns = {name: joint["returns"].distance for name, joint in scores.items()}
    assert returns["same"] < returns["weaker"] < returns["none"]
    assert returns["same"] < 2 * scores["same"]["returns"].floor + 0.05
    absolute = {name: joint["abs"].distance for name, joint in scores.items()}
    assert absolute["same"] < absolute["own"]
    assert absolute["same"] < absolute["none"]


def test_a_history_is_cut_to_the_synthetic_path_length():
    history = correlated_returns(1003, 0.5)
    paths = split_history(history, 100)
    assert paths.shape == (10, 100, 3)
    np.testing.assert_array_equal(paths[1, 0], history[100])
    assert split_history(history, 600).shape == (1, 1003, 3)  # one path only: kept whole
    windows = np.zeros((5, 8, 3))
    np.testing.assert_array_equal(split_history(windows, 4), windows)  # paths already: unchanged


def test_bad_input():
    with pytest.raises(ValueError, match=r"at least 2 features \(tickers\) to correlate. Received: 1 feature"):
        joint_structure(np.ones((50, 1)), np.ones((2, 10, 1)))
    with pytest.raises(ValueError, match=r"Expected `synthetic_returns` to have the features of `real_returns` \(3\)"):
        joint_structure(np.ones((50, 3)), np.ones((2, 10, 2)))
    with pytest.raises(ValueError, match=r"at least 2 returns per path.*synthetic_returns.shape=\(2, 1, 3\)"):
        joint_structure(correlated_returns(50, 0.1), np.ones((2, 1, 3)))
    with pytest.raises(ValueError, match="Expected `transform` to be one of"):
        correlation_matrix(np.ones((10, 2)), transform="squared")
    with pytest.raises(ValueError, match=r"at least 4 returns to halve. Received: returns.shape=\(1, 3, 2\)"):
        real_halves(np.ones((3, 2)))


def test_plot_shares_one_colour_scale():
    joint = joint_structure(correlated_returns(2000, 0.5), correlated_returns(2000, 0.2, seed=1).reshape(8, 250, 3))
    figure = plot_correlation_matrices(joint, ["A", "B", "C"])
    assert isinstance(figure, matplotlib.figure.Figure)
    images = [image for ax in figure.axes for image in ax.get_images()]
    assert len(images) == 4 and {image.get_clim() for image in images} == {(-1, 1)}
    assert len(figure.axes) == 5  # four panels and one colour bar
    np.testing.assert_allclose(images[1].get_array(), joint["returns"].synthetic)
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["A", "B", "C"]


def price_windows(n_windows, seq_len, rho, seed):
    """Stride-1 windows (n_windows, seq_len, 3) of correlated prices, in time order."""
    returns = correlated_returns(n_windows + seq_len - 2, rho, seed=seed)
    path = 50 * np.exp(np.cumsum(np.vstack([np.zeros((1, 3)), returns]), axis=0))
    starts = np.arange(n_windows)
    return path[starts[:, None] + np.arange(seq_len)]


def test_report_shows_the_matrices_beside_the_floor(tmp_path):
    real, synthetic = price_windows(60, 8, 0.7, 0), price_windows(60, 8, 0.0, 1)
    metrics = evaluate_arrays(real, synthetic, tmp_path, ["A", "B", "C"], tsne=False, all_features=False, **FAST)
    corr = metrics["correlation"]
    direct = joint_structure(log_returns(real), log_returns(synthetic))
    assert corr["basis"] == "windows" and corr["features"] == ["A", "B", "C"]
    for transform in ("returns", "abs"):
        assert corr[transform]["distance"] == pytest.approx(direct[transform].distance)
        assert corr[transform]["real_floor"] == pytest.approx(direct[transform].floor)
        np.testing.assert_allclose(corr[transform]["synthetic"], direct[transform].synthetic)
    assert corr["returns"]["distance"] > 3 * corr["returns"]["real_floor"]  # 0.7 against 0: far beyond noise
    assert "correlation.png" in metrics["files"]
    assert (tmp_path / "correlation.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "metrics.json").read_text())["correlation"]["returns"]["real"][0][0] == 1.0
    page = (tmp_path / "report.html").read_text()
    assert "Joint structure: how the series move together" in page
    assert f"{corr['returns']['distance']:.3f}" in page and f"{corr['abs']['real_floor']:.3f}" in page


def test_report_uses_long_paths_and_skips_one_series():
    """The report's step alone (the whole report is run above): long paths when given, a note for one series."""
    real, synthetic = price_windows(40, 8, 0.5, 0), price_windows(40, 8, 0.5, 1)
    long_real = price_windows(1, 400, 0.5, 2)
    long_synthetic = np.stack([price_windows(1, 100, 0.5, s)[0] for s in range(3, 6)])
    metrics, figures, notes = {}, {}, []

    def timed(key, function, *args):
        return function(*args)

    _joint_structure(metrics, figures, notes, timed, (real, synthetic), (long_real, long_synthetic), [0, 1, 2], NAMES)
    corr = metrics["correlation"]
    assert corr["basis"] == "long paths" and corr["real_shape"] == [1, 400, 3] and not notes
    expected = joint_structure(log_returns(long_real), log_returns(long_synthetic))["returns"].distance
    assert corr["returns"]["distance"] == pytest.approx(expected)
    # Only the price features are correlated: B is left out, A and C remain.
    metrics, figures = {}, {}
    _joint_structure(metrics, figures, notes, timed, (real, synthetic), (None, None), [0, 2], NAMES)
    assert metrics["correlation"]["features"] == ["A", "C"] and metrics["correlation"]["basis"] == "windows"
    assert len(metrics["correlation"]["returns"]["real"]) == 2 and "correlation.png" in figures
    metrics, figures = {}, {}
    _joint_structure(metrics, figures, notes, timed, (real, synthetic), (None, None), [1], NAMES)
    assert metrics == {} and figures == {}
    assert notes == ["Correlation matrices skipped: 1 price feature(s) with positive values; they need 2 or more."]
