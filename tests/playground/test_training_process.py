"""Training in a process of its own: the worker hands the run over and takes it back, and the
result is the engine's to the last digit, whatever happens to the process."""

import os
import select
import signal
import subprocess
import sys
import textwrap
from array import array

import numpy as np
import pytest

import nn_engine
import playground.worker
from playground.state import Architecture, Hyperparameters
from playground.training_process import HistoryTail
from tests.playground import test_worker as worker_tests
from tests.playground.test_worker import (
    ARCHITECTURE,
    HYPER,
    X_TEST,
    X_TRAIN,
    Y_TEST,
    Y_TRAIN,
    command,
    stop_worker,
    wait_for,
    wait_message,
)


def start_worker(qtbot, hyper=HYPER, separate_process=True, architecture=ARCHITECTURE):
    return worker_tests.start_worker(
        qtbot, hyper, separate_process=separate_process, architecture=architecture
    )


@pytest.fixture
def worker(qtbot):
    worker = start_worker(qtbot)
    yield worker
    stop_worker(worker)


def train_in_the_process(qtbot, worker, epochs_after=30):
    """Train until the process holds the run and has trained ``epochs_after`` epochs more."""
    worker.start()
    qtbot.waitUntil(lambda: worker.bursts_opened >= 1, timeout=10_000)
    since = len(worker.recorder.snapshots)
    first = wait_for(qtbot, worker, lambda s: len(s.epochs) > 0, since)
    wait_for(qtbot, worker, lambda s: s.epoch >= first.epoch + epochs_after, since)


def engine_at(state, hyper=HYPER, architecture=ARCHITECTURE):
    """The engine alone, trained batch by batch up to the epoch and position of ``state``."""
    net = nn_engine.Network(architecture, **hyper.network_kwargs())
    trainer = nn_engine.Trainer(
        net, X_TRAIN, Y_TRAIN, validation_data=(X_TEST, Y_TEST), **hyper.trainer_kwargs()
    )
    epochs = len(state["history"]["loss"])
    while trainer.epoch < epochs or trainer.state_dict()["cursor"] != state["cursor"]:
        trainer.step_batch()
    return trainer


def assert_same_run(worker, engine):
    weights, state = worker.training_state()
    assert state["history"] == engine.history.to_dict()
    assert np.array_equal(state["params"], engine.net.params)
    for mine, theirs in zip(weights, engine.net.get_params(), strict=True):
        assert np.array_equal(mine["W"], theirs["W"]) and np.array_equal(mine["b"], theirs["b"])


@pytest.mark.parametrize("batch_size", [0, 16])
def test_a_run_handed_to_the_process_and_back_is_the_engines_to_the_last_digit(qtbot, batch_size):
    hyper = HYPER.copy()
    hyper.batch_size = batch_size  # 16: recalls land in the middle of epochs
    worker = start_worker(qtbot, hyper)
    try:
        train_in_the_process(qtbot, worker)
        opened = worker.bursts_opened
        worker.training_state()  # a save's capture: the run comes back, then goes again
        since = len(worker.recorder.snapshots)
        wait_for(qtbot, worker, lambda s: len(s.epochs) > 0, since)
        assert worker.bursts_opened == opened + 1
        paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
        train_in_the_process(qtbot, worker)  # a second burst, from the paused run
        paused = command(qtbot, worker, worker.pause, lambda s: not s.running)

        _, state = worker.training_state()
        assert len(state["history"]["loss"]) == paused.epoch > 60
        assert worker.recorder.epochs() == list(range(1, paused.epoch + 1))
        assert_same_run(worker, engine_at(state, hyper))
        assert worker.recorder.errors == [] and worker.recorder.stopped == []
    finally:
        stop_worker(worker)


def test_settings_and_new_points_reach_the_process_between_two_batches(qtbot, worker):
    train_in_the_process(qtbot, worker)
    slower = HYPER.copy()
    slower.learning_rate = 0.005
    worker.set_hyperparameters(slower)
    X_other, y_other = nn_engine.datasets.circles(30, noise=0.05, seed=4)
    since = len(worker.recorder.snapshots)
    worker.set_data(X_TRAIN, Y_TRAIN, X_other, y_other)  # a new test set
    wait_for(qtbot, worker, lambda s: len(s.epochs) > 0, since)
    paused = command(qtbot, worker, worker.pause, lambda s: not s.running)

    assert worker.trainer_settings()["learning_rate"] == 0.005
    _, state = worker.training_state()
    # the last epoch's test loss is the network's own on the new test set, after its update
    net = nn_engine.Network(ARCHITECTURE, **HYPER.network_kwargs())
    net.params[...] = state["params"]
    assert state["history"]["val_loss"][-1] == net.evaluate(X_other, y_other)[0]
    assert len(state["history"]["loss"]) == paused.epoch
    assert worker.recorder.epochs() == list(range(1, paused.epoch + 1))


def test_points_without_a_class_pause_the_process_as_they_pause_the_thread(qtbot, worker):
    train_in_the_process(qtbot, worker)
    since = len(worker.recorder.snapshots)
    worker.set_data(X_TRAIN[:0], Y_TRAIN[:0], X_TEST, Y_TEST)
    assert (
        wait_message(qtbot, worker.recorder.stopped)
        == "Training paused: the training points must include both classes."
    )
    paused = wait_for(qtbot, worker, lambda s: not s.running, since)
    _, state = worker.training_state()
    assert len(state["history"]["loss"]) == paused.epoch
    assert_same_run(worker, engine_at(state))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_in_the_process_goes_back_as_the_engine_does_and_says_so(qtbot):
    linear = Architecture.from_units([8, 8], activation="linear").to_engine()
    careful = Hyperparameters(optimizer="sgd", learning_rate=0.01, seed=1, precision="float64")
    worker = start_worker(qtbot, careful, architecture=linear)
    try:
        train_in_the_process(qtbot, worker)
        paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
        reckless = careful.copy()
        reckless.learning_rate = 10.0
        engine = engine_at(worker.training_state()[1], careful, linear)
        engine.learning_rate = 10.0
        with pytest.raises(nn_engine.DivergenceError) as diverged:
            engine.run(1000)

        worker.set_hyperparameters(reckless)
        opened = worker.bursts_opened
        worker.start()
        message = wait_message(qtbot, worker.recorder.stopped)

        assert worker.bursts_opened == opened + 1  # it diverged in the process
        assert message == f"{diverged.value} — lower the learning rate"
        restored = diverged.value.restored_epoch
        assert restored >= paused.epoch
        after = wait_for(qtbot, worker, lambda s: s.rewound_to is not None)
        assert (after.rewound_to, after.epoch, after.running) == (restored, restored, False)
        assert_same_run(worker, engine)
    finally:
        stop_worker(worker)


def test_a_killed_process_takes_the_run_back_to_its_last_handover_and_the_thread_goes_on(
    qtbot, worker
):
    train_in_the_process(qtbot, worker)
    pid = worker.training_process_pid
    since = len(worker.recorder.snapshots)
    os.kill(pid, signal.SIGKILL)
    message = wait_message(qtbot, worker.recorder.errors)
    assert message.startswith("The training process stopped (killed by SIGKILL); the run went")
    assert message.endswith("and trains in the window's process from now on.")
    rewound = wait_for(qtbot, worker, lambda s: s.rewound_to is not None, since)
    assert rewound.epoch == rewound.rewound_to and not rewound.running
    assert worker.training_process_pid is None

    opened = worker.bursts_opened
    command(qtbot, worker, worker.start, lambda s: s.epoch >= rewound.epoch + 40)
    paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
    assert worker.bursts_opened == opened  # trained in the thread
    _, state = worker.training_state()
    assert len(state["history"]["loss"]) == paused.epoch
    assert_same_run(worker, engine_at(state))


def test_ctrl_c_in_the_terminal_leaves_the_process_to_the_window(qtbot, worker):
    # SIGINT reaches the whole process group; the window decides whether to quit.
    train_in_the_process(qtbot, worker)
    pid = worker.training_process_pid
    os.kill(pid, signal.SIGINT)
    opened = worker.bursts_opened
    worker.training_state()  # a recall answered, then a new burst
    since = len(worker.recorder.snapshots)
    wait_for(qtbot, worker, lambda s: len(s.epochs) > 0, since)
    assert worker.bursts_opened == opened + 1
    assert worker.training_process_pid == pid and worker.recorder.errors == []


def test_stop_ends_the_process(qtbot):
    worker = start_worker(qtbot)
    train_in_the_process(qtbot, worker)
    pid = worker.training_process_pid
    assert os.path.exists(f"/proc/{pid}")
    stop_worker(worker)
    assert not os.path.exists(f"/proc/{pid}")  # ended and reaped


@pytest.mark.parametrize("told_by", ["argument", "environment"])
def test_a_worker_told_to_train_in_its_thread_starts_no_process(qtbot, monkeypatch, told_by):
    if told_by == "environment":
        monkeypatch.setenv("NN_PLAYGROUND_TRAINING", "thread")
    worker = start_worker(qtbot, separate_process=None if told_by == "environment" else False)
    try:
        command(qtbot, worker, worker.start, lambda s: s.epoch >= 50)
        command(qtbot, worker, worker.pause, lambda s: not s.running)
        assert worker.bursts_opened == 0 and worker.training_process_pid is None
    finally:
        stop_worker(worker)


def test_where_no_process_can_start_the_thread_trains_and_says_why_on_stderr(
    qtbot, monkeypatch, capfd
):
    def refuse(on_message):
        raise OSError("no new processes here")

    monkeypatch.setattr(playground.worker, "TrainingProcess", refuse)
    worker = start_worker(qtbot)
    try:
        command(qtbot, worker, worker.start, lambda s: s.epoch >= 50)
        paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
        assert worker.bursts_opened == 0 and worker.recorder.errors == []
        assert worker.recorder.epochs() == list(range(1, paused.epoch + 1))
    finally:
        stop_worker(worker)
    assert (
        "nn-playground: training in the window's process: no new processes here"
        in capfd.readouterr().err
    )


def test_the_process_ends_when_the_window_is_killed(tmp_path):
    # A window killed at the worst moment (training in the process) leaves nothing running:
    # the process sees its pipe close and exits.
    script = tmp_path / "killed.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, signal, sys
            sys.path.insert(0, {os.getcwd()!r})
            from PySide6.QtCore import QCoreApplication, QThread, QTimer
            import nn_engine
            from playground.state import Architecture, Hyperparameters
            from playground.worker import TrainingWorker

            app = QCoreApplication([])
            thread = QThread()
            worker = TrainingWorker(separate_process=True)
            worker.moveToThread(thread)
            thread.started.connect(worker.run)
            thread.start()
            X, y = nn_engine.datasets.moons(200, noise=0.1, seed=0)
            worker.set_data(X, y, X[:0], y[:0])
            worker.set_view_rect((-2.0, -2.0, 3.0, 2.0))
            worker.reset(Architecture.from_units([8]).to_engine(), Hyperparameters())
            worker.start()

            def check():
                if worker.bursts_opened:
                    print(worker.training_process_pid, flush=True)
                    os.kill(os.getpid(), signal.SIGKILL)

            timer = QTimer()
            timer.timeout.connect(check)
            timer.start(10)
            app.exec()
            """
        )
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    pid = int(result.stdout.split()[0])
    assert process_ends(pid, within=10.0), "the training process outlived its window"


def process_ends(pid: int, within: float) -> bool:
    """Wait for process ``pid`` (not a child of this one) to end: its pidfd becomes readable."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True  # already ended and reaped
    try:
        readable, _, _ = select.select([pidfd], [], [], within)
        return bool(readable)
    finally:
        os.close(pidfd)


def test_hyperparameters_of_the_default_are_float32_and_train_in_the_process(qtbot):
    # The window's default: float32, trained in the process, the engine's float32 run exactly.
    hyper = Hyperparameters(optimizer="adam", learning_rate=0.02, init="xavier", seed=3)
    assert hyper.precision == "float32"
    worker = start_worker(qtbot, hyper)
    try:
        train_in_the_process(qtbot, worker)
        command(qtbot, worker, worker.pause, lambda s: not s.running)
        _, state = worker.training_state()
        assert state["params"].dtype == np.float32
        assert_same_run(worker, engine_at(state, hyper))
    finally:
        stop_worker(worker)


def test_a_history_tail_answers_what_the_trainer_asks_as_the_list_it_stands_for():
    values = [0.5 + i for i in range(20)]
    tail = HistoryTail(*HistoryTail.parts(values))
    assert (len(tail), tail[0], tail[-1], tail[-8]) == (20, 0.5, values[-1], values[-8])
    with pytest.raises(IndexError):
        tail[-9]  # not kept
    with pytest.raises(IndexError):
        tail[5]
    tail.append(99.0)
    values.append(99.0)
    del tail[19:]  # a divergence goes back
    del values[19:]
    assert (len(tail), tail[-1]) == (19, values[-1])
    del tail[40:]  # beyond the end: nothing, as for a list
    assert len(tail) == 19
    with pytest.raises(IndexError, match="cannot go back to 3 of 19"):
        del tail[3:]
    del tail[0:]
    assert len(tail) == 0 and not tail
    tail.extend([1.0, 2.0])
    assert (len(tail), tail[0], tail[-1]) == (2, 1.0, 2.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_trainer_keeping_history_tails_trains_and_diverges_as_one_keeping_lists():
    # The twin's trainer keeps HistoryTails: the same epochs, the same divergence and the
    # same rewind as the engine's own lists.
    X, y = nn_engine.datasets.moons(100, noise=0.1, seed=0)

    def trainer():
        net = nn_engine.Network.from_sizes([2, 8, 8, 1], hidden="linear", seed=1)
        return nn_engine.Trainer(net, X, y, learning_rate=0.05, seed=0)

    with_lists, with_tails = trainer(), trainer()
    for _ in range(30):
        with_lists.step_epoch()
    history = with_tails.history
    history.loss, history.accuracy, history.val_loss, history.val_accuracy = (
        HistoryTail(*HistoryTail.parts(values))
        for values in (history.loss, history.accuracy, history.val_loss, history.val_accuracy)
    )
    for _ in range(30):
        with_tails.step_epoch()
    assert with_tails.epoch == 30 and with_tails.history.loss[-1] == with_lists.history.loss[-1]
    errors = []
    for run in (with_lists, with_tails):
        run.learning_rate = 8.0
        with pytest.raises(nn_engine.DivergenceError) as diverged:
            run.run(1000)
        errors.append(str(diverged.value))
    assert errors[0] == errors[1]
    assert with_tails.epoch == with_lists.epoch
    assert np.array_equal(with_tails.net.params, with_lists.net.params)


def test_the_worker_keeps_its_history_in_arrays_of_doubles_and_hands_out_lists(qtbot, worker):
    # 8 bytes an epoch per list instead of a 32-byte Python float: hours of training.
    train_in_the_process(qtbot, worker)
    command(qtbot, worker, worker.pause, lambda s: not s.running)
    names = ("loss", "accuracy", "val_loss", "val_accuracy")
    kinds = worker.call(lambda: {type(getattr(worker._trainer.history, name)) for name in names})
    assert kinds == {array}
    _, state = worker.training_state()
    for name in names:
        values = state["history"][name]
        assert type(values) is list and {type(value) for value in values} == {float}
    assert_same_run(worker, engine_at(state))


def test_a_restored_run_continues_in_the_process_as_the_engine_continues_it(qtbot, worker):
    # The process gets the history's length and ends only (HistoryTail): the epochs it counts
    # and the divergence rule's first loss must still be the restored run's.
    hyper = HYPER.copy()
    hyper.batch_size = 16
    original = engine_at({"history": {"loss": [0.0] * 40}, "cursor": 32}, hyper)
    weights = original.net.get_params()
    state = original.state_dict()
    worker.restore(ARCHITECTURE, hyper, weights, state, run_id=7)
    restored = wait_for(qtbot, worker, lambda s: s.run_id == 7 and s.history_replaced)
    assert restored.epoch == 40
    train_in_the_process(qtbot, worker)
    paused = command(qtbot, worker, worker.pause, lambda s: not s.running)
    _, now = worker.training_state()
    assert len(now["history"]["loss"]) == paused.epoch > 70
    continued = engine_at(now, hyper)  # the same run, from its start, by the engine alone
    assert now["history"]["loss"][:40] == state["history"]["loss"]
    assert_same_run(worker, continued)
