import keras
import numpy as np

from timegan import TimeGANConfig
from timegan.networks import NETWORK_NAMES, build_networks


def test_shapes_layers_and_heads():
    config = TimeGANConfig(hidden_dim=5, num_layers=3, z_dim=2)
    nets = build_networks(config, n_features=3)
    assert list(nets) == list(NETWORK_NAMES)
    cases = {"embedder": (3, 5), "recovery": (5, 3), "generator": (2, 5), "supervisor": (5, 5), "discriminator": (5, 1)}
    for name, (inp, out) in cases.items():
        y = nets[name](np.zeros((4, 7, inp), "float32"))
        assert tuple(y.shape) == (4, 7, out), name
    grus = {name: [layer for layer in net.layers if isinstance(layer, keras.layers.GRU)] for name, net in nets.items()}
    assert {name: len(v) for name, v in grus.items()} == {
        "embedder": 3,
        "recovery": 3,
        "generator": 3,
        "supervisor": 2,
        "discriminator": 3,
    }
    assert nets["embedder"].layers[-1].activation is keras.activations.sigmoid
    assert nets["discriminator"].layers[-1].activation is keras.activations.linear


def test_recurrent_layers_keep_cudnn_compatible_settings():
    nets = build_networks(TimeGANConfig(hidden_dim=4, num_layers=2), n_features=2)
    for net in nets.values():
        for layer in net.layers:
            if isinstance(layer, keras.layers.GRU):
                assert layer.cell.activation is keras.activations.tanh
                assert layer.cell.recurrent_activation is keras.activations.sigmoid
                assert layer.cell.recurrent_dropout == 0 and not layer.unroll and layer.cell.reset_after


def test_lstm_cell_and_seeded_weights():
    a = build_networks(TimeGANConfig(hidden_dim=4, num_layers=1, cell="lstm", seed=3), 2)
    b = build_networks(TimeGANConfig(hidden_dim=4, num_layers=1, cell="lstm", seed=3), 2)
    assert isinstance(a["generator"].layers[0], keras.layers.LSTM)
    for name in NETWORK_NAMES:
        for wa, wb in zip(a[name].get_weights(), b[name].get_weights()):
            np.testing.assert_array_equal(wa, wb)


def test_training_unrolls_on_a_cpu_without_xla_unless_told():
    from timegan.networks import unroll_for_training

    assert unroll_for_training(TimeGANConfig()) is True  # the test machine has no GPU
    assert unroll_for_training(TimeGANConfig(jit_compile=True)) is False
    assert unroll_for_training(TimeGANConfig(unroll=False)) is False
    assert unroll_for_training(TimeGANConfig(jit_compile=True, unroll=True)) is True
