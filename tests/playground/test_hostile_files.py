"""Hostile session files at the window level: refused whole, with a message, nothing changed.

Each file is built from a good saved session by rewriting its zip members (format 3:
session.json and .npy members), or is something that is not a session file at all (/dev/zero,
a FIFO, a sparse file over the size cap). Through File ▸ Open and through
``window.load_session`` alike, the window must then show a message naming the file and the
problem in its status line, print nothing on stderr, and keep its points, network, settings,
epoch, weights, title and file: Ctrl+S afterwards writes the session it had before, not the
refused file's.
"""

import io
import json
import os
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from playground import MainWindow
from playground.session_manager import SessionManager
from playground.state import (
    Architecture,
    DataSettings,
    Hyperparameters,
    load_session,
)
from playground.state.session import MAX_FILE_BYTES

CTRL = Qt.KeyboardModifier.ControlModifier
SMALL_DATA = DataSettings(
    generator="circles", n_points=40, noise=0.1, seed=3, test_ratio=0.25, show_test=True
)
SMALL_ARCHITECTURE = Architecture.from_units([5, 3], activation="tanh")
SMALL_HYPERPARAMETERS = Hyperparameters(
    optimizer="adam",
    learning_rate=0.03,
    batch_size=8,
    regularization="l2",
    regularization_rate=0.001,
    init="xavier",
    seed=11,
    epochs_per_refresh=1,
)


# ----------------------------------------------------------------------------- helpers


def open_window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def train_epochs(qtbot, window: MainWindow, epochs: int) -> None:
    target = window.epoch + epochs
    for _ in range(epochs):
        window.step()
    qtbot.waitUntil(lambda: window.epoch == target, timeout=10_000)


def saved_window(qtbot, path: Path) -> MainWindow:
    """A window with small data, a small trained network, saved to ``path`` (its file)."""
    window = open_window(qtbot)
    window.set_data_settings(SMALL_DATA)
    window.set_architecture(SMALL_ARCHITECTURE)
    window.set_hyperparameters(SMALL_HYPERPARAMETERS)
    train_epochs(qtbot, window, 3)
    window.save_session(path)
    return window


def window_state(window: MainWindow) -> dict:
    """What a refused file must leave exactly as it was."""
    weights, trainer_state = window.worker.training_state()
    return {
        "X": window.points.X.copy(),
        "labels": window.points.labels.copy(),
        "is_test": window.points.is_test.copy(),
        "architecture": window.architecture.to_dict(),
        "hyperparameters": window.hyperparameters.to_dict(),
        "data_settings": window.controller.document.data_settings.to_dict(),
        "shown_hyperparameters": window.trainingPanel.hyperparameters().to_dict(),
        "shown_architecture": window.layerEditor.architecture().to_dict(),
        "epoch": window.epoch,
        "epoch_label": window.epochLabel.text(),
        "weights": window.worker.network_params(),
        "trainer_state": trainer_state,
        "title": window.windowTitle(),
        "modified": window.isWindowModified(),
        "current_path": window.session_manager.current_path,
        "undo_count": window.undo_stack.count(),
    }


def assert_same(a, b, where="state") -> None:
    """Exact equality, arrays bit for bit."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def rezip(source: Path, target: Path, change=None, method=None) -> Path:
    """Copy the session ``source`` to ``target``: ``change(name, data)`` gives each member's
    new bytes (None drops it), ``method(name)`` its compression (default deflate)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if change is not None:
                data = change(info.filename, data)
            if data is None:
                continue
            kind = zipfile.ZIP_DEFLATED if method is None else method(info.filename)
            new.writestr(zipfile.ZipInfo(info.filename), data, compress_type=kind)
    return target


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def edit_json(edit):
    """A ``change`` for :func:`rezip` that edits session.json's document in place."""

    def change(name: str, data: bytes) -> bytes:
        if name != "session.json":
            return data
        document = json.loads(data)
        edit(document)
        return json.dumps(document).encode()

    return change


def edit_array(member: str, edit):
    """A ``change`` for :func:`rezip` that edits the array of ``member`` in place."""

    def change(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        array = np.load(io.BytesIO(data)).copy()
        edit(array)
        return npy_bytes(array)

    return change


def chain(*changes):
    def change(name: str, data: bytes) -> bytes:
        for each in changes:
            data = each(name, data)
        return data

    return change


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def write_zip_bomb(good: Path, target: Path, inflated_bytes: int) -> Path:
    """``good`` with points/X.npy replaced by ``inflated_bytes`` of zeros, deflated (a file of
    a few tens of kB); written in chunks so the test never holds the inflated bytes."""
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            member = zipfile.ZipInfo(info.filename)
            member.compress_type = zipfile.ZIP_DEFLATED
            if info.filename != "points/X.npy":
                new.writestr(member, old.read(info.filename))
                continue
            chunk = bytes(2**20)
            with new.open(member, "w", force_zip64=True) as stream:
                for _ in range(inflated_bytes // len(chunk)):
                    stream.write(chunk)
    return target


class FifoWatchdog:
    """A FIFO as a session "file". Should a reader ever block on it, a writer thread opens it
    and closes it at once, so the reader sees an empty file (a failing test, not a hang)."""

    def __init__(self, path: Path):
        os.mkfifo(path)
        self.path = path
        self._thread = threading.Thread(target=self._release_readers, daemon=True)
        self._thread.start()

    def _release_readers(self) -> None:
        with open(self.path, "wb"):  # blocks until someone opens it for reading
            pass

    def close(self) -> None:
        # Open it for reading without blocking: that lets the writer thread finish.
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self._thread.join(timeout=10)
        os.close(fd)


# ----------------------------------------------------------------------------- the cases


def hostile_file(kind: str, good: Path, directory: Path, cleanup: list) -> tuple[Path, list[str]]:
    """Write the hostile file ``kind``; return its path and the words its message must hold
    (besides the file's name)."""
    path = directory / f"{kind}.nnpg"
    if kind == "points-beyond-range":

        def far(X):
            X[0] = (1e308, -1e308)

        change = chain(
            edit_json(lambda d: d.update(view_range=None)), edit_array("points/X.npy", far)
        )
        return rezip(good, path, change), ["points", "1e+308"]
    if kind == "seed-beyond-int32":
        change = edit_json(lambda d: d["hyperparameters"].update(seed=2**31))
        return rezip(good, path, change), ["seed", str(2**31)]
    if kind == "huge-batch-size":
        change = edit_json(lambda d: d["hyperparameters"].update(batch_size=2**40))
        return rezip(good, path, change), ["batch_size", str(2**40)]
    if kind == "deep-nesting":
        change = edit_json(lambda d: d["trainer_state"].update(sums=nested(500)))
        return rezip(good, path, change), ["nested"]
    if kind == "nan-in-history":

        def nan(loss):
            loss[1] = np.nan

        return rezip(good, path, edit_array("history/loss.npy", nan)), ["history", "nan"]
    if kind == "view-beyond-range":
        change = edit_json(lambda d: d.update(view_range=[-1e308, -1e308, 1e308, 1e308]))
        return rezip(good, path, change), ["view_range", "1e+308"]
    if kind == "dangerous-feature":
        change = edit_json(
            lambda d: d["architecture"].update(features=["__import__('os').system('true')", "x2"])
        )
        return rezip(good, path, change), ["feature", "__import__"]
    if kind == "unknown-feature":
        change = edit_json(lambda d: d["architecture"].update(features=["x1", "radius"]))
        return rezip(good, path, change), ["feature 'radius'", "got the name 'radius'"]
    if kind == "features-not-the-weights-inputs":
        change = edit_json(lambda d: d["architecture"].update(features=["x1", "x2", "x1^2"]))
        return rezip(good, path, change), ["weights of layer 0", "(5, 3)", "got (5, 2)"]
    if kind == "bzip2-member":

        def bzip2_for_json(name):
            return zipfile.ZIP_BZIP2 if name == "session.json" else zipfile.ZIP_DEFLATED

        return rezip(good, path, method=bzip2_for_json), ["session.json", "bzip2"]
    if kind == "zip-bomb":
        return write_zip_bomb(good, path, 64 * 2**20), ["too large when decompressed"]
    if kind == "dev-zero":
        return Path("/dev/zero"), ["not a regular file"]
    if kind == "fifo":
        watchdog = FifoWatchdog(path)
        cleanup.append(watchdog.close)
        return path, ["not a regular file"]
    if kind == "over-size-cap":
        with open(path, "wb") as file:
            file.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
        return path, ["too large"]
    raise AssertionError(kind)


HOSTILE_KINDS = [
    "points-beyond-range",
    "seed-beyond-int32",
    "huge-batch-size",
    "deep-nesting",
    "nan-in-history",
    "view-beyond-range",
    "dangerous-feature",
    "unknown-feature",
    "features-not-the-weights-inputs",
    "bzip2-member",
    "zip-bomb",
    "dev-zero",
    "fifo",
    "over-size-cap",
]


@pytest.fixture
def cleanup():
    calls: list = []
    yield calls
    for call in calls:
        call()


@pytest.mark.parametrize("kind", HOSTILE_KINDS)
def test_a_hostile_file_is_refused_with_a_message_and_changes_nothing(
    qtbot, tmp_path, monkeypatch, capfd, cleanup, kind
):
    good = tmp_path / "good.nnpg"
    window = saved_window(qtbot, good)
    saved = load_session(good)
    before = window_state(window)
    assert before["title"] == "good.nnpg[*] — NN Playground"
    bad, words = hostile_file(kind, good, tmp_path, cleanup)
    capfd.readouterr()

    # File ▸ Open: refused before any question, with the message in the status line.
    asked = []
    monkeypatch.setattr(SessionManager, "_ask_open_path", lambda self: str(bad))
    monkeypatch.setattr(SessionManager, "_ask_save_changes", lambda self: asked.append(1))
    with qtbot.waitSignal(window.session_manager.sigOpenFinished, timeout=20_000):
        window.session_manager.openAction.trigger()
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Could not open: {bad.name}"), message
    for word in words:
        assert word in message, message
    assert len(message) < 300, message
    assert asked == []
    assert_same(window_state(window), before)

    # The script's load_session: the same message, raised and shown; nothing changes.
    window.statusBar().clearMessage()
    with pytest.raises((ValueError, OSError)) as raised:
        window.load_session(bad)
    assert f"Could not open: {raised.value}" == message
    assert window.statusBar().currentMessage() == message
    assert_same(window_state(window), before)

    # Ctrl+S still writes the session the window had: the good file's.
    with qtbot.waitSignal(window.session_manager.sigSaveFinished) as finished:
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert finished.args == [str(good), ""]
    again = load_session(good)
    assert_same(again.points.X, saved.points.X)
    assert_same(again.points.labels, saved.points.labels)
    assert_same(again.points.is_test, saved.points.is_test)
    assert again.architecture == saved.architecture
    assert again.hyperparameters == saved.hyperparameters
    assert again.data_settings == saved.data_settings
    assert again.epoch == saved.epoch == 3
    assert_same(again.weights, saved.weights)
    assert_same(again.history, saved.history)

    out, err = capfd.readouterr()
    assert "Traceback" not in err, err
    assert err == "", err


# ----------------------------------------------------------------------------- random mutations

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, -1, 2**31, 2**40, 2**53 + 1])
    | st.floats()  # NaN and infinities included: json.dumps writes them as bare tokens
    | st.sampled_from([1e308, -1e308, 1e-320, 0.5])
    | st.text(max_size=6)
    | st.sampled_from(["adam", "sgd", "relu", "tanh", "nan", "$array", "trainer/0.npy"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
) | st.sampled_from([63, 64, 65, 500]).map(nested)
MEMBER_NAMES = [
    "",
    "extra.npy",
    "points/X.npy",
    "trainer/99.npy",
    "weights/W9.npy",
    "../outside.npy",
    "/absolute.npy",
    "SESSION.JSON",
    "history/loss.npy/",
]
METHODS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
ODD_FLOATS = [np.nan, np.inf, -np.inf, 1e308, -1.0, 2.0, 1e6 + 1, 2.0**31, 0.0]
ODD_INTEGERS = [-1, 2, 2**31, -(2**62)]
ODD_DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool", "complex128", "float16"]


def json_paths(value, prefix=()) -> list[tuple]:
    """Every path (keys and indices) into a JSON document, the root included."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += json_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += json_paths(item, (*prefix, index))
    return paths


def mutate_json(data: st.DataObject, raw: bytes) -> bytes:
    document = json.loads(raw)
    path = data.draw(st.sampled_from(json_paths(document)), label="path")
    action = data.draw(st.sampled_from(["replace", "delete", "add key"]), label="json action")
    if not path:
        document = data.draw(JSON_VALUES, label="new document")
    else:
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if action == "delete":
            del parent[last]
        elif action == "add key" and isinstance(parent[last], dict):
            parent[last][data.draw(st.text(max_size=6), label="key")] = data.draw(JSON_VALUES)
        else:
            parent[last] = data.draw(JSON_VALUES, label="new value")
    return json.dumps(document).encode()


def mutate_array(data: st.DataObject, raw: bytes) -> bytes:
    array = np.load(io.BytesIO(raw))
    action = data.draw(st.sampled_from(["value", "dtype", "shape", "bytes"]), label="array action")
    if action == "value" and array.size:
        flat = array.copy().reshape(-1)
        index = data.draw(st.integers(0, flat.size - 1), label="index")
        if flat.dtype.kind == "f":
            flat[index] = data.draw(st.sampled_from(ODD_FLOATS), label="value")
        elif flat.dtype.kind == "b":
            flat[index] = not flat[index]
        else:
            flat[index] = data.draw(st.sampled_from(ODD_INTEGERS), label="value")
        array = flat.reshape(array.shape)
    elif action == "dtype":
        dtype = data.draw(st.sampled_from(ODD_DTYPES), label="dtype")
        with np.errstate(all="ignore"):
            array = array.astype(dtype)
    elif action == "shape":
        shape = data.draw(st.sampled_from(["drop", "double", "flat", "add axis", "empty"]))
        array = {
            "drop": lambda a: a[:-1],
            "double": lambda a: np.concatenate([a, a]),
            "flat": lambda a: a.reshape(-1),
            "add axis": lambda a: a[None],
            "empty": lambda a: a[:0],
        }[shape](array)
    else:
        cut = data.draw(st.integers(0, len(raw)), label="cut")
        return raw[:cut] + data.draw(st.binary(max_size=8), label="tail")
    return npy_bytes(array)


def mutant_file(data: st.DataObject, good: Path, target: Path) -> None:
    """``good`` with one random mutation of a value, type, nesting, shape, member name or
    compression method, or one flipped byte of the archive."""
    with zipfile.ZipFile(good) as archive:
        members = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    methods = [zipfile.ZIP_DEFLATED] * len(members)
    kind = data.draw(
        st.sampled_from(["json", "array", "name", "drop", "extra", "method", "byte"]),
        label="mutation",
    )
    index = data.draw(st.integers(0, len(members) - 1), label="member")
    name, raw = members[index]
    if kind == "json":
        members[0] = (members[0][0], mutate_json(data, members[0][1]))
    elif kind == "array":
        index = max(index, 1)  # session.json is member 0
        name, raw = members[index]
        members[index] = (name, mutate_array(data, raw))
    elif kind == "name":
        members[index] = (data.draw(st.sampled_from(MEMBER_NAMES), label="new name"), raw)
    elif kind == "drop":
        del members[index], methods[index]
    elif kind == "extra":
        members.append((data.draw(st.sampled_from(MEMBER_NAMES), label="extra"), raw))
        methods.append(zipfile.ZIP_DEFLATED)
    elif kind == "method":
        methods[index] = data.draw(st.sampled_from(METHODS), label="method")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate member name is the point
        with zipfile.ZipFile(target, "w") as archive:
            for (member, content), method in zip(members, methods, strict=True):
                archive.writestr(zipfile.ZipInfo(member), content, compress_type=method)
    if kind == "byte":
        content = bytearray(target.read_bytes())
        position = data.draw(st.integers(0, len(content) - 1), label="byte")
        content[position] ^= data.draw(st.integers(1, 255), label="xor")
        target.write_bytes(bytes(content))


def assert_window_shows(window: MainWindow, session, path: Path) -> None:
    """The window shows exactly the session read from ``path``."""
    assert_same(window.points.X, session.points.X)
    assert_same(window.points.labels, session.points.labels)
    assert_same(window.points.is_test, session.points.is_test)
    assert window.architecture == session.architecture
    assert window.layerEditor.architecture() == session.architecture
    assert window.hyperparameters == session.hyperparameters
    assert window.trainingPanel.hyperparameters() == session.hyperparameters
    assert window.controller.document.data_settings == session.data_settings
    weights, trainer_state = window.worker.training_state()
    if session.trainer_state is not None:
        assert window.epoch == session.epoch
        assert window.epochLabel.text() == f"Epoch {session.epoch:,}"
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            assert trainer_state["history"][key] == session.history[key].tolist()
    if session.weights is not None:
        assert_same(window.worker.network_params(), session.weights)
    assert window.windowTitle() == f"{path.name}[*] — NN Playground"
    assert not window.isWindowModified()
    assert window.session_manager.current_path == path
    assert window.statusBar().currentMessage().startswith(f"Opened {path.name}: ")


def test_random_mutations_load_whole_or_change_nothing(qtbot, tmp_path, monkeypatch, capfd):
    good = tmp_path / "good.nnpg"
    window = saved_window(qtbot, good)
    mutant = tmp_path / "mutant.nnpg"
    monkeypatch.setattr(SessionManager, "_ask_open_path", lambda self: str(mutant))
    outcomes = {"loaded": 0, "refused": 0}

    @settings(max_examples=30, derandomize=True, deadline=None, database=None)
    @given(data=st.data())
    def check(data):
        mutant_file(data, good, mutant)
        try:
            expected = load_session(mutant)
        except (ValueError, OSError):
            expected = None
        before = window_state(window)
        window.statusBar().clearMessage()
        with qtbot.waitSignal(window.session_manager.sigOpenFinished, timeout=20_000):
            window.session_manager.openAction.trigger()
        if expected is not None:
            outcomes["loaded"] += 1
            assert_window_shows(window, expected, mutant)
            if window.controller.training_data_problem() is None:
                # Loaded completely: it trains on (the worker would report an error instead).
                epoch = window.epoch
                window.step()
                qtbot.waitUntil(lambda: window.epoch == epoch + 1, timeout=10_000)
            return
        outcomes["refused"] += 1
        message = window.statusBar().currentMessage()
        assert message.startswith(f"Could not open: {mutant.name}"), message
        assert len(message) < 400, message
        assert_same(window_state(window), before)

    check()
    assert outcomes["loaded"] and outcomes["refused"], outcomes
    _, err = capfd.readouterr()
    assert "Traceback" not in err, err
