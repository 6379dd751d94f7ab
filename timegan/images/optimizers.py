"""Optimizers by name: SGD, momentum, AdaGrad, RMSProp, Adadelta, Adam."""

import keras

from timegan._validation import LEARNING_RATE, validate
from timegan.images.config import OPTIMIZERS


def make_optimizer(name, learning_rate, momentum=0.9, beta_1=0.5, beta_2=0.999):
    """Builds a fresh Keras optimizer.

    Args:
        name: one of `"sgd"`, `"momentum"` (SGD with momentum), `"adagrad"`, `"rmsprop"`,
            `"adadelta"`, `"adam"`.
        learning_rate: step size (> 0).
        momentum: momentum of `"momentum"`. Default 0.9.
        beta_1: Adam's first-moment decay. Default 0.5 (the DCGAN paper's).
        beta_2: Adam's second-moment decay. Default 0.999.

    Returns:
        A `keras.optimizers.Optimizer`.

    Raises:
        ValueError: unknown name or a non-positive learning rate.
    """
    if name not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer {name!r}. Expected one of {list(OPTIMIZERS)}. Received: optimizer={name!r}"
        )
    learning_rate = validate(learning_rate, "learning_rate", LEARNING_RATE)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate)
    if name == "momentum":
        return keras.optimizers.SGD(learning_rate, momentum=momentum)
    if name == "adagrad":
        return keras.optimizers.Adagrad(learning_rate)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    if name == "adadelta":
        return keras.optimizers.Adadelta(learning_rate)
    return keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2)


def optimizers_from_config(config):
    """Returns `(generator_optimizer, discriminator_optimizer)` for an `ImageGANConfig`."""
    given = dict(momentum=config.momentum, beta_1=config.beta_1, beta_2=config.beta_2)
    common = {name: value for name, value in given.items() if value is not None}
    return (
        make_optimizer(config.optimizer, config.generator_lr, **common),
        make_optimizer(config.optimizer, config.discriminator_lr, **common),
    )
