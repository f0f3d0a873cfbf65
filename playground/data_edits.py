"""Data edits: the Data panel's and the data plot's intents turned into document commands.

Generate (and any change of the data settings) replaces the points with generated ones and
records the settings, as one undo step; Clear removes every point; a paint stroke adds points,
an eraser stroke removes them; the test-point toggle is a data setting too. The status line
says what happened, and a "Cannot train" line never outlives the points it was about.
"""

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QStatusBar

from playground.controller import Controller
from playground.state import AddPoints, DataSettings, RemovePoints
from playground.state.document import (
    ASPECT_POINTS,
    Compound,
    DataSource,
    EditPoints,
    SetDataSettings,
    clear_points,
)
from playground.widgets.data_panel import DataPanel
from playground.widgets.data_plot import DataPlot


class DataEdits(QObject):
    """Connects the Data panel and the data plot to the controller (see the module docstring).

    Parameters
    ----------
    controller : Controller
    panel : DataPanel
    plot : DataPlot
    status : QStatusBar
        Where the messages go.
    """

    def __init__(
        self, controller: Controller, panel: DataPanel, plot: DataPlot, status: QStatusBar
    ):
        super().__init__(panel)
        self._controller = controller
        self._plot = plot
        self._status = status
        panel.sigGenerateRequested.connect(self.generate)
        panel.sigSettingsEdited.connect(self.generate)
        panel.sigClearRequested.connect(self._on_clear_requested)
        panel.sigShowTestChanged.connect(self._on_show_test_edited)
        plot.sigPaint.connect(self._on_paint)
        plot.sigErase.connect(self._on_erase)
        controller.document.subscribe(self._on_document_changed)

    @Slot(object)
    def generate(self, settings: DataSettings) -> None:
        """Points generated from ``settings``, which become the data settings: one undo step."""
        try:
            generated = settings.generate()
        except ValueError as error:
            self._status.showMessage(f"Cannot generate: {error}")
            return
        source = DataSource(settings.generator.capitalize())
        commands = [EditPoints(generated, source)]
        if settings != self._controller.document.data_settings:
            commands.insert(0, SetDataSettings(settings))
        self._controller.push(Compound(tuple(commands), generated.text))
        n_test = int(generated.is_test.sum())
        kept = " The network keeps its weights." if self._controller.document.epoch else ""
        self._status.showMessage(
            f"{generated.text}: {len(generated.X)} points ({n_test} held out for testing)."
            f"{kept} Ctrl+Z undoes it."
        )
        self._plot.fit_to_points()

    @Slot(bool)
    def _on_show_test_edited(self, show: bool) -> None:
        settings = self._controller.document.data_settings
        settings.show_test = show
        self._controller.push(SetDataSettings(settings, "Show test points"), "show_test")

    @Slot()
    def _on_clear_requested(self) -> None:
        if len(self._controller.document.points):
            self._status.showMessage(
                "Cleared: paint class 0 with the left button, class 1 with the right button."
            )
            self._controller.push(clear_points())

    @Slot(object, int)
    def _on_paint(self, X: np.ndarray, label: int) -> None:
        X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
        if len(X):
            self._controller.push_points(AddPoints(X, np.full(len(X), label, dtype=np.int64)))

    @Slot(object)
    def _on_erase(self, indices: np.ndarray) -> None:
        indices = np.unique(np.asarray(indices, dtype=np.int64))
        if len(indices):
            self._controller.push_points(RemovePoints(indices))

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        if ASPECT_POINTS in aspects:
            self._refresh_training_problem()

    def _refresh_training_problem(self) -> None:
        """A status line about untrainable data follows the points (it never goes stale)."""
        message = self._status.currentMessage()
        if not message.startswith(("Cannot train", "Training paused: need")):
            return
        problem = self._controller.training_data_problem()
        if problem:
            if message.startswith("Cannot train"):
                self._status.showMessage(f"Cannot train: {problem}.")
        else:
            n_train = int((~self._controller.document.points.is_test).sum())
            self._status.showMessage(
                f"Ready: {n_train:,} training points of both classes. Press Train (Space)."
            )
