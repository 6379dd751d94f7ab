"""`ImageGAN`: one `keras.Model` that trains any generator/discriminator pair with any loss.

Follows the Keras guide "Customizing what happens in fit()" (GAN section): `train_step` runs
`discriminator_steps` discriminator updates, each on its own slice of real images, then one
generator update. Each update has its own `GradientTape` and an explicit variable list, so a
discriminator update never touches the generator's weights and vice versa.
"""

import logging
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from timegan._atomic import atomic_path
from timegan.images import losses
from timegan.images.optimizers import optimizers_from_config

logger = logging.getLogger(__name__)


def _final_activation(model):
    layer = model.layers[-1]
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None)


def _apply(optimizer, tape, loss, variables, network):
    gradients = tape.gradient(loss, variables)
    missing = [variable.path for variable, gradient in zip(variables, gradients) if gradient is None]
    if missing:
        raise ValueError(f"The {network} loss has no gradient for {missing}: the {network} is not wired to its loss.")
    optimizer.apply_gradients(zip(gradients, variables))


class ImageGAN(keras.Model):
    """A GAN for images with the loss, `k` and conditioning of an `ImageGANConfig`.

    Args:
        generator: model `z` (or `[z, label]`) -> images in [-1, 1], e.g. from `build_generator`.
        discriminator: model images (or `[images, label]`) -> `(n, 1)` logits, no final activation.
        config: the `ImageGANConfig` the networks were built from.

    Raises:
        ValueError: if the discriminator ends in an activation (the losses take logits, and a
            Wasserstein critic must not be squashed into (0, 1)), or the networks' shapes do not
            match `config`.

    Training data (for `fit`) is a `tf.data.Dataset` of image batches, or of `(images, labels)`
    for a conditional model, whose batch size is `discriminator_steps * batch_size` (see
    `make_dataset`): each discriminator step takes its own slice.
    """

    def __init__(self, generator, discriminator, config, **kwargs):
        super().__init__(**kwargs)
        activation = _final_activation(discriminator)
        if activation not in (None, "linear"):
            raise ValueError(
                f"Expected the discriminator to output logits (no final activation) for loss={config.loss!r}. "
                f"Received: final activation {activation!r} in layer {discriminator.layers[-1].name!r}"
            )
        expected_inputs = 2 if config.conditional else 1
        for network in (generator, discriminator):
            if len(network.inputs) != expected_inputs:
                raise ValueError(
                    f"Expected the {network.name} to take {expected_inputs} input(s) for conditional={config.conditional}. "
                    f"Received: {len(network.inputs)} inputs"
                )
        if tuple(generator.outputs[0].shape[1:]) != config.image_shape:
            raise ValueError(
                f"Expected generator images of shape {config.image_shape}. Received: {tuple(generator.outputs[0].shape[1:])}"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.config = config
        self.seed_generator = keras.random.SeedGenerator(config.seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.gp_tracker = keras.metrics.Mean(name="gp") if config.loss == "wgan-gp" else None

    def compile(self, generator_optimizer=None, discriminator_optimizer=None, **kwargs):
        """Sets the optimizers (default: those of the config) and resets the traced train step.

        Args:
            generator_optimizer: optional `keras.optimizers.Optimizer`.
            discriminator_optimizer: optional `keras.optimizers.Optimizer`.
            **kwargs: passed to `keras.Model.compile` (e.g. `jit_compile`).
        """
        kwargs.setdefault("jit_compile", False)
        super().compile(**kwargs)
        default_g, default_d = optimizers_from_config(self.config)
        self.generator_optimizer = generator_optimizer or default_g
        self.discriminator_optimizer = discriminator_optimizer or default_d

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker]
        return trackers + ([self.gp_tracker] if self.gp_tracker is not None else [])

    def call(self, inputs, training=False):
        """Runs the generator on `z` (or `[z, label]`)."""
        return self.generator(inputs, training=training)

    def _noise(self, batch_size):
        return keras.random.normal((batch_size, self.config.latent_dim), seed=self.seed_generator)

    def _with_labels(self, tensor, labels):
        return [tensor, labels] if self.config.conditional else tensor

    def _check_labels(self, labels):
        if self.config.conditional and labels is None:
            raise ValueError("A conditional GAN needs labels: pass (images, labels) batches or labels=...")
        if not self.config.conditional and labels is not None:
            raise ValueError("Labels were given to a GAN with conditional=False; rebuild it with conditional=True.")

    def discriminator_step(self, real, labels=None):
        """One discriminator (critic) update on a batch of real images and as many fakes.

        Args:
            real: `(n, h, w, c)` real images in [-1, 1].
            labels: `(n,)` int labels, for a conditional model (fakes get the same labels).

        Returns:
            `(d_loss, gradient_penalty)`; the penalty is 0 unless `loss="wgan-gp"`.
        """
        self._check_labels(labels)
        config = self.config
        batch_size = ops.shape(real)[0]
        fake = self.generator(self._with_labels(self._noise(batch_size), labels), training=True)
        with tf.GradientTape() as tape:
            # Real and fake batches go through separately: batch-level features (minibatch
            # discrimination) must compare fakes with fakes and reals with reals.
            real_logits = self.discriminator(self._with_labels(real, labels), training=True)
            fake_logits = self.discriminator(self._with_labels(fake, labels), training=True)
            d_loss = losses.discriminator_loss(config.loss, real_logits, fake_logits)
            penalty = ops.zeros(())
            if config.loss == "wgan-gp":
                weights = self.interpolation_weights(batch_size)
                mixed = losses.interpolate(real, fake, weights)
                with tf.GradientTape() as inner:
                    inner.watch(mixed)
                    mixed_logits = self.discriminator(self._with_labels(mixed, labels), training=True)
                penalty = losses.gradient_penalty(inner.gradient(mixed_logits, mixed), config.gp_epsilon)
                d_loss_total = d_loss + config.gp_weight * penalty
            else:
                d_loss_total = d_loss
        _apply(self.discriminator_optimizer, tape, d_loss_total, self.discriminator.trainable_weights, "discriminator")
        if config.loss == "wgan":
            for variable in self.discriminator.trainable_weights:
                variable.assign(ops.clip(variable, -config.clip_value, config.clip_value))
        return d_loss, penalty

    def interpolation_weights(self, batch_size):
        """Per-sample WGAN-GP interpolation weights, uniform in [0, 1], shape `(n, 1, 1, 1)`."""
        shape = (batch_size,) + (1,) * len(self.config.image_shape)
        return keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator)

    def generator_step(self, batch_size, labels=None):
        """One generator update on `batch_size` fakes; returns the generator loss.

        Args:
            batch_size: number of fakes (int or scalar tensor).
            labels: `(batch_size,)` int labels, for a conditional model.
        """
        self._check_labels(labels)
        noise = self._noise(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(self._with_labels(noise, labels), training=True)
            fake_logits = self.discriminator(self._with_labels(fake, labels), training=True)
            g_loss = losses.generator_loss(self.config.loss, fake_logits)
        _apply(self.generator_optimizer, tape, g_loss, self.generator.trainable_weights, "generator")
        return g_loss

    def train_step(self, data):
        if isinstance(data, (tuple, list)):
            images, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            images, labels = data, None
        self._check_labels(labels)
        steps = self.config.discriminator_steps
        batch_size = ops.shape(images)[0] // steps
        d_losses, penalties = [], []
        for step in range(steps):
            chunk = slice(step * batch_size, (step + 1) * batch_size)
            chunk_labels = None if labels is None else labels[chunk]
            d_loss, penalty = self.discriminator_step(images[chunk], chunk_labels)
            d_losses.append(d_loss)
            penalties.append(penalty)
        g_loss = self.generator_step(batch_size, chunk_labels)
        self.d_loss_tracker.update_state(ops.mean(ops.stack(d_losses)))
        self.g_loss_tracker.update_state(g_loss)
        if self.gp_tracker is not None:
            self.gp_tracker.update_state(ops.mean(ops.stack(penalties)))
        return {metric.name: metric.result() for metric in self.metrics}

    def generate(self, num_samples=None, labels=None, noise=None, batch_size=500):
        """Generates images in [-1, 1] with the generator in inference mode.

        Args:
            num_samples: number of images (ignored when `noise` is given).
            labels: `(n,)` int labels, required for (and only for) a conditional model.
            noise: optional `(n, latent_dim)` noise; default: drawn from this model's seed generator.
            batch_size: images per forward pass. Default 500.

        Returns:
            `np.ndarray` `(n, h, w, c)` float32.
        """
        return generate_images(self.generator, self.config, num_samples, labels, noise, batch_size, self.seed_generator)


def generate_images(generator, config, num_samples=None, labels=None, noise=None, batch_size=500, seed=None):
    """Generates images from a (possibly reloaded) generator; see `ImageGAN.generate`.

    Raises:
        ValueError: missing labels for a conditional generator, labels for an unconditional one,
            labels out of range, or noise of the wrong shape.
    """
    if noise is None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
            raise ValueError(f"Expected `num_samples` to be an integer >= 1. Received: num_samples={num_samples!r}")
        noise = keras.random.normal((num_samples, config.latent_dim), seed=seed)
    noise = np.asarray(noise, dtype=np.float32)
    if noise.ndim != 2 or noise.shape[1] != config.latent_dim:
        raise ValueError(f"Expected noise of shape (n, {config.latent_dim}). Received: shape={noise.shape}")
    if config.conditional:
        if labels is None:
            raise ValueError("This generator is conditional: pass `labels` (one class index per sample).")
        labels = np.asarray(labels)
        if labels.shape != (len(noise),) or labels.min() < 0 or labels.max() >= config.num_classes:
            raise ValueError(
                f"Expected {len(noise)} labels in [0, {config.num_classes - 1}]. "
                f"Received: shape={labels.shape}, range=[{labels.min()}, {labels.max()}]"
            )
        labels = labels.astype(np.int32)
    elif labels is not None:
        raise ValueError("This generator is not conditional: `labels` must be None.")
    outputs = []
    for start in range(0, len(noise), batch_size):
        part = ops.convert_to_tensor(noise[start : start + batch_size])
        inputs = [part, ops.convert_to_tensor(labels[start : start + batch_size])] if config.conditional else part
        outputs.append(ops.convert_to_numpy(generator(inputs, training=False)))
    return np.concatenate(outputs)


def save_generator(generator, path):
    """Saves a generator as a native `.keras` file atomically.

    Raises:
        ValueError: if `path` does not end in `.keras`.
    """
    if Path(path).suffix != ".keras":
        raise ValueError(f"Expected a path ending in '.keras'. Received: path={str(path)!r}")
    with atomic_path(path) as tmp:
        generator.save(tmp)


def load_generator(path):
    """Loads a generator saved by `save_generator` (custom layers are registered).

    Raises:
        OSError: if the file does not exist.
    """
    import timegan.images.layers  # noqa: F401  (registers the custom layers)

    path = Path(path)
    if not path.is_file():
        raise OSError(f"No generator file at {str(path)!r}.")
    return keras.saving.load_model(path, compile=False)


def make_dataset(images, labels, batch_size, discriminator_steps, seed, conditional):
    """The `tf.data` pipeline for `ImageGAN.fit`, built once.

    Args:
        images: float32 `(n, h, w, c)` in [-1, 1].
        labels: `(n,)` int labels (used only if `conditional`).
        batch_size: images per discriminator step.
        discriminator_steps: `k`; each element holds `k * batch_size` images.
        seed: shuffling seed (reshuffled each epoch).
        conditional: yield `(images, labels)` instead of images.

    Returns:
        A `tf.data.Dataset` dropping the last incomplete element.

    Raises:
        ValueError: if there are fewer images than one element needs, or conditional without labels.
    """
    per_element = batch_size * discriminator_steps
    if len(images) < per_element:
        raise ValueError(
            f"Expected at least batch_size * discriminator_steps = {per_element} training images. "
            f"Received: {len(images)} images"
        )
    if conditional:
        if labels is None:
            raise ValueError("conditional=True needs labels; the dataset has none.")
        dataset = tf.data.Dataset.from_tensor_slices((images, np.asarray(labels, dtype=np.int32)))
    else:
        dataset = tf.data.Dataset.from_tensor_slices(images)
    dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(per_element, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
