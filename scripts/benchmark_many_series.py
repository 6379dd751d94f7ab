"""Quality against the number of series: `python scripts/benchmark_many_series.py --csv DIR --seeds 0 1 2`.

Trains one TimeGAN per seed on the given tickers with the given sizes and budget, then scores it
with the evaluation report's discriminative score (blocked split, LSTM classifier) and the
correlation-matrix distances of daily log returns and of |r| (long generated paths against the
real history, beside the floor of the history's two halves; `evaluation.correlation`). Prints
one JSON line per seed and appends it to `--output`; the experiments of docs/many_series.md were
run with it.
"""

import json
import time

from timegan.cli._common import ArgumentParser, configure_logging, echo, learning_rate, positive_int, run


def build_parser():
    parser = ArgumentParser(prog="benchmark_many_series", description=__doc__.split("\n\n")[1])
    parser.add_argument("--tickers", nargs="+", default=(), metavar="TICKER", help="bundled tickers")
    parser.add_argument("--csv", nargs="+", default=(), metavar="PATH", help="CSV files or folders")
    parser.add_argument("--start", default="2000-01-01", help="first date (default 2000-01-01)")
    parser.add_argument("--steps", type=positive_int, nargs="+", default=[400], metavar="N", help="steps per phase")
    parser.add_argument(
        "--hidden-dim", type=positive_int, default=None, help="latent width (default: the config's rule)"
    )
    parser.add_argument("--num-layers", type=positive_int, default=3, help="recurrent layers (default 3)")
    parser.add_argument("--learning-rate", type=learning_rate, default=1e-3, help="Adam rate (default 1e-3)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds (default 0)")
    parser.add_argument(
        "--discriminative-iterations", type=positive_int, default=2000, help="classifier iterations (default 2000)"
    )
    parser.add_argument("--long-path-len", type=positive_int, default=250, help="steps per long path (default 250)")
    parser.add_argument(
        "--embedding-only",
        action="store_true",
        help="train only the embedding phase (the first --steps value) and report the autoencoder's "
        "reconstruction RMSE on the model's [0, 1] scale: whether the latent can hold the data",
    )
    parser.add_argument(
        "--loop",
        action="store_true",
        help="keep the recurrent loop (unroll=False): same maths, much shorter tracing, slower steps on a CPU",
    )
    parser.add_argument("--progress", action="store_true", help="progress bars of training (on stderr)")
    parser.add_argument("--label", default="", help="free text stored with each result")
    parser.add_argument("--output", default=None, metavar="PATH", help="append one JSON line per seed here")
    return parser


def _fit(args, prices, seed, steps):
    """Train one model; returns it and the training time in minutes."""
    from timegan import TimeGAN, TimeGANConfig

    config = TimeGANConfig(
        hidden_dim=args.hidden_dim,
        num_layers=args.num_layers,
        learning_rate=args.learning_rate,
        seed=seed,
        unroll=False if args.loop else None,
    )
    model = TimeGAN(config)
    started = time.monotonic()
    model.fit(prices, steps=steps, progress=args.progress)
    return model, (time.monotonic() - started) / 60


def _record(args, prices, model, seed, minutes, **scores):
    """One JSON line: what was trained (sizes resolved by the model) and its scores."""
    return {
        "label": args.label,
        "n_features": int(prices.shape[1]),
        "hidden_dim": model.config.hidden_dim,
        "num_layers": args.num_layers,
        "learning_rate": args.learning_rate,
        "seed": seed,
        "train_minutes": round(minutes, 2),
        **scores,
    }


def _reconstruction(args, prices, seed):
    import numpy as np

    from timegan.preprocessing import make_windows

    model, minutes = _fit(args, prices, seed, (args.steps[0], 0, 0))
    x = model.scaler.transform(make_windows(prices.to_numpy(dtype=np.float64), model.config.seq_len))
    x = x.astype("float32")
    rebuilt = np.concatenate([model.recovery(model.embedder(x[i : i + 1024])) for i in range(0, len(x), 1024)])
    rmse = float(np.sqrt(np.mean((rebuilt - x) ** 2)))
    return _record(
        args, prices, model, seed, minutes, embedding_steps=args.steps[0], reconstruction_rmse=round(rmse, 5)
    )


def _one(args, prices, seed):
    import numpy as np

    from evaluation.correlation import joint_structure
    from evaluation.discriminative import discriminative_score
    from evaluation.finance import log_returns
    from timegan.preprocessing import make_windows

    steps = args.steps[0] if len(args.steps) == 1 else tuple(args.steps)
    model, minutes = _fit(args, prices, seed, steps)
    seq_len = model.config.seq_len
    history = prices.to_numpy(dtype=np.float64)
    real = make_windows(history, seq_len)
    synthetic = model.generate(len(real), seed=seed)
    disc = discriminative_score(
        real, synthetic, iterations=args.discriminative_iterations, split="blocked", gap=seq_len, seed=seed
    )
    length = min(args.long_path_len, len(history))
    paths = model.generate(max(1, round(len(history) / length)), seed=seed, seq_len=length)
    joint = joint_structure(log_returns(history), log_returns(paths))
    return _record(
        args,
        prices,
        model,
        seed,
        minutes,
        steps=list(args.steps),
        discriminative=round(float(np.mean(disc.scores)), 4),
        auc=round(float(np.mean(disc.aucs)), 4),
        correlation_returns=round(joint["returns"].distance, 4),
        correlation_returns_floor=round(joint["returns"].floor, 4),
        correlation_abs=round(joint["abs"].distance, 4),
        correlation_abs_floor=round(joint["abs"].floor, 4),
    )


def _benchmark(args):
    from timegan.data import load_prices

    prices = load_prices(args.tickers, start=args.start, source="bundled" if args.tickers else "auto", csv=args.csv)
    echo(f"Data: {prices.shape[1]} series x {len(prices)} days")
    for seed in args.seeds:
        result = (_reconstruction if args.embedding_only else _one)(args, prices, seed)
        line = json.dumps(result)
        echo(line)
        if args.output:
            with open(args.output, "a") as file:
                file.write(line + "\n")


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _benchmark(args), "benchmark_many_series")


if __name__ == "__main__":
    raise SystemExit(main())
