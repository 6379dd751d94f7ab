"""The one factory for image-GAN generators and discriminators (MLP and DCGAN, optionally conditional).

Generators map `z` (and for conditional models an integer label) to images in [-1, 1] (tanh).
Discriminators map images (and labels) to one logit per image, with no final activation: every
loss in `losses.py` takes logits, and a Wasserstein critic must be unbounded.
"""

import logging
import math

import keras

from timegan.images.layers import HiddenNoise, MinibatchDiscrimination

logger = logging.getLogger(__name__)


def _inputs(config, shape, name):
    inputs = [keras.Input(shape, name=name)]
    if config.conditional:
        inputs.append(keras.Input((), dtype="int32", name="label"))
    return inputs


def _label_embedding(config, label, units, name):
    # Unit-variance class codes, on the scale of z and of the pixels: with Keras' default
    # uniform(-0.05, 0.05) the label was too faint and the networks learned to ignore it.
    init = keras.initializers.RandomNormal(stddev=1.0, seed=config.seed + 2)
    embedded = keras.layers.Embedding(config.num_classes, units, embeddings_initializer=init, name=name)(label)
    return keras.layers.Flatten(name=f"{name}_flat")(embedded) if len(embedded.shape) > 2 else embedded


def _single_or_list(inputs):
    return inputs[0] if len(inputs) == 1 else inputs


def _batch_norm(config, x, label, name):
    """Batch norm; with `config.conditional_batchnorm`, scale and shift looked up per class.

    `y = x_hat * gamma[label] + beta[label]` with `x_hat` normalized by batch statistics (de Vries
    et al. 2017; the generator of Miyato & Koyama 2018). `gamma` starts at 1 and `beta` at 0 for
    every class, i.e. as plain batch norm.
    """
    if not config.conditional_batchnorm:
        return keras.layers.BatchNormalization(name=name)(x)
    channels = x.shape[-1]
    x = keras.layers.BatchNormalization(center=False, scale=False, name=name)(x)
    broadcast = (1,) * (len(x.shape) - 2) + (channels,)
    gamma = keras.layers.Embedding(config.num_classes, channels, embeddings_initializer="ones", name=f"{name}_gamma")(
        label
    )
    beta = keras.layers.Embedding(config.num_classes, channels, embeddings_initializer="zeros", name=f"{name}_beta")(
        label
    )
    gamma = keras.layers.Reshape(broadcast, name=f"{name}_gamma_shape")(gamma)
    beta = keras.layers.Reshape(broadcast, name=f"{name}_beta_shape")(beta)
    x = keras.layers.Multiply(name=f"{name}_scale")([x, gamma])
    return keras.layers.Add(name=f"{name}_shift")([x, beta])


def _normalized(config, layer):
    # Spectral normalization of a discriminator layer (Miyato et al. 2018). Keras' wrapper divides
    # the kernel by its largest singular value in place at each training call.
    return keras.layers.SpectralNormalization(layer, name=f"{layer.name}_sn") if config.spectral_norm else layer


def build_generator(config):
    """Builds the generator described by `config` (an `ImageGANConfig`).

    Returns:
        A `keras.Model` named `"generator"`: `z (n, latent_dim)` or `[z, label (n,)]` ->
        `(n, image_size, image_size, channels)` in [-1, 1].
    """
    init = keras.initializers.GlorotUniform(seed=config.seed)
    inputs = _inputs(config, (config.latent_dim,), "z")
    x = inputs[0]
    if config.conditional and config.label_concat:
        x = keras.layers.Concatenate(name="z_label")(
            [x, _label_embedding(config, inputs[1], config.label_embedding_dim, "label_embedding")]
        )
    if config.architecture == "mlp":
        for index, units in enumerate(config.hidden_units):
            x = keras.layers.Dense(units, kernel_initializer=init, name=f"dense{index}")(x)
            x = keras.layers.ReLU(name=f"relu{index}")(x)
            if index == 0 and config.noise_layer:
                x = HiddenNoise(config.noise_units, seed=config.seed, name="hidden_noise")(x)
        x = keras.layers.Dense(
            math.prod(config.image_shape), activation="tanh", kernel_initializer=init, name="output"
        )(x)
        outputs = keras.layers.Reshape(config.image_shape, name="image")(x)
    else:
        side = config.image_size // 4
        x = keras.layers.Dense(
            side * side * 2 * config.filters, use_bias=False, kernel_initializer=init, name="project"
        )(x)
        label = inputs[1] if config.conditional else None
        x = _batch_norm(config, x, label, "project_bn")
        x = keras.layers.ReLU(name="project_relu")(x)
        x = keras.layers.Reshape((side, side, 2 * config.filters), name="reshape")(x)
        if config.noise_layer:
            x = HiddenNoise(config.noise_units, seed=config.seed, name="hidden_noise")(x)
        x = keras.layers.Conv2DTranspose(
            config.filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=init, name="deconv0"
        )(x)
        x = _batch_norm(config, x, label, "deconv0_bn")
        x = keras.layers.ReLU(name="deconv0_relu")(x)
        outputs = keras.layers.Conv2DTranspose(
            config.channels, 4, strides=2, padding="same", activation="tanh", kernel_initializer=init, name="image"
        )(x)
    return keras.Model(_single_or_list(inputs), outputs, name="generator")


def build_discriminator(config):
    """Builds the discriminator (critic) described by `config` (an `ImageGANConfig`).

    A body `phi` (MLP or strided convolutions, then optional minibatch discrimination) maps the
    input to features; the head depends on `config.conditioning`:

    - unconditional or `"concat"`: `Dense(1)(phi(x))`; with `"concat"` the label embedding is
      part of the input (joined to the flattened image, or one extra image channel for the DCGAN).
    - `"projection"`: `Dense(1)(phi(x)) + embed(y) . phi(x)` (Miyato & Koyama 2018, eq. 3).
    - `"acgan"`: image only in, `Dense(1 + num_classes)(phi(x))` out: the real/fake logit in
      column 0, the class logits after it (Odena et al. 2017).

    With `config.packing = m` the input holds m images concatenated along the channel axis
    (PacGAN, Lin et al. 2018); `ImageGAN` does the packing.

    Returns:
        A `keras.Model` named `"discriminator"`: images `(n, image_size, image_size, channels *
        packing)` (or `[images, label (n,)]` for `"concat"` and `"projection"`) -> logits `(n, 1)`,
        or `(n, 1 + num_classes)` for `"acgan"`.
    """
    init = keras.initializers.GlorotUniform(seed=config.seed + 1)
    conditioning = config.conditioning if config.conditional else None
    inputs = [keras.Input(config.discriminator_input_shape, name="image")]
    if conditioning in ("concat", "projection"):
        inputs.append(keras.Input((), dtype="int32", name="label"))
    x = inputs[0]
    if config.architecture == "mlp":
        x = keras.layers.Flatten(name="flatten")(x)
        if conditioning == "concat":
            x = keras.layers.Concatenate(name="image_label")(
                [x, _label_embedding(config, inputs[1], config.label_embedding_dim, "label_embedding")]
            )
        for index, units in enumerate(reversed(config.hidden_units)):
            x = _normalized(config, keras.layers.Dense(units, kernel_initializer=init, name=f"dense{index}"))(x)
            x = keras.layers.LeakyReLU(config.leaky_slope, name=f"leaky{index}")(x)
            if config.dropout:
                x = keras.layers.Dropout(config.dropout, seed=config.seed, name=f"dropout{index}")(x)
    else:
        if conditioning == "concat":
            # The label becomes one extra image channel, so the first convolution sees it everywhere.
            side = config.image_size
            plane = _label_embedding(config, inputs[1], side * side, "label_embedding")
            plane = keras.layers.Reshape((side, side, 1), name="label_plane")(plane)
            x = keras.layers.Concatenate(name="image_label")([x, plane])
        for index, filters in enumerate((config.filters, 2 * config.filters)):
            x = _normalized(
                config,
                keras.layers.Conv2D(
                    filters, 4, strides=2, padding="same", kernel_initializer=init, name=f"conv{index}"
                ),
            )(x)
            x = keras.layers.LeakyReLU(config.leaky_slope, name=f"leaky{index}")(x)
            if config.dropout:
                x = keras.layers.Dropout(config.dropout, seed=config.seed, name=f"dropout{index}")(x)
        x = keras.layers.Flatten(name="flatten")(x)
    if config.minibatch_discrimination:
        x = MinibatchDiscrimination(
            config.minibatch_kernels, config.minibatch_kernel_dim, seed=config.seed, name="minibatch_discrimination"
        )(x)
    if conditioning == "acgan":
        outputs = _normalized(
            config, keras.layers.Dense(1 + config.num_classes, kernel_initializer=init, name="logit")
        )(x)
    elif conditioning == "projection":
        # The class embedding has phi(x)'s width; its inner product with phi(x) is the class term
        # of the log density ratio. Initialized small so the first steps are the unconditional GAN's.
        embed_init = keras.initializers.RandomNormal(stddev=0.02, seed=config.seed + 3)
        embedded = keras.layers.Embedding(
            config.num_classes, x.shape[-1], embeddings_initializer=embed_init, name="label_projection"
        )(inputs[1])
        projection = keras.layers.Dot(axes=1, name="projection")([x, embedded])
        unconditional = _normalized(config, keras.layers.Dense(1, kernel_initializer=init, name="unconditional_logit"))(
            x
        )
        outputs = keras.layers.Add(name="logit")([unconditional, projection])
    else:
        outputs = _normalized(config, keras.layers.Dense(1, kernel_initializer=init, name="logit"))(x)
    return keras.Model(_single_or_list(inputs), outputs, name="discriminator")
