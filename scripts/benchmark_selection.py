"""Does the cheap held-out score track the paper's discriminative score? `python scripts/benchmark_selection.py`

Trains one TimeGAN on the bundled BA, CAT, DIS prices with the last `--validation-fraction` of the
days held out (after a gap of seq_len days), keeps a snapshot every `--every` joint steps, and for
each snapshot computes

- the expensive score: the paper-protocol discriminative score (`evaluation.discriminative`,
  2000 iterations, blocked split) of `generate` against every real window, as the report does;
- cheap candidates on the held-out windows, on the model's scale (`TimeGAN.generate_scaled`):
  `validation_score` (logistic regression on windows and one-step changes, the one `BestModel`
  uses), the same classifier on per-window summary statistics, on windows relative to their first
  value, and three distances (per-feature Wasserstein-1 of values and of one-step changes, moments).

It prints one row per snapshot (scores and seconds) and, per candidate, the Spearman and Kendall
rank correlations with the expensive score and the step each would select. Snapshots and scores
are kept in `--output` (scores.json), so an interrupted run continues where it stopped.
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default="runs/selection-benchmark", help="snapshots and scores.json")
    parser.add_argument("--steps", type=int, nargs=3, default=(300, 300, 1000), metavar=("EMB", "SUP", "JOINT"))
    parser.add_argument("--every", type=int, default=100, help="joint steps between snapshots (default 100)")
    parser.add_argument("--hidden-dim", type=int, default=12)
    parser.add_argument("--num-layers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--validation-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--discriminative-iterations", type=int, default=2000, help="the paper's 2000; fewer only to try the script"
    )
    return parser.parse_args()


def train(args, out, prices):
    import keras

    from timegan import TimeGAN, TimeGANConfig
    from timegan.preprocessing import holdout_split

    class Snapshots(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if self.model.phase == "joint" and self.model.steps_done["joint"] == 0:
                self.model.save(out / "joint_00000.keras")

        def on_train_batch_end(self, batch, logs=None):
            step = self.model.steps_done["joint"]
            if self.model.phase == "joint" and step % args.every == 0:
                self.model.save(out / f"joint_{step:05d}.keras")

    config = TimeGANConfig(
        hidden_dim=args.hidden_dim, num_layers=args.num_layers, batch_size=args.batch_size, seed=args.seed
    )
    train_rows, held_out = holdout_split(prices, args.validation_fraction, gap=config.seq_len)
    model = TimeGAN(config)
    model.fit(train_rows, steps=tuple(args.steps), callbacks=[Snapshots()], progress=True, validation_data=held_out)


def candidates(real, synthetic):
    from scipy.stats import wasserstein_distance
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from timegan.callbacks import validation_score

    def c2st(features):
        x = np.concatenate([features(real), features(synthetic)])
        y = np.r_[np.ones(len(real)), np.zeros(len(synthetic))]
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        return abs(cross_val_score(LogisticRegression(max_iter=1000), x, y, cv=folds).mean() - 0.5)

    def summary(w):
        d = np.diff(w, axis=1)
        return np.concatenate([w.mean(1), w.std(1), w[:, -1] - w[:, 0], np.abs(d).mean(1), d.std(1)], 1)

    def relative(w):
        return np.concatenate([(w - w[:, :1]).reshape(len(w), -1), np.diff(w, axis=1).reshape(len(w), -1)], 1)

    def w1(a, b):
        return np.mean([wasserstein_distance(a[..., f].ravel(), b[..., f].ravel()) for f in range(a.shape[-1])])

    def stats(w):
        d = np.diff(w, axis=1)
        return np.concatenate([w.mean((0, 1)), w.std((0, 1)), d.std((0, 1)), np.abs(d).mean((0, 1))])

    return {
        "validation_score": lambda: validation_score(real, synthetic),
        "c2st_summary": lambda: c2st(summary),
        "c2st_relative": lambda: c2st(relative),
        "w1_values": lambda: w1(real, synthetic),
        "w1_changes": lambda: w1(np.diff(real, axis=1), np.diff(synthetic, axis=1)),
        "moments": lambda: float(np.abs(stats(real) - stats(synthetic)).sum()),
    }


def score(out, prices, args):
    from evaluation.discriminative import discriminative_score
    from timegan import TimeGAN, make_windows
    from timegan.preprocessing import holdout_split

    cache = out / "scores.json"
    scores = json.loads(cache.read_text()) if cache.exists() else {}
    for snapshot in sorted(out.glob("joint_*.keras")):
        step = str(int(snapshot.stem.split("_")[1]))
        entry = scores.setdefault(step, {})
        model = TimeGAN.load(snapshot)
        _, held_out = holdout_split(prices, args.validation_fraction, gap=model.config.seq_len)
        real_held = model.scaler.transform(make_windows(held_out.to_numpy(), model.config.seq_len))
        start = time.perf_counter()
        synthetic = model.generate_scaled(len(real_held), seed=0)
        generation = time.perf_counter() - start
        for name, compute in candidates(real_held, synthetic).items():
            start = time.perf_counter()
            entry[name] = [float(compute()), time.perf_counter() - start + generation]
        if "discriminative" not in entry:
            real = make_windows(prices.to_numpy(), model.config.seq_len)
            start = time.perf_counter()
            synthetic_all = model.generate(len(real), seed=0)
            result = discriminative_score(real, synthetic_all, iterations=args.discriminative_iterations, seed=0)
            entry["discriminative"] = [result.score, time.perf_counter() - start]
        cache.write_text(json.dumps(scores, indent=1))
        print(step, {k: round(v[0], 4) for k, v in entry.items()}, flush=True)
    return scores


def report(scores):
    from scipy.stats import kendalltau, spearmanr

    steps = sorted(int(s) for s in scores)
    expensive = [scores[str(s)]["discriminative"][0] for s in steps]
    print(f"\n{'joint step':>10} {'discriminative':>14}  " + "  ".join(scores[str(steps[0])]))
    for s in steps:
        print(f"{s:>10} " + "  ".join(f"{scores[str(s)][name][0]:14.4f}" for name in scores[str(s)]))
    print(f"\nexpensive: {np.mean([scores[str(s)]['discriminative'][1] for s in steps]):.0f} s per snapshot")
    print(f"selected by the discriminative score: step {steps[int(np.argmin(expensive))]}")
    for name in scores[str(steps[0])]:
        if name == "discriminative":
            continue
        values = [scores[str(s)][name][0] for s in steps]
        seconds = np.mean([scores[str(s)][name][1] for s in steps])
        print(
            f"{name:>18}: Spearman {spearmanr(values, expensive)[0]:+.2f}, Kendall {kendalltau(values, expensive)[0]:+.2f}, "
            f"selects step {steps[int(np.argmin(values))]} (discriminative {expensive[int(np.argmin(values))]:.4f}), "
            f"{seconds:.1f} s"
        )


def main():
    args = parse_args()
    from timegan import load_prices

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    prices = load_prices(["BA", "CAT", "DIS"], source="bundled")
    if not (out / f"joint_{args.steps[2]:05d}.keras").exists():
        train(args, out, prices)
    report(score(out, prices, args))


if __name__ == "__main__":
    main()
