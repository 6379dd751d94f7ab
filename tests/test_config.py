import pytest

from timegan import TimeGANConfig


def test_defaults_are_the_papers():
    config = TimeGANConfig()
    assert (config.seq_len, config.hidden_dim, config.num_layers, config.batch_size) == (24, 24, 3, 128)
    assert config.cell == "gru" and config.supervisor_layers == 2
    assert (config.recon_weight, config.embedder_supervised_weight, config.generator_supervised_weight,
            config.moment_weight, config.gamma, config.disc_loss_threshold) == (10, 0.1, 100, 100, 1, 0.15)
    assert config.generator_updates_per_step == 2 and config.learning_rate == 1e-3


def test_round_trip_and_unknown_keys():
    config = TimeGANConfig(seq_len=10, cell="lstm")
    assert TimeGANConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match=r"Unknown TimeGANConfig keys: \['hiden_dim'\]"):
        TimeGANConfig.from_dict({"hiden_dim": 3})


@pytest.mark.parametrize("kwargs, message", [
    ({"seq_len": 1}, "Expected `seq_len` to be an integer >= 2. Received: seq_len=1"),
    ({"hidden_dim": 0}, "Received: hidden_dim=0"),
    ({"batch_size": -4}, "Received: batch_size=-4"),
    ({"num_layers": 2.5}, "Received: num_layers=2.5"),
    ({"cell": "rnn"}, "Received: cell='rnn'"),
    ({"learning_rate": 0}, "Received: learning_rate=0"),
    ({"gamma": -1}, "Received: gamma=-1"),
    ({"seq_len": True}, "Received: seq_len=True"),
])
def test_bad_values_are_refused_with_the_value(kwargs, message):
    with pytest.raises(ValueError) as error:
        TimeGANConfig(**kwargs)
    assert message in str(error.value)


def test_frozen():
    with pytest.raises(AttributeError):
        TimeGANConfig().seq_len = 3


@pytest.mark.parametrize("name", ["jit_compile", "unroll"])
def test_switches_must_be_bools(name):
    with pytest.raises(TypeError, match=f"Expected `{name}` to be a bool.*Received: {name}='yes'"):
        TimeGANConfig(**{name: "yes"})
