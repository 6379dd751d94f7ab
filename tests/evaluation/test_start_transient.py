"""`evaluation.finance.start_transient`: the first returns of each path against the rest."""

import numpy as np
import pytest

from evaluation.finance import start_transient


def paths_from_returns(returns):
    return 100 * np.exp(np.concatenate([np.zeros_like(returns[:, :1]), np.cumsum(returns, axis=1)], axis=1))


def test_a_jump_over_the_first_steps_is_found_and_iid_steps_show_none():
    rng = np.random.default_rng(0)
    returns = rng.normal(0, 0.01, (400, 50, 2))
    steady = start_transient(paths_from_returns(returns))
    assert steady.first == 3
    assert steady.ratio_abs == pytest.approx(1, abs=0.05) and steady.ratio_std == pytest.approx(1, abs=0.05)
    returns[:, :3] *= 4
    jumpy = start_transient(paths_from_returns(returns))
    assert jumpy.ratio_abs == pytest.approx(4, rel=0.1) and jumpy.ratio_std == pytest.approx(4, rel=0.1)
    assert len(jumpy.per_step_mean_abs) == 7
    assert min(jumpy.per_step_mean_abs[:3]) > 2 * max(jumpy.per_step_mean_abs[3:])


def test_hand_computed_groups_and_json():
    # One path, one feature: returns 0.2, -0.2, 0.2 then 0.1, -0.1 (std over all: 0.1612).
    prices = np.exp(np.cumsum([0.0, 0.2, -0.2, 0.2, 0.1, -0.1]))[None, :, None]
    result = start_transient(prices)
    assert result.ratio_abs == pytest.approx(2.0)
    assert result.ratio_std == pytest.approx(np.std([0.2, -0.2, 0.2]) / np.std([0.1, -0.1]))
    assert result.to_dict()["per_step_mean_abs"] == pytest.approx(result.per_step_mean_abs)


def test_paths_too_short_for_the_first_group_are_refused():
    with pytest.raises(ValueError, match=r"at least first \+ 2 = 5 prices. Received: 4 prices"):
        start_transient(np.ones((2, 4, 1)))
    with pytest.raises(ValueError, match="positive prices"):
        start_transient(np.zeros((2, 8, 1)))
