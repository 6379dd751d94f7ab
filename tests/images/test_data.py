import gzip

import numpy as np
import pytest

from timegan.images.data import load_images, read_idx, read_idx_split, to_model_range


def test_reads_the_four_files(idx_dir, digits28):
    images, labels = digits28
    train_x, train_y = load_images("mnist", "train", idx_dir)
    test_x, test_y = load_images("fashion-mnist", "test", idx_dir)
    np.testing.assert_array_equal(train_x, images[:200])
    np.testing.assert_array_equal(train_y, labels[:200])
    assert test_x.shape == (40, 28, 28) and test_x.dtype == np.uint8
    np.testing.assert_array_equal(test_y, labels[200:])


def test_missing_files_are_named(idx_dir):
    (idx_dir / "t10k-labels-idx1-ubyte.gz").unlink()
    (idx_dir / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(
        OSError, match=r"lacks the IDX file\(s\) \['train-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'\]"
    ):
        load_images("mnist", "train", idx_dir)


def test_missing_directory(tmp_path):
    with pytest.raises(OSError, match="does not exist"):
        read_idx_split(tmp_path / "nope", "train")


def test_wrong_magic_number(idx_dir, digits28, idx_writer):
    idx_writer(idx_dir / "train-labels-idx1-ubyte.gz", digits28[1][:200], magic=0x00000803)
    with pytest.raises(ValueError, match="wrong magic number. Expected 0x00000801. Received: 0x00000803"):
        load_images("mnist", "train", idx_dir)


def test_truncated_payload(tmp_path):
    path = tmp_path / "x.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(bytes.fromhex("00000803") + (3).to_bytes(4, "big") + (2).to_bytes(4, "big") * 2 + b"\x00" * 11)
    with pytest.raises(ValueError, match=r"announces shape \(3, 2, 2\) \(12 bytes\) but it holds 11 bytes"):
        read_idx(path, 0x00000803)


def test_truncated_gzip_stream(idx_dir):
    path = idx_dir / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(OSError, match="truncated"):
        load_images("mnist", "train", idx_dir)


def test_not_gzip(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(OSError, match="not a gzip file"):
        read_idx(path)


def test_fallback_is_used_without_data_dir(digits28):
    images, labels = digits28
    calls = []

    def fake(name):
        calls.append(name)
        return (images[:5], labels[:5]), (images[5:7], labels[5:7])

    test_x, test_y = load_images("fashion-mnist", "test", fallback=fake)
    assert calls == ["fashion-mnist"]
    np.testing.assert_array_equal(test_x, images[5:7])


def test_offline_without_data_dir_says_what_to_pass():
    def offline(name):
        raise ConnectionError("no network")

    with pytest.raises(OSError, match="Pass --data-dir DIR with the four IDX files"):
        load_images("mnist", fallback=offline)


def test_unknown_dataset_lists_choices():
    with pytest.raises(
        ValueError, match=r"Expected one of \['mnist', 'fashion-mnist', 'stacked-mnist'\]. Received: dataset='cifar10'"
    ):
        load_images("cifar10", data_dir=".")


def test_to_model_range():
    out = to_model_range(np.array([[[0, 255], [127, 128]]], np.uint8))
    assert out.shape == (1, 2, 2, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[0, :, :, 0], [[-1.0, 1.0], [127 / 127.5 - 1, 128 / 127.5 - 1]], atol=1e-6)


def test_stacked_digits_spell_their_mode():
    from timegan.images.data import stack_digits

    images = np.arange(10, dtype=np.uint8)[:, None, None] * np.ones((10, 2, 2), np.uint8)  # image k is all k
    labels = np.arange(10)
    stacked, modes = stack_digits(images, labels, 500, seed=0)
    assert stacked.shape == (500, 2, 2, 3) and stacked.dtype == np.uint8
    digits = stacked[:, 0, 0, :].astype(int)
    np.testing.assert_array_equal(modes, digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2])
    assert len(np.unique(modes)) > 300  # 500 draws from 1000 modes


def test_stacked_mnist_needs_the_idx_files(idx_dir):
    from timegan.images.data import load_images

    with pytest.raises(ValueError, match="Stacked MNIST is built from the MNIST IDX files: pass --data-dir DIR"):
        load_images("stacked-mnist", "train", None)
    images, modes = load_images("stacked-mnist", "test", idx_dir)
    assert images.shape == (26000, 28, 28, 3) and modes.max() < 1000
