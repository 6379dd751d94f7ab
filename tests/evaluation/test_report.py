"""The report holds the metrics as computed by the metric functions, in one self-contained page."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from evaluation.discriminative import discriminative_score
from evaluation.finance import start_transient
from evaluation.predictive import predictive_score
from evaluation.render import render_html
from evaluation.report import compute_report, evaluate_arrays

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
    metrics = evaluate_arrays(
        real,
        synthetic,
        out,
        NAMES,
        losses=losses,
        info={"tickers": ["AAA"]},
        long_real=long_real,
        long_synthetic=long_synthetic,
        all_features=False,
        **FAST,
    )

    pngs = [
        "samples.png",
        "losses.png",
        "pca.png",
        "tsne.png",
        "roc.png",
        "predictive_last.png",
        "returns.png",
        "acf.png",
        "acf_long.png",
        "start_transient.png",
    ]
    assert metrics["files"] == ["report.html", "metrics.json", *pngs]
    # The start of path: the same function on the same windows, per set.
    assert set(metrics["start_transient"]) == {"real windows", "synthetic windows", "synthetic long paths"}
    direct_transient = start_transient(synthetic[..., :1]).to_dict()  # the price feature only
    assert metrics["start_transient"]["synthetic windows"]["ratio_abs"] == pytest.approx(direct_transient["ratio_abs"])
    assert sorted(p.name for p in out.iterdir()) == sorted([*metrics["files"], "notes.txt"])
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert strict_json((out / "metrics.json").read_text()) == strict_json(json.dumps(metrics))

    # The numbers are those of the metric functions with the same settings, on the blocked split.
    assert metrics["split"]["kind"] == "blocked" and metrics["split"]["gap"] == 8
    direct = discriminative_score(real, synthetic, iterations=5, split="blocked", gap=8, seed=0)
    assert metrics["discriminative"]["score"] == direct.score
    assert metrics["discriminative"]["params"]["split"] == "blocked"
    # Real vs real: alternate chunks of 8 windows, 16 per half (time order kept), blocked too.
    halves = real[[*range(8), *range(16, 24)]], real[[*range(8, 16), *range(24, 32)]]
    baseline = discriminative_score(*halves, iterations=5, split="blocked", gap=8, seed=0)
    assert metrics["discriminative"]["baseline"]["n_test"] == [4, 4] and baseline.n_test == (4, 4)
    assert metrics["discriminative"]["baseline"]["score"] == baseline.score
    pred = metrics["predictive_last"]
    assert pred["params"]["target"] == "last" and pred["params"]["split"] == "blocked" and pred["baseline_mae"] > 0
    assert pred["n_test"] == 8 and pred["n_baseline_train"] <= 40 - 8 - 8
    assert pred["mae"] == predictive_score(real, synthetic, iterations=5, split="blocked", seed=0).mae
    assert metrics["diversity"]["reductions"] == ["flatten"]
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
    assert "Split: blocked (gap 8 windows)." in page and "embedded whole (8 steps × 2 features)" in page


def test_compute_then_render(tmp_path):
    """compute_report writes nothing; render_html makes the page from its dict alone, escaping every value."""
    real, synthetic = price_windows(60, 0), price_windows(60, 1)
    names = ["<script>alert(1)</script>", "b & c"]
    report = compute_report(
        real,
        synthetic,
        names,
        split="random",
        diversity="both",
        info={"source": "<b>x</b>"},
        tsne=False,
        all_features=False,
        **FAST,
    )
    assert list(tmp_path.iterdir()) == []
    metrics = report.metrics
    assert metrics["split"]["kind"] == "random" and metrics["split"]["gap"] is None
    assert metrics["discriminative"]["params"]["split"] == "random"
    assert metrics["discriminative"]["baseline"]["n_test"] == [6, 6]  # random halves of 30
    assert metrics["predictive_last"]["n_test"] == 60  # the paper's: tested on all real windows
    assert metrics["diversity"]["reductions"] == ["flatten", "mean"]
    assert set(report.images) >= {"pca.png", "pca_mean.png"}
    # The metrics are JSON as written, and the page is rendered from that JSON alone.
    page = render_html(strict_json(json.dumps(metrics)), report.images, title="T <1>")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "b &amp; c" in page and "&lt;b&gt;x&lt;/b&gt;" in page and "<title>T &lt;1&gt;</title>" in page
    assert "Split: random." in page and "The paper's reduction" in page
    assert page.count("data:image/png;base64,") == len(report.images)


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
    with pytest.raises(ValueError, match="Expected `split` to be one of 'random', 'blocked'. Received: split='kfold'"):
        evaluate_arrays(real, real, out, split="kfold")
    with pytest.raises(
        ValueError, match="Expected `diversity` to be one of 'flatten', 'mean', 'both'. Received: diversity='pca'"
    ):
        evaluate_arrays(real, real, out, diversity="pca")
    with pytest.raises(ValueError, match="Expected both `long_real` and `long_synthetic`, or neither"):
        evaluate_arrays(real, real, out, long_real=real)
    with pytest.raises(
        ValueError,
        match=r"Expected `long_synthetic` to have 2 features like `real`. Received: long_synthetic.shape=\(1, 30, 1\)",
    ):
        evaluate_arrays(real, real, out, long_real=real, long_synthetic=np.ones((1, 30, 1)))
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="Expected `output_dir` to be a directory"):
        evaluate_arrays(real, real, tmp_path / "file")
    assert not out.exists()


def test_non_positive_synthetic_prices_are_reported_not_fatal(tmp_path):
    real = price_windows(12, 0)[..., :1]
    synthetic = real - 60.0  # negative "prices"
    # 12 windows of 8 steps are too few for a blocked split with a gap of 8: the paper's split.
    metrics = evaluate_arrays(real, synthetic, tmp_path, ["close"], tsne=False, split="random", **FAST)
    assert "stylized_facts" not in metrics
    assert any("leave out close: non-positive prices (min(synthetic)=" in n for n in metrics["notes"])
    # One feature: only the all-features predictive variant applies.
    assert "predictive_last" not in metrics and "predictive_all" in metrics
    assert not (tmp_path / "tsne.png").exists()
