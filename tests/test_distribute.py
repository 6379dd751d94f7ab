"""TimeGAN under `tf.distribute`, without a GPU: two logical CPU devices, and two local workers.

Devices must be configured before TensorFlow initialises them, and a multi-worker cluster needs
one process per worker, so each run is a fresh Python process.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

COMMON = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})  # as tests/conftest.py

    def sines(n=32, seq_len=3, dim=2):
        rng = np.random.default_rng(0)
        t = np.arange(seq_len)[None, :, None]
        return 5 + 5 * np.sin(rng.uniform(0.2, 0.6, (n, 1, dim)) * t + rng.uniform(0, np.pi, (n, 1, dim)))

    def flat(model):
        return np.concatenate([w.ravel() for net in model.networks.values() for w in net.get_weights()]).tolist()
""")

TWO_DEVICES = COMMON + textwrap.dedent("""
    import dataclasses
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from timegan import TimeGAN, TimeGANConfig

    config = TimeGANConfig(seq_len=3, hidden_dim=4, num_layers=1, batch_size=8, seed=0)
    results = {}
    for name, threshold in (("one", 0.15), ("two", 0.15), ("two_no_discriminator", 1e9)):
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]) if name.startswith("two") else tf.distribute.get_strategy()
        with strategy.scope():
            model = TimeGAN(dataclasses.replace(config, disc_loss_threshold=threshold))
            model.compile()
            model.fit(sines(), steps=(2, 2, 2), progress=False)
        results[name] = {"replicas": strategy.num_replicas_in_sync, "weights": flat(model),
                         "losses": model.losses().drop(columns=["phase", "step"]).to_numpy().tolist(),
                         "discriminator": [w.tolist() for w in model.discriminator.get_weights()],
                         "steps": model.steps_done}
    untouched = TimeGAN(config, n_features=2)
    results["initial_discriminator"] = [w.tolist() for w in untouched.discriminator.get_weights()]
    print(json.dumps(results))
""")

# The stylized-facts loss on two replicas, each with half of the batch and the global-batch mean, against
# one device with the whole batch: its value and its gradient, term by term (the window terms too).
STYLIZED = COMMON + textwrap.dedent("""
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from timegan import losses

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5, 2)).astype("float32")
    x_hat = (0.5 * rng.standard_normal((8, 5, 2)) + 0.2).astype("float32")
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])

    def global_mean(tensor, axes):
        context = tf.distribute.get_replica_context()
        return context.all_reduce(tf.distribute.ReduceOp.MEAN, tf.reduce_mean(tensor, axis=axes))

    def replica_step(term):
        i = tf.distribute.get_replica_context().replica_id_in_sync_group
        real, fake = tf.constant(x)[i * 4 : (i + 1) * 4], tf.constant(x_hat)[i * 4 : (i + 1) * 4]
        with tf.GradientTape() as tape:
            tape.watch(fake)
            loss = losses.stylized_facts_loss(real, fake, terms=[term], mean=global_mean)
            half = loss / 2
        return loss, tape.gradient(half, fake)

    results = {}
    for term in losses.STYLIZED_TERMS + losses.OPTIONAL_TERMS:
        variable = tf.Variable(x_hat)
        with tf.GradientTape() as tape:
            loss = losses.stylized_facts_loss(tf.constant(x), variable, terms=[term])
        loss_two, gradient_two = strategy.run(replica_step, args=(term,))
        results[term] = {
            "one": [float(loss), tape.gradient(loss, variable).numpy().ravel().tolist()],
            "two": [[float(v) for v in strategy.experimental_local_results(loss_two)],
                    np.concatenate(strategy.experimental_local_results(gradient_two)).ravel().tolist()],
        }
    print(json.dumps(results))
""")

WORKER = COMMON + textwrap.dedent("""
    import tensorflow as tf
    from timegan import TimeGAN, TimeGANConfig

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = TimeGAN(TimeGANConfig(seq_len=3, hidden_dim=4, num_layers=1, batch_size=8, seed=0))
        model.compile()
    model.fit(sines(), steps=(1, 1, 2), progress=False)
    with open(sys.argv[1], "w") as handle:
        json.dump({"replicas": strategy.num_replicas_in_sync, "weights": flat(model), "steps": model.steps_done}, handle)
""")


def run_python(code, *args, env=None):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=1800):
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"timed out after {timeout} s: {err[-2000:]}") from None
    assert process.returncode == 0, err[-3000:]
    return out


def test_two_devices_train_as_one_device_with_the_same_global_batch():
    results = json.loads(finish(run_python(TWO_DEVICES)).strip().splitlines()[-1])
    one, two = results["one"], results["two"]
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert one["steps"] == two["steps"] == {"embedding": 2, "supervised": 2, "joint": 2}
    # Global-batch losses (cross-replica means, global batch moments), the same noise and batches.
    np.testing.assert_allclose(np.array(two["losses"]), np.array(one["losses"]), rtol=2e-3, atol=1e-6)
    np.testing.assert_allclose(two["weights"], one["weights"], rtol=1e-4, atol=1e-5)
    assert np.abs(np.subtract(two["weights"], one["weights"])).max() < 1e-4
    # Above the threshold the discriminator trains; below it, on two replicas, it is left as it was.
    initial = results["initial_discriminator"]
    assert not all(np.array_equal(a, b) for a, b in zip(two["discriminator"], initial))
    for a, b in zip(results["two_no_discriminator"]["discriminator"], initial):
        np.testing.assert_array_equal(a, b)


def test_stylized_facts_loss_of_two_replicas_is_that_of_the_global_batch():
    results = json.loads(finish(run_python(STYLIZED)).strip().splitlines()[-1])
    for term, result in results.items():
        (loss, gradient), (losses_two, gradient_two) = result["one"], result["two"]
        np.testing.assert_allclose(losses_two, [loss, loss], rtol=1e-5, err_msg=term)
        # Each replica differentiates half of the loss (as the model does) and, through the global
        # means, gets the whole gradient of its own rows.
        np.testing.assert_allclose(gradient_two, gradient, rtol=1e-4, atol=1e-6, err_msg=term)
        assert np.abs(gradient).max() > 1e-3, term  # the test can see a wrong gradient


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_on_localhost_end_with_the_same_weights(tmp_path):
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    processes = []
    for index in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        processes.append(run_python(WORKER, str(tmp_path / f"worker{index}.json"), env={"TF_CONFIG": tf_config}))
    try:
        for process in processes:
            finish(process)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    first, second = (json.loads((tmp_path / f"worker{i}.json").read_text()) for i in range(2))
    assert first["replicas"] == second["replicas"] == 2
    assert first["steps"] == second["steps"] == {"embedding": 1, "supervised": 1, "joint": 2}
    np.testing.assert_array_equal(first["weights"], second["weights"])
    initial = initial_weights()
    assert np.abs(np.subtract(first["weights"], initial)).max() > 1e-4  # they trained


def initial_weights():
    from timegan import TimeGAN, TimeGANConfig

    model = TimeGAN(TimeGANConfig(seq_len=3, hidden_dim=4, num_layers=1, batch_size=8, seed=0), n_features=2)
    return np.concatenate([w.ravel() for net in model.networks.values() for w in net.get_weights()])
