"""The data plot: paint two-class points and watch the decision regions under them.

`DataPlot` is a pyqtgraph `PlotWidget` whose items are created once and fed with
`setData`/`setImage`. From back to front:

1. the decision regions, an `ImageItem` of P(class 1) with fixed levels (0, 1) and a diverging LUT
   from `theme.REGION_*`, placed exactly on the rectangle the grid was computed for;
2. the 0.5 contour, computed here with a vectorised marching squares (`decision_contour`) because
   pyqtgraph's `IsocurveItem` loops over every cell in Python (~8 ms for 100x100 at 30 Hz);
3. per class one `PointsItem` of filled markers for the training points, then one of hollow
   markers for the test points (NumPy arrays drawn in one pass and cached as an image, so that
   100k points cost a blit when the map under them repaints);
4. the preview of the stroke being painted.

Mouse: the left button paints the active class, the right button the other class, Ctrl (or the
eraser mode) erases points within `ERASE_RADIUS_PX`. These presses are taken before pyqtgraph's
scene sees them, so they never pan the view or open a context menu; the middle button and the wheel
go to the `ViewBox` as usual (pan and zoom, within what a session can save: `VIEW_BOUND`,
`MIN_VIEW_WIDTH`). A stroke is previewed while it is drawn and reported once, on release, so that
one stroke is one undo step. The widget never changes the points itself: the window applies
`sigPaint`/`sigErase` to its model and calls `set_points` back. The eraser finds the points
under each move in a `PointGrid` of the points, built at its first use after they change.
"""

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem

from playground import theme
from playground.state import COORDINATE_LIMIT, MIN_VIEW_SPAN, VIEW_LIMIT
from playground.widgets.point_grid import PointGrid, segment_distances
from playground.widgets.points_item import PointsItem

DEFAULT_VIEW_RECT = (-1.5, -1.5, 2.5, 2.0)  # (x0, y0, x1, y1), fits the generated data sets
PAINT_SPACING_PX = 8.0  # distance between the points a drag adds
ERASE_RADIUS_PX = 12.0  # the eraser removes points within this distance of the cursor
VIEW_SIGNAL_INTERVAL_MS = 50  # sigViewChanged fires at most this often while panning/zooming
# Zooming and panning stop where a session can still save the view (within +-VIEW_LIMIT, at
# least MIN_VIEW_SPAN wide), with a margin: pyqtgraph's clamping and aspect lock round the edges.
VIEW_BOUND = VIEW_LIMIT * (1 - 1e-9)
MIN_VIEW_WIDTH = 2 * MIN_VIEW_SPAN

_Z_REGIONS, _Z_CONTOUR, _Z_TRAIN, _Z_TEST, _Z_PREVIEW = -20, -10, 10, 20, 30
_PAINT_BUTTONS = (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton)

Rect = tuple[float, float, float, float]


def region_lookup_table(n_colors: int = 256) -> NDArray[np.uint8]:
    """The decision-region colormap as a lookup table.

    Parameters
    ----------
    n_colors : int
        Number of entries.

    Returns
    -------
    (n_colors, 3) uint8 array of RGB colours, linearly interpolated between
    ``theme.REGION_COLORS`` at ``theme.REGION_STOPS``; entry 0 is P(class 1) = 0.
    """
    stops = np.asarray(theme.REGION_STOPS, dtype=np.float64)
    colors = np.array([QColor(c).getRgb()[:3] for c in theme.REGION_COLORS], dtype=np.float64)
    at = np.linspace(0.0, 1.0, n_colors)
    lut = np.column_stack([np.interp(at, stops, colors[:, k]) for k in range(3)])
    return np.rint(lut).astype(np.uint8)


def decision_contour(
    grid: NDArray[np.floating], rect: Rect, level: float = 0.5
) -> NDArray[np.float64]:
    """Segments of the `level` isoline of a grid, in data coordinates (marching squares).

    The grid values sit at the cell centres, as in `DataPlot.set_probability_grid`; values are
    interpolated linearly between centres (the same way the smoothed image blends its colours) and
    the edge values are extended to the border of `rect`, so the line reaches the image's edges.

    Parameters
    ----------
    grid : (ny, nx) array
        ``grid[j, i]`` is the value at ``x = x0 + (i + .5) * (x1 - x0) / nx``,
        ``y = y0 + (j + .5) * (y1 - y0) / ny``.
    rect : (x0, y0, x1, y1)
        The rectangle the grid covers.
    level : float
        The value the line follows.

    Returns
    -------
    (m, 2, 2) float64 array: m segments, each as two (x, y) end points.
    """
    ny, nx = grid.shape
    x0, y0, x1, y1 = rect
    xs = np.concatenate(([x0], x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx, [x1]))
    ys = np.concatenate(([y0], y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny, [y1]))
    g = np.pad(np.asarray(grid, dtype=np.float64), 1, mode="edge")
    # Cell corners: a bottom-left, b bottom-right, c top-right, d top-left. Which cells the line
    # crosses is decided on the whole grid with booleans; the crossing points are computed only
    # for those cells (a few hundred of the 10,000), which keeps this cheap on the GUI thread.
    above = g >= level
    qa, qb, qc, qd = above[:-1, :-1], above[:-1, 1:], above[1:, 1:], above[1:, :-1]
    rows, cols = np.nonzero((qa != qb) | (qb != qc) | (qd != qc) | (qa != qd))
    a, b, c, d = g[rows, cols], g[rows, cols + 1], g[rows + 1, cols + 1], g[rows + 1, cols]
    xl, xr, yb, yt = xs[cols], xs[cols + 1], ys[rows], ys[rows + 1]

    # edges without a crossing are unused: their 0/0, x/0 or x/(subnormal) are ignored
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):

        def along(v1: NDArray, v2: NDArray, p1: NDArray, p2: NDArray) -> NDArray:
            return p1 + (level - v1) / (v2 - v1) * (p2 - p1)

        # Crossing points on the edges 0 bottom (a-b), 1 right (b-c), 2 top (d-c), 3 left (a-d).
        px = np.stack([along(a, b, xl, xr), xr, along(d, c, xl, xr), xl])
        py = np.stack([yb, along(b, c, yb, yt), yt, along(a, d, yb, yt)])
    qa, qb, qc, qd = qa[rows, cols], qb[rows, cols], qc[rows, cols], qd[rows, cols]
    crosses = np.stack([qa != qb, qb != qc, qd != qc, qa != qd])
    n_crossings = crosses.sum(axis=0)

    def segments(edge1: NDArray, edge2: NDArray, cells: NDArray) -> NDArray:
        start = np.column_stack([px[edge1, cells], py[edge1, cells]])
        end = np.column_stack([px[edge2, cells], py[edge2, cells]])
        return np.stack([start, end], axis=1)

    (cells,) = np.nonzero(n_crossings == 2)
    cell_crosses = crosses[:, cells]
    first = np.argmax(cell_crosses, axis=0)
    last = 3 - np.argmax(cell_crosses[::-1], axis=0)
    parts = [segments(first, last, cells)]

    # Saddle cells (a and c on one side, b and d on the other): the centre decides which pair of
    # opposite corners is joined through the middle; the line cuts off the other two corners.
    (cells,) = np.nonzero(n_crossings == 4)
    centre_above = (a + b + c + d)[cells] / 4 >= level
    joins_a_c = centre_above == qa[cells]
    bottom, right, top, left = (np.full(cells.size, k) for k in range(4))
    parts.append(segments(bottom, np.where(joins_a_c, right, left), cells))
    parts.append(segments(top, np.where(joins_a_c, left, right), cells))
    return np.concatenate(parts)


class _SmoothImageItem(pg.ImageItem):
    """An ImageItem drawn with bilinear filtering, so a 100x100 grid looks smooth, not blocky."""

    def paint(self, painter: QPainter, *args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


@dataclass
class _Stroke:
    """One press-drag-release of a paint or erase tool."""

    button: Qt.MouseButton
    erase: bool
    label: int
    last_px: QPointF  # paint: the last point added; erase: the last cursor position (viewport px)
    points: list[tuple[float, float]] = field(default_factory=list)  # painted, data coordinates
    erased: NDArray[np.bool_] | None = None  # erase: mask over the points


class DataPlot(pg.PlotWidget):
    """Scatter of the two classes over the network's decision regions; paint and erase points.

    Signals
    -------
    sigPaint(points, label)
        At the end of a paint stroke that painted points: (k, 2) float64 data coordinates,
        each within +-COORDINATE_LIMIT, and the class (0/1).
    sigErase(indices)
        At the end of an erase stroke that hit points: (k,) int64 indices into the arrays of the
        last `set_points` call, sorted.
    sigViewChanged(rect)
        (x0, y0, x1, y1) of the visible area after pan, zoom or resize, at most every
        `VIEW_SIGNAL_INTERVAL_MS` while it keeps changing.
    sigActiveClassChanged(label)
        The class painted by the left button changed (keys 1/2 or `set_active_class`).
    sigEraserChanged(on)
        The eraser mode changed.
    """

    sigPaint = Signal(object, int)
    sigErase = Signal(object)
    sigViewChanged = Signal(object)
    sigActiveClassChanged = Signal(int)
    sigEraserChanged = Signal(bool)
    sigCursorMoved = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background=theme.BACKGROUND)
        self.setObjectName("dataPlot")
        self.setAntialiasing(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)

        self._X = np.empty((0, 2))
        self._labels = np.empty(0, dtype=np.int64)
        self._is_test = np.empty(0, dtype=bool)
        self._groups = np.empty(0, dtype=np.int8)  # _group_codes of the points
        self._show_test = True
        self._active_class = 0
        self._eraser = False
        self._stroke: _Stroke | None = None
        self._hover_px: QPointF | None = None
        self._last_view_rect: Rect | None = None
        # (cell, grid) of self._X for the eraser: built at its first move after a change
        self._eraser_grid: tuple[float, PointGrid] | None = None

        self._setup_axes()
        self._create_items()
        self._update_indicator()

        self._grid: tuple[NDArray[np.float32], Rect] | None = None  # the map last shown
        self._discretize = False
        self._view_timer = QTimer(self)
        self._view_timer.setSingleShot(True)
        self._view_timer.setInterval(VIEW_SIGNAL_INTERVAL_MS)
        self._view_timer.timeout.connect(self._emit_view_changed)
        self.plotItem.vb.sigRangeChanged.connect(self._schedule_view_changed)
        self.plotItem.vb.sigResized.connect(self._schedule_view_changed)
        self.reset_view()

    # ------------------------------------------------------------------ construction

    def _setup_axes(self) -> None:
        item = self.plotItem
        item.setMenuEnabled(False, enableViewBoxMenu=False)
        item.hideButtons()  # the "A" auto-range button: the view is ours, see fit_to_points
        item.showAxes(True, showValues=(True, False, False, True))  # a frame, values left/bottom
        item.layout.setContentsMargins(2, 10, 12, 2)  # room for the frame's top and right lines
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(theme.FOREGROUND, width=1))
            axis.setTextPen(pg.mkPen(theme.FOREGROUND))
        item.setLabel("bottom", "x<sub>1</sub>")
        item.setLabel("left", "x<sub>2</sub>")
        vb = item.vb
        vb.setAspectLocked(True)
        vb.disableAutoRange()
        vb.setMouseEnabled(x=True, y=True)
        vb.setLimits(
            xMin=-VIEW_BOUND, xMax=VIEW_BOUND, yMin=-VIEW_BOUND, yMax=VIEW_BOUND,
            minXRange=MIN_VIEW_WIDTH, minYRange=MIN_VIEW_WIDTH,
            maxXRange=2 * VIEW_BOUND, maxYRange=2 * VIEW_BOUND,
        )  # fmt: skip

    def _create_items(self) -> None:
        item = self.plotItem
        self._regions = _SmoothImageItem(axisOrder="row-major")
        self._regions.setLookupTable(region_lookup_table())
        self._regions.setLevels((0.0, 1.0))
        self._regions.setZValue(_Z_REGIONS)
        item.addItem(self._regions, ignoreBounds=True)

        contour_pen = pg.mkPen(QColor(theme.FOREGROUND), width=1.6)
        contour_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self._contour = pg.PlotCurveItem(pen=contour_pen, connect="pairs", antialias=True)
        self._contour.setZValue(_Z_CONTOUR)
        item.addItem(self._contour, ignoreBounds=True)

        self._train_scatters: list[PointsItem] = []
        self._test_scatters: list[PointsItem] = []
        for label in (0, 1):
            train = PointsItem(**_train_style(label))
            train.setZValue(_Z_TRAIN)
            test = PointsItem(**_test_style(label))
            test.setZValue(_Z_TEST)
            for scatter in (train, test):
                item.addItem(scatter, ignoreBounds=True)  # fit_to_points frames the view
            self._train_scatters.append(train)
            self._test_scatters.append(test)

        self._preview = PointsItem(**_train_style(0))
        self._preview.setZValue(_Z_PREVIEW)
        item.addItem(self._preview, ignoreBounds=True)

        # Both live in the ViewBox's own (pixel) coordinates, so they ignore zoom and pan.
        vb = item.vb
        self._indicator = pg.TextItem(
            anchor=(0, 0), fill=pg.mkBrush(255, 255, 255, 225), border=pg.mkPen("#BBBBBB")
        )
        self._indicator.setParentItem(vb)
        self._indicator.setPos(8, 8)
        self._indicator.setZValue(1000)
        r = ERASE_RADIUS_PX
        self._eraser_cursor = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
        pen = QPen(QColor(theme.FOREGROUND), 1)
        pen.setCosmetic(True)
        self._eraser_cursor.setPen(pen)
        self._eraser_cursor.setParentItem(vb)
        self._eraser_cursor.setZValue(1000)
        self._eraser_cursor.hide()

    # ------------------------------------------------------------------ public API

    @property
    def regions_item(self) -> pg.ImageItem:
        """The `ImageItem` showing P(class 1)."""
        return self._regions

    @property
    def contour_item(self) -> pg.PlotCurveItem:
        """The curve of the 0.5 contour (segments, ``connect="pairs"``)."""
        return self._contour

    @property
    def train_scatters(self) -> tuple[PointsItem, PointsItem]:
        """Training points of class 0 and class 1."""
        return tuple(self._train_scatters)

    @property
    def test_scatters(self) -> tuple[PointsItem, PointsItem]:
        """Test points of class 0 and class 1 (hollow markers)."""
        return tuple(self._test_scatters)

    @property
    def preview_item(self) -> PointsItem:
        """The points of the stroke being painted, before release."""
        return self._preview

    @property
    def indicator_item(self) -> pg.TextItem:
        """The active-tool indicator (a hint for the mouse, hidden in image exports)."""
        return self._indicator

    @property
    def indicator_text(self) -> str:
        """Plain text of the active-tool indicator in the top-left corner."""
        return self._indicator.textItem.toPlainText()

    def set_points(self, X: ArrayLike, labels: ArrayLike, is_test: ArrayLike) -> None:
        """Show these points, replacing the previous ones.

        Parameters
        ----------
        X : (n, 2) array of finite floats
            Data coordinates.
        labels : (n,) array of 0/1
            Classes.
        is_test : (n,) array of bool
            True for test points (drawn hollow).

        Raises
        ------
        ValueError
            On shapes or values that do not fit; nothing changes then.
        TypeError
            When is_test is not a bool array; nothing changes then.
        """
        X = np.array(X, dtype=np.float64)
        labels = np.asarray(labels)
        is_test = np.asarray(is_test)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (n, 2), got {X.shape}.")
        if not np.isfinite(X).all():
            raise ValueError("X must be finite, got NaN or inf.")
        n = X.shape[0]
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},), got {labels.shape}.")
        if not ((labels == 0) | (labels == 1)).all():
            raise ValueError(f"labels must be 0 or 1, got {np.setdiff1d(labels, (0, 1))}.")
        if is_test.shape != (n,):
            raise ValueError(f"is_test must have shape ({n},), got {is_test.shape}.")
        if is_test.dtype != np.bool_:
            raise TypeError(f"is_test must be a bool array, got dtype {is_test.dtype}.")
        self._X = X
        # a PointSet's arrays are read-only and never change: kept as they are (a million
        # points: copying them here held the GUI thread while the worker split the same)
        self._labels = _kept(labels.astype(np.int64, copy=False), labels)
        self._is_test = _kept(is_test, is_test)
        self._groups = _group_codes(self._labels, self._is_test)
        self._eraser_grid = None
        if self._stroke is not None and self._stroke.erase:
            # The indices gathered so far refer to the old points; gather again from here on.
            self._stroke.erased = np.zeros(n, dtype=bool)
        self._update_scatters()

    def set_show_test(self, show: bool) -> None:
        """Show or hide the test points (hidden points cannot be erased)."""
        self._show_test = bool(show)
        for scatter in self._test_scatters:
            scatter.setVisible(self._show_test)

    def set_probability_grid(self, grid: ArrayLike, rect: Rect) -> None:
        """Show the decision regions: a grid of P(class 1) covering `rect`.

        Parameters
        ----------
        grid : (ny, nx) array of floats in [0, 1], ny, nx >= 2
            ``grid[j, i]`` is P(class 1) at ``x = x0 + (i + .5) * (x1 - x0) / nx``,
            ``y = y0 + (j + .5) * (y1 - y0) / ny``.
        rect : (x0, y0, x1, y1)
            The area the grid covers, in data coordinates (usually an earlier `view_rect()`).

        Raises
        ------
        ValueError
            On a grid or rect that does not fit; nothing changes then.
        """
        grid = np.asarray(grid, dtype=np.float32)
        if grid.ndim != 2 or min(grid.shape) < 2:
            raise ValueError(f"grid must have shape (ny, nx) with ny, nx >= 2, got {grid.shape}.")
        if not np.isfinite(grid).all():
            raise ValueError("grid must be finite, got NaN or inf.")
        x0, y0, x1, y1 = _checked_rect(rect)
        self._grid = (grid, (x0, y0, x1, y1))
        shown = (grid > 0.5).astype(np.float32) if self._discretize else grid
        self._regions.setImage(shown, autoLevels=False)
        self._regions.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        segments = decision_contour(grid, (x0, y0, x1, y1))
        self._contour.setData(x=segments[:, :, 0].ravel(), y=segments[:, :, 1].ravel())

    @property
    def discretize(self) -> bool:
        """Whether the regions show hard class colours (P > 0.5) instead of shades."""
        return self._discretize

    def set_discretize(self, on: bool) -> None:
        """Hard class colours at 0.5 (on) or the shades of P(class 1) (off)."""
        self._discretize = bool(on)
        if self._grid is not None:
            self.set_probability_grid(*self._grid)

    def probability_at(self, x: float, y: float) -> float | None:
        """P(class 1) of the map shown at data point (x, y) (its grid cell), or None."""
        if self._grid is None:
            return None
        grid, (x0, y0, x1, y1) = self._grid
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return None
        ny, nx = grid.shape
        i = min(int((x - x0) / (x1 - x0) * nx), nx - 1)
        j = min(int((y - y0) / (y1 - y0) * ny), ny - 1)
        return float(grid[j, i])

    def clear_regions(self) -> None:
        """Remove the decision regions and the contour (e.g. after a reset)."""
        self._regions.clear()
        self._contour.setData(x=np.empty(0), y=np.empty(0))

    def view_rect(self) -> Rect:
        """The visible area as (x0, y0, x1, y1) in data coordinates."""
        (x0, x1), (y0, y1) = self.plotItem.vb.viewRange()
        return (float(x0), float(y0), float(x1), float(y1))

    def set_view_rect(self, rect: Rect) -> None:
        """Show at least `rect` (x0, y0, x1, y1); the locked aspect ratio may widen one axis.
        The view stays within +-`VIEW_BOUND` and at least `MIN_VIEW_WIDTH` wide and high."""
        checked = _checked_rect(rect)
        x0, x1 = _within_view_limits(checked[0], checked[2])
        y0, y1 = _within_view_limits(checked[1], checked[3])
        vb = self.plotItem.vb
        vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        if vb.targetRange() != [[x0, x1], [y0, y1]]:
            # Where the limits and the aspect lock disagree, pyqtgraph keeps part of the previous
            # view as its target, and goes back to it on the next resize: target the view shown.
            vb.setRange(rect=vb.viewRect(), padding=0)

    def reset_view(self) -> None:
        """Show `DEFAULT_VIEW_RECT`."""
        self.set_view_rect(DEFAULT_VIEW_RECT)

    def fit_to_points(self) -> None:
        """Zoom to all points with a margin, or to the default view when there are none."""
        if len(self._X) == 0:
            self.reset_view()
            return
        # column by column: ~10x faster than reducing the (n, 2) array along axis 0
        low = np.array([self._X[:, 0].min(), self._X[:, 1].min()])
        high = np.array([self._X[:, 0].max(), self._X[:, 1].max()])
        centre = (low + high) / 2
        half = np.maximum((high - low) / 2 * 1.15, 0.5)  # 15 % margin, at least 1 unit wide
        self.set_view_rect((*(centre - half), *(centre + half)))

    @property
    def active_class(self) -> int:
        """The class the left button paints (the right button paints the other one)."""
        return self._active_class

    def set_active_class(self, label: int) -> None:
        """Choose the class the left button paints; emits sigActiveClassChanged on a change."""
        if isinstance(label, bool) or label not in (0, 1):
            raise ValueError(f"label must be 0 or 1, got {label!r}.")
        label = int(label)
        if label == self._active_class:
            return
        self._active_class = label
        self._update_indicator()
        self.sigActiveClassChanged.emit(label)

    @property
    def eraser(self) -> bool:
        """True when the left and right buttons erase instead of painting."""
        return self._eraser

    def set_eraser(self, on: bool) -> None:
        """Switch the eraser mode; emits sigEraserChanged on a change."""
        on = bool(on)
        if on == self._eraser:
            return
        self._eraser = on
        self._update_indicator()
        self._update_eraser_cursor(self._hover_px, erasing=on)
        self.sigEraserChanged.emit(on)

    # ------------------------------------------------------------------ drawing

    def _update_scatters(
        self, hidden: NDArray[np.bool_] | None = None, labels: ArrayLike = (0, 1)
    ) -> None:
        """Show the points but ``hidden``, in the items of the classes ``labels``.

        An item given the points it already shows keeps its cached image (`PointsItem.setData`).
        """
        groups = self._groups if hidden is None else np.where(hidden, np.int8(-1), self._groups)
        for label in labels:
            for items, is_test in ((self._train_scatters, False), (self._test_scatters, True)):
                # np.compress: ~5x faster than boolean indexing of rows here
                items[label].setData(np.compress(groups == _group_code(label, is_test), self._X, 0))

    def _update_indicator(self) -> None:
        if self._eraser:
            tool, hint = "<b>◯ Eraser</b>", "drag over points · 1/2 paint"
        else:
            hint = "1/2 switch · right: other · Ctrl: erase"
            label = self._active_class
            color = theme.CLASS_COLORS[label]
            tool = (
                f'Painting <span style="color:{color}">{_SYMBOL_GLYPHS[label]}</span> '
                f"<b>{theme.CLASS_NAMES[label]}</b>"
            )
        self._indicator.setHtml(
            f'<div style="color:{theme.FOREGROUND};font-size:9pt">{tool}'
            f'<span style="color:#666666">&nbsp; {hint}</span></div>'
        )

    def _update_eraser_cursor(self, pos_px: QPointF | None, erasing: bool) -> None:
        if pos_px is None or not erasing:
            self._eraser_cursor.hide()
            return
        vb = self.plotItem.vb
        self._eraser_cursor.setPos(vb.mapFromScene(self._to_scene(pos_px)))
        self._eraser_cursor.show()

    def _schedule_view_changed(self, *args: object) -> None:
        if not self._view_timer.isActive():
            self._view_timer.start()

    def flush_view_changed(self) -> None:
        """Emit a view change still waiting for its timer now (e.g. before a save)."""
        if self._view_timer.isActive():
            self._view_timer.stop()
            self._emit_view_changed()

    def _emit_view_changed(self) -> None:
        if self.plotItem is None:  # PlotWidget.close() has dropped its items
            return
        rect = self.view_rect()
        if rect != self._last_view_rect:
            self._last_view_rect = rect
            self.sigViewChanged.emit(rect)

    # ------------------------------------------------------------------ coordinates

    def _to_scene(self, pos_px: QPointF) -> QPointF:
        return self.viewportTransform().inverted()[0].map(pos_px)

    def _to_data(self, pos_px: QPointF) -> tuple[float, float]:
        p = self.plotItem.vb.mapSceneToView(self._to_scene(pos_px))
        return (p.x(), p.y())

    def _in_view(self, pos_px: QPointF) -> bool:
        return self.plotItem.vb.sceneBoundingRect().contains(self._to_scene(pos_px))

    def _pixel_axes(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Viewport pixels of the data origin, and the pixel vectors of one data unit along x
        and along y (the view is affine: three points give it)."""
        vb = self.plotItem.vb
        to_px = self.viewportTransform()
        origin, ex, ey = (
            to_px.map(vb.mapViewToScene(QPointF(*p))) for p in ((0, 0), (1, 0), (0, 1))
        )
        o = np.array([origin.x(), origin.y()])
        return o, np.array([ex.x(), ex.y()]) - o, np.array([ey.x(), ey.y()]) - o

    def _points_in_pixels(self, indices: NDArray[np.int64]) -> NDArray[np.float64]:
        """These points mapped to viewport pixels; element-wise, so a point maps to the same
        pixels whichever others are mapped with it."""
        o, ux, uy = self._pixel_axes()
        X = self._X[indices]
        return o + X[:, :1] * ux + X[:, 1:] * uy

    # ------------------------------------------------------------------ strokes

    def _start_stroke(self, button: Qt.MouseButton, erase: bool, pos_px: QPointF) -> None:
        left = button == Qt.MouseButton.LeftButton
        label = self._active_class if left else 1 - self._active_class
        self._stroke = _Stroke(button=button, erase=erase, label=label, last_px=QPointF(pos_px))
        if erase:
            self._stroke.erased = np.zeros(len(self._X), dtype=bool)
            self._erase_along(pos_px, pos_px)
        else:
            self._preview.setStyle(**_train_style(label))
            self._add_stroke_point(pos_px)
            self._preview.setData(np.array(self._stroke.points).reshape(-1, 2))

    def _continue_stroke(self, pos_px: QPointF) -> None:
        stroke = self._stroke
        if stroke.erase:
            self._erase_along(stroke.last_px, pos_px)
            stroke.last_px = QPointF(pos_px)
            return
        step = pos_px - stroke.last_px
        length = float(np.hypot(step.x(), step.y()))
        n_new = int(length // PAINT_SPACING_PX)
        if n_new == 0:
            return
        unit = step / length * PAINT_SPACING_PX
        for k in range(1, n_new + 1):
            sample = stroke.last_px + unit * k
            if self._in_view(sample):
                self._add_stroke_point(sample)
        stroke.last_px = stroke.last_px + unit * n_new
        self._preview.setData(np.array(stroke.points).reshape(-1, 2))

    def _add_stroke_point(self, pos_px: QPointF) -> None:
        # The view reaches beyond COORDINATE_LIMIT (to show points at the limit with a margin);
        # no point is painted out there, where the data could not hold it.
        x, y = self._to_data(pos_px)
        if abs(x) <= COORDINATE_LIMIT and abs(y) <= COORDINATE_LIMIT:
            self._stroke.points.append((x, y))

    def _eraser_candidates(self, start_px: QPointF, end_px: QPointF) -> NDArray[np.int64]:
        """Indices of the points that may lie within ERASE_RADIUS_PX of the segment start-end
        (all that do, and some more), from the grid of the points."""
        _, ux, uy = self._pixel_axes()
        # A data unit is as long in x as in y on screen (locked aspect); the shorter one makes
        # the radius in data units no smaller than the eraser's, with a margin for rounding.
        radius = ERASE_RADIUS_PX / min(np.hypot(*ux), np.hypot(*uy)) * 1.001
        if self._eraser_grid is None or not 0.5 < self._eraser_grid[0] / (2 * radius) < 2:
            # cells as wide as the eraser, for this zoom
            self._eraser_grid = (2 * radius, PointGrid(self._X, 2 * radius))
        grid = self._eraser_grid[1]
        return grid.near_segment(self._to_data(start_px), self._to_data(end_px), radius)

    def _erase_along(self, start_px: QPointF, end_px: QPointF) -> None:
        """Mark the points within ERASE_RADIUS_PX of the segment start-end and hide them."""
        stroke = self._stroke
        if len(self._X) == 0:
            return
        candidates = self._eraser_candidates(start_px, end_px)
        a = (start_px.x(), start_px.y())
        b = (end_px.x(), end_px.y())
        hit = segment_distances(self._points_in_pixels(candidates), a, b) <= ERASE_RADIUS_PX
        if not self._show_test:
            hit &= ~self._is_test[candidates]
        new = candidates[hit]
        new = new[~stroke.erased[new]]
        if new.size:
            stroke.erased[new] = True
            self._update_scatters(hidden=stroke.erased, labels=np.unique(self._labels[new]))

    def _finish_stroke(self, pos_px: QPointF) -> None:
        self._continue_stroke(pos_px)
        stroke, self._stroke = self._stroke, None
        if stroke.erase:
            indices = np.flatnonzero(stroke.erased).astype(np.int64)
            if indices.size:
                self.sigErase.emit(indices)
            # Unless the window has already replaced the points, show them all again.
            if len(stroke.erased) == len(self._X):
                self._update_scatters()
        else:
            if stroke.points:
                self.sigPaint.emit(np.array(stroke.points, dtype=np.float64), stroke.label)
            self._preview.setData(np.empty((0, 2)))

    def cancel_stroke(self) -> None:
        """Drop the stroke in progress without emitting anything (also bound to Escape)."""
        if self._stroke is None:
            return
        self._stroke = None
        self._preview.setData(np.empty((0, 2)))
        self._update_scatters()

    def _is_erasing(self, modifiers: Qt.KeyboardModifier) -> bool:
        return self._eraser or bool(modifiers & Qt.KeyboardModifier.ControlModifier)

    # ------------------------------------------------------------------ Qt events

    def _press(self, ev) -> bool:
        """Start a stroke for a left/right press inside the view; False: not ours."""
        pos = ev.position()
        if ev.button() not in _PAINT_BUTTONS or not self._in_view(pos):
            return False
        ev.accept()
        if self._stroke is None:  # a second button during a stroke is ignored
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._start_stroke(ev.button(), self._is_erasing(ev.modifiers()), pos)
        return True

    def mousePressEvent(self, ev) -> None:
        if not self._press(ev):
            super().mousePressEvent(ev)

    def mouseDoubleClickEvent(self, ev) -> None:
        # Qt turns the second press of a quick double click into this event: paint it too.
        if not self._press(ev):
            super().mouseDoubleClickEvent(ev)

    def mouseMoveEvent(self, ev) -> None:
        pos = ev.position()
        self._hover_px = QPointF(pos)
        self.sigCursorMoved.emit(self._to_data(pos) if self._in_view(pos) else None)
        erasing = self._stroke.erase if self._stroke is not None else False
        self._update_eraser_cursor(pos, erasing or self._is_erasing(ev.modifiers()))
        if self._stroke is None:
            super().mouseMoveEvent(ev)
            return
        ev.accept()
        self._continue_stroke(pos)

    def mouseReleaseEvent(self, ev) -> None:
        if self._stroke is not None and ev.button() == self._stroke.button:
            ev.accept()
            self._finish_stroke(ev.position())
        elif ev.button() in _PAINT_BUTTONS:
            ev.accept()
        else:
            super().mouseReleaseEvent(ev)

    def contextMenuEvent(self, ev) -> None:
        ev.accept()  # the right button paints

    def leaveEvent(self, ev) -> None:
        self._hover_px = None
        self.sigCursorMoved.emit(None)
        self._eraser_cursor.hide()
        super().leaveEvent(ev)

    def keyPressEvent(self, ev) -> None:
        key = ev.key()
        if key in (Qt.Key.Key_1, Qt.Key.Key_2):  # choose the paint tool of that class
            self.set_eraser(False)
            self.set_active_class(0 if key == Qt.Key.Key_1 else 1)
            ev.accept()
        elif key == Qt.Key.Key_Escape and self._stroke is not None:
            self.cancel_stroke()
            ev.accept()
        else:
            if key == Qt.Key.Key_Control:
                self._update_eraser_cursor(self._hover_px, erasing=True)
            super().keyPressEvent(ev)

    def keyReleaseEvent(self, ev) -> None:
        if ev.key() == Qt.Key.Key_Control and self._stroke is None:
            self._update_eraser_cursor(self._hover_px, erasing=self._eraser)
        super().keyReleaseEvent(ev)


_SYMBOL_GLYPHS = ("●", "■")  # how theme.CLASS_SYMBOLS look in text


def _group_code(label: int, is_test: bool) -> int:
    return 2 * label + int(is_test)


def _group_codes(labels: NDArray[np.int64], is_test: NDArray[np.bool_]) -> NDArray[np.int8]:
    """Which item shows each point: one pass to split the points between the four items
    (in int8 throughout: a million points' codes take 0.4 ms instead of 1.3)."""
    codes = labels.astype(np.int8)
    codes *= 2
    codes += is_test
    return codes


def _kept(array: NDArray, given: NDArray) -> NDArray:
    """``array`` (``given`` or a converted copy of it) if it cannot change afterwards, else a
    copy: read-only arrays are kept as they are."""
    return array if array is not given or not given.flags.writeable else array.copy()


def _train_style(label: int) -> dict:
    return {
        "symbol": theme.CLASS_SYMBOLS[label],
        "size": 8 if theme.CLASS_SYMBOLS[label] == "o" else 7,
        "brush": pg.mkBrush(theme.CLASS_COLORS[label]),
        "pen": pg.mkPen("#FFFFFF", width=1),
    }


def _test_style(label: int) -> dict:
    return {
        "symbol": theme.CLASS_SYMBOLS[label],
        "size": 9 if theme.CLASS_SYMBOLS[label] == "o" else 8,
        "brush": pg.mkBrush(255, 255, 255, 160),
        "pen": pg.mkPen(theme.CLASS_COLORS[label], width=2),
    }


def _checked_rect(rect: Rect) -> Rect:
    values = np.asarray(rect, dtype=np.float64)
    if values.shape != (4,) or not np.isfinite(values).all():
        raise ValueError(f"rect must be 4 finite numbers (x0, y0, x1, y1), got {rect!r}.")
    x0, y0, x1, y1 = (float(v) for v in values)
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"rect must have x1 > x0 and y1 > y0, got {rect!r}.")
    return (x0, y0, x1, y1)


def _within_view_limits(low: float, high: float) -> tuple[float, float]:
    """One axis of a view moved inside the plot's limits (pyqtgraph turns +-1e308 into NaN)."""
    low, high = max(low, -VIEW_BOUND), min(high, VIEW_BOUND)
    if high - low < MIN_VIEW_WIDTH:
        edge = VIEW_BOUND - MIN_VIEW_WIDTH
        centre = min(max((low + high) / 2, -edge), edge)
        low, high = centre - MIN_VIEW_WIDTH / 2, centre + MIN_VIEW_WIDTH / 2
    return low, high
