"""The rows of scripts/run_image_experiments.py are valid train_images.py arguments.

A row with a misspelt option or a bad combination would otherwise fail only when its turn comes,
possibly hours into a grid.
"""

import importlib.util
from pathlib import Path

import pytest

from timegan.cli.train_images import build_parser, configs_from_args

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run_image_experiments.py"


def load_rows():
    spec = importlib.util.spec_from_file_location("run_image_experiments", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = [("mnist", name, argv) for name, argv in module.EXPERIMENTS.items()]
    return rows + [("stacked-mnist", name, argv) for name, argv in module.STACKED_EXPERIMENTS.items()]


def configs(dataset, argv, tmp_path):
    common = ["--dataset", dataset, "--data-dir", str(tmp_path), "--output-dir", str(tmp_path / "run")]
    return configs_from_args(build_parser().parse_args(common + list(argv) + ["--seed", "0"]))


ROWS = load_rows()


@pytest.mark.parametrize("dataset,name,argv", ROWS, ids=[f"{dataset}-{name}" for dataset, name, _ in ROWS])
def test_every_row_builds_its_configs(dataset, name, argv, tmp_path):
    gan_config, train_config = configs(dataset, argv, tmp_path)
    assert train_config.dataset == dataset
    assert gan_config.channels == (3 if dataset == "stacked-mnist" else 1)


def test_stacked_row_with_average_and_mode_seeking(tmp_path):
    rows = {name: (dataset, argv) for dataset, name, argv in ROWS}
    dataset, argv = rows["dcgan-mbd-ema-ms-20ep"]
    gan_config, train_config = configs(dataset, argv, tmp_path)
    assert gan_config.minibatch_discrimination
    assert gan_config.ema_decay == 0.999
    assert gan_config.mode_seeking_weight == 0.25
    assert (train_config.epochs, train_config.batch_size) == (20, 48)
    # the same networks and budget as the row it extends, only the two remedies added
    base, _ = configs(*rows["dcgan-mbd-20ep"], tmp_path)
    assert base.to_dict() | {"ema_decay": 0.999, "mode_seeking_weight": 0.25} == gan_config.to_dict()


def test_stacked_row_with_spectral_norm_and_hinge_loss(tmp_path):
    rows = {name: (dataset, argv) for dataset, name, argv in ROWS}
    dataset, argv = rows["dcgan-mbd-sn-hinge-40ep"]
    gan_config, train_config = configs(dataset, argv, tmp_path)
    assert (train_config.epochs, train_config.batch_size) == (40, 48)
    assert "--epoch-scores" in argv
    # the networks of dcgan-mbd-20ep; only the discriminator's training changes
    base, _ = configs(*rows["dcgan-mbd-20ep"], tmp_path)
    changed = {"loss": "hinge", "spectral_norm": True, "dropout": 0.0, "beta_1": 0.0, "beta_2": 0.9}
    assert base.to_dict() | changed == gan_config.to_dict()


def test_stacked_20_epoch_rows_of_the_issue_table(tmp_path):
    # issue 14's Stacked MNIST table at the 20-epoch budget: each row changes one thing of dcgan-20ep
    rows = {name: (dataset, argv) for dataset, name, argv in ROWS}
    base, base_train = configs(*rows["dcgan-20ep"], tmp_path)
    expected = {
        "pacdcgan3-20ep": {"packing": 3},
        "dcgan-noise-20ep": {"noise_layer": True},
        "dcgan-mbd-20ep": {"minibatch_discrimination": True},
        "dcgan-mbd-f64-20ep": {"minibatch_discrimination": True, "filters": 64},
    }
    for name, changed in expected.items():
        gan_config, train_config = configs(*rows[name], tmp_path)
        assert base.to_dict() | changed == gan_config.to_dict(), name
        assert (train_config.epochs, train_config.batch_size) == (20, 48)
    gan_config, train_config = configs(*rows["dcgan-wgan-gp-20ep"], tmp_path)
    assert (gan_config.loss, gan_config.discriminator_steps, gan_config.gp_weight) == ("wgan-gp", 5, 10.0)
    assert (train_config.epochs, train_config.batch_size) == (20, 48)
