"""Playground tests never touch the user's settings or files.

Every test gets its own QSettings directory and app data directory (autosave) under pytest's
tmp path, with QStandardPaths in test mode; and closing a window with unsaved changes discards
them instead of asking (a question would block a test forever). Tests of those questions
replace ``SessionManager._ask_save_changes`` themselves.
"""

import pytest


@pytest.fixture(autouse=True)
def isolated_settings_and_data(tmp_path_factory, monkeypatch):
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QMessageBox

    from playground import session_manager

    QStandardPaths.setTestModeEnabled(True)
    root = tmp_path_factory.mktemp("user")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "config"))
    monkeypatch.setattr(session_manager, "app_data_directory", lambda: root / "data")
    monkeypatch.setattr(
        session_manager.SessionManager,
        "_ask_save_changes",
        lambda self: QMessageBox.StandardButton.Discard,
    )
    return root


@pytest.fixture
def window(qtbot):
    """A shown, active MainWindow (window shortcuts need an active window; ``qtbot.waitActive``
    returns too early on the offscreen platform). pytest-qt closes it, and so stops its training
    thread, after the test; holding it until then keeps Qt from painting a collected window."""
    from PySide6.QtWidgets import QApplication

    from playground import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    return w
