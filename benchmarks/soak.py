"""Soak: minutes of real use of the window, with memory, epochs, GUI gaps and every problem caught.

Run offscreen with ``python benchmarks/soak.py [--seconds S]`` (default 300). The window gets
the "The article" preset and then, for ``S`` seconds, all at once:

* a point is painted every 100 ms at a random place inside the view, alternating the classes:
  by default with a real mouse click on the data plot (left button for class 0, right button
  for class 1, through the plot's own stroke handling), or with ``--edits api`` by
  ``window.push_edit(AddPoints(...))``;
* every 10th edit is undone (``window.undo_stack.undo()``) right after it was made;
* training is toggled (``window.pause()`` / ``window.train()``) every 50 ms;
* a 10 ms QTimer records the GUI thread's gaps, and resident memory is sampled every second.

It prints a markdown table: resident memory (RSS) at the start and the end of the soak, its
growth and its peak, epochs trained, edits and undos made, the gaps' p50/p99/max, and how many
Python warnings, Qt warnings and tracebacks were caught (see ``ProblemCatcher``), then every
problem caught. Issue 9's target: RSS growth <= 50 MB over 5 minutes, and no warning or
traceback.

``--diagnose`` also traces Python and NumPy allocations (``tracemalloc``; it slows everything
down) and counts objects by type, and prints where memory grew between the start and the end.

Nothing here is part of the test suite's pass/fail.
"""

import argparse
import dataclasses
import gc
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root is where `benchmarks` is
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks.window_harness as harness  # noqa: I001 (first: sets Qt up for a headless run)
import numpy as np
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest

from benchmarks.common import format_machine, machine_info, markdown_table
from benchmarks.window_harness import (
    MiB,
    GapRecorder,
    ProblemCatcher,
    format_mib,
    app_rss_bytes,
    peak_rss_bytes,
    rss_bytes,
    training_process_rss_bytes,
    wait,
)
from playground.state import MAX_EPOCHS_PER_REFRESH, AddPoints

PAINT_MS = 100
TOGGLE_MS = 50
UNDO_EVERY = 10
RSS_SAMPLE_MS = 1000
TARGET_GROWTH_MB = 50
PRESET = "The article"


class Soak:
    """Drives the window (see the module docstring) and keeps count."""

    def __init__(
        self,
        window,  # noqa: ANN001
        edits: str,
        seed: int,
        paint_ms: int = PAINT_MS,
        toggle_ms: int = TOGGLE_MS,
        undo_every: int = UNDO_EVERY,
    ):
        self.window = window
        self.edits_mode = edits
        self.undo_every = undo_every
        self.rng = np.random.default_rng(seed)
        self.edits = 0
        self.undos = 0
        self.toggles = 0
        self.epochs = 0
        self.rss_samples: list[tuple[float, int, int, int]] = []  # time, RSS, gaps, epochs
        self.gaps = GapRecorder()
        self._started = 0.0
        self._timers = []
        for interval, slot in (
            (paint_ms, self.paint),
            (toggle_ms, self.toggle),
            (RSS_SAMPLE_MS, self.sample_rss),
        ):
            if interval <= 0:
                continue  # that action is switched off
            timer = QTimer()
            timer.setInterval(interval)
            timer.timeout.connect(slot)
            self._timers.append(timer)
        window.controller.sigSnapshot.connect(self.count_epochs)

    def start(self) -> None:
        self._started = time.perf_counter()
        self.sample_rss()
        self.gaps.start()
        for timer in self._timers:
            timer.start()

    def stop(self) -> None:
        for timer in self._timers:
            timer.stop()
        self.gaps.stop()
        self.sample_rss()

    # -- the user's actions

    def paint(self) -> None:
        label = self.edits % 2
        if self.edits_mode == "mouse":
            plot = self.window.dataPlot
            area = plot.mapFromScene(plot.plotItem.vb.sceneBoundingRect()).boundingRect()
            area = area.adjusted(8, 8, -8, -8)
            x = int(self.rng.integers(area.left(), area.right()))
            y = int(self.rng.integers(area.top(), area.bottom()))
            button = Qt.MouseButton.LeftButton if label == 0 else Qt.MouseButton.RightButton
            QTest.mouseClick(plot.viewport(), button, Qt.KeyboardModifier.NoModifier, QPoint(x, y))
        else:
            x0, y0, x1, y1 = self.window.dataPlot.view_rect()
            point = [[self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)]]
            self.window.push_edit(AddPoints(np.array(point), np.array([label])))
        self.edits += 1
        if self.undo_every and self.edits % self.undo_every == 0:
            self.window.undo_stack.undo()
            self.undos += 1

    def toggle(self) -> None:
        if self.window.is_training:
            self.window.pause()
        else:
            self.window.train()
        self.toggles += 1

    # -- what is measured

    def count_epochs(self, snapshot) -> None:  # noqa: ANN001
        if not snapshot.history_replaced:
            self.epochs += len(snapshot.epochs)

    def sample_rss(self) -> None:
        elapsed = time.perf_counter() - self._started
        rss = app_rss_bytes(self.window)
        self.rss_samples.append((elapsed, rss, len(self.gaps.gaps), self.epochs))


def mouse_click_point_count(window) -> int:  # noqa: ANN001
    """How many points one click of the soak adds (checks that the clicks reach the plot)."""
    before = len(window.points)
    plot = window.dataPlot
    centre = plot.mapFromScene(plot.plotItem.vb.sceneBoundingRect().center())
    QTest.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(centre.x(), centre.y()))  # fmt: skip
    added = len(window.points) - before
    if added:
        window.undo_stack.undo()
    return added


def interval_rows(soak: Soak, intervals: int = 10) -> list[list[str]]:
    """RSS at about ``intervals`` evenly spaced samples, with the gaps and epochs between."""
    samples = soak.rss_samples
    step = max(1, (len(samples) - 1) // intervals)
    picked = samples[::step]
    if picked[-1] is not samples[-1]:
        if samples[-1][0] - picked[-1][0] < 0.5:  # the last sample, taken as the soak stopped
            picked.pop()
        picked.append(samples[-1])
    rows = []
    previous = picked[0]
    for sample in picked:
        t, rss, n_gaps, epochs = sample
        gaps = soak.gaps.gaps[previous[2] : n_gaps]
        rate = (epochs - previous[3]) / (t - previous[0]) if t > previous[0] else 0.0
        stats = [f"{harness.percentile(gaps, q):.0f} ms" if gaps else "-" for q in (50, 99, 100)]
        rows.append([f"{t:.0f} s", format_mib(rss), f"{(rss - picked[0][1]) / MiB:+.0f} MB",
                     *stats, f"{rate:.0f}" if t > previous[0] else "-"])  # fmt: skip
        previous = sample
    return rows


def object_counts() -> Counter[str]:
    gc.collect()
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the soak")
    parser.add_argument(
        "--edits",
        choices=("mouse", "api"),
        default="mouse",
        help="paint with real mouse clicks on the plot (default) or window.push_edit",
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds the painted positions")
    parser.add_argument(
        "--paint-ms", type=int, default=PAINT_MS, help="ms between two edits (0: no edits)"
    )
    parser.add_argument(
        "--toggle-ms",
        type=int,
        default=TOGGLE_MS,
        help="ms between two pause/train toggles (0: train all the time)",
    )
    parser.add_argument(
        "--undo-every", type=int, default=UNDO_EVERY, help="undo every n-th edit (0: never)"
    )
    parser.add_argument(
        "--fastest",
        action="store_true",
        help="train at the fastest speed setting instead of the preset's",
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="trace allocations (tracemalloc) and count objects; slows everything down",
    )
    args = parser.parse_args(argv)

    catcher = ProblemCatcher().start()
    app = harness.make_application()
    window = harness.open_window()
    rss_window = rss_bytes()
    window.apply_preset(PRESET)
    if args.fastest:
        window.set_hyperparameters(
            dataclasses.replace(window.hyperparameters, epochs_per_refresh=MAX_EPOCHS_PER_REFRESH)
        )
    wait(0.5)
    if args.edits == "mouse" and mouse_click_point_count(window) != 1:
        raise SystemExit("a mouse click on the data plot did not add exactly one point.")
    window.train()
    wait(1.0)  # the first epochs and maps: buffers that any use allocates

    soak = Soak(window, args.edits, args.seed, args.paint_ms, args.toggle_ms, args.undo_every)
    if args.diagnose:
        tracemalloc.start(10)
        objects_before = object_counts()
        traced_before = tracemalloc.take_snapshot()
    started = time.perf_counter()
    soak.start()
    wait(args.seconds)
    soak.stop()
    elapsed = time.perf_counter() - started
    if args.diagnose:
        traced_after = tracemalloc.take_snapshot()
        objects_after = object_counts()
        tracemalloc.stop()
    window.pause()
    wait(0.3)
    buffers = harness.engine_buffer_bytes(window) if args.diagnose else None
    trimmed = harness.trim_malloc()
    rss_trimmed = rss_bytes()
    training_rss = training_process_rss_bytes(window)
    training_peak = training_process_rss_bytes(window, peak=True)
    final_epoch = window.epoch
    n_points = len(window.points)
    undo_steps = window.undo_stack.count()
    harness.close_window(window)
    catcher.stop()
    del app

    rss_start, rss_end = soak.rss_samples[0][1], soak.rss_samples[-1][1]
    growth = rss_end - rss_start
    peak = max(sample[1] for sample in soak.rss_samples)
    gaps = soak.gaps.summary()
    problems = catcher.warning_count + catcher.qt_count("warning", "critical", "fatal")
    problems += catcher.traceback_count
    stderr_lines = [line for line in catcher.stderr_text.splitlines() if line.strip()]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    command = f"python benchmarks/soak.py --seconds {args.seconds:g}"
    if args.edits != "mouse":
        command += f" --edits {args.edits}"
    for option, value, default in (
        ("--paint-ms", args.paint_ms, PAINT_MS),
        ("--toggle-ms", args.toggle_ms, TOGGLE_MS),
        ("--undo-every", args.undo_every, UNDO_EVERY),
    ):
        if value != default:
            command += f" {option} {value}"
    if args.fastest:
        command += " --fastest"
    print("# NN Playground soak\n")
    print(f"`{command}`, {time.strftime('%Y-%m-%d %H:%M')}, offscreen\n")
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print()
    how = "mouse clicks on the data plot" if args.edits == "mouse" else "window.push_edit"
    painting = (
        f"a point painted every {args.paint_ms} ms ({how}, alternating classes)"
        if args.paint_ms > 0
        else "no point painted"
    )
    undoing = f"every {args.undo_every}th edit undone" if args.undo_every else "no undo"
    toggling = (
        f"training toggled every {args.toggle_ms} ms"
        if args.toggle_ms > 0
        else "training all the time"
    )
    speed = "at the fastest speed" if args.fastest else "at its speed"
    print(
        f"The {PRESET!r} preset {speed}; for {elapsed:.0f} s {painting}, {undoing}, {toggling}. "
        f"RSS (the window's process and its training process together) sampled every "
        f"{RSS_SAMPLE_MS / 1000:g} s from the start of the soak (the window with the preset, "
        f"after 1 s of training).\n"
    )
    rows = [
        ["RSS, window shown (before the preset)", format_mib(rss_window), "-"],
        ["RSS at the start of the soak", format_mib(rss_start), "-"],
        ["RSS at the end", format_mib(rss_end), "-"],
        [
            "RSS growth",
            f"{growth / MiB:+.0f} MB",
            f"<= {TARGET_GROWTH_MB} MB: {verdict(growth <= TARGET_GROWTH_MB * MiB)}",
        ],
        [
            "RSS of the window's process at the end, after malloc_trim(0)",
            format_mib(rss_trimmed) if trimmed else "no glibc",
            "-",
        ],
        ["RSS of the training process at the end", format_mib(training_rss), "-"],
        ["peak RSS during the soak (1 s samples)", format_mib(peak), "-"],
        ["peak RSS of the window's process (VmHWM)", format_mib(peak_rss_bytes()), "-"],
        ["peak RSS of the training process (VmHWM)", format_mib(training_peak), "-"],
        ["epochs trained", f"{soak.epochs:,} (run at epoch {final_epoch:,})", "-"],
        [
            "edits made / undone",
            f"{soak.edits:,} / {soak.undos:,} ({n_points:,} points, {undo_steps} undo steps)",
            "-",
        ],
        ["pause/train toggles", f"{soak.toggles:,}", "-"],
        ["GUI gap (10 ms timer), p50", f"{gaps['gap_p50']:.1f} ms", "-"],
        ["GUI gap, p99", f"{gaps['gap_p99']:.1f} ms", "-"],
        ["GUI gap, max", f"{gaps['gap_max']:.0f} ms", "-"],
        ["Python warnings", str(catcher.warning_count), "0"],
        ["Qt warnings (and worse)", str(catcher.qt_count("warning", "critical", "fatal")), "0"],
        ["tracebacks on stderr", str(catcher.traceback_count), "0"],
        ["other lines on stderr", str(len(stderr_lines)), "-"],
        ["no warning or traceback", "yes" if problems == 0 else "no", verdict(problems == 0)],
    ]
    print(markdown_table(["quantity", "measured", "target"], rows))

    print("\nOver the soak (gaps and epochs within each interval):\n")
    print(markdown_table(["time", "RSS", "growth", "gap p50", "gap p99", "gap max", "epochs/s"],
                         interval_rows(soak)))  # fmt: skip
    print()

    caught = catcher.report_lines()
    if caught:
        print("\nCaught:\n")
        print("\n".join("    " + line for line in caught))

    if args.diagnose:
        print_diagnosis(traced_before, traced_after, objects_before, objects_after)
        print(f"\nThe engine's buffers at the end: {buffers}.")
    return 0


def print_diagnosis(traced_before, traced_after, objects_before, objects_after) -> None:  # noqa: ANN001
    """Where memory grew: tracemalloc's top differences by line, and object counts by type."""
    print("\nTraced allocations (Python and NumPy), largest growth by line:\n")
    stats = traced_after.compare_to(traced_before, "lineno")
    rows = [
        [str(stat.traceback[0]), f"{stat.size_diff / MiB:+.1f} MB", f"{stat.count_diff:+,}"]
        for stat in stats[:15]
    ]
    print(markdown_table(["allocated at", "growth", "blocks"], rows))
    total = sum(stat.size_diff for stat in stats)
    print(f"\nTotal traced growth: {total / MiB:+.1f} MB.")
    print("\nLargest growth with its call stack:\n")
    for stat in traced_after.compare_to(traced_before, "traceback")[:3]:
        print(f"    {stat.size_diff / MiB:+.1f} MB in {stat.count_diff:+,} blocks:")
        for line in stat.traceback.format()[-12:]:
            print("      " + line)
    print("\nObjects by type, largest growth:\n")
    growth = Counter(objects_after)
    growth.subtract(objects_before)
    rows = [[name, f"{n:+,}", f"{objects_after[name]:,}"] for name, n in growth.most_common(12)]
    print(markdown_table(["type", "growth", "at the end"], rows))


if __name__ == "__main__":
    raise SystemExit(main())
