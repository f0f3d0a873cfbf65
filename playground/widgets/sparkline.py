"""A sparkline: one small line of recent values, painted directly with QPainter.

The network panel shows one per layer and updates them with every snapshot. A pyqtgraph
PlotWidget per row would cost a scene, a view box with auto-range and a paint event of its own
for a 300-point line; this widget maps the values to its pixels in NumPy, builds one path when
they change (pyqtgraph's ``arrayToQPath``, from arrays) and paints that path.
"""

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 2  # pixels kept free above and below the line


class Sparkline(QWidget):
    """The values of :meth:`set_values` as a line from left (oldest) to right (newest), in
    ``color`` on ``background``.

    The vertical range is the finite values' own range (a flat line sits in the middle); NaN
    and infinite values leave gaps. No axes: the row beside it states the current value.
    """

    def __init__(self, color: str, background: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background = QColor(background)
        self._values: NDArray[np.float64] = np.empty(0)
        self._path: QPainterPath | None = None  # built on the first paint after a change
        self._pen = QPen(QColor(color), 1.0)
        self._pen.setCosmetic(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(120, 18)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return QSize(80, 18)

    def values(self) -> NDArray[np.float64]:
        """The values shown (a copy)."""
        return self._values.copy()

    def set_values(self, values: ArrayLike) -> None:
        """Show ``values`` (1-D); repaints only when they differ from the ones shown."""
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.shape == self._values.shape and np.array_equal(
            values, self._values, equal_nan=True
        ):
            return
        self._values = values.copy()
        self._path = None
        self.update()

    def polylines(self) -> list[NDArray[np.float64]]:
        """The pixel coordinates drawn, one (k, 2) array per unbroken run of finite values."""
        values = self._values
        finite = np.isfinite(values)
        if not finite.any():
            return []
        width, height = self.width(), self.height()
        low, high = values[finite].min(), values[finite].max()
        span = high - low
        x = np.arange(len(values)) * ((width - 1) / max(len(values) - 1, 1))
        if span > 0:
            y = MARGIN + (high - values) * ((height - 1 - 2 * MARGIN) / span)
        else:
            y = np.full(len(values), (height - 1) / 2)
        # split at the gaps: runs of consecutive finite values
        edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
        return [
            np.column_stack((x[a:b], y[a:b])) for a, b in zip(edges[::2], edges[1::2], strict=True)
        ]

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        self._path = None
        super().resizeEvent(event)

    def _build_path(self) -> QPainterPath:
        runs = self.polylines()
        if not runs:
            return QPainterPath()
        xy = np.concatenate(runs)
        # connect each point to the next one, except across the gaps between runs
        connect = np.ones(len(xy), dtype=bool)
        connect[np.cumsum([len(run) for run in runs]) - 1] = False
        path = pg.arrayToQPath(xy[:, 0], xy[:, 1], connect=connect)
        for run in runs:  # a lone finite value is a dot
            if len(run) == 1:
                path.addEllipse(run[0, 0] - 0.5, run[0, 1] - 0.5, 1.0, 1.0)
        return path

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        if self._path is None:
            self._path = self._build_path()
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._background)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self._pen)
        painter.drawPath(self._path)
        painter.end()
