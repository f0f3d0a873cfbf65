"""Saving from the window: leftovers of killed saves are cleaned up at start, a save's errors
name the user's file (a read-only file is refused, unchanged and still read-only), and a save
during a long epoch is taken between two mini-batches and continues exactly."""

import dataclasses
import os
import stat

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from playground import MainWindow
from playground.session_manager import SessionManager
from playground.state import AddPoints, load_session
from tests.playground.long_steps import LongStep

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
READ_ONLY_MESSAGE = "Permission denied: it is read-only"


def open_window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def paint_one_point(window: MainWindow) -> None:
    window.push_edit(AddPoints(np.array([[0.25, -0.5]]), np.array([1])))


def test_a_new_window_removes_what_killed_saves_left_behind(qtbot, tmp_path):
    first = open_window(qtbot)
    work = tmp_path / "work.nnpg"
    first.save_session(work)  # the last directory used is now tmp_path
    autosave_directory = first.session_manager.autosave_directory()
    content = work.read_bytes()
    # What a process killed between writing and renaming leaves: a full-size hidden file.
    leftovers = [
        tmp_path / ".work.nnpg.0123456789abcdef.tmp",
        tmp_path / ".gone.nnpg.fedcba9876543210.tmp",  # its session was never completed
        autosave_directory / ".1f2e3d4c5b6a.nnpg.00112233445566ff.tmp",
    ]
    others = [
        tmp_path / ".notes.txt.0123456789abcdef.tmp",  # not a session's: not ours
        tmp_path / "draft.tmp",
        tmp_path / ".work.nnpg.tmp",
    ]
    for path in leftovers + others:
        path.write_bytes(content)

    open_window(qtbot)

    assert [path.exists() for path in leftovers] == [False] * len(leftovers)
    assert [path.exists() for path in others] == [True] * len(others)
    assert work.read_bytes() == content


@pytest.fixture
def read_only_file(qtbot, tmp_path):
    """A window whose current file is saved and then made read-only (0444), with an unsaved
    point painted since."""
    window = open_window(qtbot)
    path = tmp_path / "locked.nnpg"
    window.save_session(path)
    path.chmod(0o444)
    paint_one_point(window)
    yield window, path, path.read_bytes()
    path.chmod(0o644)


def assert_refused(window: MainWindow, path, content: bytes) -> None:
    assert window.statusBar().currentMessage() == (
        f"Could not save: {path.name}: {READ_ONLY_MESSAGE}."
    )
    assert path.read_bytes() == content
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary left
    assert window.isWindowModified()
    assert window.windowTitle() == "locked.nnpg[*] — NN Playground"


def test_saving_over_a_read_only_file_from_a_script_is_refused_naming_it(read_only_file):
    window, path, content = read_only_file
    with pytest.raises(PermissionError) as raised:
        window.save_session(path)
    assert raised.value.filename == str(path)
    assert raised.value.strerror == READ_ONLY_MESSAGE
    assert_refused(window, path, content)


def test_saving_over_a_read_only_file_from_the_menu_is_refused_naming_it(
    qtbot, read_only_file, monkeypatch
):
    window, path, content = read_only_file
    expected = f"{path.name}: {READ_ONLY_MESSAGE}."
    with qtbot.waitSignal(window.session_manager.sigSaveFinished) as finished:
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)  # Save: its current file
    assert finished.args == [str(path), expected]
    assert_refused(window, path, content)

    monkeypatch.setattr(SessionManager, "_ask_save_path", lambda self: str(path))
    with qtbot.waitSignal(window.session_manager.sigSaveFinished) as finished:
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL | SHIFT)  # Save As… onto the same file
    assert finished.args == [str(path), expected]
    assert_refused(window, path, content)


def test_saving_during_a_long_epoch_saves_it_mid_epoch_and_the_file_continues_exactly(
    qtbot, tmp_path, monkeypatch
):
    window = open_window(qtbot)
    window.set_hyperparameters(dataclasses.replace(window.hyperparameters, batch_size=16))
    path = tmp_path / "run.nnpg"
    window.save_session(path)  # the window's current file: Ctrl+S saves there
    long_step = LongStep(monkeypatch, step=2)  # the epoch's third mini-batch takes "long"
    window.train()
    qtbot.waitUntil(long_step.entered.is_set)
    with qtbot.waitSignal(window.session_manager.sigSaveFinished, timeout=10_000) as finished:
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
        window.pause()
        long_step.release()
    assert finished.args == [str(path), ""]
    assert long_step.interrupted
    saved = load_session(path)
    assert saved.epoch == 0
    assert saved.trainer_state["cursor"] == 32  # two mini-batches of 16 into the epoch
    assert saved.trainer_state["sums"][2] == 32

    restored = open_window(qtbot)
    restored.load_session(path)
    for each in (window, restored):  # both finish the epoch in progress
        each.step()
        qtbot.waitUntil(lambda each=each: each.epoch == 1)
    original_weights, original_state = window.worker.training_state()
    restored_weights, restored_state = restored.worker.training_state()
    for a, b in zip(original_weights, restored_weights, strict=True):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
    assert original_state["history"] == restored_state["history"]
    assert np.array_equal(original_state["order"], restored_state["order"])
    assert original_state["rng"] == restored_state["rng"]
