"""How the window is laid out: its menus, toolbars and the three columns between them.

The window (``playground.main_window``) creates its panels and actions; these functions place
them. Left, the control column (Data, Network, Training cards) in a scroll area; in the middle,
the stats strip over the data plot (the largest element); right, the metric plots. The three
sit in a splitter whose sizes QSettings remembers.
"""

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from playground.widgets.cards import card, plain_card


class LetShortcutsThrough(QObject):
    """Event filter: spin boxes let Space, S, R, W and D through (Train, Step, Reset, New, D).

    A focused spin box normally claims every printable key, so after clicking its arrows the
    window shortcuts would stop working. These keys are never valid input for a number.
    """

    KEYS = frozenset({Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R, Qt.Key.Key_W, Qt.Key.Key_D})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        return (
            event.type() == QEvent.Type.ShortcutOverride
            and event.key() in self.KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        )


def build_menus_and_toolbars(window: QMainWindow) -> None:
    """The menus (File, Edit, View, Training) and two toolbars: the run controls, and undo/redo
    apart from them (they undo edits, not epochs). Sets ``window.fileMenu`` ... and the toolbar
    buttons' objectNames (``trainButton``, ``stepButton``, ``resetButton``, ...)."""
    menus = window.menuBar()
    window.fileMenu = menus.addMenu("&File")
    window.fileMenu.addAction(window.quitAction)
    window.editMenu = menus.addMenu("&Edit")
    window.editMenu.addActions([window.undoAction, window.redoAction])
    window.editMenu.addSeparator()
    window.editMenu.addActions([*window.classActions, window.eraserAction])
    window.editMenu.addSeparator()
    window.editMenu.addActions([window.generateAction, window.clearAction])
    window.viewMenu = menus.addMenu("&View")
    window.viewMenu.addActions([window.showTestAction, window.fitViewAction])
    window.trainingMenu = menus.addMenu("&Training")
    run_actions = [
        window.trainAction,
        window.stepAction,
        window.resetAction,
        window.newWeightsAction,
    ]
    window.trainingMenu.addActions(run_actions)

    toolbar = QToolBar("Training", window)
    toolbar.setObjectName("trainingToolBar")
    toolbar.setMovable(False)
    toolbar.setIconSize(QSize(18, 18))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addActions(run_actions)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    window.trainingToolBar = toolbar
    # Undo and redo stand apart from the run controls: they undo edits, not epochs.
    edit_bar = QToolBar("Edit", window)
    edit_bar.setObjectName("editToolBar")
    edit_bar.setMovable(False)
    edit_bar.setIconSize(QSize(18, 18))
    edit_bar.addActions([window.undoAction, window.redoAction])
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, edit_bar)
    window.editToolBar = edit_bar
    for action, name in (
        (window.trainAction, "trainButton"),
        (window.stepAction, "stepButton"),
        (window.resetAction, "resetButton"),
        (window.newWeightsAction, "newWeightsButton"),
        (window.undoAction, "undoButton"),
        (window.redoAction, "redoButton"),
    ):
        button = toolbar.widgetForAction(action) or edit_bar.widgetForAction(action)
        button.setObjectName(name)
        setattr(window, name, button)
    window._update_train_controls(False)
    window.trainButton.setMinimumWidth(window.trainButton.sizeHint().width() + 12)
    for button in (window.undoButton, window.redoButton):
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    window.addActions(
        [*run_actions, *window.classActions, window.eraserAction, window.showTestAction]
        + [window.fitViewAction]
    )  # shortcuts work wherever the focus is in the window


def build_central_layout(window: QMainWindow) -> None:
    """The control column, the data plot under its stats strip, and the metric plots, in the
    splitter ``window.mainSplitter``; the Data card's subtitle is ``window.dataSourceLabel``."""
    column = QWidget()
    column.setObjectName("controlColumn")
    column_layout = QVBoxLayout(column)
    column_layout.setContentsMargins(8, 8, 4, 8)
    column_layout.setSpacing(8)
    data_card, window.dataSourceLabel = card("Data", window.dataPanel, subtitle=True)
    window.dataSourceLabel.setObjectName("dataSourceLabel")
    column_layout.addWidget(data_card)
    column_layout.addWidget(card("Network", window.layerEditor)[0])
    column_layout.addWidget(card("Training", window.trainingPanel)[0])
    column_layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setObjectName("controlScroll")
    scroll.setWidget(column)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(
        column.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
    )
    center = QWidget()
    center_layout = QVBoxLayout(center)
    center_layout.setContentsMargins(4, 8, 4, 8)
    center_layout.setSpacing(8)
    center_layout.addWidget(window.stats)
    center_layout.addWidget(plain_card(window.dataPlot), 1)
    right = QSplitter(Qt.Orientation.Vertical)
    right.setObjectName("rightSplitter")
    right.setChildrenCollapsible(False)
    network = getattr(window, "networkView", None)
    if network is not None:
        right.addWidget(plain_card(network))
    tabs = QTabWidget()
    tabs.setObjectName("rightTabs")
    tabs.setDocumentMode(True)
    tabs.addTab(window.metricsPlots, "Loss && accuracy")
    hidden = getattr(window, "hiddenSpaceView", None)
    if hidden is not None:
        tabs.addTab(hidden, "Hidden space")
    window.rightTabs = tabs
    right.addWidget(plain_card(tabs))
    right.setStretchFactor(0, 3)
    right.setStretchFactor(right.count() - 1, 2)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("mainSplitter")
    splitter.setChildrenCollapsible(False)
    for widget, stretch in ((scroll, 0), (center, 3), (right, 2)):
        splitter.addWidget(widget)
        splitter.setStretchFactor(splitter.count() - 1, stretch)
    splitter.setSizes([330, 600, 350])
    window.mainSplitter = splitter
    window.setCentralWidget(splitter)
