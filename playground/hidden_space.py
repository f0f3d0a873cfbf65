"""The hidden space: the plane as a layer of the network sees it (computed in the worker).

A grid of lines over the data plot's view (HIDDEN_LINES in each direction, HIDDEN_SAMPLES
points along each) and the training points go through the network in one batched forward
pass. Every layer then places them in two dimensions: the input layer as the plane itself, a
2-unit layer directly, the chosen layer by the two units the user picked, any other layer by
its top two principal components over the training points (NumPy's SVD of the centred
activations; each component's sign is kept consistent from frame to frame). Drawing the lines
of consecutive layers, one morphing into the next, shows how the network folds the plane until
the classes come apart. Qt-free.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

HIDDEN_LINES = 30  # grid lines in each direction
HIDDEN_SAMPLES = 48  # points along each line
MAX_DATA_POINTS = 1000  # training points mapped (a fixed subsample beyond that)

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class HiddenSpaceRequest:
    """What the hidden-space view wants: whether it is shown, and for which layer (0 = the
    input plane, 1 = the first hidden layer, ...) which two units (None: PCA)."""

    shown: bool = False
    layer: int = 0
    units: tuple[int, int] | None = None


@dataclass(frozen=True)
class HiddenSpaceFrame:
    """Every layer's 2-D picture of the grid lines and the training points.

    Attributes
    ----------
    grid : tuple of ndarray (n_lines * HIDDEN_SAMPLES, 2)
        Per layer (input first, then each hidden layer), the grid points' coordinates; lines
        are consecutive runs of HIDDEN_SAMPLES points.
    points : tuple of ndarray (n_points, 2)
        Per layer, the training points' coordinates.
    labels : ndarray of int64 (n_points,)
    probability : ndarray of float32 (n_lines * HIDDEN_SAMPLES,)
        P(class 1) at each grid point (for colouring).
    axes : tuple of (str, str)
        Per layer, what its two coordinates are ("x1", "unit 3", "PC1 (62 %)", ...).
    """

    grid: tuple[NDArray[np.float64], ...]
    points: tuple[NDArray[np.float64], ...]
    labels: NDArray[np.int64]
    probability: NDArray[np.float32]
    axes: tuple[tuple[str, str], ...]


def grid_lines(rect: Rect) -> NDArray[np.float64]:
    """The grid lines over ``rect``: HIDDEN_LINES horizontal then HIDDEN_LINES vertical lines,
    each HIDDEN_SAMPLES points long, as one (2 * HIDDEN_LINES * HIDDEN_SAMPLES, 2) array."""
    x0, y0, x1, y1 = rect
    along_x = np.linspace(x0, x1, HIDDEN_SAMPLES)
    along_y = np.linspace(y0, y1, HIDDEN_SAMPLES)
    xs = np.linspace(x0, x1, HIDDEN_LINES)
    ys = np.linspace(y0, y1, HIDDEN_LINES)
    horizontal = np.stack(np.meshgrid(along_x, ys), axis=-1).reshape(-1, 2)
    vertical = np.stack(np.meshgrid(xs, along_y, indexing="ij"), axis=-1).reshape(-1, 2)
    return np.concatenate([horizontal, vertical])


def principal_components(
    activations: NDArray, reference: NDArray | None = None
) -> tuple[NDArray, NDArray, NDArray]:
    """The top two principal directions of ``activations`` (n, units), its mean and the
    shares of variance they explain.

    Signs: each direction is flipped to agree with ``reference`` (the previous frame's) when
    given, else so that its largest entry is positive.
    """
    mean = activations.mean(axis=0)
    _, singular, vt = np.linalg.svd(activations - mean, full_matrices=False)
    components = vt[:2].copy()
    if len(components) < 2:  # a 1-unit layer: the second axis is flat
        components = np.vstack([components, np.zeros_like(components[0])])
        singular = np.concatenate([singular, [0.0]])
    for k in range(2):
        if reference is not None and reference.shape == components.shape:
            flip = float(components[k] @ reference[k]) < 0
        else:
            flip = components[k][np.argmax(np.abs(components[k]))] < 0
        if flip:
            components[k] = -components[k]
    variance = singular**2
    shares = variance[:2] / variance.sum() if variance.sum() > 0 else np.zeros(2)
    return components, mean, shares


def hidden_space_frame(
    activations_grid: list[NDArray],
    activations_points: list[NDArray],
    grid: NDArray,
    points: NDArray,
    labels: NDArray,
    request: HiddenSpaceRequest,
    references: dict[int, NDArray],
) -> HiddenSpaceFrame:
    """Place the grid and the points in 2-D for every layer (see the module docstring).

    Parameters
    ----------
    activations_grid, activations_points : list of ndarray
        ``Network.forward_layers`` of the grid points and of the training points: each hidden
        layer, then the output probability.
    grid, points : ndarray (n, 2)
        The inputs of those passes.
    labels : ndarray (n_points,)
    request : HiddenSpaceRequest
    references : dict
        Per layer, the principal directions of the previous frame (updated in place), so
        that the picture does not flip sign between frames.
    """
    layers_grid = [grid, *activations_grid[:-1]]
    layers_points = [points, *activations_points[:-1]]
    placed_grid, placed_points, axes = [], [], []
    for index, (on_grid, on_points) in enumerate(zip(layers_grid, layers_points, strict=True)):
        units = on_grid.shape[1]
        if index == 0:
            chosen, names = (0, 1), ("x1", "x2")
        elif index == request.layer and request.units is not None:
            chosen = request.units
            names = (f"unit {chosen[0]}", f"unit {chosen[1]}")
        elif units == 2:
            chosen, names = (0, 1), ("unit 0", "unit 1")
        else:
            chosen = None
        if chosen is not None:
            placed_grid.append(np.asarray(on_grid[:, list(chosen)], dtype=np.float64))
            placed_points.append(np.asarray(on_points[:, list(chosen)], dtype=np.float64))
            axes.append(names)
            continue
        fit = np.asarray(on_points if len(on_points) >= 3 else on_grid, dtype=np.float64)
        components, mean, shares = principal_components(fit, references.get(index))
        references[index] = components
        placed_grid.append((np.asarray(on_grid, dtype=np.float64) - mean) @ components.T)
        placed_points.append((np.asarray(on_points, dtype=np.float64) - mean) @ components.T)
        axes.append((f"PC1 ({shares[0]:.0%})", f"PC2 ({shares[1]:.0%})"))
    return HiddenSpaceFrame(
        grid=tuple(placed_grid),
        points=tuple(placed_points),
        labels=np.asarray(labels, dtype=np.int64),
        probability=np.asarray(activations_grid[-1][:, 0], dtype=np.float32),
        axes=tuple(axes),
    )


def subsample(X: NDArray, y: NDArray, limit: int = MAX_DATA_POINTS) -> tuple[NDArray, NDArray]:
    """At most ``limit`` of the points, evenly spread over the set (deterministic)."""
    if len(X) <= limit:
        return X, y
    keep = np.linspace(0, len(X) - 1, limit).astype(np.int64)
    return X[keep], y[keep]
