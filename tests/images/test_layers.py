import keras
import numpy as np
import pytest
from keras import ops

from timegan.images.layers import HiddenNoise, MinibatchDiscrimination


def test_minibatch_discrimination_output_width(seed):
    layer = MinibatchDiscrimination(num_kernels=7, kernel_dim=3, seed=0)
    out = layer(np.random.default_rng(0).normal(size=(5, 11)).astype("float32"))
    assert tuple(out.shape) == (5, 11 + 7)
    assert layer.compute_output_shape((None, 11)) == (None, 18)
    assert tuple(layer.kernel.shape) == (11, 21)


def test_identical_inputs_give_the_largest_closeness(seed):
    layer = MinibatchDiscrimination(num_kernels=4, kernel_dim=3, seed=0)
    layer.build((None, 6))
    rng = np.random.default_rng(0)
    same = np.repeat(rng.normal(size=(1, 6)), 5, axis=0).astype("float32")
    varied = rng.normal(size=(5, 6)).astype("float32")
    closeness_same = ops.convert_to_numpy(layer.closeness(same))
    closeness_varied = ops.convert_to_numpy(layer.closeness(varied))
    # Each sample is at distance 0 from the 4 others: sum exp(0) / 4 = 1, the maximum.
    np.testing.assert_allclose(closeness_same, 1.0, rtol=1e-6)
    assert np.all(closeness_varied < 0.99) and np.all(closeness_varied >= 0.0)


def test_closeness_by_hand():
    layer = MinibatchDiscrimination(num_kernels=1, kernel_dim=2)
    layer.build((None, 2))
    layer.kernel.assign(np.eye(2, dtype="float32"))
    x = np.array([[0.0, 0.0], [1.0, 0.5]], "float32")  # L1 distance 1.5
    out = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out[:, :2], x)
    np.testing.assert_allclose(out[:, 2], [np.exp(-1.5)] * 2, rtol=1e-6)
    three = np.array([[0.0, 0.0], [1.0, 0.5], [0.0, 2.0]], "float32")  # L1: d01 = 1.5, d02 = 2, d12 = 2.5
    expected = [(np.exp(-1.5) + np.exp(-2)) / 2, (np.exp(-1.5) + np.exp(-2.5)) / 2, (np.exp(-2) + np.exp(-2.5)) / 2]
    np.testing.assert_allclose(ops.convert_to_numpy(layer.closeness(three))[:, 0], expected, rtol=1e-6)


def test_minibatch_discrimination_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Received: num_kernels=0"):
        MinibatchDiscrimination(num_kernels=0)
    with pytest.raises(ValueError, match="expects inputs of shape \\(batch, features\\)"):
        MinibatchDiscrimination()(np.zeros((2, 3, 4), "float32"))


def test_hidden_noise_appends_fresh_noise(seed):
    layer = HiddenNoise(units=3, seed=1)
    x = np.ones((4, 2, 2, 5), "float32")
    a, b = ops.convert_to_numpy(layer(x)), ops.convert_to_numpy(layer(x))
    assert a.shape == (4, 2, 2, 8)
    np.testing.assert_array_equal(a[..., :5], x)
    assert not np.allclose(a[..., 5:], b[..., 5:])
    assert 0.5 < a[..., 5:].std() < 1.5


def test_layers_serialize(tmp_path, seed):
    inputs = keras.Input((6,))
    outputs = keras.layers.Dense(1)(MinibatchDiscrimination(2, 2, seed=3)(HiddenNoise(2, seed=4)(inputs)))
    model = keras.Model(inputs, outputs)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert [type(layer).__name__ for layer in loaded.layers[1:3]] == ["HiddenNoise", "MinibatchDiscrimination"]
    assert loaded.layers[2].num_kernels == 2 and loaded.layers[1].units == 2
    np.testing.assert_array_equal(loaded.layers[2].kernel.numpy(), model.layers[2].kernel.numpy())
