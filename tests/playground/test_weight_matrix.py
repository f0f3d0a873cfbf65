"""A layer's whole weight matrix in a window of its own: readable at 256 x 256, live."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from playground import theme
from playground.state import Architecture
from playground.widgets.weight_matrix import WeightMatrixWindow, diverging_lookup_table


def step(qtbot, window, epochs):
    target = window.epoch + epochs
    for _ in range(epochs):
        qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == target, timeout=20_000)


def shown_weights(window, layer):
    return np.asarray(window.worker.network_params()[layer]["W"], dtype=np.float64)


def test_a_256_wide_layer_opens_readable_and_follows_training(qtbot, window):
    window.set_architecture(Architecture.from_units([256, 256], activation="relu"))
    view = window.networkView
    qtbot.mouseClick(view.findChild(object, "weightMatrixButton1"), Qt.MouseButton.LeftButton)
    matrix = view.weight_matrix_window(1)
    assert matrix is not None and matrix.isVisible()
    assert view.full_weight_layers() == frozenset({1})
    assert view.heatmaps == frozenset()  # the panel keeps drawing the links
    # the worker sends the whole matrix with the next frame, even while paused
    qtbot.waitUntil(lambda: matrix.matrix() is not None, timeout=10_000)
    np.testing.assert_array_equal(matrix.matrix(), shown_weights(window, 1))
    assert matrix.matrix().shape == (256, 256)
    # at least two pixels per weight: each of the 65,536 weights gets its own block
    plot_size = matrix.plot.getPlotItem().vb.size()
    assert min(plot_size.width(), plot_size.height()) >= 2 * 256

    step(qtbot, window, 2)
    qtbot.waitUntil(
        lambda: np.array_equal(matrix.matrix(), shown_weights(window, 1)), timeout=10_000
    )
    assert "256 units × 256 inputs" in matrix.title.text()

    matrix.close()
    assert view.weight_matrix_window(1) is None
    assert view.full_weight_layers() == frozenset()


def test_the_readout_names_the_weight_under_the_pointer(qtbot):
    window = WeightMatrixWindow(0, "layer 1")
    qtbot.addWidget(window)
    W = np.arange(12.0).reshape(3, 4) - 5.5
    window.set_matrix(W)
    # the blocks are centred on whole numbers counted from 1, as the axes and the readout
    assert window.weight_at(3.0, 2.0) == (1, 2, W[1, 2])
    assert window.weight_at(3.45, 2.45) == (1, 2, W[1, 2])
    assert window.weight_at(4.6, 1.0) is None  # right of the last column
    assert window.weight_at(1.0, 0.4) is None  # above the first row
    window._pointer = QPointF(3.9, 2.9)
    window._update_readout()
    assert window.readout.text() == f"unit 3 ← input 4: w = {W[2, 3]:.6g}"
    window.set_matrix(W * 2)  # training moves on: the same place reads the new value
    assert window.readout.text() == f"unit 3 ← input 4: w = {2 * W[2, 3]:.6g}"
    # the colours are symmetric around 0, at the 99th percentile of |w|
    top = np.percentile(np.abs(2 * W), 99)
    assert window.image.levels.tolist() == [-top, top]
    assert "largest |w| = 11" in window.title.text()


def test_the_colours_run_from_the_negative_class_through_white_to_the_positive_one():
    lut = diverging_lookup_table(5)
    assert QColor(*lut[0]) == QColor(theme.CLASS_COLORS[0])
    assert QColor(*lut[2]) == QColor("#FFFFFF")
    assert QColor(*lut[4]) == QColor(theme.CLASS_COLORS[1])


def test_a_bad_matrix_is_refused_and_the_shown_one_kept(qtbot):
    window = WeightMatrixWindow(0, "layer 1")
    qtbot.addWidget(window)
    window.set_matrix(np.ones((2, 2)))
    with pytest.raises(ValueError, match="non-empty 2-D"):
        window.set_matrix(np.ones((2, 2, 2)))
    np.testing.assert_array_equal(window.matrix(), np.ones((2, 2)))


def test_removing_the_layer_closes_its_window(qtbot, window):
    window.set_architecture(Architecture.from_units([4, 4, 4], activation="tanh"))
    view = window.networkView
    view.open_weight_matrix(3)
    assert view.full_weight_layers() == frozenset({3})
    window.set_architecture(Architecture.from_units([4], activation="tanh"))
    assert view.weight_matrix_window(3) is None
    assert view.full_weight_layers() == frozenset()
