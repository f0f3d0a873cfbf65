"""The NN Playground window: a composition of panels and actions around one controller.

It holds no state of its own (ARCHITECTURE.md): the :class:`~playground.controller.Controller`
owns the document, the undo stack and the training worker. Widgets' intents become commands
pushed through the controller; the document's notifications redraw the panels (with their
signals blocked, so nothing loops); the worker's snapshots draw the plots.
"""

import os

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFrame,
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

from playground import exports, presets_menu
from playground.controller import DEFAULT_DATA, Controller
from playground.help import HelpMenu
from playground.session_manager import SessionManager
from playground.state import (
    AddPoints,
    Architecture,
    Command,
    DataSettings,
    Hyperparameters,
    PointSet,
    RemovePoints,
)
from playground.state.document import (
    ASPECT_ARCHITECTURE,
    ASPECT_DATA_SETTINGS,
    ASPECT_HYPERPARAMETERS,
    ASPECT_POINTS,
    ASPECT_PROGRESS,
    ASPECT_RUN,
    ASPECT_SOURCE,
    ASPECT_VIEW,
    Compound,
    DataSource,
    EditPoints,
    SetDataSettings,
    clear_points,
)
from playground.widgets.data_panel import DataPanel
from playground.widgets.data_plot import DataPlot
from playground.widgets.layer_editor import LayerEditor
from playground.widgets.metrics_plots import MetricsPlots
from playground.widgets.stats_strip import StatsStrip, format_speed
from playground.widgets.training_panel import OPTIMIZER_LABELS, TrainingPanel
from playground.worker import Snapshot, TrainingWorker

WINDOW_TITLE = "NN Playground"
# The metric plots redraw at most this often: re-rendering their axes costs ~20 ms each time,
# while the decision map follows every snapshot (~22 per second).
METRICS_REFRESH_MS = 250

STYLE_SHEET = """
QMainWindow, QScrollArea, QScrollArea > QWidget > QWidget#controlColumn { background: #F3F4F6; }
QFrame#panelCard, QFrame#statsCard {
    background: #FFFFFF; border: 1px solid #DADDE3; border-radius: 8px;
}
QLabel#panelTitle { font-weight: 600; color: #1F2933; }
QLabel#panelSubtitle, QLabel#statCaption { color: #6B7280; }
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
        return (
            event.type() == QEvent.Type.ShortcutOverride
            and event.key() in self.KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        )


class MainWindow(QMainWindow):
    """The whole playground: data, network and training controls, live plots, a status line.

    Built with no argument and no dialog; it generates a default data set and network and
    starts its training thread (paused). Closing it stops the thread.

    Notes
    -----
    Children with stable objectNames (the test contract): ``datasetCombo``,
    ``generateButton``, ``trainButton`` (says Train or Pause), ``stepButton``,
    ``resetButton``, ``addLayerButton``, ``learningRateSpin``, ``optimizerCombo``,
    ``batchSizeSpin``, ``dataPlot``, ``lossPlot``, ``accuracyPlot``, ``epochLabel``.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(STYLE_SHEET)
        self.controller = Controller(parent=self)
        self._metrics_backlog: list[Snapshot] = []
        self._metrics_timer = QTimer(self)
        self._metrics_timer.setSingleShot(True)
        self._metrics_timer.setInterval(METRICS_REFRESH_MS)
        self._metrics_timer.timeout.connect(self._flush_metrics)

        self._build_widgets()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_layout()
        self._connect()
        self.dataExchange = exports.DataExchangeActions(
            self.controller, self, self.dataPlot, self.metricsPlots
        )
        self.presetsMenu = presets_menu.PresetsMenu(self.controller, self)
        self.menuBar().addMenu(self.presetsMenu)
        self.helpMenu = HelpMenu(self)
        self.menuBar().addMenu(self.helpMenu)

        self._on_document_changed(frozenset({"all"}))
        self.dataPlot.fit_to_points()
        self.statusBar().showMessage(
            "Ready: press Train (Space), or paint points with the mouse (left/right click)."
        )
        self.resize(1280, 800)
        # Last: it restores the saved geometry over the default size, and may show the bar
        # offering an autosave recovered after an unclean exit.
        self.session_manager = SessionManager(self.controller, self)

    # -- public API (scripts and tests) -----------------------------------------------------------

    @property
    def points(self) -> PointSet:
        """The labelled points (change them only through :meth:`push_edit`)."""
        return self.controller.document.points

    @property
    def architecture(self) -> Architecture:
        return self.controller.document.architecture

    @property
    def hyperparameters(self) -> Hyperparameters:
        return self.controller.document.hyperparameters

    @property
    def worker(self) -> TrainingWorker:
        return self.controller.worker

    @property
    def training_thread(self):
        return self.controller.training_thread

    @property
    def undo_stack(self):
        return self.controller.undo_stack

    @property
    def is_training(self) -> bool:
        return self.controller.is_training

    @property
    def epoch(self) -> int:
        """The epoch of the current run, as last reported by the worker."""
        return self.controller.document.epoch

    def set_architecture(self, architecture: Architecture) -> None:
        """Use these hidden layers (one undo step; the network is re-initialised)."""
        self.controller.set_architecture(architecture)
        self.statusBar().showMessage(f"Network re-initialised: {architecture.summary()}")

    def set_hyperparameters(self, hyperparameters: Hyperparameters) -> None:
        """Use these training settings, exactly as if the user had entered them."""
        self._on_hyperparameters_edited(hyperparameters)

    def set_data_settings(self, settings: DataSettings) -> None:
        """Use these data generator settings (one undo step; the points stay until Generate)."""
        if settings != self.controller.document.data_settings:
            self.controller.push(SetDataSettings(settings), merge_key="data_settings")

    def push_edit(self, command: Command, message: str | None = None) -> None:
        """Apply a point edit as one undo step; the worker trains on it from its next epoch."""
        if message is not None:
            self.statusBar().showMessage(message)
        self.controller.push_points(command)

    def train(self) -> None:
        problem = self.controller.train()
        self.statusBar().showMessage(
            f"Cannot train: {problem}." if problem else "Training… (Space pauses)"
        )

    def pause(self) -> None:
        if self.controller.is_training:
            self.controller.pause()
            self.statusBar().showMessage("Paused. Step one epoch with S or →, continue with Space.")

    def step(self) -> None:
        problem = self.controller.step()
        if problem:
            self.statusBar().showMessage(f"Cannot train: {problem}.")

    def reset(self) -> None:
        """A new run from the same seed (same initial weights), paused; Ctrl+Z brings back the
        run it replaced."""
        self.controller.reset()
        seed = self.controller.document.hyperparameters.seed
        self.statusBar().showMessage(
            f"Reset: epoch 0, weights re-initialised with seed {seed}. Ctrl+Z undoes it."
        )

    def new_weights(self) -> None:
        """A new seed and fresh weights, paused (undoable)."""
        seed = self.controller.new_weights()
        self.statusBar().showMessage(f"New weights from seed {seed}. Ctrl+Z undoes it.")

    def shutdown(self) -> None:
        """Stop the training thread and wait for it; safe to call twice."""
        self.controller.shutdown(on_wait=self._show_stopping)

    def import_points_csv(self, path: str | os.PathLike) -> None:
        """Replace the points with an ``x,y,label`` CSV file's, as one undo step."""
        exports.import_points_csv(self.controller, path)
        self.dataPlot.fit_to_points()

    def export_points_csv(self, path: str | os.PathLike) -> None:
        exports.export_points_csv(self.controller, path)

    def export_model(self, path: str | os.PathLike) -> None:
        exports.export_model(self.controller, path)

    def export_architecture(self, path: str | os.PathLike) -> None:
        exports.export_architecture(self.controller, path)

    def export_data_plot_image(self, path: str | os.PathLike, width: int | None = None) -> None:
        exports.export_data_plot_image(self.controller, self.dataPlot, path, width)

    def export_metrics_image(self, path: str | os.PathLike, width: int | None = None) -> None:
        exports.export_metrics_image(self.controller, self.metricsPlots, path, width)

    def apply_preset(self, name: str) -> None:
        """A preset's data, network and settings as one undo step, paused at epoch 0."""
        presets_menu.apply_preset(self.controller, name)
        self.dataPlot.fit_to_points()

    def save_session(self, path: str | os.PathLike) -> None:
        """Save the whole session to ``path`` (atomically), waiting for the current epoch."""
        self.session_manager.save(path)

    def load_session(self, path: str | os.PathLike) -> None:
        """Open a session file exactly as it was saved, paused; a bad file changes nothing."""
        self.session_manager.load(path)

    def new_session(self) -> None:
        self.session_manager.new()

    # -- construction -----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        document = self.controller.document
        self.dataPanel = DataPanel(document.data_settings)
        self.layerEditor = LayerEditor(document.architecture)
        self.trainingPanel = TrainingPanel(document.hyperparameters)
        self.dataPlot = DataPlot()
        self.dataPlot.setObjectName("dataPlot")
        self.metricsPlots = MetricsPlots(orientation=Qt.Orientation.Vertical)
        self.metricsPlots.setObjectName("metricsPlots")
        self.stats = StatsStrip()
        self.epochLabel = self.stats.epochLabel
        self.speedLabel = self.stats.speedLabel
        self.trainLossLabel = self.stats.trainLossLabel
        self.trainAccuracyLabel = self.stats.trainAccuracyLabel
        self.testLossLabel = self.stats.testLossLabel
        self.testAccuracyLabel = self.stats.testAccuracyLabel

    def _action(self, text: str, keys: list[str], tip: str, slot, icon=None, **kw) -> QAction:
        action = QAction(text, self, **kw)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            action.setToolTip(tip)
        (action.toggled if kw.get("checkable") else action.triggered).connect(slot)
        return action

    def _build_actions(self) -> None:
        pix = QStyle.StandardPixmap
        self.trainAction = self._action("&Train", ["Space"], "", self._on_train_triggered)
        self.stepAction = self._action(
            "&Step one epoch", ["S", "Right"], "Step: train exactly one epoch (S or →)",
            self.step, pix.SP_MediaSeekForward,
        )  # fmt: skip
        self.stepAction.setIconText("Step")
        self.resetAction = self._action(
            "&Reset", ["R"], "Reset: epoch 0, same seed, same initial weights (R)",
            self.reset, pix.SP_BrowserReload,
        )  # fmt: skip
        self.newWeightsAction = self._action(
            "&New weights", ["W"], "New weights: a new seed and fresh weights (W)",
            self.new_weights, pix.SP_DialogResetButton,
        )  # fmt: skip
        stack = self.controller.undo_stack
        self.undoAction = stack.createUndoAction(self, "&Undo")
        self.undoAction.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.undoAction.setIcon(_theme_icon("edit-undo", self.style(), pix.SP_ArrowBack))
        self.redoAction = stack.createRedoAction(self, "&Redo")
        self.redoAction.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redoAction.setIcon(_theme_icon("edit-redo", self.style(), pix.SP_ArrowForward))
        group = QActionGroup(self)
        self.classActions = []
        for label in (0, 1):
            action = QAction(f"Paint class {label}", self, checkable=True)
            action.setShortcut(QKeySequence(str(label + 1)))
            action.setData(label)
            action.setToolTip(f"Left click paints class {label} ({label + 1})")
            action.triggered.connect(self._on_class_action_triggered)
            group.addAction(action)
            self.classActions.append(action)
        self.classActions[0].setChecked(True)
        self.eraserAction = self._action("&Eraser", ["E"], "", self._set_eraser, checkable=True)
        self.generateAction = self._action(
            "&Generate data", ["Ctrl+G"], "", self.dataPanel.generateButton.click
        )
        self.clearAction = self._action("&Clear points", [], "", self.dataPanel.clearButton.click)
        self.showTestAction = self._action(
            "Show &test data", ["T"], "", self.dataPanel.showTestCheck.setChecked, checkable=True
        )
        self.showTestAction.setChecked(DEFAULT_DATA.show_test)
        self.fitViewAction = self._action(
            "&Fit view to data", ["F"], "", lambda: self.dataPlot.fit_to_points()
        )
        # Ctrl+Q spelled out: StandardKey.Quit is empty on some platforms (e.g. offscreen)
        self.quitAction = self._action("&Quit", ["Ctrl+Q"], "", self.close)

    def _build_menus_and_toolbar(self) -> None:
        menus = self.menuBar()
        self.fileMenu = menus.addMenu("&File")
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
        run_actions = [self.trainAction, self.stepAction, self.resetAction, self.newWeightsAction]
        self.trainingMenu.addActions(run_actions)

        toolbar = QToolBar("Training", self)
        toolbar.setObjectName("trainingToolBar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions(run_actions)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.trainingToolBar = toolbar
        # Undo and redo stand apart from the run controls: they undo edits, not epochs.
        edit_bar = QToolBar("Edit", self)
        edit_bar.setObjectName("editToolBar")
        edit_bar.setMovable(False)
        edit_bar.setIconSize(QSize(18, 18))
        edit_bar.addActions([self.undoAction, self.redoAction])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, edit_bar)
        self.editToolBar = edit_bar
        for action, name in (
            (self.trainAction, "trainButton"),
            (self.stepAction, "stepButton"),
            (self.resetAction, "resetButton"),
            (self.newWeightsAction, "newWeightsButton"),
            (self.undoAction, "undoButton"),
            (self.redoAction, "redoButton"),
        ):
            button = toolbar.widgetForAction(action) or edit_bar.widgetForAction(action)
            button.setObjectName(name)
            setattr(self, name, button)
        self._update_train_controls(False)
        self.trainButton.setMinimumWidth(self.trainButton.sizeHint().width() + 12)
        for button in (self.undoButton, self.redoButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.addActions(
            [*run_actions, *self.classActions, self.eraserAction, self.showTestAction]
            + [self.fitViewAction]
        )  # shortcuts work wherever the focus is in the window

    def _build_layout(self) -> None:
        column = QWidget()
        column.setObjectName("controlColumn")
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(8, 8, 4, 8)
        column_layout.setSpacing(8)
        data_card, self.dataSourceLabel = _card("Data", self.dataPanel, subtitle=True)
        self.dataSourceLabel.setObjectName("dataSourceLabel")
        column_layout.addWidget(data_card)
        column_layout.addWidget(_card("Network", self.layerEditor)[0])
        column_layout.addWidget(_card("Training", self.trainingPanel)[0])
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
        center_layout.addWidget(self.stats)
        center_layout.addWidget(_plain_card(self.dataPlot), 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 8)
        right_layout.addWidget(_plain_card(self.metricsPlots))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        for widget, stretch in ((scroll, 0), (center, 3), (right, 2)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.count() - 1, stretch)
        splitter.setSizes([330, 600, 350])
        self.mainSplitter = splitter
        self.setCentralWidget(splitter)

    def _connect(self) -> None:
        controller = self.controller
        controller.document.subscribe(self._on_document_changed)
        controller.sigSnapshot.connect(self._on_snapshot)
        controller.sigRunningChanged.connect(self._update_train_controls)
        controller.sigMessage.connect(self.statusBar().showMessage)
        panel = self.dataPanel
        panel.sigGenerateRequested.connect(self._on_generate_requested)
        panel.sigClearRequested.connect(self._on_clear_requested)
        panel.sigActiveClassChanged.connect(self._set_active_class)
        panel.sigEraserToggled.connect(self._set_eraser)
        panel.sigShowTestChanged.connect(self._on_data_settings_edited)
        for spin in (panel.pointsSpin, panel.noiseSpin, panel.dataSeedSpin, panel.testRatioSpin):
            spin.valueChanged.connect(self._on_data_settings_edited)
        self.dataPlot.sigPaint.connect(self._on_paint)
        self.dataPlot.sigErase.connect(self._on_erase)
        self.dataPlot.sigViewChanged.connect(self._on_view_changed)
        self.dataPlot.sigActiveClassChanged.connect(self._set_active_class)
        self.dataPlot.sigEraserChanged.connect(self._set_eraser)
        self.layerEditor.sigArchitectureChanged.connect(self.set_architecture)
        self.trainingPanel.sigHyperparametersChanged.connect(self._on_hyperparameters_edited)
        self._shortcut_filter = _LetShortcutsThrough(self)
        for spin in self.findChildren(QAbstractSpinBox):
            spin.installEventFilter(self._shortcut_filter)

    # -- document -> panels -----------------------------------------------------------------------

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        document = self.controller.document
        every = "all" in aspects or len(aspects) >= 7
        if every or ASPECT_POINTS in aspects:
            points = document.points
            self.dataPlot.set_points(points.X, points.labels, points.is_test)
            self.dataPanel.set_counts(points.counts())
        if every or ASPECT_POINTS in aspects or ASPECT_SOURCE in aspects:
            self.dataSourceLabel.setText(document.data_description())
        if every or ASPECT_DATA_SETTINGS in aspects:
            settings = document.data_settings
            self.dataPanel.set_settings(settings)
            self._on_show_test_changed(settings.show_test)
        if every or ASPECT_ARCHITECTURE in aspects:
            self.layerEditor.set_architecture(document.architecture)
        if every or ASPECT_HYPERPARAMETERS in aspects:
            self.trainingPanel.set_hyperparameters(document.hyperparameters)
        if every or ASPECT_RUN in aspects:
            # Another network: its figures come with the worker's next snapshot.
            self._metrics_timer.stop()
            self._metrics_backlog.clear()
            self.metricsPlots.clear()
            self.dataPlot.clear_regions()
            self.stats.show_metrics(document.epoch, None)
        elif ASPECT_PROGRESS in aspects:
            self.stats.show_epoch(document.epoch)
        view = document.view_range
        if ASPECT_VIEW in aspects and view and view != self.dataPlot.view_rect():
            self.dataPlot.set_view_rect(view)

    # -- snapshots -> plots -----------------------------------------------------------------------

    @Slot(object)
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.history_replaced:
            self._metrics_backlog.clear()
            self.metricsPlots.clear()
        elif snapshot.rewound_to is not None:
            self._rewind_metrics(snapshot.rewound_to)
        if len(snapshot.epochs):
            self._metrics_backlog.append(snapshot)
            if not snapshot.running:
                self._flush_metrics()  # a step or a pause: show its epochs at once
            elif not self._metrics_timer.isActive():
                self._metrics_timer.start()
        if snapshot.grid is not None:
            self.dataPlot.set_probability_grid(snapshot.grid, snapshot.rect)
        last = None
        if len(snapshot.epochs):
            val = snapshot.val_loss is not None and np.isfinite(snapshot.val_loss[-1])
            last = (
                float(snapshot.loss[-1]),
                float(snapshot.accuracy[-1]),
                float(snapshot.val_loss[-1]) if val else None,
                float(snapshot.val_accuracy[-1]) if val else None,
            )
        else:
            latest = self.metricsPlots.latest()
            if latest.get("epoch"):
                names = ("loss", "accuracy", "val_loss", "val_accuracy")
                last = tuple(latest.get(name) for name in names)
        speed = format_speed(snapshot.epochs_per_second, snapshot.running)
        self.stats.show_metrics(snapshot.epoch, last, speed)

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
            *(joined(n) for n in ("loss", "accuracy", "val_loss", "val_accuracy")),
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

        names = ("loss", "accuracy", "val_loss", "val_accuracy")
        self.metricsPlots.set_history(epochs[keep], *(kept(n) for n in names))

    # -- widgets -> commands ----------------------------------------------------------------------

    @Slot()
    def _on_train_triggered(self) -> None:
        self.pause() if self.controller.is_training else self.train()

    @Slot(bool)
    def _update_train_controls(self, running: bool) -> None:
        pix = QStyle.StandardPixmap
        icon = pix.SP_MediaPause if running else pix.SP_MediaPlay
        self.trainAction.setText("&Pause" if running else "&Train")
        self.trainAction.setIcon(self.style().standardIcon(icon))
        self.trainAction.setToolTip(
            "Pause training (Space)" if running else "Train: run epochs until paused (Space)"
        )

    @Slot(object)
    def _on_generate_requested(self, settings: DataSettings) -> None:
        try:
            generated = settings.generate()
        except ValueError as error:
            self.statusBar().showMessage(f"Cannot generate: {error}")
            return
        source = DataSource(settings.generator.capitalize())
        commands = [EditPoints(generated, source)]
        if settings != self.controller.document.data_settings:
            commands.insert(0, SetDataSettings(settings))
        self.controller.push(Compound(tuple(commands), generated.text))
        n_test = int(generated.is_test.sum())
        kept = " The network keeps its weights." if self.controller.document.epoch else ""
        self.statusBar().showMessage(
            f"{generated.text}: {len(generated.X)} points ({n_test} held out for testing)."
            f"{kept} Ctrl+Z undoes it."
        )
        self.dataPlot.fit_to_points()

    @Slot()
    def _on_data_settings_edited(self, *_: object) -> None:
        self.set_data_settings(self.dataPanel.settings())

    @Slot()
    def _on_clear_requested(self) -> None:
        if len(self.points):
            self.statusBar().showMessage(
                "Cleared: paint class 0 with the left button, class 1 with the right button."
            )
            self.controller.push(clear_points())

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
        self.controller.document.set_view_range(rect)
        self.controller.worker.set_view_rect(rect)

    @Slot(object)
    def _on_hyperparameters_edited(self, hyperparameters: Hyperparameters) -> None:
        restarting = self.controller.set_hyperparameters(hyperparameters)
        if restarting:
            value = getattr(hyperparameters, restarting[0])
            shown = OPTIMIZER_LABELS.get(value, value)
            summary = self.controller.document.architecture.summary()
            self.statusBar().showMessage(
                f"{restarting[0].capitalize()} is now {shown}: network re-initialised: "
                f"{summary}. Ctrl+Z undoes it."
            )

    @Slot()
    def _on_class_action_triggered(self) -> None:
        self._set_active_class(int(self.sender().data()))

    @Slot(int)
    def _set_active_class(self, label: int) -> None:
        self.dataPanel.set_active_class(label)
        self.dataPlot.set_active_class(label)
        self.classActions[label].setChecked(True)
        self._set_eraser(False)

    @Slot(bool)
    def _set_eraser(self, on: bool) -> None:
        self.dataPanel.set_eraser(on)
        self.dataPlot.set_eraser(on)
        blocked = self.eraserAction.blockSignals(True)
        self.eraserAction.setChecked(on)
        self.eraserAction.blockSignals(blocked)

    @Slot(bool)
    def _on_show_test_changed(self, show: bool) -> None:
        self.dataPlot.set_show_test(show)
        blocked = self.showTestAction.blockSignals(True)
        self.showTestAction.setChecked(show)
        self.showTestAction.blockSignals(blocked)

    def _show_stopping(self) -> None:
        self.statusBar().showMessage("Stopping… (the current epoch is finishing)")
        self.statusBar().repaint()
        QApplication.processEvents()

    # -- Qt overrides -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        # Unsaved changes: Save/Discard/Cancel (Cancel keeps the window open).
        if not self.session_manager.confirm_close(ask=not self.controller._shut_down):
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event: QEvent) -> None:  # Qt override
        super().showEvent(event)
        self.controller.worker.set_view_rect(self.dataPlot.view_rect())


def _theme_icon(name: str, style: QStyle, fallback: QStyle.StandardPixmap):
    from PySide6.QtGui import QIcon

    return QIcon.fromTheme(name, style.standardIcon(fallback))


def _card(title: str, content: QWidget, subtitle: bool = False) -> tuple[QFrame, QLabel | None]:
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
    extra = None
    if subtitle:
        extra = QLabel()
        extra.setObjectName("panelSubtitle")
        extra.setWordWrap(True)
        layout.addWidget(extra)
    layout.addWidget(content)
    return card, extra


def _plain_card(content: QWidget) -> QFrame:
    card = QFrame()
    card.setObjectName("panelCard")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(content)
    return card
