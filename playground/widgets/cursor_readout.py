"""What is under the pointer on the data plot: P(class 1) and each class's nearest point.

A small label in the data plot's bottom-left corner (a widget over the plot, so it is never
part of an exported image), shown while the pointer is over the plot:
``P(class 1) 0.73 · nearest ● (0.12, 0.55) 0.31 away · ■ (1.02, -0.20) 0.40 away``.
"""

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QLabel

from playground.state import PointSet
from playground.widgets.data_plot import DataPlot

_GLYPHS = ("●", "■")


def readout_text(
    probability: float | None, x: float, y: float, by_class: Sequence[NDArray[np.float64]]
) -> str:
    """The readout for the pointer at (x, y): P(class 1) of the map and the nearest point of
    each class (Euclidean distance in data units); ``by_class`` holds each class's points,
    (k, 2) arrays."""
    parts = [f"({x:.3g}, {y:.3g})"]
    if probability is not None:
        parts.append(f"P(class 1) {probability:.2f}")
    for label, mine in enumerate(by_class):
        if len(mine) == 0:
            continue
        squared = mine[:, 0] - x
        squared *= squared
        dy = mine[:, 1] - y
        squared += dy * dy
        nearest = int(np.argmin(squared))
        px, py = mine[nearest]
        distance = float(np.sqrt(squared[nearest]))
        parts.append(f"nearest {_GLYPHS[label]} ({px:.3g}, {py:.3g}) {distance:.3g} away")
    return " · ".join(parts)


class CursorReadout(QLabel):
    """The readout label over ``plot`` (objectName ``cursorReadout``).

    Parameters
    ----------
    plot : DataPlot
    points : callable
        Returns the current points.
    """

    def __init__(self, plot: DataPlot, points: Callable[[], PointSet]):
        super().__init__(plot)
        self.setObjectName("cursorReadout")
        self.setStyleSheet(
            "QLabel#cursorReadout { background: #FFFFFFDD; color: #1F2933;"
            " border: 1px solid #DADDE3; border-radius: 3px; padding: 1px 5px; }"
        )
        self._plot = plot
        self._points = points
        # Each class's points, split once per change of the points: the split is most of the
        # cost of a readout (~5 ms at 100k points), and it runs at every mouse move.
        self._by_class: tuple[PointSet, int, list[NDArray[np.float64]]] | None = None
        plot.sigCursorMoved.connect(self._on_cursor_moved)
        plot.installEventFilter(self)
        self.hide()

    @Slot(object)
    def _on_cursor_moved(self, position: tuple[float, float] | None) -> None:
        if position is None:
            self.hide()
            return
        x, y = position
        self.setText(readout_text(self._plot.probability_at(x, y), x, y, self._class_points()))
        self.adjustSize()
        self._place()
        self.show()

    def _class_points(self) -> list[NDArray[np.float64]]:
        points = self._points()
        cached = self._by_class
        if cached is None or cached[0] is not points or cached[1] != points.version:
            split = [points.X[points.labels == label] for label in (0, 1)]
            self._by_class = cached = (points, points.version, split)
        return cached[2]

    def _place(self) -> None:
        self.move(8, self._plot.height() - self.height() - 34)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False
