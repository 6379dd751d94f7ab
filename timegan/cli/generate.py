"""`timegan-generate` / `python scripts/generate.py`: more price paths from a trained run, as a tidy CSV.

Reproducibility: the paths are made in fixed chunks of `CHUNK` paths; chunk k is
`model.generate(CHUNK, seed=chunk_seed(seed, k), seq_len=L)` (the last chunk is cut to length), so the CSV
for a seed is the same whatever `--batch-size`, which only sets how many paths are held in memory and
written at once. (`TimeGAN.generate(n, seed)` is itself independent of its batch size and of `n`: sample i
depends on the seed and i only. The chunk seeds keep this command's CSVs as they were.)

Memory and disk are bounded: at most `--batch-size` paths are in memory; an output estimated above
`MAX_OUTPUT_BYTES` needs `--force`, and one above the free disk space is refused.
"""

import logging
import math
import shutil
from pathlib import Path

import numpy as np

from timegan._memory import format_bytes
from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_float, positive_int, run, seed

logger = logging.getLogger(__name__)

CHUNK = 32
DEFAULT_BATCH_SIZE = 256
MAX_OUTPUT_BYTES = 10 * 1024**3
FLOAT_FORMAT = "%.8g"
COLUMNS = ("sample", "step", "date", "ticker", "field", "value")


def build_parser():
    parser = ArgumentParser(
        prog="timegan-generate",
        description="Generate price paths from a trained run and write them as a tidy CSV with columns "
        "sample, step, date, ticker, field, value (price units). `date` is a date-like step index: "
        "the business days (Monday to Friday, no holiday calendar) that follow the last date of the run's "
        "prices.csv, so step 0 is the first business day after the real history.",
    )
    parser.add_argument("--run", required=True, help="run directory written by train.py")
    parser.add_argument(
        "--model",
        choices=("best", "last"),
        default="best",
        help="best (default): the run's best model on its held-out days (best/; the last model for a run "
        "trained without held-out days); last: the model at the last training step (model/)",
    )
    parser.add_argument("--n-paths", type=int, required=True, help="number of paths (>= 1)")
    parser.add_argument(
        "--path-length", type=int, default=None, help="business days per path (>= 2; default the run's seq_len)"
    )
    parser.add_argument(
        "--seed",
        type=seed,
        default=None,
        help="seed (>= 0; default the run's training seed); the same seed gives the same CSV whatever --batch-size",
    )
    parser.add_argument(
        "--start-price",
        type=positive_float,
        nargs="+",
        default=None,
        metavar="PRICE",
        help="runs of representation returns: the price before step 0, one for all series or one per series "
        "in the run's order (default: the last real prices)",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH_SIZE,
        help=f"paths held in memory and written at once, a multiple of {CHUNK} (default {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument("--output", default=None, help="CSV file to write (default <run>/paths.csv)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"write even if the CSV is estimated above {MAX_OUTPUT_BYTES / 1024**3:.0f} GiB",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def chunk_seed(seed, index):
    """The seed of chunk `index` (paths `index * CHUNK` .. `(index + 1) * CHUNK - 1`) for the user's `seed`."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def estimated_bytes(n_paths, path_length, feature_names):
    """An upper bound of the CSV's size in bytes: header plus `n_paths * path_length * n_features` rows."""
    longest_name = max(len(str(t)) + len(str(f)) for t, f in feature_names)
    # sample, step, ISO date, names (+ quotes), a %.8g value ("-1.2345678e+308"), 5 commas and the newline
    row = len(str(n_paths - 1)) + len(str(path_length - 1)) + 10 + longest_name + 4 + 15 + 6
    return 64 + n_paths * path_length * len(feature_names) * row


def future_business_days(last_date, path_length):
    """`path_length` business days after `last_date` (step 0 is the first)."""
    import pandas as pd

    return pd.bdate_range(pd.Timestamp(last_date) + pd.offsets.BDay(1), periods=path_length)


def write_paths(
    model, output, n_paths, path_length, dates, seed, batch_size=DEFAULT_BATCH_SIZE, progress=True, start_price=None
):
    """Generates `n_paths` paths batch by batch and writes the tidy CSV atomically.

    At most `batch_size` paths are in memory at once; `model.generate` is called with `CHUNK` paths at a
    time (see the module docstring for the seeds). Every value is checked finite before it is written.

    Args:
        model: a trained TimeGAN (`generate`, `feature_names`).
        output: CSV path; written beside itself and renamed at the end, so an error or Ctrl-C leaves
            neither a half file nor a temporary one.
        n_paths: paths (>= 1).
        path_length: steps per path (>= 2).
        dates: `path_length` dates, the `date` column for each step.
        seed: non-negative int.
        batch_size: paths per batch, a multiple of `CHUNK`.
        progress: show a tqdm bar when there is more than one batch.
        start_price: for a returns model, the price before step 0 (see `TimeGAN.generate`);
            None: the last real prices.

    Raises:
        ValueError: on a batch size that is not a multiple of `CHUNK`, or a non-finite generated value
            (naming the first bad path); nothing is written then.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    from timegan._atomic import atomic_path

    if batch_size % CHUNK:
        raise ValueError(
            f"Expected --batch-size to be a multiple of {CHUNK} (paths per seeded chunk). Received: {batch_size}"
        )
    names = [tuple(name) for name in model.feature_names]
    n_features = len(names)
    tickers = np.array([str(name[0]) for name in names], dtype=object)
    fields = np.array([str(name[1]) for name in names], dtype=object)
    date_text = np.asarray(pd.DatetimeIndex(dates).strftime("%Y-%m-%d"), dtype=object)
    per_path = path_length * n_features
    options = {} if start_price is None else {"start_price": start_price}
    bar = tqdm(total=n_paths, unit="path", desc="generate", disable=not progress or n_paths <= batch_size)
    with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle, bar:
        handle.write(",".join(COLUMNS) + "\n")
        for start in range(0, n_paths, batch_size):
            size = min(batch_size, n_paths - start)
            chunks = [
                model.generate(CHUNK, seed=chunk_seed(seed, k), seq_len=path_length, batch_size=CHUNK, **options)
                for k in range(start // CHUNK, math.ceil((start + size) / CHUNK))
            ]
            paths = np.concatenate(chunks)[:size]
            if paths.shape != (size, path_length, n_features):
                raise ValueError(
                    f"Expected generated paths of shape {(size, path_length, n_features)}. Received: {paths.shape}"
                )
            bad = ~np.isfinite(paths)
            if bad.any():
                sample, step, feature = np.argwhere(bad)[0]
                raise ValueError(
                    f"Generated path {start + sample} has a non-finite value ({paths[sample, step, feature]}) at "
                    f"step {step} for {names[feature][0]} {names[feature][1]}; no file was written"
                )
            pd.DataFrame(
                {
                    "sample": np.repeat(np.arange(start, start + size), per_path),
                    "step": np.tile(np.repeat(np.arange(path_length), n_features), size),
                    "date": np.tile(np.repeat(date_text, n_features), size),
                    "ticker": np.tile(tickers, size * path_length),
                    "field": np.tile(fields, size * path_length),
                    "value": paths.reshape(-1),
                }
            ).to_csv(handle, header=False, index=False, float_format=FLOAT_FORMAT)
            bar.update(size)


def _check_output(output, overwrite):
    if output.is_dir():
        raise IsADirectoryError(f"Expected --output to be a file path. Received a directory: {str(output)!r}")
    if not output.parent.is_dir():
        raise FileNotFoundError(
            f"Expected --output in an existing folder. Received: {str(output)!r} "
            f"({str(output.parent)!r} does not exist)"
        )
    if output.exists() and not overwrite:
        raise FileExistsError(f"Output file {str(output)!r} already exists; pass --overwrite to replace it")


def _generate(args):
    if args.n_paths < 1:
        raise ValueError(f"Expected --n-paths to be an integer >= 1. Received: {args.n_paths}")
    if args.path_length is not None and args.path_length < 2:
        raise ValueError(f"Expected --path-length to be an integer >= 2. Received: {args.path_length}")
    if args.batch_size % CHUNK:
        raise ValueError(
            f"Expected --batch-size to be a multiple of {CHUNK} (paths per seeded chunk). Received: {args.batch_size}"
        )
    run_dir = Path(args.run)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"No run directory at {str(run_dir)!r}")
    if not (run_dir / "run.json").is_file():
        raise ValueError(f"{str(run_dir)!r} is not a run directory (no run.json); train one with train.py")
    # `.model.previous` is what a crash while replacing model/ leaves; load_run reads it.
    if not (run_dir / "model").is_dir() and not (run_dir / ".model.previous").is_dir():
        raise ValueError(
            f"Run {str(run_dir)!r} is not finished (no model/); finish it with "
            f"`train.py --output-dir {run_dir} --resume`"
        )
    output = Path(args.output) if args.output is not None else run_dir / "paths.csv"
    _check_output(output, args.overwrite)

    from timegan.run import load_run, path_start_price

    result = load_run(run_dir, model=args.model, synthetic=False)  # generates its own paths
    model = result.model
    path_length = args.path_length if args.path_length is not None else model.config.seq_len
    start_price = path_start_price(model, result.prices, args.start_price)
    seed = args.seed if args.seed is not None else model.config.seed
    size = estimated_bytes(args.n_paths, path_length, model.feature_names)
    if size > MAX_OUTPUT_BYTES and not args.force:
        raise ValueError(
            f"Expected an output of at most {MAX_OUTPUT_BYTES / 1024**3:.0f} GiB (the size limit). Received: "
            f"--n-paths {args.n_paths} x --path-length {path_length} x {len(model.feature_names)} series, about "
            f"{size / 1024**3:.1f} GiB; pass --force to write it anyway"
        )
    free = shutil.disk_usage(output.parent).free
    if size > free:
        raise ValueError(
            f"Expected an output that fits in the {format_bytes(free)} free on the disk of {str(output.parent)!r}. "
            f"Received: --n-paths {args.n_paths} x --path-length {path_length} x {len(model.feature_names)} series, "
            f"up to {format_bytes(size)}; lower --n-paths or --path-length (--force does not lift this limit)"
        )
    dates = future_business_days(result.prices.index[-1], path_length)
    write_paths(
        model,
        output,
        args.n_paths,
        path_length,
        dates,
        seed,
        args.batch_size,
        progress=not args.quiet,
        start_price=start_price,
    )
    if result.which == "best":
        used = f"the best model (joint step {result.selection['best_step']})"
    else:
        used = "the last model" + (" (the run kept no best one)" if args.model == "best" else "")
    echo(
        f"Wrote {args.n_paths} paths x {path_length} business days ({dates[0].date()} .. {dates[-1].date()}) "
        f"x {len(model.feature_names)} series, seed {seed}, from {used}, to {output}"
    )


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _generate(args), "timegan-generate")


if __name__ == "__main__":
    raise SystemExit(main())
