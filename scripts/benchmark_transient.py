"""The start-of-path transient of saved TimeGANs, with and without a burn-in of the recurrent state.

For each saved model (`TimeGAN.save`, e.g. from `benchmark_finance.py --save-models DIR`) and
each burn-in, generates `--n-paths` paths of `--path-length` days and prints
`evaluation.finance.start_transient`: mean |r| and std of the first 3 daily log returns of each
path against the rest (ratios near 1: no transient). A returns model's paths get their start
price put in front, so its first return (start price -> step 0) is measured too. Real windows of
the same length cut from the history (`--csv`, `--basket`) give the reference.

    python scripts/benchmark_transient.py --models DIR/returns-seed0 DIR/levels-seed0 \
        --csv ../shared/data/stocks --basket --burn-in 0 24
"""

import sys

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run


def build_parser():
    parser = ArgumentParser(prog="benchmark_transient", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", required=True, metavar="DIR", help="saved TimeGANs")
    parser.add_argument("--burn-in", nargs="+", type=int, default=[0, 24], metavar="N", help="default 0 24")
    parser.add_argument("--n-paths", type=positive_int, default=200)
    parser.add_argument("--path-length", type=positive_int, default=250)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", nargs="+", default=[], metavar="PATH", help="real history for the reference row")
    parser.add_argument("--basket", action="store_true", help="the equal-weight basket of the --csv tickers")
    return parser


def _line(name, result):
    per_step = " ".join(f"{v:.2f}" for v in result.per_step_mean_abs)
    return (
        f"{name:34} {result.mean_abs_first:6.3f} {result.mean_abs_rest:6.3f} {result.ratio_abs:6.2f} "
        f"{result.std_first:6.3f} {result.std_rest:6.3f} {result.ratio_std:6.2f}   {per_step}"
    )


def _measure(args):
    import numpy as np

    from evaluation.finance import start_transient
    from timegan import TimeGAN

    if any(b < 0 for b in args.burn_in):
        raise ValueError(f"Expected --burn-in values >= 0. Received: {args.burn_in}")
    if args.path_length < 5:
        raise ValueError(f"Expected --path-length >= 5 (3 first returns and the rest). Received: {args.path_length}")
    echo(
        f"{'paths':34} {'|r| 1-3':>6} {'|r| 4+':>6} {'ratio':>6} {'sd 1-3':>6} {'sd 4+':>6} {'ratio':>6}   mean |r| per step"
    )
    if args.csv:
        sys.path.insert(0, "scripts")
        from benchmark_finance import load_history

        args.tickers, args.start, args.end, args.source = [], "2000-01-01", None, "auto"
        history = load_history(args).to_numpy()
        n = len(history) // args.path_length
        windows = history[: n * args.path_length].reshape(n, args.path_length, -1)
        echo(_line(f"real: {n} windows", start_transient(windows)))
    for directory in args.models:
        model = TimeGAN.load(directory)
        for burn_in in args.burn_in:
            paths = model.generate(args.n_paths, seed=args.seed, seq_len=args.path_length, burn_in=burn_in)
            if model.config.representation == "returns":
                start = np.broadcast_to(model.representation.last_prices, (len(paths), 1, paths.shape[-1]))
                paths = np.concatenate([start, paths], axis=1)
            echo(_line(f"{model.config.representation} burn-in {burn_in}", start_transient(paths)))


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _measure(args), "benchmark_transient")


if __name__ == "__main__":
    sys.exit(main())
