"""Custom layers of the image GANs: minibatch discrimination and hidden-layer noise."""

import keras
from keras import ops

from timegan._validation import Integer, validate


@keras.saving.register_keras_serializable(package="timegan.images")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs").

    Each sample's features `f_i` (width A) are multiplied by a learned tensor `T` (A x B x C) into B
    rows `M_i,b` of length C. For every kernel b, the closeness of samples i and j is
    `c_b(i, j) = exp(-||M_i,b - M_j,b||_1)` and `o_b(i) = sum_{j != i} c_b(i, j) / (n - 1)`:
    the summed closeness to the other samples of the batch (as in the paper's reference code,
    which leaves out j = i), divided by their number so the feature lies in [0, 1] whatever the
    batch size; it is 1 exactly when all samples are identical. (Undivided, the sum reaches
    n - 1 = 63 for a batch of 64 and dwarfs the other features: in our runs the discriminator
    then separated the first, similar-looking fakes at once and the generator collapsed.)
    The output is `[f_i, o(i)]`: a discriminator can then see that a batch lacks variety,
    which is what a collapsed generator produces. Call it on real and fake batches separately,
    otherwise fakes are compared with reals. A batch needs at least 2 samples.

    Args:
        num_kernels: B, the number of closeness features added. Default 50.
        kernel_dim: C, the dimension each kernel projects to. Default 5.
        seed: seed of the tensor's initializer. Default None.

    Input shape:
        `(batch, A)`.

    Output shape:
        `(batch, A + num_kernels)`.
    """

    def __init__(self, num_kernels=50, kernel_dim=5, seed=None, **kwargs):
        super().__init__(**kwargs)
        num_kernels = validate(num_kernels, "num_kernels", Integer(1))
        kernel_dim = validate(kernel_dim, "kernel_dim", Integer(1))
        self.num_kernels = num_kernels
        self.kernel_dim = kernel_dim
        self.seed = seed

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"MinibatchDiscrimination expects inputs of shape (batch, features). Received: input_shape={input_shape}"
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=keras.initializers.RandomNormal(stddev=0.1, seed=self.seed),
        )

    def closeness(self, inputs):
        """Returns the `(batch, num_kernels)` closeness features `o_b(i)` alone."""
        rows = ops.reshape(ops.matmul(inputs, self.kernel), (-1, self.num_kernels, self.kernel_dim))
        # (batch, 1, B, C) - (1, batch, B, C): L1 distance over C between every pair of samples.
        distances = ops.sum(ops.abs(ops.expand_dims(rows, 1) - ops.expand_dims(rows, 0)), axis=-1)
        # exp(-d_ii) = 1 for every sample: subtract it to leave out j = i.
        others = ops.cast(ops.shape(inputs)[0] - 1, rows.dtype)
        return (ops.sum(ops.exp(-distances), axis=1) - 1.0) / ops.maximum(others, 1.0)

    def call(self, inputs):
        return ops.concatenate([inputs, ops.cast(self.closeness(inputs), inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        config = super().get_config()
        config.update(num_kernels=self.num_kernels, kernel_dim=self.kernel_dim, seed=self.seed)
        return config


@keras.saving.register_keras_serializable(package="timegan.images")
class HiddenNoise(keras.layers.Layer):
    """Concatenates fresh standard-normal noise to its input along the last axis.

    Used inside the generator as a mode-collapse remedy: noise injected past the first layer
    gives the generator randomness that the first layer cannot map to a single mode. The noise is
    drawn at every call, in training and in inference (it is part of the generator's sampling).

    Args:
        units: width (channels) of the noise appended. Default 32.
        seed: seed of the layer's `keras.random.SeedGenerator`. Default None.

    Input shape:
        `(batch, ..., d)`.

    Output shape:
        `(batch, ..., d + units)`.
    """

    def __init__(self, units=32, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = validate(units, "units", Integer(1))
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        shape = tuple(ops.shape(inputs)[:-1]) + (self.units,)
        noise = keras.random.normal(shape, seed=self.seed_generator, dtype=inputs.dtype)
        return ops.concatenate([inputs, noise], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] + self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, seed=self.seed)
        return config
