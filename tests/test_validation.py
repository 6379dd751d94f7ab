import dataclasses
import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from timegan._validation import (
    SEED,
    SEED_MAX,
    Bool,
    Integer,
    Options,
    PathLike,
    Real,
    Sequence,
    check_gradients,
    check_keys,
    validate,
    validate_fields,
    validate_params,
)


@pytest.mark.parametrize(
    "value, constraints, expected, expected_type",
    [
        (np.int64(24), [Integer(2)], 24, int),
        (np.uint8(3), [Integer(1)], 3, int),
        (np.float32(1e-3), [Real(0, 1, closed="right")], 1e-3, float),
        (np.float64(0.25), [Real(0, 1)], 0.25, float),
        (3, [Real(0, None)], 3.0, float),
        (np.bool_(True), [Bool()], True, bool),
        (np.str_("gru"), [Options("gru", "lstm")], "gru", str),
        (None, [Integer(1), None], None, type(None)),
        ([np.int64(3), 4], [Sequence(Integer(1))], (3, 4), tuple),
        (np.array([0, 2]), [Sequence(Integer(0))], (0, 2), tuple),
        ("runs/x", [PathLike()], pathlib.Path("runs/x"), pathlib.PosixPath),
    ],
)
def test_values_come_out_as_python_objects(value, constraints, expected, expected_type):
    result = validate(value, "x", *constraints)
    assert result == expected and type(result) is expected_type
    json.dumps(str(result) if isinstance(result, pathlib.Path) else result)


@pytest.mark.parametrize(
    "value, constraints, error, message",
    [
        # Right kind, wrong value: ValueError.
        (1, [Integer(2)], ValueError, "Expected `x` to be an integer >= 2. Received: x=1"),
        (0, [Integer(1)], ValueError, "Expected `x` to be a positive integer. Received: x=0"),
        (
            float("inf"),
            [Real(0, None, closed="neither")],
            ValueError,
            "Expected `x` to be a finite number > 0. Received: x=inf",
        ),
        (np.float64("nan"), [Real()], ValueError, "Expected `x` to be a finite number. Received: x=np.float64(nan)"),
        (1.0, [Real(0, 1, closed="left")], ValueError, "Expected `x` to be a number in [0, 1). Received: x=1.0"),
        (0, [Real(0, 0.5, closed="right")], ValueError, "Expected `x` to be a number in (0, 0.5]. Received: x=0"),
        (
            10**400,
            [Real()],
            ValueError,
            "Expected `x` to be a finite number. Received: x=1" + "0" * 59 + "... (401 characters)",
        ),
        ("rnn", [Options("gru", "lstm")], ValueError, "Expected `x` to be one of 'gru', 'lstm'. Received: x='rnn'"),
        (3, [Options("gru", "lstm")], ValueError, "Expected `x` to be one of 'gru', 'lstm'. Received: x=3"),
        ("", [PathLike()], ValueError, "Expected `x` to be a non-empty path (str or os.PathLike). Received: x=''"),
        (
            (),
            [Sequence(Integer(1))],
            ValueError,
            "Expected `x` to be a non-empty sequence of which each is a positive integer. Received: x=()",
        ),
        (-1, [Integer(1), None], ValueError, "Expected `x` to be a positive integer or None. Received: x=-1"),
        # Wrong kind: TypeError.
        (2.0, [Integer(2)], TypeError, "Expected `x` to be an integer >= 2. Received: x=2.0"),
        (True, [Integer(0)], TypeError, "Expected `x` to be an integer >= 0. Received: x=True"),
        (np.bool_(False), [Real()], TypeError, "Expected `x` to be a finite number. Received: x=np.False_"),
        ("1e-3", [Real(0, 1)], TypeError, "Expected `x` to be a number in [0, 1]. Received: x='1e-3'"),
        (1, [Bool()], TypeError, "Expected `x` to be a bool. Received: x=1"),
        ("yes", [Bool(), None], TypeError, "Expected `x` to be a bool or None. Received: x='yes'"),
        (3, [PathLike()], TypeError, "Expected `x` to be a non-empty path (str or os.PathLike). Received: x=3"),
        ([1.5], [Sequence(Integer(1))], TypeError, "Received: x=[1.5]"),
        ("ab", [Sequence(Options("a", "b"))], TypeError, "Received: x='ab'"),
    ],
)
def test_one_message_format_and_one_error_type_per_kind(value, constraints, error, message):
    # The message is one line, names the parameter, says what was expected and quotes the value.
    with pytest.raises(error) as raised:
        validate(value, "x", *constraints)
    assert type(raised.value) is error
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_seed_bound_is_what_keras_accepts():
    keras.utils.set_random_seed(SEED_MAX)  # the largest seed Keras' global seeding takes
    keras.random.uniform((1,), seed=keras.random.SeedGenerator(SEED_MAX))
    with pytest.raises(ValueError, match="Seed must be between 0 and 2\\*\\*32 - 1"):
        keras.utils.set_random_seed(SEED_MAX + 1)
    assert validate(np.uint32(SEED_MAX), "seed", SEED) == SEED_MAX
    with pytest.raises(
        ValueError, match=f"Expected `seed` to be an integer in \\[0, {SEED_MAX}\\]. Received: seed={2**70}"
    ):
        validate(2**70, "seed", SEED)
    with pytest.raises(ValueError, match=r"Received: seed=-1"):
        validate(-1, "seed", SEED)


def test_validate_params_normalises_and_refuses_unknown_names():
    constraints = {"n": [Integer(1)], "rate": [Real(0, 1)]}
    assert validate_params(constraints, {"n": np.int32(2), "rate": np.float16(0.5)}) == {"n": 2, "rate": 0.5}
    with pytest.raises(ValueError, match=r"Unknown parameters: \['m'\]. Expected a subset of \['n', 'rate'\]"):
        validate_params(constraints, {"m": 1})


@dataclasses.dataclass(frozen=True)
class _Toy:
    n: int = 1
    rate: float = 0.5

    def __post_init__(self):
        validate_fields(self, {"n": [Integer(1)], "rate": [Real(0, 1)]})


def test_validate_fields_stores_python_values_in_a_frozen_dataclass():
    toy = _Toy(n=np.int64(3), rate=np.float32(0.25))
    assert type(toy.n) is int and type(toy.rate) is float and toy == _Toy(3, 0.25)
    with pytest.raises(ValueError, match="Expected `rate` to be a number in \\[0, 1\\]. Received: rate=2"):
        _Toy(rate=2)


def test_check_keys_names_unknown_then_missing_keys():
    check_keys(_Toy, {"n": 1, "rate": 0.5})
    with pytest.raises(ValueError, match=r"Unknown _Toy keys: \['m'\]"):
        check_keys(_Toy, {"n": 1, "rate": 0.5, "m": 2})
    with pytest.raises(ValueError, match=r"Missing _Toy keys: \['rate'\]. Expected every field: \['n', 'rate'\]"):
        check_keys(_Toy, {"n": 1})
    with pytest.raises(TypeError, match="Expected a dict of _Toy values. Received: list"):
        check_keys(_Toy, [1])


def test_check_gradients_names_unwired_variables():
    used = keras.Variable(1.0, name="used")
    unused = keras.Variable(2.0, name="unused")
    with tf.GradientTape() as tape:
        loss = 3.0 * used
    gradients = tape.gradient(loss, [used, unused])
    with pytest.raises(
        ValueError, match=r"The generator loss has no gradient for \['unused'\]: these variables are not wired"
    ):
        check_gradients(gradients, [used, unused], "generator")
    with tf.GradientTape() as tape:
        loss = 3.0 * used + unused
    pairs = check_gradients(tape.gradient(loss, [used, unused]), [used, unused], "generator")
    assert [float(g) for g, _ in pairs] == [3.0, 1.0] and [v.name for _, v in pairs] == ["used", "unused"]


def test_check_gradients_inside_a_traced_function():
    used, unused = keras.Variable(1.0, name="used"), keras.Variable(2.0, name="unused")

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = used * used
        return check_gradients(tape.gradient(loss, [used, unused]), [used, unused], "critic")

    with pytest.raises(ValueError, match=r"The critic loss has no gradient for \['unused'\]"):
        step()
