"""The hidden space: grid lines and points placed where each layer puts them (issue 14)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

import nn_engine
from playground.hidden_space import (
    HIDDEN_LINES,
    HIDDEN_SAMPLES,
    HiddenSpaceRequest,
    grid_lines,
    hidden_space_frame,
    principal_components,
)
from playground.state import Architecture
from playground.widgets.hidden_space_view import COLOR_LEVELS

RECT = (-1.5, -1.0, 2.5, 1.5)


def frame_for(net, X, y, request):
    lines = grid_lines(RECT)
    return hidden_space_frame(
        net.forward_layers(lines), net.forward_layers(X), lines, X, y, request, {}
    )


def test_grid_lines_cover_the_view_line_by_line():
    lines = grid_lines(RECT)
    assert lines.shape == (2 * HIDDEN_LINES * HIDDEN_SAMPLES, 2)
    first = lines[:HIDDEN_SAMPLES]  # the first horizontal line, at the bottom
    np.testing.assert_allclose(first[:, 1], RECT[1])
    np.testing.assert_allclose(first[[0, -1], 0], [RECT[0], RECT[2]])
    assert lines[:, 0].min() == RECT[0] and lines[:, 1].max() == RECT[3]


def test_the_mapped_grid_is_the_networks_own_activations():
    net = nn_engine.Network.from_sizes([2, 2, 5, 1], hidden="tanh", seed=3)
    X, y = nn_engine.datasets.xor(200, noise=0.1, seed=0)
    frame = frame_for(net, X, y, HiddenSpaceRequest(True, 2, (4, 1)))
    lines = grid_lines(RECT)
    activations = net.forward_layers(lines)
    np.testing.assert_array_equal(frame.grid[0], lines)
    np.testing.assert_array_equal(frame.grid[1], activations[0])  # a 2-unit layer: directly
    np.testing.assert_array_equal(frame.grid[2], activations[1][:, [4, 1]])  # the chosen units
    np.testing.assert_array_equal(frame.points[1], net.forward_layers(X)[0])
    np.testing.assert_array_equal(frame.probability, activations[-1][:, 0].astype(np.float32))
    assert frame.axes == (("x1", "x2"), ("unit 0", "unit 1"), ("unit 4", "unit 1"))


def test_pca_coordinates_are_numpys_svd_projection_up_to_sign():
    net = nn_engine.Network.from_sizes([2, 7, 1], hidden="relu", init="he", seed=5)
    X, y = nn_engine.datasets.moons(300, noise=0.1, seed=1)
    frame = frame_for(net, X, y, HiddenSpaceRequest(True, 1, None))
    hidden = net.forward_layers(X)[0]
    centred = hidden - hidden.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ vt[:2].T
    for k in range(2):
        sign = np.sign(expected[:, k] @ frame.points[1][:, k])
        np.testing.assert_allclose(frame.points[1][:, k], sign * expected[:, k], atol=1e-10)
    share = singular[0] ** 2 / (singular**2).sum()
    assert frame.axes[1][0] == f"PC1 ({share:.0%})"


def test_pca_signs_follow_the_previous_frame():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(100, 4)) * [5.0, 2.0, 1.0, 0.5]
    components, _, _ = principal_components(data)
    flipped, _, _ = principal_components(data, reference=-components)
    np.testing.assert_allclose(flipped, -components)


def test_stepping_the_layer_slider_changes_the_view(qtbot, window):
    window.set_architecture(Architecture.from_units([4, 2], activation="tanh"))
    qtbot.keyClick(window, Qt.Key.Key_H)
    view = window.hiddenSpaceView
    assert window.rightTabs.currentWidget() is view and view.isVisible()
    qtbot.waitUntil(lambda: view.frame is not None and len(view.frame.grid) == 3)
    qtbot.waitUntil(lambda: view.drawn_grid() is not None)
    np.testing.assert_allclose(view.drawn_grid(), view.frame.grid[0])  # the input plane
    assert view.plot.getAxis("bottom").labelText == "x1"

    view.layerSlider.setValue(2)
    assert view.transitioning
    qtbot.waitUntil(lambda: not view.transitioning, timeout=5_000)
    np.testing.assert_allclose(view.drawn_grid(), view.frame.grid[2], rtol=1e-6)
    assert view.plot.getAxis("bottom").labelText == "unit 0"
    assert view.layerLabel.text() == "layer 2: 2 tanh"

    view.layerSlider.setValue(1)  # 4 units: principal components
    qtbot.waitUntil(lambda: not view.transitioning, timeout=5_000)
    assert view.plot.getAxis("bottom").labelText.startswith("PC1 (")
    view.modeCombo.setCurrentIndex(view.modeCombo.findData("units"))
    view.unitXSpin.setValue(3)
    qtbot.waitUntil(
        lambda: view.frame is not None and view.frame.axes[1] == ("unit 3", "unit 1"),
        timeout=5_000,
    )


@pytest.mark.parametrize("hidden", [False, True])
def test_the_worker_computes_the_hidden_space_only_while_it_is_shown(qtbot, window, hidden):
    frames = []
    window.controller.sigSnapshot.connect(lambda s: frames.append(s.hidden_space))
    if hidden:
        qtbot.keyClick(window, Qt.Key.Key_H)
    window.step()
    qtbot.waitUntil(lambda: window.epoch == 1)
    qtbot.waitUntil(lambda: len(frames) > 0)
    assert any(frame is not None for frame in frames) == hidden


def in_view(view, xy):
    (x0, x1), (y0, y1) = view.plot.getPlotItem().vb.viewRange()
    return bool(np.all((x0 <= xy[:, 0]) & (xy[:, 0] <= x1) & (y0 <= xy[:, 1]) & (xy[:, 1] <= y1)))


def test_the_view_keeps_the_drawing_in_range_and_the_grid_in_its_shades(qtbot, window):
    window.set_architecture(Architecture.from_units([4, 2], activation="tanh"))
    qtbot.keyClick(window, Qt.Key.Key_H)
    view = window.hiddenSpaceView
    qtbot.waitUntil(lambda: view.drawn_grid() is not None)
    assert in_view(view, view.drawn_grid())
    view.layerSlider.setValue(2)  # tanh: the plane squeezed into [-1, 1]^2
    qtbot.waitUntil(lambda: not view.transitioning, timeout=5_000)
    grid = view.drawn_grid()
    assert in_view(view, grid)
    (x0, x1), _ = view.plot.getPlotItem().vb.viewRange()
    assert x1 - x0 <= 3 * np.ptp(grid[:, 0]) + 1e-9  # re-ranged to the smaller drawing
    # every grid point is drawn once, in the shade of its P(class 1)
    shades = view._grid_points
    assert sum(len(item) for item in shades) == np.isfinite(grid).all(axis=1).sum()
    level = np.clip((view.frame.probability * COLOR_LEVELS).astype(int), 0, COLOR_LEVELS - 1)
    for index, item in enumerate(shades):
        np.testing.assert_array_equal(item.positions, grid[level == index])
