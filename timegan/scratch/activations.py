"""Activation functions of the perceptron and their derivatives, in NumPy.

The sigmoid carries a slope parameter, as in the source: `sigma(z) = 1 / (1 + exp(-slope * z))`,
whose derivative `slope * sigma * (1 - sigma)` is written in terms of the output, so backpropagation
needs only what the forward pass stored.
"""

import numpy as np

ACTIVATIONS = ("sigmoid", "softmax")


def sigmoid(z, slope=1.0):
    """The logistic function with a slope: `1 / (1 + exp(-slope * z))`, elementwise.

    Computed as `(1 + tanh(slope * z / 2)) / 2`, which never overflows.

    Args:
        z: array of any shape (pre-activations).
        slope: positive float, the steepness at 0 (the derivative there is `slope / 4`). Default 1.0.

    Returns:
        Array of `z`'s shape and dtype, values in [0, 1] (saturating to 0 or 1 in floating point).
    """
    # sigma(x) = (1 + tanh(x / 2)) / 2: the same function, with no exp to overflow.
    return 0.5 * (1.0 + np.tanh((0.5 * slope) * np.asarray(z)))


def sigmoid_derivative(output, slope=1.0):
    """Derivative of `sigmoid(z, slope)` with respect to `z`, from its output `y`: `slope * y * (1 - y)`."""
    return slope * output * (1.0 - output)


def softmax(z):
    """Softmax over the last axis, shifted by the row maximum so `exp` never overflows.

    Args:
        z: array `(batch, classes)`.

    Returns:
        Array of `z`'s shape, each row positive and summing to 1.
    """
    shifted = z - z.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)
