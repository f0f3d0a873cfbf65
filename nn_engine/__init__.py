"""nn_engine: dense neural networks for two-class 2-D data, in plain NumPy.

It follows the article "Let's code a Neural Network in plain NumPy" (layers as a list of dicts,
small random init, sigmoid/ReLU, forward and backward propagation, binary cross-entropy,
gradient descent) and reproduces its numbers to round-off, with more activations, optimizers
and a step-wise trainer for interactive use.

>>> import nn_engine
>>> X, y = nn_engine.datasets.moons(200, noise=0.1, seed=0)
>>> net = nn_engine.Network.from_sizes([2, 16, 16, 1], hidden="relu", init="he", seed=0)
>>> history = nn_engine.train(net, X, y, epochs=300, learning_rate=0.01, optimizer="adam")
>>> history.accuracy[-1] > 0.95
True
"""

from nn_engine import datasets, io
from nn_engine.activations import ACTIVATIONS, Activation
from nn_engine.features import FEATURES, parse_feature
from nn_engine.initializers import INITIALIZERS
from nn_engine.network import Network, TrainingInterrupted
from nn_engine.optimizers import OPTIMIZERS, SGD, Adam, Momentum, Optimizer, make_optimizer
from nn_engine.training import (
    DivergenceError,
    EpochMetrics,
    History,
    Trainer,
    single_blas_thread,
    train,
)

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "FEATURES",
    "INITIALIZERS",
    "OPTIMIZERS",
    "SGD",
    "Activation",
    "Adam",
    "DivergenceError",
    "EpochMetrics",
    "History",
    "Momentum",
    "Network",
    "Optimizer",
    "Trainer",
    "TrainingInterrupted",
    "datasets",
    "io",
    "make_optimizer",
    "parse_feature",
    "single_blas_thread",
    "train",
]
