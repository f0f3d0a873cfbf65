"""The current run on screen: the worker's snapshots drawn into the plots and the stats strip.

:class:`RunView` listens to the controller: every snapshot of the current run feeds the decision
map, the metric curves (batched, at most every METRICS_REFRESH_MS) and the stats strip; a new
run (or an earlier one brought back by undo) clears them until its first snapshot, which
carries its whole history. It holds no truth of its own: only what the latest snapshot said.
"""

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot

from playground.controller import Controller
from playground.state.document import ASPECT_PROGRESS, ASPECT_RUN
from playground.widgets.data_plot import DataPlot
from playground.widgets.metrics_plots import MetricsPlots
from playground.widgets.stats_strip import StatsStrip, format_speed
from playground.worker import Snapshot

# The metric plots redraw at most this often: re-rendering their axes costs ~20 ms each time,
# while the decision map follows every snapshot (~22 per second).
METRICS_REFRESH_MS = 250
METRIC_NAMES = ("loss", "accuracy", "val_loss", "val_accuracy")


class RunView(QObject):
    """Draws the controller's snapshots (see the module docstring).

    Parameters
    ----------
    controller : Controller
    data_plot : DataPlot
        Gets the decision map.
    metrics : MetricsPlots
        Gets the curves.
    stats : StatsStrip
        Gets the epoch, the speed and the last metrics.
    """

    def __init__(
        self,
        controller: Controller,
        data_plot: DataPlot,
        metrics: MetricsPlots,
        stats: StatsStrip,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._controller = controller
        self._data_plot = data_plot
        self._metrics = metrics
        self._stats = stats
        self._backlog: list[Snapshot] = []
        # The network measured on changed points (a snapshot's evaluation): it stays on
        # screen until epochs are trained, through snapshots that carry none (the maps that
        # follow a pause may arrive after it).
        self._evaluation: tuple | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(METRICS_REFRESH_MS)
        self._timer.timeout.connect(self.flush)
        controller.sigSnapshot.connect(self.show_snapshot)
        controller.document.subscribe(self._on_document_changed)

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        epoch = self._controller.document.epoch
        if ASPECT_RUN in aspects:
            # Another network: its figures come with the worker's next snapshot.
            self._timer.stop()
            self._backlog.clear()
            self._evaluation = None
            self._metrics.clear()
            self._data_plot.clear_regions()
            self._stats.show_metrics(epoch, None)
        elif ASPECT_PROGRESS in aspects:
            self._stats.show_epoch(epoch)

    @Slot(object)
    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Draw ``snapshot`` (a snapshot of the current run)."""
        if snapshot.history_replaced:
            self._backlog.clear()
            self._metrics.clear()
        elif snapshot.rewound_to is not None:
            self._rewind(snapshot.rewound_to)
        if len(snapshot.epochs):
            self._backlog.append(snapshot)
        if not snapshot.running:
            # a step or a pause: show its epochs at once, and those still waiting for the
            # timer (a pause between two frames brings no epoch of its own)
            self.flush()
        elif len(snapshot.epochs) and not self._timer.isActive():
            self._timer.start()
        if snapshot.grid is not None:
            self._data_plot.set_probability_grid(snapshot.grid, snapshot.rect)
        speed = format_speed(snapshot.epochs_per_second, snapshot.running)
        self._stats.show_metrics(snapshot.epoch, self._last_metrics(snapshot), speed)

    def _last_metrics(self, snapshot: Snapshot) -> tuple | None:
        """What the stats strip shows: a measurement on changed data, else the last epoch's."""
        if snapshot.evaluation is not None:
            self._evaluation = snapshot.evaluation
            return snapshot.evaluation
        if len(snapshot.epochs):
            self._evaluation = None  # trained since: the epochs' own figures
            test = snapshot.val_loss is not None and np.isfinite(snapshot.val_loss[-1])
            return (
                float(snapshot.loss[-1]),
                float(snapshot.accuracy[-1]),
                float(snapshot.val_loss[-1]) if test else None,
                float(snapshot.val_accuracy[-1]) if test else None,
            )
        if self._evaluation is not None:
            return self._evaluation
        latest = self._metrics.latest()
        return tuple(latest.get(name) for name in METRIC_NAMES) if latest.get("epoch") else None

    @Slot()
    def flush(self) -> None:
        """Draw the metrics of the snapshots received since the last flush, in one append."""
        self._timer.stop()
        backlog, self._backlog = self._backlog, []
        if not backlog:
            return
        has_test = any(s.val_loss is not None for s in backlog)

        def joined(name: str) -> np.ndarray | None:
            if name.startswith("val_") and not has_test:
                return None
            parts = [
                np.full(len(s.epochs), np.nan) if getattr(s, name) is None else getattr(s, name)
                for s in backlog
            ]
            return np.concatenate(parts)

        epochs = np.concatenate([s.epochs for s in backlog])
        self._metrics.append(epochs, *(joined(name) for name in METRIC_NAMES))

    def _rewind(self, epoch: int) -> None:
        """Drop the curves' points after ``epoch`` (the engine went back there)."""
        self.flush()
        self._metrics.truncate(epoch)
