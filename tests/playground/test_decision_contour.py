"""The decision contour's end points sit on the level line: a property over random grids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from playground.widgets.data_plot import decision_contour

RECT = (-1.0, -2.0, 3.0, 4.0)


def centres(n: int, low: float, high: float) -> np.ndarray:
    """The padded grid's sample positions: the border, the cell centres, the border."""
    return np.concatenate(([low], low + (np.arange(n) + 0.5) * (high - low) / n, [high]))


def value_on_grid_lines(grid: np.ndarray, x: float, y: float) -> float:
    """The linear interpolation of the edge-padded grid at (x, y), which lies on a grid line
    through the sample positions (a vertical or a horizontal one)."""
    g = np.pad(grid, 1, mode="edge")
    xs, ys = centres(grid.shape[1], RECT[0], RECT[2]), centres(grid.shape[0], RECT[1], RECT[3])
    on_column = np.isclose(xs, x, rtol=0, atol=1e-9)
    if on_column.any():
        column = g[:, int(np.argmax(on_column))]
        return float(np.interp(y, ys, column))
    on_row = np.isclose(ys, y, rtol=0, atol=1e-9)
    assert on_row.any(), f"({x}, {y}) lies on no grid line"
    return float(np.interp(x, xs, g[int(np.argmax(on_row))]))


@settings(max_examples=60, deadline=None)
@given(
    grid=arrays(
        np.float64, st.tuples(st.integers(2, 12), st.integers(2, 12)),
        elements=st.floats(0.0, 1.0),
    ),
    level=st.sampled_from([0.5, 0.25, 0.8]),
)  # fmt: skip
def test_every_end_point_lies_on_the_level_line(grid, level):
    segments = decision_contour(grid, RECT, level)
    assert segments.shape[1:] == (2, 2)
    for x, y in segments.reshape(-1, 2):
        assert RECT[0] <= x <= RECT[2] and RECT[1] <= y <= RECT[3]
        assert abs(value_on_grid_lines(grid, x, y) - level) <= 1e-9
    # a grid entirely on one side of the level has no line
    if (grid >= level).all() or (grid < level).all():
        assert len(segments) == 0
    else:
        assert len(segments) > 0
