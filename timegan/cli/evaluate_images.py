"""Score a trained image GAN run: Frechet distance, classifier score and class coverage.

    python scripts/evaluate_images.py --run runs/mnist-dcgan-wgangp --data-dir /data/mnist

Uses the evaluation classifier shipped for the run's dataset (or --classifier), writes
metrics.json into the run directory and prints the numbers.
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
    parser.add_argument("--num-samples", type=positive_int, default=10000, help="generated and real images (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def format_metrics(metrics):
    """The printed summary of `metrics`, one number per line."""
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
        lines.append(f"label accuracy         {metrics['label_accuracy']:.3f}   (share classified as the requested class)")
    return "\n".join(lines)


def main(argv=None):
    """Entry point of `timegan-evaluate-images`; returns the exit code."""
    args = build_parser().parse_args(argv)
    configure_logging()

    def _main():
        from pathlib import Path

        from timegan._atomic import write_json
        from timegan.images.classifier import load_classifier
        from timegan.images.data import load_images
        from timegan.images.run import evaluate_generator, load_run

        if args.num_samples < 100:
            raise ValueError(f"Expected --num-samples >= 100. Received: {args.num_samples}")
        gan_config, train_config, generator, summary = load_run(args.run)
        classifier = load_classifier(train_config.dataset, args.classifier)
        data_dir = args.data_dir
        if data_dir is None:
            recorded = summary.get("data_source")
            data_dir = recorded if recorded and Path(recorded).is_dir() else None
        real_train, _ = load_images(train_config.dataset, "train", data_dir)
        real_test, _ = load_images(train_config.dataset, "test", data_dir)
        metrics = evaluate_generator(generator, gan_config, classifier, real_train, real_test, args.num_samples, args.seed)
        metrics.update(
            dataset=train_config.dataset,
            architecture=gan_config.architecture,
            loss=gan_config.loss,
            optimizer=gan_config.optimizer,
            minibatch_discrimination=gan_config.minibatch_discrimination,
            noise_layer=gan_config.noise_layer,
            conditional=gan_config.conditional,
            epochs=summary["epochs"],
            train_images=summary["train_images"],
            train_seconds=summary["train_seconds"],
            classifier=str(args.classifier) if args.classifier else f"shipped:{train_config.dataset}",
        )
        write_json(Path(args.run) / "metrics.json", metrics)
        echo(f"{args.run} ({train_config.dataset}, {gan_config.architecture}, {gan_config.loss}):")
        echo(format_metrics(metrics))

    return run(_main, PROG)


if __name__ == "__main__":
    sys.exit(main())
