import numpy as np
import pytest

from timegan.scratch.activations import sigmoid, sigmoid_derivative, softmax
from timegan.scratch.layers import Dense, Neuron, glorot_uniform


def test_sigmoid_values_and_slope():
    np.testing.assert_allclose(sigmoid(np.array([0.0, 2.0, -2.0])), [0.5, 1 / (1 + np.exp(-2)), 1 / (1 + np.exp(2))])
    # slope 0.5 at z = 2 is the plain sigmoid at 1
    np.testing.assert_allclose(sigmoid(np.array([2.0]), slope=0.5), [1 / (1 + np.exp(-1))])
    np.testing.assert_allclose(sigmoid_derivative(np.array([0.5]), slope=0.1), [0.025])


def test_sigmoid_does_not_overflow():
    with np.errstate(all="raise"):
        values = sigmoid(np.array([-1e4, 1e4], dtype=np.float32))
    np.testing.assert_array_equal(values, [0.0, 1.0])
    assert values.dtype == np.float32


def test_softmax_rows_sum_to_one_for_large_inputs():
    probs = softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(probs, [[0.5, 0.5], [0.25, 0.75]])


def test_neuron_hand_computed():
    neuron = Neuron([1.0, -2.0], bias=0.5, slope=2.0)
    # w . x + b = 1 * 3 - 2 * 1 + 0.5 = 1.5; sigmoid(2 * 1.5) = 1 / (1 + e^-3)
    assert neuron([3.0, 1.0]) == pytest.approx(1 / (1 + np.exp(-3.0)))
    np.testing.assert_allclose(neuron([[0.0, 0.0], [3.0, 1.0]]), [1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(-3.0))])


def test_neuron_bad_inputs():
    with pytest.raises(ValueError, match=r"Expected `slope` to be a finite number > 0. Received: slope=0"):
        Neuron([1.0], slope=0)
    with pytest.raises(ValueError, match=r"Expected `weights` to be a non-empty vector"):
        Neuron([[1.0]])
    with pytest.raises(ValueError, match=r"Expected inputs with last dimension 2. Received: shape=\(3,\)"):
        Neuron([1.0, 2.0])([1.0, 2.0, 3.0])


def test_glorot_uniform_bounds_and_seed():
    a = glorot_uniform(np.random.default_rng(0), 784, 300)
    b = glorot_uniform(np.random.default_rng(0), 784, 300)
    np.testing.assert_array_equal(a, b)
    limit = np.sqrt(6 / 1084)
    assert a.shape == (784, 300) and a.dtype == np.float32
    assert np.abs(a).max() <= limit and np.abs(a).max() > 0.99 * limit


def test_dense_forward_backward_shapes_and_values():
    layer = Dense(3, 2, slope=1.0, rng=np.random.default_rng(0), dtype="float64")
    x = np.arange(12.0).reshape(4, 3) / 10
    y = layer.forward(x)
    np.testing.assert_allclose(y, sigmoid(x @ layer.kernel))  # biases start at zero
    delta = np.ones((4, 2))
    d_kernel, d_bias, d_inputs = layer.backward(x, delta)
    np.testing.assert_allclose(d_kernel, x.sum(axis=0)[:, None] * np.ones((1, 2)))
    np.testing.assert_allclose(d_bias, [4.0, 4.0])
    np.testing.assert_allclose(d_inputs, np.tile(layer.kernel.sum(axis=1), (4, 1)))
    assert layer.backward(x, delta, input_gradient=False)[2] is None


def test_dense_rejects_unknown_activation():
    with pytest.raises(
        ValueError, match=r"Expected `activation` to be one of 'sigmoid', 'softmax'. Received: activation='relu'"
    ):
        Dense(2, 2, activation="relu")


def test_one_example_kernel_gradient_is_the_matrix_product():
    layer = Dense(5, 3, rng=np.random.default_rng(0))
    rng = np.random.default_rng(1)
    x, delta = rng.normal(size=(1, 5)).astype(np.float32), rng.normal(size=(1, 3)).astype(np.float32)
    d_kernel, _, _ = layer.backward(x, delta)
    np.testing.assert_array_equal(d_kernel, x.T @ delta)
    assert d_kernel.shape == (5, 3) and d_kernel.dtype == np.float32
