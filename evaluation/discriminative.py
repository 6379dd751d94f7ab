"""Fidelity: can a post-hoc recurrent classifier tell real windows from synthetic ones?

The TimeGAN reference protocol: split real and synthetic windows 80/20 each, train a one-layer
recurrent classifier (max(1, n_features // 2) units, final state -> one logit) for 2000 Adam
iterations on batches of 128 real plus 128 synthetic windows, then score the held-out windows.
The discriminative score is |accuracy - 0.5|: 0 means indistinguishable, 0.5 means trivially
separable.

The paper splits each set at random (`split="random"`). Windows cut from one series overlap, so
then almost every held-out real window has a near-copy among the training windows; the default
here, `split="blocked"`, holds out a contiguous block of windows separated from the training
windows by a gap of `seq_len` windows, so no test window shares a day with a training window
(see `evaluation.splits`).
"""

import dataclasses
import functools
import logging

import matplotlib.figure
import numpy as np
import tensorflow as tf
from sklearn.metrics import accuracy_score, roc_auc_score, roc_curve

from evaluation import _checks, _posthoc
from evaluation._scaling import minmax_scale
from evaluation.splits import SPLITS, train_test_indices

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class DiscriminativeResult:
    """Held-out performance of the post-hoc classifier, one entry per repeat.

    Attributes:
        accuracies: test accuracy of each repeat.
        scores: |accuracy - 0.5| of each repeat.
        aucs: ROC AUC of each repeat (real is the positive class).
        roc_curves: (fpr, tpr) ndarrays of each repeat.
        n_train: (real, synthetic) training windows per repeat.
        n_test: (real, synthetic) test windows per repeat.
        params: the protocol's settings (cell, units, iterations, ...).
    """

    accuracies: tuple
    scores: tuple
    aucs: tuple
    roc_curves: tuple
    n_train: tuple
    n_test: tuple
    params: dict

    @property
    def accuracy(self):
        """Mean test accuracy over repeats."""
        return float(np.mean(self.accuracies))

    @property
    def score(self):
        """Mean discriminative score |accuracy - 0.5| over repeats."""
        return float(np.mean(self.scores))

    @property
    def score_std(self):
        """Standard deviation of the discriminative score over repeats (0 for one repeat)."""
        return float(np.std(self.scores))

    @property
    def auc(self):
        """Mean ROC AUC over repeats."""
        return float(np.mean(self.aucs))

    @property
    def auc_std(self):
        """Standard deviation of the ROC AUC over repeats."""
        return float(np.std(self.aucs))

    def to_dict(self):
        """Returns the numbers as a JSON-ready dict (ROC curves left out)."""
        return {
            "score": self.score,
            "score_std": self.score_std,
            "accuracy": self.accuracy,
            "accuracy_std": float(np.std(self.accuracies)),
            "auc": self.auc,
            "auc_std": self.auc_std,
            "scores": [float(s) for s in self.scores],
            "accuracies": [float(a) for a in self.accuracies],
            "aucs": [float(a) for a in self.aucs],
            "n_train": list(self.n_train),
            "n_test": list(self.n_test),
            "params": dict(self.params),
        }


def discriminative_score(
    real,
    synthetic,
    *,
    cell="lstm",
    units=None,
    iterations=2000,
    batch_size=128,
    train_fraction=0.8,
    learning_rate=1e-3,
    repeats=1,
    balance=True,
    normalize=True,
    split="blocked",
    gap=None,
    seed=0,
    progress=False,
):
    """Trains a recurrent classifier to tell real from synthetic windows and scores it.

    Args:
        real: array (n_real, seq_len, n_features).
        synthetic: array (n_synthetic, seq_len, n_features).
        cell: "lstm" (default, as in the source report) or "gru" (the TimeGAN reference code).
        units: recurrent units. Defaults to max(1, n_features // 2).
        iterations: Adam updates per repeat. Defaults to 2000.
        batch_size: real windows and synthetic windows per batch (each). Defaults to 128.
        train_fraction: part of each set used for training, the rest is the test set (with
            `split="blocked"`, the gap around the test block is taken from the training part).
            Defaults to 0.8.
        learning_rate: Adam learning rate. Defaults to 1e-3.
        repeats: independent repeats (new split, initialisation and batches each);
            the result holds all of them. Defaults to 1.
        balance: if the sets differ in size, draw as many windows from the larger one as the
            smaller one has (anew each repeat), so that accuracy 0.5 means chance. With
            `split="blocked"` the training and the test parts are balanced separately, after
            the split. Defaults to True.
        normalize: MinMax-scale both arrays with the real data's per-feature range first.
            Defaults to True; pass False for data already on a common [0, 1] scale.
        split: "blocked" (default): each set, in time order (stride-1 windows of one series
            for the real set), is split into a contiguous test block at a random position per
            repeat and the training windows at least `gap` windows away from it; both sets'
            blocks start at the same relative position. "random": the paper's random split
            (its test windows overlap training windows by up to seq_len - 1 days).
        gap: for "blocked", the smallest distance in windows between a training and a test
            window. Defaults to seq_len (no shared day between stride-1 windows).
        seed: seed of repeat 0; repeat i uses `seed + i`. Defaults to 0.
        progress: show a progress bar per repeat.

    Returns:
        `DiscriminativeResult`.

    Raises:
        ValueError: on invalid arrays or parameters.
    """
    real, synthetic = _checks.check_pair(real, synthetic)
    _checks.check_choice(cell, "cell", _posthoc.CELLS)
    n_features = real.shape[2]
    units = _posthoc.default_units(n_features) if units is None else units
    _checks.check_int(units, "units")
    _checks.check_int(iterations, "iterations")
    _checks.check_int(batch_size, "batch_size")
    _checks.check_fraction(train_fraction, "train_fraction")
    _checks.check_positive_float(learning_rate, "learning_rate")
    _checks.check_int(repeats, "repeats")
    _checks.check_seed(seed)
    _checks.check_choice(split, "split", SPLITS)
    gap = real.shape[1] if gap is None else _checks.check_int(gap, "gap", minimum=0)
    if normalize:
        real, synthetic = minmax_scale(real, synthetic)
    else:
        real, synthetic = real.astype(np.float32), synthetic.astype(np.float32)
    params = {
        "cell": cell,
        "units": units,
        "iterations": iterations,
        "batch_size": batch_size,
        "train_fraction": train_fraction,
        "learning_rate": learning_rate,
        "repeats": repeats,
        "balance": bool(balance),
        "normalize": bool(normalize),
        "split": split,
        "gap": gap if split == "blocked" else None,
        "seed": seed,
    }

    trainer = _posthoc.Trainer(
        build=lambda s: _posthoc.build_recurrent(
            n_inputs=n_features,
            n_outputs=1,
            units=units,
            cell=cell,
            return_sequences=False,
            activation=None,
            seed=s,
            name="posthoc_discriminator",
        ),
        batch_loss=functools.partial(_batch_loss, batch_size=batch_size),
        data_features=(n_features, n_features),
        learning_rate=learning_rate,
    )
    accuracies, scores, aucs, curves = [], [], [], []
    for repeat in range(repeats):
        rng = np.random.default_rng(seed + repeat)
        if split == "random":
            real_used, synthetic_used = real, synthetic
            if balance:
                size = min(len(real), len(synthetic))
                real_used = real[rng.permutation(len(real))[:size]]
                synthetic_used = synthetic[rng.permutation(len(synthetic))[:size]]
            real_train, real_test = train_test_indices(
                len(real_used), split="random", train_fraction=train_fraction, rng=rng, name="real"
            )
            synthetic_train, synthetic_test = train_test_indices(
                len(synthetic_used), split="random", train_fraction=train_fraction, rng=rng, name="synthetic"
            )
        else:
            real_used, synthetic_used = real, synthetic
            position = rng.uniform()
            real_train, real_test = train_test_indices(
                len(real), split="blocked", train_fraction=train_fraction, gap=gap, position=position, name="real"
            )
            synthetic_train, synthetic_test = train_test_indices(
                len(synthetic),
                split="blocked",
                train_fraction=train_fraction,
                gap=gap,
                position=position,
                name="synthetic",
            )
            if balance:
                real_train, synthetic_train = _balance(real_train, synthetic_train, rng)
                real_test, synthetic_test = _balance(real_test, synthetic_test, rng)
        trainer.reset(seed + repeat)
        trainer.train(
            (real_used[real_train], synthetic_used[synthetic_train]),
            iterations,
            chunk=250,
            progress=progress,
            desc=f"discriminative {repeat + 1}/{repeats}",
        )
        test = np.concatenate([real_used[real_test], synthetic_used[synthetic_test]])
        probabilities = 1.0 / (1.0 + np.exp(-trainer.predict(test)[:, 0]))
        labels = np.concatenate([np.ones(len(real_test)), np.zeros(len(synthetic_test))])
        accuracy = accuracy_score(labels, probabilities > 0.5)
        fpr, tpr, _ = roc_curve(labels, probabilities)
        accuracies.append(float(accuracy))
        scores.append(float(abs(accuracy - 0.5)))
        aucs.append(float(roc_auc_score(labels, probabilities)))
        curves.append((fpr, tpr))
        logger.debug("discriminative repeat %d: accuracy %.4f", repeat, accuracy)
    return DiscriminativeResult(
        accuracies=tuple(accuracies),
        scores=tuple(scores),
        aucs=tuple(aucs),
        roc_curves=tuple(curves),
        n_train=(len(real_train), len(synthetic_train)),
        n_test=(len(real_test), len(synthetic_test)),
        params=params,
    )


def _balance(first, second, rng):
    """Draws as many indices from the longer array as the shorter one has (order kept)."""
    size = min(len(first), len(second))
    return tuple(
        np.sort(rng.choice(part, size=size, replace=False)) if len(part) > size else part for part in (first, second)
    )


def _batch_loss(model, generator, real, synthetic, batch_size):
    """The reference loss: mean cross-entropy on a real batch plus that on a synthetic batch."""
    x_real = tf.gather(real, _posthoc.batch_indices(generator, tf.shape(real)[0], batch_size))
    x_fake = tf.gather(synthetic, _posthoc.batch_indices(generator, tf.shape(synthetic)[0], batch_size))
    # One forward pass over both batches: the same update as two passes, at half the cost.
    logits = model(tf.concat([x_real, x_fake], axis=0), training=True)
    n_real = tf.shape(x_real)[0]
    logits_real, logits_fake = logits[:n_real], logits[n_real:]
    loss_real = tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(logits_real), logits_real)
    loss_fake = tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros_like(logits_fake), logits_fake)
    return tf.reduce_mean(loss_real) + tf.reduce_mean(loss_fake)


def plot_roc(result, ax=None, baseline=None):
    """Plots the ROC curve of each repeat of a `DiscriminativeResult`, with the chance line.

    Args:
        result: `DiscriminativeResult` of real vs synthetic.
        ax: matplotlib Axes to draw on; a new Figure is created if None.
        baseline: optional `DiscriminativeResult` of real vs real, drawn for comparison.

    Returns:
        The matplotlib Figure.
    """
    if ax is None:
        figure = matplotlib.figure.Figure(figsize=(4.5, 4.5))
        ax = figure.add_subplot()
    series = [("real vs synthetic", result, "tab:red")]
    if baseline is not None:
        series.append(("real vs real (baseline)", baseline, "tab:blue"))
    for label, res, color in series:
        alpha = 1.0 if len(res.roc_curves) == 1 else 0.5
        for i, (fpr, tpr) in enumerate(res.roc_curves):
            curve_label = f"{label}: AUC {res.auc:.3f}" if i == 0 else None
            ax.plot(fpr, tpr, color=color, alpha=alpha, label=curve_label)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance: AUC 0.5")
    ax.set_xlabel("false positive rate (synthetic called real)")
    ax.set_ylabel("true positive rate (real called real)")
    ax.set_title("Post-hoc classifier ROC (held-out windows)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right", fontsize="small")
    return ax.figure
