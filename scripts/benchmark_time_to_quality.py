"""Time to quality: `python scripts/benchmark_time_to_quality.py --seeds 0 1 2`.

Trains the paper's TimeGAN (Stocks: the bundled GOOG windows on the paper's [0, 1] scale; GRU,
24 hidden units, 3 layers, batch 128) and, every `--every` joint steps, keeps a snapshot with
the training time spent so far: wall-clock seconds and CPU-seconds of this process, both without
the snapshots' own saving. Each snapshot is then scored with the paper-protocol discriminative
score (the `scripts/benchmark.py` protocol: GRU classifier, random split, 2000 iterations; mean
of `--repeats`) and the script prints, per seed, the first joint step and the training seconds
at which the score drops below `--threshold` (default 0.15), or that it did not within
`--steps`. One JSON line per seed is appended to `--output`; snapshots and scores stay in
`--work-dir/seed<N>/`, so a run interrupted while scoring continues where it stopped.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run  # noqa: E402


def build_parser():
    parser = ArgumentParser(prog="benchmark_time_to_quality", description=__doc__.split("\n\n")[1])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds (default 0)")
    parser.add_argument(
        "--steps", type=positive_int, nargs=3, default=[2000, 2000, 3000], metavar=("EMB", "SUP", "JOINT")
    )
    parser.add_argument("--every", type=positive_int, default=250, help="joint steps between snapshots (default 250)")
    parser.add_argument("--threshold", type=float, default=0.15, help="discriminative score to reach (default 0.15)")
    parser.add_argument("--repeats", type=positive_int, default=3, help="discriminative repeats per snapshot")
    parser.add_argument("--discriminative-iterations", type=positive_int, default=2000)
    parser.add_argument("--cell", choices=("gru", "gru_block", "lstm"), default="gru")
    parser.add_argument("--work-dir", default="runs/time-to-quality", help="snapshots and scores")
    parser.add_argument("--output", default=None, metavar="PATH", help="append one JSON line per seed here")
    parser.add_argument("--progress", action="store_true", help="progress bars of training (on stderr)")
    return parser


def _train(args, real, seed, directory):
    """Trains one model, saving a snapshot every `--every` joint steps; returns the clock per step."""
    import keras

    from timegan import TimeGAN, TimeGANConfig

    class Snapshots(keras.callbacks.Callback):
        """Saves `joint_<step>.keras` and the training time so far, not counting its own saves."""

        def __init__(self):
            super().__init__()
            self.wall, self.cpu, self.clock = time.perf_counter(), time.process_time(), {}
            self.paused_wall = self.paused_cpu = 0.0

        def on_train_batch_end(self, batch, logs=None):
            step = self.model.steps_done["joint"]
            if self.model.phase == "joint" and step % args.every == 0:
                wall, cpu = time.perf_counter(), time.process_time()
                self.clock[step] = {
                    "train_seconds": wall - self.wall - self.paused_wall,
                    "train_cpu_seconds": cpu - self.cpu - self.paused_cpu,
                }
                self.model.save(directory / f"joint_{step:05d}.keras")
                self.paused_wall += time.perf_counter() - wall
                self.paused_cpu += time.process_time() - cpu

    config = TimeGANConfig(seq_len=real.shape[1], cell=args.cell, seed=seed)
    snapshots = Snapshots()
    TimeGAN(config).fit(real, steps=tuple(args.steps), callbacks=[snapshots], progress=args.progress)
    return snapshots.clock


def _score(args, real, seed, directory, clock):
    """Scores every snapshot (cached in scores.json); returns {step: entry}."""
    import numpy as np

    from evaluation.discriminative import discriminative_score
    from timegan import TimeGAN
    from timegan._atomic import write_json

    path = directory / "scores.json"
    scores = json.loads(path.read_text()) if path.is_file() else {}
    for step, entry in clock.items():
        scores.setdefault(str(step), {}).update(entry)
    for snapshot in sorted(directory.glob("joint_*.keras")):
        entry = scores.setdefault(str(int(snapshot.stem.split("_")[1])), {})
        if "discriminative" in entry:
            continue
        synthetic = TimeGAN.load(snapshot).generate(len(real), seed=seed)
        result = discriminative_score(
            real,
            synthetic,
            cell="gru",
            iterations=args.discriminative_iterations,
            repeats=args.repeats,
            normalize=False,
            split="random",
            seed=seed,
        )
        entry["discriminative"] = float(np.mean(result.scores))
        write_json(path, scores)
        echo(f"seed {seed}, joint step {snapshot.stem.split('_')[1]}: discriminative {entry['discriminative']:.4f}")
    return {int(step): entry for step, entry in scores.items()}


def _one(args, seed):
    from evaluation.datasets import stocks_windows

    real = stocks_windows(24, shuffle_seed=seed)
    directory = Path(args.work_dir) / f"seed{seed}"
    directory.mkdir(parents=True, exist_ok=True)
    clock_path = directory / "clock.json"
    if clock_path.is_file():
        clock = {int(k): v for k, v in json.loads(clock_path.read_text()).items()}
    else:
        clock = _train(args, real, seed, directory)
        from timegan._atomic import write_json

        write_json(clock_path, {str(k): v for k, v in clock.items()})
    scores = _score(args, real, seed, directory, clock)
    reached = [step for step in sorted(scores) if scores[step]["discriminative"] < args.threshold]
    first = scores[reached[0]] if reached else None
    return {
        "seed": seed,
        "cell": args.cell,
        "steps": list(args.steps),
        "every": args.every,
        "threshold": args.threshold,
        "repeats": args.repeats,
        "joint_step_reached": reached[0] if reached else None,
        "train_seconds": round(first["train_seconds"], 1) if first else None,
        "train_cpu_seconds": round(first["train_cpu_seconds"], 1) if first else None,
        "best_discriminative": round(min(entry["discriminative"] for entry in scores.values()), 4),
        "discriminative_by_step": {str(step): round(scores[step]["discriminative"], 4) for step in sorted(scores)},
        "load_average": round(os.getloadavg()[0], 1),
    }


def _benchmark(args):
    if not 0 < args.threshold < 0.5:
        raise ValueError(f"Expected --threshold in (0, 0.5). Received: {args.threshold}")
    for seed in args.seeds:
        result = _one(args, seed)
        if result["joint_step_reached"] is None:
            last = max(int(step) for step in result["discriminative_by_step"])
            echo(f"seed {seed}: discriminative never below {args.threshold} up to joint step {last}")
        else:
            echo(
                f"seed {seed}: below {args.threshold} at joint step {result['joint_step_reached']}, after "
                f"{result['train_seconds']:.0f} s of training ({result['train_cpu_seconds']:.0f} CPU-s)"
            )
        if args.output:
            with open(args.output, "a") as file:
                file.write(json.dumps(result) + "\n")


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging()
    return run(lambda: _benchmark(args), "benchmark_time_to_quality")


if __name__ == "__main__":
    raise SystemExit(main())
