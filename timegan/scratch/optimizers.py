"""Update rules: SGD, momentum, AdaGrad, RMSProp, Adadelta and Adam, in NumPy.

Each rule updates a list of parameter arrays in place from their gradients, one call per
mini-batch. The arithmetic follows Keras 3's optimizers exactly (same formulas, same order of
operations, same defaults), so that a network trained here and the same network trained with
`keras.optimizers` take the same steps; the tests check this step for step. Where Keras'
convention differs from the paper that introduced the rule, the docstring says how, and which
argument recovers the paper's rule where one does.

Keras rounds a few hyperparameters through float32 whatever the weights' dtype (the learning rate
variable, Adagrad's initial accumulator, the `beta_1`/`beta_2` in Adam's bias correction); here they
stay Python floats. In float64 both agree exactly for values float32 holds exactly (0.25, 0.875) and
otherwise part at about 1e-8 relative (1e-5 for Adam's default `beta_2 = 0.999`); in float32, the
dtype of training, the difference is below float32 rounding.

Notation: `theta` a parameter, `g` its gradient, `eta` the learning rate, `t` the step (from 1).
"""

import logging

import numpy as np

from timegan._validation import LEARNING_RATE, Options, Real, validate

logger = logging.getLogger(__name__)


POSITIVE = Real(0, None, closed="neither")
FRACTION = Real(0, 1, closed="neither")  # a decay rate: 0 forgets at once, 1 never updates
FRACTION_OR_ZERO = Real(0, 1, closed="left")


class Optimizer:
    """Base class: holds the learning rate and the per-parameter state, built on the first step.

    Args:
        learning_rate: float > 0.

    Attributes:
        iterations: number of steps taken.
    """

    name = "optimizer"

    def __init__(self, learning_rate):
        self.learning_rate = validate(learning_rate, "learning_rate", LEARNING_RATE)
        self.iterations = 0
        self._state = None

    def _build(self, params):
        """Returns the per-parameter state (a list with one entry per parameter array)."""
        return [None] * len(params)

    def _update(self, index, param, grad, state):
        raise NotImplementedError

    def apply(self, params, grads):
        """Updates `params` in place by one step of the rule.

        Args:
            params: list of float arrays (e.g. `MLP.params`), the same ones at every call.
            grads: list of arrays of the same shapes and dtypes.

        Raises:
            ValueError: lists of different lengths or shapes, or parameters other than on the
                first call.
        """
        if len(params) != len(grads):
            raise ValueError(f"Expected one gradient per parameter ({len(params)}). Received: {len(grads)} gradients")
        if self._state is None:
            self._shapes = [np.shape(param) for param in params]
            self._state = self._build(params)
        if len(self._shapes) != len(params):
            raise ValueError(f"This optimizer was built for {len(self._shapes)} parameters. Received: {len(params)}")
        for shape, grad in zip(self._shapes, grads):
            if grad.shape != shape:
                raise ValueError(f"Expected a gradient of shape {shape}. Received: shape={grad.shape}")
        self.iterations += 1
        for index, (param, grad) in enumerate(zip(params, grads)):
            self._update(index, param, grad, self._state[index])

    def state_arrays(self):
        """The rule's per-parameter state as a flat list of arrays (empty for SGD or before the first step).

        With `iterations`, what a checkpoint must keep to continue the same steps (`load_state_arrays`).
        """
        flat = []
        for entry in self._state or []:
            if entry is not None:
                flat.extend(entry if isinstance(entry, tuple) else [entry])
        return flat

    def load_state_arrays(self, params, arrays, iterations):
        """Restores the state `state_arrays()` returned, for the same `params`, after `iterations` steps.

        Raises:
            ValueError: if the arrays do not match what this rule keeps for `params`.
        """
        self._shapes = [np.shape(param) for param in params]
        self._state = self._build(params) if iterations else None
        own = self.state_arrays()
        if len(own) != len(arrays) or any(a.shape != b.shape for a, b in zip(own, arrays)):
            raise ValueError(
                f"Expected {len(own)} state arrays of shapes {[a.shape for a in own]} for {self.name}. "
                f"Received: shapes {[np.shape(a) for a in arrays]}"
            )
        for target, saved in zip(own, arrays):
            target[...] = saved
        self.iterations = int(iterations)

    def get_config(self):
        """The rule's name and hyperparameters, as a JSON-ready dict."""
        return {"name": self.name, "learning_rate": self.learning_rate}


class SGD(Optimizer):
    """Plain (stochastic) gradient descent: `theta <- theta - eta * g`.

    Robbins & Monro, "A stochastic approximation method", 1951; the source's rule. Same as
    `keras.optimizers.SGD(momentum=0)`.

    Args:
        learning_rate: float > 0. Default 0.01 (Keras' default).
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01):
        super().__init__(learning_rate)

    def _update(self, index, param, grad, state):
        param -= self.learning_rate * grad


class Momentum(Optimizer):
    """Gradient descent with (heavy-ball) momentum.

    `v <- mu * v - eta * g`, `theta <- theta + v`, `v` starting at 0: Polyak, "Some methods of
    speeding up the convergence of iteration methods", 1964; Goodfellow, Bengio & Courville,
    *Deep Learning*, 2016, Algorithm 8.2. Same as `keras.optimizers.SGD(momentum=mu)`. (The form
    `v <- mu * v + g`, `theta <- theta - eta * v` of some libraries takes the same steps for a
    constant learning rate.)

    Args:
        learning_rate: float > 0. Default 0.01 (Keras' default).
        momentum: `mu`, in [0, 1). Default 0.9.
    """

    name = "momentum"

    def __init__(self, learning_rate=0.01, momentum=0.9):
        super().__init__(learning_rate)
        self.momentum = validate(momentum, "momentum", FRACTION_OR_ZERO)

    def _build(self, params):
        return [np.zeros_like(param) for param in params]

    def _update(self, index, param, grad, velocity):
        velocity *= self.momentum
        velocity -= self.learning_rate * grad
        param += velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum}


class AdaGrad(Optimizer):
    """AdaGrad: per-parameter steps shrinking with the sum of squared past gradients.

    Keras' rule (followed here): `r <- r + g^2`, `theta <- theta - eta * g / sqrt(r + eps)`,
    with `r` starting at `initial_accumulator_value` = 0.1.
    The paper's (Duchi, Hazan & Singer, "Adaptive subgradient methods for online learning and
    stochastic optimization", JMLR 2011, section 1; *Deep Learning* Algorithm 8.4) starts `r` at 0
    and puts the small constant outside the root, `eta * g / (delta + sqrt(r))`: pass
    `initial_accumulator_value=0.0` for the paper's start; the placement of `eps` only matters
    while `r` is of the order of `eps`.

    Args:
        learning_rate: float > 0. Default 0.001 (Keras' default).
        initial_accumulator_value: float >= 0. Default 0.1 (Keras).
        epsilon: float > 0, inside the square root. Default 1e-7 (Keras).
    """

    name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
        super().__init__(learning_rate)
        self.initial_accumulator_value = validate(initial_accumulator_value, "initial_accumulator_value", Real(0))
        self.epsilon = validate(epsilon, "epsilon", POSITIVE)

    def _build(self, params):
        return [np.full_like(param, self.initial_accumulator_value) for param in params]

    def _update(self, index, param, grad, accumulator):
        accumulator += np.square(grad)
        param -= self.learning_rate * grad / np.sqrt(accumulator + self.epsilon)

    def get_config(self):
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class RMSProp(Optimizer):
    """RMSProp: steps divided by a running root mean square of the gradients.

    `r <- rho * r + (1 - rho) * g^2`, `theta <- theta - eta * g / sqrt(r + eps)`, `r` starting at 0:
    Tieleman & Hinton, *Neural Networks for Machine Learning*, lecture 6e, 2012 ("divide the
    gradient by a running average of its recent magnitude", rho 0.9); *Deep Learning* Algorithm 8.5
    (which also puts `eps` inside the root). Same as `keras.optimizers.RMSprop` without momentum
    and not centered.

    Args:
        learning_rate: float > 0. Default 0.001 (Keras' default).
        rho: decay of the running average, in (0, 1). Default 0.9.
        epsilon: float > 0, inside the square root. Default 1e-7 (Keras).
    """

    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        super().__init__(learning_rate)
        self.rho = validate(rho, "rho", FRACTION)
        self.epsilon = validate(epsilon, "epsilon", POSITIVE)

    def _build(self, params):
        return [np.zeros_like(param) for param in params]

    def _update(self, index, param, grad, mean_square):
        mean_square *= self.rho
        mean_square += (1.0 - self.rho) * np.square(grad)
        param -= self.learning_rate * grad / np.sqrt(mean_square + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta: steps with the units of the parameters, from two running averages.

    Zeiler, "ADADELTA: an adaptive learning rate method", 2012, Algorithm 1:
    `E[g^2] <- rho E[g^2] + (1 - rho) g^2`,
    `dx = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g`,
    `E[dx^2] <- rho E[dx^2] + (1 - rho) dx^2`, `theta <- theta + eta * dx`, both averages starting at 0.
    The paper has no learning rate (`eta = 1`, the default here); Keras multiplies the step by
    its `learning_rate` (default 0.001) after the running average of `dx^2` is taken, as done here,
    so both agree for any `eta`. The paper's MNIST runs use `eps = 1e-6`; Keras' default is 1e-7.

    Args:
        learning_rate: float > 0. Default 1.0 (the paper; Keras' default is 0.001).
        rho: decay of the running averages, in (0, 1). Default 0.95.
        epsilon: float > 0. Default 1e-7 (Keras).
    """

    name = "adadelta"

    def __init__(self, learning_rate=1.0, rho=0.95, epsilon=1e-7):
        super().__init__(learning_rate)
        self.rho = validate(rho, "rho", FRACTION)
        self.epsilon = validate(epsilon, "epsilon", POSITIVE)

    def _build(self, params):
        return [(np.zeros_like(param), np.zeros_like(param)) for param in params]

    def _update(self, index, param, grad, state):
        mean_square_grad, mean_square_delta = state
        mean_square_grad *= self.rho
        mean_square_grad += (1.0 - self.rho) * np.square(grad)
        delta = -np.sqrt(mean_square_delta + self.epsilon) * grad / np.sqrt(mean_square_grad + self.epsilon)
        mean_square_delta *= self.rho
        mean_square_delta += (1.0 - self.rho) * np.square(delta)
        param += self.learning_rate * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSProp scaling, both bias-corrected.

    Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015. Keras' form, followed
    here, is the one of the paper's section 2, last paragraph:
    `m <- beta_1 m + (1 - beta_1) g`, `v <- beta_2 v + (1 - beta_2) g^2`,
    `alpha_t = eta * sqrt(1 - beta_2^t) / (1 - beta_1^t)`, `theta <- theta - alpha_t m / (sqrt(v) + eps_hat)`.
    Algorithm 1 of the paper instead divides by `sqrt(v_hat) + eps` with the bias-corrected
    `v_hat = v / (1 - beta_2^t)`; the two differ only by how large `eps` is relative to
    `sqrt(v)` (`eps_hat = eps * sqrt(1 - beta_2^t)`). Paper: `eps = 1e-8`; Keras: 1e-7.

    Args:
        learning_rate: float > 0. Default 0.001.
        beta_1: decay of the first moment, in [0, 1). Default 0.9.
        beta_2: decay of the second moment, in [0, 1). Default 0.999.
        epsilon: float > 0, outside the square root. Default 1e-7 (Keras).
    """

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = validate(beta_1, "beta_1", FRACTION_OR_ZERO)
        self.beta_2 = validate(beta_2, "beta_2", FRACTION_OR_ZERO)
        self.epsilon = validate(epsilon, "epsilon", POSITIVE)

    def _build(self, params):
        return [(np.zeros_like(param), np.zeros_like(param)) for param in params]

    def _update(self, index, param, grad, state):
        m, v = state
        t = self.iterations
        alpha = float(self.learning_rate * np.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t))
        m += (grad - m) * (1.0 - self.beta_1)
        v += (np.square(grad) - v) * (1.0 - self.beta_2)
        param -= m * alpha / (np.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, AdaGrad, RMSProp, Adadelta, Adam)}


def get_optimizer(name, learning_rate=None, **kwargs):
    """Builds an update rule by name.

    Args:
        name: one of `"sgd"`, `"momentum"`, `"adagrad"`, `"rmsprop"`, `"adadelta"`, `"adam"`.
        learning_rate: float > 0, or None for the rule's default.
        **kwargs: the rule's other hyperparameters (e.g. `momentum=0.9`).

    Returns:
        An `Optimizer`.

    Raises:
        ValueError: an unknown name or a bad hyperparameter.
        TypeError: a hyperparameter the rule does not have.
    """
    name = validate(name, "optimizer", Options(*OPTIMIZERS))
    if learning_rate is not None:
        kwargs["learning_rate"] = learning_rate
    return OPTIMIZERS[name](**kwargs)
