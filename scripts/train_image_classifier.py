"""Trains the evaluation classifier for MNIST or Fashion-MNIST and saves it as `.keras`.

    python scripts/train_image_classifier.py --dataset mnist --data-dir /data/mnist \
        --output timegan/images/classifiers/mnist.keras --epochs 5

Prints the test accuracy and writes it beside the model as `<name>.json`.
"""

import argparse
import logging
import sys
import time
from pathlib import Path

import keras

from timegan._atomic import write_json
from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run
from timegan.images.classifier import build_classifier, save_classifier, train_classifier
from timegan.images.data import DATASETS, load_images, to_model_range

PROG = "train_image_classifier"
logger = logging.getLogger(PROG)


def _parse(argv):
    parser = ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=DATASETS)
    parser.add_argument("--data-dir", default=None, help="directory with the four IDX .gz files")
    parser.add_argument("--output", required=True, help="path of the .keras file to write")
    parser.add_argument("--epochs", type=positive_int, default=5)
    parser.add_argument("--batch-size", type=positive_int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse(argv)
    configure_logging()

    def _main():
        if Path(args.output).suffix != ".keras":
            raise ValueError(f"Expected --output to end in '.keras'. Received: {args.output!r}")
        keras.utils.set_random_seed(args.seed)
        x_train, y_train = load_images(args.dataset, "train", args.data_dir)
        x_test, y_test = load_images(args.dataset, "test", args.data_dir)
        train = (to_model_range(x_train), y_train.astype("int32"))
        test = (to_model_range(x_test), y_test.astype("int32"))
        model = build_classifier(seed=args.seed)
        start = time.perf_counter()
        accuracy = train_classifier(model, train, test, epochs=args.epochs, batch_size=args.batch_size)
        seconds = time.perf_counter() - start
        save_classifier(model, args.output)
        write_json(
            Path(args.output).with_suffix(".json"),
            {
                "dataset": args.dataset,
                "test_accuracy": accuracy,
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "seed": args.seed,
                "train_seconds": round(seconds, 1),
                "parameters": int(model.count_params()),
            },
        )
        echo(f"{args.dataset}: test accuracy {accuracy:.4f} after {args.epochs} epochs ({seconds:.0f} s)")

    return run(_main, PROG)


if __name__ == "__main__":
    sys.exit(main())
