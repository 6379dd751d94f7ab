"""The neuron and the fully connected layer, with their forward and backward passes written out.

A `Neuron` computes `y = sigma(w . x + b)`; a `Dense` layer is a row of neurons sharing the
same inputs, computed for a whole mini-batch at once: `Y = sigma(X W + b)`. Weights are stored
as Keras stores a `Dense` kernel, `(inputs, units)`, so they can be copied into Keras and back.
"""

import logging

import numpy as np

from timegan._validation import Options, Real, validate
from timegan.scratch.activations import ACTIVATIONS, sigmoid, sigmoid_derivative, softmax

logger = logging.getLogger(__name__)


def _check_slope(slope):
    return validate(slope, "slope", Real(0, None, closed="neither"))


def glorot_uniform(rng, fan_in, fan_out, dtype="float32"):
    """Weights drawn from U(-l, l), `l = sqrt(6 / (fan_in + fan_out))`.

    Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural networks",
    AISTATS 2010, eq. 16; the default kernel initializer of Keras' `Dense`.

    Args:
        rng: `np.random.Generator`.
        fan_in: number of inputs.
        fan_out: number of units.
        dtype: dtype of the result. Default float32.

    Returns:
        Array `(fan_in, fan_out)`.
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


class Neuron:
    """One artificial neuron: a weighted sum of its inputs plus a bias, through a sigmoid.

    Args:
        weights: array `(inputs,)`.
        bias: float. Default 0.
        slope: slope of the sigmoid, > 0. Default 1.0.

    Input shape: `(inputs,)` for one example or `(batch, inputs)`.
    Output shape: `()` or `(batch,)`.

    Raises:
        ValueError: weights that are not a non-empty vector, a slope <= 0, or inputs of another length.
    """

    def __init__(self, weights, bias=0.0, slope=1.0):
        self.weights = np.asarray(weights, dtype=float)
        if self.weights.ndim != 1 or self.weights.size == 0:
            raise ValueError(f"Expected `weights` to be a non-empty vector. Received: shape={self.weights.shape}")
        self.bias = float(bias)
        self.slope = _check_slope(slope)

    def __call__(self, inputs):
        inputs = np.asarray(inputs, dtype=float)
        if inputs.shape[-1:] != self.weights.shape:
            raise ValueError(f"Expected inputs with last dimension {self.weights.size}. Received: shape={inputs.shape}")
        return sigmoid(inputs @ self.weights + self.bias, self.slope)


class Dense:
    """A fully connected layer of sigmoid (or softmax) units.

    Args:
        inputs: number of inputs, >= 1.
        units: number of units, >= 1.
        activation: `"sigmoid"` or `"softmax"`. Default `"sigmoid"`.
        slope: slope of the sigmoid (ignored by softmax), > 0. Default 1.0.
        rng: `np.random.Generator` for the Glorot-uniform kernel; biases start at zero.
        dtype: float dtype of the parameters. Default float32.

    Input shape: `(batch, inputs)`.
    Output shape: `(batch, units)`.

    Attributes:
        kernel: array `(inputs, units)`.
        bias: array `(units,)`.
    """

    def __init__(self, inputs, units, activation="sigmoid", slope=1.0, rng=None, dtype="float32"):
        activation = validate(activation, "activation", Options(*ACTIVATIONS))
        self.activation = activation
        self.slope = _check_slope(slope)
        rng = np.random.default_rng() if rng is None else rng
        self.kernel = glorot_uniform(rng, inputs, units, dtype)
        self.bias = np.zeros(units, dtype=dtype)

    @property
    def params(self):
        """`[kernel, bias]`, the arrays an optimizer updates in place."""
        return [self.kernel, self.bias]

    def forward(self, x):
        """`Y = activation(X W + b)`, for `X` of shape `(batch, inputs)`; returns `(batch, units)`."""
        z = x @ self.kernel + self.bias
        return sigmoid(z, self.slope) if self.activation == "sigmoid" else softmax(z)

    def activation_derivative(self, output):
        """`d y / d z` of a sigmoid layer from its output (elementwise); softmax has none elementwise."""
        if self.activation != "sigmoid":
            raise ValueError("A softmax layer has no elementwise derivative; it can only be the output layer.")
        return sigmoid_derivative(output, self.slope)

    def backward(self, x, delta, input_gradient=True):
        """Gradients of the loss from this layer's delta.

        Args:
            x: the layer's input `(batch, inputs)` of the forward pass.
            delta: `dL/dz`, array `(batch, units)`.
            input_gradient: whether to compute `d_inputs` (the first layer does not need it). Default True.

        Returns:
            `(d_kernel, d_bias, d_inputs)`: `X^T delta` `(inputs, units)`, `sum_batch delta` `(units,)`
            and `delta W^T` `(batch, inputs)`, the loss's derivative with respect to the inputs
            (None when `input_gradient` is False).
        """
        d_inputs = delta @ self.kernel.T if input_gradient else None
        # One example (the source's stochastic update): the outer product by broadcasting gives the
        # same products as the matrix product with an inner dimension of 1, at a third of its cost.
        d_kernel = x.T * delta if len(x) == 1 else x.T @ delta
        return d_kernel, delta.sum(axis=0), d_inputs
