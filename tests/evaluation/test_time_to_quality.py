"""`scripts/benchmark_time_to_quality.py`: the first snapshot below the threshold and its training
time, read from a work directory as training leaves it (no training here), and bad input."""

import json

import pytest
from _scripts import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("benchmark_time_to_quality")


def scored_work_dir(root, seed, scores):
    """A seed's directory after training and scoring: the clock per snapshot and the cached scores."""
    directory = root / f"seed{seed}"
    directory.mkdir(parents=True)
    clock = {str(step): {"train_seconds": 10.0 * step, "train_cpu_seconds": 4.0 * step} for step in scores}
    (directory / "clock.json").write_text(json.dumps(clock))
    (directory / "scores.json").write_text(json.dumps({str(s): {"discriminative": d} for s, d in scores.items()}))


def test_reports_the_first_step_below_the_threshold_with_its_training_time(script, tmp_path, capsys):
    # 0.14 at step 500 comes before the lower 0.12 at 750: the first crossing counts, not the best.
    scored_work_dir(tmp_path, 0, {250: 0.31, 500: 0.14, 750: 0.12, 1000: 0.16})
    scored_work_dir(tmp_path, 1, {250: 0.4, 500: 0.2})
    output = tmp_path / "results.jsonl"
    code = script.main(["--seeds", "0", "1", "--work-dir", str(tmp_path), "--output", str(output)])
    assert code == 0
    first, second = (json.loads(line) for line in output.read_text().splitlines())
    assert (first["joint_step_reached"], first["train_seconds"], first["train_cpu_seconds"]) == (500, 5000.0, 2000.0)
    assert first["best_discriminative"] == 0.12
    assert second["joint_step_reached"] is None and second["train_seconds"] is None
    out = capsys.readouterr().out
    assert "seed 0: below 0.15 at joint step 500, after 5000 s of training (2000 CPU-s)" in out
    assert "seed 1: discriminative never below 0.15 up to joint step 500" in out


@pytest.mark.parametrize("threshold", ["0", "0.5", "-1"])
def test_a_threshold_outside_the_scores_range_is_one_line_and_exit_2(script, tmp_path, capsys, threshold):
    code = script.main(["--threshold", threshold, "--work-dir", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"Expected --threshold in (0, 0.5). Received: {float(threshold)}" in err[0]
