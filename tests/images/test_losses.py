import numpy as np
import pytest
from keras import ops

from timegan.images.losses import class_loss, discriminator_loss, generator_loss, gradient_penalty, interpolate

REAL = np.array([[2.0], [-1.0]], np.float32)
FAKE = np.array([[0.5], [-3.0]], np.float32)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def value(tensor):
    return float(ops.convert_to_numpy(tensor))


@pytest.mark.parametrize("loss", ["minimax", "non-saturating"])
def test_discriminator_log_loss(loss):
    expected = -np.mean(np.log(sigmoid(REAL))) - np.mean(np.log(1 - sigmoid(FAKE)))
    assert value(discriminator_loss(loss, REAL, FAKE)) == pytest.approx(expected, rel=1e-5)


def test_generator_minimax_is_log_one_minus_d():
    expected = np.mean(np.log(1 - sigmoid(FAKE)))
    assert value(generator_loss("minimax", FAKE)) == pytest.approx(expected, rel=1e-5)


def test_generator_non_saturating_is_minus_log_d():
    expected = -np.mean(np.log(sigmoid(FAKE)))
    assert value(generator_loss("non-saturating", FAKE)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("loss", ["wgan", "wgan-gp"])
def test_wasserstein(loss):
    # critic: mean(fake) - mean(real) = -1.25 - 0.5; generator: -mean(fake) = 1.25
    assert value(discriminator_loss(loss, REAL, FAKE)) == pytest.approx(-1.75)
    assert value(generator_loss(loss, FAKE)) == pytest.approx(1.25)


def test_gradient_penalty_by_hand():
    # per-sample norms: 5 (3, 4), 0 -> sqrt(eps), 1 -> penalties 16, ~1, 0
    gradients = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, 1.0]], np.float32).reshape(3, 2, 1, 1)
    assert value(gradient_penalty(gradients, 1e-12)) == pytest.approx(17 / 3, rel=1e-5)


def test_gradient_penalty_epsilon_is_under_the_root():
    zero = np.zeros((1, 1, 1, 1), np.float32)
    assert value(gradient_penalty(zero, 0.25)) == pytest.approx((0.5 - 1) ** 2)


def test_interpolate():
    real = np.ones((2, 1, 1, 1), np.float32)
    fake = -np.ones((2, 1, 1, 1), np.float32)
    weights = np.array([0.0, 0.75], np.float32).reshape(2, 1, 1, 1)
    np.testing.assert_allclose(ops.convert_to_numpy(interpolate(real, fake, weights)).ravel(), [-1.0, 0.5])


def test_unknown_loss():
    with pytest.raises(ValueError, match="Unknown loss 'least-squares'"):
        generator_loss("least-squares", FAKE)


def test_class_loss_is_mean_cross_entropy():
    # Logits (0, log 3): p = (1/4, 3/4). Labels 1 and 0: -(log 3/4 + log 1/4) / 2.
    logits = ops.convert_to_tensor([[0.0, np.log(3.0)], [0.0, np.log(3.0)]], dtype="float32")
    value = float(class_loss(logits, ops.convert_to_tensor([1, 0], dtype="int32")))
    assert value == pytest.approx(-(np.log(0.75) + np.log(0.25)) / 2, rel=1e-5)
