"""The multilayer perceptron from scratch, in NumPy only (no TensorFlow).

Modules: `activations` (sigmoid with a slope, softmax), `losses` (squared error, cross-entropy,
output deltas), `layers` (`Neuron`, `Dense`), `network` (`MLP`: forward and backpropagation),
`optimizers` (SGD, momentum, AdaGrad, RMSProp, Adadelta, Adam), `training` (`fit`, accuracy,
XOR and MNIST data).

    from timegan.scratch import MLP, fit, get_optimizer
    from timegan.scratch.training import XOR_INPUTS, XOR_TARGETS, xor_solved

    model = MLP((2, 2, 2, 1), seed=0)
    fit(model, XOR_INPUTS, XOR_TARGETS, get_optimizer("sgd", 0.5), epochs=5000, until=xor_solved)
"""

from timegan.scratch.layers import Dense, Neuron
from timegan.scratch.network import MLP
from timegan.scratch.optimizers import OPTIMIZERS, get_optimizer
from timegan.scratch.training import History, accuracy, fit, load_mnist, xor_solved

__all__ = [
    "MLP",
    "OPTIMIZERS",
    "Dense",
    "History",
    "Neuron",
    "accuracy",
    "fit",
    "get_optimizer",
    "load_mnist",
    "xor_solved",
]
