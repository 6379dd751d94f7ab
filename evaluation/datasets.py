"""The TimeGAN paper's benchmark data: the GOOG "Stocks" set and the "Sines" set.

Both follow the reference implementation (jsyoon0823/TimeGAN, `data_loading.py`): stock prices
are put in time order (the file is most recent first), MinMax-normalised per feature over the
whole series, and cut into overlapping windows of `seq_len` steps (shuffled if asked); each sine window has, per
feature, sin(freq * t + phase) with freq and phase drawn from U(0, 0.1), mapped to [0, 1].
"""

import importlib.resources
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import _checks
from timegan.preprocessing import FeatureScaler, make_windows

logger = logging.getLogger(__name__)

STOCKS_FILE = "timegan_stocks_goog.csv"


def load_stocks_prices():
    """Reads the bundled GOOG daily prices in time order (oldest first).

    Returns:
        pandas DataFrame with 3685 rows and columns Open, High, Low, Close, Adj_Close, Volume
        in original units, indexed 0..3684 from the oldest day.
    """
    with importlib.resources.files("timegan.datasets").joinpath(STOCKS_FILE).open("r") as f:
        frame = pd.read_csv(f)
    # The file is most recent first, as in the reference, which reverses it.
    return frame.iloc[::-1].reset_index(drop=True)


def read_series_csv(path):
    """Reads a multivariate series from a CSV file: one row per time step.

    Numeric columns are the features. A column named like a date ("date", "Date",
    "datetime", "timestamp") orders the rows; otherwise the file order is kept. Rows with
    missing values are dropped.

    Args:
        path: path of the CSV file.

    Returns:
        pandas DataFrame of the numeric columns in time order.

    Raises:
        OSError: if the file cannot be read.
        ValueError: if it has no numeric column or fewer than 2 complete rows.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"Could not read {str(path)!r} as CSV: {error}") from None
    dates = [c for c in frame.columns if str(c).lower() in ("date", "datetime", "timestamp")]
    if dates:
        frame = frame.assign(**{dates[0]: pd.to_datetime(frame[dates[0]], errors="coerce")})
        frame = frame.sort_values(dates[0], kind="stable")
    numeric = frame.select_dtypes(include="number").dropna()
    if numeric.shape[1] < 1 or len(numeric) < 2:
        raise ValueError(
            "Expected a CSV with at least one numeric column and 2 complete rows. "
            f"Received: {str(path)!r} with columns {list(frame.columns)} and "
            f"{len(numeric)} complete rows"
        )
    logger.info("Read %d rows x %d features from %s", len(numeric), numeric.shape[1], path)
    return numeric.reset_index(drop=True)


def normalized_windows(series, seq_len=24, shuffle_seed=None):
    """MinMax-normalises a series per feature over all its rows, then cuts it into windows.

    Args:
        series: array-like (length, n_features), in time order.
        seq_len: steps per window. Defaults to 24.
        shuffle_seed: shuffle the windows with this seed; time order if None (the default).

    Returns:
        ndarray (length - seq_len + 1, seq_len, n_features) in [0, 1]. (The reference code
        stops one window earlier; the difference is immaterial.)

    Raises:
        ValueError: if the series is too short for one window, or not finite.
    """
    series = np.asarray(series, dtype=np.float64)
    if series.ndim != 2:
        raise ValueError(f"Expected a series of shape (length, n_features). Received: shape={series.shape}")
    windows = make_windows(FeatureScaler().fit(series).transform(series), seq_len)
    if shuffle_seed is not None:
        windows = windows[np.random.default_rng(shuffle_seed).permutation(len(windows))]
    return windows


def stocks_windows(seq_len=24, shuffle_seed=None):
    """The paper's Stocks benchmark: normalised GOOG windows.

    Args:
        seq_len: steps per window. Defaults to 24.
        shuffle_seed: shuffle the windows with this seed; time order if None (the default).

    Returns:
        ndarray (3686 - seq_len, seq_len, 6) in [0, 1].
    """
    return normalized_windows(load_stocks_prices(), seq_len, shuffle_seed)


def sine_windows(n=10000, seq_len=24, n_features=5, seed=0):
    """The paper's Sines benchmark: independent multivariate sine windows in [0, 1].

    Each feature of each window is (sin(freq * t + phase) + 1) / 2 for t = 0 .. seq_len - 1,
    with freq and phase drawn independently from U(0, 0.1).

    Args:
        n: number of windows. Defaults to 10000.
        seq_len: steps per window. Defaults to 24.
        n_features: features per step. Defaults to 5.
        seed: seed of the frequencies and phases. Defaults to 0.

    Returns:
        ndarray (n, seq_len, n_features).
    """
    _checks.check_int(n, "n")
    _checks.check_int(seq_len, "seq_len", minimum=2)
    _checks.check_int(n_features, "n_features")
    _checks.check_seed(seed)
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0, 0.1, size=(n, 1, n_features))
    phase = rng.uniform(0, 0.1, size=(n, 1, n_features))
    t = np.arange(seq_len)[None, :, None]
    return (np.sin(freq * t + phase) + 1.0) / 2.0
