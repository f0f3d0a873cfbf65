"""What the window benchmarks share: a headless application, the GUI-timer gap recorder, memory
readings, a catch-all for warnings, Qt messages and tracebacks, and a few event-loop helpers.

Import this module before anything imports Qt or pyqtgraph: it sets ``QT_QPA_PLATFORM``
(offscreen unless already set) and makes pyqtgraph use PySide6.

Everything here runs on the GUI thread and measures it from the inside: a 10 ms ``QTimer``
records how long the event loop was busy between two chances to react to the user (a "gap"),
and ``/proc/self/status`` gives the process's resident memory now (VmRSS) and at its peak
(VmHWM).
"""

import atexit
import ctypes
import os
import shutil
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import (  # noqa: E402
    QElapsedTimer,
    QEventLoop,
    QSettings,
    QStandardPaths,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication  # noqa: E402

TIMER_MS = 10
MiB = 2**20


# ----------------------------------------------------------------------------- application


def make_application() -> QApplication:
    """The QApplication (created once), with the app's style.

    The benchmarks' windows neither read nor write the user's settings and autosaves: the
    settings (QSettings) and the autosave directory go to a temporary directory, removed at
    exit, and QStandardPaths is in test mode.
    """
    from playground import session_manager

    QStandardPaths.setTestModeEnabled(True)
    root = Path(tempfile.mkdtemp(prefix="nnpg-bench-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "config"))
    session_manager.app_data_directory = lambda: root / "data"
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    return app


def open_window(size: tuple[int, int] = (1280, 800)):  # noqa: ANN201
    """A shown MainWindow at ``size``, its first events processed."""
    from playground.main_window import MainWindow

    window = MainWindow()
    window.resize(*size)
    window.show()
    wait(0.3)
    return window


def close_window(window) -> None:  # noqa: ANN001
    """Close ``window`` (it stops its training thread) and let Qt delete it."""
    window.close()
    window.deleteLater()
    wait(0.1)


def wait(seconds: float) -> None:
    """Run the event loop for ``seconds`` (the GUI keeps working meanwhile)."""
    loop = QEventLoop()
    QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout: float, poll_ms: int = 5) -> bool:
    """Run the event loop until ``condition()`` is true (True) or ``timeout`` s pass (False)."""
    deadline = time.perf_counter() + timeout
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(poll_ms)

    def check() -> None:
        if condition() or time.perf_counter() >= deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    if not condition():
        loop.exec()
    timer.stop()
    return condition()


# ------------------------------------------------------------------------------ statistics


def percentile(values, q: float) -> float:  # noqa: ANN001
    values = np.asarray(values, dtype=np.float64)
    return float(np.percentile(values, q)) if values.size else float("nan")


class GapRecorder:
    """A 10 ms QTimer on the GUI thread; records the milliseconds between its timeouts.

    A gap well above 10 ms means the event loop was busy (drawing, handling a snapshot, waiting
    for the GIL) and could not have reacted to the user any sooner. ``on_tick`` (optional) is
    called at every timeout, e.g. to sample memory.
    """

    def __init__(self, interval_ms: int = TIMER_MS, on_tick: Callable[[], None] | None = None):
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._last = 0.0
        self._on_tick = on_tick
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps.clear()
        self._clock.start()
        self._last = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed() / 1e6
        self.gaps.append(now - self._last)
        self._last = now
        if self._on_tick is not None:
            self._on_tick()

    def summary(self) -> dict[str, float]:
        """p50, p99 and max of the gaps, in ms."""
        return {
            "gap_p50": percentile(self.gaps, 50),
            "gap_p99": percentile(self.gaps, 99),
            "gap_max": max(self.gaps, default=float("nan")),
        }


# ---------------------------------------------------------------------------------- memory


def _status_kib(key: str, pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {key} line.")


def rss_bytes(pid: int | str = "self") -> int:
    """Resident memory of this process (or process ``pid``) now (VmRSS)."""
    return _status_kib("VmRSS", pid) * 1024


def peak_rss_bytes(pid: int | str = "self") -> int:
    """The highest resident memory of this process (or process ``pid``) so far (VmHWM)."""
    return _status_kib("VmHWM", pid) * 1024


def training_process_rss_bytes(window, peak: bool = False) -> int:  # noqa: ANN001
    """Resident memory (or its peak) of the window's training process; 0 while it has none."""
    pid = window.worker.training_process_pid
    if pid is None:
        return 0
    try:
        return peak_rss_bytes(pid) if peak else rss_bytes(pid)
    except (FileNotFoundError, ProcessLookupError):  # it has just ended
        return 0


def app_rss_bytes(window) -> int:  # noqa: ANN001
    """Resident memory of the whole app: this process and its training process."""
    return rss_bytes() + training_process_rss_bytes(window)


def trim_malloc() -> bool:
    """Ask glibc to give the memory it keeps for reuse back to the system (``malloc_trim(0)``);
    False where there is no glibc. RSS right after tells what was freed but kept (heap
    fragmentation, per-thread arenas) from what is still in use."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return True


def format_mib(n_bytes: float) -> str:
    return f"{n_bytes / MiB:.0f} MB"


def engine_buffer_bytes(window) -> str:  # noqa: ANN001
    """What the worker's networks hold in workspaces (read inside the worker thread; private
    attributes of the engine, for diagnosis only)."""

    def read() -> str:
        worker = window.worker
        nets = {"current": worker._net, "grid": worker._grid_net}
        nets.update({f"kept {k}": net for k, (net, _) in worker._kept_runs.items()})
        parts = []
        for name, net in nets.items():
            if net is None:
                continue
            sizes = list(net._workspaces)
            total = sum(
                array.nbytes
                for work in net._workspaces.values()
                for value in vars(work).values()
                for array in (value if isinstance(value, list) else [value])
                if isinstance(array, np.ndarray)
            )
            parts.append(f"{name}: {total / MiB:.1f} MB for batch sizes {sizes}")
        return "; ".join(parts)

    try:
        return window.worker.call(read)
    except AttributeError as error:  # the engine's internals changed
        return f"unknown ({error})"


# ---------------------------------------------------------------------- warnings and errors


QT_MESSAGE_KINDS = {
    QtMsgType.QtDebugMsg: "debug",
    QtMsgType.QtInfoMsg: "info",
    QtMsgType.QtWarningMsg: "warning",
    QtMsgType.QtCriticalMsg: "critical",
    QtMsgType.QtFatalMsg: "fatal",
}
# What Qt's offscreen platform plugin itself says when a window is shown: about the plugin,
# not about the app (a real display does not print it). Listed in reports, never counted.
PLATFORM_MESSAGES = frozenset({"This plugin does not support propagateSizeHints()"})


class ProblemCatcher:
    """Catches every Python warning, Qt message and byte written to stderr while it is active.

    - Python warnings: ``warnings.showwarning`` is replaced and the filter set to "always", so
      every occurrence is counted (grouped by category, message and place).
    - Qt: a message handler counts qDebug/qWarning/qCritical messages by kind.
    - stderr: file descriptor 2 goes through a pipe, so tracebacks printed by Python (uncaught
      exceptions in slots and threads, ``traceback.print_exc``) and anything C/C++ code writes
      are both kept; a thread copies everything on to the real stderr as it arrives.

    Use ``start()`` before creating the window and ``stop()`` after closing it.
    """

    def __init__(self) -> None:
        self.warnings: Counter[str] = Counter()
        self.qt_messages: Counter[tuple[str, str]] = Counter()
        self._stderr = bytearray()
        self._saved_fd: int | None = None
        self._reader: threading.Thread | None = None
        self._saved_showwarning = None
        self._saved_filters = None

    # -- life cycle

    def start(self) -> "ProblemCatcher":
        self._saved_filters = warnings.filters[:]
        warnings.simplefilter("always")
        self._saved_showwarning = warnings.showwarning
        warnings.showwarning = self._on_warning
        qInstallMessageHandler(self._on_qt_message)
        sys.stderr.flush()
        self._saved_fd = os.dup(2)
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._reader = threading.Thread(
            target=self._copy_stderr, args=(read_fd,), name="stderr-catcher", daemon=True
        )
        self._reader.start()
        return self

    def stop(self) -> None:
        qInstallMessageHandler(None)
        warnings.showwarning = self._saved_showwarning
        warnings.filters[:] = self._saved_filters
        warnings._filters_mutated()  # type: ignore[attr-defined]
        sys.stderr.flush()
        os.dup2(self._saved_fd, 2)  # closes the pipe's last write end: the reader sees EOF
        self._reader.join(timeout=5)
        os.close(self._saved_fd)

    # -- results

    @property
    def stderr_text(self) -> str:
        return self._stderr.decode("utf-8", errors="replace")

    @property
    def traceback_count(self) -> int:
        return self.stderr_text.count("Traceback (most recent call last)")

    @property
    def warning_count(self) -> int:
        return sum(self.warnings.values())

    def qt_count(self, *kinds: str) -> int:
        """Qt messages of these kinds, except the platform plugin's own (PLATFORM_MESSAGES)."""
        return sum(
            n
            for (kind, message), n in self.qt_messages.items()
            if kind in kinds and message not in PLATFORM_MESSAGES
        )

    def print_report(self) -> None:
        """Print what was caught (nothing when nothing was), under "Caught while measuring"."""
        caught = self.report_lines()
        if caught:
            print("\nCaught while measuring:\n")
            print("\n".join("    " + line for line in caught))

    def report_lines(self, limit: int = 20) -> list[str]:
        """Everything caught, for a report: one line per distinct item, with its count."""
        lines = [f"Python warning ×{n}: {text}" for text, n in self.warnings.most_common(limit)]
        lines += [
            f"Qt {kind} ×{n}: {message}"
            + (" (the offscreen plugin's, not counted)" if message in PLATFORM_MESSAGES else "")
            for (kind, message), n in self.qt_messages.most_common()
        ][:limit]
        stderr_lines = [line for line in self.stderr_text.splitlines() if line.strip()]
        if stderr_lines:
            lines.append(f"stderr ({len(stderr_lines)} lines, first {min(limit, 60)}):")
            lines += ["    " + line for line in stderr_lines[: min(limit, 60)]]
        return lines

    # -- hooks

    def _on_warning(self, message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        self.warnings[f"{category.__name__}: {message} ({filename}:{lineno})"] += 1

    def _on_qt_message(self, kind, context, message) -> None:  # noqa: ANN001
        self.qt_messages[(QT_MESSAGE_KINDS.get(kind, str(kind)), message)] += 1

    def _copy_stderr(self, read_fd: int) -> None:
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            self._stderr += chunk
            os.write(self._saved_fd, chunk)
        os.close(read_fd)
