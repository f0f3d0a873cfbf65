"""Weight initialisation: the article's small random numbers, He, and Xavier (Glorot uniform).

Each initializer fills the layers in order, weights ``W`` of shape (output_dim, input_dim) and
biases ``b`` of shape (output_dim,), from a generator created once from the seed, so the same
seed always gives the same network.
"""

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

Shapes = Sequence[tuple[int, int]]  # (output_dim, input_dim) per layer
Params = list[tuple[NDArray, NDArray]]


def article_init(shapes: Shapes, seed: int) -> Params:
    """The article's ``init_layers``: ``randn * 0.1`` for W and b, from ``RandomState(seed)``."""
    rng = np.random.RandomState(seed)
    params = []
    for output_dim, input_dim in shapes:
        W = rng.randn(output_dim, input_dim) * 0.1
        b = rng.randn(output_dim, 1) * 0.1
        params.append((W, b[:, 0]))
    return params


def he_init(shapes: Shapes, seed: int) -> Params:
    """He et al. (2015): ``W ~ N(0, 2 / input_dim)``, zero biases; suited to ReLU layers."""
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((out_dim, in_dim)) * np.sqrt(2.0 / in_dim), np.zeros(out_dim))
        for out_dim, in_dim in shapes
    ]


def xavier_init(shapes: Shapes, seed: int) -> Params:
    """Glorot & Bengio (2010), uniform: ``W ~ U(-a, a)``, ``a = sqrt(6 / (in + out))``."""
    rng = np.random.default_rng(seed)
    params = []
    for out_dim, in_dim in shapes:
        limit = np.sqrt(6.0 / (in_dim + out_dim))
        params.append((rng.uniform(-limit, limit, (out_dim, in_dim)), np.zeros(out_dim)))
    return params


INITIALIZERS: dict[str, Callable[[Shapes, int], Params]] = {
    "seed": article_init,
    "he": he_init,
    "xavier": xavier_init,
}
