"""TrainingPanel: log-scale learning rate, batch size ladder, signals carry Hyperparameters."""

import pytest
from PySide6.QtCore import Qt

from playground.state import Hyperparameters
from playground.widgets.training_panel import (
    LadderSpinBox,
    LogSpinBox,
    TrainingPanel,
    one_two_five,
)


@pytest.fixture
def panel(qtbot):
    widget = TrainingPanel(Hyperparameters(learning_rate=0.01, batch_size=0, seed=2))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_one_two_five():
    assert one_two_five(0.01, 1) == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    assert one_two_five(1e-5, 10)[:3] == [1e-5, 2e-5, 5e-5]
    assert one_two_five(1e-5, 10)[-1] == 10.0


def test_learning_rate_arrows_step_1_2_5(qtbot, panel):
    spin = panel.learningRateSpin
    spin.setFocus()
    seen = []
    for _ in range(3):
        qtbot.keyClick(spin, Qt.Key.Key_Up)
        seen.append(spin.value())
    assert seen == [0.02, 0.05, 0.1]
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.value() == 0.05
    assert spin.text() == "0.05"


def test_learning_rate_off_the_ladder_steps_to_the_next_rung(qtbot):
    spin = LogSpinBox(1e-5, 10.0)
    qtbot.addWidget(spin)
    spin.setValue(0.03)
    spin.stepBy(1)
    assert spin.value() == 0.05
    spin.setValue(0.03)
    spin.stepBy(-1)
    assert spin.value() == 0.02


def test_learning_rate_range_and_text(qtbot):
    spin = LogSpinBox(1e-5, 10.0)
    qtbot.addWidget(spin)
    spin.setValue(5.0)
    spin.stepBy(5)
    assert spin.value() == 10.0
    spin.setValue(2e-5)
    spin.stepBy(-5)
    assert spin.value() == 1e-5
    assert spin.text() == "0.00001"


def test_typed_learning_rate(qtbot, panel):
    spin = panel.learningRateSpin
    spin.setFocus()
    spin.selectAll()
    with qtbot.waitSignal(panel.sigHyperparametersChanged) as blocker:
        qtbot.keyClicks(spin, "0.003")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert blocker.args[0].learning_rate == 0.003


def test_batch_size_full_batch_and_powers_of_two(qtbot, panel):
    spin = panel.batchSizeSpin
    assert spin.text() == "Full batch"
    spin.setFocus()
    values = []
    for _ in range(4):
        qtbot.keyClick(spin, Qt.Key.Key_Up)
        values.append(spin.value())
    assert values == [1, 2, 4, 8]
    assert panel.hyperparameters().batch_size == 8


def test_ladder_spin_box_clamps(qtbot):
    spin = LadderSpinBox([1, 2, 5, 10])
    qtbot.addWidget(spin)
    spin.setValue(3)
    spin.stepBy(1)
    assert spin.value() == 5
    spin.stepBy(10)
    assert spin.value() == 10


def test_every_control_reaches_the_hyperparameters(qtbot, panel):
    panel.optimizerCombo.setCurrentIndex(panel.optimizerCombo.findData("adam"))
    panel.regularizationCombo.setCurrentIndex(panel.regularizationCombo.findData("l2"))
    panel.regularizationRateSpin.setValue(0.003)
    panel.initCombo.setCurrentIndex(panel.initCombo.findData("he"))
    panel.seedSpin.setValue(7)
    with qtbot.waitSignal(panel.sigHyperparametersChanged) as blocker:
        panel.speedSpin.setValue(50)
    expected = Hyperparameters(
        optimizer="adam",
        learning_rate=0.01,
        batch_size=0,
        regularization="l2",
        regularization_rate=0.003,
        init="he",
        seed=7,
        epochs_per_refresh=50,
    )
    assert blocker.args[0] == expected
    assert panel.hyperparameters() == expected


def test_combo_labels(panel):
    texts = [panel.optimizerCombo.itemText(i) for i in range(panel.optimizerCombo.count())]
    assert texts == ["SGD", "Momentum", "Adam"]
    texts = [panel.initCombo.itemText(i) for i in range(panel.initCombo.count())]
    assert texts == ["Article (randn·0.1)", "He", "Xavier"]


def test_regularization_rate_only_with_a_penalty(panel):
    assert not panel.regularizationRateSpin.isEnabled()
    panel.regularizationCombo.setCurrentIndex(panel.regularizationCombo.findData("l1"))
    assert panel.regularizationRateSpin.isEnabled()


def test_set_hyperparameters_does_not_emit(qtbot, panel):
    emitted = []
    panel.sigHyperparametersChanged.connect(emitted.append)
    hp = Hyperparameters(optimizer="momentum", learning_rate=0.2, batch_size=64, seed=11)
    panel.set_hyperparameters(hp)
    assert emitted == []
    assert panel.hyperparameters() == hp
    assert panel.optimizerCombo.currentText() == "Momentum"
    assert panel.learningRateSpin.text() == "0.2"
    assert panel.batchSizeSpin.value() == 64
