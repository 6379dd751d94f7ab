"""The evaluation report: every metric and picture for one pair of real and synthetic windows.

`compute_report` computes the metrics (the dict that `metrics.json` holds) and the figures (PNG
bytes); `evaluation.render` turns them into one self-contained HTML page from a Jinja2
template. `evaluate_arrays` does both and writes `report.html`, `metrics.json` and one PNG per
figure; `evaluate_run` does the same for a run directory written by `scripts/train.py`. Nothing
is written until every number and picture has been computed, each file is written atomically,
and `report.html` is written last.

By default the discriminative and predictive metrics hold out a time block of the real windows,
separated from the training windows by `seq_len` windows (`split="blocked"`, see
`evaluation.splits`), and the PCA/t-SNE pictures embed whole windows (`diversity="flatten"`),
which, unlike the paper's mean over features, see how the features relate.

Each metric has a real-data baseline beside it: the discriminative score of two random halves
of the real windows (what "indistinguishable" scores with this classifier and data size), the
predictive MAE of the predictor trained on real windows, the stylized facts of the real
prices, and the correlation distance of two halves of the real data.
"""

import dataclasses
import datetime
import io
import logging
import math
import time
from pathlib import Path

import matplotlib.figure
import numpy as np

from evaluation import _checks
from evaluation.comparison import compare_with_baselines
from evaluation.correlation import joint_structure, plot_correlation_matrices
from evaluation.discriminative import discriminative_score, plot_roc
from evaluation.diversity import pca_embedding, plot_embedding, tsne_embedding
from evaluation.finance import log_returns, start_transient
from evaluation.predictive import plot_predictive_curves, predictive_score
from evaluation.splits import SPLITS
from evaluation.stylized_facts import (
    ACF_KINDS,
    plot_acf,
    plot_return_histogram,
    stylized_facts,
)
from timegan import _atomic
from timegan.plots import plot_losses, plot_real_vs_synthetic
from timegan.preprocessing import make_windows

logger = logging.getLogger(__name__)

DIVERSITY = ("flatten", "mean", "both")
# Every file the report may write; files of an earlier report that this one does not
# produce again are removed so that the directory describes one report only.
FIGURE_FILES = (
    "samples.png",
    "losses.png",
    "pca.png",
    "tsne.png",
    "pca_mean.png",
    "tsne_mean.png",
    "roc.png",
    "predictive_last.png",
    "predictive_all.png",
    "returns.png",
    "acf.png",
    "acf_long.png",
    "correlation.png",
    "start_transient.png",
)
REPORT_FILES = ("report.html", "metrics.json", *FIGURE_FILES)
MIN_TSNE_POINTS = 10
# Long synthetic paths per report: enough that the finance scores of the model and of the
# baselines (drawn in the same number) vary little from one seed to the next.
MIN_LONG_PATHS = 100
# Steps per window of the window scores by default: the paper's 24 (Yoon et al. 2019, section 5),
# so that runs trained on longer windows are scored on the same windows as the paper's.
PAPER_WINDOW_LEN = 24


def evaluate_run(run_dir, output_dir=None, long_path_len=250, model="best", window_len=None, **options):
    """Evaluates a training run directory and writes its report.

    The real windows are the run's prices cut into windows; the synthetic ones are the
    run's `synthetic.csv` (generated anew with the run's seed if it is missing). For the
    stylized facts of long paths, the model also generates paths of `long_path_len` steps
    (its recurrent networks run beyond the training window length), as many as make up the
    length of the real price history (at least `MIN_LONG_PATHS`), the real long path being
    the history itself; these paths are also scored against GARCH, the bootstrap and a random
    walk (`compute_report(baselines=True)`). For a run of
    representation "returns", every real and synthetic window is divided by its first price
    (its paths start from one start price: the levels say nothing about the model).

    Args:
        run_dir: directory written by `scripts/train.py`.
        output_dir: where to write the report. Defaults to `run_dir`.
        long_path_len: steps per generated long path; 0 to skip long paths. Defaults to 250
            (about a trading year), or the length of the price history if shorter.
        model: "best" (default): the run's best model on its held-out days (`best/`; the last
            model for a run that kept none); "last": the model at the last step (`model/`).
            The report says which one it scored (and the best's joint step and score).
        window_len: steps per window of the window scores (discriminative, predictive, PCA, ...),
            an integer >= 3. Defaults to the paper's 24 (`PAPER_WINDOW_LEN`), or the run's
            `seq_len` if that is shorter, so that runs trained at different lengths are scored
            on the same windows. At the run's own length the synthetic windows are its
            `synthetic.csv`; at another length the prices are cut into windows of that length and
            the model generates as many windows of it (seed: the run's).
        **options: keyword options of `evaluate_arrays`.

    Returns:
        The metrics dict (as written to `metrics.json`).

    Raises:
        FileNotFoundError: if `run_dir` is not a directory.
        ValueError: if `run_dir` is not a run or an unfinished one, a cell of its prices.csv or
            synthetic.csv is not a finite number, `window_len` is longer than the run's prices,
            or an option is invalid.
    """
    from evaluation.files import check_run_files, read_windows
    from timegan import load_run

    _checks.check_int(long_path_len, "long_path_len", minimum=0)
    if window_len is not None:
        _checks.check_int(window_len, "window_len", minimum=3)
    # synthetic.csv is read (and checked cell by cell) only if its windows are the ones scored.
    check_run_files(run_dir, synthetic=False)
    run = load_run(run_dir, model=model, synthetic=False)
    seed = options.get("seed", 0)
    trained_len = run.model.config.seq_len
    window_length = min(trained_len, PAPER_WINDOW_LEN) if window_len is None else window_len
    if window_length > len(run.prices):
        raise ValueError(
            f"Expected window_len (--seq-len) to be at most the run's {len(run.prices)} days of prices. "
            f"Received: {window_len}"
        )
    real = make_windows(run.prices.to_numpy(), window_length)
    synthetic = None
    if window_length == trained_len and run.synthetic_path is not None:
        synthetic, _ = read_windows(run.synthetic_path, feature_names=run.feature_names)
    if synthetic is None:
        logger.info("Generating %d windows of %d steps (the run trained on %d).", len(real), window_length, trained_len)
        synthetic = run.model.generate(len(real), seed=run.model.config.seed, seq_len=window_length)
    long_real = long_synthetic = None
    history = run.prices.to_numpy(dtype=np.float64)[None]
    length = min(long_path_len, history.shape[1])
    if length >= 3:
        n_paths = max(MIN_LONG_PATHS, round(history.shape[1] / length))
        logger.info("Generating %d long paths of %d steps.", n_paths, length)
        long_real = history
        long_synthetic = run.model.generate(n_paths, seed=seed, seq_len=length)
    info = {
        "run": str(run.path),
        **run.info,
        **run.model.data_info,
        "steps_done": run.model.steps_done,
        "model": _model_description(run),
    }
    if run.selection is not None:
        info["selection"] = run.selection
    if window_length != trained_len:
        info["windows_length"] = f"{window_length} steps, generated for this report (the run trained on {trained_len})"
    if run.model.config.representation == "returns":
        # Returns paths all start near one price while real windows lie anywhere in the history:
        # compare shapes, not levels (every window divided by its first price), so the scores
        # judge the returns the model learned.
        real, synthetic = real / real[:, :1], synthetic / synthetic[:, :1]
        info["windows"] = "each window divided by its first price (returns model: shapes, not levels)"
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


def _model_description(run):
    """Which of the run's models the report scores, in one line."""
    if run.which == "best":
        selection = run.selection
        return (
            f"best on the held-out days (best/): joint step {selection['best_step']}, "
            f"{selection['metric']} {selection['best_score']:.4f}, scored every {selection['every']} steps"
        )
    if run.selection is None:
        return "last (model/); the run kept no best model"
    return f"last (model/); the best (best/) was joint step {run.selection['best_step']}"


@dataclasses.dataclass(frozen=True)
class Report:
    """What one evaluation computed, ready to render or save.

    Attributes:
        metrics: JSON-ready dict, exactly what `metrics.json` holds (data description, options,
            the split used, every metric with its real-data baseline, notes, timings).
        images: dict of file name -> PNG bytes, in the order the page shows them.
    """

    metrics: dict
    images: dict


def evaluate_arrays(
    real, synthetic, output_dir, feature_names=None, *, title="How real are the synthetic paths?", **options
):
    """Computes every metric for `real` vs `synthetic` and writes the report to `output_dir`.

    Args:
        real: array (n_real, seq_len, n_features), original units, in time order (stride-1
            windows of one series) for the default blocked split.
        synthetic: array (n_synthetic, seq_len, n_features), original units.
        output_dir: directory to write report.html, metrics.json and the PNGs to (created if
            needed; other files in it are left alone).
        feature_names: one name per feature: strings or (ticker, field) tuples. Defaults to
            x0, x1, ...
        title: page title.
        **options: keyword options of `compute_report`.

    Returns:
        The metrics dict (as written to `metrics.json`).

    Raises:
        ValueError: on invalid arrays, names or options, or an `output_dir` that is a file.
    """
    from evaluation.render import render_html

    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"Expected `output_dir` to be a directory. Received: {str(output_dir)!r}")
    report = compute_report(real, synthetic, feature_names, **options)
    page = render_html(report.metrics, report.images, title=title)
    _write(output_dir, report.images, report.metrics, page)
    logger.info("Report written to %s", output_dir / "report.html")
    return report.metrics


def compute_report(
    real,
    synthetic,
    feature_names=None,
    *,
    losses=None,
    info=None,
    long_real=None,
    long_synthetic=None,
    seed=0,
    repeats=1,
    split="blocked",
    diversity="flatten",
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
    baselines=True,
    progress=True,
):
    """Computes every metric and figure for `real` vs `synthetic`; writes nothing.

    The discriminative, predictive and diversity metrics use both arrays MinMax-scaled with
    the real data's per-feature range; the stylized facts use the original units. With two or
    more price features, the joint structure (`evaluation.correlation.joint_structure`: the
    correlation matrices of r and |r|, their distance and the real floor) is computed on the
    long paths when given, else on the windows (`metrics["correlation"]`, `correlation.png`).

    Args:
        real: array (n_real, seq_len, n_features), original units; in time order (stride-1
            windows of one series) for `split="blocked"`.
        synthetic: array (n_synthetic, seq_len, n_features), original units.
        feature_names: one name per feature: strings or (ticker, field) tuples. Defaults to
            x0, x1, ...
        losses: optional DataFrame of training losses (columns phase, step, loss names).
        info: optional dict describing the data (tickers, dates, ...), shown in the report.
        long_real: optional array (n_paths, length, n_features) of long real price paths (for
            example the whole history as one path), original units.
        long_synthetic: optional array (m, length', n_features) of long synthetic paths. With
            `long_real`, their stylized facts are compared too, over up to 20 lags.
        seed: seed of every metric. Defaults to 0.
        repeats: repeats of the discriminative and predictive metrics. Defaults to 1.
        split: "blocked" (default): a time block of real windows, `seq_len` windows away from
            the training windows, is held out (no shared day; the predictive baseline is
            scored on it too); "random": the TimeGAN paper's protocol. See `evaluation.splits`.
        diversity: what PCA and t-SNE embed: "flatten" (default) whole windows, steps x
            features; "mean" the paper's mean over features; "both" draws both.
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
        baselines: when `long_real` is one history (1, n_days, n_features), also score the long
            synthetic paths and as many paths of GARCH(1,1)-t, GJR-GARCH-t, a stationary
            bootstrap and a Gaussian random walk against it with the Quant GANs scores
            (`evaluation.comparison.compare_with_baselines`, `metrics["finance"]`; the page
            opens with its verdict). Defaults to True.
        progress: show progress bars. Defaults to True.

    Returns:
        `Report`: the metrics dict and the PNGs.

    Raises:
        ValueError: on invalid arrays, names or options.
    """
    real, synthetic = _checks.check_pair(real, synthetic, min_seq_len=3)
    seq_len, n_features = real.shape[1], real.shape[2]
    names = _feature_labels(feature_names, n_features)
    _checks.check_seed(seed)
    for name, value in (
        ("repeats", repeats),
        ("discriminative_iterations", discriminative_iterations),
        ("predictive_iterations", predictive_iterations),
        ("max_samples", max_samples),
    ):
        _checks.check_int(value, name)
    _checks.check_choice(split, "split", SPLITS)
    _checks.check_choice(diversity, "diversity", DIVERSITY)
    _checks.check_choice(discriminative_cell, "discriminative_cell", ("gru", "lstm"))
    _checks.check_choice(predictive_cell, "predictive_cell", ("gru", "lstm"))
    _checks.check_fraction(tail_fraction, "tail_fraction", high=0.5)
    price_features = _price_features(price_features, feature_names, n_features)
    max_lag = min(10, seq_len - 2) if max_lag is None else max_lag
    _checks.check_int(max_lag, "max_lag")
    if max_lag > seq_len - 2:
        raise ValueError(f"Expected `max_lag` to be at most seq_len - 2 = {seq_len - 2}. Received: max_lag={max_lag!r}")
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
                    f"Expected `{name}` to have {n_features} features like `real`. Received: {name}.shape={array.shape}"
                )
    options = {
        "seed": seed,
        "repeats": repeats,
        "split": split,
        "diversity": diversity,
        "discriminative_iterations": discriminative_iterations,
        "discriminative_cell": discriminative_cell,
        "predictive_iterations": predictive_iterations,
        "predictive_cell": predictive_cell,
        "all_features": bool(all_features),
        "max_samples": max_samples,
        "tsne": bool(tsne),
        "max_lag": max_lag,
        "tail_fraction": tail_fraction,
        "baselines": bool(baselines),
    }

    timings = {}
    figures = {}
    notes = []
    metrics = {
        "data": _describe(real, synthetic, names, info),
        "options": options,
        "split": _split_description(split, seq_len),
        "timings": timings,
        "notes": notes,
    }

    def timed(key, function, *args, **kwargs):
        started = time.monotonic()
        logger.info("Evaluating: %s ...", key.replace("_", " "))
        result = function(*args, **kwargs)
        timings[key] = round(time.monotonic() - started, 2)
        return result

    figures["samples.png"] = plot_real_vs_synthetic(
        real, synthetic, names, features=range(min(4, n_features)), seed=seed
    )
    if losses is not None and len(losses):
        figures["losses.png"] = plot_losses(losses)

    # Diversity: whole windows (they see how features relate), the paper's window means, or both.
    reductions = {"flatten": ["flatten"], "mean": ["mean"], "both": ["flatten", "mean"]}[diversity]
    metrics["diversity"] = {"reductions": reductions}
    n_points = min(len(real), max_samples) + min(len(synthetic), max_samples)
    for reduction in reductions:
        suffix = "" if reduction == reductions[0] else f"_{reduction}"
        pca = timed(
            f"pca{suffix}", pca_embedding, real, synthetic, reduction=reduction, max_samples=max_samples, seed=seed
        )
        metrics["diversity"][reduction] = {
            "pca_explained_variance_ratio": list(pca.explained_variance_ratio),
            "n_real": len(pca.real),
            "n_synthetic": len(pca.synthetic),
        }
        figures[f"pca{suffix}.png"] = plot_embedding(pca)
        if tsne and n_points >= MIN_TSNE_POINTS:
            perplexity = min(40.0, (n_points - 1) / 3)
            embedding = timed(
                f"tsne{suffix}",
                tsne_embedding,
                real,
                synthetic,
                reduction=reduction,
                max_samples=max_samples,
                perplexity=perplexity,
                seed=seed,
            )
            figures[f"tsne{suffix}.png"] = plot_embedding(embedding)
            metrics["diversity"][reduction]["tsne_perplexity"] = perplexity
    if tsne and n_points < MIN_TSNE_POINTS:
        notes.append(f"t-SNE skipped: {n_points} windows, fewer than {MIN_TSNE_POINTS}.")

    # Fidelity, with real vs real (two halves of the real windows) as the baseline.
    disc_options = {
        "cell": discriminative_cell,
        "iterations": discriminative_iterations,
        "repeats": repeats,
        "split": split,
        "gap": seq_len,
        "seed": seed,
        "progress": progress,
    }
    disc = timed("discriminative", discriminative_score, real, synthetic, **disc_options)
    metrics["discriminative"] = disc.to_dict()
    disc_baseline = None
    first, second = _real_halves(len(real), seq_len, split, seed)
    try:
        disc_baseline = timed(
            "discriminative_baseline", discriminative_score, real[first], real[second], **disc_options
        )
        metrics["discriminative"]["baseline"] = disc_baseline.to_dict()
    except ValueError as error:
        notes.append(f"Discriminative baseline skipped: {len(real)} real windows are too few to halve ({error}).")
    figures["roc.png"] = plot_roc(disc, baseline=disc_baseline)

    # Utility: train on synthetic, test on real; baseline trained on real.
    pred_options = {
        "cell": predictive_cell,
        "iterations": predictive_iterations,
        "repeats": repeats,
        "split": split,
        "gap": seq_len,
        "seed": seed,
        "progress": progress,
    }
    targets = (["last"] if n_features >= 2 else []) + (["all"] if all_features or n_features < 2 else [])
    if n_features < 2:
        notes.append("One feature only: the last-feature predictive score needs two or more.")
    for target in targets:
        pred = timed(f"predictive_{target}", predictive_score, real, synthetic, target=target, **pred_options)
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
                f"{key}_{which}",
                stylized_facts,
                data,
                features=usable,
                max_lag=lag,
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
        figures[f"{key.replace('stylized_facts', 'acf')}.png"] = _plot_acf_panels(facts["real"], facts["synthetic"])
        return usable

    usable = compare_facts("stylized_facts", real, synthetic, max_lag)
    if usable:
        figures["returns.png"] = plot_return_histogram(real, synthetic, features=usable)
    if long_real is not None:
        long_lag = min(20, long_real.shape[1] - 2, long_synthetic.shape[1] - 2)
        compare_facts("stylized_facts_long", long_real, long_synthetic, long_lag, "Long paths: ")

    # A recurrent generator starts each path from a zero state: the first returns against the rest.
    if usable:
        sets = {"real windows": real, "synthetic windows": synthetic}
        if long_synthetic is not None:
            sets["synthetic long paths"] = long_synthetic
        transient = {
            name: timed(f"start_transient_{name}", start_transient, data[..., usable]).to_dict()
            for name, data in sets.items()
            if data.shape[1] >= 5
        }
        if transient:
            metrics["start_transient"] = transient
            figures["start_transient.png"] = _plot_start_transient(transient)
    _joint_structure(
        metrics, figures, notes, timed, (real, synthetic), (long_real, long_synthetic), price_features, names
    )
    if baselines:
        _against_baselines(metrics, notes, timed, long_real, long_synthetic, price_features, names, seed)

    metrics["created"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    images = {name: _png(figures[name]) for name in FIGURE_FILES if name in figures}
    metrics["files"] = ["report.html", "metrics.json", *images]
    return Report(metrics=_json_ready(metrics), images=images)


def _joint_structure(metrics, figures, notes, timed, windows, long_paths, price_features, names):
    """Correlation matrices of r and |r| across the price features, on long paths if given."""
    basis = "long paths" if long_paths[0] is not None else "windows"
    real, synthetic = long_paths if long_paths[0] is not None else windows
    usable, _ = _positive_features(real, synthetic, price_features, names)  # stylized facts noted the rest
    if len(usable) < 2:
        notes.append(
            f"Correlation matrices skipped: {len(usable)} price feature(s) with positive values; they need 2 or more."
        )
        return
    joint = timed("correlation", joint_structure, log_returns(real[..., usable]), log_returns(synthetic[..., usable]))
    feature_names = [names[i] for i in usable]
    metrics["correlation"] = {
        "basis": basis,
        "features": feature_names,
        "real_shape": list(real.shape),
        "synthetic_shape": list(synthetic.shape),
        **{transform: comparison.to_dict() for transform, comparison in joint.items()},
    }
    figures["correlation.png"] = plot_correlation_matrices(joint, feature_names)


def _against_baselines(metrics, notes, timed, long_real, long_synthetic, price_features, names, seed):
    """The long paths against GARCH, the bootstrap and a random walk, on the Quant GANs scores."""
    if long_real is None or len(long_real) != 1:
        notes.append("Comparison with GARCH and the bootstrap skipped: it needs the real history as one long path.")
        return
    usable, _ = _positive_features(long_real, long_synthetic, price_features, names)
    if not usable:
        return  # the stylized facts noted why
    if long_synthetic.shape[1] < 3 or long_real.shape[1] < 30:
        notes.append(
            "Comparison with GARCH and the bootstrap skipped: it needs paths of 3 or more steps and 30 or more "
            f"real days. Received: paths of {long_synthetic.shape[1]}, {long_real.shape[1]} days"
        )
        return
    comparison = timed(
        "finance", compare_with_baselines, long_real[0][:, usable], long_synthetic[..., usable], seed=seed
    )
    metrics["finance"] = {"features": [names[i] for i in usable], **comparison.to_dict()}


def _split_description(split, seq_len):
    if split == "random":
        return {
            "kind": "random",
            "gap": None,
            "description": "The TimeGAN paper's protocol: windows split at random (held-out windows overlap "
            "training windows by up to seq_len - 1 days); the real-trained predictor is scored on its "
            "own training windows.",
        }
    return {
        "kind": "blocked",
        "gap": seq_len,
        "description": f"A time block of the real windows is held out, {seq_len} windows (seq_len) away from "
        "every training window, so no held-out window shares a day with a training window; the "
        "real-trained predictor is scored on that block too.",
    }


def _real_halves(n, seq_len, split, seed):
    """Two halves of the real windows for the real-vs-real baseline.

    "random": a random permutation cut in two (the halves interleave window by window).
    "blocked": alternate chunks of `seq_len` windows, each half in time order, so that the
    same relative position in both halves is the same time (within `seq_len` days) and the
    blocked split holds out the same stretch of time from both.
    """
    if split == "random":
        order = np.random.default_rng(seed).permutation(n)
        half = n // 2
        return order[:half], order[half : 2 * half]
    chunk = np.arange(n) // seq_len
    first, second = np.flatnonzero(chunk % 2 == 0), np.flatnonzero(chunk % 2 == 1)
    size = min(len(first), len(second))
    return first[:size], second[:size]


# ---------------------------------------------------------------------- data description


def _feature_labels(feature_names, n_features):
    if feature_names is None:
        return [f"x{i}" for i in range(n_features)]
    names = list(feature_names)
    if len(names) != n_features:
        raise ValueError(
            f"Expected one name per feature ({n_features}). Received: {len(names)} feature_names={names!r}"
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


def _plot_acf_panels(real, synthetic):
    figure = matplotlib.figure.Figure(figsize=(10, 7))
    for ax, kind in zip(figure.subplots(2, 2).ravel(), ACF_KINDS):
        plot_acf(real, synthetic, kind=kind, ax=ax)
    figure.tight_layout()
    return figure


def _plot_start_transient(transient):
    """Mean |r| per return step (in standard deviations of each set's returns), one line per set."""
    figure = matplotlib.figure.Figure(figsize=(6, 3.5))
    ax = figure.subplots()
    for name, values in transient.items():
        curve = values["per_step_mean_abs"]
        ax.plot(range(1, len(curve) + 1), curve, marker="o", label=name)
    first = next(iter(transient.values()))["first"]
    ax.axvspan(0.5, first + 0.5, color="0.9", zorder=0)
    ax.set(xlabel="return step within the path", ylabel="mean |r| / std(r)", title="Start of path: first steps vs rest")
    ax.legend()
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
