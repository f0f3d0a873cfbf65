"""The data plot's view never leaves what a session can save: Save and autosave keep working.

A session holds the view within +-VIEW_LIMIT and at least MIN_VIEW_SPAN wide and high
(playground.state). Zooming out or in with the wheel, panning with the middle button and
setting a view in code all stop there, so the view can never make a save fail.
"""

import math

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from playground import MainWindow
from playground.state import COORDINATE_LIMIT, MIN_VIEW_SPAN, VIEW_LIMIT, load_session

CTRL = Qt.KeyboardModifier.ControlModifier
NO_MOD = Qt.KeyboardModifier.NoModifier
MIDDLE = Qt.MouseButton.MiddleButton


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def wheel(window: MainWindow, notches: int, where: QPoint | None = None) -> None:
    """Turn the wheel over the data plot: ``notches`` > 0 zooms in, < 0 zooms out, one event
    per notch."""
    viewport = window.dataPlot.viewport()
    position = viewport.rect().center() if where is None else where
    for _ in range(abs(notches)):
        event = QWheelEvent(
            QPointF(position),
            QPointF(viewport.mapToGlobal(position)),
            QPoint(0, 0),
            QPoint(0, 120 if notches > 0 else -120),
            Qt.MouseButton.NoButton,
            NO_MOD,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, event)


def middle_drag(window: MainWindow, start: QPoint, end: QPoint) -> None:
    """Pan with the middle button: press, one move carrying the button, release."""
    viewport = window.dataPlot.viewport()
    QTest.mousePress(viewport, MIDDLE, NO_MOD, start)
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(end),
        QPointF(viewport.mapToGlobal(end)),
        Qt.MouseButton.NoButton,
        MIDDLE,
        NO_MOD,
    )
    QApplication.sendEvent(viewport, event)
    QTest.mouseRelease(viewport, MIDDLE, NO_MOD, end)


def assert_savable(rect) -> None:
    x0, y0, x1, y1 = rect
    assert all(math.isfinite(value) for value in rect), rect
    assert -VIEW_LIMIT <= x0 < x1 <= VIEW_LIMIT, rect
    assert -VIEW_LIMIT <= y0 < y1 <= VIEW_LIMIT, rect
    assert x1 - x0 >= MIN_VIEW_SPAN and y1 - y0 >= MIN_VIEW_SPAN, rect


def save_everywhere(qtbot, window: MainWindow, path) -> None:
    """Save with the script API and with Ctrl+S, and autosave: each succeeds and writes a view
    that loads again. (The view may move a little between them: the axes' tick labels change
    width with the numbers they show, and the locked aspect ratio follows.)"""
    window.save_session(path)
    assert_savable(load_session(path).view_range)
    with qtbot.waitSignal(window.session_manager.sigSaveFinished) as finished:
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert finished.args == [str(path), ""]
    assert_savable(load_session(path).view_range)
    assert window.session_manager.autosave()
    assert_savable(load_session(window.session_manager.autosave_path()).view_range)
    assert window.statusBar().currentMessage() == (
        f"Saved {path.name} (epoch 0, {len(window.points)} points)."
    )


def test_zooming_out_stops_at_the_view_limit_and_the_session_still_saves(qtbot, window, tmp_path):
    viewport = window.dataPlot.viewport().rect()
    wheel(window, -400)  # 400 notches: without a limit the view overflows to infinity
    x0, y0, x1, y1 = window.dataPlot.view_rect()
    assert_savable((x0, y0, x1, y1))
    assert max(x1 - x0, y1 - y0) > 0.99 * 2 * VIEW_LIMIT  # it did zoom out all the way
    wheel(window, -50, viewport.topLeft() + QPoint(5, 5))  # towards a corner: pans as well
    assert_savable(window.dataPlot.view_rect())
    middle_drag(window, viewport.center(), viewport.center() + QPoint(150, -120))
    assert_savable(window.dataPlot.view_rect())
    save_everywhere(qtbot, window, tmp_path / "far.nnpg")


def test_zooming_in_stops_at_the_smallest_view_and_the_session_still_saves(qtbot, window, tmp_path):
    wheel(window, 800)  # without a limit the view shrinks to nothing
    x0, y0, x1, y1 = window.dataPlot.view_rect()
    assert_savable((x0, y0, x1, y1))
    assert min(x1 - x0, y1 - y0) < 10 * MIN_VIEW_SPAN  # it did zoom in all the way
    save_everywhere(qtbot, window, tmp_path / "near.nnpg")


@pytest.mark.parametrize(
    "rect",
    [
        (-1e308, -1e308, 1e308, 1e308),
        (-1e9, -1.0, 1e9, 1.0),
        (5e6, 5e6, 9e7, 9e7),
        (1.0, 1.0, 1.0 + 1e-12, 1.0 + 1e-12),
        (VIEW_LIMIT * 2, 0.0, VIEW_LIMIT * 3, 1e-9),
    ],
    ids=["huge", "wide", "beyond-edge", "tiny", "outside"],
)
def test_a_view_set_beyond_the_limits_is_brought_within_them(qtbot, window, tmp_path, rect):
    window.dataPlot.set_view_rect(rect)
    assert_savable(window.dataPlot.view_rect())
    save_everywhere(qtbot, window, tmp_path / "set.nnpg")


def test_a_clamped_view_stays_when_the_window_is_resized(qtbot, window):
    plot = window.dataPlot
    plot.set_view_rect((-1e308, -1e308, 1e308, 1e308))
    x0, y0, x1, y1 = plot.view_rect()
    assert max(x1 - x0, y1 - y0) > 0.99 * 2 * VIEW_LIMIT
    width = plot.plotItem.vb.rect().width()
    window.resize(window.width() - 80, window.height())
    qtbot.waitUntil(lambda: plot.plotItem.vb.rect().width() < width - 40)
    # pyqtgraph kept the previous view as part of its target and went back to it on a resize.
    x0, y0, x1, y1 = plot.view_rect()
    assert_savable((x0, y0, x1, y1))
    assert max(x1 - x0, y1 - y0) > 0.99 * 2 * VIEW_LIMIT


def click_at(qtbot, window: MainWindow, x: float, y: float) -> None:
    plot = window.dataPlot
    position = plot.mapFromScene(plot.plotItem.vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=position)


def test_zoomed_out_nothing_is_painted_beyond_the_coordinate_limit(qtbot, window, tmp_path):
    wheel(window, -400)  # the view now reaches ten times further than points may lie
    count = len(window.points)
    with qtbot.assertNotEmitted(window.dataPlot.sigPaint):
        click_at(qtbot, window, 5 * COORDINATE_LIMIT, -3 * COORDINATE_LIMIT)
    assert len(window.points) == count
    click_at(qtbot, window, 0.5 * COORDINATE_LIMIT, -0.5 * COORDINATE_LIMIT)
    assert len(window.points) == count + 1
    x, y = window.points.X[-1]
    assert abs(x) <= COORDINATE_LIMIT and abs(y) <= COORDINATE_LIMIT
    save_everywhere(qtbot, window, tmp_path / "painted.nnpg")
