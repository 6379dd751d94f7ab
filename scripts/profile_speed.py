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

`--ceiling` instead times chains of single ops of the sizes a step is made of, each op on the
previous one's output (no model): the matrix products of one GRU time step (and of its state's
gradient), the same on three batches stacked and on all 24 steps at once, an element-wise op on
one step's gate block, and a large product for the machine's sustained rate; float32 and
bfloat16. It
prints microseconds per op and GFLOP/s (2 m k n per product), per CPU-second of the process:
what one op of each kind costs at least, so that ops per step times these costs bound the
step's time.
"""

import argparse
import collections
import glob
import os
import re
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from benchmark_speed import add_model_arguments  # noqa: E402 (after the log-level setting)

NETWORKS = ("embedder", "recovery", "generator", "supervisor", "discriminator")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", choices=("embedding", "supervised", "joint"), default="joint")
    parser.add_argument("--steps", type=int, default=5, help="profiled steps (default 5)")
    add_model_arguments(parser)
    parser.add_argument("--top", type=int, default=12, help="op types listed (default 12)")
    parser.add_argument(
        "--ceiling", action="store_true", help="time single ops of a step's sizes instead of profiling a step"
    )
    args = parser.parse_args()
    if args.steps < 1 or args.threads < 0 or args.top < 0:
        parser.exit(2, f"{parser.prog}: error: expected --steps >= 1, --threads >= 0 and --top >= 0\n")
    return args


def classify(op_name):
    """(network, direction) of an op from its full name `scope/.../name:Type`."""
    scope = op_name.split(":")[0].lower()
    if "adam" in scope:
        direction = "optimizer"
    elif scope.startswith("gradient_tape") or "/gradient_tape/" in scope or op_name.endswith("Grad"):
        direction = "backward"
    else:
        direction = "forward"
    found = [(scope.find(name), name) for name in NETWORKS if name in scope]
    network = min(found)[1] if found else "other"
    return network, direction


def read_profile(logdir, steps):
    """Reads the host plane of the profile: per-step times of the graph executor's threads.

    Events nest (an executor region holds the op kernels it ran); each event's own time is its
    duration less its children's. On a loaded machine a thread can lose its core in the middle
    of any event, so besides the sums this also gives robust figures: the median duration of
    each op of the graph over the profiled steps (each op runs once per step), and the median
    own time of the executor per op it ran.

    Returns:
        dict with per-step `busy`, `kernels`, `kernels_median`, `overhead_median`, `ops`, and
        Counters `by_group` ((network, direction) -> (median) kernel seconds), `count`, `by_type`.
    """
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    path = sorted(glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True))[-1]
    space = xplane_pb2.XSpace()
    with open(path, "rb") as handle:
        space.ParseFromString(handle.read())
    host = next(plane for plane in space.planes if plane.name == "/host:CPU")
    busy, kernels = 0.0, 0.0
    durations = collections.defaultdict(list)
    overhead_per_op = []
    for line in host.lines:
        if line.name == "python" or line.name.startswith("tf_data"):
            continue
        stack = []  # [name, end, own time, ops inside]
        for event in sorted(line.events, key=lambda e: (e.offset_ps, -e.duration_ps)):
            name = host.event_metadata[event.metadata_id].name
            seconds = event.duration_ps * 1e-12
            while stack and stack[-1][1] <= event.offset_ps:
                _close(stack.pop(), overhead_per_op)
            is_op = re.fullmatch(r"[^ :]+:[A-Za-z_0-9]+", name) is not None and not name.endswith("PartitionedCall")
            if stack:
                stack[-1][2] -= seconds
                stack[-1][3] += is_op
            if name == "ExecutorState::Process":
                busy += seconds
            if is_op:
                durations[name].append(seconds)
                kernels += seconds
            stack.append([name, event.offset_ps + event.duration_ps, seconds, 0])
        while stack:
            _close(stack.pop(), overhead_per_op)
    by_group, count, by_type = collections.Counter(), collections.Counter(), collections.Counter()
    for name, values in durations.items():
        median = sorted(values)[len(values) // 2]
        runs = len(values) / steps
        key = classify(name)
        by_group[key] += median * runs
        count[key] += runs
        by_type[name.rsplit(":", 1)[1]] += median * runs
    ops = sum(count.values())
    overhead = sorted(overhead_per_op)[len(overhead_per_op) // 2] * ops if overhead_per_op else float("nan")
    return {
        "busy": busy / steps,
        "kernels": kernels / steps,
        "kernels_median": sum(by_group.values()),
        "overhead_median": overhead,
        "ops": ops,
        "by_group": by_group,
        "count": count,
        "by_type": by_type,
    }


def _close(entry, overhead_per_op):
    name, _, own, ops = entry
    if name == "ExecutorState::Process" and ops:
        overhead_per_op.extend([own / ops] * ops)


# name -> (m, k, n): a chain of products alternating `(m, k) @ (k, n)` and `(m, n) @ (n, k)`, at the
# paper's sizes (batch 128, 24 units, 24 steps, 3 gates); None: an element-wise multiply of
# one step's gate block (128, 72).
CEILING_OPS = {
    "one GRU step's products (128 x 24 @ 24 x 72, and back: the state's gradient)": (128, 24, 72),
    "the same on three batches stacked (384 rows)": (384, 24, 72),
    "the same on all 24 steps at once (3072 rows: input projection and its gradient)": (3072, 24, 72),
    "element-wise multiply of one step's gates (128 x 72)": None,
    "large product, the sustained rate (2048 x 1024 @ 1024 x 1024)": (2048, 1024, 1024),
}


def op_cost(shape, dtype, count, repeats=5):
    """Best CPU-seconds per op over `repeats` timings of a compiled chain of `count` ops, each on
    the previous one's output, as the ops of a recurrence are.

    Args:
        shape: (m, k, n): products alternating `(m, k) @ (k, n)` and `(m, n) @ (n, k)`; None: an
            element-wise multiply of (128, 72).
        dtype: a TensorFlow float dtype.
        count: ops per call; the calls repeat until ~0.2 CPU-seconds have passed.

    Returns:
        seconds per op (float).
    """
    import tensorflow as tf

    m, k, n = shape or (128, 72, 72)
    x = tf.cast(tf.random.normal((m, k), seed=1), dtype)
    forward = tf.cast(tf.random.normal((k, n), seed=2) / k**0.5, dtype)
    back = tf.cast(tf.random.normal((n, k), seed=3) / n**0.5, dtype)

    @tf.function
    def run(x, forward, back):
        for i in range(count):
            if shape is None:
                x = x * back[:1, :1]
            else:
                x = tf.matmul(x, forward if i % 2 == 0 else back)
        return x

    run(x, forward, back).numpy()
    best = float("inf")
    for _ in range(repeats):
        calls, start = 0, time.process_time()
        while time.process_time() - start < 0.2:
            run(x, forward, back).numpy()
            calls += 1
        best = min(best, (time.process_time() - start) / (calls * count))
    return best


def print_ceiling(args):
    import tensorflow as tf

    print(f"# single ops, threads {args.threads or 'default'}, load average {os.getloadavg()[0]:.1f}; per CPU-second")
    for name, shape in CEILING_OPS.items():
        cells = []
        for dtype in (tf.float32, tf.bfloat16):
            seconds = op_cost(shape, dtype, count=2 if shape and shape[1] > 1000 else 48)
            rate = f", {2 * shape[0] * shape[1] * shape[2] / seconds / 1e9:.0f} GFLOP/s" if shape else ""
            cells.append(f"{dtype.name} {1e6 * seconds:.1f} us{rate}")
        print(f"{name}: " + "; ".join(cells))


def main():
    args = parse_args()
    if args.ceiling:
        from benchmark_speed import configure

        configure(args)  # applies --threads
        print_ceiling(args)
        return
    import tensorflow as tf
    from benchmark_speed import _wait, configure, paper_windows

    from timegan import TimeGAN

    model = TimeGAN(configure(args))
    windows = paper_windows(model.config.seq_len)
    model.fit(windows, steps=0, progress=False)
    model.set_phase(args.phase)
    iterator = iter(model.make_dataset(model.scaler.transform(windows).astype("float32"), args.phase))
    _wait(model.train_function(iterator))  # trace
    _wait(model.train_function(iterator))  # warm
    logdir = tempfile.mkdtemp(prefix="timegan-profile-")
    tf.profiler.experimental.start(logdir)
    start = time.perf_counter()
    for _ in range(args.steps):
        result = model.train_function(iterator)
    _wait(result)
    wall = (time.perf_counter() - start) / args.steps
    tf.profiler.experimental.stop()
    profile = read_profile(logdir, args.steps)
    busy, kernels, ops = profile["busy"], profile["kernels"], profile["ops"]
    print(
        f"# {args.phase} step, {args.cell}, unroll {args.unroll}, xla {args.xla}, threads {args.threads or 'default'}, "
        f"{args.steps} steps, load average {os.getloadavg()[0]:.1f}; profile in {logdir}"
    )
    print(f"wall per step: {1e3 * wall:.1f} ms")
    print(f"executor busy: {1e3 * busy:.1f} ms (summed over threads)")
    print(f"op kernels: {1e3 * kernels:.1f} ms in {ops:.0f} ops")
    print(f"executor overhead (busy - kernels): {1e3 * (busy - kernels):.1f} ms")
    print(f"outside the executor (wall - busy): {1e3 * (wall - busy):.1f} ms")
    median = profile["kernels_median"]
    print(
        f"robust (medians over steps): op kernels {1e3 * median:.1f} ms ({1e6 * median / max(ops, 1):.1f} us per op), "
        f"executor overhead {1e3 * profile['overhead_median']:.1f} ms ({1e6 * profile['overhead_median'] / max(ops, 1):.1f} us per op)"
    )
    print("kernel ms per step (medians) by network and direction (ops):")
    for network in (*NETWORKS, "other"):
        cells = []
        for direction in ("forward", "backward", "optimizer"):
            key = (network, direction)
            if profile["count"][key]:
                cells.append(f"{direction} {1e3 * profile['by_group'][key]:.1f} ({profile['count'][key]:.0f})")
        if cells:
            print(f"  {network}: " + ", ".join(cells))
    print("op types by kernel ms per step (medians):")
    for op_type, seconds in profile["by_type"].most_common(args.top):
        print(f"  {op_type}: {1e3 * seconds:.1f}")


if __name__ == "__main__":
    main()
