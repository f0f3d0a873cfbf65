"""What the loss and accuracy curves cost the GUI thread as a run's history grows to millions.

Run offscreen with ``python benchmarks/metric_curves.py [--epochs 100000,300000,...]
[--updates N]``. A ``MetricsPlots`` (900 × 300, the four curves: train and test loss and
accuracy) is filled up to each number of epochs in large appends, then receives ``N`` updates
of 90 epochs each (about what one of the window's curve refreshes brings at the article's
speed), each followed by a synchronous repaint; the median time of an update with its repaint
is printed per size. From ``ENVELOPE_FROM`` epochs on the curves draw a min/max envelope
(``playground.widgets.metrics_plots.Envelope``); ``--no-envelope`` draws every value, as before.

Prints a markdown table; nothing here is part of the test suite's pass/fail.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root is where `benchmarks` is
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks.window_harness as harness  # noqa: I001 (first: sets Qt up for a headless run)
import numpy as np

from benchmarks.common import format_machine, machine_info, markdown_table
from playground.widgets import metrics_plots

DEFAULT_EPOCHS = (100_000, 300_000, 1_000_000, 3_000_000, 5_000_000)
UPDATE_EPOCHS = 90
FILL_CHUNK = 100_000


class Filler:
    """Appends made-up but plausible metrics to ``plots``, epoch after epoch."""

    def __init__(self, plots: metrics_plots.MetricsPlots) -> None:
        self.plots = plots
        self.epochs = 0
        self.rng = np.random.default_rng(0)

    def add(self, k: int) -> None:
        epochs = np.arange(self.epochs + 1, self.epochs + k + 1, dtype=np.float64)
        loss = 0.05 + 0.6 * np.exp(-epochs / 20_000) + 0.01 * self.rng.random(k)
        self.plots.append(epochs, loss, 1 - loss / 2, loss * 1.1, 1 - loss / 1.8)
        self.epochs += k


def measure(sizes: list[int], updates: int) -> list[tuple[int, float, int]]:
    """Per size: (epochs, median ms of an update with its repaint, points the loss curve has)."""
    app = harness.make_application()
    plots = metrics_plots.MetricsPlots()
    plots.resize(900, 300)
    plots.show()
    app.processEvents()
    filler = Filler(plots)
    results = []
    for size in sizes:
        while filler.epochs < size:
            filler.add(min(FILL_CHUNK, size - filler.epochs))
        plots.repaint()
        app.processEvents()
        times = []
        for _ in range(updates):
            started = time.perf_counter()
            filler.add(UPDATE_EPOCHS)
            plots.repaint()
            app.processEvents()
            times.append(time.perf_counter() - started)
        points = len(plots.curves["loss"].xData)
        results.append((filler.epochs, 1000 * statistics.median(times), points))
    plots.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs",
        default=",".join(str(n) for n in DEFAULT_EPOCHS),
        help="comma-separated history sizes, increasing",
    )
    parser.add_argument("--updates", type=int, default=10, help="timed updates per size")
    parser.add_argument("--no-envelope", action="store_true", help="draw every value")
    args = parser.parse_args(argv)
    sizes = [int(text) for text in args.epochs.split(",")]
    if args.no_envelope:
        metrics_plots.ENVELOPE_FROM = sys.maxsize

    catcher = harness.ProblemCatcher().start()
    results = measure(sizes, args.updates)
    catcher.stop()

    command = f"python benchmarks/metric_curves.py --epochs {args.epochs} --updates {args.updates}"
    if args.no_envelope:
        command += " --no-envelope"
    print("# The metric curves over a long history\n")
    print(f"`{command}`, {time.strftime('%Y-%m-%d %H:%M')}, offscreen\n")
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    drawn = (
        "every value"
        if args.no_envelope
        else (f"an envelope from {metrics_plots.ENVELOPE_FROM:,} epochs on")
    )
    print(
        f"\nThe four curves at 900 × 300, {drawn}; median of {args.updates} updates of "
        f"{UPDATE_EPOCHS} epochs, each with a synchronous repaint:\n"
    )
    rows = [[f"{epochs:,}", f"{ms:.1f} ms", f"{points:,}"] for epochs, ms, points in results]
    print(markdown_table(["epochs", "update + repaint", "points the loss curve holds"], rows))
    catcher.print_report()


if __name__ == "__main__":
    main()
