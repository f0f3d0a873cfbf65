"""DataPanel: generator settings, Generate/Clear, class selector, counts; edits regenerate
(debounced), typed values are clamped and reported."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox

from playground.state import DataSettings
from playground.widgets.data_panel import MAX_SEED, SETTINGS_EDIT_DELAY_MS, DataPanel, next_seed


@pytest.fixture
def panel(qtbot):
    widget = DataPanel(
        DataSettings(generator="moons", n_points=200, noise=0.1, seed=3), new_seed=lambda s: s + 68
    )
    qtbot.addWidget(widget)
    widget.show()
    return widget


def type_into(qtbot, spin, text):
    """Select the box's text, type ``text`` and press Enter, as a user does."""
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_generate_draws_a_new_seed_and_sends_the_settings_shown(qtbot, panel):
    panel.set_settings(
        DataSettings(generator="spiral", n_points=120, noise=0.25, seed=9, test_ratio=0.3)
    )
    edits = []
    panel.sigSettingsEdited.connect(edits.append)
    with qtbot.waitSignal(panel.sigGenerateRequested) as blocker:
        qtbot.mouseClick(panel.generateButton, Qt.MouseButton.LeftButton)
    settings = blocker.args[0]
    assert (settings.generator, settings.n_points, settings.noise, settings.seed) == (
        "spiral",
        120,
        0.25,
        77,  # new_seed(9)
    )
    assert settings.test_ratio == pytest.approx(0.3)
    assert panel.dataSeedSpin.value() == 77  # the new seed is shown
    qtbot.mouseClick(panel.generateButton, Qt.MouseButton.LeftButton)
    assert panel.settings().seed == 145
    assert edits == []  # a new draw is not a settings edit
    assert not panel.settings_edit_pending()


def test_the_default_new_seeds_look_random_and_repeat(qtbot):
    def presses(start):
        panel = DataPanel(DataSettings(seed=start))
        qtbot.addWidget(panel)
        seeds = []
        for _ in range(4):
            with qtbot.waitSignal(panel.sigGenerateRequested) as blocker:
                qtbot.mouseClick(panel.generateButton, Qt.MouseButton.LeftButton)
            seeds.append(blocker.args[0].seed)
        return seeds

    seeds = presses(3)
    assert len(set(seeds + [3])) == 5
    assert all(0 <= seed <= MAX_SEED for seed in seeds)
    assert seeds[0] == next_seed(3) and seeds[1] == next_seed(seeds[0])
    assert presses(3) == seeds  # the same presses from the same seed: the same points
    assert presses(4) != seeds


def test_typing_a_setting_regenerates_after_a_pause(qtbot, panel):
    edits = []
    panel.sigSettingsEdited.connect(edits.append)
    type_into(qtbot, panel.pointsSpin, "350")
    assert edits == [] and panel.settings_edit_pending()  # waits for more edits
    with qtbot.waitSignal(panel.sigSettingsEdited, timeout=5 * SETTINGS_EDIT_DELAY_MS) as blocker:
        pass
    assert blocker.args[0].n_points == 350
    assert blocker.args[0].seed == 3  # the same seed: only the setting changed
    assert len(edits) == 1


@pytest.mark.parametrize(
    ("name", "text", "field", "expected"),
    [
        ("noiseSpin", "0.6", "noise", 0.6),
        ("dataSeedSpin", "12", "seed", 12),
        ("testRatioSpin", "40", "test_ratio", 0.4),
    ],
)
def test_every_setting_regenerates(qtbot, panel, name, text, field, expected):
    with qtbot.waitSignal(panel.sigSettingsEdited, timeout=5 * SETTINGS_EDIT_DELAY_MS) as blocker:
        type_into(qtbot, getattr(panel, name), text)
    assert getattr(blocker.args[0], field) == pytest.approx(expected)


def test_arrow_clicks_in_a_row_are_one_edit(qtbot, panel):
    edits = []
    panel.sigSettingsEdited.connect(edits.append)
    panel.pointsSpin.setFocus()
    for _ in range(4):
        qtbot.keyClick(panel.pointsSpin, Qt.Key.Key_Up)
    assert panel.pointsSpin.value() == 400
    qtbot.waitUntil(lambda: len(edits) == 1, timeout=5 * SETTINGS_EDIT_DELAY_MS)
    assert edits[0].n_points == 400
    assert not panel.settings_edit_pending()  # nothing more will arrive


def test_set_settings_drops_a_pending_edit(qtbot, panel):
    edits = []
    panel.sigSettingsEdited.connect(edits.append)
    panel.pointsSpin.setFocus()
    qtbot.keyClick(panel.pointsSpin, Qt.Key.Key_Up)
    assert panel.settings_edit_pending()
    panel.set_settings(DataSettings(n_points=90))
    assert not panel.settings_edit_pending()


@pytest.mark.parametrize(
    ("name", "text", "value", "message"),
    [
        ("pointsSpin", "6000", 5000, "Points: 6000 is above the maximum 5000; set to 5000."),
        ("pointsSpin", "99999", 5000, "Points: 99999 is above the maximum 5000; set to 5000."),
        ("pointsSpin", "1", 2, "Points: 1 is below the minimum 2; set to 2."),
        ("testRatioSpin", "99999", 90, "Split: 99999 % is above the maximum 90 %; set to 90 %."),
        ("noiseSpin", "2.5", 1.0, "Noise: 2.5 is above the maximum 1; set to 1."),
        (
            "dataSeedSpin",
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
    with qtbot.waitSignal(panel.sigSettingsEdited, timeout=5 * SETTINGS_EDIT_DELAY_MS):
        pass


def test_values_in_range_are_not_reported(qtbot, panel):
    messages = []
    panel.sigValueClamped.connect(messages.append)
    type_into(qtbot, panel.pointsSpin, "5000")
    type_into(qtbot, panel.testRatioSpin, "90")
    assert panel.pointsSpin.value() == 5000 and panel.testRatioSpin.value() == 90
    assert messages == []


def test_generators_offered(panel):
    labels = [panel.datasetCombo.itemText(i) for i in range(panel.datasetCombo.count())]
    assert labels == ["Moons", "Circles", "XOR", "Gaussians", "Spiral"]


def test_choosing_a_data_set_generates_it_at_once(qtbot, panel):
    panel.datasetCombo.setFocus()
    with qtbot.waitSignal(panel.sigSettingsEdited, timeout=0) as blocker:
        qtbot.keyClick(panel.datasetCombo, Qt.Key.Key_Down)
    assert blocker.args[0].generator == "circles"
    assert blocker.args[0].seed == 3


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


def test_grab(qtbot, panel):
    panel.resize(320, panel.sizeHint().height())
    panel.grab().save("/tmp/data_panel.png")
    assert "(Help ▸ Concepts: Data sets and noise)" in panel.noiseSpin.toolTip()
    assert "(Help ▸ Concepts: Train vs test)" in panel.testRatioSpin.toolTip()
