"""Activation functions and their derivatives, side by side, in a registry.

As in the article, every activation comes with its backward function. Two choices keep the
training loop fast without making it harder to read:

* ``forward(Z, out)`` writes ``f(Z)`` into ``out``; passing ``out=Z`` works in place.
* ``backward(dA, A)`` turns the gradient with respect to the layer's output ``dA`` into the
  gradient with respect to its pre-activation ``dZ = dA * f'(Z)``, in place, and returns it.
  Every derivative here can be written with the output ``A = f(Z)`` alone (``relu'`` is
  ``A > 0``, ``sigmoid'`` is ``A (1 - A)``, ``tanh'`` is ``1 - A**2``), so ``Z`` need not be
  kept after the forward pass. The article's ``relu_backward(dA, Z)`` zeroes ``dA`` where
  ``Z <= 0``, which is where ``A <= 0``: the same numbers.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

LEAKY_RELU_SLOPE = 0.01


def relu(Z: NDArray, out: NDArray | None = None) -> NDArray:
    return np.maximum(Z, 0, out=out)


def relu_backward(dA: NDArray, A: NDArray) -> NDArray:
    # multiply by the 0/1 mask: no branch, no fancy-index write
    dA *= A > 0
    return dA


def sigmoid(Z: NDArray, out: NDArray | None = None) -> NDArray:
    # 1 / (1 + exp(-Z)) written as 0.5 (1 + tanh(Z / 2)): the same function, and exp never
    # overflows for large negative Z.
    out = np.multiply(Z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def sigmoid_backward(dA: NDArray, A: NDArray) -> NDArray:
    dA *= A
    dA *= 1 - A
    return dA


def tanh(Z: NDArray, out: NDArray | None = None) -> NDArray:
    return np.tanh(Z, out=out)


def tanh_backward(dA: NDArray, A: NDArray) -> NDArray:
    dA *= 1 - A * A
    return dA


def linear(Z: NDArray, out: NDArray | None = None) -> NDArray:
    if out is None:
        return Z.copy()
    if out is not Z:
        np.copyto(out, Z)
    return out


def linear_backward(dA: NDArray, A: NDArray) -> NDArray:
    return dA


def leaky_relu(Z: NDArray, out: NDArray | None = None) -> NDArray:
    # max(Z, slope * Z) is Z for Z > 0 and slope * Z otherwise, since 0 < slope < 1
    return np.maximum(Z, LEAKY_RELU_SLOPE * Z, out=out)


def leaky_relu_backward(dA: NDArray, A: NDArray) -> NDArray:
    # A has the sign of Z because the slope is positive
    dA *= np.where(A > 0, 1.0, LEAKY_RELU_SLOPE).astype(dA.dtype, copy=False)
    return dA


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"relu"``.
    forward : callable
        ``forward(Z, out=None) -> A``, elementwise ``f(Z)``; ``out`` may be ``Z`` itself.
    backward : callable
        ``backward(dA, A) -> dZ``, multiplies ``dA`` by ``f'(Z)`` in place, using ``A = f(Z)``.
    """

    name: str
    forward: Callable[..., NDArray]
    backward: Callable[[NDArray, NDArray], NDArray]

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", relu, relu_backward),
        Activation("sigmoid", sigmoid, sigmoid_backward),
        Activation("tanh", tanh, tanh_backward),
        Activation("linear", linear, linear_backward),
        Activation("leaky_relu", leaky_relu, leaky_relu_backward),
    )
}
