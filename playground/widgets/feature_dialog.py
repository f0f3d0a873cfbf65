"""The "f(x1, x2)…" dialog: a new input feature from an expression, checked as it is typed.

The text goes through ``nn_engine.parse_feature`` on every keystroke: while the engine refuses
it, its message stands under the field and OK stays disabled, so only an expression the
network can compute is ever accepted. What the expression's values are on the data is judged
later, when training starts (``Architecture.feature_problem``).
"""

from collections.abc import Iterable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

import nn_engine
from playground.state import FEATURE_LABELS, MAX_FEATURES, feature_label

EXAMPLES = "x1^2 + x2^2 · sin(3*x1) · exp(-x2^2) · abs(x1) - x2"


def feature_error(text: str, existing: Iterable[str] = (), count: int = 0) -> str:
    """Why ``text`` cannot become a new feature ("" when it can).

    ``existing`` are the features already offered and ``count`` their number: a feature
    offered already, or one beyond MAX_FEATURES, is refused too.
    """
    text = text.strip()
    if not text:
        return "Type an expression in x1 and x2."
    try:
        nn_engine.parse_feature(text)
    except ValueError as error:
        return str(error)
    if text in set(existing):
        return f"{feature_label(text, 60)} is offered already: click it to switch it on."
    if count >= MAX_FEATURES:
        return f"At most {MAX_FEATURES} features can be offered; remove one first."
    return ""


class FeatureDialog(QDialog):
    """Asks for an expression in x1 and x2 (objectName ``featureDialog``).

    Parameters
    ----------
    existing : iterable of str
        The features offered already (refused as duplicates).
    parent : QWidget, optional

    Attributes
    ----------
    edit : QLineEdit
        The expression (objectName ``featureEdit``).
    errorLabel : QLabel
        Why the expression is refused, empty when it is fine (objectName ``featureError``).
    okButton : QPushButton
        Enabled only while the expression is accepted.
    """

    def __init__(self, existing: Iterable[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("featureDialog")
        self.setWindowTitle("New input feature")
        self._existing = list(existing)
        built_ins = ", ".join(FEATURE_LABELS.values())
        intro = QLabel(
            "A feature the network sees as one more input, computed from the point (x1, x2). "
            f"Use x1, x2, numbers, + - * / ^ (or **), parentheses and sin cos tan tanh exp log "
            f"sqrt abs. The built-ins are {built_ins}."
        )
        intro.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setObjectName("featureEdit")
        self.edit.setPlaceholderText(EXAMPLES)
        self.edit.setMaxLength(nn_engine.features.MAX_FEATURE_CHARS)
        self.errorLabel = QLabel()
        self.errorLabel.setObjectName("featureError")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.setStyleSheet("color: #B91C1C;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.okButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.okButton.setText("Add feature")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self._validate)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.edit)
        layout.addWidget(self.errorLabel)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self._validate("")

    def expression(self) -> str:
        """The expression as typed, without surrounding spaces."""
        return self.edit.text().strip()

    def accept(self) -> None:  # Qt override: Enter in the field must not pass a refused text
        if self.okButton.isEnabled():
            super().accept()

    def _validate(self, text: str) -> None:
        error = feature_error(text, self._existing, len(self._existing))
        # An empty field is not an error yet: the hint stays grey until something is typed.
        self.errorLabel.setText(error if text.strip() else "")
        self.okButton.setEnabled(not error)
