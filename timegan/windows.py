"""Windows <-> tidy frames, and price data -> training windows; NumPy and pandas only (no TensorFlow).

A window is `(seq_len, n_features)` consecutive rows of a multivariate series; a batch of them is
`(n, seq_len, n_features)`. Feature names are `(ticker, field)` pairs. The tidy frame has one row
per value: columns sample, step, ticker, field, value.
"""

import numpy as np
import pandas as pd

from timegan.preprocessing import check_window_count, make_windows


def prepare_windows(data, seq_len, feature_names=None):
    """Turns training data into windows, their feature names and a description of the data.

    Args:
        data: a DataFrame of prices (rows = days, columns = features; MultiIndex columns
            `(ticker, field)` as from `load_prices`), a 2-D array (rows, features), or a 3-D
            array of windows (n, seq_len, features), all in original units.
        seq_len: steps per window.
        feature_names: names of the features when `data` is an array; default
            `("x0", "value"), ("x1", "value"), ...`.

    Returns:
        `(windows, names, info)`: float64 windows (n, seq_len, n_features), a list of
        `(ticker, field)` tuples, and a dict describing a DataFrame (tickers, fields, rows,
        start, end; empty for arrays).

    Raises:
        ValueError: on non-numeric or non-finite values, windows of another `seq_len`, data that
            is not 2-D or 3-D, fewer than `seq_len + 1` rows, or a wrong number of names.
    """
    info = {}
    if isinstance(data, pd.DataFrame):
        if isinstance(data.columns, pd.MultiIndex):
            names = [tuple(str(part) for part in column[:2]) for column in data.columns]
        else:
            names = [(str(column), "value") for column in data.columns]
        try:
            values = data.to_numpy(dtype="float64")
        except (ValueError, TypeError):
            raise ValueError("Expected numeric price columns; the DataFrame has non-numeric values.") from None
        check_window_count(len(values), seq_len, 1)
        windows = make_windows(values, seq_len)
        info = describe_frame(data, names)
    else:
        array = np.asarray(data, dtype="float64")
        if array.ndim == 2:
            check_window_count(len(array), seq_len, 1)
            windows = make_windows(array, seq_len)
        elif array.ndim == 3:
            if array.shape[1] != seq_len:
                raise ValueError(f"Expected windows of seq_len={seq_len} steps. Received: shape={array.shape}")
            if not np.isfinite(array).all():
                raise ValueError("Expected finite values only; the windows contain NaN or inf.")
            windows = array
        else:
            raise ValueError(
                f"Expected a DataFrame, (rows, features) or (n, seq_len, features) data. Received: shape={array.shape}"
            )
        names = feature_names or [(f"x{i}", "value") for i in range(windows.shape[-1])]
    if len(names) != windows.shape[-1]:
        raise ValueError(f"Expected {windows.shape[-1]} feature names. Received: {len(names)}")
    return windows, [tuple(name) for name in names], info


def describe_frame(frame, names):
    """Tickers, fields, rows, first and last date (and the loader's notes) of a price frame."""
    info = {
        "tickers": list(dict.fromkeys(n[0] for n in names)),
        "fields": list(dict.fromkeys(n[1] for n in names)),
        "rows": len(frame),
    }
    if isinstance(frame.index, pd.DatetimeIndex) and len(frame):
        info.update(start=str(frame.index[0].date()), end=str(frame.index[-1].date()))
    for key in ("rows_dropped", "sources"):
        if key in frame.attrs:
            info[key] = frame.attrs[key]
    return info


def windows_to_frame(windows, feature_names):
    """Turns windows (n, seq_len, n_features) into a tidy DataFrame.

    Returns:
        DataFrame with columns sample, step, ticker, field, value; one row per value, ordered by
        sample, step, then feature.

    Raises:
        ValueError: if the number of names is not `n_features`.
    """
    windows = np.asarray(windows)
    n, seq_len, n_features = windows.shape
    if len(feature_names) != n_features:
        raise ValueError(f"Expected {n_features} feature names. Received: {len(feature_names)}")
    tickers = np.array([name[0] for name in feature_names], dtype=object)
    fields = np.array([name[1] for name in feature_names], dtype=object)
    return pd.DataFrame(
        {
            "sample": np.repeat(np.arange(n), seq_len * n_features),
            "step": np.tile(np.repeat(np.arange(seq_len), n_features), n),
            "ticker": np.tile(tickers, n * seq_len),
            "field": np.tile(fields, n * seq_len),
            "value": windows.reshape(-1),
        }
    )


def frame_to_windows(frame, feature_names=None):
    """Inverse of `windows_to_frame`: tidy DataFrame -> (windows, feature_names).

    Raises:
        ValueError: if columns are missing, a value is not a finite number (the first is named by
            sample, step and feature), or the samples do not all have the same steps.
    """
    needed = ["sample", "step", "ticker", "field", "value"]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise ValueError(f"Expected tidy columns {needed}. Missing: {absent}")
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype="float64")
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        row = frame.iloc[int(bad[0])]
        raise ValueError(
            f"Expected a finite number in every cell of column 'value'. Received: {row['value']} for sample "
            f"{row['sample']}, step {row['step']}, {row['ticker']} {row['field']} ({bad.size} such cells)"
        )
    wide = frame.pivot_table(
        index=["sample", "step"], columns=["ticker", "field"], values="value", aggfunc="first", sort=False
    )
    if feature_names is not None:
        wide = wide[[tuple(n) for n in feature_names]]
    if wide.isna().any().any():
        raise ValueError("The tidy frame is incomplete: some (sample, step, feature) values are missing.")
    wide = wide.sort_index()
    n_samples = wide.index.get_level_values("sample").nunique()
    if len(wide) % n_samples:
        raise ValueError("Expected every sample to have the same number of steps.")
    values = wide.to_numpy(dtype="float64").reshape(n_samples, -1, wide.shape[1])
    return values, [tuple(c) for c in wide.columns]
