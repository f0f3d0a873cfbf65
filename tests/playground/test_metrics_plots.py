"""MetricsPlots: curves hold exactly what was appended, downsample, follow the newest epoch."""

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox

from playground import theme
from playground.widgets import metrics_plots
from playground.widgets.metrics_plots import (
    BLOWUP_FACTOR,
    METRIC_WIDTH,
    Envelope,
    GrowingArray,
    MetricsPlots,
    format_metric,
)


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
    items = [c for c in plots.loss_plot.plotItem.items if isinstance(c, pg.PlotDataItem)]
    markers = [plots._series[name].markers for name in ("loss", "val_loss")]
    assert items == [curves["loss"], markers[0], curves["val_loss"], markers[1]]
    for name, curve in curves.items():
        pen = curve.opts["pen"]
        test = name.startswith("val_")
        assert pen.color() == pg.mkColor(theme.TEST_COLOR if test else theme.TRAIN_COLOR)
        assert (pen.style() == Qt.PenStyle.DashLine) == test
        assert curve.opts["autoDownsample"] and curve.opts["downsampleMethod"] == "peak"
        assert curve.opts["clipToView"]
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


# ---------------------------------------------------------------- legends, log scale, blow-ups


def test_legends_sit_in_the_title_row_above_the_plotting_area(plots):
    for plot, title in ((plots.loss_plot, "Loss"), (plots.accuracy_plot, "Accuracy")):
        item = plot.plotItem
        assert item.legend is None  # nothing drawn over the curves
        text = item.titleLabel.text
        assert text.index(title) < text.index("━ train") < text.index("╍ test")
        assert theme.TRAIN_COLOR in text and theme.TEST_COLOR in text
        title_bottom = item.titleLabel.mapRectToScene(item.titleLabel.boundingRect()).bottom()
        assert title_bottom <= item.vb.mapRectToScene(item.vb.boundingRect()).top() + 0.5


def test_log_scale_check_box_switches_the_loss_axis(plots, qtbot):
    check = plots.findChild(QCheckBox, "lossLogScaleCheck")
    assert check is plots.lossLogScaleCheck and check.parent() is plots.loss_plot
    assert check.isVisible() and not check.isChecked()
    # In the title row, right-aligned, above the plotting area.
    vb_top = (
        plots.loss_plot.mapFromScene(
            plots.loss_plot.plotItem.vb.mapRectToScene(plots.loss_plot.plotItem.vb.boundingRect())
        )
        .boundingRect()
        .top()
    )
    assert check.geometry().right() == plots.loss_plot.width() - 5
    assert check.geometry().bottom() < vb_top
    assert "(Help ▸ Concepts: Loss)" in check.toolTip()
    loss = np.geomspace(0.7, 0.01, 100)
    plots.append(np.arange(1, 101), loss, 1 - loss)
    with qtbot.waitSignal(plots.sigLogLossChanged) as blocker:
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(6, check.height() // 2))
    assert blocker.args == [True]
    assert plots.log_loss and plots.loss_plot.plotItem.ctrl.logYCheck.isChecked()
    vb = plots.loss_plot.plotItem.vb
    # log10 units, the whole curve
    qtbot.waitUntil(
        lambda: vb.viewRange()[1][0] < np.log10(0.011) < np.log10(0.69) < vb.viewRange()[1][1]
    )
    plots.set_log_loss(False)  # from the program: the box follows, no signal
    assert not check.isChecked() and not plots.log_loss


def test_blow_ups_are_clipped_and_marked_so_the_good_part_stays_readable(plots, qtbot):
    epochs = np.arange(1, 21)
    loss = np.concatenate([np.linspace(0.69, 0.5, 15), [3.0, 1e30, 8e235, np.inf, np.nan]])
    val_loss = np.concatenate([np.linspace(0.7, 0.55, 15), [4.0, 1e12, np.inf, 0.6, 0.6]])
    accuracy = np.full(20, 0.8)
    plots.append(epochs, loss, accuracy, val_loss, accuracy)
    cap = BLOWUP_FACTOR * 0.69
    assert plots.loss_cap == pytest.approx(cap)
    np.testing.assert_array_equal(plots.clipped_epochs("loss"), [17, 18, 19, 20])
    np.testing.assert_array_equal(plots.clipped_epochs("val_loss"), [16, 17, 18])  # 4.0 > cap
    shown = plots.curves["loss"].yData
    np.testing.assert_array_equal(shown[:16], loss[:16])
    np.testing.assert_array_equal(shown[16:], np.full(4, cap))
    markers = plots._series["loss"].markers
    np.testing.assert_array_equal(markers.xData, [17, 18, 19, 20])
    np.testing.assert_array_equal(markers.yData, np.full(4, cap))
    plots.grab()  # auto-range follows the data when drawn
    low, high = plots.loss_plot.plotItem.vb.viewRange()[1]
    assert 0.2 < low < 0.5 and cap < high < 1.2 * cap  # not 8e235: the good part is readable
    latest = plots.latest()
    assert np.isnan(latest["loss"]) and latest["val_loss"] == 0.6  # the true values


def test_the_cap_waits_for_a_finite_first_loss(plots):
    plots.append([1], [np.inf], [0.5])
    assert plots.loss_cap is None
    assert np.isnan(plots.curves["loss"].yData).all()
    plots.append([2, 3], [0.8, 100.0], [0.5, 0.5])
    assert plots.loss_cap == pytest.approx(4.0)
    np.testing.assert_array_equal(plots.clipped_epochs(), [1, 3])


def test_clear_forgets_the_old_loss_range(plots):
    plots.append([1, 2, 3], [0.7, 1e200, 5e235], [0.5, 0.5, 0.5])
    plots.loss_plot.plotItem.vb.setYRange(0, 1e235)  # whatever range it had
    plots.clear()
    assert plots.loss_cap is None
    assert plots.loss_plot.plotItem.vb.viewRange()[1] == pytest.approx([0.0, 1.0])
    plots.append([1, 2], [0.3, 0.2], [0.5, 0.6])
    plots.grab()  # auto-range follows the data when drawn
    low, high = plots.loss_plot.plotItem.vb.viewRange()[1]
    assert 0.15 < low <= 0.2 and 0.3 <= high < 0.35  # fits the new run


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (None, "loss", "—"),
        (None, "accuracy", "—"),
        (float("nan"), "loss", "diverged"),
        (float("inf"), "loss", "diverged"),
        (-float("inf"), "accuracy", "diverged"),
        (0.0636, "loss", "0.0636"),
        (0.693147, "loss", "0.6931"),
        (0.00123, "loss", "0.0012"),
        (0.0009, "loss", "9.0e-04"),
        (3e-17, "loss", "3.0e-17"),
        (0.0, "loss", "0"),
        (1.0, "loss", "1"),
        (12.3456, "loss", "12.35"),
        (9999.4, "loss", "9999"),
        (9999.6, "loss", "1.0e+04"),
        (8.123e235, "loss", "8.1e+235"),
        (1.2e235, "loss", "1.2e+235"),
        (1.7976931348623157e308, "loss", "1.8e+308"),
        (-2.6e300, "loss", "-3e+300"),
        (0.975, "accuracy", "97.5%"),
        (1.0, "accuracy", "100.0%"),
        (0.0, "accuracy", "0.0%"),
        (0.99999, "accuracy", "100.0%"),
        (0.5, "accuracy", "50.0%"),
    ],
)
def test_format_metric(value, kind, text):
    assert format_metric(value, kind) == text


def test_format_metric_is_never_wider_than_8_characters():
    values = [0.0, 5e-324, 1e-300, 1e-5, 0.000999, 0.001, 0.5, 0.99995, 1, 99.995, 9999.5]
    values += [1e5, 1e100, 1.7976931348623157e308, 0.123456789, 123456.789]
    values += [-v for v in values] + [float("nan"), float("inf"), -float("inf"), None]
    for value in values:
        for kind in ("loss", "accuracy"):
            assert len(format_metric(value, kind)) <= METRIC_WIDTH, (value, kind)
    with pytest.raises(ValueError, match="^kind must be 'loss' or 'accuracy', got 'acc'.$"):
        format_metric(0.5, "acc")


def test_grab(qtbot):
    widget = MetricsPlots(orientation=Qt.Orientation.Vertical)
    qtbot.addWidget(widget)
    widget.resize(200, 420)  # narrow: the legend and the log-scale box still fit
    widget.show()
    qtbot.waitExposed(widget)
    epochs = np.arange(1, 41)
    loss = np.concatenate([np.linspace(0.69, 0.4, 30), np.geomspace(3, 1e235, 10)])
    widget.append(epochs, loss, np.linspace(0.5, 0.8, 40), loss * 1.05, np.linspace(0.5, 0.75, 40))
    widget.grab().save("/tmp/metrics_plots.png")
    title = widget.loss_plot.plotItem.titleLabel
    text = title.item  # the QGraphicsTextItem: the text's own extent
    title_right = widget.loss_plot.mapFromScene(text.mapToScene(text.boundingRect().topRight())).x()
    assert title_right < widget.lossLogScaleCheck.geometry().left()
    assert widget.clipped_epochs().tolist() == list(range(32, 41))  # 3 < 5 x 0.69 is kept


# ------------------------------------------------------- millions of epochs: the envelope


def buckets_of(envelope_x: np.ndarray) -> np.ndarray:
    """The first x of each bucket of an Envelope.curve() (each bucket is two points)."""
    return envelope_x[::2]


@settings(max_examples=60, deadline=None)
@given(
    chunks=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=30),
    max_buckets=st.integers(min_value=2, max_value=9),
    nan_every=st.integers(min_value=0, max_value=7),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_an_envelope_keeps_each_buckets_minimum_and_maximum(chunks, max_buckets, nan_every, seed):
    rng = np.random.default_rng(seed)
    n = sum(chunks)
    x = np.arange(1.0, n + 1)
    y = rng.normal(size=n)
    if nan_every:
        y[::nan_every] = np.nan
    envelope = Envelope(max_buckets)
    start = 0
    for size in chunks:
        envelope.extend(x[start : start + size], y[start : start + size])
        start += size

    curve_x, curve_y = envelope.curve()
    firsts = buckets_of(curve_x)
    assert len(firsts) == len(envelope) <= max_buckets + 1  # the one still filling aside
    assert firsts[0] == 1.0 and np.all(np.diff(firsts) > 0)
    ends = np.append(firsts[1:], n + 1)
    for k, (first, end) in enumerate(zip(firsts, ends, strict=True)):
        values = y[int(first) - 1 : int(end) - 1]
        low, high = curve_y[2 * k], curve_y[2 * k + 1]
        if np.isnan(values).all():
            assert np.isnan(low) and np.isnan(high)
        else:
            assert (low, high) == (np.nanmin(values), np.nanmax(values))


def test_a_curve_of_many_epochs_draws_its_envelope_and_keeps_every_value(plots, qtbot, monkeypatch):
    monkeypatch.setattr(metrics_plots, "ENVELOPE_FROM", 3000)
    monkeypatch.setattr(metrics_plots, "ENVELOPE_BUCKETS", 64)
    n = 10_000
    epochs, loss, accuracy, val_loss, val_accuracy = history_arrays(n)
    loss[7000] = 1e9  # a blow-up: drawn at the cap, and marked
    for start in range(0, n, 700):
        part = slice(start, start + 700)
        plots.append(epochs[part], loss[part], accuracy[part], val_loss[part], val_accuracy[part])
    plots.grab()

    for name, values in (("loss", loss), ("accuracy", accuracy)):
        x, y = original(plots.curves[name])
        assert len(x) <= 2 * (64 + 1) and x[0] == 1 and x[-1] <= n
        drawn = np.minimum(values, plots.loss_cap) if name == "loss" else values
        assert (np.nanmin(y), np.nanmax(y)) == (drawn.min(), drawn.max())
    assert plots.clipped_epochs().tolist() == [7001.0]
    assert plots.latest()["loss"] == loss[-1]  # the buffers keep every value

    plots.set_history(*history_arrays(2000))  # below ENVELOPE_FROM: every value again
    x, _ = original(plots.curves["loss"])
    np.testing.assert_array_equal(x, np.arange(1, 2001))


def test_truncating_after_a_divergence_keeps_every_value_up_to_the_epoch(plots, monkeypatch):
    monkeypatch.setattr(metrics_plots, "ENVELOPE_FROM", 3000)
    monkeypatch.setattr(metrics_plots, "ENVELOPE_BUCKETS", 64)
    epochs, loss, accuracy, val_loss, val_accuracy = history_arrays(10_000)
    loss[7000] = 1e9
    plots.append(epochs, loss, accuracy, val_loss, val_accuracy)
    plots.set_follow(False)

    plots.truncate(8000)  # still drawn as an envelope
    latest = plots.latest()
    assert (latest["epoch"], latest["loss"], latest["val_accuracy"]) == (
        8000,
        loss[7999],
        val_accuracy[7999],
    )
    assert plots.clipped_epochs().tolist() == [7001.0]
    assert plots.following
    x, y = original(plots.curves["loss"])
    assert len(x) <= 2 * (64 + 1) and x[-1] <= 8000 and np.nanmax(y) == plots.loss_cap

    plots.truncate(2000)  # below ENVELOPE_FROM: every value, exactly
    x, y = original(plots.curves["val_loss"])
    np.testing.assert_array_equal(x, epochs[:2000])
    np.testing.assert_array_equal(y, val_loss[:2000])
    assert plots.clipped_epochs().tolist() == []

    plots.truncate(0)  # before the first epoch: nothing left
    assert plots.latest()["epoch"] is None and plots.loss_cap is None
