"""A script that builds a window, trains and exits without closing it shuts down cleanly."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication([])
    from playground.main_window import MainWindow
    window = MainWindow()
    window.train()
    for _ in range(20):
        app.processEvents()
    print("leaving with the window open and training:", window.is_training)
    """
)


def test_exiting_without_closing_the_window_stops_the_training_thread(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)},  # settings and autosave stay in tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "leaving with the window open and training: True" in result.stdout
    assert "QThread: Destroyed while thread" not in result.stderr
