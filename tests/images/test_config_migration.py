"""Image run configs saved before a group of fields existed still load, with the old behaviour."""

import json

import numpy as np
import pytest

from timegan.images.config import ImageGANConfig, ImageTrainingConfig, migrate
from timegan.images.networks import build_discriminator, build_generator
from timegan.images.run import load_run

# `ImageGANConfig.to_dict()` of a conditional MLP as written before `conditioning`, `classifier_weight`
# and `packing` existed (the configs of the first results grid).
OLD_CONDITIONAL = {
    "architecture": "mlp",
    "loss": "non-saturating",
    "optimizer": "adam",
    "generator_lr": 0.0002,
    "discriminator_lr": 0.0002,
    "momentum": None,
    "beta_1": 0.5,
    "beta_2": 0.999,
    "discriminator_steps": 1,
    "clip_value": None,
    "gp_weight": None,
    "gp_epsilon": 1e-12,
    "latent_dim": 100,
    "image_size": 28,
    "channels": 1,
    "hidden_units": [256, 512],
    "filters": 64,
    "dropout": 0.3,
    "leaky_slope": 0.2,
    "noise_layer": False,
    "noise_units": 32,
    "minibatch_discrimination": False,
    "minibatch_kernels": 50,
    "minibatch_kernel_dim": 5,
    "conditional": True,
    "num_classes": 10,
    "label_embedding_dim": 50,
    "seed": 0,
}


# What every field added since then reproduces for that config.
ADDED_CONCAT = {
    "conditioning": "concat",
    "classifier_weight": None,
    "packing": 1,
    "spectral_norm": False,
    "conditional_batchnorm": False,
    "label_concat": True,
    "label_smoothing": 0.0,
    "ema_decay": None,
    "mode_seeking_weight": 0.0,
    "mode_seeking_epsilon": 1e-5,
}
ADDED = tuple(ADDED_CONCAT)


def test_old_conditional_config_loads_as_the_concat_discriminator():
    config = ImageGANConfig.from_dict(OLD_CONDITIONAL)
    assert (config.conditioning, config.classifier_weight, config.packing) == ("concat", None, 1)
    # Everything else is what the file says.
    assert config.to_dict() == {**OLD_CONDITIONAL, **ADDED_CONCAT}


def test_old_unconditional_config_loads_without_conditioning():
    old = {**OLD_CONDITIONAL, "conditional": False, "architecture": "dcgan"}
    config = ImageGANConfig.from_dict(old)
    assert (config.conditioning, config.classifier_weight, config.packing) == (None, None, 1)
    assert (config.spectral_norm, config.conditional_batchnorm, config.label_smoothing) == (False, False, 0.0)
    assert config.label_concat is True
    assert config == ImageGANConfig(**{**old, "hidden_units": (256, 512)})


def test_migration_leaves_current_configs_and_the_input_alone():
    current = ImageGANConfig(conditional=True, conditioning="acgan").to_dict()
    assert migrate(current) == current
    old = dict(OLD_CONDITIONAL)
    migrate(old)
    assert old == OLD_CONDITIONAL


def test_config_with_conditioning_but_before_spectral_norm_loads():
    # Saved after conditioning and packing, before the balance fields: both later groups are absent.
    saved = ImageGANConfig(conditional=True, conditioning="acgan").to_dict()
    for name in ("spectral_norm", "conditional_batchnorm", "label_smoothing", "label_concat"):
        del saved[name]
    config = ImageGANConfig.from_dict(saved)
    assert (config.conditioning, config.classifier_weight) == ("acgan", 1.0)
    assert (config.spectral_norm, config.conditional_batchnorm, config.label_smoothing) == (False, False, 0.0)
    assert config.label_concat is True


def test_conditional_batchnorm_run_before_label_concat_keeps_the_concatenation():
    saved = ImageGANConfig(architecture="dcgan", conditional=True, conditional_batchnorm=True).to_dict()
    del saved["label_concat"]
    config = ImageGANConfig.from_dict(saved)
    assert config.conditional_batchnorm and config.label_concat


def test_a_partly_missing_group_is_still_refused():
    values = ImageGANConfig(conditional=True).to_dict()
    del values["packing"]
    with pytest.raises(ValueError, match=r"Missing ImageGANConfig keys: \['packing'\]"):
        ImageGANConfig.from_dict(values)


def test_migrated_config_rebuilds_the_old_networks(tiny):
    old = {k: v for k, v in tiny(conditional=True).to_dict().items() if k not in ADDED}
    config = ImageGANConfig.from_dict(old)
    discriminator = build_discriminator(config)
    # The old conditional discriminator: [image, label] in, the label embedding joined to the pixels.
    assert [tensor.name for tensor in discriminator.inputs] == ["image", "label"]
    assert discriminator.get_layer("image_label") is not None
    assert discriminator.output.shape == (None, 1)


def test_load_run_reads_an_old_run_directory(tmp_path, tiny, seed):
    config = tiny(conditional=True, conditioning="concat")
    generator = build_generator(config)
    run = tmp_path / "run"
    run.mkdir()
    generator.save(run / "generator.keras")
    old = {k: v for k, v in config.to_dict().items() if k not in ADDED}
    training = ImageTrainingConfig(dataset="mnist", epochs=1)
    (run / "config.json").write_text(json.dumps({"gan": old, "training": training.to_dict()}))
    (run / "summary.json").write_text(json.dumps({"seconds": 1.0}))
    gan_config, train_config, loaded, summary = load_run(run)
    assert gan_config == config and train_config == training and summary == {"seconds": 1.0, "generator_epoch": None}
    inputs = [np.ones((2, config.latent_dim), np.float32), np.array([0, 2], np.int32)]
    np.testing.assert_allclose(loaded(inputs).numpy(), generator(inputs).numpy(), atol=1e-6)
