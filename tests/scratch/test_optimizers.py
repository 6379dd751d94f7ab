import numpy as np
import pytest

from timegan.scratch import MLP, get_optimizer
from timegan.scratch.optimizers import AdaGrad, Adam

# (scratch name, its hyperparameters, Keras class name, Keras arguments): the same rule on both sides.
# The values are exact in float32 because Keras rounds some of them through float32 even for float64
# weights (the learning rate variable, Adagrad's initial accumulator, the beta_1 and beta_2 of Adam's bias
# correction): with 0.3 or beta_2=0.999 the runs would part at 1e-8 or 1e-5 relative.
RULES = [
    ("sgd", {"learning_rate": 0.25}, "SGD", {"learning_rate": 0.25}),
    ("momentum", {"learning_rate": 0.125, "momentum": 0.75}, "SGD", {"learning_rate": 0.125, "momentum": 0.75}),
    (
        "adagrad",
        {"learning_rate": 0.125, "initial_accumulator_value": 0.125},
        "Adagrad",
        {"learning_rate": 0.125, "initial_accumulator_value": 0.125},
    ),
    ("rmsprop", {"learning_rate": 2**-7}, "RMSprop", {"learning_rate": 2**-7}),
    ("adadelta", {"learning_rate": 1.0}, "Adadelta", {"learning_rate": 1.0}),
    (
        "adam",
        {"learning_rate": 2**-6, "beta_1": 0.875, "beta_2": 1 - 2**-10},
        "Adam",
        {"learning_rate": 2**-6, "beta_1": 0.875, "beta_2": 1 - 2**-10},
    ),
]


@pytest.mark.parametrize("name, kwargs, keras_name, keras_kwargs", RULES, ids=[rule[0] for rule in RULES])
def test_rule_matches_keras_step_for_step(name, kwargs, keras_name, keras_kwargs):
    """A 3-4-2 network trained 6 steps on the same batches, in float64: weights agree after every step."""
    import keras
    import tensorflow as tf

    model = MLP((3, 4, 2), slope=1.0, seed=0, dtype="float64")
    twin = keras.Sequential(
        [
            keras.Input((3,), dtype="float64"),
            keras.layers.Dense(4, activation="sigmoid", dtype="float64"),
            keras.layers.Dense(2, activation="sigmoid", dtype="float64"),
        ]
    )
    twin.set_weights([p + 0.05 for p in model.params])
    model.set_params(twin.get_weights())
    optimizer = get_optimizer(name, **kwargs)
    keras_optimizer = getattr(keras.optimizers, keras_name)(**keras_kwargs)
    rng = np.random.default_rng(1)
    for step in range(6):
        x = rng.normal(size=(4, 3))
        targets = rng.uniform(size=(4, 2))
        with tf.GradientTape() as tape:
            outputs = twin(x)
            loss = keras.ops.mean(0.5 * keras.ops.sum(keras.ops.square(outputs - targets), axis=-1))
        keras_optimizer.apply_gradients(zip(tape.gradient(loss, twin.trainable_variables), twin.trainable_variables))
        _, grads = model.gradients(x, targets)
        optimizer.apply(model.params, grads)
        for own, theirs in zip(model.params, twin.get_weights()):
            np.testing.assert_allclose(own, theirs, rtol=1e-9, atol=1e-12, err_msg=f"step {step + 1}")
    # the rule moved the weights (a rule that did nothing would also "match" an idle Keras)
    start = MLP((3, 4, 2), slope=1.0, seed=0, dtype="float64").params[0] + 0.05
    assert np.abs(model.params[0] - start).max() > 1e-3


def test_adagrad_first_step_by_hand():
    param = np.array([1.0, 1.0])
    AdaGrad(learning_rate=0.1, initial_accumulator_value=0.1, epsilon=1e-7).apply([param], [np.array([0.3, -0.4])])
    np.testing.assert_allclose(
        param, [1 - 0.1 * 0.3 / np.sqrt(0.1 + 0.09 + 1e-7), 1 + 0.1 * 0.4 / np.sqrt(0.1 + 0.16 + 1e-7)]
    )
    paper = np.array([1.0])
    AdaGrad(learning_rate=0.1, initial_accumulator_value=0.0).apply([paper], [np.array([5.0])])
    np.testing.assert_allclose(paper, [0.9], rtol=1e-7)  # the paper's start: the first step is eta * sign(g)


def test_adam_first_step_is_learning_rate_times_sign():
    param = np.array([0.0, 0.0])
    optimizer = Adam(learning_rate=0.01)
    optimizer.apply([param], [np.array([3.0, -0.5])])
    np.testing.assert_allclose(param, [-0.01, 0.01], rtol=1e-5)
    assert optimizer.iterations == 1


def test_momentum_accumulates():
    param = np.array([0.0])
    optimizer = get_optimizer("momentum", 0.1, momentum=0.5)
    for _ in range(2):
        optimizer.apply([param], [np.array([1.0])])
    # v1 = -0.1, v2 = 0.5 * -0.1 - 0.1 = -0.15; theta = -0.25
    np.testing.assert_allclose(param, [-0.25])


def test_adadelta_first_step_by_hand():
    param = np.array([0.0])
    get_optimizer("adadelta", rho=0.9, epsilon=1e-6).apply([param], [np.array([2.0])])
    # E[g^2] = 0.1 * 4; dx = -sqrt(1e-6) / sqrt(0.4 + 1e-6) * 2
    np.testing.assert_allclose(param, [-np.sqrt(1e-6) / np.sqrt(0.4 + 1e-6) * 2.0])


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: get_optimizer("lion"),
            (
                r"Expected `optimizer` to be one of 'sgd', 'momentum', 'adagrad', 'rmsprop', "
                r"'adadelta', 'adam'. Received: optimizer='lion'"
            ),
        ),
        (
            lambda: get_optimizer("sgd", 0.0),
            r"Expected `learning_rate` to be a number in \(0, 10\]. Received: learning_rate=0.0",
        ),
        (
            lambda: get_optimizer("momentum", momentum=1.0),
            (
                r"Expected `momentum` to be a number in \[0, 1\). "
                r"Received: momentum=1.0"
            ),
        ),
        (
            lambda: get_optimizer("rmsprop", rho=1.0),
            r"Expected `rho` to be a number in \(0, 1\). Received: rho=1.0",
        ),
        (
            lambda: get_optimizer("adam", epsilon=float("inf")),
            r"Expected `epsilon` to be a finite number > 0. Received: epsilon=inf",
        ),
    ],
)
def test_bad_hyperparameters(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_hyperparameter_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"Expected `rho` to be a number in \(0, 1\). Received: rho='0.9'"):
        get_optimizer("rmsprop", rho="0.9")


def test_unknown_hyperparameter_is_a_type_error():
    with pytest.raises(TypeError):
        get_optimizer("adam", momentum=0.9)


def test_gradient_shapes_are_checked():
    optimizer = get_optimizer("adam")
    params = [np.zeros((2, 3))]
    optimizer.apply(params, [np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"Expected a gradient of shape \(2, 3\). Received: shape=\(3, 2\)"):
        optimizer.apply(params, [np.ones((3, 2))])
    with pytest.raises(ValueError, match=r"Expected one gradient per parameter \(1\). Received: 2 gradients"):
        optimizer.apply(params, [np.ones((2, 3))] * 2)
