"""Keeping the best epoch's generator beside the last (`callbacks.EpochScores`, `run.load_run`)."""

import json

import numpy as np
import pytest

from tests.images.test_cli import TINY, call, one_line_error
from timegan.cli import evaluate_images, train_images
from timegan.images.callbacks import selection_key
from timegan.images.config import ImageGANConfig, ImageTrainingConfig
from timegan.images.run import BEST_GENERATOR, load_run, train_run


def conditional(accuracy, diversity):
    return {"frechet_distance": 50.0, "label_accuracy": accuracy, "diversity_ratio": diversity}


def test_an_accurate_epoch_is_chosen_for_its_diversity():
    varied, uniform = conditional(0.975, 0.85), conditional(0.99, 0.60)
    assert selection_key(varied, 0.97) > selection_key(uniform, 0.97)
    # Below the threshold the more varied epoch loses to any epoch that reaches it ...
    assert selection_key(conditional(0.96, 0.95), 0.97) < selection_key(uniform, 0.97)
    # ... and among epochs below it, the more accurate one wins.
    assert selection_key(conditional(0.96, 0.50), 0.97) > selection_key(conditional(0.90, 0.95), 0.97)
    # Without a threshold, diversity alone ranks them.
    assert selection_key(conditional(0.50, 0.95), None) > selection_key(uniform, None)


def test_unconditional_epochs_are_ranked_by_frechet_distance_and_diverged_ones_not_at_all():
    assert selection_key({"frechet_distance": 20.0}, 0.97) > selection_key({"frechet_distance": 30.0}, 0.97)
    assert selection_key(conditional(None, None)) is None
    assert selection_key({"frechet_distance": None}) is None
    assert selection_key({"frechet_distance": float("nan")}) is None


def test_stacked_epochs_are_ranked_by_the_kl_of_their_mode_histogram():
    balanced, skewed = {"modes_covered": 990, "kl_to_uniform": 0.08}, {"modes_covered": 999, "kl_to_uniform": 0.5}
    assert selection_key(balanced) > selection_key(skewed)
    assert selection_key({"modes_covered": None, "kl_to_uniform": None}) is None


@pytest.mark.parametrize(
    ("scripted", "best"),
    [
        # epoch 1 varied and accurate, epoch 2 accurate but one image per class: keep epoch 1.
        ([conditional(0.98, 0.90), conditional(0.99, 0.55)], 1),
        # epoch 1 varied but off-label, epoch 2 reaches the threshold: keep epoch 2.
        ([conditional(0.80, 0.95), conditional(0.975, 0.70)], 2),
    ],
)
def test_the_run_keeps_the_better_of_two_known_epochs(tmp_path, digits28, seed, scripted, best):
    config = ImageGANConfig(hidden_units=(8,), latent_dim=4, dropout=0.0, conditional=True, ema_decay=0.5)
    training = ImageTrainingConfig(dataset="mnist", epochs=2, batch_size=16, train_size=48, sample_grid=2)
    inputs = [np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4), np.array([3, 7], np.int32)]
    outputs, scores, calls = [], iter([conditional(0.1, 0.1), *scripted]), []

    def scorer(generator):
        # Per epoch EpochScores scores the average first, then the generator as trained.
        calls.append(generator)
        if len(calls) % 2:
            outputs.append(generator(inputs).numpy())
            return next(scores)
        return conditional(1.0, 1.0)  # would win if the trained generator were a candidate

    gan, summary = train_run(config, training, *digits28, tmp_path / "run", progress=False, epoch_scorer=scorer)
    assert summary["best_epoch"] == {"epoch": best, **scripted[best - 1]}
    assert "label_accuracy >= 0.97" in summary["selection"]  # MNIST's goal is the default threshold
    _, _, chosen, loaded = load_run(tmp_path / "run")
    assert loaded["generator_epoch"] == best
    np.testing.assert_allclose(chosen(inputs).numpy(), outputs[best], atol=1e-6)
    _, _, last, loaded = load_run(tmp_path / "run", model="last")
    assert loaded["generator_epoch"] == 2
    np.testing.assert_allclose(last(inputs).numpy(), gan.ema_generator(inputs).numpy(), atol=1e-6)
    assert calls[::2] == [gan.ema_generator] * 3 and calls[1::2] == [gan.generator] * 3
    assert not np.allclose(outputs[1], outputs[2])  # the two epochs' generators differ


def test_the_threshold_can_be_set(tmp_path, digits28, seed):
    config = ImageGANConfig(hidden_units=(8,), latent_dim=4, dropout=0.0, conditional=True)
    training = ImageTrainingConfig(dataset="mnist", epochs=2, batch_size=16, train_size=32, sample_grid=2)
    scores = iter([conditional(0.1, 0.1), conditional(0.80, 0.95), conditional(0.975, 0.70)])
    _, summary = train_run(
        config,
        training,
        *digits28,
        tmp_path / "run",
        progress=False,
        epoch_scorer=lambda generator: next(scores),
        min_label_accuracy=0.75,
    )
    assert summary["best_epoch"]["epoch"] == 1


def test_a_run_without_epoch_scores_has_only_the_last_generator(tmp_path, digits28, seed):
    config = ImageGANConfig(hidden_units=(8,), latent_dim=4, dropout=0.0, conditional=True)
    training = ImageTrainingConfig(dataset="mnist", epochs=1, batch_size=16, train_size=32, sample_grid=2)
    _, summary = train_run(config, training, *digits28, tmp_path / "run", progress=False)
    assert summary["best_epoch"] is None and not (tmp_path / "run" / BEST_GENERATOR).exists()
    assert load_run(tmp_path / "run")[3]["generator_epoch"] == 1
    with pytest.raises(ValueError, match="Received: model='first'"):
        load_run(tmp_path / "run", model="first")


def test_cli_scores_the_best_epoch_by_default_and_the_last_on_request(tmp_path, idx_dir, capsys, seed):
    from timegan.images.classifier import build_classifier, save_classifier

    classifier = tmp_path / "classifier.keras"
    save_classifier(build_classifier(feature_units=8), classifier)
    run = tmp_path / "run"
    argv = ["--dataset", "mnist", "--data-dir", str(idx_dir), "--epochs", "2", "--conditional", *TINY]
    scored = [*argv, "--epoch-scores", "--classifier", str(classifier), "--min-label-accuracy", "0"]
    assert call(train_images.main, [*scored, "--output-dir", str(run)]) == 0
    summary = json.loads((run / "summary.json").read_text())
    # With a threshold of 0 every epoch qualifies: the more varied of the two is kept.
    rows = [line.split(",") for line in (run / "epoch_scores.csv").read_text().splitlines()[2:]]
    assert summary["best_epoch"]["epoch"] == 1 + int(np.argmax([float(row[5]) for row in rows]))
    evaluate = ["--run", str(run), "--classifier", str(classifier), "--num-samples", "100"]
    assert call(evaluate_images.main, evaluate) == 0
    assert call(evaluate_images.main, [*evaluate, "--last"]) == 0
    best = json.loads((run / "metrics.json").read_text())
    last = json.loads((run / "metrics_last.json").read_text())
    assert (best["generator_epoch"], last["generator_epoch"]) == (summary["best_epoch"]["epoch"], 2)
    assert best["best_epoch"] == last["best_epoch"] == summary["best_epoch"]["epoch"]
    capsys.readouterr()
    code = call(train_images.main, [*argv, "--output-dir", str(tmp_path / "bad"), "--min-label-accuracy", "0.9"])
    one_line_error(capsys, code, "--min-label-accuracy only applies with --epoch-scores and --conditional")
    code = call(train_images.main, [*scored[:-1], "1.5", "--output-dir", str(tmp_path / "bad")])
    one_line_error(capsys, code, "Received: min_label_accuracy=1.5")
    code = call(evaluate_images.main, [*evaluate, "--last", "--training-generator"])
    one_line_error(capsys, code, "--last and --training-generator exclude each other")
