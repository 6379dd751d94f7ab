"""Score a trained image GAN run: Frechet distance, classifier score, class coverage; for conditional
runs label accuracy, per-class Frechet distance, within-class diversity and (with --cas) the
train-on-synthetic, test-on-real classification accuracy score; for Stacked MNIST the modes covered.

    python scripts/evaluate_images.py --run runs/mnist-dcgan-wgangp --data-dir /data/mnist
    python scripts/evaluate_images.py --run runs/mnist-cdcgan --data-dir /data/mnist --cas

Uses the evaluation classifier shipped for the run's dataset (or --classifier), writes
metrics.json into the run directory and prints the numbers. A run trained with --epoch-scores
is scored on its best epoch's generator (generator_best.keras); --last scores the last one.
"""

import argparse
import logging
import sys

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run

PROG = "evaluate_images"
logger = logging.getLogger(PROG)


def build_parser():
    """The argument parser."""
    parser = ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, help="run directory written by train_images")
    parser.add_argument("--data-dir", help="IDX directory (default: the run's, else keras.datasets)")
    parser.add_argument("--classifier", help="evaluation classifier .keras (default: the shipped one)")
    parser.add_argument(
        "--num-samples", type=positive_int, default=10000, help="generated and real images (default 10000)"
    )
    parser.add_argument(
        "--cas",
        action="store_true",
        help="conditional runs: train the classifier's architecture on --cas-samples generated "
        "images and test it on the real test set (Ravuri & Vinyals 2019)",
    )
    parser.add_argument(
        "--cas-samples", type=positive_int, default=60000, help="generated training images (default 60000)"
    )
    parser.add_argument("--cas-epochs", type=positive_int, default=5, help="classifier epochs (default 5)")
    parser.add_argument(
        "--cas-reference",
        action="store_true",
        help="with --cas: also train the classifier on as many real training images for as many epochs, "
        "the reference at the same budget (the shipped classifier saw 60000 images x its own epochs)",
    )
    parser.add_argument(
        "--last",
        action="store_true",
        help="score the generator after the last epoch instead of the best epoch's, for runs trained with "
        "--epoch-scores (writes metrics_last.json; runs without a best generator are always scored on the last)",
    )
    parser.add_argument(
        "--training-generator",
        action="store_true",
        help="runs trained with --ema-decay: score the generator as trained after the last epoch instead of "
        "its weight average (writes metrics_training_generator.json)",
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser


def format_metrics(metrics):
    """The printed summary of `metrics`, one number per line."""
    if "modes_covered_real" in metrics:
        if metrics.get("diverged"):
            return "training diverged: generated images are not finite"
        return (
            f"modes covered          {metrics['modes_covered']} / {metrics['num_modes']}   "
            f"(real test: {metrics['modes_covered_real']})\n"
            f"KL(modes || uniform)   {metrics['kl_to_uniform']:.3f}   (real test: {metrics['kl_to_uniform_real']:.3f}; "
            f"{metrics['num_samples']} samples)\n"
            "KL(digits || uniform)  "
            + " ".join(f"{value:.3f}" for value in metrics["channel_kl_to_uniform"])
            + "   (per channel)"
        )
    if metrics.get("diverged"):
        return (
            f"training diverged: {metrics['non_finite_images']} of {metrics['num_samples']} generated images are "
            f"not finite (real train vs real test Frechet floor {metrics['frechet_floor']:.2f})"
        )
    lines = [
        f"Frechet distance       {metrics['frechet_distance']:.2f}   (real train vs real test floor: {metrics['frechet_floor']:.2f})",
        f"classifier score       {metrics['classifier_score']:.2f}   (real test ceiling: {metrics['classifier_score_real']:.2f})",
        f"classes covered        {metrics['classes_covered']} / {len(metrics['class_histogram'])}   (real test: {metrics['classes_covered_real']})",
        f"KL(classes || uniform) {metrics['kl_to_uniform']:.3f}   (real test: {metrics['kl_to_uniform_real']:.3f})",
        "class histogram        " + " ".join(f"{share:.2f}" for share in metrics["class_histogram"]),
    ]
    if "label_accuracy" in metrics:
        lines.append(
            f"label accuracy         {metrics['label_accuracy']:.3f}   (share classified as the requested class)"
        )
    if "diversity_ratio" in metrics:
        lines.append(f"within-class diversity {metrics['diversity_ratio']:.3f}   (generated / real, mean over classes)")
        if metrics.get("pixel_diversity_ratio") is not None:
            lines.append(
                f"  in pixels            {metrics['pixel_diversity_ratio']:.3f}   (the same ratio of pixel distances)"
            )
        lines.append("Frechet per class      " + " ".join(f"{value:.1f}" for value in metrics["frechet_per_class"]))
    if "cas" in metrics:
        lines.append(
            f"CAS (train synthetic)  {metrics['cas']:.4f}   (real-trained classifier: {metrics['cas_real']:.4f})"
        )
        if metrics.get("cas_per_class"):
            lines.append("CAS per class          " + " ".join(f"{value:.3f}" for value in metrics["cas_per_class"]))
    if "cas_real_same_budget" in metrics:
        lines.append(
            f"CAS reference          {metrics['cas_real_same_budget']:.4f}   (trained on {metrics['cas_samples']} real "
            f"images x {metrics['cas_epochs']} epochs, the CAS budget)"
        )
    return "\n".join(lines)


def _cas(generator, gan_config, classifier, real_test, test_labels, args, real_train=None):
    """Classification accuracy score of a conditional generator, beside the real-trained classifier's.

    With `real_train` (`(images, labels)`, uint8) the same architecture is also trained on
    `--cas-samples` of those images (a seeded subset) for `--cas-epochs`: `cas_real_same_budget`.
    """
    import time

    import numpy as np

    from timegan.images.classifier import ClassifierProbe, classification_accuracy_score
    from timegan.images.data import subset, to_model_range
    from timegan.images.gan import generate_images

    rng = np.random.default_rng(args.seed + 3)
    labels = np.arange(args.cas_samples) % gan_config.num_classes
    noise = rng.standard_normal((args.cas_samples, gan_config.latent_dim)).astype(np.float32)
    synthetic = generate_images(generator, gan_config, labels=labels, noise=noise)
    test_images = to_model_range(real_test)
    start = time.process_time()
    cas, cas_per_class = classification_accuracy_score(
        (synthetic, labels), (test_images, test_labels), args.cas_epochs, seed=args.seed, per_class=True
    )
    _, probabilities = ClassifierProbe(classifier)(test_images)
    result = {
        "cas": cas,
        "cas_per_class": cas_per_class,
        "cas_real": float(np.mean(probabilities.argmax(axis=1) == test_labels)),
        "cas_samples": args.cas_samples,
        "cas_epochs": args.cas_epochs,
        "cas_cpu_seconds": round(time.process_time() - start, 1),
    }
    if real_train is not None:
        images, labels = subset(*real_train, min(args.cas_samples, len(real_train[0])), args.seed + 4)
        result["cas_real_same_budget"] = classification_accuracy_score(
            (to_model_range(images), labels), (test_images, test_labels), args.cas_epochs, seed=args.seed
        )
    return result


def main(argv=None):
    """Entry point of `timegan-evaluate-images`; returns the exit code."""
    args = build_parser().parse_args(argv)
    configure_logging()

    def _main():
        from pathlib import Path

        from timegan._atomic import write_json
        from timegan.images.classifier import load_classifier
        from timegan.images.data import load_images
        from timegan.images.run import evaluate_generator, evaluate_stacked, load_run

        if args.num_samples < 100:
            raise ValueError(f"Expected --num-samples >= 100. Received: {args.num_samples}")
        if args.last and args.training_generator:
            raise ValueError("--last and --training-generator exclude each other (the training generator is the last).")
        gan_config, train_config, generator, summary = load_run(
            args.run, args.training_generator, "last" if args.last else "best"
        )
        if args.cas_reference and not args.cas:
            raise ValueError("--cas-reference only applies with --cas.")
        if args.cas and not gan_config.conditional:
            raise ValueError(
                f"--cas needs a conditional run (generated images with labels); {args.run!r} is not conditional."
            )
        classifier = load_classifier(train_config.dataset, args.classifier)
        data_dir = args.data_dir
        if data_dir is None:
            recorded = summary.get("data_source")
            data_dir = recorded if recorded and Path(recorded).is_dir() else None
        real_test, test_labels = load_images(train_config.dataset, "test", data_dir)
        if train_config.dataset == "stacked-mnist":
            metrics = evaluate_stacked(generator, gan_config, classifier, real_test, args.num_samples, args.seed)
        else:
            real_train, train_labels = load_images(train_config.dataset, "train", data_dir)
            metrics = evaluate_generator(
                generator, gan_config, classifier, real_train, real_test, args.num_samples, args.seed, train_labels
            )
        if args.cas:
            reference = (real_train, train_labels) if args.cas_reference else None
            metrics.update(_cas(generator, gan_config, classifier, real_test, test_labels, args, reference))
        metrics.update(
            dataset=train_config.dataset,
            architecture=gan_config.architecture,
            loss=gan_config.loss,
            optimizer=gan_config.optimizer,
            minibatch_discrimination=gan_config.minibatch_discrimination,
            noise_layer=gan_config.noise_layer,
            conditional=gan_config.conditional,
            conditioning=gan_config.conditioning,
            packing=gan_config.packing,
            epochs=summary["epochs"],
            train_images=summary["train_images"],
            train_seconds=summary["train_seconds"],
            cpu_seconds=summary.get("cpu_seconds"),
            load_average=summary.get("load_average"),
            classifier=str(args.classifier) if args.classifier else f"shipped:{train_config.dataset}",
            ema_decay=gan_config.ema_decay,
            mode_seeking_weight=gan_config.mode_seeking_weight,
            generator="training" if args.training_generator else "sampling",
            generator_epoch=summary["generator_epoch"],
            best_epoch=(summary.get("best_epoch") or {}).get("epoch"),
        )
        name = "metrics.json"
        if args.training_generator:
            name = "metrics_training_generator.json"
        elif args.last:
            name = "metrics_last.json"
        write_json(Path(args.run) / name, metrics)
        which = ", training generator" if args.training_generator else ""
        if gan_config.ema_decay is not None and not args.training_generator:
            which = f", weight average {gan_config.ema_decay:g}"
        which += f", epoch {summary['generator_epoch']} of {summary['epochs']}"
        echo(f"{args.run} ({train_config.dataset}, {gan_config.architecture}, {gan_config.loss}{which}):")
        echo(format_metrics(metrics))

    return run(_main, PROG)


if __name__ == "__main__":
    sys.exit(main())
