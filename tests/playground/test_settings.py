"""Settings that outlive a window: geometry, splitter, last directory, last preset; isolation."""

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from playground import MainWindow, session_manager
from playground.session_manager import (
    KEY_GEOMETRY,
    KEY_LAST_DIRECTORY,
    KEY_LAST_PRESET,
    open_settings,
)

# qtbot holds weak references only: a shown window that the test no longer references could
# be collected while Qt paints it, before qtbot closes it. These stay until the teardown.
_WINDOWS: list[MainWindow] = []


@pytest.fixture(autouse=True)
def keep_windows_until_closed():
    yield
    _WINDOWS.clear()  # qtbot has closed them by now


def new_window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    _WINDOWS.append(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def test_settings_and_data_are_isolated_in_the_tests_own_directory(
    qtbot, isolated_settings_and_data
):
    root = Path(isolated_settings_and_data)
    assert QStandardPaths.isTestModeEnabled()
    settings = open_settings()
    assert settings.format() == QSettings.Format.IniFormat
    assert Path(settings.fileName()).is_relative_to(root)
    window = new_window(qtbot)
    assert window.session_manager.autosave_path().is_relative_to(root)
    window.close()
    assert Path(open_settings().fileName()).is_file()  # the window wrote its geometry there


def test_a_new_window_opens_with_the_last_geometry_splitter_and_toolbar_state(qtbot):
    first = new_window(qtbot)
    # The headless screen is 800 px wide and restoring a geometry fits the window into the
    # screen (then the window's minimum width widens it again): at its minimum width, the
    # window is restored exactly.
    width = first.minimumSizeHint().width()
    first.resize(width, 620)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == (width, 620))
    first.mainSplitter.setSizes([300, 400, 250])
    sizes = first.mainSplitter.sizes()
    first.trainingToolBar.hide()
    assert open_settings().value(KEY_GEOMETRY) is None  # stored when the window closes
    first.close()

    second = new_window(qtbot)
    assert (second.width(), second.height()) == (width, 620)
    assert second.mainSplitter.sizes() == sizes
    assert second.trainingToolBar.isHidden()


def test_without_settings_the_window_has_its_default_size(qtbot):
    window = new_window(qtbot)
    assert (window.width(), window.height()) == (1280, 800)


def test_the_last_directory_is_remembered(qtbot, tmp_path):
    window = new_window(qtbot)
    folder = tmp_path / "sessions"
    folder.mkdir()
    window.save_session(folder / "a.nnpg")
    assert open_settings().value(KEY_LAST_DIRECTORY) == str(folder)
    other = new_window(qtbot)
    assert other.session_manager._last_directory() == str(folder)


def test_the_last_preset_is_remembered_for_the_presets_menu(qtbot):
    window = new_window(qtbot)
    assert window.session_manager.last_preset() is None
    window.session_manager.remember_preset("Spiral needs depth")
    assert open_settings().value(KEY_LAST_PRESET) == "Spiral needs depth"
    other = new_window(qtbot)
    assert other.session_manager.last_preset() == "Spiral needs depth"


def test_the_autosave_interval_is_the_constant(qtbot, monkeypatch):
    assert session_manager.AUTOSAVE_INTERVAL_MS == 60_000  # every minute of change
    monkeypatch.setattr(session_manager, "AUTOSAVE_INTERVAL_MS", 250)
    window = new_window(qtbot)
    assert window.session_manager._autosave_timer.interval() == 250
    assert window.session_manager._autosave_timer.isActive()
