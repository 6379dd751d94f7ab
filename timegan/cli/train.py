"""`timegan-train` / `python scripts/train.py`: train a TimeGAN on daily prices, write a run."""

import argparse
import dataclasses
import logging
import time
from pathlib import Path

from timegan.cli._common import (
    ArgumentParser,
    add_data_arguments,
    configure_logging,
    data_arguments,
    echo,
    fraction,
    learning_rate,
    positive_float,
    positive_int,
    run,
    seed,
)

logger = logging.getLogger(__name__)

# The defaults of timegan.run, repeated so that --help does not import TensorFlow.
VALIDATION_FRACTION = 0.1
SELECT_EVERY = 100

DEFAULT_TICKERS = ("BA", "CAT", "DIS", "GE", "IBM", "KO")
# About 10 minutes for three tickers on a 2-core CPU (see README, "Speed"). The paper's full length is 50000.
DEFAULT_STEPS = (2000, 2000, 2000)
# Chosen by the finance scores of docs/finance.md (returns against levels, same data, budget and
# seed, this command's default network size): returns scored better on EMD(1), EMD(20) and ACF(|r|).
DEFAULT_REPRESENTATION = "returns"
# The paper's; see docs/finance.md ("What limits the returns model") for the measured alternative.
DEFAULT_SYNTHETIC_PATH = "supervisor"
# The stylized-facts loss (docs/finance.md, "The stylized-facts loss"): measured over 3 seeds against
# weight 0 on the Quickstart command, with the best model selected by the stylized facts.
DEFAULT_STYLIZED_WEIGHT = 10.0
DEFAULT_STYLIZED_RETURN_LAGS = 5
# Window length per representation. Returns: 48 days, measured against 24 on the Quickstart
# command, seeds 0-4, both scored on the paper's 24-step windows (docs/finance.md, "48-day
# windows, the default"): discriminative 0.052 against 0.076 (5 repeats, lower in every seed),
# EMD(20) 0.0124 against 0.0158, at 2.8x the CPU (19 against 7 min). Levels: the paper's 24.
DEFAULT_SEQ_LEN = {"returns": 48, "levels": 24}
# The window correlations, on from this many series (docs/many_series.md, "Each series' drift"):
# with drift calibration, 20 series scored discriminative 0.093 +- 0.075 with them against
# 0.299 +- 0.060 without; 10 series 0.297 against 0.300, with the correlation distance at the real
# floor (0.62 against 1.33); 6 series 0.246 against 0.289 (better in every seed); 3 series 0.119
# against 0.103 (without calibration).
WINDOW_CORRELATIONS_FROM = 6
FULL_LENGTH_STEPS = 50000


def build_parser():
    parser = ArgumentParser(
        prog="timegan-train",
        description="Train a TimeGAN on daily prices and write a run directory: the model, synthetic price "
        "paths (synthetic.csv), losses and pictures.",
    )
    add_data_arguments(parser, default_tickers=DEFAULT_TICKERS)

    model = parser.add_argument_group("model (defaults: the TimeGAN paper)")
    model.add_argument(
        "--representation",
        choices=("levels", "returns"),
        default=DEFAULT_REPRESENTATION,
        help="what the model learns: daily log returns, standardised (generation cumulates them from "
        "--start-price), or MinMax-scaled price levels (the paper's protocol); default "
        f"{DEFAULT_REPRESENTATION} (docs/finance.md)",
    )
    model.add_argument(
        "--heavy-tail",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="returns: Gaussianise with the inverse Lambert W transform after standardising (default on)",
    )
    model.add_argument(
        "--burn-in",
        type=int,
        default=None,
        help="recurrent steps run and dropped before each generated path, against the start-of-path "
        "transient (default: --seq-len; 0 generates as the paper does; docs/finance.md)",
    )
    model.add_argument(
        "--train-burn-in",
        type=int,
        default=0,
        help="recurrent steps the generator and supervisor run and drop before each synthetic window "
        "of the joint phase, so that training judges windows as generation gives them (see "
        "--burn-in); 0: from zeros, the paper's (default 0; docs/finance.md)",
    )
    model.add_argument(
        "--synthetic-path",
        choices=("supervisor", "generator"),
        default=DEFAULT_SYNTHETIC_PATH,
        help="latent path the recovery network turns into synthetic data: supervisor (the paper's "
        f"R(S(G(Z)))) or generator (R(G(Z))); default {DEFAULT_SYNTHETIC_PATH} (docs/finance.md, "
        "what limits the returns model)",
    )
    model.add_argument(
        "--stylized-weight",
        type=float,
        default=None,
        help="factor of the stylized-facts loss in the generator loss: autocorrelation of r and |r|, "
        "leverage, volatility dispersion, kurtosis and cross-correlations of synthetic windows matched "
        f"to real ones; 0: off, the paper's loss (default {DEFAULT_STYLIZED_WEIGHT:g} for returns, 0 for "
        "levels; docs/finance.md)",
    )
    model.add_argument(
        "--stylized-return-lags",
        type=int,
        default=DEFAULT_STYLIZED_RETURN_LAGS,
        help="largest lag of the autocorrelation of returns that the stylized-facts loss matches "
        f"(default {DEFAULT_STYLIZED_RETURN_LAGS})",
    )
    model.add_argument(
        "--stylized-abs-lags",
        type=int,
        default=5,
        help="largest lag of the autocorrelation of |returns| (volatility clustering) that the stylized-facts "
        "loss matches, capped at --seq-len - 1 (default 5)",
    )
    model.add_argument(
        "--stylized-leverage-lags",
        type=int,
        default=5,
        help="largest lag k of the leverage correlation corr(r_t, r_{t+k}^2) that the stylized-facts loss "
        "matches; 0: none (default 5)",
    )
    model.add_argument(
        "--stylized-scale",
        choices=("model", "returns"),
        default="model",
        help="where the stylized-facts loss takes its statistics: the model's scale (Gaussianised returns) "
        "or the standardised log returns with their heavy tails (default model)",
    )
    model.add_argument(
        "--stylized-norm",
        choices=("mean", "l2"),
        default="l2",
        help="how the stylized-facts loss sums the gaps of each term: their mean, or the norms of the finance "
        "scores (Euclidean over the lags, Frobenius over the correlations), which pull hardest on the worst "
        "entries (default l2; docs/finance.md)",
    )
    model.add_argument(
        "--stylized-window-correlations",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also match the correlations across series of whole windows' returns and log volatilities "
        f"(default: on from {WINDOW_CORRELATIONS_FROM} series, off below; docs/many_series.md)",
    )
    model.add_argument(
        "--stylized-variance-ratio",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also match each series' variance ratio of whole windows' returns, Var(window sum) / (window "
        "length x Var(daily)) (default off; docs/many_series.md)",
    )
    model.add_argument(
        "--stylized-correlation-dispersion",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also match how much each window's mean correlation across series varies from window to window "
        "(default off; docs/many_series.md)",
    )
    model.add_argument(
        "--stylized-basket-kurtosis",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also match the excess kurtosis of the equal-weighted basket's daily returns, the market's tails "
        "(default off; docs/many_series.md)",
    )
    model.add_argument(
        "--drift-calibration",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="returns: give each generated series the training data's drift, taking off the generator's own "
        "mean bias (default on; docs/many_series.md)",
    )
    model.add_argument(
        "--marginal-calibration",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="returns: give each generated series the history's distribution of daily returns (training and held-out days) by "
        "quantile mapping, keeping the model's ranks in time (includes the drift; default on; docs/finance.md)",
    )
    model.add_argument(
        "--persistent-noise",
        type=int,
        default=0,
        metavar="K",
        help="extra noise channels that persist over time (AR(1) with --noise-persistence), so the generator "
        "can hold a regime for a window (default 0, the paper's noise; docs/many_series.md)",
    )
    model.add_argument(
        "--noise-persistence",
        type=float,
        default=0.97,
        metavar="PHI",
        help="lag-1 autocorrelation of those channels, in [0, 1] (default 0.97)",
    )
    model.add_argument(
        "--seq-len",
        type=int,
        default=None,
        help=f"window length in days (default {DEFAULT_SEQ_LEN['returns']} for returns, "
        f"{DEFAULT_SEQ_LEN['levels']} for levels, the paper's)",
    )
    model.add_argument(
        "--hidden-dim",
        type=int,
        default=None,
        help="units per recurrent layer, the latent width (default max(24, 3 x number of series))",
    )
    model.add_argument("--num-layers", type=int, default=3, help="recurrent layers (default 3)")
    model.add_argument(
        "--cell",
        choices=("gru", "gru_block", "lstm"),
        default="gru",
        help="recurrent cell (default gru; gru_block: the reference code's GRU, fused kernel on a CPU)",
    )
    model.add_argument("--batch-size", type=int, default=128, help="windows per update (default 128)")
    model.add_argument(
        "--learning-rate", type=learning_rate, default=1e-3, help="Adam learning rate, at most 1 (default 1e-3)"
    )
    model.add_argument(
        "--seed", type=seed, default=0, help="seed of weights, noise and batches, 0 .. 2**32-1 (default 0)"
    )
    model.add_argument("--xla", action="store_true", help="compile the updates with XLA (faster on CPU, slower start)")

    training = parser.add_argument_group("training")
    training.add_argument(
        "--steps",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help=f"steps per phase: one number for all three or three (embedding supervised joint); "
        f"default {' '.join(map(str, DEFAULT_STEPS))} (~10 min on 2 CPU cores); the paper's full length is "
        f"--steps {FULL_LENGTH_STEPS}",
    )
    training.add_argument("--checkpoint-every", type=positive_int, default=500, help="steps between checkpoints")
    training.add_argument(
        "--validation-fraction",
        type=fraction,
        default=VALIDATION_FRACTION,
        help=f"share of the history held out (its last days, after a gap of --seq-len days) to keep the best "
        f"model of the joint phase in best/, which generation uses; 0: train on all, keep the last only "
        f"(default {VALIDATION_FRACTION})",
    )
    training.add_argument(
        "--select-every",
        type=positive_int,
        default=SELECT_EVERY,
        help=f"joint steps between two scores on the held-out days (default {SELECT_EVERY})",
    )
    training.add_argument(
        "--select-metric",
        choices=("stylized", "classifier"),
        default=None,
        help="held-out score that picks the best model: stylized (distance of the stylized facts) or "
        "classifier (a linear classifier two-sample test); default stylized for returns, classifier for "
        "levels (docs/selection.md)",
    )
    training.add_argument(
        "--n-synthetic",
        type=positive_int,
        default=None,
        help="synthetic windows to write (default: as many as real windows)",
    )
    training.add_argument(
        "--start-price",
        type=positive_float,
        nargs="+",
        default=None,
        metavar="PRICE",
        help="returns: price before the first step of each synthetic path, one for all series or one per "
        "series (default: the last real prices)",
    )
    training.add_argument("--output-dir", default=None, help="run directory (default runs/<date-time>)")
    training.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --output-dir from its last checkpoint (or from step 0 if it has none)",
    )
    training.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run in --output-dir once the new one is complete (built beside it)",
    )
    training.add_argument("--log-dir", default=None, help="write TensorBoard scalars here")
    training.add_argument("--evaluate", action="store_true", help="write the evaluation report after training")
    training.add_argument("--quiet", action="store_true", help="no progress bars")
    training.add_argument(
        "--distribute",
        choices=("none", "mirrored", "multiworker"),
        default="none",
        help="mirrored: split each batch over this machine's GPUs; multiworker: over the "
        "machines in TF_CONFIG (see README); default none",
    )
    return parser


def _steps(values):
    if values is None:
        return None
    if len(values) not in (1, 3):
        raise ValueError(f"Expected --steps with 1 or 3 values. Received: {values}")
    if any(v < 1 for v in values):
        raise ValueError(f"Expected positive --steps. Received: {values}")
    return values[0] if len(values) == 1 else tuple(values)


def _seq_len(args):
    """The window length asked for, else the default of the representation."""
    return DEFAULT_SEQ_LEN[args.representation] if args.seq_len is None else args.seq_len


def _stylized_weight(args):
    """The weight asked for, else the default of the representation: the loss's statistics are
    those of returns, meaningless on price levels."""
    if args.stylized_weight is not None:
        return args.stylized_weight
    return DEFAULT_STYLIZED_WEIGHT if args.representation == "returns" else 0.0


def window_correlations(asked, n_series, stylized_weight):
    """Whether the stylized-facts loss matches the window correlations: as asked (True/False),
    else (None) from `WINDOW_CORRELATIONS_FROM` series on, when there is such a loss."""
    if asked is not None:
        return bool(asked)
    return stylized_weight > 0 and n_series >= WINDOW_CORRELATIONS_FROM


def _train(args):
    from timegan.config import TimeGANConfig
    from timegan.data import load_prices
    from timegan.run import check_log_dir, check_output_dir, read_steps_done, train_run

    steps = _steps(args.steps)
    if args.resume and args.overwrite:
        raise ValueError("--resume and --overwrite cannot be combined")
    if args.resume and args.output_dir is None:
        raise ValueError("--resume needs the --output-dir of the run to continue")
    if args.stylized_abs_lags < 1:  # the config names its field, `stylized_lags`
        raise ValueError(f"Expected --stylized-abs-lags to be an integer >= 1. Received: {args.stylized_abs_lags}")
    output_dir = Path(args.output_dir or Path("runs") / time.strftime("%Y%m%d-%H%M%S"))
    # Everything that can be checked without the data is checked before it is loaded; train_run
    # checks the rest (and these again) before it writes anything.
    if args.log_dir is not None:
        check_log_dir(args.log_dir)
    check_output_dir(output_dir, resume=args.resume, overwrite=args.overwrite)
    prices = config = None
    if not args.resume:
        config = TimeGANConfig(
            seq_len=_seq_len(args),
            hidden_dim=args.hidden_dim,
            num_layers=args.num_layers,
            cell=args.cell,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            seed=args.seed,
            jit_compile=args.xla,
            representation=args.representation,
            heavy_tail=args.heavy_tail,
            # Measured: without it every path starts with a jump (docs/finance.md, start of path).
            burn_in=_seq_len(args) if args.burn_in is None else args.burn_in,
            train_burn_in=args.train_burn_in,
            synthetic_path=args.synthetic_path,
            stylized_weight=_stylized_weight(args),
            stylized_return_lags=args.stylized_return_lags,
            stylized_lags=args.stylized_abs_lags,
            stylized_leverage_lags=args.stylized_leverage_lags,
            stylized_scale=args.stylized_scale,
            stylized_norm=args.stylized_norm,
            # Decided once the number of series is known (below), unless asked for.
            stylized_window_correlations=bool(args.stylized_window_correlations),
            stylized_variance_ratio=args.stylized_variance_ratio,
            stylized_correlation_dispersion=args.stylized_correlation_dispersion,
            stylized_basket_kurtosis=args.stylized_basket_kurtosis,
            persistent_noise=args.persistent_noise,
            drift_calibration=args.drift_calibration,
            marginal_calibration=args.marginal_calibration,
            noise_persistence=args.noise_persistence,
        )
        prices = load_prices(**data_arguments(args))
        config = dataclasses.replace(
            config,
            stylized_window_correlations=window_correlations(
                args.stylized_window_correlations, prices.shape[1], config.stylized_weight
            ),
        )
        dropped = prices.attrs.get("rows_dropped", 0)
        echo(
            f"Data: {prices.shape[1]} series x {len(prices)} days "
            f"({prices.index[0].date()} .. {prices.index[-1].date()}), {dropped} incomplete rows dropped; "
            f"sources: {prices.attrs.get('sources')}"
        )
        steps = steps or DEFAULT_STEPS
    started = time.monotonic()
    result = train_run(
        output_dir,
        prices=prices,
        config=config,
        steps=steps,
        n_synthetic=args.n_synthetic,
        checkpoint_every=args.checkpoint_every,
        log_dir=args.log_dir,
        resume=args.resume,
        overwrite=args.overwrite,
        progress=not args.quiet,
        distribute=args.distribute,
        validation_fraction=args.validation_fraction,
        select_every=args.select_every,
        select_metric=args.select_metric,
        start_price=args.start_price,
    )
    minutes = (time.monotonic() - started) / 60
    # result.model is the model generation uses (the best one when the run kept it); the last
    # model's steps are what training did.
    done = read_steps_done(output_dir / "model")
    echo(
        f"Trained {done['embedding']} embedding, {done['supervised']} supervised and {done['joint']} joint steps "
        f"in {minutes:.1f} min. Outputs in {output_dir}/:"
    )
    echo(
        "  model/ (TimeGAN.load), synthetic.csv (price units), losses.csv, loss_curve.png, "
        + ", ".join(p.name for p in sorted(output_dir.glob("paths_*.png")))
    )
    if result.selection is not None:
        echo(
            f"  best/: the best model on the held-out days: joint step {result.selection['best_step']}, "
            f"{result.selection['metric']} {result.selection['best_score']:.4f} (scored every "
            f"{result.selection['every']} steps); synthetic.csv and generate.py use it, model/ is the last"
        )
    if args.evaluate:
        from evaluation.report import evaluate_run

        metrics = evaluate_run(output_dir)
        if "finance" in metrics:
            echo(f"  {metrics['finance']['verdict']}")
        echo(f"  report.html, metrics.json in {output_dir}/")


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _train(args), "timegan-train")


if __name__ == "__main__":
    raise SystemExit(main())
