"""`UnrolledGRU` (the default cell's unrolled form): Keras' GRU computed in fewer ops, with its
backward pass written out; outputs and every gradient must equal Keras' own."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from timegan import TimeGANConfig
from timegan.networks import build_networks
from timegan.recurrent import UnrolledGRU, reset_after_gru_sequence


def twin_layers(units=4, input_dim=3, scale=1.5):
    """Keras' GRU and an unrolled `UnrolledGRU` with the same non-trivial weights (non-zero biases)."""
    reference = keras.layers.GRU(units, return_sequences=True)
    ours = UnrolledGRU(units, return_sequences=True, unroll=True)
    reference.build((None, None, input_dim))
    ours.build((None, None, input_dim))
    rng = np.random.default_rng(7)
    weights = [scale * rng.normal(size=w.shape).astype("float32") for w in reference.get_weights()]
    reference.set_weights(weights)
    ours.set_weights(weights)
    return reference, ours


def outputs_and_gradients(layer, x, h0, upstream):
    with tf.GradientTape() as tape:
        tape.watch([x, h0])
        y = layer(x, initial_state=h0)
        loss = tf.reduce_sum(tf.sin(y) * upstream)
    return y, tape.gradient(loss, [x, h0, *layer.trainable_variables])


@pytest.mark.parametrize("compiled", [False, True])
def test_outputs_and_every_gradient_equal_keras_gru(seed, compiled):
    x = tf.random.normal((5, 7, 3), seed=1)
    h0 = tf.random.normal((5, 4), seed=3)  # a non-zero initial state: its gradient is checked too
    upstream = tf.random.normal((5, 7, 4), seed=2)
    reference, ours = twin_layers()
    expected_y, expected = outputs_and_gradients(reference, x, h0, upstream)
    run = tf.function(outputs_and_gradients) if compiled else outputs_and_gradients
    y, gradients = run(ours, x, h0, upstream)
    np.testing.assert_allclose(y, expected_y, rtol=1e-5, atol=1e-6)
    assert len(gradients) == 5  # input, initial state, kernel, recurrent kernel, bias
    for got, want in zip(gradients, expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_the_written_out_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(2, 4, 2)), tf.float64)
    h0 = tf.constant(rng.normal(size=(2, 3)), tf.float64)
    kernel, recurrent, bias = (tf.constant(rng.normal(size=s), tf.float64) for s in ((2, 9), (3, 9), (2, 9)))
    upstream = tf.constant(rng.normal(size=(2, 4, 3)), tf.float64)

    def loss(*args):
        return tf.reduce_sum(reset_after_gru_sequence(*args) * upstream)

    theoretical, numerical = tf.test.compute_gradient(loss, [x, h0, kernel, recurrent, bias], delta=1e-6)
    for t, n in zip(theoretical, numerical):
        np.testing.assert_allclose(t, n, rtol=1e-6, atol=1e-8)


def test_off_the_unrolled_path_it_is_keras_gru_exactly(seed):
    x = tf.random.normal((4, 6, 3), seed=5)
    reference, ours = twin_layers()
    looped = UnrolledGRU.from_config({**ours.get_config(), "unroll": False})
    looped.build(x.shape)
    looped.set_weights(ours.get_weights())
    np.testing.assert_array_equal(looped(x), reference(x))
    last_only = UnrolledGRU(4, unroll=True)  # not returning sequences: Keras' own unrolled loop
    last_only.build(x.shape)
    last_only.set_weights(ours.get_weights())
    np.testing.assert_allclose(last_only(x), reference(x)[:, -1], rtol=1e-5, atol=1e-6)


def test_reset_gate_before_the_product_is_refused():
    with pytest.raises(ValueError, match=r"Expected `reset_after` to be True for an UnrolledGRU.*reset_after=False"):
        UnrolledGRU(4, reset_after=False)


def test_round_trips_through_its_config_and_safe_mode_serialisation():
    layer = UnrolledGRU(3, return_sequences=True, unroll=True, name="g")
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer), safe_mode=True)
    assert type(clone) is UnrolledGRU and clone.unroll and clone.cell.reset_after and clone.name == "g"


@pytest.mark.parametrize("unroll", [True, False])
def test_default_cell_networks_use_it_with_keras_settings(unroll):
    nets = build_networks(TimeGANConfig(hidden_dim=4, num_layers=2), n_features=2, unroll=unroll)
    layers = [layer for net in nets.values() for layer in net.layers if isinstance(layer, keras.layers.GRU)]
    assert layers and all(type(layer) is UnrolledGRU and layer.unroll == unroll for layer in layers)
    assert all(layer.cell.reset_after for layer in layers)
