"""A layer's whole weight matrix, large enough to read: one pixel block per weight, live.

The network panel draws a wide layer's links for its 16 strongest units only; its heatmap
toggle shows the whole matrix, but between two columns of the diagram, where a 256 x 256 matrix
gets a few pixels for dozens of weights. :class:`WeightMatrixWindow` shows the same matrix in a
window of its own: every weight one block of pixels (nearest, not smoothed), rows the layer's
units top to bottom, columns the previous layer's units (or input features) left to right, a
colour bar symmetric around 0 (vermillion negative, white 0, blue positive: the links' colours at
full strength), zoom and pan with the mouse, and a readout of the weight under the pointer that
follows training. The colour range is the 99th percentile of |w|, so that a few large weights do
not wash the rest out; larger ones saturate, and the title states both numbers.
"""

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from playground import theme

COLOR_PERCENTILE = 99  # the colour range: this percentile of |w| (larger weights saturate)
PIXELS_PER_WEIGHT = 2  # the window opens with at least this many pixels per weight
MIN_SIDE, MAX_SIDE = 320, 720  # the plot's opening size in pixels


def diverging_lookup_table(n_colors: int = 255) -> NDArray[np.uint8]:
    """RGBA colours from the negative class colour through white to the positive one."""
    negative = np.array(pg.mkColor(theme.CLASS_COLORS[0]).getRgb()[:3], dtype=np.float64)
    positive = np.array(pg.mkColor(theme.CLASS_COLORS[1]).getRgb()[:3], dtype=np.float64)
    white = np.full(3, 255.0)
    t = np.linspace(-1.0, 1.0, n_colors)[:, None]
    rgb = np.where(t < 0, white + (-t) * (negative - white), white + t * (positive - white))
    lut = np.full((n_colors, 4), 255, dtype=np.uint8)
    lut[:, :3] = np.rint(rgb).astype(np.uint8)
    return lut


class WeightMatrixWindow(QWidget):
    """A tool window showing one layer's weight matrix (objectName ``weightMatrix<layer>``).

    Parameters
    ----------
    layer : int
        The layer's index (0 = first hidden layer; the output layer is the last).
    name : str
        How the layer is called in the panel ("layer 2", "output").
    parent : QWidget, optional
        The window stays on top of its parent.

    Attributes
    ----------
    sigClosed : Signal(int)
        The window was closed (its layer).
    """

    sigClosed = Signal(int)

    def __init__(self, layer: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.setObjectName(f"weightMatrix{layer}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.layer = layer
        self._name = name
        self._matrix: NDArray[np.float64] | None = None
        self._pointer: QPointF | None = None

        self.plot = pg.PlotWidget()
        self.plot.setBackground(theme.BACKGROUND)
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)  # row 0 (unit 1) at the top, as in the panel
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("left", f"unit of {name}")
        self.plot.setLabel("bottom", "input (unit of the layer before, or feature)")
        self.image = pg.ImageItem(axisOrder="row-major")
        lookup_table = diverging_lookup_table()
        self.image.setLookupTable(lookup_table)
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(
            values=(-1.0, 1.0),
            colorMap=pg.ColorMap(np.linspace(0.0, 1.0, len(lookup_table)), lookup_table),
            interactive=False,
            width=12,
        )
        self.colorbar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self.title = QLabel()
        self.title.setObjectName("weightMatrixTitle")
        self.readout = QLabel("Point at a weight to read it.")
        self.readout.setObjectName("weightMatrixReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)
        self.setWindowTitle(f"Weights of {name}")

    # -- content ----------------------------------------------------------------------------------

    def matrix(self) -> NDArray[np.float64] | None:
        """The matrix shown (a copy), rows the layer's units; None before the first one."""
        return None if self._matrix is None else self._matrix.copy()

    def set_matrix(self, weights: ArrayLike) -> None:
        """Show ``weights`` (units, previous units); keeps the zoom while the shape stays."""
        W = np.array(weights, dtype=np.float64, ndmin=2)
        if W.ndim != 2 or W.size == 0:
            raise ValueError(f"weights must be a non-empty 2-D matrix, got shape {W.shape}.")
        reshaped = self._matrix is None or self._matrix.shape != W.shape
        self._matrix = W
        magnitudes = np.abs(W[np.isfinite(W)])
        largest = float(magnitudes.max(initial=0.0))
        top = float(np.percentile(magnitudes, COLOR_PERCENTILE)) if magnitudes.size else 0.0
        top = top or largest or 1.0
        self.image.setImage(np.nan_to_num(W), levels=(-top, top), autoLevels=False)
        # block (i, j) centred on (j + 1, i + 1): the axes count units from 1, as the readout
        self.image.setRect(QRectF(0.5, 0.5, W.shape[1], W.shape[0]))
        self.colorbar.setLevels((-top, top))
        rows, columns = W.shape
        self.title.setText(
            f"<b>{self._name}</b>: {rows} units × {columns} inputs · ‖W‖ = "
            f"{np.linalg.norm(W):.3g} · largest |w| = {largest:.3g}<br>"
            f"rows: this layer's units · columns: the units feeding them · colours ±{top:.3g} "
            f"({COLOR_PERCENTILE}th percentile of |w|; beyond it they saturate)"
        )
        if reshaped:
            self.plot.getPlotItem().setRange(
                xRange=(0.5, columns + 0.5), yRange=(0.5, rows + 0.5), padding=0.02
            )
            side = int(np.clip(max(rows, columns) * PIXELS_PER_WEIGHT, MIN_SIDE, MAX_SIDE))
            self.resize(side + 100, side + 130)  # the axes, colour bar, title and readout
        self._update_readout()

    def weight_at(self, x: float, y: float) -> tuple[int, int, float] | None:
        """(row, column, weight) of the block at plot coordinates (x, y), or None."""
        if self._matrix is None:
            return None
        row, column = int(np.floor(y - 0.5)), int(np.floor(x - 0.5))
        rows, columns = self._matrix.shape
        if not (0 <= row < rows and 0 <= column < columns):
            return None
        return row, column, float(self._matrix[row, column])

    # -- pointer ----------------------------------------------------------------------------------

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        self._pointer = view.mapSceneToView(scene_pos)
        self._update_readout()

    def _update_readout(self) -> None:
        hit = (
            None if self._pointer is None else self.weight_at(self._pointer.x(), self._pointer.y())
        )
        if hit is None:
            self.readout.setText("Point at a weight to read it.")
            return
        row, column, value = hit
        self.readout.setText(f"unit {row + 1} ← input {column + 1}: w = {value:.6g}")

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        super().closeEvent(event)
        self.sigClosed.emit(self.layer)
