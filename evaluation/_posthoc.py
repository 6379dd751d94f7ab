"""Post-hoc recurrent networks and their fast training loop, shared by the fidelity and
utility metrics.

The loop runs many optimizer steps per `tf.function` call, sampling each batch inside the graph
from a seeded `tf.random.Generator`, so thousands of iterations take seconds on a CPU. Tracing
that loop takes seconds too, so one `Trainer` serves every independent fit of a metric call
(repeats, or training on synthetic and then on real data): `reset(seed)` gives the network a
fresh seeded initialisation and clears the optimizer state.
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
    return tf.argsort(generator.uniform(tf.reshape(n, [1])))[:batch_size]


class Trainer:
    """A network, its Adam optimizer and one compiled training loop, reusable across fits.

    Args:
        build: callable `seed -> keras.Model` building the network with a seeded initialisation.
        batch_loss: graph-compatible callable `(model, generator, *data) -> scalar loss` that
            samples a batch from the `data` tensors with `generator` and returns its loss.
        data_features: last dimension of each `data` array (they are (n, steps, features)).
        learning_rate: Adam learning rate.
    """

    def __init__(self, build, batch_loss, data_features, learning_rate):
        self._build = build
        self.model = build(0)
        self._variables = self.model.trainable_variables
        self._optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
        self._optimizer.build(self._variables)
        self._optimizer_start = [np.array(v) for v in self._optimizer.variables]
        self._generator = tf.random.Generator.from_seed(0)
        self._batch_loss = batch_loss
        signature = [tf.TensorSpec([], tf.int32)] + [tf.TensorSpec([None, None, f], tf.float32) for f in data_features]
        self._run = tf.function(self._steps, input_signature=signature)
        # The network's input is the first data array.
        self._forward = tf.function(lambda x: self.model(x, training=False), input_signature=signature[1:2])

    def reset(self, seed):
        """Re-initialises the network with `seed`, clears Adam's state and reseeds the batches."""
        self.model.set_weights(self._build(seed).get_weights())
        for variable, value in zip(self._optimizer.variables, self._optimizer_start):
            variable.assign(value)
        self._generator.reset_from_seed(seed)

    def _steps(self, steps, *data):
        loss = tf.constant(0.0)
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = self._batch_loss(self.model, self._generator, *data)
            gradients = tape.gradient(loss, self._variables)
            missing = [v.path for v, g in zip(self._variables, gradients) if g is None]
            if missing:
                raise ValueError(f"No gradient reached these variables: {missing}")
            self._optimizer.apply_gradients(zip(gradients, self._variables))
        return loss

    def train(self, data, iterations, chunk, progress=False, desc=None, on_chunk=None):
        """Runs `iterations` Adam steps on batches of `data`, `chunk` steps per compiled call.

        Args:
            data: tuple of float arrays (n_i, steps, features_i) passed to `batch_loss`.
            iterations: total number of steps.
            chunk: steps per call; `on_chunk(done)` is called after each call.
            progress: show a tqdm bar.
            desc: label of the bar.
            on_chunk: optional callable receiving the number of steps done so far.
        """
        data = [tf.constant(a, dtype=tf.float32) for a in data]
        done = 0
        with tqdm(total=iterations, desc=desc, disable=not progress, leave=False) as bar:
            while done < iterations:
                steps = min(chunk, iterations - done)
                self._run(tf.constant(steps, dtype=tf.int32), *data)
                done += steps
                bar.update(steps)
                if on_chunk is not None:
                    on_chunk(done)

    def predict(self, x, batch_size=4096):
        """The network's outputs on `x` in inference mode, as a float64 ndarray."""
        x = np.asarray(x, dtype=np.float32)
        outputs = [self._forward(x[i : i + batch_size]).numpy() for i in range(0, len(x), batch_size)]
        return np.concatenate(outputs, axis=0).astype(np.float64)
