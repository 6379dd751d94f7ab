"""`TabularGAN`: fit a conditional GAN on labelled records, then sample records of a chosen class.

The user-facing object around `ConditionalGAN`: it encodes the records (`TabularEncoder`), builds
the networks, trains them with Keras' `fit` and decodes what the generator draws. It saves to a
directory of native `.keras` and JSON files (no pickle).
"""

import json
import logging
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from timegan._atomic import atomic_path
from timegan._validation import Integer, validate
from timegan.rebalance.config import TabularGANConfig
from timegan.rebalance.encoding import TabularEncoder
from timegan.rebalance.model import ConditionalGAN
from timegan.rebalance.networks import GumbelSoftmaxBlocks, build_discriminator, build_generator

logger = logging.getLogger(__name__)


def check_labels(y, n_records):
    """Returns `y` as a 1-D NumPy array of `n_records` labels.

    Raises:
        ValueError: for a different length, a non-1-D `y` or missing labels.
    """
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_records:
        raise ValueError(f"Expected `y` of shape ({n_records},), one label per record. Received: shape={y.shape}")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError("Expected no missing labels in `y`. Received: NaN")
    if y.dtype.kind == "O" and any(label is None for label in y):
        raise ValueError("Expected no missing labels in `y`. Received: None")
    return y


def _as_label_list(classes):
    return [value.item() if isinstance(value, np.generic) else value for value in classes]


class TabularGAN:
    """A conditional GAN for tabular records with numeric and one-hot categorical columns.

    Args:
        config: a `TabularGANConfig`. Default: `TabularGANConfig()`.
        categorical: indices (or a boolean mask) of the categorical columns. Default None.
        categories: categories of the categorical columns, see `TabularEncoder`. Default "auto".

    Attributes (after `fit`):
        encoder: the fitted `TabularEncoder`.
        classes_: the sorted class labels.
        gan: the trained `ConditionalGAN` (`gan.generator`, `gan.discriminator`).
        history_: the `keras.callbacks.History.history` dict (d_loss, g_loss, d_accuracy per epoch).

    Example:
        >>> gan = TabularGAN(TabularGANConfig(steps=500)).fit(X, y)
        >>> new_patients = gan.sample(100, label=1)
    """

    def __init__(self, config=None, categorical=None, categories="auto"):
        if config is None:
            config = TabularGANConfig()
        if not isinstance(config, TabularGANConfig):
            raise TypeError(f"Expected `config` to be a TabularGANConfig. Received: {type(config).__name__}")
        self.config = config
        self.categorical = categorical
        self.categories = categories
        self.encoder = None
        self.classes_ = None
        self.gan = None
        self.history_ = None

    def fit(self, X, y, callbacks=None, verbose=0):
        """Trains the GAN for `config.steps` generator updates (rounded up to whole epochs of
        `n // (batch_size * discriminator_steps)` steps; the data pipeline repeats, so a class
        smaller than a batch is fine).

        Args:
            X: `(n, n_features)` records (array or DataFrame).
            y: `(n,)` class labels (one class is allowed: an unconditional GAN of that class).
            callbacks: optional list of Keras callbacks for `ConditionalGAN.fit`.
            verbose: Keras' `fit` verbosity. Default 0.

        Returns:
            self.

        Raises:
            ValueError: for mismatched `X`/`y`, no records, or bad values (see `TabularEncoder.fit`).
        """
        config = self.config
        self.encoder = TabularEncoder(self.categorical, config.clip_to_range, self.categories).fit(X)
        records = self.encoder.transform(X)
        y = check_labels(y, len(records))
        self.classes_, indices = np.unique(y, return_inverse=True)
        num_classes = len(self.classes_)
        labels = np.eye(num_classes, dtype=np.float32)[indices]
        generator = build_generator(config, self.encoder.n_numeric, self.encoder.block_widths, num_classes)
        discriminator = build_discriminator(config, self.encoder.n_encoded, num_classes)
        self.gan = ConditionalGAN(generator, discriminator, config)
        self.gan.compile()
        dataset = self._dataset(records, labels, indices)
        per_element = config.batch_size * config.discriminator_steps
        steps_per_epoch = min(config.steps, max(1, len(records) // per_element))
        epochs = -(-config.steps // steps_per_epoch)
        history = self.gan.fit(
            dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=callbacks, verbose=verbose, shuffle=False
        )
        self.history_ = history.history
        logger.info(
            "Trained %d steps on %d records of %d classes: d_loss %.3f, g_loss %.3f, d_accuracy %.3f",
            epochs * steps_per_epoch,
            len(records),
            num_classes,
            self.history_["d_loss"][-1],
            self.history_["g_loss"][-1],
            self.history_["d_accuracy"][-1],
        )
        return self

    def _dataset(self, records, labels, indices):
        config = self.config
        per_element = config.batch_size * config.discriminator_steps
        if config.balanced_batches and labels.shape[1] > 1:
            # Training-by-sampling in the spirit of CTGAN (Xu et al., NeurIPS 2019, section 4.3):
            # each class fills an equal share of the batches, however rare it is.
            parts = [
                tf.data.Dataset.from_tensor_slices((records[indices == k], labels[indices == k]))
                .shuffle(int((indices == k).sum()), seed=config.seed + k, reshuffle_each_iteration=True)
                .repeat()
                for k in range(labels.shape[1])
            ]
            dataset = tf.data.Dataset.sample_from_datasets(parts, seed=config.seed)
        else:
            dataset = (
                tf.data.Dataset.from_tensor_slices((records, labels))
                .shuffle(len(records), seed=config.seed, reshuffle_each_iteration=True)
                .repeat()
            )
        return dataset.batch(per_element, drop_remainder=True).prefetch(tf.data.AUTOTUNE)

    def _check_fitted(self):
        if self.gan is None:
            raise ValueError("This TabularGAN is not fitted yet: call fit(X, y) first.")

    def sample(self, n, label, seed=None, encoded=False):
        """Draws `n` records of class `label`.

        Args:
            n: number of records (integer >= 1).
            label: one of `classes_`.
            seed: optional integer; the same seed gives the same records. Default None: the
                model's own random stream (each call gives new records).
            encoded: return the encoded rows `(n, n_encoded)` (categorical blocks one-hot) instead
                of decoded records. Default False.

        Returns:
            `(n, n_features)` records (float64, or object when categories are strings), or the
            encoded float32 rows.

        Raises:
            ValueError: if not fitted, `n` < 1, or `label` is not a class seen by `fit`.
        """
        self._check_fitted()
        n = validate(n, "n", Integer(1))
        matches = np.flatnonzero(self.classes_ == label)
        if len(matches) != 1:
            raise ValueError(
                f"Unknown label. Expected one of {_as_label_list(self.classes_)}. Received: label={label!r}"
            )
        rows = generate(
            self.gan.generator,
            self.config.latent_dim,
            int(n),
            int(matches[0]),
            len(self.classes_),
            seed=seed,
            seed_generator=self.gan.seed_generator,
        )
        return rows if encoded else self.encoder.inverse_transform(rows)

    def save(self, path):
        """Saves the generator, the encoder's statistics, the config and the classes to directory `path`.

        Writes `generator.keras`, `encoder.json`, `config.json`, `classes.json` atomically.

        Raises:
            ValueError: if not fitted.
        """
        self._check_fitted()
        with atomic_path(path) as tmp:
            tmp.mkdir()
            self.gan.generator.save(tmp / "generator.keras")
            (tmp / "encoder.json").write_text(json.dumps(self.encoder.to_dict(), indent=2))
            (tmp / "config.json").write_text(json.dumps(self.config.to_dict(), indent=2))
            (tmp / "classes.json").write_text(json.dumps(_as_label_list(self.classes_)))
        return Path(path)

    @classmethod
    def load(cls, path):
        """Loads a `TabularGAN` saved by `save` (safe mode); it can `sample`, not train further.

        Raises:
            OSError: if a file is missing.
        """
        path = Path(path)
        for name in ("generator.keras", "encoder.json", "config.json", "classes.json"):
            if not (path / name).is_file():
                raise OSError(f"No {name} in {str(path)!r}: not a directory written by TabularGAN.save.")
        config = TabularGANConfig.from_dict(json.loads((path / "config.json").read_text()))
        model = cls(config)
        model.encoder = TabularEncoder.from_dict(json.loads((path / "encoder.json").read_text()))
        model.categorical = model.encoder.state["categorical_columns"]
        model.classes_ = np.asarray(json.loads((path / "classes.json").read_text()))
        generator = keras.saving.load_model(path / "generator.keras", compile=False, safe_mode=True)
        discriminator = build_discriminator(config, model.encoder.n_encoded, len(model.classes_))
        model.gan = ConditionalGAN(generator, discriminator, config)
        return model


def generate(generator, latent_dim, n, class_index, num_classes, seed=None, seed_generator=None, batch_size=2048):
    """Runs a tabular generator in inference mode on `n` noise vectors of one class.

    Args:
        generator: a model from `build_generator`.
        latent_dim: its noise size.
        n: number of rows.
        class_index: index of the class in `[0, num_classes)`.
        num_classes: number of classes the generator was trained on.
        seed: optional integer: noise and categorical draws are then reproducible.
        seed_generator: the stream used when `seed` is None.
        batch_size: rows per forward pass. Default 2048.

    Returns:
        float32 `(n, n_encoded)` encoded rows; categorical blocks exactly one-hot.
    """
    if seed is not None:
        seed_generator = keras.random.SeedGenerator(int(seed))
        for layer in generator.layers:
            if isinstance(layer, GumbelSoftmaxBlocks):
                layer.seed_generator.state.assign(np.asarray([int(seed), 0], dtype=np.int64))
    label = np.zeros((1, num_classes), dtype=np.float32)
    label[0, class_index] = 1.0
    outputs = []
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start)
        noise = keras.random.normal((size, latent_dim), seed=seed_generator)
        labels = ops.convert_to_tensor(np.repeat(label, size, axis=0))
        outputs.append(ops.convert_to_numpy(generator([noise, labels], training=False)))
    return np.concatenate(outputs).astype(np.float32)
