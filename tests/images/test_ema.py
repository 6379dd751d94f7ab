"""The exponential moving average of the generator's weights (`ImageGANConfig.ema_decay`)."""

import json

import numpy as np
import pytest
from keras import ops

from tests.images.test_cli import TINY, call, one_line_error
from timegan.cli import evaluate_images, train_images
from timegan.images.config import ImageGANConfig, ImageTrainingConfig
from timegan.images.gan import ImageGAN, load_generator, make_dataset
from timegan.images.networks import build_discriminator, build_generator
from timegan.images.run import load_run, train_run


def make_gan(config):
    gan = ImageGAN(build_generator(config), build_discriminator(config), config)
    gan.compile()
    return gan


def weights(variables):
    return [np.array(ops.convert_to_numpy(v)) for v in variables]


def conditional_dcgan(tiny, **overrides):
    values = dict(architecture="dcgan", conditional=True, conditional_batchnorm=True, loss="hinge", ema_decay=0.9)
    return tiny(**{**values, **overrides})


def real_batch(config, n=6):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (n, 8, 8, 1)).astype("float32")
    return ops.convert_to_tensor(images), ops.convert_to_tensor(np.arange(n) % config.num_classes, dtype="int32")


def test_average_follows_the_formula_with_warm_up(tiny, seed):
    config = conditional_dcgan(tiny)
    gan = make_gan(config)
    images, labels = real_batch(config)
    # Starts as a copy of the generator.
    for a, g in zip(weights(gan.ema_generator.weights), weights(gan.generator.weights)):
        np.testing.assert_array_equal(a, g)
    for t in (1, 2, 3):
        average = weights(gan.ema_generator.trainable_weights)
        gan.train_step((images, labels))
        raw = weights(gan.generator.trainable_weights)
        decay = min(0.9, (1 + t) / (10 + t))  # 0.18, 0.25, 0.31: the warm-up is below 0.9 here
        for before, now, after in zip(average, raw, weights(gan.ema_generator.trainable_weights)):
            np.testing.assert_allclose(after, decay * before + (1 - decay) * now, rtol=1e-5, atol=1e-6)
        assert int(gan.ema_updates) == t
    # Past the warm-up the decay is ema_decay: (1 + t) / (10 + t) >= 0.9 from t = 80 on.
    gan.ema_updates.assign(100)
    assert float(gan.ema_decay_now()) == pytest.approx(0.9)


def test_average_keeps_its_own_batch_statistics(tiny, seed):
    config = conditional_dcgan(tiny)
    gan = make_gan(config)
    images, labels = real_batch(config)
    for _ in range(3):
        gan.train_step((images, labels))
    stats = lambda model: weights(model.get_layer("deconv0_bn").non_trainable_weights)  # noqa: E731
    # The moving statistics moved away from their start (mean 0, variance 1)...
    assert not np.allclose(stats(gan.ema_generator)[0], 0.0)
    # ...and describe the averaged weights' activations, which differ from the raw generator's.
    assert not np.allclose(stats(gan.ema_generator)[1], stats(gan.generator)[1])


def test_the_raw_generator_trains_as_without_the_average(tiny, seed):
    images, labels = real_batch(conditional_dcgan(tiny))
    raw = []
    for decay in (None, 0.99):
        config = conditional_dcgan(tiny, ema_decay=decay)
        gan = make_gan(config)
        for _ in range(2):
            gan.train_step((images, labels))
        raw.append(weights(gan.generator.weights))
        assert (gan.ema_generator is None) == (decay is None)
    for without, with_ in zip(*raw):
        np.testing.assert_array_equal(without, with_)


def test_generate_and_call_use_the_average(tiny, seed):
    config = conditional_dcgan(tiny)
    gan = make_gan(config)
    gan.train_step(real_batch(config))
    noise, labels = np.ones((3, config.latent_dim), np.float32), np.array([0, 1, 2])
    expected = ops.convert_to_numpy(gan.ema_generator([noise, labels], training=False))
    np.testing.assert_allclose(gan.generate(noise=noise, labels=labels), expected, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(gan([noise, labels])), expected, atol=1e-6)
    raw = ops.convert_to_numpy(gan.generator([noise, labels], training=False))
    assert not np.allclose(raw, expected)


def test_update_ema_needs_an_average(tiny, seed):
    gan = make_gan(tiny())
    with pytest.raises(ValueError, match=r"ema_decay is None"):
        gan.update_ema(np.zeros((2, 4), np.float32))


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.5])
def test_decay_outside_the_open_unit_interval_is_refused(tiny, decay):
    with pytest.raises(ValueError, match=rf"Received: ema_decay={decay}"):
        tiny(ema_decay=decay)


def test_config_saved_before_the_average_loads_without_it():
    saved = ImageGANConfig(architecture="dcgan", conditional=True, conditional_batchnorm=True).to_dict()
    del saved["ema_decay"]
    config = ImageGANConfig.from_dict(saved)
    assert config.ema_decay is None
    assert ImageGANConfig.from_dict(ImageGANConfig(ema_decay=0.999).to_dict()).ema_decay == 0.999


def test_run_saves_the_average_and_the_trained_generator(tmp_path, digits28, seed):
    config = ImageGANConfig(hidden_units=(8,), latent_dim=4, dropout=0.0, conditional=True, ema_decay=0.5)
    training = ImageTrainingConfig(dataset="mnist", epochs=1, batch_size=16, train_size=48, sample_grid=2)
    gan, _ = train_run(config, training, *digits28, tmp_path / "run", progress=False)
    inputs = [np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4), np.array([3, 7], np.int32)]
    loaded_config, _, average, _ = load_run(tmp_path / "run")
    assert loaded_config.ema_decay == 0.5
    np.testing.assert_allclose(average(inputs).numpy(), gan.ema_generator(inputs).numpy(), atol=1e-6)
    _, _, trained, _ = load_run(tmp_path / "run", training_generator=True)
    np.testing.assert_allclose(trained(inputs).numpy(), gan.generator(inputs).numpy(), atol=1e-6)
    assert not np.allclose(average(inputs).numpy(), trained(inputs).numpy())
    reloaded = load_generator(tmp_path / "run" / "generator.keras")
    for a, b in zip(weights(reloaded.weights), weights(gan.ema_generator.weights)):
        np.testing.assert_array_equal(a, b)


def test_fit_updates_the_average_once_per_generator_step(tiny, seed):
    config = tiny(ema_decay=0.9, loss="wgan-gp", discriminator_steps=2)
    gan = make_gan(config)
    images = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    gan.fit(make_dataset(images, None, 4, 2, 0, False), epochs=2, verbose=0, shuffle=False)
    assert int(gan.ema_updates) == int(gan.generator_optimizer.iterations) == 4


def test_cli_trains_with_the_average_and_scores_either_generator(tmp_path, idx_dir, capsys, seed):
    from timegan.images.classifier import build_classifier, save_classifier

    classifier = tmp_path / "classifier.keras"
    save_classifier(build_classifier(feature_units=8), classifier)
    run = tmp_path / "run"
    argv = ["--dataset", "mnist", "--data-dir", str(idx_dir), "--epochs", "1", "--conditional", *TINY]
    assert call(train_images.main, [*argv, "--output-dir", str(run), "--ema-decay", "0.9"]) == 0
    assert (run / "generator_training.keras").is_file()
    evaluate = ["--run", str(run), "--classifier", str(classifier), "--num-samples", "100"]
    assert call(evaluate_images.main, evaluate) == 0
    assert call(evaluate_images.main, [*evaluate, "--training-generator"]) == 0
    average = json.loads((run / "metrics.json").read_text())
    trained = json.loads((run / "metrics_training_generator.json").read_text())
    assert (average["generator"], trained["generator"]) == ("sampling", "training")
    assert average["ema_decay"] == trained["ema_decay"] == 0.9
    assert average["frechet_distance"] != trained["frechet_distance"]
    capsys.readouterr()
    code = call(train_images.main, [*argv, "--output-dir", str(tmp_path / "bad"), "--ema-decay", "1.5"])
    one_line_error(capsys, code, "Received: ema_decay=1.5")
    code = call(train_images.main, [*argv, "--output-dir", str(tmp_path / "bad"), "--classifier", str(classifier)])
    one_line_error(capsys, code, "--classifier only applies with --epoch-scores")


def test_cli_without_the_average_has_one_generator_and_epoch_scores(tmp_path, idx_dir, capsys, seed):
    from timegan.images.classifier import build_classifier, save_classifier

    classifier = tmp_path / "classifier.keras"
    save_classifier(build_classifier(feature_units=8), classifier)
    run = tmp_path / "plain"
    argv = ["--dataset", "mnist", "--data-dir", str(idx_dir), "--epochs", "1", "--output-dir", str(run), *TINY]
    assert call(train_images.main, [*argv, "--conditional", "--epoch-scores", "--classifier", str(classifier)]) == 0
    assert not (run / "generator_training.keras").exists()
    lines = (run / "epoch_scores.csv").read_text().splitlines()
    assert lines[0] == (
        "epoch,generator,frechet_distance,classes_covered,label_accuracy,diversity_ratio,pixel_diversity_ratio"
    )
    assert [line.split(",")[:2] for line in lines[1:]] == [["0", "sampling"], ["1", "sampling"]]
    assert all(0 <= float(line.split(",")[4]) <= 1 for line in lines[1:])
    capsys.readouterr()
    code = call(evaluate_images.main, ["--run", str(run), "--training-generator"])
    one_line_error(capsys, code, "has no separate training generator")


def test_epoch_scores_compare_the_average_with_the_trained_generator(tmp_path, digits28, seed):
    config = ImageGANConfig(hidden_units=(8,), latent_dim=4, dropout=0.0, ema_decay=0.5)
    training = ImageTrainingConfig(dataset="mnist", epochs=2, batch_size=16, train_size=32, sample_grid=2)
    noise = np.ones((1, 4), np.float32)
    scorer = lambda generator: {"pixel_sum": float(generator(noise).numpy().sum())}  # noqa: E731
    gan, _ = train_run(config, training, *digits28, tmp_path / "run", progress=False, epoch_scorer=scorer)
    lines = (tmp_path / "run" / "epoch_scores.csv").read_text().splitlines()
    assert lines[0] == "epoch,generator,pixel_sum"
    assert [line.split(",")[:2] for line in lines[1:]] == [
        [str(epoch), name] for epoch in (0, 1, 2) for name in ("sampling", "training")
    ]
    last = {line.split(",")[1]: float(line.split(",")[2]) for line in lines[-2:]}
    assert last["sampling"] == pytest.approx(scorer(gan.ema_generator)["pixel_sum"], rel=1e-5)
    assert last["training"] == pytest.approx(scorer(gan.generator)["pixel_sum"], rel=1e-5)
