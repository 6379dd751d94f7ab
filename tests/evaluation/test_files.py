"""Windows are read back from .npy arrays, run-style tidy CSV files and CSV series."""

import numpy as np
import pandas as pd
import pytest

from evaluation.files import read_windows
from timegan import windows_to_frame


def test_npy_windows_and_series(tmp_path):
    windows = np.random.default_rng(0).uniform(size=(5, 4, 2))
    np.save(tmp_path / "w.npy", windows)
    read, names = read_windows(tmp_path / "w.npy")
    np.testing.assert_array_equal(read, windows)
    assert names == [("x0", "value"), ("x1", "value")]
    np.save(tmp_path / "s.npy", windows[0])
    read, _ = read_windows(tmp_path / "s.npy", seq_len=3)
    np.testing.assert_array_equal(read, np.stack([windows[0, :3], windows[0, 1:]]))
    with pytest.raises(ValueError, match="pass the window length"):
        read_windows(tmp_path / "s.npy")
    np.save(tmp_path / "bad.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"Received: shape=\(3,\)"):
        read_windows(tmp_path / "bad.npy")


def test_tidy_csv_round_trip(tmp_path):
    windows = np.random.default_rng(1).uniform(1, 2, size=(3, 4, 2))
    names = [("AAA", "Adj Close"), ("AAA", "Volume")]
    windows_to_frame(windows, names).to_csv(tmp_path / "synthetic.csv", index=False)
    read, read_names = read_windows(tmp_path / "synthetic.csv")
    np.testing.assert_allclose(read, windows)
    assert read_names == names


def test_csv_series_and_errors(tmp_path):
    pd.DataFrame({"Close": np.arange(1.0, 7.0), "Volume": 5.0}).to_csv(tmp_path / "p.csv", index=False)
    read, names = read_windows(tmp_path / "p.csv", seq_len=5)
    assert read.shape == (2, 5, 2) and names == [("Close", "value"), ("Volume", "value")]
    with pytest.raises(FileNotFoundError, match="No such file"):
        read_windows(tmp_path / "missing.npy")
    (tmp_path / "x.txt").write_text("1")
    with pytest.raises(ValueError, match="Expected a .npy or .csv file"):
        read_windows(tmp_path / "x.txt")
