"""Where the GUI thread's time goes while the window trains the article's network.

Run offscreen with ``python benchmarks/gui_profile.py [--seconds S] [--precision P]``. The
window gets the "The article" preset at the fastest speed (in float32, the app's default, or
``--precision float64``), trains for a second, and then ``cProfile`` records the GUI thread
(only it: a profiler enabled in one thread sees only that thread) for ``S`` seconds of its
event loop, while the 10 ms GUI timer records its gaps.

Prints the functions with the most time of their own and with the most time including what
they call, each in ms per snapshot received (a "frame": one decision map, metrics, the stats
strip) and in % of the wall time, and a summary by area (the decision map, the metric plots,
painting). cProfile's overhead inflates Python-heavy functions (roughly 1.5-2x for many small
calls); compare with a sampling profiler, e.g. ``py-spy record --native --threads``
(``pip install py-spy``) on the same script with ``--no-cprofile``, summarised by
``benchmarks/pyspy_summary.py``, for the time in Qt's C++ and waiting for the GIL.

It starts measuring from epoch 2000: before that the article's map hardly changes and is
seldom redrawn. The paint events of the plots are also timed one by one (wall time of
pyqtgraph's ``GraphicsView.paintEvent``, patched in this process), per widget.

Nothing here is part of the test suite's pass/fail.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root is where `benchmarks` is
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks.window_harness as harness  # noqa: I001 (first: sets Qt up for a headless run)

import numpy as np
import pyqtgraph as pg

from benchmarks.common import format_machine, machine_info, markdown_table
from benchmarks.window_harness import GapRecorder, wait, wait_until
from playground.state import MAX_EPOCHS_PER_REFRESH

PRESET = "The article"
TOP = 25
WINDOW_SIZE = (1600, 1000)  # the network panel on screen, as benchmarks/gui.py measures
WARM_EPOCHS = 2000  # past the article's plateau: from here the map changes at every frame
WARM_EPOCHS_TIMEOUT = 60.0
# Areas of the GUI thread's work: the function whose cumulative time stands for it.
AREAS = {
    "snapshot handled (RunView.show_snapshot, all of it)": ("run_view.py", "show_snapshot"),
    "decision map (DataPlot.set_probability_grid)": ("data_plot.py", "set_probability_grid"),
    "... contour (decision_contour)": ("data_plot.py", "decision_contour"),
    "metric curves (RunView.flush)": ("run_view.py", "flush"),
    "stats strip (StatsStrip.show_metrics)": ("stats_strip.py", "show_metrics"),
    "painting: ImageItem.paint": ("ImageItem.py", "paint"),
    "painting: ImageItem.render (LUT)": ("ImageItem.py", "render"),
    "network panel frame (NetworkView.show_frame)": ("network_view.py", "show_frame"),
    "painting: PointsItem.paint (the data plot's points)": ("points_item.py", "paint"),
    "painting: PlotCurveItem.paint": ("PlotCurveItem.py", "paint"),
    "painting: AxisItem.paint": ("AxisItem.py", "paint"),
    "axes: AxisItem.generateDrawSpecs": ("AxisItem.py", "generateDrawSpecs"),
    "view box: ViewBox.updateAutoRange": ("ViewBox.py", "updateAutoRange"),
    "view box: ViewBox.updateMatrix": ("ViewBox.py", "updateMatrix"),
    "pyqtgraph GraphicsScene.prepareForPaint": ("GraphicsScene.py", "prepareForPaint"),
}


def function_name(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":  # a built-in (C) function or method
        return name
    parts = Path(filename).parts
    short = "/".join(parts[-2:]) if "site-packages" in parts else "/".join(parts[-3:])
    return f"{short}:{line} {name}"


class PaintTimes:
    """Wall time of every ``paintEvent`` of pyqtgraph's GraphicsView (the data plot and the
    metric plots), per widget: patched on the class, in this process only."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.active = False
        original = pg.GraphicsView.paintEvent
        times = self.times
        recorder = self

        def timed_paint_event(view, event) -> None:  # noqa: ANN001
            if not recorder.active:
                original(view, event)
                return
            started = time.perf_counter()
            original(view, event)
            name = view.objectName() or type(view).__name__
            times.setdefault(name, []).append(time.perf_counter() - started)

        pg.GraphicsView.paintEvent = timed_paint_event


def item_label(item) -> str:  # noqa: ANN001
    """A short name for a plot's graphics item: "ImageItem", "AxisItem left", ..."""
    name = type(item).__name__
    orientation = getattr(item, "orientation", None)
    if isinstance(orientation, str):
        name += f" {orientation}"
    n = getattr(item, "data", None)
    if callable(getattr(item, "getData", None)) and not callable(n):
        x, _ = item.getData()
        name += f" ({0 if x is None else len(x)} points)"
    elif hasattr(item, "points") and callable(item.points):
        name += f" ({len(item.points())} points)"
    return name


def repaint_costs(plot, repeats: int) -> list[list[str]]:  # noqa: ANN001
    """The synchronous repaint of ``plot`` (paused: nothing else runs), whole and with each of
    its visible items hidden in turn; an item's cost is the paired difference per round."""
    from benchmarks.common import Stats, paired_differences

    item = plot.plotItem
    candidates = list(item.items)
    candidates += [axis["item"] for axis in item.axes.values()]
    candidates += [child for child in item.vb.childItems() if isinstance(child, pg.TextItem)]
    candidates.append(item.titleLabel)
    visible = [c for c in dict.fromkeys(candidates) if c.isVisible()]
    viewport = plot.viewport()

    def repaint() -> float:
        started = time.perf_counter()
        viewport.repaint()
        return time.perf_counter() - started

    for _ in range(3):
        repaint()  # warm caches
    whole: list[float] = []
    without: dict[int, list[float]] = {i: [] for i in range(len(visible))}
    for _ in range(repeats):
        whole.append(repaint())
        for i, hidden in enumerate(visible):
            hidden.setVisible(False)
            without[i].append(repaint())
            hidden.setVisible(True)
    whole_stats = Stats(tuple(whole))
    rows = [["the whole plot", f"{whole_stats.median * 1000:.2f}"]]
    for i, hidden in enumerate(visible):
        cost = paired_differences(whole_stats, Stats(tuple(without[i])))
        rows.append([f"... {item_label(hidden)}", f"{cost.median * 1000:.2f}"])
    return rows


def profile_points(n: int, repeats: int, top: int) -> None:
    """cProfile of a change of the points, a paint-stroke move and an eraser move over ``n``
    moons points (paused, so only the GUI thread's own work is seen)."""
    from PySide6.QtTest import QTest

    from benchmarks import gui_scale
    from playground.state import AddPoints, Architecture

    catcher = harness.ProblemCatcher().start()
    harness.make_application()
    window = harness.open_window(WINDOW_SIZE)
    window.set_architecture(Architecture.from_units(gui_scale.NETWORKS["16-16"]))
    window.push_edit(gui_scale.moons_points(n))
    window.dataPlot.fit_to_points()
    wait(0.5)
    plot = window.dataPlot
    viewport = plot.viewport()
    start, end = gui_scale.data_line(window)
    left = gui_scale.LEFT
    no_modifier = gui_scale.NO_MODIFIER
    profiles = {}

    def change(profiler: cProfile.Profile) -> None:
        x0, y0, x1, y1 = plot.view_rect()
        for k in range(repeats):
            wait(0.05)
            point = np.array([[x0 + (x1 - x0) * (k + 1) / (repeats + 1), (y0 + y1) / 2]])
            profiler.enable()
            window.push_edit(AddPoints(point, np.array([k % 2])))
            viewport.repaint()
            profiler.disable()
        for _ in range(repeats):
            window.undo_stack.undo()

    def stroke(profiler: cProfile.Profile, erase: bool) -> None:
        plot.set_eraser(erase)
        steps = window.undo_stack.count()
        QTest.mousePress(viewport, left, no_modifier, start)
        for k in range(1, repeats + 1):
            pos = start + (end - start) * (k / repeats)
            profiler.enable()
            gui_scale.mouse_move(plot, pos, left)
            viewport.repaint()
            profiler.disable()
        QTest.mouseRelease(viewport, left, no_modifier, end)
        if window.undo_stack.count() > steps:
            window.undo_stack.undo()
        plot.set_eraser(False)
        wait(0.2)

    for name, action in (
        ("a change of the points (push_edit of one point + repaint)", change),
        ("a paint-stroke move (+ repaint)", lambda p: stroke(p, erase=False)),
        ("an eraser move (+ repaint)", lambda p: stroke(p, erase=True)),
    ):
        profiler = cProfile.Profile()
        action(profiler)
        profiles[name] = profiler
    harness.close_window(window)
    catcher.stop()

    print(f"# The GUI thread's work on {n:,} points (cProfile, paused)\n")
    print(f"`python benchmarks/gui_profile.py --points {n} --repeats {repeats}`, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, offscreen\n")  # fmt: skip
    for name, profiler in profiles.items():
        entries = pstats.Stats(profiler).stats
        total = sum(own for _, _, own, _, _ in entries.values())
        print(f"## {name}: {total / repeats * 1000:.1f} ms each (profiled)\n")
        ranked = sorted(entries.items(), key=lambda item: item[1][3], reverse=True)
        rows = [
            [function_name(key), str(value[1]), f"{value[3] / repeats * 1000:.2f}",
             f"{value[2] / repeats * 1000:.2f}"]
            for key, value in ranked[:top]
        ]  # fmt: skip
        print(markdown_table(["function", "calls", "ms each (cumulative)", "ms each (own)"], rows))
        print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the profile")
    parser.add_argument("--precision", choices=("float32", "float64"), default="float32")
    parser.add_argument("--top", type=int, default=TOP, help="rows of each function table")
    parser.add_argument(
        "--no-cprofile",
        action="store_true",
        help="train the same way without cProfile (for a sampling profiler such as py-spy)",
    )
    parser.add_argument(
        "--repaints", type=int, default=30, help="rounds of the per-item repaint costs"
    )
    parser.add_argument(
        "--points",
        type=int,
        help="instead: profile a change, a stroke move and an eraser move over this many points",
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="with --points: actions of each kind profiled"
    )
    parser.add_argument(
        "--save", type=Path, help="also write the GUI thread's cProfile statistics to this file"
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        help="created when the measured interval begins (to attach a sampling profiler then)",
    )
    args = parser.parse_args(argv)
    if args.points:
        profile_points(args.points, args.repeats, args.top)
        return

    catcher = harness.ProblemCatcher().start()
    harness.make_application()
    paints = PaintTimes()
    window = harness.open_window(WINDOW_SIZE)
    window.apply_preset(PRESET)
    hp = window.hyperparameters
    hp.epochs_per_refresh = MAX_EPOCHS_PER_REFRESH
    hp.precision = args.precision
    window.set_hyperparameters(hp)
    wait(0.3)

    snapshots = [0, 0]  # all, with a map

    def count(snapshot) -> None:  # noqa: ANN001
        snapshots[0] += 1
        snapshots[1] += snapshot.grid is not None

    window.controller.sigSnapshot.connect(count)
    window.train()
    wait_until(lambda: window.epoch >= WARM_EPOCHS, WARM_EPOCHS_TIMEOUT)
    wait(0.5)
    epoch0 = window.epoch
    snapshots[:] = [0, 0]
    gaps = GapRecorder()
    profiler = cProfile.Profile()
    gaps.start()
    paints.active = True
    if args.ready_file is not None:
        args.ready_file.touch()
    started = time.perf_counter()
    if not args.no_cprofile:
        profiler.enable()
    wait(args.seconds)
    profiler.disable()
    elapsed = time.perf_counter() - started
    paints.active = False
    gaps.stop()
    epochs = window.epoch - epoch0
    window.pause()
    wait(0.3)
    costs = {
        plot.objectName(): repaint_costs(plot, args.repaints)
        for plot in (
            window.dataPlot,
            window.metricsPlots.loss_plot,
            window.metricsPlots.accuracy_plot,
        )
    }
    harness.close_window(window)
    catcher.stop()

    if args.no_cprofile:
        gap = gaps.summary()
        print(
            f"Trained {elapsed:.1f} s without cProfile from epoch {epoch0:,}: {snapshots[0]} "
            f"snapshots ({snapshots[1]} with a map), {epochs / elapsed:.0f} epochs/s, GUI gaps "
            f"p50/p99/max {gap['gap_p50']:.1f}/{gap['gap_p99']:.1f}/{gap['gap_max']:.0f} ms.\n"
        )
        print_paint_times(paints, elapsed, max(1, snapshots[0]))
        print_repaint_costs(costs, args.repaints)
        return
    stats = pstats.Stats(profiler)
    if args.save is not None:
        stats.dump_stats(args.save)
    frames = max(1, snapshots[0])
    entries = stats.stats  # key -> (calls, primitive calls, own time, cumulative, callers)
    # The event loop's own time is its waiting (idle) and C++ work that calls no Python.
    loop_own = sum(
        own for (_, _, name), (_, _, own, _, _) in entries.items() if "QEventLoop" in name
    )
    busy = sum(own for _, _, own, _, _ in entries.values()) - loop_own
    gap = gaps.summary()

    command = f"python benchmarks/gui_profile.py --seconds {args.seconds:g}"
    if args.precision != "float32":
        command += f" --precision {args.precision}"
    print("# The GUI thread while the window trains (cProfile)\n")
    print(f"`{command}`, {time.strftime('%Y-%m-%d %H:%M')}, offscreen\n")
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print(
        f"\nThe article preset in {args.precision}, {MAX_EPOCHS_PER_REFRESH} epochs per "
        f"refresh; profiled for {elapsed:.1f} s: {snapshots[0]} snapshots "
        f"({snapshots[0] / elapsed:.1f} /s, {snapshots[1]} with a map to draw), "
        f"{epochs / elapsed:.0f} epochs/s (slowed by the profiler), measured from epoch "
        f"{epoch0:,}. The GUI thread was in Python code called from its event loop (and in "
        f"what that code called, Qt's drawing included) for {busy:.2f} s = "
        f"{busy / elapsed:.0%} of the wall time, {busy / frames * 1000:.1f} ms per snapshot; "
        f"the rest is the event loop's own time (idle, or C++ work that calls no Python). "
        f"GUI gaps p50/p99/max "
        f"{gap['gap_p50']:.1f}/{gap['gap_p99']:.1f}/{gap['gap_max']:.0f} ms.\n"
    )
    print_paint_times(paints, elapsed, frames)
    print_repaint_costs(costs, args.repaints)

    def per_frame(seconds: float) -> str:
        return f"{seconds / frames * 1000:.2f}"

    def share(seconds: float) -> str:
        return f"{seconds / elapsed:.1%}"

    print("By area (cumulative time of the function that stands for it):\n")
    rows = []
    for area, (file_end, name) in AREAS.items():
        found = [
            (calls, cumulative)
            for (filename, _, fname), (_, calls, _, cumulative, _) in entries.items()
            if filename.endswith(file_end) and fname == name
        ]
        if found:
            calls = sum(c for c, _ in found)
            cumulative = sum(t for _, t in found)
            rows.append([area, str(calls), per_frame(cumulative), share(cumulative)])
    print(markdown_table(["area", "calls", "ms per snapshot", "% of wall"], rows))

    for title, index in (("own time", 2), ("cumulative time", 3)):
        print(f"\nTop {args.top} by {title}:\n")
        ranked = sorted(entries.items(), key=lambda item: item[1][index], reverse=True)
        rows = [
            [function_name(key), str(value[1]), per_frame(value[index]), share(value[index])]
            for key, value in ranked[: args.top]
        ]
        print(markdown_table(["function", "calls", "ms per snapshot", "% of wall"], rows))
    catcher.print_report()


def print_paint_times(paints: PaintTimes, elapsed: float, frames: int) -> None:
    """Per widget: paint events, their median and total wall time (with what Qt draws)."""
    rows = []
    for name, times in sorted(paints.times.items(), key=lambda item: -sum(item[1])):
        total = sum(times)
        rows.append(
            [
                name,
                str(len(times)),
                f"{sorted(times)[len(times) // 2] * 1000:.2f}",
                f"{max(times) * 1000:.1f}",
                f"{total / frames * 1000:.2f}",
                f"{total / elapsed:.1%}",
            ]
        )
    print("Paint events of the plots (wall time of GraphicsView.paintEvent, Qt's drawing "
          "included):\n")  # fmt: skip
    headers = ["widget", "paints", "median ms", "max ms", "ms per snapshot", "% of wall"]
    print(markdown_table(headers, rows))
    print()


def print_repaint_costs(costs: dict[str, list[list[str]]], repeats: int) -> None:
    print(
        f"Repaint of each plot when paused (``viewport().repaint()``, median of {repeats} "
        f"rounds) and what each visible item adds (paired difference with it hidden):\n"
    )
    rows = [[name, *row] for name, plot_rows in costs.items() for row in plot_rows]
    print(markdown_table(["widget", "item", "ms"], rows, align="llr"))
    print()


if __name__ == "__main__":
    main()
