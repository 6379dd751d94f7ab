import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from timegan.images.gan import ImageGAN, _apply, generate_images, load_generator, make_dataset, save_generator
from timegan.images.networks import build_discriminator, build_generator

VARIANTS = [
    dict(loss="minimax", optimizer="sgd"),
    dict(loss="non-saturating", optimizer="momentum"),
    dict(loss="wgan"),
    dict(loss="wgan-gp", architecture="dcgan"),
    dict(loss="non-saturating", optimizer="adagrad", minibatch_discrimination=True, noise_layer=True),
    dict(loss="non-saturating", optimizer="adadelta", architecture="dcgan", conditional=True),
    dict(loss="minimax", optimizer="rmsprop", conditional=True, minibatch_discrimination=True),
    dict(loss="non-saturating", conditional=True, conditioning="concat"),
    dict(loss="non-saturating", architecture="dcgan", conditional=True, conditioning="projection"),
    dict(loss="non-saturating", architecture="dcgan", conditional=True, conditioning="acgan"),
    dict(loss="wgan-gp", conditional=True, conditioning="acgan"),
    dict(loss="non-saturating", packing=2, minibatch_discrimination=True),
    dict(loss="wgan-gp", architecture="dcgan", packing=2),
]


def make_gan(config):
    gan = ImageGAN(build_generator(config), build_discriminator(config), config)
    gan.compile()
    return gan


def batch(config, n=4):
    rng = np.random.default_rng(0)
    images = ops.convert_to_tensor(rng.uniform(-1, 1, size=(n, 8, 8, 1)).astype("float32"))
    labels = ops.convert_to_tensor(np.arange(n) % config.num_classes, dtype="int32") if config.conditional else None
    return images, labels


def snapshot(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_weights]


def changed(before, model):
    return [not np.array_equal(b, ops.convert_to_numpy(v)) for b, v in zip(before, model.trainable_weights)]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(str(x) for x in v.values()))
def test_each_step_updates_only_its_network(tiny, variant, seed):
    config = tiny(**variant)
    gan = make_gan(config)
    images, labels = batch(config)
    g0, d0 = snapshot(gan.generator), snapshot(gan.discriminator)
    gan.discriminator_step(images, labels)
    moved = dict(zip([v.path for v in gan.discriminator.trainable_weights], changed(d0, gan.discriminator)))
    if config.loss in ("wgan", "wgan-gp") and config.conditioning != "acgan":
        # mean f(fake) - mean f(real) does not depend on the output bias: its gradient is exactly 0
        # (an AC-GAN head's bias also carries the class logits, which the class loss moves).
        assert moved.pop("logit/bias") is False
    assert all(moved.values()), f"every discriminator weight should move: {moved}"
    assert not any(changed(g0, gan.generator)), "a discriminator step must not touch the generator"
    g1, d1 = snapshot(gan.generator), snapshot(gan.discriminator)
    gan.generator_step(4, labels)
    assert all(changed(g1, gan.generator)), "every generator weight should move"
    assert not any(changed(d1, gan.discriminator)), "a generator step must not touch the discriminator"


def test_weight_clipping_holds_after_a_wgan_step(tiny, seed):
    config = tiny(loss="wgan", clip_value=0.05, optimizer="sgd", discriminator_lr=10.0)
    gan = make_gan(config)
    before = snapshot(gan.discriminator)
    gan.discriminator_step(*batch(config))
    after = [ops.convert_to_numpy(v) for v in gan.discriminator.trainable_weights]
    assert max(np.abs(w).max() for w in before) > 0.05  # Glorot init exceeds the bound...
    assert max(np.abs(w).max() for w in after) <= 0.05 + 1e-7  # ...the step clips it
    assert any(np.isclose(np.abs(w).max(), 0.05) for w in after)


def test_interpolation_weights_are_per_sample_in_unit_interval(tiny, seed):
    gan = make_gan(tiny(loss="wgan-gp"))
    weights = ops.convert_to_numpy(gan.interpolation_weights(256))
    assert weights.shape == (256, 1, 1, 1)
    assert weights.min() >= 0 and weights.max() <= 1
    assert len(np.unique(weights)) == 256
    assert 0.4 < weights.mean() < 0.6 and weights.min() < 0.05 and weights.max() > 0.95


def test_train_step_takes_k_real_slices_and_fit_reports_losses(tiny, seed):
    config = tiny(loss="wgan-gp", discriminator_steps=2)
    gan = make_gan(config)
    images = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    dataset = make_dataset(images, None, 4, 2, 0, False)
    assert [tuple(x.shape) for x in dataset] == [(8, 8, 8, 1)] * 2
    history = gan.fit(dataset, epochs=2, verbose=0, shuffle=False)
    assert set(history.history) == {"d_loss", "g_loss", "gp"}
    assert len(history.history["d_loss"]) == 2 and np.isfinite(history.history["gp"]).all()
    # 2 elements per epoch, 2 epochs, 2 critic steps each: 8 critic and 4 generator updates.
    assert int(gan.discriminator_optimizer.iterations) == 8 and int(gan.generator_optimizer.iterations) == 4


def test_sigmoid_discriminator_is_refused(tiny):
    config = tiny(loss="wgan")
    inputs = keras.Input(config.image_shape)
    sigmoid = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(inputs)))
    with pytest.raises(
        ValueError, match="Expected the discriminator to output logits .* Received: final activation 'sigmoid'"
    ):
        ImageGAN(build_generator(config), sigmoid, config)


def test_conditional_needs_labels(tiny, seed):
    config = tiny(conditional=True)
    gan = make_gan(config)
    images, _ = batch(config)
    with pytest.raises(ValueError, match="A conditional GAN needs labels"):
        gan.train_step(images)
    with pytest.raises(ValueError, match="This generator is conditional: pass `labels`"):
        gan.generate(3)
    with pytest.raises(ValueError, match="conditional=True needs labels"):
        make_dataset(np.zeros((8, 8, 8, 1), "float32"), None, 4, 1, 0, True)
    with pytest.raises(ValueError, match=r"Expected 2 labels in \[0, 2\]"):
        gan.generate(2, labels=[0, 3])


def test_unconditional_refuses_labels(tiny, seed):
    gan = make_gan(tiny())
    with pytest.raises(ValueError, match="not conditional"):
        gan.generate(2, labels=[0, 1])


def test_none_gradient_raises():
    used, unused = keras.Variable(1.0, name="used"), keras.Variable(1.0, name="unused")
    with tf.GradientTape() as tape:
        loss = used * 2.0
    with pytest.raises(ValueError, match="no gradient for .*unused.*not wired"):
        _apply(keras.optimizers.SGD(0.1), tape, loss, [used, unused], "discriminator")


@pytest.mark.parametrize("variant", [dict(architecture="dcgan"), dict(conditional=True, noise_layer=True)])
def test_generator_save_load_round_trip(tiny, tmp_path, variant, seed):
    config = tiny(**variant)
    gan = make_gan(config)
    gan.generator_step(4, batch(config)[1])
    path = tmp_path / "generator.keras"
    save_generator(gan.generator, path)
    loaded = load_generator(path)
    noise = np.random.default_rng(1).normal(size=(6, config.latent_dim)).astype("float32")
    labels = np.arange(6) % 3 if config.conditional else None
    expected = generate_images(gan.generator, config, labels=labels, noise=noise)
    got = generate_images(loaded, config, labels=labels, noise=noise)
    if config.noise_layer:  # fresh hidden noise at every call: same weights, same layer, different draws
        assert [w.shape for w in loaded.get_weights()] == [w.shape for w in gan.generator.get_weights()]
        for a, b in zip(loaded.get_weights(), gan.generator.get_weights()):
            np.testing.assert_array_equal(a, b)
        assert "hidden_noise" in [layer.name for layer in loaded.layers]
    else:
        np.testing.assert_allclose(got, expected, atol=1e-6)
    with pytest.raises(ValueError, match="ending in '.keras'"):
        save_generator(gan.generator, tmp_path / "generator.h5")


def test_pack_puts_consecutive_images_in_channels(tiny, seed):
    gan = make_gan(tiny(architecture="dcgan", packing=2))
    images = np.arange(4 * 8 * 8, dtype="float32").reshape(4, 8, 8, 1)
    packed = ops.convert_to_numpy(gan.pack(ops.convert_to_tensor(images)))
    assert packed.shape == (2, 8, 8, 2)
    for i in range(2):
        for k in range(2):
            np.testing.assert_array_equal(packed[i, :, :, k], images[2 * i + k, :, :, 0])


def test_acgan_losses_include_the_class_term(tiny, seed):
    config = tiny(conditional=True, conditioning="acgan", classifier_weight=1.0)
    gan = make_gan(config)
    images, labels = batch(config)
    _, _, class_loss = gan.discriminator_step(images, labels)
    # Cross-entropy of real plus fake images over 3 classes: about 2 log 3 at initialization.
    assert 1.0 < float(class_loss) < 4.0
    gan.compile()
    output = gan.train_step((ops.concatenate([images, images]), ops.concatenate([labels, labels])))
    assert set(output) == {"d_loss", "g_loss", "class_loss"}


def test_label_logits_score_every_label(tiny, seed):
    for conditioning in ("projection", "acgan"):
        config = tiny(conditional=True, conditioning=conditioning)
        gan = make_gan(config)
        images, _ = batch(config)
        scores = gan.label_logits(ops.convert_to_numpy(images))
        assert scores.shape == (4, 3)
        if conditioning == "projection":
            direct = ops.convert_to_numpy(gan.discriminator([images, ops.full((4,), 2, dtype="int32")]))
            np.testing.assert_allclose(scores[:, 2], direct[:, 0], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="needs a conditional model"):
        make_gan(tiny()).label_logits(np.zeros((1, 8, 8, 1), "float32"))
