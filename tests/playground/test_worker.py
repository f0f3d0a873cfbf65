"""TrainingWorker in its own QThread: commands between mini-batches (urgent ones interrupt a
long step), snapshots as copies."""

import threading

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, QThread, Slot

import nn_engine
import playground.worker
from playground.neuron_maps import grid_cells, multiply_adds_per_point
from playground.state import Architecture, Hyperparameters
from playground.worker import GRID_CELLS, Snapshot, TrainingWorker
from tests.playground.long_steps import LongStep

ARCHITECTURE = Architecture.from_units([8, 8], activation="tanh").to_engine()
# float64: the worker's results are compared with the engine's to the last digits
HYPER = Hyperparameters(
    optimizer="adam", learning_rate=0.02, init="xavier", seed=3, precision="float64"
)
X, Y = nn_engine.datasets.moons(80, noise=0.1, seed=0)
X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = X[:60], Y[:60], X[60:], Y[60:]
RECT = (-1.5, -1.0, 2.5, 1.5)


class Recorder(QObject):
    """Lives in the test (GUI) thread and keeps every snapshot and message it receives."""

    def __init__(self):
        super().__init__()
        self.snapshots: list[Snapshot] = []
        self.stopped: list[str] = []
        self.errors: list[str] = []
        self.threads: set = set()

    @Slot(object)
    def on_snapshot(self, snapshot):
        self.threads.add(QThread.currentThread())
        self.snapshots.append(snapshot)

    @Slot(str, int)
    def on_stopped(self, message, serial):
        self.stopped.append(message)

    @Slot(str, int)
    def on_error(self, message, serial):
        self.errors.append(message)

    def epochs(self) -> list[int]:
        return [int(e) for s in self.snapshots for e in s.epochs]


def start_worker(qtbot, hyper=HYPER, *, separate_process, architecture=ARCHITECTURE):
    """A worker in a QThread of its own, on the test data, reset and reported; its
    ``recorder`` keeps what it sends. End it with :func:`stop_worker`."""
    thread = QThread()
    worker = TrainingWorker(separate_process=separate_process)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.sigFinished.connect(thread.quit)
    recorder = Recorder()
    worker.sigSnapshot.connect(recorder.on_snapshot)
    worker.sigStopped.connect(recorder.on_stopped)
    worker.sigError.connect(recorder.on_error)
    worker.recorder = recorder
    worker.qthread = thread
    thread.start()
    worker.set_data(X_TRAIN, Y_TRAIN, X_TEST, Y_TEST)
    worker.set_view_rect(RECT)
    worker.run_id = worker.reset(architecture, hyper)
    qtbot.waitUntil(lambda: any(s.run_id == worker.run_id for s in recorder.snapshots))
    return worker


def stop_worker(worker):
    worker.stop()
    worker.qthread.quit()
    assert worker.qthread.wait(5000)


@pytest.fixture
def worker(qtbot):
    # These tests are about the worker's loop, so it trains in its own thread: several replace
    # engine methods, which a training process would not see (tests/playground/
    # test_training_process.py checks the process against the engine).
    worker = start_worker(qtbot, separate_process=False)
    yield worker
    stop_worker(worker)


def wait_for(qtbot, worker, predicate, since=0):
    """Wait for a snapshot (received after the first ``since``) satisfying ``predicate``.

    Searching the recorded snapshots, not waiting for the next signal, matters: a snapshot
    may well arrive before a waitSignal could be set up after the command.
    """
    received = worker.recorder.snapshots

    def matches():
        return [s for s in received[since:] if predicate(s)]

    qtbot.waitUntil(lambda: bool(matches()), timeout=10_000)
    return matches()[0]


def wait_message(qtbot, messages, since=0):
    """Wait for a message (sigStopped or sigError) received after the first ``since``."""
    qtbot.waitUntil(lambda: len(messages) > since, timeout=10_000)
    return messages[since]


def command(qtbot, worker, action, predicate):
    """Post a command (call ``action``), then wait for a later snapshot satisfying ``predicate``."""
    since = len(worker.recorder.snapshots)
    action()
    return wait_for(qtbot, worker, predicate, since)


def test_reset_reports_epoch_zero_and_the_initial_grid(worker):
    snapshot = worker.recorder.snapshots[-1]
    assert snapshot.run_id == worker.run_id
    assert snapshot.epoch == 0 and len(snapshot.epochs) == 0
    assert snapshot.rect == RECT
    assert snapshot.grid.shape == (GRID_CELLS, GRID_CELLS)
    assert snapshot.grid.dtype == np.float32
    # grid[j, i] is P(class 1) at the centre of cell (i, j), from the seeded network.
    net = nn_engine.Network(ARCHITECTURE, init="xavier", seed=3)
    x0, y0, x1, y1 = RECT
    for i, j in [(0, 0), (99, 0), (0, 99), (37, 81)]:
        x = x0 + (i + 0.5) * (x1 - x0) / GRID_CELLS
        y = y0 + (j + 0.5) * (y1 - y0) / GRID_CELLS
        expected = net.predict_proba(np.array([[x, y]]))[0]
        assert snapshot.grid[j, i] == pytest.approx(expected, abs=1e-5)


def test_step_trains_exactly_one_epoch(qtbot, worker):
    first = command(qtbot, worker, worker.step, lambda s: s.epoch == 1)
    assert first.epochs.tolist() == [1]
    assert not first.running
    assert first.val_loss is not None and len(first.val_loss) == 1
    second = command(qtbot, worker, worker.step, lambda s: s.epoch == 2)
    assert second.epochs.tolist() == [2]
    assert worker.trainer_settings()["epoch"] == 2


def test_training_improves_and_every_epoch_is_reported_once(qtbot, worker):
    command(qtbot, worker, worker.start, lambda s: s.epoch >= 150)
    paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
    epochs = worker.recorder.epochs()
    assert epochs == list(range(1, paused.epoch + 1))
    loss = np.concatenate([s.loss for s in worker.recorder.snapshots])
    accuracy = np.concatenate([s.accuracy for s in worker.recorder.snapshots])
    assert loss[-1] < 0.5 * loss[0]
    assert accuracy[-1] > accuracy[0]
    assert accuracy[-1] >= 0.9


def test_pause_blocks_until_a_command(qtbot, worker):
    command(qtbot, worker, worker.start, lambda s: s.epoch >= 5)
    paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
    # Paused, the epoch stays put however often we ask.
    assert worker.trainer_settings()["epoch"] == paused.epoch
    assert worker.trainer_settings()["epoch"] == paused.epoch


def test_reset_repeats_the_same_initial_weights(qtbot, worker):
    initial = worker.network_params()
    command(qtbot, worker, worker.start, lambda s: s.epoch >= 20)
    trained = worker.network_params()
    assert not np.array_equal(trained[0]["W"], initial[0]["W"])
    since = len(worker.recorder.snapshots)
    run_id = worker.reset(ARCHITECTURE, HYPER)
    reset = wait_for(qtbot, worker, lambda s: s.run_id == run_id, since)
    assert reset.epoch == 0 and not reset.running
    again = worker.network_params()
    for layer_before, layer_after in zip(initial, again, strict=True):
        assert np.array_equal(layer_before["W"], layer_after["W"])
        assert np.array_equal(layer_before["b"], layer_after["b"])


def test_hyperparameters_reach_the_running_trainer(qtbot, worker):
    command(qtbot, worker, worker.start, lambda s: s.epoch >= 3)
    changed = HYPER.copy()
    changed.learning_rate = 0.005
    changed.regularization = "l2"
    changed.regularization_rate = 0.01
    changed.batch_size = 16
    worker.set_hyperparameters(changed)
    settings = worker.trainer_settings()
    assert settings["learning_rate"] == 0.005
    assert settings["l2"] == 0.01 and settings["l1"] == 0.0
    assert settings["batch_size"] == 16
    assert settings["epoch"] >= 3  # no reset


def test_new_data_joins_at_the_next_epoch(qtbot, worker):
    command(qtbot, worker, worker.step, lambda s: s.epoch == 1)
    X_new = np.vstack([X_TRAIN, [[3.0, 3.0], [3.5, 3.0]]])
    y_new = np.concatenate([Y_TRAIN, [1, 1]])
    worker.set_data(X_new, y_new, X_TEST, Y_TEST)
    # Full batch: the loss recorded for an epoch is that of the weights before its update.
    net = nn_engine.Network(ARCHITECTURE, init="xavier", seed=3)
    net.set_params(worker.network_params())
    expected_loss, expected_accuracy = net.evaluate(X_new, y_new)
    snapshot = command(qtbot, worker, worker.step, lambda s: s.epoch == 2)
    assert snapshot.loss[0] == pytest.approx(expected_loss, rel=1e-12)
    assert snapshot.accuracy[0] == pytest.approx(expected_accuracy, rel=1e-12)


def test_grid_follows_the_view_while_paused(qtbot, worker):
    snapshot = command(
        qtbot,
        worker,
        lambda: worker.set_view_rect((-3.0, -3.0, 3.0, 3.0)),
        lambda s: s.grid is not None,
    )
    assert snapshot.rect == (-3.0, -3.0, 3.0, 3.0)
    assert snapshot.epoch == 0


def test_divergence_stops_training_with_the_engines_message(qtbot, worker):
    linear = Architecture.from_units([8, 8], activation="linear").to_engine()
    hyper = Hyperparameters(optimizer="sgd", learning_rate=10.0, init="seed", seed=1)
    X_moons, y_moons = nn_engine.datasets.moons(100, noise=0.1, seed=0)
    # The same run without the worker, for the engine's own message.
    net = nn_engine.Network(linear, init="seed", seed=1)
    trainer = nn_engine.Trainer(net, X_moons, y_moons, learning_rate=10.0, seed=1)
    with pytest.raises(nn_engine.DivergenceError) as diverged:
        trainer.run(1000)
    worker.set_data(X_moons, y_moons, X_moons[:0], y_moons[:0])
    worker.reset(linear, hyper)
    worker.start()
    message = wait_message(qtbot, worker.recorder.stopped)
    assert message == f"{diverged.value} — lower the learning rate"
    assert message.startswith("loss exceeded ")
    restored = diverged.value.restored_epoch
    after = wait_for(qtbot, worker, lambda s: s.rewound_to is not None)
    assert (after.rewound_to, after.epoch, after.running) == (restored, restored, False)
    assert (after.epochs <= restored).all()  # no metrics of the epochs given up
    assert worker.trainer_settings()["epoch"] == restored
    params = worker.network_params()
    assert all(np.isfinite(layer["W"]).all() for layer in params)


def test_one_class_cannot_train(qtbot, worker):
    worker.set_data(X_TRAIN[Y_TRAIN == 0], Y_TRAIN[Y_TRAIN == 0], X_TEST, Y_TEST)
    worker.step()
    assert (
        wait_message(qtbot, worker.recorder.stopped)
        == "Cannot train: the training points must include both classes."
    )


def test_data_without_a_class_pauses_training(qtbot, worker):
    command(qtbot, worker, worker.start, lambda s: s.epoch >= 3)
    since = len(worker.recorder.snapshots)
    worker.set_data(X_TRAIN[:0], Y_TRAIN[:0], X_TEST, Y_TEST)
    assert (
        wait_message(qtbot, worker.recorder.stopped)
        == "Training paused: the training points must include both classes."
    )
    paused = wait_for(qtbot, worker, lambda s: not s.running, since)
    assert worker.trainer_settings()["epoch"] == paused.epoch


def test_an_exception_is_reported_and_the_worker_keeps_serving(qtbot, worker, monkeypatch):
    def broken(self, interrupt=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(nn_engine.Trainer, "step_batch", broken)
    worker.start()
    assert (
        wait_message(qtbot, worker.recorder.errors)
        == "Training stopped by an error: RuntimeError: boom"
    )
    assert worker.network_sizes() == [2, 8, 8, 1]
    monkeypatch.undo()
    assert command(qtbot, worker, worker.step, lambda s: s.epoch == 1).epochs.tolist() == [1]


def test_snapshots_are_received_in_the_gui_thread_and_wait_for_it(qtbot, worker):
    emitted = []
    worker.sigSnapshot.connect(emitted.append, Qt.ConnectionType.DirectConnection)
    worker.start()
    # While this thread does not run its event loop, at most one snapshot is in flight...
    for _ in range(1_000_000):  # each call waits for the worker: no busy spinning
        if worker.trainer_settings()["epoch"] >= 100:
            break
    assert worker.trainer_settings()["epoch"] >= 100
    assert len(emitted) == 1
    # ...and the next one brings every epoch trained meanwhile.
    since = len(worker.recorder.snapshots)
    snapshot = wait_for(qtbot, worker, lambda s: s is not emitted[0], since)
    assert snapshot.epochs[0] == emitted[0].epochs[-1] + 1
    assert worker.recorder.threads == {QThread.currentThread()}
    assert worker.thread() is not QThread.currentThread()


def test_stop_ends_the_thread(qtbot):
    thread = QThread()
    worker = TrainingWorker()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.sigFinished.connect(thread.quit)
    thread.start()
    worker.set_data(X_TRAIN, Y_TRAIN, X_TEST, Y_TEST)
    worker.reset(ARCHITECTURE, HYPER)
    worker.start()
    assert worker.network_sizes() == [2, 8, 8, 1]
    worker.stop()
    thread.quit()
    assert thread.wait(2000)
    with pytest.raises(RuntimeError, match="the training worker has stopped"):
        worker.network_sizes()


def test_an_unchanged_decision_map_is_not_sent_again(qtbot, worker):
    tiny = HYPER.copy()
    tiny.learning_rate = 1e-5  # one epoch moves P(class 1) by far less than 1/510
    worker.set_hyperparameters(tiny)
    evaluated = worker.grids_evaluated
    snapshot = command(qtbot, worker, worker.step, lambda s: s.epoch == 1)
    assert snapshot.grid is None and snapshot.rect is None
    assert worker.grids_evaluated == evaluated + 1
    moved = command(
        qtbot,
        worker,
        lambda: worker.set_view_rect((-2.0, -2.0, 2.0, 2.0)),
        lambda s: s.grid is not None,
    )
    assert moved.rect == (-2.0, -2.0, 2.0, 2.0)


# -------------------------------------------------------------- commands during a long step


def engine_trainer(X_train=X_TRAIN, y_train=Y_TRAIN) -> nn_engine.Trainer:
    """The engine on its own, as the worker trains: the same network, data and settings."""
    net = nn_engine.Network(ARCHITECTURE, **HYPER.network_kwargs())
    return nn_engine.Trainer(
        net, X_train, y_train, validation_data=(X_TEST, Y_TEST), **HYPER.trainer_kwargs()
    )


def assert_params_equal(a, b):
    assert len(a) == len(b)
    for p, q in zip(a, b, strict=True):
        assert np.array_equal(p["W"], q["W"]) and np.array_equal(p["b"], q["b"])


def test_pause_interrupts_a_long_step_which_changes_nothing(qtbot, worker, monkeypatch):
    long_step = LongStep(monkeypatch)
    worker.start()
    qtbot.waitUntil(long_step.entered.is_set)
    since = len(worker.recorder.snapshots)
    worker.pause()
    long_step.release()
    paused = wait_for(qtbot, worker, lambda s: not s.running, since)
    assert long_step.interrupted
    assert paused.epoch == 0 and worker.trainer_settings()["epoch"] == 0
    reference = engine_trainer()
    assert_params_equal(worker.network_params(), reference.net.get_params())
    # The abandoned step is trained again: the run is the engine's, bit for bit.
    command(qtbot, worker, worker.step, lambda s: s.epoch == 1)
    reference.step_epoch()
    assert_params_equal(worker.network_params(), reference.net.get_params())


def test_new_data_interrupt_a_long_step_and_the_epoch_trains_on_them(qtbot, worker, monkeypatch):
    long_step = LongStep(monkeypatch)
    worker.start()
    qtbot.waitUntil(long_step.entered.is_set)
    X_new, y_new = X_TRAIN[:45], Y_TRAIN[:45]
    worker.set_data(X_new, y_new, X_TEST, Y_TEST)
    worker.pause()
    since = len(worker.recorder.snapshots)
    long_step.release()
    assert wait_for(qtbot, worker, lambda s: not s.running, since).epoch == 0
    assert long_step.interrupted
    command(qtbot, worker, worker.step, lambda s: s.epoch == 1)
    reference = engine_trainer(X_new, y_new)
    reference.step_epoch()
    assert_params_equal(worker.network_params(), reference.net.get_params())


def test_a_call_interrupts_a_long_step_and_training_goes_on(qtbot, worker, monkeypatch):
    long_step = LongStep(monkeypatch)
    worker.start()
    qtbot.waitUntil(long_step.entered.is_set)
    answer = worker.call_async(worker.read_training_state)
    long_step.release()
    qtbot.waitUntil(answer.done)
    weights, state, run_id = answer.result()
    assert long_step.interrupted and run_id == worker.run_id
    assert state["history"]["loss"] == []  # read before the first epoch: the step was abandoned
    assert_params_equal(weights, engine_trainer().net.get_params())
    assert wait_for(qtbot, worker, lambda s: s.epoch >= 2).running


def test_stop_interrupts_a_long_step(qtbot, worker, monkeypatch):
    long_step = LongStep(monkeypatch)
    worker.start()
    qtbot.waitUntil(long_step.entered.is_set)
    # Not qtbot.waitSignal: sigFinished is emitted in the worker's thread, which calls the
    # waiting blocker directly there; emitted before the blocker's event loop runs, its quit is
    # lost and the test hangs (seen once under load). A flag set in that thread is safe.
    finished = threading.Event()
    worker.sigFinished.connect(finished.set)
    worker.stop()
    long_step.release()
    qtbot.waitUntil(finished.is_set, timeout=10_000)
    assert long_step.interrupted


def test_a_pause_does_not_wait_for_the_maps_which_follow(qtbot, worker, monkeypatch):
    computing, finish = threading.Event(), threading.Event()
    maps_for = playground.worker._maps_for

    def slow_on_the_grid_thread(*args):
        if threading.current_thread().name.startswith("grid"):
            computing.set()  # a big network's maps (and dead-unit count) take a while
            finish.wait(30)
        return maps_for(*args)

    monkeypatch.setattr(playground.worker, "_maps_for", slow_on_the_grid_thread)
    try:
        worker.start()
        qtbot.waitUntil(computing.is_set)
        paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
        # The paused snapshot came while the grid thread was still busy, without maps.
        assert not finish.is_set() and paused.grid is None and paused.network is None
        since = len(worker.recorder.snapshots)
        finish.set()
        follow_up = wait_for(qtbot, worker, lambda s: s.grid is not None, since)
    finally:
        finish.set()
    # They follow: the maps of the weights it paused with.
    assert not follow_up.running and follow_up.epoch == paused.epoch
    assert paused.epoch == worker.trainer_settings()["epoch"] >= 1
    assert follow_up.rect == RECT
    reference = nn_engine.Network(ARCHITECTURE, dtype=np.float64)
    reference.set_params(worker.network_params())
    x0, y0, x1, y1 = RECT
    for i, j in [(0, 0), (99, 0), (37, 81)]:
        x = x0 + (i + 0.5) * (x1 - x0) / GRID_CELLS
        y = y0 + (j + 0.5) * (y1 - y0) / GRID_CELLS
        expected = reference.predict_proba(np.array([[x, y]]))[0]
        assert follow_up.grid[j, i] == pytest.approx(expected, abs=1e-5)


def test_a_step_answers_a_call_and_another_step_then_trains_both_epochs(qtbot, worker, monkeypatch):
    # A user clicks Step twice during a long epoch while the window reads the network:
    # the call is answered at once, and the two steps train exactly two epochs, in order.
    long_step = LongStep(monkeypatch)
    worker.step()
    qtbot.waitUntil(long_step.entered.is_set)
    worker.step()
    answer = worker.call_async(worker.read_training_state)
    long_step.release()
    qtbot.waitUntil(answer.done)
    assert long_step.interrupted  # the call interrupted the first step's forward pass ...
    _, state, _ = answer.result()
    assert state["history"]["loss"] == []  # ... and was answered before any epoch ended
    second = wait_for(qtbot, worker, lambda s: s.epoch == 2 and not s.running)
    reference = engine_trainer()
    reference.step_epoch()
    reference.step_epoch()
    assert_params_equal(worker.network_params(), reference.net.get_params())
    assert worker.trainer_settings()["epoch"] == 2 and not second.running


def test_new_points_end_a_step_in_progress(qtbot, worker, monkeypatch):
    long_step = LongStep(monkeypatch)
    worker.step()
    qtbot.waitUntil(long_step.entered.is_set)
    worker.set_data(X_TRAIN[:100], Y_TRAIN[:100], X_TEST, Y_TEST)
    long_step.release()
    qtbot.waitUntil(lambda: long_step.interrupted is not None)
    assert long_step.interrupted
    assert worker.trainer_settings()["epoch"] == 0  # the step ended, its epoch untrained
    # the next step trains that epoch on the new points
    command(qtbot, worker, worker.step, lambda s: s.epoch == 1)
    reference = engine_trainer(X_TRAIN[:100], Y_TRAIN[:100])
    reference.step_epoch()
    assert_params_equal(worker.network_params(), reference.net.get_params())


def test_a_very_wide_network_draws_coarser_maps_while_training_and_finer_when_paused(qtbot, worker):
    wide = Architecture.from_units([256] * 6, activation="relu").to_engine()
    # 6 x 256: 328,192 multiply-adds a point; 25 x 25 points fit the training budget, 100 x
    # 100 the paused one
    assert multiply_adds_per_point(wide) == 2 * 256 + 5 * 256 * 256 + 256
    assert grid_cells(wide, running=True) == 25 and grid_cells(wide, running=False) == 100
    worker.run_id = worker.reset(wide, HYPER)
    paused = wait_for(qtbot, worker, lambda s: s.run_id == worker.run_id and s.grid is not None)
    assert paused.grid.shape == (100, 100)
    worker.start()
    training = wait_for(qtbot, worker, lambda s: s.running and s.grid is not None)
    assert training.grid.shape == (25, 25)
    # paused again, the map comes back at full resolution (after the paused snapshot)
    since = len(worker.recorder.snapshots)
    worker.pause()
    full = wait_for(
        qtbot,
        worker,
        lambda s: not s.running and s.grid is not None and s.grid.shape == (100, 100),
        since,
    )
    assert full.run_id == worker.run_id


def test_the_grid_is_as_fine_as_the_budget_allows():
    small = Architecture.from_units([25, 50, 50, 25]).to_engine()  # the article's
    assert grid_cells(small, running=True) == 100
    ten = Architecture.from_units([256] * 10).to_engine()
    assert grid_cells(ten, running=True) == 25 and grid_cells(ten, running=False) == 50


def trained_state(epochs: int = 3):
    """Weights and trainer state of the engine trained ``epochs`` epochs on the worker's data."""
    trainer = engine_trainer()
    for _ in range(epochs):
        trainer.step_epoch()
    return trainer.net.get_params(), trainer.state_dict()


def restored_epoch(worker):
    return worker._trainer.epoch if worker._trainer is not None else None


@pytest.mark.parametrize("opener", ["window_drawn", "call"])
def test_a_restore_after_draw_waits_for_the_window_or_a_call(qtbot, worker, monkeypatch, opener):
    # a wait longer than any call's timeout: only window_drawn() or the call itself can end it
    monkeypatch.setattr(playground.worker, "RESTORE_WAITS_FOR_DRAW_SECONDS", 60.0)
    weights, state = trained_state(3)
    worker.restore(ARCHITECTURE, HYPER, weights, state, after_draw=True)
    if opener == "window_drawn":
        answer = worker.call_async(lambda: restored_epoch(worker))  # queued behind the restore
        worker.window_drawn()
        assert answer.result(timeout=5) == 3
    else:
        assert worker.call(lambda: restored_epoch(worker), timeout=5) == 3
    assert_params_equal(worker.network_params(), weights)


def test_stop_does_not_wait_for_a_restore_waiting_for_a_draw(qtbot, monkeypatch):
    monkeypatch.setattr(playground.worker, "RESTORE_WAITS_FOR_DRAW_SECONDS", 60.0)
    thread = QThread()
    worker = TrainingWorker()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.sigFinished.connect(thread.quit)
    thread.start()
    worker.set_data(X_TRAIN, Y_TRAIN, X_TEST, Y_TEST)
    weights, state = trained_state(1)
    worker.restore(ARCHITECTURE, HYPER, weights, state, after_draw=True)
    worker.stop()
    thread.quit()  # ends the thread's event loop once the worker's loop has returned
    assert thread.wait(5000)


def test_slow_maps_bring_the_network_panels_frame_with_every_one():
    from collections import deque

    from playground.worker import EVERY_MAP_BELOW, NETWORK_FRAME_EVERY, network_frame_due

    assert (NETWORK_FRAME_EVERY, EVERY_MAP_BELOW) == (2, 18.0)
    fast = deque((k / 22 for k in range(8)), maxlen=8)  # 22 maps per second
    slow = deque((k / 12 for k in range(8)), maxlen=8)  # 12 per second (10 x 256 units)
    starting = deque((k / 12 for k in range(5)), maxlen=8)  # too few to tell yet
    assert [network_frame_due(n, fast, fast[-1] + 1 / 22) for n in range(4)] == [
        True, False, True, False,
    ]  # fmt: skip
    assert [network_frame_due(n, slow, slow[-1] + 1 / 12) for n in range(4)] == [True] * 4
    assert [network_frame_due(n, starting, 1.0) for n in range(2)] == [True, False]
