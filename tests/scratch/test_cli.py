import pytest

from timegan.cli import scratch_mlp


def call(argv):
    try:
        return scratch_mlp.main(argv)
    except SystemExit as exit_:  # argparse usage errors
        return exit_.code


def one_line_error(capsys, code, *fragments):
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "Traceback" not in err[0], err
    for fragment in fragments:
        assert fragment in err[0], err[0]


def test_xor_counts_solved_seeds(capsys):
    code = call(
        ["--task", "xor", "--optimizer", "adam", "--lr", "0.05", "--seed", "2", "--seeds", "2", "--epochs", "600"]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("xor: 2-2-2-1 sigmoid (slope 1), sigmoid outputs, squared_error, adam lr 0.05, batch 1")
    assert out[1].startswith("seed 2: not solved in 600 passes")
    assert out[2].startswith("seed 3: solved after ")
    assert out[3].startswith("xor adam: 1/2 seeds solved (every output within 0.1 of its target); median ")


def test_mnist_with_keras_twin(mnist_dir, capsys):
    code = call(
        [
            "--task",
            "mnist",
            "--optimizer",
            "sgd",
            "--lr",
            "0.5",
            "--data-dir",
            str(mnist_dir),
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--seeds",
            "2",
            "--keras",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith(
        "mnist: 784-300-10 sigmoid (slope 1), softmax outputs, cross_entropy, sgd lr 0.5, batch 16"
    )
    assert [line.split(":")[0] for line in out[1:]] == [
        "seed 0 scratch",
        "seed 0 keras",
        "seed 1 scratch",
        "scratch",
        "keras  ",
    ]
    assert "over 2 seed(s)" in out[4] and "over 1 seed(s)" in out[5]
    # the bright band makes the classes easy: the scratch network learns past chance (0.1) in two passes
    assert float(out[4].split("test accuracy ")[1].split()[0]) > 0.3, out[4]
    assert 0.0 <= float(out[5].split("test accuracy ")[1].split()[0]) <= 1.0, out[5]


def test_mnist_learning_curve_prints_each_pass(mnist_dir, capsys):
    argv = ["--task", "mnist", "--data-dir", str(mnist_dir), "--epochs", "2", "--batch-size", "16"]
    code = call(argv + ["--eval-each-pass", "--no-progress"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split(":")[0] for line in out[1:3]] == ["seed 0 pass 1", "seed 0 pass 2"]
    accuracies = [float(line.split("test accuracy ")[1].split(",")[0]) for line in out[1:4]]
    assert accuracies[1] == accuracies[2]  # the last pass's figure is the run's final test accuracy
    assert "training loss" in out[1] and out[3].startswith("seed 0 scratch: test accuracy")


def test_mnist_checkpoint_resumes_and_refuses_another_setting(mnist_dir, tmp_path, capsys):
    checkpoint = tmp_path / "run.npz"
    argv = ["--task", "mnist", "--data-dir", str(mnist_dir), "--batch-size", "8", "--eval-each-pass", "--no-progress"]
    assert call(argv + ["--epochs", "3"]) == 0
    uninterrupted = capsys.readouterr().out.splitlines()
    assert call(argv + ["--epochs", "2", "--checkpoint", str(checkpoint)]) == 0
    capsys.readouterr()
    assert call(argv + ["--epochs", "3", "--checkpoint", str(checkpoint)]) == 0
    resumed = capsys.readouterr().out.splitlines()
    assert resumed[1] == f"seed 0: resuming from {checkpoint} after 2 passes"
    # pass 3 and the final accuracy are the uninterrupted run's (the times and load differ)
    assert resumed[2].split(" s;")[0].rsplit(",", 1)[0] == uninterrupted[3].split(" s;")[0].rsplit(",", 1)[0]
    assert resumed[3].split(", median")[0] == uninterrupted[4].split(", median")[0]
    code = call(argv + ["--epochs", "3", "--lr", "0.1", "--checkpoint", str(checkpoint)])
    one_line_error(
        capsys, code, "Expected a checkpoint of this setting, seed and training subset", "'learning_rate': 0.5"
    )


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--task", "xor", "--keras"], ["--keras applies to --task mnist only"]),
        (["--task", "xor", "--eval-each-pass"], ["--eval-each-pass applies to --task mnist only"]),
        (
            ["--task", "mnist", "--seeds", "2", "--checkpoint", "x.npz"],
            ["--checkpoint holds one run: expected --seeds 1"],
        ),
        (["--task", "xor", "--lr", "0"], ["argument --lr: expected a positive finite number, received '0'"]),
        (
            ["--task", "xor", "--seed", "-1"],
            ["argument --seed: expected an integer seed from 0 to 2**32 - 1 = 4294967295, received '-1'"],
        ),
        (["--task", "mnist", "--optimizer", "lion"], ["argument --optimizer: invalid choice: 'lion'"]),
        (["--task", "mnist", "--epochs", "2.5"], ["argument --epochs: expected a positive integer, received '2.5'"]),
    ],
)
def test_bad_input_is_one_line_exit_2(argv, fragments, capsys):
    one_line_error(capsys, call(argv), *fragments)


def test_missing_mnist_files(tmp_path, capsys):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"")
    code = call(["--task", "mnist", "--data-dir", str(tmp_path), "--epochs", "1"])
    one_line_error(capsys, code, "scratch_mlp: error:", "lacks the IDX file(s)", "train-labels-idx1-ubyte.gz")
