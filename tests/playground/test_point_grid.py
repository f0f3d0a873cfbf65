"""PointGrid: the eraser's index finds exactly the points a full scan finds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.widgets.point_grid import PointGrid, segment_distances


def brute_force(X: np.ndarray, a, b, radius: float) -> np.ndarray:
    """Indices within radius of the segment a-b, by projecting every point onto it."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ab = b - a
    denom = float(ab @ ab)
    t = np.zeros(len(X)) if denom == 0 else np.clip((X - a) @ ab / denom, 0.0, 1.0)
    distance = np.linalg.norm(X - (a + t[:, None] * ab), axis=1)
    return np.flatnonzero(distance <= radius)


def through_grid(grid: PointGrid, X: np.ndarray, a, b, radius: float) -> np.ndarray:
    candidates = grid.near_segment(a, b, radius)
    return candidates[segment_distances(X[candidates], a, b) <= radius]


coordinate = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 400),
    spread=st.sampled_from([1e-3, 1.0, 50.0, 1e6]),
    a=st.tuples(coordinate, coordinate),
    step=st.tuples(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0)),
    radius=st.floats(0.0, 2.0),
    cell=st.floats(1e-4, 10.0),
)
def test_grid_finds_exactly_what_a_full_scan_finds(seed, n, spread, a, step, radius, cell):
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=spread, size=(n, 2))
    X[: n // 4] = np.round(X[: n // 4])  # some points on cell borders and on each other
    a = np.array(a) / 1e3 * spread
    b = a + np.array(step) * max(spread, 1.0) / 3
    scale = radius * max(spread, 1.0) / 2
    grid = PointGrid(X, cell * max(spread, 1.0))

    expected = brute_force(X, a, b, scale)
    candidates = grid.near_segment(a, b, scale)
    assert candidates.dtype == np.int64
    assert np.all(np.diff(candidates) > 0)  # ascending, no repeats
    # no point within reach is missed, whatever rounding the distances see at the border
    missed = np.setdiff1d(brute_force(X, a, b, scale * (1 - 1e-9)), candidates)
    assert missed.size == 0
    found = through_grid(grid, X, a, b, scale)
    far = np.abs(segment_distances(X, a, b) - scale) > 1e-9 * max(spread, 1.0)
    np.testing.assert_array_equal(found[far[found]], expected[far[expected]])


def test_grid_on_a_dense_cluster_looks_at_few_points():
    X = np.random.default_rng(1).uniform(0.0, 100.0, size=(100_000, 2))
    grid = PointGrid(X, 1.0)
    candidates = grid.near_segment((50.0, 50.0), (52.0, 50.0), 0.5)
    assert len(candidates) < 1_000  # ~4x2 cells of ~10 points each, not 100k
    np.testing.assert_array_equal(
        through_grid(grid, X, (50.0, 50.0), (52.0, 50.0), 0.5),
        brute_force(X, (50.0, 50.0), (52.0, 50.0), 0.5),
    )


def test_points_beyond_two_to_the_thirty_cells_are_still_found():
    X = np.array([[-1e6, -1e6], [1e6, 1e6], [0.0, 0.0], [1e-7, 0.0]])
    grid = PointGrid(X, 1e-9)  # far finer than 2e6 / 2**30 allows: the cell is widened
    assert grid.cell >= 2e6 / 2**30
    np.testing.assert_array_equal(grid.near_segment((0.0, 0.0), (0.0, 0.0), 1e-6), [2, 3])
    np.testing.assert_array_equal(grid.near_segment((1e6, 1e6), (1e6, 1e6), 1e-3), [1])


def test_an_empty_grid_and_a_segment_outside_find_nothing():
    assert PointGrid(np.empty((0, 2)), 1.0).near_segment((0, 0), (1, 1), 5.0).size == 0
    grid = PointGrid(np.array([[0.0, 0.0], [1.0, 1.0]]), 0.5)
    assert grid.near_segment((10.0, 10.0), (12.0, 10.0), 1.0).size == 0


@pytest.mark.parametrize(
    ("X", "cell", "message"),
    [
        (np.zeros((3, 3)), 1.0, r"X must have shape \(n, 2\), got \(3, 3\)\."),
        ([[0.0, np.nan]], 1.0, "X must be finite"),
        (np.zeros((2, 2)), 0.0, r"cell must be > 0, got 0\.0\."),
        (np.zeros((2, 2)), float("nan"), r"cell must be > 0, got nan\."),
    ],
)
def test_grid_refuses_bad_input(X, cell, message):
    with pytest.raises(ValueError, match=message):
        PointGrid(X, cell)


def test_segment_distances_of_a_point_and_of_a_segment():
    X = np.array([[0.0, 1.0], [3.0, 4.0], [-2.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(segment_distances(X, (0, 0), (0, 0)), [1.0, 5.0, 2.0, 1.0])
    np.testing.assert_allclose(segment_distances(X, (0, 0), (2, 0)), [1.0, np.hypot(1, 4), 2, 0])
