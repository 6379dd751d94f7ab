"""The evaluation classifier: a small CNN whose features and class probabilities score generators.

One classifier per dataset is trained by `scripts/train_image_classifier.py` and shipped as package
data (`timegan/images/classifiers/<dataset>.keras`), so evaluation works without training first.
Its penultimate layer (`"features"`) is the feature space of the Frechet distance.
"""

import logging
from pathlib import Path

import keras
import numpy as np

from timegan._atomic import atomic_path
from timegan.images.data import NUM_CLASSES, check_dataset_name

logger = logging.getLogger(__name__)

FEATURES_LAYER = "features"
CLASSIFIER_DIR = Path(__file__).resolve().parent / "classifiers"


def build_classifier(image_size=28, num_classes=NUM_CLASSES, feature_units=64, seed=0):
    """Builds the evaluation CNN (logits output; inputs scaled to [-1, 1]).

    Args:
        image_size: side of the square single-channel input. Default 28.
        num_classes: number of classes. Default 10.
        feature_units: width of the penultimate `"features"` layer. Default 64.
        seed: seed of the weight initializers. Default 0.

    Returns:
        An uncompiled `keras.Model` mapping `(n, image_size, image_size, 1)` to `(n, num_classes)` logits.
    """
    init = keras.initializers.GlorotUniform(seed=seed)
    inputs = keras.Input((image_size, image_size, 1), name="image")
    x = inputs
    for index, filters in enumerate((32, 64, 64)):
        x = keras.layers.Conv2D(filters, 3, padding="same", kernel_initializer=init, name=f"conv{index}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{index}")(x)
        x = keras.layers.ReLU(name=f"relu{index}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{index}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(feature_units, activation="relu", kernel_initializer=init, name=FEATURES_LAYER)(x)
    x = keras.layers.Dropout(0.3, seed=seed, name="dropout")(x)
    logits = keras.layers.Dense(num_classes, kernel_initializer=init, name="logits")(x)
    return keras.Model(inputs, logits, name="evaluation_classifier")


def train_classifier(model, train, test, epochs=5, batch_size=128, learning_rate=1e-3):
    """Trains `model` with Adam and cross-entropy; returns its test accuracy.

    Args:
        model: a model from `build_classifier`.
        train: `(images, labels)` with images float32 in [-1, 1], shape `(n, h, w, 1)`.
        test: `(images, labels)` for the reported accuracy.
        epochs: passes over `train`. Default 5.
        batch_size: default 128.
        learning_rate: Adam learning rate. Default 1e-3.

    Returns:
        Test accuracy as a float in [0, 1].
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(*train, epochs=epochs, batch_size=batch_size, validation_data=test, verbose=2)
    _, accuracy = model.evaluate(*test, batch_size=512, verbose=0)
    return float(accuracy)


def save_classifier(model, path):
    """Saves `model` as a native `.keras` file atomically.

    Raises:
        ValueError: if `path` does not end in `.keras`.
    """
    if Path(path).suffix != ".keras":
        raise ValueError(f"Expected a path ending in '.keras'. Received: path={str(path)!r}")
    # An uncompiled copy: the optimizer state is not needed to evaluate and would triple the file.
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    with atomic_path(path) as tmp:
        copy.save(tmp)


def classifier_path(dataset):
    """Path of the shipped classifier for `dataset` (it may not exist yet); Stacked MNIST uses MNIST's."""
    name = "mnist" if check_dataset_name(dataset) == "stacked-mnist" else dataset
    return CLASSIFIER_DIR / f"{name}.keras"


def load_classifier(dataset=None, path=None):
    """Loads an evaluation classifier: the shipped one for `dataset`, or the file at `path`.

    Raises:
        OSError: if the file does not exist.
    """
    if path is None:
        path = classifier_path(dataset)
    path = Path(path)
    if not path.is_file():
        raise OSError(
            f"No evaluation classifier at {str(path)!r}. Train one with "
            "scripts/train_image_classifier.py or pass --classifier PATH."
        )
    return keras.saving.load_model(path, compile=False)


class ClassifierProbe:
    """Features and class probabilities of images under one classifier, computed in batches.

    Args:
        model: a classifier with a `"features"` layer and logits output.
        batch_size: images per forward pass. Default 500.
    """

    def __init__(self, model, batch_size=500):
        self._model = keras.Model(model.inputs[0], [model.get_layer(FEATURES_LAYER).output, model.outputs[0]])
        self.batch_size = batch_size

    def __call__(self, images):
        """Returns `(features (n, d), probabilities (n, num_classes))` for images in [-1, 1]."""
        images = np.asarray(images, dtype=np.float32)
        if images.ndim == 3:
            images = images[..., None]
        features, logits = [], []
        for start in range(0, len(images), self.batch_size):
            f, z = self._model(images[start : start + self.batch_size], training=False)
            features.append(keras.ops.convert_to_numpy(f))
            logits.append(keras.ops.convert_to_numpy(z))
        logits = np.concatenate(logits).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return np.concatenate(features).astype(np.float64), probabilities


def classification_accuracy_score(train, test, epochs=5, batch_size=128, seed=0, per_class=False):
    """Train on one set, test on real: the classification accuracy score (Ravuri & Vinyals 2019).

    Trains a fresh evaluation CNN (`build_classifier`, the architecture of the shipped
    classifiers) on `train`, e.g. generated images with the labels they were generated for, and
    returns its accuracy on `test` (real held-out images). With real training images it gives
    the reference the score is read against.

    Args:
        train: `(images, labels)`, images float32 in [-1, 1] of shape `(n, h, w[, 1])`.
        test: `(images, labels)` real test images and labels.
        epochs: training passes. Default 5 (as the shipped MNIST classifier).
        batch_size: default 128.
        seed: seed of the initialization. Default 0.
        per_class: also return the accuracy on the test images of each class (recall), which
            shows which classes the training images fail to teach. Default False.

    Returns:
        Test accuracy in [0, 1]; with `per_class`, `(accuracy, per-class accuracies)`, the latter a
        list of `NUM_CLASSES` floats (NaN for a class absent from `test`).
    """
    images, labels = train
    images = np.asarray(images, np.float32)
    test_images = np.asarray(test[0], np.float32)
    images = images[..., None] if images.ndim == 3 else images
    test_images = test_images[..., None] if test_images.ndim == 3 else test_images
    model = build_classifier(image_size=images.shape[1], num_classes=NUM_CLASSES, seed=seed)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(images, np.asarray(labels), epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    test_labels = np.asarray(test[1])
    _, accuracy = model.evaluate(test_images, test_labels, batch_size=512, verbose=0)
    if not per_class:
        return float(accuracy)
    predicted = keras.ops.convert_to_numpy(model.predict(test_images, batch_size=512, verbose=0)).argmax(axis=1)
    recall = [
        float(np.mean(predicted[test_labels == k] == k)) if np.any(test_labels == k) else float("nan")
        for k in range(NUM_CLASSES)
    ]
    return float(accuracy), recall
