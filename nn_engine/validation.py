"""Checks at the public boundary, all with one message shape: ``"name must be ..., got value."``.

Inside the engine the invariants these establish are trusted (asserted at most).
"""

import math
import numbers
import time
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_dtype(dtype: object) -> np.dtype:
    try:
        resolved = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}.") from None
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {resolved}.")
    return resolved


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if minimum is not None and value < minimum:
        rule = "> 0" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"{name} must be {rule}, got {value}.")
    return int(value)


def check_float(
    name: str, value: object, *, positive: bool = False, non_negative: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}.")
    if non_negative and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}.")
    return value


def check_seed(name: str, seed: object) -> int | None:
    if seed is None:
        return None
    seed = check_int(name, seed, minimum=0)
    if seed >= 2**32:
        raise ValueError(f"{name} must be < 2**32, got {seed}.")
    return seed


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        supported = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {supported}, got {value!r}.")
    return value


def check_X(X: ArrayLike, n_features: int, dtype: np.dtype, name: str = "X") -> NDArray:
    """Return ``X`` as a C-contiguous (n_samples, n_features) array of ``dtype``.

    Finite values only, and for float32 within its range (about ±3.4e38): a larger float64
    value would become inf on conversion.
    """
    try:
        array = np.asarray(X)
    except ValueError:  # ragged nested sequences
        raise ValueError(
            f"{name} must have shape (n_samples, {n_features}), got rows of different lengths."
        ) from None
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}.")
    if array.ndim != 2 or array.shape[1] != n_features:
        raise ValueError(f"{name} must have shape (n_samples, {n_features}), got {array.shape}.")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample, got 0.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got NaN or inf values.")
    if dtype == np.float32 and array.dtype.kind == "f" and array.dtype.itemsize > 4:
        # beyond it a float32 network would silently compute with inf (and then NaN)
        outside = np.abs(array) > FLOAT32_MAX
        if outside.any():
            raise ValueError(
                f"{name} must be within the float32 range (±{FLOAT32_MAX:.8g}) for a float32 "
                f"network, got {float(array[outside][0])!r}."
            )
    return np.ascontiguousarray(array, dtype=dtype)


def check_y(y: ArrayLike, n_samples: int, name: str = "y") -> NDArray:
    """Return labels as an int64 (n_samples,) array of 0 and 1."""
    try:
        array = np.asarray(y)
    except ValueError:
        raise ValueError(f"{name} must have shape (n_samples,), got a ragged sequence.") from None
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n_samples,), got {array.shape}.")
    if array.shape[0] != n_samples:
        raise ValueError(f"{name} must have {n_samples} labels (one per sample), got {len(array)}.")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold 0/1 labels, got dtype {array.dtype}.")
    bad = (array != 0) & (array != 1)
    if bad.any():
        raise ValueError(f"{name} must hold only labels 0 and 1, got {array[bad][0].item()!r}.")
    return array.astype(np.int64)


def check_both_classes(y: NDArray, name: str = "y") -> None:
    n_ones = int(y.sum())
    if n_ones == 0 or n_ones == len(y):
        only = int(y[0])
        raise ValueError(f"{name} must contain both classes 0 and 1, got only class {only}.")


def shorten(value: object, limit: int = 40, *, quote: bool = True) -> str:
    """``value`` for a message, at most about ``limit`` characters, ending in "…" when cut.

    A str is quoted (its repr) unless ``quote`` is False; only its first characters are ever
    looked at, so a 10 MB field costs nothing here. Other values show their repr (str() if
    ``quote`` is False).
    """
    if isinstance(value, str):
        if not quote:
            return value if len(value) <= limit else value[: limit - 1] + "…"
        cut = min(len(value), limit)
        while cut > 0 and len(repr(value[:cut])) > limit + 2:  # escapes widen the repr
            cut -= 1
        return repr(value[:cut]) + ("…" if cut < len(value) else "")
    text = repr(value) if quote else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Long lists (a 300,000-epoch history) are checked and converted in slices: one C call over the
# whole list holds the GIL for ~5 ms, and a GUI thread waiting for it at each of its Qt calls
# freezes for hundreds of milliseconds while a background thread checks a session.
LIST_SLICE = 2**14


def only_types(values: Iterable, types: frozenset) -> bool:
    """Whether every item of ``values`` has exactly one of ``types`` (``type(item) in types``),
    a list or tuple checked slice by slice (see LIST_SLICE)."""
    if not isinstance(values, list | tuple):
        return types.issuperset(map(type, values))
    for start in range(0, len(values), LIST_SLICE):
        if not types.issuperset(map(type, values[start : start + LIST_SLICE])):
            return False
        time.sleep(0)  # lets a thread waiting for the GIL (the GUI's) have it
    return True


def floats_to_array(values: list | tuple) -> NDArray[np.float64]:
    """A float64 array of a list of numbers, converted slice by slice (see LIST_SLICE).

    Raises
    ------
    TypeError, ValueError
        As ``np.array(values, dtype=np.float64)`` does for an item that is not a number.
    """
    array = np.empty(len(values), np.float64)
    for start in range(0, len(values), LIST_SLICE):
        part = values[start : start + LIST_SLICE]
        array[start : start + len(part)] = np.array(part, dtype=np.float64)
        time.sleep(0)  # lets a thread waiting for the GIL (the GUI's) have it
    return array
