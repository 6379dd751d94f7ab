"""Reading real or synthetic windows from files: `.npy` arrays or CSV tables.

Files are read as they are or refused: a cell that is not a finite number, an empty, binary or
header-only file, a window with a step missing, is a `ValueError` naming the file and, for a
cell, its column, line and value. Nothing is dropped silently.
"""

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from timegan.preprocessing import make_windows
from timegan.windows import frame_to_windows

logger = logging.getLogger(__name__)

TIDY_COLUMNS = ("sample", "step", "ticker", "field", "value")
DATE_COLUMNS = ("date", "datetime", "timestamp")


def read_windows(path, seq_len=None, feature_names=None):
    """Reads windows (n, seq_len, n_features) and feature names from a file.

    Accepted formats:

    - `.npy`: a 3-D array of windows, or a 2-D series (length, n_features) cut into
      overlapping windows of `seq_len` steps;
    - `.csv` in the tidy layout of a run's `synthetic.csv` (columns sample, step, ticker,
      field, value);
    - any other `.csv`: a series, one row per step, numeric columns as features (a Date
      column orders the rows), cut into overlapping windows of `seq_len` steps.

    Args:
        path: file path.
        seq_len: window length for series; required for them, ignored for windows.
        feature_names: for a tidy CSV, the (ticker, field) features to read, in this order
            (a run's `model.feature_names`); default: every feature of the file.

    Returns:
        Tuple (windows, feature_names): float64 ndarray (n, seq_len, n_features) and a list of
        (name, field) tuples, one per feature.

    Raises:
        OSError: if the file cannot be read.
        ValueError: on an unknown suffix, a wrong shape, a series without `seq_len`, an empty,
            binary or header-only CSV, or a value that is not a finite number (named by column,
            line and value for CSV files).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, EOFError, OSError) as error:
            raise ValueError(f"Could not read {str(path)!r} as a .npy array: {error}") from None
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
            raise ValueError(f"Expected {str(path)!r} to hold real numbers. Received: dtype={array.dtype}")
        if not np.all(np.isfinite(array)):
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise ValueError(
                f"Expected finite numbers in {str(path)!r}. Received: {array[where].item()!r} at index {where}"
            )
        if array.ndim == 2:
            array = _windows_of(array, seq_len, path)
        elif array.ndim != 3:
            raise ValueError(
                f"Expected {str(path)!r} to hold an array (n, seq_len, n_features) or a series "
                f"(length, n_features). Received: shape={array.shape}"
            )
        names = [(f"x{i}", "value") for i in range(array.shape[2])]
        return np.asarray(array, dtype=np.float64), names
    if suffix != ".csv":
        raise ValueError(f"Expected a .npy or .csv file. Received: {str(path)!r}")
    table = read_csv_table(path)
    if set(TIDY_COLUMNS) <= set(table.columns):
        windows, names = _tidy_windows(table, path, feature_names)
        logger.info("Read %d windows x %d steps x %d features from %s", *windows.shape, path)
        return windows, names
    series = read_series(table, path)
    windows = _windows_of(series.to_numpy(dtype=np.float64), seq_len, path)
    return windows, [(str(column), "value") for column in series.columns]


def read_csv_table(path, **options):
    """Reads a CSV file as text cells, refusing files that are not a table with data.

    Args:
        path: file path.
        **options: extra keyword arguments of `pandas.read_csv` (for example `header=[0, 1]`).

    Returns:
        DataFrame of str cells (nothing converted, nothing dropped).

    Raises:
        OSError: if the file cannot be opened.
        ValueError: if the file is empty, binary, not parseable as CSV or has a header only.
    """
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise ValueError(
            f"Expected {str(path)!r} to be a CSV table with a header and data rows. Received: an empty file"
        )
    try:
        head.decode("utf-8")
        text = b"\x00" not in head
    except UnicodeDecodeError as error:
        # A character cut by the end of the 64 KiB read is no sign of binary data.
        text = len(head) == 65536 and error.start >= len(head) - 3
    if not text:
        raise ValueError(f"Expected {str(path)!r} to be a CSV table (UTF-8 text). Received: binary data")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"Could not read {str(path)!r} as a CSV table: {first}") from None
    if len(table) == 0:
        columns = [" ".join(c) if isinstance(c, tuple) else str(c) for c in table.columns]
        raise ValueError(
            f"Expected {str(path)!r} to have data rows below its header. Received: the header {columns} only"
        )
    return table


def numeric_column(table, column, path, header_lines=1, index=None):
    """Converts one column of text cells to finite floats, or names the first bad cell.

    Args:
        table: DataFrame of str cells from `read_csv_table`.
        column: column label.
        path: the file, for the message.
        header_lines: lines above the first data row (for the line number in the message).
        index: optional sequence of row labels; None uses the column's own values.

    Returns:
        float64 ndarray of the column.

    Raises:
        ValueError: naming file, column, line and value of the first cell that is empty, not a
            number, NaN or infinite.
    """
    cells = table[column] if index is None else index
    text = pd.Series(np.asarray(cells, dtype=object)).astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        label = " ".join(column) if isinstance(column, tuple) else str(column)
        cell = text.iloc[row]
        received = "an empty cell" if cell == "" else repr(cell)
        raise ValueError(
            f"Expected a finite number in every cell of column {label!r} of {str(path)!r}. "
            f"Received: {received} on line {row + header_lines + 1}"
        )
    return values


def read_series(table, path):
    """The numeric columns of a series table in time order (a date column, if any, orders the rows).

    Args:
        table: DataFrame of str cells from `read_csv_table`, one row per step.
        path: the file, for messages.

    Returns:
        DataFrame of float64 columns, one per feature, rows in time order.

    Raises:
        ValueError: naming the first cell that is not a date (date column) or not a finite
            number (every other column).
    """
    dates = [c for c in table.columns if str(c).strip().lower() in DATE_COLUMNS]
    features = [c for c in table.columns if c not in dates[:1]]
    if not features:
        raise ValueError(f"Expected {str(path)!r} to have a numeric column beside {dates[0]!r}. Received: none")
    series = pd.DataFrame({str(c): numeric_column(table, c, path) for c in features})
    if dates:
        parsed = pd.to_datetime(table[dates[0]].str.strip(), errors="coerce", format="mixed")
        if parsed.isna().any():
            row = int(np.argmax(parsed.isna().to_numpy()))
            raise ValueError(
                f"Expected a date in every cell of column {dates[0]!r} of {str(path)!r}. "
                f"Received: {table[dates[0]].iloc[row]!r} on line {row + 2}"
            )
        series = series.iloc[np.argsort(parsed.to_numpy(), kind="stable")].reset_index(drop=True)
    logger.info("Read %d rows x %d features from %s", len(series), series.shape[1], path)
    return series


def _tidy_windows(table, path, feature_names=None):
    """Windows of a tidy table (sample, step, ticker, field, value), every cell checked."""
    frame = table.copy()
    for column in ("sample", "step", "value"):
        frame[column] = numeric_column(table, column, path)
    for column in ("sample", "step"):
        fractional = frame[column] != np.round(frame[column])
        if fractional.any():
            row = int(np.argmax(fractional.to_numpy()))
            raise ValueError(
                f"Expected whole numbers in column {column!r} of {str(path)!r}. "
                f"Received: {table[column].iloc[row]!r} on line {row + 2}"
            )
        frame[column] = frame[column].astype(np.int64)
    keys = ["sample", "step", "ticker", "field"]
    duplicated = frame.duplicated(keys)
    if duplicated.any():
        row = int(np.argmax(duplicated.to_numpy()))
        raise ValueError(
            f"Expected one value per (sample, step, ticker, field) in {str(path)!r}. Received: a second value "
            f"for sample {frame['sample'].iloc[row]}, step {frame['step'].iloc[row]}, "
            f"{frame['ticker'].iloc[row]} {frame['field'].iloc[row]} on line {row + 2}"
        )
    counts = frame.groupby("sample").size()
    if counts.nunique() > 1:
        usual = int(counts.mode().iloc[0])
        odd = counts[counts != usual]
        raise ValueError(
            f"Expected every sample in {str(path)!r} to have the same number of (step, feature) values, {usual}. "
            f"Received: sample {odd.index[0]} with {int(odd.iloc[0])}"
        )
    if feature_names is not None:
        held = set(zip(frame["ticker"], frame["field"]))
        absent = [f"{ticker} {field}" for ticker, field in feature_names if (ticker, field) not in held]
        if absent:
            raise ValueError(f"Expected values of {absent} in {str(path)!r}. Received: none for them")
    try:
        return frame_to_windows(frame, feature_names)
    except (ValueError, TypeError) as error:
        raise ValueError(f"Could not read {str(path)!r} as tidy windows: {error}") from None


def check_run_files(run_dir, synthetic=True):
    """Checks that `run_dir` is a finished run and that its tables hold what they should.

    A run (written by `scripts/train.py`) has `run.json`, `prices.csv` and `model/`; an
    unfinished one has `run.json` but no `model/` yet.

    Args:
        run_dir: directory path.
        synthetic: also check `synthetic.csv` if there is one (default); False leaves it to the
            caller, which reads it only if it uses it.

    Raises:
        FileNotFoundError: if `run_dir` is not a directory.
        ValueError: if it is not a run, is an unfinished run (the message says how to finish
            it), or its `prices.csv` / `synthetic.csv` holds a cell that is not a finite number.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"No run directory at {str(run_dir)!r}")
    if not (run_dir / "run.json").is_file():
        raise ValueError(
            f"Expected a run directory written by scripts/train.py (run.json, prices.csv, model/). "
            f"Received: {str(run_dir)!r}, which holds no run.json"
        )
    if not (run_dir / "model").is_dir():
        raise ValueError(
            f"Run directory {str(run_dir)!r} is unfinished (no model/ yet); finish it with "
            f"`scripts/train.py --resume --output-dir {run_dir}`"
        )
    prices_path = run_dir / "prices.csv"
    if not prices_path.is_file():
        raise ValueError(f"Run directory {str(run_dir)!r} has no prices.csv (the real prices it was trained on)")
    prices = read_csv_table(prices_path, header=[0, 1], index_col=0)
    for column in prices.columns:
        numeric_column(prices, column, prices_path, header_lines=3)
    dates = pd.to_datetime(pd.Series(prices.index, dtype=str), errors="coerce", format="%Y-%m-%d")
    if dates.isna().any():
        row = int(np.argmax(dates.isna().to_numpy()))
        raise ValueError(
            f"Expected a date (YYYY-MM-DD) in every row of the first column of {str(prices_path)!r}. "
            f"Received: {prices.index[row]!r} on line {row + 4}"
        )
    if synthetic and (run_dir / "synthetic.csv").is_file():
        read_windows(run_dir / "synthetic.csv")


def _windows_of(series, seq_len, path):
    if seq_len is None:
        raise ValueError(
            f"{str(path)!r} holds a series (length, n_features): pass the window length "
            "(--seq-len) to cut it into windows"
        )
    try:
        return make_windows(series, seq_len)
    except ValueError as error:
        raise ValueError(f"Could not cut {str(path)!r} into windows: {error}") from None
