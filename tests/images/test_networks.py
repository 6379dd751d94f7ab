import numpy as np
import pytest
from keras import ops

from timegan.images.networks import build_discriminator, build_generator


def _inputs(config, n):
    z = ops.convert_to_tensor(np.random.default_rng(0).normal(size=(n, config.latent_dim)).astype("float32"))
    labels = ops.convert_to_tensor(np.arange(n) % config.num_classes, dtype="int32")
    return z, labels


@pytest.mark.parametrize("architecture", ["mlp", "dcgan"])
@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("remedies", [False, True])
def test_shapes(tiny, architecture, conditional, remedies, seed):
    config = tiny(architecture=architecture, conditional=conditional, noise_layer=remedies, minibatch_discrimination=remedies)
    generator, discriminator = build_generator(config), build_discriminator(config)
    z, labels = _inputs(config, 5)
    images = generator([z, labels] if conditional else z)
    assert tuple(images.shape) == (5, 8, 8, 1)
    values = ops.convert_to_numpy(images)
    assert values.min() >= -1 and values.max() <= 1
    logits = discriminator([images, labels] if conditional else images)
    assert tuple(logits.shape) == (5, 1)
    assert discriminator.layers[-1].activation.__name__ == "linear"
    layer_names = [layer.name for layer in generator.layers + discriminator.layers]
    assert ("hidden_noise" in layer_names) == remedies
    assert ("minibatch_discrimination" in layer_names) == remedies
    if architecture == "dcgan":
        assert any("BatchNormalization" == type(layer).__name__ for layer in generator.layers)


def test_full_size_shapes(seed):
    from timegan.images.config import ImageGANConfig

    for architecture in ("mlp", "dcgan"):
        config = ImageGANConfig(architecture=architecture, hidden_units=(16,), filters=4)
        z, _ = _inputs(config, 2)
        assert tuple(build_generator(config)(z).shape) == (2, 28, 28, 1)
        assert tuple(build_discriminator(config)(ops.zeros((2, 28, 28, 1))).shape) == (2, 1)


@pytest.mark.parametrize("architecture", ["mlp", "dcgan"])
def test_conditional_output_changes_with_label(tiny, architecture, seed):
    config = tiny(architecture=architecture, conditional=True)
    generator, discriminator = build_generator(config), build_discriminator(config)
    z = ops.convert_to_tensor(np.repeat(np.random.default_rng(0).normal(size=(1, 4)), 3, axis=0).astype("float32"))
    labels = ops.convert_to_tensor([0, 1, 2], dtype="int32")
    images = ops.convert_to_numpy(generator([z, labels], training=False))
    assert not np.allclose(images[0], images[1]) and not np.allclose(images[1], images[2])
    same = ops.convert_to_numpy(generator([z, ops.convert_to_tensor([1, 1, 1], dtype="int32")], training=False))
    np.testing.assert_allclose(same[0], same[2], atol=1e-6)
    scores = ops.convert_to_numpy(discriminator([ops.convert_to_tensor(same), labels]))
    assert not np.isclose(scores[0, 0], scores[1, 0])


def test_noise_layer_makes_same_z_vary(tiny, seed):
    config = tiny(noise_layer=True)
    generator = build_generator(config)
    z = ops.zeros((2, 4))
    a = ops.convert_to_numpy(generator(z))
    assert not np.allclose(a[0], a[1])
