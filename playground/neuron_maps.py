"""What the network panel draws, computed in the worker: neuron maps, shown weights, layer health.

One batched forward pass over the grid of the data plot's view (the pass that also makes the
decision map) gives every unit's activation at every grid cell. For the units on screen (all
of a layer up to MAX_SHOWN_UNITS, else the MAX_SHOWN_UNITS with the largest outgoing weight
norm) the 100x100 activations are block-averaged into THUMBNAIL x THUMBNAIL neuron maps; the
weights between shown units and their biases travel along, so the panel draws exact values
without ever touching the live network. Qt-free: it runs on the worker's grid thread.
"""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

import nn_engine

GRID_CELLS = 100  # the decision map and the neuron maps are computed on this grid ...
THUMBNAIL = 25  # a neuron map is THUMBNAIL cells on a side (blocks of the grid averaged)
# ... unless the network is so wide that one pass over 100 x 100 points would cost more than
# these multiply-adds: then the grid has 50 or 25 cells a side (THUMBNAIL divides each). While
# training, a map must take a few milliseconds of the grid thread for 20 maps a second beside
# the training (a 10 x 256 network on 100 x 100 points is 5.9 G multiply-adds, ~0.2 s); when
# paused, one map may take longer.
GRID_CELL_CHOICES = (100, 50, 25)
TRAINING_GRID_BUDGET = 300e6
PAUSED_GRID_BUDGET = 4e9
MAX_SHOWN_UNITS = 16
# The range each activation's colour scale covers: sequential for sigmoid and ReLU (0 to the
# top), diverging around 0 for tanh and linear.
FIXED_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerFrame:
    """One layer of the network as the panel shows it (arrays are copies).

    Attributes
    ----------
    activation : str
    units : int
        The layer's width; ``shown`` may list fewer.
    shown : ndarray of int64, shape (k,)
        The units drawn, ascending.
    maps : ndarray of float32, shape (k, THUMBNAIL, THUMBNAIL)
        Each shown unit's activation over the view (row 0 at the bottom, as the grid).
    value_range : (low, high)
        The range of the colour scale of this layer's maps.
    mean_activation : ndarray of float64, shape (k,)
        Each shown unit's mean activation over the view.
    weights : ndarray of float64, shape (k, k_previous)
        The weights from the previous layer's shown units (or the inputs) to the shown units.
    biases : ndarray of float64, shape (k,)
    weight_norm : float
        Frobenius norm of the whole weight matrix.
    full_weights : ndarray of float64, shape (units, previous units), or None
        The whole matrix, when the panel asked for this layer's heatmap.
    """

    activation: str
    units: int
    shown: NDArray[np.int64]
    maps: NDArray[np.float32]
    value_range: tuple[float, float]
    mean_activation: NDArray[np.float64]
    weights: NDArray[np.float64]
    biases: NDArray[np.float64]
    weight_norm: float
    full_weights: NDArray[np.float64] | None


@dataclass(frozen=True)
class NetworkFrame:
    """The inside of the network over one view (see the module docstring).

    Attributes
    ----------
    input_maps : ndarray of float32, shape (n_inputs, THUMBNAIL, THUMBNAIL)
        Each input feature over the view.
    input_range : (low, high)
        Colour range of the input maps (symmetric around 0).
    layers : tuple of LayerFrame
        Hidden layers, then the output unit.
    focus : (layer, unit, map) or None
        The full map (the grid's cells a side) of the unit the pointer is on, for the data plot.
    dead_units : tuple of (float or None) or None
        Per layer, the share of ReLU units never positive on the training points
        (``Network.dead_units``; None for other activations); None when not counted this time.
    """

    input_maps: NDArray[np.float32]
    input_range: tuple[float, float]
    layers: tuple[LayerFrame, ...]
    focus: tuple[int, int, NDArray[np.float32]] | None
    dead_units: tuple[float | None, ...] | None = None


def grid_points(rect: Rect, cells: int = GRID_CELLS) -> NDArray[np.float32]:
    """Cell centres of a ``cells`` x ``cells`` grid over ``rect``, row by row from the bottom."""
    x0, y0, x1, y1 = rect
    xs = x0 + (np.arange(cells) + 0.5) * ((x1 - x0) / cells)
    ys = y0 + (np.arange(cells) + 0.5) * ((y1 - y0) / cells)
    grid_x, grid_y = np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def multiply_adds_per_point(architecture: list[dict]) -> int:
    """The multiply-adds of one point's forward pass (the weights' count)."""
    return sum(int(layer["input_dim"]) * int(layer["output_dim"]) for layer in architecture)


def grid_cells(architecture: list[dict], running: bool) -> int:
    """Cells a side of the grid for this network: the finest of GRID_CELL_CHOICES whose pass
    stays within the training (or paused) budget, at least the coarsest."""
    budget = TRAINING_GRID_BUDGET if running else PAUSED_GRID_BUDGET
    per_point = multiply_adds_per_point(architecture)
    for cells in GRID_CELL_CHOICES:
        if cells * cells * per_point <= budget:
            return cells
    return GRID_CELL_CHOICES[-1]


def block_average(values: NDArray, cells: int = GRID_CELLS, size: int = THUMBNAIL) -> NDArray:
    """(cells * cells, k) values on the grid -> (k, size, size) averages of square blocks."""
    block = cells // size
    k = values.shape[1]
    grid = values.reshape(size, block, size, block, k)
    return np.ascontiguousarray(grid.mean(axis=(1, 3)).transpose(2, 0, 1), dtype=np.float32)


def shown_units(outgoing: NDArray | None, units: int, limit: int = MAX_SHOWN_UNITS) -> NDArray:
    """The units to draw: all up to ``limit``, else those with the largest outgoing weight
    norm (``outgoing`` is the next layer's (next units, units) matrix), ascending."""
    if units <= limit or outgoing is None:
        return np.arange(min(units, limit), dtype=np.int64)
    strength = np.einsum("ij,ij->j", outgoing, outgoing)
    chosen = np.argpartition(-strength, limit - 1)[:limit]
    return np.sort(chosen).astype(np.int64)


def value_range(activation: str, maps: NDArray) -> tuple[float, float]:
    """The colour range of a layer's maps: fixed for sigmoid and tanh, else from the data
    (0 to the top for ReLU, symmetric around 0 for linear and leaky ReLU)."""
    if activation in FIXED_RANGES:
        return FIXED_RANGES[activation]
    top = float(np.max(np.abs(maps))) if maps.size else 1.0
    top = top if np.isfinite(top) and top > 0 else 1.0
    return (0.0, top) if activation == "relu" else (-top, top)


def feature_map(name: str, rect: Rect, cells: int = THUMBNAIL) -> NDArray[np.float32]:
    """The feature ``name`` over ``rect``: its value at the centre of each of ``cells`` x
    ``cells`` cells (row 0 at the bottom, as the grid), computed in float64, as float32.

    Non-finite values (``log(x1)`` where x1 <= 0) stay NaN or inf; the panel draws them grey.
    Cheap (625 values) and a function of the view only: the network panel computes it in the
    GUI thread when the view changes, never per frame.
    """
    # The cell centres as grid_points places them, but in float64 (exact values).
    x0, y0, x1, y1 = rect
    xs = x0 + (np.arange(cells) + 0.5) * ((x1 - x0) / cells)
    ys = y0 + (np.arange(cells) + 0.5) * ((y1 - y0) / cells)
    points_x, points_y = np.meshgrid(xs, ys)
    values = nn_engine.parse_feature(name)(points_x.ravel(), points_y.ravel())
    values = np.broadcast_to(np.asarray(values, dtype=np.float64), (cells * cells,))
    return values.reshape(cells, cells).astype(np.float32)


def network_frame(
    activations: list[NDArray],
    params: list[dict[str, NDArray]],
    architecture: list[dict],
    inputs: NDArray,
    focus: tuple[int, int] | None = None,
    heatmaps: frozenset[int] = frozenset(),
    dead_units: tuple[float | None, ...] | None = None,
) -> NetworkFrame:
    """Build the panel's frame from one forward pass over the grid.

    Parameters
    ----------
    activations : list of ndarray (cells**2, units)
        ``Network.forward_layers`` of the grid points (a square grid of ``cells`` a side, a
        multiple of THUMBNAIL): every hidden layer, then the output probability.
    params : list of {"W", "b"}
        The weights the activations were computed with.
    architecture : list of dict
        The article's layer list (activations by name).
    inputs : ndarray (cells**2, n_inputs)
        The input features at the grid points.
    focus : (layer, unit) or None
        A unit whose full map the data plot wants (layer indexes ``activations``).
    heatmaps : set of int
        Layers whose whole weight matrix the panel shows.
    """
    cells = math.isqrt(len(inputs))
    input_maps = block_average(inputs, cells)
    top = float(np.max(np.abs(input_maps))) if input_maps.size else 1.0
    layers = []
    # The first layer's inputs are the network's features (all drawn), not the points.
    previous_shown = np.arange(np.shape(params[0]["W"])[1], dtype=np.int64)
    for index, (values, layer, spec) in enumerate(
        zip(activations, params, architecture, strict=True)
    ):
        units = values.shape[1]
        outgoing = params[index + 1]["W"] if index + 1 < len(params) else None
        shown = shown_units(outgoing, units)
        maps = block_average(values[:, shown], cells)
        activation = spec["activation"]
        W = np.asarray(layer["W"], dtype=np.float64)
        layers.append(
            LayerFrame(
                activation=activation,
                units=units,
                shown=shown,
                maps=maps,
                value_range=value_range(activation, maps),
                mean_activation=values[:, shown].mean(axis=0, dtype=np.float64),
                weights=W[np.ix_(shown, previous_shown)],
                biases=np.asarray(layer["b"], dtype=np.float64)[shown],
                weight_norm=float(np.linalg.norm(W)),
                full_weights=W.copy() if index in heatmaps else None,
            )
        )
        previous_shown = shown
    focus_map = None
    if focus is not None:
        layer_index, unit = focus
        if 0 <= layer_index < len(activations) and 0 <= unit < activations[layer_index].shape[1]:
            column = activations[layer_index][:, unit]
            focus_map = (
                layer_index,
                unit,
                column.reshape(cells, cells).astype(np.float32),
            )
    span = (-max(top, 1e-12), max(top, 1e-12))
    return NetworkFrame(input_maps, span, tuple(layers), focus_map, dead_units)


def forward_on_grid(
    grid_net: "nn_engine.Network",
    params: list[dict[str, NDArray]],
    rect: Rect,
    cells: int = GRID_CELLS,
) -> tuple[list[NDArray], NDArray]:
    """Every layer's activations at the ``cells`` x ``cells`` grid points of ``rect``
    (float32), and the points."""
    points = grid_points(rect, cells)
    with np.errstate(all="ignore"):
        grid_net.set_params(params)
        activations = grid_net.forward_layers(points)
        if not all(np.isfinite(a).all() for a in activations):
            # Huge weights (on the way to a divergence) overflow float32: recompute in float64.
            exact = nn_engine.Network(
                grid_net.architecture, features=grid_net.features, dtype=np.float64
            )
            exact.set_params(params)
            activations = [a.astype(np.float32) for a in exact.forward_layers(points)]
    return activations, points
