"""MetricsPlots: curves hold exactly what was appended, downsample, follow the newest epoch."""

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from playground import theme
from playground.widgets.metrics_plots import GrowingArray, MetricsPlots


@pytest.fixture
def plots(qtbot):
    widget = MetricsPlots()
    qtbot.addWidget(widget)
    widget.resize(800, 260)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def original(curve: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
    """The data the curve holds, before downsampling and clipping."""
    x, y = curve.getOriginalDataset()
    return (np.empty(0) if x is None else x, np.empty(0) if y is None else y)


def double_click(widget, pos: QPoint) -> None:
    """What a real double click delivers: press, release, double-click, release.

    (QTest.mouseDClick sends only the double-click event.)
    """
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(widget, left, none, pos)
    QTest.mouseDClick(widget, left, none, pos)
    QTest.mouseRelease(widget, left, none, pos)


def history_arrays(n: int, start: int = 1):
    epochs = np.arange(start, start + n)
    rng = np.random.default_rng(start)
    loss = 0.7 * np.exp(-epochs / 5000) + 0.02 * rng.random(n)
    accuracy = 1.0 - loss
    return epochs, loss, accuracy, loss * 1.1, accuracy - 0.01


def test_children_object_names_and_curve_styles(plots):
    assert plots.findChild(pg.PlotWidget, "lossPlot") is plots.loss_plot
    assert plots.findChild(pg.PlotWidget, "accuracyPlot") is plots.accuracy_plot
    curves = plots.curves
    assert set(curves) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert [c for c in plots.loss_plot.plotItem.items if isinstance(c, pg.PlotDataItem)] == [
        curves["loss"],
        curves["val_loss"],
    ]
    for name, curve in curves.items():
        pen = curve.opts["pen"]
        test = name.startswith("val_")
        assert pen.color() == pg.mkColor(theme.TEST_COLOR if test else theme.TRAIN_COLOR)
        assert (pen.style() == Qt.PenStyle.DashLine) == test
        assert curve.opts["autoDownsample"] and curve.opts["downsampleMethod"] == "peak"
        assert curve.opts["clipToView"]
    legend = plots.loss_plot.plotItem.legend
    assert [label.text for _, label in legend.items] == ["train", "test"]
    assert plots.accuracy_plot.plotItem.vb.viewRange()[1] == pytest.approx([-0.02, 1.02])


def test_append_keeps_exactly_what_was_appended(plots):
    epochs, loss, accuracy, val_loss, val_accuracy = history_arrays(10)
    plots.append(epochs[:4], loss[:4], accuracy[:4], val_loss[:4], val_accuracy[:4])
    plots.append(epochs[4:], loss[4:], accuracy[4:], val_loss[4:], val_accuracy[4:])
    expected = {
        "loss": loss,
        "accuracy": accuracy,
        "val_loss": val_loss,
        "val_accuracy": val_accuracy,
    }
    for name, values in expected.items():
        x, y = original(plots.curves[name])
        np.testing.assert_array_equal(x, epochs)
        np.testing.assert_array_equal(y, values)
    assert plots.latest() == {
        "epoch": 10,
        "loss": loss[-1],
        "accuracy": accuracy[-1],
        "val_loss": val_loss[-1],
        "val_accuracy": val_accuracy[-1],
    }


def test_append_without_test_metrics_leaves_the_test_curves_empty(plots):
    plots.append([1, 2], [0.7, 0.6], [0.5, 0.6])
    assert len(original(plots.curves["val_loss"])[0]) == 0
    assert plots.latest()["val_accuracy"] is None
    assert plots.latest()["loss"] == 0.6


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (([1, 2], [0.5], [0.5, 0.6]), ValueError, r"loss must have as many values as epochs \(2\)"),
        (([1], [0.5], [0.5], [[0.1]]), ValueError, r"val_loss must be 1-D, got shape \(1, 1\)\."),
        (([1], ["a"], [0.5]), TypeError, "loss must be an array of numbers, got list."),
    ],
)
def test_append_refuses_bad_input_and_changes_nothing(plots, args, error, message):
    plots.append([1], [0.7], [0.5], [0.8], [0.4])
    with pytest.raises(error, match=message):
        plots.append(*args)
    assert len(original(plots.curves["loss"])[0]) == 1
    assert len(original(plots.curves["val_loss"])[0]) == 1


def test_growing_array_doubles_so_appending_is_amortised_constant():
    array = GrowingArray(capacity=1)
    reallocations, capacity = 0, array.capacity
    for k in range(100_000):
        array.extend(np.array([float(k)]))
        if array.capacity != capacity:
            reallocations, capacity = reallocations + 1, array.capacity
    assert reallocations == 17  # 1 -> 2 -> ... -> 131072
    np.testing.assert_array_equal(array.values, np.arange(100_000.0))
    snapshot = array.values
    array.extend(np.array([7.0, 8.0]))
    assert len(snapshot) == 100_000  # earlier views stay as they were


def test_100_000_epochs_are_kept_and_drawn_downsampled(plots, qtbot):
    n = 100_000
    epochs, loss, accuracy, val_loss, val_accuracy = history_arrays(n)
    for start in range(0, n, 5000):
        part = slice(start, start + 5000)
        plots.append(epochs[part], loss[part], accuracy[part], val_loss[part], val_accuracy[part])
    plots.grab()  # draw it

    width_px = plots.loss_plot.plotItem.vb.width()
    for name, values in (("loss", loss), ("val_accuracy", val_accuracy)):
        curve = plots.curves[name]
        x, y = original(curve)
        np.testing.assert_array_equal(x, epochs)
        np.testing.assert_array_equal(y, values)
        shown_x, shown_y = curve.getData()
        # Peak downsampling keeps a minimum and a maximum per group of epochs, with
        # autoDownsampleFactor groups per pixel.
        assert len(shown_x) <= 2 * curve.opts["autoDownsampleFactor"] * width_px + 4
        assert len(shown_x) < n / 20
        assert shown_y.max() == pytest.approx(values.max())  # peaks survive downsampling
    assert plots.loss_plot.plotItem.vb.viewRange()[0][1] >= n  # following the newest epoch


def test_zooming_stops_following_and_a_double_click_follows_again(plots, qtbot):
    plots.append(*history_arrays(1000))
    viewport = plots.loss_plot.viewport()
    centre = viewport.rect().center()
    wheel = QWheelEvent(
        QPointF(centre),
        QPointF(viewport.mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 360),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, wheel)
    assert not plots.following
    zoomed = plots.loss_plot.plotItem.vb.viewRange()[0]
    assert zoomed[1] - zoomed[0] < 900

    plots.append(*history_arrays(500, start=1001))
    assert plots.loss_plot.plotItem.vb.viewRange()[0] == pytest.approx(zoomed)  # left alone

    double_click(viewport, centre)
    assert plots.following
    assert plots.loss_plot.plotItem.vb.viewRange()[0][1] >= 1500


def test_set_history_replaces_everything(plots):
    plots.append(*history_arrays(50))
    history = SimpleNamespace(
        loss=[0.7, 0.6, 0.5], accuracy=[0.5, 0.6, 0.7], val_loss=[], val_accuracy=[]
    )
    plots.set_history(history)
    x, y = original(plots.curves["loss"])
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_array_equal(y, history.loss)
    assert len(original(plots.curves["val_loss"])[0]) == 0
    assert plots.latest()["epoch"] == 3

    plots.set_history([5, 6], [0.4, 0.3], [0.8, 0.9], [0.5, 0.4], [0.7, 0.8])
    np.testing.assert_array_equal(original(plots.curves["val_accuracy"])[1], [0.7, 0.8])
    with pytest.raises(ValueError, match="accuracy must have as many values as epochs"):
        plots.set_history([1, 2], [0.4, 0.3], [0.8])
    np.testing.assert_array_equal(original(plots.curves["loss"])[0], [5, 6])  # unchanged


def test_clear_and_log_scale(plots):
    plots.append(*history_arrays(20))
    plots.clear()
    assert all(len(original(c)[0]) == 0 for c in plots.curves.values())
    assert plots.latest() == dict.fromkeys(
        ("epoch", "loss", "accuracy", "val_loss", "val_accuracy")
    )
    plots.set_log_loss(True)
    assert plots.log_loss and plots.loss_plot.plotItem.ctrl.logYCheck.isChecked()


def test_vertical_orientation_stacks_the_plots(qtbot):
    widget = MetricsPlots(orientation=Qt.Orientation.Vertical)
    qtbot.addWidget(widget)
    widget.resize(300, 500)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.accuracy_plot.y() > widget.loss_plot.y() + widget.loss_plot.height() - 1
    assert widget.accuracy_plot.x() == widget.loss_plot.x()
