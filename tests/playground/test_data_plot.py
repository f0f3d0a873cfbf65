"""DataPlot: painting and erasing with real mouse events, keys, regions and the view signal."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from playground import theme
from playground.widgets.data_plot import (
    ERASE_RADIUS_PX,
    PAINT_SPACING_PX,
    DataPlot,
    decision_contour,
    region_lookup_table,
)

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
MIDDLE = Qt.MouseButton.MiddleButton
NO_MOD, CTRL = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def plot(qtbot):
    widget = DataPlot()
    qtbot.addWidget(widget)
    widget.resize(420, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def to_px(plot: DataPlot, x: float, y: float) -> QPoint:
    """Viewport pixel of the data coordinate (x, y)."""
    return plot.mapFromScene(plot.plotItem.vb.mapViewToScene(QPointF(x, y)))


def to_data(plot: DataPlot, pos: QPoint) -> np.ndarray:
    """Data coordinate of a viewport pixel."""
    p = plot.plotItem.vb.mapSceneToView(plot.mapToScene(pos))
    return np.array([p.x(), p.y()])


def pixel_size(plot: DataPlot) -> float:
    """Size of one pixel in data units (the aspect ratio is locked, so x and y agree)."""
    width, height = plot.plotItem.vb.viewPixelSize()
    assert width == pytest.approx(height)
    return width


def move(plot: DataPlot, pos: QPoint, buttons, modifiers=NO_MOD) -> None:
    """A mouse move carrying the pressed buttons (QTest.mouseMove does not carry them)."""
    global_pos = QPointF(plot.viewport().mapToGlobal(pos))
    event = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(pos), global_pos, Qt.MouseButton.NoButton, buttons, modifiers
    )
    QApplication.sendEvent(plot.viewport(), event)


def drag(plot: DataPlot, start: QPoint, end: QPoint, button, modifiers=NO_MOD, steps=20) -> None:
    QTest.mousePress(plot.viewport(), button, modifiers, start)
    for k in range(1, steps + 1):
        move(plot, start + (end - start) * (k / steps), button, modifiers)
    QTest.mouseRelease(plot.viewport(), button, modifiers, end)


def train_count(plot: DataPlot) -> int:
    return sum(len(s.positions) for s in plot.train_scatters)


# ---------------------------------------------------------------------------- items and looks


def test_items_object_name_and_z_order(plot):
    assert plot.objectName() == "dataPlot"
    items = plot.plotItem.items
    assert isinstance(plot.regions_item, pg.ImageItem) and plot.regions_item in items
    assert all(s in items for s in (*plot.train_scatters, *plot.test_scatters, plot.preview_item))
    z = [
        plot.regions_item.zValue(),
        plot.contour_item.zValue(),
        max(s.zValue() for s in plot.train_scatters),
        min(s.zValue() for s in plot.test_scatters),
    ]
    assert z == sorted(z) and len(set(z)) == 4
    assert plot.preview_item.zValue() > max(s.zValue() for s in plot.test_scatters)
    assert plot.plotItem.vb.state["aspectLocked"] == 1
    assert not plot.plotItem.vb.menuEnabled()


def test_region_lut_runs_between_the_theme_colours():
    lut = region_lookup_table()
    assert lut.shape == (256, 3) and lut.dtype == np.uint8
    first, middle, last = (QColor(c).getRgb()[:3] for c in theme.REGION_COLORS)
    assert tuple(lut[0]) == first
    assert tuple(lut[-1]) == last
    assert np.abs(lut[127].astype(int) - middle).max() <= 2


def test_set_points_fills_train_and_test_scatters(plot):
    X = np.array([[0.0, 0.0], [1.0, 0.5], [0.5, 1.0], [-1.0, -1.0], [2.0, 1.5]])
    labels = np.array([0, 1, 1, 0, 1])
    is_test = np.array([False, False, True, True, False])
    plot.set_points(X, labels, is_test)

    np.testing.assert_array_equal(plot.train_scatters[0].positions, X[[0]])
    np.testing.assert_array_equal(plot.train_scatters[1].positions, X[[1, 4]])
    np.testing.assert_array_equal(plot.test_scatters[0].positions, X[[3]])
    np.testing.assert_array_equal(plot.test_scatters[1].positions, X[[2]])
    assert [s.opts["symbol"] for s in plot.train_scatters] == list(theme.CLASS_SYMBOLS)
    assert plot.test_scatters[1].opts["pen"].color() == QColor(theme.CLASS_COLORS[1])

    plot.set_show_test(False)
    assert not any(s.isVisible() for s in plot.test_scatters)
    plot.set_show_test(True)
    assert all(s.isVisible() for s in plot.test_scatters)


@pytest.mark.parametrize(
    ("X", "labels", "is_test", "message"),
    [
        (np.zeros((2, 3)), [0, 1], [False, False], r"X must have shape \(n, 2\), got \(2, 3\)\."),
        ([[0.0, np.nan]], [0], [False], "X must be finite"),
        (np.zeros((2, 2)), [0, 2], [False, False], r"labels must be 0 or 1, got \[2\]\."),
        (np.zeros((2, 2)), [0], [False, False], r"labels must have shape \(2,\), got \(1,\)\."),
        (np.zeros((2, 2)), [0, 1], [False], r"is_test must have shape \(2,\), got \(1,\)\."),
    ],
)
def test_set_points_refuses_bad_input_and_changes_nothing(plot, X, labels, is_test, message):
    plot.set_points([[0.0, 0.0]], [1], [False])
    with pytest.raises(ValueError, match=message):
        plot.set_points(X, labels, is_test)
    assert train_count(plot) == 1


def test_fit_to_points_shows_every_point(plot):
    X = np.array([[10.0, 20.0], [14.0, 21.0], [12.0, 26.0]])
    plot.set_points(X, [0, 1, 0], [False, False, True])
    plot.fit_to_points()
    x0, y0, x1, y1 = plot.view_rect()
    assert x0 < 10 and x1 > 14 and y0 < 20 and y1 > 26
    assert x1 - x0 < 12 and y1 - y0 < 12  # zoomed to them, not to the origin too


# ---------------------------------------------------------------------------- painting


@pytest.mark.parametrize(("active", "button", "label"), [(0, LEFT, 0), (1, LEFT, 1), (0, RIGHT, 1)])
def test_click_paints_one_point_at_the_clicked_coordinate(plot, qtbot, active, button, label):
    plot.set_active_class(active)
    view_before = plot.view_rect()
    target = (0.5, 0.25)
    pos = to_px(plot, *target)
    with qtbot.waitSignal(plot.sigPaint, timeout=1000) as blocker:
        QTest.mouseClick(plot.viewport(), button, NO_MOD, pos)
    points, painted_label = blocker.args
    assert painted_label == label
    assert points.shape == (1, 2) and points.dtype == np.float64
    np.testing.assert_allclose(points[0], to_data(plot, pos), rtol=0, atol=1e-9)
    np.testing.assert_allclose(points[0], target, rtol=0, atol=pixel_size(plot))
    assert plot.view_rect() == view_before  # the click did not pan
    assert QApplication.activePopupWidget() is None  # nor open a context menu
    assert len(plot.preview_item.positions) == 0  # the preview is gone after the release


def test_double_click_paints_two_points(plot):
    emitted = []
    plot.sigPaint.connect(lambda points, label: emitted.append(points))
    pos = to_px(plot, 1.0, 1.0)
    QTest.mouseClick(plot.viewport(), LEFT, NO_MOD, pos)
    QTest.mouseDClick(plot.viewport(), LEFT, NO_MOD, pos)  # Qt's second press of a double click
    QTest.mouseRelease(plot.viewport(), LEFT, NO_MOD, pos)
    assert [len(points) for points in emitted] == [1, 1]


def test_drag_previews_then_emits_once_with_points_spaced_along_the_path(plot, qtbot):
    emitted = []
    plot.sigPaint.connect(lambda points, label: emitted.append((points, label)))
    start, end = to_px(plot, -1.0, 0.0), to_px(plot, 1.0, 0.0)
    QTest.mousePress(plot.viewport(), LEFT, NO_MOD, start)
    assert len(plot.preview_item.positions) == 1  # shown at once, before any signal
    for k in range(1, 21):
        move(plot, start + (end - start) * (k / 20), LEFT)
    length_px = end.x() - start.x()
    expected = 1 + int(length_px // PAINT_SPACING_PX)
    assert len(plot.preview_item.positions) == expected
    assert emitted == []
    QTest.mouseRelease(plot.viewport(), LEFT, NO_MOD, end)

    assert len(emitted) == 1
    points, label = emitted[0]
    assert label == 0 and points.shape == (expected, 2)
    step = PAINT_SPACING_PX * pixel_size(plot)
    np.testing.assert_allclose(points[0], to_data(plot, start), atol=1e-9)
    np.testing.assert_allclose(np.diff(points[:, 0]), step, rtol=1e-6)
    np.testing.assert_allclose(points[:, 1], points[0, 1], atol=1e-9)


def test_escape_cancels_a_stroke(plot, qtbot):
    start = to_px(plot, 0.0, 0.0)
    with qtbot.assertNotEmitted(plot.sigPaint):
        QTest.mousePress(plot.viewport(), LEFT, NO_MOD, start)
        move(plot, start + QPoint(40, 0), LEFT)
        QTest.keyClick(plot, Qt.Key.Key_Escape)
        QTest.mouseRelease(plot.viewport(), LEFT, NO_MOD, start + QPoint(40, 0))
    assert len(plot.preview_item.positions) == 0


def test_keys_1_and_2_choose_the_active_class(plot, qtbot):
    assert plot.active_class == 0
    assert "Class 0" in plot.indicator_text
    with qtbot.waitSignal(plot.sigActiveClassChanged, timeout=1000) as blocker:
        QTest.keyClick(plot, Qt.Key.Key_2)
    assert blocker.args == [1]
    assert plot.active_class == 1
    assert "Class 1" in plot.indicator_text
    with qtbot.assertNotEmitted(plot.sigActiveClassChanged):
        QTest.keyClick(plot, Qt.Key.Key_2)
    with qtbot.waitSignal(plot.sigActiveClassChanged, timeout=1000) as blocker:
        QTest.keyClick(plot, Qt.Key.Key_1)
    assert blocker.args == [0]


def test_a_class_key_leaves_the_eraser(plot, qtbot):
    plot.set_eraser(True)
    with qtbot.waitSignal(plot.sigEraserChanged, timeout=1000) as blocker:
        QTest.keyClick(plot, Qt.Key.Key_1)
    assert blocker.args == [False]
    assert not plot.eraser and plot.active_class == 0
    assert "Painting" in plot.indicator_text


def test_set_active_class_refuses_other_labels(plot):
    with pytest.raises(ValueError, match=r"label must be 0 or 1, got 2\."):
        plot.set_active_class(2)
    assert plot.active_class == 0


# ---------------------------------------------------------------------------- erasing


def test_ctrl_click_erases_the_points_near_the_cursor(plot, qtbot):
    px = pixel_size(plot)
    near = 0.5 * ERASE_RADIUS_PX * px
    far = 2.0 * ERASE_RADIUS_PX * px
    X = np.array([[0.0, 0.0], [far, 0.0], [near, 0.0], [0.0, -near], [1.0, 1.0]])
    plot.set_points(X, [0, 1, 1, 0, 0], [False, False, False, True, False])
    with (
        qtbot.assertNotEmitted(plot.sigPaint),
        qtbot.waitSignal(plot.sigErase, timeout=1000) as blocker,
    ):
        QTest.mouseClick(plot.viewport(), LEFT, CTRL, to_px(plot, 0.0, 0.0))
    indices = blocker.args[0]
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices, [0, 2, 3])


def test_eraser_drag_hides_points_at_once_and_emits_once(plot, qtbot):
    X = np.column_stack([np.linspace(-1.0, 1.0, 5), np.zeros(5)])
    X = np.vstack([X, [[0.0, 1.0]]])  # one point off the path
    plot.set_points(X, [0, 1, 0, 1, 0, 1], np.zeros(6, dtype=bool))
    with qtbot.waitSignal(plot.sigEraserChanged, timeout=1000):
        plot.set_eraser(True)
    assert "Eraser" in plot.indicator_text
    emitted = []
    plot.sigErase.connect(emitted.append)
    start, end = to_px(plot, -1.2, 0.0), to_px(plot, 0.1, 0.0)
    QTest.mousePress(plot.viewport(), LEFT, NO_MOD, start)
    move(plot, end, LEFT)  # one long move: the whole segment is swept, not only its ends
    assert train_count(plot) == 3  # the erased points disappear before the release
    QTest.mouseRelease(plot.viewport(), LEFT, NO_MOD, end)
    assert len(emitted) == 1
    np.testing.assert_array_equal(emitted[0], [0, 1, 2])
    assert train_count(plot) == 6  # the window has not applied it: all points are back


def test_eraser_stroke_erases_exactly_what_a_scan_of_every_point_finds(plot, qtbot):
    rng = np.random.default_rng(7)
    X = rng.uniform(-1.0, 1.5, size=(3000, 2))
    path = [to_px(plot, x, y) for x, y in ((-1.2, -0.5), (0.0, 0.4), (0.3, 0.35), (1.2, 1.0))]
    # Each point in viewport pixels, mapped one by one by Qt, and its distance to the path
    # (one move per path segment), by projection onto each segment.
    to_pixels = plot.viewportTransform()
    vb = plot.plotItem.vb
    px = np.array(
        [[q.x(), q.y()] for q in (to_pixels.map(vb.mapViewToScene(QPointF(*p))) for p in X)]
    )
    distance = np.full(len(X), np.inf)
    for start, end in zip(path[:-1], path[1:], strict=True):
        a, b = np.array([start.x(), start.y()], float), np.array([end.x(), end.y()], float)
        t = np.clip((px - a) @ (b - a) / ((b - a) @ (b - a)), 0.0, 1.0)
        distance = np.minimum(distance, np.linalg.norm(px - (a + t[:, None] * (b - a)), axis=1))
    keep = np.abs(distance - ERASE_RADIUS_PX) > 1e-6  # none on the edge, where rounding decides
    X, distance = X[keep], distance[keep]
    is_test = rng.random(len(X)) < 0.3
    plot.set_points(X, rng.integers(0, 2, len(X)), is_test)
    plot.set_eraser(True)
    with qtbot.waitSignal(plot.sigErase, timeout=1000) as blocker:
        QTest.mousePress(plot.viewport(), LEFT, NO_MOD, path[0])
        for pos in path[1:]:
            move(plot, pos, LEFT)
        QTest.mouseRelease(plot.viewport(), LEFT, NO_MOD, path[-1])
    expected = np.flatnonzero(distance <= ERASE_RADIUS_PX)
    assert 50 < len(expected) < len(X) // 2
    np.testing.assert_array_equal(blocker.args[0], expected)


def test_erasing_nothing_emits_nothing_and_hidden_test_points_are_safe(plot, qtbot):
    plot.set_points([[0.0, 0.0]], [1], [True])
    plot.set_show_test(False)
    with qtbot.assertNotEmitted(plot.sigErase), qtbot.assertNotEmitted(plot.sigPaint):
        drag(plot, to_px(plot, -0.2, 0.0), to_px(plot, 0.2, 0.0), LEFT, CTRL)


# ---------------------------------------------------------------------------- view


def test_middle_drag_pans_and_does_not_paint(plot, qtbot):
    x0, y0, x1, y1 = plot.view_rect()
    start = to_px(plot, 0.0, 0.0)
    with qtbot.assertNotEmitted(plot.sigPaint):
        # One move: pyqtgraph's scene drops moves closer than 10 ms after the previous one.
        drag(plot, start, start + QPoint(50, 0), MIDDLE, steps=1)
    nx0, ny0, nx1, ny1 = plot.view_rect()
    assert nx0 == pytest.approx(x0 - 50 * pixel_size(plot), rel=1e-3)
    assert nx1 - nx0 == pytest.approx(x1 - x0)
    assert (ny0, ny1) == pytest.approx((y0, y1))


def test_wheel_zooms_and_sig_view_changed_reports_the_new_view(plot, qtbot):
    x0, y0, x1, y1 = plot.view_rect()
    centre = plot.viewport().rect().center()
    wheel = QWheelEvent(
        QPointF(centre),
        QPointF(plot.viewport().mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 240),  # two notches towards the user's screen: zoom in
        Qt.MouseButton.NoButton,
        NO_MOD,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    with qtbot.waitSignal(plot.sigViewChanged, timeout=2000) as blocker:
        QApplication.sendEvent(plot.viewport(), wheel)
    rect = blocker.args[0]
    assert rect == plot.view_rect()
    assert rect[2] - rect[0] < 0.9 * (x1 - x0)
    assert x0 < rect[0] < rect[2] < x1


def test_view_changes_are_throttled_into_one_signal(plot, qtbot):
    emitted = []
    plot.sigViewChanged.connect(emitted.append)
    with qtbot.waitSignal(plot.sigViewChanged, timeout=2000):
        for k in range(10):
            plot.set_view_rect((-1.0 + 0.01 * k, -1.0, 1.0, 1.0))
    assert emitted == [plot.view_rect()]


# ---------------------------------------------------------------------------- regions


def test_probability_grid_is_placed_exactly_on_its_rect(plot):
    rect = (-1.0, -0.5, 2.0, 1.5)
    grid = np.random.default_rng(0).random((50, 80))
    plot.set_probability_grid(grid, rect)
    image = plot.regions_item
    np.testing.assert_array_equal(image.image, grid.astype(np.float32))
    assert image.getLevels() == pytest.approx((0.0, 1.0))
    placed = image.mapRectToParent(image.boundingRect())
    assert (placed.left(), placed.top(), placed.right(), placed.bottom()) == pytest.approx(rect)

    plot.set_probability_grid(grid[:20, :30], (0.0, 0.0, 1.0, 3.0))  # follows a new view
    placed = image.mapRectToParent(image.boundingRect())
    assert (placed.left(), placed.top(), placed.width(), placed.height()) == pytest.approx(
        (0.0, 0.0, 1.0, 3.0)
    )
    plot.clear_regions()
    assert image.image is None
    assert len(plot.contour_item.getData()[0]) == 0


def test_region_colours_on_screen_match_the_probabilities(plot):
    # P(class 1) = 0 on the left half of the view, 1 on the right half.
    rect = plot.view_rect()
    grid = np.zeros((40, 40))
    grid[:, 20:] = 1.0
    plot.set_probability_grid(grid, rect)
    image = plot.grab().toImage()
    x0, y0, x1, y1 = rect
    for x, expected in ((x0 + 0.2 * (x1 - x0), 0), (x0 + 0.8 * (x1 - x0), 2)):
        pos = to_px(plot, x, y0 + 0.1 * (y1 - y0))
        assert image.pixelColor(pos) == QColor(theme.REGION_COLORS[expected])


def test_set_probability_grid_refuses_bad_input(plot):
    with pytest.raises(ValueError, match=r"grid must have shape \(ny, nx\)"):
        plot.set_probability_grid(np.zeros(10), (0, 0, 1, 1))
    with pytest.raises(ValueError, match="grid must be finite"):
        plot.set_probability_grid(np.full((3, 3), np.nan), (0, 0, 1, 1))
    with pytest.raises(ValueError, match=r"rect must have x1 > x0 and y1 > y0, got \(1, 0, 0, 1\)"):
        plot.set_probability_grid(np.zeros((3, 3)), (1, 0, 0, 1))
    assert plot.regions_item.image is None


def test_contour_is_drawn_where_the_probability_crosses_one_half(plot):
    rect = (-1.0, -1.0, 3.0, 1.0)
    nx, ny = 40, 20
    xs = rect[0] + (np.arange(nx) + 0.5) * (rect[2] - rect[0]) / nx
    grid = np.tile(np.clip((xs - 0.3) + 0.5, 0.0, 1.0), (ny, 1))  # P = 0.5 on the line x = 0.3
    plot.set_probability_grid(grid, rect)
    x, y = plot.contour_item.getData()
    np.testing.assert_allclose(x, 0.3, atol=1e-9)
    assert (y.min(), y.max()) == pytest.approx((-1.0, 1.0))  # it reaches the image's edges


def test_decision_contour_follows_a_circle():
    rect = (-2.0, -2.0, 2.0, 2.0)
    n = 101
    centres = -2.0 + (np.arange(n) + 0.5) * 4.0 / n
    xx, yy = np.meshgrid(centres, centres)
    grid = 1.0 / (1.0 + np.exp(4.0 * (np.hypot(xx, yy) - 1.0)))  # P > 0.5 inside radius 1
    segments = decision_contour(grid, rect)
    radii = np.hypot(segments[..., 0], segments[..., 1])
    np.testing.assert_allclose(radii, 1.0, atol=0.01)
    assert len(segments) > 50
    angles = np.arctan2(segments[:, 0, 1], segments[:, 0, 0])
    assert np.histogram(angles, bins=8, range=(-np.pi, np.pi))[0].min() > 0  # all the way round


def test_decision_contour_separates_saddle_corners():
    # a, c below and b, d above; the centre (0.5) counts as above, so b and d join through it.
    grid = np.array([[0.0, 1.0], [1.0, 0.0]])
    segments = decision_contour(grid, (0.0, 0.0, 2.0, 2.0))
    # The middle cell spans the sample points at 0.5 and 1.5; the others run out to the border.
    interior = segments[np.all((segments >= 0.5) & (segments <= 1.5), axis=(1, 2))]
    assert len(interior) == 2
    ends = {tuple(sorted(map(tuple, np.round(s, 9)))) for s in interior}
    assert ends == {((0.5, 1.0), (1.0, 0.5)), ((1.0, 1.5), (1.5, 1.0))}
