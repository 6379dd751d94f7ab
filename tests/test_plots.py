"""Training pictures draw on the Axes they are given, or on a new Figure, and never touch pyplot."""

import matplotlib
import matplotlib.figure
import numpy as np
import pandas as pd
import pytest

from timegan.plots import plot_losses, plot_real_vs_synthetic

NAMES = [("AAA", "Adj Close"), ("AAA", "Volume"), ("BBB", "Adj Close")]


@pytest.fixture
def windows():
    rng = np.random.default_rng(0)
    return rng.uniform(1, 2, size=(20, 6, 3)), rng.uniform(3, 4, size=(10, 6, 3))


def open_pyplot_figures():
    import matplotlib.pyplot as plt

    return plt.get_fignums()


def test_real_vs_synthetic_of_one_ticker(windows):
    real, synthetic = windows
    before = open_pyplot_figures()
    figure = plot_real_vs_synthetic(real, synthetic, NAMES, "AAA", n_windows=4, seed=1)
    assert isinstance(figure, matplotlib.figure.Figure) and open_pyplot_figures() == before
    axes = np.array(figure.axes).reshape(2, 2)
    assert [ax.get_title() for ax in axes[0]] == ["AAA Adj Close: 4 real windows", "AAA Adj Close: 4 synthetic windows"]
    assert axes[1, 0].get_ylabel() == "Volume"
    # The lines are the windows picked by the seed, in original units.
    rng = np.random.default_rng(1)
    picked = rng.choice(20, size=4, replace=False)
    np.testing.assert_array_equal([line.get_ydata() for line in axes[0, 0].get_lines()], real[picked, :, 0])
    assert all(line.get_ydata().min() >= 3 for line in axes[1, 1].get_lines())  # synthetic panel


def test_real_vs_synthetic_on_given_axes(windows):
    real, synthetic = windows
    figure = matplotlib.figure.Figure()
    axes = figure.subplots(2, 2)
    assert plot_real_vs_synthetic(real, synthetic, ["a", "b", "c"], features=[2, 0], ax=axes) is figure
    assert axes[0, 0].get_title() == "c: 5 real windows" and axes[1, 1].get_title() == "a: 5 synthetic windows"
    with pytest.raises(ValueError, match=r"Expected `ax` to hold 6 Axes \(3 x 2\). Received: 4 Axes"):
        plot_real_vs_synthetic(real, synthetic, ax=axes)
    with pytest.raises(ValueError, match=r"Expected `ticker` to be one of \['AAA', 'BBB'\]. Received: ticker='CCC'"):
        plot_real_vs_synthetic(real, synthetic, NAMES, "CCC")
    with pytest.raises(ValueError, match="Expected `ticker` or `features`, not both"):
        plot_real_vs_synthetic(real, synthetic, NAMES, "AAA", features=[0])


def test_losses_one_panel_per_phase():
    history = pd.DataFrame(
        {
            "phase": ["embedding"] * 3 + ["joint"] * 2,
            "step": [1, 2, 3, 1, 2],
            "recon": [0.3, 0.2, 0.1, np.nan, np.nan],
            "d_loss": [np.nan, np.nan, np.nan, 1.0, 0.9],
        }
    )
    before = open_pyplot_figures()
    figure = plot_losses(history)
    assert open_pyplot_figures() == before
    assert [ax.get_title() for ax in figure.axes] == ["embedding phase", "joint phase"]
    # Each panel shows only the losses of its phase.
    assert [[line.get_label() for line in ax.get_lines()] for ax in figure.axes] == [["recon"], ["d_loss"]]
    np.testing.assert_allclose(figure.axes[0].get_lines()[0].get_ydata(), [0.3, 0.2, 0.1])
    own = matplotlib.figure.Figure()
    axes = own.subplots(1, 2)
    assert plot_losses(history, ax=axes) is own and axes[1].get_title() == "joint phase"
