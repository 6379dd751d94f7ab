"""Rebalancing benchmark: breast cancer Wisconsin (scikit-learn's bundled copy) or simulated TP53 sequences.

`--data breast-cancer`: 569 patients, 212 malignant (the minority, made rarer in each training
fold). `--data tp53`: hotspot-mutated vs non-mutated TP53 sequences simulated from the real
reference (timegan/rebalance/tp53.py); first a GAN is trained on the mutated sequences alone and
its samples are reported (identity to the nearest real sequence, hotspots, discriminator
accuracy), then the same comparison runs. Prints Markdown tables (mean ± std over folds) and
writes the per-fold scores as CSV, rewritten after each fold.

    nohup nice -n 5 env PYTHONPATH=$PWD python scripts/benchmark_rebalance.py --output results/bc.csv &
    PYTHONPATH=$PWD python scripts/benchmark_rebalance.py --repeats 1 --splits 2 --gan-steps 100   # quick look
"""

import argparse
import dataclasses
import json
import os
import sys
import time

from timegan.cli._common import configure_logging, echo, positive_int, run
from timegan.cli._common import seed as seed_type


def gan_config_from(args, steps, units):
    from timegan.rebalance import TabularGANConfig

    wgan = args.gan_loss == "wgan-gp"
    return TabularGANConfig(
        loss=args.gan_loss,
        steps=steps,
        hidden_units=tuple(units),
        batch_size=args.gan_batch_size,
        discriminator_steps=5 if wgan else 1,
        learning_rate=1e-4 if wgan else args.gan_learning_rate,
        beta_1=0.0 if wgan else 0.5,
        beta_2=0.9 if wgan else 0.999,
        dropout=0.0 if wgan else 0.25,
        gumbel_temperature=args.gumbel_temperature,
        balanced_batches=not args.no_balanced_batches,
        seed=args.seed,
    )


def tp53_population(args):
    """The simulated population: `args.tp53_mutated` mutated and `ratio` times as many non-mutated sequences."""
    from timegan.rebalance import tp53

    sequences, labels, _ = tp53.simulate_population(
        args.tp53_mutated, args.tp53_mutated * args.ratios[0], window=tuple(args.window), seed=args.seed
    )
    return sequences, labels


def tp53_report(args, sequences, labels):
    """Trains a GAN on the mutated (minority) sequences alone, once per report seed, and prints what it generates."""
    import numpy as np

    from timegan.rebalance import dna, tp53

    window = tuple(args.window)
    mutated = [s for s, label in zip(sequences, labels) if label == 1]
    start_nt = 3 * (window[0] - 1)
    reference = tp53.coding_sequence()[start_nt : 3 * window[1]]
    echo(f"## GAN on {len(mutated)} mutated sequences ({len(reference)} nt, codons {window[0]}-{window[1]})")
    # Mutated records the GAN never sees (another seed of the simulation): what a new real record scores.
    heldout, _, _ = tp53.simulate_population(len(mutated), 0, window=window, seed=args.seed + 1)
    normal = [s for s, label in zip(sequences, labels) if label == 0]
    echo("## % identity to the nearest training sequence, for comparison (mean, min, differing positions)")
    baselines = dna.identity_baselines(mutated, heldout, normal, seed=args.seed)
    reference_identity = tp53.percent_identity([reference], mutated)[0]
    baselines["reference"] = {
        "identity_mean": float(reference_identity[0]),
        "identity_min": float(reference_identity[0]),
        "differences_mean": float(len(reference) * (100 - reference_identity[0]) / 100),
    }
    for name, values in baselines.items():
        echo(
            f"{name}: {values['identity_mean']:.3f} (min {values['identity_min']:.3f}), "
            f"{values['differences_mean']:.2f} positions"
        )
    reports = []
    for seed in args.report_seeds:
        config = dataclasses.replace(gan_config_from(args, args.tp53_steps, args.tp53_units), seed=seed)
        start = time.perf_counter()
        gan = dna.fit_sequence_gan(mutated, config)
        seconds = time.perf_counter() - start
        generated = dna.sample_sequences(gan, args.tp53_generated, seed=seed + 1)
        report = dna.sequence_report(generated, mutated, reference, window, heldout=heldout)
        report["discriminator_accuracy"] = dna.discriminator_accuracy(gan, mutated, generated)
        report["discriminator_accuracy_last_epoch"] = float(gan.history_["d_accuracy"][-1])
        report["gan_seconds"] = round(seconds, 1)
        report["seed"] = seed
        echo(json.dumps(report))
        reports.append(report)
    real = {"substitutions_mean": reports[0]["real_substitutions_mean"], "arg72_share": reports[0]["real_arg72_share"]}
    for key in (
        "identity_mean",
        "identity_min",
        "identity_to_heldout_mean",
        "exact_copies",
        "hotspot_share",
        "several_hotspots_share",
        "substitutions_mean",
        "arg72_share",
        "discriminator_accuracy",
    ):
        values = np.array([report[key] for report in reports])
        spread = values.std(ddof=1) if len(values) > 1 else 0.0
        echo(f"{key}: {values.mean():.4f} ± {spread:.4f}" + (f" (real: {real[key]:.4f})" if key in real else ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["breast-cancer", "tp53"], default="breast-cancer")
    parser.add_argument("--ratios", type=positive_int, nargs="+", default=[5, 10], help="majority:minority ratios")
    parser.add_argument("--splits", type=positive_int, default=5, help="folds per repeat (default 5)")
    parser.add_argument("--repeats", type=positive_int, default=5, help="repeats of the K-fold split (default 5)")
    parser.add_argument(
        "--methods", nargs="+", default=None, help="subset of: none undersample oversample smote class-weight gan"
    )
    parser.add_argument("--gan-loss", default="non-saturating", choices=["non-saturating", "wgan-gp"])
    parser.add_argument("--gan-steps", type=positive_int, default=300, help="generator updates per fold (default 300)")
    parser.add_argument("--gan-units", type=positive_int, nargs="+", default=[64, 64], help="hidden layer widths")
    parser.add_argument("--gan-batch-size", type=positive_int, default=32)
    parser.add_argument("--gan-learning-rate", type=float, default=2e-4)
    parser.add_argument("--gumbel-temperature", type=float, default=0.5)
    parser.add_argument("--no-balanced-batches", action="store_true", help="sample GAN batches as the data come")
    parser.add_argument("--window", type=positive_int, nargs=2, default=[70, 285], help="TP53 codons kept")
    parser.add_argument("--tp53-mutated", type=positive_int, default=100, help="mutated sequences simulated")
    parser.add_argument("--tp53-steps", type=positive_int, default=1000, help="steps of the minority-only GAN")
    parser.add_argument("--tp53-units", type=positive_int, nargs="+", default=[128, 128])
    parser.add_argument("--tp53-generated", type=positive_int, default=500, help="sequences generated for the report")
    parser.add_argument(
        "--report-seeds", type=seed_type, nargs="+", default=[0, 1, 2], help="tp53: seeds of the report GAN"
    )
    parser.add_argument("--no-comparison", action="store_true", help="tp53: only the GAN report")
    parser.add_argument("--no-report", action="store_true", help="tp53: only the comparison, no minority-only GAN")
    parser.add_argument("--seed", type=seed_type, default=0)
    parser.add_argument("--output", default=None, help="CSV of per-fold scores (rewritten atomically after each fold)")
    parser.add_argument(
        "--folds",
        type=int,
        nargs="+",
        default=None,
        help="run only these folds (0-based, repeat-major: fold f of repeat r is r * splits + f)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep the folds already in --output and run only the others"
    )
    args = parser.parse_args(argv)

    def body():
        import numpy as np
        from sklearn.datasets import load_breast_cancer

        from timegan._atomic import write_text
        from timegan.rebalance import benchmark, tp53

        echo(f"# {' '.join(sys.argv)}")
        start = time.perf_counter()
        if args.data == "breast-cancer":
            data = load_breast_cancer()
            X, y, categorical = data.data, (data.target == 0).astype(int), None  # 1 = malignant (212 of 569)
        else:
            sequences, y = tp53_population(args)
            if not args.no_report:
                tp53_report(args, sequences, y)
            X = tp53.as_letters(sequences).astype(object)
            categorical = list(range(X.shape[1]))
            if args.no_comparison:
                return
        gan_config = gan_config_from(args, args.gan_steps, args.gan_units)
        echo(f"# GAN config of the resampler: {gan_config.to_dict()}")

        previous = None
        if args.resume and args.output and os.path.exists(args.output):
            import pandas as pd

            previous = pd.read_csv(args.output)

        def checkpoint(partial):
            if args.output:
                write_text(args.output, partial.to_csv(index=False))

        results = benchmark.compare_resamplers(
            X,
            y,
            minority=1,
            ratios=tuple(args.ratios),
            n_splits=args.splits,
            n_repeats=args.repeats,
            methods=tuple(args.methods or benchmark.METHODS),
            categorical=categorical,
            gan_config=gan_config,
            seed=args.seed,
            on_fold=checkpoint,
            previous=previous,
            folds=args.folds,
        )
        echo(benchmark.format_table(benchmark.summarize(results)))
        if "gan" in set(results["method"]):
            for metric in benchmark.METRICS:
                baselines = [m for m in ("undersample", "smote") if m in set(results["method"])]
                echo(f"# paired per-fold differences gan - baseline, {metric}:")
                echo(benchmark.paired_differences(results, "gan", baselines, metric).round(4).to_string())
        load = os.getloadavg()
        echo(
            f"# {time.perf_counter() - start:.0f} s in total; load average {load[0]:.1f} {load[1]:.1f} "
            f"{load[2]:.1f} (2 shared cores: timings inflated); classes in the data: {np.bincount(y).tolist()}"
        )
        if args.output:
            echo(f"# per-fold scores: {args.output}")

    configure_logging()
    return run(body, "benchmark_rebalance")


if __name__ == "__main__":
    sys.exit(main())
