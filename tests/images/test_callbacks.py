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
