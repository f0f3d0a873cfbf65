"""Sessions from the window: the File menu's session actions, the title, autosave, settings.

:class:`SessionManager` is the window's helper for everything that outlives one window:

- the session actions of the File menu (New, Open…, Save, Save As…, Open Recent) and the
  questions they ask (Save/Discard/Cancel, file dialogs), each behind a small method that tests
  replace (``_ask_save_changes``, ``_ask_open_path``, ``_ask_save_path``);
- the title: the session's file name (or "Untitled") with Qt's unsaved-changes mark ``[*]``;
- the autosave: every AUTOSAVE_INTERVAL_MS with unsaved changes, the session goes to
  ``autosave.nnpg`` in the app's data directory; a clean exit deletes it and leaves the
  ``clean-exit`` marker. A start that finds an autosave without that marker moves it to
  ``recovered.nnpg`` and offers it in a bar inside the window (never a dialog) until the user
  restores or discards it;
- QSettings: window geometry and state, the splitter, the last directory, the recent files and
  the last preset (``presets/last``, set through :meth:`SessionManager.remember_preset`).

The session file format itself lives in the Qt-free :mod:`playground.state.session`; the window
turns its state into a :class:`~playground.state.Session` and back.
"""

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QByteArray,
    QDateTime,
    QDir,
    QObject,
    QSettings,
    QStandardPaths,
    QTimer,
    Slot,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.state import SESSION_EXTENSION, Session, load_session, save_session

if TYPE_CHECKING:
    from playground.main_window import MainWindow

# Tests shorten it (set it before creating the window).
AUTOSAVE_INTERVAL_MS = 60_000
AUTOSAVE_NAME = "autosave.nnpg"
RECOVERED_NAME = "recovered.nnpg"
CLEAN_EXIT_MARKER = "clean-exit"
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
    """Where the autosave lives (QStandardPaths.AppDataLocation); may not exist yet."""
    location = QStandardPaths.StandardLocation.AppDataLocation
    return Path(QStandardPaths.writableLocation(location))


def _string_list(value: object) -> list[str]:
    """A QSettings list value as a list of str (INI files return one item as a plain str)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(item) for item in value]


def _error_text(error: BaseException) -> str:
    """An exception as a sentence for the status line (no traceback, no errno noise)."""
    if isinstance(error, OSError) and error.strerror:
        name = Path(error.filename).name if error.filename else "the file"
        return f"{name}: {error.strerror}."
    text = str(error) or type(error).__name__
    return text if text.endswith(".") else f"{text}."


class SessionManager(QObject):
    """The File menu's session actions, the unsaved-changes mark, autosave and settings.

    Created by :class:`~playground.main_window.MainWindow` once the window is built, as
    ``window.session_manager``. It never opens a dialog while being created.

    Parameters
    ----------
    window : MainWindow
        Provides ``_capture_session()``, ``_restore_session(session)``,
        ``_default_session()``, ``_session_signature(epoch=None)`` and the signal
        ``sigSessionChanged``; the manager adds its actions to ``window.fileMenu``.

    Attributes
    ----------
    newAction, openAction, saveAction, saveAsAction, clearRecentAction : QAction
    recentMenu : QMenu
        "Open Recent": up to MAX_RECENT_FILES sessions, newest first, and "Clear Recent".
    restoreBar : QFrame
        The bar offering a session recovered after an unclean exit (hidden otherwise), with
        ``restoreButton`` and ``discardRecoveredButton``.
    """

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self._window = window
        self._path: Path | None = None
        self._baseline = window._session_signature()
        self._restored_unsaved = False  # a recovered session counts as unsaved until saved
        self._generation = 0  # counts changes, so the autosave only writes new ones
        self._autosaved_generation = 0
        self._last_seen = self._observed_state()
        self._closing = False

        self._build_actions()
        self._build_restore_bar()
        window.sigSessionChanged.connect(self._on_state_changed)
        window.undo_stack.cleanChanged.connect(self._on_state_changed)
        window.undo_stack.indexChanged.connect(self._on_state_changed)

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setObjectName("autosaveTimer")
        self._autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._autosave_timer.timeout.connect(self._on_autosave_timer)
        self._autosave_timer.start()

        self._restore_window_settings()
        self._offer_recovered_session()
        self._update_title()

    # -- public API -------------------------------------------------------------------------------

    @property
    def current_path(self) -> Path | None:
        """The file the session was last opened from or saved to; None while Untitled."""
        return self._path

    @property
    def is_modified(self) -> bool:
        """Whether the session has changed since it was opened, saved or started."""
        window = self._window
        return (
            self._restored_unsaved
            or not window.undo_stack.isClean()
            or window._session_signature() != self._baseline
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write the current session to ``path`` (atomically); it becomes the current file.

        Raises
        ------
        OSError
            If the file cannot be written (the previous file, if any, is then intact).
        RuntimeError
            If the training thread has stopped (the window is closed).
        """
        path = Path(path)
        session = self._window._capture_session()
        save_session(path, session)
        self._window.undo_stack.setClean()
        self._mark_saved(path, self._window._session_signature(epoch=session.epoch))
        self._discard_autosave()
        self._window.statusBar().showMessage(
            f"Saved {path.name} (epoch {session.epoch:,}, {len(session.points):,} points)."
        )

    def load(self, path: str | os.PathLike) -> None:
        """Open the session file ``path``: its exact state, paused; no question asked.

        Raises
        ------
        ValueError, OSError
            If the file is not a valid session or cannot be read; nothing changes then.
        """
        path = Path(path)
        self._apply(load_session(path), path)

    def new(self) -> None:
        """Start over with the default data, network and settings (untrained, Untitled)."""
        self._window._restore_session(self._window._default_session())
        self._window.undo_stack.clear()
        self._mark_saved(None, self._window._session_signature())
        self._window.statusBar().showMessage("New session: press Train (Space), or paint points.")

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

    def autosave_path(self) -> Path:
        """The autosave file of the running session."""
        return app_data_directory() / AUTOSAVE_NAME

    def recovered_path(self) -> Path:
        """The autosave of an earlier run that did not exit cleanly, while it is on offer."""
        return app_data_directory() / RECOVERED_NAME

    def autosave(self) -> bool:
        """Write the session to the autosave file now; False (and a status message) on failure."""
        directory = app_data_directory()
        generation = self._generation
        try:
            directory.mkdir(parents=True, exist_ok=True)
            save_session(directory / AUTOSAVE_NAME, self._window._capture_session())
            (directory / CLEAN_EXIT_MARKER).unlink(missing_ok=True)
        except (OSError, RuntimeError, ValueError) as error:
            self._window.statusBar().showMessage(f"Autosave failed: {_error_text(error)}")
            return False
        self._autosaved_generation = generation
        return True

    def confirm_close(self, ask: bool = True) -> bool:
        """For closeEvent: ask about unsaved changes; on yes, store the settings, end autosave.

        Returns False when the user cancels (the window must stay open). ``ask=False`` closes
        without the question (when the training thread is gone, nothing could be saved).
        """
        if self._closing:
            return True
        if ask and not self._confirm_discard_changes():
            return False
        self._closing = True
        self._autosave_timer.stop()
        self._save_window_settings()
        self._discard_autosave()
        try:
            directory = app_data_directory()
            directory.mkdir(parents=True, exist_ok=True)
            (directory / CLEAN_EXIT_MARKER).touch()
        except OSError:
            pass  # without the marker, the next start merely finds no autosave to offer
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
        box.setInformativeText("The changes are lost if you don't save them.")
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
        return (self._window._session_signature(), self._window.undo_stack.index())

    @Slot()
    def _on_state_changed(self) -> None:
        # While the window is destroyed, its undo stack reports clearing itself; this object
        # may then be a bare wrapper (when the window's Python object was collected first).
        window = getattr(self, "_window", None)
        if window is None or not shiboken6.isValid(window.undo_stack):
            return
        state = self._observed_state()
        if state != self._last_seen:
            self._last_seen = state
            self._generation += 1
        self._update_title()

    def _display_name(self) -> str:
        return self._path.name if self._path is not None else UNTITLED

    def _update_title(self) -> None:
        window = self._window
        window.setWindowTitle(f"{self._display_name()}[*] — {APP_TITLE}")
        window.setWindowModified(self.is_modified)

    def _mark_saved(self, path: Path | None, signature: tuple) -> None:
        """The session now equals the file ``path`` (None: a new, untitled session)."""
        self._path = path
        self._baseline = signature
        self._restored_unsaved = False
        self._autosaved_generation = self._generation
        if path is not None:
            self._remember_file(path)
        self._update_title()

    def _apply(self, session: Session, path: Path) -> None:
        self._window._restore_session(session)
        self._window.undo_stack.clear()
        self._mark_saved(path, self._window._session_signature())
        trained = f"epoch {session.epoch:,}" if session.trainer_state is not None else "untrained"
        self._window.statusBar().showMessage(
            f"Opened {path.name}: {len(session.points):,} points, {trained}, paused. "
            "Train (Space) continues."
        )

    # -- menu actions -----------------------------------------------------------------------------

    def _confirm_discard_changes(self) -> bool:
        """True when the current session may be replaced (saved first if the user says so)."""
        if not self.is_modified:
            return True
        answer = self._ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self._save_interactively(ask_path=self._path is None)
        return answer == QMessageBox.StandardButton.Discard

    def _save_interactively(self, ask_path: bool) -> bool:
        path = self._ask_save_path() if ask_path else str(self._path)
        if path is None:
            return False
        try:
            self.save(path)
        except (OSError, RuntimeError, ValueError) as error:
            self._window.statusBar().showMessage(f"Could not save: {_error_text(error)}")
            return False
        return True

    def _open_interactively(self, path: str | os.PathLike) -> bool:
        """Read ``path`` first (a bad file changes nothing), then ask about unsaved changes."""
        path = Path(path)
        try:
            session = load_session(path)
        except (OSError, ValueError) as error:
            self._window.statusBar().showMessage(f"Could not open: {_error_text(error)}")
            if isinstance(error, FileNotFoundError):
                self._forget_file(path)
            return False
        if not self._confirm_discard_changes():
            return False
        self._apply(session, path)
        return True

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
        self._save_interactively(ask_path=self._path is None)

    @Slot()
    def _on_save_as_triggered(self) -> None:
        self._save_interactively(ask_path=True)

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
        if self.is_modified and self._generation != self._autosaved_generation:
            self.autosave()

    def _discard_autosave(self) -> None:
        with contextlib.suppress(OSError):  # a stale autosave is offered once more at worst
            self.autosave_path().unlink(missing_ok=True)
        self._autosaved_generation = self._generation

    def _offer_recovered_session(self) -> None:
        """Show the restore bar if an earlier run left an autosave behind (no clean exit)."""
        directory = app_data_directory()
        leftover = directory / AUTOSAVE_NAME
        recovered = directory / RECOVERED_NAME
        try:
            if leftover.is_file() and not (directory / CLEAN_EXIT_MARKER).exists():
                # Moved aside: this run's own autosaves must not overwrite it while on offer.
                os.replace(leftover, recovered)
            if not recovered.is_file():
                return
            saved = QDateTime.fromSecsSinceEpoch(int(recovered.stat().st_mtime))
        except OSError:
            return
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
            self._window.statusBar().showMessage(
                f"Could not restore the autosaved session: {_error_text(error)}"
            )
            return
        if not self._confirm_discard_changes():
            return
        self.restoreBar.hide()
        self._window._restore_session(session)
        self._window.undo_stack.clear()
        self._mark_saved(None, self._window._session_signature())
        self._restored_unsaved = True
        self._update_title()
        with contextlib.suppress(OSError):  # now this session's autosave, until saved
            os.replace(recovered, self.autosave_path())
        self._window.statusBar().showMessage(
            f"Restored the autosaved session (epoch {session.epoch:,}). Save it to keep it."
        )

    @Slot()
    def _on_discard_recovered_clicked(self) -> None:
        self.restoreBar.hide()
        try:
            self.recovered_path().unlink(missing_ok=True)
        except OSError as error:
            self._window.statusBar().showMessage(f"Could not delete: {_error_text(error)}")
            return
        self._window.statusBar().showMessage("Discarded the autosaved session.")

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
