"""The one factory for TimeGAN's five networks: stacked recurrent layers and a per-step head."""

import keras
import tensorflow as tf

from timegan.config import default_hidden_dim
from timegan.recurrent import BlockGRU, UnrolledGRU

NETWORK_NAMES = ("embedder", "recovery", "generator", "supervisor", "discriminator")


def recurrent_network(
    name, input_dim, output_dim, units, num_layers, cell="gru", output_activation="sigmoid", seed=0, unroll=False
):
    """A stack of recurrent layers (all returning sequences) followed by a per-step Dense head.

    The recurrent layers keep Keras' defaults (tanh, sigmoid gates, no recurrent dropout,
    `reset_after=True` for GRU) so that, not unrolled, they run on the cuDNN kernel on a GPU.

    Args:
        name: model name; layers are named `{name}_{cell}_{i}` and `{name}_head`.
        input_dim: features per time step of the input.
        output_dim: features per time step of the output.
        units: units per recurrent layer.
        num_layers: number of recurrent layers (>= 1).
        cell: "gru" (Keras' GRU; unrolled, `timegan.recurrent.UnrolledGRU`), "gru_block"
            (`timegan.recurrent.BlockGRU`) or "lstm".
        output_activation: activation of the head ("sigmoid", "tanh", "linear"; None for logits).
        seed: seeds every initializer of the network.
        unroll: unroll the layers over time (no cuDNN kernel; the time axis must then be known
            when the network is traced).

    Returns:
        A `keras.Sequential` mapping (batch, time, input_dim) to (batch, time, output_dim); the
        time axis may have any length.
    """
    layer_class = {"gru": UnrolledGRU, "gru_block": BlockGRU, "lstm": keras.layers.LSTM}[cell]
    layers = [keras.Input(shape=(None, input_dim), name=f"{name}_input")]
    for i in range(num_layers):
        layers.append(
            layer_class(
                units,
                return_sequences=True,
                unroll=unroll,
                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 3 * i),
                recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 3 * i + 1),
                name=f"{name}_{cell}_{i}",
            )
        )
    layers.append(
        keras.layers.Dense(
            output_dim,
            activation=output_activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 3 * num_layers),
            name=f"{name}_head",
        )
    )
    return keras.Sequential(layers, name=name)


def unroll_for_training(config):
    """Whether training unrolls the recurrent layers: `config.unroll`, or when it is None, True
    unless XLA is on or a GPU is visible (unrolled graphs run faster on a CPU without XLA; the
    cuDNN kernel needs the loop)."""
    if config.unroll is not None:
        return config.unroll
    return not config.jit_compile and not tf.config.list_physical_devices("GPU")


def build_networks(config, n_features, unroll=False):
    """Builds the embedder, recovery, generator, supervisor and discriminator of a TimeGAN.

    Args:
        config: a `TimeGANConfig`.
        n_features: features per time step of the data.
        unroll: unroll the recurrent layers over time (see `unroll_for_training`).

    Returns:
        dict name -> `keras.Sequential`, in the order of `NETWORK_NAMES`:
        embedder (n_features -> hidden, sigmoid), recovery (hidden -> n_features,
        `config.recovery_head`: sigmoid for levels, linear for returns by default),
        generator (noise_dim -> hidden, sigmoid), supervisor (hidden -> hidden, sigmoid,
        `num_layers - 1` layers), discriminator (hidden -> 1 logit per time step).
    """
    return {
        name: recurrent_network(
            name,
            input_dim,
            output_dim,
            _hidden_dim(config, n_features),
            num_layers,
            config.cell,
            activation,
            seed=config.seed * 1000 + 100 * index,
            unroll=unroll,
        )
        for index, (name, (input_dim, output_dim, num_layers, activation)) in enumerate(
            _specs(config, n_features).items()
        )
    }


def _hidden_dim(config, n_features):
    """The latent width: `config.hidden_dim`, or the rule's width when it is None."""
    return config.hidden_dim or default_hidden_dim(n_features)


def _specs(config, n_features):
    """name -> (input_dim, output_dim, recurrent layers, head activation) of each network."""
    hidden, layers = _hidden_dim(config, n_features), config.num_layers
    return {
        "embedder": (n_features, hidden, layers, "sigmoid"),
        "recovery": (hidden, n_features, layers, config.recovery_head),
        "generator": (config.noise_dim(n_features), hidden, layers, "sigmoid"),
        "supervisor": (hidden, hidden, config.supervisor_layers, "sigmoid"),
        "discriminator": (hidden, 1, layers, None),
    }


def weight_shapes(config, n_features):
    """The shapes of the weights of the five networks `build_networks` makes, without building them.

    Per recurrent layer of `h` units on `d` inputs (Keras' layouts): GRU (`reset_after=True`)
    kernel `(d, 3h)`, recurrent kernel `(h, 3h)`, bias `(2, 3h)`; gru_block (`reset_after=False`)
    the same with bias `(3h,)`; LSTM `(d, 4h)`, `(h, 4h)`,
    `(4h,)`. Per head: kernel `(h, output_dim)`, bias `(output_dim,)`. A saved model's stored
    weights are checked against these before a config read from a file builds anything.

    Returns:
        list of shape tuples, networks in the order of `NETWORK_NAMES`.
    """
    h = _hidden_dim(config, n_features)
    gates = 4 if config.cell == "lstm" else 3
    bias = (2, gates * h) if config.cell == "gru" else (gates * h,)
    shapes = []
    for input_dim, output_dim, num_layers, _ in _specs(config, n_features).values():
        for i in range(num_layers):
            shapes += [(input_dim if i == 0 else h, gates * h), (h, gates * h), bias]
        shapes += [(h, output_dim), (output_dim,)]
    return shapes
