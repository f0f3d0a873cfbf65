"""The network panel: the diagram follows the architecture, hover values are live, clicks edit
weights as undo steps, and neuron maps are the network's own activations (issue 12)."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

import nn_engine
from playground.neuron_maps import (
    GRID_CELLS,
    MAX_SHOWN_UNITS,
    THUMBNAIL,
    block_average,
    grid_points,
    network_frame,
    shown_units,
)
from playground.state import Architecture
from playground.widgets.sparkline import Sparkline


def hover(qtbot, view, position):
    qtbot.mouseMove(view.view.viewport(), position)
    # the scene's mouse-move signal is delivered synchronously with the event
    QApplication.processEvents()


def wait_frame(qtbot, window, predicate=lambda frame: True):
    """The frame the panel shows, once one satisfying ``predicate`` has arrived."""
    view = window.networkView
    qtbot.waitUntil(lambda: view.frame is not None and predicate(view.frame), timeout=10_000)
    return view.frame


def step(qtbot, window, epochs):
    target = window.epoch + epochs
    for _ in range(epochs):
        qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == target, timeout=10_000)


def test_the_panel_is_there_and_the_data_plot_stays_the_largest(window):
    view = window.networkView
    assert view.objectName() == "networkView" and view.isVisible()
    assert view.sizes == [2, 16, 16, 1]
    window.resize(1600, 1000)
    QApplication.processEvents()
    plot = window.dataPlot
    area = plot.width() * plot.height()
    assert view.width() * view.height() < area
    assert window.metricsPlots.width() * window.metricsPlots.height() < area


def test_nodes_and_links_follow_every_layer_edit_and_undo(qtbot, window):
    view = window.networkView
    wait_frame(qtbot, window)
    # the input column offers the 7 built-in features; x1 and x2 are on and linked
    assert (view.node_count(), view.link_count()) == (7 + 16 + 16 + 1, 2 * 16 + 16 * 16 + 16)

    window.set_architecture(Architecture.from_units([3, 40], activation="relu"))
    wait_frame(qtbot, window, lambda f: len(f.layers) == 3 and f.layers[0].units == 3)
    assert view.sizes == [2, 3, 40, 1]
    assert view.node_count() == 7 + 3 + MAX_SHOWN_UNITS + 1
    assert view.link_count() == 2 * 3 + 3 * MAX_SHOWN_UNITS + MAX_SHOWN_UNITS
    assert view.more_labels() == ["", "", f"+{40 - MAX_SHOWN_UNITS} more", ""]

    window.undo_stack.undo()
    wait_frame(qtbot, window, lambda f: len(f.layers) == 3 and f.layers[0].units == 16)
    assert view.sizes == [2, 16, 16, 1]
    assert view.link_count() == 2 * 16 + 16 * 16 + 16


def test_hovering_a_link_shows_its_current_weight_and_follows_training(qtbot, window):
    view = window.networkView
    window.resize(1600, 1000)
    wait_frame(qtbot, window)
    hover(qtbot, view, view.link_position(3, 0, 2))  # output <- layer 2 unit 2
    text = view.hover_text()
    w = window.worker.network_params()[2]["W"][0, 2]
    assert f"{w:+.6g}" in text and "layer 2 unit 2 → output" in text

    step(qtbot, window, 3)
    w_now = window.worker.network_params()[2]["W"][0, 2]
    assert w_now != w
    wait_frame(qtbot, window, lambda f: f.layers[2].weights[0, 2] == w_now)
    qtbot.waitUntil(lambda: f"{w_now:+.6g}" in view.hover_text())

    hover(qtbot, view, view.node_position(1, 4))  # layer 1 unit 4
    assert "layer 1 unit 4" in view.hover_text() and "bias" in view.hover_text()
    assert window.networkPanel.focus == (0, 4)


def test_a_clicked_weight_is_edited_in_the_worker_and_undo_restores_it(qtbot, window):
    # Three units a layer: a quarter of the way along, no two links cross (so the click is
    # unambiguous; in a dense layer the nearest link under the pointer is edited).
    window.set_architecture(Architecture.from_units([3, 3], activation="tanh"))
    view = window.networkView
    window.resize(1600, 1000)
    wait_frame(qtbot, window, lambda f: f.layers[0].units == 3)
    before = window.worker.network_params()
    position = view.link_position(2, 1, 2)  # layer 2 unit 1 <- layer 1 unit 2
    qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    editor = window.networkPanel.editor
    assert editor is not None and editor.isVisible()
    assert editor.valueSpin.value() == pytest.approx(before[1]["W"][1, 2], abs=1e-6)
    editor.valueSpin.setValue(1.25)
    editor.accept()

    after = window.worker.network_params()
    assert after[1]["W"][1, 2] == 1.25
    changed = [
        (i, key) for i, (a, b) in enumerate(zip(after, before, strict=True)) for key in "Wb"
        if not np.array_equal(a[key], b[key])
    ]  # fmt: skip
    assert changed == [(1, "W")]
    assert np.count_nonzero(after[1]["W"] != before[1]["W"]) == 1
    assert window.undo_stack.undoText() == "Edit a weight"
    assert window.isWindowModified()

    window.undo_stack.undo()
    restored = window.worker.network_params()
    assert restored[1]["W"][1, 2] == pytest.approx(before[1]["W"][1, 2], abs=1e-6)
    window.undo_stack.redo()
    assert window.worker.network_params()[1]["W"][1, 2] == 1.25


def test_a_clicked_bias_is_edited_as_an_undo_step(qtbot, window):
    window.set_architecture(Architecture.from_units([3, 3], activation="tanh"))
    view = window.networkView
    window.resize(1600, 1000)
    wait_frame(qtbot, window, lambda f: f.layers[0].units == 3)
    after = window.worker.network_params()
    QApplication.processEvents()  # the resized view's layout
    node = view.node_position(1, 0)  # the bar under layer 1's unit 0
    bar = QPoint(node.x(), node.y() + round(0.68 / view.box.viewPixelSize()[1]))
    qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=bar)
    editor = window.networkPanel.editor
    assert editor.valueSpin.value() == pytest.approx(after[0]["b"][0], abs=1e-6)
    editor.valueSpin.setValue(-0.5)
    editor.accept()
    assert window.worker.network_params()[0]["b"][0] == -0.5
    assert window.undo_stack.undoText() == "Edit a bias"
    window.undo_stack.undo()
    assert window.worker.network_params()[0]["b"][0] == after[0]["b"][0]


def test_a_neuron_map_is_the_units_activation_on_the_grid(qtbot, window):
    step(qtbot, window, 2)
    frame = wait_frame(qtbot, window)
    assert window.worker.trainer_settings()["epoch"] == 2  # paused: the frame is epoch 2's
    rect = window.dataPlot.view_rect()
    net = nn_engine.Network(window.architecture.to_engine(), dtype=np.float32)
    net.set_params(window.worker.network_params())
    activations = net.forward_layers(grid_points(rect))
    for index, layer in enumerate(frame.layers):
        expected = block_average(activations[index][:, layer.shown])
        np.testing.assert_allclose(layer.maps, expected, rtol=1e-5, atol=1e-6)
    assert frame.layers[0].maps.shape == (16, THUMBNAIL, THUMBNAIL)


def test_the_hovered_units_full_map_replaces_the_decision_map(qtbot, window):
    view = window.networkView
    window.resize(1600, 1000)
    wait_frame(qtbot, window)
    hover(qtbot, view, view.node_position(2, 3))  # layer 2 unit 3
    frame = wait_frame(qtbot, window, lambda f: f.focus is not None)
    assert frame.focus[:2] == (1, 3)
    assert frame.focus[2].shape == (GRID_CELLS, GRID_CELLS)
    shown = window.dataPlot.regions_item.image
    low, high = frame.layers[1].value_range
    expected = np.clip((frame.focus[2] - low) / (high - low), 0, 1)
    np.testing.assert_allclose(shown, expected, atol=1e-6)
    assert "layer 2, unit 3" in window.statusBar().currentMessage()


def test_shown_units_are_the_strongest_outgoing_ones():
    outgoing = np.zeros((3, 20))
    outgoing[:, [2, 5, 19]] = 5.0
    outgoing[0, :] += 0.1
    chosen = shown_units(outgoing, 20, limit=3)
    assert chosen.tolist() == [2, 5, 19]
    assert shown_units(None, 10).tolist() == list(range(10))


def test_a_frame_carries_exact_shown_weights_and_biases():
    net = nn_engine.Network.from_sizes([2, 20, 3, 1], hidden="tanh", seed=4)
    params = net.get_params()
    points = grid_points((-1.0, -1.0, 1.0, 1.0))
    frame = network_frame(net.forward_layers(points), params, net.architecture, points)
    first, second, output = frame.layers
    assert first.shown.tolist() == shown_units(params[1]["W"], 20).tolist()
    np.testing.assert_array_equal(second.weights, params[1]["W"][:, first.shown])
    np.testing.assert_array_equal(first.biases, params[0]["b"][first.shown])
    assert output.value_range == (0.0, 1.0) and first.value_range == (-1.0, 1.0)
    assert frame.input_maps.shape == (2, THUMBNAIL, THUMBNAIL)


def test_discretize_shows_hard_classes_and_the_readout_names_what_is_under_the_pointer(
    qtbot, window
):
    qtbot.waitUntil(lambda: window.dataPlot.regions_item.image is not None, timeout=10_000)
    shades = window.dataPlot.regions_item.image.copy()
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.dataPlot.discretize and window.discretizeAction.isChecked()
    hard = window.dataPlot.regions_item.image
    np.testing.assert_array_equal(hard, (shades > 0.5).astype(np.float32))
    qtbot.keyClick(window, Qt.Key.Key_D)
    np.testing.assert_array_equal(window.dataPlot.regions_item.image, shades)

    plot = window.dataPlot
    x, y = window.points.X[0]
    position = plot.mapFromScene(plot.plotItem.vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseMove(plot.viewport(), position)
    readout = window.cursorReadout
    qtbot.waitUntil(readout.isVisible)
    label = int(window.points.labels[0])
    glyph = "●■"[label]
    assert f"nearest {glyph} ({x:.3g}, {y:.3g})" in readout.text()
    shown = float(readout.text().split("P(class 1) ")[1].split(" ")[0])
    # the pointer sits on the point, within a pixel: the map's value there, to its smoothness
    assert shown == pytest.approx(plot.probability_at(x, y), abs=0.03)


def test_layer_health_shows_gradient_norms_weight_norms_and_dead_units(qtbot, window):
    window.set_architecture(Architecture.from_units([6, 6], activation="relu"))
    norms = []
    window.controller.sigSnapshot.connect(
        lambda s: norms.append((s.grad_norms, s.weight_norms)) if s.grad_norms is not None else None
    )
    step(qtbot, window, 3)
    qtbot.waitUntil(lambda: sum(len(g) for g, _ in norms) == 3)  # one row per epoch
    grads, weights = norms[-1][0][-1:], norms[-1][1][-1:]
    assert grads.shape == weights.shape == (1, 3)
    net = nn_engine.Network(window.architecture.to_engine(), dtype=window.hyperparameters.precision)
    net.set_params(window.worker.network_params())
    np.testing.assert_allclose(
        weights[0], [np.linalg.norm(layer["W"]) for layer in net.get_params()], rtol=1e-5
    )
    X_train, _ = window.points.train_data()
    dead = net.dead_units(X_train)
    view = window.networkView
    expected = [
        {"grad": f"{g:.2e}", "weight": f"{w:.3g}", "dead": "" if d is None else f"{d:.0%} dead"}
        for g, w, d in zip(grads[0], weights[0], dead, strict=True)
    ]
    qtbot.waitUntil(lambda: view.health_texts() == expected, timeout=10_000)
    # each layer's sparkline draws log10 of its gradient norm, one value per epoch so far
    history = np.concatenate([g for g, _ in norms])
    for layer in range(3):
        line = view.findChild(Sparkline, f"gradSparkline{layer}")
        np.testing.assert_allclose(line.values(), np.log10(history[:, layer]), rtol=1e-6)


def test_links_are_drawn_with_opaque_pens_and_an_unchanged_set_repaints_nothing(
    qtbot, window, monkeypatch
):
    links = window.networkView._links
    assert all(pen.color().alpha() == 255 for pen in links._pens)
    widths = sorted({pen.widthF() for pen in links._pens})
    assert len(widths) == links.WIDTHS and widths[-1] > widths[0]
    segments = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0]])
    weights = np.array([0.5, -3.0])
    links.set_links(segments, weights)
    # the weak positive link with the thinnest positive pen, the strong negative one clamped
    drawn = {id(pen): lines for pen, lines in zip(links._pens, links._lines, strict=True)}
    assert [len(lines) for lines in drawn.values()] == [0, 0, 1] + [0] * 8 + [1]
    updates = []
    monkeypatch.setattr(links, "update", lambda *args: updates.append(args))
    links.set_links(segments.copy(), weights.copy())
    assert updates == []
    links.set_links(segments, np.array([0.5, 3.0]))  # the sign changed: a new picture
    assert len(updates) == 1
