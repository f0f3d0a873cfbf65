"""Binds the network panel to the controller: architecture, frames, focus, hand edits.

- The document's architecture (and the inputs' names) shape the diagram.
- Each snapshot's network frame and per-epoch norms are drawn; a paused worker is asked for
  a frame whenever the panel's wishes change (focus, heatmaps).
- The unit under the pointer: the worker sends its full map with each frame, and the data plot
  shows it in place of the decision map until the pointer leaves.
- A click on a link or a bias opens a small editor; accepting it pauses training and pushes
  an undoable :class:`~playground.state.document.EditParameter`.
"""

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from playground.controller import Controller
from playground.neuron_maps import value_range
from playground.state import INPUT_DIM
from playground.state.document import ASPECT_ARCHITECTURE, ASPECT_RUN
from playground.widgets.data_plot import DataPlot
from playground.widgets.network_view import NetworkView
from playground.worker import NetworkViewRequest, Snapshot

INPUT_NAMES = ("x1", "x2")
PARAMETER_LIMIT = 1e3  # a hand-edited weight or bias stays within +-PARAMETER_LIMIT


class ParameterEditor(QDialog):
    """A small non-modal editor for one weight or bias (objectName ``parameterEditor``)."""

    def __init__(self, description: str, value: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("parameterEditor")
        self.setWindowTitle("Edit")
        self.valueSpin = QDoubleSpinBox()
        self.valueSpin.setObjectName("parameterSpin")
        self.valueSpin.setDecimals(6)
        self.valueSpin.setRange(-PARAMETER_LIMIT, PARAMETER_LIMIT)
        self.valueSpin.setSingleStep(0.1)
        self.valueSpin.setValue(value)
        self.valueSpin.selectAll()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow(QLabel(description))
        layout.addRow("Value", self.valueSpin)
        layout.addRow(buttons)


class NetworkPanel(QObject):
    """Connects a :class:`NetworkView` to a :class:`Controller` (see the module docstring).

    Attributes
    ----------
    editor : ParameterEditor or None
        The open editor, if any.
    """

    def __init__(
        self,
        controller: Controller,
        view: NetworkView,
        data_plot: DataPlot,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._controller = controller
        self._view = view
        self._data_plot = data_plot
        self._request = NetworkViewRequest(shown=True)
        self._last_grid: tuple | None = None  # the decision map while a unit is shown instead
        self.editor: ParameterEditor | None = None
        controller.document.subscribe(self._on_document_changed)
        controller.sigSnapshot.connect(self._on_snapshot)
        view.sigFocusChanged.connect(self._on_focus_changed)
        view.sigHeatmapsChanged.connect(self._on_heatmaps_changed)
        view.sigParameterClicked.connect(self._on_parameter_clicked)
        self._show_architecture()
        controller.worker.set_network_view(self._request)

    @property
    def focus(self) -> tuple[int, int] | None:
        """The unit whose map the data plot shows, or None (the decision map)."""
        return self._request.focus

    def _show_architecture(self) -> None:
        architecture = self._controller.document.architecture
        names = list(INPUT_NAMES[:INPUT_DIM])
        self._view.set_architecture(architecture.sizes(), architecture.activations(), names)

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        if ASPECT_ARCHITECTURE in aspects or ASPECT_RUN in aspects:
            self._show_architecture()

    @Slot(object)
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.grid is not None:
            self._last_grid = (snapshot.grid, snapshot.rect)
        frame = snapshot.network
        if frame is not None:
            self._view.show_frame(frame)
            if frame.dead_units is not None:
                self._view.set_dead_units(list(frame.dead_units))
            if frame.focus is not None and self._request.focus == frame.focus[:2]:
                self._show_unit_map(frame, snapshot.rect or self._data_plot.view_rect())
        self._view.add_norms(snapshot.grad_norms, snapshot.weight_norms)

    def _show_unit_map(self, frame, rect) -> None:
        layer_index, unit, values = frame.focus
        activation = frame.layers[layer_index].activation
        low, high = value_range(activation, values)
        position = (values - low) / (high - low if high > low else 1.0)
        if activation == "relu":
            position = 0.5 + 0.5 * position
        self._data_plot.set_probability_grid(np.clip(position, 0.0, 1.0), rect)

    @Slot(object)
    def _on_focus_changed(self, focus: tuple[int, int] | None) -> None:
        self._request = NetworkViewRequest(True, focus, self._request.heatmaps)
        self._controller.worker.set_network_view(self._request)
        if focus is None:
            if self._last_grid is not None:
                self._data_plot.set_probability_grid(*self._last_grid)
            self._controller.sigMessage.emit("")
            return
        layers = len(self._view.sizes) - 2
        name = "the output" if focus[0] == layers else f"layer {focus[0] + 1}, unit {focus[1]}"
        self._controller.sigMessage.emit(
            f"Data plot: {name} over the view — move the pointer off the node for the decision map."
        )

    @Slot(object)
    def _on_heatmaps_changed(self, heatmaps: frozenset[int]) -> None:
        self._request = NetworkViewRequest(True, self._request.focus, heatmaps)
        self._controller.worker.set_network_view(self._request)

    @Slot(int, int, int, float)
    def _on_parameter_clicked(self, layer: int, row: int, column: int, value: float) -> None:
        self._controller.pause()
        what = (
            f"bias of layer {layer + 1} unit {row}"
            if column < 0
            else (f"weight into layer {layer + 1} unit {row} from unit {column}")
        )
        if self.editor is not None:
            self.editor.close()
        editor = ParameterEditor(f"The {what}:", value, self._view)
        editor.accepted.connect(
            lambda: self._controller.edit_parameter(
                layer, row, column, editor.valueSpin.value(), value
            )
        )
        editor.show()
        self.editor = editor
