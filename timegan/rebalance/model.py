"""`ConditionalGAN`: the `keras.Model` that trains the tabular generator against its discriminator.

Follows the Keras guide "Customizing what happens in fit()" (GAN section) and the project's
`timegan.images.gan.ImageGAN`: each `train_step` runs `discriminator_steps` discriminator
updates, each on its own slice of real records, then one generator update; one `GradientTape`
and an explicit variable list per update.
"""

import logging

import keras
import tensorflow as tf
from keras import ops

from timegan.images import losses
from timegan.images.gan import _apply

logger = logging.getLogger(__name__)


class ConditionalGAN(keras.Model):
    """A class-conditional GAN on encoded records.

    Args:
        generator: model `[z, label_one_hot] -> record`, from `build_generator`.
        discriminator: model `[record, label_one_hot] -> (n, 1)` logits, from `build_discriminator`.
        config: the `TabularGANConfig` the networks were built from.

    Training data (for `fit`) yields `(records, labels_one_hot)` batches of
    `discriminator_steps * batch_size` rows (see `TabularGAN.fit`).
    """

    def __init__(self, generator, discriminator, config, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.config = config
        self.seed_generator = keras.random.SeedGenerator(config.seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_accuracy_tracker = keras.metrics.Mean(name="d_accuracy")

    def compile(self, **kwargs):
        """Creates one Adam optimizer per network from the config; resets the traced train step."""
        kwargs.setdefault("jit_compile", False)
        super().compile(**kwargs)
        config = self.config
        self.generator_optimizer = keras.optimizers.Adam(config.learning_rate, config.beta_1, config.beta_2)
        self.discriminator_optimizer = keras.optimizers.Adam(config.learning_rate, config.beta_1, config.beta_2)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_accuracy_tracker]

    def call(self, inputs, training=False):
        """Runs the generator on `[z, label_one_hot]`."""
        return self.generator(inputs, training=training)

    def _noise(self, batch_size):
        return keras.random.normal((batch_size, self.config.latent_dim), seed=self.seed_generator)

    def discriminator_step(self, real, labels):
        """One discriminator update on real records and as many fakes with the same labels.

        Returns:
            `(d_loss, accuracy)`: the loss without penalty and the share of real and fake records
            the discriminator classified right (logit > 0 means real).
        """
        config = self.config
        batch_size = ops.shape(real)[0]
        fake = self.generator([self._noise(batch_size), labels], training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator([real, labels], training=True)
            fake_logits = self.discriminator([fake, labels], training=True)
            d_loss = losses.discriminator_loss(config.loss, real_logits, fake_logits)
            total = d_loss
            if config.loss == "wgan-gp":
                weights = keras.random.uniform((batch_size, 1), 0.0, 1.0, seed=self.seed_generator)
                mixed = losses.interpolate(real, fake, weights)
                with tf.GradientTape() as inner:
                    inner.watch(mixed)
                    mixed_logits = self.discriminator([mixed, labels], training=True)
                total = d_loss + config.gp_weight * losses.gradient_penalty(inner.gradient(mixed_logits, mixed))
        _apply(self.discriminator_optimizer, tape, total, self.discriminator.trainable_weights, "discriminator")
        if config.loss == "wgan-gp":
            # A critic's scores have no threshold; compare each score with the batch's mean instead.
            threshold = 0.5 * (ops.mean(real_logits) + ops.mean(fake_logits))
        else:
            threshold = 0.0
        accuracy = 0.5 * (
            ops.mean(ops.cast(real_logits > threshold, "float32"))
            + ops.mean(ops.cast(fake_logits <= threshold, "float32"))
        )
        return d_loss, accuracy

    def generator_step(self, labels):
        """One generator update on fakes with the given one-hot labels; returns the generator loss."""
        noise = self._noise(ops.shape(labels)[0])
        with tf.GradientTape() as tape:
            fake = self.generator([noise, labels], training=True)
            fake_logits = self.discriminator([fake, labels], training=True)
            g_loss = losses.generator_loss(self.config.loss, fake_logits)
        _apply(self.generator_optimizer, tape, g_loss, self.generator.trainable_weights, "generator")
        return g_loss

    def train_step(self, data):
        records, labels = data
        steps = self.config.discriminator_steps
        batch_size = ops.shape(records)[0] // steps
        d_losses, accuracies = [], []
        for step in range(steps):
            chunk = slice(step * batch_size, (step + 1) * batch_size)
            d_loss, accuracy = self.discriminator_step(records[chunk], labels[chunk])
            d_losses.append(d_loss)
            accuracies.append(accuracy)
        g_loss = self.generator_step(labels[chunk])
        self.d_loss_tracker.update_state(ops.mean(ops.stack(d_losses)))
        self.g_loss_tracker.update_state(g_loss)
        self.d_accuracy_tracker.update_state(ops.mean(ops.stack(accuracies)))
        return {metric.name: metric.result() for metric in self.metrics}
