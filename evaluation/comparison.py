"""Synthetic price paths against the classic models a quant would otherwise use.

The same number and length of paths are drawn from each baseline, and every path set is scored
against the real history with the finance scores of Quant GANs (Wiese et al. 2020, section 6;
`evaluation.finance`):

- GARCH-t: GARCH(1,1) with standardised Student-t innovations (Bollerslev 1986), per series,
  fitted with `arch`; several series are tied by a Gaussian copula of the innovations;
- GJR-t: the same with the leverage term of Glosten, Jagannathan & Runkle (1993);
- bootstrap: the stationary block bootstrap of the real daily return vectors (Politis & Romano
  1994), expected block length by Politis & White (2004);
- Gaussian RW: i.i.d. Gaussian daily log returns with the real mean and covariance.

`compare_with_baselines` returns one flat row of scores per generator, the real data's own
floor (second half of the history against the first) and `target_checks`: whether the
synthetic paths beat GARCH-t and the bootstrap on the four scores the realism targets name
(EMD at 1 and 20 days, ACF of |r|, leverage), and the tail and lag-1 checks. The published rows
of Quant GANs (`PAPER_ROWS`) are printed beside them; they are on other data (S&P 500
2009-2018), so they say what range is good, not a score to beat on this data.
"""

import dataclasses
import time

import numpy as np

from evaluation import _checks
from evaluation.finance import MAX_LAG, finance_scores, real_floor, start_transient

BASELINES = ("GARCH-t", "GJR-t", "bootstrap", "Gaussian RW")
# Quant GANs (Wiese et al. 2020, Table 3), S&P 500 2009-2018: the paper's best generator and its GARCH(1,1).
PAPER_ROWS = {
    "Quant GANs (paper)": {
        "emd_1": 0.0039,
        "emd_100": 0.0154,
        "acf_returns": 0.0212,
        "acf_abs": 0.0248,
        "acf_squared": 0.0214,
        "leverage": 0.3291,
    },
    "GARCH (paper)": {
        "emd_1": 0.0199,
        "emd_100": 0.0935,
        "acf_returns": 0.0223,
        "acf_abs": 0.0291,
        "acf_squared": 0.0253,
        "leverage": 0.4636,
    },
}
# The Quant GANs distances, in table order, with their labels (the report's and the benchmark's columns).
SCORE_COLUMNS = (
    ("emd_1", "EMD(1)"),
    ("emd_5", "EMD(5)"),
    ("emd_20", "EMD(20)"),
    ("emd_100", "EMD(100)"),
    ("acf_returns", "ACF(r)"),
    ("acf_abs", "ACF(|r|)"),
    ("acf_squared", "ACF(r²)"),
    ("leverage", "leverage"),
)
# The distances the realism targets compare with GARCH-t (lower is better), with their labels.
TARGET_SCORES = (("emd_1", "EMD(1)"), ("emd_20", "EMD(20)"), ("acf_abs", "ACF(|r|)"), ("leverage", "leverage"))


def fit_baselines(history, n_paths, path_len, *, dependence="copula", block_size=None):
    """Fits every baseline once on `history`; sampling is per seed.

    Args:
        history: positive prices (n_days, n_features), the real history.
        n_paths, path_len: paths per baseline and prices per path.
        dependence: how the GARCH innovations of several series are tied: "copula" (default),
            "resample" or "independent" (`evaluation.baselines.fit_garch`).
        block_size: bootstrap expected block length in days; None: Politis-White on r^2.

    Returns:
        (generators, fitted, fit_seconds): {name: callable(seed) -> prices (n_paths, path_len,
        n_features)}, a JSON-ready dict of the fitted settings, and {name: fit seconds}.

    Raises:
        ValueError: on an invalid history or request (`evaluation.baselines`).
    """
    from evaluation.baselines import bootstrap_block_size, bootstrap_paths, fit_garch, gaussian_paths

    fits, fit_seconds = {}, {}
    for name, kind in (("GARCH-t", "garch"), ("GJR-t", "gjr")):
        started = time.monotonic()
        fits[name] = fit_garch(history, kind=kind, dependence=dependence)
        fit_seconds[name] = time.monotonic() - started
    block = block_size or bootstrap_block_size(history)
    generators = {
        "GARCH-t": lambda seed: fits["GARCH-t"].sample(n_paths, path_len, seed=seed),
        "GJR-t": lambda seed: fits["GJR-t"].sample(n_paths, path_len, seed=seed),
        "bootstrap": lambda seed: bootstrap_paths(history, n_paths, path_len, block_size=block, seed=seed),
        "Gaussian RW": lambda seed: gaussian_paths(history, n_paths, path_len, seed=seed),
    }
    fitted = {
        "garch_params": {name: [{k: float(v) for k, v in p.items()} for p in fit.params] for name, fit in fits.items()},
        "bootstrap_block_size": float(block),
        "garch_dependence": dependence,
    }
    return generators, fitted, fit_seconds


def summarise(scores, paths=None):
    """One flat row of a `FinanceScores`: every scalar score, `max_lag`, the VaR/ES relative
    errors averaged per horizon (`risk_1d`, `risk_20d`) and, given the paths, the start-of-path
    transient (`start_ratio_abs`, `start_ratio_std`: the first 3 returns of each path over the
    rest, `evaluation.finance.start_transient`; 1 = no transient)."""
    flat = scores.summary()
    if paths is not None:
        transient = start_transient(paths)
        flat["start_ratio_abs"], flat["start_ratio_std"] = transient.ratio_abs, transient.ratio_std
    flat["max_lag"] = float(scores.max_lag)
    for horizon in ("1d", "20d"):
        errors = [v for k, v in scores.risk.items() if k.endswith(f"_{horizon}")]
        flat[f"risk_{horizon}"] = float(np.mean(errors)) if errors else float("nan")
    return flat


def real_values(history):
    """The history's own excess kurtosis, Hill index and lag-1 ACF of r (what the value rows compare with)."""
    flat = finance_scores(history, np.asarray(history, dtype=np.float64)[None], max_lag=1).summary()
    return {key: flat[key] for key in ("excess_kurtosis_real", "hill_tail_index_real", "acf_returns_lag1_real")}


def target_checks(row, garch, bootstrap, real):
    """The realism targets this comparison can measure, for one row of synthetic scores.

    Args:
        row, garch, bootstrap: flat rows (`summarise`) of the synthetic paths, GARCH-t and the
            bootstrap (`bootstrap` may be None).
        real: `real_values(history)`.

    Returns:
        list of dicts {"target", "met", "value", "reference"}: beats GARCH-t and the bootstrap
        on each of `TARGET_SCORES` (lower is better), excess kurtosis within 30% of the real
        value, lag-1 ACF of r within 0.05 of the real value.
    """
    checks = []
    for name, other in (("GARCH-t", garch), ("bootstrap", bootstrap)):
        if other is None:
            continue
        for key, label in TARGET_SCORES:
            value, reference = row[key], other[key]
            met = bool(np.isfinite(value) and np.isfinite(reference) and value < reference)
            checks.append({"target": f"beats {name} on {label}", "met": met, "value": value, "reference": reference})
    kurtosis, real_kurtosis = row["excess_kurtosis"], real["excess_kurtosis_real"]
    checks.append(
        {
            "target": "excess kurtosis within 30% of real",
            "met": bool(abs(kurtosis - real_kurtosis) <= 0.3 * abs(real_kurtosis)),
            "value": kurtosis,
            "reference": real_kurtosis,
        }
    )
    lag1, real_lag1 = row["acf_returns_lag1"], real["acf_returns_lag1_real"]
    checks.append(
        {
            "target": "lag-1 ACF of r within 0.05 of real",
            "met": bool(abs(lag1 - real_lag1) <= 0.05),
            "value": lag1,
            "reference": real_lag1,
        }
    )
    return checks


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Finance scores of synthetic paths beside the baselines' and the real floor.

    Attributes:
        rows: {name: flat row (`summarise`)}: "synthetic", each of `BASELINES`, "real floor".
        real: `real_values(history)`.
        checks: `target_checks` of the synthetic row.
        settings: n_paths, path_len, seed, max_lag, and the fitted baseline settings.
        seconds: {name: seconds to fit and sample} per baseline.
    """

    rows: dict
    real: dict
    checks: list
    settings: dict
    seconds: dict

    def beats(self, baseline):
        """(met, total) of the `TARGET_SCORES` on which the synthetic paths beat `baseline`."""
        mine = [c["met"] for c in self.checks if c["target"].startswith(f"beats {baseline} on")]
        return sum(mine), len(mine)

    def verdict(self):
        """One sentence: on how many of the target scores the synthetic paths beat GARCH-t and the bootstrap."""
        labels = ", ".join(label for _, label in TARGET_SCORES)
        garch, total = self.beats("GARCH-t")
        boot, _ = self.beats("bootstrap")
        return (
            f"The synthetic paths beat GARCH(1,1)-t on {garch} of {total} target scores ({labels}) "
            f"and the stationary bootstrap of the history on {boot} of {total}."
        )

    def to_dict(self):
        """JSON-ready dict for metrics.json (NaN as None)."""

        def clean(value):
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [clean(v) for v in value]
            if isinstance(value, float | np.floating):
                return float(value) if np.isfinite(value) else None
            return value

        return clean(
            {
                "verdict": self.verdict(),
                "rows": self.rows,
                "paper": PAPER_ROWS,
                "real": self.real,
                "checks": self.checks,
                "settings": self.settings,
                "seconds": self.seconds,
            }
        )


def compare_with_baselines(history, synthetic, *, seed=0, max_lag=MAX_LAG, dependence="copula", block_size=None):
    """Scores synthetic price paths and the same number of paths of each baseline against `history`.

    Args:
        history: positive prices (n_days, n_features), the real history (n_days >= 5).
        synthetic: positive prices (n_paths, path_len, n_features), path_len >= 3; each baseline
            draws as many paths of the same length.
        seed: seed of the baselines' paths. Default 0.
        max_lag: ACF/leverage lags asked for (default 250, Quant GANs' S); the scores use at most
            the paths' length less 2.
        dependence, block_size: see `fit_baselines`.

    Returns:
        `Comparison`.

    Raises:
        ValueError: on invalid arrays (shape, NaN, non-positive prices), different feature
            counts, or invalid options.
    """
    history = np.asarray(history, dtype=np.float64)
    synthetic = np.asarray(synthetic, dtype=np.float64)
    _checks.check_seed(seed)
    if history.ndim != 2 or synthetic.ndim != 3 or synthetic.shape[2] != history.shape[1]:
        raise ValueError(
            "Expected a history (n_days, n_features) and paths (n_paths, path_len, n_features) of the same "
            f"features. Received: history.shape={history.shape}, synthetic.shape={synthetic.shape}"
        )
    n_paths, path_len = synthetic.shape[:2]
    rows = {"synthetic": summarise(finance_scores(history, synthetic, max_lag=max_lag), synthetic)}
    generators, fitted, fit_seconds = fit_baselines(
        history, n_paths, path_len, dependence=dependence, block_size=block_size
    )
    seconds = {}
    for name in BASELINES:
        started = time.monotonic()
        paths = generators[name](seed)
        rows[name] = summarise(finance_scores(history, paths, max_lag=max_lag), paths)
        seconds[name] = round(time.monotonic() - started + fit_seconds.get(name, 0.0), 2)
    rows["real floor"] = summarise(real_floor(history, max_lag=max_lag))
    real = real_values(history)
    checks = target_checks(rows["synthetic"], rows["GARCH-t"], rows["bootstrap"], real)
    settings = {"n_paths": n_paths, "path_len": path_len, "seed": seed, "max_lag": max_lag, **fitted}
    return Comparison(rows=rows, real=real, checks=checks, settings=settings, seconds=seconds)
