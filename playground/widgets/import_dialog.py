"""File ▸ Import Points for any delimited text file: preview, column choices, class mapping.

The dialog only shows and asks. What it shows comes in as a :class:`TablePreview` (made from
``nn_engine.datasets.inspect_table``); every change of a choice is announced with
``sigChoiceChanged(ImportChoice)``, and whoever reads the file (``playground.exports``) answers
with :meth:`ImportDialog.show_summary`: what the choice would import, or why it cannot. The
Import button is enabled only while the summary shown is that of the current choice and the
choice can be imported, so what the user accepts is exactly what the summary said.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground import theme

PREVIEW_ROWS = 20  # rows of the file shown in the preview table
MAX_TEST_PERCENT = 90  # as the data panel's split
SUMMARY_LINES = 6  # room for the summary: points, classes, left out, skipped, standardised


@dataclass(frozen=True)
class TablePreview:
    """What the dialog shows of a file before anything is imported.

    Attributes
    ----------
    file_name : str
    columns : tuple of str
        The columns' names (from the header line, or "column 1", ... without one).
    kinds : tuple of str
        Per column, ``"number"`` or ``"text"``.
    missing : tuple of int
        Per column, how many rows have no value there.
    rows : tuple of tuple of str
        The first rows (at most PREVIEW_ROWS) as the file spells them.
    reading : str
        How the file was read, e.g. "comma-separated · UTF-8 · header line".
    label_values : mapping of str to tuple of str
        Per column that can be a label, its distinct values in sorted order (as text); a
        column missing here has too many values to be a label.
    mostly_numeric : tuple of str
        Columns typed "text" whose values are mostly numbers: offered for x and y too (their
        other rows are skipped and counted), after the numeric columns.
    """

    file_name: str
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    missing: tuple[int, ...]
    rows: tuple[tuple[str, ...], ...]
    reading: str = ""
    label_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    mostly_numeric: tuple[str, ...] = ()

    @property
    def numeric_columns(self) -> list[str]:
        return [
            name for name, kind in zip(self.columns, self.kinds, strict=True) if kind == "number"
        ]

    @property
    def coordinate_columns(self) -> list[str]:
        """The choices for x and y: the numeric columns, then the mostly numeric ones."""
        return self.numeric_columns + [c for c in self.columns if c in self.mostly_numeric]


@dataclass(frozen=True)
class ImportChoice:
    """The columns and options chosen in the dialog.

    Attributes
    ----------
    x, y, label : str
        Column names.
    classes : (str, str) or None
        The label values that become class 0 and class 1; None when the label column cannot
        be a label (too many values).
    standardize : bool
        Whether x and y become z-scores.
    test_size : float
        The share of the imported points held out for testing (0 .. 0.9).
    """

    x: str
    y: str
    label: str
    classes: tuple[str, str] | None
    standardize: bool
    test_size: float


class ImportDialog(QDialog):
    """The import dialog (objectName ``importDialog``); opened with :meth:`open`, non-blocking.

    Children with stable objectNames: ``importPreview`` (QTableWidget), ``importReadingLabel``,
    ``importXCombo``, ``importYCombo``, ``importLabelCombo``, ``importClass0Combo``,
    ``importClass1Combo``, ``importStandardizeCheck``, ``importTestSpin`` (percent),
    ``importSummaryLabel``, and ``buttons`` (Import = Ok, Cancel).

    Parameters
    ----------
    preview : TablePreview
        Must have at least two numeric columns.
    test_share : float
        The test share shown first (the data panel's).
    remembered : mapping, optional
        A choice made before for a file of this name (keys ``x``, ``y``, ``label``,
        ``class0``, ``class1``, ``standardize``): used where it fits this file.
    parent : QWidget, optional

    Signals
    -------
    sigChoiceChanged(ImportChoice)
        After every change of a choice, and once from :meth:`open`.
    """

    sigChoiceChanged = Signal(object)

    def __init__(
        self,
        preview: TablePreview,
        test_share: float,
        remembered: Mapping[str, object] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        numeric = preview.coordinate_columns
        assert len(numeric) >= 2, "the caller refuses files without two numeric columns"
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Import Points from {preview.file_name}")
        self._preview = preview
        self._summary_of: ImportChoice | None = None
        self._importable = False
        remembered = dict(remembered or {})

        self.readingLabel = QLabel(preview.reading)
        self.readingLabel.setObjectName("importReadingLabel")
        self.readingLabel.setStyleSheet("color: #6B7280;")
        self.previewTable = self._build_preview(preview)

        self.xCombo = self._column_combo("importXCombo", numeric, "The column giving x")
        self.yCombo = self._column_combo("importYCombo", numeric, "The column giving y")
        self.labelCombo = self._combo(
            "importLabelCombo", list(preview.columns), "The column giving each point's class"
        )
        self.class0Combo = self._combo("importClass0Combo", [], "The label value of class 0")
        self.class1Combo = self._combo("importClass1Combo", [], "The label value of class 1")
        self.standardizeCheck = QCheckBox("Standardise x and y (z-score)")
        self.standardizeCheck.setObjectName("importStandardizeCheck")
        self.standardizeCheck.setToolTip(
            "Subtract each column's mean and divide by its standard deviation, so both axes "
            "have the same scale; the axis labels say so"
        )
        self.testSpin = QSpinBox()
        self.testSpin.setObjectName("importTestSpin")
        self.testSpin.setRange(0, MAX_TEST_PERCENT)
        self.testSpin.setSingleStep(5)
        self.testSpin.setSuffix(" % test")
        self.testSpin.setToolTip("Share of the imported points held out as test data")
        self.testSpin.setValue(round(100 * test_share))

        self.summaryLabel = QLabel()
        self.summaryLabel.setObjectName("importSummaryLabel")
        self.summaryLabel.setWordWrap(True)
        self.summaryLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.summaryLabel.setMinimumHeight(SUMMARY_LINES * self.fontMetrics().lineSpacing())
        self.summaryLabel.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.importButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.importButton.setText("Import")
        self.importButton.setToolTip("Replace the points with these (Ctrl+Z undoes it)")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Import nothing")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self._apply_remembered(remembered, numeric)
        self._layout()
        for combo in (self.xCombo, self.yCombo, self.class0Combo, self.class1Combo):
            combo.currentIndexChanged.connect(self._on_choice_edited)
        self.labelCombo.currentIndexChanged.connect(self._on_label_changed)
        self.standardizeCheck.toggled.connect(self._on_choice_edited)
        self.testSpin.valueChanged.connect(self._on_choice_edited)
        self.show_pending()

    # -- building --------------------------------------------------------------------------------

    def _build_preview(self, preview: TablePreview) -> QTableWidget:
        rows = preview.rows[:PREVIEW_ROWS]
        table = QTableWidget(len(rows), len(preview.columns))
        table.setObjectName("importPreview")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setHorizontalHeaderLabels(
            [
                column_heading(name, kind, missing)
                for name, kind, missing in zip(
                    preview.columns, preview.kinds, preview.missing, strict=True
                )
            ]
        )
        table.setVerticalHeaderLabels([str(number) for number in range(1, len(rows) + 1)])
        for r, row in enumerate(rows):
            for c in range(len(preview.columns)):
                text = row[c] if c < len(row) else ""
                item = QTableWidgetItem(text)
                if preview.kinds[c] == "number":
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.resizeColumnsToContents()
        table.setMinimumHeight(8 * table.verticalHeader().defaultSectionSize())
        return table

    def _preview_width(self) -> int:
        """Pixels that show every preview column without a horizontal scroll bar."""
        table = self.previewTable
        columns = sum(table.columnWidth(c) for c in range(table.columnCount()))
        scroll_bar = table.verticalScrollBar().sizeHint().width()
        return (
            columns
            + table.verticalHeader().sizeHint().width()
            + scroll_bar
            + 4 * table.frameWidth()
        )

    def _column_combo(self, name: str, columns: list[str], tip: str) -> QComboBox:
        """A choice of numeric columns; a mostly numeric one reads "name (some text)"."""
        combo = self._combo(name, [], f"{tip} (numeric columns)")
        for column in columns:
            shown = f"{column} (some text)" if column in self._preview.mostly_numeric else column
            combo.addItem(shown, column)
        return combo

    @staticmethod
    def _combo(name: str, entries: list[str], tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItems(entries)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _apply_remembered(self, remembered: dict[str, object], numeric: list[str]) -> None:
        columns = list(self._preview.columns)
        x = remembered.get("x") if remembered.get("x") in numeric else numeric[0]
        y_default = next(name for name in numeric if name != x)
        y = remembered.get("y") if remembered.get("y") in numeric else y_default
        self.xCombo.setCurrentIndex(self.xCombo.findData(x))
        self.yCombo.setCurrentIndex(self.yCombo.findData(y))
        label = remembered.get("label")
        if label not in columns:
            label = default_label_column(self._preview, (x, y))
        self.labelCombo.setCurrentText(label)
        self._fill_classes(remembered.get("class0"), remembered.get("class1"))
        self.standardizeCheck.setChecked(bool(remembered.get("standardize", False)))

    def _layout(self) -> None:
        columns = QFormLayout()
        columns.addRow("x", self.xCombo)
        columns.addRow("y", self.yCombo)
        columns.addRow("Label", self.labelCombo)
        classes = QHBoxLayout()
        for label, combo in ((0, self.class0Combo), (1, self.class1Combo)):
            marker = QLabel(
                f'<span style="color:{theme.CLASS_COLORS[label]}">{"●■"[label]}</span> '
                f"{theme.CLASS_NAMES[label]}"
            )
            classes.addWidget(marker)
            classes.addWidget(combo, 1)
        columns.addRow("Classes", classes)
        columns.addRow("", self.standardizeCheck)
        columns.addRow("Test share", self.testSpin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.readingLabel)
        layout.addWidget(self.previewTable, 1)
        layout.addLayout(columns)
        layout.addWidget(self.summaryLabel)
        layout.addWidget(self.buttons)
        margins = layout.contentsMargins()
        width = self._preview_width() + margins.left() + margins.right()
        self.resize(max(560, min(1100, width)), 640)

    # -- the choice --------------------------------------------------------------------------------

    def choice(self) -> ImportChoice:
        """The columns and options as chosen now."""
        classes = None
        if self.class0Combo.isEnabled():
            classes = (self.class0Combo.currentText(), self.class1Combo.currentText())
        return ImportChoice(
            x=self.xCombo.currentData(),
            y=self.yCombo.currentData(),
            label=self.labelCombo.currentText(),
            classes=classes,
            standardize=self.standardizeCheck.isChecked(),
            test_size=self.testSpin.value() / 100,
        )

    def open(self) -> None:  # Qt override: also announce the first choice
        super().open()
        self.sigChoiceChanged.emit(self.choice())

    @Slot()
    def _on_label_changed(self) -> None:
        self._fill_classes(None, None)
        self._on_choice_edited()

    @Slot()
    def _on_choice_edited(self) -> None:
        self.show_pending()
        self.sigChoiceChanged.emit(self.choice())

    def _fill_classes(self, class0: object, class1: object) -> None:
        """Offer the label column's values; class 0 and class 1 start as the first two (sorted)
        or as remembered."""
        values = list(self._preview.label_values.get(self.labelCombo.currentText(), ()))
        for combo in (self.class0Combo, self.class1Combo):
            blocked = combo.blockSignals(True)
            combo.clear()
            combo.addItems(values)
            combo.setEnabled(len(values) >= 2)
            combo.blockSignals(blocked)
        if len(values) >= 2:
            first = class0 if class0 in values else values[0]
            second = class1 if class1 in values and class1 != first else None
            if second is None:
                second = next(value for value in values if value != first)
            for combo, value in ((self.class0Combo, first), (self.class1Combo, second)):
                blocked = combo.blockSignals(True)
                combo.setCurrentText(value)
                combo.blockSignals(blocked)

    @property
    def preview(self) -> TablePreview:
        """What the dialog shows of the file."""
        return self._preview

    # -- the answer --------------------------------------------------------------------------------

    def show_pending(self) -> None:
        """The summary of the current choice is being computed: Import waits for it."""
        self._summary_of = None
        self._importable = False
        self.importButton.setEnabled(False)
        self.summaryLabel.setStyleSheet("color: #6B7280;")
        self.summaryLabel.setText("Reading the chosen columns…")

    def show_summary(self, choice: ImportChoice, text: str, importable: bool) -> None:
        """Show what ``choice`` imports (``importable``) or why it cannot; ignored unless
        ``choice`` is still the current choice."""
        if choice != self.choice():
            return
        self._summary_of = choice
        self._importable = importable
        self.importButton.setEnabled(importable)
        self.summaryLabel.setStyleSheet("" if importable else "color: #B42318;")
        self.summaryLabel.setText(text)

    @property
    def summary_text(self) -> str:
        return self.summaryLabel.text()

    @property
    def importable(self) -> bool:
        """True when the summary shown is the current choice's and it can be imported."""
        return self._importable and self._summary_of == self.choice()


def column_heading(name: str, kind: str, missing: int) -> str:
    """A preview column's heading: its name, then its type and missing count on a second line,
    e.g. ``"petal_length\\nnumber · 0 missing"``."""
    return f"{name}\n{kind} · {missing:,} missing"


def default_label_column(preview: TablePreview, taken: tuple[str, str]) -> str:
    """The label column offered first, among the columns that can be a label and are not x
    or y: a text column before a numeric one, two values before more, fewer values before
    more, the last column first; the last column when none can be a label."""
    candidates = [
        (kind != "text", len(preview.label_values[name]) != 2, len(preview.label_values[name]), -i)
        for i, (name, kind) in enumerate(zip(preview.columns, preview.kinds, strict=True))
        if name in preview.label_values and name not in taken
    ]
    if not candidates:
        return preview.columns[-1]
    return preview.columns[-min(candidates)[-1]]
