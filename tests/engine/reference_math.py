"""A plain NumPy reference for the model of "Let's code a Neural Network in plain NumPy".

nn_engine grew from that article; the fidelity tests hold it to this module, which computes
the same model the plain, obvious way, so that a disagreement points at nn_engine. It is
written here from the formulas below, not from the article's code: samples as columns, as in
the article, with W and b kept apart and a fresh array for every intermediate, where nn_engine
folds the bias into its matrix products, reuses its buffers and takes samples as rows.

Shapes: ``X`` is (n_0, m) for m samples, labels ``Y`` are (1, m) of 0.0/1.0; layer l holds
``W`` (n_l, n_{l-1}) and ``b`` (n_l, 1); ``g_l`` is its activation.

Where each formula comes from:

- Initialisation, the article's rule: one legacy ``numpy.random.RandomState(seed)`` draws,
  for layer 1, 2, ... in turn, ``W = randn(n_l, n_{l-1}) * 0.1`` then ``b = randn(n_l, 1) * 0.1``.
- Forward pass, the standard dense layer (as in the article): ``A_0 = X``,
  ``Z_l = W_l A_{l-1} + b_l``, ``A_l = g_l(Z_l)``; the prediction is ``P = A_L``.
- Activations, standard: ReLU ``max(z, 0)`` with derivative 1 for z > 0 and 0 otherwise (the
  article's choice at z = 0); sigmoid ``s(z) = 1 / (1 + exp(-z))`` with ``s' = s (1 - s)``.
- Cost, the mean binary cross-entropy (the article's loss; standard):
  ``J = -(1/m) sum_i [y_i ln p_i + (1 - y_i) ln(1 - p_i)]``.
- Accuracy (the article's): the fraction of samples whose class ``p > 0.5`` equals the label.
- Backpropagation, the chain rule (standard; the article's per-layer formulas): with
  ``dA_L = dJ/dP * m = (1 - Y) / (1 - P) - Y / P`` (the derivative of the cross-entropy) and,
  from the last layer down, ``dZ_l = dA_l * g_l'(Z_l)``, ``dW_l = dZ_l A_{l-1}^T / m``,
  ``db_l = (row sums of dZ_l) / m``, ``dA_{l-1} = W_l^T dZ_l``.
- Update, plain gradient descent (the article's optimiser): ``W -= lr dW``, ``b -= lr db``.
"""

from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

# the article's experiment: a 2-25-50-50-25-1 network, ReLU in the hidden layers, sigmoid out
SIZES = (2, 25, 50, 50, 25, 1)
ACTIVATIONS = ("relu", "relu", "relu", "relu", "sigmoid")

Layer = tuple[NDArray, NDArray]  # (W, b)


def layer_dicts(sizes, activations) -> list[dict]:
    """The network in the list-of-layer-dicts format that nn_engine.Network takes."""
    return [
        {"input_dim": n_in, "output_dim": n_out, "activation": name}
        for (n_in, n_out), name in zip(pairwise(sizes), activations, strict=True)
    ]


ARTICLE_ARCHITECTURE = layer_dicts(SIZES, ACTIVATIONS)

FUNCTIONS = {
    "relu": lambda Z: np.maximum(Z, 0.0),
    "sigmoid": lambda Z: 1.0 / (1.0 + np.exp(-Z)),
}
DERIVATIVES = {  # g'(Z), elementwise
    "relu": lambda Z: (Z > 0).astype(Z.dtype),
    "sigmoid": lambda Z: FUNCTIONS["sigmoid"](Z) * (1.0 - FUNCTIONS["sigmoid"](Z)),
}


def initial_layers(sizes, seed: int) -> list[Layer]:
    """The article's initialisation: W then b of every layer from one RandomState(seed)."""
    # the legacy generator the rule is defined with (ruff's NPY002 flags only np.random.<fn>)
    stream = np.random.RandomState(seed)
    return [
        (stream.randn(n_out, n_in) * 0.1, stream.randn(n_out, 1) * 0.1)
        for n_in, n_out in pairwise(sizes)
    ]


def forward(layers: list[Layer], activations, X: NDArray) -> tuple[list[NDArray], list[NDArray]]:
    """Every layer's input and pre-activation: ``inputs[l]`` is A_l (A_0 = X, the last one is
    the prediction P), ``pre[l]`` is Z_{l+1}."""
    inputs, pre = [X], []
    for (W, b), name in zip(layers, activations, strict=True):
        pre.append(W @ inputs[-1] + b)
        inputs.append(FUNCTIONS[name](pre[-1]))
    return inputs, pre


def cost(P: NDArray, Y: NDArray) -> float:
    """Mean binary cross-entropy of predictions P (1, m) against labels Y (1, m)."""
    return float(-np.mean(Y * np.log(P) + (1.0 - Y) * np.log(1.0 - P)))


def accuracy(P: NDArray, Y: NDArray) -> float:
    """Fraction of samples whose thresholded prediction (p > 0.5) equals the label."""
    return float(np.mean((P > 0.5) == (Y == 1.0)))


def gradients(
    layers: list[Layer], activations, inputs: list[NDArray], pre: list[NDArray], Y: NDArray
) -> list[Layer]:
    """(dJ/dW, dJ/db) of every layer by backpropagation, from ``forward``'s lists."""
    m = Y.shape[1]
    P = inputs[-1]
    upstream = (1.0 - Y) / (1.0 - P) - Y / P  # m * dJ/dP
    grads: list[Layer] = []
    for index in reversed(range(len(layers))):
        dZ = upstream * DERIVATIVES[activations[index]](pre[index])
        grads.append((dZ @ inputs[index].T / m, dZ.sum(axis=1, keepdims=True) / m))
        upstream = layers[index][0].T @ dZ
    return grads[::-1]


def descend(layers: list[Layer], grads: list[Layer], learning_rate: float) -> list[Layer]:
    """One plain gradient-descent step; new arrays, the old ones are left alone."""
    return [
        (W - learning_rate * dW, b - learning_rate * db)
        for (W, b), (dW, db) in zip(layers, grads, strict=True)
    ]


def run(X: NDArray, Y: NDArray, sizes, activations, epochs: int, learning_rate: float, seed: int):
    """Full-batch gradient descent from the article's initialisation. Returns the final layers
    and, per epoch, the cost and accuracy of the forward pass that made that epoch's step."""
    layers = initial_layers(sizes, seed)
    costs, accuracies = [], []
    for _ in range(epochs):
        inputs, pre = forward(layers, activations, X)
        costs.append(cost(inputs[-1], Y))
        accuracies.append(accuracy(inputs[-1], Y))
        layers = descend(layers, gradients(layers, activations, inputs, pre, Y), learning_rate)
    return layers, costs, accuracies
