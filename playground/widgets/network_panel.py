"""Binds the network panel to the controller: architecture, frames, focus, hand edits.

- The document's architecture (and its input features) shape the diagram. The input column
  offers the built-in features and the expressions added with "f(x1, x2)…" (kept for the
  window's lifetime, and those of the architecture); toggling one is an architecture edit
  (undoable, the weights re-initialised), and at least one feature stays on.
- Each offered feature's map over the data plot's view is computed here, in the GUI thread,
  when the view or the offer changes (625 values per feature, cached per view), never by the
  worker.
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

import nn_engine
from playground.controller import Controller
from playground.neuron_maps import feature_map, value_range
from playground.state import MAX_FEATURES, feature_label
from playground.state.document import ASPECT_ARCHITECTURE, ASPECT_RUN
from playground.widgets.data_plot import DataPlot
from playground.widgets.feature_dialog import FeatureDialog
from playground.widgets.network_view import NetworkView
from playground.worker import NetworkViewRequest, Snapshot

BUILT_IN_FEATURES = tuple(nn_engine.FEATURES)
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
    featureDialog : FeatureDialog or None
        The open "f(x1, x2)…" dialog, if any.
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
        self.featureDialog: FeatureDialog | None = None
        self._custom_features: list[str] = []  # expressions added here, in their order
        self._map_rect: tuple | None = None
        self._map_cache: dict[str, np.ndarray] = {}  # feature -> its map over _map_rect
        controller.document.subscribe(self._on_document_changed)
        controller.sigSnapshot.connect(self._on_snapshot)
        view.sigFocusChanged.connect(self._on_focus_changed)
        view.sigHeatmapsChanged.connect(self._on_heatmaps_changed)
        view.sigParameterClicked.connect(self._on_parameter_clicked)
        view.sigFeatureToggled.connect(self.toggle_feature)
        view.sigFeatureRemoved.connect(self.remove_feature)
        view.sigAddFeatureClicked.connect(self.open_feature_dialog)
        data_plot.sigViewChanged.connect(self._on_view_changed)
        self._show_architecture()
        controller.worker.set_network_view(self._request)

    @property
    def focus(self) -> tuple[int, int] | None:
        """The unit whose map the data plot shows, or None (the decision map)."""
        return self._request.focus

    def offered_features(self) -> list[str]:
        """The input column's features: the built-ins, then the expressions (those added
        here, then any other of the architecture's, e.g. from a session)."""
        features = self._controller.document.architecture.features
        customs = list(self._custom_features)
        customs += [f for f in features if f not in BUILT_IN_FEATURES and f not in customs]
        return [*BUILT_IN_FEATURES, *customs]

    def toggle_feature(self, name: str) -> None:
        """Switch the feature ``name`` (one of :meth:`offered_features`) on or off: an undoable
        architecture edit that re-initialises the weights. The last one stays on."""
        features = self._controller.document.architecture.features
        if name in features:
            if len(features) == 1:
                self._controller.sigMessage.emit(
                    f"{feature_label(name, 40)} is the only feature left: the network needs at "
                    "least one input. Switch another feature on first."
                )
                return
            wanted = [f for f in features if f != name]
        else:
            offered = self.offered_features()
            wanted = [f for f in offered if f in features or f == name]
            wanted += [f for f in features if f not in offered]
        self._set_features(wanted)

    def remove_feature(self, name: str) -> None:
        """Remove the expression ``name`` from the input column (and from the network's
        inputs if it is one of them, as an undoable edit); built-ins stay."""
        if name in BUILT_IN_FEATURES:
            return
        features = self._controller.document.architecture.features
        if features == (name,):
            self._controller.sigMessage.emit(
                f"{feature_label(name, 40)} is the only feature left: switch another feature "
                "on before removing it."
            )
            return
        if name in self._custom_features:
            self._custom_features.remove(name)
        if name in features:
            self._set_features([f for f in features if f != name])
        else:
            self._show_architecture()
            self._controller.sigMessage.emit(f"Removed the feature {feature_label(name, 40)}.")

    def add_feature(self, expression: str) -> None:
        """Offer the feature ``expression`` (checked by ``nn_engine.parse_feature``) and switch
        it on, as an undoable edit.

        Raises
        ------
        ValueError
            If the engine refuses the expression, or MAX_FEATURES are offered already.
        """
        nn_engine.parse_feature(expression)
        offered = self.offered_features()
        if expression not in offered:
            if len(offered) >= MAX_FEATURES:
                raise ValueError(
                    f"at most {MAX_FEATURES} features can be offered, got {len(offered) + 1}."
                )
            self._custom_features.append(expression)
        if expression not in self._controller.document.architecture.features:
            self.toggle_feature(expression)
        else:
            self._show_architecture()

    def open_feature_dialog(self) -> FeatureDialog:
        """Show the "f(x1, x2)…" dialog (non-modal); accepting it adds the feature."""
        if self.featureDialog is not None:
            self.featureDialog.close()
        dialog = FeatureDialog(self.offered_features(), self._view)
        dialog.accepted.connect(lambda: self.add_feature(dialog.expression()))
        dialog.show()
        self.featureDialog = dialog
        return dialog

    def _set_features(self, features: list[str]) -> None:
        architecture = self._controller.document.architecture
        architecture.set_features(features)
        self._controller.set_architecture(architecture)
        names = ", ".join(feature_label(name, 40) for name in features)
        self._controller.sigMessage.emit(
            f"Features {names}: network re-initialised, {architecture.summary()}."
        )

    def _show_architecture(self) -> None:
        architecture = self._controller.document.architecture
        self._view.set_architecture(
            architecture.sizes(),
            architecture.activations(),
            list(architecture.features),
            self.offered_features(),
        )
        self._update_feature_maps()

    @Slot(object)
    def _on_view_changed(self, rect: tuple) -> None:
        self._update_feature_maps(rect)

    def _update_feature_maps(self, rect: tuple | None = None) -> None:
        """Give the view every offered feature's map over ``rect`` (the data plot's view when
        None), computing only those not cached for this very rect."""
        rect = tuple(rect if rect is not None else self._data_plot.view_rect())
        if rect != self._map_rect:
            self._map_rect, self._map_cache = rect, {}
        offered = self.offered_features()
        for name in offered:
            if name not in self._map_cache:
                self._map_cache[name] = feature_map(name, rect)
        self._view.set_feature_maps({name: self._map_cache[name] for name in offered})

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
