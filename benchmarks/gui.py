"""How the real window keeps up while it trains: GUI latency, map refreshes, in-app throughput.

Run offscreen with ``python benchmarks/gui.py [--seconds S] [--repeats N] [--precision P]``.
The window gets the "The article" preset (1000 moons points, 10 % test, 2-25-50-50-25-1 ReLU,
SGD 0.01 full batch) at the fastest speed setting, in float64 and in float32 (``--precision
both``, the default, or one of them), and trains it for ``S`` seconds per run while

* a 10 ms QTimer on the GUI thread records the gaps between its timeouts (p50, p99, max): how
  long the event loop was busy between two chances to react to the user;
* the decision maps computed for the current view are counted (the worker's
  ``grids_evaluated``), and how many of them were redrawn (``DataPlot.set_probability_grid``
  calls): a map in which no pixel would change is not sent to the GUI again;
* the network panel's frames (neuron maps, links, biases) drawn are counted, and whether the
  panel was on screen (the window is 1600 x 1000, where it shows without scrolling);
* the epochs trained in the window are counted and compared with the engine training the same
  network headless, in the same process, for the same time (``Trainer.step_epoch`` in a loop,
  one BLAS thread, in the same precision).

Each window run starts from a reset and is measured from epoch ``--warm-epochs`` (2000) on:
for its first ~1500 epochs the article's map hardly changes and is seldom redrawn, which
would flatter the window. Every round runs window and headless for each precision, the order
rotating from round to round; float32 ÷ float64 is taken round by round (paired) before the
median.

Then (unless ``--no-wide``) the article runs again, in the last precision, with the Hidden
space tab shown instead of the metric plots (its frames per second: issue 14), and the same
window trains 10 hidden layers of 256 ReLU units on the same points, the panel's second case
in issue 12.

``--scale`` measures instead the grid of issue 13: points (1k to 100k) × networks, and drawing
and painting over large point sets (see ``benchmarks/gui_scale.py``).

Start-up time is measured by the app itself: ``nn-playground --measure-startup`` (see the
README's "Set up").

Prints markdown tables; nothing here is part of the test suite's pass/fail.
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

import nn_engine
from benchmarks.common import (
    Stats,
    format_machine,
    format_number,
    machine_info,
    markdown_table,
    paired_ratios,
)
from benchmarks.window_harness import GapRecorder, wait, wait_until
from playground.neuron_maps import MAX_SHOWN_UNITS
from playground.state import MAX_EPOCHS_PER_REFRESH, Architecture, find_preset

PRESET = "The article"
PRECISIONS = ("float64", "float32")
TARGET_RATIO_TO_HEADLESS = 0.90
TARGET_MAPS_PER_SECOND = 20
TARGET_GAP_P99_MS = 50
TARGET_NEURON_MAPS_PER_SECOND = 10  # issue 12: the network panel's maps
TARGET_HIDDEN_FRAMES_PER_SECOND = 10  # issue 14: the hidden-space view while training
TARGET_PANEL_RATIO_TO_HEADLESS = 0.75  # issue 12: with the panel on screen
WINDOW_SIZE = (1600, 1000)  # the size at which issue 12 wants the panel shown without scrolling
WIDE_UNITS = (256,) * 10  # issue 12: the panel's targets hold for 10 layers of 256 units too
WIDE_WARM_EPOCHS = 30
TARGET_FLOAT32_SPEEDUP = 1.3
WARM_UP_SECONDS = 0.5
WARM_EPOCHS = 2000
WARM_EPOCHS_TIMEOUT = 60.0


def window_run(window, seconds: float, warm_epochs: int, measure=None) -> dict[str, float]:  # noqa: ANN001
    """Train in the window for ``seconds`` from a fresh run; the GUI thread's gaps, map
    refreshes and epochs (after ``warm_epochs`` epochs and WARM_UP_SECONDS, not counted).
    ``measure(True)`` / ``measure(False)`` is called when the measured interval starts / ends."""
    window.reset()
    wait(0.3)  # the reset's snapshot arrives and is drawn

    plot = window.dataPlot
    refreshes = 0
    original = type(plot).set_probability_grid

    def counting(grid, rect):  # noqa: ANN001
        nonlocal refreshes
        refreshes += 1
        original(plot, grid, rect)

    plot.set_probability_grid = counting
    panel = window.networkView
    panel_frames = 0
    show_frame = type(panel).show_frame

    def counting_frames(frame):  # noqa: ANN001
        nonlocal panel_frames
        panel_frames += 1
        show_frame(panel, frame)

    panel.show_frame = counting_frames
    gaps = GapRecorder()
    window.train()
    # Past the article's plateau (its map hardly changes for ~1500 epochs), so the map is
    # redrawn at every frame as in most of a run.
    wait_until(lambda: window.epoch >= warm_epochs, WARM_EPOCHS_TIMEOUT)
    wait(WARM_UP_SECONDS)  # first frames, first grids
    epoch0 = window.epoch
    refreshes = panel_frames = 0
    panel_visible = panel.isVisible() and not panel.visibleRegion().isEmpty()
    grids0 = window.worker.grids_evaluated
    gaps.start()
    if measure is not None:
        measure(True)
    started = time.perf_counter()
    wait(seconds)
    elapsed = time.perf_counter() - started
    if measure is not None:
        measure(False)
    gaps.stop()
    epochs = window.epoch - epoch0
    grids = window.worker.grids_evaluated - grids0
    window.pause()
    del plot.set_probability_grid
    del panel.show_frame
    wait(0.3)
    return {
        **gaps.summary(),
        "seconds": elapsed,
        "panel_visible": float(panel_visible),
        "neuron_maps_per_second": panel_frames / elapsed,
        "refreshes_per_second": refreshes / elapsed,
        "grids_per_second": grids / elapsed,
        "epochs_per_second": epochs / elapsed,
    }


def hidden_space_run(window, seconds: float, warm_epochs: int) -> dict[str, float]:  # noqa: ANN001
    """A window run with the Hidden space tab shown (instead of the metric plots): its frames
    per second (snapshots carrying a hidden-space frame) besides what window_run measures."""
    frames = 0
    measuring = False

    def count(snapshot) -> None:  # noqa: ANN001
        nonlocal frames
        if measuring and snapshot.hidden_space is not None:
            frames += 1

    def measure(on: bool) -> None:
        nonlocal measuring
        measuring = on

    window.rightTabs.setCurrentWidget(window.hiddenSpaceView)
    window.controller.sigSnapshot.connect(count)
    try:
        result = window_run(window, seconds, warm_epochs, measure)
    finally:
        window.controller.sigSnapshot.disconnect(count)
        window.rightTabs.setCurrentIndex(0)
    result["hidden_frames_per_second"] = frames / result["seconds"]
    return result


def headless_run(preset, precision: str, seconds: float, architecture=None) -> float:  # noqa: ANN001
    """Epochs per second of the engine alone on the preset's data and network (or
    ``architecture``) in ``precision``, doing what the window's worker does per epoch: train on
    the training points, measure the test points."""
    points = preset.points_command()
    architecture = preset.architecture if architecture is None else architecture
    X, labels, test = np.asarray(points.X), np.asarray(points.labels), np.asarray(points.is_test)
    hp = preset.hyperparameters
    hp.precision = precision
    net = nn_engine.Network(architecture.to_engine(), **hp.network_kwargs())
    trainer = nn_engine.Trainer(
        net,
        X[~test],
        labels[~test],
        validation_data=(X[test], labels[test]),
        **hp.trainer_kwargs(),
    )
    epochs = 0
    with nn_engine.single_blas_thread():
        trainer.step_epoch()  # warm-up: the workspaces
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            trainer.step_epoch()
            epochs += 1
        return epochs / (time.perf_counter() - started)


def use_precision(window, precision: str) -> None:  # noqa: ANN001
    """The preset's settings at the fastest speed in ``precision`` (a new run if it changed)."""
    hp = window.hyperparameters
    hp.epochs_per_refresh = MAX_EPOCHS_PER_REFRESH
    hp.precision = precision
    window.set_hyperparameters(hp)
    wait(0.2)


def stats_cell(values: list[float], fmt=format_number, unit: str = "") -> str:  # noqa: ANN001
    """Median and min-max of ``values``: "771 (740–790)" (just the value for one run)."""
    text = f"{fmt(statistics.median(values))}{unit}"
    if len(values) > 1:
        text += f" ({fmt(min(values))}–{fmt(max(values))})"
    return text


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def precision_main(args: argparse.Namespace) -> None:
    precisions = PRECISIONS if args.precision == "both" else (args.precision,)
    catcher = harness.ProblemCatcher().start()
    harness.make_application()
    preset = find_preset(PRESET)
    window = harness.open_window(WINDOW_SIZE)
    window.apply_preset(PRESET)
    wait(0.3)

    runs: dict[str, list[dict[str, float]]] = {p: [] for p in precisions}
    headless: dict[str, list[float]] = {p: [] for p in precisions}
    for round_index in range(args.repeats):
        shift = round_index % len(precisions)
        for precision in precisions[shift:] + precisions[:shift]:
            use_precision(window, precision)
            runs[precision].append(window_run(window, args.seconds, args.warm_epochs))
            headless[precision].append(headless_run(preset, precision, args.seconds))
    hidden_runs: list[dict[str, float]] = []
    if not args.no_wide:
        use_precision(window, precisions[-1])
        hidden_runs = [
            hidden_space_run(window, args.seconds, args.warm_epochs) for _ in range(args.repeats)
        ]
    wide_runs: list[dict[str, float]] = []
    wide_headless: list[float] = []
    if not args.no_wide:
        wide = Architecture.from_units(list(WIDE_UNITS), activation="relu")
        use_precision(window, precisions[-1])
        window.set_architecture(wide)
        wait(0.3)
        for _ in range(args.repeats):
            wide_runs.append(
                window_run(window, args.seconds, min(args.warm_epochs, WIDE_WARM_EPOCHS))
            )
            wide_headless.append(headless_run(preset, precisions[-1], args.seconds, wide))
    harness.close_window(window)
    catcher.stop()

    print("# NN Playground window benchmark\n")
    command = f"python benchmarks/gui.py --seconds {args.seconds:g} --repeats {args.repeats}" + (
        f" --precision {args.precision}" if args.precision != "both" else ""
    )
    print(f"`{command}`, {time.strftime('%Y-%m-%d %H:%M')}, offscreen\n")
    print(format_machine(machine_info(("numpy", "PySide6-Essentials", "pyqtgraph"))))
    print()
    print(
        f"The article's network on 1000 moons points (900 train, 100 test), full-batch SGD, "
        f"speed {MAX_EPOCHS_PER_REFRESH} epochs per refresh; {args.repeats} rounds of "
        f"{args.seconds:g}-s runs, each round running the window and the engine headless in "
        f"every precision (order rotating); median (min–max) over rounds. Each window run "
        f"starts from a reset and is measured from epoch {args.warm_epochs:,} on (past the "
        f"plateau where the map hardly changes) plus {WARM_UP_SECONDS:g} s.\n"
    )

    def column(key: str, precision: str, fmt=format_number, unit: str = "") -> str:  # noqa: ANN001
        return stats_cell([run[key] for run in runs[precision]], fmt, unit)

    def ratios(precision: str) -> list[float]:
        return [
            run["epochs_per_second"] / h
            for run, h in zip(runs[precision], headless[precision], strict=True)
        ]

    def one_decimal(value: float) -> str:
        return f"{value:.1f}"

    def percent(value: float) -> str:
        return f"{value:.0%}"

    rows = []

    def row(name: str, cells: list[str], target: str, ok: list[bool] | None = None) -> None:
        met = ""
        if ok is not None:
            met = ": " + ", ".join(
                (f"{p} " if len(precisions) > 1 else "") + verdict(o)
                for p, o in zip(precisions, ok, strict=True)
            )
        rows.append([name, *cells, target + met if target != "-" else "-"])

    row("epochs per second in the window", [column("epochs_per_second", p) for p in precisions],
        "-")  # fmt: skip
    row("epochs per second headless", [stats_cell(headless[p]) for p in precisions], "-")
    row(
        "in-window ÷ headless throughput",
        [stats_cell(ratios(p), percent) for p in precisions],
        f">= {TARGET_RATIO_TO_HEADLESS:.0%}",
        [statistics.median(ratios(p)) >= TARGET_RATIO_TO_HEADLESS for p in precisions],
    )
    row(
        "decision maps computed",
        [column("grids_per_second", p, one_decimal, " /s") for p in precisions],
        f">= {TARGET_MAPS_PER_SECOND} /s",
        [
            statistics.median(r["grids_per_second"] for r in runs[p]) >= TARGET_MAPS_PER_SECOND
            for p in precisions
        ],
    )
    row(
        "neuron maps (network panel frames)",
        [column("neuron_maps_per_second", p, one_decimal, " /s") for p in precisions],
        f">= {TARGET_NEURON_MAPS_PER_SECOND} /s",
        [
            statistics.median(r["neuron_maps_per_second"] for r in runs[p])
            >= TARGET_NEURON_MAPS_PER_SECOND
            for p in precisions
        ],
    )
    row(
        "... of which redrawn (a pixel changed)",
        [column("refreshes_per_second", p, one_decimal, " /s") for p in precisions],
        "-",
    )
    row("GUI gap (10 ms timer), p50",
        [column("gap_p50", p, one_decimal, " ms") for p in precisions], "-")  # fmt: skip
    row(
        "GUI gap, p99",
        [column("gap_p99", p, one_decimal, " ms") for p in precisions],
        f"<= {TARGET_GAP_P99_MS} ms",
        [statistics.median(r["gap_p99"] for r in runs[p]) <= TARGET_GAP_P99_MS for p in precisions],
    )
    row("GUI gap, max", [column("gap_max", p, format_number, " ms") for p in precisions], "-")
    print(markdown_table(["quantity", *precisions, "target"], rows))
    shown = all(run["panel_visible"] for runs_of in runs.values() for run in runs_of)
    print(f"\nThe network panel was {'on screen' if shown else 'NOT on screen'} in every run.")
    if hidden_runs:
        print_hidden(hidden_runs, precisions[-1], args.seconds)
    if wide_runs:
        print_wide(wide_runs, wide_headless, precisions[-1], args.seconds)

    if len(precisions) == 2:
        window_eps = {
            p: Stats(tuple(run["epochs_per_second"] for run in runs[p])) for p in precisions
        }
        speedup = paired_ratios(window_eps["float32"], window_eps["float64"])
        headless_speedup = paired_ratios(
            Stats(tuple(headless["float32"])), Stats(tuple(headless["float64"]))
        )
        print()
        print(
            markdown_table(
                ["float32 ÷ float64, paired per round", "measured", "target"],
                [
                    [
                        "epochs per second in the window",
                        stats_cell(list(speedup.samples), format_number, "x"),
                        f">= {TARGET_FLOAT32_SPEEDUP}x: "
                        + verdict(speedup.median >= TARGET_FLOAT32_SPEEDUP),
                    ],
                    [
                        "epochs per second headless",
                        stats_cell(list(headless_speedup.samples), format_number, "x"),
                        "-",
                    ],
                ],
            )
        )
    catcher.print_report()


def print_hidden(runs: list[dict[str, float]], precision: str, seconds: float) -> None:
    """The table of the runs with the Hidden space tab shown (issue 14's targets)."""

    def cell(key: str, unit: str) -> str:
        return stats_cell([run[key] for run in runs], lambda v: f"{v:.1f}", unit)

    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    rows = [
        [
            "hidden-space frames",
            cell("hidden_frames_per_second", " /s"),
            f">= {TARGET_HIDDEN_FRAMES_PER_SECOND} /s: "
            + verdict(median["hidden_frames_per_second"] >= TARGET_HIDDEN_FRAMES_PER_SECOND),
        ],
        ["epochs per second in the window", cell("epochs_per_second", ""), "-"],
        [
            "GUI gap, p99",
            cell("gap_p99", " ms"),
            f"<= {TARGET_GAP_P99_MS} ms: " + verdict(median["gap_p99"] <= TARGET_GAP_P99_MS),
        ],
        ["GUI gap, max", cell("gap_max", " ms"), "-"],
    ]
    print(
        f"\nThe same article runs with the Hidden space tab shown instead of the metric plots "
        f"(the first hidden layer, PCA), {precision}, {len(runs)} runs of {seconds:g} s:\n"
    )
    print(markdown_table(["quantity", precision, "target"], rows))


def print_wide(runs: list[dict[str, float]], headless: list[float], precision: str,
               seconds: float) -> None:  # fmt: skip
    """The table of the 10 x 256 network's runs (issue 12's second case)."""

    def cell(key: str, fmt=format_number, unit: str = "") -> str:  # noqa: ANN001
        return stats_cell([run[key] for run in runs], fmt, unit)

    ratios = [run["epochs_per_second"] / h for run, h in zip(runs, headless, strict=True)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    rows = [
        ["epochs per second in the window", cell("epochs_per_second"), "-"],
        ["epochs per second headless", stats_cell(headless), "-"],
        [
            "in-window ÷ headless throughput",
            stats_cell(ratios, lambda v: f"{v:.0%}"),
            f">= {TARGET_PANEL_RATIO_TO_HEADLESS:.0%}: "
            + verdict(statistics.median(ratios) >= TARGET_PANEL_RATIO_TO_HEADLESS),
        ],
        [
            "decision maps computed",
            cell("grids_per_second", lambda v: f"{v:.1f}", " /s"),
            f">= {TARGET_MAPS_PER_SECOND} /s: "
            + verdict(median["grids_per_second"] >= TARGET_MAPS_PER_SECOND),
        ],
        [
            "neuron maps (network panel frames)",
            cell("neuron_maps_per_second", lambda v: f"{v:.1f}", " /s"),
            f">= {TARGET_NEURON_MAPS_PER_SECOND} /s: "
            + verdict(median["neuron_maps_per_second"] >= TARGET_NEURON_MAPS_PER_SECOND),
        ],
        ["GUI gap, p50", cell("gap_p50", lambda v: f"{v:.1f}", " ms"), "-"],
        [
            "GUI gap, p99",
            cell("gap_p99", lambda v: f"{v:.1f}", " ms"),
            f"<= {TARGET_GAP_P99_MS} ms: " + verdict(median["gap_p99"] <= TARGET_GAP_P99_MS),
        ],
        ["GUI gap, max", cell("gap_max", format_number, " ms"), "-"],
    ]
    print(
        f"\n2-{len(WIDE_UNITS)}×{WIDE_UNITS[0]}-1 ReLU on the same 1000 points, {precision}, "
        f"the panel showing {MAX_SHOWN_UNITS} units per layer; {len(runs)} runs of {seconds:g} s "
        f"from epoch {WIDE_WARM_EPOCHS}:\n"
    )
    print(markdown_table(["quantity", precision, "target"], rows))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=None, help="length of each run")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (article runs)")
    parser.add_argument(
        "--warm-epochs",
        type=int,
        default=WARM_EPOCHS,
        help="epochs trained in the window before each measurement (article runs)",
    )
    parser.add_argument(
        "--precision",
        choices=("both", *PRECISIONS),
        default="both",
        help="the network's precision for the article runs (default: both, side by side)",
    )
    parser.add_argument(
        "--no-wide",
        action="store_true",
        help="skip the runs with 10 hidden layers of 256 units (issue 12's second case)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="points x networks, drawing and painting at scale (benchmarks/gui_scale.py)",
    )
    parser.add_argument(
        "--points",
        default=None,
        help="with --scale: comma-separated point counts (default 1000,10000,50000,100000)",
    )
    parser.add_argument(
        "--networks",
        default=None,
        help="with --scale: comma-separated networks among 16-16, article, 6x256 (default all)",
    )
    parser.add_argument(
        "--drawing-only",
        action="store_true",
        help="with --scale: only drawing and painting (and the stroke while the first network "
        "trains), no training grid",
    )
    args = parser.parse_args(argv)
    if args.scale:
        from benchmarks import gui_scale

        gui_scale.scale_main(args)
    else:
        if args.seconds is None:
            args.seconds = 5.0
        precision_main(args)


if __name__ == "__main__":
    main()
