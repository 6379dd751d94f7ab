import pytest

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
        ("architecture", "resnet", "Unknown architecture 'resnet'. Expected one of ['mlp', 'dcgan']"),
        ("loss", "hinge", "Expected one of ['minimax', 'non-saturating', 'wgan', 'wgan-gp']. Received: loss='hinge'"),
        ("optimizer", "lion", "Received: optimizer='lion'"),
        ("latent_dim", 0, "Expected `latent_dim` to be an integer >= 1. Received: latent_dim=0"),
        ("generator_lr", -1.0, "Received: generator_lr=-1.0"),
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
        (dict(packing=0), "Expected `packing` to be an integer >= 1. Received: packing=0"),
        (dict(packing=2, conditional=True), "packing=2 is not available with conditional=True"),
        (dict(conditioning="acgan"), "`conditioning` only applies to conditional=True. Received: conditioning='acgan'"),
        (dict(conditional=True, conditioning="hinge"), "Expected one of ['concat', 'projection', 'acgan']"),
        (dict(conditional=True, classifier_weight=2.0), "`classifier_weight` only applies to conditioning='acgan'"),
        (dict(conditional=True, conditioning="acgan", classifier_weight=0.0), "Received: classifier_weight=0.0"),
    ],
)
def test_conditioning_and_packing_errors(values, expected):
    with pytest.raises(ValueError) as error:
        ImageGANConfig(**values)
    assert expected in str(error.value)
