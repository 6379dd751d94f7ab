"""Where a training step's time goes: `python scripts/profile_speed.py [--phase joint] [--threads 1]`.

Runs `--steps` steps of one phase of a paper-sized TimeGAN (seq_len 24, hidden 24, 3 layers,
batch 128, 6 features) under TensorFlow's profiler after the tracing step, reads the profile
(the host plane of the `.xplane.pb` file) and prints per step:

- wall time; time the graph executor was busy (`ExecutorState::Process` regions); time inside op
  kernels; executor overhead = busy - kernels (scheduling, bookkeeping, tensor allocation around
  each op); outside the executor = wall - busy (Python, function dispatch, waiting for a core).
  With several threads the busy and kernel times are summed over threads, so use `--threads 1`
  for an additive breakdown;
- kernel time and op count per network and direction (forward, backward = ops under
  `gradient_tape/`, optimizer = Adam's updates), and the op types with the most kernel time.
"""

import argparse
import collections
import glob
import os
import re
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

NETWORKS = ("embedder", "recovery", "generator", "supervisor", "discriminator")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", choices=("embedding", "supervised", "joint"), default="joint")
    parser.add_argument("--steps", type=int, default=5, help="profiled steps (default 5)")
    parser.add_argument("--threads", type=int, default=0, help="inter- and intra-op threads (default 0: TensorFlow's)")
    parser.add_argument("--cell", choices=("gru", "gru_block", "lstm"), default="gru")
    parser.add_argument("--unroll", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--xla", action="store_true", help="compile the step with XLA")
    parser.add_argument("--top", type=int, default=12, help="op types listed (default 12)")
    args = parser.parse_args()
    if args.steps < 1 or args.threads < 0 or args.top < 0:
        parser.exit(2, f"{parser.prog}: error: expected --steps >= 1, --threads >= 0 and --top >= 0\n")
    return args


def classify(op_name):
    """(network, direction) of an op from its full name `scope/.../name:Type`."""
    scope = op_name.split(":")[0].lower()
    if "adam" in scope:
        direction = "optimizer"
    elif scope.startswith("gradient_tape") or "/gradient_tape/" in scope or "gradients" in scope:
        direction = "backward"
    else:
        direction = "forward"
    found = [(scope.find(name), name) for name in NETWORKS if name in scope]
    network = min(found)[1] if found else "other"
    return network, direction


def read_profile(logdir):
    """Sums the host plane's events: (busy time, kernel time by (network, direction), counts, by type)."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    path = sorted(glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True))[-1]
    space = xplane_pb2.XSpace()
    with open(path, "rb") as handle:
        space.ParseFromString(handle.read())
    host = next(plane for plane in space.planes if plane.name == "/host:CPU")
    busy = 0.0
    kernel = collections.Counter()
    count = collections.Counter()
    by_type = collections.Counter()
    for line in host.lines:
        for event in line.events:
            name = host.event_metadata[event.metadata_id].name
            seconds = event.duration_ps * 1e-12
            if name == "ExecutorState::Process":
                busy += seconds
            elif re.fullmatch(r"[^ ]+:[A-Za-z_0-9]+", name):  # an op kernel: "scope/name:Type"
                key = classify(name)
                kernel[key] += seconds
                count[key] += 1
                by_type[name.rsplit(":", 1)[1]] += seconds
    return busy, kernel, count, by_type


def main():
    args = parse_args()
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    from benchmark_speed import paper_windows

    from timegan import TimeGAN, TimeGANConfig

    unroll = {"auto": None, "on": True, "off": False}[args.unroll]
    model = TimeGAN(TimeGANConfig(cell=args.cell, unroll=unroll, jit_compile=args.xla))
    windows = paper_windows(24)
    model.fit(windows, steps=0, progress=False)
    model.set_phase(args.phase)
    iterator = iter(model.make_dataset(model.scaler.transform(windows).astype("float32"), args.phase))
    model.train_function(iterator).get_value()  # trace
    model.train_function(iterator).get_value()  # warm
    logdir = tempfile.mkdtemp(prefix="timegan-profile-")
    tf.profiler.experimental.start(logdir)
    start = time.perf_counter()
    for _ in range(args.steps):
        result = model.train_function(iterator)
    result.get_value()
    wall = (time.perf_counter() - start) / args.steps
    tf.profiler.experimental.stop()
    busy, kernel, count, by_type = read_profile(logdir)
    n = args.steps
    kernels = sum(kernel.values()) / n
    ops = sum(count.values()) / n
    print(
        f"# {args.phase} step, {args.cell}, unroll {args.unroll}, xla {args.xla}, threads {args.threads or 'default'}, "
        f"{n} steps, load average {os.getloadavg()[0]:.1f}; profile in {logdir}"
    )
    print(f"wall per step: {1e3 * wall:.1f} ms")
    print(f"executor busy: {1e3 * busy / n:.1f} ms (summed over threads)")
    print(f"op kernels: {1e3 * kernels:.1f} ms in {ops:.0f} ops ({1e6 * kernels / max(ops, 1):.1f} us per op)")
    print(f"executor overhead (busy - kernels): {1e3 * (busy / n - kernels):.1f} ms")
    print(f"outside the executor (wall - busy): {1e3 * (wall - busy / n):.1f} ms")
    print("kernel ms per step by network and direction (ops):")
    for network in (*NETWORKS, "other"):
        cells = []
        for direction in ("forward", "backward", "optimizer"):
            key = (network, direction)
            if count[key]:
                cells.append(f"{direction} {1e3 * kernel[key] / n:.1f} ({count[key] / n:.0f})")
        if cells:
            print(f"  {network}: " + ", ".join(cells))
    print("op types by kernel ms per step:")
    for op_type, seconds in by_type.most_common(args.top):
        print(f"  {op_type}: {1e3 * seconds / n:.1f}")


if __name__ == "__main__":
    main()
