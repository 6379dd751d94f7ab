"""A run directory: train a configured GAN into it, load it back, score it.

Layout written by `train_run` (atomically: the directory appears only when training finished)::

    config.json         {"gan": ImageGANConfig.to_dict(), "training": ImageTrainingConfig.to_dict()}
    generator.keras     the trained generator
    summary.json        seconds, epochs, steps, final losses, data source
    samples/epoch_XXX.png   fixed-noise grid before training and after every epoch
    progress.gif        those grids as an animation
    losses.csv          epoch means of the losses
    loss_curve.png      per-batch and per-epoch losses

`evaluate_run` adds the numbers that `scripts/evaluate_images.py` writes to `metrics.json`.
"""

import json
import logging
import os
import platform
import time
from pathlib import Path

import keras
import numpy as np

from timegan._atomic import atomic_path, write_json
from timegan.images import data as image_data
from timegan.images.callbacks import LossHistory, SampleGrid, TqdmProgress
from timegan.images.classifier import ClassifierProbe
from timegan.images.config import ImageGANConfig, ImageTrainingConfig
from timegan.images.gan import ImageGAN, generate_images, load_generator, make_dataset, save_generator
from timegan.images.metrics import class_coverage, classifier_score, frechet_distance
from timegan.images.networks import build_discriminator, build_generator

logger = logging.getLogger(__name__)


def _check_images(images, labels, gan_config):
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (gan_config.image_size, gan_config.image_size):
        raise ValueError(
            f"Expected images of shape (n, {gan_config.image_size}, {gan_config.image_size}). Received: shape={images.shape}"
        )
    if gan_config.conditional:
        if labels is None:
            raise ValueError("conditional=True needs class labels, but the data has none.")
        labels = np.asarray(labels)
        if labels.shape != (len(images),):
            raise ValueError(f"Expected {len(images)} labels. Received: shape={labels.shape}")
        if labels.min() < 0 or labels.max() >= gan_config.num_classes:
            raise ValueError(
                f"Expected labels in [0, {gan_config.num_classes - 1}]. Received: range [{labels.min()}, {labels.max()}]"
            )
    return images, labels


def train_run(gan_config, train_config, images, labels, run_dir, overwrite=False, progress=True, data_source=None):
    """Trains a GAN on uint8 images and writes the run directory.

    Args:
        gan_config: `ImageGANConfig`.
        train_config: `ImageTrainingConfig`.
        images: uint8 `(n, h, w)` training images (the subset of `train_config.train_size` is taken here).
        labels: `(n,)` labels, or None (refused if `gan_config.conditional`).
        run_dir: output directory.
        overwrite: replace an existing non-empty `run_dir`. Default False.
        progress: show a tqdm bar per epoch. Default True.
        data_source: where the images came from, recorded in `summary.json`. Default None.

    Returns:
        `(gan, summary)`: the trained `ImageGAN` and the dict written to `summary.json`.

    Raises:
        ValueError: bad shapes or labels, too few images for one batch.
        OSError: `run_dir` exists, is not empty and `overwrite` is False.
    """
    run_dir = Path(run_dir)
    if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())) and not overwrite:
        raise OSError(f"Output directory {str(run_dir)!r} already exists and is not empty; pass --overwrite to replace it.")
    images, labels = _check_images(images, labels, gan_config)
    images, labels = image_data.subset(images, labels, train_config.train_size, train_config.seed)
    x = image_data.to_model_range(images)
    dataset = make_dataset(
        x, labels, train_config.batch_size, gan_config.discriminator_steps, train_config.seed, gan_config.conditional
    )
    steps_per_epoch = len(x) // (train_config.batch_size * gan_config.discriminator_steps)
    gan = ImageGAN(build_generator(gan_config), build_discriminator(gan_config), gan_config)
    gan.compile()

    rng = np.random.default_rng(train_config.seed)
    cols = train_config.sample_grid
    if gan_config.conditional:
        rows = gan_config.num_classes
        grid_labels = np.repeat(np.arange(rows, dtype=np.int32), cols)
        # The same noise in every row, so a column shows one "style" across classes.
        noise = np.tile(rng.standard_normal((cols, gan_config.latent_dim)), (rows, 1))
    else:
        rows, grid_labels = train_config.sample_grid, None
        noise = rng.standard_normal((rows * cols, gan_config.latent_dim))

    logger.info(
        "Training %s/%s loss=%s optimizer=%s on %d %s images for %d epochs (%d steps each)",
        gan_config.architecture, "conditional" if gan_config.conditional else "unconditional", gan_config.loss,
        gan_config.optimizer, len(x), train_config.dataset, train_config.epochs, steps_per_epoch,
    )
    with atomic_path(run_dir) as tmp:
        tmp.mkdir()
        write_json(tmp / "config.json", {"gan": gan_config.to_dict(), "training": train_config.to_dict()})
        history = LossHistory(tmp)
        callbacks = [SampleGrid(tmp, noise, rows, cols, grid_labels), history]
        if progress:
            callbacks.append(TqdmProgress(steps_per_epoch, train_config.epochs))
        start = time.perf_counter()
        gan.fit(dataset, epochs=train_config.epochs, verbose=0, callbacks=callbacks, shuffle=False)
        seconds = time.perf_counter() - start
        save_generator(gan.generator, tmp / "generator.keras")
        diverged = [row["epoch"] for row in history.epochs if not all(np.isfinite(v) for v in row.values())]
        if diverged:
            logger.warning("Training diverged: non-finite losses from epoch %d on", diverged[0])
        summary = {
            "train_seconds": round(seconds, 1),
            "diverged_at_epoch": diverged[0] if diverged else None,
            "epochs": train_config.epochs,
            "steps_per_epoch": steps_per_epoch,
            "train_images": int(len(x)),
            "final_losses": {k: v for k, v in history.epochs[-1].items() if k not in ("epoch", "seconds")},
            "data_source": data_source,
            "keras_version": keras.__version__,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        }
        write_json(tmp / "summary.json", summary)
    logger.info("Wrote run to %s (%.0f s of training)", run_dir, seconds)
    return gan, summary


def load_run(run_dir):
    """Reads a run directory.

    Returns:
        `(gan_config, train_config, generator, summary)`.

    Raises:
        OSError: missing directory or files.
        ValueError: malformed `config.json`.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise OSError(f"Run directory {str(run_dir)!r} does not exist.")
    missing = [name for name in ("config.json", "generator.keras", "summary.json") if not (run_dir / name).is_file()]
    if missing:
        raise OSError(f"Run directory {str(run_dir)!r} lacks {missing}; is it the --output-dir of train_images.py?")
    try:
        config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"Malformed JSON in run directory {str(run_dir)!r}: {error}") from None
    if not isinstance(config, dict) or set(config) != {"gan", "training"}:
        raise ValueError(f"Expected config.json with keys ['gan', 'training'] in {str(run_dir)!r}.")
    gan_config = ImageGANConfig.from_dict(config["gan"])
    train_config = ImageTrainingConfig.from_dict(config["training"])
    return gan_config, train_config, load_generator(run_dir / "generator.keras"), summary


def _sample(images, size, seed):
    order = np.random.default_rng(seed).permutation(len(images))[:size]
    return image_data.to_model_range(images[order])


def evaluate_generator(generator, gan_config, classifier, real_train, real_test, num_samples=10000, seed=0):
    """Scores a generator with an evaluation classifier against real images.

    Args:
        generator: trained generator.
        gan_config: its `ImageGANConfig`.
        classifier: evaluation classifier (`classifier.load_classifier`).
        real_train: uint8 `(n, h, w)` real training images.
        real_test: uint8 `(m, h, w)` real test images.
        num_samples: generated images, and real images per set, used by every number. Default 10000.
        seed: seed of the noise and the real subsets. Default 0.

    Returns:
        A dict: `frechet_distance` (generated vs real train), `frechet_floor` (real train vs real
        test), `classifier_score`, `classifier_score_real` (real test: the ceiling),
        `classes_covered`, `kl_to_uniform`, `class_histogram`, their real-test counterparts,
        `num_samples`, `diverged`, and for conditional generators `label_accuracy` (share
        classified as the requested class). If any generated image is not finite (training
        diverged), `diverged` is True and the generator's numbers are None.
    """
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 100:
        raise ValueError(f"Expected `num_samples` to be an integer >= 100. Received: num_samples={num_samples!r}")
    probe = ClassifierProbe(classifier)
    size = min(num_samples, len(real_train), len(real_test))
    train_features, _ = probe(_sample(real_train, size, seed))
    test_features, test_probabilities = probe(_sample(real_test, size, seed + 1))
    noise = np.random.default_rng(seed + 2).standard_normal((num_samples, gan_config.latent_dim)).astype(np.float32)
    labels = np.arange(num_samples) % gan_config.num_classes if gan_config.conditional else None
    real_coverage = class_coverage(test_probabilities)
    results = {
        "frechet_floor": frechet_distance(test_features, train_features),
        "classifier_score_real": classifier_score(test_probabilities),
        "classes_covered_real": real_coverage.classes_covered,
        "kl_to_uniform_real": real_coverage.kl_to_uniform,
        "num_samples": num_samples,
        "real_samples": size,
        "seed": seed,
    }
    fake = generate_images(generator, gan_config, labels=labels, noise=noise)
    finite = np.isfinite(fake).reshape(len(fake), -1).all(axis=1)
    results["diverged"] = not finite.all()
    if results["diverged"]:
        # A generator whose weights went to NaN/inf has no quality to measure: say so instead of
        # scoring whatever the classifier makes of NaN pixels.
        logger.warning("%d of %d generated images are not finite: training diverged", int((~finite).sum()), len(fake))
        results.update(
            frechet_distance=None, classifier_score=None, classes_covered=None, kl_to_uniform=None,
            class_histogram=None, non_finite_images=int((~finite).sum()),
        )
        if gan_config.conditional:
            results["label_accuracy"] = None
        return results
    fake_features, fake_probabilities = probe(fake)
    coverage = class_coverage(fake_probabilities)
    results.update(
        frechet_distance=frechet_distance(fake_features, train_features),
        classifier_score=classifier_score(fake_probabilities),
        classes_covered=coverage.classes_covered,
        kl_to_uniform=coverage.kl_to_uniform,
        class_histogram=list(coverage.histogram),
    )
    if gan_config.conditional:
        results["label_accuracy"] = float(np.mean(fake_probabilities.argmax(axis=1) == labels))
    return results
