"""What gives a many-series run's synthetic windows away: window statistics of real and synthetic log returns.

Reads a trained run (`scripts/train.py`, returns representation, two or more series), its real
windows and its synthetic.csv (the windows the report scores, each divided by its first price),
and prints, for the daily log returns r of each window (n windows, 23 days, f series):

    daily volatility            std of r, pooled
    window move                 std over windows of each series' 23-day sum of r, mean over series
    basket daily / window move  the same for the equal-weighted basket (mean of r over series)
    basket / series kurtosis    excess kurtosis of the basket's daily r, and of each series' (mean)
    daily correlation           mean off-diagonal correlation of r, pooled over windows and days
    in-window correlation       mean of each window's own correlation matrix (its std over windows)
    window-move correlation     mean correlation across series of the 23-day sums
    window-volatility corr.     mean correlation across series of the window log volatilities
    cross-sectional dispersion  std of r across series per day, mean

then each series' drift on the model's scale (the mean of its Gaussianised standardised daily
log returns, 0 over the training data by construction; what drift calibration takes off), then
the held-out linear two-sample score (`timegan.callbacks.validation_score`: 0 = chance, 0.5 =
told apart every time) of several views of the windows: all series, the basket alone, the
dispersion alone, each series alone, and a logistic regression on the window moves, the window
volatilities and each window's correlation matrix. A view that scores far above the others is
what the classifier of the report's discriminative score can read.

    python scripts/diagnose_many_series.py --run runs/X [--n-windows 1500] [--seed 0]

Results: docs/many_series.md, "What gives 20 series away".
"""

import sys

from timegan.cli._common import ArgumentParser, echo, positive_int, run

ROWS = (
    "daily volatility",
    "window move",
    "basket daily volatility",
    "basket window move",
    "basket kurtosis",
    "series kurtosis",
    "daily correlation",
    "in-window correlation",
    "in-window correlation, std",
    "window-move correlation",
    "window-volatility correlation",
    "cross-sectional dispersion",
)


def build_parser():
    parser = ArgumentParser(prog="diagnose_many_series", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, metavar="DIR", help="run directory of scripts/train.py")
    parser.add_argument("--n-windows", type=positive_int, default=1500, help="windows per side (default 1500)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the window draw and the folds")
    parser.add_argument("--model", choices=("best", "last"), default="best")
    return parser


def off_diagonal_mean(matrix):
    import numpy as np

    return float(matrix[~np.eye(len(matrix), dtype=bool)].mean())


def window_statistics(returns):
    """The rows of `ROWS` for log returns (n, steps, f), f >= 2."""
    import numpy as np
    from scipy.stats import kurtosis

    n, steps, features = returns.shape
    basket = returns.mean(axis=2)
    moves = returns.sum(axis=1)
    log_volatility = np.log(returns.std(axis=1) + 1e-12)
    in_window = np.array([off_diagonal_mean(np.corrcoef(window, rowvar=False)) for window in returns])
    return {
        "daily volatility": float(returns.std()),
        "window move": float(moves.std(axis=0).mean()),
        "basket daily volatility": float(basket.std()),
        "basket window move": float(basket.sum(axis=1).std()),
        "basket kurtosis": float(kurtosis(basket.ravel())),
        "series kurtosis": float(np.mean(kurtosis(returns.reshape(-1, features), axis=0))),
        "daily correlation": off_diagonal_mean(np.corrcoef(returns.reshape(-1, features), rowvar=False)),
        "in-window correlation": float(np.nanmean(in_window)),
        "in-window correlation, std": float(np.nanstd(in_window)),
        "window-move correlation": off_diagonal_mean(np.corrcoef(moves, rowvar=False)),
        "window-volatility correlation": off_diagonal_mean(np.corrcoef(log_volatility, rowvar=False)),
        "cross-sectional dispersion": float(returns.std(axis=2).mean()),
    }


def drift_on_model_scale(representation, real, synthetic):
    """Each series' mean daily return on the model's scale, of real and synthetic price windows.

    `representation.transform` maps each window of prices (n, steps, f) to its steps - 1 returns
    on the model's scale (`timegan.representation.ReturnsRepresentation`: standardised and
    Gaussianised, mean 0 over the training data); the mean over windows and days, per series,
    in standard deviations of a day. Returns two float arrays (f,): real, synthetic.
    """
    return tuple(representation.transform(windows).mean(axis=(0, 1)) for windows in (real, synthetic))


def view_scores(real, synthetic, names, seed):
    """Two-sample scores of views of the log price windows (n, steps, f), keyed by view."""
    import numpy as np

    from timegan.callbacks import classifier_two_sample_score as classifier
    from timegan.callbacks import validation_score

    def diff(windows):
        return np.diff(windows, axis=1)

    def correlations(windows):
        upper = np.triu_indices(windows.shape[2], 1)
        return np.array([np.corrcoef(window, rowvar=False)[upper] for window in diff(windows)])

    scores = {
        "all series": validation_score(real, synthetic, seed=seed),
        "basket": validation_score(real.mean(axis=2, keepdims=True), synthetic.mean(axis=2, keepdims=True), seed=seed),
        "dispersion": validation_score(
            diff(real).std(axis=2, keepdims=True), diff(synthetic).std(axis=2, keepdims=True), seed=seed
        ),
        "window moves (logistic)": classifier(diff(real).sum(axis=1), diff(synthetic).sum(axis=1), seed=seed),
        "window volatilities (logistic)": classifier(diff(real).std(axis=1), diff(synthetic).std(axis=1), seed=seed),
        "window correlation matrices (logistic)": classifier(correlations(real), correlations(synthetic), seed=seed),
    }
    for j, name in enumerate(names):
        scores[f"series {name}"] = validation_score(real[:, :, j : j + 1], synthetic[:, :, j : j + 1], seed=seed)
    return scores


def main(argv=None):
    args = build_parser().parse_args(argv)

    def body():
        import numpy as np

        from timegan import load_run

        loaded = load_run(args.run, model=args.model)
        if loaded.model.config.representation != "returns":
            raise ValueError(f"Expected a run of the returns representation. Received: run={args.run!r} (levels)")
        real, synthetic = loaded.real_windows, loaded.synthetic
        if synthetic is None:
            raise ValueError(f"Expected a run with synthetic.csv. Received: run={args.run!r}")
        if real.shape[2] < 2:
            raise ValueError(f"Expected a run of two or more series. Received: {real.shape[2]} in run={args.run!r}")
        drifts = drift_on_model_scale(loaded.model.representation, real, synthetic)
        rng = np.random.default_rng(args.seed)
        n = min(args.n_windows, len(real), len(synthetic))
        # Log price shapes: each window divided by its first price, as the report scores them.
        real, synthetic = (np.log(w[rng.choice(len(w), n, replace=False)]) for w in (real, synthetic))
        real, synthetic = real - real[:, :1], synthetic - synthetic[:, :1]
        stats = [window_statistics(np.diff(w, axis=1)) for w in (real, synthetic)]
        echo(f"{n} windows per side, {real.shape[2]} series ({args.model} model)")
        echo(f"{'statistic':32s} {'real':>8s} {'synthetic':>10s} {'ratio':>7s}")
        for row in ROWS:
            a, b = stats[0][row], stats[1][row]
            echo(f"{row:32s} {a:8.4f} {b:10.4f} {b / a if a else float('nan'):7.3f}")
        names = [str(name[0] if isinstance(name, tuple) else name) for name in loaded.feature_names]
        echo("\neach series' drift on the model's scale (in daily standard deviations; 0 over the training data):")
        for name, a, b in zip(names, *drifts):
            echo(f"{name:32s} {a:+8.4f} {b:+10.4f}")
        gap = drifts[1] - drifts[0]
        echo(f"{'root mean square gap':32s} {float(np.sqrt(np.mean(gap**2))):19.4f}")
        echo("\ntwo-sample score of each view (0 chance, 0.5 always told apart):")
        for view, score in view_scores(real, synthetic, names, args.seed).items():
            echo(f"{view:40s} {score:.3f}")

    return run(body, "diagnose_many_series")


if __name__ == "__main__":
    sys.exit(main())
