"""Help: the shortcuts list read from the actions, About with versions, tooltips everywhere."""

import numpy as np
import pyqtgraph as pg
import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QWidget,
)

from playground.help import AboutDialog, ShortcutsDialog, action_label, versions


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
