"""Opening a long-trained session from the menu: how long the GUI thread is blocked.

Run offscreen with ``python benchmarks/open_session.py [--epochs N] [--repeats R]``. It trains
a small network headless for ``N`` epochs (default 300,000: five minutes at 1,000 epochs per
second), so that the session's metric history has ``N`` rows per curve, saves it as a session
file, and opens that file in the window ``R`` times the way File ▸ Open does
(``SessionManager._open_interactively``: read and check on the reader thread, then show it in
the GUI thread), while a 10 ms QTimer records the GUI thread's gaps. For each open it reports the
wall time from the request until the window shows the session (``sigOpenFinished``) and the
longest gap of the GUI thread meanwhile: the time the window could not react. Then it measures
training from there: the first snapshots redraw the long curves.

Then it saves that session through File ▸ Save's path (``SessionManager._save_in_background``),
paused and while training, with the same gap recorder.

Issue 9's question: does a 300k-epoch history freeze the window when opened or saved? Nothing
here is part of the test suite's pass/fail.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root is where `benchmarks` is
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks.window_harness as harness  # noqa: I001 (first: sets Qt up for a headless run)
import numpy as np

import nn_engine
from benchmarks.common import format_machine, machine_info, markdown_table
from benchmarks.window_harness import GapRecorder, wait, wait_until
from playground.state import (
    Architecture,
    DataSettings,
    Hyperparameters,
    PointSet,
    Session,
    save_session,
)

OPEN_TIMEOUT = 120.0
TRAIN_SECONDS = 2.0


def long_session(epochs: int) -> Session:
    """A session of a 2-4-1 network trained ``epochs`` epochs on 40 points, with its history."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    labels = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    is_test = np.arange(40) % 10 == 0
    points = PointSet(X, labels, is_test)
    architecture = Architecture.from_units([4], activation="tanh")
    hp = Hyperparameters()
    net = nn_engine.Network(architecture.to_engine(), **hp.network_kwargs())
    trainer = nn_engine.Trainer(
        net, X[~is_test], labels[~is_test], validation_data=(X[is_test], labels[is_test]),
        **hp.trainer_kwargs(),
    )  # fmt: skip
    with nn_engine.single_blas_thread():
        for _ in range(epochs):
            trainer.step_epoch()
    history = trainer.history
    return Session(
        points=points,
        architecture=architecture,
        hyperparameters=hp,
        data_settings=DataSettings(),
        weights=net.get_params(),
        trainer_state=trainer.state_dict(),
        epoch=trainer.epoch,
        history={
            "loss": history.loss,
            "accuracy": history.accuracy,
            "val_loss": history.val_loss,
            "val_accuracy": history.val_accuracy,
        },
    )


def until_finished(action: Callable[[], object], finished: list[str], what: str):  # noqa: ANN201
    """Run ``action`` with the GUI gaps recorded until ``finished`` has an entry (and 0.2 s
    more, for the paint that follows); the seconds until then and the GapRecorder."""
    gaps = GapRecorder()
    gaps.start()
    started = time.perf_counter()
    action()
    if not wait_until(lambda: bool(finished), OPEN_TIMEOUT):
        raise TimeoutError(f"the {what} did not finish within {OPEN_TIMEOUT:g} s")
    seconds = time.perf_counter() - started
    wait(0.2)
    gaps.stop()
    return seconds, gaps


def open_once(window, path: Path) -> dict[str, float]:  # noqa: ANN001
    """Open ``path`` as the menu does; wall time and the GUI thread's longest gap."""
    window.new_session()
    wait(0.3)
    finished: list[str] = []
    manager = window.session_manager
    manager.sigOpenFinished.connect(lambda _path, error: finished.append(error))
    shown, gaps = until_finished(lambda: manager._open_interactively(path), finished, "open")
    if finished[0]:
        raise RuntimeError(f"the open failed: {finished[0]}")
    summary = gaps.summary()
    trained = GapRecorder()
    epoch0 = window.epoch
    window.train()
    trained.start()
    wait(TRAIN_SECONDS)
    trained.stop()
    window.pause()
    wait(0.3)
    after = trained.summary()
    return {
        "open_seconds": shown,
        "gap_max": summary["gap_max"],
        "gap_p99": summary["gap_p99"],
        "train_gap_max": after["gap_max"],
        "train_gap_p99": after["gap_p99"],
        "epochs_after": window.epoch - epoch0,
    }


def save_once(window, path: Path, training: bool) -> dict[str, float]:  # noqa: ANN001
    """Save the session shown to ``path`` as File ▸ Save does (captured between two
    mini-batches, checked and written off the GUI thread), while paused or while training;
    wall time until saved, and the GUI thread's gaps meanwhile."""
    finished: list[str] = []
    manager = window.session_manager
    manager.sigSaveFinished.connect(lambda _path, error: finished.append(error))
    if training:
        window.train()
        wait(0.5)
    seconds, gaps = until_finished(lambda: manager._save_in_background(path), finished, "save")
    window.pause()
    wait(0.3)
    if finished[0]:
        raise RuntimeError(f"the save failed: {finished[0]}")
    return {"save_seconds": seconds, **gaps.summary()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=300_000, help="epochs of history")
    parser.add_argument("--repeats", type=int, default=3, help="opens measured")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    session = long_session(args.epochs)
    trained_in = time.perf_counter() - started
    catcher = harness.ProblemCatcher().start()
    harness.make_application()
    window = harness.open_window((1600, 1000))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "long.nnpg"
        save_session(path, session)
        size = path.stat().st_size
        runs = [open_once(window, path) for _ in range(args.repeats)]
        epoch = window.epoch
        target = Path(directory) / "saved.nnpg"
        saves = {
            training: [save_once(window, target, training) for _ in range(args.repeats)]
            for training in (False, True)
        }
    harness.close_window(window)
    catcher.stop()

    def cell(key: str, unit: str, scale: float = 1.0) -> str:
        values = [run[key] * scale for run in runs]
        return f"{statistics.median(values):.0f}{unit} ({min(values):.0f}–{max(values):.0f})"

    print("# Opening a long-trained session\n")
    print(
        f"`python benchmarks/open_session.py --epochs {args.epochs} --repeats {args.repeats}`, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, offscreen\n"
    )
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print(
        f"\nA 2-4-1 tanh network trained {args.epochs:,} epochs headless ({trained_in:.0f} s), "
        f"saved as a {size / 1e6:.1f} MB session, opened {args.repeats} times through File ▸ "
        f"Open's path; after each open the window trains {TRAIN_SECONDS:g} s (it showed epoch "
        f"{epoch:,} at the end). Median (min–max):\n"
    )
    print(
        markdown_table(
            ["quantity", "measured"],
            [
                ["open: request → session shown", cell("open_seconds", " ms", 1000)],
                ["longest GUI gap while opening", cell("gap_max", " ms")],
                ["GUI gap p99 while opening", cell("gap_p99", " ms")],
                ["longest GUI gap training after it", cell("train_gap_max", " ms")],
                ["GUI gap p99 training after it", cell("train_gap_p99", " ms")],
            ],
        )
    )
    print(
        f"\nThen the session shown (epoch {epoch:,}) saved through File ▸ Save's path "
        f"{args.repeats} times paused and {args.repeats} times while training. Median "
        "(min–max):\n"
    )

    def save_cell(training: bool, key: str, scale: float = 1.0) -> str:
        values = [run[key] * scale for run in saves[training]]
        return f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})"

    print(
        markdown_table(
            ["quantity", "paused", "training"],
            [
                ["save: request → saved"]
                + [save_cell(training, "save_seconds", 1000) for training in (False, True)],
                ["longest GUI gap while saving"]
                + [save_cell(training, "gap_max") for training in (False, True)],
                ["GUI gap p99 while saving"]
                + [save_cell(training, "gap_p99") for training in (False, True)],
            ],
        )
    )
    catcher.print_report()


if __name__ == "__main__":
    main()
