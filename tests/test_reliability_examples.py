"""Issue 15's examples that no other test file keeps true (docs/reliability.md lists every example
and the test of each): constants through a trained model, untrusted archives checked before
anything is built, huge requests refused, NumPy scalars, generation on two devices, and the
command-line arguments shared by the commands.
"""

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _scripts import load_script

from timegan import TimeGAN, TimeGANConfig

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- section 1: a constant feature


def test_a_trained_model_generates_a_constant_feature_exactly(caplog):
    """The issue's smallest case: it came back between 5.50 and 5.53. No step is trained: the constant
    is exact whatever the networks output, so untrained networks show it as well as trained ones."""
    rng = np.random.default_rng(0)
    x = np.stack([100 + np.cumsum(rng.normal(size=60)), np.full(60, 5.0)], axis=1)
    model = TimeGAN(TimeGANConfig(seq_len=8, hidden_dim=4, num_layers=1, batch_size=16))
    model.fit(x, steps=0, progress=False)
    generated = model.generate(20, seed=0)
    assert (generated[..., 1] == 5.0).all()
    assert generated[..., 0].std() > 0  # the other feature still varies
    assert "Feature 1 ('x1 value') is constant (5.0)" in caplog.text


# ---------------------------------------------------------------- section 5: untrusted run directories


def _rewrite_archive(model_dir, change):
    """Rewrites the `config.json` inside `model_dir/timegan.keras` with `change(description)`."""
    archive = model_dir / "timegan.keras"
    with zipfile.ZipFile(archive) as source:
        members = {name: source.read(name) for name in source.namelist()}
    description = json.loads(members["config.json"])
    change(description)
    members["config.json"] = json.dumps(description).encode()
    with zipfile.ZipFile(archive, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(description):
        node = description
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


def _drop(*keys):
    def change(description):
        node = description
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return change


ARCHIVE_CASES = {
    # A config that would build terabytes is refused from the stored shapes, before anything is built.
    "hidden-dim-200000": (
        _set("config", "config", "hidden_dim", 200000),
        r"config that does not match its stored weights: hidden_dim=200000, num_layers=1, cell='gru', "
        r"n_features=2 need 25 network weights \(\d+ values, e.g. shape \(200000, 600000\)\); the files store 25",
    ),
    "hidden-dim-5": (_set("config", "config", "hidden_dim", 5), r"hidden_dim=5, .* e.g. shape \(5, 15\)"),
    "n-features-huge": (_set("config", "n_features", 10**6), r"n_features=1000000 need 25 network weights"),
    "lstm-for-gru": (_set("config", "config", "cell", "lstm"), r"cell='lstm', n_features=2 need 25"),
    # Missing keys are refused like unknown ones, never filled with defaults.
    "missing-seed": (_drop("config", "config", "seed"), r"invalid config.json: Missing TimeGANConfig keys: \['seed'\]"),
    "missing-learning-rate": (
        _drop("config", "config", "learning_rate"),
        r"Missing TimeGANConfig keys: \['learning_rate'\]",
    ),
    "missing-n-features": (_drop("config", "n_features"), r"config.json without `config` and `n_features`"),
    "not-a-timegan": (
        _set("registered_name", "keras>Sequential"),
        r"Expected a TimeGAN in .*timegan.keras'. Received: a keras>Sequential$",
    ),
    "nan-scaler": (
        _set("config", "representation", "data_min", [float("nan"), 0.0]),
        r"Expected `data_min` to be a list of finite numbers .* Received: data_min\[0\]=nan",
    ),
}


@pytest.mark.parametrize("case", list(ARCHIVE_CASES))
def test_a_damaged_archive_is_refused_in_one_line_naming_it(trained_timegan, tmp_path, case):
    import shutil

    from timegan.run import load_model

    change, message = ARCHIVE_CASES[case]
    model_dir = tmp_path / "model"
    shutil.copytree(trained_timegan[1], model_dir)
    _rewrite_archive(model_dir, change)
    with pytest.raises(ValueError, match=message) as error:
        load_model(model_dir)
    assert str(model_dir) in str(error.value) and "\n" not in str(error.value)


def test_random_bytes_in_the_archive_are_named(trained_timegan, tmp_path):
    import shutil

    from timegan.run import load_model

    model_dir = tmp_path / "model"
    shutil.copytree(trained_timegan[1], model_dir)
    (model_dir / "timegan.keras").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match=r"timegan.keras': not a valid .keras file \(not a zip archive\)"):
        load_model(model_dir)


def test_an_archive_that_matches_its_weights_still_loads(trained_timegan):
    """The shape check reads Keras' HDF5 layout: a layout change would refuse every saved model."""
    model, path = trained_timegan
    np.testing.assert_array_equal(TimeGAN.load(path).generate(3, seed=4), model.generate(3, seed=4))


@pytest.mark.parametrize("cell, num_layers, z_dim", [("gru", 3, None), ("lstm", 2, 3)])
def test_weight_shapes_are_the_shapes_the_factory_builds(cell, num_layers, z_dim):
    from timegan.networks import build_networks, weight_shapes

    config = TimeGANConfig(hidden_dim=5, num_layers=num_layers, cell=cell, z_dim=z_dim)
    built = [tuple(w.shape) for network in build_networks(config, 2).values() for w in network.weights]
    assert sorted(built) == sorted(weight_shapes(config, 2))


def test_a_run_json_config_missing_a_key_is_refused(tmp_path):
    from timegan.run import load_run

    config = TimeGANConfig(seq_len=5, hidden_dim=4, num_layers=1, batch_size=8).to_dict()
    del config["seed"]
    (tmp_path / "run.json").write_text(json.dumps({"config": config, "steps": 3}))
    with pytest.raises(ValueError, match=r"run.json' has an invalid config: Missing TimeGANConfig keys: \['seed'\]"):
        load_run(tmp_path)


@pytest.mark.parametrize("bad", ["nan", "inf", "abc"])
def test_a_synthetic_file_with_a_bad_value_names_the_cell(tmp_path, bad):
    """It said "Expected every sample to have the same number of steps" for a NaN."""
    from timegan.windows import frame_to_windows

    frame = pd.DataFrame(
        {"sample": [0, 0, 1, 1], "step": [0, 1, 0, 1], "ticker": "BA", "field": "Adj Close", "value": 1.0}
    )
    frame["value"] = frame["value"].astype(object)
    frame.loc[3, "value"] = bad
    (tmp_path / "synthetic.csv").write_text(frame.to_csv(index=False))
    with pytest.raises(ValueError, match=rf"Received: {bad} for sample 1, step 1, BA Adj Close \(1 such cells\)"):
        frame_to_windows(pd.read_csv(tmp_path / "synthetic.csv"))


# ---------------------------------------------------------------- section 5: huge requests


def test_generate_refuses_what_cannot_fit_in_memory(trained_timegan):
    model = trained_timegan[0]
    with pytest.raises(ValueError, match=r"Expected n <= \d+ \(windows of 4 x 2 values that fit in half of the "):
        model.generate(10**13, seed=0)
    with pytest.raises(ValueError, match=r"Expected n <= 0 \(windows of 1000000000000 x 2 values .*Received: n=3"):
        model.generate(3, seed=0, seq_len=10**12)


def test_the_bound_of_generated_windows_by_hand():
    from timegan._memory import check_windows_fit

    per_window = 8 * 2 * 20  # values x bytes per generated value
    check_windows_fit(100, 8, 2, available=2 * 100 * per_window)
    with pytest.raises(
        ValueError, match=r"Expected n <= 100 \(windows of 8 x 2 values that fit in half of the 62.5 KiB"
    ):
        check_windows_fit(101, 8, 2, available=2 * 100 * per_window)


# ---------------------------------------------------------------- section 5: types users pass


def _numpy_cases(tmp_path):
    from timegan.callbacks import Checkpoint, PhaseTensorBoard
    from timegan.images.layers import MinibatchDiscrimination
    from timegan.images.optimizers import make_optimizer

    return [
        (lambda: Checkpoint(tmp_path, every=np.int64(2)).every, 2),
        (lambda: PhaseTensorBoard(tmp_path, every=np.int32(3)).every, 3),
        (lambda: MinibatchDiscrimination(num_kernels=np.int64(4), kernel_dim=np.int16(2)).num_kernels, 4),
        (lambda: float(make_optimizer("adam", np.float32(1e-3)).learning_rate.numpy()), pytest.approx(1e-3)),
    ]


@pytest.mark.parametrize("index", range(4), ids=["Checkpoint", "PhaseTensorBoard", "MinibatchDiscrimination", "lr"])
def test_numpy_scalars_are_accepted_and_stored_as_python_numbers(tmp_path, index):
    make, expected = _numpy_cases(tmp_path)[index]
    value = make()
    assert value == expected and type(value) in (int, float)


def test_a_config_of_numpy_scalars_trains_checkpoints_and_saves(tmp_path, sine_windows):
    from timegan.callbacks import Checkpoint

    config = TimeGANConfig(
        seq_len=np.int64(4), hidden_dim=np.int64(4), num_layers=np.int64(1), batch_size=np.int64(8),
        learning_rate=np.float32(1e-3),
    )  # fmt: skip
    model = TimeGAN(config)  # 4 steps of the windows: a shorter graph to trace than their 8
    model.fit(
        sine_windows[:, :4],
        steps=np.int64(1),
        progress=False,
        callbacks=[Checkpoint(tmp_path / "c", every=np.int64(1))],
    )
    model.save(tmp_path / "model")
    assert TimeGAN.load(tmp_path / "model").config.to_dict() == {**config.to_dict(), "learning_rate": 0.001}
    assert TimeGAN.load(tmp_path / "c").steps_done == {"embedding": 1, "supervised": 1, "joint": 1}


# ---------------------------------------------------------------- section 2: two devices

TWO_DEVICES = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from timegan import FeatureScaler, TimeGAN, TimeGANConfig

    config = TimeGANConfig(seq_len=5, hidden_dim=4, num_layers=1, batch_size=8, seed=3)
    scaler = FeatureScaler().fit(np.array([[0.0, 10.0], [1.0, 20.0]]))
    names = [("A", "Close"), ("B", "Close")]
    one = TimeGAN(config, n_features=2, scaler=scaler, feature_names=names)
    one.compile()
    one.save(sys.argv[1])
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        two = TimeGAN.load(sys.argv[1])
        mirrored = type(two.generator.weights[0].value).__name__
        in_scope = two.generate(300, seed=7, batch_size=128)
    out_of_scope = two.generate(300, seed=7)
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "mirrored": mirrored,
                      "one": one.generate(300, seed=7).tolist(), "in_scope": in_scope.tolist(),
                      "out_of_scope": out_of_scope.tolist()}))
""")


def test_generation_on_two_devices_equals_one_device(tmp_path):
    """The same model loaded under a 2-device MirroredStrategy generates what it does on one device."""
    result = subprocess.run(
        [sys.executable, "-c", TWO_DEVICES, str(tmp_path / "model")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["replicas"] == 2 and values["mirrored"] == "MirroredVariable"
    one = np.array(values["one"])
    assert one.shape == (300, 5, 2) and one[:, :, 0].std() > 0
    np.testing.assert_array_equal(values["in_scope"], one)
    np.testing.assert_array_equal(values["out_of_scope"], one)


# ---------------------------------------------------------------- the commands share their arguments


def test_train_and_the_finance_benchmark_read_the_same_data_arguments():
    from timegan.cli._common import data_arguments
    from timegan.cli.train import build_parser as train_parser

    script = load_script("benchmark_finance")
    benchmark_parser = script.build_parser
    argv = ["--tickers", "ba", "--csv", "a.csv", "--csv", "b", "--start", "2019-01-01", "--end", "2020-01-01"]
    argv += ["--source", "bundled", "--cache-dir", "C"]
    train, benchmark = (
        data_arguments(train_parser().parse_args(argv)),
        data_arguments(benchmark_parser().parse_args(argv)),
    )
    assert (
        train
        == benchmark
        == {
            "tickers": ["ba"],
            "csv": ["a.csv", "b"],
            "start": "2019-01-01",
            "end": "2020-01-01",
            "fields": ["Adj Close"],
            "source": "bundled",
            "cache_dir": "C",
        }
    )
    assert data_arguments(train_parser().parse_args([]))["tickers"] == ("BA", "CAT", "DIS", "GE", "IBM", "KO")
    with pytest.raises(ValueError, match=r"^Expected --tickers or --csv. Received: neither$"):
        data_arguments(benchmark_parser().parse_args([]))


@pytest.mark.parametrize("text", ["1e-3", "1", "1.0000001", "0", "-1", "1e30", "inf", "nan", "x"])
def test_the_learning_rate_argument_accepts_what_the_config_accepts(text):
    import argparse

    from timegan.cli._common import learning_rate

    try:
        TimeGANConfig(learning_rate=float(text))
        config_accepts = True
    except (TypeError, ValueError):
        config_accepts = False
    try:
        assert learning_rate(text) == float(text)
        cli_accepts = True
    except argparse.ArgumentTypeError as error:
        assert str(error).endswith(f"received {text!r}")
        cli_accepts = False
    assert cli_accepts == config_accepts


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_train_images_never_takes_a_file_for_its_output_directory(tmp_path, capsys, overwrite):
    """It called a file "a non-empty directory"; with --overwrite the file would have been replaced."""
    from timegan.cli.train_images import main

    file = tmp_path / "notes.txt"
    file.write_text("the user's notes")
    assert main(["--dataset", "mnist", "--output-dir", str(file), *overwrite]) == 2
    assert capsys.readouterr().err == (
        f"train_images: error: Expected the output directory to be a directory. Received: '{file}', which is a file\n"
    )
    assert file.read_text() == "the user's notes"


def _run_of(trained_timegan, directory):
    """A run directory around the shared tiny model, without training one."""
    import shutil

    model, path = trained_timegan
    shutil.copytree(path, directory / "model")
    (directory / "run.json").write_text(json.dumps({"config": model.config.to_dict(), "steps": 3}))
    columns = pd.MultiIndex.from_tuples(model.feature_names, names=["ticker", "field"])
    index = pd.bdate_range("2020-01-01", periods=20, name="Date")
    pd.DataFrame(np.full((20, 2), 5.0), index=index, columns=columns).to_csv(directory / "prices.csv")
    return directory


def test_generate_cli_refuses_an_output_larger_than_the_free_disk_even_with_force(
    trained_timegan, tmp_path, monkeypatch, capsys
):
    import shutil

    from timegan.cli.generate import main

    run = _run_of(trained_timegan, tmp_path)
    monkeypatch.setattr("timegan.cli.generate.shutil.disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 0, 1000))
    assert main(["--run", str(run), "--n-paths", "100", "--force", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"timegan-generate: error: Expected an output that fits in the 1000 B free on the disk of '{run}'"
    )
    assert "--force does not lift this limit" in err and err.count("\n") == 1
    assert not (run / "paths.csv").exists()
