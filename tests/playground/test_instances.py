"""Several instances and windows share the autosave directory, never each other's autosave.

A child process plays the other instance, with the same app data directory as this test's
windows (tests/playground/conftest.py). It autosaves, tells the test where, and then either
waits (blocked reading stdin: alive, holding its lock) or kills itself with SIGKILL (a crash:
its lock file stays behind, with no live owner).
"""

import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from playground import MainWindow
from playground.state import Architecture, load_session

# The child's windows each get a network of their own, trained one epoch, and one more point.
CHILD_PRELUDE = textwrap.dedent(
    """
    import os, signal, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    import numpy as np
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication([])
    from playground import MainWindow, session_manager
    from playground.state import AddPoints, Architecture
    session_manager.app_data_directory = lambda: Path(sys.argv[1])


    def window_with_work(units, point):
        window = MainWindow()
        window.set_architecture(Architecture.from_units(units, activation="relu"))
        window.push_edit(AddPoints(np.array([point]), np.array([1])))
        window.step()
        while window.epoch < 1:
            app.processEvents()
        assert window.session_manager.autosave()
        return window
    """
)

WAITING_INSTANCE = CHILD_PRELUDE + textwrap.dedent(
    """
    window = window_with_work([7, 3], [0.125, 0.875])
    print(window.session_manager.autosave_path(), flush=True)
    sys.stdin.readline()  # alive, lock held, until the test kills it
    """
)

TWO_WINDOWS_THEN_CRASH = CHILD_PRELUDE + textwrap.dedent(
    """
    closed = window_with_work([4], [0.5, 0.5])
    survivor = window_with_work([9], [-0.25, 0.75])
    print(closed.session_manager.autosave_path(), flush=True)
    print(survivor.session_manager.autosave_path(), flush=True)
    closed.close()  # a clean close of one window: only its own files go
    assert survivor.session_manager.autosave_path().is_file()
    os.kill(os.getpid(), signal.SIGKILL)  # then the process crashes
    """
)


REPOSITORY = Path(__file__).resolve().parents[2]


def start_child(script: str, data: Path) -> subprocess.Popen:
    """The other instance; its settings live under ``data``'s parent, never the user's."""
    home = data.parent / "child-home"
    environment = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "PYTHONPATH": str(REPOSITORY),
    }
    return subprocess.Popen(
        [sys.executable, "-c", script, str(data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=data.parent,
    )


def read_line(child: subprocess.Popen, timeout: float = 120.0) -> str:
    """The child's next line on stdout; fails (rather than hangs) if none comes in time."""
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    assert ready, "the child process printed nothing in time"
    line = child.stdout.readline()
    assert line, f"the child process ended early: {child.stderr.read()}"
    return line.strip()


def open_window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def assert_restores_exactly(qtbot, window: MainWindow, expected) -> None:
    manager = window.session_manager
    assert manager.restoreBar.isVisible()
    qtbot.mouseClick(manager.restoreButton, Qt.MouseButton.LeftButton)
    assert manager.restoreBar.isHidden()
    assert window.architecture == expected.architecture
    assert window.epoch == expected.epoch == 1
    assert np.array_equal(window.points.X, expected.points.X)
    assert np.array_equal(window.points.labels, expected.points.labels)
    weights = window.worker.network_params()
    for layer, saved in zip(weights, expected.weights, strict=True):
        assert layer["W"].tobytes() == saved["W"].tobytes()
        assert layer["b"].tobytes() == saved["b"].tobytes()
    assert window.windowTitle() == "Untitled[*] — NN Playground"
    assert window.isWindowModified()


def test_a_running_instances_autosave_is_never_offered_until_it_crashes(
    qtbot, isolated_settings_and_data
):
    data = isolated_settings_and_data / "data"
    child = start_child(WAITING_INSTANCE, data)
    try:
        autosave = Path(read_line(child))
        assert autosave.is_file() and autosave.with_suffix(".lock").is_file()

        alive = open_window(qtbot)  # the other instance is running: nothing to offer
        assert alive.session_manager.restoreBar.isHidden()
        assert autosave.is_file()  # nor claimed

        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()
        child.wait()
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    expected = load_session(autosave)
    assert expected.architecture == Architecture.from_units([7, 3], activation="relu")

    after_crash = open_window(qtbot)
    assert not autosave.exists()  # claimed by this window
    assert_restores_exactly(qtbot, after_crash, expected)
    assert alive.session_manager.restoreBar.isHidden()  # a running window is never asked


def test_after_one_window_closed_and_the_process_crashed_only_the_others_work_is_offered(
    qtbot, isolated_settings_and_data
):
    data = isolated_settings_and_data / "data"
    child = start_child(TWO_WINDOWS_THEN_CRASH, data)
    try:
        closed_autosave = Path(read_line(child))
        survivor_autosave = Path(read_line(child))
        assert child.wait(timeout=120) == -signal.SIGKILL, child.stderr.read()
    finally:
        child.kill()
        child.wait()
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    assert not closed_autosave.exists()
    assert not closed_autosave.with_suffix(".lock").exists()
    expected = load_session(survivor_autosave)
    assert expected.architecture == Architecture.from_units([9], activation="relu")

    window = open_window(qtbot)
    assert_restores_exactly(qtbot, window, expected)
    later = open_window(qtbot)  # one crashed window, one offer
    assert later.session_manager.restoreBar.isHidden()
