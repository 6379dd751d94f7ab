"""The report holds the metrics as computed by the metric functions, in one self-contained page."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from evaluation.discriminative import discriminative_score
from evaluation.report import evaluate_arrays

NAMES = [("AAA", "Adj Close"), ("AAA", "Volume")]
FAST = {"discriminative_iterations": 5, "predictive_iterations": 5, "max_samples": 30, "progress": False}


def price_windows(n, seed):
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, size=(n, 8)), axis=1))
    volume = rng.uniform(1e5, 1e6, size=(n, 8))
    return np.stack([close, volume], axis=-1)


def strict_json(text):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_report_files_numbers_and_page(tmp_path):
    real, synthetic = price_windows(40, 0), price_windows(36, 1)
    out = tmp_path / "report"
    out.mkdir()
    (out / "predictive_all.png").write_bytes(b"stale")  # from an earlier report
    (out / "notes.txt").write_text("mine")
    losses = pd.DataFrame({"phase": ["embedding"] * 3, "step": [1, 2, 3], "recon": [0.3, 0.2, 0.1]})
    long_real, long_synthetic = price_windows(1, 2)[:, :6], price_windows(3, 3)
    metrics = evaluate_arrays(real, synthetic, out, NAMES, losses=losses, info={"tickers": ["AAA"]},
                              long_real=long_real, long_synthetic=long_synthetic, all_features=False, **FAST)

    pngs = ["samples.png", "losses.png", "pca.png", "tsne.png", "roc.png", "predictive_last.png",
            "acf.png", "returns.png", "acf_long.png"]
    assert metrics["files"] == ["report.html", "metrics.json", *pngs]
    assert sorted(p.name for p in out.iterdir()) == sorted([*metrics["files"], "notes.txt"])
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert strict_json((out / "metrics.json").read_text()) == strict_json(json.dumps(metrics))

    # The numbers are those of the metric functions with the same settings.
    direct = discriminative_score(real, synthetic, iterations=5, seed=0)
    assert metrics["discriminative"]["score"] == direct.score
    assert metrics["discriminative"]["baseline"]["n_test"] == [4, 4]  # two halves of 20 real windows
    pred = metrics["predictive_last"]
    assert pred["params"]["target"] == "last" and pred["baseline_mae"] > 0
    # Stylized facts use the price only (not the volume), in original units.
    assert metrics["stylized_facts"]["features"] == ["AAA Adj Close"]
    assert metrics["stylized_facts"]["real"]["n_returns"] == 40 * 7
    assert metrics["data"]["features"][0]["real_max"] == real[..., 0].max()
    long = metrics["stylized_facts_long"]
    assert long["real_shape"] == [1, 6, 2] and long["synthetic_shape"] == [3, 8, 2]
    assert long["real"]["lags"] == [1, 2, 3, 4]  # up to the shorter length - 2
    assert long["real"]["n_returns"] == 5 and long["synthetic"]["n_returns"] == 21

    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(pngs)
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)  # nothing outside the page
    assert f"{metrics['discriminative']['score']:.4f}" in page
    assert f"{pred['baseline_mae']:.4f}" in page
    assert "Training losses" in page and "AAA Adj Close" in page


def test_bad_input_writes_nothing(tmp_path):
    real = price_windows(20, 0)
    out = tmp_path / "report"
    with pytest.raises(ValueError, match="Expected `repeats` to be a positive integer. Received: repeats=0"):
        evaluate_arrays(real, real, out, repeats=0)
    with pytest.raises(ValueError, match=r"Expected one name per feature \(2\). Received: 1 feature_names"):
        evaluate_arrays(real, real, out, feature_names=["a"])
    with pytest.raises(ValueError, match=r"Received: synthetic.shape=\(20, 8, 1\)"):
        evaluate_arrays(real, real[..., :1], out)
    with pytest.raises(ValueError, match="Expected `max_lag` to be at most seq_len - 2 = 6. Received: max_lag=7"):
        evaluate_arrays(real, real, out, max_lag=7)
    with pytest.raises(ValueError, match="Expected both `long_real` and `long_synthetic`, or neither"):
        evaluate_arrays(real, real, out, long_real=real)
    with pytest.raises(ValueError, match=r"Expected `long_synthetic` to have 2 features like `real`. Received: long_synthetic.shape=\(1, 30, 1\)"):
        evaluate_arrays(real, real, out, long_real=real, long_synthetic=np.ones((1, 30, 1)))
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="Expected `output_dir` to be a directory"):
        evaluate_arrays(real, real, tmp_path / "file")
    assert not out.exists()


def test_non_positive_synthetic_prices_are_reported_not_fatal(tmp_path):
    real = price_windows(12, 0)[..., :1]
    synthetic = real - 60.0  # negative "prices"
    metrics = evaluate_arrays(real, synthetic, tmp_path, ["close"], tsne=False, **FAST)
    assert "stylized_facts" not in metrics
    assert any("leave out close: non-positive prices (min(synthetic)=" in n for n in metrics["notes"])
    # One feature: only the all-features predictive variant applies.
    assert "predictive_last" not in metrics and "predictive_all" in metrics
    assert not (tmp_path / "tsne.png").exists()
