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
from timegan._validation import Integer, check_gradients, validate
from timegan.images import losses
from timegan.images.optimizers import optimizers_from_config

logger = logging.getLogger(__name__)


def _final_activation(model):
    layer = model.layers[-1]
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None)


def _apply(optimizer, tape, loss, variables, network):
    optimizer.apply_gradients(check_gradients(tape.gradient(loss, variables), variables, network))


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

    With `config.ema_decay` set, `ema_generator` holds an exponential moving average of the
    generator's weights, updated after every generator step (`update_ema`); it is the
    `sampling_generator` that `generate`, `call` and the run directory use.

    With `config.mode_seeking_weight` set, each generator step draws its batch as two halves
    with their own noise and the same labels and adds the mode-seeking term between them (Mao
    et al. 2019; `generator_step`). The term uses only the step's own batch (no cross-replica
    reduction); `fit` under a `tf.distribute` strategy is not supported by this class, with or
    without it (Keras' symbolic build calls the model on images).

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
        label_input = config.conditional and config.conditioning != "acgan"
        for network, expected_inputs in ((generator, 2 if config.conditional else 1), (discriminator, 1 + label_input)):
            if len(network.inputs) != expected_inputs:
                raise ValueError(
                    f"Expected the {network.name} to take {expected_inputs} input(s) for conditional={config.conditional}, "
                    f"conditioning={config.conditioning!r}. Received: {len(network.inputs)} inputs"
                )
        expected_outputs = 1 + (config.num_classes if self._acgan(config) else 0)
        if discriminator.outputs[0].shape[-1] != expected_outputs:
            raise ValueError(
                f"Expected the discriminator to output {expected_outputs} logit(s) per sample. "
                f"Received: {discriminator.outputs[0].shape[-1]}"
            )
        if tuple(generator.outputs[0].shape[1:]) != config.image_shape:
            raise ValueError(
                f"Expected generator images of shape {config.image_shape}. Received: {tuple(generator.outputs[0].shape[1:])}"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.config = config
        self.seed_generator = keras.random.SeedGenerator(config.seed)
        self.ema_generator = None
        if config.ema_decay is not None:
            # The shadow weights live in a copy of the generator that no optimizer trains, so the
            # average is a complete Keras model: sampled, saved and loaded like the generator.
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_updates = keras.Variable(0, dtype="int64", trainable=False, name="ema_updates")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.gp_tracker = keras.metrics.Mean(name="gp") if config.loss == "wgan-gp" else None
        self.class_tracker = keras.metrics.Mean(name="class_loss") if self._acgan(config) else None
        self.mode_seeking_tracker = keras.metrics.Mean(name="mode_seeking") if config.mode_seeking_weight else None

    @staticmethod
    def _acgan(config):
        return config.conditional and config.conditioning == "acgan"

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
        trackers = [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.gp_tracker,
            self.class_tracker,
            self.mode_seeking_tracker,
        ]
        return [tracker for tracker in trackers if tracker is not None]

    @property
    def sampling_generator(self):
        """The generator to sample, save and evaluate: the weight average if `ema_decay` is set."""
        return self.generator if self.ema_generator is None else self.ema_generator

    def call(self, inputs, training=False):
        """Runs the sampling generator on `z` (or `[z, label]`)."""
        return self.sampling_generator(inputs, training=training)

    def _noise(self, batch_size):
        return keras.random.normal((batch_size, self.config.latent_dim), seed=self.seed_generator)

    def _with_labels(self, tensor, labels):
        return [tensor, labels] if self.config.conditional else tensor

    def _check_labels(self, labels):
        if self.config.conditional and labels is None:
            raise ValueError("A conditional GAN needs labels: pass (images, labels) batches or labels=...")
        if not self.config.conditional and labels is not None:
            raise ValueError("Labels were given to a GAN with conditional=False; rebuild it with conditional=True.")

    def pack(self, images):
        """Concatenates each group of `packing` consecutive images along the channel axis (PacGAN).

        Args:
            images: `(n, h, w, c)` with n a multiple of `config.packing`.

        Returns:
            `(n / m, h, w, m * c)`; the images themselves when `packing` is 1.
        """
        m = self.config.packing
        if m == 1:
            return images
        h, w, c = self.config.image_shape
        grouped = ops.reshape(images, (-1, m, h, w, c))
        return ops.reshape(ops.transpose(grouped, (0, 2, 3, 1, 4)), (-1, h, w, m * c))

    def discriminate(self, packed, labels=None, training=True):
        """The discriminator on packed images: `(source_logits (n, 1), class_logits (n, K) or None)`.

        Class logits exist only for `conditioning="acgan"`; the other conditional discriminators
        take the labels as a second input.
        """
        if self._acgan(self.config):
            outputs = self.discriminator(packed, training=training)
            return outputs[:, :1], outputs[:, 1:]
        return self.discriminator(self._with_labels(packed, labels), training=training), None

    def discriminator_step(self, real, labels=None):
        """One discriminator (critic) update on a batch of real images and as many fakes.

        Args:
            real: `(n, h, w, c)` real images in [-1, 1]; n a multiple of `config.packing`.
            labels: `(n,)` int labels, for a conditional model (fakes get the same labels).

        Returns:
            `(d_loss, gradient_penalty, class_loss)`: the adversarial loss, the penalty (0 unless
            `loss="wgan-gp"`) and the AC-GAN class cross-entropy on real plus fake images (0
            unless `conditioning="acgan"`).
        """
        self._check_labels(labels)
        config = self.config
        batch_size = ops.shape(real)[0]
        fake = self.generator(self._with_labels(self._noise(batch_size), labels), training=True)
        with tf.GradientTape() as tape:
            # Real and fake batches go through separately: batch-level features (minibatch
            # discrimination) must compare fakes with fakes and reals with reals.
            real_logits, real_classes = self.discriminate(self.pack(real), labels)
            fake_logits, fake_classes = self.discriminate(self.pack(fake), labels)
            d_loss = losses.discriminator_loss(config.loss, real_logits, fake_logits, config.label_smoothing)
            total = d_loss
            penalty = ops.zeros(())
            if config.loss == "wgan-gp":
                weights = self.interpolation_weights(batch_size)
                mixed = self.pack(losses.interpolate(real, fake, weights))
                with tf.GradientTape() as inner:
                    inner.watch(mixed)
                    mixed_logits, _ = self.discriminate(mixed, labels)
                penalty = losses.gradient_penalty(inner.gradient(mixed_logits, mixed), config.gp_epsilon)
                total = total + config.gp_weight * penalty
            class_loss = ops.zeros(())
            if real_classes is not None:
                class_loss = losses.class_loss(real_classes, labels) + losses.class_loss(fake_classes, labels)
                total = total + config.classifier_weight * class_loss
        _apply(self.discriminator_optimizer, tape, total, self.discriminator.trainable_weights, "discriminator")
        if config.loss == "wgan":
            for variable in self.discriminator.trainable_weights:
                variable.assign(ops.clip(variable, -config.clip_value, config.clip_value))
        return d_loss, penalty, class_loss

    def interpolation_weights(self, batch_size):
        """Per-sample WGAN-GP interpolation weights, uniform in [0, 1], shape `(n, 1, 1, 1)`."""
        shape = (batch_size,) + (1,) * len(self.config.image_shape)
        return keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator)

    def generator_step(self, batch_size, labels=None, noise=None):
        """One generator update on `batch_size` fakes; returns `(g_loss, mode_seeking)`.

        `g_loss` is the adversarial loss; for `conditioning="acgan"` it includes
        `classifier_weight` times the class cross-entropy of the fakes. With
        `config.mode_seeking_weight` lambda > 0 the generator minimises `g_loss + lambda *
        mode_seeking`, where `mode_seeking` is `losses.mode_seeking_loss` between the first and
        the second half of the batch (image i against image n/2 + i, Mao et al. 2019, eqs. 3-4);
        for a conditional model the halves must have the same labels (`paired_labels`, which
        `train_step` applies). Without the term `mode_seeking` is 0 and the update is the same
        as before the term existed.

        Args:
            batch_size: number of fakes (int or scalar tensor); a multiple of `config.packing`,
                and at least 2 with the mode-seeking term.
            labels: `(batch_size,)` int labels, for a conditional model.
            noise: optional `(batch_size, latent_dim)` noise; default: drawn from the seed generator.
        """
        self._check_labels(labels)
        config = self.config
        if noise is None:
            noise = self._noise(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(self._with_labels(noise, labels), training=True)
            fake_logits, fake_classes = self.discriminate(self.pack(fake), labels)
            g_loss = losses.generator_loss(config.loss, fake_logits)
            if fake_classes is not None:
                g_loss = g_loss + config.classifier_weight * losses.class_loss(fake_classes, labels)
            total = g_loss
            mode_seeking = ops.zeros(())
            if config.mode_seeking_weight:
                half = ops.shape(noise)[0] // 2
                first, second = slice(0, half), slice(half, 2 * half)
                mode_seeking = losses.mode_seeking_loss(
                    fake[first], fake[second], noise[first], noise[second], config.mode_seeking_epsilon
                )
                total = g_loss + config.mode_seeking_weight * mode_seeking
        _apply(self.generator_optimizer, tape, total, self.generator.trainable_weights, "generator")
        return g_loss, mode_seeking

    def paired_labels(self, labels):
        """The labels of a generator step: with the mode-seeking term, each noise pair shares one.

        Args:
            labels: `(n,)` int labels, or None for an unconditional model.

        Returns:
            `labels` itself without the term (or without labels); with it, the first half's
            labels followed by the first `n - n // 2` of them again, so that images i and
            n // 2 + i of the batch are drawn for the same class.
        """
        if labels is None or not self.config.mode_seeking_weight:
            return labels
        size = ops.shape(labels)[0]
        half = size // 2
        return ops.concatenate([labels[:half], labels[: size - half]], axis=0)

    def train_step(self, data):
        if isinstance(data, (tuple, list)):
            images, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            images, labels = data, None
        self._check_labels(labels)
        steps = self.config.discriminator_steps
        batch_size = ops.shape(images)[0] // steps
        d_losses, penalties, class_losses = [], [], []
        for step in range(steps):
            chunk = slice(step * batch_size, (step + 1) * batch_size)
            chunk_labels = None if labels is None else labels[chunk]
            d_loss, penalty, class_loss = self.discriminator_step(images[chunk], chunk_labels)
            d_losses.append(d_loss)
            penalties.append(penalty)
            class_losses.append(class_loss)
        noise = self._noise(batch_size)
        generator_labels = self.paired_labels(chunk_labels)
        g_loss, mode_seeking = self.generator_step(batch_size, generator_labels, noise)
        if self.ema_generator is not None:
            self.update_ema(noise, generator_labels)
        self.d_loss_tracker.update_state(ops.mean(ops.stack(d_losses)))
        self.g_loss_tracker.update_state(g_loss)
        if self.gp_tracker is not None:
            self.gp_tracker.update_state(ops.mean(ops.stack(penalties)))
        if self.class_tracker is not None:
            self.class_tracker.update_state(ops.mean(ops.stack(class_losses)))
        if self.mode_seeking_tracker is not None:
            self.mode_seeking_tracker.update_state(mode_seeking)
        return {metric.name: metric.result() for metric in self.metrics}

    def ema_decay_now(self):
        """The decay of the next average update: `min(ema_decay, (1 + t) / (10 + t))`, t its number.

        The warm-up term is that of TensorFlow's `tf.train.ExponentialMovingAverage` with
        `num_updates`: early updates average over few steps, so the initial weights fade quickly.
        """
        step = ops.cast(self.ema_updates + 1, "float32")
        return ops.minimum(self.config.ema_decay, (1.0 + step) / (10.0 + step))

    def update_ema(self, noise, labels=None):
        """Moves the averaged generator towards the generator after a generator update.

        Each trainable weight becomes `d * average + (1 - d) * weight`, `d = ema_decay_now()`
        (Yazici et al. 2019, section 3). The averaged generator's batch-norm moving statistics
        are its own: it runs once in training mode on the step's `noise` and `labels`, so they
        describe the activations of the averaged weights, not those of the raw generator (whose
        weights fluctuate around the average). Uses no random draw, so the raw generator trains
        exactly as without the average.

        Args:
            noise: `(n, latent_dim)` noise of the generator step.
            labels: `(n,)` int labels, for a conditional model.

        Raises:
            ValueError: if the model has no average (`ema_decay` is None).
        """
        if self.ema_generator is None:
            raise ValueError("update_ema needs a model with an averaged generator (ema_decay is None).")
        decay = self.ema_decay_now()
        for average, weight in zip(self.ema_generator.trainable_weights, self.generator.trainable_weights):
            average.assign(decay * average + (1.0 - decay) * weight)
        self.ema_updates.assign_add(1)
        self.ema_generator(self._with_labels(noise, labels), training=True)

    def label_logits(self, images, batch_size=500):
        """How the discriminator scores every label for each image: `(n, num_classes)`.

        For `"concat"` and `"projection"` column k is the real/fake logit `D(x, k)`; for
        `"acgan"` it is the auxiliary head's class logit. A discriminator that uses the label
        scores real images highest at their true class; one that ignores it gives equal columns.

        Args:
            images: `(n, h, w, c)` images in [-1, 1] (not packed; needs `packing=1`).
            batch_size: images per forward pass. Default 500.

        Raises:
            ValueError: for an unconditional or packed model.
        """
        if not self.config.conditional:
            raise ValueError("label_logits needs a conditional model (conditional=True).")
        images = np.asarray(images, np.float32)
        outputs = []
        for start in range(0, len(images), batch_size):
            part = ops.convert_to_tensor(images[start : start + batch_size])
            if self._acgan(self.config):
                _, classes = self.discriminate(part, training=False)
                outputs.append(ops.convert_to_numpy(classes))
                continue
            n = part.shape[0]
            columns = [
                self.discriminate(part, ops.full((n,), k, dtype="int32"), training=False)[0]
                for k in range(self.config.num_classes)
            ]
            outputs.append(ops.convert_to_numpy(ops.concatenate(columns, axis=1)))
        return np.concatenate(outputs)

    def generate(self, num_samples=None, labels=None, noise=None, batch_size=500):
        """Generates images in [-1, 1] with the sampling generator (the average, if any) in inference mode.

        Args:
            num_samples: number of images (ignored when `noise` is given).
            labels: `(n,)` int labels, required for (and only for) a conditional model.
            noise: optional `(n, latent_dim)` noise; default: drawn from this model's seed generator.
            batch_size: images per forward pass. Default 500.

        Returns:
            `np.ndarray` `(n, h, w, c)` float32.
        """
        return generate_images(
            self.sampling_generator, self.config, num_samples, labels, noise, batch_size, self.seed_generator
        )


def generate_images(generator, config, num_samples=None, labels=None, noise=None, batch_size=500, seed=None):
    """Generates images from a (possibly reloaded) generator; see `ImageGAN.generate`.

    Raises:
        ValueError: missing labels for a conditional generator, labels for an unconditional one,
            labels out of range, or noise of the wrong shape.
    """
    if noise is None:
        num_samples = validate(num_samples, "num_samples", Integer(1))
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
