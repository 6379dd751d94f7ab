"""What a returns run's paths carry beyond its training window: serial dependence of real and synthetic returns.

Reads a trained run (`scripts/train.py`, returns representation) and prints, for the real history
and for synthetic paths of `--path-length` days from the run's model (log returns r):

    ACF of r, lags 1-3       within each path, mean over paths (the real: the one history)
    ACF of |r|, lags         1, 5, 10, 20, 40: volatility clustering
    variance ratio           Var(h-day r) / (h Var(r)) at 5, 20 and 60 days (Lo & MacKinlay 1988):
                             below 1 is mean reversion; it sets EMD(h) once the daily marginal is right
    log-volatility spread    std over disjoint blocks of 20 days, the training length, 125 and 250
                             days of the log of the block's volatility: how long volatility regimes last

then, on the model's scale (the statistics of the stylized-facts loss, `timegan.losses.stylized_statistics`,
on windows of the training length): the real windows, the synthetic windows as the joint phase
trains on them (after the config's `train_burn_in` steps; from zeros by default) and as
`generate` gives them (after `burn_in` steps). A gap between the last two is what training does
not see.

    python scripts/diagnose_persistence.py --run runs/X [--n-paths 200] [--path-length 250] [--seed 0]

Results: docs/finance.md, "What the 48-day default still misses".
"""

import sys

from timegan.cli._common import ArgumentParser, echo, positive_int, run

ABS_LAGS = (1, 5, 10, 20, 40)
VARIANCE_HORIZONS = (5, 20, 60)
MODEL_SCALE_ROWS = ("acf", "variance_ratio", "vol_dispersion", "acf_abs")


def build_parser():
    parser = ArgumentParser(prog="diagnose_persistence", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, metavar="DIR", help="run directory of scripts/train.py")
    parser.add_argument("--n-paths", type=positive_int, default=200, help="synthetic paths (default 200)")
    parser.add_argument("--path-length", type=positive_int, default=250, help="days per path (default 250)")
    parser.add_argument("--n-windows", type=positive_int, default=2000, help="windows per side on the model's scale")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic paths")
    parser.add_argument("--model", choices=("best", "last"), default="best")
    return parser


def acf(returns, lags):
    """Sample autocorrelation of (n_paths, n_steps, n_features) returns at `lags` within each path (the
    finance scores' estimator, `evaluation.finance.lagged_correlations`), mean over paths and features."""
    import numpy as np

    from evaluation.finance import lagged_correlations

    largest = min(max(lags), returns.shape[1] - 1)  # a lag as long as the paths is NaN
    if largest < 1:
        return np.full(len(lags), np.nan)
    curves = [lagged_correlations(returns[..., j], returns[..., j], largest) for j in range(returns.shape[2])]
    return np.array(
        [finite_mean([curve[:, lag - 1] for curve in curves]) if lag <= largest else np.nan for lag in lags]
    )


def finite_mean(values):
    """The mean of the finite values, NaN (without a warning) if there is none."""
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else float("nan")


def path_rows(returns, seq_len):
    """The printed path statistics of daily log returns (n_paths, n_steps, n_features), mean over features."""
    import numpy as np

    from evaluation.finance import variance_ratio, volatility_dispersion

    rows = {f"ACF of r, lag {k}": v for k, v in zip((1, 2, 3), acf(returns, (1, 2, 3)))}
    rows.update({f"ACF of |r|, lag {k}": v for k, v in zip(ABS_LAGS, acf(np.abs(returns), ABS_LAGS))})
    rows.update({f"variance ratio, {h} days": finite_mean(variance_ratio(returns, h)) for h in VARIANCE_HORIZONS})
    for window in sorted({20, seq_len, 125, 250}):
        rows[f"log-volatility spread, {window} days"] = finite_mean(volatility_dispersion(returns, window))
    return rows


def model_scale_rows(model, real_windows, n, seed):
    """The stylized-facts loss's statistics of real windows and of synthetic ones trained on / generated."""
    import keras
    import numpy as np

    from timegan.losses import stylized_statistics

    cfg = model.config
    real = real_windows[np.random.default_rng(seed).choice(len(real_windows), min(n, len(real_windows)), False)]
    z = model._generation_noise(seed, 0, n, max(cfg.burn_in, cfg.train_burn_in) + cfg.seq_len)

    def windows(burn_in):  # from a zero state, `burn_in` steps run and dropped
        return keras.ops.convert_to_numpy(model.call(z[:, : burn_in + cfg.seq_len], training=False))[:, burn_in:]

    columns = {
        "real": real,
        f"trained ({cfg.train_burn_in} burn-in)": windows(cfg.train_burn_in),
        f"generated ({cfg.burn_in} burn-in)": windows(cfg.burn_in),
    }
    stats = {name: stylized_statistics(np.asarray(w, "float32"), 3, 5, cfg.moment_eps) for name, w in columns.items()}
    rows = {}
    for key in MODEL_SCALE_ROWS:
        for name, values in stats.items():
            values = np.asarray(values[key])
            if key in ("acf", "acf_abs"):  # (lags, features): lag 1 for |u|, lags 1-3 for u
                for lag in range(1 if key == "acf_abs" else 3):
                    rows.setdefault(f"{key} lag {lag + 1}", {})[name] = float(values[lag].mean())
            else:
                rows.setdefault(key, {})[name] = float(values.mean())
    return list(columns), rows


def main(argv=None):
    args = build_parser().parse_args(argv)

    def body():
        import numpy as np

        from timegan import load_run
        from timegan.preprocessing import make_windows

        loaded = load_run(args.run, model=args.model, synthetic=False)
        model = loaded.model
        if model.config.representation != "returns":
            raise ValueError(f"Expected a run of the returns representation. Received: run={args.run!r} (levels)")
        history = np.log(loaded.prices.to_numpy(np.float64))
        real = np.diff(history, axis=0)[None]
        paths = model.generate(args.n_paths, seed=args.seed, seq_len=args.path_length + 1)
        synthetic = np.diff(np.log(paths), axis=1)
        seq_len = model.config.seq_len
        echo(
            f"real: the history ({real.shape[1]} days); synthetic: {args.n_paths} paths of {args.path_length} days "
            f"({args.model} model, trained on {seq_len}-day windows); mean over {real.shape[2]} series"
        )
        echo(f"{'statistic':36s} {'real':>8s} {'synthetic':>10s}")
        for (name, a), b in zip(path_rows(real, seq_len).items(), path_rows(synthetic, seq_len).values()):
            echo(f"{name:36s} {a:8.3f} {b:10.3f}")
        u = np.asarray(model.representation.transform(loaded.prices.to_numpy(np.float64)))
        names, rows = model_scale_rows(model, make_windows(u, seq_len), args.n_windows, args.seed)
        echo(f"\nmodel's scale, {seq_len}-day windows (the stylized-facts loss's statistics):")
        echo(f"{'statistic':36s} " + " ".join(f"{name:>24s}" for name in names))
        for key, values in rows.items():
            echo(f"{key:36s} " + " ".join(f"{values[name]:24.3f}" for name in names))

    return run(body, "diagnose_persistence")


if __name__ == "__main__":
    sys.exit(main())
