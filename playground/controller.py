"""The controller: owns the document, the undo stack and the training worker of one window.

Data flows one way (ARCHITECTURE.md): a widget's intent becomes a command
(:mod:`playground.state.document`), :meth:`Controller.push` puts it on the undo stack, the
document changes and notifies, and this controller hands the worker what it needs (data, a
run to switch to, live settings) while the window redraws its panels. The worker's snapshots
come back here, update the document's epoch, and go on to the window as :attr:`sigSnapshot`.

Sessions, exports and presets talk to this object, never to the window.
"""

import atexit
import secrets
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication

from nn_engine.validation import floats_to_array
from playground import memory
from playground.state import (
    HISTORY_KEYS,
    Architecture,
    Command,
    DataSettings,
    Hyperparameters,
    PointSet,
    Session,
)
from playground.state.document import (
    ASPECT_HYPERPARAMETERS,
    ASPECT_PARAMETER,
    ASPECT_POINTS,
    ASPECT_RUN,
    DataSource,
    Document,
    DocumentCommand,
    EditParameter,
    EditPoints,
    SetArchitecture,
    SetHyperparameters,
    SwitchRun,
    restarts_run,
    with_new_run,
)
from playground.worker import Snapshot, TrainingWorker

MIN_POINTS_PER_CLASS = 2
# A script's synchronous save waits this long for the worker's answer. The worker interrupts
# its training step to give it, so only what cannot be interrupted (an epoch's validation
# pass, a map being computed while paused) is waited for.
SYNC_STATE_TIMEOUT = 600.0
MAX_UNDO_STEPS = 200

# The first thing a new user sees: moons that a small network separates in a few seconds.
DEFAULT_DATA = DataSettings(
    generator="moons", n_points=300, noise=0.2, seed=0, test_ratio=0.2, show_test=True
)
DEFAULT_ARCHITECTURE = Architecture.from_units([16, 16], activation="tanh")
DEFAULT_HYPERPARAMETERS = Hyperparameters(
    optimizer="adam",
    learning_rate=0.01,
    batch_size=0,
    regularization="none",
    regularization_rate=0.0,
    init="xavier",
    seed=1,
    epochs_per_refresh=10,
)


def default_document() -> Document:
    """What a new window and File > New start from: the default data and network, untrained."""
    command = DEFAULT_DATA.generate()
    return Document(
        PointSet(command.X, command.labels, command.is_test),
        DEFAULT_DATA,
        DEFAULT_ARCHITECTURE,
        DEFAULT_HYPERPARAMETERS,
        source=DataSource(DEFAULT_DATA.generator.capitalize()),
    )


class DocumentEdit(QUndoCommand):
    """A document command on the undo stack: ``redo`` applies it, ``undo`` its inverse.

    Consecutive edits with the same ``merge_key`` (e.g. the clicks of a learning-rate spin
    box) merge into one undo step that goes back to the value before the first.
    """

    _MERGE_IDS: dict[str, int] = {}

    def __init__(self, document: Document, command: DocumentCommand, merge_key: str | None):
        super().__init__(command.text)
        self._document = document
        self._command = command
        self._inverse: DocumentCommand | None = None
        self._merge_key = merge_key

    @property
    def command(self) -> DocumentCommand:
        return self._command

    def id(self) -> int:  # Qt override
        if self._merge_key is None:
            return -1
        return self._MERGE_IDS.setdefault(self._merge_key, len(self._MERGE_IDS) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:  # Qt override
        if not isinstance(other, DocumentEdit) or other._merge_key != self._merge_key:
            return False
        self._command = other._command  # the latest value; undo still goes to the first's
        return True

    def redo(self) -> None:  # Qt override
        self._inverse = self._document.apply(self._command)

    def undo(self) -> None:  # Qt override
        assert self._inverse is not None, "undo() before redo()"
        # Applying the inverse returns the command again, refreshed (e.g. a run's epoch).
        self._command = self._document.apply(self._inverse)
        self._inverse = None


class _WorkerInbox(QObject):
    """Receives the worker's signals in the GUI thread and hands them to the controller.

    The worker's signals come from its thread, so they must reach slots of a QObject that lives
    in the GUI thread, where Qt queues them. PySide6 (6.11) runs a slot that a subclass
    *overrides* in the emitting thread, so this small final class is the receiver.
    """

    sigFutureDone = Signal(object)

    def __init__(self, controller: "Controller"):
        super().__init__(controller)
        self._controller = controller
        # Queued even when emitted in the GUI thread: a future already done when its callback
        # is added (a small file read at once) must not finish the operation synchronously,
        # inside the call that started it (before "Opening …" is even shown).
        self.sigFutureDone.connect(self.on_future_done, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def on_snapshot(self, snapshot: Snapshot) -> None:
        self._controller._on_snapshot(snapshot)

    @Slot(str, int)
    def on_stopped(self, message: str, commands_done: int) -> None:
        self._controller._on_worker_stopped(message, commands_done, error=False)

    @Slot(str, int)
    def on_error(self, message: str, commands_done: int) -> None:
        self._controller._on_worker_stopped(message, commands_done, error=True)

    @Slot(object)
    def on_future_done(self, done: tuple[Callable[[Future], None], Future]) -> None:
        callback, future = done
        callback(future)


class Controller(QObject):
    """The document, its undo stack and the training worker (see the module docstring).

    Attributes
    ----------
    sigSnapshot : Signal(Snapshot)
        A snapshot of the current run (metrics, decision map), in the GUI thread.
    sigRunningChanged : Signal(bool)
        Training started (True) or stopped (False) as the user or the worker decided.
    sigMessage : Signal(str)
        A sentence for the status line.
    sigAboutToCapture : Signal()
        A session is about to be read from the document: views hand in pending changes
        (the data plot's view range, whose signal is throttled).
    """

    sigSnapshot = Signal(object)
    sigRunningChanged = Signal(bool)
    sigMessage = Signal(str)
    sigAboutToCapture = Signal()

    def __init__(self, document: Document | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document or default_document()
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(MAX_UNDO_STEPS)
        self._running = False
        self._control_serial = 0  # serial of the last start/pause/step/switch command
        self._worker_run_id: int | None = None
        self._sent_points: tuple[PointSet, int] | None = None
        self._shut_down = False
        self._start_worker()
        self.document.subscribe(self._on_document_changed)
        self._session_builder = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="session-build"
        )
        # memory freed by the three threads goes back to the system (see memory)
        memory.configure_allocator()
        self._memory_timer = QTimer(self)
        self._memory_timer.setObjectName("memoryTimer")
        self._memory_timer.setInterval(memory.RELEASE_INTERVAL_MS)
        self._memory_timer.timeout.connect(memory.release_free_memory)
        if memory.can_release_free_memory():
            self._memory_timer.start()
        self._send_data()
        self._switch_worker_run()
        self._worker.set_hyperparameters(self.document.hyperparameters)

    # -- reading ----------------------------------------------------------------------------------

    @property
    def worker(self) -> TrainingWorker:
        return self._worker

    @property
    def training_thread(self) -> QThread:
        return self._thread

    @property
    def is_training(self) -> bool:
        return self._running

    def training_data_problem(self) -> str | None:
        """Why the current points cannot be trained on, or None."""
        n0, n1 = self.document.points.counts()["train"]
        if n0 < MIN_POINTS_PER_CLASS or n1 < MIN_POINTS_PER_CLASS:
            return (
                f"need at least {MIN_POINTS_PER_CLASS} points of each class "
                f"(training points: {n0} of class 0, {n1} of class 1)"
            )
        precision = self.document.hyperparameters.precision
        return self.document.architecture.feature_problem(self.document.points.X, precision)

    # -- edits ------------------------------------------------------------------------------------

    def push(self, command: DocumentCommand, merge_key: str | None = None) -> None:
        """Apply ``command`` as one undo step (merged with the previous one of ``merge_key``)."""
        self.undo_stack.push(DocumentEdit(self.document, command, merge_key))

    def push_points(self, edit: Command, source: DataSource | None = None) -> None:
        """A point edit as one undo step; ``source`` None marks the current source edited."""
        self.push(EditPoints(edit, source))

    def set_architecture(self, architecture: Architecture) -> None:
        """New hidden layers: one undo step that also starts a new run (a new network)."""
        self.push(
            with_new_run(
                self.document,
                [SetArchitecture(architecture)],
                f"Network {architecture.summary()}",
            )
        )

    def set_hyperparameters(self, hyperparameters: Hyperparameters) -> list[str]:
        """New training settings as an undo step; returns the restarting settings changed.

        Optimizer, initialisation, seed and precision need a new network (a new run, one
        step); the others apply to the running trainer, and consecutive changes merge.
        """
        restarting = restarts_run(self.document.hyperparameters, hyperparameters)
        command = SetHyperparameters(hyperparameters)
        if restarting:
            self.push(with_new_run(self.document, [command], "Change " + restarting[0]))
        else:
            self.push(command, merge_key="hyperparameters")
        return restarting

    def edit_parameter(self, layer: int, row: int, column: int, value: float, previous: float):
        """Set one weight (column >= 0) or bias (column -1) of the current run by hand, as an
        undo step; training pauses first."""
        self.pause()
        command = EditParameter(self.document.run_id, layer, row, column, value, previous)
        self.push(command)

    def reset(self) -> None:
        """A new run with the same seed (the same initial weights), paused; undoable."""
        self.pause()
        self.push(SwitchRun(self.document.new_run_id(), 0, "Reset"))

    def new_weights(self) -> int:
        """A new seed and a new run, paused; undoable. Returns the new seed."""
        self.pause()
        hyperparameters = self.document.hyperparameters
        hyperparameters.seed = secrets.randbelow(2**31 - 1)
        self.push(with_new_run(self.document, [SetHyperparameters(hyperparameters)], "New weights"))
        return hyperparameters.seed

    # -- training ---------------------------------------------------------------------------------

    def train(self) -> str | None:
        """Start training; returns why it cannot start, or None."""
        if self._running:
            return None
        problem = self.training_data_problem()
        if problem:
            return problem
        self._control_serial = self._worker.start()
        self._set_running(True)
        return None

    def pause(self) -> None:
        if self._running:
            self._control_serial = self._worker.pause()
            self._set_running(False)

    def step(self) -> str | None:
        """Pause if needed and train exactly one epoch; returns why it cannot, or None."""
        problem = self.training_data_problem()
        if problem:
            return problem
        self._control_serial = self._worker.step()
        self._set_running(False)
        return None

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.sigRunningChanged.emit(running)

    # -- sessions ---------------------------------------------------------------------------------

    def session_parts(self) -> dict[str, Any]:
        """What a session takes from the document (read now, in the GUI thread)."""
        self.sigAboutToCapture.emit()
        document = self.document
        return {
            "points": document.points,
            "architecture": document.architecture,
            "hyperparameters": document.hyperparameters,
            "data_settings": document.data_settings,
            "view_range": document.view_range,
        }

    def capture_session(self, timeout: float = SYNC_STATE_TIMEOUT) -> Session:
        """The whole session now (scripts, tests): the worker interrupts its training step to
        answer, between two mini-batches, so a long epoch is not waited for.

        Raises
        ------
        RuntimeError
            If the training thread has stopped, or did not answer within ``timeout`` s.
        """
        parts = self.session_parts()
        try:
            weights, state, _ = self._worker.call(self._worker.read_training_state, timeout)
        except TimeoutError:
            raise RuntimeError(
                f"the training thread did not answer within {timeout:.0f} s."
            ) from None
        return build_session(parts, weights, state)

    def capture_session_async(self, done: Callable[[Session | None, str | None], None]) -> None:
        """Hand ``done(session, None)`` the session as the worker has it between two
        mini-batches (it interrupts the step in progress), in the GUI thread, without
        waiting; ``done(None, message)`` if the worker is gone."""
        parts = self.session_parts()

        def read(future: Future) -> None:
            try:
                weights, state, _ = future.result()
                # Checking a long history (a Session checks all it holds, as if read from a
                # file: 0.25 s for 300,000 epochs) is done on a thread of its own, not here in
                # the GUI thread. After shutdown, submit raises RuntimeError.
                built = self._session_builder.submit(build_session, parts, weights, state)
            except RuntimeError as error:
                done(None, str(error))
                return
            self.call_in_gui_when_done(built, finished)

        def finished(future: Future) -> None:
            try:
                session = future.result()
            except (RuntimeError, ValueError) as error:
                done(None, str(error))
                return
            done(session, None)

        self.call_in_gui_when_done(self._worker.call_async(self._worker.read_training_state), read)

    def call_in_gui_when_done(self, future: Future, callback: Callable[[Future], None]) -> None:
        """Call ``callback(future)`` in the GUI thread once ``future`` is done."""
        inbox = self._inbox
        future.add_done_callback(lambda f: inbox.sigFutureDone.emit((callback, f)))

    def restore_session(self, session: Session, source: DataSource) -> None:
        """Show ``session`` exactly, paused (a checked Session: nothing here can fail).

        The undo history is cleared: a new document starts.
        """
        self.pause()
        document = Document(
            session.points,
            session.data_settings,
            session.architecture,
            session.hyperparameters,
            source=source,
            view_range=session.view_range,
            run_id=self.document.new_run_id(),
            epoch=session.epoch if session.trainer_state is not None else 0,
        )
        # The worker gets the data first: the trainer state is restored onto them. The window
        # shows the new document before the worker is told to restore its run: a long history
        # keeps the worker busy for a while, and the window is drawn sooner when the two
        # threads do not take turns at the GIL meanwhile.
        self._send_data_of(session.points)
        self._worker_run_id = document.run_id
        self.undo_stack.clear()
        self.document.replace_all(document)
        self._control_serial = self._worker.restore(
            session.architecture.to_engine(),
            session.hyperparameters,
            session.weights,
            session.trainer_state,
            run_id=document.run_id,
            **session.architecture.network_kwargs(),
            after_draw=True,
        )
        # a zero timer fires once the events posted so far, the window's repaint among them,
        # are handled
        QTimer.singleShot(0, self._worker.window_drawn)

    def new_document(self) -> None:
        """File > New: the default document, untrained, no undo history."""
        self.pause()
        document = default_document()
        document._run_id = self.document.new_run_id()
        self.undo_stack.clear()
        self.document.replace_all(document)

    # -- shutdown ---------------------------------------------------------------------------------

    def shutdown(self, on_wait: Callable[[], None] | None = None) -> None:
        """Stop the training thread and wait until it has finished; safe to call twice.

        ``on_wait`` is called once if the current epoch keeps the thread busy for more than a
        moment (e.g. to show "Stopping…"); the wait has no deadline, so Qt never destroys a
        running thread (which aborts the process).
        """
        if self._shut_down:
            return
        self._shut_down = True
        self._session_builder.shutdown(wait=False, cancel_futures=True)
        _stop_training_thread(self._worker, self._thread, on_wait)

    # -- internals --------------------------------------------------------------------------------

    def _start_worker(self) -> None:
        # The thread has no parent: if the window is deleted without being closed, Qt must
        # not destroy a running thread with it (that aborts the process). The module keeps
        # it alive and the controller's destruction stops it.
        self._thread = QThread()
        self._thread.setObjectName("trainingThread")
        self._worker = TrainingWorker()
        _keep_until_finished(self._thread, self._worker)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.sigFinished.connect(self._thread.quit)
        self._inbox = _WorkerInbox(self)
        self._worker.sigSnapshot.connect(self._inbox.on_snapshot)
        self._worker.sigStopped.connect(self._inbox.on_stopped)
        self._worker.sigError.connect(self._inbox.on_error)
        stop = partial(_stop_training_thread, self._worker, self._thread, None)
        self.destroyed.connect(stop)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop)
        self._thread.start()

    def _send_data(self) -> None:
        self._send_data_of(self.document.points)

    def _send_data_of(self, points: PointSet) -> None:
        # The very object (a reference, so its id cannot be reused) at the same version.
        sent = self._sent_points
        if sent is not None and sent[0] is points and sent[1] == points.version:
            return  # the worker has these already (e.g. a session being restored)
        self._sent_points = (points, points.version)
        # the point set's arrays are read-only and never written: the worker splits them
        self._worker.set_points(points.X, points.labels, points.is_test)

    def _switch_worker_run(self) -> None:
        document = self.document
        self._control_serial = self._worker.switch_run(
            document.run_id,
            document.architecture.to_engine(),
            document.hyperparameters,
            **document.architecture.network_kwargs(),
        )
        self._worker_run_id = document.run_id
        if self._running:
            self._control_serial = self._worker.start()

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        if ASPECT_POINTS in aspects:
            self._send_data()
            problem = self.training_data_problem()
            if self._running and problem:
                self.pause()
                self.sigMessage.emit(f"Training paused: {problem}.")
        if ASPECT_PARAMETER in aspects and self.document.last_parameter_edit is not None:
            self._worker.set_parameter(*self.document.last_parameter_edit)
        if ASPECT_RUN in aspects and self.document.run_id != self._worker_run_id:
            self._switch_worker_run()
        elif ASPECT_HYPERPARAMETERS in aspects:
            self._worker.set_hyperparameters(self.document.hyperparameters)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.run_id != self.document.run_id:
            return  # sent before the last switch
        self.document.set_epoch(snapshot.run_id, snapshot.epoch)
        self.sigSnapshot.emit(snapshot)

    def _on_worker_stopped(self, message: str, commands_done: int, error: bool) -> None:
        if not error and commands_done < self._control_serial:
            return  # the user has given newer orders since (e.g. a reset)
        self._set_running(False)
        self.sigMessage.emit(message)


def build_session(parts: dict[str, Any], weights: Any, trainer_state: Any) -> Session:
    """A Session from the document's parts and the worker's weights and trainer state."""
    epoch, history = 0, {}
    if trainer_state is not None:
        saved = trainer_state["history"]
        history = {key: floats_to_array(saved[key]) for key in HISTORY_KEYS}
        epoch = len(saved["loss"])
    return Session(
        points=parts["points"],
        architecture=parts["architecture"],
        hyperparameters=parts["hyperparameters"],
        data_settings=parts["data_settings"],
        weights=weights,
        trainer_state=trainer_state,
        epoch=epoch,
        history=history,
        view_range=parts["view_range"],
    )


_LIVE_THREADS: dict[QThread, TrainingWorker] = {}


def _keep_until_finished(thread: QThread, worker: TrainingWorker) -> None:
    """Hold a reference to ``thread`` until it has finished (see Controller._start_worker)."""
    for finished in [t for t in _LIVE_THREADS if shiboken6.isValid(t) and t.isFinished()]:
        del _LIVE_THREADS[finished]
    _LIVE_THREADS[thread] = worker


@atexit.register
def _stop_live_threads() -> None:
    # A script that never closes its window (nor runs the event loop to its end) would
    # otherwise leave Python's shutdown to destroy a running QThread, which Qt reports as
    # "QThread: Destroyed while thread is still running".
    for thread, worker in list(_LIVE_THREADS.items()):
        _stop_training_thread(worker, thread, None)


def _stop_training_thread(
    worker: TrainingWorker, thread: QThread, on_wait: Callable[[], None] | None, *_: object
) -> None:
    """Stop flag -> the loop returns -> quit -> wait (ARCHITECTURE.md habit 5), no deadline."""
    if not shiboken6.isValid(thread) or not thread.isRunning():
        return
    worker.stop()
    thread.quit()
    if thread.wait(200):
        return
    if on_wait is not None:
        on_wait()
    print("NN Playground: stopping… (waiting for the current epoch to end)", file=sys.stderr)
    thread.wait()
