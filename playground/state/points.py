"""The labelled points of the data plot: coordinates, class labels and the train/test split.

A :class:`PointSet` is changed only by edit commands (see :mod:`playground.state.commands`), so
every change can be undone. It never mutates an array it has handed out: each change builds new
read-only arrays, which makes the arrays returned by :attr:`PointSet.X` and friends safe snapshots
that a worker thread or a session file can keep.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from playground.state.validation import check_float

COORDINATE_LIMIT = 1e6
"""Largest allowed ``|x|`` and ``|y|`` of a point, shared by painting, CSV import and session files.

Far inside float32's range (the engine may train in float32) and far beyond any data the
playground's views are made for; nn_engine's CSV reader uses the same bound.
"""


def as_coordinates(name: str, X: ArrayLike) -> NDArray[np.float64]:
    """Return ``X`` as a read-only ``(k, 2)`` float64 copy, refusing anything else.

    Parameters
    ----------
    name : str
        The name used in messages.
    X : array_like, shape (k, 2)
        Point coordinates; any real numeric dtype; every value finite, with
        ``|value| <= COORDINATE_LIMIT``.

    Returns
    -------
    ndarray of float64, shape (k, 2)

    Raises
    ------
    TypeError
        If ``X`` does not hold real numbers.
    ValueError
        If the shape is not ``(k, 2)``, or a value is NaN, infinite or beyond
        :data:`COORDINATE_LIMIT`.
    """
    array = _as_array(name, X)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}.")
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (k, 2), got {array.shape}.")
    result = array.astype(np.float64)  # always a copy: the caller keeps its own array
    not_finite = ~np.isfinite(result)
    if not_finite.any():
        row = int(np.flatnonzero(not_finite.any(axis=1))[0])
        raise ValueError(
            f"{name} must contain only finite numbers, got {result[row].tolist()} at row {row}."
        )
    too_far = np.abs(result) > COORDINATE_LIMIT
    if too_far.any():
        row = int(np.flatnonzero(too_far.any(axis=1))[0])
        raise ValueError(
            f"{name} must be within ±{COORDINATE_LIMIT:g} (COORDINATE_LIMIT), "
            f"got {result[row].tolist()} at row {row}."
        )
    result.setflags(write=False)
    return result


def as_labels(name: str, labels: ArrayLike, length: int) -> NDArray[np.int64]:
    """Return ``labels`` as a read-only ``(length,)`` int64 copy holding only 0 and 1.

    Floats are accepted when they are exactly 0.0 or 1.0 (a CSV or JSON round trip makes them).

    Raises
    ------
    TypeError
        If the dtype is not boolean, integer or floating.
    ValueError
        If the shape is not ``(length,)`` or a label is not 0 or 1.
    """
    return _as_zero_one(name, labels, length, np.int64, "0 or 1")


def as_test_flags(name: str, is_test: ArrayLike, length: int) -> NDArray[np.bool_]:
    """Return ``is_test`` as a read-only ``(length,)`` bool copy (0/1 integers are accepted).

    Raises
    ------
    TypeError
        If the dtype is not boolean, integer or floating.
    ValueError
        If the shape is not ``(length,)`` or a value is not True/False (0/1).
    """
    return _as_zero_one(name, is_test, length, np.bool_, "True or False (0 or 1)")


def as_indices(name: str, indices: ArrayLike) -> NDArray[np.int64]:
    """Return ``indices`` as a read-only 1-D int64 copy of unique, non-negative integers.

    The upper bound depends on the point set, so :func:`apply_command` checks it.

    Raises
    ------
    TypeError
        If the dtype is not an integer dtype (a boolean mask is refused, not guessed at).
    ValueError
        If ``indices`` is not 1-D, holds a negative value or a repeated one.
    """
    array = _as_array(name, indices)
    if array.size == 0:
        array = array.astype(np.int64)  # np.asarray([]) is float64; an empty list is fine
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}.")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}.")
    result = array.astype(np.int64)
    if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} must be < 2**63, got {int(array.max())}.")
    if result.size and result.min() < 0:
        raise ValueError(f"{name} must be >= 0, got {int(result.min())}.")
    values, counts = np.unique(result, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"{name} must be unique, got {int(values[counts > 1][0])} more than once.")
    result.setflags(write=False)
    return result


def _as_array(name: str, value: ArrayLike) -> np.ndarray:
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array, got {error}.") from None


def _as_zero_one(name: str, value: ArrayLike, length: int, dtype: type, rule: str) -> np.ndarray:
    array = _as_array(name, value)
    if array.size == 0 and array.dtype.kind == "f":
        array = array.astype(dtype)  # np.asarray([]) is float64
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold {rule}, got dtype {array.dtype}.")
    if array.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},) to match X, got {array.shape}.")
    bad = (array != 0) & (array != 1)  # NaN compares unequal to both, so it is refused too
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be {rule}, got {array[index].item()!r} at index {index}.")
    result = array.astype(dtype)
    result.setflags(write=False)
    return result


class PointSet:
    """Labelled 2-D points with a train/test split; the data the network learns from.

    Parameters
    ----------
    X : array_like, shape (n, 2), optional
        Coordinates, finite and within ``±COORDINATE_LIMIT``. Empty by default.
    labels : array_like, shape (n,), optional
        Class of each point, 0 or 1.
    is_test : array_like, shape (n,), optional
        True for test points. All False when omitted.

    Notes
    -----
    Change a point set with :func:`playground.state.apply_command` only. :attr:`version` grows
    by one on every applied command, so views can tell cheaply whether to redraw.
    """

    def __init__(
        self,
        X: ArrayLike | None = None,
        labels: ArrayLike | None = None,
        is_test: ArrayLike | None = None,
    ) -> None:
        X = as_coordinates("X", np.empty((0, 2)) if X is None else X)
        n = len(X)
        if labels is None:
            if n:
                raise ValueError(f"labels must be given for {n} points, got None.")
            labels = np.empty(0, np.int64)
        labels = as_labels("labels", labels, n)
        is_test = as_test_flags("is_test", np.zeros(n, bool) if is_test is None else is_test, n)
        self._X, self._labels, self._is_test = X, labels, is_test
        self._version = 0
        self._counts: dict[str, tuple[int, int]] | None = None  # of these arrays, once asked

    @property
    def X(self) -> NDArray[np.float64]:
        """Coordinates, shape (n, 2), float64, read-only."""
        return self._X

    @property
    def labels(self) -> NDArray[np.int64]:
        """Class of each point (0 or 1), shape (n,), int64, read-only."""
        return self._labels

    @property
    def is_test(self) -> NDArray[np.bool_]:
        """True for test points, shape (n,), bool, read-only."""
        return self._is_test

    @property
    def version(self) -> int:
        """A counter that increases on every change."""
        return self._version

    def __len__(self) -> int:
        return len(self._X)

    def __eq__(self, other: object) -> bool:
        """Same points, labels and split, in the same order (the version is not compared)."""
        if not isinstance(other, PointSet):
            return NotImplemented
        return (
            np.array_equal(self._X, other._X)
            and np.array_equal(self._labels, other._labels)
            and np.array_equal(self._is_test, other._is_test)
        )

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        counts = self.counts()
        train, test = counts["train"], counts["test"]
        return (
            f"PointSet({len(self)} points: train {train[0]}/{train[1]}, "
            f"test {test[0]}/{test[1]} of class 0/1)"
        )

    def copy(self) -> "PointSet":
        """An independent point set with the same points (version starts at 0)."""
        return PointSet(self._X, self._labels, self._is_test)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Number of points per split and class.

        Returns
        -------
        dict
            ``{"train": (n_class0, n_class1), "test": (n_class0, n_class1)}``.
        """
        # one pass (no boolean gathers), once per version: several views ask at every change
        if self._counts is None:
            n = np.bincount(2 * self._labels + self._is_test, minlength=4)
            self._counts = {"train": (int(n[0]), int(n[2])), "test": (int(n[1]), int(n[3]))}
        return dict(self._counts)

    def train_data(self) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Training points and labels as writable copies: X (k, 2), y (k,)."""
        mask = ~self._is_test
        return self._X[mask], self._labels[mask]  # boolean indexing copies

    def test_data(self) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Test points and labels as writable copies: X (k, 2), y (k,)."""
        return self._X[self._is_test], self._labels[self._is_test]

    def nearest(self, x: float, y: float, radius: float | tuple[float, float]) -> NDArray[np.int64]:
        """Indices of the points within ``radius`` of ``(x, y)``, in ascending order.

        Parameters
        ----------
        x, y : float
            The centre, in data units.
        radius : float or (float, float)
            The radius in data units, or separate radii ``(rx, ry)`` along x and y: a circle
            of a few pixels on screen is an ellipse in data units when the axes are scaled
            differently.

        Returns
        -------
        ndarray of int64, shape (k,)
        """
        x = check_float("x", x)
        y = check_float("y", y)
        radii = radius if isinstance(radius, tuple | list) else (radius, radius)
        if len(radii) != 2:
            raise ValueError(f"radius must be a number or a pair (rx, ry), got {radius!r}.")
        rx, ry = (check_float("radius", r) for r in radii)
        if rx <= 0 or ry <= 0:
            raise ValueError(f"radius must be > 0, got {radius!r}.")
        scaled_distance = ((self._X[:, 0] - x) / rx) ** 2 + ((self._X[:, 1] - y) / ry) ** 2
        return np.flatnonzero(scaled_distance <= 1.0).astype(np.int64)

    def _replace_arrays(
        self, X: NDArray[np.float64], labels: NDArray[np.int64], is_test: NDArray[np.bool_]
    ) -> None:
        """Install new arrays (already validated, read-only) and bump the version.

        Only :func:`playground.state.commands.apply_command` calls this.
        """
        assert X.shape == (len(labels), 2) and labels.shape == is_test.shape
        assert not (X.flags.writeable or labels.flags.writeable or is_test.flags.writeable)
        self._X, self._labels, self._is_test = X, labels, is_test
        self._counts = None
        self._version += 1
