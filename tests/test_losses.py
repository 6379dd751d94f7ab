import numpy as np
import pytest
import tensorflow as tf

from timegan import losses


def test_supervised_loss_scores_the_next_step_not_the_identity():
    h = tf.constant(np.arange(12, dtype="float32").reshape(1, 4, 3))  # h[:, t] = 3t + (0, 1, 2)
    next_step = tf.concat([h[:, 1:], h[:, -1:]], axis=1)  # a perfect next-step predictor
    assert float(losses.supervised_loss(h, next_step)) == 0.0
    # The identity map is off by one step everywhere: error 3 per element.
    assert float(losses.supervised_loss(h, h)) == pytest.approx(9.0)


def test_reconstruction_loss():
    x = tf.constant([[[0.0], [1.0]]])
    assert float(losses.reconstruction_loss(x, x + 0.5)) == pytest.approx(0.25)


def test_moment_loss_by_hand():
    x = tf.constant([[[0.0]], [[2.0]]])  # batch mean 1, std 1
    x_hat = tf.constant([[[1.0]], [[1.0]]])  # batch mean 1, std 0
    value = float(losses.moment_loss(x, x_hat, eps=0.0))
    assert value == pytest.approx(1.0)
    assert float(losses.moment_loss(x, x + 3.0, eps=0.0)) == pytest.approx(3.0)


def test_binary_cross_entropy_by_hand():
    logits = tf.constant([[0.0], [np.log(3.0)]])  # probabilities 0.5 and 0.75
    expected = -(np.log(0.5) + np.log(0.75)) / 2
    assert float(losses.binary_cross_entropy(logits, 1.0)) == pytest.approx(expected, rel=1e-6)
    expected0 = -(np.log(0.5) + np.log(0.25)) / 2
    assert float(losses.binary_cross_entropy(logits, 0.0)) == pytest.approx(expected0, rel=1e-6)


def test_discriminator_and_generator_losses_weight_gamma():
    real, fake, fake_e = tf.zeros((2, 3, 1)), tf.zeros((2, 3, 1)), tf.zeros((2, 3, 1))
    log2 = np.log(2.0)
    assert float(losses.discriminator_loss(real, fake, fake_e, gamma=2.0)) == pytest.approx(4 * log2)
    assert float(losses.generator_adversarial_loss(fake, fake_e, gamma=0.5)) == pytest.approx(1.5 * log2)
