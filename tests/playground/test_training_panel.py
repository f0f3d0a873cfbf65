"""TrainingPanel: log-scale learning rate, batch size ladder, signals carry Hyperparameters."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox

from playground.state import Hyperparameters
from playground.widgets.training_panel import (
    LadderSpinBox,
    LogSpinBox,
    TrainingPanel,
    format_rate,
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
    assert texts == ["SGD", "Momentum", "Nesterov", "Adam"]
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


def type_into(qtbot, spin, text):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def choose(qtbot, combo, key):
    """Pick the entry whose data is ``key`` with the keyboard, as a user can."""
    combo.setFocus()
    while combo.currentData() != key:
        step = Qt.Key.Key_Down if combo.findData(key) > combo.currentIndex() else Qt.Key.Key_Up
        qtbot.keyClick(combo, step)


def emitted(panel):
    received = []
    panel.sigHyperparametersChanged.connect(received.append)
    return received


def test_nesterov_is_offered(qtbot, panel):
    received = emitted(panel)
    choose(qtbot, panel.optimizerCombo, "nesterov")
    assert [hp.optimizer for hp in received] == ["momentum", "nesterov"]
    assert panel.optimizerCombo.currentText() == "Nesterov"


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_choosing_a_penalty_sets_a_useful_strength(qtbot, panel, penalty):
    assert panel.regularizationRateSpin.value() == 0
    received = emitted(panel)
    choose(qtbot, panel.regularizationCombo, penalty)
    assert received[-1].regularization == penalty
    assert received[0].regularization_rate == 1e-3  # from the first choice on
    assert panel.regularizationRateSpin.text() == "0.001"


def test_a_chosen_strength_is_kept_when_switching_penalty(qtbot, panel):
    choose(qtbot, panel.regularizationCombo, "l2")
    type_into(qtbot, panel.regularizationRateSpin, "0.05")
    choose(qtbot, panel.regularizationCombo, "l1")
    assert panel.hyperparameters().regularization_rate == 0.05


def test_strength_steps_on_a_log_scale(qtbot, panel):
    choose(qtbot, panel.regularizationCombo, "l2")
    spin = panel.regularizationRateSpin
    spin.setFocus()
    seen = []
    for key in (Qt.Key.Key_Up, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Down):
        qtbot.keyClick(spin, key)
        seen.append(spin.text())
    assert seen == ["0.002", "0.005", "0.002", "0.001", "0.0005"]
    spin.setValue(1e-5)
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.value() == 0.0
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.text() == "0.00001"


def test_speed_reads_singular_and_plural(qtbot, panel):
    spin = panel.speedSpin
    panel.set_hyperparameters(Hyperparameters(epochs_per_refresh=1))
    assert spin.text() == "1 epoch / frame"
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.text() == "2 epochs / frame"
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.text() == "10 epochs / frame"
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.text() == "1 epoch / frame"
    assert panel.hyperparameters().epochs_per_refresh == 1


def test_precision_combo(qtbot, panel):
    assert [panel.precisionCombo.itemText(i) for i in range(2)] == ["float32", "float64"]
    assert panel.precisionCombo.currentData() == "float32"
    with qtbot.waitSignal(panel.sigHyperparametersChanged) as blocker:
        choose(qtbot, panel.precisionCombo, "float64")
    assert blocker.args[0].precision == "float64"
    panel.set_hyperparameters(Hyperparameters(precision="float32"))
    assert panel.precisionCombo.currentText() == "float32"
    assert "(Help ▸ Concepts: Precision)" in panel.precisionCombo.toolTip()


@pytest.mark.parametrize(
    ("name", "text", "value", "message"),
    [
        ("learningRateSpin", "20", 10.0, "Learning rate: 20 is above the maximum 10; set to 10."),
        (
            "learningRateSpin",
            "0.000001",
            1e-5,
            "Learning rate: 0.000001 is below the minimum 0.00001; set to 0.00001.",
        ),
        (
            "batchSizeSpin",
            "99999",
            4096,
            "Batch size: 99999 is above the maximum 4096; set to 4096.",
        ),
        (
            "speedSpin",
            "20000",
            10_000,
            "Speed: 20000 epochs / frame is above the maximum 10000 epochs / frame; "
            "set to 10000 epochs / frame.",
        ),
        (
            "seedSpin",
            "99999999999",
            2**31 - 1,
            "Seed: 99999999999 is above the maximum 2147483647; set to 2147483647.",
        ),
    ],
)
def test_typed_values_are_clamped_and_reported(qtbot, panel, name, text, value, message):
    spin = getattr(panel, name)
    assert spin.correctionMode() == QAbstractSpinBox.CorrectionMode.CorrectToNearestValue
    with qtbot.waitSignal(panel.sigValueClamped) as blocker:
        type_into(qtbot, spin, text)
    assert blocker.args == [message]
    assert spin.value() == value
    assert getattr(panel.hyperparameters(), _FIELDS[name]) == value


_FIELDS = {
    "learningRateSpin": "learning_rate",
    "batchSizeSpin": "batch_size",
    "speedSpin": "epochs_per_refresh",
    "seedSpin": "seed",
}


def test_strength_is_clamped_and_reported(qtbot, panel):
    choose(qtbot, panel.regularizationCombo, "l2")
    with qtbot.waitSignal(panel.sigValueClamped) as blocker:
        type_into(qtbot, panel.regularizationRateSpin, "50")
    assert blocker.args == ["Strength: 50 is above the maximum 10; set to 10."]
    assert panel.hyperparameters().regularization_rate == 10.0


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (1234.4, "1,234 epochs/s"),
        (123456.0, "123,456 epochs/s"),
        (10.0, "10 epochs/s"),
        (9.96, "10.0 epochs/s"),
        (3.25, "3.2 epochs/s"),
        (1.0, "1.0 epochs/s"),
        (1 / 2.4, "2.4 s/epoch"),
        (0.05, "20 s/epoch"),
        (1 / 3600, "3,600 s/epoch"),
        (0.0, "—"),
        (-1.0, "—"),
        (float("nan"), "—"),
        (float("inf"), "—"),
    ],
)
def test_format_rate(rate, text):
    assert format_rate(rate) == text


def test_grab(qtbot, panel):
    panel.resize(320, panel.sizeHint().height())
    panel.grab().save("/tmp/training_panel.png")
    assert panel.speedSpin.text() == "10 epochs / frame"
