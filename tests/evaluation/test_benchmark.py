"""The benchmark table puts this run's numbers beside the paper's."""

from evaluation.benchmark import PAPER_RESULTS, format_table


def results(disc=0.2, pred=0.04, orig=0.036):
    return {
        "discriminative": {"mean": disc, "std": 0.01},
        "predictive": {"mean": pred, "std": 0.002},
        "original": {"mean": orig, "std": 0.001},
        "n_windows": 3662,
        "seq_len": 24,
        "n_features": 6,
        "repeats": 5,
        "steps": {"embedding": 100, "supervised": 200, "joint": 300},
        "train_seconds": 600.0,
        "metrics_seconds": 120.0,
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


def test_script_bad_inputs_give_one_line_and_exit_2(tmp_path, capsys):
    from _scripts import load_script

    script = load_script("benchmark")
    (tmp_path / "short.csv").write_text("a,b\n1,2\n2,3\n")
    cases = [
        ([], "Expected exactly one of --dataset or --csv"),
        (["--dataset", "stocks", "--csv", "x.csv"], "Expected exactly one of --dataset or --csv"),
        (["--csv", str(tmp_path / "missing.csv")], "missing.csv"),
        (["--csv", str(tmp_path / "short.csv")], "Expected at least seq_len=24 rows"),
        (["--dataset", "stocks", "--steps", "1", "2"], "Expected --steps with 1 or 3 values"),
        (["--dataset", "sines", "--seq-len", "1"], "Expected `seq_len` to be an integer >= 2. Received: seq_len=1"),
        (["--dataset", "sines", "--seed", "-2"], "Expected --seed >= 0"),
        (["--dataset", "energy"], "invalid choice: 'energy'"),
        (["--dataset", "sines", "--repeats", "0"], "expected a positive integer, received '0'"),
        (["--dataset", "sines", "--checkpoint-dir", str(tmp_path / "short.csv")], "short.csv' is a file"),
        (["--dataset", "sines", "--checkpoint-every", "0"], "expected a positive integer, received '0'"),
    ]
    for argv, message in cases:
        try:
            code = script.main(argv)
        except SystemExit as exit:  # argparse's own errors
            code = exit.code
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("benchmark: error: ") and err.count("\n") == 1, (argv, err)
        assert message in err, (argv, err)


def test_a_checkpointed_benchmark_resumes_where_it_stopped(tmp_path, monkeypatch):
    import json

    import numpy as np
    import pytest

    import evaluation.benchmark
    from evaluation.benchmark import run_benchmark
    from timegan import TimeGAN, TimeGANConfig

    # The benchmark keeps the paper's random split, so its numbers compare with the paper's.
    splits = []
    for name in ("discriminative_score", "predictive_score"):
        metric = getattr(evaluation.benchmark, name)
        monkeypatch.setattr(
            evaluation.benchmark,
            name,
            lambda *a, _metric=metric, **k: splits.append(k.get("split")) or _metric(*a, **k),
        )

    real = np.random.default_rng(0).uniform(size=(32, 6, 2))
    config = TimeGANConfig(seq_len=6, hidden_dim=4, num_layers=1, batch_size=8)
    kwargs = dict(
        repeats=1,
        config=config,
        discriminative_iterations=2,
        predictive_iterations=2,
        progress=False,
        checkpoint_dir=tmp_path,
        checkpoint_every=2,
    )
    first = run_benchmark(real, steps=(2, 2, 1), **kwargs)
    assert TimeGAN.load(tmp_path / "model").steps_done == {"embedding": 2, "supervised": 2, "joint": 1}
    clock = json.loads((tmp_path / "progress.json").read_text())["train_seconds"]
    assert 0 < clock <= first["train_seconds"]
    assert splits == ["random", "random"]

    second = run_benchmark(real, steps=(2, 2, 3), **kwargs)
    assert second["steps"] == {"embedding": 2, "supervised": 2, "joint": 3}
    losses = TimeGAN.load(tmp_path / "model").losses()
    assert list(losses.loc[losses.phase == "joint", "step"]) == [1, 2, 3]  # continued, not restarted
    assert second["train_seconds"] > clock

    with pytest.raises(ValueError, match=r"another config: hidden_dim=4 \(asked: 5\)"):
        run_benchmark(
            real,
            steps=3,
            **{**kwargs, "config": TimeGANConfig(seq_len=6, hidden_dim=5, num_layers=1, batch_size=8)},
        )
    with pytest.raises(ValueError, match=r"trained on 32 windows of 2 features. Received: 31 windows"):
        run_benchmark(real[:31], steps=3, **kwargs)
