"""Training speed per phase at the paper's sizes: `python scripts/benchmark_speed.py [--xla] [--baseline]`.

Prints one line per phase (`embedding steps/s: X`, `supervised steps/s: X`, `joint steps/s: X`),
measured after the first (tracing) call. A joint step is the two generator+supervisor updates,
the two embedder+recovery updates and the discriminator check/update.

`--baseline` times the straightforward TF2 formulation of the same maths for comparison: one
`tf.function` call per update, noise from NumPy in Python, batches pulled in Python, the
generator re-run for each loss term, and the discriminator loss computed once to check the
threshold and again to update.
"""

import argparse
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--xla", action="store_true", help="compile the updates with XLA")
    parser.add_argument("--baseline", action="store_true", help="time the straightforward formulation instead")
    parser.add_argument(
        "--steps",
        type=int,
        nargs=3,
        default=(300, 300, 100),
        metavar=("EMB", "SUP", "JOINT"),
        help="timed steps per phase (default 300 300 100)",
    )
    parser.add_argument("--cell", choices=("gru", "lstm"), default="gru")
    return parser.parse_args()


def paper_windows(seq_len):
    from timegan import load_prices, make_windows

    prices = load_prices(["BA", "CAT", "DIS", "GE", "IBM", "KO"], source="bundled")
    return make_windows(prices.to_numpy(), seq_len)  # (5248, 24, 6)


def time_calls(call, steps):
    call()  # trace and compile
    start = time.perf_counter()
    for _ in range(steps):
        result = call()
    if hasattr(result, "get_value"):  # Keras' train function returns a tf.experimental.Optional
        result = result.get_value()
    float(np.asarray(list(result.values())[0]) if isinstance(result, dict) else result)
    return steps / (time.perf_counter() - start)


def fused(config, windows, steps):
    from timegan import TimeGAN

    model = TimeGAN(config)
    model.fit(windows, steps=0, progress=False)  # builds the networks, the optimizers and fits the scaler
    scaled = model.scaler.transform(windows).astype("float32")
    rates = {}
    for phase, n in zip(("embedding", "supervised", "joint"), steps):
        model.set_phase(phase)  # Keras' traced train function of the phase: what `fit` calls per step
        iterator = iter(model.make_dataset(scaled, phase))
        rates[phase] = time_calls(lambda iterator=iterator: model.train_function(iterator), n)
    return rates


def baseline(config, windows, steps):
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

    return {
        "embedding": time_calls(lambda: train_embedder_init(next(iterator)), steps[0]),
        "supervised": time_calls(lambda: train_supervisor(next(iterator)), steps[1]),
        "joint": time_calls(joint_step, steps[2]),
    }


def main():
    args = parse_args()
    from timegan import TimeGANConfig

    config = TimeGANConfig(cell=args.cell, jit_compile=args.xla)  # paper sizes: 24, 24, 3 layers, batch 128
    windows = paper_windows(config.seq_len)
    started = time.perf_counter()
    rates = (baseline if args.baseline else fused)(config, windows, args.steps)
    from timegan.networks import unroll_for_training

    layers = "unrolled" if unroll_for_training(config) and not args.baseline else "looped"
    kind = "straightforward baseline" if args.baseline else f"timegan{' + XLA' if args.xla else ''}"
    print(
        f"# {kind}, {layers} {args.cell}, seq_len {config.seq_len}, hidden {config.hidden_dim}, {config.num_layers} layers, "
        f"batch {config.batch_size}, {windows.shape[-1]} features; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; {time.perf_counter() - started:.0f} s in all"
    )
    for phase, rate in rates.items():
        print(f"{phase} steps/s: {rate:.2f}")


if __name__ == "__main__":
    main()
