"""The application entry point: ``nn-playground`` or ``python -m playground``.

Before Qt is started on Linux, two checks turn Qt's abort (SIGABRT and a hint that names the
wrong library) into one line on stderr and exit status 1:

* no display at all: neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` nor ``QT_QPA_PLATFORM`` is set;
* a display that Qt would reach through its xcb plugin, but a library that plugin needs is
  missing. Every library of :data:`XCB_LIBRARIES` is loaded with ``ctypes`` first (so all the
  missing ones are named, not only the first), then the plugin's own ``libQt6XcbQpa`` (whose
  loader error names anything else).

``--measure-startup`` prints the seconds from the process's start to the window being shown on
screen, then quits (see the README's "Set up" section).
"""

import ctypes
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

APP_NAME = "NN Playground"
MEASURE_STARTUP_FLAG = "--measure-startup"

# What Qt 6.11's xcb platform plugin (libqxcb.so and libQt6XcbQpa.so.6) loads beyond QtGui's own
# needs, by Debian/Ubuntu package; read with `ldd` on both files of the wheel.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
XCB_PACKAGES = " ".join(XCB_LIBRARIES.values())
NO_DISPLAY_MESSAGE = (
    f"{APP_NAME}: no display found (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are all "
    "unset). Start it inside a desktop session, or set DISPLAY (e.g. DISPLAY=:99 with "
    "`Xvfb :99`), or run headless with QT_QPA_PLATFORM=offscreen; Qt's X11 plugin needs: "
    f"sudo apt-get install {XCB_PACKAGES}"
)


def no_display(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True on Linux when no variable tells Qt where to show a window."""
    if not platform.startswith("linux"):
        return False
    return not any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def platform_is_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True on Linux when Qt would start its xcb (X11) plugin.

    That is when ``QT_QPA_PLATFORM`` names xcb first, or when it is unset, ``DISPLAY`` is set
    and the session is not a Wayland one (Qt 6 prefers Wayland there).
    """
    if not platform.startswith("linux"):
        return False
    requested = environ.get("QT_QPA_PLATFORM", "")
    if requested:
        return requested.split(";")[0].split(":")[0].strip() == "xcb"
    wayland = bool(environ.get("WAYLAND_DISPLAY")) and environ.get("XDG_SESSION_TYPE") == "wayland"
    return bool(environ.get("DISPLAY")) and not wayland


def _qt_library_directory() -> Path:
    import PySide6  # noqa: PLC0415 - only needed for this check; cheap (no Qt module loads)

    return Path(PySide6.__file__).parent / "Qt" / "lib"


def _try_load(name: str) -> str | None:
    """None when the shared library ``name`` loads, else the loader's message."""
    try:
        ctypes.CDLL(name)
    except OSError as error:
        return str(error)
    return None


def missing_xcb_libraries(
    libraries: Mapping[str, str] = XCB_LIBRARIES,
    qpa_library: str | None = None,
    load: Callable[[str], str | None] = _try_load,
) -> list[tuple[str, str | None]]:
    """What keeps Qt's xcb plugin from loading: (library or loader message, package) pairs.

    Parameters
    ----------
    libraries : mapping of str to str
        Shared library name -> the Debian/Ubuntu package that installs it.
    qpa_library : str, optional
        The plugin's Qt library, loaded last; default ``libQt6XcbQpa.so.6`` of the installed
        PySide6. Its loader message is reported as is when it fails for another reason.
    load : callable
        ``load(name)`` returns None when the library loads, else the error message.

    Returns
    -------
    list of (str, str or None)
        Each missing library with its package; or the plugin library's loader message with
        None. Empty when everything loads.
    """
    missing: list[tuple[str, str | None]] = [
        (name, package) for name, package in libraries.items() if load(name)
    ]
    if missing:
        return missing
    if qpa_library is None:
        qpa_library = str(_qt_library_directory() / "libQt6XcbQpa.so.6")
    error = load(qpa_library)
    return [(error, None)] if error else []


def startup_problem(
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    missing: Callable[[], list[tuple[str, str | None]]] = missing_xcb_libraries,
) -> str | None:
    """The one line to print instead of starting Qt, or None when Qt can start.

    Parameters
    ----------
    environ : mapping
        The environment Qt will see.
    platform : str
        ``sys.platform``.
    missing : callable
        Returns what the xcb plugin lacks (see :func:`missing_xcb_libraries`); called only when
        Qt would use that plugin.
    """
    if no_display(environ, platform):
        return NO_DISPLAY_MESSAGE
    if platform_is_xcb(environ, platform):
        lacking = missing()
        if lacking:
            names = ", ".join(name for name, _ in lacking)
            packages = " ".join(package for _, package in lacking if package)
            install = f"; install: sudo apt-get install {packages}" if packages else ""
            return (
                f"{APP_NAME}: Qt's X11 (xcb) plugin cannot load; missing {names}{install}. "
                "(Or run headless with QT_QPA_PLATFORM=offscreen.)"
            )
    return None


def process_start_time() -> float:
    """The ``time.time()`` at which this process started (Linux: from /proc; else now)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        started_after_boot = int(fields[19]) / ticks  # field 22 of proc(5), counted from 3
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return time.time()
    return time.time() - uptime + started_after_boot


def main(
    argv: Sequence[str] | None = None,
    check: Callable[[], str | None] = startup_problem,
) -> int:
    """Run the playground until its window closes; returns the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default: ``sys.argv``); ``--measure-startup`` is ours, the rest
        go to Qt.
    check : callable
        Returns a message when Qt cannot start here (printed to stderr, exit status 1).
    """
    problem = check()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    arguments = list(sys.argv if argv is None else argv)
    measure = MEASURE_STARTUP_FLAG in arguments
    if measure:
        arguments.remove(MEASURE_STARTUP_FLAG)
    # pyqtgraph prefers PyQt6 when both bindings are installed; we ship PySide6.
    os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"
    from PySide6.QtWidgets import QApplication

    from playground.main_window import MainWindow

    app = QApplication.instance() or QApplication(arguments)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setStyle("Fusion")
    window = MainWindow()
    if measure:
        _report_when_exposed(window)
    window.show()
    return app.exec()


def _report_when_exposed(window: object) -> None:
    """Print the seconds since the process started once ``window`` is on screen, then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    started = process_start_time()

    class ExposeWatcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Expose and watched.isExposed():
                watched.removeEventFilter(self)
                # The expose's paint and flush run before the next pass of the event loop.
                QTimer.singleShot(0, self.report)
            return False

        def report(self) -> None:
            print(f"window shown after {time.time() - started:.3f} s", flush=True)
            window.close()
            QApplication.quit()

    window.winId()  # creates the native QWindow that receives the expose event
    watcher = ExposeWatcher(window)
    window.windowHandle().installEventFilter(watcher)


if __name__ == "__main__":
    sys.exit(main())
