"""`scripts/profile_speed.py --ceiling`: the cost of single ops of a step's sizes (no timing asserted)."""

import math

import pytest
import tensorflow as tf

from tests._scripts import SCRIPTS, load_script


@pytest.fixture
def profile_speed(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))  # it imports benchmark_speed beside it
    return load_script("profile_speed")


@pytest.mark.parametrize("shape", [(8, 3, 5), None])
@pytest.mark.parametrize("dtype", [tf.float32, tf.bfloat16])
def test_op_cost_is_a_positive_time_per_op(profile_speed, shape, dtype):
    seconds = profile_speed.op_cost(shape, dtype, count=4, repeats=1)
    assert 0 < seconds < 1 and math.isfinite(seconds)


def test_the_ceiling_table_names_the_step_sizes(profile_speed):
    shapes = profile_speed.CEILING_OPS.values()
    assert (128, 24, 72) in shapes and None in shapes
    assert all(shape is None or len(shape) == 3 for shape in shapes)
