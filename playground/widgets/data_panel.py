"""Data controls: the generator, the train/test split, and the painting tools."""

import random
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground import theme
from playground.help import with_concept
from playground.state import DataSettings
from playground.widgets.spin_boxes import ClampingDoubleSpinBox, ClampingSpinBox

GENERATOR_LABELS = {
    "moons": "Moons",
    "circles": "Circles",
    "xor": "XOR",
    "gaussians": "Gaussians",
    "spiral": "Spiral",
}
CLASS_SYMBOL_CHARS = ("●", "■")  # text stand-ins for theme.CLASS_SYMBOLS ("o", "s")
MAX_POINTS = 5000
MAX_SEED = 2**31 - 1
SETTINGS_EDIT_DELAY_MS = 400  # a setting edit waits this long for the next before it applies


def next_seed(seed: int) -> int:
    """The seed after ``seed`` for Generate: pseudo-random, so each press draws new points, yet
    a fixed sequence, so the same presses from the same seed give the same points again."""
    return random.Random(seed).randint(0, MAX_SEED)


def class_icon(label: int, size: int = 16) -> QIcon:
    """Return an icon showing class ``label``'s marker: its shape filled with its colour.

    Parameters
    ----------
    label : int
        0 or 1.
    size : int
        Edge length in pixels.
    """
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(theme.FOREGROUND), 1.0))
    painter.setBrush(QColor(theme.CLASS_COLORS[label]))
    margin = size * 0.15
    rect = QRectF(QPointF(margin, margin), QPointF(size - margin, size - margin))
    if theme.CLASS_SYMBOLS[label] == "s":
        painter.drawRect(rect)
    else:
        painter.drawEllipse(rect)
    painter.end()
    return QIcon(pixmap)


def class_markup(label: int) -> str:
    """Return rich text for class ``label``'s marker in its colour (e.g. a blue square)."""
    return f"<span style='color:{theme.CLASS_COLORS[label]}'>{CLASS_SYMBOL_CHARS[label]}</span>"


class DataPanel(QWidget):
    """Generate a data set, set the train/test split, and choose the painting tool.

    Children (stable objectNames): ``datasetCombo``, ``pointsSpin``, ``noiseSpin``,
    ``dataSeedSpin``, ``testRatioSpin`` (percent), ``showTestCheck``, ``generateButton``,
    ``clearButton``, ``class0Button``, ``class1Button``, ``eraserButton``, ``pointCountsLabel``.

    Every change of a data setting (data set, points, noise, split, seed) asks for the points
    again with :attr:`sigSettingsEdited`: at once for the data set, 400 ms after the last
    change for the number boxes (so arrow clicks in a row are one edit). Generate draws new
    points: it picks a new seed, shows it, and emits :attr:`sigGenerateRequested`.

    Parameters
    ----------
    settings : DataSettings
        The values shown initially.
    parent : QWidget, optional
    new_seed : callable, optional
        ``new_seed(seed)`` returns the seed of Generate's new draw from the one shown; default
        :func:`next_seed`.

    Attributes
    ----------
    sigGenerateRequested : Signal(object)
        The user asked for a new random draw (Generate): the
        :class:`~playground.state.DataSettings`, with the new seed.
    sigSettingsEdited : Signal(object)
        The user changed data settings (and stopped changing them): the
        :class:`~playground.state.DataSettings` shown.
    sigValueClamped : Signal(str)
        A typed value was out of range and the nearest allowed one was set; the message for
        the status line, e.g. "Points: 6000 is above the maximum 5000; set to 5000."
    sigClearRequested : Signal()
        The user asked to remove every point.
    sigActiveClassChanged : Signal(int)
        The user chose the class that a left click paints (0 or 1).
    sigEraserToggled : Signal(bool)
        The user switched the eraser on or off.
    sigShowTestChanged : Signal(bool)
        The user switched the display of test points.
    """

    sigGenerateRequested = Signal(object)
    sigClearRequested = Signal()
    sigActiveClassChanged = Signal(int)
    sigEraserToggled = Signal(bool)
    sigShowTestChanged = Signal(bool)
    sigSettingsEdited = Signal(object)
    sigValueClamped = Signal(str)

    def __init__(
        self,
        settings: DataSettings,
        parent: QWidget | None = None,
        new_seed: Callable[[int], int] | None = None,
    ):
        super().__init__(parent)
        self._new_seed = new_seed or next_seed
        self._edit_timer = QTimer(self)
        self._edit_timer.setObjectName("dataSettingsEditTimer")
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(SETTINGS_EDIT_DELAY_MS)
        self._edit_timer.timeout.connect(self._emit_settings_edited)

        self.datasetCombo = QComboBox()
        self.datasetCombo.setObjectName("datasetCombo")
        for key, label in GENERATOR_LABELS.items():
            self.datasetCombo.addItem(label, key)
        self.datasetCombo.setToolTip(
            with_concept(
                "The data set to generate (choosing one generates it)", "Data sets and noise"
            )
        )
        self.datasetCombo.activated.connect(self._emit_settings_edited)

        self.pointsSpin = ClampingSpinBox("Points")
        self.pointsSpin.setObjectName("pointsSpin")
        self.pointsSpin.setRange(2, MAX_POINTS)
        self.pointsSpin.setSingleStep(50)
        self.pointsSpin.setToolTip(f"Number of points to generate, train + test (2..{MAX_POINTS})")
        self.noiseSpin = ClampingDoubleSpinBox("Noise")
        self.noiseSpin.setObjectName("noiseSpin")
        self.noiseSpin.setRange(0.0, 1.0)
        self.noiseSpin.setSingleStep(0.05)
        self.noiseSpin.setDecimals(2)
        self.noiseSpin.setToolTip(
            with_concept(
                "How far the points stray from the data set's shape, 0..1, scaled to each data "
                "set:\n0 exact shape, 0.2 (default) the shape is clear, 1 very noisy",
                "Data sets and noise",
            )
        )
        self.dataSeedSpin = ClampingSpinBox("Seed")
        self.dataSeedSpin.setObjectName("dataSeedSpin")
        self.dataSeedSpin.setRange(0, MAX_SEED)
        self.dataSeedSpin.setToolTip(
            "Random seed of the generated points and of the split (Generate picks a new one)"
        )
        self.dataSeedSpin.setMinimumWidth(60)  # not as wide as its 10-digit maximum
        self.testRatioSpin = ClampingSpinBox("Split", unit=" %")
        self.testRatioSpin.setObjectName("testRatioSpin")
        self.testRatioSpin.setRange(0, 90)
        self.testRatioSpin.setSingleStep(5)
        self.testRatioSpin.setSuffix(" % test")
        self.testRatioSpin.setToolTip(
            with_concept(
                "Share of generated points held out as test data (hollow markers); never "
                "trained on",
                "Train vs test",
            )
        )
        for spin in (self.pointsSpin, self.noiseSpin, self.dataSeedSpin, self.testRatioSpin):
            # Typing "250" is one edit on Enter, not "2", "25", "250"; arrows apply at once.
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._on_setting_edited)
            spin.sigClamped.connect(self.sigValueClamped)
        self.showTestCheck = QCheckBox("Show test data")
        self.showTestCheck.setObjectName("showTestCheck")
        self.showTestCheck.setToolTip("Draw the held-out test points (hollow markers)")
        self.showTestCheck.toggled.connect(self.sigShowTestChanged)

        self.generateButton = QPushButton("Generate")
        self.generateButton.setObjectName("generateButton")
        self.generateButton.setToolTip(
            "Draw new points: a new seed for the same settings (undoable)"
        )
        self.generateButton.clicked.connect(self._on_generate)
        self.clearButton = QPushButton("Clear")
        self.clearButton.setObjectName("clearButton")
        self.clearButton.setToolTip("Remove every point, e.g. to paint your own (undoable)")
        self.clearButton.clicked.connect(self.sigClearRequested)

        self.class0Button = self._tool_button(
            "class0Button",
            "Class 0",
            class_icon(0),
            "Left click paints class 0, right click class 1 (key 1)",
        )
        self.class1Button = self._tool_button(
            "class1Button",
            "Class 1",
            class_icon(1),
            "Left click paints class 1, right click class 0 (key 2)",
        )
        self.eraserButton = self._tool_button(
            "eraserButton", "Eraser", QIcon(), "Clicks erase points (E); Ctrl+click always erases"
        )
        self._class_group = QButtonGroup(self)
        self._class_group.setExclusive(True)
        self._class_group.addButton(self.class0Button, 0)
        self._class_group.addButton(self.class1Button, 1)
        self.class0Button.setChecked(True)
        self._class_group.idToggled.connect(self._on_class_toggled)
        self.eraserButton.toggled.connect(self.sigEraserToggled)

        self.pointCountsLabel = QLabel()
        self.pointCountsLabel.setObjectName("pointCountsLabel")
        self.pointCountsLabel.setToolTip("Points per class: training (test)")

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Data set", self.datasetCombo)
        points_row = QHBoxLayout()
        points_row.setSpacing(4)
        points_row.addWidget(self.pointsSpin, 1)
        noise_label = QLabel("Noise")
        noise_label.setBuddy(self.noiseSpin)
        points_row.addWidget(noise_label)
        points_row.addWidget(self.noiseSpin, 1)
        form.addRow("Points", points_row)
        split_row = QHBoxLayout()
        split_row.setSpacing(4)
        split_row.addWidget(self.testRatioSpin, 1)
        seed_label = QLabel("Seed")
        seed_label.setBuddy(self.dataSeedSpin)
        split_row.addWidget(seed_label)
        split_row.addWidget(self.dataSeedSpin, 1)
        form.addRow("Split", split_row)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        buttons.addWidget(self.generateButton, 1)
        buttons.addWidget(self.clearButton, 1)

        tools = QHBoxLayout()
        tools.setSpacing(4)
        tools.addWidget(self.class0Button, 1)
        tools.addWidget(self.class1Button, 1)
        tools.addWidget(self.eraserButton, 1)

        counts = QHBoxLayout()
        counts.addWidget(self.pointCountsLabel, 1)
        counts.addWidget(self.showTestCheck)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addLayout(counts)
        layout.addLayout(tools)

        self.set_settings(settings)
        self.set_counts({"train": (0, 0), "test": (0, 0)})

    @staticmethod
    def _tool_button(name: str, text: str, icon: QIcon, tooltip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setText(text)
        button.setIcon(icon)
        button.setIconSize(QSize(14, 14))
        button.setToolTip(tooltip)
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    # -- public API ---------------------------------------------------------------------------

    def settings(self) -> DataSettings:
        """Return the generator settings shown, as a new :class:`~playground.state.DataSettings`.

        Settings without a control (``split_seed``) keep the value of :meth:`set_settings`.
        """
        settings = self._settings.copy()
        settings.generator = self.datasetCombo.currentData()
        settings.n_points = self.pointsSpin.value()
        settings.noise = self.noiseSpin.value()
        settings.seed = self.dataSeedSpin.value()
        settings.test_ratio = self.testRatioSpin.value() / 100
        settings.show_test = self.showTestCheck.isChecked()
        return settings

    def set_settings(self, settings: DataSettings) -> None:
        """Show ``settings`` without emitting signals (a pending settings edit is dropped)."""
        self._edit_timer.stop()
        self._settings = settings.copy()
        widgets = (
            self.datasetCombo,
            self.pointsSpin,
            self.noiseSpin,
            self.dataSeedSpin,
            self.testRatioSpin,
            self.showTestCheck,
        )
        blocked = [w.blockSignals(True) for w in widgets]
        try:
            self.datasetCombo.setCurrentIndex(self.datasetCombo.findData(settings.generator))
            self.pointsSpin.setValue(settings.n_points)
            self.noiseSpin.setValue(settings.noise)
            self.dataSeedSpin.setValue(settings.seed)
            self.testRatioSpin.setValue(round(settings.test_ratio * 100))
            self.showTestCheck.setChecked(settings.show_test)
        finally:
            for widget, was_blocked in zip(widgets, blocked, strict=True):
                widget.blockSignals(was_blocked)

    def active_class(self) -> int:
        """Return the class a left click paints (0 or 1)."""
        return self._class_group.checkedId()

    def set_active_class(self, label: int) -> None:
        """Select class ``label`` without emitting :attr:`sigActiveClassChanged`."""
        button = self._class_group.button(label)
        if button is None:
            raise ValueError(f"label must be 0 or 1, got {label!r}.")
        blocked = self._class_group.blockSignals(True)
        button.setChecked(True)
        self._class_group.blockSignals(blocked)

    def set_eraser(self, on: bool) -> None:
        """Switch the eraser button without emitting :attr:`sigEraserToggled`."""
        blocked = self.eraserButton.blockSignals(True)
        self.eraserButton.setChecked(on)
        self.eraserButton.blockSignals(blocked)

    def set_counts(self, counts: dict[str, tuple[int, int]]) -> None:
        """Show the number of points per class, e.g. from ``PointSet.counts()``."""
        train, test = counts["train"], counts["test"]
        parts = [
            f"{class_markup(c)} {train[c]}" + (f" <span style='color:#666'>({test[c]})</span>")
            for c in (0, 1)
        ]
        self.pointCountsLabel.setText("&nbsp;&nbsp;".join(parts))

    # -- slots ----------------------------------------------------------------------------------

    def settings_edit_pending(self) -> bool:
        """True while a settings edit waits for its delay before :attr:`sigSettingsEdited`."""
        return self._edit_timer.isActive()

    @Slot()
    def _on_generate(self) -> None:
        self._edit_timer.stop()  # the new draw includes any edit still waiting
        blocked = self.dataSeedSpin.blockSignals(True)
        self.dataSeedSpin.setValue(self._new_seed(self.dataSeedSpin.value()))
        self.dataSeedSpin.blockSignals(blocked)
        self.sigGenerateRequested.emit(self.settings())

    @Slot()
    def _on_setting_edited(self) -> None:
        self._edit_timer.start()  # (re)starts the delay; not start(value): that sets the delay

    @Slot()
    def _emit_settings_edited(self) -> None:
        self._edit_timer.stop()
        self.sigSettingsEdited.emit(self.settings())

    @Slot(int, bool)
    def _on_class_toggled(self, label: int, checked: bool) -> None:
        if checked:
            self.sigActiveClassChanged.emit(label)
