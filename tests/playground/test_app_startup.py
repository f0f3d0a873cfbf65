"""Start-up checks: one clear line and exit status 1 instead of Qt's abort, and the startup clock.

The checks run in fresh interpreters (subprocesses) with a manipulated environment, as a user
would start the app; the missing-library path points the check at a made-up library name.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground import app

ROOT = Path(__file__).resolve().parents[2]
FAKE_LIBRARY = "libnn-playground-test-missing.so.7"
NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def run(code: str, **environment: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, value in environment.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )


def test_no_display_prints_one_line_and_exits_1():
    result = run(
        "import sys; from playground.app import main; sys.exit(main(['nn-playground']))",
        **dict.fromkeys(NO_DISPLAY),
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [app.NO_DISPLAY_MESSAGE]
    assert "no display found" in lines[0]
    assert "libxcb-cursor0 libxcb-icccm4" in lines[0]
    assert "libxcb-keysyms1" in lines[0]


def test_missing_xcb_library_prints_one_line_and_exits_1():
    code = f"""
import sys
from playground import app
missing = lambda: app.missing_xcb_libraries({{{FAKE_LIBRARY!r}: "libnn-fake7"}})
check = lambda: app.startup_problem(missing=missing)
sys.exit(app.main(["nn-playground"], check=check))
"""
    # DISPLAY names a server that does not exist: the check must answer before Qt tries it.
    result = run(code, DISPLAY=":4242", WAYLAND_DISPLAY=None, QT_QPA_PLATFORM=None)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "NN Playground: Qt's X11 (xcb) plugin cannot load; missing "
        f"{FAKE_LIBRARY}; install: sudo apt-get install libnn-fake7. "
        "(Or run headless with QT_QPA_PLATFORM=offscreen.)"
    ]


def test_missing_xcb_libraries_names_every_missing_one_then_the_plugin():
    loaded = []

    def load(name):
        loaded.append(name)
        return f"{name}: cannot open shared object file" if "missing" in name else None

    libraries = {"libok.so.1": "libok1", "libmissing-a.so.1": "a1", "libmissing-b.so.2": "b2"}
    assert app.missing_xcb_libraries(libraries, "libqpa.so", load) == [
        ("libmissing-a.so.1", "a1"),
        ("libmissing-b.so.2", "b2"),
    ]
    assert "libqpa.so" not in loaded  # no point loading the plugin without its libraries
    assert app.missing_xcb_libraries({"libok.so.1": "libok1"}, "libqpa.so", load) == []
    assert app.missing_xcb_libraries({}, "libqpa-missing.so", load) == [
        ("libqpa-missing.so: cannot open shared object file", None)
    ]


def test_missing_xcb_libraries_with_a_real_missing_name():
    assert app.missing_xcb_libraries({FAKE_LIBRARY: "libnn-fake7"}) == [
        (FAKE_LIBRARY, "libnn-fake7")
    ]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "x11"}, True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({"QT_QPA_PLATFORM": "xcb:nograb;wayland"}, True),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({}, False),
    ],
)
def test_platform_is_xcb(environ, expected):
    assert app.platform_is_xcb(environ, "linux") is expected
    assert app.platform_is_xcb(environ, "darwin") is False


def test_startup_problem_checks_xcb_only_when_qt_would_use_it():
    calls = []

    def missing():
        calls.append(1)
        return [("libx.so.1", "libx1")]

    assert app.startup_problem({}, "linux", missing) == app.NO_DISPLAY_MESSAGE
    assert app.startup_problem({}, "win32", missing) is None
    assert app.startup_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", missing) is None
    assert calls == []
    message = app.startup_problem({"DISPLAY": ":0"}, "linux", missing)
    assert message.startswith("NN Playground: Qt's X11 (xcb) plugin cannot load; missing libx.so.1")
    assert calls == [1]
    assert app.startup_problem({"DISPLAY": ":0"}, "linux", lambda: []) is None


def test_measure_startup_prints_the_time_to_the_window_and_quits():
    result = run(
        "import sys; from playground.app import main; "
        "sys.exit(main(['nn-playground', '--measure-startup']))",
        QT_QPA_PLATFORM="offscreen",
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    prefix, seconds, unit = line.rsplit(" ", 2)
    assert (prefix, unit) == ("window shown after", "s")
    assert 0.05 < float(seconds) < 60


def test_process_start_time_is_before_now():
    import time

    started = app.process_start_time()
    assert started <= time.time()
    assert time.time() - started < 3600  # this test process started within the hour
