"""Help: Concepts, the shortcuts list read from the actions, About, tooltips everywhere."""

from html import escape

import numpy as np
import pyqtgraph as pg
import PySide6
import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QTextBrowser,
    QWidget,
)

from playground.help import (
    CONCEPT_ANCHORS,
    PRESET_LESSONS,
    AboutDialog,
    ConceptsDialog,
    ShortcutsDialog,
    action_label,
    concept_link,
    concepts_html,
    versions,
    with_concept,
)
from playground.state.presets import PRESETS


def test_f1_opens_a_non_modal_shortcuts_list_read_from_the_actions(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F1)

    dialog = window.findChild(ShortcutsDialog)
    assert dialog.isVisible() and not dialog.isModal()
    rows = dialog.rows()
    for row in [
        ("Train", "Space", "Training"),
        ("Step one epoch", "S, Right", "Training"),
        ("Reset", "R", "Training"),
        ("Undo", "Ctrl+Z", "Edit"),
        ("Redo", "Ctrl+Shift+Z, Ctrl+Y", "Edit"),
        ("Import Points (CSV)…", "Ctrl+I", "File"),
        ("Data Plot…", "", "File ▸ Export Image"),
        ("Keyboard Shortcuts", "F1", "Help"),
    ]:
        assert row in rows
    # every action that has a shortcut is listed with it
    listed = {(name, keys) for name, keys, _ in rows}
    with_shortcuts = [a for a in window.findChildren(QAction) if a.shortcuts() and a.text()]
    assert len(with_shortcuts) >= 12
    for action in with_shortcuts:
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        assert (action_label(action), keys) in listed
    assert "Ctrl + click" in dialog.mouseHelpLabel.text()


def test_the_list_follows_the_actions(window):
    dialog = window.helpMenu.show_shortcuts()
    assert ("Train", "Space", "Training") in dialog.rows()
    window.train()  # the action now says Pause
    extra = window.viewMenu.addAction("&Zoom in")
    extra.setShortcut(QKeySequence("Ctrl++"))
    placeholder = window.viewMenu.addAction("Nothing to show")
    placeholder.setEnabled(False)
    assert window.helpMenu.show_shortcuts() is dialog  # one dialog, refreshed
    rows = dialog.rows()
    assert ("Pause", "Space", "Training") in rows
    assert ("Zoom in", "Ctrl++", "View") in rows
    assert not any(name == "Nothing to show" for name, _, _ in rows)
    assert not window.undoAction.isEnabled()  # nothing to undo yet, still listed:
    assert ("Undo", "Ctrl+Z", "Edit") in rows


def test_about_shows_the_versions(window):
    window.helpMenu.aboutAction.trigger()

    dialog = window.findChild(AboutDialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert versions() == {
        "NN Playground": "0.1.0",
        "Python": versions()["Python"],
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "pyqtgraph": pg.__version__,
        "NumPy": np.__version__,
    }
    text = dialog.aboutText.text()
    assert "<h3>NN Playground 0.1.0</h3>" in text
    for name, version in versions().items():
        assert f"<tr><td>{name}</td><td>&nbsp;&nbsp;{version}</td></tr>" in text


# Qt's own overflow arrows of the menu bar and the toolbar (shown only when the bar is too
# narrow for its entries): internal widgets without a purpose of their own to explain.
NO_TOOLTIP_NEEDED = {"qt_menubar_ext_button", "qt_toolbar_ext_button"}
CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QCheckBox)


def controls_without_tooltip(root: QWidget) -> tuple[list[str], int]:
    controls = {id(w): w for cls in CONTROLS for w in root.findChildren(cls)}.values()
    missing = [
        f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}"
        for w in controls
        if not w.toolTip().strip() and w.objectName() not in NO_TOOLTIP_NEEDED
    ]
    return missing, len(controls)


def test_every_control_has_a_tooltip(window):
    missing, checked = controls_without_tooltip(window)
    assert missing == []
    # the data panel, ten layer rows (also the hidden ones), the training panel, the toolbar
    assert checked >= 70
    for name in ("generateButton", "trainButton", "stepButton", "resetButton", "undoButton"):
        assert window.findChild(QAbstractButton, name).toolTip()
    for action in window.trainingToolBar.actions():
        assert action.isSeparator() or action.toolTip()


def test_the_image_size_dialog_explains_its_controls(window):
    window.dataExchange.exportDataPlotImageAction.trigger()
    missing, checked = controls_without_tooltip(window.dataExchange.size_dialog)
    assert missing == [] and checked == 3  # width, OK, Cancel
    window.dataExchange.size_dialog.reject()


# ------------------------------------------------------------------------------------ Concepts


def test_concept_link_names_the_menu_path_and_refuses_unknown_topics():
    assert concept_link("Learning rate") == "(Help ▸ Concepts: Learning rate)"
    assert with_concept("Step size.", "Loss") == "Step size.\n(Help ▸ Concepts: Loss)"
    with pytest.raises(ValueError, match="^topic must be one of 'Decision map', .*got 'Speed'.$"):
        concept_link("Speed")


def test_the_concepts_page_has_every_entry_the_issue_asks_for():
    assert list(CONCEPT_ANCHORS) == [
        "Decision map",
        "Loss",
        "Train vs test",
        "Data sets and noise",
        "Learning rate",
        "Optimizer",
        "Batch size",
        "Regularisation",
        "Initialisation",
        "Activation functions",
        "Precision",
        "Input features",
        "Network panel",
        "Hidden space",
        "Presets",
    ]
    html = concepts_html()
    for topic, anchor in CONCEPT_ANCHORS.items():
        assert f"<a name='{anchor}'></a>{topic}</h3>" in html
        assert f"<a href='#{anchor}'>{topic}</a>" in html
    assert set(PRESET_LESSONS) == {preset.name for preset in PRESETS}
    for preset in PRESETS:
        assert f"<li><b>{escape(preset.name)}</b>: " in html
    assert "about 1,500 epochs" in PRESET_LESSONS["The article"]


def test_help_menu_opens_concepts_non_modal(qtbot, window):
    actions = [action_label(a) for a in window.helpMenu.actions() if not a.isSeparator()]
    assert actions[0] == "Concepts"
    window.helpMenu.conceptsAction.trigger()
    dialog = window.findChild(ConceptsDialog)
    assert dialog.isVisible() and not dialog.isModal()
    browser = window.findChild(QTextBrowser, "conceptsBrowser")
    assert browser.toPlainText().startswith("Concepts\n")
    assert "ln 2 ≈ 0.693" in browser.toPlainText()
    assert browser.verticalScrollBar().value() == 0


def test_show_concepts_scrolls_to_the_topic(qtbot, window):
    dialog = window.helpMenu.show_concepts("Presets")
    bar = dialog.browser.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() > 0)
    at_presets = bar.value()
    assert window.helpMenu.show_concepts("Decision map") is dialog  # one dialog
    qtbot.waitUntil(lambda: bar.value() < at_presets)
    with pytest.raises(ValueError, match="^topic must be one of"):
        window.helpMenu.show_concepts("Nope")
    dialog.grab().save("/tmp/concepts.png")
