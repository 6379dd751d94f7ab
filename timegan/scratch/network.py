"""The multilayer perceptron: a stack of `Dense` layers trained by backpropagation.

Forward: `a_0 = x`, `a_l = sigma(a_{l-1} W_l + b_l)`. Backward (Rumelhart, Hinton & Williams,
"Learning representations by back-propagating errors", Nature 1986): the output delta
`delta_L = dL/dz_L` (see `losses.output_delta`), then for each layer
`dL/dW_l = a_{l-1}^T delta_l`, `dL/db_l = sum_batch delta_l` and
`delta_{l-1} = (delta_l W_l^T) * sigma'(z_{l-1})`.
"""

import logging

import numpy as np

from timegan._validation import Integer, Options, Sequence, validate
from timegan.scratch.activations import ACTIVATIONS
from timegan.scratch.layers import Dense, _check_slope
from timegan.scratch.losses import LOSSES, loss_value, output_delta

logger = logging.getLogger(__name__)


class MLP:
    """A multilayer perceptron of sigmoid layers, in NumPy.

    Args:
        sizes: layer widths from input to output, e.g. `(2, 2, 2, 1)` for the source's XOR
            network or `(784, 300, 10)` for MNIST; at least two integers >= 1.
        slope: slope of every sigmoid, > 0 (the source uses 0.1 on MNIST). Default 1.0.
        output_activation: `"sigmoid"` (the source) or `"softmax"`. Default `"sigmoid"`.
        loss: `"squared_error"` (the source) or `"cross_entropy"`. Default `"squared_error"`.
            Squared error needs sigmoid outputs.
        seed: seed of the weight initialisation (Glorot uniform kernels, zero biases). Default None.
        dtype: `"float32"` (default) or `"float64"`.

    Input shape: `(batch, sizes[0])`. Output shape: `(batch, sizes[-1])`.

    Raises:
        TypeError: sizes that are not integers, a slope that is not a number.
        ValueError: fewer than two sizes or one below 1, an unknown activation or loss, squared
            error with softmax outputs, a slope <= 0 or an unknown dtype.
    """

    def __init__(self, sizes, slope=1.0, output_activation="sigmoid", loss="squared_error", seed=None, dtype="float32"):
        sizes = validate(tuple(sizes), "sizes", Sequence(Integer(1), min_length=2))
        output_activation = validate(output_activation, "output_activation", Options(*ACTIVATIONS))
        loss = validate(loss, "loss", Options(*LOSSES))
        if loss == "squared_error" and output_activation != "sigmoid":
            raise ValueError(
                "Expected `output_activation='sigmoid'` with `loss='squared_error'`. "
                f"Received: output_activation={output_activation!r}"
            )
        validate(str(dtype), "dtype", Options("float32", "float64"))
        self.sizes = tuple(int(n) for n in sizes)
        self.slope = _check_slope(slope)
        self.output_activation = output_activation
        self.loss = loss
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        last = len(self.sizes) - 2
        self.layers = [
            Dense(
                n_in,
                n_out,
                activation="sigmoid" if i < last else output_activation,
                slope=self.slope,
                rng=rng,
                dtype=self.dtype,
            )
            for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]))
        ]

    @property
    def params(self):
        """`[W_1, b_1, W_2, b_2, ...]`: the arrays an optimizer updates in place (Keras' order)."""
        return [array for layer in self.layers for array in layer.params]

    def set_params(self, params):
        """Copies `[W_1, b_1, ...]` (e.g. `keras_model.get_weights()`) into the network.

        Raises:
            ValueError: a different number of arrays or a shape mismatch.
        """
        params = list(params)
        if len(params) != len(self.params):
            raise ValueError(f"Expected {len(self.params)} arrays. Received: {len(params)} arrays")
        for own, new in zip(self.params, params):
            new = np.asarray(new)
            if new.shape != own.shape:
                raise ValueError(f"Expected an array of shape {own.shape}. Received: shape={new.shape}")
            own[...] = new

    def _check_inputs(self, x):
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"Expected inputs of shape (batch, {self.sizes[0]}). Received: shape={x.shape}")
        return x

    def forward(self, x):
        """All activations `[a_0 = x, a_1, ..., a_L]` of a batch `x` `(batch, sizes[0])`."""
        activations = [self._check_inputs(x)]
        for layer in self.layers:
            activations.append(layer.forward(activations[-1]))
        return activations

    def predict(self, x):
        """The network's outputs `(batch, sizes[-1])` for inputs `(batch, sizes[0])`."""
        return self.forward(x)[-1]

    def evaluate_loss(self, x, targets):
        """The batch-mean loss (a Python float)."""
        return loss_value(self.loss, self.predict(x), np.asarray(targets, self.dtype), self.output_activation)

    def gradients(self, x, targets):
        """Forward and backward pass on one batch.

        Args:
            x: inputs `(batch, sizes[0])`.
            targets: `(batch, sizes[-1])`.

        Returns:
            `(loss, grads)`: the batch-mean loss (float) and `[dL/dW_1, dL/db_1, ...]`, in the
            order and shapes of `params`.

        Raises:
            ValueError: inputs or targets of the wrong shape.
        """
        activations = self.forward(x)
        outputs = activations[-1]
        targets = np.asarray(targets, dtype=self.dtype)
        if targets.shape != outputs.shape:
            raise ValueError(f"Expected targets of shape {outputs.shape}. Received: shape={targets.shape}")
        loss = loss_value(self.loss, outputs, targets, self.output_activation)
        delta = output_delta(self.loss, outputs, targets, self.output_activation, self.slope)
        grads = []
        for index in range(len(self.layers) - 1, -1, -1):
            layer_input = activations[index]
            d_kernel, d_bias, d_input = self.layers[index].backward(layer_input, delta, input_gradient=index > 0)
            grads[:0] = [d_kernel, d_bias]
            if index > 0:
                delta = d_input * self.layers[index - 1].activation_derivative(layer_input)
        return loss, grads
