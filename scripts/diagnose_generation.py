"""Each network path of a returns TimeGAN measured: where persistent, thin-tailed synthetic returns come from.

Trains one TimeGAN on log returns and, after the supervised phase (joint step 0) and at each joint
step of `--at`, prints on the model's scale (standardised, Gaussianised returns, about N(0, 1))
the standard deviation, the mean within-path standard deviation, the excess kurtosis of u and of
the standardised returns it maps to (`kurt r`: the inverse Lambert W transform adds the tails), and
the lag-1 autocorrelations of u and |u| of:

    real          the training series, as one path
    R(E(X))       the autoencoder's reconstruction of it
    R(S(E(X)))    the supervisor's next-step prediction on it (trained with MSE: a conditional mean)
    R(G(Z))       the generator's own path (the paper's Y_fake_e, judged by the discriminator)
    R(S(G(Z)))    the paper's synthetic data X_hat (what `generate` returns by default)

Synthetic rows: `--n-paths` paths of `--path-length` steps after a burn-in of `--seq-len` steps.

    python scripts/diagnose_generation.py --tickers BA CAT DIS --source bundled --steps 1000 1000 \
        --at 100 500 1000 2000 --cell gru_block

`--variants` trains the first two phases once, then the joint phase once per setting from them
(e.g. `--variants 'moment_weight=1' 'z_dim=24' ''`). Results: docs/finance.md, "What limits the
returns model".
"""

import json
import sys
from pathlib import Path

from timegan.cli._common import (
    ArgumentParser,
    add_data_arguments,
    configure_logging,
    echo,
    positive_int,
    run,
)

ROWS = ("real", "R(E(X))", "R(S(E(X)))", "R(G(Z))", "R(S(G(Z)))")


def build_parser():
    parser = ArgumentParser(prog="diagnose_generation", description=__doc__.split("\n\n")[0])
    add_data_arguments(parser, fields=False)
    parser.add_argument("--basket", action="store_true", help="the equal-weight basket of the tickers")
    parser.add_argument("--steps", type=int, nargs=2, default=[1000, 1000], metavar="N", help="embedding supervised")
    parser.add_argument("--at", type=positive_int, nargs="+", default=[100, 500, 1000, 2000], metavar="N")
    parser.add_argument("--seq-len", type=positive_int, default=24)
    parser.add_argument("--hidden-dim", type=positive_int, default=24)
    parser.add_argument("--num-layers", type=positive_int, default=3)
    parser.add_argument("--cell", choices=("gru", "gru_block", "lstm"), default="gru")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--set", nargs="+", default=[], metavar="NAME=JSON", help="other TimeGANConfig fields, e.g. z_dim=24"
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        default=[],
        metavar="NAME=JSON,...",
        help="joint-phase settings to compare, each continuing from the same first two phases: "
        "comma-separated NAME=JSON, e.g. moment_weight=1,z_dim=24; '' is the config as given",
    )
    parser.add_argument("--n-paths", type=positive_int, default=200)
    parser.add_argument("--path-length", type=positive_int, default=250)
    parser.add_argument("--output", default=None, metavar="PATH", help="also write every row as JSON")
    return parser


def path_stats(u, delta):
    """std, mean within-path std, excess kurtosis of u and of the standardised returns
    `heavy_tail(u, delta)` (what generation maps u to, before scaling), lag-1 ACF of u and of |u|,
    mean correlation between features (pooled, off-diagonal), for paths (n, steps, f).

    Pooled values per feature (std, kurtosis), per-path autocorrelations with the path's own mean
    (as `evaluation.finance` does), then the mean over features."""
    import numpy as np
    from scipy.stats import kurtosis

    from timegan.representation import heavy_tail

    pooled = u.reshape(-1, u.shape[-1])

    def lag1(x):
        x = x - x.mean(axis=1, keepdims=True)
        denominator = (x**2).sum(axis=1)
        return float(np.mean((x[:, 1:] * x[:, :-1]).sum(axis=1) / np.where(denominator > 0, denominator, np.nan)))

    correlation = np.corrcoef(pooled, rowvar=False) if pooled.shape[1] > 1 else np.ones((1, 1))
    off_diagonal = correlation[~np.eye(len(correlation), dtype=bool)]
    return {
        "correlation": float(off_diagonal.mean()) if off_diagonal.size else float("nan"),
        "std": float(pooled.std(axis=0).mean()),
        "std_within": float(u.std(axis=1).mean()),
        "kurtosis": float(np.mean(kurtosis(pooled, axis=0))),
        "kurtosis_returns": float(np.mean(kurtosis(heavy_tail(pooled, delta), axis=0))),
        "acf1": lag1(u),
        "acf1_abs": lag1(np.abs(u)),
    }


def measure(model, series, args):
    """The rows of the table for the model as it is now; `series` (1, T, f) on the model's scale."""
    import keras
    import numpy as np

    nets = model._loop_networks()

    def run_net(name, x):
        return nets[name](x, training=False)

    h = run_net("embedder", series)
    real_next = keras.ops.convert_to_numpy(run_net("recovery", run_net("supervisor", h)))
    burn = args.seq_len
    z = model._generation_noise(args.seed, 0, args.n_paths, burn + args.path_length)
    e_hat = run_net("generator", z)
    rows = {
        "real": series,
        "R(E(X))": keras.ops.convert_to_numpy(run_net("recovery", h)),
        "R(S(E(X)))": real_next,
        "R(G(Z))": keras.ops.convert_to_numpy(run_net("recovery", e_hat))[:, burn:],
        "R(S(G(Z)))": keras.ops.convert_to_numpy(run_net("recovery", run_net("supervisor", e_hat)))[:, burn:],
    }
    delta = model.representation.delta
    stats = {name: path_stats(np.asarray(rows[name], dtype="float64"), delta) for name in ROWS}
    # How much of the next return the supervisor explains: 1 - MSE / variance (0: the mean only).
    error = np.mean((series[:, 1:] - real_next[:, :-1]) ** 2)
    stats["R(S(E(X)))"]["r2_next"] = float(1 - error / np.var(series[:, 1:]))
    return stats


def _parse_fields(items):
    values = {}
    for item in items:
        name, _, value = item.partition("=")
        values[name] = json.loads(value)
    return values


def _print(stats, title):
    echo(f"\n{title}:")
    echo(f"{'':12}{'std':>8}{'std in':>8}{'kurt u':>8}{'kurt r':>8}{'ACF1':>8}{'ACF1|u|':>8}{'corr':>8}{'R2 next':>8}")
    for name in ROWS:
        row = stats[name]
        keys = ("std", "std_within", "kurtosis", "kurtosis_returns", "acf1", "acf1_abs", "correlation")
        cells = "".join(f"{row[k]:8.3f}" for k in keys)
        echo(f"{name:12}{cells}{row['r2_next']:8.3f}" if "r2_next" in row else f"{name:12}{cells}")


def _variant(base, config, steps):
    """A model of `config` holding `base`'s embedder, recovery and supervisor after the first two
    phases (the generator and discriminator are trained only in the joint phase, which starts here)."""
    import keras
    import numpy as np

    from timegan import TimeGAN

    model = TimeGAN(config, n_features=base.n_features, representation=base.representation.to_dict())
    model.feature_names, model.data_info = base.feature_names, base.data_info
    model.compile()
    for name in ("embedder", "recovery", "supervisor"):
        getattr(model, name).set_weights(getattr(base, name).get_weights())
    model.steps_counter.assign(np.asarray(steps, dtype="int64"))
    keras.utils.set_random_seed(config.seed)
    return model


def _diagnose(args):
    import dataclasses
    import time

    from timegan import TimeGAN, TimeGANConfig
    from timegan._atomic import write_json

    sys.path.insert(0, str(Path(__file__).resolve().parent))  # beside benchmark_finance.py, from any directory
    from benchmark_finance import load_history

    prices = load_history(args)
    config = TimeGANConfig(
        seq_len=args.seq_len,
        hidden_dim=args.hidden_dim,
        num_layers=args.num_layers,
        cell=args.cell,
        seed=args.seed,
        representation="returns",
        burn_in=args.seq_len,
        **_parse_fields(args.set),
    )
    echo(f"Data: {', '.join(map(str, prices.columns))}, {len(prices)} days; config {config}")
    model = TimeGAN(config)
    embedding, supervised = args.steps
    started = time.monotonic()
    model.fit(prices, steps=(embedding, supervised, 0), progress=False)
    series = model.representation.transform(prices.to_numpy())[None].astype("float32")
    results = [{"variant": {}, "joint_step": 0, "rows": measure(model, series, args)}]
    _print(
        results[0]["rows"],
        f"after {embedding} embedding, {supervised} supervised steps ({time.monotonic() - started:.0f} s)",
    )
    config_name = "the config as given"
    # Each variant continues from the same first two phases with other joint-phase settings.
    variants = [_parse_fields(v.split(",")) if v else {} for v in args.variants]
    for variant in variants or [None]:
        trained = model
        if variant is not None:
            trained = _variant(model, dataclasses.replace(config, **variant), (embedding, supervised, 0))
        for joint in sorted(args.at):
            trained.fit(prices, steps=(embedding, supervised, joint), progress=False)
            stats = measure(trained, series, args)
            results.append({"variant": variant, "joint_step": joint, "rows": stats})
            _print(stats, f"{variant or config_name}, {joint} joint steps ({time.monotonic() - started:.0f} s)")
            if args.output:  # after every measurement: a run stopped early keeps what it measured
                write_json(args.output, {"settings": vars(args), "config": config.to_dict(), "results": results})


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _diagnose(args), "diagnose_generation")


if __name__ == "__main__":
    sys.exit(main())
