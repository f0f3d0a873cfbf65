"""The Help menu: the keyboard shortcuts (read from the window's own actions) and About.

The shortcuts list is generated from the QActions of the menu bar, the toolbars and the window
each time it is shown, so it never goes stale when an action or a shortcut changes. Both dialogs
are non-modal: the playground keeps training and painting while they are open.
"""

import platform
from dataclasses import dataclass
from html import escape
from importlib import metadata

import numpy as np
import pyqtgraph as pg
import PySide6
from PySide6.QtCore import Qt, Slot, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

APP_NAME = "NN Playground"
DISTRIBUTION = "nn-playground"
MENU_PATH_SEPARATOR = " ▸ "
# Mouse gestures have no QAction to read them from; DataPlot documents them.
MOUSE_HELP = (
    "<b>Mouse on the data plot</b><br>"
    "Left click or drag: paint the active class · Right click or drag: paint the other class"
    "<br>Ctrl + click or drag (or the eraser): erase points · Middle drag: pan · Wheel: zoom"
)


def action_label(action: QAction) -> str:
    """The action's text as a menu shows it: without the ``&`` of its mnemonic."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_text(action: QAction) -> str:
    """The action's shortcuts in the platform's notation, e.g. ``"S, Right"`` ("" for none)."""
    return ", ".join(
        shortcut.toString(QKeySequence.SequenceFormat.NativeText) for shortcut in action.shortcuts()
    )


@dataclass(frozen=True)
class ShortcutRow:
    """One line of the shortcuts list.

    Attributes
    ----------
    action : str
        The action's name, e.g. "Step one epoch".
    shortcuts : str
        Its shortcuts, e.g. "S, Right"; "" when it has none.
    menu : str
        Where to find it, e.g. "File ▸ Export Image"; "Toolbar" or "Window" outside the menus.
    """

    action: str
    shortcuts: str
    menu: str


def shortcut_rows(window: QMainWindow) -> list[ShortcutRow]:
    """Every action of ``window`` with its shortcuts, in menu order.

    The actions of the menu bar come first (submenus recursively, named ``"File ▸ Export
    Image"``), then those only on a toolbar or only on the window itself. Disabled actions
    without a shortcut (placeholders like "No recent sessions") are left out; a disabled
    action with a shortcut (Undo with nothing to undo) is listed.
    """
    rows: list[ShortcutRow] = []
    seen: set[QAction] = set()

    def add(action: QAction, where: str) -> None:
        if action in seen or action.isSeparator() or not action.text():
            return
        if not action.isEnabled() and not action.shortcuts():
            return  # a placeholder such as "No recent sessions"
        seen.add(action)
        rows.append(ShortcutRow(action_label(action), shortcut_text(action), where))

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            submenu = action.menu()
            if submenu is not None:
                walk(submenu, path + MENU_PATH_SEPARATOR + action_label(action))
            else:
                add(action, path)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), action_label(top))
    for toolbar in window.findChildren(QToolBar):
        for action in toolbar.actions():
            add(action, "Toolbar")
    for action in window.actions():
        add(action, "Window")
    return rows


class ShortcutsDialog(QDialog):
    """A non-modal list of the window's actions and their shortcuts, refreshed when shown.

    Children: ``shortcutsTable`` (columns Action, Shortcut, Menu) and ``mouseHelpLabel``.

    Parameters
    ----------
    window : QMainWindow
        Whose actions are listed; the dialog's parent.
    """

    COLUMNS = ("Action", "Shortcut", "Menu")

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(f"Keyboard Shortcuts — {APP_NAME}")
        self.setModal(False)
        self._window = window
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.mouseHelpLabel = QLabel(MOUSE_HELP)
        self.mouseHelpLabel.setObjectName("mouseHelpLabel")
        self.mouseHelpLabel.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close this list")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.mouseHelpLabel)
        layout.addWidget(buttons)
        self.resize(560, 620)
        self.refresh()

    def refresh(self) -> None:
        """Read the window's actions again."""
        rows = shortcut_rows(self._window)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate((row.action, row.shortcuts, row.menu)):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def rows(self) -> list[tuple[str, str, str]]:
        """The table's rows as shown: (action, shortcuts, menu)."""
        return [
            tuple(self.table.item(i, j).text() for j in range(len(self.COLUMNS)))
            for i in range(self.table.rowCount())
        ]

    def showEvent(self, event: object) -> None:  # Qt override
        self.refresh()
        super().showEvent(event)


def app_version() -> str:
    """The installed version of the playground, or "development version" when not installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "development version"


def versions() -> dict[str, str]:
    """The versions About shows: the app, Python, Qt, PySide6, pyqtgraph and NumPy."""
    return {
        APP_NAME: app_version(),
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "pyqtgraph": pg.__version__,
        "NumPy": np.__version__,
    }


class AboutDialog(QDialog):
    """A non-modal About box: what the playground is and the versions it runs on.

    Child ``aboutText`` (a QLabel) holds the text.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.setModal(False)
        rows = "".join(
            f"<tr><td>{escape(name)}</td><td>&nbsp;&nbsp;{escape(version)}</td></tr>"
            for name, version in versions().items()
        )
        self.aboutText = QLabel(
            f"<h3>{APP_NAME} {escape(app_version())}</h3>"
            "<p>See a neural network learn: paint two-class data, shape the network and "
            "watch it train live.<br>Its engine, nn_engine, is plain NumPy.</p>"
            f"<table>{rows}</table>"
        )
        self.aboutText.setObjectName("aboutText")
        self.aboutText.setTextFormat(Qt.TextFormat.RichText)
        self.aboutText.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close About")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.aboutText)
        layout.addWidget(buttons)


class HelpMenu(QMenu):
    """The Help menu: ``shortcutsAction`` (F1) and ``aboutAction``; the dialogs are made once.

    Parameters
    ----------
    window : QMainWindow
        The menu's parent and the dialogs' parent.
    """

    def __init__(self, window: QMainWindow):
        super().__init__("&Help", window)
        self.setObjectName("helpMenu")
        self._window = window
        self._shortcuts_dialog: ShortcutsDialog | None = None
        self._about_dialog: AboutDialog | None = None
        self.shortcutsAction = self.addAction("&Keyboard Shortcuts")
        self.shortcutsAction.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.shortcutsAction.setToolTip("List every action and its keyboard shortcut (F1)")
        self.shortcutsAction.triggered.connect(self.show_shortcuts)
        self.addSeparator()
        self.aboutAction = self.addAction(f"&About {APP_NAME}")
        self.aboutAction.setToolTip("Versions of the playground, Qt, PySide6, pyqtgraph, NumPy")
        self.aboutAction.triggered.connect(self.show_about)

    @Slot()
    def show_shortcuts(self) -> ShortcutsDialog:
        """Show (or raise) the shortcuts list, read afresh from the window's actions."""
        if self._shortcuts_dialog is None:
            self._shortcuts_dialog = ShortcutsDialog(self._window)
        _present(self._shortcuts_dialog)
        self._shortcuts_dialog.refresh()  # also when it was open already
        return self._shortcuts_dialog

    @Slot()
    def show_about(self) -> AboutDialog:
        """Show (or raise) the About box."""
        if self._about_dialog is None:
            self._about_dialog = AboutDialog(self._window)
        _present(self._about_dialog)
        return self._about_dialog


def _present(dialog: QDialog) -> None:
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
