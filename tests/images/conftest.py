"""Fixtures of the image-GAN tests: seeds, tiny digit images, IDX files written to tmp_path."""

import gzip
import struct

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def seed():
    import keras

    keras.utils.set_random_seed(1234)
    return 1234


@pytest.fixture(scope="session")
def digits28():
    """scikit-learn's bundled 8x8 digits as uint8 28x28 images (3x upscaled, 2-pixel border), labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0 * 255).astype(np.uint8)
    images = np.kron(images, np.ones((1, 3, 3), np.uint8))
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    return images[:240], digits.target[:240].astype(np.uint8)


def write_idx(path, array, magic=None):
    """Writes `array` (uint8) as a gzip IDX file; `magic` overrides the header's magic number."""
    array = np.asarray(array, np.uint8)
    magic = (0x0800 | array.ndim) if magic is None else magic
    header = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.tobytes())


@pytest.fixture
def idx_writer():
    """The `write_idx` function, for tests that write their own (corrupt) IDX files."""
    return write_idx


@pytest.fixture
def idx_dir(tmp_path, digits28):
    """A directory with the four standard IDX files (200 train, 40 test digits)."""
    images, labels = digits28
    folder = tmp_path / "idx"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", images[:200])
    write_idx(folder / "train-labels-idx1-ubyte.gz", labels[:200])
    write_idx(folder / "t10k-images-idx3-ubyte.gz", images[200:])
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels[200:])
    return folder


@pytest.fixture
def tiny():
    """Factory of small `ImageGANConfig`s: 8x8 images, 8 hidden units, 4 filters."""
    from timegan.images.config import ImageGANConfig

    def make(**overrides):
        values = dict(
            image_size=8,
            latent_dim=4,
            hidden_units=(8,),
            filters=4,
            noise_units=2,
            minibatch_kernels=3,
            minibatch_kernel_dim=2,
            label_embedding_dim=3,
            num_classes=3,
            dropout=0.0,
        )
        values.update(overrides)
        return ImageGANConfig(**values)

    return make
