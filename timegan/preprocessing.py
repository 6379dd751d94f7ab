"""From aligned prices to model input: alignment, cleaning, MinMax scaling, windows, tf.data."""

import logging

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler

logger = logging.getLogger(__name__)


def align_prices(frames):
    """Aligns per-ticker frames on their common dates and drops incomplete rows.

    Args:
        frames: dict mapping ticker -> DataFrame indexed by date with one column per field.

    Returns:
        `(prices, rows_dropped)`: a DataFrame with a sorted DatetimeIndex named "Date" and
        MultiIndex columns `(ticker, field)`, holding only dates present in every frame and no
        NaN; and the number of rows removed because a value was missing (NaN or "null").

    Raises:
        ValueError: if `frames` is empty or no date is common to all tickers.
    """
    if not frames:
        raise ValueError("Expected at least one ticker to align. Received: no price frames")
    prices = pd.concat(frames, axis=1, join="inner", names=["ticker", "field"]).sort_index()
    prices.index.name = "Date"
    if prices.empty:
        raise ValueError(f"The tickers {list(frames)} have no trading day in common in the requested range.")
    complete = prices.notna().all(axis=1)
    rows_dropped = int((~complete).sum())
    if rows_dropped:
        logger.info("Dropped %d of %d aligned rows with missing values.", rows_dropped, len(prices))
    return prices.loc[complete].astype("float64"), rows_dropped


def make_windows(values, seq_len):
    """Cuts a multivariate series into overlapping windows, in time order.

    Args:
        values: array-like of shape (n_rows, n_features).
        seq_len: window length (>= 2).

    Returns:
        float array of shape (n_rows - seq_len + 1, seq_len, n_features); window `i` covers rows
        `i .. i + seq_len - 1`.

    Raises:
        ValueError: if `values` is not 2-D, contains NaN/inf, or has fewer than `seq_len` rows.
    """
    values = np.asarray(values, dtype="float64")
    if values.ndim != 2:
        raise ValueError(f"Expected a 2-D array (n_rows, n_features). Received: shape={values.shape}")
    if isinstance(seq_len, bool) or not isinstance(seq_len, (int, np.integer)) or seq_len < 2:
        raise ValueError(f"Expected `seq_len` to be an integer >= 2. Received: seq_len={seq_len!r}")
    if len(values) < seq_len:
        raise ValueError(f"Expected at least seq_len={seq_len} rows to make a window. Received: {len(values)} rows")
    if not np.isfinite(values).all():
        raise ValueError("Expected finite values only; the series contains NaN or inf.")
    windows = np.lib.stride_tricks.sliding_window_view(values, seq_len, axis=0)
    return np.ascontiguousarray(windows.transpose(0, 2, 1))


def check_window_count(n_rows, seq_len, batch_size):
    """Checks that `n_rows` consecutive rows give at least two windows and one full batch.

    Raises:
        ValueError: if `n_rows < seq_len + 1` or there are fewer windows than `batch_size`.
    """
    if n_rows < seq_len + 1:
        raise ValueError(
            f"Expected at least seq_len + 1 = {seq_len + 1} rows of data. Received: {n_rows} rows; "
            "widen the date range or lower --seq-len"
        )
    n_windows = n_rows - seq_len + 1
    if n_windows < batch_size:
        raise ValueError(
            f"Expected batch_size <= the number of windows ({n_windows} windows of seq_len={seq_len} "
            f"from {n_rows} rows). Received: batch_size={batch_size}"
        )


class FeatureScaler:
    """Per-feature MinMax scaling to [0, 1] of arrays shaped (..., n_features).

    A thin wrapper of scikit-learn's `MinMaxScaler` that accepts windows of any leading shape
    and saves to / loads from JSON.
    """

    def __init__(self):
        self._scaler = MinMaxScaler()
        self.n_features = None

    @property
    def data_min(self):
        return self._scaler.data_min_

    @property
    def data_max(self):
        return self._scaler.data_max_

    def fit(self, data):
        """Fits the per-feature minimum and maximum on `data` of shape (..., n_features)."""
        flat = self._flatten(data, check_features=False)
        self._scaler.fit(flat)
        self.n_features = flat.shape[1]
        return self

    def transform(self, data):
        """Maps `data` (..., n_features) to the [0, 1] scale of the fitted data."""
        return self._apply(self._scaler.transform, data)

    def inverse_transform(self, data):
        """Maps scaled `data` (..., n_features) back to original units."""
        return self._apply(self._scaler.inverse_transform, data)

    def to_dict(self):
        if self.n_features is None:
            raise ValueError("The scaler is not fitted; call `fit` first.")
        return {"data_min": self.data_min.tolist(), "data_max": self.data_max.tolist()}

    @classmethod
    def from_dict(cls, values):
        try:
            bounds = np.array([values["data_min"], values["data_max"]], dtype="float64")
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"Expected a scaler dict with numeric `data_min` and `data_max`. Received: {values!r}") from error
        if bounds.ndim != 2:
            raise ValueError(f"Expected `data_min` and `data_max` lists of equal length. Received: {values!r}")
        # Fitting on the two rows [min; max] restores exactly the fitted state.
        return cls().fit(bounds)

    def _flatten(self, data, check_features=True):
        array = np.asarray(data, dtype="float64")
        if array.ndim < 2:
            raise ValueError(f"Expected an array of shape (..., n_features). Received: shape={array.shape}")
        if check_features:
            if self.n_features is None:
                raise ValueError("The scaler is not fitted; call `fit` first.")
            if array.shape[-1] != self.n_features:
                raise ValueError(
                    f"Expected {self.n_features} features in the last axis. Received: shape={array.shape}"
                )
        return array.reshape(-1, array.shape[-1])

    def _apply(self, function, data):
        shape = np.shape(data)
        return function(self._flatten(data)).reshape(shape)


def window_dataset(windows, batch_size, seed, skip_batches=0):
    """Builds the training pipeline once: shuffled, repeated batches of windows.

    The shuffle order is a function of `seed` only, so a run resumed after `skip_batches` batches
    sees the same batches as an uninterrupted one.

    Args:
        windows: float array (n_windows, seq_len, n_features), already scaled.
        batch_size: windows per batch; every batch is full.
        seed: shuffle seed.
        skip_batches: batches already consumed by an earlier, interrupted run.

    Returns:
        An infinite `tf.data.Dataset` of float32 tensors (batch_size, seq_len, n_features).
    """
    import tensorflow as tf

    windows = np.asarray(windows, dtype="float32")
    return (
        tf.data.Dataset.from_tensor_slices(windows)
        .shuffle(len(windows), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .skip(skip_batches)
        .prefetch(2)
    )
