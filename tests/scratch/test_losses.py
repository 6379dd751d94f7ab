import numpy as np
import pytest

from timegan.scratch.losses import cross_entropy, output_delta, squared_error


def test_squared_error_is_half_the_sum_per_example_averaged_over_the_batch():
    outputs = np.array([[0.5, 0.0], [1.0, 1.0]])
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    # example 1: 0.5 * 0.25; example 2: 0.5 * 1; mean of the two
    assert squared_error(outputs, targets) == pytest.approx((0.125 + 0.5) / 2)


def test_cross_entropy_softmax_and_sigmoid():
    outputs = np.array([[0.25, 0.75], [0.5, 0.5]])
    targets = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert cross_entropy(outputs, targets, "softmax") == pytest.approx(-(np.log(0.75) + np.log(0.5)) / 2)
    assert cross_entropy(np.array([[0.8]]), np.array([[0.0]]), "sigmoid") == pytest.approx(-np.log(0.2))


def test_output_deltas():
    y = np.array([[0.8, 0.2]])
    t = np.array([[1.0, 0.0]])
    np.testing.assert_allclose(
        output_delta("squared_error", y, t, "sigmoid", slope=0.5), [[-0.2 * 0.5 * 0.16, 0.2 * 0.5 * 0.16]]
    )
    np.testing.assert_allclose(output_delta("cross_entropy", y, t, "softmax"), [[-0.2, 0.2]])
    np.testing.assert_allclose(
        output_delta("cross_entropy", np.vstack([y, y]), np.vstack([t, t]), "sigmoid", 2.0), [[-0.2, 0.2], [-0.2, 0.2]]
    )  # slope 2, divided by the batch of 2


def test_squared_error_needs_sigmoid_outputs():
    with pytest.raises(ValueError, match=r"Expected `output_activation='sigmoid'` with `loss='squared_error'`"):
        output_delta("squared_error", np.ones((1, 2)) / 2, np.ones((1, 2)), "softmax")
