"""`timegan-evaluate` / `python scripts/evaluate.py`: the evaluation report of a run or of two files.

    python scripts/evaluate.py --run runs/20250101-120000
    python scripts/evaluate.py --real real.npy --synthetic synthetic.csv --output report/

Writes report.html (self-contained), metrics.json and the PNGs. Bad input: one line on stderr,
exit code 2.
"""

import logging

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run, seed

logger = logging.getLogger(__name__)


def build_parser():
    parser = ArgumentParser(
        prog="timegan-evaluate",
        description="How real are the synthetic paths? Writes report.html, metrics.json and PNGs.",
    )
    source = parser.add_argument_group("what to evaluate (--run, or --real and --synthetic)")
    source.add_argument("--run", metavar="DIR", help="a run directory written by scripts/train.py")
    source.add_argument(
        "--real",
        metavar="PATH",
        help="real data: .npy windows (n, seq_len, features) or series, run-style tidy "
        "CSV, or a CSV series (one row per step)",
    )
    source.add_argument("--synthetic", metavar="PATH", help="synthetic data, same formats as --real")
    source.add_argument(
        "--seq-len",
        type=positive_int,
        default=None,
        help="window length for series files (default: that of the other file's windows, else 24); "
        "with --run: windows of this length, the model generating them if it trained on another "
        "(default: the paper's 24, or the run's seq_len if shorter)",
    )
    source.add_argument(
        "--model",
        choices=("best", "last"),
        default="best",
        help="with --run: its best model on the held-out days (default; the last for a run that kept none) "
        "or the last one",
    )
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="report directory (default: the run directory; required with --real/--synthetic)",
    )
    metrics = parser.add_argument_group("metrics")
    metrics.add_argument("--seed", type=seed, default=0, help="seed of every metric (default 0)")
    metrics.add_argument(
        "--split",
        choices=("blocked", "random"),
        default="blocked",
        help="held-out windows of the discriminative and predictive metrics: blocked (default: a "
        "time block seq_len windows away from the training windows, no shared day) or random "
        "(the TimeGAN paper's; held-out windows overlap training windows)",
    )
    metrics.add_argument(
        "--diversity",
        choices=("flatten", "mean", "both"),
        default="flatten",
        help="what PCA and t-SNE embed: whole windows (default), the paper's mean over features, or both",
    )
    metrics.add_argument(
        "--repeats",
        type=positive_int,
        default=1,
        help="repeats of the discriminative and predictive metrics (default 1)",
    )
    metrics.add_argument(
        "--discriminative-iterations",
        type=positive_int,
        default=2000,
        metavar="N",
        help="post-hoc classifier iterations (default 2000)",
    )
    metrics.add_argument(
        "--discriminative-cell", choices=("lstm", "gru"), default="lstm", help="post-hoc classifier cell (default lstm)"
    )
    metrics.add_argument(
        "--predictive-iterations",
        type=positive_int,
        default=5000,
        metavar="N",
        help="post-hoc predictor iterations (default 5000)",
    )
    metrics.add_argument(
        "--predictive-cell", choices=("gru", "lstm"), default="gru", help="post-hoc predictor cell (default gru)"
    )
    metrics.add_argument(
        "--max-samples",
        type=positive_int,
        default=1000,
        metavar="N",
        help="windows per set in PCA and t-SNE (default 1000)",
    )
    metrics.add_argument("--no-tsne", action="store_true", help="skip t-SNE")
    metrics.add_argument(
        "--no-baselines",
        action="store_true",
        help="with --run: skip the comparison of the long paths with GARCH, the bootstrap and a random walk",
    )
    metrics.add_argument(
        "--no-all-features", action="store_true", help="skip the all-features next-step predictive variant"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--verbose", action="store_true", help="debug logging")
    return parser


def _options(args):
    return {
        "seed": args.seed,
        "repeats": args.repeats,
        "split": args.split,
        "diversity": args.diversity,
        "discriminative_iterations": args.discriminative_iterations,
        "discriminative_cell": args.discriminative_cell,
        "predictive_iterations": args.predictive_iterations,
        "predictive_cell": args.predictive_cell,
        "max_samples": args.max_samples,
        "tsne": not args.no_tsne,
        "baselines": not args.no_baselines,
        "all_features": not args.no_all_features,
        "progress": not args.quiet,
    }


def _read_pair(args):
    from evaluation.files import read_windows

    # A file of windows fixes seq_len for a series file given beside it.
    paths = {"real": args.real, "synthetic": args.synthetic}
    loaded, series = {}, []
    for name, path in paths.items():
        try:
            loaded[name] = read_windows(path, seq_len=args.seq_len)
        except ValueError as error:
            if args.seq_len is not None or "--seq-len" not in str(error):
                raise ValueError(f"--{name}: {error}") from None
            series.append(name)
    seq_len = next((w.shape[1] for w, _ in loaded.values()), 24)
    for name in series:
        try:
            loaded[name] = read_windows(paths[name], seq_len=seq_len)
        except ValueError as error:
            raise ValueError(f"--{name}: {error}") from None
    (real, real_names), (synthetic, synthetic_names) = loaded["real"], loaded["synthetic"]
    if real.shape[1:] != synthetic.shape[1:]:
        raise ValueError(
            "Expected --real and --synthetic windows of the same (seq_len, n_features). "
            f"Received: real {real.shape[1:]}, synthetic {synthetic.shape[1:]}"
        )
    names = real_names if any(n[0] != f"x{i}" for i, n in enumerate(real_names)) else synthetic_names
    return real, synthetic, names


def _evaluate(args):
    from evaluation.report import evaluate_arrays, evaluate_run

    options = _options(args)
    if args.run is not None:
        if args.real is not None or args.synthetic is not None:
            raise ValueError("Expected either --run or --real/--synthetic, not both.")
        if args.seq_len is not None and args.seq_len < 3:
            raise ValueError(f"Expected --seq-len to be an integer >= 3. Received: {args.seq_len}")
        metrics = evaluate_run(args.run, output_dir=args.output, model=args.model, window_len=args.seq_len, **options)
        output = args.output or args.run
    else:
        if args.real is None or args.synthetic is None:
            raise ValueError("Expected --run DIR, or both --real PATH and --synthetic PATH.")
        if args.output is None:
            raise ValueError("Expected --output DIR with --real/--synthetic.")
        real, synthetic, names = _read_pair(args)
        metrics = evaluate_arrays(real, synthetic, args.output, feature_names=names, **options)
        output = args.output
    disc = metrics["discriminative"]
    baseline = f" (real vs real: {disc['baseline']['score']:.4f})" if "baseline" in disc else ""
    if "finance" in metrics:
        echo(metrics["finance"]["verdict"])
    echo(f"Discriminative score {disc['score']:.4f}{baseline}")
    for target in ("last", "all"):
        pred = metrics.get(f"predictive_{target}")
        if pred:
            echo(f"Predictive MAE ({target}): {pred['mae']:.4f} (trained on real: {pred['baseline_mae']:.4f})")
    echo(f"Report: {output}/report.html, metrics.json and {len(metrics['files']) - 2} PNGs")


def main(argv=None):
    """Entry point of `timegan-evaluate`; returns the exit code."""
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    return run(lambda: _evaluate(args), "timegan-evaluate")


if __name__ == "__main__":
    raise SystemExit(main())
