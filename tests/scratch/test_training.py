import numpy as np
import pytest

from timegan.scratch import MLP, accuracy, fit, get_optimizer, load_mnist, xor_solved
from timegan.scratch.training import XOR_INPUTS, XOR_TARGETS, load_checkpoint, one_hot, save_checkpoint


def test_xor_is_solved_and_training_stops_there():
    model = MLP((2, 2, 2, 1), seed=3)
    history = fit(model, XOR_INPUTS, XOR_TARGETS, get_optimizer("adam", 0.05), epochs=600, seed=3, until=xor_solved)
    assert xor_solved(model)
    assert history.stopped_early and history.epochs < 600
    assert history.loss[-1] < history.loss[0] / 5
    assert len(history.seconds) == history.epochs


def test_same_seeds_reproduce_a_run_and_another_shuffle_changes_it():
    def train(shuffle_seed):
        model = MLP((4, 3, 2), seed=0)
        x = np.random.default_rng(0).normal(size=(12, 4))
        targets = one_hot(np.arange(12) % 2, num_classes=2)
        fit(model, x, targets, get_optimizer("momentum", 0.5), epochs=3, batch_size=5, seed=shuffle_seed)
        return model.params

    first, again, other = train(0), train(0), train(1)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_one_update_per_batch():
    class Counting:
        calls = 0

        def apply(self, params, grads):
            self.calls += 1

    counter = Counting()
    fit(MLP((2, 1), seed=0), np.zeros((10, 2)), np.zeros((10, 1)), counter, epochs=2, batch_size=4)
    assert counter.calls == 2 * 3  # batches of 4, 4 and 2 per pass


def test_accuracy_counts_argmax_hits():
    model = MLP((2, 2), output_activation="softmax", loss="cross_entropy", seed=0, dtype="float64")
    model.set_params([np.eye(2) * 10, np.zeros(2)])
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert accuracy(model, x, np.array([0, 1, 1]), batch_size=2) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"epochs": 0}, ValueError, r"Expected `epochs` to be a positive integer. Received: epochs=0"),
        (
            {"epochs": 1, "batch_size": 1.5},
            TypeError,
            r"Expected `batch_size` to be a positive integer. Received: batch_size=1.5",
        ),
    ],
)
def test_bad_fit_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        fit(MLP((2, 1)), XOR_INPUTS, XOR_TARGETS, get_optimizer("sgd"), **kwargs)


def test_inputs_and_targets_must_pair_up():
    with pytest.raises(ValueError, match=r"Expected as many targets as inputs \(> 0\). Received: 4 inputs, 3 targets"):
        fit(MLP((2, 1)), XOR_INPUTS, XOR_TARGETS[:3], get_optimizer("sgd"), epochs=1)


def test_load_mnist_flattens_and_scales(mnist_dir):
    x, labels = load_mnist(mnist_dir, "train")
    assert x.shape == (64, 784) and x.dtype == np.float32
    assert x.max() == 1.0 and x.min() >= 0.0
    assert labels.shape == (64,) and labels.max() <= 9
    x_small, labels_small = load_mnist(mnist_dir, "train", train_size=10, seed=0)
    assert x_small.shape == (10, 784)
    row = int(np.flatnonzero((x == x_small[0]).all(axis=1))[0])
    assert labels[row] == labels_small[0]


def test_load_mnist_missing_directory(tmp_path):
    with pytest.raises(OSError, match="does not exist or is not a directory"):
        load_mnist(tmp_path / "nowhere")


def test_on_epoch_end_sees_each_pass_before_until():
    seen = []
    fit(
        MLP((2, 2, 1), seed=0),
        XOR_INPUTS,
        XOR_TARGETS,
        get_optimizer("sgd", 0.5),
        epochs=3,
        on_epoch_end=lambda model, history: seen.append((history.epochs, len(history.seconds))),
        until=lambda model: len(seen) == 2,
    )
    assert seen == [(1, 1), (2, 2)]


@pytest.mark.parametrize("rule", ["sgd", "momentum", "adadelta", "adam"])
def test_checkpoint_resumes_the_uninterrupted_run(rule, tmp_path):
    x = np.random.default_rng(1).normal(size=(9, 4))
    targets = one_hot(np.arange(9) % 3, num_classes=3)

    def model_and_rule():
        return MLP((4, 5, 3), seed=0, dtype="float64"), get_optimizer(rule, 0.05)

    model, optimizer = model_and_rule()
    fit(model, x, targets, optimizer, epochs=3, batch_size=2, seed=4)
    first, first_rule = model_and_rule()
    fit(first, x, targets, first_rule, epochs=1, batch_size=2, seed=4)
    save_checkpoint(tmp_path / "run.npz", first, first_rule, {"passes": 1})
    resumed, resumed_rule = model_and_rule()
    assert load_checkpoint(tmp_path / "run.npz", resumed, resumed_rule) == {"passes": 1}
    history = fit(resumed, x, targets, resumed_rule, epochs=3, batch_size=2, seed=4, initial_epoch=1)
    assert history.epochs == 2 and resumed_rule.iterations == optimizer.iterations == 15
    for a, b in zip(resumed.params, model.params):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_of_another_rule_is_refused(tmp_path):
    model, adam = MLP((2, 1), seed=0), get_optimizer("adam")
    fit(model, XOR_INPUTS, XOR_TARGETS, adam, epochs=1)
    save_checkpoint(tmp_path / "run.npz", model, adam, {})
    with pytest.raises(ValueError, match=r"Expected 2 state arrays of shapes \[\(2, 1\), \(1,\)\] for momentum"):
        load_checkpoint(tmp_path / "run.npz", MLP((2, 1)), get_optimizer("momentum"))


def test_initial_epoch_beyond_epochs_is_refused():
    with pytest.raises(
        ValueError, match=r"Expected `initial_epoch` to be an integer in \[0, 2\]. Received: initial_epoch=3"
    ):
        fit(MLP((2, 1)), XOR_INPUTS, XOR_TARGETS, get_optimizer("sgd"), epochs=2, initial_epoch=3)
