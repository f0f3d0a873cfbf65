"""The Help menu: Concepts, the keyboard shortcuts (read from the window's own actions), About.

Concepts is a short page of anchored entries, written for this playground, that widgets'
tooltips point to with :func:`concept_link` ("(Help ▸ Concepts: Learning rate)");
``HelpMenu.show_concepts(topic)`` opens it at an entry.

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
from PySide6.QtCore import Qt, QUrl, Slot, qVersion
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
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from playground.state.presets import PRESETS

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


# ------------------------------------------------------------------------------------ Concepts

# Topic (as tooltips name it) -> anchor of its entry on the Concepts page, in page order.
CONCEPT_ANCHORS: dict[str, str] = {
    "Decision map": "decision-map",
    "Loss": "loss",
    "Train vs test": "train-vs-test",
    "Data sets and noise": "data-sets",
    "Learning rate": "learning-rate",
    "Optimizer": "optimizer",
    "Batch size": "batch-size",
    "Regularisation": "regularisation",
    "Initialisation": "initialisation",
    "Activation functions": "activation-functions",
    "Precision": "precision",
    "Input features": "input-features",
    "Network panel": "network-panel",
    "Hidden space": "hidden-space",
    "Presets": "presets",
}

# Each entry: a few sentences in this project's own words, plain HTML for QTextBrowser.
CONCEPT_TEXTS: dict[str, str] = {
    "Decision map": (
        "The coloured background of the data plot. For every spot of the plane the network "
        "outputs a number p between 0 and 1, its estimate that a point there belongs to class "
        "1. Blue means p is near 1, vermillion near 0, white means p = 0.5: the network cannot "
        "tell. The line where the colour turns is the decision boundary. A freshly initialised "
        "network with small weights answers about 0.5 everywhere, so its map starts white."
    ),
    "Loss": (
        "One number saying how wrong the network is on the training points: the binary "
        "cross-entropy, the average of −ln p for class 1 points and −ln(1 − p) for class 0 "
        "points. A network that always says 0.5 scores ln 2 ≈ 0.693; a perfect and confident "
        "one scores 0. Training computes how the loss changes with each weight (the gradient) "
        "and moves every weight a little downhill, so the loss falls step by step. Flat "
        "stretches mean the gradient is tiny (small weights, a saddle), jumps mean the steps "
        "are too big. The Loss plot can switch to a log scale to show the late, small gains."
    ),
    "Train vs test": (
        "Training points (filled) are the only ones the network learns from. Test points "
        "(hollow) are held out: the network never sees their labels, so its accuracy on them "
        "tells how well it generalises to new points. When the train loss keeps falling while "
        "the test loss rises, the network is memorising the training points (overfitting): "
        "a smaller network, more data or regularisation help."
    ),
    "Data sets and noise": (
        "Moons, Circles, XOR, Gaussians and Spiral are made-up two-class data sets of "
        "increasing difficulty. Noise moves every point by a random amount. It is scaled to "
        "each data set: at the default 0.2 every shape is clearly visible, at 1 the classes "
        "overlap so much that no boundary can separate them well. Changing a setting draws "
        "the points again with the same seed; Generate draws new ones."
    ),
    "Learning rate": (
        "How far each training step moves the weights along the gradient. Too small and the "
        "loss falls slowly; too large and each step overshoots, the loss jumps around or "
        "explodes (see the preset “Too high a learning rate”). Good values depend on the "
        "optimizer: around 0.01 to 0.1 for SGD here, 0.001 to 0.03 for Adam. The arrows step "
        "1, 2, 5, 10, … so one click is a clear change."
    ),
    "Optimizer": (
        "The rule that turns gradients into weight changes. SGD steps straight downhill. "
        "Momentum keeps a running velocity, so it rolls through flat stretches and damps "
        "zig-zags; Nesterov is momentum that looks one step ahead before correcting. Adam "
        "scales each weight's step by the recent size of its gradients, which makes it "
        "forgiving about the learning rate."
    ),
    "Batch size": (
        "How many training points each step looks at. Full batch uses all of them: smooth, "
        "exact steps, one per epoch. Smaller batches give several noisier steps per epoch; "
        "that noise can shake the network out of flat stretches."
    ),
    "Regularisation": (
        "A penalty on large weights added to the loss, which favours smoother boundaries that "
        "generalise better. L2 adds the sum of squared weights times the strength and shrinks "
        "all weights evenly; L1 adds the sum of absolute values and pushes unhelpful weights "
        "to exactly zero. Useful strengths are small: 0.001 is a good start; 0.1 or more "
        "flattens the boundary."
    ),
    "Initialisation": (
        "The weights before the first step, drawn at random from the seed, so Reset repeats a "
        "run exactly. The article's randn · 0.1 uses small weights: the signal fades through "
        "deep layers and training starts slowly. He scales the weights to each layer's inputs "
        "for ReLU layers, Xavier for tanh and sigmoid, so the signal keeps its size and "
        "training starts at once."
    ),
    "Activation functions": (
        "What each hidden neuron does with its weighted sum. Without one, the layers would "
        "collapse into a single straight boundary. ReLU passes positive values and zeroes "
        "the rest: fast, boundaries made of straight pieces. Leaky ReLU lets a little of the "
        "negative side through, so a neuron never goes silent for good. tanh and sigmoid are "
        "smooth S-curves (tanh centred on 0), giving rounded boundaries; linear does nothing, "
        "useful to see why the others are needed. The output neuron is always a sigmoid, "
        "which turns its sum into the probability p."
    ),
    "Precision": (
        "How many digits the engine keeps. float32 (about 7 significant digits) needs half the "
        "memory, is usually faster and is plenty for these small networks; float64 (about 16 "
        "digits) is what NumPy uses by default and what the article computed in. Sessions "
        "saved before this setting existed were trained in float64 and open that way."
    ),
}


CONCEPT_TEXTS["Input features"] = (
    "What the network sees of a point (x1, x2). By default its inputs are x1 and x2 "
    "themselves; the network panel's input column also offers x1², x2², x1·x2, sin x1 and "
    "sin x2, each drawn as its own map over the view (vermillion negative, white 0, blue "
    "positive, up to its largest value there). Click a feature to switch it on or off: the "
    "network gets one input per active feature and starts afresh (Ctrl+Z undoes it); one "
    "feature always stays on. f(x1, x2)… adds your own expression, such as x1^2 + x2^2 or "
    "sin(3*x1), from x1, x2, numbers, + - * / ^, parentheses and sin cos tan tanh exp log "
    "sqrt abs; right-click it to remove it. Good features do the network's work for it: "
    "with x1² and x2², circles are separated without any hidden layer (the preset “Circles "
    "without hidden layers”). A feature that is not a number at some point, like log(x1) "
    "where x1 ≤ 0, refuses to train until you remove it or those points."
)
CONCEPT_TEXTS["Network panel"] = (
    "The network drawn as a diagram: the input features on the left, a column per hidden "
    "layer, the "
    "output on the right. Each small square shows what one unit computes over the data plot's "
    "view, in the decision map's colours, so you can watch the first layer cut the plane with "
    "straight lines and later layers combine them. Links are the weights (blue positive, "
    "vermillion negative, wider when larger); the bar under a unit is its bias. Hover a "
    "unit to see its map on the big plot and its exact values; click a link or a bias to set "
    "it by hand (Ctrl+Z undoes it). Below, one row per layer: the size of its weight "
    "gradient over recent epochs on a log scale, its weight norm and, for ReLU, the share of "
    "units that never switch on. When the first rows are orders of magnitude below the "
    "last, the gradient vanishes on its way back and the early layers hardly learn."
)
CONCEPT_TEXTS["Hidden space"] = (
    "The plane as a hidden layer sees it. A grid of lines over the view and the training "
    "points go through the network up to the chosen layer, and are drawn where that layer "
    "puts them: a layer of two units directly, a wider one by the two directions along "
    "which its values vary most (principal components) or by two units you pick. Step the "
    "layer slider from the input to the last hidden layer and watch the network bend and "
    "fold the grid until a straight line can separate the two classes, which is all the "
    "output unit can draw."
)

# What each preset demonstrates (its status text says what to watch for while it trains).
PRESET_LESSONS: dict[str, str] = {
    "The article": (
        "the experiment of the article this engine grew from. With small initial weights and "
        "plain gradient descent, nothing seems to happen for about 1,500 epochs: the map stays "
        "white and the loss near 0.69. Then the boundary bends and the network wins."
    ),
    "XOR needs a hidden layer": (
        "four clusters that no straight line can separate; one small hidden layer can."
    ),
    "XOR without a hidden layer (fails)": (
        "the same data without a hidden layer: the network can only draw a straight line, and "
        "accuracy stays near a coin toss."
    ),
    "Circles": (
        "a ring around a disc; a handful of ReLU units build a closed boundary from straight edges."
    ),
    "Circles without hidden layers": (
        "with x1² and x2² as inputs a circle is a straight line to the network, so a network "
        "without hidden layers separates the rings; with x1 and x2 it cannot."
    ),
    "Hidden space: unfolding the circles": (
        "the Hidden space tab shows the plane as a layer of two tanh units sees it: mixed "
        "at first, then folded until a straight line separates the classes."
    ),
    "Spiral needs depth": (
        "two arms wound into each other; stacking layers lets the boundary follow them quickly."
    ),
    "Too high a learning rate": (
        "steps so large that the loss explodes; training stops and the last sound weights "
        "come back."
    ),
    "Deep sigmoid: vanishing gradients": (
        "eight sigmoid layers: the gradient shrinks at every layer on its way back, so the "
        "first layers hardly move; the layer health rows show it."
    ),
    "Deep ReLU with He init": (
        "the same depth with ReLU units and He's initial weights: the gradient keeps its size "
        "through the layers and the network learns."
    ),
}


def _presets_html() -> str:
    items = "".join(
        f"<li><b>{escape(preset.name)}</b>: {escape(PRESET_LESSONS[preset.name])}</li>"
        for preset in PRESETS
    )
    return (
        "<p>Presets (the Presets menu) set up data, network and training to show one idea each; "
        "the status line then says what to watch for.</p>"
        f"<ul>{items}</ul>"
    )


def concept_link(topic: str) -> str:
    """The tooltip suffix pointing to a Concepts entry: ``"(Help ▸ Concepts: Learning rate)"``.

    Raises
    ------
    ValueError
        If ``topic`` is not one of :data:`CONCEPT_ANCHORS`.
    """
    if topic not in CONCEPT_ANCHORS:
        topics = ", ".join(repr(name) for name in CONCEPT_ANCHORS)
        raise ValueError(f"topic must be one of {topics}, got {topic!r}.")
    return f"(Help{MENU_PATH_SEPARATOR}Concepts: {topic})"


def with_concept(tooltip: str, topic: str) -> str:
    """``tooltip`` followed by the :func:`concept_link` of ``topic`` on a new line."""
    return f"{tooltip}\n{concept_link(topic)}"


def concepts_html() -> str:
    """The whole Concepts page: a table of contents and one anchored entry per topic."""
    contents = " · ".join(
        f"<a href='#{anchor}'>{escape(topic)}</a>" for topic, anchor in CONCEPT_ANCHORS.items()
    )
    entries = []
    for topic, anchor in CONCEPT_ANCHORS.items():
        body = _presets_html() if topic == "Presets" else f"<p>{escape(CONCEPT_TEXTS[topic])}</p>"
        entries.append(f"<h3><a name='{anchor}'></a>{escape(topic)}</h3>{body}")
    return f"<h2>Concepts</h2><p>{contents}</p>{''.join(entries)}"


class ConceptsDialog(QDialog):
    """A non-modal page explaining what the playground shows; child ``conceptsBrowser``.

    Parameters
    ----------
    parent : QWidget, optional
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conceptsDialog")
        self.setWindowTitle(f"Concepts — {APP_NAME}")
        self.setModal(False)
        self.browser = QTextBrowser()
        self.browser.setObjectName("conceptsBrowser")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(concepts_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close Concepts")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(620, 640)

    def show_topic(self, topic: str) -> None:
        """Scroll to the entry of ``topic`` (a key of :data:`CONCEPT_ANCHORS`).

        Raises
        ------
        ValueError
            If ``topic`` is unknown.
        """
        concept_link(topic)  # refuses an unknown topic
        self.browser.setSource(QUrl(f"#{CONCEPT_ANCHORS[topic]}"))
        self.browser.scrollToAnchor(CONCEPT_ANCHORS[topic])


class HelpMenu(QMenu):
    """The Help menu: ``conceptsAction``, ``shortcutsAction`` (F1) and ``aboutAction``.

    The dialogs are made once, when first shown.

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
        self._concepts_dialog: ConceptsDialog | None = None
        self.conceptsAction = self.addAction("&Concepts")
        self.conceptsAction.setToolTip(
            "What the decision map, the loss and each setting mean, and what each preset shows"
        )
        self.conceptsAction.triggered.connect(lambda: self.show_concepts())
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

    def show_concepts(self, topic: str | None = None) -> ConceptsDialog:
        """Show (or raise) the Concepts page, at the entry of ``topic`` when given.

        Parameters
        ----------
        topic : str, optional
            A key of :data:`CONCEPT_ANCHORS`, e.g. "Learning rate".
        """
        if self._concepts_dialog is None:
            self._concepts_dialog = ConceptsDialog(self._window)
        _present(self._concepts_dialog)
        if topic is not None:
            self._concepts_dialog.show_topic(topic)
        return self._concepts_dialog

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
