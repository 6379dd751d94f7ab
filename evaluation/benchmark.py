"""The TimeGAN paper's benchmark: train once, then score discriminative and predictive N times.

Protocol (Yoon et al., NeurIPS 2019, Table 2, and its reference code): the real windows are
MinMax-normalised (whole series, before windowing) and shuffled; a TimeGAN with the paper's
architecture (24 hidden units, 3 GRU layers, batch 128) trains once; as many synthetic windows
as real ones are generated; the discriminative score (GRU classifier, 2000 iterations) and the
predictive score (GRU next-step predictor, 5000 iterations, trained on synthetic and on real)
are computed `repeats` times on that scale, and reported as mean +- std. The metrics use the
paper's random split (`split="random"`) so that the numbers compare with the paper's, although
that split lets test windows overlap training windows (see `evaluation.splits` and
docs/evaluation.md for what a blocked split changes).
"""

import json
import logging
import time
from pathlib import Path

import keras
import numpy as np

from evaluation import _checks, datasets
from evaluation.discriminative import discriminative_score
from evaluation.predictive import predictive_score
from timegan._atomic import write_json
from timegan.callbacks import Checkpoint

logger = logging.getLogger(__name__)

DATASETS = ("stocks", "sines", "csv")

# The paper's Table 2 (TimeGAN row and "Original" data), mean and std.
PAPER_RESULTS = {
    "stocks": {"discriminative": (0.102, 0.021), "predictive": (0.038, 0.001), "original": (0.036, 0.001)},
    "sines": {"discriminative": (0.011, 0.008), "predictive": (0.093, 0.019), "original": (0.094, 0.001)},
}
PAPER_STEPS = 50000


def benchmark_windows(dataset, csv=None, seq_len=24, seed=0):
    """The real windows of a benchmark dataset, normalised to [0, 1] and shuffled.

    Args:
        dataset: "stocks" (bundled GOOG prices), "sines" (10000 generated windows, 5 features)
            or "csv" (the series in `csv`).
        csv: path of a CSV series (one row per step, numeric columns), for dataset "csv".
        seq_len: steps per window. Defaults to 24.
        seed: seed of the shuffle (and of the sines). Defaults to 0.

    Returns:
        ndarray (n_windows, seq_len, n_features).

    Raises:
        ValueError: on an unknown dataset or a missing/unexpected `csv`.
    """
    _checks.check_choice(dataset, "dataset", DATASETS)
    if (dataset == "csv") != (csv is not None):
        raise ValueError(
            "Expected `csv` exactly when dataset='csv'. "
            f"Received: dataset={dataset!r}, csv={None if csv is None else str(csv)!r}"
        )
    if dataset == "stocks":
        return datasets.stocks_windows(seq_len, shuffle_seed=seed)
    if dataset == "sines":
        return datasets.sine_windows(seq_len=seq_len, seed=seed)
    return datasets.normalized_windows(datasets.read_series_csv(csv), seq_len, shuffle_seed=seed)


def run_benchmark(
    real,
    *,
    steps,
    repeats=10,
    config=None,
    discriminative_iterations=2000,
    predictive_iterations=5000,
    seed=0,
    progress=True,
    checkpoint_dir=None,
    checkpoint_every=1000,
):
    """Trains a TimeGAN on `real` once and scores its synthetic windows `repeats` times.

    A full-length run (the paper's 50000 steps per phase) takes hours on a CPU: with
    `checkpoint_dir`, training saves the model there every `checkpoint_every` steps and at each
    phase end, and a later call with the same directory, data and config resumes where the
    last checkpoint stopped (the training time adds up across calls).

    Args:
        real: ndarray (n, seq_len, n_features), already on a [0, 1] scale.
        steps: TimeGAN steps per phase: int, or (embedding, supervised, joint).
        repeats: repeats of each metric. Defaults to 10 (the paper's reference runs).
        config: `TimeGANConfig`; defaults to the paper's (seq_len taken from `real`, GRU,
            24 hidden units, 3 layers, batch 128) with `seed`.
        discriminative_iterations: classifier iterations. Defaults to 2000.
        predictive_iterations: predictor iterations. Defaults to 5000.
        seed: seed of the model (if `config` is None), the generation and the metrics.
        progress: show progress bars.
        checkpoint_dir: directory for the checkpoint (`model/`) and the training time spent so
            far (`progress.json`); None trains without checkpoints.
        checkpoint_every: steps between checkpoints. Defaults to 1000.

    Returns:
        dict with "discriminative", "predictive" and "original" (each mean, std and the values
        per repeat), "n_windows", "n_features", "seq_len", "steps", "repeats" and the
        timings in seconds ("train_seconds", "metrics_seconds").

    Raises:
        ValueError: if `checkpoint_dir` holds a checkpoint of another config or other data.
    """
    from timegan import TimeGAN, TimeGANConfig

    real = _checks.check_windows(real, "real")
    _checks.check_int(repeats, "repeats")
    _checks.check_int(checkpoint_every, "checkpoint_every")
    if config is None:
        config = TimeGANConfig(seq_len=real.shape[1], seed=seed)
    model, callbacks, earlier_seconds = TimeGAN(config), [], 0.0
    if checkpoint_dir is not None:
        model, callbacks, earlier_seconds = _checkpointed_model(Path(checkpoint_dir), config, real, checkpoint_every)
    started = time.monotonic()
    model.fit(real, steps=steps, progress=progress, callbacks=callbacks)
    synthetic = model.generate(len(real), seed=seed)
    trained = time.monotonic()
    train_seconds = earlier_seconds + trained - started
    logger.info("Trained %s steps in %.1f min.", model.steps_done, train_seconds / 60)

    # The data are already on the paper's [0, 1] scale: no second normalisation. The windows
    # are shuffled, and the split is the paper's random one, so the numbers compare with Table 2.
    disc = discriminative_score(
        real,
        synthetic,
        cell="gru",
        iterations=discriminative_iterations,
        repeats=repeats,
        normalize=False,
        split="random",
        seed=seed,
        progress=progress,
    )
    logger.info("Discriminative score %.4f +- %.4f", disc.score, disc.score_std)
    pred = predictive_score(
        real,
        synthetic,
        target="last",
        cell="gru",
        iterations=predictive_iterations,
        repeats=repeats,
        normalize=False,
        split="random",
        seed=seed,
        progress=progress,
    )
    logger.info("Predictive score %.4f +- %.4f (real data: %.4f)", pred.mae, pred.mae_std, pred.baseline_mae)
    finished = time.monotonic()

    def summary(values):
        return {"mean": float(np.mean(values)), "std": float(np.std(values)), "values": [float(v) for v in values]}

    return {
        "discriminative": summary(disc.scores),
        "predictive": summary(pred.maes),
        "original": summary(pred.baseline_maes),
        "discriminative_auc": summary(disc.aucs),
        "n_windows": int(len(real)),
        "seq_len": int(real.shape[1]),
        "n_features": int(real.shape[2]),
        "steps": dict(model.steps_done),
        "repeats": repeats,
        "config": config.to_dict(),
        "train_seconds": train_seconds,
        "metrics_seconds": finished - trained,
    }


class _TrainingClock(keras.callbacks.Callback):
    """Records the training time spent so far, on the schedule of the checkpoint saves."""

    def __init__(self, path, every, earlier_seconds):
        super().__init__()
        self.path, self.every, self.earlier_seconds = path, every, earlier_seconds
        self.started = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if self.model.steps_done[self.model.phase] % self.every == 0:
            self._write()

    def on_epoch_end(self, epoch, logs=None):
        self._write()

    def _write(self):
        write_json(self.path, {"train_seconds": self.earlier_seconds + time.monotonic() - self.started})


def _checkpointed_model(directory, config, real, every):
    from timegan import TimeGAN

    if directory.exists() and not directory.is_dir():
        raise ValueError(f"Expected `checkpoint_dir` to be a directory. Received: {str(directory)!r} is a file")
    model_dir, clock_path = directory / "model", directory / "progress.json"
    model, earlier_seconds = TimeGAN(config), 0.0
    if model_dir.is_dir():
        model = TimeGAN.load(model_dir)
        saved, wanted = model.config.to_dict(), config.to_dict()
        differing = [key for key in wanted if saved[key] != wanted[key]]
        if differing:
            raise ValueError(
                f"The checkpoint in {str(model_dir)!r} was trained with another config: "
                + ", ".join(f"{key}={saved[key]!r} (asked: {wanted[key]!r})" for key in differing)
            )
        if model.data_info.get("n_windows") != len(real) or model.n_features != real.shape[2]:
            raise ValueError(
                f"The checkpoint in {str(model_dir)!r} was trained on {model.data_info.get('n_windows')} windows "
                f"of {model.n_features} features. Received: {len(real)} windows of {real.shape[2]} features"
            )
        if clock_path.is_file():
            earlier_seconds = float(json.loads(clock_path.read_text(encoding="utf-8"))["train_seconds"])
        logger.info("Resuming the benchmark's training from %s at %s.", model_dir, model.steps_done)
    callbacks = [Checkpoint(model_dir, every=every), _TrainingClock(clock_path, every, earlier_seconds)]
    return model, callbacks, earlier_seconds


def format_table(results, dataset=None):
    """Formats benchmark results as a Markdown table, beside the paper's numbers if known.

    Args:
        results: dict returned by `run_benchmark`.
        dataset: "stocks" or "sines" to add the paper's column; None for none.

    Returns:
        str: the table and a line with steps, repeats and timings.
    """
    paper = PAPER_RESULTS.get(dataset)
    rows = [
        ("Discriminative score (lower is better)", "discriminative"),
        ("Predictive score, TimeGAN data (MAE)", "predictive"),
        ("Predictive score, original data (MAE)", "original"),
    ]
    header = "| Metric | This run | Paper (TimeGAN, Table 2) |" if paper else "| Metric | This run |"
    lines = [header, "|---|---|---|" if paper else "|---|---|"]
    for label, key in rows:
        ours = f"{results[key]['mean']:.3f} +- {results[key]['std']:.3f}"
        if paper:
            mean, std = paper[key]
            lines.append(f"| {label} | {ours} | {mean:.3f} +- {std:.3f} |")
        else:
            lines.append(f"| {label} | {ours} |")
    steps = results["steps"]
    lines.append("")
    lines.append(
        f"{results['n_windows']} windows x {results['seq_len']} steps x {results['n_features']} features; "
        f"TimeGAN steps (embedding, supervised, joint) = ({steps['embedding']}, {steps['supervised']}, "
        f"{steps['joint']}) (the paper: {PAPER_STEPS} each); {results['repeats']} metric repeats; "
        f"training {results['train_seconds'] / 60:.1f} min, metrics {results['metrics_seconds'] / 60:.1f} min."
    )
    return "\n".join(lines)
