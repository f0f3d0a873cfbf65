"""Two-class 2-D data sets: generators, a seeded train/test split and CSV files.

Every generator takes ``(n_samples, noise, seed)`` and returns ``X`` of shape (n_samples, 2),
float64, and ``y`` of shape (n_samples,), int64 labels 0 and 1. The classes are balanced
(``n_samples // 2`` points of class 0, the rest class 1), so both are present for
``n_samples >= 2``, and the points come shuffled. One ``np.random.RandomState(seed)`` drives each
call, so a seed always gives the same data.

``moons`` and ``circles`` are scikit-learn's ``make_moons`` / ``make_circles`` (with
``shuffle=True``) number for number, and ``train_test_split`` is scikit-learn's: the article's
data is ``moons(1000, noise=0.2, seed=100)`` split with ``test_size=0.1, seed=42``.
``xor``, ``gaussians`` and ``spiral`` follow TensorFlow Playground's data sets, scaled to the
same few units as the moons.

Points from any delimited table (two numeric columns and a label column) come from
:func:`read_table`, after a look with :func:`inspect_table` (both in :mod:`nn_engine.tables`).
"""

import itertools
import math
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nn_engine.safe_files import read_regular_file
from nn_engine.tables import TableInfo, TableReport, inspect_table, read_table
from nn_engine.validation import (
    LIST_SLICE,
    check_float,
    check_int,
    check_seed,
    check_X,
    check_y,
    shorten,
)

__all__ = [
    "CSV_HEADER",
    "GENERATORS",
    "MAX_CSV_BYTES",
    "TableInfo",
    "TableReport",
    "circles",
    "gaussians",
    "inspect_table",
    "moons",
    "read_csv",
    "read_table",
    "spiral",
    "split_mask",
    "train_test_split",
    "write_atomically",
    "write_csv",
    "xor",
]

CSV_HEADER = "x,y,label"
MAX_CSV_BYTES = 64 * 2**20  # about 2.5 million rows of x,y,label at full float precision


# ------------------------------------------------------------------------------ helpers


def _check_generator_args(n_samples: object, noise: object, seed: object) -> tuple[int, float]:
    n_samples = check_int("n_samples", n_samples, minimum=2)
    noise = check_float("noise", noise, non_negative=True)
    check_seed("seed", seed)
    return n_samples, noise


def _class_sizes(n_samples: int) -> tuple[int, int]:
    """Points of class 0 and class 1: sklearn's split, ``n // 2`` and the rest."""
    n_class0 = n_samples // 2
    return n_class0, n_samples - n_class0


def _labels(n_class0: int, n_class1: int) -> NDArray[np.int64]:
    return np.concatenate([np.zeros(n_class0, np.int64), np.ones(n_class1, np.int64)])


def _shuffle(
    rng: np.random.RandomState, X: NDArray, y: NDArray
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``sklearn.utils.shuffle(X, y, random_state=rng)``: the same draw from the same generator."""
    indices = np.arange(len(X))
    rng.shuffle(indices)
    return X[indices], y[indices]


# ---------------------------------------------------------------------------- generators


def moons(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two interleaving half circles: ``sklearn.datasets.make_moons`` exactly.

    Parameters
    ----------
    n_samples : int >= 2
    noise : float >= 0
        Standard deviation of the Gaussian noise added to every coordinate.
    seed : int in [0, 2**32) or None
        ``random_state`` of ``make_moons``; None draws fresh entropy.

    Returns
    -------
    X : ndarray (n_samples, 2) float64
    y : ndarray (n_samples,) int64
        0 for the upper moon (``n_samples // 2`` points), 1 for the lower one.

    Examples
    --------
    The article's data set:

    >>> X, y = moons(1000, noise=0.2, seed=100)
    >>> X.shape, y.shape
    ((1000, 2), (1000,))
    """
    n_samples, noise = _check_generator_args(n_samples, noise, seed)
    n_out, n_in = _class_sizes(n_samples)
    rng = np.random.RandomState(seed)
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    X, y = _shuffle(rng, X, _labels(n_out, n_in))
    X += rng.normal(scale=noise, size=X.shape)
    return X, y


def circles(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None, factor: float = 0.5
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """A small circle inside a large one: ``sklearn.datasets.make_circles`` exactly.

    Parameters
    ----------
    n_samples : int >= 2
    noise : float >= 0
        Standard deviation of the Gaussian noise added to every coordinate.
    seed : int in [0, 2**32) or None
    factor : float in [0, 1)
        Radius of the inner circle relative to the outer one (radius 1).

    Returns
    -------
    X : ndarray (n_samples, 2) float64
    y : ndarray (n_samples,) int64
        0 on the outer circle, 1 on the inner one.
    """
    n_samples, noise = _check_generator_args(n_samples, noise, seed)
    factor = check_float("factor", factor)
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be in [0, 1), got {factor}.")
    n_out, n_in = _class_sizes(n_samples)
    rng = np.random.RandomState(seed)
    # endpoint=False so the first and last point of a circle do not coincide (as sklearn)
    angles_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angles_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [
            np.append(np.cos(angles_out), np.cos(angles_in) * factor),
            np.append(np.sin(angles_out), np.sin(angles_in) * factor),
        ]
    ).T
    X, y = _shuffle(rng, X, _labels(n_out, n_in))
    X += rng.normal(scale=noise, size=X.shape)
    return X, y


def xor(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Four quadrant blobs: class 1 where x and y have the same sign, class 0 where they differ.

    As TensorFlow Playground's "Exclusive or": coordinates uniform in [-1, 1], kept 0.05 away
    from the axes so every point lies clearly in its quadrant; then Gaussian jitter of standard
    deviation ``noise`` moves points (and may carry them across an axis: that is the noise).

    Parameters
    ----------
    n_samples : int >= 2
    noise : float >= 0
    seed : int in [0, 2**32) or None

    Returns
    -------
    X : ndarray (n_samples, 2) float64
    y : ndarray (n_samples,) int64
        1 in the first and third quadrant, 0 in the second and fourth.
    """
    n_samples, noise = _check_generator_args(n_samples, noise, seed)
    n_class0, n_class1 = _class_sizes(n_samples)
    rng = np.random.RandomState(seed)
    y = _labels(n_class0, n_class1)
    magnitude = rng.uniform(0.05, 1.0, size=(n_samples, 2))
    sign_x = rng.choice([-1.0, 1.0], size=n_samples)
    sign_y = np.where(y == 1, sign_x, -sign_x)
    X = magnitude * np.column_stack([sign_x, sign_y])
    X, y = _shuffle(rng, X, y)
    X += rng.normal(scale=noise, size=X.shape)
    return X, y


def gaussians(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two round Gaussian blobs: class 0 around (-1, -1), class 1 around (1, 1).

    ``noise`` is the spread: each blob's standard deviation is ``0.3 + noise``, so ``noise=0``
    still gives two blobs (not two points) and ``noise`` about 1 makes them overlap, as the
    noise slider of TensorFlow Playground's "Gaussian" data.

    Parameters
    ----------
    n_samples : int >= 2
    noise : float >= 0
    seed : int in [0, 2**32) or None

    Returns
    -------
    X : ndarray (n_samples, 2) float64
    y : ndarray (n_samples,) int64
    """
    n_samples, noise = _check_generator_args(n_samples, noise, seed)
    n_class0, n_class1 = _class_sizes(n_samples)
    rng = np.random.RandomState(seed)
    y = _labels(n_class0, n_class1)
    centres = np.where(y[:, None] == 1, 1.0, -1.0)
    X = centres + rng.normal(scale=0.3 + noise, size=(n_samples, 2))
    return _shuffle(rng, X, y)


def spiral(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two interleaved spiral arms, as TensorFlow Playground's "Spiral", radius 1.

    Each arm makes 1.75 turns outwards from the centre; the point ``i`` of ``m`` on an arm lies
    at radius ``(i + 1) / m`` and angle ``1.75 * 2 pi * i / m``, class 0's arm turned by pi
    against class 1's. Gaussian jitter of standard deviation ``noise`` is then added.

    Parameters
    ----------
    n_samples : int >= 2
    noise : float >= 0
    seed : int in [0, 2**32) or None

    Returns
    -------
    X : ndarray (n_samples, 2) float64
    y : ndarray (n_samples,) int64
    """
    n_samples, noise = _check_generator_args(n_samples, noise, seed)
    n_class0, n_class1 = _class_sizes(n_samples)
    rng = np.random.RandomState(seed)
    arms = []
    for count, turn in ((n_class0, np.pi), (n_class1, 0.0)):
        step = np.arange(count) / count
        radius = step + 1.0 / count
        angle = 1.75 * 2 * np.pi * step + turn
        arms.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
    X, y = _shuffle(rng, np.concatenate(arms), _labels(n_class0, n_class1))
    X += rng.normal(scale=noise, size=X.shape)
    return X, y


Generator = Callable[..., tuple[NDArray[np.float64], NDArray[np.int64]]]

GENERATORS: dict[str, Generator] = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "gaussians": gaussians,
    "spiral": spiral,
}


# ---------------------------------------------------------------------- train/test split


def _split_counts(n_samples: int, test_size: object) -> tuple[int, int]:
    """(n_train, n_test) as sklearn's ``_validate_shuffle_split`` for a float ``test_size``."""
    test_size = check_float("test_size", test_size)
    if not 0 <= test_size < 1:
        raise ValueError(f"test_size must be in [0, 1), got {test_size}.")
    n_test = math.ceil(test_size * n_samples)
    n_train = n_samples - n_test
    if n_train < 1:
        raise ValueError(
            f"test_size must leave at least one training sample of {n_samples}, got {test_size}."
        )
    return n_train, n_test


def _split_indices(n_samples: int, test_size: object, seed: object) -> tuple[NDArray, NDArray]:
    """(train, test) indices: sklearn's ``ShuffleSplit`` with ``random_state=seed``."""
    n_train, n_test = _split_counts(n_samples, test_size)
    seed = check_seed("seed", seed)
    permutation = np.random.RandomState(seed).permutation(n_samples)
    return permutation[n_test : n_test + n_train], permutation[:n_test]


def train_test_split(
    X: ArrayLike, y: ArrayLike, test_size: float = 0.1, seed: int | None = None
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Shuffle and split: ``sklearn.model_selection.train_test_split(X, y, test_size=test_size,
    random_state=seed)`` exactly, rows in the same order.

    Parameters
    ----------
    X : array (n_samples, ...)
    y : array (n_samples,)
    test_size : float in [0, 1)
        ``ceil(test_size * n_samples)`` rows go to the test set; at least one row must stay for
        training. 0 gives an empty test set (sklearn refuses 0).
    seed : int in [0, 2**32) or None

    Returns
    -------
    X_train : (n_train, ...) ; X_test : (n_test, ...) ; y_train : (n_train,) ; y_test : (n_test,)
        Copies.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n_samples,), got {y.shape}.")
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of rows, got shapes {X.shape} and {y.shape}."
        )
    train, test = _split_indices(len(X), test_size, seed)
    return X[train], X[test], y[train], y[test]


def split_mask(n_samples: int, test_size: float, seed: int | None) -> NDArray[np.bool_]:
    """Which of ``n_samples`` points are test points, as :func:`train_test_split` splits them.

    ``X[mask]`` holds the same rows as ``train_test_split(X, y, test_size, seed)[1]``, in the
    original order instead of the shuffled one.

    Returns
    -------
    mask : ndarray (n_samples,) bool
        True for a test point.
    """
    n_samples = check_int("n_samples", n_samples, minimum=1)
    _, test = _split_indices(n_samples, test_size, seed)
    mask = np.zeros(n_samples, bool)
    mask[test] = True
    return mask


# ------------------------------------------------------------------------------ CSV files


def write_atomically(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Create or replace the file ``path`` with what ``write`` writes into a binary file object.

    The bytes go to a temporary file next to ``path``, which then replaces ``path`` in one
    ``os.replace``: a reader sees the old file or the whole new one, never half of it, and a
    failure leaves ``path`` untouched. The new file gets the usual permissions (0o666 less the
    umask).
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_csv(path: str | os.PathLike, X: ArrayLike, y: ArrayLike) -> None:
    """Write points to a CSV file with the header ``x,y,label``, atomically.

    Coordinates are written as Python's shortest round-trip ``repr``, so :func:`read_csv` gives
    back exactly the same float64 numbers (float32 input comes back as its exact float64 value).

    Parameters
    ----------
    path : str or path-like
    X : array (n_samples, 2), finite real numbers, n_samples >= 1
    y : array (n_samples,), labels 0 and 1
    """
    X = check_X(X, 2, np.dtype(np.float64))
    y = check_y(y, len(X))
    lines = [CSV_HEADER]
    lines.extend(
        f"{x!r},{v!r},{label}" for (x, v), label in zip(X.tolist(), y.tolist(), strict=True)
    )
    data = ("\n".join(lines) + "\n").encode("utf-8")
    write_atomically(path, lambda file: file.write(data))


def _parse_coordinate(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {shorten(text)}.") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {shorten(text)}.")
    return value


def _parse_label(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"label must be 0 or 1, got {shorten(text)}.") from None
    if value not in (0.0, 1.0):
        raise ValueError(f"label must be 0 or 1, got {shorten(text, quote=False)}.")
    return int(value)


def _check_row(line: str) -> None:
    """Raise the ValueError that describes what is wrong with the data row ``line``."""
    fields = [field.strip() for field in line.split(",")]
    if len(fields) != 3:
        raise ValueError(
            f"a row must have 3 fields (x,y,label), got {len(fields)}: {shorten(line)}."
        )
    _parse_coordinate("x", fields[0])
    _parse_coordinate("y", fields[1])
    _parse_label(fields[2])


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_bad_row(rows: list[str]) -> tuple[NDArray[np.float64], int]:
    """All values of ``rows`` (x, y, label, row after row) and the index of the first row
    that may be bad (``len(rows)`` if none is).

    Vectorised where it can be: it counts commas per row, converts the fields with Python's
    ``float`` (what :func:`_check_row` uses, so both agree on every number) in blocks, and
    checks finiteness and labels on whole arrays.
    """
    n_rows = len(rows)
    commas = np.empty(n_rows, np.int64)
    for start in range(0, n_rows, LIST_SLICE):  # in blocks: see _lines
        block = rows[start : start + LIST_SLICE]
        commas[start : start + len(block)] = np.fromiter(
            map(str.count, block, itertools.repeat(",")), np.int64, len(block)
        )
    wrong_width = np.flatnonzero(commas != 2)
    aligned = int(wrong_width[0]) if len(wrong_width) else n_rows  # rows before are x,y,label
    values = np.empty(3 * aligned, np.float64)
    first_bad = aligned
    # Whole rows; a bad field is looked for in its block only. Small blocks: between them a
    # reader on a background thread lets the GUI thread run (the conversion holds the GIL).
    block = 3 * 2**12
    for start in range(0, 3 * aligned, block):
        stop = min(start + block, 3 * aligned)
        fields = ",".join(rows[start // 3 : stop // 3]).split(",")
        try:
            converted = np.fromiter(map(float, fields), np.float64, len(fields))
        except ValueError:
            bad_field = next(i for i, field in enumerate(fields) if not _is_float(field))
            first_bad = (start + bad_field) // 3
            good = fields[: 3 * first_bad - start]  # the whole rows before it
            values = np.concatenate([values[:start], np.array(list(map(float, good)))])
            break
        values[start:stop] = converted
    table = values.reshape(-1, 3)
    suspicious = ~np.isfinite(table[:, :2]).all(axis=1) | ((table[:, 2] != 0) & (table[:, 2] != 1))
    if suspicious.any():
        first_bad = min(first_bad, int(np.argmax(suspicious)))
    return values, first_bad


# A CSV is decoded, split and checked in blocks (of bytes, then of LIST_SLICE lines): each step
# on a whole 30 MB file is one C call that holds the GIL for tens of milliseconds, and a reader
# on a background thread must let the GUI thread run in between.
_BYTES_PER_BLOCK = 2**20


def _lines(raw: bytes, name: str) -> list[str]:
    """The lines of UTF-8 ``raw`` (a leading byte-order mark dropped), split on line ends only
    (\\n, \\r\\n or \\r; str.splitlines also splits on form feeds and the like), decoded block by
    block; blocks end just after a b"\\n", which UTF-8 never uses inside a character."""
    lines: list[str] = []
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    while start < len(raw):
        cut = raw.find(b"\n", start + _BYTES_PER_BLOCK)
        stop = len(raw) if cut < 0 else cut + 1
        try:
            text = raw[start:stop].decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"{name} must be UTF-8 text, got a non-UTF-8 byte at offset {start + error.start}."
            ) from None
        block = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if stop < len(raw):
            block.pop()  # the empty text after the block's last line end: not a line
        lines.extend(block)
        start = stop
    return lines or [""]


def read_csv(path: str | os.PathLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Read points written by :func:`write_csv` (or by hand, a spreadsheet, pandas ...).

    The first line is the header ``x,y,label``; every further line holds two finite numbers
    and a label 0 or 1 (``1.0`` is accepted as 1). Spaces around fields, blank lines, a UTF-8
    byte-order mark and Windows line ends are tolerated. The whole file is checked before
    anything is returned. Only a regular file of at most :data:`MAX_CSV_BYTES` (64 MiB) is
    read; a million rows take about half a second.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    X : ndarray (n_samples, 2) float64
    y : ndarray (n_samples,) int64

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        For something other than a regular file, a file over 64 MiB, an empty file, a missing
        header, no data rows, or a bad row, naming the file and the 1-based line number of the
        first bad row: ``"points.csv line 7: label must be 0 or 1, got 3."`` A bad field is
        quoted shortened to about 40 characters.
    """
    name = Path(path).name
    raw = read_regular_file(path, max_bytes=MAX_CSV_BYTES, name=name)
    lines = _lines(raw, name)
    header_index = next((index for index, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise ValueError(f"{name} must start with the header '{CSV_HEADER}', got an empty file.")
    header = lines[header_index].strip()
    if [field.strip() for field in header.split(",")] != CSV_HEADER.split(","):
        raise ValueError(
            f"{name} line {header_index + 1}: the header must be '{CSV_HEADER}', "
            f"got {shorten(header)}."
        )
    rows: list[str] = []  # the non-blank lines, gathered in blocks (see _lines)
    for start in range(header_index + 1, len(lines), LIST_SLICE):
        rows.extend(filter(str.strip, lines[start : start + LIST_SLICE]))
    if not rows:
        raise ValueError(f"{name} must have at least one data row after the header, got none.")

    values, first_bad = _first_bad_row(rows)
    if first_bad < len(rows):
        # its line number: count the non-blank lines after the header up to it
        non_blank = (
            number
            for number, line in enumerate(lines[header_index + 1 :], header_index + 2)
            if line.strip()
        )
        number = next(itertools.islice(non_blank, first_bad, None))
        try:
            _check_row(rows[first_bad])
        except ValueError as error:
            raise ValueError(f"{name} line {number}: {error}") from None
        raise AssertionError(f"row {first_bad} was suspected but is valid")  # pragma: no cover
    table = values.reshape(-1, 3)
    return np.ascontiguousarray(table[:, :2]), table[:, 2].astype(np.int64)
