"""The discriminative score is honest: ~0 for two samples of the same data, ~0.5 for obvious fakes."""

import numpy as np
import pytest

from evaluation.discriminative import discriminative_score, plot_roc

FAST = {"iterations": 200, "learning_rate": 0.01, "batch_size": 64}


def test_real_vs_real_is_near_zero(sines):
    real, other = sines
    result = discriminative_score(real, other, seed=0, **FAST)
    assert result.score < 0.1
    assert abs(result.auc - 0.5) < 0.1
    assert result.n_train == (320, 320) and result.n_test == (80, 80)


@pytest.mark.parametrize("fake", ["uniform noise", "constant"])
def test_real_vs_obvious_fake_is_near_half(sines, fake):
    real = sines[0]
    synthetic = (
        np.random.default_rng(0).uniform(size=real.shape) if fake == "uniform noise" else np.full(real.shape, 0.5)
    )
    result = discriminative_score(real, synthetic, cell="gru", seed=0, **FAST)
    assert result.score > 0.4
    assert result.accuracy == pytest.approx(0.5 + result.score)
    assert result.auc > 0.95


def test_repeats_seeds_and_roc_plot(sines):
    real, other = sines
    first = discriminative_score(real[:100], other[:100], repeats=2, iterations=20, seed=3)
    # Repeat i uses seed + i: the second repeat is reproduced on its own.
    again = discriminative_score(real[:100], other[:100], iterations=20, seed=4)
    assert len(first.scores) == 2 and first.scores[1] == again.scores[0]
    assert first.aucs[1] == again.aucs[0]
    assert first.score == pytest.approx(np.mean(first.scores))
    assert first.score_std == pytest.approx(np.std(first.scores))
    figure = plot_roc(first, baseline=again)
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert any("real vs synthetic" in t for t in labels) and any("baseline" in t for t in labels)
    assert first.to_dict()["params"]["cell"] == "lstm"


def test_unequal_sizes_are_balanced(sines):
    """With 400 real and 40 synthetic windows, calling everything real must not score 0.45."""
    real, other = sines
    result = discriminative_score(real, other[:40], iterations=20, seed=0)
    assert result.n_train == (32, 32) and result.n_test == (8, 8)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"iterations": 0}, "Expected `iterations` to be a positive integer. Received: iterations=0"),
        ({"cell": "rnn"}, "Expected `cell` to be one of 'gru', 'lstm'. Received: cell='rnn'"),
        ({"train_fraction": 1.0}, "Expected `train_fraction` to be a number in (0, 1). Received: train_fraction=1.0"),
        ({"seed": -1}, "Expected `seed` to be an integer in [0, 4294967295]. Received: seed=-1"),
    ],
)
def test_bad_parameters(sines, kwargs, message):
    with pytest.raises(ValueError) as error:
        discriminative_score(*sines, **kwargs)
    assert str(error.value) == message


def test_bad_shapes(sines):
    real = sines[0]
    with pytest.raises(ValueError, match=r"Received: real.shape=\(400, 12\)"):
        discriminative_score(real[..., 0], real)
    with pytest.raises(ValueError, match=r"same \(seq_len, n_features\) as `real`, \(12, 3\). Received: synthetic.shape=\(400, 12, 2\)"):
        discriminative_score(real, real[..., :2])
    with pytest.raises(ValueError, match="train and a test part"):
        discriminative_score(real[:1], real[:1])
    with pytest.raises(ValueError, match="finite"):
        discriminative_score(real, np.full(real.shape, np.nan))
