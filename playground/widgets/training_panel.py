"""Training hyperparameters: optimizer, learning rate, batch size, regularisation, init, speed."""

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from playground.state import Hyperparameters

OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}
REGULARIZATION_LABELS = {"none": "None", "l1": "L1", "l2": "L2"}
INIT_LABELS = {"seed": "Article (randn·0.1)", "he": "He", "xavier": "Xavier"}
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int


def one_two_five(lowest: float, highest: float) -> list[float]:
    """Return the 1-2-5 sequence (1, 2, 5, 10, 20, ...) between ``lowest`` and ``highest``.

    Parameters
    ----------
    lowest, highest : float
        Inclusive bounds, both > 0.

    Returns
    -------
    list of float
        Increasing values, each a 1, 2 or 5 times a power of ten.
    """
    values = []
    for exponent in range(math.floor(math.log10(lowest)), math.ceil(math.log10(highest)) + 1):
        for mantissa in (1, 2, 5):
            value = float(f"{mantissa}e{exponent}")  # exact decimal, no 0.30000000000000004
            if lowest * (1 - 1e-9) <= value <= highest * (1 + 1e-9):
                values.append(value)
    return values


def _ladder_step(values: Sequence[float], current: float, steps: int) -> float:
    """Move ``steps`` rungs along the sorted ``values`` from ``current`` (which may be off them)."""
    tolerance = 1e-9 * max(abs(current), 1e-12)
    above = [i for i, v in enumerate(values) if v > current + tolerance]
    below = [i for i, v in enumerate(values) if v < current - tolerance]
    exact = [i for i, v in enumerate(values) if abs(v - current) <= tolerance]
    if exact:
        index = exact[0] + steps
    elif steps > 0:
        index = (above[0] if above else len(values)) + steps - 1
    else:
        index = (below[-1] if below else -1) + steps + 1
    return values[min(max(index, 0), len(values) - 1)]


class LogSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox stepping along the 1-2-5 sequence (0.01 → 0.02 → 0.05 → 0.1).

    Any value in range can still be typed; the arrows, the wheel and PageUp/PageDown move to
    the next value of the sequence. Values show without trailing zeros (``0.03``, ``0.00001``).

    Parameters
    ----------
    minimum, maximum : float
        The range; ``maximum > 0`` and ``minimum >= 0``.
    smallest : float, optional
        The smallest positive rung when ``minimum`` is 0 (the ladder is then 0, smallest, ...).
    parent : QWidget, optional
    """

    def __init__(
        self,
        minimum: float,
        maximum: float,
        smallest: float | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        lowest_positive = minimum if minimum > 0 else (smallest or 1e-5)
        # Enough decimals that QDoubleSpinBox's rounding keeps two significant digits of it.
        self.setDecimals(max(0, -math.floor(math.log10(lowest_positive))) + 2)
        self.setRange(minimum, maximum)
        self._ladder = ([0.0] if minimum == 0 else []) + one_two_five(lowest_positive, maximum)
        self.setKeyboardTracking(False)

    def stepBy(self, steps: int) -> None:  # Qt override
        self.setValue(_ladder_step(self._ladder, self.value(), steps))
        self.selectAll()

    def textFromValue(self, value: float) -> str:  # Qt override
        return np.format_float_positional(float(f"{value:.6g}"), trim="-")

    def valueFromText(self, text: str) -> float:  # Qt override
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:  # Qt override
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = all(c in "0123456789.eE+-" for c in stripped)
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class LadderSpinBox(QSpinBox):
    """A QSpinBox whose arrows step along a fixed ladder of values (e.g. 1, 2, 4, 8, ...).

    Parameters
    ----------
    ladder : sequence of int
        Increasing values; the first and last are the range.
    parent : QWidget, optional
    """

    def __init__(self, ladder: Sequence[int], parent: QWidget | None = None):
        super().__init__(parent)
        self._ladder = [float(v) for v in ladder]
        self.setRange(int(ladder[0]), int(ladder[-1]))
        self.setKeyboardTracking(False)

    def stepBy(self, steps: int) -> None:  # Qt override
        self.setValue(int(_ladder_step(self._ladder, float(self.value()), steps)))
        self.selectAll()


class TrainingPanel(QWidget):
    """Hyperparameter controls, read and written as a :class:`~playground.state.Hyperparameters`.

    Children (stable objectNames): ``optimizerCombo``, ``learningRateSpin`` (log-scale,
    1e-5..10), ``batchSizeSpin`` (0 shows "Full batch"), ``regularizationCombo``,
    ``regularizationRateSpin``, ``initCombo``, ``seedSpin`` and ``speedSpin`` (epochs per
    refresh).

    Parameters
    ----------
    hyperparameters : Hyperparameters
        The values shown initially (copied).
    parent : QWidget, optional

    Attributes
    ----------
    sigHyperparametersChanged : Signal(object)
        Emitted with a new :class:`~playground.state.Hyperparameters` after every user edit
        (not after :meth:`set_hyperparameters`).
    """

    sigHyperparametersChanged = Signal(object)

    def __init__(self, hyperparameters: Hyperparameters, parent: QWidget | None = None):
        super().__init__(parent)
        self.optimizerCombo = _combo("optimizerCombo", OPTIMIZER_LABELS)
        self.optimizerCombo.setToolTip(
            "How the weights follow the gradient. Changing it starts a new run (re-initialises)."
        )
        self.learningRateSpin = LogSpinBox(1e-5, 10.0)
        self.learningRateSpin.setObjectName("learningRateSpin")
        self.learningRateSpin.setToolTip(
            "Step size of gradient descent (1e-5..10; arrows step 1-2-5). Applies immediately,"
            " also while training."
        )
        self.batchSizeSpin = LadderSpinBox([0] + [2**k for k in range(13)])
        self.batchSizeSpin.setObjectName("batchSizeSpin")
        self.batchSizeSpin.setSpecialValueText("Full batch")
        self.batchSizeSpin.setToolTip(
            "Samples per gradient step; Full batch uses all training points. Applies immediately."
        )
        self.regularizationCombo = _combo("regularizationCombo", REGULARIZATION_LABELS)
        self.regularizationCombo.setToolTip(
            "Penalty on large weights (L1 or L2). Applies immediately, also while training."
        )
        self.regularizationRateSpin = LogSpinBox(0.0, 10.0, smallest=1e-5)
        self.regularizationRateSpin.setObjectName("regularizationRateSpin")
        self.regularizationRateSpin.setToolTip("Strength of the regularisation penalty")
        self.initCombo = _combo("initCombo", INIT_LABELS)
        self.initCombo.setToolTip(
            "Initial weights: the article's randn·0.1, He (ReLU) or Xavier (tanh/sigmoid)."
            " Changing it re-initialises the network."
        )
        self.seedSpin = QSpinBox()
        self.seedSpin.setObjectName("seedSpin")
        self.seedSpin.setRange(0, MAX_SEED)
        self.seedSpin.setKeyboardTracking(False)
        self.seedSpin.setMinimumWidth(60)  # not as wide as its 10-digit maximum
        self.seedSpin.setToolTip(
            "Random seed of the initial weights and the batch order: Reset repeats a run exactly."
        )
        self.speedSpin = LadderSpinBox([int(v) for v in one_two_five(1, 10_000)])
        self.speedSpin.setObjectName("speedSpin")
        self.speedSpin.setSuffix(" epochs / frame")
        self.speedSpin.setToolTip(
            "Epochs trained between two redraws (at most ~30 redraws per second): lower it to"
            " watch slowly, raise it to train at full speed."
        )

        regularization_row = QHBoxLayout()
        regularization_row.setSpacing(4)
        regularization_row.addWidget(self.regularizationCombo, 1)
        regularization_row.addWidget(self.regularizationRateSpin, 1)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Optimizer", self.optimizerCombo)
        form.addRow("Learning rate", self.learningRateSpin)
        form.addRow("Batch size", self.batchSizeSpin)
        form.addRow("Regularisation", regularization_row)
        form.addRow("Initialisation", self.initCombo)
        form.addRow("Seed", self.seedSpin)
        form.addRow("Speed", self.speedSpin)

        self._hyperparameters = hyperparameters
        self.set_hyperparameters(hyperparameters)

        self.optimizerCombo.currentIndexChanged.connect(self._on_edited)
        self.learningRateSpin.valueChanged.connect(self._on_edited)
        self.batchSizeSpin.valueChanged.connect(self._on_edited)
        self.regularizationCombo.currentIndexChanged.connect(self._on_edited)
        self.regularizationRateSpin.valueChanged.connect(self._on_edited)
        self.initCombo.currentIndexChanged.connect(self._on_edited)
        self.seedSpin.valueChanged.connect(self._on_edited)
        self.speedSpin.valueChanged.connect(self._on_edited)

    def hyperparameters(self) -> Hyperparameters:
        """Return the values shown, as a new :class:`~playground.state.Hyperparameters`."""
        return self._hyperparameters.copy()

    def set_hyperparameters(self, hyperparameters: Hyperparameters) -> None:
        """Show ``hyperparameters`` without emitting :attr:`sigHyperparametersChanged`."""
        widgets = (
            self.optimizerCombo,
            self.learningRateSpin,
            self.batchSizeSpin,
            self.regularizationCombo,
            self.regularizationRateSpin,
            self.initCombo,
            self.seedSpin,
            self.speedSpin,
        )
        blocked = [w.blockSignals(True) for w in widgets]
        try:
            _select(self.optimizerCombo, hyperparameters.optimizer)
            self.learningRateSpin.setValue(hyperparameters.learning_rate)
            self.batchSizeSpin.setValue(hyperparameters.batch_size)
            _select(self.regularizationCombo, hyperparameters.regularization)
            self.regularizationRateSpin.setValue(hyperparameters.regularization_rate)
            _select(self.initCombo, hyperparameters.init)
            self.seedSpin.setValue(hyperparameters.seed)
            self.speedSpin.setValue(hyperparameters.epochs_per_refresh)
        finally:
            for widget, was_blocked in zip(widgets, blocked, strict=True):
                widget.blockSignals(was_blocked)
        self._hyperparameters = hyperparameters.copy()
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.regularizationRateSpin.setEnabled(self.regularizationCombo.currentData() != "none")

    def _read_widgets(self) -> Hyperparameters:
        return Hyperparameters(
            optimizer=self.optimizerCombo.currentData(),
            learning_rate=self.learningRateSpin.value(),
            batch_size=self.batchSizeSpin.value(),
            regularization=self.regularizationCombo.currentData(),
            regularization_rate=self.regularizationRateSpin.value(),
            init=self.initCombo.currentData(),
            seed=self.seedSpin.value(),
            epochs_per_refresh=self.speedSpin.value(),
        )

    @Slot()
    def _on_edited(self) -> None:
        self._update_enabled()
        self._hyperparameters = self._read_widgets()
        self.sigHyperparametersChanged.emit(self.hyperparameters())


def _combo(name: str, labels: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for key, label in labels.items():
        combo.addItem(label, key)
    return combo


def _select(combo: QComboBox, key: str) -> None:
    index = combo.findData(key)
    if index < 0:
        raise ValueError(f"{combo.objectName()} has no entry {key!r}.")
    combo.setCurrentIndex(index)
