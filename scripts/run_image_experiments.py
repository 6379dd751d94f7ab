"""Trains and evaluates the grid of image-GAN variants behind the results table in docs/images.md.

    python scripts/run_image_experiments.py --dataset mnist --data-dir /data/mnist --runs-dir runs/images

Each experiment is one `train_images.py` run followed by `evaluate_images.py`, in its own
process; experiments whose `metrics.json` exists are skipped, so the grid can be resumed.
Then `scripts/image_results_table.py runs/images/*/*` prints the table.
"""

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from timegan.cli._common import ArgumentParser

SCRIPTS = Path(__file__).resolve().parent
# name -> train_images.py arguments, most important first. MLP runs: all 60000 images x 5 epochs;
# DCGAN: 20000 x 5 epochs; then three longer runs (about 70 minutes per dataset on a shared
# 2-core CPU).
MLP = ["--model", "mlp", "--epochs", "5"]
DCGAN = ["--model", "dcgan", "--train-size", "20000", "--epochs", "5"]
EXPERIMENTS = {
    "mlp-nonsat": MLP + ["--loss", "non-saturating"],
    "mlp-nonsat-mbd": MLP + ["--loss", "non-saturating", "--minibatch-discrimination"],
    "mlp-minimax": MLP + ["--loss", "minimax"],
    "mlp-wgan": MLP + ["--loss", "wgan"],
    "mlp-wgan-gp": MLP + ["--loss", "wgan-gp"],
    "dcgan-nonsat": DCGAN + ["--loss", "non-saturating"],
    "mlp-nonsat-conditional": MLP + ["--loss", "non-saturating", "--conditional"],
    "mlp-nonsat-conditional-mbd": MLP + ["--loss", "non-saturating", "--conditional", "--minibatch-discrimination"],
    "mlp-nonsat-noise": MLP + ["--loss", "non-saturating", "--noise-layer"],
    "mlp-minimax-sgd": MLP + ["--loss", "minimax", "--optimizer", "sgd"],
    "mlp-nonsat-momentum": MLP + ["--loss", "non-saturating", "--optimizer", "momentum"],
    "mlp-nonsat-adagrad": MLP + ["--loss", "non-saturating", "--optimizer", "adagrad"],
    "mlp-nonsat-adadelta": MLP + ["--loss", "non-saturating", "--optimizer", "adadelta"],
    "mlp-nonsat-momentum-mbd": MLP
    + ["--loss", "non-saturating", "--optimizer", "momentum", "--minibatch-discrimination"],
    "mlp-nonsat-momentum-lr1e-3": MLP + ["--loss", "non-saturating", "--optimizer", "momentum", "--lr", "0.001"],
    # Longer runs: WGAN makes one generator step per 5 critic steps, and the DCGAN above sees
    # a third of the images.
    "mlp-wgan-25ep": ["--model", "mlp", "--epochs", "25", "--loss", "wgan"],
    "dcgan-nonsat-full": ["--model", "dcgan", "--epochs", "5", "--loss", "non-saturating"],
    "dcgan-wgan-gp": DCGAN + ["--loss", "wgan-gp"],
    # Issue 14, section 4: the best unconditional model trained until its Frechet distance levels
    # off, scored after every epoch (epoch_scores.csv and .png), with the weight average beside
    # the generator as trained (about 30 CPU minutes on one core).
    "dcgan-nonsat-40ep-ema": [
        "--model",
        "dcgan",
        "--epochs",
        "40",
        "--loss",
        "non-saturating",
        "--ema-decay",
        "0.999",
        "--epoch-scores",
    ],
    # Conditional DCGANs (issue 14, section 1): the label through an AC-GAN head or a projection
    # discriminator; one epoch over all 60000 images (937 steps).
    "cdcgan-acgan": ["--model", "dcgan", "--epochs", "1", "--conditional", "--conditioning", "acgan"],
    "cdcgan-projection": ["--model", "dcgan", "--epochs", "1", "--conditional", "--conditioning", "projection"],
    "cdcgan-concat": ["--model", "dcgan", "--epochs", "1", "--conditional", "--conditioning", "concat"],
    "cdcgan-acgan-mbd": [
        "--model",
        "dcgan",
        "--epochs",
        "1",
        "--conditional",
        "--conditioning",
        "acgan",
        "--minibatch-discrimination",
    ],
    "cdcgan-projection-mbd": [
        "--model",
        "dcgan",
        "--epochs",
        "1",
        "--conditional",
        "--conditioning",
        "projection",
        "--minibatch-discrimination",
    ],
    # The projection discriminator as Miyato & Koyama (2018) train it: spectral normalization,
    # hinge loss, no dropout, Adam(beta_1=0, beta_2=0.9), conditional batch norm in the generator.
    "cdcgan-sn-hinge-cbn": [
        "--model",
        "dcgan",
        "--epochs",
        "1",
        "--conditional",
        "--loss",
        "hinge",
        "--spectral-norm",
        "--conditional-batchnorm",
        "--dropout",
        "0",
        "--beta-1",
        "0",
        "--beta-2",
        "0.9",
    ],
}
# Stacked MNIST (1000 modes; PacGAN Table 3's rows). Batch 48 so that packs of 2, 3 and 4 divide
# it; 400 steps (19200 stacked images, one epoch) per row to fit a shared 2-core CPU.
STACKED = ["--model", "dcgan", "--batch-size", "48", "--train-size", "19200", "--epochs", "1"]
STACKED_EXPERIMENTS = {
    "dcgan": STACKED,
    "pacdcgan2": STACKED + ["--packing", "2"],
    "dcgan-mbd": STACKED + ["--minibatch-discrimination"],
    "dcgan-noise": STACKED + ["--noise-layer"],
    "pacdcgan3": STACKED + ["--packing", "3"],
    "pacdcgan4": STACKED + ["--packing", "4"],
    "dcgan-wgan-gp": STACKED + ["--loss", "wgan-gp"],
}
# The same rows over all 60000 stacked images for 20 epochs (25000 steps), with the modes counted on
# 26000 samples after every epoch (about 20 CPU minutes per row on one core).
STACKED_LONG = ["--model", "dcgan", "--batch-size", "48", "--epochs", "20", "--epoch-scores"]
STACKED_EXPERIMENTS.update(
    {
        "dcgan-20ep": STACKED_LONG,
        "pacdcgan2-20ep": STACKED_LONG + ["--packing", "2"],
        "dcgan-mbd-20ep": STACKED_LONG + ["--minibatch-discrimination"],
        "pacdcgan3-20ep": STACKED_LONG + ["--packing", "3"],
        "dcgan-noise-20ep": STACKED_LONG + ["--noise-layer"],
        # minibatch discrimination with both networks twice as wide (filters 64), aimed at the badly
        # drawn digits behind the over-drawn 8s (about twice the CPU time of dcgan-mbd-20ep)
        "dcgan-mbd-f64-20ep": STACKED_LONG + ["--minibatch-discrimination", "--filters", "64"],
        # WGAN-GP's defaults (k = 5, lambda 10, Adam(2e-4, 0, 0.9)): an epoch has a fifth of the
        # generator steps of the other rows
        "dcgan-wgan-gp-20ep": STACKED_LONG + ["--loss", "wgan-gp"],
        # minibatch discrimination with the generator's weight average and MSGAN's mode-seeking term
        "dcgan-mbd-ema-ms-20ep": STACKED_LONG
        + ["--minibatch-discrimination", "--ema-decay", "0.999", "--mode-seeking", "0.25"],
        # minibatch discrimination with Miyato et al.'s discriminator training (spectral norm, hinge
        # loss, no dropout, Adam(2e-4, 0, 0.9)), aimed at the malformed digits read as 8, for twice
        # the epochs (about 60 CPU minutes on one core)
        "dcgan-mbd-sn-hinge-40ep": ["--model", "dcgan", "--batch-size", "48", "--epochs", "40", "--epoch-scores"]
        + ["--minibatch-discrimination", "--loss", "hinge", "--spectral-norm", "--dropout", "0"],
    }
)
# Extra evaluate_images.py arguments per experiment.
EVALUATE = {name: ["--num-samples", "26000"] for name in STACKED_EXPERIMENTS}


def main(argv=None):
    parser = ArgumentParser(
        prog="run_image_experiments", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", required=True, choices=("mnist", "fashion-mnist", "stacked-mnist"))
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--runs-dir", required=True)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(set(EXPERIMENTS) | set(STACKED_EXPERIMENTS)),
        help="run just these experiments",
    )
    parser.add_argument("--cas", action="store_true", help="evaluate conditional runs with --cas as well")
    parser.add_argument("--cas-samples", help="passed to evaluate_images.py (default there: 60000)")
    parser.add_argument("--cas-epochs", help="passed to evaluate_images.py (default there: 5)")
    parser.add_argument("--seed", default="0")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    failures = 0
    experiments = STACKED_EXPERIMENTS if args.dataset == "stacked-mnist" else EXPERIMENTS
    for name in args.only or experiments:
        if name not in experiments:
            parser.error(f"experiment {name!r} is not defined for --dataset {args.dataset}")
        run_dir = Path(args.runs_dir) / args.dataset / name
        if (run_dir / "metrics.json").is_file():
            logging.info("skip %s (already evaluated)", run_dir)
            continue
        common = ["--dataset", args.dataset, "--data-dir", args.data_dir, "--output-dir", str(run_dir)]
        train = [
            sys.executable,
            str(SCRIPTS / "train_images.py"),
            *common,
            *experiments[name],
            "--seed",
            args.seed,
            "--overwrite",
            "--no-progress",
        ]
        evaluate = [
            sys.executable,
            str(SCRIPTS / "evaluate_images.py"),
            "--run",
            str(run_dir),
            "--data-dir",
            args.data_dir,
            *EVALUATE.get(name, []),
        ]
        if args.cas and "--conditional" in experiments[name]:
            evaluate.append("--cas")
            for option, value in (("--cas-samples", args.cas_samples), ("--cas-epochs", args.cas_epochs)):
                if value is not None:
                    evaluate += [option, value]
        logging.info("train %s", name)
        if subprocess.run(train).returncode or subprocess.run(evaluate).returncode:
            logging.error("experiment %s failed", name)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
