"""Binary cross-entropy and accuracy, the article's two metrics.

The loss is computed from the output layer's logits ``z`` rather than from the probabilities
``p = sigmoid(z)``: ``-[y log p + (1 - y) log(1 - p)] = max(z, 0) - z y + log(1 + exp(-|z|))``.
This is the same number as the article's ``get_cost_value`` wherever that one is finite, and it
never takes ``log(0)``, so a confident wrong answer costs a large finite loss instead of inf.
Its gradient with respect to ``z`` is simply ``p - y`` (no division by ``p (1 - p)``).
"""

import numpy as np
from numpy.typing import NDArray


def binary_cross_entropy(logits: NDArray, y: NDArray) -> float:
    """Mean binary cross-entropy of the sigmoid of ``logits`` against labels ``y``.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, 1) or (n_samples,)
        Pre-activations of the sigmoid output unit.
    y : ndarray of the same shape
        Labels, 0 or 1, in the logits' dtype.

    Returns
    -------
    float
    """
    loss = np.maximum(logits, 0)
    loss -= logits * y
    loss += np.log1p(np.exp(-np.abs(logits)))
    return float(loss.mean())


def accuracy(p: NDArray, y: NDArray) -> float:
    """Fraction of samples where ``p > 0.5`` equals the label (the article's rule).

    Parameters
    ----------
    p : ndarray of shape (n_samples, 1) or (n_samples,)
        Probabilities of class 1.
    y : ndarray of the same shape
        Labels, 0 or 1.
    """
    return float(np.mean((p > 0.5) == (y > 0.5)))
