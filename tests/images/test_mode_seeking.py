"""The mode-seeking term of the generator's loss (`ImageGANConfig.mode_seeking_weight`, MSGAN)."""

import csv
import dataclasses
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from tests.images.test_cli import TINY, call, one_line_error, tiny_classifier  # noqa: F401 (fixture)
from timegan.cli import evaluate_images, train_images
from timegan.images import losses
from timegan.images.config import ImageGANConfig
from timegan.images.gan import ImageGAN, _apply, make_dataset
from timegan.images.networks import build_discriminator, build_generator

EPSILON = 1e-5


def make_gan(config, generator=None, discriminator=None):
    gan = ImageGAN(generator or build_generator(config), discriminator or build_discriminator(config), config)
    gan.compile()
    return gan


def weights(variables):
    return [np.array(ops.convert_to_numpy(v)) for v in variables]


def test_term_on_four_images_by_hand():
    images_1 = np.zeros((2, 2, 2, 1), np.float32)
    images_2 = np.full((2, 2, 2, 1), 0.5, np.float32)
    images_2[0, 0, 0, 0] = -1.5  # |differences|: seven 0.5 and one 1.5 -> mean 0.625
    noise_1 = np.zeros((2, 3), np.float32)
    noise_2 = np.array([[2.0, -2.0, 2.0], [1.0, 1.0, -4.0]], np.float32)  # mean |difference| 2
    term = losses.mode_seeking_loss(images_1, images_2, noise_1, noise_2)
    assert float(term) == pytest.approx(1 / (0.625 / 2 + EPSILON), rel=1e-6)
    # Identical images: the term is bounded by 1 / epsilon.
    assert float(losses.mode_seeking_loss(images_1, images_1, noise_1, noise_2, epsilon=0.01)) == pytest.approx(100)


LATENT = 4
KERNEL = np.random.default_rng(3).normal(size=(LATENT, 64)).astype(np.float32)
NOISE = np.array([[1, 0, 2, -1], [0, 1, -1, 3], [-2, 1, 0, 1], [1, 1, 1, 1]], np.float32)


def linear_generator():
    """z -> z @ KERNEL as an 8x8 image: a generator whose term and gradient numpy can compute."""
    return keras.Sequential(
        [
            keras.Input((LATENT,)),
            keras.layers.Dense(64, use_bias=False, kernel_initializer=keras.initializers.Constant(KERNEL)),
            keras.layers.Reshape((8, 8, 1)),
        ],
        name="generator",
    )


def test_generator_step_adds_the_term_of_its_two_halves(tiny, seed):
    config = tiny(latent_dim=LATENT, optimizer="sgd", generator_lr=0.1)
    discriminator = build_discriminator(config)
    plain = make_gan(config, linear_generator(), discriminator)
    seeking = make_gan(dataclasses.replace(config, mode_seeking_weight=2.0), linear_generator(), discriminator)
    g_plain, term_plain = plain.generator_step(4, noise=NOISE)
    g_seeking, term = seeking.generator_step(4, noise=NOISE)
    # By hand: images 0, 1 against images 2, 3.
    difference = (NOISE[:2] - NOISE[2:]) @ KERNEL
    noise_distance = np.abs(NOISE[:2] - NOISE[2:]).mean()
    ratio = np.abs(difference).mean() / noise_distance
    assert float(term) == pytest.approx(1 / (ratio + EPSILON), rel=1e-5)
    assert float(term_plain) == 0.0
    assert float(g_plain) == float(g_seeking)  # the reported adversarial loss is the same
    # SGD: the kernels differ by lr * weight * d(term)/d(kernel), the adversarial gradients being equal.
    d_ratio = (NOISE[:2] - NOISE[2:]).T @ np.sign(difference) / (difference.size * noise_distance)
    d_term = -d_ratio / (ratio + EPSILON) ** 2
    moved = weights(seeking.generator.trainable_weights)[0] - weights(plain.generator.trainable_weights)[0]
    np.testing.assert_allclose(moved, -0.1 * 2.0 * d_term, rtol=1e-3, atol=1e-6)


def test_paired_labels_give_each_noise_pair_one_label(tiny, seed):
    labels = ops.convert_to_tensor(np.array([0, 1, 2, 2, 0, 1], np.int32))
    seeking = make_gan(tiny(conditional=True, mode_seeking_weight=1.0))
    np.testing.assert_array_equal(ops.convert_to_numpy(seeking.paired_labels(labels)), [0, 1, 2, 0, 1, 2])
    odd = ops.convert_to_tensor(np.array([2, 1, 0], np.int32))  # the last image has no pair
    np.testing.assert_array_equal(ops.convert_to_numpy(seeking.paired_labels(odd)), [2, 2, 1])
    assert seeking.paired_labels(None) is None
    plain = make_gan(tiny(conditional=True))
    assert plain.paired_labels(labels) is labels


class SpyGAN(ImageGAN):
    """Records the labels each generator step receives (called eagerly)."""

    def generator_step(self, batch_size, labels=None, noise=None):
        self.seen = ops.convert_to_numpy(labels)
        return super().generator_step(batch_size, labels, noise)


def test_train_step_draws_the_halves_for_the_same_labels(tiny, seed):
    config = tiny(architecture="dcgan", conditional=True, conditional_batchnorm=True, mode_seeking_weight=1.0)
    gan = SpyGAN(build_generator(config), build_discriminator(config), config)
    gan.compile()
    images = ops.convert_to_tensor(np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)).astype("float32"))
    logs = gan.train_step((images, ops.convert_to_tensor(np.array([0, 1, 2, 2, 0, 1], np.int32))))
    np.testing.assert_array_equal(gan.seen, [0, 1, 2, 0, 1, 2])
    assert set(logs) == {"d_loss", "g_loss", "mode_seeking"} and float(logs["mode_seeking"]) > 0


class StepBeforeTheTerm(ImageGAN):
    """The train step as it was before the mode-seeking term existed (for losses without a
    penalty or class term), with its generator step inlined."""

    def train_step(self, data):
        if isinstance(data, (tuple, list)):
            images, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            images, labels = data, None
        steps = self.config.discriminator_steps
        batch_size = ops.shape(images)[0] // steps
        d_losses = []
        for step in range(steps):
            chunk = slice(step * batch_size, (step + 1) * batch_size)
            chunk_labels = None if labels is None else labels[chunk]
            d_losses.append(self.discriminator_step(images[chunk], chunk_labels)[0])
        noise = self._noise(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(self._with_labels(noise, chunk_labels), training=True)
            fake_logits, _ = self.discriminate(self.pack(fake), chunk_labels)
            g_loss = losses.generator_loss(self.config.loss, fake_logits)
        _apply(self.generator_optimizer, tape, g_loss, self.generator.trainable_weights, "generator")
        if self.ema_generator is not None:
            self.update_ema(noise, chunk_labels)
        self.d_loss_tracker.update_state(ops.mean(ops.stack(d_losses)))
        self.g_loss_tracker.update_state(g_loss)
        return {metric.name: metric.result() for metric in self.metrics}


@pytest.mark.parametrize(
    "variant",
    [
        # The measured conditional DCGAN: projection, SN + hinge, conditional batch norm, weight average.
        dict(architecture="dcgan", conditional=True, conditional_batchnorm=True, loss="hinge", spectral_norm=True),
        dict(architecture="mlp", packing=2),
    ],
    ids=["conditional-dcgan", "unconditional-mlp"],
)
def test_weight_zero_trains_bit_identically_to_the_step_without_the_term(tiny, variant):
    config = tiny(ema_decay=0.9, **variant)
    assert config.mode_seeking_weight == 0.0
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (24, 8, 8, 1)).astype("float32")
    labels = rng.integers(0, 3, 24)
    results = []
    for cls in (ImageGAN, StepBeforeTheTerm):
        keras.utils.set_random_seed(7)
        gan = cls(build_generator(config), build_discriminator(config), config)
        gan.compile()
        dataset = make_dataset(images, labels, 4, 1, 0, config.conditional)
        history = gan.fit(dataset, epochs=2, verbose=0).history
        networks = (gan.generator, gan.ema_generator, gan.discriminator)
        results.append((history, [weights(network.weights) for network in networks]))
    (history, trained), (history_before, trained_before) = results
    assert history == history_before and set(history) == {"d_loss", "g_loss"}
    for network, network_before in zip(trained, trained_before):
        for now, before in zip(network, network_before):
            np.testing.assert_array_equal(now, before)


@pytest.mark.parametrize("conditional", [True, False])
def test_fit_with_the_term_reports_it_and_moves_the_generator(tiny, seed, conditional):
    extra = dict(conditional_batchnorm=True) if conditional else {}
    config = tiny(architecture="dcgan", conditional=conditional, mode_seeking_weight=1.0, ema_decay=0.9, **extra)
    gan = make_gan(config)
    images = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    history = gan.fit(make_dataset(images, np.arange(16) % 3, 4, 1, 0, conditional), epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "mode_seeking"}
    # The term lies in (0, 1 / epsilon]; at initialization the halves differ, so it is far from the bound.
    assert 0 < history["mode_seeking"][0] < 1000
    assert int(gan.generator_optimizer.iterations) == int(gan.ema_updates) == 4


@pytest.mark.parametrize("weight", [-1.0, float("nan"), 2e6])
def test_weight_outside_zero_to_a_million_is_refused(tiny, weight):
    with pytest.raises(ValueError, match=r"Expected `mode_seeking_weight` to be a number in \[0, 1000000\]"):
        tiny(mode_seeking_weight=weight)


def test_config_round_trip_and_runs_saved_before_the_term():
    config = ImageGANConfig(architecture="dcgan", conditional=True, mode_seeking_weight=np.float64(2.5))
    assert type(config.mode_seeking_weight) is float
    assert ImageGANConfig.from_dict(config.to_dict()) == config
    saved = ImageGANConfig(conditional=True, ema_decay=0.999).to_dict()
    del saved["mode_seeking_weight"], saved["mode_seeking_epsilon"]
    old = ImageGANConfig.from_dict(saved)
    assert (old.mode_seeking_weight, old.mode_seeking_epsilon, old.ema_decay) == (0.0, 1e-5, 0.999)
    del saved["ema_decay"]  # older still: both groups are filled in
    assert ImageGANConfig.from_dict(saved).mode_seeking_weight == 0.0
    half = ImageGANConfig().to_dict()
    del half["mode_seeking_epsilon"]
    with pytest.raises(ValueError, match=r"Missing ImageGANConfig keys: \['mode_seeking_epsilon'\]"):
        ImageGANConfig.from_dict(half)


def test_cli_trains_with_the_term_and_records_it(tmp_path, idx_dir, tiny_classifier, seed):  # noqa: F811
    run = tmp_path / "run"
    argv = ["--dataset", "mnist", "--data-dir", str(idx_dir), "--epochs", "1", "--conditional", *TINY]
    assert call(train_images.main, [*argv, "--output-dir", str(run), "--mode-seeking", "1"]) == 0
    assert json.loads((run / "config.json").read_text())["gan"]["mode_seeking_weight"] == 1.0
    with open(run / "losses.csv") as stream:
        row = next(csv.DictReader(stream))
    assert float(row["mode_seeking"]) > 0
    evaluate = ["--run", str(run), "--classifier", str(tiny_classifier), "--num-samples", "100"]
    assert call(evaluate_images.main, evaluate) == 0
    assert json.loads((run / "metrics.json").read_text())["mode_seeking_weight"] == 1.0


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--mode-seeking", "-1"], "Expected `mode_seeking_weight` to be a number in [0, 1000000]. "),
        (["--mode-seeking", "-1"], "Received: mode_seeking_weight=-1.0"),
        (["--mode-seeking", "one"], "argument --mode-seeking: invalid float value: 'one'"),
        (["--mode-seeking", "1", "--batch-size", "63"], "Expected an even `batch_size` with mode_seeking_weight > 0"),
    ],
)
def test_bad_weight_or_odd_batch_is_one_line(tmp_path, capsys, argv, fragment):
    out = tmp_path / "out"
    code = call(train_images.main, ["--dataset", "mnist", "--output-dir", str(out), *argv])
    one_line_error(capsys, code, fragment)
    assert not out.exists()
