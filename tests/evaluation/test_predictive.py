"""The predictive score is honest: a predictor trained on real data beats one trained on noise."""

import numpy as np
import pytest

from evaluation.predictive import plot_predictive_curves, predictive_score, split_inputs_targets

FAST = {"iterations": 300, "learning_rate": 0.01, "batch_size": 64, "eval_every": 100}


@pytest.mark.parametrize("target", ["last", "all"])
def test_trained_on_real_beats_trained_on_noise(sines, target):
    real = sines[0]
    noise = np.random.default_rng(0).uniform(size=real.shape)
    result = predictive_score(real, noise, target=target, split="random", seed=0, **FAST)
    assert result.baseline_mae < 0.6 * result.mae
    # The curves record the test MAE every 100 iterations; the last point is the score.
    assert list(result.curve_iterations) == [100, 200, 300]
    assert result.curves.shape == (1, 3) and result.curves[0, -1] == result.mae
    assert result.baseline_curves[0, -1] == result.baseline_mae


def test_trained_on_the_same_distribution_beats_noise(sines):
    real, other = sines
    on_sines = predictive_score(real, other, baseline=False, seed=0, **FAST)
    assert on_sines.baseline_mae is None and on_sines.baseline_curves is None
    on_noise = predictive_score(real, np.random.default_rng(0).uniform(size=real.shape), baseline=False, seed=0, **FAST)
    assert on_sines.mae < 0.6 * on_noise.mae


def test_baseline_is_scored_on_held_out_windows(spy, day_windows):
    """split="blocked" (default): the real-trained baseline never sees a day of the windows it is scored on."""
    real, synthetic = day_windows(100), day_windows(50) + 0.5
    result = predictive_score(real, synthetic, iterations=4, eval_every=2, normalize=False, repeats=2, seed=0)
    assert result.params["split"] == "blocked" and result.params["gap"] == 6
    assert result.n_test == 20 and 100 - 20 - 2 * 5 <= result.n_baseline_train <= 100 - 20 - 5

    def days(windows):
        return set(np.round(windows.ravel() * 1000).astype(int).tolist())

    # Per repeat: trained on synthetic, then on real; each scored twice (eval_every=2) on the same block.
    for repeat in range(2):
        (tstr_x, _), (baseline_x, baseline_y) = spy["train"][2 * repeat : 2 * repeat + 2]
        test_x = spy["predict"][4 * repeat]
        assert len(tstr_x) == 50 and len(test_x) == 20
        assert all(np.array_equal(test_x, x) for x in spy["predict"][4 * repeat : 4 * repeat + 4])
        test_days = days(test_x) | {max(days(test_x)) + 1}  # the last target day too
        assert not (days(baseline_x) | days(baseline_y)) & test_days
    assert not np.array_equal(spy["predict"][0], spy["predict"][4])  # another block per repeat


def test_random_split_is_the_papers_in_sample_baseline(spy, day_windows):
    real, synthetic = day_windows(100), day_windows(50) + 0.5
    result = predictive_score(real, synthetic, split="random", iterations=2, eval_every=2, normalize=False)
    assert result.params["split"] == "random" and result.n_test == 100 and result.n_baseline_train == 100
    (_, _), (baseline_x, _) = spy["train"]
    np.testing.assert_allclose(baseline_x, real[:, :-1, :-1], rtol=1e-6)
    np.testing.assert_allclose(spy["predict"][-1], real[:, :-1, :-1], rtol=1e-6)


def test_input_target_split_follows_the_reference():
    x = np.arange(2 * 4 * 3).reshape(2, 4, 3)
    inputs, targets = split_inputs_targets(x, "last")
    np.testing.assert_array_equal(inputs, x[:, :-1, :2])
    np.testing.assert_array_equal(targets, x[:, 1:, 2:])
    inputs, targets = split_inputs_targets(x, "all")
    np.testing.assert_array_equal(inputs, x[:, :-1])
    np.testing.assert_array_equal(targets, x[:, 1:])


def test_repeats_and_plot(sines):
    real, other = sines
    result = predictive_score(real[:64], other[:64], repeats=2, iterations=10, eval_every=5, baseline=False, seed=1)
    assert len(result.maes) == 2 and result.baseline_maes == ()
    assert result.mae == pytest.approx(np.mean(result.maes))
    assert result.mae_std == pytest.approx(np.std(result.maes))
    assert result.curves.shape == (2, 2)
    figure = plot_predictive_curves(result)
    assert len(figure.axes[0].get_lines()) == 1
    assert result.to_dict()["maes"] == list(result.maes)


def test_errors(sines):
    real = sines[0]
    with pytest.raises(ValueError, match=r"Expected at least 2 features for target='last'.*Received: n_features=1"):
        predictive_score(real[..., :1], real[..., :1])
    with pytest.raises(ValueError, match="Expected `target` to be one of 'last', 'all'. Received: target='first'"):
        predictive_score(real, real, target="first")
    with pytest.raises(
        ValueError, match="Expected `learning_rate` to be a finite number > 0. Received: learning_rate=0"
    ):
        predictive_score(real, real, learning_rate=0)
    with pytest.raises(ValueError, match="Expected `split` to be one of 'random', 'blocked'. Received: split=None"):
        predictive_score(real, real, split=None)
    with pytest.raises(ValueError, match="Expected `real` to have training windows left beside a test block of 4"):
        predictive_score(real[:20], real)
