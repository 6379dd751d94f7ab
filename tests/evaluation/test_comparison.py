"""Synthetic paths against GARCH, the bootstrap and a random walk, and the report's section on it."""

import json

import numpy as np
import pytest

from evaluation.comparison import BASELINES, TARGET_SCORES, compare_with_baselines, target_checks
from evaluation.render import render_html
from evaluation.report import compute_report

FAST = {"discriminative_iterations": 5, "predictive_iterations": 5, "max_samples": 30, "progress": False}


def garch_history(n_days=900, n_features=2, seed=0):
    """Positive prices (n_days, n_features) with GARCH(1,1) returns: volatility clusters, fat tails."""
    rng = np.random.default_rng(seed)
    returns = np.empty((n_days - 1, n_features))
    variance = np.full(n_features, 1e-4)
    for t in range(n_days - 1):
        returns[t] = np.sqrt(variance) * rng.standard_normal(n_features)
        variance = 1e-6 + 0.1 * returns[t] ** 2 + 0.88 * variance
    return 100 * np.exp(np.concatenate([np.zeros((1, n_features)), np.cumsum(returns, axis=0)]))


def cut(history, path_len):
    """The history cut into consecutive non-overlapping paths (n, path_len, n_features)."""
    n = len(history) // path_len
    return history[: n * path_len].reshape(n, path_len, history.shape[1])


@pytest.fixture(scope="module")
def history():
    return garch_history()


def test_real_paths_beat_garch_on_the_distribution_and_a_smooth_path_beats_nothing(history):
    # Paths cut from the history itself: their return distribution is the history's, so GARCH
    # (fitted, then simulated) cannot be closer on EMD(1).
    own = compare_with_baselines(history, cut(history, 100), seed=0, max_lag=20)
    assert set(own.rows) == {"synthetic", *BASELINES, "real floor"}
    assert own.rows["synthetic"]["emd_1"] < own.rows["GARCH-t"]["emd_1"]
    assert {c["target"] for c in own.checks} >= {f"beats GARCH-t on {label}" for _, label in TARGET_SCORES}
    # Paths that barely move (returns 100 times too small, no clustering): behind every baseline on EMD(1).
    rng = np.random.default_rng(1)
    calm = 100 * np.exp(np.cumsum(1e-4 * rng.standard_normal((9, 100, 2)), axis=1))
    smooth = compare_with_baselines(history, calm, seed=0, max_lag=20)
    assert all(smooth.rows["synthetic"]["emd_1"] > smooth.rows[name]["emd_1"] for name in BASELINES)
    assert smooth.beats("GARCH-t")[0] < 4
    assert smooth.verdict().startswith(f"The synthetic paths beat GARCH(1,1)-t on {smooth.beats('GARCH-t')[0]} of 4")
    # Every baseline drew as many paths of the same length as the synthetic set.
    assert (smooth.settings["n_paths"], smooth.settings["path_len"]) == (9, 100)
    json.dumps(smooth.to_dict(), allow_nan=False)  # NaN written as null


def test_target_checks_compare_values_and_tolerances():
    row = {
        "emd_1": 1.0,
        "emd_20": 3.0,
        "acf_abs": 0.5,
        "leverage": 0.2,
        "excess_kurtosis": 8.0,
        "acf_returns_lag1": 0.1,
    }
    garch = {"emd_1": 2.0, "emd_20": 2.0, "acf_abs": 0.6, "leverage": 0.1}
    real = {"excess_kurtosis_real": 10.0, "acf_returns_lag1_real": 0.0}
    met = {c["target"]: c["met"] for c in target_checks(row, garch, None, real)}
    assert met == {
        "beats GARCH-t on EMD(1)": True,
        "beats GARCH-t on EMD(20)": False,
        "beats GARCH-t on ACF(|r|)": True,
        "beats GARCH-t on leverage": False,
        "excess kurtosis within 30% of real": True,  # |8 - 10| <= 3
        "lag-1 ACF of r within 0.05 of real": False,  # 0.1 away
    }


def test_bad_shapes_are_one_line_errors(history):
    with pytest.raises(ValueError, match="Expected a history .* of the same features"):
        compare_with_baselines(history, cut(history, 100)[..., :1])
    with pytest.raises(ValueError, match="seed"):
        compare_with_baselines(history, cut(history, 100), seed=-1)


def test_the_report_opens_with_the_verdict_when_given_the_history(history):
    windows = cut(history, 10)
    report = compute_report(
        windows, windows[::-1], long_real=history[None], long_synthetic=cut(history[::-1], 150), tsne=False, **FAST
    )
    finance = report.metrics["finance"]
    assert set(finance["rows"]) == {"synthetic", *BASELINES, "real floor"}
    assert finance["settings"]["n_paths"] == 6 and finance["settings"]["path_len"] == 150
    page = render_html(report.metrics, report.images)
    assert page.index(finance["verdict"]) < page.index("Discriminative score")
    assert "Quant GANs (paper)" in page and "GARCH(1,1)-t" in page
    # A report without the comparison (baselines=False, or no history as one path) has no such section.
    metrics = {k: v for k, v in report.metrics.items() if k != "finance"}
    assert "Against the models" not in render_html(metrics, report.images)
