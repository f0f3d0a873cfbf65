"""Training in a process of its own: the worker's twin trainer, and the worker's end of the pipe.

Why a process: the article's network is small, so an epoch is a few dozen short NumPy calls and
the training thread holds the GIL almost all the time. In the window's process it takes turns
with the GUI thread, which holds the GIL to draw: measured with ``benchmarks/gui_ceiling.py``,
drawing alone took a third of the training speed. A process has a GIL of its own and runs on
the other core, so the window draws without slowing the training down.

The worker (playground.worker) stays the owner of the run: its trainer is the truth whenever no
burst is open. When training starts it opens a *burst*: it sends this process everything the
trainer holds (``Trainer.export_progress`` plus, the first time, the network's shape, the data
and the history), and the twin trains frame after frame exactly as the worker's own loop would,
sending each frame's epochs (``EpochMetrics``) and parameters back. Anything the worker must do
on the trainer itself (pause, a step, a save's capture, an edit) first *recalls* the burst: the
twin stops between two layers and sends its progress, which the worker's trainer imports, so
that the run continues in either place to the last digit.

Messages are tuples sent through a ``multiprocessing`` pipe (pickled). From the worker:
``("load", burst, spec)``, ``("resume", burst, spec)``, ``("hyperparameters", burst, values)``,
``("data", burst, points, validation)``, ``("recall", burst)`` and ``("exit",)``. From the twin:
``("ready", 0)``, ``("frame", burst, metrics, params)``, ``("progress", burst, progress)`` and
``("halted", burst, kind, message, restored_epoch, progress)``.

Run as ``python -m playground.training_process FD`` (FD: the pipe's inherited descriptor); it
imports NumPy and nn_engine only, never Qt.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

import nn_engine
from playground import memory

# Frames per second while training, in the worker's thread or here: each ends with a snapshot
# and a fresh decision map (at least 20 are wanted, and each grid costs a forward pass of
# 10,000 points, ~4 ms for the article's network; benchmarks/gui.py with training in the
# window's process: 25/s gave 76-80 % of the headless training speed, 22/s 82 %).
FRAMES_PER_SECOND = 22
FRAME_SECONDS = 1 / FRAMES_PER_SECOND
# The four lists of a History, in the order the worker and the twin exchange them.
HISTORY_LISTS = ("loss", "accuracy", "val_loss", "val_accuracy")
# How often a training step looks at the pipe (a system call) for a recall: a pause still
# lands within a layer's time plus this, and the look costs nothing measurable.
POLL_SECONDS = 0.001
# How long the worker's end waits for the process to end by itself before killing it.
EXIT_WAIT_SECONDS = 1.0


class TrainingProcess:
    """The worker's end: starts the twin process and reads its messages on a thread of its own.

    Parameters
    ----------
    on_message : callable
        Called in the reader thread with each message of the twin, in order, and with
        ``("lost", 0, reason)`` once if the twin ends without being asked to (a crash, a kill)
        or cannot be started.
    """

    def __init__(self, on_message: Callable[[tuple], None]):
        self._on_message = on_message
        self._closing = False
        here, child = Pipe()
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "playground.training_process", str(child.fileno())],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except BaseException:
            here.close()
            raise
        finally:
            child.close()
        self._connection = here
        self._reader = threading.Thread(
            target=self._read, name="training-process-reader", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def send(self, message: tuple) -> None:
        """Pickle and send ``message``; raises OSError (BrokenPipeError) if the twin is gone."""
        self._connection.send(message)

    def _read(self) -> None:
        try:
            while True:
                self._on_message(self._connection.recv())
        except (EOFError, OSError):
            if not self._closing:
                self._on_message(("lost", 0, self._ending()))

    def _ending(self) -> str:
        """How the process ended, once its pipe has closed (it is ending, or hung)."""
        try:
            code = self._process.wait(EXIT_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            return "its pipe closed"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    def close(self) -> None:
        """Ask the twin to exit and wait for it, killing it if it does not end within
        EXIT_WAIT_SECONDS; then the reader thread ends (end of file) and the pipe closes."""
        self._closing = True
        with contextlib.suppress(OSError, ValueError):  # already gone
            self._connection.send(("exit",))
        try:
            self._process.wait(EXIT_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if threading.current_thread() is not self._reader:
            self._reader.join(EXIT_WAIT_SECONDS)
        self._connection.close()


def history_lists(history: nn_engine.History) -> tuple:
    """The four lists of ``history`` (HISTORY_LISTS), the lists themselves."""
    return tuple(getattr(history, name) for name in HISTORY_LISTS)


def apply_live_settings(trainer: nn_engine.Trainer, settings: dict[str, Any]) -> None:
    """Apply what may change while training (``learning_rate``, ``l1``, ``l2``,
    ``batch_size``) to ``trainer``; the batch size only if it differs (setting it starts the
    epoch in progress over)."""
    trainer.learning_rate = settings["learning_rate"]
    trainer.l1 = settings["l1"]
    trainer.l2 = settings["l2"]
    if trainer.batch_size != settings["batch_size"]:
        trainer.batch_size = settings["batch_size"]


class HistoryTail:
    """What the twin keeps of one of its history's lists (loss, accuracy and their test
    twins): their length, the first value (the divergence rule's reference) and the last
    TAIL values, instead of a float per epoch (the worker keeps every one: hours of training
    would otherwise hold the history twice). It answers what the trainer asks of the list:
    ``len``, truth, ``[0]``, ``[-k]``, ``append``, ``extend`` and ``del values[k:]`` for a
    divergence, which goes back at most two epochs.
    """

    TAIL = 8

    def __init__(self, length: int, first: list[float], tail: list[float]):
        self._length = length
        self._first = list(first[:1])
        self._tail = list(tail[-self.TAIL :])

    @classmethod
    def parts(cls, values: list[float]) -> tuple[int, list[float], list[float]]:
        """What the worker sends of a list to make its HistoryTail."""
        return len(values), values[:1], values[-cls.TAIL :]

    def __len__(self) -> int:
        return self._length

    def append(self, value: float) -> None:
        if not self._length:
            self._first = [value]
        self._tail.append(value)
        del self._tail[: -self.TAIL]
        self._length += 1

    def extend(self, values: list[float]) -> None:
        for value in values:
            self.append(value)

    def __getitem__(self, index: int) -> float:
        if index == 0 and self._length:
            return self._first[0]
        if -len(self._tail) <= index < 0:
            return self._tail[index]
        raise IndexError(f"a HistoryTail keeps [0] and the last {len(self._tail)}, not [{index}]")

    def __delitem__(self, index: slice) -> None:
        if not (isinstance(index, slice) and index.stop is None and index.step is None):
            raise TypeError("a HistoryTail only drops its end: del values[k:]")
        start = index.start or 0
        if start >= self._length:
            return
        kept = start - (self._length - len(self._tail))
        if kept < 0 and start > 0:
            raise IndexError(f"a HistoryTail cannot go back to {start} of {self._length}")
        del self._tail[max(kept, 0) :]
        self._length = start
        if not start:
            self._first = []


class _Twin:
    """The process's side: a trainer that trains the worker's run in frames while a burst is
    open, and waits for messages otherwise."""

    def __init__(self, connection: Connection):
        self._connection = connection
        self._trainer: nn_engine.Trainer | None = None
        self._burst = 0
        self._running = False
        self._exit = False
        self._epochs_per_frame = 1
        self._frame_start = 0.0
        self._polled_at = 0.0
        self._metrics: list[nn_engine.EpochMetrics] = []
        self._changed = False  # parameters changed since the last frame sent
        self._released_at = time.perf_counter()  # when freed memory last went back

    def serve(self) -> None:
        self._connection.send(("ready", 0))
        with nn_engine.single_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
            while not self._exit:
                if self._running:
                    self._frame()
                else:
                    self._handle(self._connection.recv())

    # -- messages ----------------------------------------------------------------------------

    def _handle(self, message: tuple) -> None:
        name = message[0]
        if name == "exit":
            self._exit = True
            self._running = False  # a step in progress is abandoned at its next check
            return
        burst = message[1]
        if name in ("load", "resume"):
            self._burst = burst
            try:
                self._load(message[2]) if name == "load" else self._resume(message[2])
            except Exception as error:  # the worker reports it and loads the run afresh
                self._trainer = None
                self._halt("error", _describe(error), None)
                return
            self._running = True
            self._frame_start = time.perf_counter()
            return
        if burst != self._burst:
            return  # meant for a burst that has ended
        if name == "recall":
            self._send_frame()
            if self._running:
                self._running = False
                self._connection.send(("progress", burst, self._trainer.export_progress()))
            return
        if not self._running:
            return  # a halted burst takes nothing more
        try:
            if name == "hyperparameters":
                self._set_hyperparameters(message[2])
            elif name == "data":
                points, validation = message[2], message[3]
                if points is not None:
                    self._trainer.set_data(*points)
                self._trainer.set_validation(*validation)
        except Exception as error:
            self._halt("error", _describe(error), None)

    def _load(self, spec: dict[str, Any]) -> None:
        net = nn_engine.Network(
            spec["architecture"],
            features=spec["features"],
            init=spec["init"],
            seed=spec["seed"],
            dtype=spec["dtype"],
        )
        X, y = spec["points"]
        trainer = nn_engine.Trainer(net, X, y, **spec["trainer_kwargs"])
        trainer.set_validation(*spec["validation"])
        for name, parts in zip(HISTORY_LISTS, spec["history"], strict=True):
            setattr(trainer.history, name, HistoryTail(*parts))
        trainer.import_progress(spec["progress"])
        self._trainer = trainer
        self._epochs_per_frame = spec["epochs_per_frame"]

    def _resume(self, spec: dict[str, Any]) -> None:
        trainer = self._trainer
        lists = history_lists(trainer.history)
        for values, start, tail in zip(lists, spec["starts"], spec["tails"], strict=True):
            del values[start:]
            values.extend(tail)
        if spec["points"] is not None:
            trainer.set_data(*spec["points"])
        if spec["validation"] is not None:
            trainer.set_validation(*spec["validation"])
        trainer.import_progress(spec["progress"])
        self._epochs_per_frame = spec["epochs_per_frame"]

    def _set_hyperparameters(self, values: dict[str, Any]) -> None:
        apply_live_settings(self._trainer, values)
        self._epochs_per_frame = values["epochs_per_frame"]

    # -- training ----------------------------------------------------------------------------

    def _message_waiting(self) -> bool:
        """The training step's interrupt: whether a message waits (looked at every
        POLL_SECONDS at most)."""
        now = time.perf_counter()
        if now - self._polled_at < POLL_SECONDS:
            return False
        self._polled_at = now
        return self._connection.poll()

    def _answer(self) -> None:
        while not self._exit and self._connection.poll():
            self._handle(self._connection.recv())

    def _frame(self) -> None:
        """One frame, as the worker's own loop trains it: at most ``epochs_per_frame`` epochs
        and FRAME_SECONDS (or the one epoch that outlasts it), then the rest of the frame
        waiting for messages; the frame's epochs and parameters go to the worker."""
        now = time.perf_counter()
        if now - self._frame_start > FRAME_SECONDS:
            self._frame_start = now  # fell behind (a slow epoch): start afresh
        deadline = self._frame_start + FRAME_SECONDS
        self._frame_start = deadline
        done = 0
        trainer = self._trainer
        while self._running and done < self._epochs_per_frame:
            try:
                metrics = trainer.step_batch(self._message_waiting)
            except nn_engine.TrainingInterrupted:
                self._answer()
                continue
            except nn_engine.DivergenceError as error:
                self._changed = True  # the weights went back
                self._halt("divergence", str(error), error.restored_epoch)
                return
            except Exception as error:
                self._halt("error", _describe(error), None)
                return
            self._changed = True
            if metrics is not None:
                self._metrics.append(metrics)
                done += 1
                if time.perf_counter() >= deadline:
                    break
            if self._message_waiting():
                self._answer()
        if not self._running:
            return
        self._send_frame()
        if time.perf_counter() - self._released_at >= memory.RELEASE_INTERVAL_MS / 1000:
            memory.release_free_memory()  # as the window does (see playground.memory)
            self._released_at = time.perf_counter()
        while self._running and not self._exit:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or not self._connection.poll(remaining):
                break
            self._answer()

    def _send_frame(self) -> None:
        if self._trainer is None or not (self._metrics or self._changed):
            return
        metrics, self._metrics = self._metrics, []
        self._changed = False
        self._connection.send(("frame", self._burst, metrics, self._trainer.net.params))

    def _halt(self, kind: str, message: str, restored_epoch: int | None) -> None:
        """Stop the burst and tell the worker why, with the progress to take back."""
        self._send_frame()
        self._running = False
        progress = None if self._trainer is None else self._trainer.export_progress()
        self._connection.send(("halted", self._burst, kind, message, restored_epoch, progress))


def _describe(error: Exception) -> str:
    """An unexpected error as the worker reports its own: the type, the text, the traceback."""
    return f"{type(error).__name__}: {error}\n{traceback.format_exc()}"


def main(argv: list[str]) -> int:
    connection = Connection(int(argv[1]))
    # Ctrl+C in the terminal reaches the whole process group: the window decides whether to
    # quit, and this process ends when the window's end of the pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    memory.configure_allocator()
    # EOFError, OSError: the worker's end closed (the window has quit or was killed)
    with contextlib.suppress(EOFError, OSError):
        _Twin(connection).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
