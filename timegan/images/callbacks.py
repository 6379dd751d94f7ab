"""Training callbacks: fixed-noise sample grids and a GIF, loss history and curves, scores per
epoch, a progress bar.

The progress bar is the one shared with the TimeGAN (`timegan.callbacks.ProgressBar`).
"""

import csv
import io
import logging
import time
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from timegan._atomic import atomic_path, save_figure, write_text
from timegan.callbacks import ProgressBar as TqdmProgress  # noqa: F401  (the shared tqdm bar)
from timegan.images.gan import save_generator

logger = logging.getLogger(__name__)


def image_grid(images, rows, cols, padding=2, scale=2):
    """Tiles images in [-1, 1] into one uint8 picture (grayscale, or RGB for 3-channel images).

    Args:
        images: `(rows * cols, h, w, 1)`, `(rows * cols, h, w)` or `(rows * cols, h, w, 3)`.
        rows: grid rows.
        cols: grid columns.
        padding: pixels between tiles. Default 2.
        scale: integer upscaling of the whole grid (nearest neighbour). Default 2.

    Returns:
        `np.ndarray` uint8 of shape `(scale * (rows * (h + padding) + padding), scale * (...))`,
        with a last axis of 3 for RGB images.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3) or len(images) != rows * cols:
        raise ValueError(f"Expected {rows * cols} images of shape (h, w[, 1 or 3]). Received: shape={images.shape}")
    # NaN (a diverged generator) shows as mid-gray rather than undefined bytes.
    pixels = np.clip(np.nan_to_num((images + 1.0) * 127.5, nan=127.0), 0, 255).astype(np.uint8)
    h, w = pixels.shape[1:3]
    grid = np.full((rows * (h + padding) + padding, cols * (w + padding) + padding) + pixels.shape[3:], 255, np.uint8)
    for index, tile in enumerate(pixels):
        r, c = divmod(index, cols)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[top : top + h, left : left + w] = tile
    return grid.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else grid


def save_png(array, path):
    """Writes a uint8 grayscale `(h, w)` or RGB `(h, w, 3)` array as a PNG atomically."""
    with atomic_path(path) as tmp:
        Image.fromarray(array).save(tmp, format="PNG")


def save_gif(png_paths, path, frame_ms=400):
    """Assembles PNG frames into an animated GIF (looping, last frame held longer) atomically."""
    frames = [Image.open(p) for p in png_paths]
    frames = [frame.convert("RGB" if frame.mode == "RGB" else "L") for frame in frames]
    if not frames:
        raise ValueError(f"No frames to assemble into {str(path)!r}.")
    durations = [frame_ms] * (len(frames) - 1) + [frame_ms * 5]
    with atomic_path(path) as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)


def write_csv(path, rows):
    """Writes dict rows (the first row's keys are the columns) as a CSV file atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buffer.getvalue())


def selection_key(scores, min_label_accuracy=None):
    """How good one epoch's generator is, as a key to maximise (`EpochScores` keeps the best).

    Conditional scores (with `label_accuracy` and `diversity_ratio`): an epoch whose label
    accuracy reaches `min_label_accuracy` beats every epoch that does not; among those that reach
    it the higher within-class diversity ratio wins, among the others the higher label accuracy.
    Label accuracy is a threshold and diversity the quantity maximised because a generator can
    always trade diversity for accuracy by drawing one clean image per class, which the
    diversity ratio catches and label accuracy rewards. Unconditional scores: the lower
    `frechet_distance` wins; Stacked MNIST scores (`kl_to_uniform` of the mode histogram, no
    Frechet distance): the lower KL, which rewards both more modes and a more even spread.

    Args:
        scores: dict of one generator's numbers (`run.epoch_scorer`); None values mean the
            generator diverged.
        min_label_accuracy: threshold in [0, 1] for conditional scores. Default None (0: the
            highest diversity ratio wins).

    Returns:
        A tuple ordered like the quality (compare with `>`), or None if the scores cannot rank
        the generator (diverged, or none of the scores above).
    """
    if "label_accuracy" in scores and "diversity_ratio" in scores:
        accuracy, diversity = scores["label_accuracy"], scores["diversity_ratio"]
        if accuracy is None or diversity is None or not np.isfinite([accuracy, diversity]).all():
            return None
        if accuracy >= (min_label_accuracy or 0.0):
            return (1, float(diversity))
        return (0, float(accuracy))
    name = "frechet_distance" if "frechet_distance" in scores else "kl_to_uniform"
    distance = scores.get(name)
    if distance is None or not np.isfinite(distance):
        return None
    return (0, -float(distance))


class EpochScores(keras.callbacks.Callback):
    """Writes `epoch_scores.csv`: the generator's scores before training and after every epoch,
    and at the end `epoch_scores.png`, each score against the epoch (`epoch_scores_figure`).

    A model with a weight average (`ema_decay`) gets two rows per epoch: `generator` is
    `"sampling"` for the average and `"training"` for the generator as trained, so the two are
    compared on the same run.

    With `best_path`, the sampling generator (the average, with `ema_decay`) of the best epoch
    so far by `selection_key` is saved there after each epoch that improves on it (epoch 0,
    before training, is scored but never kept); `best` holds that epoch and its scores.

    Args:
        run_dir: directory of the run.
        scorer: callable `generator -> dict` of numbers (e.g. `run.epoch_scorer`); every call
            must return the same keys.
        best_path: where to save the best generator (`.keras`). Default None (not kept).
        min_label_accuracy: threshold of `selection_key`. Default None.
    """

    def __init__(self, run_dir, scorer, best_path=None, min_label_accuracy=None):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.scorer = scorer
        self.best_path = None if best_path is None else Path(best_path)
        self.min_label_accuracy = min_label_accuracy
        self.rows = []
        self.best = None
        self._best_key = None

    def _score(self, epoch):
        generators = [("sampling", self.model.sampling_generator)]
        if self.model.ema_generator is not None:
            generators.append(("training", self.model.generator))
        for name, generator in generators:
            scores = self.scorer(generator)
            self.rows.append({"epoch": epoch, "generator": name, **scores})
            if name == "sampling" and epoch > 0 and self.best_path is not None:
                self._keep_if_best(epoch, scores, generator)
        write_csv(self.run_dir / "epoch_scores.csv", self.rows)

    def _keep_if_best(self, epoch, scores, generator):
        key = selection_key(scores, self.min_label_accuracy)
        if key is None or (self._best_key is not None and key <= self._best_key):
            return
        self._best_key = key
        self.best = {"epoch": epoch, **{k: v.item() if isinstance(v, np.generic) else v for k, v in scores.items()}}
        save_generator(generator, self.best_path)
        logger.info("Epoch %d is the best so far: %s", epoch, scores)

    def on_train_begin(self, logs=None):
        self._score(0)

    def on_epoch_end(self, epoch, logs=None):
        self._score(epoch + 1)

    def on_train_end(self, logs=None):
        if self.rows:
            save_figure(epoch_scores_figure(self.rows), self.run_dir / "epoch_scores.png", dpi=100)


# Panel titles of `epoch_scores_figure` for the scores whose column names read badly as words.
SCORE_TITLES = {
    "frechet_distance": "Fréchet distance",
    "kl_to_uniform": "KL to uniform",
    "modes_covered": "modes covered",
}


def epoch_scores_figure(rows, axes=None):
    """Plots every numeric score of `epoch_scores.csv` rows against the epoch; returns the Figure.

    One panel per score, one line per generator (`"sampling"`, and `"training"` with a weight
    average). Missing values (a diverged generator) leave a gap. The Frechet distance and the KL
    divergences are drawn on a log scale, where the approach to a floor stays readable.

    Args:
        rows: dicts with `epoch`, `generator` and the scores (`EpochScores.rows`, or the CSV read
            back with numbers as strings; empty strings count as missing).
        axes: a sequence of one Axes per score. Default None (a new figure, panels side by side).

    Returns:
        The `matplotlib.figure.Figure`.

    Raises:
        ValueError: `rows` is empty or has no score besides `epoch` and `generator`, or `axes`
            has the wrong length.
    """
    import matplotlib.pyplot as plt

    rows = list(rows)
    names = [name for name in (rows[0] if rows else {}) if name not in ("epoch", "generator")]
    if not names:
        raise ValueError(f"Expected rows with at least one score besides epoch and generator. Received: {rows[:1]}")
    if axes is None:
        figure, axes = plt.subplots(1, len(names), figsize=(3.5 * len(names), 3.2), squeeze=False)
        axes = axes[0]
    elif len(axes) != len(names):
        raise ValueError(f"Expected {len(names)} axes, one per score {names}. Received: {len(axes)}")
    figure = axes[0].figure

    def number(value):
        return np.nan if value is None or value == "" else float(value)

    for ax, name in zip(axes, names):
        for generator in dict.fromkeys(row["generator"] for row in rows):
            points = [(int(row["epoch"]), number(row[name])) for row in rows if row["generator"] == generator]
            epochs, values = np.array(points, float).T
            ax.plot(epochs, values, "o-", markersize=3, label=generator)
        if name == "frechet_distance" or name.startswith("kl_"):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(SCORE_TITLES.get(name, name.replace("_", " ")))
        ax.grid(alpha=0.3)
    axes[0].legend()
    figure.tight_layout()
    return figure


class SampleGrid(keras.callbacks.Callback):
    """Saves `samples/epoch_XXX.png` from fixed noise after every epoch and `progress.gif` at the end.

    Args:
        run_dir: directory of the run.
        noise: `(rows * cols, latent_dim)` fixed noise.
        rows: grid rows (for a conditional model: one row per class).
        cols: grid columns.
        labels: `(rows * cols,)` labels for a conditional model, else None.
    """

    def __init__(self, run_dir, noise, rows, cols, labels=None):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.noise = np.asarray(noise, np.float32)
        self.rows, self.cols = rows, cols
        self.labels = labels
        self.paths = []

    def _save(self, name):
        images = self.model.generate(noise=self.noise, labels=self.labels)
        path = self.run_dir / "samples" / f"{name}.png"
        save_png(image_grid(images, self.rows, self.cols), path)
        self.paths.append(path)

    def on_train_begin(self, logs=None):
        self._save("epoch_000")

    def on_epoch_end(self, epoch, logs=None):
        self._save(f"epoch_{epoch + 1:03d}")

    def on_train_end(self, logs=None):
        save_gif(self.paths, self.run_dir / "progress.gif")


class LossHistory(keras.callbacks.Callback):
    """Writes `losses.csv` (epoch means, elapsed seconds) after each epoch and `loss_curve.png` at the end.

    Keras reports running means within an epoch at each batch end; the per-batch losses of the
    curve are recovered from them as `n * mean_n - (n - 1) * mean_(n-1)`.

    Args:
        run_dir: directory of the run.
    """

    def __init__(self, run_dir):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.epochs = []
        self.batches = {}
        self._previous = {}
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = {}

    def on_train_batch_end(self, batch, logs=None):
        for name, mean in (logs or {}).items():
            mean = float(mean)
            value = (batch + 1) * mean - batch * self._previous.get(name, 0.0)
            self._previous[name] = mean
            self.batches.setdefault(name, []).append(value)

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, "seconds": round(time.perf_counter() - self._start, 2)}
        row.update({name: float(value) for name, value in (logs or {}).items()})
        self.epochs.append(row)
        write_csv(self.run_dir / "losses.csv", self.epochs)

    def on_train_end(self, logs=None):
        save_figure(loss_figure(self.batches, self.epochs), self.run_dir / "loss_curve.png", dpi=100)


def loss_figure(batches, epochs, ax=None):
    """Plots per-batch losses (thin) and epoch means (markers); returns the Figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        figure, ax = plt.subplots(figsize=(7, 4))
    else:
        figure = ax.figure
    steps_per_epoch = max(1, len(next(iter(batches.values()), [])) // max(1, len(epochs)))
    for name, values in batches.items():
        steps = np.arange(1, len(values) + 1) / steps_per_epoch
        (line,) = ax.plot(steps, values, linewidth=0.5, alpha=0.5)
        means = [row[name] for row in epochs if name in row]
        ax.plot(np.arange(1, len(means) + 1), means, "o-", color=line.get_color(), label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure
