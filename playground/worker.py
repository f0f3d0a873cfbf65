"""The training thread: a QObject living in a QThread that drives ``nn_engine.Trainer``.

The worker's loop owns its thread while training, so it cannot receive queued signals. The GUI
talks to it through a thread-safe mailbox instead (the public methods below post commands);
the loop reads the mailbox between mini-batches (between epochs with full batch) and blocks on
it while paused. A command that must not wait for a long step (pause, stop, a step, a new run,
new data, a call such as a save's capture) also interrupts the step in progress through the
engine (``Trainer.step_batch(interrupt)``, checked before every layer): the step is abandoned
with nothing changed and trained again later, so such a command takes effect within one
layer's time even when an epoch takes seconds. Results travel back
as signals carrying copies: about 25 :class:`Snapshot` per second with the new metrics and
the probability grid of the current view, computed here with one batched forward pass.

While training continuously, the epochs themselves run in a process of its own
(playground.training_process, started at the first Train): the worker hands the run over in
*bursts* and takes it back for any command that needs the run itself (the others, such as new
points or settings, go on to the process between two mini-batches); it keeps the history
from the process's frames and computes the maps from their parameters. Steps, and training
before the process is ready or after it failed, run in this thread as described above.

Shutdown (ARCHITECTURE.md habit 5): :meth:`TrainingWorker.stop` -> the loop returns (and ends
the training process) -> ``thread.quit()`` -> ``thread.wait()``.
"""

import os
import queue
import sys
import threading
import time
import traceback
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QObject, Signal, Slot

import nn_engine
from playground.hidden_space import (
    HiddenSpaceFrame,
    HiddenSpaceRequest,
    grid_lines,
    hidden_space_frame,
    subsample,
)
from playground.neuron_maps import (
    GRID_CELLS,
    NetworkFrame,
    forward_on_grid,
    grid_cells,
    network_frame,
)
from playground.state import DEFAULT_FEATURES, Hyperparameters
from playground.training_process import (
    FRAME_SECONDS,
    HISTORY_LISTS,
    HistoryTail,
    TrainingProcess,
    apply_live_settings,
    history_lists,
)

# A grid that differs from the one last sent by less than this everywhere would not change a
# pixel of the decision map (its colour table has 256 entries), so it is not sent: drawing
# costs the GUI thread (and, through the GIL, the training) ~10 ms per frame.
GRID_TOLERANCE = 0.5 / 255
# The network panel's neuron maps come with every NETWORK_FRAME_EVERY-th decision map while
# training (at least 10 per second are wanted; drawing them costs the GUI thread), and with
# every one while paused, or while the decision maps come slower than EVERY_MAP_BELOW per
# second (slow epochs: 10 x 256 units gives 12 maps per second, and 6 neuron maps would be few).
NETWORK_FRAME_EVERY = 2
EVERY_MAP_BELOW = 18.0
# Dead ReLU units are counted over the whole training set at most this often while training.
DEAD_UNITS_SECONDS = 1.0
# While training, the GUI thread competes with this loop for the GIL. Every Qt call that
# releases the GIL then costs the GUI a wait of up to one switch interval (5 ms by default):
# dozens per repaint made the window stutter. A shorter interval bounds those waits.
TRAINING_SWITCH_INTERVAL = 0.002
DEFAULT_CALL_TIMEOUT = 5.0
# The longest a restore(after_draw=True) waits for the window to draw before going ahead.
RESTORE_WAITS_FOR_DRAW_SECONDS = 0.25
# Replaced runs kept so that undo can bring them back with their weights and curves: at most
# this many, and at most this many bytes of parameters and optimizer buffers in all.
KEPT_RUNS = 32
KEPT_RUN_BYTES = 512 * 2**20

# Training runs in a process of its own (playground.training_process) unless this environment
# variable says "thread" (or the worker is made with separate_process=False).
TRAINING_ENV = "NN_PLAYGROUND_TRAINING"
# The longest the worker waits for the training process to give a burst back (it stops
# between two layers, so it answers within milliseconds); after that it is taken for lost.
RECALL_TIMEOUT_SECONDS = 10.0
# Commands handled while the training process holds the run; any other first recalls it.
TWIN_SAFE_COMMANDS = frozenset(
    {
        "ack",
        "maps_ready",
        "twin",
        "set_view",
        "set_network_view",
        "set_hidden_space",
        "set_hyperparameters",
        "set_data",
        "set_points",
        "start",
        "stop",
    }
)

NEED_BOTH_CLASSES = "the training points must include both classes"
# A trainer restored from a session before usable data arrived is built on these two points;
# the real data replace them before its first epoch (the state holds no data).
_PLACEHOLDER_DATA = (np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))

Rect = tuple[float, float, float, float]


def _close(grid: NDArray[np.float32], other: NDArray[np.float32]) -> bool:
    return grid.shape == other.shape and float(np.max(np.abs(grid - other))) < GRID_TOLERANCE


def _lacks_a_class(y: NDArray[np.int64]) -> bool:
    return not (np.any(y == 0) and np.any(y == 1))


@dataclass(frozen=True)
class Snapshot:
    """What the worker reports after a frame, a step, a pause, a reset or a view change.

    Every array is a fresh copy owned by the receiver.

    Attributes
    ----------
    run_id : int
        Identifies the :meth:`TrainingWorker.reset` that started this run; snapshots of an
        older run (still queued when the GUI reset) can be recognised and dropped.
    epoch : int
        Epochs completed in this run.
    epochs : ndarray of int64, shape (k,)
        The epochs finished since the previous snapshot (k may be 0).
    loss, accuracy : ndarray of float64, shape (k,)
        Their training loss and accuracy.
    val_loss, val_accuracy : ndarray of float64, shape (k,), or None
        Their test loss and accuracy (NaN for an epoch without test data); None when no epoch
        of this snapshot had test data.
    epochs_per_second : float
        Training speed over the last frames; 0 while paused.
    grid : ndarray of float32, shape (cells, cells), or None
        P(class 1) over ``rect``; ``grid[j, i]`` is the probability at
        ``x = x0 + (i + 0.5) * (x1 - x0) / nx``, ``y = y0 + (j + 0.5) * (y1 - y0) / ny``.
        None when neither the weights nor the view changed since the last grid, and in the
        snapshot of a pause, whose maps the grid thread computes: they follow in a later
        snapshot (a big network's maps take longer than a pause may).
    rect : tuple (x0, y0, x1, y1) or None
        The view the grid covers.
    rewound_to : int or None
        Set after a divergence: the run went back to this epoch (the engine restored its
        weights and cut its history there); drop the metrics of later epochs before adding
        ``epochs``.
    running : bool
        Whether the worker is training after this snapshot.
    history_replaced : bool
        True when ``epochs`` and the metrics are the run's whole history (the first snapshot
        of a run switched to or restored): replace the curves instead of appending.
    network : NetworkFrame or None
        The network panel's neuron maps, shown weights and biases (while the panel asks for
        them: :meth:`TrainingWorker.set_network_view`), computed with ``grid``'s pass.
    hidden_space : HiddenSpaceFrame or None
        The hidden-space view's picture (while it asks: :meth:`set_hidden_space`), from the
        same weights as ``grid``.
    grad_norms, weight_norms : ndarray of float64, shape (k, n_layers), or None
        Per epoch of ``epochs``, each layer's weight-gradient norm and weight norm.
    evaluation : tuple (loss, accuracy, test loss, test accuracy) or None
        Set while paused after the data changed: the current network measured on the new
        data (None for a set without points), so the figures shown describe the points as
        they are now. Not part of the history.
    commands_done : int
        Serial number of the last command processed before this snapshot.
    """

    run_id: int
    epoch: int
    epochs: NDArray[np.int64]
    loss: NDArray[np.float64]
    accuracy: NDArray[np.float64]
    val_loss: NDArray[np.float64] | None
    val_accuracy: NDArray[np.float64] | None
    epochs_per_second: float
    grid: NDArray[np.float32] | None
    rect: Rect | None
    rewound_to: int | None
    running: bool
    commands_done: int
    history_replaced: bool = False
    evaluation: tuple[float | None, float | None, float | None, float | None] | None = None
    network: NetworkFrame | None = None
    hidden_space: HiddenSpaceFrame | None = None
    grad_norms: NDArray[np.float64] | None = None
    weight_norms: NDArray[np.float64] | None = None


class _GridJob(NamedTuple):
    """A decision map (and maybe a network frame) being computed on the grid thread."""

    run_id: int
    rect: Rect
    future: Future


class _HiddenJob(NamedTuple):
    """What the grid thread needs for a hidden-space frame."""

    request: HiddenSpaceRequest
    X: NDArray
    y: NDArray
    references: dict


@dataclass(frozen=True)
class NetworkViewRequest:
    """What the network panel wants from the worker: whether it is shown, the unit whose full
    map the data plot shows (``(layer, unit)``, layers counted from the first hidden one), and
    the layers whose whole weight matrix it draws as a heatmap."""

    shown: bool = False
    focus: tuple[int, int] | None = None
    heatmaps: frozenset[int] = frozenset()


# Commands that interrupt the training step in progress instead of waiting for its end.
URGENT_COMMANDS = frozenset(
    {"pause", "stop", "step", "reset", "switch_run", "restore", "set_data", "set_points", "call"}
)


# Commands that end a step (one epoch) in progress; any other urgent command is answered and
# the step goes on.
ENDS_A_STEP = frozenset({"stop", "reset", "switch_run", "restore", "set_data", "set_points"})


class _Mailbox:
    """Commands from any thread to the worker loop; every command gets a serial number.

    ``urgent`` is set exactly while a command of URGENT_COMMANDS waits in the mailbox (set
    with the posting, cleared with the taking, under one lock): it is the trainer's
    interrupt, so a step is never interrupted for a command already taken.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._items: deque[tuple[int, str, tuple]] = deque()
        self._serial = 0
        self.urgent = threading.Event()

    def post(self, name: str, *args: object) -> int:
        with self._condition:
            self._serial += 1
            self._items.append((self._serial, name, args))
            if name in URGENT_COMMANDS:
                self.urgent.set()
            self._condition.notify()
            return self._serial

    def take(self, timeout: float | None) -> list[tuple[int, str, tuple]]:
        """Everything posted so far; waits up to ``timeout`` s (None: forever, 0: never)."""
        with self._condition:
            if not self._items and timeout != 0:
                self._condition.wait_for(lambda: bool(self._items), timeout)
            items = list(self._items)
            self._items.clear()
            self.urgent.clear()
            return items

    def put_back(self, items: list[tuple[int, str, tuple]]) -> None:
        """Return taken ``items`` to the front of the mailbox, in order, for the next
        :meth:`take`; they do not raise ``urgent`` (the step that took them goes on)."""
        if items:
            with self._condition:
                self._items.extendleft(reversed(items))
                self._condition.notify()


class _Receipt(QObject):
    """Lives in the GUI thread: acknowledges each snapshot once the GUI's event loop reached it.

    The worker sends the next snapshot only after this acknowledgement, so however slowly the
    GUI draws, at most one or two snapshots wait in its queue (the metrics of the skipped
    frames travel with the next one) and the window never lags behind the training.
    """

    def __init__(self, mailbox: _Mailbox):
        super().__init__()
        self._mailbox = mailbox

    @Slot(object)
    def on_snapshot(self, snapshot: object) -> None:
        self._mailbox.post("ack")


class TrainingWorker(QObject):
    """Trains an ``nn_engine`` network in its own thread, commanded through a mailbox.

    Create it in the GUI thread, ``moveToThread(thread)``, connect ``thread.started`` to
    :meth:`run` and ``sigFinished`` to ``thread.quit``. The command methods (:meth:`reset`,
    :meth:`restore`, :meth:`start`, :meth:`pause`, :meth:`step`, :meth:`set_data`,
    :meth:`set_hyperparameters`, :meth:`set_view_rect`, :meth:`stop`) may be called from any
    thread; they return at once with the command's serial number and take effect between two
    mini-batches; those of URGENT_COMMANDS interrupt the step in progress, so they take
    effect within one layer's time. The worker never touches widgets.

    Attributes
    ----------
    sigSnapshot : Signal(Snapshot)
        About FRAMES_PER_SECOND (22) per second while training, and never before the event
        loop of the thread that created the worker has received the previous one; always
        after a step, a pause, a reset and (while paused) a view change.
    sigStopped : Signal(str, int)
        Training stopped by itself with a message for the user (divergence, unusable data);
        the int is the serial of the last command processed.
    sigError : Signal(str, int)
        An unexpected exception stopped training (the message names it); the worker keeps
        serving commands.
    sigFinished : Signal()
        The loop has returned after :meth:`stop`; quit the thread.
    grids_evaluated : int
        Decision maps computed so far, including those not sent because no pixel would have
        changed (``Snapshot.grid`` is then None): the map's refresh rate, for benchmarks.
    """

    sigSnapshot = Signal(object)
    sigStopped = Signal(str, int)
    sigError = Signal(str, int)
    sigFinished = Signal()

    def __init__(self, parent: QObject | None = None, *, separate_process: bool | None = None):
        super().__init__(parent)
        self._mailbox = _Mailbox()
        self._finished = threading.Event()
        self._window_drawn = threading.Event()  # see restore(after_draw=True)
        self._window_drawn.set()
        self._receipt = _Receipt(self._mailbox)  # no parent: it stays in this (GUI) thread
        self.sigSnapshot.connect(self._receipt.on_snapshot)
        self._awaiting_receipt = False
        # Everything below belongs to the worker thread once run() has started.
        self._net: nn_engine.Network | None = None
        self._grid_net: nn_engine.Network | None = None  # float32 twin for the grid
        self._trainer: nn_engine.Trainer | None = None
        self._hyperparameters = Hyperparameters()
        self._data: tuple[NDArray, NDArray, NDArray, NDArray] | None = None
        self._data_pending = False  # new data not yet handed to the trainer
        # The points array the current trainer was given (None: unknown). Handing it the same
        # again would restart its epoch in progress, losing a mid-epoch position restored
        # from a session saved between two mini-batches.
        self._trainer_points: NDArray | None = None
        self._rect: Rect | None = None
        self._run_id = 0
        self._running = False
        self._stopping = False
        self._commands_done = 0
        self._grid_stale = False
        self._emit_wanted = False
        self._rate_epochs = 0
        self._rate_since = 0.0
        self._frame_start = 0.0
        self._epochs_per_second = 0.0
        self._pending: list[tuple[int, float, float, float, float]] = []
        self._rewound_to: int | None = None
        self._last_sent_grid: tuple[NDArray[np.float32], Rect] | None = None
        self.grids_evaluated = 0  # decision maps computed, sent or not (for benchmarks)
        self._grid_pool: ThreadPoolExecutor | None = None  # the grid thread, while running
        self._grid_job: _GridJob | None = None
        self._maps_follow = False  # the next paused maps come from the grid thread, later
        # Runs replaced by a reset or a switch, by run id (oldest first), for undo.
        self._kept_runs: dict[int, tuple[nn_engine.Network, nn_engine.Trainer | None]] = {}
        self._history_wanted = False  # the next snapshot carries the run's whole history
        self._evaluation_wanted = False  # the next snapshot measures the net on new data
        self._network_view = NetworkViewRequest()
        self._hidden_space = HiddenSpaceRequest()
        self._hidden_references: dict[int, NDArray] = {}
        self._dead_units_at = 0.0
        self._grids_submitted = 0
        self._grid_times: deque[float] = deque(maxlen=8)  # when the last maps were asked for
        self._pending_norms: list[tuple[tuple[float, ...], tuple[float, ...]]] = []
        # The training process (playground.training_process), started at the first Train;
        # until it is ready, and if it fails, this thread trains.
        if separate_process is None:
            separate_process = os.environ.get(TRAINING_ENV, "process") != "thread"
        self._twin_wanted = separate_process
        self._twin: TrainingProcess | None = None
        self._twin_ready = False
        self._twin_messages: queue.SimpleQueue = queue.SimpleQueue()
        self._burst = 0  # the number of the current (or last) burst
        self._burst_open = False  # the training process holds the run
        self._twin_trainer: nn_engine.Trainer | None = None  # the trainer the twin mirrors
        self._twin_lengths = (0, 0, 0, 0)  # the lengths of its history's four lists
        self._twin_points: NDArray | None = None  # the training points it has
        self._twin_validation: NDArray | None = None  # its test points
        self._burst_start: tuple[NDArray, tuple[int, ...]] | None = None  # params, lengths

    # -- commands (any thread) ------------------------------------------------------------------

    def reset(
        self,
        architecture: list[dict],
        hyperparameters: Hyperparameters,
        run_id: int | None = None,
        features: Sequence[str] = DEFAULT_FEATURES,
    ) -> int:
        """Start a new run: a fresh network, paused at epoch 0; returns the command's serial.

        Parameters
        ----------
        architecture : list of dict
            The article's layer list (e.g. ``Architecture.to_engine()``).
        hyperparameters : Hyperparameters
            All of it applies, including optimizer, initialisation and seed (copied).
        run_id : int, optional
            The id the snapshots of this run carry (the document's run id); the command's
            serial number when omitted. The run it replaces is kept (see :meth:`switch_run`).
        features : sequence of str
            The network's input features (``Architecture.features``).
        """
        return self._mailbox.post(
            "reset", list(architecture), hyperparameters.copy(), run_id, tuple(features)
        )

    def switch_run(
        self,
        run_id: int,
        architecture: list[dict],
        hyperparameters: Hyperparameters,
        features: Sequence[str] = DEFAULT_FEATURES,
    ) -> int:
        """Make ``run_id`` the current run, paused: an earlier run again if it is still kept.

        The current run is kept under its id (at most KEPT_RUNS runs, and KEPT_RUN_BYTES of
        parameters, are kept; the oldest go first). If ``run_id`` is kept with this
        architecture, features and precision, it continues where it stopped, its history comes
        back in a snapshot with ``history_replaced``, and the live settings of ``hyperparameters``
        apply to it; otherwise a fresh network starts, as :meth:`reset`.
        """
        return self._mailbox.post(
            "switch_run", run_id, list(architecture), hyperparameters.copy(), tuple(features)
        )

    def restore(
        self,
        architecture: list[dict],
        hyperparameters: Hyperparameters,
        weights: list[dict[str, NDArray]] | None,
        trainer_state: dict[str, Any] | None,
        run_id: int | None = None,
        features: Sequence[str] = DEFAULT_FEATURES,
        *,
        after_draw: bool = False,
    ) -> int:
        """Start a run from saved weights and trainer state, paused; returns the serial.

        Like :meth:`reset`, then the network gets ``weights`` and, when given, a trainer is
        rebuilt from ``trainer_state`` (``nn_engine.Trainer.state_dict()``), so that the next
        epoch is exactly the one the saved run would have trained next. ``weights`` and
        ``trainer_state`` are copied on the worker's thread (a 300,000-epoch history is 1.2
        million floats: copying it here would hold the GUI thread for a fifth of a second), so
        the caller must not change them afterwards (a Session never does).
        The first snapshot carries the restored history (``history_replaced``).

        Parameters
        ----------
        architecture : list of dict
            The article's layer list the weights belong to.
        hyperparameters : Hyperparameters
        weights : list of {"W": (out, in), "b": (out,)} or None
            None: freshly initialised weights (as :meth:`reset`).
        trainer_state : dict or None
            Needs ``weights``; None: the trainer is created at the first epoch.
        run_id : int, optional
            As for :meth:`reset`.
        features : sequence of str
            As for :meth:`reset`.
        after_draw : bool
            Rebuild the trainer only once :meth:`window_drawn` is called (or a :meth:`call`,
            :meth:`pause` or :meth:`stop` comes, or RESTORE_WAITS_FOR_DRAW_SECONDS pass): a
            long history takes the worker tens of milliseconds holding the GIL, and the
            window that has just shown the restored document draws it sooner when the two
            threads do not take turns meanwhile.
        """
        if after_draw:
            self._window_drawn.clear()
        return self._mailbox.post(
            "restore",
            list(architecture),
            hyperparameters.copy(),
            weights,
            trainer_state,
            run_id,
            tuple(features),
        )

    def set_data(
        self,
        X_train: NDArray[np.float64],
        y_train: NDArray[np.int64],
        X_test: NDArray[np.float64],
        y_test: NDArray[np.int64],
    ) -> int:
        """Train on (X_train (n, 2), y_train (n,)) from the next epoch on; test on the rest.

        The arrays are copied. Test arrays may be empty (no test metrics then).
        """
        data = tuple(np.array(a, copy=True) for a in (X_train, y_train, X_test, y_test))
        return self._mailbox.post("set_data", *data)

    def set_points(
        self, X: NDArray[np.float64], labels: NDArray[np.int64], is_test: NDArray[np.bool_]
    ) -> int:
        """As :meth:`set_data`, from all the points and their test flags, split on the worker's
        thread: the GUI thread only posts references (a million points take ~0.1 s to split
        and copy). The arrays must never change afterwards: a PointSet's are read-only and
        replaced, never written."""
        return self._mailbox.post("set_points", X, labels, is_test)

    def set_hyperparameters(self, hyperparameters: Hyperparameters) -> int:
        """Apply learning rate, regularisation, batch size and speed to the running trainer.

        Optimizer, initialisation and seed only apply at the next :meth:`reset`.
        """
        return self._mailbox.post("set_hyperparameters", hyperparameters.copy())

    def set_view_rect(self, rect: Rect) -> int:
        """Compute the probability grid over ``rect`` = (x0, y0, x1, y1) from now on."""
        x0, y0, x1, y1 = (float(v) for v in rect)
        return self._mailbox.post("set_view", (x0, y0, x1, y1))

    def set_network_view(self, request: NetworkViewRequest) -> int:
        """What the network panel wants (see NetworkViewRequest); a paused worker answers
        with a snapshot at once."""
        return self._mailbox.post("set_network_view", request)

    def set_hidden_space(self, request: HiddenSpaceRequest) -> int:
        """What the hidden-space view wants (see HiddenSpaceRequest)."""
        return self._mailbox.post("set_hidden_space", request)

    def set_parameter(self, layer: int, row: int, column: int, value: float) -> int:
        """Set one weight (``column`` >= 0) or bias (``column`` -1) of the current network,
        between two epochs; the maps follow at once."""
        return self._mailbox.post("set_parameter", int(layer), int(row), int(column), float(value))

    def start(self) -> int:
        """Train continuously (until :meth:`pause`, :meth:`step`, a reset or a stop)."""
        return self._mailbox.post("start")

    def pause(self) -> int:
        """Stop training now (the step in progress is abandoned, unchanged) and report a
        snapshot."""
        self._window_drawn.set()
        return self._mailbox.post("pause")

    def step(self) -> int:
        """Pause, then train exactly one epoch and report a snapshot."""
        return self._mailbox.post("step")

    def stop(self) -> int:
        """End the loop (the thread can then quit); later commands are ignored."""
        self._window_drawn.set()
        return self._mailbox.post("stop")

    def window_drawn(self) -> None:
        """The window has drawn what a ``restore(after_draw=True)`` waits for."""
        self._window_drawn.set()

    def call(self, function: Callable[[], Any], timeout: float = DEFAULT_CALL_TIMEOUT) -> Any:
        """Run ``function()`` in the worker thread between two mini-batches (the step in
        progress is interrupted, and trained again afterwards) and return its result.

        Used to read the worker's state consistently (see :meth:`network_params`).

        Raises
        ------
        RuntimeError
            If the loop has finished.
        TimeoutError
            If the loop did not answer within ``timeout`` seconds.
        """
        if self._finished.is_set():
            raise RuntimeError("the training worker has stopped.")
        self._window_drawn.set()  # a restore waiting for a draw goes ahead: this caller waits
        future: Future = Future()
        self._mailbox.post("call", function, future)
        return future.result(timeout)

    def call_async(self, function: Callable[[], Any]) -> Future:
        """Run ``function()`` in the worker thread between two mini-batches (as :meth:`call`);
        a Future of its result.

        Nothing waits: the caller adds a done-callback (it runs in the worker thread) or
        polls. If the loop has finished, the Future fails with RuntimeError.
        """
        future: Future = Future()
        if self._finished.is_set():
            future.set_exception(RuntimeError("the training worker has stopped."))
        else:
            self._mailbox.post("call", function, future)
        return future

    def read_training_state(self) -> tuple[Any, Any, int]:
        """In the worker thread: copies of the weights and trainer state, and the run id."""
        weights = None if self._net is None else self._net.get_params()
        state = None if self._trainer is None else self._trainer.state_dict()  # new objects
        return weights, state, self._run_id

    def network_params(self) -> list[dict[str, NDArray]] | None:
        """Copies of the current network's parameters (``Network.get_params``), or None."""
        return self.call(lambda: None if self._net is None else self._net.get_params())

    def network_sizes(self) -> list[int] | None:
        """The current network's layer sizes, e.g. ``[2, 8, 1]``, or None."""
        return self.call(lambda: None if self._net is None else self._net.sizes)

    def network_architecture(self) -> list[dict] | None:
        """The current network's layers in the article's format (sizes and activations)."""
        return self.call(lambda: None if self._net is None else self._net.architecture)

    def training_state(self) -> tuple[list[dict[str, NDArray]] | None, dict[str, Any] | None]:
        """Copies of the network's parameters and the trainer's ``state_dict()``, read together.

        Either may be None: no network yet, or no epoch trained since the last reset.
        """

        def read() -> tuple[list[dict[str, NDArray]] | None, dict[str, Any] | None]:
            weights = None if self._net is None else self._net.get_params()
            state = None if self._trainer is None else self._trainer.state_dict()  # new objects
            return weights, state

        return self.call(read)

    def trainer_settings(self) -> dict[str, Any] | None:
        """The live trainer's learning_rate, l1, l2, batch_size, optimizer and epoch, or None."""

        def read() -> dict[str, Any] | None:
            trainer = self._trainer
            if trainer is None:
                return None
            names = ("learning_rate", "l1", "l2", "batch_size", "optimizer", "epoch")
            return {name: getattr(trainer, name) for name in names}

        return self.call(read)

    # -- the loop (worker thread) -----------------------------------------------------------------

    @Slot()
    def run(self) -> None:
        """The worker thread's loop; returns after :meth:`stop`. Connect ``thread.started``."""
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_interval, TRAINING_SWITCH_INTERVAL))
        # One map at a time, but a pause may leave one behind (see _take_grid) and start
        # another: a second thread then takes it at once.
        self._grid_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="grid")
        try:
            # Divergence is detected and reported by the engine; NumPy's overflow warnings
            # on the way there would only clutter the terminal.
            with nn_engine.single_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
                while not self._stopping:
                    can_emit = self._emit_wanted and not self._awaiting_receipt
                    training_here = self._running and not self._burst_open
                    idle = not (training_here or can_emit)
                    self._process(self._mailbox.take(None if idle else 0))
                    if self._stopping:
                        break
                    if self._running and not self._burst_open:
                        train = self._open_burst if self._twin_usable() else self._train_frame
                        self._guarded(train)
                    if self._emit_wanted and not self._awaiting_receipt and not self._stopping:
                        self._guarded(self._emit_snapshot)
        finally:
            # A map still being computed is not waited for (a big network's takes a while):
            # its thread ends by itself and nothing reads its result.
            self._grid_pool.shutdown(wait=False, cancel_futures=True)
            if self._twin is not None:
                self._twin.close()
            sys.setswitchinterval(switch_interval)
            self._finished.set()
            self._running = False
            # Answer calls that arrived too late, so that no caller waits for its timeout.
            for _serial, name, args in self._mailbox.take(0):
                if name == "call":
                    args[1].set_exception(RuntimeError("the training worker has stopped."))
            self.sigFinished.emit()

    def _process(self, commands: list[tuple[int, str, tuple]]) -> None:
        for serial, name, args in commands:
            # a step answers later commands in the middle of a batch: never count backwards
            self._commands_done = max(self._commands_done, serial)
            if self._stopping:
                if name == "call":
                    args[1].set_exception(RuntimeError("the training worker has stopped."))
                continue
            if self._burst_open and name not in TWIN_SAFE_COMMANDS:
                self._guarded(self._recall)  # this command works on the run itself
            self._guarded(getattr(self, f"_on_{name}"), serial, *args)

    def _guarded(self, function: Callable, *args: object) -> None:
        """Run ``function``; a failure stops training and is reported, the loop carries on."""
        try:
            function(*args)
        except nn_engine.DivergenceError as error:
            self._twin_trainer = None  # the history was cut here: the twin loads it afresh
            self._rewound_to = error.restored_epoch
            self._grid_stale = True  # the restored weights
            self._halt(f"{error} — lower the learning rate", error=False)
        except Exception as error:  # any bug must leave the app working
            traceback.print_exc()
            self._halt(f"Training stopped by an error: {type(error).__name__}: {error}", True)

    def _halt(self, message: str, error: bool) -> None:
        self._running = False
        self._emit_wanted = True
        signal = self.sigError if error else self.sigStopped
        signal.emit(message, self._commands_done)

    # -- command handlers (worker thread) ---------------------------------------------------------

    def _on_reset(
        self,
        serial: int,
        architecture: list[dict],
        hp: Hyperparameters,
        run_id: int | None,
        features: tuple[str, ...],
    ) -> None:
        self._keep_current_run()
        self._install_run(
            serial if run_id is None else run_id,
            nn_engine.Network(architecture, features=features, **hp.network_kwargs()),
            None,
            hp,
        )

    def _on_switch_run(
        self,
        serial: int,
        run_id: int,
        architecture: list[dict],
        hp: Hyperparameters,
        features: tuple[str, ...],
    ) -> None:
        if run_id == self._run_id and self._net is not None:
            self._on_set_hyperparameters(serial, hp)
            return
        self._keep_current_run()
        kept = self._kept_runs.pop(run_id, None)
        if kept is not None and (
            kept[0].architecture != architecture
            or kept[0].features != features
            or kept[0].dtype != np.dtype(hp.precision)
        ):
            kept = None  # kept for another network: start afresh
        if kept is None:
            self._install_run(
                run_id,
                nn_engine.Network(architecture, features=features, **hp.network_kwargs()),
                None,
                hp,
            )
            return
        net, trainer = kept
        self._install_run(run_id, net, trainer, hp)
        self._on_set_hyperparameters(serial, hp)
        self._history_wanted = trainer is not None

    def _keep_current_run(self) -> None:
        """Keep the current run (network and trainer) so that undo can switch back to it."""
        if self._net is None:
            return
        self._kept_runs.pop(self._run_id, None)
        self._net.release_buffers()  # a kept run holds its weights, not its training buffers
        self._kept_runs[self._run_id] = (self._net, self._trainer)
        total = sum(net.params.nbytes * 4 for net, _ in self._kept_runs.values())
        while len(self._kept_runs) > KEPT_RUNS or (
            total > KEPT_RUN_BYTES and len(self._kept_runs) > 1
        ):
            oldest = next(iter(self._kept_runs))
            net, _ = self._kept_runs.pop(oldest)
            total -= net.params.nbytes * 4

    def kept_run_ids(self) -> list[int]:
        """The ids of the runs kept for undo, oldest first (read in the worker thread)."""
        return self.call(lambda: list(self._kept_runs))

    def _install_run(
        self,
        run_id: int,
        net: nn_engine.Network,
        trainer: nn_engine.Trainer | None,
        hp: Hyperparameters,
    ) -> None:
        if trainer is not None:
            _compact_history(trainer)
        self._net = net
        self._grid_net = nn_engine.Network(
            net.architecture, features=net.features, init=net.init, seed=net.seed, dtype=np.float32
        )
        self._trainer = trainer
        self._trainer_points = None
        self._data_pending = trainer is not None  # the current data from the next epoch
        self._hyperparameters = hp
        self._run_id = run_id
        self._running = False
        self._maps_follow = False
        self._pending.clear()
        self._pending_norms.clear()
        self._rewound_to = None
        self._history_wanted = False
        self._last_sent_grid = None  # the window cleared its map
        self._epochs_per_second = 0.0
        self._grid_stale = True
        self._emit_wanted = True

    def _on_restore(
        self,
        serial: int,
        architecture: list[dict],
        hp: Hyperparameters,
        weights: list[dict[str, NDArray]] | None,
        trainer_state: dict[str, Any] | None,
        run_id: int | None,
        features: tuple[str, ...],
    ) -> None:
        net = nn_engine.Network(architecture, features=features, **hp.network_kwargs())
        if weights is not None:
            net.set_params(weights)  # copies
        trainer = None
        if trainer_state is not None:
            self._window_drawn.wait(RESTORE_WAITS_FOR_DRAW_SECONDS)
            # load_state_dict copies what it keeps: the session's state stays the GUI's
            usable = self._data is not None and not _lacks_a_class(self._data[1])
            X, y = self._data[:2] if usable else _PLACEHOLDER_DATA
            trainer = nn_engine.Trainer(net, X, y, **hp.trainer_kwargs())
            trainer.load_state_dict(trainer_state)
        self._keep_current_run()
        self._install_run(serial if run_id is None else run_id, net, trainer, hp)
        self._trainer_points = X if trainer is not None and usable else None
        self._history_wanted = trainer is not None

    def _on_set_data(
        self, serial: int, X: NDArray, y: NDArray, X_test: NDArray, y_test: NDArray
    ) -> None:
        if self._burst_open:
            if _lacks_a_class(y):
                self._recall()  # training pauses here, as it would in this thread
            else:
                self._send_twin_data(X, y, X_test, y_test)
        self._data = (X, y, X_test, y_test)
        self._data_pending = True
        if not self._running and self._net is not None and self._trainer is not None:
            self._evaluation_wanted = True  # the figures on screen describe the old points
            self._emit_wanted = True

    def _on_set_points(self, serial: int, X: NDArray, labels: NDArray, is_test: NDArray) -> None:
        # np.compress: ~5x faster than boolean indexing of rows, and it holds the GIL (which
        # the GUI thread, drawing the same new points, waits for) that much less
        train = ~is_test
        self._on_set_data(
            serial,
            np.compress(train, X, axis=0),
            np.compress(train, labels),
            np.compress(is_test, X, axis=0),
            np.compress(is_test, labels),
        )

    def _on_set_hyperparameters(self, serial: int, hp: Hyperparameters) -> None:
        self._hyperparameters = hp
        settings = {**hp.trainer_kwargs(), "epochs_per_frame": hp.epochs_per_refresh}
        if self._burst_open:
            self._send_to_twin(("hyperparameters", self._burst, settings))
        if self._trainer is not None:
            apply_live_settings(self._trainer, settings)

    def _on_set_view(self, serial: int, rect: Rect) -> None:
        if rect != self._rect:
            self._rect = rect
            self._grid_stale = True
            self._emit_wanted = True

    def _on_set_network_view(self, serial: int, request: NetworkViewRequest) -> None:
        if request != self._network_view:
            self._network_view = request
            self._grid_stale = True
            self._emit_wanted = True

    def _on_set_hidden_space(self, serial: int, request: HiddenSpaceRequest) -> None:
        if request != self._hidden_space:
            self._hidden_space = request
            self._grid_stale = True
            self._emit_wanted = True

    def _on_set_parameter(self, serial: int, layer: int, row: int, column: int, value: float):
        if self._net is None:
            return
        target = self._net.layers[layer]
        if column < 0:
            target["b"][row] = value
        else:
            target["W"][row, column] = value
        self._grid_stale = True
        self._emit_wanted = True
        if self._trainer is not None and not self._running:
            self._evaluation_wanted = True  # the figures describe the edited network

    def _on_start(self, serial: int) -> None:
        self._maps_follow = False
        if not self._running and self._ensure_trainer():
            self._running = True
            self._grid_times.clear()
            self._rate_epochs, self._rate_since = 0, time.perf_counter()
            self._frame_start = self._rate_since

    def _on_pause(self, serial: int) -> None:
        self._maps_follow = self._running  # the paused snapshot need not wait for its maps
        self._running = False
        self._epochs_per_second = 0.0
        self._emit_wanted = True

    def _on_step(self, serial: int) -> None:
        """Train exactly one epoch. Commands that come meanwhile interrupt it, are answered,
        and the epoch goes on, unless one of ENDS_A_STEP came (a stop, a new network or new
        points): then the epoch stays in progress. Further steps wait for this one."""
        self._maps_follow = False
        self._running = False
        self._epochs_per_second = 0.0
        self._emit_wanted = True
        while self._ensure_trainer():
            self._grid_stale = True
            try:
                m = self._trainer.step_epoch(self._mailbox.urgent)
            except nn_engine.TrainingInterrupted:
                if self._answer_during_step():
                    continue
                return
            self._record_epoch(m)
            return

    def _answer_during_step(self) -> bool:
        """Handle the commands that interrupted a step, further steps excepted (they go back
        to the mailbox, to follow this one); False if the step must end."""
        commands = self._mailbox.take(0)
        now = [command for command in commands if command[1] != "step"]
        self._mailbox.put_back([command for command in commands if command[1] == "step"])
        self._process(now)
        return not self._stopping and not any(name in ENDS_A_STEP for _, name, _ in now)

    def _on_stop(self, serial: int) -> None:
        self._running = False
        self._stopping = True

    def _on_ack(self, serial: int) -> None:
        self._awaiting_receipt = False

    def _on_maps_ready(self, serial: int) -> None:
        if not self._running:
            self._emit_wanted = True  # the maps that did not come with the paused snapshot

    def _on_call(self, serial: int, function: Callable[[], Any], future: Future) -> None:
        try:
            future.set_result(function())
        except Exception as error:  # the caller gets it
            future.set_exception(error)

    # -- training (worker thread) -----------------------------------------------------------------

    def _ensure_trainer(self) -> bool:
        """Make sure a trainer exists with the latest data; report why not otherwise."""
        if self._net is None:
            self._halt("Cannot train: no network yet.", error=False)
            return False
        if self._data is None or _lacks_a_class(self._data[1]):
            self._halt(f"Cannot train: {NEED_BOTH_CLASSES}.", error=False)
            return False
        if self._trainer is None:
            X, y, _, _ = self._data
            self._trainer = nn_engine.Trainer(
                self._net, X, y, **self._hyperparameters.trainer_kwargs()
            )
            _compact_history(self._trainer)
            self._trainer_points = X
            self._data_pending = True  # for the validation data
        return self._apply_pending_data()

    def _apply_pending_data(self) -> bool:
        if not self._data_pending or self._trainer is None:
            return True
        X, y, X_test, y_test = self._data
        if _lacks_a_class(y):
            self._halt(f"Training paused: {NEED_BOTH_CLASSES}.", error=False)
            return False
        if self._trainer_points is not X:
            self._trainer.set_data(X, y)
            self._trainer_points = X
        self._trainer.set_validation(*_validation(X_test, y_test))
        self._data_pending = False
        return True

    def _train_batch(self) -> bool | None:
        """Train one mini-batch (the whole data with full batch) unless an urgent command
        interrupts it. True when it completed an epoch, False when not (or interrupted: then
        nothing changed), None when training cannot go on (the reason was reported)."""
        if not self._apply_pending_data():
            return None
        try:
            m = self._trainer.step_batch(self._mailbox.urgent)
        except nn_engine.TrainingInterrupted:
            return False
        self._grid_stale = True
        if m is None:
            return False
        self._record_epoch(m)
        return True

    def _record_epoch(self, m: nn_engine.EpochMetrics) -> None:
        val = (np.nan, np.nan) if m.val_loss is None else (m.val_loss, m.val_accuracy)
        self._pending.append((m.epoch, m.loss, m.accuracy, *val))
        grad_norms = getattr(m, "grad_norms", None)
        if grad_norms is not None:
            self._pending_norms.append((tuple(grad_norms), tuple(m.weight_norms)))
        self._rate_epochs += 1

    def _train_frame(self) -> None:
        """Train for one frame: ``epochs_per_refresh`` epochs, at most FRAME_SECONDS long
        (or the one epoch that outlasts it), reading the mailbox between mini-batches.

        A frame that finishes its epochs early waits for its end (still answering commands at
        once), so the speed setting caps the rate at ``epochs_per_refresh`` per frame.
        """
        now = time.perf_counter()
        if now - self._frame_start > FRAME_SECONDS:
            self._frame_start = now  # fell behind (a slow epoch, the GUI): start afresh
        deadline = self._frame_start + FRAME_SECONDS
        self._frame_start = deadline  # frames keep a steady beat: no drift from emitting
        budget = self._hyperparameters.epochs_per_refresh
        done = 0
        while self._running and done < budget:
            ended_epoch = self._train_batch()
            if ended_epoch is None:
                return
            if ended_epoch:
                done += 1
                if time.perf_counter() >= deadline:
                    break
            self._process(self._mailbox.take(0))
        while self._running and not self._stopping:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            self._process(self._mailbox.take(remaining))
        self._emit_wanted = True

    # -- the training process (worker thread) -------------------------------------------------

    @property
    def bursts_opened(self) -> int:
        """How many times the run was handed to the training process (for tests and
        benchmarks; any thread)."""
        return self._burst

    @property
    def epochs_trained(self) -> int:
        """The current run's epochs, as the worker thread last recorded them (any thread, for
        benchmarks; unlike a :meth:`call`, it does not take the run back from the training
        process)."""
        trainer = self._trainer
        return 0 if trainer is None else trainer.epoch

    @property
    def training_process_pid(self) -> int | None:
        """The training process's id while it runs, else None (any thread)."""
        twin = self._twin
        return None if twin is None else twin.pid

    def _twin_usable(self) -> bool:
        """Whether a burst can open: the training process is wanted, started and ready. The
        first call starts it (its imports take a few tenths of a second, trained here)."""
        if not self._twin_wanted:
            return False
        if self._twin is None:
            try:
                self._twin = TrainingProcess(self._on_twin_message)
            except Exception as error:  # no process can be started here: train in this thread
                print(f"nn-playground: training in the window's process: {error}", file=sys.stderr)
                self._twin_wanted = False
            return False
        return self._twin_ready

    def _on_twin_message(self, message: tuple) -> None:
        """In the reader thread: queue a message of the training process and wake the loop."""
        self._twin_messages.put(message)
        self._mailbox.post("twin")

    def _on_twin(self, serial: int) -> None:
        while True:
            try:
                message = self._twin_messages.get_nowait()
            except queue.Empty:
                return
            self._twin_message(message)

    def _twin_message(self, message: tuple) -> None:
        kind, burst = message[0], message[1]
        if kind == "ready":
            self._twin_ready = True
        elif kind == "lost":
            self._twin_lost(message[2])
        elif burst != self._burst or not self._burst_open:
            return  # of a burst already closed
        elif kind == "frame":
            self._take_frame(*message[2:])
        elif kind == "progress":
            self._close_burst(message[2])
        elif kind == "halted":
            self._twin_halted(*message[2:])

    def _send_to_twin(self, message: tuple) -> None:
        try:
            self._twin.send(message)
        except (OSError, ValueError):  # it has gone: its reader thread reports how
            self._twin_lost("its pipe is closed")

    def _history_lists(self) -> tuple[list[float], ...]:
        return history_lists(self._trainer.history)

    def _history_lengths(self) -> tuple[int, ...]:
        return tuple(len(values) for values in self._history_lists())

    def _open_burst(self) -> None:
        """Hand the run to the training process: everything the trainer holds the first time
        (or when its history changed here), only its progress and what changed afterwards."""
        # as _train_batch: Start made the trainer, points that came since join it here
        if not (self._apply_pending_data() if self._trainer else self._ensure_trainer()):
            return
        trainer = self._trainer
        X, y, X_test, y_test = self._data
        validation = _validation(X_test, y_test)
        lists = self._history_lists()
        lengths = self._history_lengths()
        self._burst += 1
        spec: dict[str, Any] = {
            "progress": trainer.export_progress(),
            "epochs_per_frame": self._hyperparameters.epochs_per_refresh,
        }
        stale = self._twin_trainer is not trainer or any(
            length < known for length, known in zip(lengths, self._twin_lengths, strict=True)
        )
        if stale:
            net = self._net
            spec.update(
                architecture=net.architecture,
                features=net.features,
                init=net.init,
                seed=net.seed,
                dtype=net.dtype.name,
                trainer_kwargs=self._hyperparameters.trainer_kwargs(),
                points=(X, y),
                validation=validation,
                history=[HistoryTail.parts(values) for values in lists],
            )
            message = ("load", self._burst, spec)
        else:
            spec.update(
                starts=self._twin_lengths,
                tails=tuple(
                    values[known:] for values, known in zip(lists, self._twin_lengths, strict=True)
                ),
                points=None if self._twin_points is X else (X, y),
                validation=None if self._twin_validation is X_test else validation,
            )
            message = ("resume", self._burst, spec)
        self._burst_open = True
        self._burst_start = (self._net.params.copy(), lengths)
        self._twin_trainer = trainer
        self._twin_lengths = lengths
        self._twin_points, self._twin_validation = X, X_test
        self._send_to_twin(message)

    def _send_twin_data(self, X: NDArray, y: NDArray, X_test: NDArray, y_test: NDArray) -> None:
        """New points while the training process holds the run: it takes them between two
        mini-batches, as this thread would (this trainer takes them when the burst closes)."""
        points = None if self._twin_points is X else (X, y)
        self._twin_points, self._twin_validation = X, X_test
        self._send_to_twin(("data", self._burst, points, _validation(X_test, y_test)))

    def _take_frame(self, metrics: list[nn_engine.EpochMetrics], params: NDArray) -> None:
        """A frame of the training process: its epochs join the history and the snapshot's
        rows, its parameters the network (the maps are drawn from them)."""
        lists = self._history_lists()
        for m in metrics:
            lists[0].append(m.loss)
            lists[1].append(m.accuracy)
            if m.val_loss is not None:
                lists[2].append(m.val_loss)
                lists[3].append(m.val_accuracy)
            self._record_epoch(m)
        self._twin_lengths = self._history_lengths()
        self._net.params[...] = params
        self._grid_stale = True
        self._emit_wanted = True

    def _recall(self) -> None:
        """Take the run back from the training process: it stops between two layers and
        sends its progress (after the frame in progress), which this trainer imports."""
        if not self._burst_open:
            return
        self._send_to_twin(("recall", self._burst))
        deadline = time.perf_counter() + RECALL_TIMEOUT_SECONDS
        while self._burst_open:
            try:
                message = self._twin_messages.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                self._twin_lost(f"no answer within {RECALL_TIMEOUT_SECONDS:.0f} s")
                return
            self._twin_message(message)

    def _close_burst(self, progress: dict | None) -> None:
        """The run is this thread's again: the points that came meanwhile and the progress."""
        self._burst_open = False
        if progress is None:
            self._twin_trainer = None
            return
        try:
            if self._data_pending and not _lacks_a_class(self._data[1]):
                self._apply_pending_data()  # restarts the epoch: the progress says where it is
        finally:
            self._trainer.import_progress(progress)

    def _twin_halted(
        self, kind: str, message: str, restored_epoch: int | None, progress: dict | None
    ) -> None:
        """The training process stopped training: divergence (its weights went back to
        ``restored_epoch`` and its history was cut there) or an error."""
        if restored_epoch is not None:
            for values in self._history_lists():
                del values[restored_epoch:]
            self._twin_lengths = self._history_lengths()
        if kind == "error":
            self._twin_trainer = None  # whatever it holds, the next burst loads it afresh
        self._close_burst(progress)
        if kind == "divergence":
            self._rewound_to = restored_epoch
            self._grid_stale = True
            self._halt(f"{message} — lower the learning rate", error=False)
        else:
            summary, _, details = message.partition("\n")
            print(details, end="", file=sys.stderr)
            self._halt(f"Training stopped by an error: {summary}", True)

    def _twin_lost(self, reason: str) -> None:
        """The training process ended unexpectedly: the run goes back to where its last burst
        began (this trainer holds that state) and trains in this thread from now on."""
        was_open = self._burst_open
        self._burst_open = False
        self._twin_wanted = False
        self._twin_trainer = None
        twin, self._twin = self._twin, None
        if twin is not None:
            twin.close()
        if not was_open or self._burst_start is None:
            return
        params, lengths = self._burst_start
        self._net.params[...] = params
        for values, length in zip(self._history_lists(), lengths, strict=True):
            del values[length:]
        self._rewound_to = self._trainer.epoch
        self._grid_stale = True
        self._halt(
            f"The training process stopped ({reason}); the run went back to epoch "
            f"{self._trainer.epoch} and trains in the window's process from now on.",
            error=True,
        )

    # -- snapshots (worker thread) ----------------------------------------------------------------

    def _emit_snapshot(self) -> None:
        self._emit_wanted = False
        if self._stopping:
            return  # shutting down: nothing may be scheduled or sent any more
        now = time.perf_counter()
        if self._running:
            elapsed = now - self._rate_since
            if elapsed >= 0.25:  # an average over a few frames, not one frame's jitter
                self._epochs_per_second = self._rate_epochs / elapsed
                self._rate_epochs, self._rate_since = 0, now
        grid, rect, network, hidden = self._take_grid()
        if grid is not None:
            self.grids_evaluated += 1
            last = self._last_sent_grid
            if last is not None and last[1] == rect and _close(grid, last[0]):
                grid = rect = None
            else:
                self._last_sent_grid = (grid, rect)
        history_replaced = self._history_wanted and self._trainer is not None
        if history_replaced:
            history = self._trainer.history
            n = history.epochs
            val_loss = np.full(n, np.nan)
            val_accuracy = np.full(n, np.nan)
            # The engine records test metrics only for epochs that had test points; they are
            # drawn as the most recent epochs.
            k = len(history.val_loss)
            if k:
                val_loss[n - k :] = history.val_loss
                val_accuracy[n - k :] = history.val_accuracy
            rows = np.column_stack(
                [np.arange(1, n + 1), history.loss, history.accuracy, val_loss, val_accuracy]
            ).reshape(-1, 5)
            self._history_wanted = False
        else:
            rows = np.array(self._pending, dtype=np.float64).reshape(-1, 5)
        self._pending.clear()
        if self._rewound_to is not None:
            rows = rows[rows[:, 0] <= self._rewound_to]
        has_val = bool(np.isfinite(rows[:, 3]).any())
        norms = self._take_norms(len(rows), history_replaced or self._rewound_to is not None)
        snapshot = Snapshot(
            run_id=self._run_id,
            epoch=0 if self._trainer is None else self._trainer.epoch,
            epochs=rows[:, 0].astype(np.int64),
            loss=rows[:, 1].copy(),
            accuracy=rows[:, 2].copy(),
            val_loss=rows[:, 3].copy() if has_val else None,
            val_accuracy=rows[:, 4].copy() if has_val else None,
            epochs_per_second=self._epochs_per_second if self._running else 0.0,
            grid=grid,
            rect=rect,
            rewound_to=self._rewound_to,
            running=self._running,
            commands_done=self._commands_done,
            history_replaced=history_replaced,
            evaluation=self._evaluate_on_data() if self._evaluation_wanted else None,
            network=network,
            hidden_space=hidden,
            grad_norms=norms[0],
            weight_norms=norms[1],
        )
        self._evaluation_wanted = False
        self._awaiting_receipt = True
        self._rewound_to = None
        self.sigSnapshot.emit(snapshot)

    def _take_norms(
        self, n_rows: int, whole_history: bool
    ) -> tuple[NDArray | None, NDArray | None]:
        """The per-epoch layer norms of the epochs in this snapshot (none for a history or
        after a rewind: those rows are not the pending epochs one for one)."""
        pending, self._pending_norms = self._pending_norms, []
        if whole_history or not pending or len(pending) < n_rows:
            return None, None
        pending = pending[len(pending) - n_rows :]
        grads = np.array([g for g, _ in pending], dtype=np.float64).reshape(n_rows, -1)
        weights = np.array([w for _, w in pending], dtype=np.float64).reshape(n_rows, -1)
        return grads, weights

    def _evaluate_on_data(self) -> tuple[float | None, float | None, float | None, float | None]:
        """Loss and accuracy of the current network on the current training and test points."""
        X, y, X_test, y_test = self._data
        train = self._net.evaluate(X, y) if len(X) else (None, None)
        test = self._net.evaluate(X_test, y_test) if len(X_test) else (None, None)
        return (*train, *test)

    def _network_request(self) -> NetworkViewRequest | None:
        """The panel's request for the next grid, if a network frame is due with it."""
        request = self._network_view
        return request if request.shown and self._frame_due() else None

    def _dead_units_data(self, request: NetworkViewRequest | None) -> NDArray | None:
        """The training points to count dead units on, at most once every DEAD_UNITS_SECONDS
        (a forward pass over the whole training set)."""
        now = time.perf_counter()
        if request is None or self._data is None or not len(self._data[0]):
            return None
        if self._running and now - self._dead_units_at < DEAD_UNITS_SECONDS:
            return None
        self._dead_units_at = now
        return self._data[0]

    def _frame_due(self) -> bool:
        """Whether the next grid brings the panels' frames (every NETWORK_FRAME_EVERY-th)."""
        if not self._running:
            return True
        return network_frame_due(self._grids_submitted, self._grid_times, time.perf_counter())

    def _hidden_job(self) -> _HiddenJob | None:
        """The hidden-space view's job for the next grid, when it is shown."""
        request = self._hidden_space
        if not request.shown or self._data is None:
            return None
        X, y = subsample(self._data[0], self._data[1])
        return _HiddenJob(request, X, y, self._hidden_references)

    def _post_maps_ready(self, future: Future) -> None:
        """Done-callback of a map job (runs in the grid thread): wakes a paused loop."""
        self._mailbox.post("maps_ready")

    def _take_grid(
        self,
    ) -> tuple[
        NDArray[np.float32] | None, Rect | None, NetworkFrame | None, HiddenSpaceFrame | None
    ]:
        """The decision map for this snapshot, the rect it covers, and maybe a network frame.

        While training, the maps are computed on the grid thread (the other core) from the
        weights of the previous frame and sent one frame (45 ms) later; the training loop only
        copies the weights. When paused, they are computed at once for the current weights,
        except right after a pause: a pause waits for no map (a big network's maps and
        dead-unit count take seconds), so its snapshot goes without them and they follow
        from the grid thread ("maps_ready" wakes the loop).
        """
        if self._net is None or self._rect is None:
            return None, None, None, None
        job, self._grid_job = self._grid_job, None
        if not self._running:
            if job is not None and not job.future.done():
                if not self._grid_stale and job.run_id == self._run_id:
                    self._grid_job = job  # the maps of these weights are on their way
                    job.future.add_done_callback(self._post_maps_ready)
                    return None, None, None, None
                # Outdated: its result is dropped and its network left to it.
                self._grid_net = self._grid_net.copy()
                job = None
            if not self._grid_stale:  # the weights of the job just finished, if any
                if job is not None and job.run_id == self._run_id:
                    grid, frame, hidden = job.future.result()
                    if len(grid) < grid_cells(self._net.architecture, running=False):
                        # a coarse map from training: the full one follows from the grid
                        # thread, for these same weights
                        self._grid_stale = self._maps_follow = self._emit_wanted = True
                    return grid, job.rect, frame, hidden
                return None, None, None, None
            self._grid_stale = False
            request = self._network_request()
            maps = (
                self._grid_net,
                self._net.get_params(),
                self._rect,
                request,
                self._hidden_job(),
                self._dead_units_data(request),
                grid_cells(self._net.architecture, running=False),
            )
            if self._maps_follow:
                self._maps_follow = False
                future = self._grid_pool.submit(_maps_for, *maps)
                future.add_done_callback(self._post_maps_ready)
                self._grid_job = _GridJob(self._run_id, self._rect, future)
                return None, None, None, None
            grid, frame, hidden = _maps_for(*maps)
            return grid, self._rect, frame, hidden
        result: tuple = (None, None, None, None)
        if job is not None:
            if not job.future.done():
                self._grid_job = job  # still computing: collect it at a later frame
            elif job.run_id == self._run_id:
                grid, frame, hidden = job.future.result()
                result = (grid, job.rect, frame, hidden)
        if self._grid_job is None and self._grid_stale and not self._stopping:
            self._grid_stale = False
            future = self._grid_pool.submit(
                _maps_for,
                self._grid_net,
                self._net.get_params(),
                self._rect,
                self._network_request(),
                self._hidden_job(),  # with every map: its plane moves as the regions do
                self._dead_units_data(self._network_request()),
                grid_cells(self._net.architecture, running=True),
            )
            self._grids_submitted += 1
            self._grid_times.append(time.perf_counter())
            self._grid_job = _GridJob(self._run_id, self._rect, future)
        return result


def _compact_history(trainer: nn_engine.Trainer) -> None:
    """Keep the trainer's history in ``array("d")`` instead of lists of Python floats: 8 bytes
    a value instead of 32 (the window trains ~2,000 epochs a second, 7 million an hour). The
    engine appends, cuts and copies them as it does lists; ``state_dict`` still gives lists."""
    for name, values in zip(HISTORY_LISTS, history_lists(trainer.history), strict=True):
        if not isinstance(values, array):
            setattr(trainer.history, name, array("d", values))


def _validation(X_test: NDArray, y_test: NDArray) -> tuple:
    """The trainer's validation data: the test points, or (None, None) without any."""
    return (X_test, y_test) if len(X_test) else (None, None)


def network_frame_due(submitted: int, asked_at: deque[float], now: float) -> bool:
    """Whether the next decision map asked for while training brings the network panel's
    frame: every NETWORK_FRAME_EVERY-th (``submitted`` maps asked for so far), or every one
    while the last ``asked_at.maxlen`` maps (their times in ``asked_at``, oldest first) came
    slower than EVERY_MAP_BELOW per second (``now`` the current time)."""
    if len(asked_at) == asked_at.maxlen and len(asked_at) - 1 < EVERY_MAP_BELOW * (
        now - asked_at[0]
    ):
        return True
    return submitted % NETWORK_FRAME_EVERY == 0


def _hidden_space_for(
    grid_net: nn_engine.Network,
    rect: Rect,
    job: "_HiddenJob",
) -> HiddenSpaceFrame:
    """The hidden-space frame: grid lines over ``rect`` and the (subsampled) training points
    through ``grid_net`` (already loaded with the frame's weights), in one batched pass."""
    lines = grid_lines(rect)
    inputs = np.concatenate([lines, job.X]).astype(np.float32)
    with np.errstate(all="ignore"):
        activations = grid_net.forward_layers(inputs)
    n = len(lines)
    return hidden_space_frame(
        [a[:n] for a in activations],
        [a[n:] for a in activations],
        lines,
        job.X,
        job.y,
        job.request,
        job.references,
    )


def _maps_for(
    grid_net: nn_engine.Network,
    params: list[dict[str, NDArray]],
    rect: Rect,
    request: "NetworkViewRequest | None",
    hidden: "_HiddenJob | None" = None,
    dead_X: NDArray | None = None,
    cells: int = GRID_CELLS,
) -> tuple[NDArray[np.float32], NetworkFrame | None, HiddenSpaceFrame | None]:
    """The decision map over ``rect`` and, when ``request`` asks, the network panel's frame,
    from one batched forward pass on ``cells`` x ``cells`` cell centres (``grid_cells``: fewer
    for very wide networks).

    ``grid_net`` is a float32 network of the same architecture, loaded with ``params`` here;
    safe in any thread as long as no other thread uses ``grid_net`` meanwhile.
    """
    activations, points = forward_on_grid(grid_net, params, rect, cells)
    # Whatever is still undefined shows as "undecided" rather than failing to draw.
    grid = np.nan_to_num(activations[-1][:, 0], nan=0.5).reshape(cells, cells)
    frame = None
    dead = None
    if request is not None and dead_X is not None:
        try:
            with np.errstate(all="ignore"):
                dead = tuple(grid_net.dead_units(dead_X))
        except ValueError:
            pass  # a feature not finite on the points (log(x1) at x1 <= 0): Train says so
    if request is not None:
        frame = network_frame(
            activations,
            params,
            grid_net.architecture,
            points,
            focus=request.focus,
            heatmaps=request.heatmaps,
            dead_units=dead,
        )
    return grid, frame, None if hidden is None else _hidden_space_for(grid_net, rect, hidden)
