import dataclasses
import json

import numpy as np
import pytest

from timegan.images import config as config_module
from timegan.images.config import ImageGANConfig, ImageTrainingConfig


def test_defaults_follow_the_loss():
    wgan = ImageGANConfig(loss="wgan")
    assert (wgan.optimizer, wgan.generator_lr, wgan.discriminator_steps, wgan.clip_value) == ("rmsprop", 5e-5, 5, 0.01)
    assert wgan.gp_weight is None and wgan.beta_1 is None
    gp = ImageGANConfig(loss="wgan-gp")
    assert (gp.optimizer, gp.beta_1, gp.beta_2, gp.gp_weight, gp.discriminator_steps) == ("adam", 0.0, 0.9, 10.0, 5)
    plain = ImageGANConfig(loss="minimax")
    assert (plain.optimizer, plain.discriminator_steps, plain.clip_value) == ("adam", 1, None)
    assert ImageGANConfig(optimizer="momentum").momentum == 0.9
    assert ImageGANConfig(optimizer="adadelta").generator_lr == 1.0


@pytest.mark.parametrize("loss", ["minimax", "non-saturating", "wgan", "wgan-gp"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"])
def test_round_trip(loss, optimizer):
    config = ImageGANConfig(loss=loss, optimizer=optimizer, hidden_units=(3, 4), conditional=True)
    assert ImageGANConfig.from_dict(config.to_dict()) == config


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match=r"Unknown ImageGANConfig keys: \['lr'\]"):
        ImageGANConfig.from_dict({"lr": 0.1})
    with pytest.raises(ValueError, match=r"Unknown ImageTrainingConfig keys: \['epoch'\]"):
        ImageTrainingConfig.from_dict({"epoch": 1})


@pytest.mark.parametrize(
    "field, value, expected",
    [
        (
            "architecture",
            "resnet",
            "Expected `architecture` to be one of 'mlp', 'dcgan'. Received: architecture='resnet'",
        ),
        ("loss", "lsgan", "one of 'minimax', 'non-saturating', 'hinge', 'wgan', 'wgan-gp'. Received: loss='lsgan'"),
        ("optimizer", "lion", "Received: optimizer='lion'"),
        ("latent_dim", 0, "Expected `latent_dim` to be a positive integer. Received: latent_dim=0"),
        ("generator_lr", -1.0, "Expected `generator_lr` to be a number in (0, 10]. Received: generator_lr=-1.0"),
        ("generator_lr", float("inf"), "Expected `generator_lr` to be a number in (0, 10]. Received: generator_lr=inf"),
        ("discriminator_lr", np.float64("nan"), "Received: discriminator_lr=np.float64(nan)"),
        ("gp_epsilon", float("inf"), "Received: gp_epsilon=inf"),
        ("dropout", 1.0, "Expected `dropout` to be a number in [0, 1). Received: dropout=1.0"),
        ("seed", 2**70, f"Expected `seed` to be an integer in [0, 4294967295]. Received: seed={2**70}"),
        ("hidden_units", (), "Received: hidden_units=()"),
    ],
)
def test_bad_values_are_quoted(field, value, expected):
    with pytest.raises(ValueError) as error:
        ImageGANConfig(**{field: value})
    assert expected in str(error.value)


@pytest.mark.parametrize(
    "values, expected",
    [
        (dict(loss="non-saturating", clip_value=0.1), "`clip_value` only applies to loss='wgan'"),
        (dict(loss="wgan", gp_weight=5.0), "`gp_weight` only applies to loss='wgan-gp'"),
        (dict(loss="wgan-gp", minibatch_discrimination=True), "incompatible with loss='wgan-gp'"),
        (dict(optimizer="adam", momentum=0.5), "`momentum` only applies to optimizer='momentum'"),
        (dict(optimizer="sgd", beta_1=0.5), "`beta_1` only applies to optimizer='adam'"),
        (dict(architecture="dcgan", image_size=30), "multiple of 4 for architecture='dcgan'"),
    ],
)
def test_incompatible_options_are_refused(values, expected):
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        ImageGANConfig(**values)


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match=r"Expected `latent_dim` to be a positive integer. Received: latent_dim=100.0"):
        ImageGANConfig(latent_dim=100.0)
    with pytest.raises(TypeError, match=r"Received: hidden_units=\(256.5,\)"):
        ImageGANConfig(hidden_units=(256.5,))
    with pytest.raises(TypeError, match="Expected `conditional` to be a bool. Received: conditional=1"):
        ImageGANConfig(conditional=1)


def test_numpy_scalars_become_python_numbers():
    config = ImageGANConfig(
        latent_dim=np.int64(100),
        generator_lr=np.float32(2e-4),
        hidden_units=[np.int64(8)],
        conditional=np.bool_(True),
        seed=np.int64(3),
    )
    assert (config.latent_dim, config.generator_lr, config.hidden_units, config.seed) == (100, 2e-4, (8,), 3)
    assert type(config.latent_dim) is int and type(config.generator_lr) is float and config.conditional is True
    assert ImageGANConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    training = ImageTrainingConfig(epochs=np.int64(2), train_size=np.int32(100))
    assert (type(training.epochs), training.train_size) == (int, 100)
    json.dumps(training.to_dict())


def test_training_lr_and_seed_are_bounded():
    with pytest.raises(ValueError, match="Received: seed=-1"):
        ImageTrainingConfig(seed=-1)
    with pytest.raises(
        ValueError, match="Expected `discriminator_lr` to be a number in \\(0, 10\\]. Received: discriminator_lr=50.0"
    ):
        ImageGANConfig(discriminator_lr=50.0)


def test_from_dict_refuses_missing_keys():
    values = ImageGANConfig().to_dict()
    del values["seed"]
    with pytest.raises(ValueError, match=r"Missing ImageGANConfig keys: \['seed'\]"):
        ImageGANConfig.from_dict(values)
    with pytest.raises(ValueError, match=r"Missing ImageTrainingConfig keys: \['epochs'\]"):
        ImageTrainingConfig.from_dict({k: v for k, v in ImageTrainingConfig().to_dict().items() if k != "epochs"})


def test_every_field_has_constraints():
    assert set(config_module._CONSTRAINTS) == {f.name for f in dataclasses.fields(ImageGANConfig)}
    # The dataset name is checked by `timegan.images.data.check_dataset_name`.
    assert set(config_module._TRAINING_CONSTRAINTS) | {"dataset"} == {
        f.name for f in dataclasses.fields(ImageTrainingConfig)
    }


def test_frozen():
    with pytest.raises(Exception, match="cannot assign"):
        ImageGANConfig().loss = "wgan"


def test_training_config_validates():
    with pytest.raises(ValueError, match="Unknown dataset 'cifar'"):
        ImageTrainingConfig(dataset="cifar")
    with pytest.raises(ValueError, match="Received: epochs=0"):
        ImageTrainingConfig(epochs=0)


def test_conditioning_defaults_to_projection_and_round_trips():
    config = ImageGANConfig(conditional=True)
    assert (config.conditioning, config.classifier_weight, config.packing) == ("projection", None, 1)
    acgan = ImageGANConfig(conditional=True, conditioning="acgan")
    assert acgan.classifier_weight == 1.0
    assert ImageGANConfig.from_dict(acgan.to_dict()) == acgan
    assert ImageGANConfig().conditioning is None
    assert ImageGANConfig.from_dict(ImageGANConfig(packing=3).to_dict()).packing == 3


@pytest.mark.parametrize(
    "values, expected",
    [
        (dict(packing=0), "Expected `packing` to be a positive integer. Received: packing=0"),
        (dict(packing=2, conditional=True), "packing=2 is not available with conditional=True"),
        (dict(conditioning="acgan"), "`conditioning` only applies to conditional=True. Received: conditioning='acgan'"),
        (
            dict(conditional=True, conditioning="hinge"),
            "Expected `conditioning` to be one of 'concat', 'projection', 'acgan' or None. Received: conditioning='hinge'",
        ),
        (dict(conditional=True, classifier_weight=2.0), "`classifier_weight` only applies to conditioning='acgan'"),
        (dict(conditional=True, conditioning="acgan", classifier_weight=0.0), "Received: classifier_weight=0.0"),
    ],
)
def test_conditioning_and_packing_errors(values, expected):
    with pytest.raises(ValueError) as error:
        ImageGANConfig(**values)
    assert expected in str(error.value)
