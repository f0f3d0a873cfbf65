"""Training hyperparameters: optimizer, learning rate, batch size, regularisation, init,
precision, seed, speed; and :func:`format_rate` for the training speed label."""

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QWidget,
)

from playground.help import with_concept
from playground.state import Hyperparameters
from playground.widgets.spin_boxes import ClampingDoubleSpinBox, ClampingSpinBox

OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adam": "Adam"}
REGULARIZATION_LABELS = {"none": "None", "l1": "L1", "l2": "L2"}
INIT_LABELS = {"seed": "Article (randn·0.1)", "he": "He", "xavier": "Xavier"}
PRECISION_LABELS = {"float32": "float32", "float64": "float64"}
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int
DEFAULT_REGULARIZATION_RATE = 1e-3  # set when L1 or L2 is chosen with a strength of 0


def format_rate(epochs_per_second: float) -> str:
    """The training speed as a label shows it: ``"1,234 epochs/s"``, or ``"2.4 s/epoch"`` when
    an epoch takes longer than a second; "—" when nothing was measured (0, negative, NaN).

    Examples
    --------
    >>> format_rate(1234.4), format_rate(3.25), format_rate(0.4167), format_rate(0.01)
    ('1,234 epochs/s', '3.2 epochs/s', '2.4 s/epoch', '100 s/epoch')
    """
    rate = float(epochs_per_second)
    if not math.isfinite(rate) or rate <= 0:
        return "—"
    if rate >= 1:
        return f"{rate:.1f} epochs/s" if rate < 10 else f"{rate:,.0f} epochs/s"
    seconds = 1 / rate
    return f"{seconds:.1f} s/epoch" if seconds < 10 else f"{seconds:,.0f} s/epoch"


def speed_suffix(epochs: int) -> str:
    """The speed box's unit: " epoch / frame" for 1, " epochs / frame" otherwise."""
    return " epoch / frame" if epochs == 1 else " epochs / frame"


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


class LogSpinBox(ClampingDoubleSpinBox):
    """A QDoubleSpinBox stepping along the 1-2-5 sequence (0.01 → 0.02 → 0.05 → 0.1).

    Any value in range can still be typed (out of range, the nearest bound is set and
    ``sigClamped`` says so); the arrows, the wheel and PageUp/PageDown move to the next value
    of the sequence. Values show without trailing zeros (``0.03``, ``0.00001``).

    Parameters
    ----------
    minimum, maximum : float
        The range; ``maximum > 0`` and ``minimum >= 0``.
    smallest : float, optional
        The smallest positive rung when ``minimum`` is 0 (the ladder is then 0, smallest, ...).
    parent : QWidget, optional
    name : str
        What the box sets, for the clamping message.
    """

    def __init__(
        self,
        minimum: float,
        maximum: float,
        smallest: float | None = None,
        parent: QWidget | None = None,
        name: str = "Value",
    ):
        super().__init__(name, parent=parent)
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

    def _number_text(self, value: float) -> str:
        return self.textFromValue(value)

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


class LadderSpinBox(ClampingSpinBox):
    """A QSpinBox whose arrows step along a fixed ladder of values (e.g. 1, 2, 4, 8, ...).

    Typed values out of range are clamped and reported by ``sigClamped``.

    Parameters
    ----------
    ladder : sequence of int
        Increasing values; the first and last are the range.
    parent : QWidget, optional
    name : str
        What the box sets, for the clamping message.
    unit : str, optional
        Written after the numbers of the clamping message (default: the suffix).
    """

    def __init__(
        self,
        ladder: Sequence[int],
        parent: QWidget | None = None,
        name: str = "Value",
        unit: str | None = None,
    ):
        super().__init__(name, unit=unit, parent=parent)
        self._ladder = [float(v) for v in ladder]
        self.setRange(int(ladder[0]), int(ladder[-1]))
        self.setKeyboardTracking(False)

    def stepBy(self, steps: int) -> None:  # Qt override
        self.setValue(int(_ladder_step(self._ladder, float(self.value()), steps)))
        self.selectAll()


class TrainingPanel(QWidget):
    """Hyperparameter controls, read and written as a :class:`~playground.state.Hyperparameters`.

    Children (stable objectNames): ``optimizerCombo`` (SGD, Momentum, Nesterov, Adam),
    ``learningRateSpin`` (log-scale, 1e-5..10), ``batchSizeSpin`` (0 shows "Full batch"),
    ``regularizationCombo``, ``regularizationRateSpin`` (log-scale from 1e-5; choosing L1 or
    L2 with a strength of 0 sets 1e-3), ``initCombo``, ``precisionCombo`` (float32, float64),
    ``seedSpin`` and ``speedSpin`` (epochs per refresh, "1 epoch / frame", "10 epochs / frame").

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
    sigValueClamped : Signal(str)
        A typed value was out of range and the nearest allowed one was set; the message for
        the status line, e.g. "Learning rate: 20 is above the maximum 10; set to 10."
    """

    sigHyperparametersChanged = Signal(object)
    sigValueClamped = Signal(str)

    def __init__(self, hyperparameters: Hyperparameters, parent: QWidget | None = None):
        super().__init__(parent)
        self.optimizerCombo = _combo("optimizerCombo", OPTIMIZER_LABELS)
        self.optimizerCombo.setToolTip(
            with_concept(
                "How the weights follow the gradient: SGD, Momentum, Nesterov (momentum with a "
                "look-ahead) or Adam.\nChanging it starts a new run (re-initialises).",
                "Optimizer",
            )
        )
        self.learningRateSpin = LogSpinBox(1e-5, 10.0, name="Learning rate")
        self.learningRateSpin.setObjectName("learningRateSpin")
        self.learningRateSpin.setToolTip(
            with_concept(
                "Step size of gradient descent (1e-5..10; arrows step 1-2-5).\nApplies "
                "immediately, also while training.",
                "Learning rate",
            )
        )
        self.batchSizeSpin = LadderSpinBox([0] + [2**k for k in range(13)], name="Batch size")
        self.batchSizeSpin.setObjectName("batchSizeSpin")
        self.batchSizeSpin.setSpecialValueText("Full batch")
        self.batchSizeSpin.setToolTip(
            with_concept(
                "Samples per gradient step; Full batch uses all training points.\nApplies "
                "immediately.",
                "Batch size",
            )
        )
        self.regularizationCombo = _combo("regularizationCombo", REGULARIZATION_LABELS)
        self.regularizationCombo.setToolTip(
            with_concept(
                "Penalty on large weights (L1 or L2).\nApplies immediately, also while training.",
                "Regularisation",
            )
        )
        self.regularizationRateSpin = LogSpinBox(0.0, 10.0, smallest=1e-5, name="Strength")
        self.regularizationRateSpin.setObjectName("regularizationRateSpin")
        self.regularizationRateSpin.setToolTip(
            with_concept(
                "Strength of the regularisation penalty (arrows step 1-2-5 from 1e-5; 1e-3 is "
                "a good start)",
                "Regularisation",
            )
        )
        self.initCombo = _combo("initCombo", INIT_LABELS)
        self.initCombo.setToolTip(
            with_concept(
                "Initial weights: the article's randn·0.1, He (ReLU) or Xavier (tanh/sigmoid)."
                "\nChanging it re-initialises the network.",
                "Initialisation",
            )
        )
        self.precisionCombo = _combo("precisionCombo", PRECISION_LABELS)
        self.precisionCombo.setToolTip(
            with_concept(
                "Floating-point type of the network: float32 (faster) or float64 (the "
                "article's).\nChanging it re-initialises the network.",
                "Precision",
            )
        )
        self.seedSpin = ClampingSpinBox("Seed")
        self.seedSpin.setObjectName("seedSpin")
        self.seedSpin.setRange(0, MAX_SEED)
        self.seedSpin.setKeyboardTracking(False)
        self.seedSpin.setMinimumWidth(60)  # not as wide as its 10-digit maximum
        self.seedSpin.setToolTip(
            with_concept(
                "Random seed of the initial weights and the batch order: Reset repeats a run "
                "exactly.",
                "Initialisation",
            )
        )
        self.speedSpin = LadderSpinBox(
            [int(v) for v in one_two_five(1, 10_000)], name="Speed", unit=" epochs / frame"
        )
        self.speedSpin.setObjectName("speedSpin")
        self.speedSpin.setToolTip(
            "Epochs trained between two redraws (at most ~30 redraws per second): lower it to"
            " watch slowly, raise it to train at full speed."
        )
        self.speedSpin.valueChanged.connect(self._update_speed_suffix)
        for spin in (
            self.learningRateSpin,
            self.batchSizeSpin,
            self.regularizationRateSpin,
            self.seedSpin,
            self.speedSpin,
        ):
            spin.sigClamped.connect(self.sigValueClamped)

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
        form.addRow("Precision", self.precisionCombo)
        form.addRow("Seed", self.seedSpin)
        form.addRow("Speed", self.speedSpin)

        self._hyperparameters = hyperparameters
        self.set_hyperparameters(hyperparameters)

        self.optimizerCombo.currentIndexChanged.connect(self._on_edited)
        self.learningRateSpin.valueChanged.connect(self._on_edited)
        self.batchSizeSpin.valueChanged.connect(self._on_edited)
        self.regularizationCombo.currentIndexChanged.connect(self._on_regularization_chosen)
        self.regularizationRateSpin.valueChanged.connect(self._on_edited)
        self.initCombo.currentIndexChanged.connect(self._on_edited)
        self.precisionCombo.currentIndexChanged.connect(self._on_edited)
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
            self.precisionCombo,
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
            _select(self.precisionCombo, hyperparameters.precision)
            self.seedSpin.setValue(hyperparameters.seed)
            self.speedSpin.setValue(hyperparameters.epochs_per_refresh)
        finally:
            for widget, was_blocked in zip(widgets, blocked, strict=True):
                widget.blockSignals(was_blocked)
        self._update_speed_suffix(hyperparameters.epochs_per_refresh)
        self._hyperparameters = hyperparameters.copy()
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.regularizationRateSpin.setEnabled(self.regularizationCombo.currentData() != "none")

    @Slot(int)
    def _update_speed_suffix(self, epochs: int) -> None:
        self.speedSpin.setSuffix(speed_suffix(epochs))

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
            precision=self.precisionCombo.currentData(),
        )

    @Slot()
    def _on_regularization_chosen(self) -> None:
        # L1 or L2 at strength 0 would do nothing: start from a strength that shows an effect.
        chosen = self.regularizationCombo.currentData() != "none"
        if chosen and self.regularizationRateSpin.value() == 0:
            blocked = self.regularizationRateSpin.blockSignals(True)
            self.regularizationRateSpin.setValue(DEFAULT_REGULARIZATION_RATE)
            self.regularizationRateSpin.blockSignals(blocked)
        self._on_edited()

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
