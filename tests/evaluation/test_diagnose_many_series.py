"""scripts/diagnose_many_series.py: the window statistics and views it prints, and its errors."""

import numpy as np
import pytest

from tests._scripts import load_script

script = load_script("diagnose_many_series")


def factor_returns(rng, n=400, steps=23, features=4, beta=0.7, vol_share=True):
    """Daily returns with one common factor; the window volatility is common to all series
    (vol_share) or drawn per series."""
    scale_shape = (n, 1, 1) if vol_share else (n, 1, features)
    scale = rng.choice([0.5, 2.0], size=scale_shape)
    common = rng.standard_normal((n, steps, 1))
    own = rng.standard_normal((n, steps, features))
    return 0.01 * scale * (beta * common + np.sqrt(1 - beta**2) * own)


def test_window_statistics_by_hand():
    rng = np.random.default_rng(0)
    returns = factor_returns(rng)
    stats = script.window_statistics(returns)
    assert set(stats) == set(script.ROWS)
    assert stats["daily correlation"] == pytest.approx(0.49, abs=0.05)  # beta^2
    assert stats["window-move correlation"] == pytest.approx(0.49, abs=0.08)
    assert stats["window-volatility correlation"] > 0.9  # one volatility regime for every series
    basket = returns.mean(axis=2)
    assert stats["basket window move"] == pytest.approx(basket.sum(axis=1).std())
    # Gaussian within a window, two volatility regimes across windows: fat tails, series and basket alike.
    assert stats["basket kurtosis"] == pytest.approx(stats["series kurtosis"], rel=0.3)
    assert stats["basket kurtosis"] > 1.0
    idiosyncratic = script.window_statistics(factor_returns(rng, vol_share=False))
    assert idiosyncratic["window-volatility correlation"] < 0.5


def test_views_tell_a_weaker_co_movement_and_not_a_fresh_draw():
    rng = np.random.default_rng(1)
    real, same = (np.cumsum(factor_returns(rng), axis=1) for _ in range(2))
    weaker = np.cumsum(factor_returns(rng, beta=0.3), axis=1)
    names = ["A", "B", "C", "D"]
    fresh, faulty = (script.view_scores(real, other, names, seed=0) for other in (same, weaker))
    assert set(fresh) == set(faulty) and "series D" in fresh
    view = "window correlation matrices (logistic)"
    assert fresh[view] < 0.08 and faulty[view] > 0.25, (fresh[view], faulty[view])


def test_bad_run_is_one_line_and_exit_2(tmp_path, capsys):
    assert script.main(["--run", str(tmp_path / "missing")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("diagnose_many_series: error:") and len(error.strip().splitlines()) == 1


def test_drift_on_model_scale_reads_a_biased_series():
    from timegan.representation import ReturnsRepresentation

    rng = np.random.default_rng(2)
    prices = 100 * np.exp(np.cumsum(0.01 * rng.standard_t(5, size=(3000, 2)), axis=0))
    representation = ReturnsRepresentation().fit(prices)
    windows = np.lib.stride_tricks.sliding_window_view(prices, 25, axis=0).transpose(0, 2, 1)
    # Synthetic windows: the same days with the first series drifting 0.1 daily std more.
    trend = np.exp(0.1 * representation.std[0] * np.arange(25))[None, :, None] ** np.array([1.0, 0.0])
    real, synthetic = script.drift_on_model_scale(representation, windows, windows * trend)
    np.testing.assert_allclose(real, 0.0, atol=0.01)  # the training data: mean 0 by construction
    assert synthetic[0] - real[0] == pytest.approx(0.1, abs=0.03) and synthetic[1] == pytest.approx(real[1])
