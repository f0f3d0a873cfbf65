"""PointsItem: draws exactly the points it is given, at every size and device pixel ratio."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtWidgets import QWidget

from playground.widgets.points_item import PointsItem

RED = QColor("#FF0000")
WHITE = QColor("#FFFFFF")
SIZE = 9  # the marker's side in pixels
VIEW = (0.0, 0.0, 10.0, 10.0)


def square_item() -> PointsItem:
    """Filled red squares without an outline: every pixel they cover is pure red."""
    return PointsItem(symbol="s", size=SIZE, pen=pg.mkPen(None), brush=pg.mkBrush(RED))


@pytest.fixture
def view(qtbot):
    widget = pg.PlotWidget(background=WHITE)
    qtbot.addWidget(widget)
    widget.hideAxis("left")
    widget.hideAxis("bottom")
    widget.resize(300, 300)
    vb = widget.plotItem.vb
    vb.setAspectLocked(True)
    vb.disableAutoRange()
    vb.setRange(xRange=VIEW[0::2], yRange=VIEW[1::2], padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown(view, item: PointsItem) -> PointsItem:
    view.plotItem.addItem(item)
    return item


def to_px(view, x: float, y: float) -> QPointF:
    """Viewport pixel (fractional) of data point (x, y)."""
    return view.viewportTransform().map(view.plotItem.vb.mapViewToScene(QPointF(x, y)))


def grab(view) -> np.ndarray:
    """The viewport as an (h, w, 3) int array."""
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).astype(int)


def red_mask(pixels: np.ndarray) -> np.ndarray:
    """Pixels that are not white: something was drawn there."""
    return (pixels != 255).any(axis=2)


def assert_draws_exactly(view, X: np.ndarray) -> None:
    """Pure red at every point's centre; no drawn pixel farther than a marker from a point."""
    pixels = grab(view)
    centres = np.array([[p.x(), p.y()] for p in (to_px(view, *xy) for xy in X)]).reshape(-1, 2)
    for cx, cy in centres:
        assert tuple(pixels[int(cy), int(cx)]) == (255, 0, 0)
    rows, cols = np.nonzero(red_mask(pixels))
    if len(rows):
        assert len(centres), "pixels drawn without any point"
        drawn = np.column_stack([cols + 0.5, rows + 0.5])
        # Chebyshev distance to the nearest centre: within half a square and a pixel
        nearest = np.abs(drawn[:, None, :] - centres[None, :, :]).max(axis=2).min(axis=1)
        assert nearest.max() <= SIZE / 2 + 1.5


def test_draws_the_points_it_is_given_and_nothing_else(view):
    item = shown(view, square_item())
    X = np.array([[2.0, 2.0], [5.0, 7.5], [8.0, 3.0], [8.25, 3.0]])
    item.setData(X)
    np.testing.assert_array_equal(item.positions, X)
    assert len(item) == 4
    assert_draws_exactly(view, X)
    assert red_mask(grab(view)).sum() >= 3 * SIZE * SIZE  # whole squares, not dots


def test_changes_show_at_the_next_paint(view):
    item = shown(view, square_item())
    X = np.array([[2.0, 2.0], [5.0, 7.5], [8.0, 3.0]])
    item.setData(X)
    grab(view)  # painted (and cached) once
    item.setData(X[[0, 2]])  # one removed
    assert_draws_exactly(view, X[[0, 2]])
    item.setData(np.vstack([X[[0, 2]], [[1.0, 9.0]]]))  # one appended, outside the last image
    assert_draws_exactly(view, np.vstack([X[[0, 2]], [[1.0, 9.0]]]))
    view.plotItem.vb.setRange(xRange=(0.5, 10.5), yRange=(-0.5, 9.5), padding=0)  # pan
    assert_draws_exactly(view, np.vstack([X[[0, 2]], [[1.0, 9.0]]]))
    item.setVisible(False)
    assert not red_mask(grab(view)).any()


def test_appended_points_look_as_if_drawn_at_once(view, qtbot):
    rng = np.random.default_rng(3)
    X = rng.uniform(1.0, 9.0, size=(400, 2))
    item = PointsItem(symbol="o", size=8, pen=pg.mkPen("#FFFFFF"), brush=pg.mkBrush("#0072B2"))
    shown(view, item)
    item.setData(X[:300])
    grab(view)
    for k in range(300, 400, 25):  # four strokes painted one after the other
        item.setData(X[: k + 25])
        grab(view)
    step_by_step = grab(view)
    item.setData(X[:10])
    item.setData(X)  # not an append of the image's points: drawn again from scratch
    np.testing.assert_array_equal(grab(view), step_by_step)


def test_zero_one_and_a_million_points(view):
    item = shown(view, square_item())
    item.setData(np.empty((0, 2)))
    assert len(item) == 0 and item.boundingRect().isEmpty()
    assert not red_mask(grab(view)).any()

    item.setData([[5.0, 5.0]])
    assert_draws_exactly(view, np.array([[5.0, 5.0]]))
    rect = item.boundingRect()
    assert rect.contains(QPointF(5.0, 5.0)) and rect.width() < 1.0  # a marker's size, in data

    X = np.random.default_rng(0).uniform(0.0, 4.0, size=(1_000_000, 2))
    X[-1] = (9.0, 9.0)  # one point alone, drawn last
    item.setData(X)
    assert item.positions.shape == (1_000_000, 2)
    assert not item.positions.flags.writeable
    rect = item.boundingRect()
    assert rect.left() < X[:, 0].min() and rect.right() > 9.0
    pixels = grab(view)
    for x, y in ((1.0, 1.0), (3.0, 2.0), (9.0, 9.0)):
        p = to_px(view, x, y)
        assert tuple(pixels[int(p.y()), int(p.x())]) == (255, 0, 0)
    p = to_px(view, 7.0, 7.0)
    assert tuple(pixels[int(p.y()), int(p.x())]) == (255, 255, 255)


@pytest.mark.parametrize(
    ("positions", "message"),
    [
        (np.zeros((3, 3)), r"positions must have shape \(n, 2\), got \(3, 3\)\."),
        (np.zeros(4), r"positions must have shape \(n, 2\), got \(4,\)\."),
        ([[0.0, np.inf]], "positions must be finite"),
    ],
)
def test_set_data_refuses_bad_positions_and_keeps_the_points(positions, message):
    item = square_item()
    item.setData([[1.0, 2.0]])
    with pytest.raises(ValueError, match=message):
        item.setData(positions)
    np.testing.assert_array_equal(item.positions, [[1.0, 2.0]])


def test_style_is_kept_in_opts_and_changes_the_look(view):
    item = shown(view, square_item())
    item.setData([[5.0, 5.0]])
    assert item.opts["symbol"] == "s" and item.opts["size"] == SIZE
    assert item.opts["brush"].color() == RED
    grab(view)
    item.setStyle(brush=pg.mkBrush("#0000FF"))
    assert item.opts["symbol"] == "s"  # kept
    p = to_px(view, 5.0, 5.0)
    assert tuple(grab(view)[int(p.y()), int(p.x())]) == (0, 0, 255)


@pytest.mark.parametrize("ratio", [1.0, 2.0, 1.5])
def test_markers_keep_their_size_in_logical_pixels_at_any_device_pixel_ratio(qtbot, ratio):
    """On a high-DPI screen a marker covers size x ratio device pixels, drawn at full
    resolution (the same paint path as on screen: cached, through the viewport widget)."""
    viewport = QWidget()
    qtbot.addWidget(viewport)
    viewport.resize(100, 80)
    item = square_item()
    item.setData([[30.0, 40.0]])
    image = QImage(round(100 * ratio), round(80 * ratio), QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(WHITE)
    painter = QPainter(image)
    painter.setTransform(QTransform())  # data units are logical pixels here
    item.paint(painter, None, viewport)
    painter.end()
    pixels = np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), image.width())
    red = pixels == QColor(RED).rgb()
    rows, cols = np.nonzero(red)
    # a square of SIZE logical pixels centred on (30, 40): its full-coverage pixels
    assert SIZE * ratio - 2 <= cols.max() - cols.min() + 1 <= SIZE * ratio + 1
    assert SIZE * ratio - 2 <= rows.max() - rows.min() + 1 <= SIZE * ratio + 1
    assert abs((cols.max() + cols.min() + 1) / 2 / ratio - 30.0) <= 1.0
    assert abs((rows.max() + rows.min() + 1) / 2 / ratio - 40.0) <= 1.0
