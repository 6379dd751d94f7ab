"""The training-balance options on the command line, and the same-budget CAS reference."""

import json

from tests.images.test_cli import TINY, call, one_line_error, tiny_classifier  # noqa: F401 (fixture)
from timegan.cli import evaluate_images, train_images


def test_projection_with_sn_hinge_and_conditional_batchnorm(tmp_path, idx_dir, tiny_classifier, capsys, seed):  # noqa: F811
    run = tmp_path / "sn"
    argv = ["--dataset", "mnist", "--data-dir", str(idx_dir), "--output-dir", str(run), "--epochs", "1"]
    argv += ["--model", "dcgan", "--filters", "4", "--conditional", "--loss", "hinge", "--spectral-norm"]
    argv += ["--conditional-batchnorm", "--dropout", "0", *TINY]
    assert call(train_images.main, argv) == 0
    gan = json.loads((run / "config.json").read_text())["gan"]
    assert (gan["loss"], gan["spectral_norm"], gan["conditional_batchnorm"]) == ("hinge", True, True)
    assert (gan["beta_1"], gan["beta_2"], gan["conditioning"], gan["dropout"]) == (0.0, 0.9, "projection", 0.0)
    evaluate = ["--run", str(run), "--classifier", str(tiny_classifier), "--num-samples", "100", "--cas"]
    evaluate += ["--cas-samples", "100", "--cas-epochs", "1", "--cas-reference"]
    capsys.readouterr()
    assert call(evaluate_images.main, evaluate) == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert 0 <= metrics["cas_real_same_budget"] <= 1 and metrics["cas_samples"] == 100
    assert "CAS reference" in capsys.readouterr().out
    code = call(evaluate_images.main, ["--run", str(run), "--cas-reference"])
    one_line_error(capsys, code, "--cas-reference only applies with --cas")


def test_label_smoothing_with_hinge_is_one_line(tmp_path, capsys):
    argv = ["--dataset", "mnist", "--output-dir", str(tmp_path / "o"), "--loss", "hinge", "--label-smoothing", "0.1"]
    one_line_error(capsys, call(train_images.main, argv), "Received: label_smoothing=0.1 with loss='hinge'")
