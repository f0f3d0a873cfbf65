"""The network panel: the inside of the network, live — neuron maps, weights, biases, health.

Columns left to right: the input features, one column per hidden layer, the output unit.

The input column offers every feature the network may use (the built-ins x1, x2, x1², x2²,
x1·x2, sin x1, sin x2, then the user's expressions), each with its **feature map**: the
feature's value over the data plot's current view, diverging vermillion – white (0) – blue
over ± its largest |value| there (the card states the range; grey where it is not finite).
Active features are the network's inputs, drawn in full with their links into the first layer;
the others are dimmed. Clicking a feature switches it on or off (:attr:`sigFeatureToggled`),
right-clicking an expression removes it (:attr:`sigFeatureRemoved`), and the "f(x1, x2)…"
button asks for a new one (:attr:`sigAddFeatureClicked`).

Every other node shows its **neuron map**, the unit's activation over the data plot's current view,
in the decision map's colours: sigmoid units (and the output) on its 0..1 scale with 0.5 white,
tanh, linear and leaky ReLU units diverging around 0 (white) over the layer's symmetric range, ReLU
units sequential from 0 (white) to the layer's largest value (blue). Links are coloured by the
weight's sign (blue positive, vermillion negative) and drawn wider for larger |w|, up to
LINK_CLAMP; each node's bias is the small bar under it (right and blue for positive, left and
vermillion for negative, full length at BIAS_CLAMP).

Layers wider than MAX_SHOWN_UNITS show the units with the largest outgoing weights and "+N
more"; a layer's heatmap toggle draws its whole weight matrix in place of its links, and its
⤢ button opens that matrix in a window of its own (WeightMatrixWindow), readable at 256 x 256.
Below the diagram, one row per layer: the weight-gradient norm over recent epochs (log scale),
the weight norm and, for ReLU layers, the share of dead units.

Hovering a node or a link shows a card with its exact current value, refreshed with every
frame; hovering a node also asks (:attr:`NetworkView.sigFocusChanged`) for the data plot to show
that unit's map. Clicking a link or a bias asks to edit it (:attr:`sigParameterClicked`).

Everything drawn is created once per architecture and fed with setImage/setData per frame: one
image per column (its maps side by side as tiles), one item painting all links, one bar item
for all biases.
"""

from collections import deque
from dataclasses import dataclass
from html import escape

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground import theme
from playground.help import with_concept
from playground.neuron_maps import MAX_SHOWN_UNITS, THUMBNAIL, LayerFrame, NetworkFrame
from playground.state import FEATURE_LABELS, feature_label
from playground.widgets.data_plot import region_lookup_table
from playground.widgets.sparkline import Sparkline
from playground.widgets.weight_matrix import WeightMatrixWindow

LINK_CLAMP = 2.0  # |w| at which a link reaches its full width
BIAS_CLAMP = 2.0  # |b| at which a bias bar reaches its full length
MAX_LINK_WIDTH = 4.0  # pixels
COLUMN_SPACING = 3.2  # scene units between columns (a node is 1 x 1)
ROW_SPACING = 1.2
SPARKLINE_EPOCHS = 300  # the health sparklines show this many recent epochs
TRANSPARENT = 255  # LUT index of the gaps between tiles
POSITIVE = QColor(theme.CLASS_COLORS[1])
NEGATIVE = QColor(theme.CLASS_COLORS[0])
INACTIVE_ALPHA = 70  # of 255: a feature the network does not use is dimmed
NOT_FINITE_RGBA = (156, 163, 175, 255)  # grey where a feature map is NaN or infinite
LABEL_MARGIN = 3.0  # scene units left of the input column for the features' names


def feature_range(values: NDArray) -> tuple[float, float]:
    """A feature map's colour range: ± its largest finite |value| (1 when all are 0)."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return (-top, top) if top > 0 else (-1.0, 1.0)


def tile_lookup_table() -> NDArray[np.uint8]:
    """RGBA LUT: entries 0..254 the decision map's colours, 255 transparent (gaps)."""
    rgb = region_lookup_table(TRANSPARENT)
    lut = np.zeros((256, 4), dtype=np.uint8)
    lut[:TRANSPARENT, :3] = rgb
    lut[:TRANSPARENT, 3] = 255
    return lut


def colour_indices(maps: NDArray, activation: str, value_range: tuple[float, float]) -> NDArray:
    """Maps (k, t, t) -> LUT indices 0..254: where each value sits on the layer's scale.

    The decision map's scale runs vermillion (0) - white (mid) - blue (254). Sigmoid and
    diverging layers use all of it over their range; ReLU uses the white-to-blue half (0 is
    white).
    """
    low, high = value_range
    span = high - low if high > low else 1.0
    position = (np.nan_to_num(maps, nan=low) - low) / span
    if activation == "relu":
        position = 0.5 + 0.5 * position
    return np.clip(np.rint(position * (TRANSPARENT - 1)), 0, TRANSPARENT - 1).astype(np.uint8)


@dataclass(frozen=True)
class _Column:
    """Where a column sits: its x, its number of drawn slots, and their centres' y."""

    x: float
    slots: int

    def y(self, slot: int | NDArray) -> float | NDArray:
        return ((self.slots - 1) / 2 - np.asarray(slot)) * ROW_SPACING


def _small_text(text: str, color: str, anchor: tuple[float, float], points: int = 8) -> pg.TextItem:
    item = pg.TextItem(anchor=anchor)
    item.setHtml(f'<span style="color:{color}; font-size:{points}pt">{escape(text)}</span>')
    return item


class _LinksItem(pg.GraphicsObject):
    """All links of the diagram, painted in one go, grouped by pen (colour x width bucket).

    The pens are opaque: each colour is its sign's colour already blended with the panel's
    background at the bucket's strength. Qt's raster engine strokes antialiased wide lines with
    a translucent pen about five times slower than with an opaque one (34 vs 7 ms for 800 links,
    measured offscreen), and the look differs only where links cross. A new set of links that
    draws the same lines with the same pens as the last one repaints nothing.
    """

    WIDTHS = 6

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[PrimitiveArray] = []  # per pen: QLineF x0, y0, x1, y1 in NumPy memory
        self._pens: list[QPen] = []
        self._rect = QRectF()
        self._drawn: tuple[bytes, bytes] | None = None  # segments and pen indices shown
        background = QColor(theme.BACKGROUND)
        for bucket in range(self.WIDTHS):  # weak links first: the strong ones on top
            for sign in (POSITIVE, NEGATIVE):
                strength = 0.45 + 0.55 * (bucket + 1) / self.WIDTHS
                color = QColor.fromRgbF(
                    *(
                        strength * c + (1 - strength) * b
                        for c, b in zip(sign.getRgbF()[:3], background.getRgbF()[:3], strict=True)
                    )
                )
                pen = QPen(color, 0.6 + MAX_LINK_WIDTH * bucket / (self.WIDTHS - 1))
                pen.setCosmetic(True)
                self._pens.append(pen)
                self._lines.append(PrimitiveArray(QLineF, 4))

    def set_links(self, segments: NDArray, weights: NDArray) -> None:
        """``segments`` (n, 4) x0, y0, x1, y1; ``weights`` (n,) the weights they draw."""
        segments = np.asarray(segments, dtype=np.float64)
        strength = np.clip(np.abs(np.nan_to_num(weights)) / LINK_CLAMP, 0.0, 1.0)
        bucket = np.minimum((strength * self.WIDTHS).astype(int), self.WIDTHS - 1)
        pen_index = 2 * bucket + (np.asarray(weights) < 0)
        drawn = (segments.tobytes(), pen_index.tobytes())
        if drawn == self._drawn:
            return  # the same picture: no repaint
        self._drawn = drawn
        self.prepareGeometryChange()
        for index, lines in enumerate(self._lines):
            of_pen = segments[pen_index == index]
            lines.resize(len(of_pen))
            lines.ndarray()[:] = of_pen
        if len(segments):
            low, high = segments.min(axis=0), segments.max(axis=0)
            self._rect = QRectF(
                min(low[0], low[2]), min(low[1], low[3]),
                max(high[0], high[2]) - min(low[0], low[2]),
                max(high[1], high[3]) - min(low[1], low[3]),
            )  # fmt: skip
        else:
            self._rect = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect

    def paint(self, painter: QPainter, *args: object) -> None:  # Qt override
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for pen, lines in zip(self._pens, self._lines, strict=True):
            if len(lines):
                painter.setPen(pen)
                painter.drawLines(*lines.drawargs())


class NetworkView(QWidget):
    """The network panel (see the module docstring); objectName ``networkView``.

    Feed it with :meth:`set_architecture` (sizes and activations, e.g. from the document),
    :meth:`show_frame` (a worker's :class:`~playground.neuron_maps.NetworkFrame`) and
    :meth:`add_norms` (per-epoch gradient and weight norms).

    Attributes
    ----------
    sigFocusChanged : Signal(object)
        ``(layer, unit)`` of the node under the pointer (layers counted from the first hidden
        one; the output is the last), or None when the pointer left the nodes.
    sigParameterClicked : Signal(int, int, int, float)
        ``(layer, row, column, value)`` of a clicked link (column >= 0) or bias (column -1),
        with its current value: a request to edit it.
    sigHeatmapsChanged : Signal(object)
        The set of layers whose whole weight matrix the panel needs changed (a frozenset of
        layer indices): those drawn as heatmaps and those shown in a weight-matrix window.
    sigFeatureToggled : Signal(str)
        A click on an input feature's node: a request to switch it on or off.
    sigFeatureRemoved : Signal(str)
        A right-click on an expression's node: a request to remove that feature.
    sigAddFeatureClicked : Signal()
        The "f(x1, x2)…" button: a request for a new feature.
    """

    sigFocusChanged = Signal(object)
    sigParameterClicked = Signal(int, int, int, float)
    sigHeatmapsChanged = Signal(object)
    sigFeatureToggled = Signal(str)
    sigFeatureRemoved = Signal(str)
    sigAddFeatureClicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("networkView")
        self._lut = tile_lookup_table()
        self._diverging_lut = np.ascontiguousarray(self._lut[:TRANSPARENT])
        self._sizes: list[int] = []
        self._activations: list[str] = []
        self._input_names: list[str] = []  # the network's features, in its input order
        self._candidates: list[str] = []  # every feature the input column offers
        self._input_slots: list[int] = []  # the candidate slot of each network input
        self._feature_maps: dict[str, NDArray] = {}
        self._input_labels: list[pg.TextItem] = []
        self._columns: list[_Column] = []
        self._tiles: list[pg.ImageItem] = []
        self._headers: list[pg.TextItem] = []
        self._frame: NetworkFrame | None = None
        self._hover: tuple | None = None  # ("node", column, slot) or ("link", layer, i, j)
        self._focus: tuple[int, int] | None = None
        self._heatmaps: set[int] = set()
        self._heatmap_items: dict[int, pg.ImageItem] = {}
        self._matrix_windows: dict[int, WeightMatrixWindow] = {}
        self._grad_history: deque = deque(maxlen=SPARKLINE_EPOCHS)
        self._health_rows: list[dict] = []
        self._more_texts: list[str] = []
        self._spacing = COLUMN_SPACING

        self.view = pg.GraphicsView()
        self.view.setObjectName("networkDiagram")
        self.view.setBackground(theme.BACKGROUND)
        self.view.setMinimumHeight(72)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.box = pg.ViewBox(lockAspect=True, enableMouse=False, enableMenu=False)
        self.box.setDefaultPadding(0.07)  # room for the edge columns' titles
        self.view.setCentralItem(self.box)
        self._links = _LinksItem()
        self.box.addItem(self._links)
        self._biases = pg.BarGraphItem(x0=[], y0=[], width=[], height=[], brushes=[])
        self.box.addItem(self._biases)
        # An invisible point that widens the auto-range over the features' names.
        self._range_anchor = pg.PlotCurveItem(pen=pg.mkPen((0, 0, 0, 0)))
        self.box.addItem(self._range_anchor)
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.view.viewport().installEventFilter(self)

        self.card = QLabel(self.view)
        self.card.setObjectName("networkCard")
        self.card.setStyleSheet(
            "QLabel#networkCard { background: #FFFFFFEE; border: 1px solid #9CA3AF;"
            " border-radius: 4px; padding: 3px 6px; color: #111827; }"
        )
        self.card.hide()
        self.legend = QLabel()
        self.legend.setObjectName("networkLegend")
        # One line, cut at the panel's edge when narrow (the tooltip has it all): a wrapping
        # label would make the window's minimum height depend on the column's width.
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.legend.setStyleSheet("color: #6B7280;")
        self.legend.setText(
            "Links: blue +, vermillion −, width |w| · bar: bias · hover: values · click: edit"
        )
        self.legend.setToolTip(
            "Each node shows its unit's activation over the data plot's view: sigmoid units "
            "0–1 and tanh, linear or leaky ReLU units ±their largest value go vermillion – white "
            "– blue, like the decision map; ReLU units go from white (0) to blue (their "
            f"largest value). Links reach full width at |w| = {LINK_CLAMP:g}, bias bars full "
            f"length at |b| = {BIAS_CLAMP:g}."
        )
        self.healthScroll = QScrollArea()
        self.healthScroll.setObjectName("layerHealthScroll")
        self.healthScroll.setWidgetResizable(True)
        self.healthScroll.setFrameShape(QFrame.Shape.NoFrame)
        self.healthScroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.addFeatureButton = QPushButton("f(x1, x2)…")
        self.addFeatureButton.setObjectName("addFeatureButton")
        self.addFeatureButton.setToolTip(
            with_concept(
                "Add an input feature computed from x1 and x2, e.g. x1^2 + x2^2 or sin(3*x1)",
                "Input features",
            )
        )
        self.addFeatureButton.clicked.connect(self.sigAddFeatureClicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.view, 3)
        layout.addWidget(self.healthScroll, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.addFeatureButton)
        bottom.addWidget(self.legend, 1)
        layout.addLayout(bottom)

    # -- public API -------------------------------------------------------------------------------

    @property
    def sizes(self) -> list[int]:
        """Inputs, hidden layer widths, output (e.g. [2, 16, 16, 1])."""
        return list(self._sizes)

    @property
    def features(self) -> list[str]:
        """The features the input column offers, top to bottom."""
        return list(self._candidates)

    @property
    def active_features(self) -> list[str]:
        """The network's features (drawn in full), in its input order."""
        return list(self._input_names)

    @property
    def frame(self) -> NetworkFrame | None:
        """The frame drawn last (None until the first one of this architecture)."""
        return self._frame

    @property
    def heatmaps(self) -> frozenset[int]:
        return frozenset(self._heatmaps)

    def node_count(self) -> int:
        """Nodes drawn: inputs, shown hidden units, the output."""
        return sum(column.slots for column in self._columns)

    def link_count(self) -> int:
        """Links drawn (layers in heatmap mode draw none)."""
        return sum(len(lines) for lines in self._links._lines)

    def more_labels(self) -> list[str]:
        """The "+N more" texts under wide layers, in layer order ("" for complete columns)."""
        return [column_more for column_more in self._more_texts]

    def set_architecture(
        self,
        sizes: list[int],
        activations: list[str],
        input_names: list[str],
        candidates: list[str] | None = None,
    ) -> None:
        """Build the diagram for these layer ``sizes`` (inputs first, output last), each
        layer's ``activations`` (hidden layers then "sigmoid") and the network's features
        ``input_names``; ``candidates`` are all the features the input column offers (they
        include ``input_names``; just those when omitted)."""
        candidates = list(input_names) if candidates is None else list(candidates)
        missing = [name for name in input_names if name not in candidates]
        if missing or len(input_names) != sizes[0]:
            raise ValueError(
                f"input_names must be {sizes[0]} of the candidates, got {list(input_names)}."
            )
        if (
            sizes == self._sizes
            and activations == self._activations
            and list(input_names) == self._input_names
            and candidates == self._candidates
        ):
            return
        self._sizes, self._activations = list(sizes), list(activations)
        self._input_names = list(input_names)
        self._candidates = candidates
        self._input_slots = [candidates.index(name) for name in input_names]
        self._heatmaps = {layer for layer in self._heatmaps if layer < len(activations)}
        for layer in [layer for layer in self._matrix_windows if layer >= len(activations)]:
            self._matrix_windows[layer].close()  # its layer is gone
        self._frame = None
        self._hover = None
        self.card.hide()
        self._grad_history.clear()
        for item in [*self._tiles, *self._headers, *self._heatmap_items.values()]:
            self.box.removeItem(item)
        self._tiles, self._headers, self._heatmap_items = [], [], {}
        self._spacing = self._fitting_spacing()
        self._place_items()
        self._links.set_links(np.empty((0, 4)), np.empty(0))
        self._biases.setOpts(x0=[], y0=[], width=[], height=[], brushes=[])
        self._build_health_rows()
        self._fit_range()

    def _fitting_spacing(self) -> float:
        """Column spacing that fills the view's width at the scale its height allows (square
        nodes), never below COLUMN_SPACING."""
        rows = min(max([*self._sizes, len(self._candidates)], default=1), MAX_SHOWN_UNITS)
        height_units = (rows - 1) * ROW_SPACING + 3.0  # nodes, headers and "+N more"
        width, height = max(self.view.width(), 1), max(self.view.height(), 1)
        columns = max(len(self._sizes) - 1, 1)
        margin = 1.4 + LABEL_MARGIN
        fitting = (width / height) * height_units / columns - margin / columns
        return max(COLUMN_SPACING, min(fitting, 4 * COLUMN_SPACING))

    def _place_items(self) -> None:
        """(Re)create the columns' images and labels at the current spacing."""
        for item in [
            *self._tiles,
            *self._headers,
            *self._heatmap_items.values(),
            *self._input_labels,
        ]:
            self.box.removeItem(item)
        self._tiles, self._headers, self._heatmap_items = [], [], {}
        self._input_labels = []
        self._columns = [
            _Column(index * self._spacing, min(size, MAX_SHOWN_UNITS))
            for index, size in enumerate(self._sizes)
        ]
        self._columns[0] = _Column(0.0, len(self._candidates))
        self._more_texts = []
        top = max(float(column.y(0)) for column in self._columns)
        for index, (column, size) in enumerate(zip(self._columns, self._sizes, strict=True)):
            tile = pg.ImageItem(axisOrder="row-major")
            tile.setLookupTable(self._lut)
            tile.setLevels((0, 255))
            tile.setZValue(2)  # above the links, which end at the tiles' edges
            self.box.addItem(tile)
            self._tiles.append(tile)
            header = _small_text(self._column_title(index), "#374151", (0.5, 1.0))
            header.setPos(column.x, top + 0.6)
            self.box.addItem(header)
            self._headers.append(header)
            more = f"+{size - column.slots} more" if size > column.slots and index else ""
            self._more_texts.append(more)
            if more:
                label = _small_text(more, "#6B7280", (0.5, 0.0))
                label.setPos(column.x, column.y(column.slots - 1) - 0.6)
                self.box.addItem(label)
                self._headers.append(label)
        self._tiles[0].setLookupTable(None)  # the input column is drawn in RGBA
        for slot, name in enumerate(self._candidates):
            on = name in self._input_names
            color = "#111827" if on else "#9CA3AF"
            # 7 pt: the input column's rows are as close as 16 hidden units' rows
            label = _small_text(feature_label(name, 9), color, (1.0, 0.5), points=7)
            label.setPos(-0.6, float(self._columns[0].y(slot)))
            self.box.addItem(label)
            self._input_labels.append(label)
        self._draw_feature_maps()

    def _fit_range(self) -> None:
        """Show the whole diagram, the features' names left of the input column included.

        The names are drawn in pixels, the diagram in scene units: an invisible point as far
        left as the longest name reaches at the current scale widens the auto-range (a few
        rounds, since the margin changes the scale).
        """
        if not self._columns:
            self.box.autoRange()
            return
        widest = max(
            (label.textItem.boundingRect().width() for label in self._input_labels), default=0
        )
        margin = LABEL_MARGIN
        for _ in range(4):
            self._range_anchor.setData(x=[-0.6 - margin], y=[float(self._columns[0].y(0))])
            self.box.autoRange()
            needed = (widest + 4) * self.box.viewPixelSize()[0]
            if needed <= margin <= 1.1 * needed:
                break
            margin = needed

    def set_feature_maps(self, maps: dict[str, NDArray]) -> None:
        """Each offered feature's map over the view, ``name -> (THUMBNAIL, THUMBNAIL)`` values
        (row 0 at the bottom); drawn in the input column (see the module docstring)."""
        self._feature_maps = dict(maps)
        self._draw_feature_maps()

    def feature_map_range(self, name: str) -> tuple[float, float] | None:
        """The colour range of feature ``name``'s map, None before its map arrived."""
        values = self._feature_maps.get(name)
        return None if values is None else feature_range(values)

    def _draw_feature_maps(self) -> None:
        if not self._tiles or not self._candidates:
            return
        k = len(self._candidates)
        gap = int(round((ROW_SPACING - 1.0) * THUMBNAIL))
        height = k * THUMBNAIL + (k - 1) * gap
        image = np.zeros((height, THUMBNAIL, 4), dtype=np.uint8)  # transparent gaps
        for slot, name in enumerate(self._candidates):
            values = self._feature_maps.get(name)
            if values is None:
                continue
            tile = self._lut[colour_indices(values[None], "linear", feature_range(values))[0]]
            tile[~np.isfinite(values)] = NOT_FINITE_RGBA
            if name not in self._input_names:
                tile[..., 3] = INACTIVE_ALPHA
            top = height - slot * (THUMBNAIL + gap)
            image[top - THUMBNAIL : top] = tile
        column, tile_item = self._columns[0], self._tiles[0]
        tile_item.setImage(image, autoLevels=False, levels=(0, 255))
        bottom = float(column.y(column.slots - 1)) - 0.5
        tile_item.setRect(QRectF(column.x - 0.5, bottom, 1.0, (k - 1) * ROW_SPACING + 1.0))

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        if not self._sizes:
            return
        spacing = self._fitting_spacing()
        if abs(spacing - self._spacing) > 0.1 * self._spacing:
            self._spacing = spacing
            self._place_items()
            frame, self._frame = self._frame, None
            if frame is not None:
                self.show_frame(frame)
            else:
                self._links.set_links(np.empty((0, 4)), np.empty(0))
            self._fit_range()

    def show_frame(self, frame: NetworkFrame) -> None:
        """Draw a frame of the current network (its layers must match the architecture)."""
        if len(frame.layers) != len(self._sizes) - 1:
            return  # a frame of the previous network, still on its way
        if (
            any(
                layer.units != size
                for layer, size in zip(frame.layers, self._sizes[1:], strict=True)
            )
            or frame.layers[0].weights.shape[1] != self._sizes[0]
        ):
            return
        self._frame = frame
        # the input column shows the feature maps (set_feature_maps), not the frame's inputs
        tiles = [(layer.maps, layer.activation, layer.value_range) for layer in frame.layers]
        for tile, column, (maps, activation, value_range) in zip(
            self._tiles[1:], self._columns[1:], tiles, strict=True
        ):
            tile.setImage(self._column_image(maps, activation, value_range), autoLevels=False)
            # after setImage: the rect scales the image it holds
            height = (column.slots - 1) * ROW_SPACING + 1.0
            bottom = float(column.y(column.slots - 1)) - 0.5
            tile.setRect(QRectF(column.x - 0.5, bottom, 1.0, height))
        self._draw_links(frame)
        self._draw_biases(frame)
        for layer, window in self._matrix_windows.items():
            full = frame.layers[layer].full_weights if layer < len(frame.layers) else None
            if full is not None:
                window.set_matrix(full)
        self._update_health(frame)
        if self._hover is not None:
            self._show_card(self._hover)

    def add_norms(self, grad_norms: NDArray | None, weight_norms: NDArray | None) -> None:
        """Per-epoch (k, n_layers) gradient and weight norms for the health rows."""
        if grad_norms is None or len(grad_norms) == 0:
            return
        if grad_norms.shape[1] != len(self._sizes) - 1:
            return
        self._grad_history.extend(grad_norms)
        history = np.asarray(self._grad_history)
        for row, values in zip(self._health_rows, history.T, strict=True):
            positive = np.where(values > 0, values, np.nan)
            row["sparkline"].set_values(np.log10(positive))
            row["grad"].setText(f"{values[-1]:.2e}")
        if weight_norms is not None:
            for row, value in zip(self._health_rows, weight_norms[-1], strict=True):
                row["weight"].setText(f"{value:.3g}")

    def set_dead_units(self, fractions: list[float | None]) -> None:
        """The share of dead ReLU units per layer (None for other activations)."""
        for row, fraction in zip(self._health_rows, fractions, strict=False):
            row["dead"].setText("" if fraction is None else f"{fraction:.0%} dead")

    def health_texts(self) -> list[dict[str, str]]:
        """What each layer's health row reads: its gradient norm, weight norm, dead share."""
        keys = ("grad", "weight", "dead")
        return [{key: row[key].text() for key in keys} for row in self._health_rows]

    def hover_text(self) -> str:
        """The card's text (empty when hidden): for tests and accessibility."""
        return self.card.text() if self.card.isVisible() else ""

    def node_position(self, layer: int, slot: int) -> QPoint:
        """Where node ``slot`` of column ``layer`` (0 = inputs) is, in view pixels."""
        column = self._columns[layer]
        scene = self.box.mapViewToScene(QPointF(column.x, float(column.y(slot))))
        return self.view.mapFromScene(scene)

    def link_position(self, layer: int, row_slot: int, column_slot: int) -> QPoint:
        """A point on the link into ``row_slot`` of column ``layer`` from ``column_slot`` of
        the previous column, in view pixels (``layer`` >= 1): a quarter of the way along,
        where links cross less often than in the middle."""
        left, right = self._columns[layer - 1], self._columns[layer]
        t = 0.25
        x = (1 - t) * (left.x + 0.5) + t * (right.x - 0.5)
        source = int(self._source_slots(layer - 1, left.slots)[column_slot])
        y = (1 - t) * float(left.y(source)) + t * float(right.y(row_slot))
        return self.view.mapFromScene(self.box.mapViewToScene(QPointF(x, y)))

    def set_heatmap(self, layer: int, on: bool) -> None:
        """Draw layer ``layer``'s whole weight matrix instead of its links (layer counted from
        the first hidden one)."""
        if on == (layer in self._heatmaps):
            return
        (self._heatmaps.add if on else self._heatmaps.discard)(layer)
        if not on and layer in self._heatmap_items:
            self.box.removeItem(self._heatmap_items.pop(layer))
        if layer < len(self._health_rows):
            check = self._health_rows[layer]["heatmap"]
            blocked = check.blockSignals(True)
            check.setChecked(on)
            check.blockSignals(blocked)
        self.sigHeatmapsChanged.emit(self.full_weight_layers())
        if self._frame is not None:
            self._draw_links(self._frame)

    def full_weight_layers(self) -> frozenset[int]:
        """Layers whose whole weight matrix the panel asks the worker for."""
        return frozenset(self._heatmaps | self._matrix_windows.keys())

    def weight_matrix_window(self, layer: int) -> WeightMatrixWindow | None:
        """The open weight-matrix window of ``layer``, if any."""
        return self._matrix_windows.get(layer)

    def open_weight_matrix(self, layer: int) -> WeightMatrixWindow:
        """Show layer ``layer``'s whole weight matrix in a window of its own (raised if open);
        it follows training until closed."""
        window = self._matrix_windows.get(layer)
        if window is None:
            name = "output" if layer == len(self._sizes) - 2 else f"layer {layer + 1}"
            window = WeightMatrixWindow(layer, name, self)
            window.sigClosed.connect(self._on_matrix_window_closed)
            self._matrix_windows[layer] = window
            if self._frame is not None and layer < len(self._frame.layers):
                full = self._frame.layers[layer].full_weights
                if full is not None:
                    window.set_matrix(full)
            self.sigHeatmapsChanged.emit(self.full_weight_layers())
        window.show()
        window.raise_()
        return window

    def _on_matrix_window_closed(self, layer: int) -> None:
        window = self._matrix_windows.pop(layer, None)
        if window is not None:
            window.deleteLater()
            self.sigHeatmapsChanged.emit(self.full_weight_layers())

    # -- drawing ----------------------------------------------------------------------------------

    def _column_title(self, index: int) -> str:
        if index == 0:
            return "Features"
        if index == len(self._sizes) - 1:
            return "Output"
        return f"{self._sizes[index]} {self._activations[index - 1]}"

    def _column_image(self, maps: NDArray, activation: str, value_range) -> NDArray[np.uint8]:
        """The column's tiles stacked top to bottom with transparent gaps, as LUT indices."""
        k = len(maps)
        gap = int(round((ROW_SPACING - 1.0) * THUMBNAIL))
        height = k * THUMBNAIL + (k - 1) * gap
        image = np.full((height, THUMBNAIL), TRANSPARENT, dtype=np.uint8)
        indices = colour_indices(maps, activation, value_range)
        for slot in range(k):
            # slot 0 is the top tile; image row 0 is drawn at the bottom (y up)
            top = height - slot * (THUMBNAIL + gap)
            image[top - THUMBNAIL : top] = indices[slot]
        return image

    def _draw_links(self, frame: NetworkFrame) -> None:
        segments, weights = [], []
        for index, layer in enumerate(frame.layers):
            left, right = self._columns[index], self._columns[index + 1]
            if index in self._heatmaps:
                self._draw_heatmap(index, layer, left, right)
                continue
            rows, cols = layer.weights.shape
            r, c = np.meshgrid(np.arange(rows), self._source_slots(index, cols), indexing="ij")
            x0 = np.full(r.size, left.x + 0.5)
            x1 = np.full(r.size, right.x - 0.5)
            segments.append(np.column_stack([x0, left.y(c.ravel()), x1, right.y(r.ravel())]))
            weights.append(layer.weights.ravel())
        if segments:
            self._links.set_links(np.concatenate(segments), np.concatenate(weights))
        else:
            self._links.set_links(np.empty((0, 4)), np.empty(0))

    def _source_slots(self, layer: int, count: int) -> NDArray:
        """The slots, in the column left of ``layer``, of its ``count`` shown inputs: the
        network's features' slots for the first layer, else 0..count-1."""
        if layer == 0:
            return np.asarray(self._input_slots, dtype=np.int64)
        return np.arange(count)

    def _draw_heatmap(self, index: int, layer: LayerFrame, left: _Column, right: _Column) -> None:
        W = layer.full_weights
        item = self._heatmap_items.get(index)
        if item is None:
            item = pg.ImageItem(axisOrder="row-major")
            item.setLookupTable(self._diverging_lut)
            self.box.addItem(item)
            self._heatmap_items[index] = item
        if W is None:
            return  # asked for; the worker sends the matrix with its next frame
        top = float(np.max(np.abs(W))) or 1.0
        # rows: the layer's units, top to bottom; columns: the previous layer's units
        item.setImage(W[::-1], levels=(-top, top))
        height = max(left.y(0), right.y(0)) - min(left.y(left.slots - 1), right.y(right.slots - 1))
        bottom = min(left.y(left.slots - 1), right.y(right.slots - 1)) - 0.5
        item.setRect(QRectF(left.x + 0.7, bottom, right.x - left.x - 1.4, height + 1.0))

    def _draw_biases(self, frame: NetworkFrame) -> None:
        x0, y0, width, brushes = [], [], [], []
        for index, layer in enumerate(frame.layers):
            column = self._columns[index + 1]
            for slot, bias in enumerate(layer.biases.tolist()):
                length = 0.5 * min(abs(bias) / BIAS_CLAMP, 1.0)
                x0.append(column.x if bias >= 0 else column.x - length)
                y0.append(float(column.y(slot)) - 0.62)
                width.append(max(length, 0.02))
                brushes.append(pg.mkBrush(POSITIVE if bias >= 0 else NEGATIVE))
        self._biases.setOpts(x0=x0, y0=y0, width=width, height=[0.1] * len(x0), brushes=brushes)

    # -- layer health -----------------------------------------------------------------------------

    def _build_health_rows(self) -> None:
        # A new table for every architecture (the scroll area deletes the previous one).
        self.health = QWidget()
        self.health.setObjectName("layerHealth")
        self._health_grid = QGridLayout(self.health)
        self._health_grid.setContentsMargins(4, 0, 4, 0)
        self._health_grid.setHorizontalSpacing(8)
        self._health_grid.setVerticalSpacing(1)
        self.healthScroll.setWidget(self.health)
        self._health_rows = []
        for column, text in enumerate(("layer", "‖∇W‖ (log, recent epochs)", "‖W‖", "", "")):
            caption = QLabel(text)
            caption.setStyleSheet("color: #6B7280;")
            self._health_grid.addWidget(caption, 0, column)
        for index in range(len(self._sizes) - 1):
            name = "output" if index == len(self._sizes) - 2 else f"layer {index + 1}"
            sparkline = Sparkline(theme.TRAIN_COLOR, theme.BACKGROUND)
            sparkline.setObjectName(f"gradSparkline{index}")
            sparkline.setFixedHeight(18)
            heatmap = QCheckBox("heatmap")
            heatmap.setObjectName(f"heatmapCheck{index}")
            heatmap.setToolTip("Draw this layer's whole weight matrix instead of its links")
            heatmap.toggled.connect(lambda on, layer=index: self.set_heatmap(layer, on))
            enlarge = QToolButton()
            enlarge.setObjectName(f"weightMatrixButton{index}")
            enlarge.setText("⤢")
            enlarge.setAutoRaise(True)
            enlarge.setToolTip(
                f"Open the weights of {name} in a window of their own: every weight readable, "
                "live while training"
            )
            enlarge.clicked.connect(lambda _=False, layer=index: self.open_weight_matrix(layer))
            row = {
                "sparkline": sparkline,
                "grad": QLabel("—"),
                "weight": QLabel("—"),
                "dead": QLabel(""),
                "heatmap": heatmap,
                "enlarge": enlarge,
            }
            self._health_grid.addWidget(QLabel(name), index + 1, 0)
            self._health_grid.addWidget(sparkline, index + 1, 1)
            self._health_grid.addWidget(row["grad"], index + 1, 2)
            self._health_grid.addWidget(row["weight"], index + 1, 3)
            self._health_grid.addWidget(row["dead"], index + 1, 4)
            self._health_grid.addWidget(heatmap, index + 1, 5)
            self._health_grid.addWidget(enlarge, index + 1, 6)
            self._health_rows.append(row)
        self._health_grid.setColumnStretch(1, 1)
        self._health_grid.setRowStretch(len(self._health_rows) + 1, 1)
        self.healthScroll.setMinimumHeight(2 * 21)  # the header and one layer; it scrolls

    def _update_health(self, frame: NetworkFrame) -> None:
        if len(self._grad_history):
            return  # the weight norms come with the epochs' norms
        for row, layer in zip(self._health_rows, frame.layers, strict=True):
            row["weight"].setText(f"{layer.weight_norm:.3g}")

    # -- pointer ----------------------------------------------------------------------------------

    def _hit(self, scene_pos: QPointF) -> tuple | None:
        """What is under ``scene_pos``: ("node", column, slot), ("bias", column, slot),
        ("link", layer, row_slot, column_slot) or None."""
        if not self._columns:
            return None
        point = self.box.mapSceneToView(scene_pos)
        x, y = point.x(), point.y()
        for index, column in enumerate(self._columns):
            if abs(x - column.x) <= 0.5:
                offsets = y - column.y(np.arange(column.slots))
                nodes = np.flatnonzero(np.abs(offsets) <= 0.5)
                if len(nodes):
                    return ("node", index, int(nodes[0]))
                # the bias bar sits just under its node (a bias zone never overlaps a node)
                biases = np.flatnonzero((offsets >= -0.9) & (offsets < -0.5))
                if index > 0 and len(biases):
                    return ("bias", index, int(biases[0]))
                return None
        if self._frame is None:
            return None
        pixel = self.box.viewPixelSize()[0]
        for index in range(1, len(self._columns)):
            left, right = self._columns[index - 1], self._columns[index]
            if not left.x + 0.5 < x < right.x - 0.5 or (index - 1) in self._heatmaps:
                continue
            t = (x - (left.x + 0.5)) / ((right.x - 0.5) - (left.x + 0.5))
            rows = np.arange(right.slots)
            cols = self._source_slots(index - 1, left.slots)
            r, c = np.meshgrid(rows, cols, indexing="ij")
            line_y = (1 - t) * left.y(c) + t * right.y(r)
            distance = np.abs(line_y - y)
            best = np.unravel_index(np.argmin(distance), distance.shape)
            if distance[best] <= 4 * pixel:
                return ("link", index, int(best[0]), int(best[1]))
        return None

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        hit = self._hit(scene_pos)
        self._hover = hit
        if hit is None:
            self.card.hide()
        else:
            self._show_card(hit)
            view_pos = self.view.mapFromScene(scene_pos)
            self.card.move(view_pos.x() + 14, max(view_pos.y() - self.card.height() - 6, 0))
        focus = None
        if hit is not None and hit[0] == "node" and hit[1] > 0 and self._frame is not None:
            layer = self._frame.layers[hit[1] - 1]
            focus = (hit[1] - 1, int(layer.shown[hit[2]]))
        if focus != self._focus:
            self._focus = focus
            self.sigFocusChanged.emit(focus)

    def leaveEvent(self, event) -> None:  # Qt override
        super().leaveEvent(event)
        self._hover = None
        self.card.hide()
        if self._focus is not None:
            self._focus = None
            self.sigFocusChanged.emit(None)

    def _on_mouse_clicked(self, event) -> None:
        hit = self._hit(event.scenePos())
        if hit is not None and hit[:2] == ("node", 0):
            name = self._candidates[hit[2]]
            if event.button() == Qt.MouseButton.LeftButton:
                self.sigFeatureToggled.emit(name)
            elif event.button() == Qt.MouseButton.RightButton and name not in FEATURE_LABELS:
                self.sigFeatureRemoved.emit(name)
            return
        if event.button() != Qt.MouseButton.LeftButton or self._frame is None:
            return
        if hit is None or hit[0] == "node":
            return
        if hit[0] == "bias":
            layer = self._frame.layers[hit[1] - 1]
            row = int(layer.shown[hit[2]])
            self.sigParameterClicked.emit(hit[1] - 1, row, -1, float(layer.biases[hit[2]]))
            return
        _, index, row_slot, column_slot = hit
        layer = self._frame.layers[index - 1]
        row = int(layer.shown[row_slot])
        column = self._previous_unit(index - 1, column_slot)
        value = float(layer.weights[row_slot, column_slot])
        self.sigParameterClicked.emit(index - 1, row, column, value)

    def _previous_unit(self, layer: int, slot: int) -> int:
        """The unit index of ``slot`` in the column feeding ``layer``."""
        if layer == 0:
            return slot
        return int(self._frame.layers[layer - 1].shown[slot])

    def _feature_card(self, slot: int) -> str:
        name = self._candidates[slot]
        on = name in self._input_names
        state = "an input of the network" if on else "not used (dimmed)"
        text = f"feature <b>{feature_label(name, 60)}</b>: {state}"
        low_high = self.feature_map_range(name)
        if low_high is not None:
            text += (
                f"<br>over the view: vermillion {low_high[0]:.3g} – white 0 – blue "
                f"{low_high[1]:.3g}"
            )
            if not np.isfinite(self._feature_maps[name]).all():
                text += "; grey: not finite"
        text += "<br>click: switch " + ("off" if on else "on")
        if name not in FEATURE_LABELS:
            text += " · right-click: remove"
        return text

    def _show_card(self, hit: tuple) -> None:
        frame = self._frame
        kind = hit[0]
        if kind == "node" and hit[1] == 0:
            text = self._feature_card(hit[2])
        elif frame is None:
            return
        elif kind in ("node", "bias"):
            layer = frame.layers[hit[1] - 1]
            unit = int(layer.shown[hit[2]])
            where = "output" if hit[1] == len(self._columns) - 1 else f"layer {hit[1]} unit {unit}"
            text = (
                f"{where} ({layer.activation})<br>bias <b>{layer.biases[hit[2]]:+.6g}</b><br>"
                f"mean activation over the view <b>{layer.mean_activation[hit[2]]:.6g}</b>"
            )
        else:
            _, index, row_slot, column_slot = hit
            layer = frame.layers[index - 1]
            row = int(layer.shown[row_slot])
            column = self._previous_unit(index - 1, column_slot)
            source = (
                feature_label(self._input_names[column], 60)
                if index == 1
                else f"layer {index - 1} unit {column}"
            )
            target = "output" if index == len(self._columns) - 1 else f"layer {index} unit {row}"
            text = (
                f"weight {source} → {target}<br>"
                f"<b>{layer.weights[row_slot, column_slot]:+.6g}</b> (click to edit)"
            )
        self.card.setText(text)
        self.card.adjustSize()
        self.card.show()
        self.card.raise_()
