"""The fused GRU cell choice (`cell="gru_block"`): same maths as Keras' GRU with the reset gate
before the product, in the unrolled (fused kernel) and loop forms, and a TimeGAN that trains with it."""

import dataclasses

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from timegan import TimeGAN, TimeGANConfig
from timegan.networks import NETWORK_NAMES
from timegan.recurrent import BlockGRU

TINY_BLOCK = TimeGANConfig(seq_len=3, hidden_dim=4, num_layers=1, batch_size=8, cell="gru_block", seed=0)


def sines(n=32, seq_len=3, dim=2, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(seq_len)[None, :, None]
    return 5 + 5 * np.sin(rng.uniform(0.2, 0.6, (n, 1, dim)) * t + rng.uniform(0, np.pi, (n, 1, dim)))


def outputs_and_gradients(layer, x, upstream):
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.sin(layer(x)) * upstream)
    return layer(x), tape.gradient(loss, [x, *layer.trainable_variables])


@pytest.mark.parametrize("compiled", [False, True])
def test_fused_gru_equals_keras_gru_with_the_reset_gate_before_the_product(seed, compiled):
    x = tf.random.uniform((5, 7, 3), seed=1)
    upstream = tf.random.normal((5, 7, 4), seed=2)
    reference = keras.layers.GRU(4, return_sequences=True, reset_after=False)
    fused = BlockGRU(4, return_sequences=True, unroll=True)
    reference.build(x.shape)
    fused.build(x.shape)
    fused.set_weights([w * 1.5 for w in reference.get_weights()])  # a non-zero bias too
    reference.set_weights(fused.get_weights())
    run = tf.function(outputs_and_gradients) if compiled else outputs_and_gradients
    expected_y, expected_gradients = outputs_and_gradients(reference, x, upstream)
    y, gradients = run(fused, x, upstream)
    np.testing.assert_allclose(y, expected_y, rtol=1e-5, atol=1e-6)
    assert len(gradients) == 4  # the input, kernel, recurrent kernel and bias
    for got, expected in zip(gradients, expected_gradients):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_fused_gru_differs_from_keras_default_gru(seed):
    x = tf.random.uniform((2, 5, 3), seed=1)
    default = keras.layers.GRU(4, return_sequences=True)  # reset_after=True: one more bias row
    fused = BlockGRU(4, return_sequences=True, unroll=True)
    default.build(x.shape)
    fused.build(x.shape)
    kernel, recurrent, bias = default.get_weights()
    bias = np.full_like(bias, 0.5)
    default.set_weights([kernel, recurrent, bias])
    fused.set_weights([kernel, recurrent, bias[0]])
    assert np.abs(default(x) - fused(x)).max() > 1e-3


def test_fused_gru_refuses_the_reset_gate_after_the_product():
    with pytest.raises(
        ValueError, match=r"Expected `reset_after` to be False for a BlockGRU. Received: reset_after=True"
    ):
        BlockGRU(4, reset_after=True)


def test_fused_gru_round_trips_through_its_config():
    layer = BlockGRU(3, return_sequences=True, unroll=True, name="g")
    clone = BlockGRU.from_config(layer.get_config())
    assert "reset_after" not in layer.get_config()
    assert clone.unroll and clone.return_sequences and not clone.cell.reset_after


@pytest.fixture(scope="module")
def gru_block_models():
    """TINY_BLOCK trained 2 steps per phase unrolled and as the loop (only read by the tests)."""
    models = tuple(TimeGAN(dataclasses.replace(TINY_BLOCK, unroll=flag)) for flag in (True, False))
    for model in models:
        model.fit(sines(), steps=2, progress=False)
    return models


def test_gru_block_timegan_trains_unrolled_as_the_loop_computes(gru_block_models):
    unrolled, looped = gru_block_models
    for model, flag in ((unrolled, True), (looped, False)):
        layers = model.networks["generator"].layers[:-1]
        assert [(type(layer).__name__, layer.unroll) for layer in layers] == [("BlockGRU", flag)]
    pd.testing.assert_frame_equal(unrolled.losses(), looped.losses(), rtol=2e-3)
    for name in NETWORK_NAMES:
        for a, b in zip(unrolled.networks[name].get_weights(), looped.networks[name].get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        unrolled.generate(3, seed=1, seq_len=9), looped.generate(3, seed=1, seq_len=9), rtol=1e-4
    )


def test_gru_block_timegan_saves_and_loads(gru_block_models, tmp_path):
    model = gru_block_models[0]  # the unrolled one
    model.save(tmp_path / "run")
    loaded = TimeGAN.load(tmp_path / "run")
    assert loaded.config.cell == "gru_block"
    np.testing.assert_allclose(loaded.generate(4, seed=3), model.generate(4, seed=3), rtol=1e-6)


def test_gru_block_with_xla_refuses_unrolling():
    with pytest.raises(ValueError, match=r"Expected `unroll` to be None or False with cell='gru_block'"):
        TimeGANConfig(cell="gru_block", jit_compile=True, unroll=True)
    assert TimeGANConfig(cell="gru_block", jit_compile=True).unroll is None  # the loop form runs under XLA


def test_configs_saved_before_the_gru_block_choice_still_load():
    saved = TimeGANConfig().to_dict()  # the fields were unchanged by the new cell value
    assert TimeGANConfig.from_dict(saved).cell == "gru"
    with pytest.raises(ValueError, match="cell"):
        TimeGANConfig(cell="gru_reference")
