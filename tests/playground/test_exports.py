"""File ▸ Import/Export: points as CSV, the model, the architecture and the plots as PNG."""

import json
import re
import threading

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

import nn_engine
from playground import exports, theme
from playground.state import Architecture, HiddenLayer, ReplacePoints
from playground.widgets.data_plot import region_lookup_table


def message(window):
    return window.statusBar().currentMessage()


def snapshot(points):
    return points.X.copy(), points.labels.copy(), points.is_test.copy()


def assert_points(points, expected):
    X, labels, is_test = expected
    assert points.X.dtype == np.float64 and points.labels.dtype == np.int64
    np.testing.assert_array_equal(points.X, X)
    np.testing.assert_array_equal(points.labels, labels)
    np.testing.assert_array_equal(points.is_test, is_test)


def choose_file(monkeypatch, path, method="getOpenFileName"):
    """Make QFileDialog's static ``method`` answer ``path`` at once (no modal dialog)."""
    monkeypatch.setattr(QFileDialog, method, lambda *args, **kwargs: (str(path), ""))


def step_epochs(qtbot, window, epochs):
    for _ in range(epochs):
        window.step()
    qtbot.waitUntil(lambda: window.epoch == epochs and window.speedLabel.text() == "paused")


def pixels(image):
    """(h * w, 3) RGB values of a QImage."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    bgra = pg.functions.ndarray_from_qimage(image).copy()  # (h, w, 4), B G R A
    return bgra[..., 2::-1].reshape(-1, 3)


def rgb_codes(rgb):
    return rgb.astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])


def count_color(rgb, color):
    return int(np.all(rgb == QColor(color).getRgb()[:3], axis=1).sum())


# -- CSV ----------------------------------------------------------------------------------------


def test_export_then_import_round_trip_is_exact(window, tmp_path):
    # Awkward numbers too: the shortest repr must bring back every bit.
    X = np.vstack([window.points.X, [[0.1, 1 / 3], [-2.5e-300, 999999.9999999999]]])
    labels = np.concatenate([window.points.labels, [1, 0]])
    window.push_edit(ReplacePoints(X, labels, np.zeros(len(X), bool)))
    path = tmp_path / "points.csv"

    window.export_points_csv(path)

    assert message(window) == f"Exported {len(X)} points to points.csv."
    lines = path.read_text().splitlines()
    assert lines[0] == "x,y,label" and len(lines) == len(X) + 1
    assert lines[-2:] == ["0.1,0.3333333333333333,1", "-2.5e-300,999999.9999999999,0"]
    window.push_edit(ReplacePoints.clear())
    window.import_points_csv(path)
    np.testing.assert_array_equal(window.points.X, X)
    np.testing.assert_array_equal(window.points.labels, labels)


def test_generated_points_come_back_with_their_split(window, tmp_path):
    """The import splits like Generate (panel's test ratio and seed): the round trip is whole."""
    generated = snapshot(window.points)
    assert generated[2].sum() == 60  # 20 % of 300 held out
    window.export_points_csv(tmp_path / "moons.csv")
    window.push_edit(ReplacePoints.clear())
    window.import_points_csv(tmp_path / "moons.csv")
    assert_points(window.points, generated)


def test_import_is_one_undo_step_and_undo_restores_exactly(window, tmp_path):
    before = snapshot(window.points)
    steps = window.undo_stack.count()
    X = np.array([[0.0, 0.0], [1.0, 0.5], [-1.0, 2.0], [3.0, -4.0], [0.25, 0.75]])
    y = np.array([0, 1, 1, 0, 1])
    nn_engine.datasets.write_csv(tmp_path / "mine.csv", X, y)

    window.import_points_csv(tmp_path / "mine.csv")

    assert window.undo_stack.count() == steps + 1
    assert window.undo_stack.undoText() == "Import mine.csv"
    assert window.undoAction.text() == "&Undo Import mine.csv"
    # the data panel's split: 20 % test (one point of five), seed 0
    is_test = nn_engine.datasets.split_mask(5, 0.2, 0)
    assert is_test.sum() == 1
    imported = (X, y, is_test)
    assert_points(window.points, imported)
    assert message(window) == (
        "Imported 5 points from mine.csv (1 held out for testing). Ctrl+Z undoes it."
    )
    window.undo_stack.undo()
    assert_points(window.points, before)
    window.undo_stack.redo()
    assert_points(window.points, imported)


def test_a_file_too_small_to_split_is_all_training(qtbot, window, tmp_path):
    nn_engine.datasets.write_csv(tmp_path / "two.csv", [[0.0, 0.0], [1.0, 1.0]], [0, 1])
    with qtbot.waitSignal(window.dataPanel.sigSettingsEdited):
        window.dataPanel.testRatioSpin.setValue(90)  # ceil(0.9 * 2) = 2 test points: no training
    window.import_points_csv(tmp_path / "two.csv")
    assert window.points.is_test.tolist() == [False, False]


BAD_FILES = [
    ("x,y,label\n0.5,0.5,1\n0.5,0.5,3\n", "bad.csv line 3: label must be 0 or 1, got 3."),
    ("x,y,label\n\n1,2,0\n1,oops,1\n", "bad.csv line 4: y must be a number, got 'oops'."),
    ("x,y,label\n1,2\n", "bad.csv line 2: a row must have 3 fields (x,y,label), got 2: '1,2'."),
    # finite, but too far out to draw and train on
    (
        "x,y,label\r\n1,2,0\r\n\r\n3,1e308,1\r\n",
        "bad.csv row 2 after the header: y must be between -1,000,000 and 1,000,000, got 1e+308.",
    ),
]


@pytest.mark.parametrize(("text", "error"), BAD_FILES)
def test_a_bad_file_is_reported_with_its_line_and_nothing_is_imported(
    qtbot, window, tmp_path, monkeypatch, text, error
):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    before = snapshot(window.points)
    steps = window.undo_stack.count()
    choose_file(monkeypatch, path)

    window.dataExchange.importPointsAction.trigger()  # File ▸ Import Points (CSV)…

    qtbot.waitUntil(lambda: window.dataExchange.reading is None)
    assert message(window) == f"Nothing imported from bad.csv: {error}"
    box = window.dataExchange.error_box
    assert box.isVisible() and not box.isModal()
    assert (box.text(), box.informativeText()) == ("Nothing imported from bad.csv.", error)
    assert_points(window.points, before)
    assert window.undo_stack.count() == steps
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        window.import_points_csv(path)
    assert window.undo_stack.count() == steps


def test_a_large_import_from_the_menu_reads_in_the_background(qtbot, window, tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200_000, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    nn_engine.datasets.write_csv(tmp_path / "big.csv", X, y)
    choose_file(monkeypatch, tmp_path / "big.csv")
    before = snapshot(window.points)
    # The read waits, on its thread, until the GUI thread has run a timer: a read on the GUI
    # thread would never see it (and fail after 10 s instead of hanging).
    gui_ran = threading.Event()
    real_probe = exports._probe_points_file

    def probe_when_the_gui_runs(path, settings):
        if not gui_ran.wait(10):
            raise AssertionError("the GUI thread did not run while the file was read")
        return real_probe(path, settings)

    monkeypatch.setattr(exports, "_probe_points_file", probe_when_the_gui_runs)
    # the undo step (split and checks, O(n)) is made on the reader thread too
    real_prepare = exports.prepare_points_import
    prepared_on = []

    def prepare(imported, settings):
        prepared_on.append(threading.current_thread() is threading.main_thread())
        return real_prepare(imported, settings)

    monkeypatch.setattr(exports, "prepare_points_import", prepare)
    pushes = []
    window.undo_stack.indexChanged.connect(pushes.append)
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(gui_ran.set)
    timer.start()

    window.dataExchange.importPointsAction.trigger()  # returns while the file is being read

    assert message(window) == "Importing big.csv…"
    assert not window.dataExchange.importPointsAction.isEnabled()
    assert_points(window.points, before)
    qtbot.waitUntil(lambda: len(pushes) == 1, timeout=30_000)
    timer.stop()
    assert_points(window.points, (X, y, nn_engine.datasets.split_mask(200_000, 0.2, 0)))
    assert message(window) == (
        "Imported 200,000 points from big.csv (40,000 held out for testing). Ctrl+Z undoes it."
    )
    assert window.dataExchange.importPointsAction.isEnabled()
    assert window.dataExchange.reading is None
    assert prepared_on == [False]
    window.undo_stack.undo()
    assert_points(window.points, before)


def test_a_split_setting_changed_during_the_read_is_the_one_used(
    qtbot, window, tmp_path, monkeypatch
):
    X = np.random.default_rng(8).normal(size=(1000, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    nn_engine.datasets.write_csv(tmp_path / "pts.csv", X, y)
    choose_file(monkeypatch, tmp_path / "pts.csv")
    release = threading.Event()
    real_probe = exports._probe_points_file

    def probe_after_release(path, settings):
        release.wait(10)
        return real_probe(path, settings)

    monkeypatch.setattr(exports, "_probe_points_file", probe_after_release)
    pushes = []
    window.undo_stack.indexChanged.connect(pushes.append)
    window.dataExchange.importPointsAction.trigger()
    settings = window.controller.document.data_settings.copy()
    settings.test_ratio = 0.5
    window.set_data_settings(settings)  # while the file is being read
    release.set()
    qtbot.waitUntil(lambda: window.dataExchange.reading is None, timeout=10_000)
    qtbot.waitUntil(
        lambda: len(window.points) == 1000 and int(window.points.is_test.sum()) == 500,
        timeout=10_000,
    )
    seed = window.controller.document.data_settings
    split_seed = seed.seed if seed.split_seed is None else seed.split_seed
    assert_points(window.points, (X, y, nn_engine.datasets.split_mask(1000, 0.5, split_seed)))
    assert window.undo_stack.undoText() == "Import pts.csv"


def test_a_missing_file_is_reported(qtbot, window, tmp_path, monkeypatch):
    choose_file(monkeypatch, tmp_path / "gone.csv")
    window.dataExchange.importPointsAction.trigger()
    qtbot.waitUntil(lambda: window.dataExchange.reading is None)
    assert message(window).startswith("Nothing imported from gone.csv: [Errno 2] No such file")


def test_cancelling_the_file_dialog_does_nothing(window, monkeypatch):
    before = snapshot(window.points)
    text = message(window)
    choose_file(monkeypatch, "")
    window.dataExchange.importPointsAction.trigger()
    assert_points(window.points, before)
    assert message(window) == text
    assert window.dataExchange.error_box is None


def test_export_points_via_the_menu_adds_the_suffix(window, tmp_path, monkeypatch):
    choose_file(monkeypatch, tmp_path / "mine", "getSaveFileName")
    window.dataExchange.exportPointsAction.trigger()
    X, y = nn_engine.datasets.read_csv(tmp_path / "mine.csv")
    np.testing.assert_array_equal(X, window.points.X)
    np.testing.assert_array_equal(y, window.points.labels)


def test_export_failures_are_reported_in_the_window(window, tmp_path, monkeypatch):
    choose_file(monkeypatch, tmp_path / "no-such-dir" / "points.csv", "getSaveFileName")
    window.dataExchange.exportPointsAction.trigger()
    assert message(window).startswith("Could not export the points to points.csv: [Errno 2]")
    assert window.dataExchange.error_box.isVisible()

    window.push_edit(ReplacePoints.clear())
    with pytest.raises(ValueError, match="^There are no points to export: generate or paint"):
        window.export_points_csv(tmp_path / "empty.csv")
    assert not (tmp_path / "empty.csv").exists()


# -- model and architecture ---------------------------------------------------------------------


def test_exported_model_loads_and_predicts_like_the_windows_network(qtbot, window, tmp_path):
    step_epochs(qtbot, window, 3)
    path = tmp_path / "model.npz"

    window.export_model(path)

    assert message(window) == "Exported the model (2-16-16-1, at epoch 3) to model.npz."
    loaded = nn_engine.io.load_network(path)
    live = nn_engine.Network(
        window.worker.network_architecture(), dtype=window.hyperparameters.precision
    )
    live.set_params(window.worker.network_params())
    assert loaded.dtype == np.dtype(window.hyperparameters.precision)
    assert loaded.architecture == window.architecture.to_engine()
    assert (loaded.init, loaded.seed) == ("xavier", 1)
    for mine, theirs in zip(loaded.get_params(), live.get_params(), strict=True):
        np.testing.assert_array_equal(mine["W"], theirs["W"])
        np.testing.assert_array_equal(mine["b"], theirs["b"])
    X = window.points.X
    np.testing.assert_array_equal(loaded.predict_proba(X), live.predict_proba(X))
    # the trained weights, not the initial ones
    initial = nn_engine.Network(loaded.architecture, init="xavier", seed=1)
    assert not np.array_equal(initial.params, loaded.params)


def test_architecture_json_is_the_articles_format(window, tmp_path):
    window.set_architecture(Architecture.from_units([25, 50, 50, 25], "relu"))
    path = tmp_path / "architecture.json"

    window.export_architecture(path)

    assert path.read_text() == (
        "[\n"
        '    {"input_dim": 2, "output_dim": 25, "activation": "relu"},\n'
        '    {"input_dim": 25, "output_dim": 50, "activation": "relu"},\n'
        '    {"input_dim": 50, "output_dim": 50, "activation": "relu"},\n'
        '    {"input_dim": 50, "output_dim": 25, "activation": "relu"},\n'
        '    {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"}\n'
        "]\n"
    )
    assert json.loads(path.read_text()) == window.architecture.to_engine()
    assert nn_engine.io.architecture_from_json(path.read_text()) == window.architecture.to_engine()
    assert message(window) == (
        "Exported the architecture (2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters) "
        "to architecture.json."
    )


def test_model_and_architecture_via_the_menu(window, tmp_path, monkeypatch):
    choose_file(monkeypatch, tmp_path / "net", "getSaveFileName")
    window.dataExchange.exportModelAction.trigger()
    assert nn_engine.io.load_network(tmp_path / "net.npz").sizes == [2, 16, 16, 1]
    window.dataExchange.exportArchitectureAction.trigger()
    assert json.loads((tmp_path / "net.json").read_text()) == window.architecture.to_engine()


# -- images -------------------------------------------------------------------------------------


def test_data_plot_image_has_the_width_asked_for_and_shows_regions_and_points(
    qtbot, window, tmp_path
):
    step_epochs(qtbot, window, 1)
    qtbot.waitUntil(lambda: window.dataPlot.regions_item.image is not None)
    path = tmp_path / "plot.png"

    window.export_data_plot_image(path, 800)

    image = QImage(str(path))
    assert image.width() == 800
    # the plot keeps its aspect ratio; the legend and the caption add a band underneath
    source = window.dataPlot.plotItem.sceneBoundingRect()
    plot_height = int(800 * source.height() / source.width())
    band = exports.legend_band_height(800)
    assert band == 2 * round(1.9 * 17) + 17 // 2  # two rows of 17 px text (800 / 48)
    assert image.height() == plot_height + band
    assert image.height() == exports.data_plot_image_height(window.dataPlot, 800)
    assert message(window) == f"Saved the data plot as plot.png (800 × {image.height()} px)."
    rgb = pixels(image.copy(0, 0, 800, plot_height))
    # the points, in their class colours
    for color in theme.CLASS_COLORS:
        assert count_color(rgb, color) > 1000
    # the decision regions: most of the picture is coloured by the regions' colour table
    codes, lut = rgb_codes(rgb), rgb_codes(region_lookup_table())
    tinted = np.isin(codes, lut[lut != 0xFFFFFF])  # white is P = 0.5 and the background
    assert tinted.mean() > 0.5


def test_metrics_image_stacks_both_plots_at_the_width_asked_for(qtbot, window, tmp_path):
    window.export_metrics_image(tmp_path / "empty.png", 500)
    step_epochs(qtbot, window, 5)

    window.export_metrics_image(tmp_path / "metrics.png", 500)

    image = QImage(str(tmp_path / "metrics.png"))
    plots = [window.metricsPlots.loss_plot, window.metricsPlots.accuracy_plot]
    assert (image.width(), image.height()) == (500, exports.plot_height_for_width(plots, 500))
    assert image.height() > 2 * exports.plot_height_for_width(plots[:1], 500)  # both, stacked
    rgb, empty = pixels(image), pixels(QImage(str(tmp_path / "empty.png")))
    assert len(np.unique(rgb, axis=0)) > 50  # axes, titles, legends, curves
    assert np.any(rgb != empty, axis=1).sum() > 100  # the curves of the five epochs


def test_image_width_defaults_to_twice_the_widget_and_is_checked(window, tmp_path):
    window.export_metrics_image(tmp_path / "default.png")
    assert QImage(str(tmp_path / "default.png")).width() == 2 * window.metricsPlots.width()
    with pytest.raises(ValueError, match=r"^width must be in 16\.\.10000 pixels, got 5\.$"):
        window.export_data_plot_image(tmp_path / "tiny.png", 5)
    with pytest.raises(TypeError, match=r"^width must be an int, got float\.$"):
        window.export_data_plot_image(tmp_path / "tiny.png", 100.0)
    assert not (tmp_path / "tiny.png").exists()


def test_image_export_via_the_menu_asks_for_a_size_without_blocking(
    qtbot, window, tmp_path, monkeypatch
):
    choose_file(monkeypatch, tmp_path / "chosen", "getSaveFileName")

    window.dataExchange.exportDataPlotImageAction.trigger()  # returns: the dialog is open

    dialog = window.dataExchange.size_dialog
    assert dialog.isVisible()
    assert dialog.widthSpin.value() == 2 * window.dataPlot.width()
    dialog.widthSpin.setValue(320)
    height = exports.data_plot_image_height(window.dataPlot, 320)
    assert dialog.heightLabel.text() == f"{height:,} px"
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    image = QImage(str(tmp_path / "chosen.png"))
    assert (image.width(), image.height()) == (320, height)

    window.dataExchange.exportMetricsImageAction.trigger()
    dialog = window.dataExchange.size_dialog
    assert dialog.widthSpin.value() == 2 * window.metricsPlots.width()
    dialog.widthSpin.setValue(200)
    dialog.reject()  # Cancel: no file
    assert QImage(str(tmp_path / "chosen.png")).width() == 320


def test_data_plot_caption_is_exact():
    tanh = Architecture.from_units([16, 16], "tanh")
    assert (
        exports.data_plot_caption(1234, tanh, 0.975, 0.96)
        == "Epoch 1,234 · train 97.5 % · test 96.0 % · 2-16-16-1 tanh"
    )
    assert exports.data_plot_caption(0, tanh, None, float("nan")) == (
        "Epoch 0 · train — · test — · 2-16-16-1 tanh"
    )
    assert exports.data_plot_caption(7, tanh, None, None, with_accuracy=False) == (
        "Epoch 7 · 2-16-16-1 tanh"
    )
    mixed = Architecture([HiddenLayer(8, "relu"), HiddenLayer(4, "tanh"), HiddenLayer(2, "relu")])
    assert exports.architecture_caption(mixed) == "2-8-4-2-1 ReLU/tanh"
    assert exports.architecture_caption(Architecture()) == "2-1"


def test_data_plot_export_leaves_the_painting_hint_out_and_shows_it_again(
    window, tmp_path, monkeypatch
):
    hint = window.dataPlot.indicator_item
    assert hint.isVisible() and window.dataPlot.indicator_text.startswith("Painting ● Class 0")
    seen = []
    render = exports.render_plot

    def spying(plot, width):
        seen.append(hint.isVisible())
        return render(plot, width)

    monkeypatch.setattr(exports, "render_plot", spying)

    window.export_data_plot_image(tmp_path / "plot.png", 400)

    assert seen == [False]
    assert hint.isVisible()


def test_data_plot_export_from_the_menu_has_legend_and_caption_of_the_run(
    qtbot, window, tmp_path, monkeypatch
):
    step_epochs(qtbot, window, 3)
    qtbot.waitUntil(lambda: window.metricsPlots.latest()["epoch"] == 3)
    latest = window.metricsPlots.latest()
    captions = []
    caption = exports.data_plot_caption

    def spying(*args, **kwargs):
        captions.append(caption(*args, **kwargs))
        return captions[-1]

    monkeypatch.setattr(exports, "data_plot_caption", spying)
    choose_file(monkeypatch, tmp_path / "plot", "getSaveFileName")

    window.dataExchange.exportDataPlotImageAction.trigger()
    dialog = window.dataExchange.size_dialog
    dialog.widthSpin.setValue(600)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )

    train, test = (f"{100 * latest[key]:.1f} %" for key in ("accuracy", "val_accuracy"))
    assert captions == [f"Epoch 3 · train {train} · test {test} · 2-16-16-1 tanh"]
    image = QImage(str(tmp_path / "plot.png"))
    band_height = exports.legend_band_height(600)
    assert image.height() == exports.data_plot_image_height(window.dataPlot, 600)
    band = pixels(image.copy(0, image.height() - band_height, 600, band_height))
    # the class markers, the colour bar's two ends and the dark text of the caption
    for color in theme.CLASS_COLORS:
        assert count_color(band, color) > 20
    ends = region_lookup_table()[[0, -1]]
    for end in ends:
        assert np.all(np.abs(band.astype(int) - end) <= 8, axis=1).sum() > 10
    assert np.all(band < 90, axis=1).sum() > 300  # text


def test_data_plot_export_from_a_script_carries_the_latest_metrics(
    qtbot, window, tmp_path, monkeypatch
):
    captions = []
    caption = exports.data_plot_caption

    def spying(*args, **kwargs):
        captions.append(caption(*args, **kwargs))
        return captions[-1]

    monkeypatch.setattr(exports, "data_plot_caption", spying)
    window.export_data_plot_image(tmp_path / "plot.png", 300)
    assert captions == ["Epoch 0 · train — · test — · 2-16-16-1 tanh"]  # nothing trained yet
    window.step()
    qtbot.waitUntil(lambda: window.metricsPlots.latest().get("epoch") == 1)
    latest = window.metricsPlots.latest()
    window.export_data_plot_image(tmp_path / "plot.png", 300)
    train, test = (f"{100 * latest[k]:.1f} %" for k in ("accuracy", "val_accuracy"))
    assert captions[-1] == f"Epoch 1 · train {train} · test {test} · 2-16-16-1 tanh"
