"""The one parameter-checking mechanism of the package: constraints per name, NumPy scalars in.

Modelled on scikit-learn's `_parameter_constraints` (`sklearn/utils/_param_validation.py`): a
config or a public function declares, per parameter, the constraints its value may satisfy, and
one call checks them all and returns the values normalised to plain Python types (a NumPy
`int64` becomes an `int`, a `float32` a `float`, a `bool_` a `bool`), so that `to_dict()` of
every config is JSON-serialisable.

    >>> CONSTRAINTS = {"seq_len": [Integer(2)], "z_dim": [Integer(1), None], "cell": [Options("gru", "lstm")]}
    >>> validate_params(CONSTRAINTS, {"seq_len": np.int64(24), "z_dim": None, "cell": "gru"})
    {'seq_len': 24, 'z_dim': None, 'cell': 'gru'}

Constraints: `Integer(low, high)`, `Real(low, high, closed)`, `Options(*values)`, `Bool()`,
`String()`, `PathLike()`, `Sequence(item, min_length)`, and None (allows None). Shared ones:
`SEED` (integers in [0, 2**32 - 1]), `LEARNING_RATE` ((0, 10]), `LOSS_WEIGHT` ([0, 1e6]).
Entry points: `validate` (one value), `validate_params` (a dict), `validate_fields` (a frozen
dataclass, in `__post_init__`), `check_keys` / `check_dict_keys` (dicts read from JSON),
`check_number_list` (stored statistics), `check_gradients` (a training step's gradients).

Errors have one format and one exception type per kind of error:

- the message is always ``Expected `name` to be <what the constraints accept>. Received:
  name=<repr of the value>`` (one line; very long values are shortened);
- `TypeError` when the value is of a kind that no constraint of the name accepts: a string where
  a number is expected, a float (even `2.0`) or a bool where an integer is, a number where a bool
  is, a stored dict that is not a dict, a stored statistic that is not a number;
- `ValueError` when the kind is accepted but the value is not: out of range, NaN or infinite, not
  one of the options, an empty path; also for dict keys that are unknown or missing
  (`check_keys`, `check_dict_keys`) and for a loss that has no gradient for some variable
  (`check_gradients`; Keras' optimizers also raise `ValueError` when no gradient is provided).

Numbers are always finite: `Real` refuses NaN and +-inf whatever its bounds.
"""

import dataclasses
import math
import numbers
import os
import pathlib

import numpy as np

# `keras.utils.set_random_seed` (through `np.random.seed`) refuses seeds above 2**32 - 1, while
# `keras.random.SeedGenerator` takes up to 2**63 - 1: a seed must work with both.
SEED_MAX = 2**32 - 1


def format_value(value, limit=80):
    """`repr(value)`, shortened to `limit` characters (a 400-digit integer stays one readable line)."""
    try:
        text = repr(value)
    except ValueError:  # an integer beyond Python's limit on digits to convert
        return f"<{type(value).__name__} too large to print>"
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text)} characters)"


def _format_number(value):
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return f"{value:g}"


class Constraint:
    """Base class: what a value must be, checked in two stages (kind, then value)."""

    def accepts_type(self, value):
        """Whether `value` is of a kind this constraint is about."""
        raise NotImplementedError

    def accepts(self, value):
        """Whether `value` (of an accepted kind) satisfies the constraint."""
        return True

    def convert(self, value):
        """Returns `value` as a plain Python object."""
        return value


class Integer(Constraint):
    """An integer (Python or NumPy, never a bool) in `[low, high]`; bounds None are unbounded.

    Converted to `int`.
    """

    def __init__(self, low=None, high=None):
        self.low, self.high = low, high

    def accepts_type(self, value):
        return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))

    def accepts(self, value):
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def convert(self, value):
        return int(value)

    def __str__(self):
        if self.high is None:
            if self.low is None:
                return "an integer"
            return "a positive integer" if self.low == 1 else f"an integer >= {self.low}"
        if self.low is None:
            return f"an integer <= {self.high}"
        return f"an integer in [{self.low}, {self.high}]"


class Real(Constraint):
    """A finite real number (int, float or NumPy scalar, never a bool) within bounds.

    Args:
        low: lower bound or None (unbounded).
        high: upper bound or None (unbounded).
        closed: which bounds belong to the interval: "both" (default), "left", "right" or "neither".

    Converted to `float`. NaN and +-inf are always refused.
    """

    def __init__(self, low=None, high=None, closed="both"):
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError(
                f"Expected `closed` to be one of 'both', 'left', 'right', 'neither'. Received: closed={closed!r}"
            )
        self.low, self.high = low, high
        self.low_closed = closed in ("both", "left")
        self.high_closed = closed in ("both", "right")

    def accepts_type(self, value):
        return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))

    def accepts(self, value):
        try:
            value = float(value)
        except OverflowError:  # an int beyond float64
            return False
        if not math.isfinite(value):
            return False
        if self.low is not None and not (value >= self.low if self.low_closed else value > self.low):
            return False
        return self.high is None or (value <= self.high if self.high_closed else value < self.high)

    def convert(self, value):
        if isinstance(value, np.floating) and np.finfo(value.dtype).bits < 64:
            # The shortest decimal that is the same float32 (or float16): 1e-3, not 0.0010000000474974513.
            return float(str(value))
        return float(value)

    def __str__(self):
        if self.low is not None and self.high is not None:
            left = "[" if self.low_closed else "("
            right = "]" if self.high_closed else ")"
            return f"a number in {left}{_format_number(self.low)}, {_format_number(self.high)}{right}"
        if self.low is not None:
            relation = ">=" if self.low_closed else ">"
            return f"a finite number {relation} {_format_number(self.low)}"
        if self.high is not None:
            relation = "<=" if self.high_closed else "<"
            return f"a finite number {relation} {_format_number(self.high)}"
        return "a finite number"


class Options(Constraint):
    """One of a fixed set of values (compared with `==`); NumPy strings become `str`.

    Any value outside the set is a wrong value (`ValueError`), whatever its type.
    """

    def __init__(self, *options):
        self.options = options

    def accepts_type(self, value):
        return True

    def accepts(self, value):
        for option in self.options:
            if isinstance(value, str) != isinstance(option, str):
                continue
            try:
                if bool(value == option):
                    return True
            except (TypeError, ValueError):  # arrays and other objects without a plain `==`
                continue
        return False

    def convert(self, value):
        return str(value) if isinstance(value, str) else value

    def __str__(self):
        return "one of " + ", ".join(repr(option) for option in self.options)


class String(Constraint):
    """A string (NumPy strings included). Converted to `str`."""

    def accepts_type(self, value):
        return isinstance(value, str)

    def convert(self, value):
        return str(value)

    def __str__(self):
        return "a string"


class Bool(Constraint):
    """`True` or `False` (Python or NumPy bool); integers 0/1 are refused. Converted to `bool`."""

    def accepts_type(self, value):
        return isinstance(value, (bool, np.bool_))

    def convert(self, value):
        return bool(value)

    def __str__(self):
        return "a bool"


class _NoneConstraint(Constraint):
    def accepts_type(self, value):
        return value is None

    def __str__(self):
        return "None"


class PathLike(Constraint):
    """A non-empty `str` or `os.PathLike` without NUL characters. Converted to `pathlib.Path`."""

    def accepts_type(self, value):
        return isinstance(value, (str, os.PathLike))

    def accepts(self, value):
        text = os.fspath(value)
        return isinstance(text, str) and text != "" and "\0" not in text

    def convert(self, value):
        return pathlib.Path(value)

    def __str__(self):
        return "a non-empty path (str or os.PathLike)"


class Sequence(Constraint):
    """A list, tuple, range or 1-D NumPy array of at least `min_length` items, each satisfying `item`.

    Converted to a tuple of converted items.
    """

    def __init__(self, item, min_length=1):
        self.item, self.min_length = item, min_length

    def accepts_type(self, value):
        one_dimensional = isinstance(value, (list, tuple, range)) or (isinstance(value, np.ndarray) and value.ndim == 1)
        return one_dimensional and all(self.item.accepts_type(v) for v in value)

    def accepts(self, value):
        return len(value) >= self.min_length and all(self.item.accepts(v) for v in value)

    def convert(self, value):
        return tuple(self.item.convert(v) for v in value)

    def __str__(self):
        size = "a non-empty sequence" if self.min_length == 1 else f"a sequence of at least {self.min_length} items"
        return f"{size} of which each is {self.item}"


def _as_constraint(constraint):
    if constraint is None:
        return _NoneConstraint()
    if isinstance(constraint, Constraint):
        return constraint
    raise TypeError(f"Expected a Constraint or None. Received: {constraint!r}")


def validate(value, name, *constraints):
    """Returns `value` normalised by the first of `constraints` it satisfies, or raises.

    Args:
        value: the value to check.
        name: the parameter's name, quoted in the message.
        *constraints: `Constraint` instances, or None to allow None.

    Returns:
        The value as a plain Python object (`int`, `float`, `bool`, `str`, `tuple`, `Path`, None).

    Raises:
        TypeError: if no constraint accepts the kind of `value`.
        ValueError: if some constraint accepts its kind but none its value.
    """
    constraints = [_as_constraint(c) for c in constraints]
    right_kind = False
    for constraint in constraints:
        if constraint.accepts_type(value):
            right_kind = True
            if constraint.accepts(value):
                return constraint.convert(value)
    what = " or ".join(str(c) for c in constraints)
    error = ValueError if right_kind else TypeError
    raise error(f"Expected `{name}` to be {what}. Received: {name}={format_value(value)}")


def validate_params(constraints, values):
    """Checks every entry of `values` against `constraints[name]`.

    Args:
        constraints: dict mapping each name to a list of constraints (None allows None).
        values: dict mapping names to values; names without constraints are refused.

    Returns:
        A new dict of normalised values, in the order of `values`.

    Raises:
        TypeError, ValueError: as `validate`, for the first invalid value.
    """
    unknown = sorted(set(values) - set(constraints))
    if unknown:
        raise ValueError(f"Unknown parameters: {unknown}. Expected a subset of {sorted(constraints)}")
    return {name: validate(value, name, *constraints[name]) for name, value in values.items()}


def validate_fields(instance, constraints):
    """Validates the fields of a (frozen) dataclass in place, storing the normalised values.

    Meant for `__post_init__`; fields without constraints are left as they are (each config's
    tests check that its constraints cover every field).

    Raises:
        TypeError, ValueError: as `validate`, for the first invalid field.
    """
    for name, allowed in constraints.items():
        object.__setattr__(instance, name, validate(getattr(instance, name), name, *allowed))


def check_dict_keys(values, owner, required, optional=()):
    """Checks that `values` is a dict with all `required` keys and no key outside `required` + `optional`.

    For stored state read from JSON (a scaler, a representation): a missing key is refused rather
    than defaulted.

    Raises:
        TypeError: if `values` is not a dict.
        ValueError: naming the unknown keys, or else the missing ones.
    """
    if not isinstance(values, dict):
        raise TypeError(f"Expected a dict of {owner} values. Received: {type(values).__name__}")
    expected = f"Expected {sorted(required)}" + (f" and optionally {sorted(optional)}" if optional else "")
    unknown = sorted(set(values) - set(required) - set(optional))
    if unknown:
        raise ValueError(f"Unknown {owner} keys: {unknown}. {expected}")
    missing = [key for key in required if key not in values]
    if missing:
        raise ValueError(f"Missing {owner} keys: {missing}. {expected}")


def check_number_list(values, name, max_abs=None):
    """Returns a stored list of numbers as a float64 array (n,), n >= 1, or raises one line naming `name`.

    For statistics read back from JSON (a scaler's bounds, a representation's moments).

    Raises:
        TypeError: if `values` is not a list or tuple, or an entry is not a number (bools and
            strings refused); the first bad entry is named.
        ValueError: if the list is empty or an entry is NaN/inf or beyond `max_abs`.
    """
    what = "finite numbers" if max_abs is None else f"finite numbers of magnitude <= {max_abs:.4g}"
    if not isinstance(values, (list, tuple)) or not values:
        error = ValueError if isinstance(values, (list, tuple)) else TypeError
        raise error(f"Expected `{name}` to be a non-empty list of {what}. Received: {name}={format_value(values)}")
    number = Real() if max_abs is None else Real(-max_abs, max_abs)
    for i, value in enumerate(values):
        if not number.accepts_type(value):
            raise TypeError(f"Expected `{name}` to be a list of {what}. Received: {name}[{i}]={format_value(value)}")
        if not number.accepts(value):
            raise ValueError(f"Expected `{name}` to be a list of {what}. Received: {name}[{i}]={format_value(value)}")
    return np.array(values, dtype="float64")


def fill_added_fields(values, groups):
    """Adds to a saved config dict the groups of fields it predates, so an old file still loads.

    Each group is `(names, fill)`: `names` are fields added together after files were first
    saved, `fill(values)` returns the values of those fields that reproduce how a file without
    them was trained. A group is filled in only when all of its fields are missing (a file written
    before the group existed); a file missing part of a group is left for `check_keys` to refuse.

    Args:
        values: dict read from a saved config; other types are returned as they are.
        groups: sequence of `(names, fill)`, oldest first.

    Returns:
        A new dict, or `values` itself when nothing was added (the input is never modified).
    """
    if not isinstance(values, dict):
        return values
    for names, fill in groups:
        if not any(name in values for name in names):
            values = {**values, **fill(values)}
    return values


def check_keys(cls, values):
    """Checks that `values` is a dict holding exactly the fields of the dataclass `cls`.

    A file missing a field is refused rather than silently given the default (a saved config
    without `seed` would otherwise train a different model).

    Raises:
        TypeError: if `values` is not a dict.
        ValueError: naming the unknown keys, or else the missing ones, and the expected keys.
    """
    if not isinstance(values, dict):
        raise TypeError(f"Expected a dict of {cls.__name__} values. Received: {type(values).__name__}")
    known = [field.name for field in dataclasses.fields(cls)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"Unknown {cls.__name__} keys: {unknown}. Expected a subset of {sorted(known)}")
    missing = [name for name in known if name not in values]
    if missing:
        raise ValueError(f"Missing {cls.__name__} keys: {missing}. Expected every field: {known}")


def check_gradients(gradients, variables, update):
    """Checks that a loss has a gradient for every variable it should train.

    A `None` gradient means the variable is not connected to the loss: a wiring bug that
    `apply_gradients` would otherwise skip silently (STYLE.md: no silent filtering). Works inside
    `tf.function` (a `None` gradient is known when the function is traced).

    Args:
        gradients: list from `tape.gradient(loss, variables)`.
        variables: the variables, in the same order.
        update: name of the update, quoted in the message (for example "generator").

    Returns:
        `list(zip(gradients, variables))`, ready for `optimizer.apply_gradients`.

    Raises:
        ValueError: naming the variables without a gradient.
    """
    gradients, variables = list(gradients), list(variables)
    if len(gradients) != len(variables):
        raise ValueError(
            f"Expected one gradient per variable in the {update} update. "
            f"Received: {len(gradients)} gradients for {len(variables)} variables"
        )
    missing = [getattr(v, "path", None) or v.name for g, v in zip(gradients, variables) if g is None]
    if missing:
        raise ValueError(
            f"The {update} loss has no gradient for {missing}: these variables are not wired to the loss. "
            f"Expected a gradient for every variable of the {update} update."
        )
    return list(zip(gradients, variables))


# Shared constraints, so the same parameter is checked the same way everywhere.
SEED = Integer(0, SEED_MAX)
# An Adam step moves each weight by about `learning_rate`: far above 1 it is a typo (1e3 for 1e-3)
# and the run diverges in its first steps. The bound leaves room for SGD steps that are meant to be
# large (Adadelta's usual 1.0, a test pushing weights past a WGAN clip with 10).
LEARNING_RATE = Real(0, 10, closed="right")
# A loss weight above 1e6 leaves the other terms of its loss below float32 resolution (about 7
# significant digits), so they stop training; 1e300 would even become inf in float32.
LOSS_WEIGHT = Real(0, 1_000_000)
