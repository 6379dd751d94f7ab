"""Rebalancing benchmark on the breast cancer Wisconsin data (scikit-learn's bundled copy).

569 patients, 212 malignant (the minority, made rarer in each training fold). Prints a Markdown
table of balanced accuracy, minority F1 and ROC AUC (mean ± std over folds) per ratio, classifier
and method, and writes the per-fold scores as CSV.

    nohup nice -n 5 env PYTHONPATH=$PWD python scripts/benchmark_rebalance.py --output results/rebalance.csv &
    PYTHONPATH=$PWD python scripts/benchmark_rebalance.py --repeats 1 --splits 2 --gan-steps 200   # quick look
"""

import argparse
import os
import sys
import time

from timegan.cli._common import configure_logging, echo, positive_int, run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratios", type=positive_int, nargs="+", default=[5, 10], help="majority:minority ratios")
    parser.add_argument("--splits", type=positive_int, default=5, help="folds per repeat (default 5)")
    parser.add_argument("--repeats", type=positive_int, default=5, help="repeats of the K-fold split (default 5)")
    parser.add_argument("--methods", nargs="+", default=None, help="subset of: none undersample oversample smote "
                                                                  "class-weight gan")
    parser.add_argument("--gan-loss", default="non-saturating", choices=["non-saturating", "wgan-gp"])
    parser.add_argument("--gan-steps", type=positive_int, default=300, help="generator updates per fold (default 300)")
    parser.add_argument("--gan-units", type=positive_int, nargs="+", default=[64, 64], help="hidden layer widths")
    parser.add_argument("--gan-batch-size", type=positive_int, default=32)
    parser.add_argument("--no-balanced-batches", action="store_true", help="sample GAN batches as the data come")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=None, help="CSV of per-fold scores (rewritten atomically after each fold)")
    args = parser.parse_args(argv)

    def body():
        from sklearn.datasets import load_breast_cancer

        from timegan._atomic import write_text
        from timegan.rebalance import TabularGANConfig, benchmark

        data = load_breast_cancer()
        y = (data.target == 0).astype(int)  # 1 = malignant (212 of 569)
        discriminator_steps = 5 if args.gan_loss == "wgan-gp" else 1
        learning_rate, beta_1, beta_2 = (1e-4, 0.0, 0.9) if args.gan_loss == "wgan-gp" else (2e-4, 0.5, 0.999)
        gan_config = TabularGANConfig(loss=args.gan_loss, steps=args.gan_steps, hidden_units=tuple(args.gan_units),
                                      batch_size=args.gan_batch_size, discriminator_steps=discriminator_steps,
                                      learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                                      dropout=0.0 if args.gan_loss == "wgan-gp" else 0.25,
                                      balanced_batches=not args.no_balanced_batches, seed=args.seed)
        echo(f"# {' '.join(sys.argv)}")
        echo(f"# GAN config: {gan_config.to_dict()}")
        start = time.perf_counter()

        def checkpoint(partial):
            if args.output:
                write_text(args.output, partial.to_csv(index=False))

        results = benchmark.compare_resamplers(
            data.data, y, minority=1, ratios=tuple(args.ratios), n_splits=args.splits, n_repeats=args.repeats,
            methods=tuple(args.methods or benchmark.METHODS), gan_config=gan_config, seed=args.seed,
            on_fold=checkpoint)
        elapsed = time.perf_counter() - start
        echo(benchmark.format_table(benchmark.summarize(results)))
        load = os.getloadavg()
        echo(f"# {elapsed:.0f} s in total; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
             "(2 shared cores: timings inflated)")
        if args.output:
            write_text(args.output, results.to_csv(index=False))
            echo(f"# per-fold scores: {args.output}")

    configure_logging()
    return run(body, "benchmark_rebalance")


if __name__ == "__main__":
    sys.exit(main())
