"""Spin boxes that clamp a typed value to their range and say so, instead of dropping digits.

A plain QSpinBox refuses the keystroke that would take its text out of range: typing 6000 in a
box whose maximum is 5000 leaves "600". These boxes accept the out-of-range text while it is
typed; Enter or leaving the box sets the nearest allowed value and emits ``sigClamped`` with a
message for the status line, e.g. "Points: 6000 is above the maximum 5000; set to 5000."
"""

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox, QWidget


def clamp_message(name: str, typed: float, used: float, text: Callable[[float], str]) -> str:
    """The status-line message for a typed value that was clamped to ``used``.

    Parameters
    ----------
    name : str
        What the box sets, e.g. "Points".
    typed, used : float
        The value typed and the bound set instead.
    text : callable
        Formats a value as the box shows it (with its unit).
    """
    side = "above the maximum" if typed > used else "below the minimum"
    return f"{name}: {text(typed)} is {side} {text(used)}; set to {text(used)}."


class _Clamping:
    """The shared part: parse typed text even out of range, clamp it in ``fixup``."""

    sigClamped: Signal  # (str) the status-line message

    def _init_clamping(self, name: str, unit: str | None) -> None:
        self.clamp_name = name
        self.clamp_unit = unit
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def _core(self, text: str) -> str:
        core = text
        if self.prefix() and core.startswith(self.prefix()):
            core = core[len(self.prefix()) :]
        if self.suffix() and core.endswith(self.suffix()):
            core = core[: -len(self.suffix())]
        return core.strip().replace(self.locale().groupSeparator(), "")

    def _parse(self, text: str) -> float | None:
        try:
            return float(self._core(text))
        except ValueError:
            return None

    def _out_of_range(self, text: str) -> float | None:
        value = self._parse(text)
        if value is None or self.minimum() <= value <= self.maximum():
            return None
        return value

    def _unit_text(self, value: float) -> str:
        unit = self.suffix() if self.clamp_unit is None else self.clamp_unit
        return f"{self._number_text(value)}{unit}".strip()

    def _number_text(self, value: float) -> str:
        return f"{value:g}"

    def validate(self, text: str, pos: int) -> object:  # Qt override
        if self._out_of_range(text) is not None:
            return QValidator.State.Intermediate, text, pos  # Enter clamps it (see fixup)
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:  # Qt override
        typed = self._out_of_range(text)
        if typed is None:
            return super().fixup(text)
        used = min(max(typed, self.minimum()), self.maximum())
        self.sigClamped.emit(clamp_message(self.clamp_name, typed, used, self._unit_text))
        return f"{self.prefix()}{self.textFromValue(used)}{self.suffix()}"


class ClampingSpinBox(_Clamping, QSpinBox):
    """A QSpinBox that clamps typed values to its range and reports it.

    Parameters
    ----------
    name : str
        What the box sets, as the message names it ("Points").
    unit : str, optional
        Written after the numbers of the message (default: the box's suffix).
    parent : QWidget, optional

    Attributes
    ----------
    sigClamped : Signal(str)
        A typed value was out of range and the nearest bound was set; the message says so.
    """

    sigClamped = Signal(str)

    def __init__(self, name: str, unit: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_clamping(name, unit)

    def _number_text(self, value: float) -> str:
        return f"{value:.0f}"


class ClampingDoubleSpinBox(_Clamping, QDoubleSpinBox):
    """A QDoubleSpinBox that clamps typed values to its range and reports it.

    Parameters
    ----------
    name : str
        What the box sets, as the message names it ("Noise").
    unit : str, optional
        Written after the numbers of the message (default: the box's suffix).
    parent : QWidget, optional

    Attributes
    ----------
    sigClamped : Signal(str)
        A typed value was out of range and the nearest bound was set; the message says so.
    """

    sigClamped = Signal(str)

    def __init__(self, name: str, unit: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_clamping(name, unit)
