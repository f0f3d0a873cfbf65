"""Which points lie near a segment, without measuring the distance to every point.

The eraser sweeps a disc along each mouse move; over 100k points a scan of all of them costs
more than the 50 ms a move may take once the points are hidden and redrawn. A `PointGrid`
sorts the points into square cells once (when the points change and the eraser is used), and a
query looks only at the cells the swept disc can reach: O(cells + candidates) per move.
`segment_distances` is the exact test that the candidates then go through; the eraser applies
it in screen pixels, so what it erases does not depend on the index.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

_CELL_BITS = 30  # cell numbers per axis stay below 2**30: a key (x << 31 | y) fits in int64
# A point within r of the segment lies in a cell whose centre is within r + half the cell's
# diagonal (0.7071 cells) of it; the extra 1e-4 absorbs rounding in the cell numbers.
_HALF_DIAGONAL = 0.7072


def segment_distances(
    points: NDArray[np.float64], a: ArrayLike, b: ArrayLike
) -> NDArray[np.float64]:
    """Euclidean distance of each point to the segment from ``a`` to ``b``.

    Element-wise NumPy only (no matrix products, whose rounding may depend on the array's
    length), so a point's distance is the same whether it is measured alone or among all.

    Parameters
    ----------
    points : (n, 2) float64 array
    a, b : (2,) array_like
        The segment's ends; equal ends make it a point.

    Returns
    -------
    (n,) float64 array
    """
    ax, ay = float(a[0]), float(a[1])
    abx, aby = float(b[0]) - ax, float(b[1]) - ay
    dx, dy = points[:, 0] - ax, points[:, 1] - ay
    length2 = abx * abx + aby * aby
    if length2 == 0.0:
        return np.hypot(dx, dy)
    t = np.clip((dx * abx + dy * aby) / length2, 0.0, 1.0)
    return np.hypot(dx - t * abx, dy - t * aby)


class PointGrid:
    """Points sorted into the square cells of a grid, to find those near a segment quickly.

    Parameters
    ----------
    X : (n, 2) float64 array
        The points (data coordinates); the grid keeps no reference to it.
    cell : float
        The cells' side, > 0; about the query radius is best. Made larger where the points
        spread over more than 2**30 cells.

    Raises
    ------
    ValueError
        For a bad shape, non-finite points or a cell that is not > 0.
    """

    def __init__(self, X: ArrayLike, cell: float):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (n, 2), got {X.shape}.")
        if not np.isfinite(X).all():
            raise ValueError("X must be finite, got NaN or inf.")
        if not (np.isfinite(cell) and cell > 0):
            raise ValueError(f"cell must be > 0, got {cell!r}.")
        self.n_points = len(X)
        self.origin = X.min(axis=0) if len(X) else np.zeros(2)
        span = float((X.max(axis=0) - self.origin).max()) if len(X) else 0.0
        self.cell = max(float(cell), span / 2**_CELL_BITS)
        cells = np.floor((X - self.origin) / self.cell).astype(np.int64)
        self._last_cell = cells.max(axis=0) if len(X) else np.zeros(2, dtype=np.int64)
        keys = (cells[:, 0] << 31) | cells[:, 1]
        self._order = np.argsort(keys, kind="stable")
        self._keys = keys[self._order]

    def __repr__(self) -> str:
        return f"PointGrid({self.n_points} points, cell={self.cell:g})"

    def near_segment(self, a: ArrayLike, b: ArrayLike, radius: float) -> NDArray[np.int64]:
        """Indices of the points in the cells that reach within ``radius`` of the segment a-b.

        Every point within ``radius`` of the segment is among them (and usually some more: pass
        them through `segment_distances` for the exact answer).

        Parameters
        ----------
        a, b : (2,) array_like
            The segment's ends (data coordinates).
        radius : float
            >= 0.

        Returns
        -------
        (k,) int64 array, ascending.
        """
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        first = np.floor((np.minimum(a, b) - radius - self.origin) / self.cell)
        last = np.floor((np.maximum(a, b) + radius - self.origin) / self.cell)
        first = np.maximum(first, 0).astype(np.int64)
        last = np.minimum(last, self._last_cell).astype(np.int64)
        if self.n_points == 0 or (last < first).any():
            return np.empty(0, dtype=np.int64)
        if np.prod(last - first + 1, dtype=np.float64) > self.n_points:
            return np.arange(self.n_points, dtype=np.int64)  # a scan is cheaper
        ix, iy = np.meshgrid(
            np.arange(first[0], last[0] + 1), np.arange(first[1], last[1] + 1), indexing="ij"
        )
        ix, iy = ix.ravel(), iy.ravel()
        centres = self.origin + (np.column_stack([ix, iy]) + 0.5) * self.cell
        near = segment_distances(centres, a, b) <= radius + _HALF_DIAGONAL * self.cell
        keys = (ix[near] << 31) | iy[near]
        starts = np.searchsorted(self._keys, keys, side="left")
        counts = np.searchsorted(self._keys, keys, side="right") - starts
        starts, counts = starts[counts > 0], counts[counts > 0]
        total = int(counts.sum())
        # positions start, start + 1, ... of each run, all at once
        run_offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        return np.sort(self._order[np.arange(total) + run_offsets])
