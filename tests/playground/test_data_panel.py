"""DataPanel: generator settings, Generate/Clear, class selector, counts."""

import pytest
from PySide6.QtCore import Qt

from playground.state import DataSettings
from playground.widgets.data_panel import DataPanel


@pytest.fixture
def panel(qtbot):
    widget = DataPanel(DataSettings(generator="moons", n_points=200, noise=0.1, seed=3))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_generate_sends_the_settings_shown(qtbot, panel):
    panel.datasetCombo.setCurrentIndex(panel.datasetCombo.findData("spiral"))
    panel.pointsSpin.setValue(120)
    panel.noiseSpin.setValue(0.25)
    panel.dataSeedSpin.setValue(9)
    panel.testRatioSpin.setValue(30)
    with qtbot.waitSignal(panel.sigGenerateRequested) as blocker:
        qtbot.mouseClick(panel.generateButton, Qt.MouseButton.LeftButton)
    settings = blocker.args[0]
    assert (settings.generator, settings.n_points, settings.noise, settings.seed) == (
        "spiral",
        120,
        0.25,
        9,
    )
    assert settings.test_ratio == pytest.approx(0.3)


def test_generators_offered(panel):
    labels = [panel.datasetCombo.itemText(i) for i in range(panel.datasetCombo.count())]
    assert labels == ["Moons", "Circles", "XOR", "Gaussians", "Spiral"]


def test_choosing_a_data_set_generates_it(qtbot, panel):
    panel.datasetCombo.setFocus()
    with qtbot.waitSignal(panel.sigGenerateRequested) as blocker:
        qtbot.keyClick(panel.datasetCombo, Qt.Key.Key_Down)
    assert blocker.args[0].generator == "circles"


def test_split_seed_without_control_is_kept(panel):
    panel.set_settings(DataSettings(seed=100, split_seed=42))
    assert panel.settings().split_seed == 42


def test_clear_and_show_test(qtbot, panel):
    with qtbot.waitSignal(panel.sigClearRequested):
        qtbot.mouseClick(panel.clearButton, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.sigShowTestChanged) as blocker:
        qtbot.mouseClick(panel.showTestCheck, Qt.MouseButton.LeftButton)
    assert blocker.args == [False]


def test_class_selector(qtbot, panel):
    assert panel.active_class() == 0
    with qtbot.waitSignal(panel.sigActiveClassChanged) as blocker:
        qtbot.mouseClick(panel.class1Button, Qt.MouseButton.LeftButton)
    assert blocker.args == [1]
    assert panel.class1Button.isChecked() and not panel.class0Button.isChecked()
    emitted = []
    panel.sigActiveClassChanged.connect(emitted.append)
    panel.set_active_class(0)
    assert emitted == [] and panel.active_class() == 0
    with qtbot.waitSignal(panel.sigEraserToggled) as blocker:
        qtbot.mouseClick(panel.eraserButton, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]


def test_counts(panel):
    panel.set_counts({"train": (40, 38), "test": (10, 12)})
    text = panel.pointCountsLabel.text()
    assert "40" in text and "38" in text and "(10)" in text and "(12)" in text
