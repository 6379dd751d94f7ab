"""Post-hoc recurrent networks and their fast training loop, shared by the fidelity and
utility metrics.

The loop runs many optimizer steps per `tf.function` call (sampling each batch inside the
graph from a seeded `tf.random.Generator`), so thousands of iterations take seconds on a CPU.
"""

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

CELLS = ("gru", "lstm")


def default_units(n_features):
    """The reference protocol's hidden size: max(1, n_features // 2)."""
    return max(1, n_features // 2)


def build_recurrent(n_inputs, n_outputs, units, cell, return_sequences, activation, seed, name):
    """Builds Input(None, n_inputs) -> GRU/LSTM(units) -> Dense(n_outputs).

    Args:
        n_inputs: number of input features per step.
        n_outputs: units of the output layer.
        units: recurrent units.
        cell: "gru" or "lstm".
        return_sequences: output one prediction per step (True) or one per sequence (False).
        activation: activation of the output layer (None for logits).
        seed: seed of the weight initializers.
        name: model name.

    Returns:
        A `keras.Model`.
    """
    layer = keras.layers.GRU if cell == "gru" else keras.layers.LSTM
    inputs = keras.Input((None, n_inputs), name=f"{name}_input")
    hidden = layer(
        units,
        return_sequences=return_sequences,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 1),
        name=f"{name}_{cell}",
    )(inputs)
    outputs = keras.layers.Dense(
        n_outputs,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 2),
        name=f"{name}_output",
    )(hidden)
    return keras.Model(inputs, outputs, name=name)


def batch_indices(generator, n, batch_size):
    """Graph op: `min(n, batch_size)` distinct random indices in [0, n)."""
    return tf.argsort(generator.uniform([n]))[: min(n, batch_size)]


def make_train_steps(model, batch_loss, learning_rate):
    """Returns a `tf.function` `run(steps)` that performs `steps` Adam updates of `model`.

    Args:
        model: the `keras.Model` to train.
        batch_loss: graph-compatible callable with no arguments that samples a batch and
            returns the scalar loss (it must call `model`).
        learning_rate: Adam learning rate.

    Returns:
        Callable taking an int32 scalar tensor and returning the last batch loss.
    """
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    variables = model.trainable_variables
    optimizer.build(variables)

    @tf.function
    def run(steps):
        loss = tf.constant(0.0)
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = batch_loss()
            gradients = tape.gradient(loss, variables)
            missing = [v.path for v, g in zip(variables, gradients) if g is None]
            if missing:
                raise ValueError(f"No gradient reached these variables: {missing}")
            optimizer.apply_gradients(zip(gradients, variables))
        return loss

    return run


def train(run, iterations, chunk, progress=False, desc=None, on_chunk=None):
    """Calls `run` until `iterations` steps are done, `chunk` steps at a time.

    Args:
        run: the function returned by `make_train_steps`.
        iterations: total number of steps.
        chunk: steps per call; `on_chunk(done)` is called after each call.
        progress: show a tqdm bar.
        desc: label of the bar.
        on_chunk: optional callable receiving the number of steps done so far.
    """
    done = 0
    with tqdm(total=iterations, desc=desc, disable=not progress, leave=False) as bar:
        while done < iterations:
            steps = min(chunk, iterations - done)
            run(tf.constant(steps, dtype=tf.int32))
            done += steps
            bar.update(steps)
            if on_chunk is not None:
                on_chunk(done)


def make_predict(model, batch_size=4096):
    """Returns `predict(x)`: `model` in inference mode on an ndarray, in compiled batches.

    Compiled, because running the recurrent layer op by op is slow.
    """
    forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    def predict(x):
        x = np.asarray(x, dtype=np.float32)
        outputs = [forward(x[i : i + batch_size]).numpy() for i in range(0, len(x), batch_size)]
        return np.concatenate(outputs, axis=0).astype(np.float64)

    return predict
