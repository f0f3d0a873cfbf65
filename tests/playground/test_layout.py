"""The window's layout at 1600x1000, 1024x640 and 800x600: folding side columns, the toolbar
row, foldable cards, room for the network view (playground.window_layout)."""

import itertools

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QScrollArea,
    QToolButton,
    QWidget,
)

from playground import window_layout
from playground.main_window import MainWindow
from playground.widgets.side_column import STRIP_WIDTH

SIZES = {
    # size: (control column folded, right column folded)
    (1600, 1000): (False, False),
    (1024, 640): (False, False),
    (800, 600): (False, True),
}
CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, pg.PlotWidget)
OVERLAY_SHARE = 0.08  # what a legend or hint inside a plot may cover of its plotting area


def show_window(qtbot, window: MainWindow) -> MainWindow:
    qtbot.addWidget(window)  # closed (and its thread stopped) after the test
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


@pytest.fixture
def window(qtbot):
    return show_window(qtbot, MainWindow())


@pytest.fixture
def window_with_network_view(qtbot):
    """The window with its real network panel (the name recalls the days of a stand-in)."""
    return show_window(qtbot, MainWindow())


def resize(qtbot, window, width, height):
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().toTuple() == (width, height))


def area(widget: QWidget) -> int:
    return widget.width() * widget.height()


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def cut_off_controls(window: MainWindow) -> list[str]:
    """Visible controls that do not lie whole inside every parent up to the window, or up to
    the scrolled content of a scroll area (the control column, the network panel's layer
    health), whose whole height its scroll bar reaches."""
    scrolled = [area.widget() for area in window.findChildren(QScrollArea) if area.widget()]
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisible():
            continue
        stop = next((c for c in scrolled if c.isAncestorOf(widget)), window)
        rect = QRect(QPoint(0, 0), widget.size())
        child = widget
        while child is not stop:
            rect.translate(child.pos())
            child = child.parentWidget()
            if not child.rect().contains(rect):
                found.append(f"{type(widget).__name__} {widget.objectName()!r} in {child}")
                break
    return found


def toolbar_overflow(window: MainWindow) -> list[QToolButton]:
    """The toolbars' » buttons that are shown: some of their buttons did not fit."""
    buttons = window.findChildren(QToolButton, "qt_toolbar_ext_button")
    return [button for button in buttons if button.isVisible()]


def main_panels(window: MainWindow) -> dict[str, QWidget]:
    panels = {
        "dataPlot": window.dataPlot,
        "lossPlot": window.metricsPlots.loss_plot,
        "accuracyPlot": window.metricsPlots.accuracy_plot,
        "stats": window.stats,
        "controlScroll": window.findChild(QScrollArea, "controlScroll"),
        "controlStrip": window.controlColumn.strip,
        "rightStrip": window.rightColumn.strip,
    }
    network_view = getattr(window, "networkView", None)
    if network_view is not None:
        panels["networkView"] = network_view
    return {name: widget for name, widget in panels.items() if widget.isVisible()}


def overlay_shares(plot: pg.PlotWidget) -> list[float]:
    """The share of the plotting area that each legend or text item inside it covers."""
    box = plot.plotItem.vb.sceneBoundingRect()
    shares = []
    for item in plot.scene().items():
        if isinstance(item, pg.LegendItem | pg.TextItem) and item.isVisible():
            covered = item.sceneBoundingRect().intersected(box)
            shares.append(covered.width() * covered.height() / (box.width() * box.height()))
    return shares


# ------------------------------------------------------------------------------- the three sizes


def test_the_window_can_shrink_to_800_by_600_whatever_is_unfolded(qtbot, window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 600
    resize(qtbot, window, 800, 600)
    window.rightColumnAction.trigger()  # the right column now, the controls fold
    hint = window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 600
    assert window.size().toTuple() == (800, 600)


@pytest.mark.parametrize("size", list(SIZES))
def test_at_each_size_everything_is_reachable_and_the_data_plot_is_the_largest(
    qtbot, window_with_network_view, size
):
    window = window_with_network_view
    resize(qtbot, window, *size)
    left_folded, right_folded = SIZES[size]
    assert (window.controlColumn.folded, window.rightColumn.folded) == SIZES[size]
    assert window.controlColumnAction.isChecked() is not left_folded
    assert window.rightColumnAction.isChecked() is not right_folded
    left, centre, right = window.mainSplitter.sizes()
    assert left == window.controlColumn.unfolded_minimum_width()
    assert right == STRIP_WIDTH if right_folded else right >= 180
    assert centre >= window_layout.DATA_PLOT_COMFORTABLE_WIDTH

    # No control is cut off; the control column scrolls over the whole of its content.
    assert cut_off_controls(window) == []
    scroll = window.findChild(QScrollArea, "controlScroll")
    content = scroll.widget()
    assert content.width() <= scroll.viewport().width()
    assert scroll.verticalScrollBar().maximum() == max(
        0, content.height() - scroll.viewport().height()
    )
    qtbot.waitUntil(lambda: toolbar_overflow(window) == [])  # once the toolbars are laid out

    # The data plot is the largest panel, and at least 300 x 250; no two panels overlap.
    plot = window.dataPlot
    assert plot.width() >= 300 and plot.height() >= 250
    panels = main_panels(window)
    assert "networkView" in panels or right_folded
    assert all(area(plot) > area(other) for name, other in panels.items() if name != "dataPlot")
    for (a, first), (b, second) in itertools.combinations(panels.items(), 2):
        assert not global_rect(first).intersects(global_rect(second)), (a, b)

    # Legends and hints inside the plots leave the plotting area almost free.
    for each in (plot, window.metricsPlots.loss_plot, window.metricsPlots.accuracy_plot):
        if each.isVisible():
            assert all(share <= OVERLAY_SHARE for share in overlay_shares(each))
    check = window.metricsPlots.lossLogScaleCheck
    box = window.metricsPlots.loss_plot.plotItem.vb.sceneBoundingRect()
    box_in_plot = window.metricsPlots.loss_plot.mapFromScene(box).boundingRect()
    assert not check.geometry().intersects(box_in_plot)


def test_at_1600_by_1000_the_network_view_shows_above_the_metric_plots(
    qtbot, window_with_network_view
):
    window = window_with_network_view
    resize(qtbot, window, 1600, 1000)
    splitter = window.rightSplitter
    assert splitter.orientation() == Qt.Orientation.Vertical
    assert splitter.count() == 2
    assert splitter.widget(0).isAncestorOf(window.networkView)
    assert splitter.widget(1).isAncestorOf(window.rightTabs)
    assert window.rightTabs.objectName() == "rightTabs"
    assert window.rightTabs.widget(0) is window.metricsPlots
    assert window.rightTabs.tabText(0) == "Metrics"
    assert window.networkView.isVisible()
    assert 300 <= window.networkView.height() <= 450
    assert window.networkView.width() >= 400
    assert window.rightColumnAction.text() == "&Network and Metrics"


def test_the_right_column_holds_the_network_panel_over_the_tabs(window):
    assert window.rightSplitter.count() == 2
    assert window.rightSplitter.widget(0).isAncestorOf(window.networkView)
    assert window.rightSplitter.widget(1).isAncestorOf(window.rightTabs)
    assert [window.rightTabs.tabText(i) for i in range(window.rightTabs.count())] == [
        "Metrics",
        "Hidden space",
    ]
    assert window.rightTabs.tabBar().isVisible()
    assert window.rightColumnAction.text() == "&Network and Metrics"


# ------------------------------------------------------------------------------- folding columns


def test_ctrl_b_folds_the_controls_into_a_strip_and_back(qtbot, window):
    resize(qtbot, window, 1600, 1000)
    before = window.mainSplitter.sizes()
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.controlColumn.folded
    assert not window.controlColumnAction.isChecked()
    assert window.controlColumn.strip.isVisible()
    assert not window.controlColumn.content.isVisible()
    texts = [button.text() for button in window.controlColumn.section_buttons]
    assert texts == ["Data", "Network", "Training"]
    left, centre, right = window.mainSplitter.sizes()
    assert left == STRIP_WIDTH and centre > before[1] and right >= before[2]
    assert left + centre + right == sum(before)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert not window.controlColumn.folded
    assert window.mainSplitter.sizes() == before


def test_ctrl_shift_b_and_the_menu_bar_buttons_fold_the_right_column(qtbot, window):
    resize(qtbot, window, 1600, 1000)
    qtbot.keyClick(
        window,
        Qt.Key.Key_B,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.rightColumn.folded
    texts = [button.text() for button in window.rightColumn.section_buttons]
    assert texts == ["Network", "Metrics", "Hidden space"]
    assert window.mainSplitter.sizes()[2] == STRIP_WIDTH
    qtbot.mouseClick(window.rightColumnButton, Qt.MouseButton.LeftButton)
    assert not window.rightColumn.folded
    qtbot.mouseClick(window.controlColumnButton, Qt.MouseButton.LeftButton)
    assert window.controlColumn.folded and window.mainSplitter.sizes()[0] == STRIP_WIDTH
    assert window.controlColumnButton.isCheckable() and not window.controlColumnButton.isChecked()


def test_a_strip_button_unfolds_the_column_and_scrolls_to_its_card(qtbot, window):
    resize(qtbot, window, 800, 600)
    window.controlColumnAction.trigger()
    assert window.controlColumn.folded
    training = window.controlColumn.section_buttons[2]
    assert training.text() == "Training"
    qtbot.mouseClick(training, Qt.MouseButton.LeftButton)
    assert not window.controlColumn.folded
    scroll = window.findChild(QScrollArea, "controlScroll")
    card = window.trainingPanel.parentWidget()

    def card_in_view():
        top_left = card.mapTo(scroll.viewport(), QPoint(0, 0))
        return scroll.viewport().rect().contains(QRect(top_left, card.size()))

    assert scroll.verticalScrollBar().maximum() > 0  # at 600 px it must scroll to get there
    qtbot.waitUntil(card_in_view)


def test_a_narrow_window_folds_the_right_column_and_a_wide_one_brings_it_back(qtbot, window):
    resize(qtbot, window, 1600, 1000)
    wide = window.mainSplitter.sizes()
    resize(qtbot, window, 800, 600)
    assert window.rightColumn.folded and not window.controlColumn.folded
    assert window.columnFolding.squeezed == {window.rightColumn}
    resize(qtbot, window, 700, 600)  # then the controls too
    assert window.controlColumn.folded and window.rightColumn.folded
    handles = 2 * window.mainSplitter.handleWidth()
    assert window.mainSplitter.sizes() == [
        STRIP_WIDTH,
        700 - 2 * STRIP_WIDTH - handles,
        STRIP_WIDTH,
    ]
    resize(qtbot, window, 1600, 1000)
    assert not window.controlColumn.folded and not window.rightColumn.folded
    assert window.mainSplitter.sizes() == wide


def test_a_column_the_user_folded_stays_folded_when_the_window_widens(qtbot, window):
    resize(qtbot, window, 1600, 1000)
    window.rightColumnAction.trigger()
    resize(qtbot, window, 800, 600)
    resize(qtbot, window, 1600, 1000)
    assert window.rightColumn.folded and window.columnFolding.squeezed == frozenset()


def test_unfolding_the_right_column_in_a_narrow_window_folds_the_controls(qtbot, window):
    resize(qtbot, window, 800, 600)
    assert window.rightColumn.folded
    qtbot.mouseClick(window.rightColumn.unfoldButton, Qt.MouseButton.LeftButton)
    assert not window.rightColumn.folded and window.controlColumn.folded
    assert window.rightColumnAction.isChecked() and not window.controlColumnAction.isChecked()
    left, centre, right = window.mainSplitter.sizes()
    assert left == STRIP_WIDTH and centre > right >= window.rightColumn.unfolded_minimum_width()
    assert window.dataPlot.width() >= 300 and window.dataPlot.height() >= 250
    resize(qtbot, window, 1600, 1000)  # room for both again
    assert not window.rightColumn.folded and not window.controlColumn.folded


def drag_handle(qtbot, splitter, index, dx):
    handle = splitter.handle(index)
    start = handle.rect().center()
    end = start + QPoint(dx, 0)
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(handle, end)
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=end)


def test_a_drag_never_makes_a_side_column_wider_than_the_data_plot(qtbot, window):
    resize(qtbot, window, 1600, 1000)
    splitter = window.mainSplitter
    drag_handle(qtbot, splitter, 2, -700)
    left, centre, right = splitter.sizes()
    assert left == window.controlColumn.unfolded_minimum_width()  # not pushed aside
    assert abs(centre - right) <= 1
    assert not window.controlColumn.folded
    drag_handle(qtbot, splitter, 1, -300)  # narrower than its content: it stops
    assert splitter.sizes()[0] == window.controlColumn.unfolded_minimum_width()
    assert not window.controlColumn.folded


def test_dragged_widths_are_kept_across_resizes(qtbot, window):
    resize(qtbot, window, 1600, 1000)
    splitter = window.mainSplitter
    drag_handle(qtbot, splitter, 1, 60)
    drag_handle(qtbot, splitter, 2, 80)
    dragged = splitter.sizes()
    assert dragged[0] == window.controlColumn.unfolded_minimum_width() + 60
    resize(qtbot, window, 800, 600)
    resize(qtbot, window, 1600, 1000)
    assert splitter.sizes() == dragged


def test_a_new_window_takes_the_saved_widths(qtbot):
    first = show_window(qtbot, MainWindow())
    resize(qtbot, first, 1600, 1000)
    drag_handle(qtbot, first.mainSplitter, 1, 50)
    drag_handle(qtbot, first.mainSplitter, 2, 120)
    sizes = first.mainSplitter.sizes()
    first.close()
    second = show_window(qtbot, MainWindow())
    resize(qtbot, second, 1600, 1000)
    assert second.mainSplitter.sizes() == sizes


# ------------------------------------------------------------------------------- toolbar and cards


def test_the_toolbar_row_drops_words_then_gives_the_stats_a_row_of_their_own(qtbot, window):
    fitting = window.toolbarFitting
    text_beside = Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    for width, compact, own_row in ((1600, False, False), (800, True, False), (700, False, True)):
        resize(qtbot, window, width, 600)
        assert (fitting.compact, fitting.stats_on_own_row) == (compact, own_row), width
        assert window.stepButton.toolButtonStyle() == (
            Qt.ToolButtonStyle.ToolButtonIconOnly if compact else text_beside
        )
        assert window.trainButton.toolButtonStyle() == text_beside  # Train keeps its word
        qtbot.waitUntil(lambda: toolbar_overflow(window) == [])
        assert window.stepButton.isVisible() and window.newWeightsButton.isVisible()
        assert window.stats.isVisible() and window.epochLabel.isVisible()
        stats_top = window.stats.mapTo(window, QPoint(0, 0)).y()
        train_bottom = window.trainButton.mapTo(window, QPoint(0, window.trainButton.height()))
        assert (stats_top >= train_bottom.y()) is own_row
    resize(qtbot, window, 1600, 1000)
    assert not fitting.compact and not fitting.stats_on_own_row


def test_a_click_on_a_card_title_folds_the_card(qtbot, window):
    resize(qtbot, window, 1024, 640)
    data_card = window.dataPanel.parentWidget()
    training_card = window.trainingPanel.parentWidget()
    top_before = training_card.y()
    height_before = data_card.height()
    qtbot.mouseClick(data_card.title, Qt.MouseButton.LeftButton)
    assert not window.dataPanel.isVisible() and not window.dataSourceLabel.isVisible()
    assert data_card.title.arrowType() == Qt.ArrowType.RightArrow
    qtbot.waitUntil(lambda: training_card.y() < top_before)
    assert top_before - training_card.y() == height_before - data_card.height()
    qtbot.mouseClick(data_card.title, Qt.MouseButton.LeftButton)
    assert window.dataPanel.isVisible()
    assert data_card.title.arrowType() == Qt.ArrowType.DownArrow
    qtbot.waitUntil(lambda: training_card.y() == top_before)


def test_the_strip_buttons_unfold_the_right_column_at_their_tab(qtbot, window_with_network_view):
    window = window_with_network_view
    resize(qtbot, window, 1600, 1000)
    window.rightColumnAction.trigger()
    buttons = window.rightColumn.section_buttons
    assert [button.text() for button in buttons] == ["Network", "Metrics", "Hidden space"]
    qtbot.mouseClick(buttons[2], Qt.MouseButton.LeftButton)
    assert not window.rightColumn.folded
    assert window.rightTabs.currentWidget() is window.hiddenSpaceView
    window.rightColumnAction.trigger()
    qtbot.mouseClick(window.rightColumn.section_buttons[1], Qt.MouseButton.LeftButton)
    assert window.rightTabs.currentWidget() is window.metricsPlots
