"""Fixtures of the scratch-perceptron tests: tiny MNIST-shaped IDX files."""

import gzip
import struct

import numpy as np
import pytest


def write_idx(path, array):
    """Writes a uint8 array as a gzip IDX file."""
    array = np.asarray(array, np.uint8)
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.tobytes())


@pytest.fixture
def mnist_dir(tmp_path):
    """Four IDX files of 28x28 images (64 train, 32 test): the class is the bright row band."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()

    def make(n):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            image[2 * label + 4 : 2 * label + 6, 4:24] = 255
        return images, labels

    for split, n in (("train", 64), ("t10k", 32)):
        images, labels = make(n)
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
    return folder
