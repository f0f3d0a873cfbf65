"""Live loss and accuracy curves, train and test, against the epoch.

Each curve is one `PlotDataItem` with peak downsampling and clip-to-view, fed from a growing NumPy
buffer whose capacity doubles when full. Appending k epochs is then O(k) amortised, and a redraw
only touches what fits on screen, so the plots stay smooth after 100 000 epochs.

The x range is set here, not by the ViewBox's auto-range: with auto-downsampling, the downsampled
curve's x extent depends on the view width, which auto-range derives from that extent, and the two
can chase each other forever (an endless sigRangeChanged loop seen with 100 000 points; pyqtgraph
also skips clip-to-view while x auto-range is on). The plots follow the newest epoch until the user
pans or zooms; a double click (or `set_follow(True)`, or `clear()`) follows again.
"""

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QWidget

from playground import theme


class GrowingArray:
    """A 1-D float64 array that grows by doubling its capacity.

    Parameters
    ----------
    capacity : int
        Initial capacity (>= 1).
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.empty(max(int(capacity), 1), dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def capacity(self) -> int:
        """Number of values that fit before the next reallocation."""
        return len(self._data)

    @property
    def values(self) -> NDArray[np.float64]:
        """The values so far, (n,), a view that later appends do not change."""
        return self._data[: self._size]

    def extend(self, values: NDArray[np.float64]) -> None:
        """Append (k,) values."""
        needed = self._size + len(values)
        if needed > len(self._data):
            grown = np.empty(max(needed, 2 * len(self._data)), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : needed] = values
        self._size = needed

    def clear(self) -> None:
        """Forget the values (the capacity stays)."""
        self._size = 0


class _Series:
    """One curve: x and y buffers and the PlotDataItem that shows them."""

    def __init__(self, curve: pg.PlotDataItem) -> None:
        self.curve = curve
        self.x = GrowingArray()
        self.y = GrowingArray()

    def extend(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> None:
        self.x.extend(x)
        self.y.extend(y)
        self.curve.setData(self.x.values, self.y.values)

    def clear(self) -> None:
        self.x.clear()
        self.y.clear()
        self.curve.setData(np.empty(0), np.empty(0))

    def latest(self) -> float | None:
        return float(self.y.values[-1]) if len(self.y) else None


class _LogFriendlyAxis(pg.AxisItem):
    """An axis whose log-mode labels stop at 1, 2 and 5 per decade.

    pyqtgraph labels every minor tick of a short log range (0.9, 0.8, 0.7, ... overlap near the
    top of each decade).
    """

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        strings = super().logTickStrings(values, scale, spacing)
        numbers = 10 ** np.asarray(values, dtype=np.float64) * scale
        with np.errstate(divide="ignore", invalid="ignore"):
            mantissas = numbers / 10 ** np.floor(np.log10(numbers))
        keep = np.isclose(mantissas[:, None], (1.0, 2.0, 5.0), rtol=1e-6).any(axis=1)
        return [text if kept else "" for text, kept in zip(strings, keep, strict=True)]


class _FollowViewBox(pg.ViewBox):
    """A ViewBox reporting double clicks (used to go back to following the newest epoch)."""

    sigDoubleClicked = Signal()

    def mouseClickEvent(self, ev) -> None:
        if ev.double() and ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.sigDoubleClicked.emit()
        else:
            super().mouseClickEvent(ev)


class MetricsPlots(QWidget):
    """Two plots: loss and accuracy against epoch, each with a train and a test curve.

    Parameters
    ----------
    parent : QWidget, optional
    orientation : Qt.Orientation
        Horizontal puts the plots side by side, vertical stacks them.
    log_loss : bool
        Show the loss on a log scale.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        orientation: Qt.Orientation = Qt.Orientation.Horizontal,
        log_loss: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("metricsPlots")
        self.loss_plot = self._make_plot("lossPlot", "loss")
        self.accuracy_plot = self._make_plot("accuracyPlot", "accuracy")
        self.accuracy_plot.setYRange(0.0, 1.0, padding=0.02)
        self.accuracy_plot.enableAutoRange(axis="y", enable=False)
        self._follow = True
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.plotItem.vb.sigRangeChangedManually.connect(self._on_manual_range)
            plot.plotItem.vb.sigDoubleClicked.connect(lambda: self.set_follow(True))

        self._series = {
            "loss": _Series(self._make_curve(self.loss_plot, "train", theme.TRAIN_COLOR)),
            "val_loss": _Series(self._make_curve(self.loss_plot, "test", theme.TEST_COLOR, True)),
            "accuracy": _Series(self._make_curve(self.accuracy_plot, "train", theme.TRAIN_COLOR)),
            "val_accuracy": _Series(
                self._make_curve(self.accuracy_plot, "test", theme.TEST_COLOR, True)
            ),
        }
        self._last_epoch: int | None = None
        self._max_epoch = 1.0

        direction = (
            QBoxLayout.Direction.LeftToRight
            if orientation == Qt.Orientation.Horizontal
            else QBoxLayout.Direction.TopToBottom
        )
        layout = QBoxLayout(direction, self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        self.set_log_loss(log_loss)

    @staticmethod
    def _make_plot(name: str, y_label: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(
            background=theme.BACKGROUND,
            viewBox=_FollowViewBox(),
            axisItems={"left": _LogFriendlyAxis("left")},
        )
        plot.setObjectName(name)
        item = plot.plotItem
        item.setMenuEnabled(False)
        item.hideButtons()  # its auto-range would start the loop described in the module doc
        vb = item.vb
        vb.setMouseEnabled(x=True, y=False)  # zoom and pan along the epochs; y fits itself
        vb.enableAutoRange(x=False, y=True)
        vb.setAutoVisible(y=True)  # fit y to the visible epochs when zoomed in
        vb.setLimits(xMin=0)
        vb.setXRange(0, 1, padding=0)
        item.setTitle(y_label.capitalize(), color=theme.FOREGROUND, size="10pt")
        item.setLabel("bottom", "epoch")
        for axis_name in ("left", "bottom"):
            axis = item.getAxis(axis_name)
            axis.setPen(pg.mkPen(theme.FOREGROUND))
            axis.setTextPen(pg.mkPen(theme.FOREGROUND))
        # Loss falls and accuracy rises: their legends go where the curves are not, after a while.
        offset = (-8, 8) if name == "lossPlot" else (-8, -8)
        item.addLegend(
            offset=offset,
            labelTextColor=theme.FOREGROUND,
            labelTextSize="8pt",
            colCount=2,
            brush=pg.mkBrush(255, 255, 255, 210),
        )
        plot.setMinimumSize(160, 120)
        return plot

    @staticmethod
    def _make_curve(
        plot: pg.PlotWidget, name: str, color: str, dashed: bool = False
    ) -> pg.PlotDataItem:
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        curve = plot.plot(name=name, pen=pg.mkPen(color, width=1, style=style))
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        return curve

    # ------------------------------------------------------------------ public API

    @property
    def curves(self) -> dict[str, pg.PlotDataItem]:
        """The four curves by metric: "loss", "val_loss", "accuracy", "val_accuracy"."""
        return {name: series.curve for name, series in self._series.items()}

    def append(
        self,
        epochs: ArrayLike,
        loss: ArrayLike,
        accuracy: ArrayLike,
        val_loss: ArrayLike | None = None,
        val_accuracy: ArrayLike | None = None,
    ) -> None:
        """Add the metrics of some epochs to the curves.

        Parameters
        ----------
        epochs : (k,) array of int
            The epoch numbers.
        loss, accuracy : (k,) arrays of float
            Training metrics of those epochs.
        val_loss, val_accuracy : (k,) arrays of float, optional
            Test metrics of those epochs; None when there is no test set.

        Raises
        ------
        ValueError
            When the arrays are not 1-D of the same length; nothing changes then.
        """
        columns = {
            "loss": loss,
            "accuracy": accuracy,
            "val_loss": val_loss,
            "val_accuracy": val_accuracy,
        }
        epochs = _as_1d("epochs", epochs)
        checked = {}
        for name, values in columns.items():
            if values is None:
                continue
            checked[name] = _as_1d(name, values)
            if len(checked[name]) != len(epochs):
                raise ValueError(
                    f"{name} must have as many values as epochs ({len(epochs)}), "
                    f"got {len(checked[name])}."
                )
        if len(epochs) == 0:
            return
        for name, values in checked.items():
            self._series[name].extend(epochs, values)
        self._last_epoch = int(epochs[-1])
        self._max_epoch = max(self._max_epoch, float(epochs.max()))
        if self._follow:
            self._show_all_epochs()

    def set_history(
        self,
        epochs: object,
        loss: ArrayLike | None = None,
        accuracy: ArrayLike | None = None,
        val_loss: ArrayLike | None = None,
        val_accuracy: ArrayLike | None = None,
    ) -> None:
        """Replace the curves with a whole history.

        Either ``set_history(epochs, loss, accuracy, val_loss, val_accuracy)`` with arrays as in
        `append`, or ``set_history(history)`` with a History-like object (attributes ``loss``,
        ``accuracy``, ``val_loss``, ``val_accuracy``; entry i is epoch i + 1; empty ``val_*``
        lists mean no test set).
        """
        if loss is None and hasattr(epochs, "loss"):
            history = epochs
            loss, accuracy = history.loss, history.accuracy
            val_loss = history.val_loss if len(history.val_loss) else None
            val_accuracy = history.val_accuracy if len(history.val_accuracy) else None
            epochs = np.arange(1, len(loss) + 1)
        elif loss is None or accuracy is None:
            raise TypeError("set_history needs loss and accuracy arrays or a History, got None.")
        # Validate everything before clearing, so a refused history changes nothing.
        backup = {name: (s.x.values.copy(), s.y.values.copy()) for name, s in self._series.items()}
        last_epoch = self._last_epoch
        self.clear()
        try:
            self.append(epochs, loss, accuracy, val_loss, val_accuracy)
        except (TypeError, ValueError):
            for name, (x, y) in backup.items():
                self._series[name].extend(x, y)
            self._last_epoch = last_epoch
            raise

    def clear(self) -> None:
        """Remove all points (e.g. after a reset)."""
        for series in self._series.values():
            series.clear()
        self._last_epoch = None
        self._max_epoch = 1.0
        self.set_follow(True)

    def latest(self) -> dict[str, float | int | None]:
        """The last appended values.

        Returns
        -------
        dict with keys "epoch", "loss", "accuracy", "val_loss", "val_accuracy"; None where
        nothing was appended (yet).
        """
        values: dict[str, float | int | None] = {"epoch": self._last_epoch}
        for name, series in self._series.items():
            values[name] = series.latest()
        return values

    @property
    def following(self) -> bool:
        """True while the x range keeps showing all epochs up to the newest."""
        return self._follow

    def set_follow(self, on: bool) -> None:
        """Keep the x range at 0..newest epoch (True), or leave it where the user put it."""
        self._follow = bool(on)
        if self._follow:
            self.loss_plot.plotItem.vb.enableAutoRange(y=True)
            self._show_all_epochs()

    def _show_all_epochs(self) -> None:
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.plotItem.vb.setXRange(0, self._max_epoch, padding=0.02)

    def _on_manual_range(self, *args: object) -> None:
        self._follow = False

    @property
    def log_loss(self) -> bool:
        """True when the loss axis is logarithmic."""
        return self._log_loss

    def set_log_loss(self, on: bool) -> None:
        """Show the loss on a logarithmic (True) or linear (False) axis."""
        self._log_loss = bool(on)
        self.loss_plot.plotItem.setLogMode(x=False, y=self._log_loss)


def _as_1d(name: str, values: ArrayLike) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        kind = type(values).__name__
        raise TypeError(f"{name} must be an array of numbers, got {kind}.") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}.")
    return array
