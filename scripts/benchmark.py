"""The TimeGAN paper's benchmark: `python scripts/benchmark.py --dataset stocks --steps 5000 --repeats 5`.

Trains a TimeGAN once on the normalised Stocks (bundled GOOG file) or Sines data, or on any CSV
series, generates as many windows as there are real ones, scores the discriminative and
predictive metrics `--repeats` times and prints mean +- std beside the paper's Table 2.

The paper's length (`--steps 50000`) takes hours on a CPU: give `--checkpoint-dir DIR` and the
training saves there as it goes; the same command run again resumes from the last checkpoint.
"""

import sys
import time

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run


def build_parser():
    parser = ArgumentParser(prog="benchmark", description=__doc__.split("\n\n")[1])
    parser.add_argument(
        "--dataset",
        choices=("stocks", "sines"),
        default=None,
        help="the paper's dataset (required unless --csv is given)",
    )
    parser.add_argument(
        "--csv", default=None, metavar="PATH", help="any other multivariate series: one row per step, numeric columns"
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        nargs="+",
        default=[5000],
        metavar="N",
        help="TimeGAN steps per phase: one number or three (embedding supervised joint); "
        "default 5000 (the paper: 50000)",
    )
    parser.add_argument("--repeats", type=positive_int, default=10, help="metric repeats (default 10)")
    parser.add_argument("--seq-len", type=positive_int, default=24, help="window length (default 24)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data shuffle, model and metrics")
    parser.add_argument(
        "--xla",
        action="store_true",
        help="compile the TimeGAN updates with XLA (slower than the default unrolled layers on a CPU)",
    )
    parser.add_argument(
        "--checkpoint-dir",
        default=None,
        metavar="DIR",
        help="save training progress here and resume from it when run again",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=positive_int,
        default=1000,
        metavar="N",
        help="steps between checkpoints (default 1000)",
    )
    parser.add_argument("--output", default=None, metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _benchmark(args):
    from evaluation.benchmark import benchmark_windows, format_table, run_benchmark
    from timegan import TimeGANConfig
    from timegan._atomic import write_json

    if (args.dataset is None) == (args.csv is None):
        raise ValueError(
            f"Expected exactly one of --dataset or --csv. Received: --dataset={args.dataset} --csv={args.csv}"
        )
    if len(args.steps) not in (1, 3):
        raise ValueError(f"Expected --steps with 1 or 3 values. Received: --steps {' '.join(map(str, args.steps))}")
    if args.seed < 0:
        raise ValueError(f"Expected --seed >= 0. Received: --seed {args.seed}")
    dataset = args.dataset or "csv"
    real = benchmark_windows(dataset, csv=args.csv, seq_len=args.seq_len, seed=args.seed)
    echo(
        f"Benchmark on {args.csv or dataset}: {real.shape[0]} windows x {real.shape[1]} steps x "
        f"{real.shape[2]} features"
    )
    steps = args.steps[0] if len(args.steps) == 1 else tuple(args.steps)
    config = TimeGANConfig(seq_len=args.seq_len, seed=args.seed, jit_compile=args.xla)
    started = time.monotonic()
    results = run_benchmark(
        real,
        steps=steps,
        repeats=args.repeats,
        config=config,
        seed=args.seed,
        progress=not args.quiet,
        checkpoint_dir=args.checkpoint_dir,
        checkpoint_every=args.checkpoint_every,
    )
    results.update(dataset=args.csv or dataset, wall_seconds=time.monotonic() - started)
    echo(format_table(results, dataset))
    echo(f"Wall time of this call {results['wall_seconds'] / 60:.1f} min.")
    if args.output:
        write_json(args.output, results)


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _benchmark(args), "benchmark")


if __name__ == "__main__":
    sys.exit(main())
