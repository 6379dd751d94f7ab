"""Train an image GAN (MLP or DCGAN, any loss/optimizer, optional remedies) on MNIST or Fashion-MNIST.

    python scripts/train_images.py --dataset mnist --model dcgan --loss wgan-gp --epochs 5 \
        --data-dir /data/mnist --output-dir runs/mnist-dcgan-wgangp --seed 0

Writes config.json, generator.keras, samples/epoch_XXX.png, progress.gif, losses.csv,
loss_curve.png and summary.json to --output-dir (only once training has finished); with
--epoch-scores also epoch_scores.csv, epoch_scores.png and generator_best.keras (the best epoch's
generator).
"""

import argparse
import logging
import sys

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_float, positive_int, run

PROG = "train_images"
logger = logging.getLogger(PROG)

DATASETS = ("mnist", "fashion-mnist", "stacked-mnist")
CONDITIONINGS = ("concat", "projection", "acgan")
MODELS = ("mlp", "dcgan")
LOSSES = ("minimax", "non-saturating", "hinge", "wgan", "wgan-gp")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")


def _units(text):
    try:
        units = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, received {text!r}") from None
    if not units or min(units) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, received {text!r}")
    return units


def build_parser():
    """The argument parser (exposed for tests and docs)."""
    parser = ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=DATASETS)
    parser.add_argument("--model", default="mlp", choices=MODELS, help="architecture (default: mlp)")
    parser.add_argument("--loss", default="non-saturating", choices=LOSSES, help="default: non-saturating")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default: adam, rmsprop for wgan")
    parser.add_argument("--lr", type=positive_float, help="learning rate of both networks")
    parser.add_argument("--generator-lr", type=positive_float)
    parser.add_argument("--discriminator-lr", type=positive_float)
    parser.add_argument("--momentum", type=float, help="momentum of --optimizer momentum (default 0.9)")
    parser.add_argument("--beta-1", type=float, help="Adam's beta_1 (default 0.5, 0 for hinge and wgan-gp)")
    parser.add_argument("--beta-2", type=float, help="Adam's beta_2 (default 0.999, 0.9 for hinge and wgan-gp)")
    parser.add_argument(
        "--k",
        "--discriminator-steps",
        dest="discriminator_steps",
        type=positive_int,
        help="discriminator/critic steps per generator step (default 1, 5 for wgan losses)",
    )
    parser.add_argument("--clip-value", type=positive_float, help="wgan weight clipping bound (default 0.01)")
    parser.add_argument("--gp-weight", type=positive_float, help="wgan-gp penalty weight (default 10)")
    parser.add_argument("--latent-dim", type=positive_int, default=100)
    parser.add_argument("--hidden-units", type=_units, default=(256, 512), help="mlp widths, e.g. 256,512")
    parser.add_argument("--filters", type=positive_int, default=32, help="dcgan base filters (default 32)")
    parser.add_argument("--dropout", type=float, default=0.3, help="discriminator dropout (default 0.3)")
    parser.add_argument("--minibatch-discrimination", action="store_true")
    parser.add_argument(
        "--spectral-norm", action="store_true", help="spectral normalization of the discriminator's weights"
    )
    parser.add_argument(
        "--conditional-batchnorm",
        action="store_true",
        help="per-class batch-norm scale and shift in the generator (conditional dcgan)",
    )
    parser.add_argument(
        "--no-label-concat",
        dest="label_concat",
        action="store_false",
        help="with --conditional-batchnorm: the generator's first layer sees z only (Miyato & Koyama)",
    )
    parser.add_argument(
        "--ema-decay",
        type=float,
        help="sample, save and evaluate an exponential moving average of the generator's weights with "
        "this decay, e.g. 0.999 (Yazici et al. 2019; default: none)",
    )
    parser.add_argument(
        "--mode-seeking",
        dest="mode_seeking_weight",
        metavar="WEIGHT",
        type=float,
        default=0.0,
        help="weight of the mode-seeking term in the generator's loss: the batch is two halves with the same "
        "labels, penalised by 1 / (mean|G(z1) - G(z2)| / mean|z1 - z2| + 1e-5) (Mao et al. 2019, MSGAN; "
        "the paper uses 1; default 0: off; needs an even --batch-size)",
    )
    parser.add_argument("--label-smoothing", type=float, default=0.0, help="one-sided: real target 1 - s (default 0)")
    parser.add_argument("--noise-layer", action="store_true", help="concatenate noise into a generator hidden layer")
    parser.add_argument("--conditional", action="store_true", help="condition both networks on the class label")
    parser.add_argument(
        "--conditioning",
        choices=CONDITIONINGS,
        help="how the discriminator uses the label (needs --conditional; default projection)",
    )
    parser.add_argument(
        "--classifier-weight", type=positive_float, help="AC-GAN class loss weight (--conditioning acgan; default 1)"
    )
    parser.add_argument(
        "--label-embedding-dim",
        type=positive_int,
        default=50,
        help="width of the generator's label embedding (default 50)",
    )
    parser.add_argument(
        "--packing", type=int, default=1, help="PacGAN: the discriminator judges this many samples at once (default 1)"
    )
    parser.add_argument(
        "--epoch-scores",
        action="store_true",
        help="score the generator (and, with --ema-decay, the trained one) with the shipped classifier before "
        "training and after every epoch on 2000 samples, Stacked MNIST on 26000 (epoch_scores.csv and a curve, "
        "epoch_scores.png), and keep the best epoch's generator beside the last (generator_best.keras): for "
        "conditional runs the most varied one among the epochs whose label accuracy reaches "
        "--min-label-accuracy, for Stacked MNIST the lowest KL of the mode histogram to uniform, else the lowest "
        "Frechet distance",
    )
    parser.add_argument(
        "--min-label-accuracy",
        type=float,
        help="with --epoch-scores, conditional runs: label accuracy an epoch needs to be chosen for its "
        "within-class diversity (default: the goal of the dataset, mnist 0.97, fashion-mnist 0.85)",
    )
    parser.add_argument(
        "--classifier", help="evaluation classifier .keras for --epoch-scores (default: the shipped one)"
    )
    parser.add_argument("--epochs", type=positive_int, default=10)
    parser.add_argument("--batch-size", type=positive_int, default=64)
    parser.add_argument("--train-size", type=positive_int, help="use a random subset of this many images")
    parser.add_argument("--data-dir", help="directory with the four IDX .gz files (default: keras.datasets)")
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --output-dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def configs_from_args(args):
    """Builds `(ImageGANConfig, ImageTrainingConfig)` from parsed arguments (validates both)."""
    from timegan.images.config import ImageGANConfig, ImageTrainingConfig

    if args.lr is not None and (args.generator_lr is not None or args.discriminator_lr is not None):
        raise ValueError("Pass either --lr or --generator-lr/--discriminator-lr, not both.")
    gan_config = ImageGANConfig(
        architecture=args.model,
        loss=args.loss,
        optimizer=args.optimizer,
        generator_lr=args.generator_lr if args.lr is None else args.lr,
        discriminator_lr=args.discriminator_lr if args.lr is None else args.lr,
        momentum=args.momentum,
        beta_1=args.beta_1,
        beta_2=args.beta_2,
        discriminator_steps=args.discriminator_steps,
        clip_value=args.clip_value,
        gp_weight=args.gp_weight,
        latent_dim=args.latent_dim,
        hidden_units=args.hidden_units,
        filters=args.filters,
        dropout=args.dropout,
        minibatch_discrimination=args.minibatch_discrimination,
        spectral_norm=args.spectral_norm,
        conditional_batchnorm=args.conditional_batchnorm,
        label_concat=args.label_concat,
        label_smoothing=args.label_smoothing,
        ema_decay=args.ema_decay,
        mode_seeking_weight=args.mode_seeking_weight,
        noise_layer=args.noise_layer,
        conditional=args.conditional,
        conditioning=args.conditioning,
        classifier_weight=args.classifier_weight,
        label_embedding_dim=args.label_embedding_dim,
        packing=args.packing,
        channels=3 if args.dataset == "stacked-mnist" else 1,
        seed=args.seed,
    )
    train_config = ImageTrainingConfig(
        dataset=args.dataset, epochs=args.epochs, batch_size=args.batch_size, train_size=args.train_size, seed=args.seed
    )
    from timegan.images.run import check_compatible

    check_compatible(gan_config, train_config)
    if args.classifier is not None and not args.epoch_scores:
        raise ValueError("--classifier only applies with --epoch-scores.")
    if args.min_label_accuracy is not None:
        if not args.epoch_scores or not args.conditional:
            raise ValueError("--min-label-accuracy only applies with --epoch-scores and --conditional.")
        if not 0 <= args.min_label_accuracy <= 1:
            raise ValueError(
                f"Expected --min-label-accuracy in [0, 1]. Received: min_label_accuracy={args.min_label_accuracy}"
            )
    if args.dataset == "stacked-mnist" and args.data_dir is None:
        from timegan.images.data import load_stacked_mnist

        load_stacked_mnist("train", None)  # raises the one-line "pass --data-dir" error
    return gan_config, train_config


def main(argv=None):
    """Entry point of `timegan-train-images`; returns the exit code."""
    args = build_parser().parse_args(argv)
    configure_logging()

    def _main():
        from pathlib import Path

        gan_config, train_config = configs_from_args(args)  # refuses bad combinations before any work
        from timegan.images.run import check_run_dir

        output = check_run_dir(args.output_dir, args.overwrite)
        import keras

        from timegan.images.data import load_images
        from timegan.images.run import train_run

        images, labels = load_images(args.dataset, "train", args.data_dir)
        scorer = None
        if args.epoch_scores:
            from timegan.images.classifier import load_classifier
            from timegan.images.run import SELECTION_SEED_OFFSET, epoch_scorer

            classifier = load_classifier(args.dataset, args.classifier)
            if args.dataset == "stacked-mnist":
                from timegan.images.run import STACKED_EPOCH_SAMPLES, stacked_epoch_scorer

                scorer = stacked_epoch_scorer(
                    gan_config, classifier, STACKED_EPOCH_SAMPLES, seed=args.seed + SELECTION_SEED_OFFSET
                )
            else:
                scorer = epoch_scorer(gan_config, classifier, images, labels, seed=args.seed + SELECTION_SEED_OFFSET)
        keras.utils.set_random_seed(args.seed)
        source = str(Path(args.data_dir).resolve()) if args.data_dir else "keras.datasets"
        _, summary = train_run(
            gan_config,
            train_config,
            images,
            labels,
            output,
            overwrite=args.overwrite,
            progress=not args.no_progress,
            data_source=source,
            epoch_scorer=scorer,
            min_label_accuracy=args.min_label_accuracy,
        )
        losses = ", ".join(f"{name} {value:.4f}" for name, value in summary["final_losses"].items())
        echo(f"{output}: {summary['epochs']} epochs in {summary['train_seconds']:.0f} s; final {losses}")
        if summary.get("best_epoch"):
            echo(f"best epoch {summary['best_epoch']['epoch']} (generator_best.keras): {summary['selection']}")

    return run(_main, PROG)


if __name__ == "__main__":
    sys.exit(main())
