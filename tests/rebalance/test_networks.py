import keras
import numpy as np
import tensorflow as tf
from keras import ops

from timegan.rebalance.networks import GumbelSoftmaxBlocks, build_discriminator, build_generator


def _blocks(output, widths):
    starts = np.cumsum([0] + widths[:-1])
    return [output[:, s : s + w] for s, w in zip(starts, widths)]


def test_gumbel_blocks_are_exact_one_hot_at_inference_and_soft_distributions_in_training():
    widths = [3, 1, 4, 2]
    layer = GumbelSoftmaxBlocks(widths, temperature=0.5, seed=0)
    logits = np.random.default_rng(0).normal(size=(16, sum(widths))).astype("float32")
    hard = ops.convert_to_numpy(layer(logits, training=False))
    for block in _blocks(hard, widths):
        assert set(np.unique(block)) <= {0.0, 1.0}
        np.testing.assert_array_equal(block.sum(1), 1.0)
    soft = ops.convert_to_numpy(layer(logits, training=True))
    for block in _blocks(soft, widths):
        np.testing.assert_allclose(block.sum(1), 1.0, rtol=1e-5)
    assert np.any((soft > 0.01) & (soft < 0.99))  # soft samples are not one-hot


def test_straight_through_is_one_hot_forward_with_a_gradient():
    layer = GumbelSoftmaxBlocks([4, 4], temperature=1.0, straight_through=True, seed=0)
    logits = keras.Variable(np.zeros((2, 8), "float32"))

    with tf.GradientTape() as tape:
        out = layer(logits, training=True)
        loss = ops.sum(out * np.arange(8, dtype="float32"))
    value = ops.convert_to_numpy(out)
    assert set(np.unique(value)) <= {0.0, 1.0}
    assert np.abs(ops.convert_to_numpy(tape.gradient(loss, logits))).sum() > 0


def test_gumbel_inference_samples_follow_the_logits():
    layer = GumbelSoftmaxBlocks([2], seed=0)
    logits = np.tile(np.log([[0.8, 0.2]]).astype("float32"), (4000, 1))
    share = ops.convert_to_numpy(layer(logits, training=False))[:, 0].mean()
    assert abs(share - 0.8) < 0.03


def test_networks_shapes_and_names(tiny_gan_config):
    config = tiny_gan_config()
    generator = build_generator(config, n_numeric=3, block_widths=[2, 4], num_classes=2)
    discriminator = build_discriminator(config, n_encoded=9, num_classes=2)
    out = generator([np.zeros((5, 4), "float32"), np.eye(2, dtype="float32")[[0, 1, 0, 1, 1]]])
    assert tuple(out.shape) == (5, 9)
    assert tuple(discriminator([out, ops.zeros((5, 2))]).shape) == (5, 1)
    assert discriminator.layers[-1].activation.__name__ == "linear"
