"""Blocked splits leave no day shared between training and test windows; random splits are the paper's."""

import numpy as np
import pytest

from evaluation.splits import shared_days, train_test_indices


def days(starts, seq_len):
    """Every day covered by stride-1 windows starting at `starts`."""
    return set((np.asarray(starts)[:, None] + np.arange(seq_len)).ravel().tolist())


@pytest.mark.parametrize("n, seq_len, fraction", [(50, 5, 0.8), (400, 24, 0.8), (97, 3, 0.5), (1000, 24, 0.9)])
def test_blocked_windows_share_no_day(n, seq_len, fraction):
    for position in [0.0, 1.0, *np.random.default_rng(0).uniform(size=20)]:
        train, test = train_test_indices(n, split="blocked", train_fraction=fraction, gap=seq_len, position=position)
        assert not days(train, seq_len) & days(test, seq_len), position
        assert shared_days(train, test, seq_len) == 0
        assert len(test) == n - int(n * fraction)
        np.testing.assert_array_equal(test, np.arange(test[0], test[0] + len(test)))  # one contiguous block
        # Only the gap is lost: every window at least seq_len away from the block trains.
        outside = [i for i in range(n) if min(abs(i - t) for t in test) >= seq_len]
        np.testing.assert_array_equal(train, outside)


def test_random_split_is_the_papers_permutation_and_leaks():
    train, test = train_test_indices(400, split="random", rng=np.random.default_rng(3))
    order = np.random.default_rng(3).permutation(400)
    np.testing.assert_array_equal(train, order[:320])
    np.testing.assert_array_equal(test, order[320:])
    # The fault the blocked split removes: nearly every random test window overlaps training windows.
    assert shared_days(train, test, 24) == 80


def test_position_places_the_block_and_rng_draws_it():
    _, first = train_test_indices(100, split="blocked", gap=5, position=0.0)
    _, last = train_test_indices(100, split="blocked", gap=5, position=1.0)
    assert first[0] == 0 and last[-1] == 99
    a = train_test_indices(100, split="blocked", gap=5, rng=np.random.default_rng(1))
    b = train_test_indices(100, split="blocked", gap=5, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a[1], b[1])


def test_errors():
    with pytest.raises(ValueError, match="Expected `split` to be one of 'random', 'blocked'. Received: split='time'"):
        train_test_indices(10, split="time", gap=2)
    with pytest.raises(ValueError, match="Expected `gap`"):
        train_test_indices(10, split="blocked")
    with pytest.raises(ValueError, match=r"training windows left beside a test block of 2 windows and a gap of 9"):
        train_test_indices(10, split="blocked", gap=9, position=0.5)
    with pytest.raises(ValueError, match="enough windows for a train and a test part"):
        train_test_indices(1, split="random")
