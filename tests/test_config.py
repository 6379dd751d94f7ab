import dataclasses
import json

import numpy as np
import pytest

from timegan import TimeGANConfig
from timegan.config import CONSTRAINTS


def test_defaults_are_the_papers():
    config = TimeGANConfig()
    assert (config.seq_len, config.hidden_dim, config.num_layers, config.batch_size) == (24, None, 3, 128)
    assert config.cell == "gru" and config.supervisor_layers == 2
    assert config.resolve(3).hidden_dim == 24  # None: the paper's width up to 8 features
    assert (
        config.recon_weight,
        config.embedder_supervised_weight,
        config.generator_supervised_weight,
        config.moment_weight,
        config.gamma,
        config.disc_loss_threshold,
    ) == (10, 0.1, 100, 100, 1, 0.15)
    assert config.generator_updates_per_step == 2 and config.learning_rate == 1e-3


def test_round_trip_and_unknown_keys():
    config = TimeGANConfig(seq_len=10, cell="lstm")
    assert TimeGANConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match=r"Unknown TimeGANConfig keys: \['hiden_dim'\]"):
        TimeGANConfig.from_dict({"hiden_dim": 3})


def test_from_dict_refuses_missing_keys_instead_of_defaulting_them():
    values = TimeGANConfig(seed=7).to_dict()
    del values["seed"], values["learning_rate"]
    with pytest.raises(ValueError, match=r"Missing TimeGANConfig keys: \['learning_rate', 'seed'\]"):
        TimeGANConfig.from_dict(values)


def test_numpy_scalars_become_python_numbers_and_json_works():
    config = TimeGANConfig(
        seq_len=np.int64(24),
        hidden_dim=np.int64(8),
        learning_rate=np.float32(1e-3),
        z_dim=np.int32(3),
        seed=np.uint32(5),
        jit_compile=np.bool_(False),
    )
    assert (type(config.seq_len), type(config.hidden_dim), type(config.learning_rate)) == (int, int, float)
    assert (config.seq_len, config.hidden_dim, config.learning_rate, config.z_dim, config.seed) == (24, 8, 1e-3, 3, 5)
    assert config.jit_compile is False
    assert TimeGANConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seq_len": 1}, "Expected `seq_len` to be an integer >= 2. Received: seq_len=1"),
        ({"hidden_dim": 0}, "Expected `hidden_dim` to be a positive integer or None. Received: hidden_dim=0"),
        ({"batch_size": -4}, "Received: batch_size=-4"),
        ({"cell": "rnn"}, "Expected `cell` to be one of 'gru', 'gru_block', 'lstm'. Received: cell='rnn'"),
        ({"learning_rate": 0}, "Expected `learning_rate` to be a number in (0, 1]. Received: learning_rate=0"),
        (
            {"learning_rate": float("inf")},
            "Expected `learning_rate` to be a number in (0, 1]. Received: learning_rate=inf",
        ),
        ({"learning_rate": 1e30}, "Expected `learning_rate` to be a number in (0, 1]. Received: learning_rate=1e+30"),
        ({"learning_rate": np.float32("nan")}, "Received: learning_rate=np.float32(nan)"),
        ({"gamma": -1}, "Expected `gamma` to be a number in [0, 1000000]. Received: gamma=-1"),
        ({"gamma": float("inf")}, "Expected `gamma` to be a number in [0, 1000000]. Received: gamma=inf"),
        ({"moment_weight": 1e300}, "Received: moment_weight=1e+300"),
        ({"moment_eps": float("nan")}, "Expected `moment_eps` to be a number in [0, 1]. Received: moment_eps=nan"),
        ({"seed": 2**70}, f"Expected `seed` to be an integer in [0, 4294967295]. Received: seed={2**70}"),
        ({"seed": -1}, "Received: seed=-1"),
        ({"z_dim": 0}, "Expected `z_dim` to be a positive integer or None. Received: z_dim=0"),
        (
            {"disc_loss_threshold": float("inf")},
            "Expected `disc_loss_threshold` to be a finite number >= 0. Received: disc_loss_threshold=inf",
        ),
    ],
)
def test_bad_values_are_refused_with_the_value(kwargs, message):
    with pytest.raises(ValueError) as error:
        TimeGANConfig(**kwargs)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_layers": 2.5}, "Expected `num_layers` to be a positive integer. Received: num_layers=2.5"),
        ({"seq_len": 24.0}, "Received: seq_len=24.0"),
        ({"seq_len": True}, "Received: seq_len=True"),
        ({"learning_rate": "0.001"}, "Received: learning_rate='0.001'"),
    ],
)
def test_wrong_types_are_type_errors(kwargs, message):
    with pytest.raises(TypeError) as error:
        TimeGANConfig(**kwargs)
    assert message in str(error.value)


def test_every_field_has_constraints():
    assert set(CONSTRAINTS) == {field.name for field in dataclasses.fields(TimeGANConfig)}


def test_frozen():
    with pytest.raises(AttributeError):
        TimeGANConfig().seq_len = 3


@pytest.mark.parametrize("name", ["jit_compile", "unroll"])
def test_switches_must_be_bools(name):
    with pytest.raises(TypeError, match=f"Expected `{name}` to be a bool.*Received: {name}='yes'"):
        TimeGANConfig(**{name: "yes"})
