"""MNIST and Fashion-MNIST: the standard IDX .gz files, or `keras.datasets` as a fallback.

Nothing is read or downloaded at import. `load_images` reads the four IDX files from a directory
when one is given; without one it asks a `keras.datasets` loader (which downloads or uses the
Keras cache) and turns any failure into an error that says what to pass instead.
"""

import gzip
import logging
import struct
from pathlib import Path

import numpy as np

from timegan._validation import Integer, validate

logger = logging.getLogger(__name__)

DATASETS = ("mnist", "fashion-mnist", "stacked-mnist")
# Datasets whose images carry a class label a conditional GAN can use.
LABELLED_DATASETS = ("mnist", "fashion-mnist")
SPLITS = ("train", "test")
NUM_CLASSES = 10
# Stacked MNIST: three MNIST digits as the channels of one image, 10^3 modes.
STACKED_CHANNELS = 3
STACKED_MODES = NUM_CLASSES**STACKED_CHANNELS
STACKED_SIZES = {"train": 60000, "test": 26000}
CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion-mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
}
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
# IDX magic numbers: two zero bytes, the type code 0x08 (unsigned byte), the number of dimensions.
_IMAGES_MAGIC = 0x00000803
_LABELS_MAGIC = 0x00000801


def check_dataset_name(name):
    """Returns `name` if it is a known dataset, else raises a `ValueError` listing the choices."""
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}. Expected one of {list(DATASETS)}. Received: dataset={name!r}")
    return name


def read_idx(path, expected_magic=None):
    """Reads one gzip-compressed IDX file (unsigned bytes) into a numpy array.

    Args:
        path: path of an `*-idx?-ubyte.gz` file.
        expected_magic: if given, the magic number the file must start with
            (2051 for images, 2049 for labels).

    Returns:
        `np.ndarray` of dtype uint8 with the shape stored in the header.

    Raises:
        OSError: if the file cannot be read, is not gzip, or is truncated.
        ValueError: if the magic number is wrong or the payload size does not match the header.
    """
    path = Path(path)
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except EOFError:
        raise OSError(f"IDX file {str(path)!r} is truncated (the gzip stream ends early).") from None
    except gzip.BadGzipFile as error:
        raise OSError(f"IDX file {str(path)!r} is not a gzip file ({error}).") from None
    if len(raw) < 4:
        raise ValueError(f"IDX file {str(path)!r} is too short to hold a header ({len(raw)} bytes).")
    (magic,) = struct.unpack(">I", raw[:4])
    if magic >> 8 != 0x08 or (expected_magic is not None and magic != expected_magic):
        expected = f"{expected_magic:#010x}" if expected_magic is not None else "0x000008NN"
        raise ValueError(
            f"IDX file {str(path)!r} has a wrong magic number. Expected {expected}. Received: {magic:#010x}"
        )
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"IDX file {str(path)!r} is truncated inside its header.")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    expected_bytes = int(np.prod(shape, dtype=np.int64))
    payload = len(raw) - header_size
    if payload != expected_bytes:
        raise ValueError(
            f"IDX file {str(path)!r} is truncated or corrupt: its header announces shape {tuple(shape)} "
            f"({expected_bytes} bytes) but it holds {payload} bytes."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def read_idx_split(data_dir, split):
    """Reads the images and labels of one split from a directory holding the IDX .gz files.

    Args:
        data_dir: directory with the four standard IDX files.
        split: `"train"` or `"test"`.

    Returns:
        `(images, labels)`: uint8 arrays of shapes `(n, 28, 28)` and `(n,)`.

    Raises:
        OSError: if the directory or any of the four files is missing.
        ValueError: for a corrupt file or images and labels of different lengths.
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}. Expected one of {list(SPLITS)}. Received: split={split!r}")
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise OSError(f"Data directory {str(data_dir)!r} does not exist or is not a directory.")
    wanted = IDX_FILES["train"] + IDX_FILES["test"]
    missing = [name for name in wanted if not (data_dir / name).is_file()]
    if missing:
        raise OSError(
            f"Data directory {str(data_dir)!r} lacks the IDX file(s) {missing}; expected all of {list(wanted)}."
        )
    images_name, labels_name = IDX_FILES[split]
    images = read_idx(data_dir / images_name, _IMAGES_MAGIC)
    labels = read_idx(data_dir / labels_name, _LABELS_MAGIC)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"IDX files in {str(data_dir)!r} do not match: images {images.shape}, labels {labels.shape}; "
            "expected (n, rows, cols) images and (n,) labels."
        )
    if labels.size and labels.max() >= NUM_CLASSES:
        raise ValueError(f"Labels in {str(data_dir / labels_name)!r} exceed {NUM_CLASSES - 1}: max {labels.max()}.")
    return images, labels


def keras_datasets_loader(name):
    """Loads `name` through `keras.datasets` (downloads, or uses the cache in `~/.keras/datasets`).

    Returns:
        `((train_images, train_labels), (test_images, test_labels))`.
    """
    import keras

    module = keras.datasets.mnist if name == "mnist" else keras.datasets.fashion_mnist
    return module.load_data()


def stack_digits(images, labels, num_samples, seed, channels=STACKED_CHANNELS):
    """Stacked MNIST: each sample holds `channels` independently drawn digits as its channels.

    As in the Unrolled GAN (Metz et al. 2017, section 3.3.1), VEEGAN and PacGAN (Lin et al. 2018,
    section 5.1) experiments: with 3 channels there are 1000 modes, the mode of a sample being the
    three-digit number its channels spell.

    Args:
        images: uint8 `(n, h, w)` MNIST images.
        labels: `(n,)` their digits.
        num_samples: number of stacked images.
        seed: seed of the draw (with replacement, independent per channel).
        channels: digits per image. Default 3.

    Returns:
        `(stacked, modes)`: uint8 `(num_samples, h, w, channels)` and int64 `(num_samples,)` mode
        indices `sum_c label_c * 10^(channels - 1 - c)` in `[0, 10^channels)`.
    """
    images = np.asarray(images)
    labels = np.asarray(labels).astype(np.int64)
    if images.ndim != 3 or labels.shape != (len(images),):
        raise ValueError(f"Expected (n, h, w) images and (n,) labels. Received: {images.shape}, {labels.shape}")
    num_samples = validate(num_samples, "num_samples", Integer(1))
    picks = np.random.default_rng(seed).integers(0, len(images), size=(num_samples, channels))
    stacked = np.stack([images[picks[:, c]] for c in range(channels)], axis=-1)
    modes = np.zeros(num_samples, np.int64)
    for c in range(channels):
        modes = modes * NUM_CLASSES + labels[picks[:, c]]
    return stacked, modes


def load_stacked_mnist(split="train", data_dir=None, num_samples=None, seed=0):
    """Stacked MNIST built from the MNIST IDX files (see `stack_digits`).

    Args:
        split: `"train"` (default 60000 samples drawn from the 60000 training digits) or `"test"`
            (default 26000 samples, PacGAN's evaluation size, drawn from the test digits).
        data_dir: directory with the four MNIST IDX .gz files (required).
        num_samples: number of stacked images. Default None: `STACKED_SIZES[split]`.
        seed: seed of the draw; the test split adds 1 so the two splits never share a draw.

    Returns:
        `(images, modes)`: uint8 `(n, 28, 28, 3)` and int64 `(n,)` in [0, 1000).

    Raises:
        ValueError: no `data_dir`.
        OSError: missing or unreadable IDX files.
    """
    if data_dir is None:
        raise ValueError(
            "Stacked MNIST is built from the MNIST IDX files: pass --data-dir DIR with "
            f"{list(IDX_FILES['train'] + IDX_FILES['test'])}."
        )
    digits, labels = read_idx_split(data_dir, split)
    size = STACKED_SIZES[split] if num_samples is None else num_samples
    return stack_digits(digits, labels, size, seed + (split == "test"))


def load_images(name, split="train", data_dir=None, fallback=keras_datasets_loader):
    """Loads one split of MNIST, Fashion-MNIST or Stacked MNIST.

    Args:
        name: `"mnist"` or `"fashion-mnist"`.
        split: `"train"` (60000 images) or `"test"` (10000 images). Default `"train"`.
        data_dir: directory with the four IDX .gz files. Default None: use `fallback`.
        fallback: callable `name -> ((x_train, y_train), (x_test, y_test))` used when `data_dir`
            is None. Default: `keras.datasets`. Tests pass a fake.

    Returns:
        `(images, labels)`: uint8 arrays `(n, 28, 28)` and `(n,)`; for `"stacked-mnist"`
        `(n, 28, 28, 3)` images and their modes (see `load_stacked_mnist`).

    Raises:
        ValueError: unknown name or split, corrupt files, Stacked MNIST without `data_dir`.
        OSError: missing files, or no `data_dir` and the fallback cannot load the data.
    """
    check_dataset_name(name)
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}. Expected one of {list(SPLITS)}. Received: split={split!r}")
    if name == "stacked-mnist":
        return load_stacked_mnist(split, data_dir)
    if data_dir is not None:
        images, labels = read_idx_split(data_dir, split)
        logger.info("Read %d %s %s images from %s", len(images), name, split, data_dir)
        return images, labels
    try:
        train, test = fallback(name)
    except Exception as error:  # any download/cache failure means the same thing to the user
        raise OSError(
            f"Could not load {name!r} through keras.datasets (no cached copy and no network?: "
            f"{type(error).__name__}: {error}). Pass --data-dir DIR with the four IDX files "
            f"{list(IDX_FILES['train'] + IDX_FILES['test'])}."
        ) from None
    images, labels = train if split == "train" else test
    return np.asarray(images, dtype=np.uint8), np.asarray(labels, dtype=np.int64).astype(np.uint8)


def to_model_range(images):
    """Scales uint8 images `(n, h, w)` or `(n, h, w, c)` to float32 `(n, h, w, c)` in [-1, 1] (c = 1 for 3-D input)."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"Expected images of shape (n, h, w) or (n, h, w, c). Received: shape={images.shape}")
    return (images.astype(np.float32) / 127.5 - 1.0).astype(np.float32)


def subset(images, labels, size, seed):
    """Returns a seeded random subset of `size` examples (all of them if `size` is None)."""
    if size is None or size >= len(images):
        return images, labels
    order = np.random.default_rng(seed).permutation(len(images))[:size]
    return images[order], labels[order]
