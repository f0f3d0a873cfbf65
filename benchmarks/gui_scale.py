"""The window at scale (``python benchmarks/gui.py --scale``): points × networks, drawing, painting.

For every point count (moons, noise 0.2, 10 % test; 1k, 10k, 50k and 100k points, pushed as
one ``ReplacePoints`` since generated data sets stop at 5000) the window first measures, paused:

* a change of the points: ``window.push_edit`` of one painted point (the document, the
  scatters' ``setData``, the copy for the worker) and the data plot's repaint that follows
  (``viewport().repaint()``, synchronous); median of CHANGES changes;
* a paint stroke: a left-button drag across the plot with real mouse events, one new point per
  move; each move is the event plus the repaint it causes, with the event loop run between
  moves as a user's moves would; stroke updates per second = moves ÷ the loop's wall time;
  the same stroke while the 2-16-16-1 network trains;
* an eraser stroke across the densest part of the data: milliseconds per move (event and
  repaint), hitting points at every move.

Then, for every network (2-16-16-1, the article's 2-25-50-50-25-1, and six hidden layers of
256; ReLU, full-batch SGD 0.01, float32, the fastest speed), it trains in the window:

* start-up (until the first epoch is reported, plus WARM_UP_SECONDS) is not measured;
* for ``--seconds`` (longer if fewer than MIN_EPOCHS epochs were reported, up to
  MAX_CELL_SECONDS): epochs per second (between the first and the last snapshot that reported
  epochs), GUI-timer gaps p50/p99/max, decision maps computed per second, peak RSS;
* Pause: from ``window.pause()`` to the worker handling it (the worker's ``_on_pause`` wrapped
  to note the time) and to the GUI receiving the first snapshot with ``running=False``; once
  after the run above, then again after training for each of PAUSE_AFTER_SECONDS (so that
  the pause falls at other points of a long epoch): medians and the largest of these;
* headless: the engine alone on the same data and network for as long, one BLAS thread.

Last, quit: the last cell's network trains again and, QUIT_AFTER_SECONDS after its first
epoch was reported (inside an epoch where epochs take seconds), the window is closed;
``window.close()`` returns once the training thread has stopped.

Issue 13's targets: every cell p99 gap <= 50 ms, max <= 250 ms, pause within 0.3 s; a change of
100k points costs the GUI thread <= 30 ms; >= 30 stroke updates per second and <= 50 ms per
eraser move over 100k points.
"""

import argparse
import statistics
import time

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import benchmarks.window_harness as harness
import nn_engine
from benchmarks.common import format_machine, format_number, machine_info, markdown_table
from benchmarks.window_harness import (
    GapRecorder,
    app_rss_bytes,
    format_mib,
    percentile,
    wait,
    wait_until,
)
from playground.state import (
    MAX_EPOCHS_PER_REFRESH,
    AddPoints,
    Architecture,
    Hyperparameters,
    ReplacePoints,
)

POINT_COUNTS = (1_000, 10_000, 50_000, 100_000)
NETWORKS = {"16-16": (16, 16), "article": (25, 50, 50, 25), "6x256": (256,) * 6}
NETWORK_NAMES = {"16-16": "2-16-16-1", "article": "2-25-50-50-25-1", "6x256": "2-6×256-1"}
DEFAULT_SECONDS = 3.0
WARM_UP_SECONDS = 0.5
MIN_EPOCHS = 2
MAX_CELL_SECONDS = 30.0
FIRST_EPOCH_TIMEOUT = 120.0
CHANGES = 15
STROKE_MOVES = 30
ERASER_MOVES = 30
TEST_FRACTION = 0.1
# After the measured run's pause, training resumes for each of these many seconds and pauses
# again: a pause lands at various points of an epoch that lasts seconds.
PAUSE_AFTER_SECONDS = (0.3, 0.7)
QUIT_AFTER_SECONDS = 1.0

TARGET_GAP_P99_MS = 50
TARGET_GAP_MAX_MS = 250
TARGET_PAUSE_S = 0.3
TARGET_CHANGE_MS = 30
TARGET_STROKE_PER_S = 30
TARGET_ERASER_MS = 50
TARGET_POINTS = 100_000  # the drawing and painting targets are for this many points

LEFT = Qt.MouseButton.LeftButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def scale_hyperparameters() -> Hyperparameters:
    """The article's training (full-batch SGD 0.01, its init, seed 2) in float32, fastest."""
    return Hyperparameters(
        optimizer="sgd",
        learning_rate=0.01,
        batch_size=0,
        init="seed",
        seed=2,
        epochs_per_refresh=MAX_EPOCHS_PER_REFRESH,
        precision="float32",
    )


def moons_points(n: int) -> ReplacePoints:
    X, y = nn_engine.datasets.moons(n, noise=0.2, seed=0)
    is_test = np.random.default_rng(0).random(n) < TEST_FRACTION
    return ReplacePoints(X, y, is_test, text=f"Moons, {n:,} points")


# ------------------------------------------------------------------------------- the mouse


def to_px(plot, x: float, y: float) -> QPoint:  # noqa: ANN001
    """Viewport pixel of the data coordinate (x, y)."""
    return plot.mapFromScene(plot.plotItem.vb.mapViewToScene(QPointF(x, y)))


def mouse_move(plot, pos: QPoint, buttons: Qt.MouseButton) -> None:  # noqa: ANN001
    """A mouse move carrying the pressed buttons (QTest.mouseMove does not carry them)."""
    viewport = plot.viewport()
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(viewport.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        buttons,
        NO_MODIFIER,
    )
    QApplication.sendEvent(viewport, event)


def drag(plot, start: QPoint, end: QPoint, moves: int) -> dict[str, float]:  # noqa: ANN001
    """Press at ``start``, ``moves`` moves to ``end``, release; timings in ms and a rate.

    Each move is timed with the synchronous repaint it causes; between moves the event loop
    runs (snapshots are drawn as they come), and ``per_second`` is moves ÷ the loop's time.
    The release (which emits the stroke as one edit, applied by the window) is timed with
    its repaint too.
    """
    viewport = plot.viewport()
    QTest.mousePress(viewport, LEFT, NO_MODIFIER, start)
    viewport.repaint()
    move_ms = []
    started = time.perf_counter()
    for k in range(1, moves + 1):
        pos = start + (end - start) * (k / moves)
        t0 = time.perf_counter()
        mouse_move(plot, pos, LEFT)
        viewport.repaint()
        move_ms.append((time.perf_counter() - t0) * 1000)
        QApplication.processEvents()
    loop_seconds = time.perf_counter() - started
    t0 = time.perf_counter()
    QTest.mouseRelease(viewport, LEFT, NO_MODIFIER, end)
    viewport.repaint()
    release_ms = (time.perf_counter() - t0) * 1000
    return {
        "move_ms": statistics.median(move_ms),
        "move_p90_ms": percentile(move_ms, 90),
        "per_second": moves / loop_seconds,
        "release_ms": release_ms,
    }


def data_line(window) -> tuple[QPoint, QPoint]:  # noqa: ANN001
    """A horizontal line across both moons (y = 0.25, x from -1 to 2), in viewport pixels."""
    plot = window.dataPlot
    return to_px(plot, -1.0, 0.25), to_px(plot, 2.0, 0.25)


def measure_stroke(window) -> dict[str, float]:  # noqa: ANN001
    """A paint stroke across the data; undone afterwards."""
    start, end = data_line(window)
    steps_before = window.undo_stack.count()
    result = drag(window.dataPlot, start, end, STROKE_MOVES)
    if window.undo_stack.count() > steps_before:
        window.undo_stack.undo()
    wait(0.2)
    return result


def measure_eraser(window) -> dict[str, float]:  # noqa: ANN001
    """An eraser stroke across the data; undone afterwards."""
    plot = window.dataPlot
    plot.set_eraser(True)
    start, end = data_line(window)
    steps_before = window.undo_stack.count()
    n_before = len(window.points)
    result = drag(plot, start, end, ERASER_MOVES)
    result["erased"] = n_before - len(window.points)
    if window.undo_stack.count() > steps_before:
        window.undo_stack.undo()
    plot.set_eraser(False)
    wait(0.2)
    return result


def measure_change(window) -> dict[str, float]:  # noqa: ANN001
    """``push_edit`` of one point and the data plot's repaint, CHANGES times; then undone."""
    plot = window.dataPlot
    x0, y0, x1, y1 = plot.view_rect()
    rng = np.random.default_rng(1)
    edit_ms, paint_ms = [], []
    for k in range(CHANGES):
        point = np.array([[rng.uniform(x0, x1), rng.uniform(y0, y1)]])
        wait(0.05)  # whatever the last change started elsewhere settles
        t0 = time.perf_counter()
        window.push_edit(AddPoints(point, np.array([k % 2])))
        t1 = time.perf_counter()
        plot.viewport().repaint()
        t2 = time.perf_counter()
        edit_ms.append((t1 - t0) * 1000)
        paint_ms.append((t2 - t1) * 1000)
    for _ in range(CHANGES):
        window.undo_stack.undo()
    wait(0.2)
    total = [a + b for a, b in zip(edit_ms, paint_ms, strict=True)]
    return {
        "edit_ms": statistics.median(edit_ms),
        "paint_ms": statistics.median(paint_ms),
        "total_ms": statistics.median(total),
        "total_max_ms": max(total),
    }


# ------------------------------------------------------------------------------- training


class TrainingProbe:
    """Watches the window's snapshots and the worker's pause (see the module docstring)."""

    def __init__(self, window):  # noqa: ANN001
        self.window = window
        self.snapshots: list[tuple[float, int, bool]] = []  # (time, epoch, running)
        self.pause_requested: float | None = None
        self.worker_paused: float | None = None
        worker = window.worker
        handle_pause = worker._on_pause  # the worker looks its handlers up by name

        def on_pause(serial: int) -> None:
            if self.pause_requested is not None and self.worker_paused is None:
                self.worker_paused = time.perf_counter()
            handle_pause(serial)

        worker._on_pause = on_pause
        window.controller.sigSnapshot.connect(self._on_snapshot)

    def _on_snapshot(self, snapshot) -> None:  # noqa: ANN001
        self.snapshots.append((time.perf_counter(), snapshot.epoch, snapshot.running))

    def epochs_per_second(self, since: float, until: float) -> float:
        """Epochs between the first and the last snapshot of [since, until] that reported new
        epochs, divided by the time between them."""
        inside = [(t, e) for t, e, running in self.snapshots if since <= t <= until and running]
        changes = [inside[0]] if inside else []
        for t, e in inside[1:]:
            if e != changes[-1][1]:
                changes.append((t, e))
        if len(changes) < 2:
            return float("nan")
        (t0, e0), (t1, e1) = changes[0], changes[-1]
        return (e1 - e0) / (t1 - t0)

    def pause(self) -> tuple[float, float]:
        """Press Pause; seconds until the worker handled it, and until the GUI was told."""
        self.worker_paused = None
        mark = len(self.snapshots)
        self.pause_requested = time.perf_counter()
        self.window.pause()
        wait_until(
            lambda: any(not running for _, _, running in self.snapshots[mark:]),
            FIRST_EPOCH_TIMEOUT,
        )
        shown = next((t for t, _, running in self.snapshots[mark:] if not running), float("nan"))
        requested, self.pause_requested = self.pause_requested, None
        worker = float("nan") if self.worker_paused is None else self.worker_paused - requested
        return worker, shown - requested


def measure_quit(window) -> float:  # noqa: ANN001
    """Seconds ``window.close()`` takes while training (see the module docstring)."""
    window.train()
    epoch = window.epoch
    wait_until(lambda: window.epoch > epoch, FIRST_EPOCH_TIMEOUT)
    wait(QUIT_AFTER_SECONDS)
    started = time.perf_counter()
    window.close()
    return time.perf_counter() - started


def train_cell(window, probe: TrainingProbe, seconds: float) -> dict[str, float]:  # noqa: ANN001
    """Train the window's current network (see the module docstring)."""
    peak = [app_rss_bytes(window)]
    ticks = [0]

    def sample() -> None:
        ticks[0] += 1
        if ticks[0] % 10 == 0:
            peak[0] = max(peak[0], app_rss_bytes(window))

    gaps = GapRecorder(on_tick=sample)
    window.train()
    epoch_start = window.epoch
    wait_until(lambda: window.epoch > epoch_start, FIRST_EPOCH_TIMEOUT)
    wait(WARM_UP_SECONDS)
    epoch0, grids0 = window.epoch, window.worker.grids_evaluated
    started = time.perf_counter()
    gaps.start()
    wait(seconds)
    wait_until(lambda: window.epoch - epoch0 >= MIN_EPOCHS, max(0.0, MAX_CELL_SECONDS - seconds))
    ended = time.perf_counter()
    gaps.stop()
    epochs = window.epoch - epoch0
    grids = window.worker.grids_evaluated - grids0
    pauses = [probe.pause()]
    for delay in PAUSE_AFTER_SECONDS:
        window.train()
        wait(delay)
        pauses.append(probe.pause())
    worker_pauses, shown_pauses = zip(*pauses, strict=True)
    peak[0] = max(peak[0], app_rss_bytes(window))
    return {
        **gaps.summary(),
        "seconds": ended - started,
        "epochs_per_second": probe.epochs_per_second(started, ended),
        "epochs": epochs,
        "grids_per_second": grids / (ended - started),
        "pause_worker_s": statistics.median(worker_pauses),
        "pause_shown_s": statistics.median(shown_pauses),
        "pause_shown_max_s": max(shown_pauses),
        "rss_peak": peak[0],
    }


def headless_rate(points: ReplacePoints, units, seconds: float) -> float:  # noqa: ANN001
    """Epochs per second of the engine alone on the same data and network (after one epoch
    of warm-up), for ``seconds`` and at least MIN_EPOCHS epochs."""
    X, y, test = points.X, points.labels, points.is_test
    hp = scale_hyperparameters()
    net = nn_engine.Network(Architecture.from_units(units).to_engine(), **hp.network_kwargs())
    trainer = nn_engine.Trainer(
        net, X[~test], y[~test], validation_data=(X[test], y[test]), **hp.trainer_kwargs()
    )
    with nn_engine.single_blas_thread():
        trainer.step_epoch()
        epochs = 0
        started = time.perf_counter()
        while True:
            trainer.step_epoch()
            epochs += 1
            elapsed = time.perf_counter() - started
            if (elapsed >= seconds and epochs >= MIN_EPOCHS) or elapsed >= MAX_CELL_SECONDS:
                return epochs / elapsed


# ----------------------------------------------------------------------------------- report


def missed(cell: dict[str, float]) -> str:
    problems = []
    if not cell["gap_p99"] <= TARGET_GAP_P99_MS:
        problems.append("p99")
    if not cell["gap_max"] <= TARGET_GAP_MAX_MS:
        problems.append("max")
    if not cell["pause_worker_s"] <= TARGET_PAUSE_S:
        problems.append("pause")
    return ", ".join(problems) or "none"


def window_rate(cell: dict[str, float]) -> str:
    """Epochs per second in the window; with few epochs, how many in how long."""
    rate = cell["epochs_per_second"]
    if cell["epochs"] >= 5 and rate == rate:
        return format_number(rate)
    shown = format_number(rate) + ", " if rate == rate else ""
    return f"{shown}{cell['epochs']} in {cell['seconds']:.0f} s"


def ms(value: float) -> str:
    return f"{format_number(value)} ms"


def scale_main(args: argparse.Namespace) -> None:
    seconds = DEFAULT_SECONDS if args.seconds is None else args.seconds
    counts = [int(n) for n in args.points.split(",")] if args.points else list(POINT_COUNTS)
    keys = args.networks.split(",") if args.networks else list(NETWORKS)
    unknown = set(keys) - set(NETWORKS)
    if unknown:
        raise SystemExit(f"--networks must be among {', '.join(NETWORKS)}, got {unknown}.")
    first_key = keys[0]

    catcher = harness.ProblemCatcher().start()
    harness.make_application()
    window = harness.open_window()
    probe = TrainingProbe(window)
    window.set_hyperparameters(scale_hyperparameters())
    run_started = time.perf_counter()

    cells, drawing = [], []
    for n in counts:
        # A small network first, untrained: no measurement of the new points competes below.
        window.set_architecture(Architecture.from_units(NETWORKS[first_key]))
        points = moons_points(n)
        window.push_edit(points)
        window.dataPlot.fit_to_points()
        wait(0.5)
        row = {"points": n, **measure_change(window)}
        row["stroke"] = measure_stroke(window)
        row["eraser"] = measure_eraser(window)
        for key in keys:
            window.set_architecture(Architecture.from_units(NETWORKS[key]))
            wait(0.3)
            if key == first_key:
                window.train()
                wait(WARM_UP_SECONDS)
                row["stroke_training"] = measure_stroke(window)
                probe.pause()
                window.reset()
                wait(0.3)
            if args.drawing_only:
                break
            cell = train_cell(window, probe, seconds)
            cell["headless"] = headless_rate(points, NETWORKS[key], seconds)
            cell.update(points=n, network=NETWORK_NAMES[key])
            cells.append(cell)
            print(f"... {n:,} points, {NETWORK_NAMES[key]}: {missed(cell)} missed", flush=True)
        drawing.append(row)
    total = time.perf_counter() - run_started
    buffers = harness.engine_buffer_bytes(window)
    rss_end = app_rss_bytes(window)
    quit_seconds = measure_quit(window)
    harness.close_window(window)
    catcher.stop()

    command = f"python benchmarks/gui.py --scale --seconds {seconds:g}"
    if args.points:
        command += f" --points {args.points}"
    if args.networks:
        command += f" --networks {args.networks}"
    if args.drawing_only:
        command += " --drawing-only"
    print("\n# NN Playground at scale\n")
    print(f"`{command}`, {time.strftime('%Y-%m-%d %H:%M')}, offscreen, {total:.0f} s\n")
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print(
        f"\nTraining: moons (noise 0.2, {TEST_FRACTION:.0%} test), ReLU, full-batch SGD 0.01, "
        f"float32, {MAX_EPOCHS_PER_REFRESH} epochs per refresh; one run of {seconds:g} s per "
        f"cell (longer where fewer than {MIN_EPOCHS} epochs came), after the first epoch and "
        f"{WARM_UP_SECONDS:g} s; headless for as long right after. Pause: until the worker "
        f"handled it / until the GUI got the paused snapshot, medians of "
        f"{len(PAUSE_AFTER_SECONDS) + 1} pauses (after the run, then after resuming for "
        f"{' and '.join(f'{s:g}' for s in PAUSE_AFTER_SECONDS)} s), and the largest. "
        f"RSS: peak of the window's process and its training process together during the "
        f"cell (sampled every 100 ms). Targets: p99 <= {TARGET_GAP_P99_MS} ms, "
        f"max <= {TARGET_GAP_MAX_MS} ms, pause <= {TARGET_PAUSE_S} s.\n"
    )
    rows = [
        [
            f"{cell['points']:,}",
            cell["network"],
            window_rate(cell),
            format_number(cell["headless"]),
            f"{cell['epochs_per_second'] / cell['headless']:.0%}",
            f"{cell['gap_p50']:.1f}",
            f"{cell['gap_p99']:.0f}",
            f"{cell['gap_max']:.0f}",
            f"{cell['grids_per_second']:.1f}",
            f"{cell['pause_worker_s']:.2f} / {cell['pause_shown_s']:.2f} s "
            f"(max {cell['pause_shown_max_s']:.2f})",
            format_mib(cell["rss_peak"]),
            missed(cell),
        ]
        for cell in cells
    ]
    headers = [
        "points", "network", "epochs/s window", "headless", "window ÷ headless",
        "gap p50 ms", "p99", "max", "maps/s", "pause", "RSS", "targets missed",
    ]  # fmt: skip
    print(markdown_table(headers, rows, align="ll" + "r" * 9 + "l"))

    print(
        f"\nDrawing and painting, paused unless said (medians; a change: push_edit of one "
        f"point + the plot's repaint, {CHANGES} changes; strokes of {STROKE_MOVES} and "
        f"{ERASER_MOVES} moves; the stroke while training uses "
        f"{NETWORK_NAMES[first_key]}). Targets at {TARGET_POINTS:,} points: a change "
        f"<= {TARGET_CHANGE_MS} ms, >= {TARGET_STROKE_PER_S} stroke updates/s, an eraser move "
        f"<= {TARGET_ERASER_MS} ms.\n"
    )
    rows = []
    for row in drawing:
        stroke, training, eraser = row["stroke"], row["stroke_training"], row["eraser"]
        verdicts = []
        if row["points"] >= TARGET_POINTS:
            verdicts += [
                "change" if row["total_ms"] > TARGET_CHANGE_MS else "",
                "stroke" if min(stroke["per_second"], training["per_second"]) < 30 else "",
                "eraser" if eraser["move_ms"] > TARGET_ERASER_MS else "",
            ]
        rows.append(
            [
                f"{row['points']:,}",
                f"{ms(row['total_ms'])} ({format_number(row['edit_ms'])} + "
                f"{format_number(row['paint_ms'])})",
                f"{stroke['per_second']:.0f} /s ({ms(stroke['move_ms'])})",
                f"{training['per_second']:.0f} /s ({ms(training['move_ms'])})",
                ms(stroke["release_ms"]),
                f"{ms(eraser['move_ms'])} (p90 {format_number(eraser['move_p90_ms'])}; "
                f"{eraser['erased']:,} erased)",
                ms(eraser["release_ms"]),
                ", ".join(v for v in verdicts if v) or ("none" if verdicts else "-"),
            ]
        )
    headers = [
        "points", "a change (edit + repaint)", "stroke updates (per move)",
        "... while training", "stroke release", "eraser move", "eraser release",
        "targets missed",
    ]  # fmt: skip
    print(markdown_table(headers, rows, align="l" + "r" * 6 + "l"))
    print(
        f"\nAt the end ({format_mib(rss_end)} RSS, both processes), the training worker's "
        f"networks in the window's process held these buffers (workspaces; runs replaced by a "
        f"new network are kept for undo; the training process holds the trainer's own): "
        f"{buffers}."
    )
    if cells:  # --drawing-only measures no training cell, and no quit
        print(
            f"\nQuit while {cells[-1]['network']} trains on {cells[-1]['points']:,} points "
            f"({QUIT_AFTER_SECONDS:g} s after an epoch was reported): `window.close()` took "
            f"{quit_seconds:.2f} s."
        )
    catcher.print_report()
