"""The stats strip above the data plot: epoch, speed, and the last train/test loss and accuracy.

    Epoch 1,234     Train  loss 0.0636  accuracy 97.5%
    812 epochs/s    Test   loss 0.0142  accuracy 100.0%

Every figure comes from the document's epoch and the latest snapshot of the current run; a new
run (or a data edit that resets it) clears them at once.
"""

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel

from playground import theme
from playground.widgets.metrics_plots import format_metric
from playground.widgets.training_panel import format_rate

DASH = "—"


def format_speed(epochs_per_second: float, running: bool) -> str:
    """The speed label: "paused", or the training speed (:func:`format_rate`)."""
    return format_rate(epochs_per_second) if running else "paused"


def _reserve_width(label: QLabel, text: str) -> None:
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(text) + 2)


def _caption(text: str, bold: bool = False, color: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setObjectName("statCaption")
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    if color:
        label.setStyleSheet(f"color: {color};")
    return label


class StatsStrip(QFrame):
    """Epoch, speed and the latest metrics (see the module docstring).

    Attributes
    ----------
    epochLabel, speedLabel, trainLossLabel, trainAccuracyLabel, testLossLabel,
    testAccuracyLabel : QLabel
        With those objectNames (epochLabel is part of the window's test contract).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("statsCard")
        self.epochLabel = QLabel()
        self.epochLabel.setObjectName("epochLabel")
        font = self.epochLabel.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.epochLabel.setFont(font)
        # Fixed widths where the text changes while training, so that nothing jitters.
        _reserve_width(self.epochLabel, "Epoch 100,000")
        self.speedLabel = QLabel()
        self.speedLabel.setObjectName("speedLabel")
        _reserve_width(self.speedLabel, "99,999 epochs/s")
        self.trainLossLabel = self._value("trainLossLabel")
        self.trainAccuracyLabel = self._value("trainAccuracyLabel")
        self.testLossLabel = self._value("testLossLabel")
        self.testAccuracyLabel = self._value("testAccuracyLabel")

        grid = QGridLayout(self)
        grid.setContentsMargins(12, 6, 12, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.epochLabel, 0, 0)
        grid.addWidget(self.speedLabel, 1, 0)
        grid.setColumnMinimumWidth(1, 12)
        rows = (
            ("Train", theme.TRAIN_COLOR, self.trainLossLabel, self.trainAccuracyLabel),
            ("Test", theme.TEST_COLOR, self.testLossLabel, self.testAccuracyLabel),
        )
        for row, (name, color, loss, accuracy) in enumerate(rows):
            grid.addWidget(_caption(name, bold=True, color=color), row, 2)
            grid.addWidget(_caption("loss"), row, 3)
            grid.addWidget(loss, row, 4)
            grid.addWidget(_caption("accuracy"), row, 5)
            grid.addWidget(accuracy, row, 6)
        grid.setColumnStretch(7, 1)
        self.show_metrics(0, None)

    def _value(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        _reserve_width(label, "1.2e+235")
        return label

    def show_epoch(self, epoch: int) -> None:
        self.epochLabel.setText(f"Epoch {epoch:,}")

    def show_metrics(
        self,
        epoch: int,
        last: tuple[float, float, float | None, float | None] | None,
        speed: str | None = None,
    ) -> None:
        """Show ``epoch`` and the last (loss, accuracy, test loss, test accuracy); None: —."""
        self.show_epoch(epoch)
        self.speedLabel.setText(DASH if speed is None else speed)
        loss, accuracy, val_loss, val_accuracy = last if last is not None else (None,) * 4
        self.trainLossLabel.setText(format_metric(loss, "loss"))
        self.trainAccuracyLabel.setText(format_metric(accuracy, "accuracy"))
        self.testLossLabel.setText(format_metric(val_loss, "loss"))
        self.testAccuracyLabel.setText(format_metric(val_accuracy, "accuracy"))
