"""Training speed per phase at the paper's sizes: `python scripts/benchmark_speed.py [--baseline notebook]`.

Prints one line per phase (`embedding steps/s: X`, `supervised steps/s: X`, `joint steps/s: X`),
measured after the first (tracing) call. A joint step is the two generator+supervisor updates,
the two embedder+recovery updates and the discriminator check/update.

`--baseline NAME` also times another formulation of the same maths in the same process,
interleaved with TimeGAN (`--rounds` rounds of A then B for each phase, so both see the same load
on a shared machine), and prints the ratio of their rates:

- `straightforward`: one `tf.function` call per update, noise from NumPy in Python, batches
  pulled in Python, the generator re-run for each loss term, and the discriminator loss computed
  once to check the threshold and again to update.
- `notebook`: the common TF2 notebook formulation of TimeGAN: stock Keras GRU layers in
  `Sequential` networks composed into Keras `Model`s (autoencoder, the two adversarial paths,
  the synthetic-data path), one `tf.function` per update, NumPy noise drawn one window at a time
  through `tf.data.Dataset.from_generator`, every network output recomputed for each loss term,
  and the discriminator loss computed once to check the threshold and again to update.
- `keras-gru`: this TimeGAN with Keras' own `GRU` layers unrolled instead of
  `timegan.recurrent.UnrolledGRU` (the same maths; the default cell before it).

`--cpu-time` reports steps per CPU-second of the process (`time.process_time`) instead of per
second of wall clock: on a shared machine it does not count the time spent waiting for a core
(use it with `--threads 1`, so that no thread spins while another works).
"""

import argparse
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PHASES = ("embedding", "supervised", "joint")


def add_model_arguments(parser):
    """The model and runtime options shared with `profile_speed.py`: --xla, --cell, --unroll, --threads."""
    parser.add_argument("--xla", action="store_true", help="compile the updates with XLA")
    parser.add_argument("--cell", choices=("gru", "gru_block", "lstm"), default="gru")
    parser.add_argument(
        "--unroll", choices=("auto", "on", "off"), default="auto", help="unroll the recurrent layers (default auto)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="TensorFlow inter- and intra-op threads (default 0: TensorFlow's choice)"
    )


def configure(args):
    """Applies --threads (before any TensorFlow op runs) and returns the paper-sized TimeGANConfig."""
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    from timegan import TimeGANConfig

    unroll = {"auto": None, "on": True, "off": False}[args.unroll]
    # Paper sizes: seq_len 24, hidden 24, 3 layers, batch 128.
    return TimeGANConfig(hidden_dim=24, cell=args.cell, jit_compile=args.xla, unroll=unroll)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--baseline",
        nargs="?",
        const="straightforward",
        choices=("straightforward", "notebook", "keras-gru"),
        default=None,
        help="also time this formulation, interleaved, and print the ratio (default with no value: straightforward)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        nargs=3,
        default=(300, 300, 100),
        metavar=("EMB", "SUP", "JOINT"),
        help="timed steps per phase and formulation (default 300 300 100)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds per phase with --baseline (default 3)"
    )
    parser.add_argument("--cpu-time", action="store_true", help="steps per CPU-second of the process, not per second")
    add_model_arguments(parser)
    args = parser.parse_args()
    if min(args.steps) < 1 or args.rounds < 1 or args.threads < 0:
        parser.exit(2, f"{parser.prog}: error: expected --steps and --rounds >= 1 and --threads >= 0\n")
    return args


def paper_windows(seq_len):
    from timegan import load_prices, make_windows

    prices = load_prices(["BA", "CAT", "DIS", "GE", "IBM", "KO"], source="bundled")
    return make_windows(prices.to_numpy(), seq_len)  # (5248, 24, 6)


def _wait(result):
    if hasattr(result, "get_value"):  # Keras' train function returns a tf.experimental.Optional
        result = result.get_value()
    float(np.asarray(list(result.values())[0]) if isinstance(result, dict) else result)


def time_calls(call, steps, clock=time.perf_counter):
    """Steps per second of `clock` (wall or process CPU time) of `steps` calls of `call` (already traced)."""
    start = clock()
    for _ in range(steps):
        result = call()
    _wait(result)
    return steps / (clock() - start)


def timegan_steps(config, windows):
    """Yields, per phase, a callable running one step of Keras' traced train function."""
    from timegan import TimeGAN

    model = TimeGAN(config)
    model.fit(windows, steps=0, progress=False)  # builds the networks, the optimizers and fits the scaler
    scaled = model.scaler.transform(windows).astype("float32")
    for phase in PHASES:
        model.set_phase(phase)  # Keras' traced train function of the phase: what `fit` calls per step
        iterator = iter(model.make_dataset(scaled, phase))
        yield lambda iterator=iterator: model.train_function(iterator)


def keras_gru_steps(config, windows):
    """`timegan_steps` with Keras' own GRU layers where the default cell uses `UnrolledGRU`."""
    from unittest import mock

    import keras

    import timegan.networks

    with mock.patch.object(timegan.networks, "UnrolledGRU", keras.layers.GRU):
        steps = timegan_steps(config, windows)
        first = next(steps)  # builds the model (and its loop copies) inside the patch
    yield first
    yield from steps


def straightforward_steps(config, windows):
    import keras
    import tensorflow as tf

    from timegan import losses
    from timegan.networks import build_networks
    from timegan.preprocessing import FeatureScaler, window_dataset

    scaled = FeatureScaler().fit(windows).transform(windows)
    n_features, batch, seq_len = windows.shape[-1], config.batch_size, config.seq_len
    nets = build_networks(config, n_features)
    embedder, recovery, generator, supervisor, discriminator = (
        nets[k] for k in ("embedder", "recovery", "generator", "supervisor", "discriminator")
    )
    iterator = iter(window_dataset(scaled, batch, config.seed))
    rng = np.random.default_rng(config.seed)
    adam = {k: keras.optimizers.Adam(config.learning_rate) for k in ("e0", "s", "g", "e", "d")}

    def apply(name, tape, loss, models):
        variables = [v for m in models for v in m.trainable_variables]
        adam[name].apply_gradients(zip(tape.gradient(loss, variables), variables))

    @tf.function
    def train_embedder_init(x):
        with tf.GradientTape() as tape:
            loss = 10 * tf.sqrt(losses.reconstruction_loss(x, recovery(embedder(x))))
        apply("e0", tape, loss, (embedder, recovery))
        return loss

    @tf.function
    def train_supervisor(x):
        with tf.GradientTape() as tape:
            h = embedder(x)
            loss = losses.supervised_loss(h, supervisor(h))
        apply("s", tape, loss, (supervisor,))
        return loss

    @tf.function
    def train_generator(x, z):
        with tf.GradientTape() as tape:
            y_fake = discriminator(supervisor(generator(z)))
            y_fake_e = discriminator(generator(z))
            h = embedder(x)
            supervised = losses.supervised_loss(h, supervisor(h))
            x_hat = recovery(supervisor(generator(z)))
            loss = (
                losses.generator_adversarial_loss(y_fake, y_fake_e, config.gamma)
                + 100 * tf.sqrt(supervised)
                + 100 * losses.moment_loss(x, x_hat)
            )
        apply("g", tape, loss, (generator, supervisor))
        return loss

    @tf.function
    def train_embedder(x):
        with tf.GradientTape() as tape:
            h = embedder(x)
            loss = 10 * tf.sqrt(losses.reconstruction_loss(x, recovery(h))) + 0.1 * losses.supervised_loss(
                h, supervisor(h)
            )
        apply("e", tape, loss, (embedder, recovery))
        return loss

    @tf.function
    def discriminator_loss(x, z):
        return losses.discriminator_loss(
            discriminator(embedder(x)),
            discriminator(supervisor(generator(z))),
            discriminator(generator(z)),
            config.gamma,
        )

    @tf.function
    def train_discriminator(x, z):
        with tf.GradientTape() as tape:
            loss = discriminator_loss(x, z)
        apply("d", tape, loss, (discriminator,))
        return loss

    def noise():
        return rng.uniform(size=(batch, seq_len, n_features)).astype("float32")

    def joint_step():
        for _ in range(2):
            x = next(iterator)
            train_generator(x, noise())
            loss = train_embedder(x)
        x, z = next(iterator), noise()
        if discriminator_loss(x, z).numpy() > config.disc_loss_threshold:
            train_discriminator(x, z)
        return loss

    yield lambda: train_embedder_init(next(iterator))
    yield lambda: train_supervisor(next(iterator))
    yield joint_step


def notebook_steps(config, windows):
    """The TF2 notebook formulation (see the module docstring), written as such notebooks do."""
    import keras
    import tensorflow as tf
    from sklearn.preprocessing import MinMaxScaler

    n_windows, seq_len, n_features = windows.shape
    hidden, layers, batch = config.hidden_dim, config.num_layers, config.batch_size
    scaled = MinMaxScaler().fit_transform(windows.reshape(-1, n_features)).reshape(windows.shape).astype("float32")
    real = iter(tf.data.Dataset.from_tensor_slices(scaled).shuffle(n_windows).batch(batch).repeat())

    def random_windows():
        while True:
            yield np.random.uniform(low=0, high=1, size=(seq_len, n_features))

    noise = iter(tf.data.Dataset.from_generator(random_windows, output_types=tf.float32).batch(batch).repeat())

    def make_rnn(n_layers, units, name):
        return keras.Sequential(
            [keras.layers.GRU(hidden, return_sequences=True, name=f"{name}_gru_{i}") for i in range(n_layers)]
            + [keras.layers.Dense(units, activation="sigmoid", name=f"{name}_out")],
            name=name,
        )

    embedder = make_rnn(layers, hidden, "embedder")
    recovery = make_rnn(layers, n_features, "recovery")
    generator = make_rnn(layers, hidden, "generator")
    supervisor = make_rnn(layers - 1, hidden, "supervisor")
    discriminator = make_rnn(layers, 1, "discriminator")
    x_in = keras.Input((seq_len, n_features), name="real")
    z_in = keras.Input((seq_len, n_features), name="noise")
    autoencoder = keras.Model(x_in, recovery(embedder(x_in)))
    adversarial_supervised = keras.Model(z_in, discriminator(supervisor(generator(z_in))))
    adversarial_embedded = keras.Model(z_in, discriminator(generator(z_in)))
    synthetic_data = keras.Model(z_in, recovery(supervisor(generator(z_in))))
    discriminator_model = keras.Model(x_in, discriminator(embedder(x_in)))
    mse, bce = keras.losses.MeanSquaredError(), keras.losses.BinaryCrossentropy()
    optimizers = {name: keras.optimizers.Adam() for name in ("autoencoder", "supervisor", "generator", "embedder", "d")}

    def step(name, tape, loss, variables):
        optimizers[name].apply_gradients(zip(tape.gradient(loss, variables), variables))

    @tf.function
    def train_autoencoder_init(x):
        with tf.GradientTape() as tape:
            embedding_loss_0 = 10 * tf.sqrt(mse(x, autoencoder(x)))
        step("autoencoder", tape, embedding_loss_0, embedder.trainable_variables + recovery.trainable_variables)
        return embedding_loss_0

    @tf.function
    def train_supervisor(x):
        with tf.GradientTape() as tape:
            h = embedder(x)
            supervised_loss = mse(h[:, 1:, :], supervisor(h)[:, :-1, :])
        step("supervisor", tape, supervised_loss, supervisor.trainable_variables)
        return supervised_loss

    def moment_loss(y_true, y_pred):
        true_mean, true_var = tf.nn.moments(y_true, axes=[0])
        pred_mean, pred_var = tf.nn.moments(y_pred, axes=[0])
        mean_loss = tf.reduce_mean(tf.abs(true_mean - pred_mean))
        var_loss = tf.reduce_mean(tf.abs(tf.sqrt(true_var + 1e-6) - tf.sqrt(pred_var + 1e-6)))
        return mean_loss + var_loss

    @tf.function
    def train_generator(x, z):
        with tf.GradientTape() as tape:
            y_fake = adversarial_supervised(z)
            unsupervised = bce(tf.ones_like(y_fake), y_fake)
            y_fake_e = adversarial_embedded(z)
            unsupervised_e = bce(tf.ones_like(y_fake_e), y_fake_e)
            h = embedder(x)
            supervised = mse(h[:, 1:, :], supervisor(h)[:, :-1, :])
            x_hat = synthetic_data(z)
            moments = moment_loss(x, x_hat)
            generator_loss = unsupervised + unsupervised_e + 100 * tf.sqrt(supervised) + 100 * moments
        step("generator", tape, generator_loss, generator.trainable_variables + supervisor.trainable_variables)
        return generator_loss

    @tf.function
    def train_embedder(x):
        with tf.GradientTape() as tape:
            h = embedder(x)
            supervised = mse(h[:, 1:, :], supervisor(h)[:, :-1, :])
            embedding_loss = 10 * tf.sqrt(mse(x, autoencoder(x))) + 0.1 * supervised
        step("embedder", tape, embedding_loss, embedder.trainable_variables + recovery.trainable_variables)
        return embedding_loss

    @tf.function
    def get_discriminator_loss(x, z):
        y_real = discriminator_model(x)
        y_fake = adversarial_supervised(z)
        y_fake_e = adversarial_embedded(z)
        return (
            bce(tf.ones_like(y_real), y_real)
            + bce(tf.zeros_like(y_fake), y_fake)
            + config.gamma * bce(tf.zeros_like(y_fake_e), y_fake_e)
        )

    @tf.function
    def train_discriminator(x, z):
        with tf.GradientTape() as tape:
            discriminator_loss = get_discriminator_loss(x, z)
        step("d", tape, discriminator_loss, discriminator.trainable_variables)
        return discriminator_loss

    def joint_step():
        for _ in range(2):
            x, z = next(real), next(noise)
            train_generator(x, z)
            loss = train_embedder(x)
        x, z = next(real), next(noise)
        if get_discriminator_loss(x, z) > config.disc_loss_threshold:
            train_discriminator(x, z)
        return loss

    yield lambda: train_autoencoder_init(next(real))
    yield lambda: train_supervisor(next(real))
    yield joint_step


def measure(formulations, steps, rounds, clock=time.perf_counter):
    """Per phase: traces each formulation, then times them in `rounds` interleaved rounds.

    Yields:
        (phase, dict formulation -> list of steps/s per round), phase by phase.
    """
    generators = {name: build() for name, build in formulations.items()}
    for phase, n in zip(PHASES, steps):
        calls = {name: next(generator) for name, generator in generators.items()}
        for call in calls.values():
            _wait(call())  # trace and compile
        per_round = max(1, n // rounds)
        rates = {name: [] for name in calls}
        for _ in range(rounds):
            for name, call in calls.items():
                rates[name].append(time_calls(call, per_round, clock))
        yield phase, rates


def main():
    args = parse_args()
    config = configure(args)
    from timegan.networks import unroll_for_training

    windows = paper_windows(config.seq_len)
    started = time.perf_counter()
    kind = f"timegan{' + XLA' if args.xla else ''}"
    formulations = {kind: lambda: timegan_steps(config, windows)}
    if args.baseline:
        build = {"straightforward": straightforward_steps, "notebook": notebook_steps, "keras-gru": keras_gru_steps}[
            args.baseline
        ]
        formulations[args.baseline] = lambda: build(config, windows)
    rounds = args.rounds if args.baseline else 1
    layers = "unrolled" if unroll_for_training(config) else "looped"
    print(
        f"# {kind}, {layers} {args.cell}, seq_len {config.seq_len}, hidden {config.hidden_dim}, "
        f"{config.num_layers} layers, batch {config.batch_size}, {windows.shape[-1]} features; "
        f"{os.cpu_count()} CPUs, threads {args.threads or 'default'}",
        flush=True,
    )
    clock, unit = (time.process_time, "steps/CPU-s") if args.cpu_time else (time.perf_counter, "steps/s")
    for phase, by_name in measure(formulations, args.steps, rounds, clock):
        ours = np.median(by_name[kind])
        line = f"{phase} {unit}: {ours:.2f}"
        if args.baseline:
            theirs = np.median(by_name[args.baseline])
            ratio = np.median(np.array(by_name[kind]) / np.array(by_name[args.baseline]))
            line += f"; {args.baseline} {theirs:.2f}; ratio {ratio:.2f}x (median of {rounds} interleaved rounds)"
        print(f"{line}; load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"# {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
