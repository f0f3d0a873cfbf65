"""Checks for values arriving at the state layer's public boundary.

Every refusal uses the project's one message shape, ``"<name> must <rule>, got <value>."``, so a
message can go straight into the status line. The functions return the value normalised to a plain
Python type (``numpy.int64(3)`` becomes ``3``, ``1`` becomes ``1.0`` for a float), which keeps
the dataclasses JSON-able and their equality exact.
"""

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int, refusing bools, non-integers and values outside ``low..high``.

    Parameters
    ----------
    name : str
        The name used in the message.
    value : Any
        The candidate value.
    low, high : int or None
        Inclusive bounds; None means unbounded on that side.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``True`` and ``2.0`` are refused too).
    ValueError
        If ``value`` is out of range.
    """
    # bool is an int subclass, but "seed = True" is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    value = int(value)
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"{name} must be in {low}..{high}, got {value}.")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}.")
    return value


def check_float(
    name: str, value: Any, low: float | None = None, high: float | None = None
) -> float:
    """Return ``value`` as a finite float within the inclusive range ``low..high``.

    Parameters
    ----------
    name : str
        The name used in the message.
    value : Any
        The candidate value; ints are accepted and converted.
    low, high : float or None
        Inclusive bounds; None means unbounded on that side.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number (bools are refused).
    ValueError
        If ``value`` is NaN, infinite or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    try:
        value = float(value)
    except OverflowError:  # an int with hundreds of digits
        raise ValueError(f"{name} must be a finite number, got {value}.") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}.")
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value:g}.")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low:g}, got {value:g}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high:g}, got {value:g}.")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (numpy bools included), else raise TypeError."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ValueError (TypeError if no str)."""
    quoted = ", ".join(repr(choice) for choice in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {quoted}, got {value!r}.")
    if value not in choices:
        raise ValueError(f"{name} must be one of {quoted}, got {value!r}.")
    return value


def check_keys(name: str, data: Any, expected: Sequence[str]) -> Mapping[str, Any]:
    """Check that ``data`` is a mapping with exactly the keys ``expected``; return it.

    Used by every ``from_dict``: a missing key or an unknown one (a typo, a file from another
    version) is refused with the key named, rather than silently defaulted or ignored.

    Raises
    ------
    TypeError
        If ``data`` is not a mapping.
    ValueError
        If a key is missing or unknown.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(data).__name__}.")
    for key in expected:
        if key not in data:
            raise ValueError(
                f"{name} must have the key {key!r}, got keys {sorted(map(str, data))}."
            )
    for key in data:
        if key not in expected:
            known = ", ".join(repr(k) for k in expected)
            raise ValueError(f"{name} must only have the keys {known}, got unknown key {key!r}.")
    return data


class CheckedFields:
    """Base for mutable dataclasses whose every field assignment is checked.

    A subclass lists one check per field in ``_CHECKS`` (a function taking the value and
    returning it normalised, or raising). Assigning a bad value raises and leaves the old value
    in place, so an instance is valid at all times, not only after ``validate()``.
    """

    __slots__ = ()
    _CHECKS: dict[str, Any] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        check = type(self)._CHECKS.get(name)
        if check is None:
            raise AttributeError(f"{type(self).__name__} has no setting {name!r}.")
        super().__setattr__(name, check(value))

    def validate(self) -> None:
        """Check every field again (they are checked on assignment already).

        Raises
        ------
        TypeError, ValueError
            Naming the first bad field.
        """
        for name, check in type(self)._CHECKS.items():
            check(getattr(self, name))
