"""A big CSV import in the window: wall time and the GUI thread's longest block (issue 9).

Run offscreen with ``python benchmarks/import_scale.py [--points N] [--repeats R]``. Writes an
``x,y,label`` file of N moons points (default 1,000,000, in a temporary directory) and imports
it R times into a shown window, each time as File ▸ Import Points does
(``DataExchangeActions.import_in_background``: the file is read on a background thread, the
points become one undo step in the GUI thread), timing from the call until the data plot has
painted the new points. A 10 ms GUI timer records the event loop's gaps meanwhile: the longest
gap is the longest time the window could not react to the user. Between imports the previous
one is undone.

Then the same file once through the scripting call ``MainWindow.import_points_csv`` (read in the
GUI thread, for scripts; its block includes the reading) for comparison.

Nothing here is part of the test suite's pass/fail.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root is where `benchmarks` is
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks.window_harness as harness  # noqa: I001 (first: sets Qt up for a headless run)

import nn_engine
from benchmarks.common import format_machine, machine_info, markdown_table
from benchmarks.window_harness import GapRecorder, wait, wait_until

DEFAULT_POINTS = 1_000_000
TIMEOUT = 120.0
TARGET_SECONDS = 2.0


def write_points(path: Path, n: int) -> None:
    X, y = nn_engine.datasets.moons(n, noise=0.2, seed=0)
    nn_engine.datasets.write_csv(path, X, y)


def painted_points(window) -> int:  # noqa: ANN001
    """Points the data plot's items hold (what the next paint shows)."""
    plot = window.dataPlot
    return sum(len(item.positions) for item in (*plot.train_scatters, *plot.test_scatters))


def import_from_menu(window, path: Path, n: int) -> dict[str, float]:  # noqa: ANN001
    """One import as the menu does it; seconds until painted, and the gaps (ms)."""
    gaps = GapRecorder()
    gaps.start()
    wait(0.1)
    started = time.perf_counter()
    window.dataExchange.import_in_background(path)
    wait_until(lambda: len(window.points) == n and painted_points(window) == n, TIMEOUT)
    window.dataPlot.viewport().repaint()
    seconds = time.perf_counter() - started
    wait(0.2)
    gaps.stop()
    return {"seconds": seconds, **gaps.summary()}


def import_from_script(window, path: Path) -> float:  # noqa: ANN001
    """The scripting call (reads in the GUI thread) and the repaint: seconds."""
    started = time.perf_counter()
    window.import_points_csv(path)
    window.dataPlot.viewport().repaint()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=DEFAULT_POINTS, help="rows of the file")
    parser.add_argument("--repeats", type=int, default=3, help="imports from the menu")
    args = parser.parse_args(argv)

    directory = Path(tempfile.mkdtemp(prefix="nnpg-import-"))
    path = directory / "big.csv"
    write_points(path, args.points)
    size_mb = path.stat().st_size / 2**20

    catcher = harness.ProblemCatcher().start()
    harness.make_application()
    window = harness.open_window()
    runs = []
    for _ in range(args.repeats):
        runs.append(import_from_menu(window, path, args.points))
        window.undo_stack.undo()
        wait(0.3)
    script_seconds = import_from_script(window, path)
    harness.close_window(window)
    catcher.stop()
    path.unlink()
    directory.rmdir()

    print("\n# A big CSV import in the window\n")
    print(f"`python benchmarks/import_scale.py --points {args.points} --repeats {args.repeats}`")
    print(f", {time.strftime('%Y-%m-%d %H:%M')}, offscreen\n")
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print(
        f"\n{args.points:,} points ({size_mb:.0f} MB), imported as File ▸ Import Points does "
        f"(read on a background thread), until painted; GUI-timer gaps meanwhile. Target: "
        f"< {TARGET_SECONDS:g} s with the window responsive.\n"
    )
    rows = [
        [
            str(k + 1),
            f"{run['seconds']:.2f} s",
            f"{run['gap_p50']:.0f}",
            f"{run['gap_p99']:.0f}",
            f"{run['gap_max']:.0f}",
        ]
        for k, run in enumerate(runs)
    ]
    rows.append(
        [
            "median",
            f"{statistics.median(r['seconds'] for r in runs):.2f} s",
            f"{statistics.median(r['gap_p50'] for r in runs):.0f}",
            f"{statistics.median(r['gap_p99'] for r in runs):.0f}",
            f"{statistics.median(r['gap_max'] for r in runs):.0f}",
        ]
    )
    headers = ["import", "until painted", "gap p50 ms", "p99", "max"]
    print(markdown_table(headers, rows, align="lrrrr"))
    print(
        f"\nThe scripting call `MainWindow.import_points_csv` (reads in the GUI thread): "
        f"{script_seconds:.2f} s."
    )
    catcher.print_report()


if __name__ == "__main__":
    main()
