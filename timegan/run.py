"""A training run directory: what `scripts/train.py` writes and `load_run` reads back.

Layout::

    run.json            what was asked (config, steps, data) and the package version
    prices.csv          the aligned real prices the model was trained on (original units)
    checkpoint/         latest checkpoint while training (a saved TimeGAN), for --resume
    model/              the trained TimeGAN at the last step (`TimeGAN.load`)
    best/               the best TimeGAN of the joint phase on the held-out data, with its
                        selection.json (step, score, every score); see `timegan.callbacks.BestModel`
    synthetic.csv       generated windows in price units, tidy: sample, step, ticker, field, value
                        (from best/ when the run has one, else from model/)
    losses.csv          loss history, one row per step
    loss_curve.png      the losses per phase
    paths_<TICKER>.png  real windows beside synthetic ones, per ticker
    .lock               held by the process writing the run (see `timegan._atomic.DirectoryLock`)

How a run is written, so that no input and no crash destroys anything:

1. Every argument and the data are checked before the first file is created: sizes against
   the machine's memory, prices finite with a finite range per feature, the synthetic sample
   against memory and free disk, the output and log directories.
2. A new run is written straight into its directory, which must be new or empty: a process
   killed at any instant leaves a run that `--resume` continues (from its last checkpoint, or
   from step 0 when none was written yet). A run that already exists is replaced
   (`overwrite=True`) by building the new one in a temporary folder beside it and swapping it in
   at the end; until then the old run is untouched. Only directories whose every entry is a
   run's own file are replaced.
3. Each file and directory is written atomically (`timegan._atomic`); stale temporaries of a
   killed process are removed by the next run or resume; a lock refuses a second writer.
4. A non-finite loss ends training with `TrainingDivergedError`: the last checkpoint stays (a
   new run without any checkpoint is removed). Generated windows are checked finite before
   anything after training is written.
"""

import dataclasses
import json
import logging
import os
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from timegan import _atomic
from timegan._memory import available_memory, check_windows_fit, format_bytes
from timegan._validation import Integer, Options, Real, validate
from timegan.callbacks import SELECTION_METRICS, BestModel, Checkpoint, PhaseTensorBoard, read_selection
from timegan.config import TimeGANConfig, default_hidden_dim
from timegan.model import TimeGAN, distribution_strategy, frame_to_windows, windows_to_frame
from timegan.plots import plot_losses, plot_real_vs_synthetic
from timegan.preprocessing import check_window_count, holdout_split, make_windows
from timegan.representation import check_start_price, volume_features

logger = logging.getLogger(__name__)

RUN_MARKERS = ("run.json",)
# Everything a run (and the evaluation report written into it) may hold; `overwrite` replaces a
# directory only if each of its entries is one of these.
_RUN_DIRS = ("model", "checkpoint", "best")
MODELS = ("best", "last")
# Held-out share of the history and joint steps between its evaluations (`BestModel`).
VALIDATION_FRACTION = 0.1
SELECT_EVERY = 100
# The fewest held-out windows, whatever the fraction: enough for the score's 5 folds, twice.
MIN_VALIDATION_WINDOWS = 10
_RUN_FILES = ("run.json", "prices.csv", "synthetic.csv", "losses.csv", "report.html", "metrics.json")
_RUN_PICTURE_SUFFIX = ".png"  # loss_curve.png, paths_<TICKER>.png and the report's figures
# Windows per chunk when synthetic.csv is written, so that the tidy text never sits whole in memory.
SYNTHETIC_CSV_CHUNK = 20000


class TrainingDivergedError(ValueError):
    """Training produced a non-finite loss; the message says what was kept."""


@dataclasses.dataclass
class Run:
    """A training run read back from disk (see the module docstring for the files).

    `model` is the model asked for (`load_run(path, model="best")`: the best of the joint
    phase when the run kept one, else the last); `which` says which it is ("best" or "last");
    `selection` is the best model's `selection.json` (None for a run without held-out data).
    """

    path: Path
    model: TimeGAN
    prices: pd.DataFrame
    synthetic: np.ndarray | None
    losses: pd.DataFrame | None
    info: dict
    which: str = "last"
    selection: dict | None = None

    @property
    def feature_names(self):
        return list(self.model.feature_names)

    @property
    def synthetic_path(self):
        """The run's `synthetic.csv` if `model` generated it, else None (a run's file is the best model's)."""
        path = self.path / "synthetic.csv"
        generated_by_model = self.which == "best" or self.selection is None
        return path if generated_by_model and path.is_file() else None

    @property
    def real_windows(self):
        """Real windows (n_rows - seq_len + 1, seq_len, n_features) in time order, original units."""
        return make_windows(self.prices.to_numpy(), self.model.config.seq_len)


def path_start_price(model, prices, start_price=None):
    """The start price of a run's synthetic paths: `start_price` checked, else the history's last day.

    The default is the last real prices of the whole history `prices` (DataFrame, price units),
    not of the part the model was fitted on: the held-out days come after that part.

    Returns:
        float64 array `(n_features,)`, or None for a levels model (its paths need no start).

    Raises:
        TypeError, ValueError: as `timegan.representation.check_start_price`.
    """
    representation = model.config.representation
    if start_price is None and representation == "returns":
        start_price = prices.to_numpy(dtype="float64")[-1]
    return check_start_price(start_price, prices.shape[1], representation, volume_features(prices.columns))


def holds_run(directory):
    """True if `directory` contains a run (or the start of one): it has a `run.json` file."""
    return (Path(directory) / "run.json").is_file()


def train_run(
    output_dir,
    prices=None,
    config=None,
    steps=None,
    n_synthetic=None,
    checkpoint_every=500,
    log_dir=None,
    resume=False,
    overwrite=False,
    progress=True,
    distribute="none",
    validation_fraction=VALIDATION_FRACTION,
    select_every=SELECT_EVERY,
    start_price=None,
    select_metric=None,
):
    """Trains a TimeGAN on `prices` and writes a complete run directory.

    Args:
        output_dir: run directory to create (or to resume). A new run needs a new or empty
            directory.
        prices: aligned prices (DataFrame from `load_prices`); ignored when resuming, which
            reuses the run's own `prices.csv`.
        config: `TimeGANConfig`; ignored when resuming (the checkpoint's config is used).
        steps: steps per phase, int or (embedding, supervised, joint). Required unless
            resuming, where it defaults to the steps the run was started with.
        n_synthetic: windows to generate; default as many as there are real windows.
        checkpoint_every: steps between checkpoints (also saved at each phase end).
        log_dir: TensorBoard log directory, or None.
        resume: continue the run in `output_dir` from its checkpoint at the saved phase and
            step, or from step 0 (with the config in its `run.json`) if it has none yet.
        overwrite: replace a run already in `output_dir`; the old run stays until the new one
            is complete.
        progress: show progress bars.
        distribute: "none", "mirrored" (all devices of this machine) or "multiworker" (the
            machines in `TF_CONFIG`); see `timegan.model.distribution_strategy`.
        validation_fraction: share of the history held out from training (its last rows, after
            a gap of `seq_len` rows) to select the best model of the joint phase (`best/`);
            0 trains on the whole history and keeps only the last model. Default 0.1. Ignored
            when resuming (the run's own split is used).
        select_every: joint steps between two evaluations on the held-out data. Default 100.
            Ignored when resuming.
        start_price: representation "returns" only: the price before the first step of each
            synthetic path (`TimeGAN.generate`), a number or one per feature, finite and > 0;
            None (default) starts from the last real prices.
        select_metric: the held-out score the best model is chosen by (`SELECTION_METRICS`):
            "stylized" (`timegan.callbacks.stylized_score`, the distance of the stylized facts)
            or "classifier" (`timegan.callbacks.validation_score`, a classifier two-sample
            test). None (default): "stylized" for returns, whose stylized facts are what the
            loss and the finance scores compare, "classifier" for levels. Ignored when resuming;
            runs written before the choice existed resume with "classifier".

    Returns:
        The finished `Run`.

    Raises:
        FileExistsError: if `output_dir` holds a run and neither `resume` nor `overwrite` is
            set, or holds files that are not a run's.
        FileNotFoundError: if `resume` is set and `output_dir` holds no run.
        BlockingIOError: if another process is writing `output_dir`.
        TrainingDivergedError: (a ValueError) if a loss became NaN or inf during training.
        ValueError: on data too short for `seq_len` or `batch_size`, non-finite data, a model
            or sample too large for this machine, unreadable run files, and other bad values.
            Nothing is written before these checks pass.
        OSError: if writing fails (a full disk, for instance): the files being written keep
            their previous content.
    """
    output_dir = Path(output_dir)
    if resume and overwrite:
        raise ValueError("Expected at most one of `resume` and `overwrite` (--resume, --overwrite). Received: both")
    if (
        isinstance(checkpoint_every, bool)
        or not isinstance(checkpoint_every, (int, np.integer))
        or checkpoint_every < 1
    ):
        raise ValueError(
            f"Expected `checkpoint_every` to be an integer >= 1. Received: checkpoint_every={checkpoint_every!r}"
        )
    checkpoint_every = int(checkpoint_every)
    if steps is not None and not _valid_steps(steps):
        raise ValueError(
            f"Expected `steps` as an integer >= 0 or three of them (embedding, supervised, joint). "
            f"Received: steps={steps!r}"
        )
    if log_dir is not None:
        check_log_dir(log_dir)
    check_output_dir(output_dir, resume=resume, overwrite=overwrite)
    validation_fraction = validate(validation_fraction, "validation_fraction", Real(0, 1, closed="left"))
    select_every = validate(select_every, "select_every", Integer(1))
    if select_metric is not None:
        select_metric = validate(select_metric, "select_metric", Options(*SELECTION_METRICS))
    strategy = distribution_strategy(distribute)
    options = {
        "start_price": start_price,
        "n_synthetic": n_synthetic,
        "checkpoint_every": checkpoint_every,
        "log_dir": log_dir,
        "progress": progress,
    }
    if resume:
        with _atomic.DirectoryLock(output_dir, "Run directory"):
            _atomic.remove_stale(output_dir)
            with strategy.scope():
                model, prices, steps = _resume_state(output_dir, steps, n_synthetic)
            check_start_price(
                start_price, prices.shape[1], model.config.representation, volume_features(prices.columns)
            )
            validation = read_run_info(output_dir).get("validation")
            return _train(output_dir, model, prices, steps, new_run=False, validation=validation, **options)

    config = TimeGANConfig() if config is None else config
    if not isinstance(config, TimeGANConfig):
        raise TypeError(f"Expected a TimeGANConfig. Received: {type(config).__name__}")
    if prices is None or steps is None:
        raise ValueError("Expected `prices` and `steps` for a new run.")
    check_prices(prices, config.representation)
    check_start_price(start_price, prices.shape[1], config.representation, volume_features(prices.columns))
    if config.hidden_dim is None:  # run.json records the width the networks get (the model warns on a narrow one)
        config = config.resolve(prices.shape[1])
    check_window_count(len(prices), config.seq_len, config.batch_size, returns=config.representation == "returns")
    validation = None
    if validation_fraction > 0:
        if select_metric is None:
            select_metric = "stylized" if config.representation == "returns" else "classifier"
        validation = {
            "fraction": validation_fraction,
            "gap": config.seq_len,
            "every": select_every,
            "metric": select_metric,
        }
        _split(prices, validation, config)  # refuses a history too short to hold some out
    check_fits_in_memory(config, prices.shape[1])
    n_windows = len(prices) - config.seq_len + 1
    check_n_synthetic(n_windows if n_synthetic is None else n_synthetic, config.seq_len, prices.shape[1], output_dir)
    info = {
        "config": config.to_dict(),
        "steps": [int(n) for n in steps] if isinstance(steps, (tuple, list)) else int(steps),
        "tickers": list(dict.fromkeys(str(c[0]) for c in prices.columns)),
        "fields": list(dict.fromkeys(str(c[1]) for c in prices.columns)),
        "sources": prices.attrs.get("sources", {}),
        "rows_dropped": prices.attrs.get("rows_dropped", 0),
        "validation": validation,
    }

    replacing = holds_run(output_dir)
    created = not output_dir.exists()
    with _atomic.DirectoryLock(output_dir, "Output directory"):
        check_output_dir(output_dir, overwrite=overwrite)  # again, now that no other process writes it
        if replacing:
            _atomic.remove_stale(output_dir.parent, output_dir.name)
            with _atomic.atomic_path(output_dir) as staging:
                _write_start(staging, info, prices)
                with strategy.scope():
                    model = TimeGAN(config)
                run = _train(
                    staging, model, prices, steps, new_run=False, replacing=output_dir, validation=validation, **options
                )
            return dataclasses.replace(run, path=output_dir)
        _atomic.remove_stale(output_dir)
        _write_start(output_dir, info, prices)
        with strategy.scope():
            model = TimeGAN(config)
        try:
            return _train(output_dir, model, prices, steps, new_run=True, validation=validation, **options)
        except TrainingDivergedError:
            if not _atomic.readable_path(output_dir / "checkpoint").is_dir():
                _remove_new_run(output_dir, created)
            raise


def check_output_dir(output_dir, resume=False, overwrite=False):
    """Checks, without writing, that a run can be written (or resumed) in `output_dir`.

    Raises:
        FileExistsError, FileNotFoundError, NotADirectoryError, PermissionError: as described
            in `train_run`, each naming the directory and what to do.
    """
    output_dir = Path(output_dir)
    _check_writable(output_dir, "output directory")
    if resume:
        if not holds_run(output_dir):
            raise FileNotFoundError(f"Nothing to resume: {str(output_dir)!r} holds no run (no run.json)")
        return
    if not output_dir.exists():
        return
    entries = _entries(output_dir)
    if holds_run(output_dir):
        if not overwrite:
            raise FileExistsError(
                f"Output directory {str(output_dir)!r} already holds a run; pass --overwrite to "
                "replace it or --resume to continue it"
            )
        foreign = [name for name in entries if not _is_run_output(name)]
        if foreign:
            raise FileExistsError(
                f"Output directory {str(output_dir)!r} holds files that are not part of a run "
                f"({_list(foreign)}); nothing was replaced: move them or choose another directory"
            )
    elif entries:
        raise FileExistsError(
            f"Output directory {str(output_dir)!r} is not empty and holds no run ({_list(entries)}); "
            "nothing was written: choose a new or empty directory"
        )


def check_log_dir(log_dir):
    """Checks, without writing, that TensorBoard logs can be written to `log_dir`."""
    _check_writable(Path(log_dir), "log directory")


def check_prices(prices, representation="levels"):
    """Checks that `prices` is a DataFrame of finite numbers whose range per column is finite.

    A range (max - min) that overflows float64, as with values near +-1.7e308, cannot be
    scaled to [0, 1] and back. For representation "returns" every price must be > 0 (the log
    of 0 is undefined; volume columns, field "Volume", >= 0).

    Raises:
        TypeError: if `prices` is not a DataFrame.
        ValueError: naming the first column (and row) with a non-numeric, non-finite,
            overflowing or (returns) non-positive value.
    """
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"Expected `prices` as a DataFrame (from `load_prices`). Received: {type(prices).__name__}")
    if prices.shape[1] == 0:
        raise ValueError("Expected at least one price column. Received: a DataFrame without columns")
    try:
        values = prices.to_numpy(dtype="float64")
    except (ValueError, TypeError):
        raise ValueError("Expected numeric price columns; the DataFrame has non-numeric values.") from None
    finite = np.isfinite(values)
    if not finite.all():
        row, column = np.argwhere(~finite)[0]
        raise ValueError(
            f"Expected finite prices. Received: {values[row, column]} in column {prices.columns[column]} "
            f"on row {prices.index[row]}"
        )
    with np.errstate(over="ignore"):
        span = values.max(axis=0) - values.min(axis=0)
    if not np.isfinite(span).all():
        column = int(np.argmin(np.isfinite(span)))
        raise ValueError(
            f"Expected prices whose range (max - min) is a finite float64. Received: column "
            f"{prices.columns[column]} from {values[:, column].min():.6g} to {values[:, column].max():.6g}"
        )
    if representation == "returns":
        volume = np.array([str(np.atleast_1d(c)[-1]).lower() == "volume" for c in prices.columns])
        bad = np.where(volume, values < 0, values <= 0)
        if bad.any():
            row, column = np.argwhere(bad)[0]
            what = "non-negative volumes" if volume[column] else "positive prices"
            day = prices.index[row]
            day = day.date() if isinstance(day, pd.Timestamp) else day
            raise ValueError(
                f"Expected {what} for representation 'returns' (log returns). Received: {float(values[row, column])!r} "
                f"in column {prices.columns[column]} on row {day}"
            )


def training_memory_bytes(config, n_features):
    """A lower bound of the memory `TimeGAN(config)` needs to train on `n_features` features.

    Counts only what every TimeGAN holds: four networks (embedder, recovery, generator,
    discriminator) of `num_layers` recurrent layers, each with at least `gates * h * (h + 1)`
    float32 weights (GRU: 3 gates, LSTM: 4), each weight kept four times (value, gradient, Adam's
    two moments), plus the per-step gate activations of one batch kept for backpropagation.
    The supervisor, input kernels and dense layers are left out, so a model refused by this
    bound cannot fit; one that passes may still be slow.
    """
    gates = 4 if config.cell == "lstm" else 3
    h = config.hidden_dim or default_hidden_dim(n_features)
    weights = 4 * config.num_layers * gates * h * (h + 1)
    activations = 4 * config.num_layers * config.batch_size * config.seq_len * gates * h
    return 4 * (4 * weights + activations)


def check_fits_in_memory(config, n_features, available=None):
    """Refuses a config whose model cannot fit in memory (see `training_memory_bytes`).

    Raises:
        ValueError: naming the sizes, the memory needed and the memory available.
    """
    available = available_memory() if available is None else available
    needed = training_memory_bytes(config, n_features)
    if available is not None and needed > available:
        raise ValueError(
            f"Expected a model that fits in memory: it needs at least {format_bytes(needed)} for weights, gradients, Adam "
            f"state and activations, this machine has {format_bytes(available)}. Received: hidden_dim={config.hidden_dim}, "
            f"num_layers={config.num_layers}, batch_size={config.batch_size}, seq_len={config.seq_len}"
        )


def check_n_synthetic(n_synthetic, seq_len, n_features, output_dir, available=None, free_disk=None):
    """Refuses a synthetic sample that cannot be generated in memory or written to disk.

    The windows are generated at once (`TimeGAN.generate`), about 20 bytes per value, which
    must fit in half the memory; `synthetic.csv` is written in chunks and needs at most 40
    bytes per value of free disk space at `output_dir`.

    Raises:
        ValueError: naming `n_synthetic`, the largest number that fits and the limit reached.
    """
    if isinstance(n_synthetic, bool) or not isinstance(n_synthetic, (int, np.integer)) or n_synthetic < 1:
        raise ValueError(f"Expected `n_synthetic` to be an integer >= 1. Received: n_synthetic={n_synthetic!r}")
    per_window = seq_len * n_features
    check_windows_fit(n_synthetic, seq_len, n_features, "n_synthetic", available)
    if free_disk is None:
        free_disk = shutil.disk_usage(_existing_ancestor(Path(output_dir))).free
    limit = int(free_disk // (per_window * 40))
    if n_synthetic > limit:
        raise ValueError(
            f"Expected n_synthetic <= {limit} (synthetic.csv would not fit in the {format_bytes(free_disk)} "
            f"free on the disk of {str(output_dir)!r}). Received: n_synthetic={n_synthetic}"
        )


def load_run(path, model="best", synthetic=True):
    """Reads a run directory written by `train_run` / `scripts/train.py`.

    Every file is treated as untrusted: a missing, malformed or foreign file ends in one
    error naming it.

    Args:
        path: the run directory.
        model: "best" (default): the best model of the joint phase on the held-out data
            (`best/`), or the last one for a run that kept none; "last": the model at the
            last step (`model/`). `synthetic.csv` is read only if it was generated by that
            model (`Run.synthetic` is None otherwise).
        synthetic: read `synthetic.csv` into `Run.synthetic` (default). False leaves the file
            unread (`Run.synthetic` None; `Run.synthetic_path` names it) for callers that
            generate their own windows: the file of a large run is tens of megabytes of text.

    Raises:
        FileNotFoundError: if `path` is not a directory.
        ValueError: if `model` is neither "best" nor "last", `path` is not a run, the run is
            incomplete (training not finished), or one of its files is unreadable (the file is
            named).
    """
    if model not in MODELS:
        raise ValueError(f"Expected `model` to be one of {MODELS}. Received: model={model!r}")
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"No run directory at {str(path)!r}")
    if not holds_run(path):
        raise ValueError(
            f"{str(path)!r} is not a run directory (it has no run.json); runs are written by timegan-train"
        )
    info = read_run_info(path)
    model_dir = _atomic.readable_path(path / "model")
    missing = [name for name, p in (("prices.csv", path / "prices.csv"), ("model", model_dir)) if not p.exists()]
    if missing:
        raise ValueError(
            f"Run directory {str(path)!r} is incomplete (missing {missing}): its training did not finish; "
            f"finish it with timegan-train --resume --output-dir {path}"
        )
    selection = read_selection(path / "best")
    which = "best" if model == "best" and selection is not None else "last"
    model = load_model(_atomic.readable_path(path / "best") if which == "best" else model_dir)
    prices = read_prices_csv(path / "prices.csv")
    losses = model.losses()
    if (path / "losses.csv").is_file():
        try:
            losses = pd.read_csv(path / "losses.csv")
        except (ValueError, pd.errors.ParserError) as error:
            raise ValueError(f"Losses file {str(path / 'losses.csv')!r} is unreadable: {_one_line(error)}") from None
    run = Run(path, model, prices, None, losses, info, which, selection)
    if synthetic and run.synthetic_path is not None:
        run.synthetic = _read_synthetic(run.synthetic_path, model.feature_names)
    return run


def load_model(path):
    """`TimeGAN.load(path)` with any failure as one `ValueError` naming the directory.

    The files of a saved model may be damaged or replaced (random bytes in a `.keras` file
    raise `zipfile.BadZipFile`, for instance); none of that reaches the user as a traceback.
    """
    path = Path(path)
    try:
        return TimeGAN.load(path)
    except Exception as error:  # untrusted files: every failure of the loader means "cannot load this"
        raise ValueError(
            f"Cannot load the saved TimeGAN in {str(path)!r}: {type(error).__name__}: {_one_line(error)}"
        ) from None


def read_steps_done(model_dir):
    """Steps done per phase of the model saved in `model_dir` (its `training.json`), without loading it.

    Returns:
        dict phase -> int.

    Raises:
        ValueError: if `training.json` is missing or has no `steps_done`.
    """
    path = Path(model_dir) / "training.json"
    try:
        steps = json.loads(path.read_text(encoding="utf-8"))["steps_done"]
        return {phase: int(steps[phase]) for phase in ("embedding", "supervised", "joint")}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"Cannot read the steps done from {str(path)!r} ({error!r})") from None


def read_run_info(path):
    """Reads and checks a run's `run.json`: a JSON object with a valid `config` and `steps`.

    Raises:
        FileNotFoundError: if there is no `run.json`.
        ValueError: naming the file if it is not such JSON, or its config is not a complete,
            valid `TimeGANConfig` (`TimeGANConfig.from_dict`).
    """
    file = Path(path) / "run.json"
    try:
        info = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"Run file {str(file)!r} is not valid JSON: {_one_line(error)}") from None
    if not isinstance(info, dict) or not isinstance(info.get("config"), dict):
        raise ValueError(f"Run file {str(file)!r} is malformed: expected a JSON object with a `config` object")
    steps = info.get("steps")
    if not (_valid_steps(steps) and isinstance(steps, (int, list))):
        raise ValueError(
            f"Run file {str(file)!r} is malformed: expected `steps` as an integer >= 0 or three of them. "
            f"Received: steps={steps!r}"
        )
    _config_from_info(info, file)  # a config missing a key (or holding a bad value) is refused, not defaulted
    validation = info.get("validation")
    if isinstance(validation, dict) and validation.get("metric", "classifier") not in SELECTION_METRICS:
        raise ValueError(
            f"Run file {str(file)!r} is malformed: expected `validation.metric` among {sorted(SELECTION_METRICS)}. "
            f"Received: {validation.get('metric')!r}"
        )
    return info


def read_prices_csv(path):
    """Reads a `prices.csv` written by a run: two header rows (ticker, field), Date index.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: naming the file if it is not such a table of finite numbers.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Prices file not found: {str(path)!r}")
    expected = "Expected the two header rows (ticker, field), a Date column and finite prices"
    try:
        prices = pd.read_csv(path, header=[0, 1], index_col=0, encoding="utf-8")
        prices.index = pd.DatetimeIndex(pd.to_datetime(prices.index, format="ISO8601"), name="Date")
        prices = prices.astype("float64")
    except (ValueError, TypeError, IndexError, KeyError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ValueError(f"Prices file {str(path)!r} is unreadable ({_one_line(error)}). {expected}") from None
    if prices.empty or not isinstance(prices.columns, pd.MultiIndex) or not np.isfinite(prices.to_numpy()).all():
        raise ValueError(f"Prices file {str(path)!r} holds no usable prices. {expected}")
    prices.columns = prices.columns.set_names(["ticker", "field"])
    return prices


def _split(prices, validation, config):
    """The training rows and the held-out rows of a run's prices (`validation` from its run.json):
    the last `fraction` of the rows, at least `MIN_VALIDATION_WINDOWS` windows, after a gap."""
    try:
        returns = config.representation == "returns"  # a window is then seq_len + 1 prices
        train, held_out = holdout_split(
            prices,
            validation["fraction"],
            validation["gap"],
            min_rows=config.seq_len + returns + MIN_VALIDATION_WINDOWS - 1,
        )
        check_window_count(len(train), config.seq_len, config.batch_size, returns=returns)
        check_window_count(len(held_out), config.seq_len, 1, returns=returns)
    except ValueError as error:
        raise ValueError(
            f"Cannot hold out {validation['fraction']:.0%} of {len(prices)} rows (after a gap of "
            f"{validation['gap']} rows) to select the best model: {_one_line(error)}; lower --validation-fraction "
            "or pass --validation-fraction 0"
        ) from None
    return train, held_out


def _train(
    directory,
    model,
    prices,
    steps,
    n_synthetic,
    checkpoint_every,
    log_dir,
    progress,
    new_run,
    start_price=None,
    replacing=None,
    validation=None,
):
    """Fits `model` (on the training part of `prices` when `validation` holds some out), then
    writes the model, the best model, losses, synthetic windows and pictures into `directory`."""
    checkpoint = directory / "checkpoint"
    import keras

    callbacks = [keras.callbacks.TerminateOnNaN(), Checkpoint(checkpoint, every=checkpoint_every)]
    if log_dir is not None:
        callbacks.append(PhaseTensorBoard(log_dir))
    train, held_out = prices, None
    if validation is not None:
        train, held_out = _split(prices, validation, model.config)
        # Runs written before the choice existed were selected by the classifier.
        metric = SELECTION_METRICS[validation.get("metric", "classifier")]
        callbacks.append(
            BestModel(directory / "best", every=int(validation["every"]), seed=model.config.seed, metric=metric)
        )
    try:
        model.fit(train, steps=steps, callbacks=callbacks, progress=progress, validation_data=held_out)
        if getattr(model, "stop_training", False):  # only TerminateOnNaN stops a run early
            raise FloatingPointError(
                f"Non-finite loss in the {model.phase} phase at step {model.steps_done[model.phase]}"
            )
        _check_losses(model.losses())
    except FloatingPointError as error:
        if replacing is not None:
            kept = f"The run in {str(replacing)!r} is unchanged"
        elif _atomic.readable_path(checkpoint).is_dir():
            kept = f"The last good checkpoint is kept in {str(checkpoint)!r} (--resume continues from it)"
        elif new_run:
            kept = f"No checkpoint was reached, so {str(directory)!r} was removed; lower --learning-rate"
        else:
            kept = f"No checkpoint was reached; the run in {str(directory)!r} restarts from step 0 with --resume"
        raise TrainingDivergedError(f"Training diverged: {_one_line(error)}. {kept}") from None

    history = model.losses()
    real = make_windows(prices.to_numpy(), model.config.seq_len)
    # Generation uses the best model when the run kept one.
    selection = read_selection(directory / "best")
    which, generator = ("best", load_model(directory / "best")) if selection is not None else ("last", model)
    start_price = path_start_price(model, prices, start_price)
    synthetic = generator.generate(n_synthetic or len(real), seed=model.config.seed, start_price=start_price)
    _check_generated(synthetic, model.feature_names)
    model.save(directory / "model")
    _atomic.write_text(directory / "losses.csv", history.to_csv(index=False))
    _save_and_close(plot_losses(history), directory / "loss_curve.png")
    _write_synthetic_csv(directory / "synthetic.csv", synthetic, model.feature_names)
    for ticker in dict.fromkeys(name[0] for name in model.feature_names):
        figure = plot_real_vs_synthetic(real, synthetic, model.feature_names, ticker, seed=model.config.seed)
        _save_and_close(figure, directory / f"paths_{_safe(ticker)}.png")
    return Run(directory, generator, prices, synthetic, history, read_run_info(directory), which, selection)


def _resume_state(output_dir, steps, n_synthetic):
    info = read_run_info(output_dir)
    prices = read_prices_csv(output_dir / "prices.csv")
    config = _config_from_info(info, output_dir / "run.json")
    check_fits_in_memory(config, prices.shape[1])
    if n_synthetic is not None:
        check_n_synthetic(n_synthetic, config.seq_len, prices.shape[1], output_dir)
    checkpoint = _atomic.readable_path(output_dir / "checkpoint")
    if checkpoint.is_dir():
        model = load_model(checkpoint)
        logger.info("Resuming from %s at %s.", checkpoint, model.steps_done)
    else:
        model = TimeGAN(config)
        logger.info("No checkpoint in %s yet: training starts from step 0 with the config in run.json.", output_dir)
    if steps is None:
        saved = info["steps"]
        steps = tuple(saved) if isinstance(saved, list) else saved
    return model, prices, steps


def _config_from_info(info, file):
    try:
        return TimeGANConfig.from_dict(info["config"])
    except (ValueError, TypeError) as error:
        raise ValueError(f"Run file {str(file)!r} has an invalid config: {_one_line(error)}") from None


def _write_start(directory, info, prices):
    _atomic.write_json(directory / "run.json", info)
    _atomic.write_text(directory / "prices.csv", prices.to_csv(date_format="%Y-%m-%d"))


def _remove_new_run(output_dir, created):
    """Removes what a new run wrote (it never holds anything else: its directory was new or empty)."""
    for name in _entries(output_dir):
        if _is_run_output(name):
            target = output_dir / name
            shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
    (output_dir / _atomic.LOCK_NAME).unlink(missing_ok=True)
    if created:
        try:
            output_dir.rmdir()
        except OSError:
            pass  # something else appeared in it: leave it


def _check_losses(history):
    """Raises FloatingPointError if a loss in the history is NaN or inf (a model that stopped by itself)."""
    if history.empty or "phase" not in history.columns:
        return
    # A loss a phase does not use is NaN in all of its rows; any other NaN or inf is a divergence.
    for phase, rows in history.groupby("phase", sort=False):
        values = rows.drop(columns=["phase", "step"], errors="ignore").dropna(axis=1, how="all").to_numpy("float64")
        if not np.isfinite(values).all():
            raise FloatingPointError(f"Non-finite loss in the {phase} phase")


def _check_generated(synthetic, feature_names):
    finite = np.isfinite(synthetic).all(axis=(0, 1))
    if not finite.all():
        names = [" ".join(map(str, feature_names[i])) for i in np.flatnonzero(~finite)]
        raise ValueError(
            f"The trained model generated non-finite values (NaN or inf) for {names}: its weights or its "
            "scaler hold non-finite numbers. Nothing was written after training; the checkpoint is kept"
        )


def _write_synthetic_csv(path, synthetic, feature_names):
    with _atomic.atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        for start in range(0, len(synthetic), SYNTHETIC_CSV_CHUNK):
            frame = windows_to_frame(synthetic[start : start + SYNTHETIC_CSV_CHUNK], feature_names)
            frame["sample"] += start
            frame.to_csv(handle, index=False, header=start == 0, float_format="%.6g")


def _read_synthetic(path, feature_names):
    try:
        synthetic, _ = frame_to_windows(pd.read_csv(path), feature_names)
    except (ValueError, KeyError, TypeError, pd.errors.ParserError) as error:
        raise ValueError(f"Synthetic file {str(path)!r} is unreadable: {_one_line(error)}") from None
    if not np.isfinite(synthetic).all():
        raise ValueError(f"Synthetic file {str(path)!r} holds NaN or inf values")
    return synthetic


def _entries(directory):
    """Names in `directory`, without the lock and the temporaries of this package."""
    names = []
    for child in Path(directory).iterdir():
        name = child.name
        if name == _atomic.LOCK_NAME or (name.startswith(".") and name.endswith((".tmp", ".previous"))):
            continue
        names.append(name + ("/" if child.is_dir() else ""))
    return sorted(names)


def _is_run_output(name):
    """`name` as listed by `_entries` (folders end in "/")."""
    if name.endswith("/"):
        return name[:-1] in _RUN_DIRS
    return name in _RUN_FILES or name.endswith(_RUN_PICTURE_SUFFIX)


def _check_writable(path, what):
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"Expected the {what} to be a directory. Received: {str(path)!r}, which is a file")
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        raise NotADirectoryError(f"Cannot create the {what} {str(path)!r}: {str(ancestor)!r} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise PermissionError(f"Cannot write the {what} {str(path)!r}: {str(ancestor)!r} is not writable")


def _existing_ancestor(path):
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _valid_steps(steps):
    """An integer >= 0, or three of them (NumPy integers too)."""

    def count(value):
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0

    return count(steps) or (isinstance(steps, (list, tuple)) and len(steps) == 3 and all(map(count, steps)))


def _list(names, limit=5):
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _one_line(error):
    return " ".join(str(error).split()) or type(error).__name__


def _save_and_close(figure, path):
    try:
        _atomic.save_figure(figure, path, dpi=110)
    finally:
        plt.close(figure)


def _safe(name):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name))
