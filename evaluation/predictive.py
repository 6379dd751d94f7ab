"""Utility: train on synthetic, test on real (TSTR).

The TimeGAN reference protocol: a one-layer recurrent predictor (max(1, n_features // 2) units,
a sigmoid Dense output per step) learns to predict the next step of the last feature from the
other features (input `x[:, :-1, :-1]`, target `x[:, 1:, -1:]`), for 5000 Adam iterations on
batches of 128 synthetic windows; its mean absolute error on all real windows is the predictive
score. The same predictor trained on the real windows gives the baseline (the "Original" row of
the paper's table; in the paper it is tested on the windows it was trained on). With
`target="all"` every feature's next step is predicted from every feature.

`split="random"` is the paper's protocol as above. The default, `split="blocked"`, holds out a
contiguous block of the real windows, separated from the rest by a gap of `seq_len` windows
(see `evaluation.splits`): both predictors are tested on that block only, and the baseline is
trained on the real windows outside it, so no test window shares a day with a window the baseline
was trained on.
"""

import dataclasses
import functools
import logging

import matplotlib.figure
import numpy as np
import tensorflow as tf

from evaluation import _checks, _posthoc
from evaluation._scaling import minmax_scale
from evaluation.splits import SPLITS, train_test_indices

logger = logging.getLogger(__name__)

TARGETS = ("last", "all")


@dataclasses.dataclass(frozen=True)
class PredictiveResult:
    """Test MAE on real windows of predictors trained on synthetic and on real data.

    Attributes:
        maes: final MAE of the synthetic-trained predictor, one per repeat.
        baseline_maes: final MAE of the real-trained predictor, one per repeat (empty if the
            baseline was not computed).
        curve_iterations: ndarray (n_points,), training iterations at which the curves were taken.
        curves: ndarray (repeats, n_points), test MAE of the synthetic-trained predictor.
        baseline_curves: ndarray (repeats, n_points) for the real-trained predictor, or None.
        params: the protocol's settings (target, cell, units, iterations, split, ...).
        n_test: real test windows per repeat (all real windows for split="random").
        n_baseline_train: real windows the baseline trained on per repeat (0 without baseline).
    """

    maes: tuple
    baseline_maes: tuple
    curve_iterations: np.ndarray
    curves: np.ndarray
    baseline_curves: object
    params: dict
    n_test: int = 0
    n_baseline_train: int = 0

    @property
    def mae(self):
        """Mean over repeats of the synthetic-trained predictor's MAE on real data."""
        return float(np.mean(self.maes))

    @property
    def mae_std(self):
        """Standard deviation over repeats of `mae` (0 for one repeat)."""
        return float(np.std(self.maes))

    @property
    def baseline_mae(self):
        """Mean over repeats of the real-trained predictor's MAE, or None."""
        return float(np.mean(self.baseline_maes)) if self.baseline_maes else None

    @property
    def baseline_mae_std(self):
        """Standard deviation over repeats of `baseline_mae`, or None."""
        return float(np.std(self.baseline_maes)) if self.baseline_maes else None

    def to_dict(self):
        """Returns the numbers as a JSON-ready dict (curves included as lists)."""
        return {
            "mae": self.mae,
            "mae_std": self.mae_std,
            "baseline_mae": self.baseline_mae,
            "baseline_mae_std": self.baseline_mae_std,
            "maes": [float(m) for m in self.maes],
            "baseline_maes": [float(m) for m in self.baseline_maes],
            "curve_iterations": [int(i) for i in self.curve_iterations],
            "curve_mean": [float(v) for v in np.mean(self.curves, axis=0)],
            "baseline_curve_mean": (
                None if self.baseline_curves is None else [float(v) for v in np.mean(self.baseline_curves, axis=0)]
            ),
            "n_test": int(self.n_test),
            "n_baseline_train": int(self.n_baseline_train),
            "params": dict(self.params),
        }


def split_inputs_targets(windows, target):
    """Returns (inputs, targets) of the next-step task.

    Args:
        windows: ndarray (n, seq_len, n_features).
        target: "last": inputs `windows[:, :-1, :-1]`, targets `windows[:, 1:, -1:]`;
            "all": inputs `windows[:, :-1, :]`, targets `windows[:, 1:, :]`.

    Returns:
        Tuple of ndarrays (n, seq_len - 1, n_inputs) and (n, seq_len - 1, n_targets).
    """
    if target == "last":
        return windows[:, :-1, :-1], windows[:, 1:, -1:]
    return windows[:, :-1, :], windows[:, 1:, :]


def predictive_score(
    real,
    synthetic,
    *,
    target="last",
    cell="gru",
    units=None,
    iterations=5000,
    batch_size=128,
    learning_rate=1e-3,
    eval_every=None,
    baseline=True,
    repeats=1,
    normalize=True,
    split="blocked",
    train_fraction=0.8,
    gap=None,
    seed=0,
    progress=False,
):
    """Trains a next-step predictor on `synthetic` (and on `real`) and measures it on `real`.

    Args:
        real: array (n_real, seq_len, n_features), in time order for `split="blocked"`
            (stride-1 windows of one series); the test set (and the baseline's training set).
        synthetic: array (n_synthetic, seq_len, n_features); the training set.
        target: "last" (the reference protocol: the last feature from the others; needs
            n_features >= 2) or "all" (every feature from every feature). Defaults to "last".
        cell: "gru" (default, as in the reference) or "lstm".
        units: recurrent units. Defaults to max(1, n_features // 2).
        iterations: Adam updates per predictor. Defaults to 5000.
        batch_size: windows per batch. Defaults to 128.
        learning_rate: Adam learning rate. Defaults to 1e-3.
        eval_every: iterations between two points of the MAE curves. Defaults to
            max(1, iterations // 50).
        baseline: also train on `real` (the "Original" baseline). Defaults to True.
        repeats: independent repeats (new initialisation and batches each). Defaults to 1.
        normalize: MinMax-scale both arrays with the real data's per-feature range first
            (the output layer is a sigmoid). Defaults to True; pass False for data already
            on a common [0, 1] scale.
        split: "blocked" (default): per repeat, a contiguous block of
            `n_real - int(n_real * train_fraction)` real windows at a random position is the test
            set of both predictors, and the baseline trains on the real windows at least `gap`
            windows away from it. "random": the paper's protocol: both predictors are tested on
            all real windows and the baseline is trained on them too (an in-sample score).
        train_fraction: for "blocked", the real windows' share outside the test block (the gap
            is taken from it). Defaults to 0.8.
        gap: for "blocked", the smallest distance in windows between a baseline training
            window and a test window. Defaults to seq_len (no shared day).
        seed: seed of repeat 0; repeat i uses `seed + i`. Defaults to 0.
        progress: show progress bars.

    Returns:
        `PredictiveResult`.

    Raises:
        ValueError: on invalid arrays or parameters, or `target="last"` with one feature.
    """
    real, synthetic = _checks.check_pair(real, synthetic)
    _checks.check_choice(target, "target", TARGETS)
    _checks.check_choice(cell, "cell", _posthoc.CELLS)
    n_features = real.shape[2]
    if target == "last" and n_features < 2:
        raise ValueError(
            "Expected at least 2 features for target='last' (the last feature is predicted "
            f"from the others; use target='all'). Received: n_features={n_features}"
        )
    units = _posthoc.default_units(n_features) if units is None else units
    _checks.check_int(units, "units")
    _checks.check_int(iterations, "iterations")
    _checks.check_int(batch_size, "batch_size")
    _checks.check_positive_float(learning_rate, "learning_rate")
    eval_every = max(1, iterations // 50) if eval_every is None else eval_every
    _checks.check_int(eval_every, "eval_every")
    _checks.check_int(repeats, "repeats")
    _checks.check_seed(seed)
    _checks.check_choice(split, "split", SPLITS)
    _checks.check_fraction(train_fraction, "train_fraction")
    gap = real.shape[1] if gap is None else _checks.check_int(gap, "gap", minimum=0)
    if normalize:
        real, synthetic = minmax_scale(real, synthetic)
    else:
        real, synthetic = real.astype(np.float32), synthetic.astype(np.float32)
    params = {
        "target": target,
        "cell": cell,
        "units": units,
        "iterations": iterations,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "eval_every": eval_every,
        "repeats": repeats,
        "normalize": bool(normalize),
        "split": split,
        "train_fraction": train_fraction if split == "blocked" else None,
        "gap": gap if split == "blocked" else None,
        "seed": seed,
    }
    if split == "blocked":
        # Fails early, with the message naming `real`, if no training windows are left.
        train_test_indices(len(real), split="blocked", train_fraction=train_fraction, gap=gap, name="real")

    sample_x, sample_y = split_inputs_targets(real[:1], target)
    n_inputs, n_targets = sample_x.shape[2], sample_y.shape[2]
    trainer = _posthoc.Trainer(
        build=lambda s: _posthoc.build_recurrent(
            n_inputs=n_inputs,
            n_outputs=n_targets,
            units=units,
            cell=cell,
            return_sequences=True,
            activation="sigmoid",
            seed=s,
            name="posthoc_predictor",
        ),
        batch_loss=functools.partial(_batch_loss, batch_size=batch_size),
        data_features=(n_inputs, n_targets),
        learning_rate=learning_rate,
    )
    curves = {"synthetic": [], "real": []}
    for repeat in range(repeats):
        if split == "random":
            real_train, real_test = np.arange(len(real)), np.arange(len(real))
        else:
            real_train, real_test = train_test_indices(
                len(real),
                split="blocked",
                train_fraction=train_fraction,
                gap=gap,
                rng=np.random.default_rng(seed + repeat),
                name="real",
            )
        test_x, test_y = split_inputs_targets(real[real_test], target)
        sources = [("synthetic", synthetic)] + ([("real", real[real_train])] if baseline else [])
        for name, train_windows in sources:
            trainer.reset(seed + repeat)
            points, maes = [], []

            def record(done, points=points, maes=maes, test_x=test_x, test_y=test_y):
                points.append(done)
                # All windows have the same length, so the mean of per-window MAEs (the
                # reference's score) equals the mean over all predicted values.
                maes.append(float(np.mean(np.abs(trainer.predict(test_x) - test_y))))

            trainer.train(
                split_inputs_targets(train_windows, target),
                iterations,
                chunk=eval_every,
                progress=progress,
                desc=f"predictive ({target}, trained on {name}) {repeat + 1}/{repeats}",
                on_chunk=record,
            )
            curves[name].append(maes)
            logger.debug("predictive %s repeat %d: MAE %.5f", name, repeat, maes[-1])
    return PredictiveResult(
        maes=tuple(c[-1] for c in curves["synthetic"]),
        baseline_maes=tuple(c[-1] for c in curves["real"]),
        curve_iterations=np.array(points),
        curves=np.array(curves["synthetic"]),
        baseline_curves=np.array(curves["real"]) if baseline else None,
        params=params,
        n_test=len(real_test),
        n_baseline_train=len(real_train) if baseline else 0,
    )


def _batch_loss(model, generator, inputs, targets, batch_size):
    """Mean absolute error of the next-step predictions on a random batch."""
    idx = _posthoc.batch_indices(generator, tf.shape(inputs)[0], batch_size)
    predictions = model(tf.gather(inputs, idx), training=True)
    return tf.reduce_mean(tf.abs(tf.gather(targets, idx) - predictions))


def plot_predictive_curves(result, ax=None):
    """Plots the test MAE on real data over training, for synthetic- and real-trained predictors.

    Args:
        result: `PredictiveResult`.
        ax: matplotlib Axes to draw on; a new Figure is created if None.

    Returns:
        The matplotlib Figure.
    """
    if ax is None:
        figure = matplotlib.figure.Figure(figsize=(6, 4))
        ax = figure.add_subplot()
    x = result.curve_iterations
    series = [("trained on synthetic (TSTR)", result.curves, "tab:red")]
    if result.baseline_curves is not None:
        series.append(("trained on real (baseline)", result.baseline_curves, "tab:blue"))
    for label, curves, color in series:
        mean = curves.mean(axis=0)
        ax.plot(x, mean, color=color, label=f"{label}: final MAE {mean[-1]:.4f}")
        if len(curves) > 1:
            std = curves.std(axis=0)
            ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2)
    target = "last feature" if result.params["target"] == "last" else "all features"
    ax.set_xlabel("training iterations")
    ax.set_ylabel("MAE on real windows")
    ax.set_title(f"Next-step prediction of the {target}")
    ax.legend(fontsize="small")
    return ax.figure
