"""LayerEditor: rows, buttons and spin boxes edit the hidden layers; the ends stay fixed."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QSpinBox, QToolButton

from playground.state import MAX_HIDDEN_LAYERS, Architecture, HiddenLayer
from playground.widgets.layer_editor import LayerEditor


@pytest.fixture
def editor(qtbot):
    widget = LayerEditor(Architecture([HiddenLayer(4, "relu"), HiddenLayer(3, "tanh")]))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def child(editor, cls, name):
    found = editor.findChild(cls, name)
    assert found is not None, name
    return found


def test_shows_fixed_ends_rows_and_summary(editor):
    assert child(editor, QSpinBox, "layerUnitsSpin_0").value() == 4
    assert child(editor, QSpinBox, "layerUnitsSpin_1").value() == 3
    assert child(editor, QComboBox, "layerActivationCombo_1").currentData() == "tanh"
    assert editor.visible_layer_count() == 2
    assert child(editor, QSpinBox, "layerUnitsSpin_2").isHidden()
    assert "2 features" in editor.findChild(object, "inputLayerLabel").text()
    assert "sigmoid" in editor.findChild(object, "outputLayerLabel").text()
    # 2*4+4 + 4*3+3 + 3*1+1 = 31
    assert editor.summaryLabel.text() == "2 → 4 → 3 → 1 · 31 parameters"


def test_article_summary():
    editor = LayerEditor(Architecture.from_units([25, 50, 50, 25]))
    assert editor.summaryLabel.text() == "2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters"
    editor.deleteLater()


def test_add_layer_appends_a_copy_of_the_last_one(qtbot, editor):
    with qtbot.waitSignal(editor.sigArchitectureChanged) as blocker:
        qtbot.mouseClick(editor.addLayerButton, Qt.MouseButton.LeftButton)
    expected = [HiddenLayer(4, "relu"), HiddenLayer(3, "tanh"), HiddenLayer(3, "tanh")]
    assert blocker.args[0].layers == tuple(expected)
    assert editor.architecture().layers == tuple(expected)
    assert child(editor, QSpinBox, "layerUnitsSpin_2").value() == 3
    assert editor.summaryLabel.text() == "2 → 4 → 3 → 3 → 1 · 43 parameters"


def test_remove_and_move_buttons(qtbot, editor):
    assert not child(editor, QToolButton, "moveLayerUpButton_0").isEnabled()
    assert not child(editor, QToolButton, "moveLayerDownButton_1").isEnabled()

    with qtbot.waitSignal(editor.sigArchitectureChanged):
        qtbot.mouseClick(child(editor, QToolButton, "moveLayerDownButton_0"), Qt.LeftButton)
    assert editor.architecture().layers == (HiddenLayer(3, "tanh"), HiddenLayer(4, "relu"))
    assert child(editor, QSpinBox, "layerUnitsSpin_0").value() == 3

    with qtbot.waitSignal(editor.sigArchitectureChanged):
        qtbot.mouseClick(child(editor, QToolButton, "moveLayerUpButton_1"), Qt.LeftButton)
    assert editor.architecture().layers == (HiddenLayer(4, "relu"), HiddenLayer(3, "tanh"))

    with qtbot.waitSignal(editor.sigArchitectureChanged):
        qtbot.mouseClick(child(editor, QToolButton, "removeLayerButton_0"), Qt.LeftButton)
    assert editor.architecture().layers == (HiddenLayer(3, "tanh"),)
    with qtbot.waitSignal(editor.sigArchitectureChanged):
        qtbot.mouseClick(child(editor, QToolButton, "removeLayerButton_0"), Qt.LeftButton)
    assert editor.architecture().layers == ()
    assert editor.visible_layer_count() == 0
    assert editor.summaryLabel.text() == "2 → 1 · 3 parameters"


def test_typing_units_is_one_edit(qtbot, editor):
    spin = child(editor, QSpinBox, "layerUnitsSpin_0")
    spin.setFocus()
    spin.selectAll()
    emitted = []
    editor.sigArchitectureChanged.connect(emitted.append)
    qtbot.keyClicks(spin, "25")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert [a.layers[0] for a in emitted] == [HiddenLayer(25, "relu")]
    assert editor.summaryLabel.text() == "2 → 25 → 3 → 1 · 157 parameters"


def test_units_stay_within_1_to_256(qtbot, editor):
    spin = child(editor, QSpinBox, "layerUnitsSpin_1")
    assert (spin.minimum(), spin.maximum()) == (1, 256)
    spin.setFocus()
    for _ in range(3):
        qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert editor.architecture().layers[1] == HiddenLayer(1, "tanh")


def test_activation_combo_edits_the_layer(qtbot, editor):
    combo = child(editor, QComboBox, "layerActivationCombo_0")
    with qtbot.waitSignal(editor.sigArchitectureChanged) as blocker:
        combo.setCurrentIndex(combo.findData("leaky_relu"))
    assert blocker.args[0].layers[0] == HiddenLayer(4, "leaky_relu")


def test_add_is_disabled_at_the_maximum(qtbot, editor):
    for _ in range(MAX_HIDDEN_LAYERS - 2):
        qtbot.mouseClick(editor.addLayerButton, Qt.MouseButton.LeftButton)
    assert len(editor.architecture().layers) == MAX_HIDDEN_LAYERS
    assert not editor.addLayerButton.isEnabled()
    qtbot.mouseClick(child(editor, QToolButton, "removeLayerButton_9"), Qt.LeftButton)
    assert editor.addLayerButton.isEnabled()


def test_set_architecture_does_not_emit(qtbot, editor):
    emitted = []
    editor.sigArchitectureChanged.connect(emitted.append)
    editor.set_architecture(Architecture([HiddenLayer(7, "sigmoid")]))
    assert emitted == []
    assert child(editor, QSpinBox, "layerUnitsSpin_0").value() == 7
    assert editor.visible_layer_count() == 1


def test_activation_names_are_never_clipped_with_ten_layers(qtbot):
    editor = LayerEditor(Architecture.from_units([256] * MAX_HIDDEN_LAYERS, "leaky_relu"))
    qtbot.addWidget(editor)
    editor.show()
    editor.resize(editor.minimumSizeHint().width(), editor.sizeHint().height())
    qtbot.waitUntil(lambda: editor.width() == editor.minimumSizeHint().width())
    for i in range(MAX_HIDDEN_LAYERS):
        combo = child(editor, QComboBox, f"layerActivationCombo_{i}")
        assert combo.currentText() == "leaky ReLU"
        needed = combo.fontMetrics().horizontalAdvance("leaky ReLU")
        # The text area: the box minus its frame and the drop-down arrow (Fusion: ~30 px).
        assert combo.width() >= combo.sizeHint().width() >= needed + 20
        assert "(Help ▸ Concepts: Activation functions)" in combo.toolTip()
    editor.grab().save("/tmp/layer_editor_10.png")


def test_typed_units_are_clamped_and_reported(qtbot, editor):
    spin = child(editor, QSpinBox, "layerUnitsSpin_1")
    spin.setFocus()
    spin.selectAll()
    with qtbot.waitSignal(editor.sigValueClamped) as blocker:
        qtbot.keyClicks(spin, "300")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert blocker.args == ["Layer 2 units: 300 is above the maximum 256; set to 256."]
    assert editor.architecture().layers[1].units == 256
