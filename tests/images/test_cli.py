import csv
import json

import numpy as np
import pytest
from PIL import Image

from timegan.cli import evaluate_images, train_images
from timegan.images.data import load_images

TINY = ["--hidden-units", "8", "--latent-dim", "4", "--batch-size", "16", "--train-size", "64", "--no-progress"]


def call(main, argv):
    """Runs a CLI main in-process; returns its exit code (argparse errors included)."""
    try:
        return main(argv)
    except SystemExit as exit_:  # argparse usage errors
        return exit_.code


def one_line_error(capsys, code, *fragments):
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "Traceback" not in err[0], err
    for fragment in fragments:
        assert fragment in err[0], err[0]
    return err[0]


@pytest.fixture
def tiny_classifier(tmp_path):
    from timegan.images.classifier import build_classifier, save_classifier

    path = tmp_path / "classifier.keras"
    save_classifier(build_classifier(feature_units=8), path)
    return path


def test_train_then_evaluate(tmp_path, idx_dir, tiny_classifier, capsys, seed):
    run = tmp_path / "run"
    code = call(
        train_images.main,
        [
            "--dataset",
            "mnist",
            "--data-dir",
            str(idx_dir),
            "--output-dir",
            str(run),
            "--epochs",
            "2",
            "--loss",
            "wgan",
            "--k",
            "2",
            *TINY,
        ],
    )
    assert code == 0
    assert sorted(p.name for p in run.iterdir()) == [
        "config.json",
        "generator.keras",
        "loss_curve.png",
        "losses.csv",
        "progress.gif",
        "samples",
        "summary.json",
    ]
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["epoch_000.png", "epoch_001.png", "epoch_002.png"]
    with Image.open(run / "progress.gif") as gif:
        assert gif.n_frames == 3
    rows = list(csv.DictReader((run / "losses.csv").open()))
    assert [row["epoch"] for row in rows] == ["1", "2"] and {"d_loss", "g_loss", "seconds"} <= set(rows[0])
    config = json.loads((run / "config.json").read_text())
    assert config["gan"]["loss"] == "wgan" and config["gan"]["discriminator_steps"] == 2
    assert config["gan"]["clip_value"] == 0.01 and config["training"]["train_size"] == 64
    summary = json.loads((run / "summary.json").read_text())
    assert summary["steps_per_epoch"] == 64 // (16 * 2) and summary["epochs"] == 2
    capsys.readouterr()

    code = call(evaluate_images.main, ["--run", str(run), "--classifier", str(tiny_classifier), "--num-samples", "100"])
    assert code == 0
    out = capsys.readouterr().out
    metrics = json.loads((run / "metrics.json").read_text())
    assert f"{metrics['frechet_distance']:.2f}" in out and "classifier score" in out
    assert metrics["num_samples"] == 100 and metrics["real_samples"] == 40
    assert 1.0 <= metrics["classifier_score"] <= 10.0 and sum(metrics["class_histogram"]) == pytest.approx(1.0)
    assert metrics["loss"] == "wgan" and metrics["epochs"] == 2


def test_conditional_grid_has_one_row_per_class(tmp_path, idx_dir, tiny_classifier, capsys, seed):
    run = tmp_path / "cond"
    code = call(
        train_images.main,
        [
            "--dataset",
            "fashion-mnist",
            "--data-dir",
            str(idx_dir),
            "--output-dir",
            str(run),
            "--epochs",
            "1",
            "--conditional",
            "--model",
            "dcgan",
            "--filters",
            "4",
            *TINY,
        ],
    )
    assert code == 0
    grid = np.asarray(Image.open(run / "samples" / "epoch_001.png"))
    assert grid.shape == (2 * (10 * 30 + 2), 2 * (8 * 30 + 2))  # 10 classes x 8 columns, 28 px + 2 padding, x2
    code = call(evaluate_images.main, ["--run", str(run), "--classifier", str(tiny_classifier), "--num-samples", "100"])
    assert code == 0
    assert 0.0 <= json.loads((run / "metrics.json").read_text())["label_accuracy"] <= 1.0


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--dataset", "cifar10"], ["invalid choice: 'cifar10'", "'mnist', 'fashion-mnist'"]),
        (["--dataset", "mnist", "--model", "resnet"], ["invalid choice: 'resnet'", "'mlp', 'dcgan'"]),
        (["--dataset", "mnist", "--loss", "lsgan"], ["'minimax', 'non-saturating', 'hinge', 'wgan', 'wgan-gp'"]),
        (
            ["--dataset", "mnist", "--optimizer", "lion"],
            ["'sgd', 'momentum', 'adagrad', 'rmsprop', 'adadelta', 'adam'"],
        ),
        (["--dataset", "mnist", "--epochs", "0"], ["expected a positive integer, received '0'"]),
        (["--dataset", "mnist", "--loss", "wgan", "--gp-weight", "5"], ["`gp_weight` only applies to loss='wgan-gp'"]),
        (["--dataset", "mnist", "--loss", "non-saturating", "--clip-value", "0.1"], ["`clip_value` only applies"]),
        (
            ["--dataset", "mnist", "--loss", "wgan-gp", "--minibatch-discrimination"],
            ["incompatible with loss='wgan-gp'"],
        ),
        (["--dataset", "mnist", "--optimizer", "adam", "--momentum", "0.5"], ["only applies to optimizer='momentum'"]),
        (["--dataset", "mnist", "--lr", "0.1", "--generator-lr", "0.2"], ["either --lr or"]),
        (
            ["--dataset", "mnist", "--packing", "0"],
            ["Expected `packing` to be a positive integer. Received: packing=0"],
        ),
        (
            ["--dataset", "mnist", "--packing", "3"],
            ["`batch_size` to be a multiple of packing=3. Received: batch_size=64"],
        ),
        (["--dataset", "mnist", "--conditioning", "acgan"], ["`conditioning` only applies to conditional=True"]),
        (
            ["--dataset", "stacked-mnist", "--conditional"],
            ["conditional=True needs a dataset with class labels", "'stacked-mnist' has none"],
        ),
    ],
)
def test_bad_arguments_are_one_line(tmp_path, capsys, argv, fragments):
    out = tmp_path / "out"
    code = call(train_images.main, [*argv, "--output-dir", str(out), "--data-dir", str(tmp_path)])
    one_line_error(capsys, code, *fragments)
    assert not out.exists()


def test_missing_idx_files_are_named(tmp_path, idx_dir, capsys):
    (idx_dir / "train-labels-idx1-ubyte.gz").unlink()
    code = call(
        train_images.main, ["--dataset", "mnist", "--data-dir", str(idx_dir), "--output-dir", str(tmp_path / "o")]
    )
    one_line_error(capsys, code, "['train-labels-idx1-ubyte.gz']")
    assert not (tmp_path / "o").exists()


def test_corrupt_idx_is_one_line(tmp_path, idx_dir, digits28, idx_writer, capsys):
    idx_writer(idx_dir / "train-images-idx3-ubyte.gz", digits28[0][:200], magic=0x00000801)
    code = call(
        train_images.main, ["--dataset", "mnist", "--data-dir", str(idx_dir), "--output-dir", str(tmp_path / "o")]
    )
    one_line_error(capsys, code, "wrong magic number", "Received: 0x00000801")


def test_existing_output_needs_overwrite(tmp_path, idx_dir, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    code = call(train_images.main, ["--dataset", "mnist", "--data-dir", str(idx_dir), "--output-dir", str(out)])
    one_line_error(capsys, code, "already exists", "--overwrite")
    assert (out / "keep.txt").read_text() == "x"


def test_evaluate_bad_run(tmp_path, capsys):
    code = call(evaluate_images.main, ["--run", str(tmp_path)])
    one_line_error(capsys, code, "lacks ['config.json', 'generator.keras', 'summary.json']")
    code = call(evaluate_images.main, ["--run", str(tmp_path / "nope")])
    one_line_error(capsys, code, "does not exist")


def test_stacked_mnist_without_data_dir_is_one_line(tmp_path, capsys):
    code = call(train_images.main, ["--dataset", "stacked-mnist", "--output-dir", str(tmp_path / "o")])
    one_line_error(capsys, code, "Stacked MNIST is built from the MNIST IDX files")
    assert not (tmp_path / "o").exists()


def test_packed_stacked_mnist_run_counts_modes(tmp_path, idx_dir, tiny_classifier, capsys, seed, monkeypatch):
    from timegan.images import data as image_data

    # Fewer stacked images than PacGAN's 60000 / 26000 (tests/images/test_data.py checks those
    # defaults): classifying 3 x 26000 real digits took most of this test's time.
    monkeypatch.setitem(image_data.STACKED_SIZES, "train", 640)
    monkeypatch.setitem(image_data.STACKED_SIZES, "test", 300)
    run = tmp_path / "stacked"
    code = call(
        train_images.main,
        [
            "--dataset",
            "stacked-mnist",
            "--data-dir",
            str(idx_dir),
            "--output-dir",
            str(run),
            "--epochs",
            "1",
            "--model",
            "dcgan",
            "--filters",
            "4",
            "--packing",
            "2",
            *TINY,
        ],
    )
    assert code == 0
    config = json.loads((run / "config.json").read_text())["gan"]
    assert (config["channels"], config["packing"]) == (3, 2)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["cpu_seconds"] > 0 and len(summary["load_average"]) == 3
    assert np.asarray(Image.open(run / "samples" / "epoch_001.png")).shape[-1] == 3  # an RGB grid
    capsys.readouterr()
    code = call(evaluate_images.main, ["--run", str(run), "--classifier", str(tiny_classifier), "--num-samples", "200"])
    assert code == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["num_modes"] == 1000 and 1 <= metrics["modes_covered"] <= 200 and metrics["num_samples"] == 200
    assert metrics["real_samples"] == 300 and metrics["packing"] == 2
    out = capsys.readouterr().out
    assert f"modes covered          {metrics['modes_covered']} / 1000" in out
    kl = " ".join(f"{value:.3f}" for value in metrics["channel_kl_to_uniform"])
    assert f"KL(digits || uniform)  {kl}   (per channel)" in out and len(metrics["channel_histograms"]) == 3


def test_stacked_mnist_epoch_scores_count_modes_per_epoch_and_keep_the_most_even(
    tmp_path, idx_dir, tiny_classifier, capsys, seed, monkeypatch
):
    from timegan.images import data as image_data
    from timegan.images import run as image_run

    monkeypatch.setitem(image_data.STACKED_SIZES, "train", 320)
    monkeypatch.setitem(image_data.STACKED_SIZES, "test", 200)
    monkeypatch.setattr(image_run, "STACKED_EPOCH_SAMPLES", 300)
    run = tmp_path / "stacked"
    argv = ["--dataset", "stacked-mnist", "--data-dir", str(idx_dir), "--output-dir", str(run), "--epochs", "2"]
    code = call(train_images.main, [*argv, "--epoch-scores", "--classifier", str(tiny_classifier), *TINY])
    assert code == 0
    with open(run / "epoch_scores.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["epoch", "generator", "modes_covered", "kl_to_uniform"]
    assert [(row["epoch"], row["generator"]) for row in rows] == [
        ("0", "sampling"),
        ("1", "sampling"),
        ("2", "sampling"),
    ]
    assert all(1 <= int(row["modes_covered"]) <= 300 for row in rows)
    summary = json.loads((run / "summary.json").read_text())
    kl = [float(row["kl_to_uniform"]) for row in rows[1:]]
    assert summary["best_epoch"]["epoch"] == 1 + int(np.argmin(kl))
    assert summary["best_epoch"]["kl_to_uniform"] == pytest.approx(min(kl))
    assert summary["selection"] == "lowest kl_to_uniform of the Stacked MNIST mode histogram"
    with Image.open(run / "epoch_scores.png") as curve:
        assert curve.size[0] > curve.size[1] > 100  # two panels side by side
    capsys.readouterr()
    evaluate = ["--run", str(run), "--classifier", str(tiny_classifier), "--num-samples", "300"]
    assert call(evaluate_images.main, evaluate) == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["generator_epoch"] == metrics["best_epoch"] == summary["best_epoch"]["epoch"]


def test_acgan_run_reports_class_scores_and_cas(tmp_path, idx_dir, tiny_classifier, capsys, seed):
    run = tmp_path / "acgan"
    code = call(
        train_images.main,
        [
            "--dataset",
            "mnist",
            "--data-dir",
            str(idx_dir),
            "--output-dir",
            str(run),
            "--epochs",
            "1",
            "--conditional",
            "--conditioning",
            "acgan",
            *TINY,
        ],
    )
    assert code == 0
    code = call(
        evaluate_images.main,
        [
            "--run",
            str(run),
            "--classifier",
            str(tiny_classifier),
            "--num-samples",
            "100",
            "--cas",
            "--cas-samples",
            "100",
            "--cas-epochs",
            "1",
        ],
    )
    assert code == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["conditioning"] == "acgan" and len(metrics["frechet_per_class"]) == 10
    assert metrics["diversity_ratio"] > 0 and 0 <= metrics["cas"] <= 1 and metrics["cas_samples"] == 100
    # Per-class accuracies of the test set's 10 classes, weighted by their counts, give the score.
    test_labels = load_images("mnist", "test", idx_dir)[1]
    counts = np.bincount(test_labels, minlength=10)
    per_class = np.nan_to_num(np.asarray(metrics["cas_per_class"], float))
    assert len(per_class) == 10 and np.sum(per_class * counts) / counts.sum() == pytest.approx(metrics["cas"], abs=1e-6)
    # The untrained tiny classifier's accuracy on the real test set, computed beside the score.
    assert 0 <= metrics["cas_real"] <= 1
    assert "CAS (train synthetic)" in capsys.readouterr().out
    code = call(evaluate_images.main, ["--run", str(tmp_path / "missing"), "--cas"])
    one_line_error(capsys, code, "does not exist")
