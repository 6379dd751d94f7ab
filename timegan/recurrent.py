"""GRU layers whose unrolled forms (how a TimeGAN trains on a CPU) take far fewer ops per step.

`UnrolledGRU` is Keras' default GRU (`reset_after=True`, the cuDNN form; `cell="gru"`) computed,
when unrolled, with one input projection for all time steps and a hand-written backward pass.
`BlockGRU` (`cell="gru_block"`) runs TensorFlow's fused `GRUBlockCell` kernel per time step.

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


def _unrollable(layer, mask, training):
    """Whether `layer` (a `keras.layers.GRU`) can take its hand-written unrolled path: unrolled,
    returning sequences, forwards, no mask, dropout or state output, tanh/sigmoid, with a bias."""
    cell = layer.cell
    return (
        layer.unroll
        and layer.return_sequences
        and not layer.go_backwards
        and mask is None
        and cell.use_bias
        and not (training and (cell.dropout or cell.recurrent_dropout))
        and keras.activations.serialize(cell.activation) == "tanh"
        and keras.activations.serialize(cell.recurrent_activation) == "sigmoid"
    )


@keras.saving.register_keras_serializable(package="timegan")
class UnrolledGRU(keras.layers.GRU):
    """`keras.layers.GRU` (`reset_after=True`, Keras' default); unrolled, in fewer, larger ops.

    The maths is Keras' GRU (Cho et al. 2014 with the reset gate applied after the recurrent
    product, the form cuDNN runs), gate columns in Keras' order z (update), r (reset), h:

        z = sigmoid(x W_z + b_z + h U_z + b'_z),   r = sigmoid(x W_r + b_r + h U_r + b'_r)
        c = tanh(x W_h + b_h + r * (h U_h + b'_h)),   h' = z * h + (1 - z) * c

    Unrolled, the inputs of all time steps are projected in one matrix product, each step takes
    one recurrent product and a few element-wise ops on whole gate blocks (Keras' cell slices
    its weight matrices per step: ~20 ops forwards, whose strided-slice gradients write a
    full-size zero tensor each), and the backward pass is written out (`reset_after_gru_sequence`):
    one product per step for the state's gradient, then the weight and input gradients of all
    steps in one product each. Results equal Keras' up to float rounding (tested); the weights,
    config and loop form (generation, GPUs with cuDNN, XLA) are Keras' own.

    Takes the arguments of `keras.layers.GRU` except `reset_after` (always True). Off the
    unrolled path (see `_unrollable`) the layer is exactly Keras' GRU.

    Input shape:
        `(batch, time, features)`; the time axis must be known when unrolled.

    Output shape:
        `(batch, time, units)` with `return_sequences=True`, else `(batch, units)`.

    Raises:
        ValueError: if `reset_after=False` is passed (that model is `BlockGRU`).
    """

    def __init__(self, units, **kwargs):
        if not kwargs.pop("reset_after", True):
            raise ValueError(
                "Expected `reset_after` to be True for an UnrolledGRU (use BlockGRU for reset_after=False). "
                "Received: reset_after=False"
            )
        super().__init__(units, reset_after=True, **kwargs)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not _unrollable(self, mask, training):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        state = initial_state[0] if isinstance(initial_state, (list, tuple)) else initial_state
        cell = self.cell
        outputs = reset_after_gru_sequence(
            sequences,
            state,
            tf.convert_to_tensor(cell.kernel),
            tf.convert_to_tensor(cell.recurrent_kernel),
            tf.convert_to_tensor(cell.bias),
            name=self.name,
        )
        last = outputs[:, -1]
        return last, outputs, [last]

    def get_config(self):
        config = super().get_config()
        config.pop("reset_after", None)
        return config


def _named(backward, name):
    """`backward` as a custom gradient whose ops are named `gradient_tape/{name}/...` (as Keras'
    own are), so that profiles attribute them to their layer."""

    def gradient(d_outputs):
        with tf.name_scope(f"gradient_tape/{name}"):
            return backward(d_outputs)

    return gradient


def reset_after_gru_sequence(inputs, initial_state, kernel, recurrent_kernel, bias, name="gru"):
    """Runs Keras' default GRU (`reset_after=True`) over the time axis, with its backward pass
    written out.

    Forwards: `x_all = inputs @ kernel + bias[0]` for all steps at once; per step
    `m = h @ recurrent_kernel + bias[1]`, then the gates of `UnrolledGRU`. Backwards, per step
    from the last (with `a` the pre-activations and `dh` the gradient reaching `h'`):

        dz = dh * (h - c),   da_c = dh * (1 - z) * (1 - c^2),   dr = da_c * m_h
        da_z, da_r = dz * z (1 - z), dr * r (1 - r)
        dx_t = [da_z, da_r, da_c],   dm_t = [da_z, da_r, da_c * r]
        dh_prev = dh * z + dm_t @ recurrent_kernel^T

    then `d kernel = inputs^T dx`, `d recurrent_kernel = h_prev^T dm` and `d inputs = dx kernel^T`
    over all steps in one product each.

    Args:
        inputs: `(batch, time, input_dim)`, the time axis known.
        initial_state: `(batch, units)`.
        kernel: `(input_dim, 3 * units)`; recurrent_kernel: `(units, 3 * units)`; bias:
            `(2, 3 * units)` (input bias, recurrent bias), all in Keras' layout.
        name: the backward ops are named `gradient_tape/{name}/...` (as Keras' own are), so
            that profiles attribute them to their layer.

    Returns:
        `(batch, time, units)`: the state after each step.
    """

    @tf.custom_gradient
    def run(inputs, initial_state, kernel, recurrent_kernel, bias):
        units = recurrent_kernel.shape[0]
        input_dim = inputs.shape[-1]
        steps = inputs.shape[1]
        batch = tf.shape(inputs)[0]
        # Time-major rows (step, batch), so that each step's block is contiguous.
        x_rows = tf.reshape(tf.transpose(inputs, [1, 0, 2]), [-1, input_dim])
        projected = tf.reshape(tf.nn.bias_add(tf.matmul(x_rows, kernel), bias[0]), [steps, batch, 3 * units])
        x_zr, x_c = tf.split(projected, [2 * units, units], axis=-1)
        x_zr, x_c = tf.unstack(x_zr), tf.unstack(x_c)
        h = initial_state
        previous, differences, gates, candidates, inner_c, outputs = [], [], [], [], [], []
        recurrent_bias = bias[1]
        for t in range(steps):
            m_zr, m_c = tf.split(tf.nn.bias_add(tf.matmul(h, recurrent_kernel), recurrent_bias), [2 * units, units], -1)
            zr = tf.sigmoid(x_zr[t] + m_zr)
            z, r = tf.split(zr, 2, axis=-1)
            c = tf.tanh(x_c[t] + r * m_c)
            difference = h - c
            h_next = c + z * difference  # z * h + (1 - z) * c, in one op fewer
            previous.append(h)
            differences.append(difference)
            gates.append(zr)
            candidates.append(c)
            inner_c.append(m_c)
            outputs.append(h_next)
            h = h_next
        result = tf.stack(outputs, axis=1)

        def backward(d_outputs):
            d_steps = tf.unstack(d_outputs, axis=1)
            d_h = tf.zeros_like(initial_state)
            d_x, d_m = [], []
            for t in reversed(range(steps)):
                d_h = d_steps[t] + d_h
                zr, c = gates[t], candidates[t]
                z, r = tf.split(zr, 2, axis=-1)
                d_a_c = d_h * (1 - z) * (1 - tf.square(c))
                d_zr = tf.concat([d_h * differences[t], d_a_c * inner_c[t]], axis=-1)
                d_a_zr = d_zr * zr * (1 - zr)
                d_x.append(tf.concat([d_a_zr, d_a_c], axis=-1))
                d_m_t = tf.concat([d_a_zr, d_a_c * r], axis=-1)
                d_m.append(d_m_t)
                d_h = d_h * z + tf.matmul(d_m_t, recurrent_kernel, transpose_b=True)
            # All steps at once, rows in time-major order as in the forward projection.
            d_x = tf.concat(d_x[::-1], axis=0)
            d_m = tf.concat(d_m[::-1], axis=0)
            h_rows = tf.concat(previous, axis=0)
            d_inputs = tf.transpose(
                tf.reshape(tf.matmul(d_x, kernel, transpose_b=True), [steps, batch, input_dim]), [1, 0, 2]
            )
            d_bias = tf.stack([tf.reduce_sum(d_x, axis=0), tf.reduce_sum(d_m, axis=0)])
            return (
                d_inputs,
                d_h,
                tf.matmul(x_rows, d_x, transpose_a=True),
                tf.matmul(h_rows, d_m, transpose_a=True),
                d_bias,
            )

        return result, _named(backward, name)

    return run(inputs, initial_state, kernel, recurrent_kernel, bias)


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

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not _unrollable(self, mask, training):
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

        return result, _named(backward, name)

    return run(inputs, initial_state, w_ru, w_c, b_ru, b_c)
