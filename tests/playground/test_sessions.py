"""Session files from the window: round trip, bad files, the unsaved mark, questions, autosave.

Settings and the autosave directory are per test (tests/playground/conftest.py). The questions
(Save/Discard/Cancel, file dialogs) are replaced by answers set in each test.
"""

import io
import json
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

import playground.controller
import playground.worker
from playground import MainWindow, session_manager
from playground.session_manager import SessionManager
from playground.state import (
    FORMAT_VERSION,
    Architecture,
    DataSettings,
    Hyperparameters,
    load_session,
)

SMALL_DATA = DataSettings(
    generator="moons", n_points=60, noise=0.2, seed=4, test_ratio=0.25, show_test=False
)
SMALL_ARCHITECTURE = Architecture.from_units([6, 4], activation="tanh")
# Mini-batches, Adam and L2: the shuffling generator, the optimizer's moments and the penalty
# must all survive the file for training to continue identically.
SMALL_HYPERPARAMETERS = Hyperparameters(
    optimizer="adam",
    learning_rate=0.02,
    batch_size=16,
    regularization="l2",
    regularization_rate=0.001,
    init="xavier",
    seed=7,
    epochs_per_refresh=5,
)
Button = QMessageBox.StandardButton
CTRL = Qt.KeyboardModifier.ControlModifier
ANSWERS = [Button.Cancel, Button.Discard, Button.Save]
ANSWER_IDS = ["cancel", "discard", "save"]
# Before tests/playground/conftest.py replaces it with an automatic Discard.
REAL_ASK_SAVE_CHANGES = SessionManager._ask_save_changes


# ----------------------------------------------------------------------------- helpers


def show_active(qtbot, window):
    """Show ``window`` and wait until it is active (window shortcuts need an active window)."""
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


# The windows of the running test. qtbot only holds weak references: a shown window that
# the test no longer references could be collected (and deleted) while Qt paints it, between
# the end of the test and qtbot closing it.
_WINDOWS: list[MainWindow] = []


@pytest.fixture(autouse=True)
def keep_windows_until_closed():
    yield
    _WINDOWS.clear()  # qtbot has closed them by now


def new_window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)  # closed (thread stopped) after the test
    _WINDOWS.append(window)
    show_active(qtbot, window)
    return window


def prepared_window(qtbot):
    """A window with small data, a small network and the settings above, at epoch 0."""
    window = new_window(qtbot)
    window.set_data_settings(SMALL_DATA)
    window.push_edit(SMALL_DATA.generate())
    window.set_architecture(SMALL_ARCHITECTURE)
    window.set_hyperparameters(SMALL_HYPERPARAMETERS)
    return window


def step(qtbot, window, epochs):
    """Train exactly ``epochs`` epochs with the Step button."""
    target = window.epoch + epochs
    for _ in range(epochs):
        qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == target, timeout=10_000)


def click_data(qtbot, window, x, y):
    """Paint one point of the active class at data coordinates (x, y) with a real click."""
    plot = window.dataPlot
    position = plot.mapFromScene(plot.plotItem.vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=position)


def answer_questions(monkeypatch, answers, save_path=None, open_path=None):
    """Replace the questions: Save/Discard/Cancel pops ``answers``; dialogs return the paths.

    Returns the list of the current paths at each Save/Discard/Cancel question. When the
    answers run out (e.g. closing the windows after the test), the answer is Discard.
    """
    asked = []

    def ask_save_changes(self):
        asked.append(self.current_path)
        return answers.pop(0) if answers else Button.Discard

    monkeypatch.setattr(SessionManager, "_ask_save_changes", ask_save_changes)
    monkeypatch.setattr(SessionManager, "_ask_save_path", lambda self: save_path)
    monkeypatch.setattr(SessionManager, "_ask_open_path", lambda self: open_path)
    return asked


def curves(window):
    """The metric curves as plain arrays: epochs and the four metrics."""
    plotted = window.metricsPlots.curves
    result = {"epochs": np.asarray(plotted["loss"].xData)}
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        result[name] = np.asarray(plotted[name].yData)
    return result


def window_state(window):
    """Everything a failed open must leave alone, read exactly."""
    weights, trainer_state = window.worker.training_state()
    return {
        "X": window.points.X.copy(),
        "labels": window.points.labels.copy(),
        "is_test": window.points.is_test.copy(),
        "architecture": window.architecture.to_dict(),
        "hyperparameters": window.hyperparameters.to_dict(),
        "epoch": window.epoch,
        "weights": weights,
        "history": None if trainer_state is None else trainer_state["history"],
        "curves": curves(window),
        "title": window.windowTitle(),
        "modified": window.isWindowModified(),
        "undo_index": window.undo_stack.index(),
        "current_path": window.session_manager.current_path,
    }


def assert_same(a, b):
    """Exact equality, arrays bit for bit."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    else:
        assert a == b


def rezip(source: Path, target: Path, change) -> Path:
    """Copy the session zip ``source`` to ``target``, ``change(name, data) -> data`` per member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))
    return target


# ----------------------------------------------------------------------------- round trip


def test_round_trip_restores_everything_and_training_continues_identically(qtbot, tmp_path):
    original = prepared_window(qtbot)
    step(qtbot, original, 5)
    saved_weights, saved_state = original.worker.training_state()
    saved_curves = curves(original)
    saved_view = original.dataPlot.view_rect()
    path = tmp_path / "run.nnpg"
    original.save_session(path)
    assert original.windowTitle() == "run.nnpg[*] — NN Playground"
    assert not original.isWindowModified()

    # The uninterrupted run goes on for 4 more epochs.
    step(qtbot, original, 4)
    # Training a saved run further is not an edit (no "*"), but closing would lose it: the
    # title says so and the session counts as modified.
    assert not original.isWindowModified()
    assert original.session_manager.is_modified
    assert original.windowTitle() == (
        "run.nnpg[*] (trained past the save at epoch 5) — NN Playground"
    )

    restored = new_window(qtbot)
    restored.load_session(path)
    points, expected = restored.points, original.points
    assert_same(points.X, expected.X)
    assert_same(points.labels, expected.labels)
    assert_same(points.is_test, expected.is_test)
    assert restored.architecture == SMALL_ARCHITECTURE
    assert restored.hyperparameters == SMALL_HYPERPARAMETERS
    assert restored.trainingPanel.hyperparameters() == SMALL_HYPERPARAMETERS
    assert restored.layerEditor.architecture() == SMALL_ARCHITECTURE
    assert restored.dataPanel.settings() == SMALL_DATA
    assert not restored.showTestAction.isChecked()
    assert restored.epoch == 5
    assert restored.epochLabel.text() == "Epoch 5"
    weights, state = restored.worker.training_state()
    assert_same(weights, saved_weights)
    assert_same(state, saved_state)  # optimizer moments, shuffling generator, history
    # The curves come back with the worker's first snapshot of the restored run.
    qtbot.waitUntil(lambda: restored.metricsPlots.curves["loss"].xData is not None)
    assert_same(curves(restored), saved_curves)
    assert restored.trainLossLabel.text() == f"{saved_curves['loss'][-1]:.4f}"
    assert restored.dataPlot.view_rect() == pytest.approx(saved_view, rel=1e-9)
    assert restored.trainButton.text() == "Train"  # paused
    assert restored.windowTitle() == "run.nnpg[*] — NN Playground"
    assert not restored.isWindowModified()
    assert restored.undo_stack.count() == 0

    # Train continues where the saved run stopped: the same 4 epochs, bit for bit.
    step(qtbot, restored, 4)
    assert_same(restored.worker.training_state(), original.worker.training_state())
    assert_same(curves(restored), curves(original))


def test_an_opened_run_is_restored_once_the_window_has_drawn_it(qtbot, tmp_path, monkeypatch):
    # The worker rebuilds the trainer (its history can be long) only after the window has
    # drawn the opened session; nothing but that draw may let it go ahead here (no call).
    monkeypatch.setattr(playground.worker, "RESTORE_WAITS_FOR_DRAW_SECONDS", 60.0)
    original = prepared_window(qtbot)
    step(qtbot, original, 3)
    saved_curves = curves(original)
    path = tmp_path / "run.nnpg"
    original.save_session(path)

    restored = new_window(qtbot)
    restored.load_session(path)
    qtbot.waitUntil(lambda: restored.metricsPlots.curves["loss"].xData is not None, timeout=5_000)
    assert_same(curves(restored), saved_curves)


def test_continuous_training_after_open_matches_the_uninterrupted_run(qtbot, tmp_path):
    original = prepared_window(qtbot)
    step(qtbot, original, 3)
    path = tmp_path / "run.nnpg"
    original.save_session(path)
    step(qtbot, original, 6)

    restored = new_window(qtbot)
    restored.load_session(path)
    show_active(qtbot, restored)
    qtbot.keyClick(restored, Qt.Key.Key_Space)  # Train
    assert restored.trainButton.text() == "Pause"
    qtbot.waitUntil(lambda: restored.epoch >= 9, timeout=10_000)
    qtbot.keyClick(restored, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: restored.speedLabel.text() == "paused", timeout=10_000)
    history = restored.worker.training_state()[1]["history"]
    expected = original.worker.training_state()[1]["history"]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert history[key][:9] == expected[key]


def test_an_untrained_session_round_trips_at_epoch_zero(qtbot, tmp_path):
    original = prepared_window(qtbot)
    path = tmp_path / "fresh.nnpg"
    original.save_session(path)
    restored = new_window(qtbot)
    restored.load_session(path)
    assert restored.epoch == 0
    assert_same(restored.worker.network_params(), original.worker.network_params())
    step(qtbot, original, 2)
    step(qtbot, restored, 2)
    assert_same(restored.worker.training_state(), original.worker.training_state())


def test_opening_while_training_stops_at_the_saved_state(qtbot, tmp_path):
    saved = prepared_window(qtbot)
    step(qtbot, saved, 3)
    path = tmp_path / "run.nnpg"
    saved.save_session(path)
    window = prepared_window(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.epoch >= 20, timeout=10_000)

    window.load_session(path)

    assert window.trainButton.text() == "Train"
    qtbot.waitUntil(lambda: window.speedLabel.text() == "paused", timeout=10_000)
    assert window.epoch == 3
    assert_same(window.worker.training_state(), saved.worker.training_state())
    assert_same(curves(window), curves(saved))


# ----------------------------------------------------------------------------- bad files


def make_good_file(qtbot, path):
    """Save a window trained 2 epochs to ``path``; returns the window."""
    window = prepared_window(qtbot)
    step(qtbot, window, 2)
    window.save_session(path)
    return window


def set_version(name, data):
    if name != "session.json":
        return data
    document = json.loads(data)
    document["format_version"] = FORMAT_VERSION + 1
    return json.dumps(document).encode()


def nan_weights(name, data):
    if name != "weights/W0.npy":
        return data
    array = np.load(io.BytesIO(data))
    array[0, 0] = np.nan
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def make_bad_file(kind: str, good: Path, directory: Path) -> tuple[Path, str]:
    """Write a bad file of ``kind`` and return it with the message load_session must give."""
    path = directory / f"{kind}.nnpg"
    if kind == "garbage":
        path.write_bytes(b"\x00\x13garbage, not a session\n" * 40)
        return path, f"{path.name} is not an NN Playground session file (not a zip archive)."
    if kind == "empty":
        path.write_bytes(b"")
        return path, f"{path.name} is empty: it is not an NN Playground session file."
    if kind == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        return path, f"{path.name} is damaged or truncated: its zip directory is missing."
    if kind == "newer":
        rezip(good, path, set_version)
        return path, (
            f"{path.name} was written by a newer NN Playground (format {FORMAT_VERSION + 1}); "
            f"this version reads format {FORMAT_VERSION}."
        )
    if kind == "foreign":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        return path, (
            f"{path.name} is not an NN Playground session file "
            "(a zip archive without session.json)."
        )
    if kind == "nan-weights":
        rezip(good, path, nan_weights)
        return path, (
            f"{path.name}: weights of layer 0: W must contain only finite numbers, got NaN or inf."
        )
    raise AssertionError(kind)


BAD_KINDS = ["garbage", "empty", "truncated", "newer", "foreign", "nan-weights"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_a_bad_file_raises_a_clear_error_and_changes_nothing(qtbot, tmp_path, kind):
    good = tmp_path / "good.nnpg"
    window = make_good_file(qtbot, good)
    click_data(qtbot, window, 0.5, 0.5)  # an unsaved change, so the mark must stay too
    before = window_state(window)
    assert before["modified"] and before["title"] == "good.nnpg[*] — NN Playground"
    bad, message = make_bad_file(kind, good, tmp_path)

    with pytest.raises(ValueError) as raised:
        window.load_session(bad)
    assert str(raised.value) == message
    assert_same(window_state(window), before)
    assert window.session_manager.recent_files() == [str(good)]


def test_a_missing_file_raises_oserror_and_changes_nothing(qtbot, tmp_path):
    window = prepared_window(qtbot)
    step(qtbot, window, 1)
    before = window_state(window)
    with pytest.raises(FileNotFoundError):
        window.load_session(tmp_path / "nowhere.nnpg")
    assert_same(window_state(window), before)


@pytest.mark.parametrize("kind", ["garbage", "newer"])
def test_open_from_the_menu_shows_the_message_in_the_window(qtbot, tmp_path, monkeypatch, kind):
    good = tmp_path / "good.nnpg"
    window = make_good_file(qtbot, good)
    bad, message = make_bad_file(kind, good, tmp_path)
    asked = answer_questions(monkeypatch, [], open_path=str(bad))
    before = window_state(window)

    with qtbot.waitSignal(window.session_manager.sigOpenFinished) as opened:
        qtbot.keyClick(window, Qt.Key.Key_O, CTRL)  # read on the reader thread

    assert opened.args[1] == message
    assert window.statusBar().currentMessage() == f"Could not open: {message}"
    assert asked == []  # a bad file is refused before any question
    assert_same(window_state(window), before)


def test_open_from_the_menu_loads_a_good_file(qtbot, tmp_path, monkeypatch):
    good = tmp_path / "good.nnpg"
    saved = make_good_file(qtbot, good)
    window = new_window(qtbot)
    answer_questions(monkeypatch, [], open_path=str(good))
    with qtbot.waitSignal(window.session_manager.sigOpenFinished) as opened:
        window.session_manager.openAction.trigger()
        assert window.statusBar().currentMessage() == "Opening good.nnpg…"
    assert opened.args == [str(good), ""]
    assert window.epoch == 2
    assert window.windowTitle() == "good.nnpg[*] — NN Playground"
    assert window.statusBar().currentMessage() == (
        "Opened good.nnpg: 60 points, epoch 2, paused. Train (Space) continues."
    )
    assert_same(window.worker.network_params(), saved.worker.network_params())


# ----------------------------------------------------------------------------- unsaved changes


def test_the_unsaved_mark_follows_edits_saves_and_undo(qtbot, tmp_path, monkeypatch):
    window = new_window(qtbot)
    assert window.windowTitle() == "Untitled[*] — NN Playground"
    assert not window.isWindowModified()

    count = len(window.points)
    click_data(qtbot, window, 0.0, 0.0)
    assert len(window.points) == count + 1
    assert window.isWindowModified()

    path = tmp_path / "painted.nnpg"
    answer_questions(monkeypatch, [], save_path=str(path))
    with qtbot.waitSignal(window.session_manager.sigSaveFinished) as saved:
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)  # untitled: Save asks where
    assert saved.args == [str(path), ""]
    assert path.is_file()
    assert len(load_session(path).points) == count + 1
    assert window.windowTitle() == "painted.nnpg[*] — NN Playground"
    assert not window.isWindowModified()

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # undo the painted point
    assert window.isWindowModified()
    qtbot.keyClick(window, Qt.Key.Key_Y, CTRL)  # redo: back at the saved state
    assert not window.isWindowModified()

    window.trainingPanel.learningRateSpin.stepBy(1)  # a hyperparameter change
    assert window.isWindowModified()
    with qtbot.waitSignal(window.session_manager.sigSaveFinished):
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)  # titled: Save writes the same file
    assert not window.isWindowModified()
    assert load_session(path).hyperparameters == window.hyperparameters

    step(qtbot, window, 1)  # training progress of a saved file: not an edit, but a change
    assert not window.isWindowModified()
    assert window.session_manager.is_modified
    assert "trained past the save at epoch 0" in window.windowTitle()


def test_save_as_writes_a_new_file_and_retitles(qtbot, tmp_path, monkeypatch):
    window = new_window(qtbot)
    first, second = tmp_path / "first.nnpg", tmp_path / "second.nnpg"
    window.save_session(first)
    answer_questions(monkeypatch, [], save_path=str(second))
    with qtbot.waitSignal(window.session_manager.sigSaveFinished):
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert second.is_file()
    assert window.windowTitle() == "second.nnpg[*] — NN Playground"
    assert window.session_manager.current_path == second


def test_a_failed_save_says_so_and_keeps_the_mark(qtbot, tmp_path, monkeypatch):
    window = new_window(qtbot)
    click_data(qtbot, window, 0.0, 0.0)
    target = tmp_path / "missing-directory" / "x.nnpg"
    answer_questions(monkeypatch, [], save_path=str(target))
    with qtbot.waitSignal(window.session_manager.sigSaveFinished) as finished:
        window.session_manager.saveAction.trigger()
    assert finished.args[1].startswith("x.nnpg: No such file or directory")
    assert not target.exists()
    assert window.statusBar().currentMessage().startswith("Could not save: x.nnpg: ")
    assert window.isWindowModified()
    assert window.windowTitle() == "Untitled[*] — NN Playground"


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_new_with_unsaved_changes_asks(qtbot, tmp_path, monkeypatch, answer):
    window = prepared_window(qtbot)
    step(qtbot, window, 2)
    path = tmp_path / "kept.nnpg"
    asked = answer_questions(monkeypatch, [answer], save_path=str(path))
    before = window_state(window)

    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)

    assert asked == [None]
    if answer == Button.Cancel:
        assert_same(window_state(window), before)
        assert not path.exists()
        return
    # The default session: 300 generated points, epoch 0, untitled and unmodified.
    assert len(window.points) == 300
    assert window.epoch == 0
    assert window.metricsPlots.curves["loss"].xData is None or not len(
        window.metricsPlots.curves["loss"].xData
    )
    assert window.windowTitle() == "Untitled[*] — NN Playground"
    assert not window.isWindowModified()
    assert window.undo_stack.count() == 0
    if answer == Button.Save:
        saved = load_session(path)
        assert saved.epoch == 2 and len(saved.points) == 60
    else:
        assert not path.exists()


def test_reset_marks_a_change_only_after_training(qtbot, monkeypatch):
    window = new_window(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_R)  # epoch 0: the same seeded weights again
    assert not window.isWindowModified()
    step(qtbot, window, 1)
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert window.epoch == 0
    assert not window.isWindowModified()  # back at the saved (initial) state
    window.set_architecture(Architecture.from_units([3], activation="relu"))
    assert window.isWindowModified()


def test_new_without_changes_does_not_ask(qtbot, monkeypatch):
    window = new_window(qtbot)
    asked = answer_questions(monkeypatch, [])
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert asked == []
    assert window.statusBar().currentMessage().startswith("New session")


def test_open_with_unsaved_changes_asks_and_cancel_keeps_everything(qtbot, tmp_path, monkeypatch):
    good = tmp_path / "good.nnpg"
    saved = make_good_file(qtbot, good)
    window = new_window(qtbot)
    click_data(qtbot, window, 0.0, 0.0)
    answers = [Button.Cancel, Button.Discard]
    asked = answer_questions(monkeypatch, answers, open_path=str(good))
    before = window_state(window)
    with qtbot.waitSignal(window.session_manager.sigOpenFinished) as opened:
        window.session_manager.openAction.trigger()
    assert opened.args == [str(good), "cancelled"]
    assert asked == [None]
    assert_same(window_state(window), before)
    with qtbot.waitSignal(window.session_manager.sigOpenFinished):
        window.session_manager.openAction.trigger()  # now Discard
    assert window.epoch == 2
    assert_same(window.worker.network_params(), saved.worker.network_params())
    assert window.session_manager.current_path == good


@pytest.mark.parametrize("answer", ANSWERS, ids=ANSWER_IDS)
def test_closing_with_unsaved_changes_asks(qtbot, tmp_path, monkeypatch, answer):
    window = new_window(qtbot)
    path = tmp_path / "mine.nnpg"
    window.save_session(path)
    click_data(qtbot, window, 0.0, 0.0)
    count = len(window.points)
    answers = [answer]
    asked = answer_questions(monkeypatch, answers)

    window.close()

    assert asked == [path]
    if answer == Button.Cancel:
        assert window.isVisible()
        assert window.training_thread.isRunning()
        assert window.isWindowModified()
        return  # the teardown closes it (no answers left: Discard)
    assert not window.isVisible()
    assert not window.training_thread.isRunning()
    assert len(load_session(path).points) == (count if answer == Button.Save else count - 1)


def test_without_a_display_closing_discards_instead_of_asking(qtbot, monkeypatch):
    # Tests, benchmarks and screenshots run on the offscreen platform, where a modal question
    # could never be answered.
    assert QApplication.platformName() == "offscreen"
    monkeypatch.setattr(SessionManager, "_ask_save_changes", REAL_ASK_SAVE_CHANGES)
    window = new_window(qtbot)
    click_data(qtbot, window, 0.0, 0.0)
    assert window.session_manager._ask_save_changes() == Button.Discard
    window.close()
    assert not window.isVisible()


# ----------------------------------------------------------------------------- autosave


@pytest.fixture
def fast_autosave(monkeypatch):
    monkeypatch.setattr(session_manager, "AUTOSAVE_INTERVAL_MS", 20)


def test_autosave_writes_unsaved_changes_and_a_clean_exit_removes_them(qtbot, fast_autosave):
    window = new_window(qtbot)
    manager = window.session_manager
    autosave = manager.autosave_path()
    assert autosave.parent.name == "autosave"
    lock = autosave.with_suffix(".lock")
    assert lock.is_file()  # held while the window lives
    with qtbot.waitSignal(manager._autosave_timer.timeout):
        pass
    assert not autosave.exists()  # nothing unsaved, nothing written

    click_data(qtbot, window, 0.0, 0.0)
    with qtbot.waitSignal(manager.sigAutosaved, timeout=5_000) as done:
        pass
    assert done.args == [""]
    assert len(load_session(autosave).points) == len(window.points)
    assert window.isWindowModified()  # an autosave is not a save

    window.close()
    assert not autosave.exists()
    assert not lock.exists()


def test_saving_removes_the_autosave(qtbot, tmp_path, fast_autosave):
    window = new_window(qtbot)
    click_data(qtbot, window, 0.0, 0.0)
    autosave = window.session_manager.autosave_path()
    qtbot.waitUntil(autosave.is_file, timeout=5_000)
    window.save_session(tmp_path / "x.nnpg")
    assert not autosave.exists()


def test_a_running_windows_autosave_is_never_offered_and_closing_one_keeps_the_other(
    qtbot, fast_autosave
):
    first = new_window(qtbot)
    click_data(qtbot, first, 0.0, 0.0)
    assert first.session_manager.autosave()
    second = new_window(qtbot)
    assert second.session_manager.restoreBar.isHidden()  # the first one is alive
    assert second.session_manager.autosave_path() != first.session_manager.autosave_path()
    click_data(qtbot, second, 0.5, 0.5)
    assert second.session_manager.autosave()
    second.close()
    assert first.session_manager.autosave_path().is_file()  # untouched by the other's exit
    assert not second.session_manager.autosave_path().exists()


CRASHING_SCRIPT = """
import os, signal, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication
QStandardPaths.setTestModeEnabled(True)
app = QApplication([])
from playground import session_manager
session_manager.app_data_directory = lambda: Path(sys.argv[1])
from playground import MainWindow
from playground.state import Architecture
window = MainWindow()
window.set_architecture(Architecture.from_units([5], activation="relu"))
window.step()
while window.epoch < 1:
    app.processEvents()
assert window.session_manager.autosave()
print(window.session_manager.autosave_path(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # a real crash: no clean exit, the lock file stays
"""


def test_after_a_real_crash_the_next_start_offers_exactly_its_autosave(
    qtbot, isolated_settings_and_data
):
    import subprocess
    import sys

    data = isolated_settings_and_data / "data"
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_SCRIPT, str(data)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == -9, result.stderr
    crashed_autosave = Path(result.stdout.strip())
    assert crashed_autosave.is_file() and crashed_autosave.with_suffix(".lock").is_file()
    expected = load_session(crashed_autosave)

    window = new_window(qtbot)
    manager = window.session_manager
    assert manager.restoreBar.isVisible()
    assert "did not close properly" in manager.restoreLabel.text()
    assert manager.recovered_path().is_file() and not crashed_autosave.exists()
    assert len(window.points) == 300  # nothing restored until asked
    later = new_window(qtbot)  # a third instance: the offer belongs to the second one
    assert later.session_manager.restoreBar.isHidden()

    qtbot.mouseClick(manager.restoreButton, Qt.MouseButton.LeftButton)

    assert not manager.restoreBar.isVisible()
    assert window.architecture == Architecture.from_units([5], activation="relu")
    assert window.epoch == expected.epoch == 1
    assert_same(window.worker.training_state()[0], expected.weights)
    assert window.windowTitle() == "Untitled[*] — NN Playground"
    assert window.isWindowModified()  # restored, not yet saved anywhere
    assert not manager.recovered_path().exists()
    assert manager.autosave_path().is_file()  # it is this window's autosave now


def test_discarding_the_offer_deletes_the_recovered_session(qtbot, isolated_settings_and_data):
    import subprocess
    import sys

    data = isolated_settings_and_data / "data"
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_SCRIPT, str(data)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == -9, result.stderr
    window = new_window(qtbot)
    manager = window.session_manager
    assert manager.restoreBar.isVisible()
    qtbot.mouseClick(manager.discardRecoveredButton, Qt.MouseButton.LeftButton)
    assert not manager.restoreBar.isVisible()
    assert not manager.recovered_path().exists()
    assert len(window.points) == 300
    window.close()
    later = new_window(qtbot)
    assert later.session_manager.restoreBar.isHidden()


def test_no_offer_after_a_clean_exit(qtbot, fast_autosave):
    window = new_window(qtbot)
    click_data(qtbot, window, 0.0, 0.0)
    qtbot.waitUntil(window.session_manager.autosave_path().is_file, timeout=5_000)
    window.close()
    later = new_window(qtbot)
    assert later.session_manager.restoreBar.isHidden()


# ----------------------------------------------------------------------------- recent files


def test_recent_files_update_persist_and_open(qtbot, tmp_path):
    window = new_window(qtbot)
    manager = window.session_manager
    a, b = tmp_path / "a.nnpg", tmp_path / "b.nnpg"
    window.save_session(a)
    window.save_session(b)
    assert manager.recent_files() == [str(b), str(a)]
    window.load_session(a)
    assert manager.recent_files() == [str(a), str(b)]

    second_window = new_window(qtbot)
    other = second_window.session_manager  # the list is shared through the settings
    assert other.recent_files() == [str(a), str(b)]
    other.recentMenu.aboutToShow.emit()
    entries = other.recentMenu.actions()
    assert [action.text() for action in entries] == ["&1 a.nnpg", "&2 b.nnpg", "", "&Clear Recent"]
    assert entries[1].toolTip() == str(b)
    with qtbot.waitSignal(other.sigOpenFinished):
        entries[1].trigger()
    assert other.current_path == b
    assert other.recent_files() == [str(b), str(a)]


def test_recent_files_keep_the_newest_eight_and_can_be_cleared(qtbot, tmp_path):
    window = new_window(qtbot)
    manager = window.session_manager
    paths = [tmp_path / f"s{i}.nnpg" for i in range(10)]
    for path in paths:
        window.save_session(path)
    assert manager.recent_files() == [str(p) for p in reversed(paths)][:8]
    manager.recentMenu.aboutToShow.emit()
    assert len(manager.recentMenu.actions()) == 8 + 2
    manager.clearRecentAction.trigger()
    assert manager.recent_files() == []
    entries = manager.recentMenu.actions()
    assert [action.text() for action in entries] == ["No recent sessions", "", "&Clear Recent"]
    assert not entries[0].isEnabled() and not manager.clearRecentAction.isEnabled()


def test_a_recent_file_that_is_gone_is_reported_and_forgotten(qtbot, tmp_path):
    window = new_window(qtbot)
    manager = window.session_manager
    gone, kept = tmp_path / "gone.nnpg", tmp_path / "kept.nnpg"
    window.save_session(kept)
    window.save_session(gone)
    gone.unlink()
    manager.recentMenu.aboutToShow.emit()
    with qtbot.waitSignal(manager.sigOpenFinished):
        manager.recentMenu.actions()[0].trigger()
    assert window.statusBar().currentMessage() == (
        "Could not open: gone.nnpg: No such file or directory."
    )
    assert manager.recent_files() == [str(kept)]


def test_the_file_menu_lists_the_session_entries_with_their_shortcuts(qtbot):
    window = new_window(qtbot)
    manager = window.session_manager
    entries = window.fileMenu.actions()
    assert [action.text() for action in entries[:6]] == [
        "&New",
        "&Open…",
        "Open &Recent",
        "&Save",
        "Save &As…",
        "",
    ]
    assert entries[2].menu() is manager.recentMenu
    assert entries[-1] is window.quitAction
    shortcuts = {
        manager.newAction: "Ctrl+N",
        manager.openAction: "Ctrl+O",
        manager.saveAction: "Ctrl+S",
        manager.saveAsAction: "Ctrl+Shift+S",
    }
    for action, keys in shortcuts.items():
        assert action.shortcut().toString() == keys


def test_an_interactive_save_checks_the_captured_session_off_the_gui_thread(qtbot, monkeypatch):
    # A Session checks everything it holds (0.25 s for a 300,000-epoch history): a save or
    # autosave from the menu must not do that in the GUI thread.
    window = prepared_window(qtbot)
    step(qtbot, window, 3)
    built_in = []
    build = playground.controller.build_session

    def recording_build(*args):
        built_in.append(threading.current_thread())
        return build(*args)

    monkeypatch.setattr(playground.controller, "build_session", recording_build)
    delivered = []
    window.controller.capture_session_async(lambda session, problem: delivered.append(session))
    qtbot.waitUntil(lambda: bool(delivered), timeout=10_000)
    assert built_in and built_in[0] is not threading.main_thread()
    session = delivered[0]
    assert session.epoch == 3 and len(session.history["loss"]) == 3
    assert_same(session.weights, window.worker.training_state()[0])
