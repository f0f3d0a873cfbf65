"""Live loss and accuracy curves, train and test, against the epoch.

Each curve is one `PlotDataItem` with peak downsampling and clip-to-view, fed from a growing NumPy
buffer whose capacity doubles when full. Appending k epochs is then O(k) amortised, and a redraw
only touches what fits on screen, so the plots stay smooth after 100 000 epochs.

Loss curves can blow up (a learning rate far too high sends the loss to 1e235 or inf). Values
that are non-finite or above ``BLOWUP_FACTOR`` times the first finite training loss are drawn
clipped at that cap, with a marker at the top edge, so the y axis keeps showing the sane part of
the curve; the buffers (and :meth:`MetricsPlots.latest`) keep the true values. The legends sit
in each plot's title row, outside the plotting area; the loss plot has a log-scale check box
(``lossLogScaleCheck``) in that row.

The x range is set here, not by the ViewBox's auto-range: with auto-downsampling, the downsampled
curve's x extent depends on the view width, which auto-range derives from that extent, and the two
can chase each other forever (an endless sigRangeChanged loop seen with 100 000 points; pyqtgraph
also skips clip-to-view while x auto-range is on). The plots follow the newest epoch until the user
pans or zooms; a double click (or `set_follow(True)`, or `clear()`) follows again.
"""

import math
from typing import Literal

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QBoxLayout, QCheckBox, QWidget

from playground import theme
from playground.help import with_concept

# A loss above this multiple of the first training loss (ln 2 ≈ 0.69 for a network that starts
# near p = 0.5) is drawn clipped: it is a blow-up, not a part of the curve worth scaling for.
BLOWUP_FACTOR = 5.0
BLOWUP_COLOR = "#CC3311"  # markers of clipped loss values
METRIC_WIDTH = 8  # characters: format_metric never returns more
EMPTY_LOSS_RANGE = (0.0, 1.0)  # the loss axis with no data (log mode: 0.01..1)
# From this many epochs on, a curve is given a min/max envelope of its values instead of every
# one: pyqtgraph makes a few passes over a curve's whole data at each update (bounds, finite
# checks, peak downsampling), 36 ms per update of the four curves at 1,000,000 epochs and 94 ms
# at 3,000,000 (an hour of the article's training makes 7 million). The envelope has at most
# ENVELOPE_BUCKETS buckets (a minimum and a maximum each), kept as the epochs come.
ENVELOPE_FROM = 1_000_000
ENVELOPE_BUCKETS = 100_000


def format_metric(value: float | None, kind: Literal["loss", "accuracy"]) -> str:
    """A metric as a stats label shows it, never wider than 8 characters.

    Parameters
    ----------
    value : float or None
        None when there is no value (yet, or no test set).
    kind : {"loss", "accuracy"}
        Accuracy in 0..1 shows as a percentage with one decimal.

    Returns
    -------
    str
        "—" for None, "diverged" for NaN or ±inf; accuracy ``"97.5%"``; loss ``"0.0636"``
        (below 1), ``"12.35"`` (four significant digits up to 9999), ``"1.2e+235"`` or
        ``"3.0e-05"`` beyond.

    Raises
    ------
    ValueError
        For another ``kind``.
    """
    if kind not in ("loss", "accuracy"):
        raise ValueError(f"kind must be 'loss' or 'accuracy', got {kind!r}.")
    if value is None:
        return "—"
    number = float(value)
    if not math.isfinite(number):
        return "diverged"
    if kind == "accuracy" and 0.0 <= number <= 1.0:
        return f"{number:.1%}"
    size = abs(number)
    if size == 0:
        return "0"
    if 1e-3 <= size < 1:
        text = f"{number:.4f}"
    elif 1 <= size < 9999.5:
        text = f"{number:.4g}"
    else:
        text = f"{number:.1e}"
    return text if len(text) <= METRIC_WIDTH else f"{number:.0e}"


def legend_html(title: str) -> str:
    """The title row of a metric plot: its name, then a legend of the train and test curves."""
    return (
        f"<span style='color:{theme.FOREGROUND}; font-size:10pt'>{title}</span>"
        f"&nbsp;&nbsp;&nbsp;<span style='font-size:8pt; color:{theme.TRAIN_COLOR}'>"
        f"━ train</span>&nbsp;&nbsp;<span style='font-size:8pt; color:{theme.TEST_COLOR}'>"
        "╍ test</span>"
    )


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

    def truncate(self, size: int) -> None:
        """Keep the first ``size`` values (fewer: nothing changes)."""
        self._size = min(self._size, max(int(size), 0))


class Envelope:
    """The minimum and maximum of consecutive buckets of ``size`` values (a power of two),
    kept as the values come: what a curve of millions of points draws (see ENVELOPE_FROM).

    NaN values (gaps in a curve) are left out of a bucket's minimum and maximum; a bucket of
    NaN only is NaN. The size doubles (neighbouring buckets merged) whenever the buckets would
    exceed ``max_buckets`` (None: ENVELOPE_BUCKETS), so appending is O(k) amortised; the values
    still filling a bucket wait in a short tail.
    """

    def __init__(self, max_buckets: int | None = None) -> None:
        self._max_buckets = max_buckets  # None: ENVELOPE_BUCKETS
        self.size = 1
        self._x = GrowingArray()  # each bucket's first x
        self._low = GrowingArray()
        self._high = GrowingArray()
        self._pending_x = np.empty(0)  # the values of the bucket still filling
        self._pending_y = np.empty(0)

    def __len__(self) -> int:
        """Buckets, the one still filling included."""
        return len(self._x) + (len(self._pending_x) > 0)

    def extend(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> None:
        x = np.concatenate([self._pending_x, x])
        y = np.concatenate([self._pending_y, y])
        whole = len(x) - len(x) % self.size
        if whole:
            self._add_buckets(x[:whole], y[:whole])
        self._pending_x, self._pending_y = x[whole:], y[whole:]
        limit = ENVELOPE_BUCKETS if self._max_buckets is None else self._max_buckets
        while len(self._x) > limit:
            self._merge_pairs()

    def _add_buckets(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> None:
        blocks = y.reshape(-1, self.size)
        with np.errstate(invalid="ignore"):
            self._x.extend(x[:: self.size])
            self._low.extend(np.fmin.reduce(blocks, axis=1))
            self._high.extend(np.fmax.reduce(blocks, axis=1))

    def _merge_pairs(self) -> None:
        """Double the bucket size: neighbouring buckets become one (an unpaired last bucket
        stays as it is: buckets need not be equal, each keeps its own first x)."""
        n = len(self._x) // 2 * 2
        for array, reduce in ((self._x, None), (self._low, np.fmin), (self._high, np.fmax)):
            values = array.values
            first = values[:n:2] if reduce is None else reduce(values[:n:2], values[1:n:2])
            merged = np.concatenate([first, values[n:]])
            array.clear()
            array.extend(merged)
        self.size *= 2

    def curve(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Points to draw: each bucket as a vertical stroke from its minimum to its maximum at
        its first x, then the bucket still filling the same way."""
        x, low, high = self._x.values, self._low.values, self._high.values
        if len(self._pending_x):
            with np.errstate(invalid="ignore"):
                x = np.append(x, self._pending_x[0])
                low = np.append(low, np.fmin.reduce(self._pending_y))
                high = np.append(high, np.fmax.reduce(self._pending_y))
        return np.repeat(x, 2), np.column_stack([low, high]).reshape(-1)

    def clear(self) -> None:
        self.size = 1
        for array in (self._x, self._low, self._high):
            array.clear()
        self._pending_x = self._pending_y = np.empty(0)


class _Series:
    """One curve: x and y buffers and the PlotDataItem that shows them.

    With ``markers`` (a loss curve), values that are non-finite or above :attr:`cap` are drawn
    at the cap and marked there; the buffers keep the true values. From ENVELOPE_FROM epochs
    on, the curve draws an :class:`Envelope` of its values.
    """

    def __init__(self, curve: pg.PlotDataItem, markers: pg.PlotDataItem | None = None) -> None:
        self.curve = curve
        self.markers = markers
        self.x = GrowingArray()
        self.y = GrowingArray()
        self.shown = GrowingArray()  # the y drawn (clipped) when there are markers
        self.clipped = GrowingArray()  # the epochs drawn clipped, kept as the values come
        self.envelope = Envelope()  # what the curve draws from ENVELOPE_FROM epochs on
        self.cap: float | None = None

    def extend(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> None:
        self.x.extend(x)
        self.y.extend(y)
        if self.markers is None:
            self._show(x, y)
            return
        shown = self._clip(y)
        self.shown.extend(shown)
        more = self._clipped_among(x, y)  # only the new values: no pass over the history
        self.clipped.extend(more)
        self._show(x, shown)
        if len(more):
            self._draw_markers()

    def set_cap(self, cap: float | None) -> None:
        """Clip at ``cap`` from now on (all values so far are drawn again)."""
        self.cap = cap
        self.shown.clear()
        self.shown.extend(self._clip(self.y.values))
        self.clipped.clear()
        self.clipped.extend(self._clipped_among(self.x.values, self.y.values))
        self._show()
        self._draw_markers()

    def _within_cap(self, y: NDArray[np.float64]) -> NDArray[np.bool_]:
        return np.isfinite(y) & (y <= self.cap)

    def _clip(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.cap is None:
            return np.where(np.isfinite(y), y, np.nan)
        return np.where(self._within_cap(y), y, self.cap)

    def _clipped_among(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray:
        return np.empty(0) if self.cap is None else x[~self._within_cap(y)]

    def _show(
        self, x: NDArray[np.float64] | None = None, drawn: NDArray[np.float64] | None = None
    ) -> None:
        """Give the curve its points: every value, or from ENVELOPE_FROM epochs on the
        envelope, extended by the new values ``x`` drawn as ``drawn`` (None: all drawn anew)."""
        everything = self.y.values if self.markers is None else self.shown.values
        if len(self.x) < ENVELOPE_FROM:
            self.envelope.clear()
            self.curve.setData(self.x.values, everything)
            return
        if x is None or not len(self.envelope):  # (re)built over every value: once
            self.envelope.clear()
            self.envelope.extend(self.x.values, everything)
        else:
            self.envelope.extend(x, drawn)
        self.curve.setData(*self.envelope.curve())

    def _draw_markers(self) -> None:
        clipped = self.clipped.values
        self.markers.setData(clipped, np.full(len(clipped), self.cap or 0.0))

    def truncate(self, epoch: float) -> None:
        """Drop the values after ``epoch`` (the x values grow)."""
        keep = int(np.searchsorted(self.x.values, epoch, side="right"))
        if keep == len(self.x):
            return
        for array in (self.x, self.y, self.shown):
            array.truncate(keep)
        self.clipped.truncate(int(np.searchsorted(self.clipped.values, epoch, side="right")))
        self._show()
        if self.markers is not None:
            self._draw_markers()

    def clipped_epochs(self) -> NDArray[np.float64]:
        """The epochs whose value is drawn clipped (empty without a cap)."""
        if self.markers is None or self.cap is None:
            return np.empty(0)
        return self.clipped.values.copy()

    def clear(self) -> None:
        self.x.clear()
        self.y.clear()
        self.shown.clear()
        self.clipped.clear()
        self.envelope.clear()
        self.cap = None
        self.curve.setData(np.empty(0), np.empty(0))
        if self.markers is not None:
            self.markers.setData(np.empty(0), np.empty(0))

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

    Children: ``lossPlot``, ``accuracyPlot`` (pyqtgraph PlotWidgets) and ``lossLogScaleCheck``
    (in the loss plot's title row).

    Parameters
    ----------
    parent : QWidget, optional
    orientation : Qt.Orientation
        Horizontal puts the plots side by side, vertical stacks them.
    log_loss : bool
        Show the loss on a log scale.

    Attributes
    ----------
    sigLogLossChanged : Signal(bool)
        The user switched the loss axis to log (True) or linear (False) scale.
    """

    sigLogLossChanged = Signal(bool)

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
            "loss": _Series(
                self._make_curve(self.loss_plot, "train", theme.TRAIN_COLOR),
                self._make_markers(self.loss_plot, theme.TRAIN_COLOR),
            ),
            "val_loss": _Series(
                self._make_curve(self.loss_plot, "test", theme.TEST_COLOR, True),
                self._make_markers(self.loss_plot, theme.TEST_COLOR),
            ),
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

        self.lossLogScaleCheck = QCheckBox("log", self.loss_plot)
        self.lossLogScaleCheck.setObjectName("lossLogScaleCheck")
        self.lossLogScaleCheck.setToolTip(
            with_concept(
                "Show the loss on a logarithmic axis: the small late gains become visible",
                "Loss",
            )
        )
        font = self.lossLogScaleCheck.font()
        font.setPointSizeF(8.0)
        self.lossLogScaleCheck.setFont(font)
        self.lossLogScaleCheck.toggled.connect(self._on_log_scale_toggled)
        self._corner = _TopRightCorner(self.lossLogScaleCheck, self.loss_plot)
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
        # Left-aligned from the widget's left edge (over the axis too), leaving the right end of
        # the row to the loss plot's log-scale box even when the plot is narrow.
        item.setTitle(legend_html(y_label.capitalize()), justify="left")
        item.layout.removeItem(item.titleLabel)
        item.layout.addItem(item.titleLabel, 0, 0, 1, 2)
        item.setLabel("bottom", "epoch")
        for axis_name in ("left", "bottom"):
            axis = item.getAxis(axis_name)
            axis.setPen(pg.mkPen(theme.FOREGROUND))
            axis.setTextPen(pg.mkPen(theme.FOREGROUND))
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

    @staticmethod
    def _make_markers(plot: pg.PlotWidget, color: str) -> pg.PlotDataItem:
        """Triangles at the top edge where a loss curve is clipped (see BLOWUP_FACTOR)."""
        markers = pg.PlotDataItem(
            pen=None,
            symbol="t1",  # a triangle pointing up: "off the top"
            symbolSize=7,
            symbolPen=pg.mkPen(BLOWUP_COLOR),
            symbolBrush=pg.mkBrush(color),
        )
        markers.setClipToView(True)
        plot.addItem(markers)
        return markers

    # ------------------------------------------------------------------ public API

    @property
    def curves(self) -> dict[str, pg.PlotDataItem]:
        """The four curves by metric: "loss", "val_loss", "accuracy", "val_accuracy"."""
        return {name: series.curve for name, series in self._series.items()}

    @property
    def loss_cap(self) -> float | None:
        """Loss values above this are drawn clipped: ``BLOWUP_FACTOR`` times the first finite
        training loss; None before there is one."""
        return self._series["loss"].cap

    def clipped_epochs(self, name: str = "loss") -> NDArray[np.float64]:
        """The epochs of the "loss" or "val_loss" curve drawn clipped at :attr:`loss_cap`."""
        return self._series[name].clipped_epochs()

    def _update_loss_cap(self) -> None:
        if self.loss_cap is not None:
            return
        losses = self._series["loss"].y.values
        finite = losses[np.isfinite(losses)]
        if len(finite):
            cap = BLOWUP_FACTOR * float(abs(finite[0]))
            for name in ("loss", "val_loss"):
                self._series[name].set_cap(cap)

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
        self._update_loss_cap()
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

    def truncate(self, epoch: int) -> None:
        """Drop the points after ``epoch`` (the engine went back there after a divergence)
        and follow the newest epoch again; nothing changes if there are none."""
        loss = self._series["loss"].x.values
        if not len(loss) or loss[-1] <= epoch:
            return
        if epoch < loss[0]:
            self.clear()  # back before the first epoch: the cap goes with the first loss
            return
        for series in self._series.values():
            series.truncate(epoch)
        remaining = self._series["loss"].x.values
        self._last_epoch = int(remaining[-1]) if len(remaining) else None
        self._max_epoch = max(1.0, float(remaining[-1]) if len(remaining) else 1.0)
        self.set_follow(True)

    def clear(self) -> None:
        """Remove all points (e.g. after a reset); the loss axis forgets its old range."""
        for series in self._series.values():
            series.clear()
        self._last_epoch = None
        self._max_epoch = 1.0
        self._reset_loss_range()
        self.set_follow(True)

    def _reset_loss_range(self) -> None:
        # With no data, auto-range has nothing to fit and would keep the old range.
        vb = self.loss_plot.plotItem.vb
        low, high = EMPTY_LOSS_RANGE
        if self._log_loss:
            low, high = -2.0, 0.0  # log10 of 0.01..1
        vb.setYRange(low, high, padding=0)
        vb.enableAutoRange(y=True)

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
        """Show the loss on a logarithmic (True) or linear (False) axis (no signal)."""
        self._log_loss = bool(on)
        blocked = self.lossLogScaleCheck.blockSignals(True)
        self.lossLogScaleCheck.setChecked(self._log_loss)
        self.lossLogScaleCheck.blockSignals(blocked)
        self.loss_plot.plotItem.setLogMode(x=False, y=self._log_loss)
        if len(self._series["loss"].x) == 0 and len(self._series["val_loss"].x) == 0:
            self._reset_loss_range()
        else:
            self.loss_plot.plotItem.vb.enableAutoRange(y=True)

    @Slot(bool)
    def _on_log_scale_toggled(self, on: bool) -> None:
        self.set_log_loss(on)
        self.sigLogLossChanged.emit(self._log_loss)


class _TopRightCorner(QObject):
    """Keeps ``widget`` in the top right corner of ``host`` (the title row of a plot)."""

    MARGIN = 4

    def __init__(self, widget: QWidget, host: QWidget) -> None:
        super().__init__(host)
        self._widget = widget
        self._host = host
        host.installEventFilter(self)
        widget.adjustSize()
        widget.raise_()
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._place()
        return False

    def _place(self) -> None:
        size = self._widget.sizeHint()
        self._widget.setGeometry(
            self._host.width() - size.width() - self.MARGIN, 1, size.width(), size.height()
        )


def _as_1d(name: str, values: ArrayLike) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        kind = type(values).__name__
        raise TypeError(f"{name} must be an array of numbers, got {kind}.") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}.")
    return array
