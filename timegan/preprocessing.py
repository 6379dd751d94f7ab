"""From aligned prices to model input: alignment, cleaning, MinMax scaling, windows, tf.data."""

import logging

import numpy as np
import pandas as pd

from timegan._validation import Integer, Real, check_dict_keys, check_number_list, validate

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
        TypeError: if `seq_len` is not an integer.
        ValueError: if `values` is not 2-D, has no feature, contains NaN/inf, or has fewer than
            `seq_len` rows, or if `seq_len` < 2.
    """
    values = np.asarray(values, dtype="float64")
    if values.ndim != 2 or values.shape[1] < 1:
        raise ValueError(
            f"Expected a 2-D array (n_rows, n_features) with at least one feature. Received: shape={values.shape}"
        )
    seq_len = validate(seq_len, "seq_len", Integer(2))
    if len(values) < seq_len:
        raise ValueError(f"Expected at least seq_len={seq_len} rows to make a window. Received: {len(values)} rows")
    if not np.isfinite(values).all():
        raise ValueError("Expected finite values only; the series contains NaN or inf.")
    windows = np.lib.stride_tricks.sliding_window_view(values, seq_len, axis=0)
    return np.ascontiguousarray(windows.transpose(0, 2, 1))


def check_window_count(n_rows, seq_len, batch_size, returns=False):
    """Checks that `n_rows` consecutive rows give at least two windows and one full batch.

    A window is `seq_len` rows, or `seq_len + 1` prices for a model of log returns (`returns`).

    Raises:
        ValueError: if there are fewer than two windows or fewer windows than `batch_size`.
    """
    window = seq_len + bool(returns)
    if n_rows < window + 1:
        needed = (
            f"seq_len + 2 = {window + 1} rows of data (a returns window is seq_len + 1 prices)"
            if returns
            else (f"seq_len + 1 = {window + 1} rows of data")
        )
        raise ValueError(
            f"Expected at least {needed}. Received: {n_rows} rows; widen the date range or lower --seq-len"
        )
    n_windows = n_rows - window + 1
    if n_windows < batch_size:
        shape = f"seq_len + 1 = {window} prices (seq_len={seq_len} returns)" if returns else f"seq_len={seq_len}"
        raise ValueError(
            f"Expected batch_size <= the number of windows ({n_windows} windows of {shape} "
            f"from {n_rows} rows). Received: batch_size={batch_size}"
        )


def holdout_split(data, fraction, gap, min_rows=1):
    """Splits a series in time: the rows to train on, then `gap` rows left out, then the held-out rows.

    The held-out part is the last `max(ceil(n_rows * fraction), min_rows)` rows; the training part ends `gap`
    rows before it, so with `gap >= seq_len` no held-out window shares a day with a training
    window (and none starts within `seq_len` days of one).

    Args:
        data: a DataFrame (rows = days) or an array whose first axis is time.
        fraction: share of the rows held out, in (0, 1).
        gap: rows left out between the two parts (>= 0), `seq_len` for windows.
        min_rows: the fewest rows to hold out (>= 1). Default 1.

    Returns:
        `(train, held_out)`, slices of `data` of the same type.

    Raises:
        ValueError: if `fraction` is not in (0, 1), `gap` is not an integer >= 0, or either part
            would be empty.
    """
    fraction = validate(fraction, "fraction", Real(0, 1, closed="neither"))
    gap = validate(gap, "gap", Integer(0))
    min_rows = validate(min_rows, "min_rows", Integer(1))
    n_rows = len(data)
    n_held = max(int(np.ceil(n_rows * fraction)), min_rows)
    n_train = n_rows - n_held - gap
    if n_train < 1:
        raise ValueError(
            f"Expected more than {n_held + gap} rows to hold out the last {n_held} (fraction={fraction}, min_rows={min_rows}) "
            f"after a gap of {gap} rows. Received: {n_rows} rows"
        )
    rows = data.iloc if isinstance(data, pd.DataFrame) else data
    return rows[:n_train], rows[n_rows - n_held :]


# Largest magnitude `FeatureScaler` accepts: with |values| <= MAX_ABS_VALUE the range (max - min)
# and the inverse map of any scaled value in [-3, 4] stay below float64's largest number (1.8e308),
# so nothing overflows to inf silently.
MAX_ABS_VALUE = float(np.finfo(np.float64).max / 16)


def _feature_label(names, index):
    return f"Feature {index}" if names is None else f"Feature {index} ({names[index]!r})"


def check_feature_array(data, name="data", max_abs=None):
    """Returns `data` as a float64 array of shape (..., n_features) with finite values, or raises.

    Args:
        data: array-like of at least 2 dimensions, features in the last axis.
        name: the argument's name in messages.
        max_abs: if given, the largest accepted magnitude.

    Raises:
        TypeError: if `data` is not numeric.
        ValueError: if it has fewer than 2 dimensions, no feature or no value, NaN or inf, or a
            value beyond `max_abs` (the first such value is named by its index).
    """
    try:
        array = np.asarray(data, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(
            f"Expected `{name}` to be a numeric array of shape (..., n_features). Received: {type(data).__name__}"
        ) from None
    if array.ndim < 2 or array.shape[-1] < 1 or array.size == 0:
        raise ValueError(
            f"Expected `{name}` to be an array of shape (..., n_features) with at least one value and one "
            f"feature. Received: {name}.shape={array.shape}"
        )
    bad = ~np.isfinite(array)
    if max_abs is not None:
        bad |= np.abs(np.where(bad, 0.0, array)) > max_abs
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        limit = "finite values" if max_abs is None else f"finite values of magnitude <= {max_abs:.4g}"
        raise ValueError(
            f"Expected `{name}` to hold only {limit}. Received: {name}[{', '.join(map(str, index))}]="
            f"{float(array[index])!r} ({int(bad.sum())} such values)"
        )
    return array


class FeatureScaler:
    """Per-feature MinMax scaling to [0, 1] of arrays shaped (..., n_features): the "levels" representation.

    `transform(x) = (x - data_min) / (data_max - data_min)` per feature; `inverse_transform` is
    its inverse. A feature that is constant in the fitted data (zero range) is transformed to
    `x - data_min` (0 for the fitted data, as scikit-learn's `MinMaxScaler` does, so deviations
    stay visible to metrics) and every scaled value maps back to the constant itself, exactly;
    `fit` logs a warning naming such a feature.

    Values are limited to magnitudes <= `MAX_ABS_VALUE` (about 1.1e307) so that no arithmetic
    overflows float64; outputs are checked finite.

    JSON state (`to_dict`): `{"kind": "levels", "data_min": [...], "data_max": [...]}` plus
    `"feature_names"` when given to `fit`. Files without `kind` (written by earlier versions)
    load the same way.

    Attributes:
        data_min: float64 array (n_features,) of per-feature minima, None before `fit`.
        data_max: float64 array (n_features,) of per-feature maxima, None before `fit`.
        feature_names: list of names given to `fit`, or None.
    """

    kind = "levels"

    def __init__(self):
        self.data_min = None
        self.data_max = None
        self.feature_names = None

    @property
    def n_features(self):
        """Number of features, None before `fit`."""
        return None if self.data_min is None else len(self.data_min)

    def fit(self, data, feature_names=None):
        """Fits the per-feature minimum and maximum.

        Args:
            data: array-like (..., n_features) in the data's units, e.g. prices (n_rows, n_features)
                or windows (n, seq_len, n_features).
            feature_names: optional sequence of n_features names, used in messages and saved.

        Returns:
            self.

        Raises:
            TypeError: if `data` is not numeric.
            ValueError: on a shape without values, NaN/inf, magnitudes above `MAX_ABS_VALUE`, or
                `feature_names` of the wrong length.
        """
        array = check_feature_array(data, "data", MAX_ABS_VALUE)
        flat = array.reshape(-1, array.shape[-1])
        self._set(flat.min(axis=0), flat.max(axis=0), _check_names(feature_names, flat.shape[1]))
        for index in np.flatnonzero(self.data_min == self.data_max):
            logger.warning(
                "%s is constant (%r) in the fitted data: every generated value of it is that constant.",
                _feature_label(self.feature_names, index),
                float(self.data_min[index]),
            )
        return self

    def transform(self, data):
        """Maps `data` (..., n_features) in original units to the [0, 1] scale of the fitted data.

        Raises:
            ValueError: if the scaler is not fitted, the features do not match, a value is not
                finite or beyond `MAX_ABS_VALUE`, or a result overflows.
        """
        array = self._check(data)
        span = self.data_max - self.data_min
        constant = span == 0
        with np.errstate(over="ignore"):  # overflow is reported by _check_output
            scaled = (array - self.data_min) / np.where(constant, 1.0, span)
        return self._check_output(scaled, "transform")

    def inverse_transform(self, data, start_prices=None):
        """Maps scaled `data` (..., n_features) back to original units.

        Args:
            data: scaled values (..., n_features), e.g. model outputs in [0, 1].
            start_prices: not used by levels (the windows are prices already); must be None. It
                is part of the signature shared with `ReturnsRepresentation`.

        Returns:
            float64 array of the same shape; a constant feature is its constant, exactly.

        Raises:
            ValueError: if `start_prices` is given, the scaler is not fitted, the features do not
                match, a value is not finite, or a result overflows float64.
        """
        if start_prices is not None:
            raise ValueError(
                "Expected `start_prices` to be None for the levels representation (its windows are prices "
                f"already). Received: start_prices of type {type(start_prices).__name__}"
            )
        array = self._check(data)
        # A zero span makes the product 0 whatever the model output: constants come back exactly.
        with np.errstate(over="ignore"):  # overflow is reported by _check_output
            restored = array * (self.data_max - self.data_min) + self.data_min
        return self._check_output(restored, "inverse_transform")

    def to_dict(self):
        """Returns the fitted state as a JSON-serialisable dict (see the class docstring)."""
        self._check_fitted()
        values = {"kind": self.kind, "data_min": self.data_min.tolist(), "data_max": self.data_max.tolist()}
        if self.feature_names is not None:
            values["feature_names"] = list(self.feature_names)
        return values

    @classmethod
    def from_dict(cls, values):
        """Restores a scaler from `to_dict` output (or a `scaler.json` of an earlier version).

        Raises:
            TypeError: if `values` is not a dict, or a bound is not a list of numbers (the first
                bad entry is named).
            ValueError: on unknown or missing keys, bounds that are empty, NaN/inf, above
                `MAX_ABS_VALUE` or of unequal lengths, or `data_min > data_max`.
        """
        check_dict_keys(values, cls.__name__, required=("data_min", "data_max"), optional=("kind", "feature_names"))
        if values.get("kind", cls.kind) != cls.kind:
            raise ValueError(f"Expected `kind` to be {cls.kind!r}. Received: kind={values['kind']!r}")
        data_min = check_number_list(values["data_min"], "data_min", MAX_ABS_VALUE)
        data_max = check_number_list(values["data_max"], "data_max", MAX_ABS_VALUE)
        if len(data_min) != len(data_max):
            raise ValueError(
                f"Expected `data_min` and `data_max` of equal length. Received: {len(data_min)} and {len(data_max)} values"
            )
        above = np.flatnonzero(data_min > data_max)
        if above.size:
            i = int(above[0])
            raise ValueError(
                f"Expected `data_min` <= `data_max` for every feature. Received: data_min[{i}]={float(data_min[i])!r} > "
                f"data_max[{i}]={float(data_max[i])!r}"
            )
        scaler = cls()
        scaler._set(data_min, data_max, _check_names(values.get("feature_names"), len(data_min)))
        return scaler

    def _set(self, data_min, data_max, feature_names):
        self.data_min, self.data_max, self.feature_names = data_min, data_max, feature_names

    def _check_fitted(self):
        if self.data_min is None:
            raise ValueError("The scaler is not fitted; call `fit` first.")

    def _check(self, data):
        self._check_fitted()
        array = check_feature_array(data, "data", MAX_ABS_VALUE)
        if array.shape[-1] != self.n_features:
            raise ValueError(f"Expected {self.n_features} features in the last axis. Received: shape={array.shape}")
        return array

    @staticmethod
    def _check_output(array, step):
        if not np.isfinite(array).all():
            raise ValueError(
                f"The {step} result overflows float64 (inf). Expected values whose scaled range stays within "
                f"+-{np.finfo(np.float64).max:.4g}; the data's range is too large or too small for this input."
            )
        return array


def _check_names(names, n_features):
    if names is None:
        return None
    if isinstance(names, str) or len(names) != n_features or not all(isinstance(n, str) for n in names):
        raise ValueError(f"Expected `feature_names` to be {n_features} strings. Received: feature_names={names!r}")
    return [str(n) for n in names]


def window_dataset(windows, batch_size, seed, skip_batches=0):
    """Builds the training pipeline once: shuffled, repeated batches of windows.

    The shuffle order is a function of `seed` and of TensorFlow's global seed, which tf.data
    combines with it (`tf.random.set_seed`, also set by `keras.utils.set_random_seed`; the
    commands never set it): a run resumed after `skip_batches` batches in a process with the
    same global seed, or none, sees the same batches as an uninterrupted one.

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
