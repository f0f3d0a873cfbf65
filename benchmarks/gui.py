"""How the real window keeps up while it trains: GUI latency, map refreshes, in-app throughput.

Run offscreen with ``python benchmarks/gui.py [--seconds S] [--repeats N]``. For each repetition
the window trains the article's network (the "The article" preset: 1000 moons points, 10 % test,
2-25-50-50-25-1 ReLU, SGD 0.01 full batch) at the fastest speed setting, while

* a 10 ms QTimer on the GUI thread records the gaps between its timeouts (p50, p99, max): how
  long the event loop was busy between two chances to react to the user;
* the decision maps computed for the current view are counted (the worker's
  ``grids_evaluated``), and how many of them were redrawn (``DataPlot.set_probability_grid``
  calls): a map in which no pixel would change is not sent to the GUI again;
* the epochs trained in the window are counted and compared with the engine training the same
  network headless, in the same process, for the same time (``Trainer.step_epoch`` in a loop,
  one BLAS thread), interleaved with the window runs.

It also measures startup: from launching ``python -m playground``'s code in a fresh interpreter
to the window being shown (median of several launches).

Prints markdown tables; nothing here is part of the test suite's pass/fail.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import nn_engine  # noqa: E402
from benchmarks.common import format_machine, machine_info, markdown_table  # noqa: E402
from playground.state import MAX_EPOCHS_PER_REFRESH, find_preset  # noqa: E402

TIMER_MS = 10

STARTUP_SCRIPT = """
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
launched = float(sys.argv[1])
from PySide6.QtWidgets import QApplication
from playground.main_window import MainWindow
app = QApplication([])
app.setStyle("Fusion")
window = MainWindow()
window.show()
app.processEvents()
print(time.time() - launched)
window.close()
"""


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def wait(app: QApplication, seconds: float) -> None:
    """Run the event loop for ``seconds`` (the GUI keeps working meanwhile)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def window_run(app: QApplication, window, seconds: float) -> dict[str, float]:  # noqa: ANN001
    """Train in the window for ``seconds``; the GUI thread's gaps, map refreshes and epochs."""
    window.reset()
    wait(app, 0.3)  # the reset's snapshot arrives and is drawn

    plot = window.dataPlot
    refreshes = 0
    original = type(plot).set_probability_grid

    def counting(grid, rect):  # noqa: ANN001
        nonlocal refreshes
        refreshes += 1
        original(plot, grid, rect)

    plot.set_probability_grid = counting
    grids0 = window.worker.grids_evaluated
    gaps: list[float] = []
    clock = QElapsedTimer()
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e9
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(TIMER_MS)
    timer.timeout.connect(tick)

    window.train()
    wait(app, 0.5)  # warm up: first frames, first grids
    epoch0 = window.epoch
    refreshes = 0
    grids0 = window.worker.grids_evaluated
    clock.start()
    timer.start()
    started = time.perf_counter()
    wait(app, seconds)
    elapsed = time.perf_counter() - started
    timer.stop()
    epochs = window.epoch - epoch0
    grids = window.worker.grids_evaluated - grids0
    window.pause()
    del plot.set_probability_grid
    wait(app, 0.3)
    return {
        "gap_p50": percentile(gaps, 50),
        "gap_p99": percentile(gaps, 99),
        "gap_max": max(gaps),
        "refreshes_per_second": refreshes / elapsed,
        "grids_per_second": grids / elapsed,
        "epochs_per_second": epochs / elapsed,
    }


def headless_run(preset, seconds: float) -> float:  # noqa: ANN001
    """Epochs per second of the engine alone on the preset's data and network, doing what the
    window's worker does per epoch: train on the training points, measure the test points."""
    points = preset.points_command()
    X, labels, test = np.asarray(points.X), np.asarray(points.labels), np.asarray(points.is_test)
    hp = preset.hyperparameters
    net = nn_engine.Network(preset.architecture.to_engine(), **hp.network_kwargs())
    trainer = nn_engine.Trainer(
        net,
        X[~test],
        labels[~test],
        validation_data=(X[test], labels[test]),
        **hp.trainer_kwargs(),
    )
    epochs = 0
    with nn_engine.single_blas_thread():
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            trainer.step_epoch()
            epochs += 1
        return epochs / (time.perf_counter() - started)


def startup_seconds(launches: int) -> list[float]:
    times = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(launches):
        launched = time.time()
        out = subprocess.run(
            [sys.executable, "-c", STARTUP_SCRIPT, repr(launched)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--repeats", type=int, default=3, help="window/headless pairs")
    parser.add_argument("--launches", type=int, default=5, help="startup measurements")
    args = parser.parse_args(argv)

    from playground.main_window import MainWindow

    app = QApplication([])
    app.setStyle("Fusion")
    preset = find_preset("The article")
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.push_edit(preset.points_command())
    window.set_architecture(preset.architecture)
    hp = preset.hyperparameters
    hp.epochs_per_refresh = MAX_EPOCHS_PER_REFRESH
    window.set_hyperparameters(hp)

    runs, headless = [], []
    for _ in range(args.repeats):
        runs.append(window_run(app, window, args.seconds))
        headless.append(headless_run(preset, args.seconds))
    window.close()

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    ratios = [run["epochs_per_second"] / h for run, h in zip(runs, headless, strict=True)]
    startup = startup_seconds(args.launches)

    print("# NN Playground window benchmark\n")
    print(f"`python benchmarks/gui.py --seconds {args.seconds:g} --repeats {args.repeats}`, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, offscreen\n")  # fmt: skip
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print()
    print(
        f"The article's network on 1000 moons points (900 train, 100 test), full-batch SGD, "
        f"speed {MAX_EPOCHS_PER_REFRESH} epochs per refresh; medians of {args.repeats} runs "
        f"of {args.seconds:g} s, interleaved with headless runs of the same length.\n"
    )
    rows = [
        ["GUI gap (10 ms timer), p50", f"{median('gap_p50'):.1f} ms", "-"],
        ["GUI gap (10 ms timer), p99", f"{median('gap_p99'):.1f} ms", "<= 50 ms"],
        ["GUI gap, max", f"{median('gap_max'):.1f} ms", "-"],
        ["decision maps computed", f"{median('grids_per_second'):.1f} /s", ">= 20 /s"],
        ["... of which redrawn (a pixel changed)", f"{median('refreshes_per_second'):.1f} /s", "-"],
        ["epochs per second in the window", f"{median('epochs_per_second'):.0f}", "-"],
        ["epochs per second headless", f"{statistics.median(headless):.0f}", "-"],
        ["in-window ÷ headless throughput", f"{statistics.median(ratios):.0%}", ">= 80 %"],
        [
            "startup to window shown",
            f"{statistics.median(startup):.2f} s ({min(startup):.2f}–{max(startup):.2f})",
            "<= 2 s",
        ],
    ]
    print(markdown_table(["quantity", "measured", "target"], rows))


if __name__ == "__main__":
    main()
