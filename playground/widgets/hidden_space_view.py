"""The hidden-space view: the plane as the chosen layer sees it, live while training.

The grid lines of the data plot's view and the training points are drawn where the chosen layer
puts them (see :mod:`playground.hidden_space`): the input plane first, then each hidden layer,
deformed, with the grid points coloured by the network's P(class 1) as the decision map is. The
layer slider steps from the input to the last hidden layer; a change animates over
TRANSITION_MS by interpolating between the two layers' pictures, so the folding of the plane can
be watched. Layers of more than two units are shown by their top two principal components, or
by two units the user picks.

The worker computes the pictures only while this view is visible.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEasingCurve, Qt, QTimer, QVariantAnimation, Slot
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground import theme
from playground.controller import Controller
from playground.hidden_space import HIDDEN_SAMPLES, HiddenSpaceFrame, HiddenSpaceRequest
from playground.state.document import ASPECT_ARCHITECTURE, ASPECT_RUN
from playground.widgets.data_plot import region_lookup_table
from playground.widgets.points_item import PointsItem
from playground.worker import Snapshot

TRANSITION_MS = 500
COLOR_LEVELS = 16  # shades of P(class 1) the grid points are drawn in
DRAW_DELAY_MS = 25  # after a snapshot, so that this view repaints apart from the others
RANGE_PADDING = 0.15  # of the drawing's extent, around it when the view is re-ranged
PCA, UNITS = "pca", "units"


class HiddenSpaceView(QWidget):
    """The view (objectName ``hiddenSpaceView``), bound to ``controller``.

    Attributes
    ----------
    layerSlider : QSlider
        objectName ``hiddenLayerSlider``: 0 is the input plane, k the k-th hidden layer.
    modeCombo : QComboBox
        objectName ``hiddenModeCombo``: "Top two principal components" or "Two units".
    unitXSpin, unitYSpin : QSpinBox
        The two units (``hiddenUnitXSpin``, ``hiddenUnitYSpin``), in "Two units" mode.
    """

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hiddenSpaceView")
        self._controller = controller
        self._frame: HiddenSpaceFrame | None = None
        self._shown_layer = 0  # the layer drawn (during a transition: the one it goes to)
        self._from_layer = 0
        self._t = 1.0
        self._drawn_grid: np.ndarray | None = None
        self._axis_labels: tuple[str, str] | None = None
        self._draw_pending = False

        self.layerSlider = QSlider(Qt.Orientation.Horizontal)
        self.layerSlider.setObjectName("hiddenLayerSlider")
        self.layerSlider.setToolTip("Step from the input plane through the hidden layers")
        self.layerLabel = QLabel()
        self.layerLabel.setObjectName("hiddenLayerLabel")
        self.layerLabel.setMinimumWidth(10)
        self.layerLabel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.modeCombo = QComboBox()
        self.modeCombo.setObjectName("hiddenModeCombo")
        self.modeCombo.addItem("Top two principal components", PCA)
        self.modeCombo.addItem("Two units", UNITS)
        self.modeCombo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.modeCombo.setMinimumContentsLength(6)
        self.modeCombo.setToolTip(
            "How a layer of more than two units is drawn: the two directions along which its "
            "activations vary most over the training points (PCA), or two units you pick"
        )
        self.unitXSpin, self.unitYSpin = QSpinBox(), QSpinBox()
        for name, spin, value in (("X", self.unitXSpin, 0), ("Y", self.unitYSpin, 1)):
            spin.setObjectName(f"hiddenUnit{name}Spin")
            spin.setValue(value)
            spin.setToolTip(f"The unit drawn along {name.lower()}")
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("hiddenSpacePlot")
        self.plot.setBackground(theme.BACKGROUND)
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().vb.disableAutoRange()  # ranged by _follow
        self._lines = pg.PlotCurveItem(pen=pg.mkPen("#B8BEC7", width=1), connect="finite")
        # The grid points in COLOR_LEVELS shades of P(class 1), one PointsItem per shade (the
        # decision map's colours at the shades' centres): no per-point Python work per frame.
        no_pen = QPen(Qt.PenStyle.NoPen)
        self._grid_points = [
            PointsItem("o", 4, no_pen, pg.mkBrush(*rgb))
            for rgb in region_lookup_table(COLOR_LEVELS).tolist()
        ]
        self._points = [
            PointsItem(
                theme.CLASS_SYMBOLS[label],
                6,
                pg.mkPen("#FFFFFF", width=0.5),
                pg.mkBrush(theme.CLASS_COLORS[label]),
            )
            for label in (0, 1)
        ]
        for item in (self._lines, *self._grid_points, *self._points):
            self.plot.addItem(item)
        self._animation = QVariantAnimation(self)
        self._animation.setDuration(TRANSITION_MS)
        self._animation.setStartValue(0.0)
        self._animation.setEndValue(1.0)
        self._animation.setEasingCurve(QEasingCurve.Type.InOutCubic)
        self._animation.valueChanged.connect(self._on_animation_step)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Layer"))
        controls.addWidget(self.layerSlider, 1)
        controls.addWidget(self.layerLabel, 1)
        units = QHBoxLayout()
        units.addWidget(self.modeCombo, 1)
        units.addWidget(self.unitXSpin)
        units.addWidget(self.unitYSpin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addLayout(units)
        layout.addWidget(self.plot, 1)

        self.layerSlider.valueChanged.connect(self._on_layer_changed)
        self.modeCombo.currentIndexChanged.connect(self._send_request)
        self.unitXSpin.valueChanged.connect(self._send_request)
        self.unitYSpin.valueChanged.connect(self._send_request)
        controller.sigSnapshot.connect(self._on_snapshot)
        controller.document.subscribe(self._on_document_changed)
        self._on_architecture()

    # -- public -----------------------------------------------------------------------------------

    @property
    def frame(self) -> HiddenSpaceFrame | None:
        """The latest picture received."""
        return self._frame

    @property
    def transitioning(self) -> bool:
        return self._animation.state() == QVariantAnimation.State.Running

    def drawn_grid(self) -> np.ndarray | None:
        """The grid points as drawn now (interpolated during a transition), (n, 2)."""
        return None if self._drawn_grid is None else self._drawn_grid.copy()

    def request(self) -> HiddenSpaceRequest:
        units = None
        if self.modeCombo.currentData() == UNITS:
            units = (self.unitXSpin.value(), self.unitYSpin.value())
        return HiddenSpaceRequest(self.isVisible(), self.layerSlider.value(), units)

    # -- Qt ---------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        self._send_request()

    def hideEvent(self, event) -> None:  # Qt override
        super().hideEvent(event)
        self._send_request()

    # -- slots ------------------------------------------------------------------------------------

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        if ASPECT_ARCHITECTURE in aspects or ASPECT_RUN in aspects:
            self._on_architecture()

    def _on_architecture(self) -> None:
        architecture = self._controller.document.architecture
        self._hidden_sizes = [layer.units for layer in architecture.layers]
        self._activations = [layer.activation for layer in architecture.layers]
        blocked = self.layerSlider.blockSignals(True)
        self.layerSlider.setRange(0, len(self._hidden_sizes))
        self.layerSlider.blockSignals(blocked)
        self._frame = None
        self._animation.stop()
        self._shown_layer = self._from_layer = self.layerSlider.value()
        self._t = 1.0
        self._update_controls()
        self._send_request()

    def _update_controls(self) -> None:
        layer = self.layerSlider.value()
        if layer == 0:
            text = "input plane"
        else:
            text = f"layer {layer}: {self._hidden_sizes[layer - 1]} {self._activations[layer - 1]}"
        self.layerLabel.setText(text)
        units = self._hidden_sizes[layer - 1] if layer else 2
        pick = self.modeCombo.currentData() == UNITS and layer > 0 and units > 2
        for spin in (self.unitXSpin, self.unitYSpin):
            blocked = spin.blockSignals(True)
            spin.setRange(0, max(units - 1, 0))
            spin.blockSignals(blocked)
            spin.setEnabled(pick)
        self.modeCombo.setEnabled(layer > 0 and units > 2)

    @Slot(int)
    def _on_layer_changed(self, layer: int) -> None:
        self._update_controls()
        self._send_request()
        self._from_layer, self._shown_layer = self._shown_layer, layer
        if self._frame is not None and self._from_layer != layer:
            self._t = 0.0
            self._animation.stop()
            self._animation.start()
        else:
            self._t = 1.0
            self._draw()

    @Slot()
    def _send_request(self, *_: object) -> None:
        self._controller.worker.set_hidden_space(self.request())

    @Slot(object)
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        frame = snapshot.hidden_space
        if frame is None or len(frame.grid) != len(self._hidden_sizes) + 1:
            return
        self._frame = frame
        if not self.transitioning and not self._draw_pending:
            # Drawn half a frame later: Qt paints every changed widget of the window in one
            # pass, and this view's repaint on top of the data plot's and the network panel's
            # made the GUI thread's longest blocks.
            self._draw_pending = True
            QTimer.singleShot(DRAW_DELAY_MS, self, self._draw_later)

    def _draw_later(self) -> None:
        self._draw_pending = False
        if not self.transitioning:
            self._draw()

    @Slot(object)
    def _on_animation_step(self, value: float) -> None:
        self._t = float(value)
        self._draw()

    def _draw(self) -> None:
        frame = self._frame
        if frame is None:
            return
        a, b, t = self._from_layer, self._shown_layer, self._t
        if t >= 1.0:
            a = b
        grid = (1 - t) * frame.grid[a] + t * frame.grid[b]
        points = (1 - t) * frame.points[a] + t * frame.points[b]
        lines = grid.copy()
        breaks = np.arange(HIDDEN_SAMPLES - 1, len(lines), HIDDEN_SAMPLES)
        connect = np.ones(len(lines), dtype=bool)
        connect[breaks] = False
        self._lines.setData(lines[:, 0], lines[:, 1], connect=connect)
        self._drawn_grid = grid
        level = np.nan_to_num(frame.probability, nan=0.5) * COLOR_LEVELS
        level = np.clip(level.astype(int), 0, COLOR_LEVELS - 1)
        finite = np.isfinite(grid).all(axis=1)  # a point an overflow sent to infinity: not drawn
        for index, item in enumerate(self._grid_points):
            item.setData(grid[(level == index) & finite])
        point_finite = np.isfinite(points).all(axis=1)
        for label, item in enumerate(self._points):
            item.setData(points[(frame.labels == label) & point_finite])
        x_axis, y_axis = frame.axes[b]
        if (x_axis, y_axis) != self._axis_labels:  # a label set re-lays the plot out
            self._axis_labels = (x_axis, y_axis)
            self.plot.setLabel("bottom", x_axis)
            self.plot.setLabel("left", y_axis)
        self._follow(np.concatenate([grid[finite], points[point_finite]]))

    def _follow(self, xy: np.ndarray) -> None:
        """Keep everything drawn in view without re-ranging at every frame: the range changes
        when something leaves it or when the drawing fills less than a third of it (axis ticks
        are recomputed, at a cost, whenever the range changes)."""
        if not len(xy):
            return
        low, high = xy.min(axis=0), xy.max(axis=0)
        span = np.maximum(high - low, 1e-9)
        (x0, x1), (y0, y1) = self.plot.getPlotItem().vb.viewRange()
        inside = x0 <= low[0] and high[0] <= x1 and y0 <= low[1] and high[1] <= y1
        roomy = (x1 - x0) > 3 * span[0] or (y1 - y0) > 3 * span[1]
        if inside and not roomy:
            return
        pad = RANGE_PADDING * span
        self.plot.getPlotItem().vb.setRange(
            xRange=(low[0] - pad[0], high[0] + pad[0]),
            yRange=(low[1] - pad[1], high[1] + pad[1]),
            padding=0,
        )
