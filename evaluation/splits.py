"""Train/test splits of windows for the post-hoc metrics: the paper's random split or a blocked one.

Windows cut from one series with stride 1 overlap: window `i` covers days `i .. i + seq_len - 1`,
so two windows share a day exactly when their start indices differ by less than `seq_len`. A
random split of such windows puts a near-copy of almost every test window in the training set
(with `seq_len=24`, the median test window shares 23 of its 24 days with a training window),
which flatters every score measured on the test set.

- "random" (the TimeGAN paper's protocol, Yoon et al., NeurIPS 2019, reference code): a random
  permutation; the first `int(n * train_fraction)` windows train, the rest test.
- "blocked": windows stay in time order; the test set is one contiguous block of
  `n - int(n * train_fraction)` windows at a seeded random position, and the training set is
  every window whose start lies at least `gap` windows away from each test window (before or
  after the block). With `gap >= seq_len` and stride-1 windows, no test window shares a day with a
  training window.
"""

import numpy as np

from evaluation import _checks

SPLITS = ("random", "blocked")


def train_test_indices(n, *, split="blocked", train_fraction=0.8, gap=None, position=None, rng=None, name="windows"):
    """Indices of the training and test windows of one split.

    Args:
        n: number of windows; for "blocked" they must be in time order (window `i` starting at
            day `i`, as `make_windows` cuts them).
        split: "blocked" (default) or "random" (the paper's).
        train_fraction: share of the windows before the gap is removed; the test set has
            `n - int(n * train_fraction)` windows. Defaults to 0.8.
        gap: for "blocked", the smallest distance in start index between a training and a test
            window; required for "blocked" (pass `seq_len`). Ignored for "random".
        position: for "blocked", where the test block starts, as a number in [0, 1] (0: the
            first windows, 1: the last). Defaults to a draw from `rng`. Passing one value to the
            splits of two sets of the same length gives test blocks at the same place in time.
        rng: `np.random.Generator` of the permutation or position. Defaults to
            `np.random.default_rng(0)`.
        name: name of the windows in error messages.

    Returns:
        Tuple (train, test) of int ndarrays; for "blocked" both are sorted.

    Raises:
        ValueError: if `split` is unknown, `gap` is missing or negative, or either part would be
            empty.
    """
    _checks.check_choice(split, "split", SPLITS)
    _checks.check_fraction(train_fraction, "train_fraction")
    rng = np.random.default_rng(0) if rng is None else rng
    n_train = int(n * train_fraction)
    if n_train < 1 or n_train >= n:
        raise ValueError(
            f"Expected `{name}` to have enough windows for a train and a test part with "
            f"train_fraction={train_fraction}. Received: {name} with {n} windows"
        )
    if split == "random":
        order = rng.permutation(n)
        return order[:n_train], order[n_train:]
    if gap is None:
        raise ValueError("Expected `gap` (in windows, at least seq_len) for split='blocked'. Received: gap=None")
    _checks.check_int(gap, "gap", minimum=0)
    n_test = n - n_train
    if position is None:
        position = rng.uniform()
    start = round(float(position) * (n - n_test))
    test = np.arange(start, start + n_test)
    indices = np.arange(n)
    train = indices[(indices <= start - gap) | (indices >= start + n_test - 1 + gap)]
    if len(train) == 0:
        raise ValueError(
            f"Expected `{name}` to have training windows left beside a test block of {n_test} windows "
            f"and a gap of {gap} windows on each side (split='blocked'). Received: {name} with {n} windows"
        )
    return train, test


def shared_days(train, test, seq_len):
    """Number of test windows that share at least one day with a training window.

    Args:
        train: start indices of the training windows (stride-1 windows of one series).
        test: start indices of the test windows.
        seq_len: days per window.

    Returns:
        int: how many of `test` lie less than `seq_len` start positions from some element of `train`.
    """
    train = np.sort(np.asarray(train))
    test = np.asarray(test)
    if len(train) == 0 or len(test) == 0:
        return 0
    right = np.clip(np.searchsorted(train, test), 0, len(train) - 1)
    left = np.clip(right - 1, 0, len(train) - 1)
    nearest = np.minimum(np.abs(train[right] - test), np.abs(train[left] - test))
    return int(np.count_nonzero(nearest < seq_len))
