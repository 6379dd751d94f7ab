"""Measures why a conditional GAN follows (or ignores) the label, one short run per conditioning.

    python scripts/diagnose_conditioning.py --dataset mnist --data-dir /data/mnist --model mlp \
        --train-size 12800 --epochs 1 --conditionings concat projection acgan

For each conditioning it trains the same networks for the same steps (in this process, nothing
written) and prints: the generator's label accuracy (shipped classifier, 2000 samples); the
discriminator's label preference on 1000 real test images (share whose highest-scoring label is
the true one: 0.10 means the discriminator ignores the label) and the spread of its scores over
the 10 labels against the spread over images; and the share of the first layer's input weight
norm that sits on the label embedding.
"""

import argparse
import sys
import time

import numpy as np

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run

PROG = "diagnose_conditioning"


def main(argv=None):
    parser = ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=("mnist", "fashion-mnist"))
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", default="mlp", choices=("mlp", "dcgan"))
    parser.add_argument(
        "--conditionings",
        nargs="+",
        default=["concat", "projection", "acgan"],
        choices=("concat", "projection", "acgan"),
    )
    parser.add_argument("--train-size", type=positive_int, default=12800)
    parser.add_argument("--epochs", type=positive_int, default=1)
    parser.add_argument("--filters", type=positive_int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    configure_logging()

    def _main():
        import keras

        from timegan.images.classifier import ClassifierProbe, load_classifier
        from timegan.images.config import ImageGANConfig
        from timegan.images.data import load_images, subset, to_model_range
        from timegan.images.gan import ImageGAN, make_dataset
        from timegan.images.networks import build_discriminator, build_generator

        images, labels = load_images(args.dataset, "train", args.data_dir)
        images, labels = subset(images, labels, args.train_size, args.seed)
        test_images, test_labels = load_images(args.dataset, "test", args.data_dir)
        real, real_labels = to_model_range(test_images[:1000]), test_labels[:1000]
        probe = ClassifierProbe(load_classifier(args.dataset))
        echo(f"{args.dataset}, {args.model}, {args.train_size} images x {args.epochs} epoch(s), seed {args.seed}")
        echo(
            "| conditioning | label accuracy (G) | D label preference (real) | label spread / image spread "
            "| label share of D's first-layer weights | CPU s |"
        )
        echo("|---|---|---|---|---|---|")
        for conditioning in args.conditionings:
            keras.utils.set_random_seed(args.seed)
            config = ImageGANConfig(
                architecture=args.model,
                conditional=True,
                conditioning=conditioning,
                filters=args.filters,
                seed=args.seed,
            )
            gan = ImageGAN(build_generator(config), build_discriminator(config), config)
            gan.compile()
            dataset = make_dataset(to_model_range(images), labels, 64, 1, args.seed, True)
            cpu = time.process_time()
            gan.fit(dataset, epochs=args.epochs, verbose=0)
            cpu = time.process_time() - cpu
            requested = np.arange(2000) % 10
            _, probabilities = probe(gan.generate(2000, labels=requested))
            accuracy = np.mean(probabilities.argmax(axis=1) == requested)
            scores = gan.label_logits(real)
            preference = np.mean(scores.argmax(axis=1) == real_labels)
            spread = scores.std(axis=1).mean() / max(scores.mean(axis=1).std(), 1e-12)
            share = "-"
            if conditioning == "concat" and args.model == "mlp":
                kernel = keras.ops.convert_to_numpy(gan.discriminator.get_layer("dense0").kernel)
                share = f"{np.linalg.norm(kernel[-config.label_embedding_dim :]) / np.linalg.norm(kernel):.3f}"
            echo(f"| {conditioning} | {accuracy:.3f} | {preference:.3f} | {spread:.3f} | {share} | {cpu:.0f} |")

    return run(_main, PROG)


if __name__ == "__main__":
    sys.exit(main())
