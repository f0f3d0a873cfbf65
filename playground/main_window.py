"""The NN Playground window: a composition of panels and actions around one controller.

It holds no state of its own (ARCHITECTURE.md): the :class:`~playground.controller.Controller`
owns the document, the undo stack and the training worker. Widgets' intents become commands
pushed through the controller; the document's notifications redraw the panels (with their
signals blocked, so nothing loops); the worker's snapshots draw the plots.
"""

import os

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QMainWindow,
    QStyle,
    QWidget,
)

from playground import exports, presets_menu, theme, window_layout
from playground.controller import DEFAULT_DATA, Controller
from playground.data_edits import DataEdits
from playground.help import HelpMenu
from playground.session_manager import SessionManager
from playground.state import (
    Architecture,
    Command,
    DataSettings,
    Hyperparameters,
    PointSet,
    find_preset,
)
from playground.state.document import (
    ASPECT_ARCHITECTURE,
    ASPECT_DATA_SETTINGS,
    ASPECT_HYPERPARAMETERS,
    ASPECT_POINTS,
    ASPECT_SOURCE,
    ASPECT_VIEW,
)
from playground.widgets.cards import edit_icon
from playground.widgets.cursor_readout import CursorReadout
from playground.widgets.data_panel import DataPanel
from playground.widgets.data_plot import DataPlot
from playground.widgets.hidden_space_view import HiddenSpaceView
from playground.widgets.layer_editor import LayerEditor
from playground.widgets.metrics_plots import MetricsPlots
from playground.widgets.network_panel import NetworkPanel
from playground.widgets.network_view import NetworkView
from playground.widgets.run_view import RunView
from playground.widgets.stats_strip import StatsStrip
from playground.widgets.training_panel import OPTIMIZER_LABELS, TrainingPanel
from playground.worker import TrainingWorker

WINDOW_TITLE = "NN Playground"


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
        self.setStyleSheet(theme.STYLE_SHEET)
        self.controller = Controller(parent=self)

        self._build_widgets()
        self._build_actions()
        window_layout.build_menus_and_toolbars(self)
        self.viewMenu.addActions([self.discretizeAction, self.hiddenSpaceAction])
        self.addActions([self.discretizeAction, self.hiddenSpaceAction])
        self._update_train_controls(False)
        self.trainButton.setMinimumWidth(self.trainButton.sizeHint().width() + 12)
        window_layout.build_central_layout(self)
        self._connect()
        self.dataExchange = exports.DataExchangeActions(
            self.controller, self, self.dataPlot, self.metricsPlots
        )
        self.presetsMenu = presets_menu.PresetsMenu(self.controller, self)
        self.menuBar().addMenu(self.presetsMenu)
        self.presetsMenu.sigPresetApplied.connect(self._show_preset_tab)
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
        """Use these data settings and generate their points, as one undo step (what a change
        in the Data panel does)."""
        self.dataEdits.generate(settings)

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

    def import_points_csv(
        self,
        path: str | os.PathLike,
        *,
        x: str | None = None,
        y: str | None = None,
        label: str | None = None,
        classes: tuple[object, object] | None = None,
        standardize: bool = False,
        test_size: float | None = None,
    ) -> None:
        """Replace the points with those of a file, as one undo step (no dialog).

        Without column names: an ``x,y,label`` file as it is; any other table raises a
        ValueError listing its columns. With ``x``, ``y`` and ``label`` (column names): those
        columns; ``classes=(value0, value1)`` picks the label values of class 0 and 1
        (without it a label with exactly two values maps in sorted order); ``standardize``
        makes x and y z-scores; ``test_size`` is the share held out for testing (the data
        panel's split when omitted). See ``DataExchangeActions.import_points_file``.
        """
        self.dataExchange.import_points_file(
            path,
            x=x,
            y=y,
            label=label,
            classes=classes,
            standardize=standardize,
            test_size=test_size,
        )

    def export_points_csv(self, path: str | os.PathLike) -> None:
        exports.export_points_csv(self.controller, path)

    def export_model(self, path: str | os.PathLike) -> None:
        exports.export_model(self.controller, path)

    def export_architecture(self, path: str | os.PathLike) -> None:
        exports.export_architecture(self.controller, path)

    def export_data_plot_image(self, path: str | os.PathLike, width: int | None = None) -> None:
        latest = self.metricsPlots.latest()
        exports.export_data_plot_image(self.controller, self.dataPlot, path, width, latest=latest)

    def export_metrics_image(self, path: str | os.PathLike, width: int | None = None) -> None:
        exports.export_metrics_image(self.controller, self.metricsPlots, path, width)

    def apply_preset(self, name: str) -> None:
        """A preset's data, network and settings as one undo step, paused at epoch 0."""
        presets_menu.apply_preset(self.controller, name)
        self.dataPlot.fit_to_points()
        self._show_preset_tab(name)

    def _show_preset_tab(self, name: str) -> None:
        """Show the Hidden space tab on the layer a preset is about, if it is about one."""
        layer = find_preset(name).hidden_space_layer
        if layer is not None:
            self.hiddenSpaceView.layerSlider.setValue(layer)
            self.rightTabs.setCurrentWidget(self.hiddenSpaceView)

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
        self.networkView = NetworkView()
        self.cursorReadout = CursorReadout(self.dataPlot, lambda: self.points)
        self.hiddenSpaceView = HiddenSpaceView(self.controller)
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
        self.undoAction.setIcon(edit_icon("edit-undo", "↶"))
        self.redoAction = stack.createRedoAction(self, "&Redo")
        self.redoAction.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redoAction.setIcon(edit_icon("edit-redo", "↷"))
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
        self.discretizeAction = self._action(
            "&Discretize output", ["D"], "Hard class colours at P = 0.5 instead of shades (D)",
            self.dataPlot.set_discretize, checkable=True,
        )  # fmt: skip
        self.hiddenSpaceAction = self._action(
            "&Hidden space", ["H"], "The plane as a hidden layer sees it (H)",
            lambda: self.rightTabs.setCurrentWidget(self.hiddenSpaceView),
        )  # fmt: skip
        # Ctrl+Q spelled out: StandardKey.Quit is empty on some platforms (e.g. offscreen)
        self.quitAction = self._action("&Quit", ["Ctrl+Q"], "", self.close)

    def _connect(self) -> None:
        controller = self.controller
        controller.document.subscribe(self._on_document_changed)
        self.dataEdits = DataEdits(controller, self.dataPanel, self.dataPlot, self.statusBar())
        self.runView = RunView(controller, self.dataPlot, self.metricsPlots, self.stats, self)
        self.networkPanel = NetworkPanel(controller, self.networkView, self.dataPlot, self)
        controller.sigRunningChanged.connect(self._update_train_controls)
        controller.sigMessage.connect(self.statusBar().showMessage)
        controller.sigAboutToCapture.connect(self.dataPlot.flush_view_changed)
        panel = self.dataPanel
        panel.sigActiveClassChanged.connect(self._set_active_class)
        panel.sigEraserToggled.connect(self._set_eraser)
        for clamping in (panel, self.trainingPanel, self.layerEditor):
            clamping.sigValueClamped.connect(self.statusBar().showMessage)
        self.dataPlot.sigViewChanged.connect(self._on_view_changed)
        self.dataPlot.sigActiveClassChanged.connect(self._set_active_class)
        self.dataPlot.sigEraserChanged.connect(self._set_eraser)
        self.layerEditor.sigArchitectureChanged.connect(self.set_architecture)
        self.trainingPanel.sigHyperparametersChanged.connect(self._on_hyperparameters_edited)
        self._shortcut_filter = window_layout.LetShortcutsThrough(self)
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
        view = document.view_range
        if ASPECT_VIEW in aspects and view and view != self.dataPlot.view_rect():
            self.dataPlot.set_view_rect(view)

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
