"""Training the perceptron: shuffled mini-batches, the epoch loop, accuracy, and the two tasks' data.

`fit` draws a fresh permutation of the examples each pass from its own seeded generator, so a
run is reproduced by its two seeds (initialisation and shuffling). A batch size of 1 is the
source's stochastic update, one example at a time.
"""

import json
import logging
import time
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from timegan._atomic import atomic_path
from timegan._validation import Integer, validate

logger = logging.getLogger(__name__)

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])


@dataclass
class History:
    """What `fit` measured, one entry per pass over the data.

    Attributes:
        loss: mean training loss of each pass (the mean over its batches, weighted by batch size).
        seconds: wall-clock seconds of each pass (forward, backward and updates).
        stopped_early: True if `until` ended training before `epochs` passes.
    """

    loss: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    stopped_early: bool = False

    @property
    def epochs(self):
        """Number of passes run."""
        return len(self.loss)


def fit(
    model,
    x,
    targets,
    optimizer,
    epochs,
    batch_size=1,
    seed=0,
    until=None,
    progress=False,
    on_epoch_end=None,
    initial_epoch=0,
):
    """Trains `model` in place with `optimizer` on shuffled mini-batches.

    Args:
        model: an `MLP`.
        x: inputs `(n, sizes[0])`.
        targets: `(n, sizes[-1])`.
        optimizer: an `Optimizer` (`optimizers.get_optimizer`).
        epochs: number of passes over the data, >= 1.
        batch_size: examples per update, >= 1. Default 1 (the source's stochastic updates).
        seed: seed of the shuffling. Default 0.
        until: optional callable `model -> bool` called after each pass; training stops when it
            returns True (e.g. `xor_solved`).
        progress: show a tqdm bar over the passes. Default False.
        on_epoch_end: optional callable `(model, history) -> None` called after each pass,
            before `until` (e.g. to print a learning curve while a long run goes on).
        initial_epoch: passes already run (a resumed run: the model and optimizer restored from
            `load_checkpoint`); the shuffling continues where those passes left it, so the
            resumed run takes the uninterrupted run's steps. Default 0.

    Returns:
        `History`.

    Raises:
        ValueError: bad `epochs`/`batch_size`, or inputs and targets of different lengths or shapes.
    """
    epochs = validate(epochs, "epochs", Integer(1))
    batch_size = validate(batch_size, "batch_size", Integer(1))
    initial_epoch = validate(initial_epoch, "initial_epoch", Integer(0, epochs))
    x = np.asarray(x, dtype=model.dtype)
    targets = np.asarray(targets, dtype=model.dtype)
    if len(x) != len(targets) or len(x) == 0:
        raise ValueError(f"Expected as many targets as inputs (> 0). Received: {len(x)} inputs, {len(targets)} targets")
    rng = np.random.default_rng(seed)
    for _ in range(initial_epoch):
        rng.permutation(len(x))
    history = History()
    params = model.params
    for _ in tqdm(range(initial_epoch, epochs), desc="passes", disable=not progress, leave=False):
        start = time.perf_counter()
        order = rng.permutation(len(x))
        total = 0.0
        for first in range(0, len(x), batch_size):
            batch = order[first : first + batch_size]
            loss, grads = model.gradients(x[batch], targets[batch])
            optimizer.apply(params, grads)
            total += loss * len(batch)
        history.seconds.append(time.perf_counter() - start)
        history.loss.append(total / len(x))
        if not np.isfinite(history.loss[-1]):
            logger.warning("Training loss is %s after %d passes; stopping.", history.loss[-1], history.epochs)
            break
        if on_epoch_end is not None:
            on_epoch_end(model, history)
        if until is not None and until(model):
            history.stopped_early = history.epochs < epochs
            break
    return history


def save_checkpoint(path, model, optimizer, record):
    """Writes the weights, the update rule's state and a JSON record to one `.npz` file, atomically.

    Args:
        path: file path (`.npz`).
        model: an `MLP`.
        optimizer: its `Optimizer`.
        record: JSON-ready dict (e.g. the setting, passes run, the learning curve).

    The file holds only numeric and string arrays: `load_checkpoint` reads it with
    `allow_pickle=False`.
    """
    arrays = {f"param_{i}": param for i, param in enumerate(model.params)}
    arrays.update({f"state_{i}": array for i, array in enumerate(optimizer.state_arrays())})
    arrays["iterations"] = np.array(optimizer.iterations)
    arrays["record"] = np.array(json.dumps(record))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)


def load_checkpoint(path, model, optimizer):
    """Restores `model` and `optimizer` in place from `save_checkpoint`'s file; returns its record.

    Raises:
        OSError: if the file cannot be read.
        ValueError: if its arrays do not fit `model` or `optimizer`.
    """
    with np.load(path, allow_pickle=False) as saved:
        params = [saved[f"param_{i}"] for i in range(len(model.params))]
        states = sorted((name for name in saved.files if name.startswith("state_")), key=lambda n: int(n[6:]))
        model.set_params(params)
        optimizer.load_state_arrays(model.params, [saved[name] for name in states], int(saved["iterations"]))
        return json.loads(str(saved["record"]))


def accuracy(model, x, labels, batch_size=1000):
    """Share of examples whose largest output is at the true class index.

    Args:
        model: an `MLP` with one output per class.
        x: inputs `(n, sizes[0])`.
        labels: integer class indices `(n,)`.
        batch_size: examples per forward pass (memory only). Default 1000.

    Returns:
        Python float in [0, 1].
    """
    labels = np.asarray(labels)
    correct = 0
    for first in range(0, len(x), batch_size):
        outputs = model.predict(x[first : first + batch_size])
        correct += int(np.sum(outputs.argmax(axis=1) == labels[first : first + batch_size]))
    return correct / len(x)


def xor_solved(model, tolerance=0.1):
    """True when every one of the four XOR outputs is within `tolerance` of its target.

    Args:
        model: an `MLP` with 2 inputs and 1 output.
        tolerance: float in (0, 0.5). Default 0.1.
    """
    return bool(np.max(np.abs(model.predict(XOR_INPUTS) - XOR_TARGETS)) < tolerance)


def one_hot(labels, num_classes=10, dtype="float32"):
    """Integer labels `(n,)` -> one-hot rows `(n, num_classes)`."""
    labels = np.asarray(labels, dtype=np.int64)
    encoded = np.zeros((len(labels), num_classes), dtype=dtype)
    encoded[np.arange(len(labels)), labels] = 1.0
    return encoded


def load_mnist(data_dir=None, split="train", train_size=None, seed=0):
    """MNIST as the perceptron reads it: flat pixels in [0, 1] and integer labels.

    Reads the IDX files through `timegan.images.data.load_images` (no TensorFlow unless
    `data_dir` is None, when it falls back on `keras.datasets`).

    Args:
        data_dir: directory with the four IDX .gz files, or None.
        split: `"train"` or `"test"`. Default `"train"`.
        train_size: keep a seeded random subset of this many examples (None: all). Default None.
        seed: seed of the subset. Default 0.

    Returns:
        `(x, labels)`: float32 `(n, 784)` and int64 `(n,)`.

    Raises:
        OSError: missing files or directory.
        ValueError: corrupt files.
    """
    from timegan.images.data import load_images, subset

    images, labels = load_images("mnist", split, data_dir)
    images, labels = subset(images, labels, train_size, seed)
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0
    return x, labels.astype(np.int64)
