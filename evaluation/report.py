"""The evaluation report: every metric and picture for one pair of real and synthetic windows.

`evaluate_arrays` computes the metrics, renders the figures and writes `report.html` (one
self-contained page, images embedded), `metrics.json` and one PNG per figure. `evaluate_run`
does the same for a run directory written by `scripts/train.py`. Nothing is written until every
number and picture has been computed, each file is written atomically, and `report.html` is
written last.

Each metric has a real-data baseline beside it: the discriminative score of two random halves
of the real windows (what "indistinguishable" scores with this classifier and data size), the
predictive MAE of the predictor trained on real windows, and the stylized facts of the real
prices.
"""

import base64
import datetime
import html
import io
import json
import logging
import math
import time
from pathlib import Path

import matplotlib.figure
import numpy as np

from evaluation import _checks
from evaluation.discriminative import discriminative_score, plot_roc
from evaluation.diversity import pca_embedding, plot_embedding, tsne_embedding
from evaluation.predictive import plot_predictive_curves, predictive_score
from evaluation.stylized_facts import (
    ACF_KINDS,
    plot_acf,
    plot_return_histogram,
    stylized_facts,
)
from timegan import _atomic

logger = logging.getLogger(__name__)

# Every file the report may write; files of an earlier report that this one does not
# produce again are removed so that the directory describes one report only.
FIGURE_FILES = (
    "samples.png",
    "losses.png",
    "pca.png",
    "tsne.png",
    "roc.png",
    "predictive_last.png",
    "predictive_all.png",
    "returns.png",
    "acf.png",
    "acf_long.png",
)
REPORT_FILES = ("report.html", "metrics.json", *FIGURE_FILES)
MIN_TSNE_POINTS = 10


def evaluate_run(run_dir, output_dir=None, long_path_len=250, **options):
    """Evaluates a training run directory and writes its report.

    The real windows are the run's prices cut into windows; the synthetic ones are the
    run's `synthetic.csv` (generated anew with the run's seed if it is missing). For the
    stylized facts of long paths, the model also generates paths of `long_path_len` steps
    (its recurrent networks run beyond the training window length), as many as make up the
    length of the real price history, which is the real long path.

    Args:
        run_dir: directory written by `scripts/train.py`.
        output_dir: where to write the report. Defaults to `run_dir`.
        long_path_len: steps per generated long path; 0 to skip long paths. Defaults to 250
            (about a trading year), or the length of the price history if shorter.
        **options: keyword options of `evaluate_arrays`.

    Returns:
        The metrics dict (as written to `metrics.json`).

    Raises:
        FileNotFoundError, ValueError: if the run cannot be read or an option is invalid.
    """
    from timegan import load_run

    _checks.check_int(long_path_len, "long_path_len", minimum=0)
    run = load_run(run_dir)
    real = run.real_windows
    synthetic = run.synthetic
    seed = options.get("seed", 0)
    if synthetic is None:
        logger.info("The run has no synthetic.csv: generating %d windows.", len(real))
        synthetic = run.model.generate(len(real), seed=run.model.config.seed)
    long_real = long_synthetic = None
    history = run.prices.to_numpy(dtype=np.float64)[None]
    length = min(long_path_len, history.shape[1])
    if length >= 3:
        n_paths = max(1, round(history.shape[1] / length))
        logger.info("Generating %d long paths of %d steps.", n_paths, length)
        long_real = history
        long_synthetic = run.model.generate(n_paths, seed=seed, seq_len=length)
    info = {"run": str(run.path), **run.info, **run.model.data_info, "steps_done": run.model.steps_done}
    return evaluate_arrays(
        real,
        synthetic,
        run.path if output_dir is None else output_dir,
        feature_names=run.feature_names,
        losses=run.losses,
        info=info,
        long_real=long_real,
        long_synthetic=long_synthetic,
        **options,
    )


def evaluate_arrays(
    real,
    synthetic,
    output_dir,
    feature_names=None,
    *,
    losses=None,
    info=None,
    long_real=None,
    long_synthetic=None,
    title="How real are the synthetic paths?",
    seed=0,
    repeats=1,
    discriminative_iterations=2000,
    discriminative_cell="lstm",
    predictive_iterations=5000,
    predictive_cell="gru",
    all_features=True,
    max_samples=1000,
    tsne=True,
    price_features=None,
    max_lag=None,
    tail_fraction=0.05,
    progress=True,
):
    """Computes every metric for `real` vs `synthetic` and writes the report to `output_dir`.

    The discriminative, predictive and diversity metrics use both arrays MinMax-scaled with
    the real data's per-feature range; the stylized facts use the original units.

    Args:
        real: array (n_real, seq_len, n_features), original units.
        synthetic: array (n_synthetic, seq_len, n_features), original units.
        output_dir: directory to write report.html, metrics.json and the PNGs to (created if
            needed; other files in it are left alone).
        feature_names: one name per feature: strings or (ticker, field) tuples. Defaults to
            x0, x1, ...
        losses: optional DataFrame of training losses (columns phase, step, loss names).
        info: optional dict describing the data (tickers, dates, ...), shown in the report.
        long_real: optional array (n_paths, length, n_features) of long real price paths (for
            example the whole history as one path), original units.
        long_synthetic: optional array (m, length', n_features) of long synthetic paths. With
            `long_real`, their stylized facts are compared too, over up to 20 lags.
        title: page title.
        seed: seed of every metric. Defaults to 0.
        repeats: repeats of the discriminative and predictive metrics. Defaults to 1.
        discriminative_iterations: classifier iterations. Defaults to 2000.
        discriminative_cell: "lstm" (default) or "gru".
        predictive_iterations: predictor iterations. Defaults to 5000.
        predictive_cell: "gru" (default) or "lstm".
        all_features: also score the all-features next-step variant. Defaults to True.
        max_samples: windows per set in PCA and t-SNE. Defaults to 1000.
        tsne: compute the t-SNE embedding. Defaults to True.
        price_features: indices of the price features for the stylized facts. Defaults to
            every feature whose name does not mention volume.
        max_lag: largest lag of the autocorrelation curves. Defaults to min(10, seq_len - 2).
        tail_fraction: tail share of the Hill index and gain/loss ratio. Defaults to 0.05.
        progress: show progress bars. Defaults to True.

    Returns:
        The metrics dict (as written to `metrics.json`).

    Raises:
        ValueError: on invalid arrays, names or options, or an `output_dir` that is a file.
    """
    real, synthetic = _checks.check_pair(real, synthetic, min_seq_len=3)
    n_features = real.shape[2]
    names = _feature_labels(feature_names, n_features)
    _checks.check_seed(seed)
    for name, value in (
        ("repeats", repeats),
        ("discriminative_iterations", discriminative_iterations),
        ("predictive_iterations", predictive_iterations),
        ("max_samples", max_samples),
    ):
        _checks.check_int(value, name)
    _checks.check_choice(discriminative_cell, "discriminative_cell", ("gru", "lstm"))
    _checks.check_choice(predictive_cell, "predictive_cell", ("gru", "lstm"))
    _checks.check_fraction(tail_fraction, "tail_fraction", high=0.5)
    price_features = _price_features(price_features, feature_names, n_features)
    max_lag = min(10, real.shape[1] - 2) if max_lag is None else max_lag
    _checks.check_int(max_lag, "max_lag")
    if max_lag > real.shape[1] - 2:
        raise ValueError(
            f"Expected `max_lag` to be at most seq_len - 2 = {real.shape[1] - 2}. "
            f"Received: max_lag={max_lag!r}"
        )
    if (long_real is None) != (long_synthetic is None):
        raise ValueError(
            "Expected both `long_real` and `long_synthetic`, or neither. Received: "
            f"long_real is {'None' if long_real is None else 'given'}, "
            f"long_synthetic is {'None' if long_synthetic is None else 'given'}"
        )
    if long_real is not None:
        long_real = _checks.check_windows(long_real, "long_real", min_seq_len=3)
        long_synthetic = _checks.check_windows(long_synthetic, "long_synthetic", min_seq_len=3)
        for name, array in (("long_real", long_real), ("long_synthetic", long_synthetic)):
            if array.shape[2] != n_features:
                raise ValueError(
                    f"Expected `{name}` to have {n_features} features like `real`. "
                    f"Received: {name}.shape={array.shape}"
                )
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"Expected `output_dir` to be a directory. Received: {str(output_dir)!r}")
    options = {
        "seed": seed,
        "repeats": repeats,
        "discriminative_iterations": discriminative_iterations,
        "discriminative_cell": discriminative_cell,
        "predictive_iterations": predictive_iterations,
        "predictive_cell": predictive_cell,
        "all_features": bool(all_features),
        "max_samples": max_samples,
        "tsne": bool(tsne),
        "max_lag": max_lag,
        "tail_fraction": tail_fraction,
    }

    timings = {}
    figures = {}
    notes = []
    metrics = {
        "data": _describe(real, synthetic, names, info),
        "options": options,
        "timings": timings,
        "notes": notes,
    }

    def timed(key, function, *args, **kwargs):
        started = time.monotonic()
        logger.info("Evaluating: %s ...", key.replace("_", " "))
        result = function(*args, **kwargs)
        timings[key] = round(time.monotonic() - started, 2)
        return result

    figures["samples.png"] = _plot_samples(real, synthetic, names, seed)
    if losses is not None and len(losses):
        figures["losses.png"] = _plot_losses(losses)

    # Diversity.
    pca = timed("pca", pca_embedding, real, synthetic, max_samples=max_samples, seed=seed)
    metrics["diversity"] = {
        "pca_explained_variance_ratio": list(pca.explained_variance_ratio),
        "n_real": len(pca.real),
        "n_synthetic": len(pca.synthetic),
    }
    figures["pca.png"] = plot_embedding(pca)
    n_points = min(len(real), max_samples) + min(len(synthetic), max_samples)
    if tsne and n_points >= MIN_TSNE_POINTS:
        perplexity = min(40.0, (n_points - 1) / 3)
        embedding = timed(
            "tsne", tsne_embedding, real, synthetic, max_samples=max_samples,
            perplexity=perplexity, seed=seed,
        )
        figures["tsne.png"] = plot_embedding(embedding)
        metrics["diversity"]["tsne_perplexity"] = perplexity
    elif tsne:
        notes.append(f"t-SNE skipped: {n_points} windows, fewer than {MIN_TSNE_POINTS}.")

    # Fidelity, with real vs real (two random halves) as the baseline.
    disc_options = {
        "cell": discriminative_cell,
        "iterations": discriminative_iterations,
        "repeats": repeats,
        "seed": seed,
        "progress": progress,
    }
    disc = timed("discriminative", discriminative_score, real, synthetic, **disc_options)
    metrics["discriminative"] = disc.to_dict()
    disc_baseline = None
    if len(real) >= 6:
        order = np.random.default_rng(seed).permutation(len(real))
        half = len(real) // 2
        disc_baseline = timed(
            "discriminative_baseline", discriminative_score,
            real[order[:half]], real[order[half : 2 * half]], **disc_options,
        )
        metrics["discriminative"]["baseline"] = disc_baseline.to_dict()
    else:
        notes.append("Discriminative baseline skipped: fewer than 6 real windows.")
    figures["roc.png"] = plot_roc(disc, baseline=disc_baseline)

    # Utility: train on synthetic, test on real; baseline trained on real.
    pred_options = {
        "cell": predictive_cell,
        "iterations": predictive_iterations,
        "repeats": repeats,
        "seed": seed,
        "progress": progress,
    }
    targets = (["last"] if n_features >= 2 else []) + (
        ["all"] if all_features or n_features < 2 else []
    )
    if n_features < 2:
        notes.append("One feature only: the last-feature predictive score needs two or more.")
    for target in targets:
        pred = timed(
            f"predictive_{target}", predictive_score, real, synthetic, target=target, **pred_options
        )
        metrics[f"predictive_{target}"] = pred.to_dict()
        figures[f"predictive_{target}.png"] = plot_predictive_curves(pred)

    # Stylized facts, on the original units of the price features.
    def compare_facts(key, real_paths, synthetic_paths, lag, prefix=""):
        usable, excluded = _positive_features(real_paths, synthetic_paths, price_features, names)
        notes.extend(prefix + note for note in excluded)
        if not usable:
            notes.append(f"{prefix}Stylized facts skipped: no price feature with positive values in both sets.")
            return None
        facts = {
            which: timed(
                f"{key}_{which}", stylized_facts, data, features=usable, max_lag=lag,
                tail_fraction=tail_fraction,
            )
            for which, data in (("real", real_paths), ("synthetic", synthetic_paths))
        }
        metrics[key] = {
            "features": [names[i] for i in usable],
            "real_shape": list(real_paths.shape),
            "synthetic_shape": list(synthetic_paths.shape),
            "real": facts["real"].to_dict(),
            "synthetic": facts["synthetic"].to_dict(),
        }
        figures[f"{key.replace('stylized_facts', 'acf')}.png"] = _plot_acf_panels(
            facts["real"], facts["synthetic"]
        )
        return usable

    usable = compare_facts("stylized_facts", real, synthetic, max_lag)
    if usable:
        figures["returns.png"] = plot_return_histogram(real, synthetic, features=usable)
    if long_real is not None:
        long_lag = min(20, long_real.shape[1] - 2, long_synthetic.shape[1] - 2)
        compare_facts("stylized_facts_long", long_real, long_synthetic, long_lag, "Long paths: ")

    metrics["created"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    images = {name: _png(figure) for name, figure in figures.items()}
    metrics["files"] = ["report.html", "metrics.json", *images]
    page = _html(title, metrics, images, names)
    _write(output_dir, images, metrics, page)
    logger.info("Report written to %s", output_dir / "report.html")
    return metrics


# ---------------------------------------------------------------------- data description


def _feature_labels(feature_names, n_features):
    if feature_names is None:
        return [f"x{i}" for i in range(n_features)]
    names = list(feature_names)
    if len(names) != n_features:
        raise ValueError(
            f"Expected one name per feature ({n_features}). "
            f"Received: {len(names)} feature_names={names!r}"
        )
    return [" ".join(str(p) for p in n) if isinstance(n, (tuple, list)) else str(n) for n in names]


def _price_features(price_features, feature_names, n_features):
    if price_features is not None:
        return _checks.check_features(price_features, n_features, "price_features")
    if feature_names is None:
        return list(range(n_features))
    return [
        i
        for i, name in enumerate(feature_names)
        if "volume" not in (str(name[-1]) if isinstance(name, (tuple, list)) else str(name)).lower()
    ]


def _positive_features(real, synthetic, features, names):
    usable, excluded = [], []
    for i in features:
        lows = {"real": float(real[..., i].min()), "synthetic": float(synthetic[..., i].min())}
        bad = {k: v for k, v in lows.items() if v <= 0}
        if bad:
            where = ", ".join(f"min({k})={v:.4g}" for k, v in bad.items())
            excluded.append(f"Stylized facts leave out {names[i]}: non-positive prices ({where}).")
        else:
            usable.append(i)
    return usable, excluded


def _describe(real, synthetic, names, info):
    per_feature = [
        {
            "feature": name,
            "real_mean": float(real[..., i].mean()),
            "real_std": float(real[..., i].std()),
            "real_min": float(real[..., i].min()),
            "real_max": float(real[..., i].max()),
            "synthetic_mean": float(synthetic[..., i].mean()),
            "synthetic_std": float(synthetic[..., i].std()),
            "synthetic_min": float(synthetic[..., i].min()),
            "synthetic_max": float(synthetic[..., i].max()),
        }
        for i, name in enumerate(names)
    ]
    return {
        "n_real": int(real.shape[0]),
        "n_synthetic": int(synthetic.shape[0]),
        "seq_len": int(real.shape[1]),
        "n_features": int(real.shape[2]),
        "feature_names": list(names),
        "features": per_feature,
        "info": dict(info or {}),
    }


# ---------------------------------------------------------------------- figures


def _plot_samples(real, synthetic, names, seed, n_windows=5):
    """Up to 4 features: a few real windows beside a few synthetic ones, original units."""
    shown = list(range(min(4, len(names))))
    figure = matplotlib.figure.Figure(figsize=(10, 2.4 * len(shown)))
    axes = figure.subplots(len(shown), 2, squeeze=False, sharey="row")
    rng = np.random.default_rng(seed)
    picks = {
        "real": rng.choice(len(real), size=min(n_windows, len(real)), replace=False),
        "synthetic": rng.choice(len(synthetic), size=min(n_windows, len(synthetic)), replace=False),
    }
    for row, feature in enumerate(shown):
        for ax, (label, data) in zip(axes[row], (("real", real), ("synthetic", synthetic))):
            ax.plot(data[picks[label], :, feature].T, linewidth=1)
            ax.set_title(f"{names[feature]}: {len(picks[label])} {label} windows", fontsize="medium")
            ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("step in window")
    figure.tight_layout()
    return figure


def _plot_losses(losses):
    import matplotlib.pyplot as plt

    from timegan.plots import plot_losses

    figure = plot_losses(losses)
    # plot_losses draws through pyplot: detach the figure so it is not kept open.
    plt.close(figure)
    return figure


def _plot_acf_panels(real, synthetic):
    figure = matplotlib.figure.Figure(figsize=(10, 7))
    for ax, kind in zip(figure.subplots(2, 2).ravel(), ACF_KINDS):
        plot_acf(real, synthetic, kind=kind, ax=ax)
    figure.tight_layout()
    return figure


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


# ---------------------------------------------------------------------- files


def _json_ready(value):
    """Replaces NaN/inf by None and numpy scalars by Python numbers, recursively."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _write(output_dir, images, metrics, page):
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        if name not in images and name not in ("report.html", "metrics.json"):
            (output_dir / name).unlink(missing_ok=True)
    for name, data in images.items():
        with _atomic.atomic_path(output_dir / name) as tmp:
            tmp.write_bytes(data)
    _atomic.write_json(output_dir / "metrics.json", _json_ready(metrics))
    _atomic.write_text(output_dir / "report.html", page)


# ---------------------------------------------------------------------- HTML

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; } td.note { text-align: left; color: #555; }
img { max-width: 100%; } .row { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.row img { max-width: 48%; } .notes { color: #8a4b00; } pre { background: #f7f7f7; padding: .8em; }
"""


def _number(value, std=None, digits=4):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    text = f"{value:.{digits}f}"
    if std is not None and std > 0:
        text += f" ± {std:.{digits}f}"
    return text


def _table(header, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(cell if cell.startswith("<td") else f"<td>{cell}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _img(images, name, alt):
    if name not in images:
        return ""
    data = base64.b64encode(images[name]).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _metrics_rows(metrics):
    rows = []
    disc = metrics["discriminative"]
    base = disc.get("baseline")
    rows.append([
        "Discriminative score |accuracy − 0.5|",
        _number(disc["score"], disc["score_std"]),
        _number(base["score"], base["score_std"]) if base else "n/a",
        '<td class="note">0: indistinguishable, 0.5: trivially separable. Baseline: two random halves of the real windows.</td>',
    ])
    rows.append([
        "Classifier test accuracy",
        _number(disc["accuracy"], disc["accuracy_std"]),
        _number(base["accuracy"], base["accuracy_std"]) if base else "n/a",
        '<td class="note">0.5 is chance.</td>',
    ])
    rows.append([
        "Classifier ROC AUC",
        _number(disc["auc"], disc["auc_std"]),
        _number(base["auc"], base["auc_std"]) if base else "n/a",
        '<td class="note">0.5: indistinguishable; 1 (or 0): separable.</td>',
    ])
    for target, label in (("last", "last feature"), ("all", "all features")):
        pred = metrics.get(f"predictive_{target}")
        if pred:
            rows.append([
                f"Predictive MAE, next step of {label}",
                _number(pred["mae"], pred["mae_std"]),
                _number(pred["baseline_mae"], pred["baseline_mae_std"]),
                '<td class="note">Trained on synthetic, tested on all real windows (TSTR); '
                "baseline trained on the real windows. Lower is better; close to the baseline is the goal.</td>",
            ])
    return rows


_FACT_LABELS = {
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


def _facts_rows(facts):
    real, synthetic = facts["real"], facts["synthetic"]
    rows = [[html.escape(label), _number(real[key]), _number(synthetic[key])] for key, label in _FACT_LABELS.items()]
    rows.append(["returns pooled", str(real["n_returns"]), str(synthetic["n_returns"])])
    return rows


def _html(title, metrics, images, names):
    data = metrics["data"]
    info = data["info"]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Created {html.escape(metrics['created'])}. All numbers are in "
        "<code>metrics.json</code> beside this page.</p>",
        "<h2>Data</h2>",
        _table(
            ["", "real", "synthetic"],
            [
                ["windows", str(data["n_real"]), str(data["n_synthetic"])],
                ["steps per window", str(data["seq_len"]), str(data["seq_len"])],
                ["features", str(data["n_features"]), str(data["n_features"])],
            ],
        ),
    ]
    if info:
        rows = [[html.escape(str(k)), f'<td class="note">{html.escape(json.dumps(v, default=str))}</td>']
                for k, v in info.items() if k != "config"]
        parts.append(_table(["run / data", "value"], rows))
    parts.append(
        _table(
            ["feature", "real mean", "real std", "real min", "real max",
             "synthetic mean", "synthetic std", "synthetic min", "synthetic max"],
            [[html.escape(f["feature"])] + [_number(f[k]) for k in (
                "real_mean", "real_std", "real_min", "real_max",
                "synthetic_mean", "synthetic_std", "synthetic_min", "synthetic_max")]
             for f in data["features"]],
        )
    )
    parts.append(_img(images, "samples.png", "real and synthetic windows"))
    if "losses.png" in images:
        parts += ["<h2>Training losses</h2>", _img(images, "losses.png", "training losses")]

    parts += [
        "<h2>Metrics</h2>",
        "<p>Discriminative, predictive and diversity metrics are computed on both sets scaled to "
        "[0, 1] with the real data's per-feature range; "
        f"{metrics['options']['repeats']} repeat(s), seed {metrics['options']['seed']}.</p>",
        _table(["metric", "synthetic", "real baseline", "how to read"], _metrics_rows(metrics)),
    ]
    if metrics["notes"]:
        parts.append("<ul class='notes'>" + "".join(f"<li>{html.escape(n)}</li>" for n in metrics["notes"]) + "</ul>")

    parts += [
        "<h2>Diversity: PCA and t-SNE</h2>",
        "<p>Each window is reduced to its mean over features (up to "
        f"{metrics['options']['max_samples']} windows per set). Synthetic points should cover "
        "the real ones, neither collapsing to a few modes nor spreading outside them.</p>",
        "<div class='row'>", _img(images, "pca.png", "PCA"), _img(images, "tsne.png", "t-SNE"), "</div>",
        "<h2>Fidelity: post-hoc classifier</h2>",
        _img(images, "roc.png", "ROC curve"),
        "<h2>Utility: train on synthetic, test on real</h2>",
        "<div class='row'>",
        _img(images, "predictive_last.png", "predictive MAE, last feature"),
        _img(images, "predictive_all.png", "predictive MAE, all features"),
        "</div>",
    ]
    facts = metrics.get("stylized_facts")
    if facts:
        parts += [
            "<h2>Stylized facts of returns</h2>",
            "<p>Log returns within windows of "
            + html.escape(", ".join(facts["features"]))
            + ", standardised per feature and pooled.</p>",
            _table(["fact", "real", "synthetic"], _facts_rows(facts)),
            "<div class='row'>", _img(images, "returns.png", "return distribution"), "</div>",
            _img(images, "acf.png", "autocorrelations"),
        ]
    long = metrics.get("stylized_facts_long")
    if long:
        (n_real, real_len, _), (n_synthetic, synthetic_len, _) = long["real_shape"], long["synthetic_shape"]
        parts += [
            "<h2>Stylized facts of long paths</h2>",
            f"<p>Real: {n_real} path(s) of {real_len} steps; synthetic: {n_synthetic} generated "
            f"path(s) of {synthetic_len} steps (beyond the training window length, where the model "
            "has never been trained).</p>",
            _table(["fact", "real", "synthetic"], _facts_rows(long)),
            _img(images, "acf_long.png", "autocorrelations of long paths"),
        ]
    parts += [
        "<h2>Settings and timings</h2>",
        "<pre>" + html.escape(json.dumps({"options": metrics["options"], "seconds": metrics["timings"]}, indent=2)) + "</pre>",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)
