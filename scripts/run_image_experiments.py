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
    "mlp-nonsat-momentum-mbd": MLP + ["--loss", "non-saturating", "--optimizer", "momentum", "--minibatch-discrimination"],
    "mlp-nonsat-momentum-lr1e-3": MLP + ["--loss", "non-saturating", "--optimizer", "momentum", "--lr", "0.001"],
    # Longer runs: WGAN makes one generator step per 5 critic steps, and the DCGAN above sees
    # a third of the images.
    "mlp-wgan-25ep": ["--model", "mlp", "--epochs", "25", "--loss", "wgan"],
    "dcgan-nonsat-full": ["--model", "dcgan", "--epochs", "5", "--loss", "non-saturating"],
    "dcgan-wgan-gp": DCGAN + ["--loss", "wgan-gp"],
}


def main(argv=None):
    parser = ArgumentParser(prog="run_image_experiments", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=("mnist", "fashion-mnist"))
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--runs-dir", required=True)
    parser.add_argument("--only", nargs="+", choices=sorted(EXPERIMENTS), help="run just these experiments")
    parser.add_argument("--seed", default="0")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    failures = 0
    for name in args.only or EXPERIMENTS:
        run_dir = Path(args.runs_dir) / args.dataset / name
        if (run_dir / "metrics.json").is_file():
            logging.info("skip %s (already evaluated)", run_dir)
            continue
        common = ["--dataset", args.dataset, "--data-dir", args.data_dir, "--output-dir", str(run_dir)]
        train = [sys.executable, str(SCRIPTS / "train_images.py"), *common, *EXPERIMENTS[name],
                 "--seed", args.seed, "--overwrite", "--no-progress"]
        evaluate = [sys.executable, str(SCRIPTS / "evaluate_images.py"), "--run", str(run_dir), "--data-dir", args.data_dir]
        logging.info("train %s", name)
        if subprocess.run(train).returncode or subprocess.run(evaluate).returncode:
            logging.error("experiment %s failed", name)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
