"""The evaluation report as one self-contained HTML page, rendered from a Jinja2 template.

`render_html` turns what `evaluation.report.compute_report` computed (the `metrics.json` dict
and the PNGs) into a page with every image embedded, so the file can be mailed or archived on
its own. The template, `templates/report.html.j2`, ships with the package; values are escaped
(autoescape on), so names taken from files cannot inject markup.
"""

import base64
import functools
import json
import math

import jinja2

from evaluation.comparison import BASELINES, PAPER_ROWS, SCORE_COLUMNS

FACT_LABELS = {
    "excess_kurtosis": "Excess kurtosis (heavy tails > 0)",
    "hill_tail_index": "Hill tail index (smaller: heavier tails)",
    "skewness": "Skewness (gain/loss asymmetry < 0)",
    "gain_loss_ratio": "Gain/loss quantile ratio |q_low| / q_high",
    "acf_returns_lag1": "ACF of r, lag 1 (≈ 0)",
    "acf_returns_mean": "ACF of r, mean over lags (≈ 0)",
    "acf_abs_lag1": "ACF of |r|, lag 1 (volatility clustering > 0)",
    "acf_abs_mean": "ACF of |r|, mean over lags",
    "acf_squared_lag1": "ACF of r², lag 1",
    "acf_squared_mean": "ACF of r², mean over lags",
    "leverage_lag1": "Leverage corr(r_t, r²_{t+1}) (< 0 for equities)",
    "leverage_mean": "Leverage, mean over lags",
}


GENERATORS = ("synthetic", *BASELINES)
FINANCE_ROWS = (*GENERATORS, "real floor", *PAPER_ROWS)
FINANCE_LABELS = {"synthetic": "synthetic (this model)", "GARCH-t": "GARCH(1,1)-t", "GJR-t": "GJR-GARCH-t"}
FINANCE_VALUES = (
    ("excess_kurtosis", "kurtosis"),
    ("hill_tail_index", "Hill"),
    ("acf_returns_lag1", "ACF1(r)"),
    ("risk_1d", "VaR/ES 1d"),
    ("risk_20d", "VaR/ES 20d"),
    ("start_ratio_abs", "start |r|"),
)


def _finance_best(finance):
    """{score: name of the generator (synthetic or a baseline) with the lowest value}."""
    if not finance:
        return {}
    generators = [name for name in GENERATORS if name in finance["rows"]]
    best = {}
    for key, _ in SCORE_COLUMNS:
        values = {name: finance["rows"][name].get(key) for name in generators}
        values = {name: v for name, v in values.items() if v is not None and math.isfinite(v)}
        if values:
            best[key] = min(values, key=values.get)
    return best


def number(value, std=None, digits=4):
    """Formats `value` (± `std` if positive) with `digits` decimals; "n/a" for None, NaN or inf."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    text = f"{value:.{digits}f}"
    if std is not None and std > 0:
        text += f" ± {std:.{digits}f}"
    return text


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@functools.cache
def _environment():
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("evaluation", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["number"] = number
    environment.filters["data_uri"] = _data_uri
    environment.filters["json"] = lambda value: json.dumps(value, default=str, ensure_ascii=False)
    return environment


def render_html(metrics, images, title="How real are the synthetic paths?"):
    """Renders the report page.

    Args:
        metrics: the dict of `compute_report(...).metrics` (what `metrics.json` holds).
        images: dict of file name -> PNG bytes; each is embedded as a data URI where the page
            shows it (missing names are left out).
        title: page title.

    Returns:
        str: the HTML page.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title,
        m=metrics,
        images=images,
        # The config and the selection's every score are in metrics.json; the "model" line summarises the selection.
        info={k: v for k, v in metrics["data"]["info"].items() if k not in ("config", "selection")},
        fact_labels=FACT_LABELS,
        finance_rows=FINANCE_ROWS,
        finance_labels=FINANCE_LABELS,
        finance_columns=SCORE_COLUMNS,
        finance_values=FINANCE_VALUES,
        finance_best=_finance_best(metrics.get("finance")),
    )
