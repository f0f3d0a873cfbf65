"""The layer stack editor: fixed input and output ends, editable hidden layers in between."""

from html import escape

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.help import with_concept
from playground.state import (
    HIDDEN_ACTIVATIONS,
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    Architecture,
    feature_label,
)
from playground.widgets.spin_boxes import ClampingSpinBox

ACTIVATION_LABELS = {
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "linear": "linear",
    "leaky_relu": "leaky ReLU",
}
DEFAULT_NEW_UNITS = 8
DEFAULT_NEW_ACTIVATION = "relu"

# Grid columns of a layer row.
_COL_NAME, _COL_UNITS, _COL_ACTIVATION, _COL_UP, _COL_DOWN, _COL_REMOVE = range(6)


class LayerEditor(QWidget):
    """Edit the hidden layers of the network; the input (2) and output (1 sigmoid) are fixed.

    Every hidden layer is one row: its number of units (1..256), its activation and buttons to
    move it up or down and to remove it. ``addLayerButton`` appends a layer (up to 10). The
    summary below reads e.g. ``2 → 25 → 50 → 50 → 25 → 1 · 3,976 parameters``.

    Parameters
    ----------
    architecture : Architecture, optional
        The initial hidden layers (copied). Default: no hidden layer.
    parent : QWidget, optional

    Attributes
    ----------
    sigArchitectureChanged : Signal(object)
        Emitted with a copy of the new :class:`~playground.state.Architecture` after every edit
        made by the user (not after :meth:`set_architecture`).
    sigValueClamped : Signal(str)
        A typed number of units was out of range and the nearest allowed one was set; the
        message for the status line, e.g. "Layer 2 units: 300 is above the maximum 256; set
        to 256."

    The activation boxes are at least as wide as their longest name ("leaky ReLU"), so a name
    is never clipped; a narrow panel scrolls instead.

    Notes
    -----
    Row widgets are named ``layerUnitsSpin_<i>``, ``layerActivationCombo_<i>``,
    ``moveLayerUpButton_<i>``, ``moveLayerDownButton_<i>`` and ``removeLayerButton_<i>``
    (``i`` counts hidden layers from 0) so that tests and accessibility tools can find them.
    """

    sigArchitectureChanged = Signal(object)
    sigValueClamped = Signal(str)

    def __init__(self, architecture: Architecture | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._architecture = architecture.copy() if architecture is not None else Architecture([])

        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(4)
        self._grid.setVerticalSpacing(3)
        self._grid.setColumnStretch(_COL_ACTIVATION, 1)
        self.inputLabel = _end_label("Input", "")
        self._grid.addWidget(self.inputLabel, 0, 0, 1, 6)
        self._headers = [_header("Units"), _header("Activation")]
        self._grid.addWidget(self._headers[0], 1, _COL_UNITS)
        self._grid.addWidget(self._headers[1], 1, _COL_ACTIVATION)
        # One row per possible hidden layer, made once and shown as needed: edits never
        # destroy the widget that has the focus, and nothing flickers.
        self._rows = [_LayerRow(i, self) for i in range(MAX_HIDDEN_LAYERS)]
        for i, row in enumerate(self._rows):
            for column, widget in enumerate(row.widgets()):
                self._grid.addWidget(widget, i + 2, column)
        self._grid.addWidget(
            _end_label("Output", "1 unit · sigmoid → P(class 1)"), MAX_HIDDEN_LAYERS + 2, 0, 1, 6
        )

        self.addLayerButton = QPushButton("+ Add layer")
        self.addLayerButton.setObjectName("addLayerButton")
        self.addLayerButton.setToolTip(
            f"Append a hidden layer (at most {MAX_HIDDEN_LAYERS}); this re-initialises the weights"
        )
        self.addLayerButton.clicked.connect(self._on_add_clicked)

        self.summaryLabel = QLabel()
        self.summaryLabel.setObjectName("architectureSummaryLabel")
        self.summaryLabel.setWordWrap(True)
        self.summaryLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.summaryLabel.font()
        font.setBold(True)
        self.summaryLabel.setFont(font)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._grid)
        layout.addWidget(self.addLayerButton)
        layout.addWidget(self.summaryLabel)
        self._show_architecture()

    # -- public API ---------------------------------------------------------------------------

    def architecture(self) -> Architecture:
        """Return a copy of the edited architecture."""
        return self._architecture.copy()

    def set_architecture(self, architecture: Architecture) -> None:
        """Show ``architecture`` (copied) without emitting :attr:`sigArchitectureChanged`."""
        self._architecture = architecture.copy()
        self._show_architecture()

    def visible_layer_count(self) -> int:
        """Number of layer rows shown (equals the number of hidden layers)."""
        return sum(not row.units.isHidden() for row in self._rows)

    # -- rows -----------------------------------------------------------------------------------

    def _show_architecture(self) -> None:
        layers = self._architecture.layers
        for i, row in enumerate(self._rows):
            if i < len(layers):
                row.show(layers[i].units, layers[i].activation, len(layers))
            else:
                row.hide()
        for header in self._headers:
            header.setVisible(bool(layers))
        self.addLayerButton.setEnabled(len(layers) < MAX_HIDDEN_LAYERS)
        self.summaryLabel.setText(self._architecture.summary())
        features = self._architecture.features
        names = ", ".join(feature_label(name, 40) for name in features)
        count = "1 feature" if len(features) == 1 else f"{len(features)} features"
        self.inputLabel.setText(
            f"<b>Input</b>&nbsp;&nbsp;<span style='color:#666'>{count}: {escape(names)}</span>"
        )
        self.inputLabel.setToolTip(
            f"The network's inputs: {', '.join(features)}. Switch features on and off in the "
            "network panel's input column; f(x1, x2)… there adds your own."
        )

    def _changed(self) -> None:
        self._show_architecture()
        self.sigArchitectureChanged.emit(self._architecture.copy())

    # -- slots ----------------------------------------------------------------------------------

    def _sender_index(self) -> int:
        return int(self.sender().property("layerIndex"))

    @Slot()
    def _on_add_clicked(self) -> None:
        layers = self._architecture.layers
        if len(layers) >= MAX_HIDDEN_LAYERS:
            return
        units = layers[-1].units if layers else DEFAULT_NEW_UNITS
        activation = layers[-1].activation if layers else DEFAULT_NEW_ACTIVATION
        self._architecture.add_layer(units=units, activation=activation)
        self._changed()

    @Slot(int)
    def _on_units_changed(self, units: int) -> None:
        self._architecture.set_units(self._sender_index(), units)
        self._changed()

    @Slot(int)
    def _on_activation_changed(self, combo_index: int) -> None:
        self._architecture.set_activation(self._sender_index(), HIDDEN_ACTIVATIONS[combo_index])
        self._changed()

    @Slot()
    def _on_move_up_clicked(self) -> None:
        index = self._sender_index()
        self._architecture.move_layer(index, index - 1)
        self._changed()

    @Slot()
    def _on_move_down_clicked(self) -> None:
        index = self._sender_index()
        self._architecture.move_layer(index, index + 1)
        self._changed()

    @Slot()
    def _on_remove_clicked(self) -> None:
        self._architecture.remove_layer(self._sender_index())
        self._changed()


class _LayerRow:
    """The widgets of hidden layer ``index``: name, units, activation, up, down, remove."""

    def __init__(self, index: int, editor: LayerEditor):
        self.name = QLabel(f"Layer {index + 1}")
        self.name.setObjectName(f"layerNameLabel_{index}")

        self.units = ClampingSpinBox(f"Layer {index + 1} units")
        self.units.setObjectName(f"layerUnitsSpin_{index}")
        self.units.setRange(1, MAX_UNITS)
        self.units.setMinimumWidth(52)
        # Without tracking, typing "25" is one edit (one re-initialisation), not "2" then "25".
        self.units.setKeyboardTracking(False)
        self.units.setToolTip(f"Neurons in hidden layer {index + 1} (1..{MAX_UNITS})")
        self.units.setProperty("layerIndex", index)
        self.units.valueChanged.connect(editor._on_units_changed)
        self.units.sigClamped.connect(editor.sigValueClamped)

        self.activation = QComboBox()
        self.activation.setObjectName(f"layerActivationCombo_{index}")
        for key in HIDDEN_ACTIVATIONS:
            self.activation.addItem(ACTIVATION_LABELS.get(key, key), key)
        self.activation.setToolTip(
            with_concept(f"Activation of hidden layer {index + 1}", "Activation functions")
        )
        self.activation.setProperty("layerIndex", index)
        self.activation.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Never narrower than its longest entry: "leaky ReLU" must not read "leaky R".
        self.activation.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.activation.setMinimumWidth(self.activation.sizeHint().width())
        self.activation.currentIndexChanged.connect(editor._on_activation_changed)

        self.up = _row_button("▲", f"moveLayerUpButton_{index}", "Move this layer up", index)
        self.up.clicked.connect(editor._on_move_up_clicked)
        self.down = _row_button("▼", f"moveLayerDownButton_{index}", "Move this layer down", index)
        self.down.clicked.connect(editor._on_move_down_clicked)
        self.remove = _row_button("✕", f"removeLayerButton_{index}", "Remove this layer", index)
        self.remove.clicked.connect(editor._on_remove_clicked)
        self.index = index

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.name, self.units, self.activation, self.up, self.down, self.remove)

    def show(self, units: int, activation: str, count: int) -> None:
        # Showing a value is not an edit: no signal.
        with QSignalBlocker(self.units), QSignalBlocker(self.activation):
            self.units.setValue(units)
            self.activation.setCurrentIndex(HIDDEN_ACTIVATIONS.index(activation))
        self.up.setEnabled(self.index > 0)
        self.down.setEnabled(self.index < count - 1)
        for widget in self.widgets():
            widget.setVisible(True)

    def hide(self) -> None:
        for widget in self.widgets():
            widget.setVisible(False)


def _end_label(title: str, text: str) -> QLabel:
    label = QLabel(f"<b>{title}</b>&nbsp;&nbsp;<span style='color:#666'>{text}</span>")
    label.setObjectName(f"{title.lower()}LayerLabel")
    label.setToolTip(f"The {title.lower()} layer is fixed: {text}")
    return label


def _header(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #6B7280;")
    return label


def _row_button(text: str, name: str, tooltip: str, index: int) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setObjectName(name)
    button.setToolTip(tooltip)
    button.setAutoRaise(True)
    button.setProperty("layerIndex", index)
    return button
