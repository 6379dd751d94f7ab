"""The generator and discriminator of the conditional tabular GAN, built by one factory each.

The generator maps `[z, label_one_hot]` to an encoded record: linear outputs for the standardised
numeric columns, then the categorical logits through `GumbelSoftmaxBlocks`. The discriminator maps
`[record, label_one_hot]` to one logit (conditioning by concatenation, Mirza & Osindero 2014).
"""

import keras
import numpy as np
from keras import layers, ops


@keras.saving.register_keras_serializable(package="timegan.rebalance")
class GumbelSoftmaxBlocks(layers.Layer):
    """Blockwise Gumbel-softmax over consecutive one-hot blocks; exact one-hot at inference.

    While training, each block of logits `l` becomes `softmax((l + g) / tau)` with Gumbel noise
    `g = -log(-log(u))`, `u ~ U(0, 1)` (Jang et al., "Categorical Reparameterization with
    Gumbel-Softmax", ICLR 2017, eq. 2). With `straight_through`, the forward value is the one-hot
    argmax of that sample and the gradient is the soft sample's (section 2.2). In inference
    (`training=False`) the output is the one-hot argmax of the logits' block plus Gumbel noise, i.e. a
    sample from the block's categorical distribution, so every block is exactly one-hot.

    Blocks of any widths are handled at once: the logits are gathered into a padded
    `(n, n_blocks, max_width)` tensor whose padding is -1e9, so one softmax covers all blocks.

    Args:
        block_widths: list of block widths (each >= 1), summing to the input width.
        temperature: `tau` > 0. Default 0.5.
        straight_through: see above. Default False.
        seed: seed of the Gumbel noise. Default None.

    Input shape:
        `(n, sum(block_widths))` logits.

    Output shape:
        `(n, sum(block_widths))`, each block summing to 1.
    """

    def __init__(self, block_widths, temperature=0.5, straight_through=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        widths = [int(w) for w in block_widths]
        if not widths or min(widths) < 1:
            raise ValueError(
                f"Expected `block_widths` to be a non-empty list of integers >= 1. Received: {block_widths!r}"
            )
        if not temperature > 0:
            raise ValueError(f"Expected `temperature` to be a number > 0. Received: temperature={temperature!r}")
        self.block_widths = widths
        self.temperature = float(temperature)
        self.straight_through = bool(straight_through)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        total, max_width = sum(widths), max(widths)
        gather = np.full((len(widths), max_width), total, dtype=np.int32)  # index `total` = the padding column
        scatter = np.zeros(total, dtype=np.int32)
        start = 0
        for block, width in enumerate(widths):
            gather[block, :width] = np.arange(start, start + width)
            scatter[start : start + width] = block * max_width + np.arange(width)
            start += width
        self._gather = gather
        self._scatter = scatter

    def call(self, logits, training=False):
        n = ops.shape(logits)[0]
        padded = ops.concatenate([logits, ops.full((n, 1), -1e9, dtype=logits.dtype)], axis=1)
        blocks = ops.take(padded, self._gather, axis=1)  # (n, n_blocks, max_width)
        uniform = keras.random.uniform(ops.shape(blocks), 1e-6, 1.0 - 1e-6, seed=self.seed_generator)
        perturbed = blocks - ops.log(-ops.log(uniform))
        if training:
            soft = ops.softmax(perturbed / self.temperature, axis=-1)
            if self.straight_through:
                hard = ops.one_hot(ops.argmax(soft, axis=-1), blocks.shape[-1], dtype=soft.dtype)
                soft = soft + ops.stop_gradient(hard - soft)
        else:
            soft = ops.one_hot(ops.argmax(perturbed, axis=-1), blocks.shape[-1], dtype=logits.dtype)
        flat = ops.reshape(soft, (n, -1))
        return ops.take(flat, self._scatter, axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            block_widths=self.block_widths,
            temperature=self.temperature,
            straight_through=self.straight_through,
            seed=self.seed,
        )
        return config


def _init(seed, offset):
    # Seeded per layer, so a config's seed fixes the weights without touching global state.
    return keras.initializers.GlorotUniform(seed=seed * 1000 + offset)


def build_generator(config, n_numeric, block_widths, num_classes):
    """The generator `[z (n, latent_dim), label (n, num_classes)] -> (n, n_numeric + sum(block_widths))`.

    Hidden layers: Dense -> BatchNormalization -> ReLU, `config.hidden_units` wide.

    Args:
        config: a `TabularGANConfig`.
        n_numeric: number of standardised numeric outputs (linear).
        block_widths: widths of the one-hot categorical blocks (Gumbel-softmax outputs).
        num_classes: number of class labels.
    """
    noise = keras.Input((config.latent_dim,), name="noise")
    label = keras.Input((num_classes,), name="label")
    h = layers.Concatenate(name="condition")([noise, label])
    for i, units in enumerate(config.hidden_units):
        h = layers.Dense(units, kernel_initializer=_init(config.seed, i), name=f"dense_{i}")(h)
        h = layers.BatchNormalization(name=f"batch_norm_{i}")(h)
        h = layers.ReLU(name=f"relu_{i}")(h)
    outputs = []
    if n_numeric:
        outputs.append(layers.Dense(n_numeric, kernel_initializer=_init(config.seed, 100), name="numeric")(h))
    if block_widths:
        logits = layers.Dense(sum(block_widths), kernel_initializer=_init(config.seed, 101), name="categorical_logits")(
            h
        )
        outputs.append(
            GumbelSoftmaxBlocks(
                block_widths, config.gumbel_temperature, config.straight_through, seed=config.seed, name="categorical"
            )(logits)
        )
    record = outputs[0] if len(outputs) == 1 else layers.Concatenate(name="record")(outputs)
    return keras.Model([noise, label], record, name="generator")


def build_discriminator(config, n_encoded, num_classes):
    """The discriminator `[record (n, n_encoded), label (n, num_classes)] -> (n, 1)` logits.

    Hidden layers: Dense -> LeakyReLU(0.2) -> Dropout(`config.dropout`), no normalisation (the
    WGAN-GP penalty is per sample, Gulrajani et al. section 4), no final activation.
    """
    record = keras.Input((n_encoded,), name="record")
    label = keras.Input((num_classes,), name="label")
    h = layers.Concatenate(name="condition")([record, label])
    for i, units in enumerate(config.hidden_units):
        h = layers.Dense(units, kernel_initializer=_init(config.seed, 200 + i), name=f"dense_{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"leaky_relu_{i}")(h)
        if config.dropout > 0:
            h = layers.Dropout(config.dropout, seed=config.seed, name=f"dropout_{i}")(h)
    logit = layers.Dense(1, kernel_initializer=_init(config.seed, 300), name="logit")(h)
    return keras.Model([record, label], logit, name="discriminator")
