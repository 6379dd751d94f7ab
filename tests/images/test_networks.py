import keras
import numpy as np
import pytest
from keras import ops

from timegan.images.networks import build_discriminator, build_generator


def _inputs(config, n):
    z = ops.convert_to_tensor(np.random.default_rng(0).normal(size=(n, config.latent_dim)).astype("float32"))
    labels = ops.convert_to_tensor(np.arange(n) % config.num_classes, dtype="int32")
    return z, labels


@pytest.mark.parametrize("architecture", ["mlp", "dcgan"])
@pytest.mark.parametrize("conditioning", [None, "concat", "projection", "acgan"])
@pytest.mark.parametrize("remedies", [False, True])
def test_shapes(tiny, architecture, conditioning, remedies, seed):
    conditional = conditioning is not None
    config = tiny(
        architecture=architecture,
        conditional=conditional,
        conditioning=conditioning,
        noise_layer=remedies,
        minibatch_discrimination=remedies,
    )
    generator, discriminator = build_generator(config), build_discriminator(config)
    z, labels = _inputs(config, 5)
    images = generator([z, labels] if conditional else z)
    assert tuple(images.shape) == (5, 8, 8, 1)
    values = ops.convert_to_numpy(images)
    assert values.min() >= -1 and values.max() <= 1
    takes_label = conditioning in ("concat", "projection")
    assert len(discriminator.inputs) == 1 + takes_label
    logits = discriminator([images, labels] if takes_label else images)
    # AC-GAN: the real/fake logit and one logit per class.
    assert tuple(logits.shape) == (5, 1 + (config.num_classes if conditioning == "acgan" else 0))
    head = "unconditional_logit" if conditioning == "projection" else "logit"
    assert discriminator.get_layer(head).activation.__name__ == "linear"
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


def test_projection_discriminator_is_linear_in_the_class_embedding(tiny, seed):
    # Miyato & Koyama eq. 3: D(x, y) - D(x, y') = (embed(y) - embed(y')) . phi(x).
    config = tiny(architecture="mlp", conditional=True, conditioning="projection")
    discriminator = build_discriminator(config)
    images = ops.convert_to_tensor(np.random.default_rng(1).uniform(-1, 1, (3, 8, 8, 1)).astype("float32"))
    phi = keras.Model(discriminator.inputs[0], discriminator.get_layer("leaky0").output)(images)
    table = ops.convert_to_numpy(discriminator.get_layer("label_projection").embeddings)
    logits = {k: ops.convert_to_numpy(discriminator([images, ops.full((3,), k, dtype="int32")]))[:, 0] for k in (0, 2)}
    expected = ops.convert_to_numpy(phi) @ (table[0] - table[2])
    np.testing.assert_allclose(logits[0] - logits[2], expected, rtol=1e-4, atol=1e-6)


def test_packed_discriminator_takes_m_times_the_channels(tiny, seed):
    config = tiny(architecture="dcgan", packing=3)
    discriminator = build_discriminator(config)
    assert tuple(discriminator.inputs[0].shape[1:]) == (8, 8, 3)
    assert tuple(discriminator(ops.zeros((2, 8, 8, 3))).shape) == (2, 1)
