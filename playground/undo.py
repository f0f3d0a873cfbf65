"""Undo/redo for data edits: Qt-free edit commands wrapped as QUndoCommands.

The edit commands of :mod:`playground.state` are plain data and :func:`apply_command` returns
the inverse of what it applied (as in Orange's Paint Data), so this adapter only remembers that
inverse: ``redo`` applies the command, ``undo`` applies its inverse.
"""

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from playground.state import Command, PointSet, apply_command


class PointsEdit(QUndoCommand):
    """A data edit on the undo stack (one paint stroke, erase, Generate, Clear, ...).

    Pushing it onto a ``QUndoStack`` applies it (Qt calls :meth:`redo`). The stack names it
    by the command's ``text`` ("Undo Paint 12 points").

    Parameters
    ----------
    points : PointSet
        The point set edited in place.
    command : Command
        What to apply, e.g. ``AddPoints(...)``.
    on_applied : callable, optional
        Called with no argument after every redo and undo, e.g. to redraw and to hand the new
        data to the training worker.
    """

    def __init__(
        self,
        points: PointSet,
        command: Command,
        on_applied: Callable[[], None] | None = None,
    ):
        super().__init__(command.text)
        self._points = points
        self._command = command
        self._inverse: Command | None = None
        self._on_applied = on_applied

    @property
    def command(self) -> Command:
        """The edit this undo step applies."""
        return self._command

    def redo(self) -> None:  # Qt override
        self._inverse = apply_command(self._points, self._command)
        if self._on_applied is not None:
            self._on_applied()

    def undo(self) -> None:  # Qt override
        assert self._inverse is not None, "undo() before redo()"
        apply_command(self._points, self._inverse)
        self._inverse = None
        if self._on_applied is not None:
            self._on_applied()
