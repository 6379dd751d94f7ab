import subprocess
import sys

import numpy as np
import pytest

from timegan.scratch import MLP

CASES = [
    {"sizes": (3, 4, 2), "slope": 0.7, "output_activation": "sigmoid", "loss": "squared_error"},
    {"sizes": (3, 4, 3, 2), "slope": 1.0, "output_activation": "sigmoid", "loss": "squared_error"},
    {"sizes": (3, 4, 3), "slope": 1.3, "output_activation": "softmax", "loss": "cross_entropy"},
    {"sizes": (3, 4, 2), "slope": 2.0, "output_activation": "sigmoid", "loss": "cross_entropy"},
]


def batch(model, n=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, model.sizes[0]))
    if model.output_activation == "softmax":
        targets = np.eye(model.sizes[-1])[rng.integers(0, model.sizes[-1], n)]
    else:
        targets = rng.uniform(size=(n, model.sizes[-1]))
    return x, targets


@pytest.mark.parametrize("case", CASES)
def test_gradients_match_finite_differences(case):
    model = MLP(**case, seed=1, dtype="float64")
    for param in model.params:  # non-zero biases, so their gradients are exercised off the origin
        param += np.random.default_rng(2).normal(scale=0.3, size=param.shape)
    x, targets = batch(model)
    _, grads = model.gradients(x, targets)
    h = 1e-6
    for param, grad in zip(model.params, grads):
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            up = model.evaluate_loss(x, targets)
            param[index] = saved - h
            down = model.evaluate_loss(x, targets)
            param[index] = saved
            numeric[index] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize(
    "case",
    [CASES[0], CASES[2], {"sizes": (6, 5, 4), "slope": 0.1, "output_activation": "sigmoid", "loss": "squared_error"}],
)
def test_forward_and_gradients_match_keras(case):
    import keras
    import tensorflow as tf

    from timegan.cli.scratch_mlp import build_keras_model, keras_loss

    model = MLP(**case, seed=3)
    settings = {
        "sizes": model.sizes,
        "slope": model.slope,
        "output_activation": model.output_activation,
        "loss": model.loss,
    }
    twin = build_keras_model(settings)
    twin.set_weights([p + 0.1 for p in model.params])  # non-zero biases
    model.set_params(twin.get_weights())
    x, targets = batch(model, n=4)
    x, targets = x.astype(np.float32), targets.astype(np.float32)
    with tf.GradientTape() as tape:
        outputs = twin(x)
        loss = keras.ops.mean(keras_loss(settings)(targets, outputs))
    keras_grads = tape.gradient(loss, twin.trainable_variables)
    own_loss, grads = model.gradients(x, targets)
    np.testing.assert_allclose(model.predict(x), outputs.numpy(), rtol=1e-5, atol=1e-6)
    assert own_loss == pytest.approx(float(loss), rel=1e-5)
    for own, theirs in zip(grads, keras_grads):
        np.testing.assert_allclose(own, theirs.numpy(), rtol=1e-4, atol=1e-7)


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = MLP((4, 3, 2), seed=5), MLP((4, 3, 2), seed=5), MLP((4, 3, 2), seed=6)
    for pa, pb in zip(a.params, b.params):
        np.testing.assert_array_equal(pa, pb)
    assert not np.array_equal(a.params[0], c.params[0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"sizes": (3,)},
            r"Expected `sizes` to be a sequence of at least 2 items of which each is a positive integer. "
            r"Received: sizes=\(3,\)",
        ),
        ({"sizes": (3, 0, 1)}, r"Expected `sizes` to be a sequence of at least 2 items .* Received: sizes=\(3, 0, 1\)"),
        (
            {"sizes": (3, 1), "loss": "hinge"},
            (
                r"Expected `loss` to be one of 'squared_error', 'cross_entropy'. "
                r"Received: loss='hinge'"
            ),
        ),
        (
            {"sizes": (3, 2), "output_activation": "softmax"},
            (
                r"Expected `output_activation='sigmoid'` with "
                r"`loss='squared_error'`. Received: output_activation='softmax'"
            ),
        ),
        ({"sizes": (3, 1), "slope": -1.0}, r"Expected `slope` to be a finite number > 0. Received: slope=-1.0"),
        (
            {"sizes": (3, 1), "dtype": "float16"},
            r"Expected `dtype` to be one of 'float32', 'float64'. Received: dtype='float16'",
        ),
    ],
)
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_sizes_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"Expected `sizes` to be .* Received: sizes=\(3, 2.0\)"):
        MLP((3, 2.0))


def test_bad_shapes():
    model = MLP((3, 2), seed=0)
    with pytest.raises(ValueError, match=r"Expected inputs of shape \(batch, 3\). Received: shape=\(2, 4\)"):
        model.predict(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"Expected targets of shape \(2, 2\). Received: shape=\(2, 1\)"):
        model.gradients(np.zeros((2, 3)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"Expected an array of shape \(3, 2\). Received: shape=\(2, 3\)"):
        model.set_params([np.zeros((2, 3)), np.zeros(2)])


def test_package_does_not_import_tensorflow():
    code = (
        "import sys; import timegan.scratch, timegan.scratch.training; "
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
