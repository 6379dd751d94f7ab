"""Train the NumPy perceptron on XOR or MNIST with one of six update rules.

    python scripts/scratch_mlp.py --task xor --optimizer sgd --seeds 20
    python scripts/scratch_mlp.py --task mnist --optimizer adam --data-dir /data/mnist --seeds 3 --keras

XOR: the source's 2-2-2-1 sigmoid network, squared error, one example per update; reports how
many seeds solve it (every output within 0.1 of its target) within --epochs passes. MNIST:
784-300-10 with sigmoid hidden units; reports test accuracy and seconds per pass for each seed,
and with --keras the same network, loss, update rule, batch size and passes trained by Keras
(from the first seed: it is a reference for time and accuracy, not a second study).
"""

import argparse
import json
import logging
import sys
import time

import numpy as np

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_float, positive_int, run
from timegan.cli._common import seed as seed_type

PROG = "scratch_mlp"
logger = logging.getLogger(PROG)

TASKS = ("xor", "mnist")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")
LOSSES = ("squared_error", "cross_entropy")
XOR_TOLERANCE = 0.1
# Default learning rates per task and rule. XOR: the source's 0.5 for SGD; the others chosen on
# 20 seeds (docs/scratch.md). MNIST: the settings measured in docs/scratch.md.
DEFAULT_LR = {
    "xor": {"sgd": 0.5, "momentum": 0.1, "adagrad": 0.5, "rmsprop": 0.01, "adadelta": 1.0, "adam": 0.05},
    "mnist": {"sgd": 0.5, "momentum": 0.05, "adagrad": 0.05, "rmsprop": 0.001, "adadelta": 1.0, "adam": 0.001},
}
DEFAULTS = {
    "xor": {"epochs": 5000, "batch_size": 1, "loss": "squared_error", "slope": 1.0, "hidden": (2, 2)},
    "mnist": {"epochs": 10, "batch_size": 32, "loss": "cross_entropy", "slope": 1.0, "hidden": (300,)},
}


def build_parser():
    """The argument parser (exposed for tests and docs)."""
    parser = ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", required=True, choices=TASKS)
    parser.add_argument("--optimizer", default="sgd", choices=OPTIMIZERS, help="update rule (default: sgd)")
    parser.add_argument("--lr", type=positive_float, help="learning rate (default: per task and rule, see docs)")
    parser.add_argument("--epochs", type=positive_int, help="passes over the data (default: xor 5000, mnist 10)")
    parser.add_argument("--batch-size", type=positive_int, help="examples per update (default: xor 1, mnist 32)")
    parser.add_argument(
        "--loss",
        choices=LOSSES,
        help="squared_error (sigmoid outputs) or cross_entropy (softmax outputs); "
        "default: xor squared_error, mnist cross_entropy",
    )
    parser.add_argument(
        "--slope", type=positive_float, help="sigmoid slope (default 1.0; the source uses 0.1 on MNIST)"
    )
    parser.add_argument("--seed", type=seed_type, default=0, help="first seed (default 0)")
    parser.add_argument("--seeds", type=positive_int, default=1, help="number of seeds, from --seed on (default 1)")
    parser.add_argument(
        "--keras", action="store_true", help="mnist: also train the same network with Keras, from the first seed"
    )
    parser.add_argument("--data-dir", help="mnist: directory with the four IDX .gz files (default: keras.datasets)")
    parser.add_argument("--train-size", type=positive_int, help="mnist: train on a random subset of this many images")
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="CPU threads of NumPy's BLAS and of TensorFlow (default 1: on a shared machine, "
        "several threads per process mostly wait for each other)",
    )
    parser.add_argument(
        "--eval-each-pass",
        action="store_true",
        help="mnist: print the test accuracy after every pass (the learning curve; about a second each)",
    )
    parser.add_argument(
        "--checkpoint",
        help="mnist, one seed: .npz file written after every pass (weights, update rule's state, learning "
        "curve); if it exists, training resumes from it (same setting and seed only)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def settings_from_args(args):
    """The full training setting (a dict) from parsed arguments, with the task's defaults filled in.

    Raises:
        ValueError: options that do not apply to the task.
    """
    if args.task == "xor":
        for option, value in (
            ("--keras", args.keras),
            ("--data-dir", args.data_dir),
            ("--train-size", args.train_size),
            ("--eval-each-pass", args.eval_each_pass),
            ("--checkpoint", args.checkpoint),
        ):
            if value:
                raise ValueError(f"{option} applies to --task mnist only. Received: --task xor {option}")
    if args.checkpoint and args.seeds != 1:
        raise ValueError(f"--checkpoint holds one run: expected --seeds 1. Received: --seeds {args.seeds}")
    defaults = DEFAULTS[args.task]
    pick = lambda value, default: default if value is None else value
    loss = pick(args.loss, defaults["loss"])
    hidden = defaults["hidden"]
    outputs = 1 if args.task == "xor" else 10
    inputs = 2 if args.task == "xor" else 784
    return {
        "task": args.task,
        "sizes": (inputs, *hidden, outputs),
        "optimizer": args.optimizer,
        "learning_rate": pick(args.lr, DEFAULT_LR[args.task][args.optimizer]),
        "epochs": pick(args.epochs, defaults["epochs"]),
        "batch_size": pick(args.batch_size, defaults["batch_size"]),
        "loss": loss,
        "output_activation": "sigmoid" if loss == "squared_error" else "softmax",
        "slope": pick(args.slope, defaults["slope"]),
    }


def describe(settings):
    """One line naming the network and its training setting."""
    return (
        f"{'-'.join(map(str, settings['sizes']))} sigmoid (slope {settings['slope']:g}), "
        f"{settings['output_activation']} outputs, {settings['loss']}, {settings['optimizer']} "
        f"lr {settings['learning_rate']:g}, batch {settings['batch_size']}, {settings['epochs']} passes"
    )


def _scratch_model(settings, seed):
    from timegan.scratch import MLP, get_optimizer

    model = MLP(
        settings["sizes"],
        slope=settings["slope"],
        output_activation=settings["output_activation"],
        loss=settings["loss"],
        seed=seed,
    )
    return model, get_optimizer(settings["optimizer"], settings["learning_rate"])


def run_xor(settings, seeds, progress):
    """Trains XOR from each seed; prints one line per seed and the count of solved seeds."""
    from timegan.scratch.training import XOR_INPUTS, XOR_TARGETS, fit, xor_solved

    solved_after = []
    for seed in seeds:
        model, optimizer = _scratch_model(settings, seed)
        history = fit(
            model,
            XOR_INPUTS,
            XOR_TARGETS,
            optimizer,
            settings["epochs"],
            settings["batch_size"],
            seed=seed,
            until=lambda m: xor_solved(m, XOR_TOLERANCE),
            progress=progress,
        )
        error = float(np.max(np.abs(model.predict(XOR_INPUTS) - XOR_TARGETS)))
        if error < XOR_TOLERANCE:
            solved_after.append(history.epochs)
            echo(f"seed {seed}: solved after {history.epochs} passes (max |error| {error:.3f})")
        else:
            echo(f"seed {seed}: not solved in {history.epochs} passes (max |error| {error:.3f})")
    median = f"; median {int(np.median(solved_after))} passes to solve" if solved_after else ""
    echo(
        f"xor {settings['optimizer']}: {len(solved_after)}/{len(seeds)} seeds solved "
        f"(every output within {XOR_TOLERANCE} of its target){median}"
    )


def _keras_sigmoid(slope):
    import keras

    if slope == 1.0:
        return "sigmoid"
    return lambda z: keras.ops.sigmoid(slope * z)


def keras_optimizer(settings):
    """The Keras optimizer that takes the same steps as the scratch rule of `settings`."""
    import keras

    lr = settings["learning_rate"]
    name = settings["optimizer"]
    if name in ("sgd", "momentum"):
        return keras.optimizers.SGD(lr, momentum=0.9 if name == "momentum" else 0.0)
    return {
        "adagrad": keras.optimizers.Adagrad,
        "rmsprop": keras.optimizers.RMSprop,
        "adadelta": keras.optimizers.Adadelta,
        "adam": keras.optimizers.Adam,
    }[name](lr)


def build_keras_model(settings):
    """The same network in Keras: Dense layers with the same widths, activations and slope."""
    import keras

    layers = [keras.Input((settings["sizes"][0],))]
    for units in settings["sizes"][1:-1]:
        layers.append(keras.layers.Dense(units, activation=_keras_sigmoid(settings["slope"])))
    output = "softmax" if settings["output_activation"] == "softmax" else _keras_sigmoid(settings["slope"])
    layers.append(keras.layers.Dense(settings["sizes"][-1], activation=output))
    return keras.Sequential(layers)


def keras_loss(settings):
    """The scratch loss in Keras: batch mean of 1/2 sum (y - t)^2, or categorical cross-entropy."""
    import keras

    if settings["loss"] == "cross_entropy":
        return keras.losses.CategoricalCrossentropy()
    return lambda targets, outputs: 0.5 * keras.ops.sum(keras.ops.square(outputs - targets), axis=-1)


def train_keras(settings, x, labels, x_test, labels_test, seed):
    """Trains the Keras twin; returns `(test accuracy, list of seconds per pass)`."""
    import keras

    from timegan.scratch.training import one_hot

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    keras.utils.set_random_seed(seed)
    model = build_keras_model(settings)
    model.compile(optimizer=keras_optimizer(settings), loss=keras_loss(settings))
    timer = EpochTimer()
    model.fit(
        x,
        one_hot(labels),
        batch_size=settings["batch_size"],
        epochs=settings["epochs"],
        shuffle=True,
        verbose=0,
        callbacks=[timer],
    )
    predictions = model.predict(x_test, batch_size=1000, verbose=0).argmax(axis=1)
    return float(np.mean(predictions == labels_test)), timer.seconds


def _load():
    import os

    return "load average {:.1f}, {:.1f}, {:.1f} (1, 5, 15 min; 2 cores)".format(*os.getloadavg())


def _summary(name, accuracies, seconds):
    spread = f" +- {np.std(accuracies):.4f}" if len(accuracies) > 1 else ""
    return (
        f"{name}: test accuracy {np.mean(accuracies):.4f}{spread} over {len(accuracies)} seed(s); "
        f"median {np.median(seconds):.1f} s per pass"
    )


def _resume(path, run, model, optimizer):
    """The record of an existing checkpoint of the same `run` (model and rule restored), or a new one.

    `run`: the setting (without the number of passes, which a resumed run may extend), the seed and
    the training subset.
    """
    import os

    from timegan.scratch.training import load_checkpoint

    run = json.loads(json.dumps(run))  # tuples as JSON lists, as stored
    if not os.path.exists(path):
        return {"run": run, "passes": 0, "loss": [], "seconds": [], "test_accuracy": []}
    record = load_checkpoint(path, model, optimizer)
    stored, wanted = record.get("run"), run
    if stored != wanted:
        raise ValueError(
            f"Expected a checkpoint of this setting, seed and training subset. Received: {path} holds {stored}; this run is {wanted}"
        )
    echo(f"seed {run['seed']}: resuming from {path} after {record['passes']} passes")
    return record


def run_mnist(settings, seeds, args):
    """Trains MNIST from each seed (and, with --keras, its Keras twin from the first seed); prints accuracy and timing."""
    from timegan.scratch.training import accuracy, fit, load_mnist, one_hot, save_checkpoint

    x, labels = load_mnist(args.data_dir, "train", args.train_size, seed=args.seed)
    x_test, labels_test = load_mnist(args.data_dir, "test")
    targets = one_hot(labels)
    scratch_acc, scratch_sec, keras_acc, keras_sec = [], [], [], []
    for seed in seeds:
        model, optimizer = _scratch_model(settings, seed)
        record = {"passes": 0, "loss": [], "seconds": [], "test_accuracy": []}
        if args.checkpoint:
            setting = {key: value for key, value in settings.items() if key != "epochs"}
            run = {"settings": setting, "seed": seed, "train_size": args.train_size}
            record = _resume(args.checkpoint, run, model, optimizer)

        def end_of_pass(model, history, seed=seed, record=record, optimizer=optimizer):
            record["passes"] += 1
            record["loss"].append(history.loss[-1])
            record["seconds"].append(history.seconds[-1])
            if args.eval_each_pass:
                record["test_accuracy"].append(accuracy(model, x_test, labels_test))
                echo(
                    f"seed {seed} pass {record['passes']}: test accuracy {record['test_accuracy'][-1]:.4f}, "
                    f"training loss {history.loss[-1]:.4f}, {history.seconds[-1]:.1f} s; {_load()}"
                )
            if args.checkpoint:
                save_checkpoint(args.checkpoint, model, optimizer, record)

        if record["passes"] < settings["epochs"]:
            fit(
                model,
                x,
                targets,
                optimizer,
                settings["epochs"],
                settings["batch_size"],
                seed=seed,
                progress=not args.no_progress,
                on_epoch_end=end_of_pass,
                initial_epoch=record["passes"],
            )
        scratch_acc.append(accuracy(model, x_test, labels_test))
        scratch_sec.extend(record["seconds"])
        echo(
            f"seed {seed} scratch: test accuracy {scratch_acc[-1]:.4f}, final training loss {record['loss'][-1]:.4f}, "
            f"median {np.median(record['seconds']):.1f} s per pass; {_load()}"
        )
        if args.keras and seed == seeds[0]:
            acc, seconds = train_keras(settings, x, labels, x_test, labels_test, seed)
            keras_acc.append(acc)
            keras_sec.extend(seconds)
            echo(f"seed {seed} keras:   test accuracy {acc:.4f}, median {np.median(seconds):.1f} s per pass; {_load()}")
    echo(_summary("scratch", scratch_acc, scratch_sec))
    if args.keras:
        echo(_summary("keras  ", keras_acc, keras_sec))


def _limit_tensorflow_threads(threads):
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already running in this process (e.g. under pytest)
        logger.warning("TensorFlow is already initialised; its thread count stays as it is.")


def main(argv=None):
    """Entry point of `timegan-scratch-mlp`; returns the exit code."""
    args = build_parser().parse_args(argv)
    configure_logging()

    def _main():
        from threadpoolctl import threadpool_limits

        settings = settings_from_args(args)
        _scratch_model(settings, args.seed)  # refuses a bad setting before any data is read
        if args.keras:
            _limit_tensorflow_threads(args.threads)
        seeds = list(range(args.seed, args.seed + args.seeds))
        echo(f"{args.task}: {describe(settings)}; seeds {seeds[0]}..{seeds[-1]}; {args.threads} thread(s)")
        with threadpool_limits(args.threads):
            if args.task == "xor":
                run_xor(settings, seeds, progress=False)
            else:
                run_mnist(settings, seeds, args)

    return run(_main, PROG)


if __name__ == "__main__":
    sys.exit(main())
