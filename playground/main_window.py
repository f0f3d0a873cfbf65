"""The NN Playground window: data, network and training controls around the live plots.

Data flow (ARCHITECTURE.md): a control changes the Qt-free state (an edit command on the undo
stack, an Architecture, Hyperparameters) -> the window hands the worker a copy -> the worker
trains and sends snapshots -> the window's slots (GUI thread) draw them. Only this module
connects widgets, state and worker; the panels know nothing of each other.
"""

import atexit
import os
import sys
from functools import partial

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFrame,
    QGridLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from playground import exports, presets_menu, theme
from playground.help import HelpMenu
from playground.session_manager import SessionManager
from playground.state import (
    HISTORY_KEYS,
    AddPoints,
    Architecture,
    Command,
    DataSettings,
    Hyperparameters,
    PointSet,
    RemovePoints,
    ReplacePoints,
    Session,
    apply_command,
)
from playground.undo import PointsEdit
from playground.widgets.data_panel import DataPanel
from playground.widgets.data_plot import DataPlot
from playground.widgets.layer_editor import LayerEditor
from playground.widgets.metrics_plots import MetricsPlots
from playground.widgets.training_panel import OPTIMIZER_LABELS, TrainingPanel
from playground.worker import Snapshot, TrainingWorker

WINDOW_TITLE = "NN Playground"
MIN_POINTS_PER_CLASS = 2
SHUTDOWN_TIMEOUT_MS = 1800  # closing must return within 2 s
# The metric plots redraw at most this often: re-rendering their axes costs ~20 ms each time,
# while the decision map follows every snapshot (~25 per second).
METRICS_REFRESH_MS = 250

# The first thing a new user sees: moons that a small network separates in a few seconds.
DEFAULT_DATA = DataSettings(
    generator="moons", n_points=300, noise=0.2, seed=0, test_ratio=0.2, show_test=True
)
DEFAULT_ARCHITECTURE = Architecture.from_units([16, 16], activation="tanh")
DEFAULT_HYPERPARAMETERS = Hyperparameters(
    optimizer="adam",
    learning_rate=0.01,
    batch_size=0,
    regularization="none",
    regularization_rate=0.0,
    init="xavier",
    seed=1,
    epochs_per_refresh=10,
)
# Changing one of these starts a new run; the others apply to the running trainer.
RESTARTING_HYPERPARAMETERS = {
    "optimizer": "Optimizer",
    "init": "Initialisation",
    "seed": "Seed",
}

STYLE_SHEET = """
QMainWindow, QScrollArea, QScrollArea > QWidget > QWidget#controlColumn { background: #F3F4F6; }
QFrame#panelCard, QFrame#statsCard {
    background: #FFFFFF; border: 1px solid #DADDE3; border-radius: 8px;
}
QLabel#panelTitle { font-weight: 600; color: #1F2933; }
QLabel#statCaption { color: #6B7280; }
QToolBar { spacing: 4px; border: none; padding: 2px 6px; }
QToolButton#trainButton { font-weight: 600; }
QStatusBar { color: #374151; }
"""


class _LetShortcutsThrough(QObject):
    """Event filter: numeric spin boxes do not swallow Space, S and R (Train, Step, Reset).

    A focused spin box normally claims every printable key, so after clicking its arrows the
    window shortcuts would stop working. These keys are never valid input for a number.
    """

    KEYS = frozenset({Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        # Filtered without being accepted: the shortcut map gets the key.
        return (
            event.type() == QEvent.Type.ShortcutOverride
            and event.key() in self.KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        )


class MainWindow(QMainWindow):
    """The whole playground: data, network and training controls, live plots, a status line.

    Built with no argument and no dialog; it generates a default data set and network and
    starts its training thread (paused). Closing it stops the thread.

    Parameters
    ----------
    parent : QWidget, optional

    Notes
    -----
    Children with stable objectNames (the test contract): ``datasetCombo``,
    ``generateButton``, ``trainButton`` (says Train or Pause), ``stepButton``,
    ``resetButton``, ``addLayerButton``, ``learningRateSpin``, ``optimizerCombo``,
    ``batchSizeSpin``, ``dataPlot``, ``lossPlot``, ``accuracyPlot``, ``epochLabel``.

    ``session_manager`` (:class:`~playground.session_manager.SessionManager`) owns the File
    menu's session entries, the title's unsaved-changes mark, autosave and settings.
    :attr:`sigSessionChanged` is emitted when something a session file holds may have changed
    (network, hyperparameters, a new run, training progress).
    """

    sigSessionChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(STYLE_SHEET)
        self._points = PointSet()
        self._architecture = DEFAULT_ARCHITECTURE.copy()
        self._hyperparameters = DEFAULT_HYPERPARAMETERS.copy()
        self._undo_stack = QUndoStack(self)
        self._running = False  # what the user asked for; the worker follows
        self._control_serial = 0  # serial of the last start/pause/step/reset command
        self._run_id = 0
        self._epoch = 0
        self._shut_down = False
        self._metrics_backlog: list[Snapshot] = []
        self._metrics_timer = QTimer(self)
        self._metrics_timer.setSingleShot(True)
        self._metrics_timer.setInterval(METRICS_REFRESH_MS)
        self._metrics_timer.timeout.connect(self._flush_metrics)

        self._build_widgets()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_data_exchange_presets_help()
        self._build_layout()
        self._connect_widgets()
        self._start_worker()

        # Initial state: generated data (not an undo step), a fresh network, paused.
        self._apply_without_undo(DEFAULT_DATA.generate())
        self._fit_view_to_points()
        self._new_run()
        self._update_train_controls()
        self.statusBar().showMessage(
            "Ready: press Train (Space), or paint points with the mouse (left/right click)."
        )
        self.resize(1280, 800)
        # Last: it restores the saved geometry over the default size, and may show the bar
        # offering an autosave recovered after an unclean exit.
        self.session_manager = SessionManager(self)

    # -- public API -------------------------------------------------------------------------------

    @property
    def points(self) -> PointSet:
        """The labelled points (change them only through :meth:`push_edit`)."""
        return self._points

    @property
    def architecture(self) -> Architecture:
        """A copy of the hidden layers of the current network."""
        return self._architecture.copy()

    @property
    def hyperparameters(self) -> Hyperparameters:
        """A copy of the current training settings."""
        return self._hyperparameters.copy()

    @property
    def worker(self) -> TrainingWorker:
        """The training worker (its command methods are thread-safe)."""
        return self._worker

    @property
    def training_thread(self) -> QThread:
        """The thread the worker trains in."""
        return self._thread

    @property
    def undo_stack(self) -> QUndoStack:
        """The undo stack of the data edits."""
        return self._undo_stack

    @property
    def is_training(self) -> bool:
        """Whether training runs (as the Train/Pause button shows)."""
        return self._running

    @property
    def epoch(self) -> int:
        """The epoch of the last snapshot shown."""
        return self._epoch

    def set_architecture(self, architecture: Architecture) -> None:
        """Use these hidden layers: the editor shows them and the network is re-initialised."""
        self.layerEditor.set_architecture(architecture)
        self._on_architecture_changed(architecture)

    def set_hyperparameters(self, hyperparameters: Hyperparameters) -> None:
        """Use these training settings, exactly as if the user had entered them."""
        self.trainingPanel.set_hyperparameters(hyperparameters)
        self._on_hyperparameters_changed(hyperparameters)

    def push_edit(self, command: Command, message: str | None = None) -> None:
        """Apply a data edit as one undo step; the worker trains on it from its next epoch.

        ``message`` goes to the status line, unless the edit leaves training impossible:
        training then pauses and the status line says why.
        """
        if message is not None:
            self.statusBar().showMessage(message)
        self._undo_stack.push(PointsEdit(self._points, command, self._on_points_changed))

    def train(self) -> None:
        """Start training, or explain in the status line why it cannot start."""
        if self._running:
            return
        problem = self._training_data_problem()
        if problem:
            self.statusBar().showMessage(f"Cannot train: {problem}.")
            return
        self._control_serial = self._worker.start()
        self._running = True
        self._update_train_controls()
        self.statusBar().showMessage("Training… (Space pauses)")

    def pause(self) -> None:
        """Pause training after the current epoch."""
        if not self._running:
            return
        self._control_serial = self._worker.pause()
        self._running = False
        self._update_train_controls()
        self.statusBar().showMessage("Paused. Step one epoch with S or →, continue with Space.")

    def step(self) -> None:
        """Pause if needed and train exactly one epoch."""
        problem = self._training_data_problem()
        if problem:
            self.statusBar().showMessage(f"Cannot train: {problem}.")
            return
        self._control_serial = self._worker.step()
        self._running = False
        self._update_train_controls()

    def reset(self) -> None:
        """Re-initialise the network with the same seed (a reproducible restart), paused."""
        self._running = False
        self._new_run()
        self._update_train_controls()
        self.statusBar().showMessage(
            f"Reset: epoch 0, weights re-initialised with seed {self._hyperparameters.seed}."
        )

    def shutdown(self) -> None:
        """Stop the training thread and wait for it (at most ~2 s); safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        _stop_training_thread(self._worker, self._thread)

    # -- data in and out, presets, help (issue 5: exports.py, presets_menu.py, help.py) -----------
    # Dialog-free: these raise ValueError/OSError (TypeError for a bad width) with a message for
    # the user and change nothing on failure; the File menu entries show that message.

    def import_points_csv(self, path: str | os.PathLike) -> None:
        """Replace the points with an ``x,y,label`` CSV file's, as one undo step "Import <name>".

        The data panel's test ratio and seed split them into train and test points, as
        Generate does. See :func:`playground.exports.import_points_csv`.
        """
        exports.import_points_csv(self, path)

    def export_points_csv(self, path: str | os.PathLike) -> None:
        """Write the points (without the train/test split) as ``x,y,label`` CSV."""
        exports.export_points_csv(self, path)

    def export_model(self, path: str | os.PathLike) -> None:
        """Save the current network and weights (``nn_engine.io.save_network``, ``.npz``)."""
        exports.export_model(self, path)

    def export_architecture(self, path: str | os.PathLike) -> None:
        """Write the layers in the article's JSON format (``nn_engine.io.architecture_to_json``)."""
        exports.export_architecture(self, path)

    def export_data_plot_image(self, path: str | os.PathLike, width: int | None = None) -> None:
        """Save the data plot with its decision regions as PNG, ``width`` px (default 2x)."""
        exports.export_data_plot_image(self, path, width)

    def export_metrics_image(self, path: str | os.PathLike, width: int | None = None) -> None:
        """Save the loss and accuracy plots (stacked) as PNG, ``width`` px (default 2x)."""
        exports.export_metrics_image(self, path, width)

    def apply_preset(self, name: str) -> None:
        """Set a preset's data (one undo step), network and hyperparameters; paused, epoch 0.

        Undo restores the previous points only. See :mod:`playground.presets_menu`.

        Raises
        ------
        ValueError
            If no preset is called ``name``.
        """
        presets_menu.apply_preset(self, name)

    def _build_data_exchange_presets_help(self) -> None:
        self.dataExchange = exports.DataExchangeActions(self)
        self.presetsMenu = presets_menu.PresetsMenu(self)
        self.menuBar().addMenu(self.presetsMenu)
        self.helpMenu = HelpMenu(self)
        self.menuBar().addMenu(self.helpMenu)

    # -- construction -----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.dataPanel = DataPanel(DEFAULT_DATA)
        self.layerEditor = LayerEditor(self._architecture)
        self.trainingPanel = TrainingPanel(self._hyperparameters)
        self.dataPlot = DataPlot()
        self.dataPlot.setObjectName("dataPlot")
        self.dataPlot.set_show_test(DEFAULT_DATA.show_test)
        self.metricsPlots = MetricsPlots(orientation=Qt.Orientation.Vertical)
        self.metricsPlots.setObjectName("metricsPlots")

        self.epochLabel = QLabel()
        self.epochLabel.setObjectName("epochLabel")
        font = self.epochLabel.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.epochLabel.setFont(font)
        # Fixed widths where the text changes while training, so that nothing jitters.
        _reserve_width(self.epochLabel, "Epoch 100,000")
        self.speedLabel = QLabel()
        self.speedLabel.setObjectName("speedLabel")
        _reserve_width(self.speedLabel, "99,999 epochs/s")
        self.trainLossLabel = _stat_value("trainLossLabel", "0.0000")
        self.trainAccuracyLabel = _stat_value("trainAccuracyLabel", "100.0%")
        self.testLossLabel = _stat_value("testLossLabel", "0.0000")
        self.testAccuracyLabel = _stat_value("testAccuracyLabel", "100.0%")
        self._show_stats(None)

    def _build_actions(self) -> None:
        style = self.style()
        self.trainAction = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "&Train", self
        )
        self.trainAction.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.trainAction.triggered.connect(self._on_train_triggered)

        self.stepAction = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "&Step one epoch", self
        )
        self.stepAction.setIconText("Step")
        self.stepAction.setShortcuts([QKeySequence(Qt.Key.Key_S), QKeySequence(Qt.Key.Key_Right)])
        self.stepAction.setToolTip("Step: train exactly one epoch (S or →)")
        self.stepAction.triggered.connect(self._on_step_triggered)

        self.resetAction = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "&Reset", self
        )
        self.resetAction.setShortcut(QKeySequence(Qt.Key.Key_R))
        self.resetAction.setToolTip("Reset: epoch 0, same seed, same initial weights (R)")
        self.resetAction.triggered.connect(self._on_reset_triggered)

        self.undoAction = self._undo_stack.createUndoAction(self, "&Undo")
        self.undoAction.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.undoAction.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.redoAction = self._undo_stack.createRedoAction(self, "&Redo")
        self.redoAction.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redoAction.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))

        self.classActions = []
        group = QActionGroup(self)
        group.setExclusive(True)
        for label in (0, 1):
            action = QAction(f"Paint class {label}", self, checkable=True)
            action.setShortcut(QKeySequence(str(label + 1)))
            action.setData(label)
            action.setToolTip(f"Left click paints class {label} ({label + 1})")
            action.triggered.connect(self._on_class_action_triggered)
            group.addAction(action)
            self.classActions.append(action)
        self.classActions[0].setChecked(True)
        self.eraserAction = QAction("&Eraser", self, checkable=True)
        self.eraserAction.setShortcut(QKeySequence(Qt.Key.Key_E))
        self.eraserAction.toggled.connect(self._on_eraser_action_toggled)

        self.generateAction = QAction("&Generate data", self)
        self.generateAction.setShortcut(QKeySequence("Ctrl+G"))
        self.generateAction.triggered.connect(self.dataPanel.generateButton.click)
        self.clearAction = QAction("&Clear points", self)
        self.clearAction.triggered.connect(self.dataPanel.clearButton.click)

        self.showTestAction = QAction("Show &test data", self, checkable=True)
        self.showTestAction.setShortcut(QKeySequence(Qt.Key.Key_T))
        self.showTestAction.setChecked(DEFAULT_DATA.show_test)
        self.showTestAction.toggled.connect(self.dataPanel.showTestCheck.setChecked)
        self.fitViewAction = QAction("&Fit view to data", self)
        self.fitViewAction.setShortcut(QKeySequence(Qt.Key.Key_F))
        self.fitViewAction.triggered.connect(self._fit_view_to_points)

        self.quitAction = QAction("&Quit", self)
        # Ctrl+Q spelled out: StandardKey.Quit is empty on some platforms (e.g. offscreen)
        self.quitAction.setShortcut(QKeySequence("Ctrl+Q"))
        self.quitAction.triggered.connect(self.close)

    def _build_menus_and_toolbar(self) -> None:
        menus = self.menuBar()
        self.fileMenu = menus.addMenu("&File")  # sessions, import and export go here (issue 5)
        self.fileMenu.addAction(self.quitAction)

        self.editMenu = menus.addMenu("&Edit")
        self.editMenu.addActions([self.undoAction, self.redoAction])
        self.editMenu.addSeparator()
        self.editMenu.addActions([*self.classActions, self.eraserAction])
        self.editMenu.addSeparator()
        self.editMenu.addActions([self.generateAction, self.clearAction])

        self.viewMenu = menus.addMenu("&View")
        self.viewMenu.addActions([self.showTestAction, self.fitViewAction])

        self.trainingMenu = menus.addMenu("&Training")
        self.trainingMenu.addActions([self.trainAction, self.stepAction, self.resetAction])

        toolbar = QToolBar("Training", self)
        toolbar.setObjectName("trainingToolBar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.trainAction, self.stepAction, self.resetAction])
        toolbar.addSeparator()
        toolbar.addActions([self.undoAction, self.redoAction])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.trainingToolBar = toolbar
        for action, name in (
            (self.trainAction, "trainButton"),
            (self.stepAction, "stepButton"),
            (self.resetAction, "resetButton"),
            (self.undoAction, "undoButton"),
            (self.redoAction, "redoButton"),
        ):
            button = toolbar.widgetForAction(action)
            button.setObjectName(name)
            setattr(self, name, button)
        self.trainButton.setMinimumWidth(self.trainButton.sizeHint().width() + 12)
        # The undo entries name their step ("Undo Paint 12 points"): too long for a toolbar.
        for button in (self.undoButton, self.redoButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for action in (
            self.trainAction,
            self.stepAction,
            self.resetAction,
            *self.classActions,
            self.eraserAction,
            self.showTestAction,
            self.fitViewAction,
        ):
            self.addAction(action)  # shortcuts work wherever the focus is in the window

    def _build_layout(self) -> None:
        column = QWidget()
        column.setObjectName("controlColumn")
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(8, 8, 4, 8)
        column_layout.setSpacing(8)
        column_layout.addWidget(_card("Data", self.dataPanel))
        column_layout.addWidget(_card("Network", self.layerEditor))
        column_layout.addWidget(_card("Training", self.trainingPanel))
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

        # Epoch     Train  loss 0.0636  accuracy 97.5%
        # 1,234/s   Test   loss 0.0142  accuracy 100.0%
        stats = QFrame()
        stats.setObjectName("statsCard")
        grid = QGridLayout(stats)
        grid.setContentsMargins(12, 6, 12, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.epochLabel, 0, 0)
        grid.addWidget(self.speedLabel, 1, 0)
        grid.setColumnMinimumWidth(1, 12)
        rows = (
            ("Train", self.trainLossLabel, self.trainAccuracyLabel),
            ("Test", self.testLossLabel, self.testAccuracyLabel),
        )
        for row, (name, loss, accuracy) in enumerate(rows):
            header = _caption(name, bold=True)
            # The colours of the curves: train dark, test green.
            color = theme.TRAIN_COLOR if name == "Train" else theme.TEST_COLOR
            header.setStyleSheet(f"color: {color};")
            grid.addWidget(header, row, 2)
            grid.addWidget(_caption("loss"), row, 3)
            grid.addWidget(loss, row, 4)
            grid.addWidget(_caption("accuracy"), row, 5)
            grid.addWidget(accuracy, row, 6)
        grid.setColumnStretch(7, 1)

        plot_card = QFrame()
        plot_card.setObjectName("panelCard")
        plot_layout = QVBoxLayout(plot_card)
        plot_layout.setContentsMargins(6, 6, 6, 6)
        plot_layout.addWidget(self.dataPlot)

        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(4, 8, 4, 8)
        center_layout.setSpacing(8)
        center_layout.addWidget(stats)
        center_layout.addWidget(plot_card, 1)

        metrics_card = QFrame()
        metrics_card.setObjectName("panelCard")
        metrics_layout = QVBoxLayout(metrics_card)
        metrics_layout.setContentsMargins(6, 6, 6, 6)
        metrics_layout.addWidget(self.metricsPlots)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 8)
        right_layout.addWidget(metrics_card)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(scroll)
        splitter.addWidget(center)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([330, 600, 350])
        self.mainSplitter = splitter
        self.setCentralWidget(splitter)

    def _connect_widgets(self) -> None:
        panel = self.dataPanel
        panel.sigGenerateRequested.connect(self._on_generate_requested)
        panel.sigClearRequested.connect(self._on_clear_requested)
        panel.sigActiveClassChanged.connect(self._on_active_class_chosen)
        panel.sigEraserToggled.connect(self._on_eraser_toggled)
        panel.sigShowTestChanged.connect(self._on_show_test_changed)
        self.dataPlot.sigPaint.connect(self._on_paint)
        self.dataPlot.sigErase.connect(self._on_erase)
        self.dataPlot.sigViewChanged.connect(self._on_view_changed)
        self.dataPlot.sigActiveClassChanged.connect(self._on_active_class_chosen)
        self.dataPlot.sigEraserChanged.connect(self._on_eraser_toggled)
        self.layerEditor.sigArchitectureChanged.connect(self._on_architecture_changed)
        self.trainingPanel.sigHyperparametersChanged.connect(self._on_hyperparameters_changed)
        self._shortcut_filter = _LetShortcutsThrough(self)
        for spin in self.findChildren(QAbstractSpinBox):
            spin.installEventFilter(self._shortcut_filter)

    def _start_worker(self) -> None:
        # The thread has no parent: if the window is deleted without being closed, Qt must
        # not destroy a running thread with it (that aborts the process). The module keeps
        # it alive and the window's destruction stops it.
        self._thread = QThread()
        self._thread.setObjectName("trainingThread")
        self._worker = TrainingWorker()
        _keep_until_finished(self._thread, self._worker)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.sigFinished.connect(self._thread.quit)
        self._inbox = _WorkerInbox(self)
        self._worker.sigSnapshot.connect(self._inbox.on_snapshot)
        self._worker.sigStopped.connect(self._inbox.on_stopped)
        self._worker.sigError.connect(self._inbox.on_error)
        stop = partial(_stop_training_thread, self._worker, self._thread)
        self.destroyed.connect(stop)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop)
        self._thread.start()
        self._worker.set_hyperparameters(self._hyperparameters)

    # -- sessions (issue 5; files, title, autosave: playground/session_manager.py) ---------------

    def save_session(self, path: str | os.PathLike) -> None:
        """Save the whole session to ``path`` (atomically); no dialog.

        Points, labels and split, architecture, hyperparameters and seeds, data settings,
        weights, trainer and optimizer state, epoch, metric history and view: see
        :mod:`playground.state.session`. The file becomes the window's current file.

        Raises
        ------
        OSError
            If the file cannot be written; an existing file at ``path`` is then intact.
        RuntimeError
            If the training thread has stopped (the window was closed).
        """
        self.session_manager.save(path)

    def load_session(self, path: str | os.PathLike) -> None:
        """Open a session file exactly as it was saved, paused; no dialog, no question.

        Train then continues where the saved run stopped, as if it had never been interrupted.

        Raises
        ------
        ValueError, OSError
            If the file is not a valid session or cannot be read; the message names the file
            and the problem, and nothing in the window changes.
        """
        self.session_manager.load(path)

    def new_session(self) -> None:
        """Start over without asking: default data, network and settings, untrained, Untitled."""
        self.session_manager.new()

    def _capture_session(self) -> Session:
        """The current state as a Session (weights and trainer state read from the worker)."""
        weights, trainer_state = self._worker.training_state()
        epoch, history = 0, {}
        if trainer_state is not None:
            saved = trainer_state["history"]
            history = {key: saved[key] for key in HISTORY_KEYS}
            epoch = len(saved["loss"])
        return Session(
            points=self._points,
            architecture=self._architecture,
            hyperparameters=self._hyperparameters,
            data_settings=self.dataPanel.settings(),
            weights=weights,
            trainer_state=trainer_state,
            epoch=epoch,
            history=history,
            view_range=self.dataPlot.view_rect(),
        )

    def _default_session(self) -> Session:
        """What File > New starts from: the default data and network, untrained."""
        points = DEFAULT_DATA.generate()
        return Session(
            points=PointSet(points.X, points.labels, points.is_test),
            architecture=DEFAULT_ARCHITECTURE,
            hyperparameters=DEFAULT_HYPERPARAMETERS,
            data_settings=DEFAULT_DATA,
        )

    def _restore_session(self, session: Session) -> None:
        """Show ``session`` exactly (a checked Session: nothing here can fail), paused.

        The undo history is kept; the session manager clears it where a new document starts.
        """
        self._running = False
        self._metrics_timer.stop()
        self._metrics_backlog.clear()
        points = session.points
        # The worker gets the data first: the trainer state is restored onto them.
        self._apply_without_undo(ReplacePoints(points.X, points.labels, points.is_test))
        self.dataPanel.set_settings(session.data_settings)
        self._on_show_test_changed(session.data_settings.show_test)
        self._architecture = session.architecture.copy()
        self.layerEditor.set_architecture(self._architecture)
        self._hyperparameters = session.hyperparameters.copy()
        self.trainingPanel.set_hyperparameters(self._hyperparameters)
        trained = session.trainer_state is not None
        self._run_id = self._worker.restore(
            self._architecture.to_engine(),
            self._hyperparameters,
            session.weights,
            session.trainer_state,
        )
        self._control_serial = self._run_id
        # Without a trainer state the run starts at epoch 0 (from the saved weights, if any).
        self._epoch = session.epoch if trained else 0
        self.dataPlot.clear_regions()
        self._show_history(session.history if trained else None)
        if session.view_range is None:
            self._fit_view_to_points()
        else:
            self.dataPlot.set_view_rect(session.view_range)
        self._update_train_controls()
        self.sigSessionChanged.emit()

    def _show_history(self, history: dict[str, np.ndarray] | None) -> None:
        """Draw a saved metric history (None or empty: no curves) and its last values."""
        if history is None or len(history["loss"]) == 0:
            self.metricsPlots.clear()
            self._show_stats(None)
            return
        loss, accuracy = history["loss"], history["accuracy"]
        n = len(loss)

        def test_curve(values: np.ndarray) -> np.ndarray | None:
            # The engine records test metrics only for epochs that had test points; the
            # file does not say which, so they are drawn as the most recent epochs.
            if len(values) == 0:
                return None
            return np.concatenate([np.full(n - len(values), np.nan), values])

        val_loss = test_curve(history["val_loss"])
        val_accuracy = test_curve(history["val_accuracy"])
        epochs = np.arange(1, n + 1, dtype=np.int64)
        self.metricsPlots.set_history(epochs, loss, accuracy, val_loss, val_accuracy)
        last = slice(n - 1, n)
        self._show_stats(
            Snapshot(
                run_id=self._run_id,
                epoch=self._epoch,
                epochs=epochs[last],
                loss=np.asarray(loss[last]),
                accuracy=np.asarray(accuracy[last]),
                val_loss=None if val_loss is None else val_loss[last],
                val_accuracy=None if val_accuracy is None else val_accuracy[last],
                epochs_per_second=0.0,
                grid=None,
                rect=None,
                rewound_to=None,
                running=False,
                commands_done=self._control_serial,
            )
        )

    def _session_signature(self, epoch: int | None = None) -> tuple:
        """What tells sessions apart besides the points: network, settings, run and epoch.

        The session manager compares it with the one of the last save to mark the title.
        At epoch 0 the run does not matter: a reset gives the same seeded weights again.
        """
        epoch = self._epoch if epoch is None else epoch
        return (
            self._architecture.to_dict(),
            self._hyperparameters.to_dict(),
            self._run_id if epoch else None,
            epoch,
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _apply_without_undo(self, command: Command) -> None:
        apply_command(self._points, command)
        self._on_points_changed()

    def _training_data_problem(self) -> str | None:
        """Why the current points cannot be trained on, or None."""
        n0, n1 = self._points.counts()["train"]
        if n0 < MIN_POINTS_PER_CLASS or n1 < MIN_POINTS_PER_CLASS:
            return (
                f"need at least {MIN_POINTS_PER_CLASS} points of each class "
                f"(training points: {n0} of class 0, {n1} of class 1)"
            )
        return None

    def _new_run(self) -> None:
        """Hand the worker a fresh network (same seed) and clear the curves."""
        self._run_id = self._worker.reset(self._architecture.to_engine(), self._hyperparameters)
        self._control_serial = self._run_id
        self._epoch = 0
        self._metrics_backlog.clear()
        self.metricsPlots.clear()
        self.dataPlot.clear_regions()
        self._show_stats(None)
        if self._running:
            self._control_serial = self._worker.start()
        self.sigSessionChanged.emit()

    def _restart_with_message(self, message: str) -> None:
        self._new_run()
        self.statusBar().showMessage(message)

    def _update_train_controls(self) -> None:
        style = self.style()
        if self._running:
            self.trainAction.setText("&Pause")
            self.trainAction.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause))
            self.trainAction.setToolTip("Pause training (Space)")
        else:
            self.trainAction.setText("&Train")
            self.trainAction.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
            self.trainAction.setToolTip("Train: run epochs until paused (Space)")

    def _fit_view_to_points(self) -> None:
        self.dataPlot.fit_to_points()

    def _show_stats(self, snapshot: Snapshot | None) -> None:
        """Write the stats strip: the last epoch's metrics of ``snapshot`` (None clears)."""
        self.epochLabel.setText(f"Epoch {self._epoch:,}")
        if snapshot is None:
            self.speedLabel.setText("—")
            for label in (
                self.trainLossLabel,
                self.trainAccuracyLabel,
                self.testLossLabel,
                self.testAccuracyLabel,
            ):
                label.setText("—")
            return
        self.speedLabel.setText(
            f"{snapshot.epochs_per_second:,.0f} epochs/s" if snapshot.running else "paused"
        )
        if len(snapshot.epochs) == 0:
            return
        self.trainLossLabel.setText(f"{snapshot.loss[-1]:.4f}")
        self.trainAccuracyLabel.setText(f"{snapshot.accuracy[-1]:.1%}")
        if snapshot.val_loss is not None and np.isfinite(snapshot.val_loss[-1]):
            self.testLossLabel.setText(f"{snapshot.val_loss[-1]:.4f}")
            self.testAccuracyLabel.setText(f"{snapshot.val_accuracy[-1]:.1%}")
        else:
            self.testLossLabel.setText("—")
            self.testAccuracyLabel.setText("—")

    def _on_points_changed(self) -> None:
        """After every data edit, undo and redo: redraw, and train on the new data."""
        points = self._points
        self.dataPlot.set_points(points.X, points.labels, points.is_test)
        self.dataPanel.set_counts(points.counts())
        X_train, y_train = points.train_data()
        X_test, y_test = points.test_data()
        self._worker.set_data(X_train, y_train, X_test, y_test)
        if self._running:
            problem = self._training_data_problem()
            if problem:
                self.pause()
                self.statusBar().showMessage(f"Training paused: {problem}.")

    def _set_active_class(self, label: int) -> None:
        self.dataPanel.set_active_class(label)
        self.dataPlot.set_active_class(label)
        self.classActions[label].setChecked(True)
        self._set_eraser(False)

    def _set_eraser(self, on: bool) -> None:
        self.dataPanel.set_eraser(on)
        self.dataPlot.set_eraser(on)
        blocked = self.eraserAction.blockSignals(True)
        self.eraserAction.setChecked(on)
        self.eraserAction.blockSignals(blocked)

    # -- slots: controls (GUI thread) -------------------------------------------------------------

    @Slot()
    def _on_train_triggered(self) -> None:
        if self._running:
            self.pause()
        else:
            self.train()

    @Slot()
    def _on_step_triggered(self) -> None:
        self.step()

    @Slot()
    def _on_reset_triggered(self) -> None:
        self.reset()

    @Slot(object)
    def _on_generate_requested(self, settings: DataSettings) -> None:
        try:
            command = settings.generate()
        except ValueError as error:
            self.statusBar().showMessage(f"Cannot generate: {error}")
            return
        self.push_edit(
            command,
            f"{command.text}: {len(command.X)} points ({int(command.is_test.sum())} held out "
            "for testing). Ctrl+Z undoes it.",
        )
        self._fit_view_to_points()

    @Slot()
    def _on_clear_requested(self) -> None:
        if len(self._points):
            self.push_edit(
                ReplacePoints.clear(),
                "Cleared: paint class 0 with the left button, class 1 with the right button.",
            )

    @Slot(object, int)
    def _on_paint(self, X: np.ndarray, label: int) -> None:
        X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
        if len(X):
            self.push_edit(AddPoints(X, np.full(len(X), label, dtype=np.int64)))

    @Slot(object)
    def _on_erase(self, indices: np.ndarray) -> None:
        indices = np.unique(np.asarray(indices, dtype=np.int64))
        if len(indices):
            self.push_edit(RemovePoints(indices))

    @Slot(object)
    def _on_view_changed(self, rect: tuple[float, float, float, float]) -> None:
        self._worker.set_view_rect(rect)

    @Slot(int)
    def _on_active_class_chosen(self, label: int) -> None:
        self._set_active_class(label)

    @Slot()
    def _on_class_action_triggered(self) -> None:
        self._set_active_class(int(self.sender().data()))

    @Slot(bool)
    def _on_eraser_toggled(self, on: bool) -> None:
        self._set_eraser(on)

    @Slot(bool)
    def _on_eraser_action_toggled(self, on: bool) -> None:
        self._set_eraser(on)

    @Slot(bool)
    def _on_show_test_changed(self, show: bool) -> None:
        self.dataPlot.set_show_test(show)
        blocked = self.showTestAction.blockSignals(True)
        self.showTestAction.setChecked(show)
        self.showTestAction.blockSignals(blocked)

    @Slot(object)
    def _on_architecture_changed(self, architecture: Architecture) -> None:
        self._architecture = architecture.copy()
        self._restart_with_message(f"Network re-initialised: {architecture.summary()}")

    @Slot(object)
    def _on_hyperparameters_changed(self, hyperparameters: Hyperparameters) -> None:
        old, self._hyperparameters = self._hyperparameters, hyperparameters.copy()
        changed = [
            name
            for name, label in RESTARTING_HYPERPARAMETERS.items()
            if getattr(old, name) != getattr(hyperparameters, name)
        ]
        if changed:
            what = RESTARTING_HYPERPARAMETERS[changed[0]]
            value = getattr(hyperparameters, changed[0])
            shown = OPTIMIZER_LABELS.get(value, value) if changed[0] == "optimizer" else value
            self._restart_with_message(
                f"{what} is now {shown}: network re-initialised: {self._architecture.summary()}"
            )
        else:
            self._worker.set_hyperparameters(self._hyperparameters)
            self.sigSessionChanged.emit()

    # -- worker reports (called by _WorkerInbox in the GUI thread) --------------------------------

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.run_id != self._run_id:
            return  # sent before the last reset
        progressed, self._epoch = snapshot.epoch != self._epoch, snapshot.epoch
        if snapshot.rewound_to is not None:
            self._rewind_metrics(snapshot.rewound_to)
        if len(snapshot.epochs):
            self._metrics_backlog.append(snapshot)
            if not snapshot.running:
                self._flush_metrics()  # a step or a pause: show its epochs at once
            elif not self._metrics_timer.isActive():
                self._metrics_timer.start()
        if snapshot.grid is not None:
            self.dataPlot.set_probability_grid(snapshot.grid, snapshot.rect)
        self._show_stats(snapshot)
        if progressed:
            self.sigSessionChanged.emit()

    @Slot()
    def _flush_metrics(self) -> None:
        """Draw the metrics of the snapshots received since the last flush, in one append."""
        self._metrics_timer.stop()
        backlog, self._metrics_backlog = self._metrics_backlog, []
        if not backlog:
            return
        has_test = any(s.val_loss is not None for s in backlog)

        def joined(name: str) -> np.ndarray | None:
            if name.startswith("val_") and not has_test:
                return None
            parts = [
                np.full(len(s.epochs), np.nan) if getattr(s, name) is None else getattr(s, name)
                for s in backlog
            ]
            return np.concatenate(parts)

        self.metricsPlots.append(
            np.concatenate([s.epochs for s in backlog]),
            joined("loss"),
            joined("accuracy"),
            joined("val_loss"),
            joined("val_accuracy"),
        )

    def _rewind_metrics(self, epoch: int) -> None:
        """Drop the curves' points after ``epoch`` (the engine went back there)."""
        self._flush_metrics()
        curves = self.metricsPlots.curves
        epochs = curves["loss"].xData
        if epochs is None or len(epochs) == 0 or epochs[-1] <= epoch:
            return
        keep = epochs <= epoch

        def kept(name: str) -> np.ndarray | None:
            y = curves[name].yData
            return None if y is None or len(y) != len(epochs) else y[keep]

        self.metricsPlots.set_history(
            epochs[keep],
            kept("loss"),
            kept("accuracy"),
            kept("val_loss"),
            kept("val_accuracy"),
        )

    def _on_worker_stopped(self, message: str, commands_done: int) -> None:
        if commands_done < self._control_serial:
            return  # the user has given newer orders since (e.g. a reset)
        self._running = False
        self._update_train_controls()
        self.statusBar().showMessage(message)

    def _on_worker_error(self, message: str, commands_done: int) -> None:
        self._running = False
        self._update_train_controls()
        self.statusBar().showMessage(message)

    # -- Qt overrides -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        # Unsaved changes: Save/Discard/Cancel (Cancel keeps the window open).
        if not self.session_manager.confirm_close(ask=not self._shut_down):
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event: QEvent) -> None:  # Qt override
        super().showEvent(event)
        self._worker.set_view_rect(self.dataPlot.view_rect())


class _WorkerInbox(QObject):
    """Receives the worker's signals in the GUI thread and hands them to the window.

    The worker's signals come from its thread, so they must reach slots of a QObject that lives
    in the GUI thread, where Qt queues them. This small final class is that receiver: PySide6
    (6.11) runs a slot that a *subclass overrides* in the emitting thread, even with an
    explicit QueuedConnection, so connecting to the window's own (overridable) methods would
    make a subclass draw from the worker thread.
    """

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self._window = window

    @Slot(object)
    def on_snapshot(self, snapshot: Snapshot) -> None:
        self._window._on_snapshot(snapshot)

    @Slot(str, int)
    def on_stopped(self, message: str, commands_done: int) -> None:
        self._window._on_worker_stopped(message, commands_done)

    @Slot(str, int)
    def on_error(self, message: str, commands_done: int) -> None:
        self._window._on_worker_error(message, commands_done)


_LIVE_THREADS: dict[QThread, TrainingWorker] = {}


def _keep_until_finished(thread: QThread, worker: TrainingWorker) -> None:
    """Hold a reference to ``thread`` until it has finished (see MainWindow._start_worker)."""
    for finished in [t for t in _LIVE_THREADS if t.isFinished()]:
        del _LIVE_THREADS[finished]
    _LIVE_THREADS[thread] = worker


@atexit.register
def _stop_live_threads() -> None:
    # A script that never closes its window (nor runs the event loop to its end) would
    # otherwise leave Python's shutdown to destroy a running QThread, which Qt reports as
    # "QThread: Destroyed while thread is still running".
    for thread, worker in list(_LIVE_THREADS.items()):
        _stop_training_thread(worker, thread)


def _stop_training_thread(worker: TrainingWorker, thread: QThread, *_: object) -> None:
    """Stop flag -> the loop returns -> quit -> wait (ARCHITECTURE.md habit 5)."""
    if not shiboken6.isValid(thread) or not thread.isRunning():
        return
    worker.stop()
    thread.quit()
    if not thread.wait(SHUTDOWN_TIMEOUT_MS):
        # One epoch of a huge network can outlast the timeout; the process is ending anyway.
        print("NN Playground: the training thread did not stop in time.", file=sys.stderr)


def _card(title: str, content: QWidget) -> QFrame:
    card = QFrame()
    card.setObjectName("panelCard")
    card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(10, 8, 10, 10)
    layout.setSpacing(6)
    heading = QLabel(title)
    heading.setObjectName("panelTitle")
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * 1.1)
    heading.setFont(font)
    layout.addWidget(heading)
    layout.addWidget(content)
    return card


def _reserve_width(label: QLabel, text: str) -> None:
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(text) + 2)


def _stat_value(name: str, widest: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    _reserve_width(label, widest)
    return label


def _caption(text: str, bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName("statCaption")
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label
