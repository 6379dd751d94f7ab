"""Hinge loss, one-sided label smoothing, spectral normalization and conditional batch norm."""

import numpy as np
import pytest
from keras import ops

from timegan.images import losses
from timegan.images.config import ImageGANConfig
from timegan.images.gan import ImageGAN
from timegan.images.networks import build_discriminator, build_generator


def test_hinge_losses_on_four_numbers():
    real = ops.convert_to_tensor([[2.0], [0.5]])
    fake = ops.convert_to_tensor([[-3.0], [0.0]])
    # D: mean(max(0, 1 - [2, 0.5])) + mean(max(0, 1 + [-3, 0])) = 0.25 + 0.5
    assert float(losses.discriminator_loss("hinge", real, fake)) == pytest.approx(0.75)
    # G: -mean f(G(z)) = 1.5
    assert float(losses.generator_loss("hinge", fake)) == pytest.approx(1.5)


def test_one_sided_label_smoothing():
    real = ops.convert_to_tensor([[1.0]])
    fake = ops.convert_to_tensor([[-1.0]])
    softplus = lambda v: np.log1p(np.exp(v))  # noqa: E731
    expected = 0.9 * softplus(-1.0) + 0.1 * softplus(1.0) + softplus(-1.0)
    smoothed = losses.discriminator_loss("non-saturating", real, fake, label_smoothing=0.1)
    assert float(smoothed) == pytest.approx(expected, rel=1e-6)
    plain = losses.discriminator_loss("non-saturating", real, fake)
    assert float(plain) == pytest.approx(2 * softplus(-1.0), rel=1e-6)


@pytest.mark.parametrize(
    "values, expected",
    [
        (
            dict(conditional_batchnorm=True, architecture="dcgan"),
            "conditional_batchnorm=True needs a conditional DCGAN",
        ),
        (dict(conditional_batchnorm=True, conditional=True), "Received: architecture='mlp', conditional=True"),
        (dict(label_smoothing=0.1, loss="hinge"), "Received: label_smoothing=0.1 with loss='hinge'"),
        (
            dict(label_smoothing=1.0),
            "Expected `label_smoothing` to be a number in [0, 1). Received: label_smoothing=1.0",
        ),
    ],
)
def test_bad_combinations_are_refused(values, expected):
    with pytest.raises(ValueError) as error:
        ImageGANConfig(**values)
    assert expected in str(error.value)


def test_without_label_concat_the_first_layer_sees_z_only(tiny, seed):
    config = tiny(architecture="dcgan", conditional=True, conditional_batchnorm=True, label_concat=False)
    generator = build_generator(config)
    assert "z_label" not in [layer.name for layer in generator.layers]
    assert generator.get_layer("project").kernel.shape[0] == config.latent_dim
    noise = ops.convert_to_tensor(np.zeros((3, 4), np.float32) + 0.5)
    labels = ops.convert_to_tensor(np.array([0, 1, 2], np.int32))
    beta = generator.get_layer("project_bn_beta")
    table = ops.convert_to_numpy(beta.embeddings)
    table[2] += 1.0
    beta.embeddings.assign(table)
    images = ops.convert_to_numpy(generator([noise, labels], training=False))
    # The label still reaches the image, through the per-class shift only.
    np.testing.assert_allclose(images[0], images[1], atol=1e-6)
    assert np.abs(images[2] - images[0]).max() > 1e-3
    with pytest.raises(ValueError, match="label_concat=False needs conditional_batchnorm=True"):
        tiny(architecture="dcgan", conditional=True, label_concat=False)


def test_hinge_takes_the_projection_papers_adam():
    config = ImageGANConfig(loss="hinge")
    assert (config.optimizer, config.discriminator_steps, config.generator_lr) == ("adam", 1, 2e-4)
    assert (config.beta_1, config.beta_2) == (0.0, 0.9)


def test_conditional_batchnorm_shifts_only_its_class(tiny, seed):
    config = tiny(architecture="dcgan", conditional=True, conditional_batchnorm=True)
    generator = build_generator(config)
    noise = ops.convert_to_tensor(np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))
    labels = ops.convert_to_tensor(np.array([0, 1, 2, 0, 1, 2], np.int32))
    before = ops.convert_to_numpy(generator([noise, labels], training=False))
    beta = generator.get_layer("deconv0_bn_beta")
    table = ops.convert_to_numpy(beta.embeddings)
    assert np.all(table == 0) and np.all(ops.convert_to_numpy(generator.get_layer("deconv0_bn_gamma").embeddings) == 1)
    table[1] += 0.5
    beta.embeddings.assign(table)
    after = ops.convert_to_numpy(generator([noise, labels], training=False))
    changed = np.abs(after - before).reshape(6, -1).max(axis=1) > 1e-4
    assert changed.tolist() == [False, True, False, False, True, False]


def test_spectral_norm_bounds_the_discriminator_kernels(tiny, seed):
    config = tiny(architecture="dcgan", conditional=True, spectral_norm=True, loss="hinge")
    discriminator = build_discriminator(config)
    images = ops.convert_to_tensor(np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 1)).astype(np.float32))
    labels = ops.convert_to_tensor(np.array([0, 1, 2, 0], np.int32))
    for _ in range(20):  # power iterations converge over training calls
        discriminator([images, labels], training=True)
    for name in ("conv0_sn", "conv1_sn", "unconditional_logit_sn"):
        kernel = ops.convert_to_numpy(discriminator.get_layer(name).layer.kernel)
        sigma = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
        assert sigma == pytest.approx(1.0, abs=0.1), name
    plain = build_discriminator(tiny(architecture="dcgan", conditional=True))
    assert not any("_sn" in layer.name for layer in plain.layers)


def test_a_training_step_updates_the_class_tables(tiny, seed):
    config = tiny(architecture="dcgan", conditional=True, conditional_batchnorm=True, spectral_norm=True, loss="hinge")
    gan = ImageGAN(build_generator(config), build_discriminator(config), config)
    gan.compile()
    gamma = gan.generator.get_layer("project_bn_gamma")
    images = ops.convert_to_tensor(np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)).astype(np.float32))
    labels = ops.convert_to_tensor(np.array([0, 1, 2, 0, 1, 2], np.int32))
    logs = gan.train_step((images, labels))
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))
    assert not np.allclose(ops.convert_to_numpy(gamma.embeddings), 1.0)
