"""Helpers shared by the benchmark scripts: interleaved timing, statistics, markdown tables and a
description of the machine.

The machines these benchmarks run on are shared and noisy, so every comparison is measured the
same way: each contender runs a block of iterations in turn (round robin, starting one place
later every round), so a burst of load from elsewhere hits all contenders alike; results are
reported as the median and the min-max range of the per-iteration times, and ratios between two
contenders are taken round by round (paired) before the median.

Nothing here needs PyTorch or scikit-learn; ``machine_info`` only reads their version numbers.
"""

import importlib.metadata
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Clock = Callable[[], float]


@dataclass(frozen=True)
class Stats:
    """Repeated measurements of one quantity (e.g. seconds per epoch), one sample per round.

    Attributes
    ----------
    samples : tuple of float
        In the order they were measured (round 0 first).
    iterations : int
        Iterations timed together for each sample (the sample is the time divided by it).
    """

    samples: tuple[float, ...]
    iterations: int = 1

    def __post_init__(self) -> None:
        if len(self.samples) == 0:
            raise ValueError("samples must not be empty, got 0 samples.")

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def maximum(self) -> float:
        return max(self.samples)

    def scaled(self, factor: float) -> "Stats":
        """The same measurements multiplied by ``factor`` (e.g. FLOPs / seconds)."""
        return Stats(tuple(s * factor for s in self.samples), self.iterations)

    def inverse(self, numerator: float = 1.0) -> "Stats":
        """``numerator / sample`` for every sample (e.g. a rate from a time)."""
        return Stats(tuple(numerator / s for s in self.samples), self.iterations)


def paired_ratios(numerator: Stats, denominator: Stats) -> Stats:
    """Round-by-round ratios of two contenders measured in the same interleaved rounds.

    Pairing cancels the load that both saw in one round, so the ratio is steadier than the
    ratio of the medians.
    """
    if len(numerator.samples) != len(denominator.samples):
        raise ValueError(
            f"numerator and denominator must have as many samples, got "
            f"{len(numerator.samples)} and {len(denominator.samples)}."
        )
    return Stats(tuple(a / b for a, b in zip(numerator.samples, denominator.samples, strict=True)))


def paired_differences(minuend: Stats, subtrahend: Stats) -> Stats:
    """Round-by-round differences of two contenders measured in the same interleaved rounds
    (e.g. the time an epoch spends outside its matrix products)."""
    if len(minuend.samples) != len(subtrahend.samples):
        raise ValueError(
            f"minuend and subtrahend must have as many samples, got "
            f"{len(minuend.samples)} and {len(subtrahend.samples)}."
        )
    return Stats(tuple(a - b for a, b in zip(minuend.samples, subtrahend.samples, strict=True)))


# --------------------------------------------------------------------------- timing


def calibrate(
    run: Callable[[int], object], block_seconds: float, clock: Clock = time.perf_counter
) -> int:
    """Number of iterations of ``run`` that take about ``block_seconds``.

    ``run(n)`` must perform ``n`` iterations. Doubles ``n`` from 1 until a block takes at least
    a quarter of the target, then scales it to the target (at least 1).
    """
    n = 1
    while True:
        start = clock()
        run(n)
        elapsed = clock() - start
        if elapsed >= block_seconds / 4 or n >= 1 << 20:
            return max(1, round(n * block_seconds / max(elapsed, 1e-12)))
        n *= 2


def interleaved(
    contenders: Mapping[str, Callable[[int], object]],
    repeats: int,
    block_seconds: float = 0.05,
    clock: Clock = time.perf_counter,
    iterations: Mapping[str, int] | None = None,
) -> dict[str, Stats]:
    """Time several contenders round robin and return seconds per iteration for each.

    Parameters
    ----------
    contenders : mapping name -> run
        ``run(n)`` performs ``n`` iterations (e.g. epochs). The first call of each (in the
        calibration) doubles as its warm-up.
    repeats : int
        Rounds; every round times one block of every contender. Round ``r`` starts with
        contender ``r mod k`` so that no contender always runs right after the same other one.
    block_seconds : float
        Target duration of one block; sets the iterations per block, unless ``iterations``
        gives them.
    iterations : mapping name -> int, optional
        Fixed iterations per block (skips the calibration, not the warm-up call ``run(1)``).

    Returns
    -------
    dict name -> Stats
        ``repeats`` samples of seconds per iteration, sample ``r`` from round ``r``.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}.")
    names = list(contenders)
    counts = {}
    for name in names:
        if iterations is not None and name in iterations:
            contenders[name](1)
            counts[name] = iterations[name]
        else:
            counts[name] = calibrate(contenders[name], block_seconds, clock)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(repeats):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            start = clock()
            contenders[name](counts[name])
            samples[name].append((clock() - start) / counts[name])
    return {name: Stats(tuple(samples[name]), counts[name]) for name in names}


# ----------------------------------------------------------------------- formatting


def format_number(value: float) -> str:
    """Three significant digits without exponent: 0.0123, 1.23, 12.3, 123, 1234."""
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{value:.2f}"
    decimals = 2 - math.floor(math.log10(magnitude))
    return f"{value:.{decimals}f}"


TIME_UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6}


def format_time(seconds: float, unit: str | None = None) -> str:
    """``seconds`` in ``unit`` ("s", "ms" or "µs"; chosen by magnitude if None): "2.31 ms"."""
    if unit is None:
        unit = "s" if seconds >= 1 else "ms" if seconds >= 1e-3 else "µs"
    if unit not in TIME_UNITS:
        raise ValueError(f"unit must be one of {', '.join(TIME_UNITS)}, got {unit!r}.")
    return f"{format_number(seconds / TIME_UNITS[unit])} {unit}"


def format_range(stats: Stats, unit: str | None = None, scale: float = 1.0) -> str:
    """Median and min-max: "2.31 (2.10–2.90)".

    With ``unit`` the values are times in that unit ("2.31 ms (2.10–2.90)"); without, plain
    numbers multiplied by ``scale``.
    """
    if unit is not None:
        factor = 1 / TIME_UNITS[unit] if unit in TIME_UNITS else None
        if factor is None:
            raise ValueError(f"unit must be one of {', '.join(TIME_UNITS)}, got {unit!r}.")
        low, high = (format_number(v * factor) for v in (stats.minimum, stats.maximum))
        return f"{format_time(stats.median, unit)} ({low}–{high})"
    median, low, high = (
        format_number(v * scale) for v in (stats.median, stats.minimum, stats.maximum)
    )
    return f"{median} ({low}–{high})"


def format_ratio(ratio: float | Stats) -> str:
    """ "0.45x", or for paired ratios "0.45x (0.41–0.50)"."""
    if isinstance(ratio, Stats):
        low, high = format_number(ratio.minimum), format_number(ratio.maximum)
        return f"{format_number(ratio.median)}x ({low}–{high})"
    return f"{format_number(ratio)}x"


def markdown_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None
) -> str:
    """A GitHub markdown table, columns padded so it also reads as plain text.

    Parameters
    ----------
    headers : sequence of str
    rows : iterable of sequences, each as long as ``headers``; cells are passed to ``str``.
    align : str, optional
        One letter per column, "l" or "r"; default: first column left, the others right.
    """
    rows = [[str(cell) for cell in row] for row in rows]
    headers = [str(h) for h in headers]
    align = align or "l" + "r" * (len(headers) - 1)
    if len(align) != len(headers) or set(align) - {"l", "r"}:
        raise ValueError(
            f"align must be one 'l' or 'r' per column ({len(headers)}), got {align!r}."
        )
    for index, row in enumerate(rows):
        if len(row) != len(headers):
            raise ValueError(
                f"rows[{index}] must have {len(headers)} cells like the headers, got {len(row)}."
            )
    widths = [max([3, len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(cells, widths, align, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [
        "-" * (width - 1) + ":" if side == "r" else "-" * width
        for width, side in zip(widths, align, strict=True)
    ]
    return "\n".join([line(headers), line(rule), *(line(row) for row in rows)])


# -------------------------------------------------------------------------- machine


def cpu_model(cpuinfo: str | None = None) -> str:
    """The CPU's "model name" from /proc/cpuinfo (or the given text of it)."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text() if path.exists() else ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def cpu_flags(
    cpuinfo: str | None = None, wanted: Sequence[str] = ("avx2", "fma", "avx512f")
) -> str:
    """Which of the ``wanted`` SIMD flags /proc/cpuinfo lists, e.g. "avx2 fma avx512f"."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text() if path.exists() else ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            flags = set(value.split())
            return " ".join(flag for flag in wanted if flag in flags) or "none of " + " ".join(
                wanted
            )
    return "unknown"


def package_version(name: str) -> str:
    """Installed version of distribution ``name`` without importing it, or "not installed"."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def blas_description() -> str:
    """NumPy's BLAS as threadpoolctl sees it: "openblas 0.3.31 (SkylakeX, 1 thread)"."""
    from threadpoolctl import threadpool_info

    found = []
    for library in threadpool_info():
        if library.get("user_api") != "blas":
            continue
        threads = library.get("num_threads")
        desc = (
            f"{library.get('internal_api')} {library.get('version')} "
            f"({library.get('architecture', '?')}, {threads} thread{'s' * (threads != 1)})"
        )
        # numpy's own library first: it is the one nn_engine's matmuls call
        found.insert(0 if "numpy" in library.get("filepath", "") else len(found), desc)
    return "; ".join(found) or "none found"


def machine_info(packages: Sequence[str] = ("numpy", "torch", "scikit-learn")) -> dict[str, str]:
    """What the numbers depend on: CPU, cores, load, Python and package versions, BLAS."""
    info = {
        "CPU": f"{cpu_model()} ({cpu_flags()})",
        "cores": str(os.cpu_count()),
        "load average (1, 5, 15 min)": ", ".join(f"{v:.2f}" for v in os.getloadavg()),
        "Python": platform.python_version(),
    }
    for name in packages:
        info[name] = package_version(name)
    info["BLAS"] = blas_description()
    return info


def format_machine(info: Mapping[str, str]) -> str:
    """A markdown bullet list, one ``- key: value`` line per entry."""
    return "\n".join(f"- {key}: {value}" for key, value in info.items())
