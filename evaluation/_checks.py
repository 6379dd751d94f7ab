"""Validation of the arrays and parameters every metric receives.

Scalar parameters go through the package's one mechanism, `timegan._validation` (NumPy scalars
accepted and returned as Python numbers; `TypeError` for a wrong kind, `ValueError` for a wrong
value); this module adds the checks of window arrays. Errors follow the Keras style: what was
expected, then the received value.
"""

import numpy as np

from timegan._validation import SEED, Integer, Options, Real, Sequence, validate


def check_windows(array, name, min_seq_len=2):
    """Returns `array` as a float64 ndarray of shape (n, seq_len, n_features), or raises.

    Args:
        array: array-like of windows.
        name: argument name used in the error messages.
        min_seq_len: smallest accepted `seq_len`. Defaults to 2.

    Returns:
        `np.ndarray` of dtype float64 and shape (n, seq_len, n_features).

    Raises:
        TypeError: if `array` is not numeric.
        ValueError: if the shape is wrong, a dimension is too small or a value is not finite.
    """
    try:
        values = np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"Expected `{name}` to be a numeric array of shape (n, seq_len, n_features). "
            f"Received: {name} of type {type(array).__name__}"
        ) from None
    if values.ndim != 3:
        raise ValueError(
            f"Expected `{name}` to be an array of shape (n, seq_len, n_features). Received: {name}.shape={values.shape}"
        )
    n, seq_len, n_features = values.shape
    if n < 1 or n_features < 1 or seq_len < min_seq_len:
        raise ValueError(
            f"Expected `{name}` to hold at least one window of at least {min_seq_len} steps and "
            f"one feature. Received: {name}.shape={values.shape}"
        )
    if not np.all(np.isfinite(values)):
        bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
        raise ValueError(
            f"Expected `{name}` to contain only finite values. Received: {name} with {bad} NaN or infinite values"
        )
    return values


def check_pair(real, synthetic, min_seq_len=2, real_name="real", synthetic_name="synthetic"):
    """Checks two window arrays and that they agree on `seq_len` and `n_features`.

    Args:
        real: array-like (n_real, seq_len, n_features).
        synthetic: array-like (n_synthetic, seq_len, n_features).
        min_seq_len: smallest accepted `seq_len`. Defaults to 2.
        real_name: name of the first argument in error messages.
        synthetic_name: name of the second argument in error messages.

    Returns:
        The pair as float64 ndarrays.

    Raises:
        ValueError: if either array is invalid or their trailing dimensions differ.
    """
    real = check_windows(real, real_name, min_seq_len)
    synthetic = check_windows(synthetic, synthetic_name, min_seq_len)
    if real.shape[1:] != synthetic.shape[1:]:
        raise ValueError(
            f"Expected `{synthetic_name}` to have the same (seq_len, n_features) as "
            f"`{real_name}`, {real.shape[1:]}. Received: {synthetic_name}.shape={synthetic.shape}"
        )
    return real, synthetic


def check_int(value, name, minimum=1):
    """Returns `value` as an int if it is an integer >= `minimum` (NumPy integers included).

    Raises:
        TypeError: if `value` is not an integer (floats and bools are refused).
        ValueError: if it is below `minimum`.
    """
    return validate(value, name, Integer(minimum))


def check_seed(value, name="seed"):
    """Returns `value` as an int if it is a seed Keras and NumPy accept: an integer in [0, 2**32 - 1].

    Raises:
        TypeError: if `value` is not an integer.
        ValueError: if it is out of range.
    """
    return validate(value, name, SEED)


def check_fraction(value, name, low=0.0, high=1.0, include_low=False):
    """Returns `value` as a float in (low, high) (or [low, high) with `include_low`).

    Raises:
        TypeError: if `value` is not a real number.
        ValueError: if it is outside the interval or not finite.
    """
    return validate(value, name, Real(low, high, closed="left" if include_low else "neither"))


def check_positive_float(value, name):
    """Returns `value` as a float if it is a finite number > 0.

    Raises:
        TypeError: if `value` is not a real number.
        ValueError: if it is not finite or not positive.
    """
    return validate(value, name, Real(0, None, closed="neither"))


def check_choice(value, name, choices):
    """Returns `value` if it is one of `choices`, else raises ValueError."""
    return validate(value, name, Options(*choices))


def check_features(features, n_features, name="features"):
    """Returns a list of feature indices, all of them if `features` is None.

    Raises:
        TypeError: if `features` is not a list or tuple of integers.
        ValueError: if `features` is empty, repeats an index or holds an index out of range.
    """
    if features is None:
        return list(range(n_features))
    indices = list(validate(features, name, Sequence(Integer(0))))
    if len(set(indices)) != len(indices) or any(i >= n_features for i in indices):
        raise ValueError(
            f"Expected `{name}` to be distinct feature indices in [0, {n_features}). Received: {name}={features!r}"
        )
    return indices
