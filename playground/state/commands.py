"""Edit commands: every change of a :class:`~playground.state.PointSet` as a small piece of data.

Following Orange's Paint Data, tools never mutate points; they build a command, and
:func:`apply_command` applies it and returns its inverse. Undo applies the inverse; redo applies
the command again. That makes undo/redo independent of Qt (the GUI wraps the commands in
``QUndoCommand`` objects) and testable with plain asserts.

A command holds its own read-only copies of the arrays, so a command on an undo stack cannot be
changed behind its back. It is checked when it is built (shapes, finite coordinates, labels 0/1,
unique indices) and, against the point set, when it is applied (indices in range); a refused
command changes nothing.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from playground.state.points import (
    PointSet,
    as_coordinates,
    as_indices,
    as_labels,
    as_test_flags,
)


def _count(k: int) -> str:
    return f"{k} point" if k == 1 else f"{k} points"


class _Command:
    """Equality and a short repr for the command dataclasses (arrays compare by value)."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        for field in dataclasses.fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, np.ndarray):
                if mine.dtype != theirs.dtype or not np.array_equal(mine, theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    __hash__ = None  # equal commands must hash equal; arrays are not hashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}(text={self.text!r}, {_count(self.size)})"


def _set(command: object, name: str, value: object) -> None:
    # The dataclasses are frozen; __post_init__ may still normalise its own fields.
    object.__setattr__(command, name, value)


@dataclass(frozen=True, eq=False, repr=False)
class AddPoints(_Command):
    """Append points at the end (a paint stroke).

    Parameters
    ----------
    X : array_like, shape (k, 2)
        Coordinates of the new points.
    labels : array_like, shape (k,)
        Their classes, 0 or 1.
    is_test : array_like, shape (k,), optional
        True for test points; all False (training points) when omitted.
    text : str, optional
        The undo step's name; "Paint k points" when omitted.
    """

    X: NDArray[np.float64]
    labels: NDArray[np.int64]
    is_test: NDArray[np.bool_] | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        X = as_coordinates("X", self.X)
        k = len(X)
        _set(self, "X", X)
        _set(self, "labels", as_labels("labels", self.labels, k))
        is_test = np.zeros(k, bool) if self.is_test is None else self.is_test
        _set(self, "is_test", as_test_flags("is_test", is_test, k))
        _set(self, "text", _check_text(self.text, f"Paint {_count(k)}"))

    @property
    def size(self) -> int:
        """Number of points the command adds."""
        return len(self.X)


@dataclass(frozen=True, eq=False, repr=False)
class RemovePoints(_Command):
    """Delete the points at ``indices`` (an eraser stroke).

    Parameters
    ----------
    indices : array_like of int, shape (k,)
        Unique indices into the point set.
    text : str, optional
        The undo step's name; "Erase k points" when omitted.
    """

    indices: NDArray[np.int64]
    text: str | None = None

    def __post_init__(self) -> None:
        indices = as_indices("indices", self.indices)
        _set(self, "indices", indices)
        _set(self, "text", _check_text(self.text, f"Erase {_count(len(indices))}"))

    @property
    def size(self) -> int:
        """Number of points the command removes."""
        return len(self.indices)


@dataclass(frozen=True, eq=False, repr=False)
class InsertPoints(_Command):
    """Insert points so that they end up at ``indices`` (the inverse of :class:`RemovePoints`).

    After the insertion, point ``indices[i]`` is ``(X[i], labels[i], is_test[i])`` and the
    points that were there before keep their relative order.

    Parameters
    ----------
    indices : array_like of int, shape (k,)
        Unique final positions, each < n + k for a point set of n points.
    X : array_like, shape (k, 2)
    labels : array_like, shape (k,)
    is_test : array_like, shape (k,)
    text : str, optional
        The undo step's name; "Insert k points" when omitted.
    """

    indices: NDArray[np.int64]
    X: NDArray[np.float64]
    labels: NDArray[np.int64]
    is_test: NDArray[np.bool_]
    text: str | None = None

    def __post_init__(self) -> None:
        indices = as_indices("indices", self.indices)
        k = len(indices)
        _set(self, "indices", indices)
        X = as_coordinates("X", self.X)
        if len(X) != k:
            raise ValueError(f"X must have {k} rows to match indices, got {len(X)}.")
        _set(self, "X", X)
        _set(self, "labels", as_labels("labels", self.labels, k))
        _set(self, "is_test", as_test_flags("is_test", self.is_test, k))
        _set(self, "text", _check_text(self.text, f"Insert {_count(k)}"))

    @property
    def size(self) -> int:
        """Number of points the command inserts."""
        return len(self.indices)


@dataclass(frozen=True, eq=False, repr=False)
class ReplacePoints(_Command):
    """Replace all points at once (Generate, Clear, Import, a preset).

    Parameters
    ----------
    X : array_like, shape (n, 2)
    labels : array_like, shape (n,)
    is_test : array_like, shape (n,), optional
        All False when omitted.
    text : str, optional
        The undo step's name, e.g. "Generate moons", "Clear", "Import points.csv".
    """

    X: NDArray[np.float64]
    labels: NDArray[np.int64]
    is_test: NDArray[np.bool_] | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        X = as_coordinates("X", self.X)
        n = len(X)
        _set(self, "X", X)
        _set(self, "labels", as_labels("labels", self.labels, n))
        is_test = np.zeros(n, bool) if self.is_test is None else self.is_test
        _set(self, "is_test", as_test_flags("is_test", is_test, n))
        _set(self, "text", _check_text(self.text, "Replace points"))

    @classmethod
    def clear(cls) -> "ReplacePoints":
        """The command that removes every point, named "Clear"."""
        return cls(np.empty((0, 2)), np.empty(0, np.int64), np.empty(0, bool), text="Clear")

    @property
    def size(self) -> int:
        """Number of points after the command."""
        return len(self.X)


Command = AddPoints | RemovePoints | InsertPoints | ReplacePoints


def _check_text(text: object, default: str) -> str:
    if text is None:
        return default
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {text!r}.")
    return text


def apply_command(points: PointSet, command: Command) -> Command:
    """Apply ``command`` to ``points`` and return the command that undoes it.

    Parameters
    ----------
    points : PointSet
        Changed in place (its arrays are replaced and its version grows by one).
    command : AddPoints, RemovePoints, InsertPoints or ReplacePoints

    Returns
    -------
    command
        The inverse: applying it restores exactly the previous points, labels, split and
        order. It carries the same ``text``, since it is the same step, undone.

    Raises
    ------
    TypeError
        If ``command`` is not an edit command.
    ValueError
        If an index is out of range for ``points``; ``points`` is then unchanged.
    """
    if not isinstance(points, PointSet):
        raise TypeError(f"points must be a PointSet, got {type(points).__name__}.")
    X, labels, is_test = points.X, points.labels, points.is_test
    n = len(points)
    match command:
        case AddPoints():
            inverse = RemovePoints(np.arange(n, n + command.size), text=command.text)
            new = (
                np.concatenate([X, command.X]),
                np.concatenate([labels, command.labels]),
                np.concatenate([is_test, command.is_test]),
            )
        case RemovePoints():
            indices = command.indices
            _check_in_range(indices, n, "the number of points")
            inverse = InsertPoints(
                indices, X[indices], labels[indices], is_test[indices], text=command.text
            )
            keep = np.ones(n, bool)
            keep[indices] = False
            new = (X[keep], labels[keep], is_test[keep])
        case InsertPoints():
            indices = command.indices
            total = n + command.size
            _check_in_range(indices, total, "the number of points after inserting")
            inverse = RemovePoints(indices, text=command.text)
            inserted = np.zeros(total, bool)
            inserted[indices] = True
            new = (np.empty((total, 2)), np.empty(total, np.int64), np.empty(total, bool))
            for target, old, added in zip(
                new,
                (X, labels, is_test),
                (command.X, command.labels, command.is_test),
                strict=True,
            ):
                target[indices] = added
                target[~inserted] = old
        case ReplacePoints():
            inverse = ReplacePoints(X, labels, is_test, text=command.text)
            new = (command.X, command.labels, command.is_test)
        case _:
            raise TypeError(
                "command must be AddPoints, RemovePoints, InsertPoints or ReplacePoints, "
                f"got {type(command).__name__}."
            )
    for array in new:
        array.setflags(write=False)  # no-op for the command's own (already read-only) arrays
    points._replace_arrays(*new)
    return inverse


def _check_in_range(indices: NDArray[np.int64], limit: int, meaning: str) -> None:
    if indices.size and indices.max() >= limit:
        raise ValueError(f"indices must be < {limit} ({meaning}), got {int(indices.max())}.")
