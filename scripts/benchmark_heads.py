"""Which recovery head reaches the tails of returns: sigmoid, tanh or linear, measured.

Trains the embedding phase (embedder + recovery, the autoencoder the generator's output goes
through) of a returns TimeGAN once per head on the same data and seed, then reconstructs every
training window and prints the reconstruction error overall and on the tails (|u| > 2 on the
model's scale, about N(0, 1)), and the largest |u| the head gave back against the data's.
Optionally also the three phases, then the excess kurtosis and the 1%/99% quantiles of the
generated returns against the real ones.

    python scripts/benchmark_heads.py --csv ../shared/data/stocks --basket --steps 500
"""

import sys

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run

HEADS = ("sigmoid", "tanh", "linear")


def build_parser():
    parser = ArgumentParser(prog="benchmark_heads", description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", nargs="+", required=True, metavar="PATH", help="Yahoo-layout CSVs or folders")
    parser.add_argument("--basket", action="store_true", help="one equal-weight basket of the tickers")
    parser.add_argument("--steps", type=positive_int, default=500, help="embedding steps (default 500)")
    parser.add_argument("--joint", type=int, default=0, help="then this many supervised and joint steps (default 0)")
    parser.add_argument("--heads", nargs="+", choices=HEADS, default=list(HEADS))
    parser.add_argument("--no-heavy-tail", action="store_true", help="standardise only (no Lambert W)")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def _measure(args):
    import numpy as np
    import scipy.stats

    from timegan import TimeGAN, TimeGANConfig

    sys.path.insert(0, "scripts")
    from benchmark_finance import load_history

    args.tickers, args.start, args.end, args.source = [], "2000-01-01", None, "auto"
    prices = load_history(args)
    echo(f"{prices.shape[1]} series x {len(prices)} days; seed {args.seed}")
    echo(f"{'head':8} {'RMSE':>7} {'RMSE |u|>2':>11} {'max|u~|':>8} {'max|u|':>7}  generated: kurt  q1%  q99%")
    for head in args.heads:
        config = TimeGANConfig(
            representation="returns", recovery_activation=head, heavy_tail=not args.no_heavy_tail, seed=args.seed
        )
        model = TimeGAN(config)
        model.fit(prices, steps=(args.steps, args.joint, args.joint), progress=False)
        x = model._prepare_windows(prices, None)
        x_tilde = np.asarray(model.recovery(model.embedder(x)))
        error, tails = (x_tilde - x) ** 2, np.abs(x) > 2
        line = (
            f"{head:8} {np.sqrt(error.mean()):7.3f} {np.sqrt(error[tails].mean()):11.3f} "
            f"{np.abs(x_tilde).max():8.2f} {np.abs(x).max():7.2f}"
        )
        if args.joint:
            paths = model.generate(200, seed=args.seed, seq_len=250)
            r = np.diff(np.log(paths), axis=1).ravel()
            real = np.diff(np.log(prices.to_numpy()), axis=0).ravel()
            q = np.quantile(r, [0.01, 0.99])
            line += f"  {scipy.stats.kurtosis(r):6.2f} {q[0]:.4f} {q[1]:.4f} (real {scipy.stats.kurtosis(real):.2f}"
            line += f" {np.quantile(real, 0.01):.4f} {np.quantile(real, 0.99):.4f})"
        echo(line)


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _measure(args), "benchmark_heads")


if __name__ == "__main__":
    sys.exit(main())
