"""Quitting in the middle of a long epoch: the window says "Stopping…", waits for the epoch to
end, and the process exits with status 0 (no abort, no "QThread: Destroyed" message).

The epoch is made long in a child process: its trainer's step_batch does the real step, then
computes for EPOCH_SECONDS more. The child closes its window as soon as an epoch is under way
(told by a queued signal from the training thread) and lets the event loop end.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Longer than the old main waited in all (three 1.8 s timeouts) before Qt aborted the process.
EPOCH_SECONDS = 6.0

SLOW_EPOCH_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
    from PySide6.QtWidgets import QApplication
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication([])

    import nn_engine
    from playground import MainWindow

    EPOCH_SECONDS = float(sys.argv[1])


    class EpochProbe(QObject):
        sigEpochStarted = Signal()


    probe = EpochProbe()
    real_step_batch = nn_engine.Trainer.step_batch


    def slow_step_batch(trainer):
        probe.sigEpochStarted.emit()  # from the training thread: queued to the GUI thread
        result = real_step_batch(trainer)
        deadline = time.perf_counter() + EPOCH_SECONDS
        while time.perf_counter() < deadline:  # busy, like a big network's epoch
            sum(range(1000))
        return result


    nn_engine.Trainer.step_batch = slow_step_batch
    window = MainWindow()
    window.show()
    window.statusBar().messageChanged.connect(lambda text: print("status:", text, flush=True))
    closing = {}


    def close_during_the_epoch():
        if closing:
            return
        closing["at"] = time.perf_counter()
        print("closing the window during an epoch", flush=True)
        window.close()
        print(f"closed after {time.perf_counter() - closing['at']:.1f} s", flush=True)


    probe.sigEpochStarted.connect(close_during_the_epoch, Qt.ConnectionType.QueuedConnection)
    window.train()
    status = app.exec()
    print("event loop ended:", status, "training thread running:",
          window.training_thread.isRunning(), flush=True)
    sys.exit(status)
    """
)


def test_quitting_during_a_long_epoch_waits_with_a_message_and_exits_cleanly(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SLOW_EPOCH_SCRIPT, str(EPOCH_SECONDS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={
            **os.environ,
            "HOME": str(tmp_path),  # settings and autosave stay in tmp_path
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        },
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    closing = lines.index("closing the window during an epoch")
    # The window said so while it waited, before it closed.
    assert "status: Stopping… (the current epoch is finishing)" in lines[closing:]
    closed = next(line for line in lines if line.startswith("closed after "))
    waited = float(closed.removeprefix("closed after ").removesuffix(" s"))
    assert waited >= 1.8  # longer than the old shutdown timeout, which aborted the process
    assert lines[-1] == "event loop ended: 0 training thread running: False"
    assert "QThread: Destroyed" not in result.stderr
    assert "Traceback" not in result.stderr
    assert "NN Playground: stopping… (waiting for the current epoch to end)" in result.stderr
