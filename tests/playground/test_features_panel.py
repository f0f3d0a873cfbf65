"""Input features in the window (issue 14): the network panel's input column toggles them as
undoable network edits, "f(x1, x2)…" adds expressions, each feature shows its map over the
view, sessions keep them, and a feature that is not finite on the data refuses training."""

import io
import json
import zipfile

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import nn_engine
from playground.neuron_maps import THUMBNAIL, feature_map
from playground.state import Architecture, HiddenLayer, feature_label

BUILT_INS = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]


def click_feature(qtbot, window, name, button=Qt.MouseButton.LeftButton):
    view = window.networkView
    slot = view.features.index(name)
    qtbot.mouseClick(view.view.viewport(), button, pos=view.node_position(0, slot))
    QApplication.processEvents()


def first_layer_inputs(window):
    """The number of inputs of the worker's network (its first weight matrix's columns)."""
    return window.worker.network_params()[0]["W"].shape[1]


def view_grid(rect):
    """The centres of the THUMBNAIL x THUMBNAIL map cells over ``rect``, row 0 at the bottom."""
    x0, y0, x1, y1 = rect
    xs = x0 + (np.arange(THUMBNAIL) + 0.5) * (x1 - x0) / THUMBNAIL
    ys = y0 + (np.arange(THUMBNAIL) + 0.5) * (y1 - y0) / THUMBNAIL
    return np.meshgrid(xs, ys)


def wide_window(qtbot, window):
    """The window at 1600 x 1000, once the network panel's feature maps follow the resized
    view (the resize changes the view's aspect, and the data plot tells of a new view at most
    every 50 ms)."""
    window.resize(1600, 1000)
    QApplication.processEvents()

    def maps_follow_the_view():
        grid_x, grid_y = view_grid(window.dataPlot.view_rect())
        maps = window.networkView._feature_maps
        return np.allclose(maps["x1"], grid_x) and np.allclose(maps["x2"], grid_y)

    qtbot.waitUntil(maps_follow_the_view, timeout=5_000)


def test_the_input_column_offers_the_built_ins_with_x1_x2_on(qtbot, window):
    wide_window(qtbot, window)
    view = window.networkView
    assert view.features == BUILT_INS
    assert view.active_features == ["x1", "x2"]
    assert [feature_label(name) for name in BUILT_INS] == [
        "x1",
        "x2",
        "x1²",
        "x2²",
        "x1·x2",
        "sin x1",
        "sin x2",
    ]


def test_toggling_a_feature_is_an_undoable_network_edit(qtbot, window):
    wide_window(qtbot, window)
    hidden = window.architecture.layers
    qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=10_000)
    trained = window.worker.network_params()[0]["W"].copy()
    assert trained.shape == (16, 2)

    click_feature(qtbot, window, "x1^2")
    assert window.architecture == Architecture(hidden, ("x1", "x2", "x1^2"))
    qtbot.waitUntil(lambda: first_layer_inputs(window) == 3, timeout=10_000)
    assert window.networkView.active_features == ["x1", "x2", "x1^2"]
    assert window.layerEditor.inputLabel.text().endswith("3 features: x1, x2, x1²</span>")
    assert window.undo_stack.undoText().startswith("Network 3 features → 16 → 16 → 1")

    click_feature(qtbot, window, "x1")  # off again: the order of the rest is kept
    assert window.architecture.features == ("x2", "x1^2")

    window.undo_stack.undo()
    assert window.architecture.features == ("x1", "x2", "x1^2")
    window.undo_stack.undo()
    assert window.architecture == Architecture(hidden)
    qtbot.waitUntil(lambda: first_layer_inputs(window) == 2, timeout=10_000)
    assert window.networkView.active_features == ["x1", "x2"]
    # the trained run it replaced comes back, at its epoch and with its weights
    assert window.epoch == 1
    np.testing.assert_array_equal(window.worker.network_params()[0]["W"], trained)
    window.undo_stack.redo()
    qtbot.waitUntil(lambda: first_layer_inputs(window) == 3, timeout=10_000)
    assert window.epoch == 0


def test_the_last_feature_cannot_be_switched_off(qtbot, window):
    wide_window(qtbot, window)
    click_feature(qtbot, window, "x1")
    assert window.architecture.features == ("x2",)
    steps = window.undo_stack.count()
    click_feature(qtbot, window, "x2")
    assert window.architecture.features == ("x2",)
    assert window.undo_stack.count() == steps
    assert window.statusBar().currentMessage() == (
        "x2 is the only feature left: the network needs at least one input. "
        "Switch another feature on first."
    )


def test_links_leave_the_active_features_only(qtbot, window):
    wide_window(qtbot, window)
    view = window.networkView
    click_feature(qtbot, window, "sin(x2)")
    qtbot.waitUntil(
        lambda: view.frame is not None and view.frame.layers[0].weights.shape[1] == 3,
        timeout=10_000,
    )
    # 3 inputs x 16, 16 x 16, 16 x 1 links; 7 input nodes, 2 of them dimmed
    assert view.link_count() == 3 * 16 + 16 * 16 + 16
    assert view.node_count() == 7 + 16 + 16 + 1
    # the link from sin x2 (the third input, the column's last node) to the last unit
    # carries the worker's weight
    qtbot.mouseMove(view.view.viewport(), view.link_position(1, 15, 2))
    QApplication.processEvents()
    w = window.worker.network_params()[0]["W"][15, 2]
    assert f"weight sin x2 → layer 1 unit 15<br><b>{w:+.6g}</b>" in view.hover_text()


def test_each_feature_map_is_the_feature_over_the_view(qtbot, window):
    wide_window(qtbot, window)
    view = window.networkView
    rect = window.dataPlot.view_rect()
    grid_x, grid_y = view_grid(rect)
    expected = {
        "x1": grid_x,
        "x2": grid_y,
        "x1^2": grid_x**2,
        "x2^2": grid_y**2,
        "x1*x2": grid_x * grid_y,
        "sin(x1)": np.sin(grid_x),
        "sin(x2)": np.sin(grid_y),
    }
    for name, values in expected.items():
        np.testing.assert_allclose(view._feature_maps[name], values, rtol=1e-6, atol=1e-7)
        top = float(np.abs(values).max())
        np.testing.assert_allclose(view.feature_map_range(name), (-top, top), rtol=1e-6)

    window.dataPlot.set_view_rect((-4.0, -1.0, 4.0, 3.0))
    qtbot.waitUntil(lambda: window.dataPlot.view_rect() != rect, timeout=5_000)
    new_rect = window.dataPlot.view_rect()
    qtbot.waitUntil(
        lambda: np.allclose(view._feature_maps["x1"], feature_map("x1", new_rect)),
        timeout=5_000,
    )
    assert view._feature_maps["x1"].min() < grid_x.min()  # the wider view reaches further


def test_hovering_a_feature_states_its_range_and_what_a_click_does(qtbot, window):
    wide_window(qtbot, window)
    view = window.networkView
    slot = view.features.index("x2^2")
    qtbot.mouseMove(view.view.viewport(), view.node_position(0, slot))
    QApplication.processEvents()
    low, high = view.feature_map_range("x2^2")
    assert view.hover_text() == (
        "feature <b>x2²</b>: not used (dimmed)<br>over the view: vermillion "
        f"{low:.3g} – white 0 – blue {high:.3g}<br>click: switch on"
    )


def open_dialog(qtbot, window):
    qtbot.mouseClick(window.networkView.addFeatureButton, Qt.MouseButton.LeftButton)
    dialog = window.networkPanel.featureDialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def type_expression(qtbot, dialog, text):
    dialog.edit.clear()
    qtbot.keyClicks(dialog.edit, text)


def engine_message(text):
    try:
        nn_engine.parse_feature(text)
    except ValueError as error:
        return str(error)
    raise AssertionError(f"{text!r} was accepted")


def test_the_expression_field_refuses_what_the_engine_refuses_as_you_type(qtbot, window):
    dialog = open_dialog(qtbot, window)
    assert not dialog.okButton.isEnabled() and dialog.errorLabel.text() == ""
    for text in ("__import__('os')", "x1.real", "y"):
        type_expression(qtbot, dialog, text)
        assert dialog.errorLabel.text() == engine_message(text)
        assert not dialog.okButton.isEnabled()
    assert dialog.errorLabel.text() == (
        "feature 'y' may only use x1, x2, numbers, + - * / ** and sin cos tan tanh exp log "
        "sqrt abs; got the name 'y'."
    )
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # Enter does not pass a refused text
    assert dialog.isVisible() and window.architecture.features == ("x1", "x2")

    type_expression(qtbot, dialog, "x1^2")
    assert dialog.errorLabel.text() == "x1² is offered already: click it to switch it on."

    type_expression(qtbot, dialog, "x1*x2 + sin(x2)")
    assert dialog.errorLabel.text() == "" and dialog.okButton.isEnabled()
    qtbot.mouseClick(dialog.okButton, Qt.MouseButton.LeftButton)
    assert window.architecture.features == ("x1", "x2", "x1*x2 + sin(x2)")
    assert window.networkView.features == [*BUILT_INS, "x1*x2 + sin(x2)"]
    qtbot.waitUntil(lambda: first_layer_inputs(window) == 3, timeout=10_000)


def test_an_expression_can_be_switched_off_and_removed(qtbot, window):
    wide_window(qtbot, window)
    panel = window.networkPanel
    panel.add_feature("x1^2 + x2^2")
    assert window.architecture.features == ("x1", "x2", "x1^2 + x2^2")
    click_feature(qtbot, window, "x1^2 + x2^2")  # off: still offered, dimmed
    assert window.architecture.features == ("x1", "x2")
    assert window.networkView.features == [*BUILT_INS, "x1^2 + x2^2"]
    click_feature(qtbot, window, "x1^2 + x2^2")  # on again
    assert window.architecture.features == ("x1", "x2", "x1^2 + x2^2")

    click_feature(qtbot, window, "x1^2 + x2^2", Qt.MouseButton.RightButton)
    assert window.architecture.features == ("x1", "x2")
    assert window.networkView.features == BUILT_INS
    click_feature(qtbot, window, "x1", Qt.MouseButton.RightButton)  # built-ins stay
    assert window.networkView.features == BUILT_INS
    window.undo_stack.undo()  # the removal was a network edit: undo brings it back
    assert window.architecture.features == ("x1", "x2", "x1^2 + x2^2")
    assert window.networkView.features == [*BUILT_INS, "x1^2 + x2^2"]


def test_a_feature_not_finite_on_the_data_refuses_training_with_a_message(qtbot, window, capfd):
    wide_window(qtbot, window)
    window.networkPanel.add_feature("log(x1)")  # the moons have points with x1 <= 0
    # the panel still draws the network (no dead-unit share can be counted on such points)
    view = window.networkView
    qtbot.waitUntil(
        lambda: view.frame is not None and view.frame.layers[0].weights.shape[1] == 3,
        timeout=10_000,
    )
    assert window.statusBar().currentMessage().startswith("Features x1, x2, log(x1): network")
    X = window.points.X
    bad = int((X[:, 0] <= 0).sum())
    assert bad > 0
    qtbot.mouseClick(window.trainButton, Qt.MouseButton.LeftButton)
    assert not window.controller.is_training
    message = window.statusBar().currentMessage()
    assert message.startswith(
        f"Cannot train: the feature log(x1) is not finite at {bad:,} of the points (e.g. x1 = "
    )
    assert message.endswith("; remove it or change the points.")
    qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)  # Step is refused too
    assert window.epoch == 0

    window.undo_stack.undo()  # without log(x1) it trains
    qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=10_000)
    assert "Traceback" not in capfd.readouterr().err


def test_a_session_keeps_the_features_and_a_format_2_session_still_opens(qtbot, window, tmp_path):
    architecture = Architecture([HiddenLayer(3, "tanh")], ("x1^2", "x2^2", "exp(-x1^2)"))
    window.set_architecture(architecture)
    qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=10_000)
    weights = [layer["W"].copy() for layer in window.worker.network_params()]
    path = tmp_path / "features.nnpg"
    window.save_session(path)

    window.set_architecture(Architecture([HiddenLayer(5)]))
    assert window.architecture.features == ("x1", "x2")
    window.load_session(path)
    qtbot.waitUntil(lambda: window.architecture == architecture, timeout=10_000)
    qtbot.waitUntil(lambda: first_layer_inputs(window) == 3, timeout=10_000)
    for saved, loaded in zip(weights, window.worker.network_params(), strict=True):
        np.testing.assert_array_equal(saved, loaded["W"])
    assert window.networkView.features == [*BUILT_INS, "exp(-x1^2)"]
    assert window.networkView.active_features == ["x1^2", "x2^2", "exp(-x1^2)"]

    # the same kind of file as format 2 wrote it: no features, a network on x1 and x2
    window.set_architecture(Architecture([HiddenLayer(3, "tanh")]))
    old = tmp_path / "old.nnpg"
    window.save_session(old)
    with zipfile.ZipFile(old) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members["session.json"])
    document["format_version"] = 2
    del document["architecture"]["features"]
    members["session.json"] = json.dumps(document).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    old.write_bytes(buffer.getvalue())
    window.set_architecture(architecture)
    window.load_session(old)
    qtbot.waitUntil(lambda: window.architecture.features == ("x1", "x2"), timeout=10_000)
    assert window.architecture == Architecture([HiddenLayer(3, "tanh")])


def test_the_exported_model_and_architecture_keep_the_features(qtbot, window, tmp_path):
    architecture = Architecture([HiddenLayer(4, "tanh")], ("x1", "x1*x2", "sqrt(abs(x2))"))
    window.set_architecture(architecture)
    qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=10_000)
    window.export_model(tmp_path / "model.npz")
    net = nn_engine.io.load_network(tmp_path / "model.npz")
    assert net.features == ("x1", "x1*x2", "sqrt(abs(x2))")
    for saved, live in zip(net.get_params(), window.worker.network_params(), strict=True):
        np.testing.assert_array_equal(saved["W"], live["W"])

    window.export_architecture(tmp_path / "architecture.json")
    text = (tmp_path / "architecture.json").read_text()
    layers, features = nn_engine.io.architecture_from_json(text, with_features=True)
    assert features == ("x1", "x1*x2", "sqrt(abs(x2))")
    assert layers == architecture.to_engine()


def test_a_feature_toggle_marks_the_session_unsaved_and_undo_clears_it(qtbot, window, tmp_path):
    wide_window(qtbot, window)
    window.save_session(tmp_path / "clean.nnpg")
    assert not window.isWindowModified()
    click_feature(qtbot, window, "x1*x2")
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert not window.isWindowModified()
