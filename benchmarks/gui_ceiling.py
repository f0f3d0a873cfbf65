"""What stops the window from training as fast as the engine alone: the ceilings, compared.

Run offscreen with ``python benchmarks/gui_ceiling.py [--seconds S] [--repeats N]``. The
window gets the "The article" preset in float32 at the fastest speed (as ``benchmarks/gui.py``)
and trains it ``S`` seconds from epoch 2,000 in four ways, each compared with the engine
headless right after (``gui.headless_run``):

* **window**: the window as users see it, training in a process of its own
  (``playground.training_process``);
* **window, training thread**: the same with ``NN_PLAYGROUND_TRAINING=thread``, the training
  in the window's process (as it was before the training process);
* **no drawing, training thread**: the controller's snapshots reach nothing (no decision map,
  curve, stats or panel is drawn; the worker still computes its maps and gets each snapshot's
  receipt);
* **no drawing, no maps, training thread**: the worker computes no maps either, and only
  trains.

With the training in the window's process, the gap between the second and third runs is what
the GUI thread's drawing costs the training thread through the GIL, the gap between the last
two what the maps cost, and what is left the worker's own loop; the first run shows what a
process of its own gives back. Prints a markdown table; nothing here is part of the test
suite's pass/fail.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root is where `benchmarks` is
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks.window_harness as harness  # noqa: I001 (first: sets Qt up for a headless run)

import playground.worker
from benchmarks.common import format_machine, machine_info, markdown_table
from benchmarks.gui import PRESET, WARM_EPOCHS, WARM_EPOCHS_TIMEOUT, WINDOW_SIZE
from benchmarks.gui import headless_run, use_precision
from benchmarks.window_harness import wait, wait_until
from playground.state import find_preset

MODES = (
    "window",
    "window, training thread",
    "no drawing, training thread",
    "no drawing, no maps, training thread",
)


def _no_maps(worker) -> tuple:  # noqa: ANN001
    return None, None, None, None


def trained_epoch(window) -> int:  # noqa: ANN001
    """The worker's epoch (the window's own counter stops when snapshots reach nothing)."""
    return window.worker.epochs_trained


def run_mode(mode: str, seconds: float, warm_epochs: int) -> float:
    """Epochs per second trained in a new window in ``mode``."""
    training = "thread" if mode.endswith("training thread") else "process"
    previous = os.environ.get(playground.worker.TRAINING_ENV)
    os.environ[playground.worker.TRAINING_ENV] = training  # read as the window's worker is made
    window = harness.open_window(WINDOW_SIZE)
    if previous is None:
        del os.environ[playground.worker.TRAINING_ENV]
    else:
        os.environ[playground.worker.TRAINING_ENV] = previous
    window.apply_preset(PRESET)
    wait(0.3)
    use_precision(window, "float32")
    take_grid = playground.worker.TrainingWorker._take_grid
    if mode.startswith("no drawing"):
        window.controller.sigSnapshot.disconnect()
    if mode.startswith("no drawing, no maps"):
        playground.worker.TrainingWorker._take_grid = _no_maps
    try:
        window.reset()
        wait(0.3)
        window.train()
        if not wait_until(lambda: trained_epoch(window) >= warm_epochs, WARM_EPOCHS_TIMEOUT):
            raise TimeoutError(f"{warm_epochs} epochs not reached in {WARM_EPOCHS_TIMEOUT:g} s")
        wait(0.5)
        first = trained_epoch(window)
        started = time.perf_counter()
        wait(seconds)
        rate = (trained_epoch(window) - first) / (time.perf_counter() - started)
        window.pause()
        wait(0.3)
    finally:
        playground.worker.TrainingWorker._take_grid = take_grid
        harness.close_window(window)
    return rate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--repeats", type=int, default=2, help="rounds of the four runs")
    parser.add_argument("--warm-epochs", type=int, default=WARM_EPOCHS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    catcher = harness.ProblemCatcher().start()
    harness.make_application()
    preset = find_preset(PRESET)
    ratios: dict[str, list[float]] = {mode: [] for mode in MODES}
    rates: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(args.repeats):
        for mode in MODES:
            rate = run_mode(mode, args.seconds, args.warm_epochs)
            alone = headless_run(preset, "float32", args.seconds)
            rates[mode].append(rate)
            ratios[mode].append(rate / alone)
    catcher.stop()

    print("# What the window's training speed is made of\n")
    print(
        f"`python benchmarks/gui_ceiling.py --seconds {args.seconds:g} --repeats "
        f"{args.repeats}`, {time.strftime('%Y-%m-%d %H:%M')}, offscreen\n"
    )
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print(
        f"\nThe {PRESET!r} preset in float32 at the fastest speed, window at {WINDOW_SIZE[0]} × "
        f"{WINDOW_SIZE[1]}, each run from epoch {args.warm_epochs:,}; ÷ headless is against the "
        "engine alone right after each run. Median (min–max):\n"
    )

    def cell(values: list[float], fmt: str) -> str:
        text = format(statistics.median(values), fmt)
        if len(values) > 1:
            text += f" ({format(min(values), fmt)}–{format(max(values), fmt)})"
        return text

    print(
        markdown_table(
            ["run", "epochs per second", "÷ headless"],
            [[mode, cell(rates[mode], ".0f"), cell(ratios[mode], ".0%")] for mode in MODES],
        )
    )
    catcher.print_report()


if __name__ == "__main__":
    main()
