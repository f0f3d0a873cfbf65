"""Sessions: the File menu's session actions, the title, autosave and settings of a window.

:class:`SessionManager` talks to the :class:`~playground.controller.Controller` (the document,
the undo stack, the worker) and to a plain ``QMainWindow`` for its title, menus and status line:

- the session actions of the File menu (New, Open…, Save, Save As…, Open Recent) and the
  questions they ask (Save/Discard/Cancel, file dialogs), each behind a small method that tests
  replace (``_ask_save_changes``, ``_ask_open_path``, ``_ask_save_path``);
- the title: the file name (or "Untitled") with Qt's unsaved-changes mark ``[*]``, which
  compares the document with the one last saved or opened (points, data, network, settings and
  which run), never events. Training alone is not an edit: for an Untitled session it changes
  nothing; for a saved file whose run it trains further, the title says so ("trained past the
  save") and closing asks before the training is lost;
- saving from the menu and autosaving never block the window: the worker hands over its state
  between two mini-batches (interrupting a long step, which is trained again), and the file is
  encoded and written on a background thread
  (``concurrent.futures``); ``save(path)``/``load(path)`` stay synchronous for scripts;
- one autosave per running window: ``autosave/<id>.nnpg`` in the app's data directory, next to
  a ``QLockFile`` ``autosave/<id>.lock`` held while the window lives. A start that finds an
  autosave whose lock nobody holds (its process crashed) claims it as ``recovered-<id>.nnpg``
  and offers it in a bar inside the window (never a dialog); a running instance's autosave is
  never offered, and closing a window touches only its own files. At start, the temporary
  files that killed saves left behind are removed there and in the last directory used;
- QSettings: window geometry and state, the splitter, the last directory, the recent files and
  the last preset (``presets/last``, set through :meth:`SessionManager.remember_preset`).

The session file format itself lives in the Qt-free :mod:`playground.state.session`.
"""

import contextlib
import os
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QByteArray,
    QDateTime,
    QDir,
    QLockFile,
    QObject,
    QSettings,
    QStandardPaths,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.controller import Controller
from playground.state import (
    SESSION_EXTENSION,
    Session,
    load_session,
    remove_stale_temporary_files,
    save_session,
)
from playground.state.document import DataSource

# Tests shorten it (set it before creating the window).
AUTOSAVE_INTERVAL_MS = 60_000
AUTOSAVE_DIRECTORY = "autosave"
RECOVERED_PREFIX = "recovered-"
MAX_RECENT_FILES = 8
UNTITLED = "Untitled"
APP_TITLE = "NN Playground"
SETTINGS_ORGANIZATION = "NN Playground"
SETTINGS_APPLICATION = "NN Playground"
FILE_FILTER = f"NN Playground sessions (*{SESSION_EXTENSION});;All files (*)"
# No one can answer a modal dialog on these platforms (tests, benchmarks, screenshots): a
# question there would block forever, so unsaved changes are discarded without asking.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal"})

KEY_GEOMETRY = "window/geometry"
KEY_WINDOW_STATE = "window/state"
KEY_SPLITTER = "window/splitter"
KEY_LAST_DIRECTORY = "files/last_directory"
KEY_RECENT_FILES = "files/recent"
KEY_LAST_PRESET = "presets/last"


def open_settings() -> QSettings:
    """The playground's settings: an INI file in the user's configuration directory."""
    return QSettings(
        QSettings.Format.IniFormat,
        QSettings.Scope.UserScope,
        SETTINGS_ORGANIZATION,
        SETTINGS_APPLICATION,
    )


def app_data_directory() -> Path:
    """Where the autosaves live (QStandardPaths.AppDataLocation); may not exist yet."""
    location = QStandardPaths.StandardLocation.AppDataLocation
    return Path(QStandardPaths.writableLocation(location))


def _string_list(value: object) -> list[str]:
    """A QSettings list value as a list of str (INI files return one item as a plain str)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(item) for item in value]


def _error_text(error: BaseException, path: Path | None = None) -> str:
    """An exception as a sentence for the status line (no traceback, no errno noise), naming
    the user's file ``path`` rather than any temporary file."""
    if isinstance(error, OSError) and error.strerror:
        name = (
            path.name
            if path is not None
            else (Path(error.filename).name if error.filename else "the file")
        )
        return f"{name}: {error.strerror}."
    text = str(error) or type(error).__name__
    return text if text.endswith(".") else f"{text}."


def _read_session(path: Path) -> Session:
    """``load_session(path)``; any exception other than OSError becomes a ValueError naming
    the file (load_session promises none, but a file must never crash the window)."""
    try:
        return load_session(path)
    except (ValueError, OSError):
        raise
    except Exception as error:
        raise ValueError(f"{path.name} cannot be opened: {type(error).__name__}.") from None


class _Baseline:
    """What the session was when last saved, opened or started: to tell unsaved changes."""

    def __init__(self, controller: Controller):
        document = controller.document
        self.content = document.content_signature()
        self.run_id = document.run_id
        self.epoch = document.epoch
        self.parameter_revision = document.parameter_revision


class SessionManager(QObject):
    """The File menu's session actions, the unsaved-changes mark, autosave and settings.

    Created by the window once it is built, as ``window.session_manager``. It never opens a
    dialog while being created.

    Parameters
    ----------
    controller : Controller
        The document, undo stack and worker of the window.
    window : QMainWindow
        Has ``fileMenu`` and ``mainSplitter``; gets the title and status messages.

    Attributes
    ----------
    newAction, openAction, saveAction, saveAsAction, clearRecentAction : QAction
    recentMenu : QMenu
        "Open Recent": up to MAX_RECENT_FILES sessions, newest first, and "Clear Recent".
    restoreBar : QFrame
        The bar offering a session recovered after a crash (hidden otherwise), with
        ``restoreButton`` and ``discardRecoveredButton``.
    sigSaveFinished : Signal(str, str)
        A save from the menu ended: the file's path and "" (saved) or the error message.
    sigOpenFinished : Signal(str, str)
        An open from the menu (Open…, Open Recent) ended: the file's path and "" (opened),
        "cancelled" (the user kept the current session) or the error message.
    sigAutosaved : Signal(str)
        The timer's autosave ended: "" (written) or the error message.
    """

    sigSaveFinished = Signal(str, str)
    sigOpenFinished = Signal(str, str)
    sigAutosaved = Signal(str)

    def __init__(self, controller: Controller, window: QMainWindow):
        super().__init__(window)
        self._controller = controller
        self._window = window
        self._path: Path | None = None
        self._baseline = _Baseline(controller)
        self._restored_unsaved = False  # a recovered session counts as unsaved until saved
        self._generation = 0  # counts changes, so the autosave only writes new ones
        self._autosaved_generation = 0
        self._last_seen = self._observed_state()
        self._closing = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-writer")
        # Opening reads and checks the file here: a big session takes a fraction of a second.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-reader")
        self._writes: list[Future] = []
        self._interactive_save: Path | None = None  # a menu save waiting for the worker
        self._instance_id = uuid.uuid4().hex
        self._lock: QLockFile | None = None
        self._recovered: Path | None = None

        self._build_actions()
        self._build_restore_bar()
        controller.document.subscribe(self._on_document_changed)
        controller.undo_stack.cleanChanged.connect(self._on_state_changed)
        controller.undo_stack.indexChanged.connect(self._on_state_changed)

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setObjectName("autosaveTimer")
        self._autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._autosave_timer.timeout.connect(self._on_autosave_timer)
        self._autosave_timer.start()

        self._restore_window_settings()
        self._take_autosave_lock()
        self._remove_stale_temporary_files()
        self._offer_recovered_session()
        self._update_title()

    # -- public API -------------------------------------------------------------------------------

    @property
    def current_path(self) -> Path | None:
        """The file the session was last opened from or saved to; None while Untitled."""
        return self._path

    @property
    def is_modified(self) -> bool:
        """Whether closing would lose something: an edit of the document since it was
        opened, saved or started, another run, or (for a saved file) training since."""
        return self.is_edited or self.trained_since_save

    @property
    def is_edited(self) -> bool:
        """The document differs from the saved one (what the title's ``*`` shows)."""
        document = self._controller.document
        baseline = self._baseline
        other_run = document.run_id != baseline.run_id and (document.epoch or baseline.epoch)
        edited_weights = (
            document.run_id == baseline.run_id
            and document.parameter_revision != baseline.parameter_revision
        )
        return bool(
            self._restored_unsaved
            or document.content_signature() != baseline.content
            or other_run
            or edited_weights
        )

    @property
    def trained_since_save(self) -> bool:
        """A saved file's run has trained past the saved epoch (Untitled: always False)."""
        document = self._controller.document
        return (
            self._path is not None
            and document.run_id == self._baseline.run_id
            and document.epoch != self._baseline.epoch
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write the current session to ``path`` (atomically), waiting for the current epoch
        to end; it becomes the current file.

        Raises
        ------
        OSError
            If the file cannot be written (the previous file, if any, is then intact).
        RuntimeError
            If the training thread has stopped (the window is closed).

        The status line shows the error's message too.
        """
        path = Path(path)
        baseline = _Baseline(self._controller)
        try:
            session = self._controller.capture_session()
            baseline.epoch = session.epoch
            save_session(path, session)
        except (OSError, RuntimeError, ValueError) as error:
            self._status(f"Could not save: {_error_text(error, path)}")
            raise
        self._saved(path, session, baseline)

    def load(self, path: str | os.PathLike) -> None:
        """Open the session file ``path``: its exact state, paused; no question asked.

        Raises
        ------
        ValueError, OSError
            If the file is not a valid session or cannot be read; nothing changes then but
            the status line, which shows the message too.
        """
        path = Path(path)
        try:
            session = _read_session(path)
        except (ValueError, OSError) as error:
            self._status(f"Could not open: {_error_text(error, path)}")
            raise
        self._apply(session, path)

    def new(self) -> None:
        """Start over with the default data, network and settings (untrained, Untitled)."""
        self._controller.new_document()
        self._mark_saved(None)
        self._status("New session: press Train (Space), or paint points.")

    def recent_files(self) -> list[str]:
        """The recently opened or saved session files, newest first (absolute paths)."""
        return _string_list(open_settings().value(KEY_RECENT_FILES))[:MAX_RECENT_FILES]

    def clear_recent_files(self) -> None:
        """Forget the recent files."""
        open_settings().remove(KEY_RECENT_FILES)
        self._rebuild_recent_menu()

    def remember_preset(self, name: str) -> None:
        """Remember ``name`` as the last preset applied (QSettings key ``presets/last``)."""
        open_settings().setValue(KEY_LAST_PRESET, str(name))

    def last_preset(self) -> str | None:
        """The name given to the last :meth:`remember_preset`, or None."""
        value = open_settings().value(KEY_LAST_PRESET)
        return str(value) if value else None

    def autosave_directory(self) -> Path:
        return app_data_directory() / AUTOSAVE_DIRECTORY

    def autosave_path(self) -> Path:
        """This window's autosave file."""
        return self.autosave_directory() / f"{self._instance_id}{SESSION_EXTENSION}"

    def recovered_path(self) -> Path:
        """The session recovered from a crashed instance, while this window offers it."""
        name = f"{RECOVERED_PREFIX}{self._instance_id}{SESSION_EXTENSION}"
        return self.autosave_directory() / name

    def autosave(self) -> bool:
        """Write the session to this window's autosave file now, waiting for the current
        epoch to end (scripts and tests; the timer's autosave does not wait). False (and a
        status message) on failure."""
        generation = self._generation
        try:
            self.autosave_directory().mkdir(parents=True, exist_ok=True)
            save_session(self.autosave_path(), self._controller.capture_session())
        except (OSError, RuntimeError, ValueError) as error:
            self._status(f"Autosave failed: {_error_text(error)}")
            return False
        self._autosaved_generation = generation
        return True

    def wait_for_writes(self) -> None:
        """Block until every background save or autosave has been written (or failed)."""
        for future in list(self._writes):
            with contextlib.suppress(Exception):
                future.result()

    def confirm_close(self, ask: bool = True) -> bool:
        """For closeEvent: ask about unsaved changes; on yes, store the settings, finish the
        writes under way, remove this window's autosave and release its lock.

        Returns False when the user cancels (the window must stay open). ``ask=False`` closes
        without the question (when the training thread is gone, nothing could be saved).
        """
        if self._closing:
            return True
        if self._interactive_save is not None:
            # A save from the menu still waits for the worker: finish it now, synchronously.
            path, self._interactive_save = self._interactive_save, None
            self._save_synchronously(path)
        if ask and not self._confirm_discard_changes():
            return False
        self._closing = True
        self._autosave_timer.stop()
        self._save_window_settings()
        self.wait_for_writes()
        self._writer.shutdown(wait=True)
        self._reader.shutdown(wait=True, cancel_futures=True)
        self._discard_autosave()
        if self._lock is not None:
            self._lock.unlock()
        return True

    # -- questions (tests replace these) ----------------------------------------------------------

    def _ask_save_changes(self) -> QMessageBox.StandardButton:
        """Ask Save/Discard/Cancel about the unsaved changes; returns the button chosen."""
        if QGuiApplication.platformName() in HEADLESS_PLATFORMS:
            return QMessageBox.StandardButton.Discard
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            APP_TITLE,
            f"Save the changes to {self._display_name()}?",
            buttons,
            self._window,
        )
        box.setInformativeText(self._unsaved_description())
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def _ask_open_path(self) -> str | None:
        """Ask which session file to open; None if cancelled."""
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Open Session", self._last_directory(), FILE_FILTER
        )
        return path or None

    def _ask_save_path(self) -> str | None:
        """Ask where to save the session (adds .nnpg, confirms overwriting); None if cancelled."""
        dialog = QFileDialog(self._window, "Save Session As", self._last_directory(), FILE_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(SESSION_EXTENSION.lstrip("."))
        dialog.selectFile(self._path.name if self._path else UNTITLED + SESSION_EXTENSION)
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return dialog.selectedFiles()[0]

    # -- construction -----------------------------------------------------------------------------

    def _build_actions(self) -> None:
        window = self._window
        self.newAction = QAction("&New", window)
        self.newAction.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.newAction.setToolTip("New session: default data and network, untrained (Ctrl+N)")
        self.newAction.triggered.connect(self._on_new_triggered)
        self.openAction = QAction("&Open…", window)
        self.openAction.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self.openAction.setToolTip("Open a saved session (Ctrl+O)")
        self.openAction.triggered.connect(self._on_open_triggered)
        self.saveAction = QAction("&Save", window)
        self.saveAction.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.saveAction.setToolTip("Save points, network, weights and curves (Ctrl+S)")
        self.saveAction.triggered.connect(self._on_save_triggered)
        self.saveAsAction = QAction("Save &As…", window)
        self.saveAsAction.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.saveAsAction.setToolTip("Save the session to a new file (Ctrl+Shift+S)")
        self.saveAsAction.triggered.connect(self._on_save_as_triggered)
        self.recentMenu = QMenu("Open &Recent", window)
        self.recentMenu.setObjectName("recentMenu")
        self.recentMenu.aboutToShow.connect(self._rebuild_recent_menu)
        self.clearRecentAction = QAction("&Clear Recent", window)
        self.clearRecentAction.triggered.connect(self.clear_recent_files)
        for action, name in (
            (self.newAction, "newSessionAction"),
            (self.openAction, "openSessionAction"),
            (self.saveAction, "saveSessionAction"),
            (self.saveAsAction, "saveSessionAsAction"),
            (self.clearRecentAction, "clearRecentAction"),
        ):
            action.setObjectName(name)

        # The session entries open the File menu, above whatever else it holds.
        menu = window.fileMenu
        first = menu.actions()[0] if menu.actions() else None
        menu.insertActions(first, [self.newAction, self.openAction])
        menu.insertMenu(first, self.recentMenu)
        menu.insertActions(first, [self.saveAction, self.saveAsAction])
        if first is not None:
            menu.insertSeparator(first)
        # Shortcuts work wherever the focus is in the window.
        window.addActions([self.newAction, self.openAction, self.saveAction, self.saveAsAction])
        self._rebuild_recent_menu()

    def _build_restore_bar(self) -> None:
        """A hidden bar above the window's content, shown to offer a recovered session."""
        window = self._window
        bar = QFrame()
        bar.setObjectName("restoreBar")
        bar.setStyleSheet(
            "QFrame#restoreBar { background: #FFF4CE; border-bottom: 1px solid #E0C36A; }"
        )
        self.restoreLabel = QLabel()
        self.restoreLabel.setObjectName("restoreLabel")
        self.restoreLabel.setWordWrap(True)
        self.restoreButton = QPushButton("Restore")
        self.restoreButton.setObjectName("restoreButton")
        self.restoreButton.setToolTip("Open the recovered session (as Untitled)")
        self.restoreButton.clicked.connect(self._on_restore_clicked)
        self.discardRecoveredButton = QPushButton("Discard")
        self.discardRecoveredButton.setObjectName("discardRecoveredButton")
        self.discardRecoveredButton.setToolTip("Delete the recovered session")
        self.discardRecoveredButton.clicked.connect(self._on_discard_recovered_clicked)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.restoreLabel, 1)
        layout.addWidget(self.restoreButton)
        layout.addWidget(self.discardRecoveredButton)
        bar.hide()
        self.restoreBar = bar

        content = window.takeCentralWidget()
        container = QWidget()
        container.setObjectName("centralContainer")
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(bar)
        if content is not None:
            column.addWidget(content, 1)
        window.setCentralWidget(container)

    # -- title and changes ------------------------------------------------------------------------

    def _observed_state(self) -> tuple:
        document = self._controller.document
        return (
            document.content_signature(),
            document.run_id,
            document.epoch,
            document.parameter_revision,
            self._controller.undo_stack.index(),
        )

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        self._on_state_changed()

    @Slot()
    def _on_state_changed(self) -> None:
        # While the window is destroyed, its undo stack reports clearing itself.
        if getattr(self, "_controller", None) is None or not shiboken6.isValid(self._window):
            return
        state = self._observed_state()
        if state != self._last_seen:
            self._last_seen = state
            self._generation += 1
        self._update_title()

    def _display_name(self) -> str:
        return self._path.name if self._path is not None else UNTITLED

    def _unsaved_description(self) -> str:
        if not self.is_edited and self.trained_since_save:
            return (
                f"The training since the save (epoch {self._baseline.epoch:,}) is lost if you "
                "don't save it."
            )
        return "The changes are lost if you don't save them."

    def _update_title(self) -> None:
        window = self._window
        note = ""
        if self.trained_since_save:
            note = f" (trained past the save at epoch {self._baseline.epoch:,})"
        window.setWindowTitle(f"{self._display_name()}[*]{note} — {APP_TITLE}")
        window.setWindowModified(self.is_edited)

    def _mark_saved(self, path: Path | None, baseline: "_Baseline | None" = None) -> None:
        """The session now equals the file ``path`` (None: a new, untitled session)."""
        self._path = path
        self._baseline = baseline or _Baseline(self._controller)
        self._restored_unsaved = False
        self._autosaved_generation = self._generation
        self._controller.undo_stack.setClean()
        if path is not None:
            self._remember_file(path)
        self._update_title()

    def _saved(self, path: Path, session: Session, baseline: "_Baseline") -> None:
        self._mark_saved(path, baseline)
        self._discard_autosave()
        count = len(session.points)
        self._status(f"Saved {path.name} (epoch {session.epoch:,}, {count:,} points).")

    def _apply(self, session: Session, path: Path) -> None:
        self._controller.restore_session(session, DataSource(path.name))
        self._mark_saved(path)
        trained = f"epoch {session.epoch:,}" if session.trainer_state is not None else "untrained"
        self._status(
            f"Opened {path.name}: {len(session.points):,} points, {trained}, paused. "
            "Train (Space) continues."
        )

    def _status(self, message: str) -> None:
        self._window.statusBar().showMessage(message)

    # -- menu actions -----------------------------------------------------------------------------

    def _confirm_discard_changes(self) -> bool:
        """True when the current session may be replaced (saved first if the user says so)."""
        if not self.is_modified:
            return True
        answer = self._ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            path = self._ask_save_path() if self._path is None else str(self._path)
            return path is not None and self._save_synchronously(Path(path))
        return answer == QMessageBox.StandardButton.Discard

    def _save_synchronously(self, path: Path) -> bool:
        try:
            self.save(path)
        except (OSError, RuntimeError, ValueError) as error:
            self._status(f"Could not save: {_error_text(error, path)}")
            return False
        return True

    def _save_in_background(self, path: Path) -> None:
        """Save without blocking: the worker's state between two mini-batches, written on
        the writer thread; the title and status line follow when it is done."""
        self._interactive_save = path
        baseline = _Baseline(self._controller)
        self._status(f"Saving {path.name}…")

        def captured(session: Session | None, problem: str | None) -> None:
            if self._interactive_save != path:
                return  # finished synchronously meanwhile (the window is closing)
            self._interactive_save = None
            if session is None:
                self._status(f"Could not save {path.name}: {problem}")
                self.sigSaveFinished.emit(str(path), problem or "")
                return
            baseline.epoch = session.epoch
            future = self._writer.submit(save_session, path, session)
            self._track(future, lambda f: self._written(f, path, session, baseline))

        self._controller.capture_session_async(captured)

    def _written(self, future: Future, path: Path, session: Session, baseline) -> None:
        error = future.exception()
        if error is not None:
            text = _error_text(error, path)
            self._status(f"Could not save: {text}")
            self.sigSaveFinished.emit(str(path), text)
            return
        self._saved(path, session, baseline)
        self.sigSaveFinished.emit(str(path), "")

    def _track(self, future: Future, callback) -> None:
        self._writes.append(future)

        def finished(done: Future) -> None:
            self._writes.remove(done)
            if not self._closing:
                callback(done)

        self._controller.call_in_gui_when_done(future, finished)

    def _open_interactively(self, path: str | os.PathLike) -> None:
        """Read and check ``path`` on the reader thread (the window stays responsive; a bad
        file changes nothing), then, in the GUI thread, ask about unsaved changes and show it.
        :attr:`sigOpenFinished` says how it ended."""
        path = Path(path)
        self._status(f"Opening {path.name}…")
        future = self._reader.submit(_read_session, path)
        self._controller.call_in_gui_when_done(future, lambda done: self._finish_open(path, done))

    def _finish_open(self, path: Path, future: Future) -> None:
        if self._closing:
            return
        try:
            session = future.result()
        except (OSError, ValueError) as error:
            self._report_open_failure(path, error)
            if isinstance(error, FileNotFoundError):
                self._forget_file(path)
            self.sigOpenFinished.emit(str(path), _error_text(error, path))
            return
        if not self._confirm_discard_changes():
            self._status(f"Not opened: {path.name}.")
            self.sigOpenFinished.emit(str(path), "cancelled")
            return
        self._apply(session, path)
        self.sigOpenFinished.emit(str(path), "")

    def _report_open_failure(self, path: Path, error: BaseException) -> None:
        text = _error_text(error, path)
        self._status(f"Could not open: {text}")
        if QGuiApplication.platformName() not in HEADLESS_PLATFORMS:
            box = QMessageBox(
                QMessageBox.Icon.Warning, APP_TITLE, f"Could not open {path.name}.",
                QMessageBox.StandardButton.Ok, self._window,
            )  # fmt: skip
            box.setInformativeText(text)
            box.setModal(False)
            box.show()
            self.openErrorBox = box

    @Slot()
    def _on_new_triggered(self) -> None:
        if self._confirm_discard_changes():
            self.new()

    @Slot()
    def _on_open_triggered(self) -> None:
        path = self._ask_open_path()
        if path is not None:
            self._remember_directory(Path(path))
            self._open_interactively(path)

    @Slot()
    def _on_save_triggered(self) -> None:
        path = self._ask_save_path() if self._path is None else str(self._path)
        if path is not None:
            self._save_in_background(Path(path))

    @Slot()
    def _on_save_as_triggered(self) -> None:
        path = self._ask_save_path()
        if path is not None:
            self._save_in_background(Path(path))

    @Slot()
    def _on_recent_triggered(self) -> None:
        self._open_interactively(self.sender().data())

    # -- recent files and directories -------------------------------------------------------------

    def _remember_file(self, path: Path) -> None:
        path = path.absolute()
        files = [str(path)] + [f for f in self.recent_files() if f != str(path)]
        open_settings().setValue(KEY_RECENT_FILES, files[:MAX_RECENT_FILES])
        self._remember_directory(path)

    def _forget_file(self, path: Path) -> None:
        files = [f for f in self.recent_files() if f != str(path.absolute())]
        open_settings().setValue(KEY_RECENT_FILES, files)

    def _remember_directory(self, path: Path) -> None:
        open_settings().setValue(KEY_LAST_DIRECTORY, str(path.absolute().parent))

    def _last_directory(self) -> str:
        directory = open_settings().value(KEY_LAST_DIRECTORY)
        return str(directory) if directory and Path(str(directory)).is_dir() else QDir.homePath()

    @Slot()
    def _rebuild_recent_menu(self) -> None:
        # Rebuilt when shown (the list is shared by every window through QSettings), never
        # while one of its actions is being triggered: clear() deletes them.
        menu = self.recentMenu
        menu.clear()
        files = self.recent_files()
        for number, file in enumerate(files, start=1):
            action = menu.addAction(f"&{number} {Path(file).name}")
            action.setData(file)
            action.setToolTip(file)
            action.setStatusTip(file)
            action.triggered.connect(self._on_recent_triggered)
        if not files:
            menu.addAction("No recent sessions").setEnabled(False)
        menu.addSeparator()
        menu.addAction(self.clearRecentAction)
        self.clearRecentAction.setEnabled(bool(files))

    # -- autosave and recovery --------------------------------------------------------------------

    @Slot()
    def _on_autosave_timer(self) -> None:
        if not (self.is_modified and self._generation != self._autosaved_generation):
            return
        if any(not f.done() for f in self._writes):
            return  # the previous one is still being written
        generation = self._generation
        target = self.autosave_path()

        def captured(session: Session | None, problem: str | None) -> None:
            if session is None or self._closing:
                return
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                self._status(f"Autosave failed: {_error_text(error)}")
                return
            future = self._writer.submit(save_session, target, session)
            self._track(future, lambda f: self._autosaved(f, generation))

        self._controller.capture_session_async(captured)

    def _autosaved(self, future: Future, generation: int) -> None:
        error = future.exception()
        if error is not None:
            text = _error_text(error)
            self._status(f"Autosave failed: {text}")
            self.sigAutosaved.emit(text)
            return
        self._autosaved_generation = generation
        self.sigAutosaved.emit("")

    def _discard_autosave(self) -> None:
        with contextlib.suppress(OSError):  # a stale autosave is offered once more at worst
            self.autosave_path().unlink(missing_ok=True)
        self._autosaved_generation = self._generation

    def _remove_stale_temporary_files(self) -> None:
        """Delete what saves killed midway left behind (``.<name>.<hex>.tmp``, as large as
        the session) in the autosave directory and the directory last saved to or opened
        from; a save still being written, by any process, is left alone."""
        directories = [self.autosave_directory()]
        last = open_settings().value(KEY_LAST_DIRECTORY)
        if last:
            directories.append(Path(str(last)))
        for directory in directories:
            remove_stale_temporary_files(directory)

    def _take_autosave_lock(self) -> None:
        """Hold ``autosave/<id>.lock`` while this window lives: its autosave is not an orphan."""
        directory = self.autosave_directory()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        lock = QLockFile(str(directory / f"{self._instance_id}.lock"))
        lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
        if lock.tryLock(0):
            self._lock = lock

    def _orphans(self) -> list[Path]:
        """Autosaves (and unclaimed recoveries) whose owner's lock nobody holds any more."""
        directory = self.autosave_directory()
        found = []
        try:
            files = sorted(directory.glob(f"*{SESSION_EXTENSION}"))
        except OSError:
            return []
        for file in files:
            owner = file.name[: -len(SESSION_EXTENSION)].removeprefix(RECOVERED_PREFIX)
            if owner == self._instance_id:
                continue
            lock = QLockFile(str(directory / f"{owner}.lock"))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):  # free: its process is gone (Qt checks the pid)
                lock.unlock()
                found.append(file)
        return found

    def _offer_recovered_session(self) -> None:
        """Show the restore bar if a crashed instance left an autosave behind."""
        orphans = self._orphans()
        if not orphans:
            return
        try:
            newest = max(orphans, key=lambda f: f.stat().st_mtime)
            # Claimed under this window's id: nobody else offers it while this one lives.
            os.replace(newest, self.recovered_path())
            saved = QDateTime.fromSecsSinceEpoch(int(self.recovered_path().stat().st_mtime))
        except OSError:
            return  # another instance claimed it first
        self._recovered = self.recovered_path()
        when = saved.toString("d MMM yyyy, hh:mm")
        self.restoreLabel.setText(
            f"NN Playground did not close properly last time. "
            f"Restore the unsaved session autosaved on {when}?"
        )
        self.restoreBar.show()

    @Slot()
    def _on_restore_clicked(self) -> None:
        recovered = self.recovered_path()
        try:
            session = load_session(recovered)
        except (OSError, ValueError) as error:
            self.restoreBar.hide()
            self._status(f"Could not restore the autosaved session: {_error_text(error)}")
            return
        if not self._confirm_discard_changes():
            return
        self.restoreBar.hide()
        self._controller.restore_session(session, DataSource("Recovered session"))
        self._mark_saved(None)
        self._restored_unsaved = True
        self._update_title()
        with contextlib.suppress(OSError):  # now this window's autosave, until saved
            os.replace(recovered, self.autosave_path())
        self._status(
            f"Restored the autosaved session (epoch {session.epoch:,}). Save it to keep it."
        )

    @Slot()
    def _on_discard_recovered_clicked(self) -> None:
        self.restoreBar.hide()
        try:
            self.recovered_path().unlink(missing_ok=True)
        except OSError as error:
            self._status(f"Could not delete: {_error_text(error)}")
            return
        self._status("Discarded the autosaved session.")

    # -- window settings --------------------------------------------------------------------------

    def _restore_window_settings(self) -> None:
        settings = open_settings()
        window = self._window
        for key, restore in (
            (KEY_GEOMETRY, window.restoreGeometry),
            (KEY_WINDOW_STATE, window.restoreState),
            (KEY_SPLITTER, window.mainSplitter.restoreState),
        ):
            value = settings.value(key)
            if isinstance(value, QByteArray) and not value.isEmpty():
                restore(value)

    def _save_window_settings(self) -> None:
        settings = open_settings()
        window = self._window
        settings.setValue(KEY_GEOMETRY, window.saveGeometry())
        settings.setValue(KEY_WINDOW_STATE, window.saveState())
        settings.setValue(KEY_SPLITTER, window.mainSplitter.saveState())
