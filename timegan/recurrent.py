"""A GRU layer whose unrolled form runs TensorFlow's fused `GRUBlockCell` kernel per time step.

`BlockGRU` is `keras.layers.GRU` with the reset gate applied before the recurrent matrix
product (`reset_after=False`), the convention of the TimeGAN reference code's
`tf.nn.rnn_cell.GRUCell` (Cho et al., 2014, eq. 5-8) and of `tf.raw_ops.GRUBlockCell`:

    r = sigmoid(x W_r + h U_r + b_r),   z = sigmoid(x W_z + h U_z + b_z)
    c = tanh(x W_h + (r * h) U_h + b_h),   h' = z * h + (1 - z) * c

Keras' default GRU (`reset_after=True`, the form cuDNN runs) computes `r * (h U_h + b'_h)`
instead: the two are different models, which is why `cell="gru_block"` is a separate choice of
`TimeGANConfig.cell` and not a faster path of `cell="gru"`.

Unrolled (`unroll=True`, how a TimeGAN trains on a CPU), each time step is one `GRUBlockCell`
op instead of the ~15 small ops of Keras' cell, and the backward pass is one `GRUBlockCellGrad`
op per step plus two matrix products for the weight gradients of all steps at once. In the
loop form (generation, GPUs, XLA) the layer is Keras' GRU with `reset_after=False`: the same
maths and the same weights, so a model trained unrolled generates with the loop.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="timegan")
class BlockGRU(keras.layers.GRU):
    """`keras.layers.GRU(reset_after=False)`; unrolled, computed with `tf.raw_ops.GRUBlockCell`.

    Takes the arguments of `keras.layers.GRU` except `reset_after` (always False). The fused
    kernel is used when the layer is unrolled, returns sequences, runs forwards without a mask,
    dropout or state output, with tanh/sigmoid activations and a bias; otherwise the layer runs
    Keras' own GRU computation (the same maths).

    Input shape:
        `(batch, time, features)`; the time axis must be known when unrolled.

    Output shape:
        `(batch, time, units)` with `return_sequences=True`, else `(batch, units)`.

    Raises:
        ValueError: if `reset_after=True` is passed.
    """

    def __init__(self, units, **kwargs):
        if kwargs.pop("reset_after", False):
            raise ValueError("Expected `reset_after` to be False for a BlockGRU. Received: reset_after=True")
        super().__init__(units, reset_after=False, **kwargs)

    def _fused(self, mask, training):
        cell = self.cell
        return (
            self.unroll
            and self.return_sequences
            and not self.go_backwards
            and mask is None
            and cell.use_bias
            and not (training and (cell.dropout or cell.recurrent_dropout))
            and keras.activations.serialize(cell.activation) == "tanh"
            and keras.activations.serialize(cell.recurrent_activation) == "sigmoid"
        )

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not self._fused(mask, training):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        state = initial_state[0] if isinstance(initial_state, (list, tuple)) else initial_state
        weights = block_weights(self.cell.kernel, self.cell.recurrent_kernel, self.cell.bias)
        outputs = block_gru_sequence(sequences, state, *weights, name=self.name)
        last = outputs[:, -1]
        return last, outputs, [last]

    def get_config(self):
        config = super().get_config()
        config.pop("reset_after", None)
        return config


def block_weights(kernel, recurrent_kernel, bias):
    """Keras GRU weights (`reset_after=False`) in the layout `tf.raw_ops.GRUBlockCell` takes.

    Args:
        kernel: `(input_dim, 3 * units)`, gate columns in Keras' order z (update), r (reset), h.
        recurrent_kernel: `(units, 3 * units)`, same column order.
        bias: `(3 * units,)`, same order.

    Returns:
        `(w_ru, w_c, b_ru, b_c)`: `w_ru` `(input_dim + units, 2 * units)` with the reset gate's
        columns first, `w_c` `(input_dim + units, units)`, `b_ru` `(2 * units,)`, `b_c` `(units,)`.
    """
    stacked = tf.concat([kernel, recurrent_kernel], axis=0)
    z, r, h = tf.split(stacked, 3, axis=1)
    bias_z, bias_r, bias_h = tf.split(bias, 3)
    return tf.concat([r, z], axis=1), h, tf.concat([bias_r, bias_z], axis=0), bias_h


def block_gru_sequence(inputs, initial_state, w_ru, w_c, b_ru, b_c, name="block_gru"):
    """Runs a GRU (reset gate before the product) over the time axis with the fused kernels.

    Args:
        inputs: `(batch, time, input_dim)`, the time axis known.
        initial_state: `(batch, units)`.
        w_ru, w_c, b_ru, b_c: the weights as `block_weights` returns them.
        name: the backward ops are named `gradient_tape/{name}/...` (as Keras' own are), so
            that profiles attribute them to their layer.

    Returns:
        `(batch, time, units)`: the state after each step.
    """

    @tf.custom_gradient
    def run(inputs, initial_state, w_ru, w_c, b_ru, b_c):
        steps = tf.unstack(inputs, axis=1)
        h = initial_state
        previous, resets, updates, candidates, outputs = [], [], [], [], []
        for x in steps:
            r, u, c, h_next = tf.raw_ops.GRUBlockCell(x=x, h_prev=h, w_ru=w_ru, w_c=w_c, b_ru=b_ru, b_c=b_c)
            previous.append(h)
            resets.append(r)
            updates.append(u)
            candidates.append(c)
            outputs.append(h_next)
            h = h_next
        result = tf.stack(outputs, axis=1)

        def gradient(d_outputs):
            with tf.name_scope(f"gradient_tape/{name}"):
                return backward(d_outputs)

        def backward(d_outputs):
            d_steps = tf.unstack(d_outputs, axis=1)
            d_inputs, d_gates, d_candidates = [], [], []
            d_h = tf.zeros_like(initial_state)
            for t in reversed(range(len(steps))):
                d_x, d_h, d_c_bar, d_r_bar_u_bar = tf.raw_ops.GRUBlockCellGrad(
                    x=steps[t],
                    h_prev=previous[t],
                    w_ru=w_ru,
                    w_c=w_c,
                    b_ru=b_ru,
                    b_c=b_c,
                    r=resets[t],
                    u=updates[t],
                    c=candidates[t],
                    d_h=d_steps[t] + d_h,
                )
                d_inputs.append(d_x)
                d_gates.append(d_r_bar_u_bar)
                d_candidates.append(d_c_bar)
            # Weight gradients of all steps in one product each: rows are (step, batch) pairs.
            x_all = tf.concat(steps[::-1], axis=0)
            h_all = tf.concat(previous[::-1], axis=0)
            r_all = tf.concat(resets[::-1], axis=0)
            d_gates, d_candidates = tf.concat(d_gates, axis=0), tf.concat(d_candidates, axis=0)
            d_w_ru = tf.matmul(tf.concat([x_all, h_all], axis=1), d_gates, transpose_a=True)
            d_w_c = tf.matmul(tf.concat([x_all, r_all * h_all], axis=1), d_candidates, transpose_a=True)
            return (
                tf.stack(d_inputs[::-1], axis=1),
                d_h,
                d_w_ru,
                d_w_c,
                tf.reduce_sum(d_gates, axis=0),
                tf.reduce_sum(d_candidates, axis=0),
            )

        return result, gradient

    return run(inputs, initial_state, w_ru, w_c, b_ru, b_c)
