import numpy as np
import pytest
from PIL import Image

from timegan.images.callbacks import image_grid, save_gif, save_png


def test_image_grid_places_tiles():
    images = np.stack([np.full((3, 3, 1), v) for v in (-1.0, 0.0, 1.0, 0.5)])
    grid = image_grid(images, rows=2, cols=2, padding=1, scale=1)
    assert grid.shape == (2 * 4 + 1, 2 * 4 + 1) and grid.dtype == np.uint8
    assert grid[1, 1] == 0 and grid[1, 5] == 127 and grid[5, 1] == 255 and grid[5, 5] == 191
    assert grid[0, 0] == 255  # padding
    assert image_grid(images, 2, 2, padding=1, scale=2).shape == (18, 18)


def test_image_grid_checks_count():
    with pytest.raises(ValueError, match="Expected 6 images"):
        image_grid(np.zeros((4, 3, 3)), rows=2, cols=3)


def test_gif_holds_every_frame(tmp_path):
    paths = []
    for index in range(3):
        paths.append(tmp_path / f"f{index}.png")
        save_png(np.full((4, 4), index * 100, np.uint8), paths[-1])
    save_gif(paths, tmp_path / "progress.gif")
    with Image.open(tmp_path / "progress.gif") as gif:
        assert gif.n_frames == 3
        gif.seek(2)
        assert np.asarray(gif.convert("L"))[0, 0] == 200


def test_epoch_scores_figure_draws_each_score_per_generator():
    from timegan.images.callbacks import epoch_scores_figure

    rows = [
        {"epoch": epoch, "generator": name, "frechet_distance": fd, "classes_covered": classes}
        for epoch, name, fd, classes in [
            (0, "sampling", 300.0, 1),
            (0, "training", 300.0, 1),
            (1, "sampling", 40.0, 9),
            (1, "training", None, None),  # diverged: a gap, not a zero
            (2, "sampling", 12.5, 10),
            (2, "training", 20.0, 10),
        ]
    ]
    figure = epoch_scores_figure(rows)
    distance, classes = figure.axes
    assert distance.get_title() == "Fréchet distance" and distance.get_yscale() == "log"
    assert classes.get_title() == "classes covered" and classes.get_yscale() == "linear"
    (sampling, training) = distance.get_lines()
    np.testing.assert_array_equal(sampling.get_xdata(), [0, 1, 2])
    np.testing.assert_array_equal(sampling.get_ydata(), [300.0, 40.0, 12.5])
    np.testing.assert_array_equal(training.get_ydata(), [300.0, np.nan, 20.0])
    assert [line.get_label() for line in distance.get_lines()] == ["sampling", "training"]
    # Rows read back from epoch_scores.csv hold strings, an empty one for a missing value.
    text = [{key: "" if value is None else str(value) for key, value in row.items()} for row in rows]
    np.testing.assert_array_equal(epoch_scores_figure(text).axes[0].get_lines()[1].get_ydata(), [300.0, np.nan, 20.0])


def test_epoch_scores_figure_refuses_rows_without_scores():
    from timegan.images.callbacks import epoch_scores_figure

    with pytest.raises(ValueError, match="at least one score"):
        epoch_scores_figure([{"epoch": 0, "generator": "sampling"}])
    with pytest.raises(ValueError, match="Expected 1 axes"):
        epoch_scores_figure([{"epoch": 0, "generator": "sampling", "kl_to_uniform": 1.0}], axes=[None, None])
