"""Reading real or synthetic windows from files: `.npy` arrays or CSV tables."""

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import datasets
from timegan.model import frame_to_windows
from timegan.preprocessing import make_windows

logger = logging.getLogger(__name__)

TIDY_COLUMNS = ("sample", "step", "ticker", "field", "value")


def read_windows(path, seq_len=None):
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

    Returns:
        Tuple (windows, feature_names): float64 ndarray (n, seq_len, n_features) and a list of
        (name, field) tuples, one per feature.

    Raises:
        OSError: if the file cannot be read.
        ValueError: on an unknown suffix, a wrong shape, or a series without `seq_len`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except ValueError as error:
            raise ValueError(f"Could not read {str(path)!r} as a .npy array: {error}") from None
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
    header = pd.read_csv(path, nrows=0).columns
    if set(TIDY_COLUMNS) <= set(header):
        try:
            windows, names = frame_to_windows(pd.read_csv(path))
        except (ValueError, TypeError) as error:
            raise ValueError(f"Could not read {str(path)!r} as tidy windows: {error}") from None
        logger.info("Read %d windows x %d steps x %d features from %s", *windows.shape, path)
        return windows, names
    series = datasets.read_series_csv(path)
    windows = _windows_of(series.to_numpy(dtype=np.float64), seq_len, path)
    return windows, [(str(column), "value") for column in series.columns]


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
