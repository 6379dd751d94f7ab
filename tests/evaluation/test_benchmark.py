"""The benchmark table puts this run's numbers beside the paper's."""

from evaluation.benchmark import PAPER_RESULTS, format_table


def results(disc=0.2, pred=0.04, orig=0.036):
    return {
        "discriminative": {"mean": disc, "std": 0.01},
        "predictive": {"mean": pred, "std": 0.002},
        "original": {"mean": orig, "std": 0.001},
        "n_windows": 3662, "seq_len": 24, "n_features": 6, "repeats": 5,
        "steps": {"embedding": 100, "supervised": 200, "joint": 300},
        "train_seconds": 600.0, "metrics_seconds": 120.0,
    }


def test_table_with_paper_numbers():
    table = format_table(results(), "stocks")
    assert "| Discriminative score (lower is better) | 0.200 +- 0.010 | 0.102 +- 0.021 |" in table
    assert "| Predictive score, TimeGAN data (MAE) | 0.040 +- 0.002 | 0.038 +- 0.001 |" in table
    assert "| Predictive score, original data (MAE) | 0.036 +- 0.001 | 0.036 +- 0.001 |" in table
    assert "(100, 200, 300) (the paper: 50000 each)" in table
    assert "training 10.0 min, metrics 2.0 min" in table
    assert PAPER_RESULTS["sines"]["predictive"] == (0.093, 0.019)


def test_table_without_paper_numbers():
    table = format_table(results(), None)
    assert table.splitlines()[0] == "| Metric | This run |"
    assert "Paper" not in table
