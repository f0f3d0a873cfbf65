"""PointSet: read-only arrays, counts, train/test views, nearest, refusal of bad data."""

import numpy as np
import pytest

from playground.state import (
    COORDINATE_LIMIT,
    AddPoints,
    InsertPoints,
    PointSet,
    ReplacePoints,
    apply_command,
)


def make_points() -> PointSet:
    X = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [3.0, 3.0], [-1.0, -1.0]]
    return PointSet(X, labels=[0, 1, 1, 0, 1], is_test=[False, False, True, True, False])


def test_empty_point_set() -> None:
    points = PointSet()
    assert len(points) == 0
    assert points.X.shape == (0, 2) and points.X.dtype == np.float64
    assert points.labels.shape == (0,) and points.labels.dtype == np.int64
    assert points.is_test.shape == (0,) and points.is_test.dtype == np.bool_
    assert points.version == 0
    assert points.counts() == {"train": (0, 0), "test": (0, 0)}


def test_arrays_are_read_only_copies_of_the_input() -> None:
    X = np.array([[1.0, 2.0]])
    labels = np.array([1])
    points = PointSet(X, labels)
    X[0, 0] = 99.0
    labels[0] = 0
    assert points.X.tolist() == [[1.0, 2.0]]
    assert points.labels.tolist() == [1]
    for array in (points.X, points.labels, points.is_test):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0


def test_is_test_defaults_to_training_points() -> None:
    points = PointSet([[1, 2], [3, 4]], [0, 1])
    assert points.is_test.tolist() == [False, False]
    assert points.X.dtype == np.float64  # integer coordinates are converted


def test_counts_per_split_and_class() -> None:
    assert make_points().counts() == {"train": (1, 2), "test": (1, 1)}


def test_train_and_test_data_are_writable_copies() -> None:
    points = make_points()
    X_train, y_train = points.train_data()
    X_test, y_test = points.test_data()
    assert X_train.tolist() == [[0.0, 0.0], [1.0, 0.0], [-1.0, -1.0]]
    assert y_train.tolist() == [0, 1, 1]
    assert X_test.tolist() == [[0.0, 1.0], [3.0, 3.0]]
    assert y_test.tolist() == [1, 0]
    X_train[0, 0] = 42.0  # writable, and not the point set's own memory
    assert points.X[0, 0] == 0.0


def test_nearest_returns_the_indices_within_the_radius_in_order() -> None:
    points = make_points()
    assert points.nearest(0.0, 0.0, 1.0).tolist() == [0, 1, 2]  # distance exactly 1 counts
    assert points.nearest(0.0, 0.0, 0.5).tolist() == [0]
    assert points.nearest(10.0, 10.0, 1.0).tolist() == []
    assert points.nearest(0.0, 0.0, 1.0).dtype == np.int64


def test_nearest_with_separate_x_and_y_radii() -> None:
    points = make_points()
    # An ellipse 1.5 wide along x and 0.5 high along y reaches (1, 0) but not (0, 1).
    assert points.nearest(0.0, 0.0, (1.5, 0.5)).tolist() == [0, 1]


def test_nearest_on_an_empty_set() -> None:
    assert PointSet().nearest(0.0, 0.0, 1.0).tolist() == []


@pytest.mark.parametrize(
    ("radius", "message"),
    [
        (0.0, "radius must be > 0, got 0.0."),
        (-1.0, "radius must be > 0, got -1.0."),
        (float("nan"), "radius must be a finite number, got nan."),
        ((1.0, 2.0, 3.0), r"radius must be a number or a pair \(rx, ry\), got \(1.0, 2.0, 3.0\)."),
    ],
)
def test_nearest_refuses_bad_radii(radius: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        make_points().nearest(0.0, 0.0, radius)


@pytest.mark.parametrize(
    ("X", "labels", "is_test", "error", "message"),
    [
        ([[0, 0, 0]], [0], None, ValueError, r"X must have shape \(k, 2\), got \(1, 3\)."),
        ([0.0, 1.0], [0], None, ValueError, r"X must have shape \(k, 2\), got \(2,\)."),
        (
            [[0.0, 1.0], [np.nan, 2.0]],
            [0, 1],
            None,
            ValueError,
            r"X must contain only finite numbers, got \[nan, 2.0\] at row 1.",
        ),
        (
            [[0.0, np.inf]],
            [0],
            None,
            ValueError,
            r"X must contain only finite numbers, got \[0.0, inf\] at row 0.",
        ),
        ([["a", "b"]], [0], None, TypeError, "X must hold real numbers, got dtype <U1."),
        ([[0.0, 1.0]], [2], None, ValueError, "labels must be 0 or 1, got 2 at index 0."),
        ([[0.0, 1.0]], [0.5], None, ValueError, "labels must be 0 or 1, got 0.5 at index 0."),
        (
            [[0.0, 1.0]],
            [0, 1],
            None,
            ValueError,
            r"labels must have shape \(1,\) to match X, got \(2,\).",
        ),
        (
            [[0.0, 1.0]],
            [1],
            [2],
            ValueError,
            r"is_test must be True or False \(0 or 1\), got 2 at index 0.",
        ),
        ([[0.0, 1.0]], None, None, ValueError, "labels must be given for 1 points, got None."),
    ],
)
def test_constructor_refuses_bad_data(
    X: object, labels: object, is_test: object, error: type, message: str
) -> None:
    with pytest.raises(error, match=f"^{message}$"):
        PointSet(X, labels, is_test)


def test_coordinates_up_to_the_shared_limit_are_accepted_and_beyond_refused() -> None:
    assert COORDINATE_LIMIT == 1e6
    edge = [[COORDINATE_LIMIT, -COORDINATE_LIMIT], [0.0, 0.0]]
    assert PointSet(edge, [0, 1]).X.tolist() == edge
    for bad in ([[0.0, 0.0], [1e6 + 1, 0.0]], [[0.0, 0.0], [0.0, -1e308]]):
        with pytest.raises(
            ValueError,
            match=r"^X must be within ±1e\+06 \(COORDINATE_LIMIT\), got \[.*\] at row 1\.$",
        ):
            PointSet(bad, [0, 1])


def test_commands_refuse_points_beyond_the_limit_and_change_nothing() -> None:
    points = make_points()
    before = points.X.tolist()
    for command in (
        lambda: AddPoints([[0.0, 2e6]], [1]),
        lambda: InsertPoints([0], [[3e38, 0.0]], [1], [False]),
    ):
        with pytest.raises(ValueError, match=r"^X must be within ±1e\+06 \(COORDINATE_LIMIT\)"):
            apply_command(points, command())
    assert points.X.tolist() == before and points.version == 0


def test_float_labels_that_are_exactly_zero_or_one_are_accepted() -> None:
    assert PointSet([[0, 0], [1, 1]], [0.0, 1.0]).labels.tolist() == [0, 1]


def test_equality_compares_content_not_version() -> None:
    a, b = make_points(), make_points()
    apply_command(b, AddPoints(np.empty((0, 2)), []))  # bumps the version, changes nothing
    assert b.version == 1 and a.version == 0
    assert a == b
    assert a != PointSet()
    assert a.copy() == a and a.copy() is not a


def test_repr_gives_the_counts() -> None:
    assert repr(make_points()) == "PointSet(5 points: train 1/2, test 1/1 of class 0/1)"


def test_counts_follow_every_change_and_cannot_be_changed_from_outside() -> None:
    points = make_points()
    counts = points.counts()
    counts["train"] = (99, 99)  # a copy: the point set's own stays right
    assert points.counts() == {"train": (1, 2), "test": (1, 1)}
    apply_command(points, AddPoints([[0.0, 0.0], [1.0, 1.0]], [1, 0], [False, True]))
    assert points.counts() == {"train": (1, 3), "test": (2, 1)}
    apply_command(points, ReplacePoints.clear())
    assert points.counts() == {"train": (0, 0), "test": (0, 0)}
