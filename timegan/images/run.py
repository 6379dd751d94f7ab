"""A run directory: train a configured GAN into it, load it back, score it.

Layout written by `train_run` (atomically: the directory appears only when training finished)::

    config.json         {"gan": ImageGANConfig.to_dict(), "training": ImageTrainingConfig.to_dict()}
    generator.keras     the trained generator after the last epoch (its weight average when
                        `ema_decay` is set)
    generator_best.keras    only with an epoch scorer: the generator of the best epoch
                        (`callbacks.selection_key`; the average with `ema_decay`)
    epoch_scores.csv    only with an epoch scorer: its numbers before training and per epoch
    epoch_scores.png    only with an epoch scorer: those numbers against the epoch
    generator_training.keras   only with `ema_decay`: the generator that was trained (not averaged)
    summary.json        seconds, epochs, steps, final losses, data source, best epoch
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
from timegan._validation import Integer, validate
from timegan.images import data as image_data
from timegan.images.callbacks import EpochScores, LossHistory, SampleGrid, TqdmProgress
from timegan.images.classifier import ClassifierProbe
from timegan.images.config import ImageGANConfig, ImageTrainingConfig
from timegan.images.gan import ImageGAN, generate_images, load_generator, make_dataset, save_generator
from timegan.images.metrics import (
    class_conditional_scores,
    class_coverage,
    classifier_score,
    frechet_distance,
    mode_coverage,
)
from timegan.images.networks import build_discriminator, build_generator

logger = logging.getLogger(__name__)

# With a weight average (`ema_decay`), the raw generator is kept beside it under this name.
TRAINING_GENERATOR = "generator_training.keras"
# With an epoch scorer, the generator of the best epoch is kept beside the last under this name.
BEST_GENERATOR = "generator_best.keras"
# Label accuracy an epoch must reach to be chosen for its diversity (`callbacks.selection_key`):
# the goals of the conditional image GANs (MNIST 97%, Fashion-MNIST 85%).
MIN_LABEL_ACCURACY = {"mnist": 0.97, "fashion-mnist": 0.85}
# Generated images per epoch of `stacked_epoch_scorer` in `train_images.py`: PacGAN's 26 000, as
# `evaluate_images.py`, so the curve ends at the number the evaluation reports.
STACKED_EPOCH_SAMPLES = 26000
# `epoch_scorer` draws its noise and real images with the run's seed plus this, so that the
# epoch is not chosen on the noise and real subset that `evaluate_images.py` (seed 0) scores.
SELECTION_SEED_OFFSET = 100


def check_compatible(gan_config, train_config):
    """Refuses a GAN config that does not fit the training config's dataset or batch size.

    Raises:
        ValueError: a conditional model on a dataset without class labels (Stacked MNIST), a
            channel count other than the dataset's, a batch size that is not a multiple of
            `packing`, or an odd batch size with the mode-seeking term.
    """
    if gan_config.conditional and train_config.dataset not in image_data.LABELLED_DATASETS:
        raise ValueError(
            f"conditional=True needs a dataset with class labels; {train_config.dataset!r} has none "
            f"(labelled: {list(image_data.LABELLED_DATASETS)})."
        )
    channels = image_data.STACKED_CHANNELS if train_config.dataset == "stacked-mnist" else 1
    if gan_config.channels != channels:
        raise ValueError(
            f"Expected channels={channels} for dataset={train_config.dataset!r}. Received: channels={gan_config.channels}"
        )
    if train_config.batch_size % gan_config.packing:
        raise ValueError(
            f"Expected `batch_size` to be a multiple of packing={gan_config.packing}. "
            f"Received: batch_size={train_config.batch_size}"
        )
    if gan_config.mode_seeking_weight and train_config.batch_size % 2:
        raise ValueError(
            "Expected an even `batch_size` with mode_seeking_weight > 0 (the generator's batch is two halves). "
            f"Received: batch_size={train_config.batch_size}"
        )


def _check_images(images, labels, gan_config):
    images = np.asarray(images)
    side = gan_config.image_size
    shape = (side, side) if gan_config.channels == 1 and images.ndim == 3 else gan_config.image_shape
    if images.ndim not in (3, 4) or images.shape[1:] != shape:
        raise ValueError(
            f"Expected images of shape (n, {side}, {side}[, {gan_config.channels}]). Received: shape={images.shape}"
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


def check_run_dir(run_dir, overwrite=False):
    """Checks, without writing, that a run can be written to `run_dir`; returns it as a `Path`.

    Raises:
        NotADirectoryError: if `run_dir` is a file (never replaced, even with `overwrite`).
        FileExistsError: if it is a non-empty directory and `overwrite` is False.
    """
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise NotADirectoryError(
            f"Expected the output directory to be a directory. Received: {str(run_dir)!r}, which is a file"
        )
    if run_dir.is_dir() and any(run_dir.iterdir()) and not overwrite:
        raise FileExistsError(
            f"Output directory {str(run_dir)!r} already exists and is not empty; pass --overwrite to replace it."
        )
    return run_dir


def train_run(
    gan_config,
    train_config,
    images,
    labels,
    run_dir,
    overwrite=False,
    progress=True,
    data_source=None,
    epoch_scorer=None,
    min_label_accuracy=None,
):
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
        epoch_scorer: optional callable `generator -> dict` (e.g. `epoch_scorer(...)`): its
            numbers before training and after every epoch go to `epoch_scores.csv`
            (`callbacks.EpochScores`), and the generator of the best epoch by
            `callbacks.selection_key` to `generator_best.keras`. Default None.
        min_label_accuracy: threshold of the selection for conditional runs. Default None:
            `MIN_LABEL_ACCURACY` of the dataset (0 for a dataset not in it).

    Returns:
        `(gan, summary)`: the trained `ImageGAN` and the dict written to `summary.json`.

    Raises:
        ValueError: bad shapes or labels, too few images for one batch.
        OSError: `run_dir` is a file, or exists, is not empty and `overwrite` is False (see
            `check_run_dir`).
    """
    run_dir = check_run_dir(run_dir, overwrite)
    check_compatible(gan_config, train_config)
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
        gan_config.architecture,
        "conditional" if gan_config.conditional else "unconditional",
        gan_config.loss,
        gan_config.optimizer,
        len(x),
        train_config.dataset,
        train_config.epochs,
        steps_per_epoch,
    )
    with atomic_path(run_dir) as tmp:
        tmp.mkdir()
        write_json(tmp / "config.json", {"gan": gan_config.to_dict(), "training": train_config.to_dict()})
        history = LossHistory(tmp)
        callbacks = [SampleGrid(tmp, noise, rows, cols, grid_labels), history]
        scores = None
        if epoch_scorer is not None:
            if min_label_accuracy is None:
                min_label_accuracy = MIN_LABEL_ACCURACY.get(train_config.dataset, 0.0)
            scores = EpochScores(tmp, epoch_scorer, tmp / BEST_GENERATOR, min_label_accuracy)
            callbacks.append(scores)
        if progress:
            callbacks.append(TqdmProgress(steps_per_epoch, train_config.epochs))
        start, cpu_start = time.perf_counter(), time.process_time()
        gan.fit(dataset, epochs=train_config.epochs, verbose=0, callbacks=callbacks, shuffle=False)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        save_generator(gan.sampling_generator, tmp / "generator.keras")
        if gan.ema_generator is not None:
            save_generator(gan.generator, tmp / TRAINING_GENERATOR)
        diverged = [row["epoch"] for row in history.epochs if not all(np.isfinite(v) for v in row.values())]
        if diverged:
            logger.warning("Training diverged: non-finite losses from epoch %d on", diverged[0])
        summary = {
            "train_seconds": round(seconds, 1),
            # CPU seconds of this process (all threads) and the machine's load: on a shared
            # machine the wall-clock time alone says little.
            "cpu_seconds": round(cpu_seconds, 1),
            "load_average": [round(value, 2) for value in os.getloadavg()],
            "diverged_at_epoch": diverged[0] if diverged else None,
            "epochs": train_config.epochs,
            "steps_per_epoch": steps_per_epoch,
            "train_images": int(len(x)),
            "final_losses": {k: v for k, v in history.epochs[-1].items() if k not in ("epoch", "seconds")},
            "data_source": data_source,
            "best_epoch": None if scores is None else scores.best,
            "selection": None if scores is None else selection_rule(gan_config, min_label_accuracy),
            "keras_version": keras.__version__,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        }
        write_json(tmp / "summary.json", summary)
    logger.info("Wrote run to %s (%.0f s of training)", run_dir, seconds)
    return gan, summary


def selection_rule(gan_config, min_label_accuracy):
    """The rule that chose `generator_best.keras`, in words (recorded in `summary.json`)."""
    if gan_config.conditional:
        return (
            f"highest diversity_ratio among epochs with label_accuracy >= {min_label_accuracy:g} "
            "(else highest label_accuracy); 2000 samples against real training images"
        )
    if gan_config.channels == image_data.STACKED_CHANNELS:
        return "lowest kl_to_uniform of the Stacked MNIST mode histogram"
    return "lowest frechet_distance; 2000 samples against real training images"


def load_run(run_dir, training_generator=False, model="best"):
    """Reads a run directory.

    Args:
        run_dir: the directory `train_run` wrote.
        training_generator: return the generator as trained after the last epoch
            (`generator_training.keras`) instead of its weight average; only for runs with
            `ema_decay`. Default False.
        model: `"best"`: the generator of the best epoch (`generator_best.keras`) where the run
            kept one (trained with an epoch scorer), else the last; `"last"`: the generator after
            the last epoch (`generator.keras`). Ignored with `training_generator`. Default "best".

    Returns:
        `(gan_config, train_config, generator, summary)`. `summary["generator_epoch"]` is the
        epoch of the generator returned.

    Raises:
        OSError: missing directory or files.
        ValueError: malformed `config.json`, `training_generator` for a run without `ema_decay`,
            or a `model` other than "best" or "last".
    """
    if model not in ("best", "last"):
        raise ValueError(f"Expected `model` to be 'best' or 'last'. Received: model={model!r}")
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
    name = "generator.keras"
    if training_generator:
        if gan_config.ema_decay is None:
            raise ValueError(
                f"Run {str(run_dir)!r} has no separate training generator: it was trained without a weight "
                "average (ema_decay=None), so generator.keras is the trained generator."
            )
        name = TRAINING_GENERATOR
    summary["generator_epoch"] = summary.get("epochs")
    best = summary.get("best_epoch")
    if model == "best" and not training_generator and best and (run_dir / BEST_GENERATOR).is_file():
        name = BEST_GENERATOR
        summary["generator_epoch"] = best["epoch"]
    return gan_config, train_config, load_generator(run_dir / name), summary


# What `epoch_scorer` keeps of `evaluate_generator`'s numbers.
EPOCH_SCORES = ("frechet_distance", "classes_covered", "label_accuracy", "diversity_ratio", "pixel_diversity_ratio")
# What `stacked_epoch_scorer` keeps of `generated_modes`' numbers.
STACKED_EPOCH_SCORES = ("modes_covered", "kl_to_uniform")


def epoch_scorer(gan_config, classifier, images, labels=None, num_samples=2000, seed=0):
    """A scorer for `train_run(epoch_scorer=...)`: a few of `evaluate_generator`'s numbers, quickly.

    Args:
        gan_config: the `ImageGANConfig` of the generators it will score.
        classifier: evaluation classifier (`classifier.load_classifier`).
        images: uint8 `(n, h, w)` real training images (`num_samples` of them are used).
        labels: their labels; for a conditional model they add label accuracy and within-class
            diversity (features and pixels). Default None.
        num_samples: generated images (balanced over the classes) and real images. Default 2000.
        seed: seed of the noise and the real subset (the same every epoch). Default 0;
            `train_images.py` passes the run's seed + `SELECTION_SEED_OFFSET`.

    Returns:
        A callable `generator -> dict` with the keys of `EPOCH_SCORES` that apply (Frechet
        distance against the real images, classes covered, and for conditional models label
        accuracy and the two diversity ratios); values None if the generator diverged.
    """

    names = EPOCH_SCORES if gan_config.conditional and labels is not None else EPOCH_SCORES[:2]

    def score(generator):
        metrics = evaluate_generator(generator, gan_config, classifier, images, images, num_samples, seed, labels)
        return {name: metrics.get(name) for name in names}

    return score


def _sample(images, size, seed, labels=None):
    order = np.random.default_rng(seed).permutation(len(images))[:size]
    scaled = image_data.to_model_range(images[order])
    return scaled if labels is None else (scaled, np.asarray(labels)[order])


def evaluate_generator(
    generator, gan_config, classifier, real_train, real_test, num_samples=10000, seed=0, real_train_labels=None
):
    """Scores a generator with an evaluation classifier against real images.

    Args:
        generator: trained generator.
        gan_config: its `ImageGANConfig`.
        classifier: evaluation classifier (`classifier.load_classifier`).
        real_train: uint8 `(n, h, w)` real training images.
        real_test: uint8 `(m, h, w)` real test images.
        num_samples: generated images, and real images per set, used by every number. Default 10000.
        seed: seed of the noise and the real subsets. Default 0.
        real_train_labels: `(n,)` labels of `real_train`; for a conditional generator they add the
            per-class Frechet distances and within-class diversities. Default None.

    Returns:
        A dict: `frechet_distance` (generated vs real train), `frechet_floor` (real train vs real
        test), `classifier_score`, `classifier_score_real` (real test: the ceiling),
        `classes_covered`, `kl_to_uniform`, `class_histogram`, their real-test counterparts,
        `num_samples`, `diverged`, and for conditional generators `label_accuracy` (share
        classified as the requested class) and, given `real_train_labels`, the fields of
        `metrics.ClassConditionalScores` (`frechet_per_class`, `diversity_per_class`,
        `real_diversity_per_class`, `diversity_ratio`, `pixel_diversity_ratio`). If any generated image is not finite (training
        diverged), `diverged` is True and the generator's numbers are None.
    """
    num_samples = validate(num_samples, "num_samples", Integer(100))
    probe = ClassifierProbe(classifier)
    size = min(num_samples, len(real_train), len(real_test))
    if real_train_labels is None:
        train_images, train_labels = _sample(real_train, size, seed), None
    else:
        train_images, train_labels = _sample(real_train, size, seed, real_train_labels)
    train_features, _ = probe(train_images)
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
            frechet_distance=None,
            classifier_score=None,
            classes_covered=None,
            kl_to_uniform=None,
            class_histogram=None,
            non_finite_images=int((~finite).sum()),
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
        if train_labels is not None:
            scores = class_conditional_scores(
                fake_features,
                fake_probabilities,
                labels,
                train_features,
                train_labels,
                seed,
                fake_pixels=fake,
                real_pixels=train_images,
            )
            results.update(scores.to_dict())
    return results


def channel_digits(probe, images):
    """The classifier's digit for every channel of `(n, h, w, c)` images: `(n, c)` ints."""
    n, h, w, c = images.shape
    per_channel = np.transpose(images, (0, 3, 1, 2)).reshape(n * c, h, w, 1)
    _, probabilities = probe(per_channel)
    return probabilities.argmax(axis=1).reshape(n, c)


def digits_to_modes(digits):
    """`(n, c)` digits -> `(n,)` Stacked MNIST modes, first channel most significant."""
    modes = np.zeros(len(digits), np.int64)
    for column in np.asarray(digits).T:
        modes = modes * image_data.NUM_CLASSES + column
    return modes


def evaluate_stacked(generator, gan_config, classifier, real_test, num_samples=26000, seed=0):
    """Modes of Stacked MNIST covered by a generator, and the KL of its mode histogram to uniform.

    Each channel is classified by the MNIST evaluation classifier (PacGAN, Lin et al. 2018,
    section 5.1, with a pretrained MNIST classifier); the mode is the three-digit number.

    Args:
        generator: trained generator of `(n, 28, 28, 3)` images.
        gan_config: its `ImageGANConfig` (3 channels, unconditional).
        classifier: the MNIST evaluation classifier.
        real_test: uint8 `(m, 28, 28, 3)` real Stacked MNIST test images (the reference).
        num_samples: generated images. Default 26000 (PacGAN's).
        seed: seed of the noise. Default 0.

    Returns:
        A dict: `modes_covered`, `kl_to_uniform`, `num_modes`, `num_samples`, the same for the
        real test images (`*_real`) and `diverged`.
    """
    num_samples = validate(num_samples, "num_samples", Integer(100))
    probe = ClassifierProbe(classifier)
    real = mode_coverage(
        digits_to_modes(channel_digits(probe, image_data.to_model_range(real_test))), image_data.STACKED_MODES
    )
    results = {
        "modes_covered_real": real.modes_covered,
        "kl_to_uniform_real": real.kl_to_uniform,
        "real_samples": real.num_samples,
        "num_samples": num_samples,
        "seed": seed,
    }
    results.update(generated_modes(generator, gan_config, probe, num_samples, seed))
    return results


def generated_modes(generator, gan_config, probe, num_samples=26000, seed=0):
    """Stacked MNIST modes of `num_samples` generated images (noise drawn with `seed + 2`).

    Args:
        generator: generator of `(n, 28, 28, 3)` images.
        gan_config: its `ImageGANConfig`.
        probe: `ClassifierProbe` of the MNIST evaluation classifier.
        num_samples: generated images. Default 26000.
        seed: seed of the noise. Default 0.

    Returns:
        A dict: `diverged`, the fields of `metrics.ModeCoverage` (`modes_covered` and
        `kl_to_uniform` None if any generated image is not finite), and per channel the share of
        each digit (`channel_histograms`, `(channels, 10)`) and its KL to uniform
        (`channel_kl_to_uniform`): how much of the modes' KL comes from digits drawn too often
        in one channel rather than from the channels' combinations.
    """
    noise = np.random.default_rng(seed + 2).standard_normal((num_samples, gan_config.latent_dim)).astype(np.float32)
    fake = generate_images(generator, gan_config, noise=noise)
    if not np.isfinite(fake).all():
        return {
            "diverged": True,
            "modes_covered": None,
            "kl_to_uniform": None,
            "num_modes": image_data.STACKED_MODES,
            "num_samples": num_samples,
        }
    digits = channel_digits(probe, fake)
    coverage = mode_coverage(digits_to_modes(digits), image_data.STACKED_MODES)
    channels = [mode_coverage(column, image_data.NUM_CLASSES) for column in digits.T]
    return {
        "diverged": False,
        **coverage.to_dict(),
        "channel_histograms": [
            (np.bincount(column, minlength=image_data.NUM_CLASSES) / len(column)).tolist() for column in digits.T
        ],
        "channel_kl_to_uniform": [channel.kl_to_uniform for channel in channels],
    }


def stacked_epoch_scorer(gan_config, classifier, num_samples=26000, seed=0):
    """A scorer for `train_run(epoch_scorer=...)` on Stacked MNIST: modes covered and KL to uniform.

    Args:
        gan_config: the `ImageGANConfig` of the generators it will score (3 channels).
        classifier: the MNIST evaluation classifier (`classifier.load_classifier`).
        num_samples: generated images per call. Default 26000 (PacGAN's, as `evaluate_stacked`).
        seed: seed of the noise (the same every epoch). Default 0; `train_images.py` passes the
            run's seed + `SELECTION_SEED_OFFSET`.

    Returns:
        A callable `generator -> {"modes_covered": ..., "kl_to_uniform": ...}` (None values if the
        generator diverged).
    """
    num_samples = validate(num_samples, "num_samples", Integer(100))
    probe = ClassifierProbe(classifier)

    def score(generator):
        modes = generated_modes(generator, gan_config, probe, num_samples, seed)
        return {name: modes[name] for name in STACKED_EPOCH_SCORES}

    return score
