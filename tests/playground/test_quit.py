"""Quitting in the middle of a long epoch: the step is interrupted and the process exits with
status 0 (no abort, no "QThread: Destroyed" message); where a step cannot be interrupted, the
window says "Stopping…" and waits for it to end.

Both run in a child process that closes its window as soon as a step is under way (told by a
queued signal from the training thread) and lets the event loop end. The uninterruptible step:
the trainer's step_batch does the real step, then computes for EPOCH_SECONDS more. The
interruptible one: its forward pass stops after the first layer until the window has told the
worker to stop, then goes on to its next layer check.
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


    def slow_step_batch(trainer, interrupt=None):
        probe.sigEpochStarted.emit()  # from the training thread: queued to the GUI thread
        result = real_step_batch(trainer, interrupt)
        deadline = time.perf_counter() + EPOCH_SECONDS
        while time.perf_counter() < deadline:  # busy, and deaf to the interrupt
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


LONG_STEP_SCRIPT = textwrap.dedent(
    """
    import os, sys, threading
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
    from PySide6.QtWidgets import QApplication
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication([])

    import nn_engine
    from playground import MainWindow
    from playground.worker import TrainingWorker


    class StepProbe(QObject):
        sigStepUnderWay = Signal()


    probe = StepProbe()
    stop_posted = threading.Event()
    real_stop = TrainingWorker.stop


    def stop(worker):
        serial = real_stop(worker)
        stop_posted.set()
        return serial


    real_forward_backward = nn_engine.Network.forward_backward
    steps = []


    def long_forward_backward(net, X, y, grad, interrupted=None):
        if interrupted is None or steps:
            return real_forward_backward(net, X, y, grad, interrupted)
        steps.append("under way")
        checks = []

        def check():
            checks.append(None)
            if len(checks) == 2:  # the first layer lasts until the window has said stop
                probe.sigStepUnderWay.emit()
                stop_posted.wait(60)
            return interrupted()

        try:
            return real_forward_backward(net, X, y, grad, check)
        except nn_engine.TrainingInterrupted:
            print("the long step was interrupted", flush=True)
            raise


    TrainingWorker.stop = stop
    nn_engine.Network.forward_backward = long_forward_backward
    window = MainWindow()
    window.show()
    probe.sigStepUnderWay.connect(window.close, Qt.ConnectionType.QueuedConnection)
    window.train()
    status = app.exec()
    print("event loop ended:", status, "training thread running:",
          window.training_thread.isRunning(), "epoch:", window.epoch, flush=True)
    sys.exit(status)
    """
)


def run_child(script: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
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


def test_quitting_during_a_long_step_interrupts_it_and_exits_cleanly(tmp_path):
    result = run_child(LONG_STEP_SCRIPT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "the long step was interrupted",
        "event loop ended: 0 training thread running: False epoch: 0",
    ]
    assert "QThread: Destroyed" not in result.stderr
    assert "Traceback" not in result.stderr


def test_quitting_during_an_uninterruptible_step_waits_with_a_message_and_exits_cleanly(
    tmp_path,
):
    result = run_child(SLOW_EPOCH_SCRIPT, tmp_path, str(EPOCH_SECONDS))
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
