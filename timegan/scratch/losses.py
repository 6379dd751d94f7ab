"""Losses of the perceptron: the source's squared error, and cross-entropy as an option.

Both are averaged over the examples of a mini-batch, so a stochastic update (batch of one) and a
mini-batch update use the same learning rate scale. `output_delta` gives the derivative of the
mean loss with respect to the output layer's pre-activations, the starting point of
backpropagation.
"""

import numpy as np

LOSSES = ("squared_error", "cross_entropy")
# Probabilities are clipped away from 0 and 1 before the log, as Keras does (its backend epsilon).
_LOG_EPSILON = 1e-7


def squared_error(outputs, targets):
    """Mean over the batch of `E = 1/2 * sum_k (y_k - t_k)^2`, the source's error of one example.

    Args:
        outputs: array `(batch, units)`, the network's outputs `y`.
        targets: array `(batch, units)`, the targets `t`.

    Returns:
        Python float.
    """
    return float(0.5 * np.sum(np.square(outputs - targets)) / len(outputs))


def cross_entropy(outputs, targets, output_activation="softmax"):
    """Mean over the batch of the cross-entropy of the outputs.

    For a softmax output layer the categorical form `-sum_k t_k log y_k`; for sigmoid outputs the
    binary form summed over units, `-sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)]`
    (Goodfellow, Bengio & Courville, *Deep Learning*, 2016, section 6.2.2).

    Args:
        outputs: array `(batch, units)` of probabilities.
        targets: array `(batch, units)`, one-hot rows (softmax) or values in [0, 1] (sigmoid).
        output_activation: `"softmax"` or `"sigmoid"`. Default `"softmax"`.

    Returns:
        Python float.
    """
    y = np.clip(outputs, _LOG_EPSILON, 1.0 - _LOG_EPSILON)
    if output_activation == "softmax":
        per_example = -np.sum(targets * np.log(y), axis=-1)
    else:
        per_example = -np.sum(targets * np.log(y) + (1.0 - targets) * np.log(1.0 - y), axis=-1)
    return float(np.mean(per_example))


def loss_value(loss, outputs, targets, output_activation):
    """The value of `loss` (`"squared_error"` or `"cross_entropy"`) on a batch (a Python float)."""
    if loss == "squared_error":
        return squared_error(outputs, targets)
    return cross_entropy(outputs, targets, output_activation)


def output_delta(loss, outputs, targets, output_activation, slope=1.0):
    """Derivative of the batch-mean loss with respect to the output pre-activations `z`.

    The standard output-layer deltas of backpropagation (Rumelhart, Hinton & Williams, 1986;
    Bishop, *Pattern Recognition and Machine Learning*, 2006, sections 5.2-5.3), divided by the
    batch size because the loss is a batch mean:

    - squared error: `(y - t) * sigma'(z)`, with `sigma'(z) = slope * y * (1 - y)` for sigmoid outputs;
    - cross-entropy with softmax outputs: `y - t`;
    - cross-entropy with sigmoid outputs: `slope * (y - t)`.

    Args:
        loss: `"squared_error"` or `"cross_entropy"`.
        outputs: array `(batch, units)`.
        targets: array `(batch, units)`.
        output_activation: `"sigmoid"` or `"softmax"`.
        slope: the output sigmoid's slope. Default 1.0.

    Returns:
        Array `(batch, units)`.

    Raises:
        ValueError: squared error with a softmax output layer (its Jacobian is not elementwise;
            the combination is not offered).
    """
    batch = len(outputs)
    if loss == "squared_error":
        if output_activation != "sigmoid":
            raise ValueError(
                "Expected `output_activation='sigmoid'` with `loss='squared_error'`. "
                f"Received: output_activation={output_activation!r}"
            )
        return (outputs - targets) * (slope * outputs * (1.0 - outputs)) / batch
    if output_activation == "softmax":
        return (outputs - targets) / batch
    return slope * (outputs - targets) / batch
