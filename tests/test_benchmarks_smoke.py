"""Smoke tests of the benchmarks: benchmarks/common.py on fixed inputs, and each window
benchmark run for a moment so that it keeps working.

Nothing here checks a measurement (the interleaving runs on a fake clock; the window benchmarks
only have to finish and print their tables), or needs PyTorch or scikit-learn; the real runs
are made by hand, never as part of the test suite.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

COMMON_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "common.py"


def _load_common():
    spec = importlib.util.spec_from_file_location("benchmarks_common", COMMON_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


common = _load_common()
Stats = common.Stats


class FakeClock:
    """A clock that each contender advances by a fixed cost per iteration."""

    def __init__(self):
        self.now = 0.0
        self.calls: list[tuple[str, int]] = []

    def __call__(self) -> float:
        return self.now

    def runner(self, name: str, seconds_per_iteration: float):
        def run(n: int) -> None:
            self.calls.append((name, n))
            self.now += n * seconds_per_iteration

        return run


def test_stats_median_min_max():
    stats = Stats((3.0, 1.0, 2.0, 10.0))
    assert stats.median == 2.5
    assert stats.minimum == 1.0
    assert stats.maximum == 10.0
    assert Stats((4.0, 2.0, 9.0)).median == 4.0


def test_stats_refuses_no_samples():
    with pytest.raises(ValueError, match=r"^samples must not be empty, got 0 samples\.$"):
        Stats(())


def test_stats_scaled_and_inverse():
    stats = Stats((2.0, 4.0), iterations=5)
    assert stats.scaled(3.0) == Stats((6.0, 12.0), iterations=5)
    assert stats.inverse(8.0) == Stats((4.0, 2.0), iterations=5)


def test_paired_ratios_and_differences_are_round_by_round():
    a, b = Stats((2.0, 9.0, 3.0)), Stats((4.0, 3.0, 6.0))
    assert common.paired_ratios(a, b).samples == (0.5, 3.0, 0.5)
    assert common.paired_differences(a, b).samples == (-2.0, 6.0, -3.0)
    with pytest.raises(ValueError, match=r"got 3 and 1\.$"):
        common.paired_ratios(a, Stats((1.0,)))
    with pytest.raises(ValueError, match=r"got 3 and 2\.$"):
        common.paired_differences(a, Stats((1.0, 2.0)))


def test_calibrate_scales_iterations_to_the_block():
    clock = FakeClock()
    # 1 ms per iteration, 40 ms block: doubles until a block takes a quarter of it (16 ms)
    n = common.calibrate(clock.runner("a", 1e-3), 0.040, clock)
    assert [count for _, count in clock.calls] == [1, 2, 4, 8, 16]
    assert n == 40


def test_interleaved_rotates_the_order_and_divides_by_iterations():
    clock = FakeClock()
    contenders = {
        "a": clock.runner("a", 1e-3),
        "b": clock.runner("b", 2e-3),
        "c": clock.runner("c", 4e-3),
    }
    results = common.interleaved(
        contenders, repeats=3, clock=clock, iterations={"a": 10, "b": 5, "c": 2}
    )
    # warm-ups (one iteration each), then rounds starting one contender later each time
    assert clock.calls == [
        ("a", 1), ("b", 1), ("c", 1),
        ("a", 10), ("b", 5), ("c", 2),
        ("b", 5), ("c", 2), ("a", 10),
        ("c", 2), ("a", 10), ("b", 5),
    ]  # fmt: skip
    assert results["a"].samples == pytest.approx((1e-3,) * 3)
    assert results["b"].samples == pytest.approx((2e-3,) * 3)
    assert results["c"].samples == pytest.approx((4e-3,) * 3)
    assert (results["a"].iterations, results["b"].iterations, results["c"].iterations) == (10, 5, 2)


def test_interleaved_refuses_zero_repeats():
    with pytest.raises(ValueError, match=r"^repeats must be >= 1, got 0\.$"):
        common.interleaved({"a": lambda n: None}, repeats=0)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.00"),
        (0.012345, "0.0123"),
        (0.5, "0.500"),
        (2.3456, "2.35"),
        (12.345, "12.3"),
        (123.45, "123"),
        (4321.0, "4321"),
        (-1.5, "-1.50"),
    ],
)
def test_format_number_keeps_three_significant_digits(value, text):
    assert common.format_number(value) == text


def test_format_time_picks_or_obeys_the_unit():
    assert common.format_time(0.00231) == "2.31 ms"
    assert common.format_time(0.000512) == "512 µs"
    assert common.format_time(1.5) == "1.50 s"
    assert common.format_time(0.00231, "µs") == "2310 µs"
    with pytest.raises(ValueError, match=r"^unit must be one of s, ms, µs, got 'h'\.$"):
        common.format_time(1.0, "h")


def test_format_range_median_and_min_max():
    stats = Stats((0.0021, 0.0029, 0.00231))
    assert common.format_range(stats, "ms") == "2.31 ms (2.10–2.90)"
    assert common.format_range(Stats((3e10, 1e10, 2e10)), scale=1e-9) == "20.0 (10.0–30.0)"


def test_format_ratio():
    assert common.format_ratio(0.4567) == "0.457x"
    assert common.format_ratio(Stats((0.5, 0.4, 0.6))) == "0.500x (0.400–0.600)"


def test_markdown_table_pads_and_aligns():
    table = common.markdown_table(["name", "time"], [["nn_engine", "1.2 ms"], ["torch", "10 ms"]])
    assert table.splitlines() == [
        "| name      |   time |",
        "| --------- | -----: |",
        "| nn_engine | 1.2 ms |",
        "| torch     |  10 ms |",
    ]


def test_markdown_table_refuses_ragged_rows_and_bad_alignment():
    with pytest.raises(
        ValueError, match=r"^rows\[1\] must have 2 cells like the headers, got 1\.$"
    ):
        common.markdown_table(["a", "b"], [["1", "2"], ["3"]])
    with pytest.raises(ValueError, match=r"^align must be one 'l' or 'r' per column \(2\)"):
        common.markdown_table(["a", "b"], [], align="lc")


CPUINFO = """processor\t: 0
model name\t: Intel(R) Xeon(R) Processor
flags\t\t: fpu sse2 avx2 fma avx512f

processor\t: 1
model name\t: Intel(R) Xeon(R) Processor
"""


def test_cpu_model_and_flags_from_cpuinfo_text():
    assert common.cpu_model(CPUINFO) == "Intel(R) Xeon(R) Processor"
    assert common.cpu_flags(CPUINFO) == "avx2 fma avx512f"
    assert common.cpu_flags("flags : sse2", wanted=("avx2",)) == "none of avx2"


def test_format_machine_lists_every_entry():
    info = {"CPU": "Xeon", "cores": "2", "BLAS": "openblas 0.3 (SkylakeX, 1 thread)"}
    assert common.format_machine(info) == (
        "- CPU: Xeon\n- cores: 2\n- BLAS: openblas 0.3 (SkylakeX, 1 thread)"
    )


def test_package_version_of_a_missing_distribution():
    assert common.package_version("surely-not-an-installed-distribution") == "not installed"


# ------------------------------------------------------------------ the window benchmarks

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_benchmark(tmp_path, script: str, *args: str) -> str:
    """Run ``benchmarks/<script>`` offscreen with ``args``; its stdout (it must succeed)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_soak_runs_briefly_and_prints_its_table(tmp_path):
    out = run_benchmark(tmp_path, "soak.py", "--seconds", "1.5")
    for row in ("| RSS growth", "| epochs trained", "| GUI gap, p99", "| tracebacks on stderr"):
        assert row in out
    assert "Over the soak" in out


def test_soak_diagnosis_with_push_edit_runs_briefly(tmp_path):
    out = run_benchmark(tmp_path, "soak.py", "--seconds", "1", "--edits", "api", "--diagnose")
    assert "| edits made / undone" in out
    assert "Traced allocations" in out
    assert "Objects by type" in out


def test_gui_benchmark_measures_both_precisions_briefly(tmp_path):
    out = run_benchmark(
        tmp_path, "gui.py", "--seconds", "0.4", "--repeats", "1", "--warm-epochs", "0"
    )
    assert "| quantity " in out and " float64 " in out and " float32 " in out
    for row in ("| in-window ÷ headless throughput", "| decision maps computed", "| GUI gap, p99"):
        assert row in out
    assert "| epochs per second in the window " in out.split("float32 ÷ float64")[1]
    assert "| neuron maps (network panel frames)" in out
    assert "The network panel was on screen in every run." in out
    hidden = out.split("with the Hidden space tab shown instead of the metric plots")[1]
    assert "| hidden-space frames" in hidden
    wide = out.split("2-10×256-1 ReLU on the same 1000 points")[1]
    assert "| in-window ÷ headless throughput" in wide and "| neuron maps" in wide


def test_open_session_benchmark_opens_a_long_session_briefly(tmp_path):
    out = run_benchmark(tmp_path, "open_session.py", "--epochs", "300", "--repeats", "1")
    assert "| open: request → session shown" in out
    assert "| longest GUI gap while opening" in out
    assert "trained 300 epochs headless" in out


def test_gui_ceiling_runs_its_four_runs_briefly(tmp_path):
    out = run_benchmark(
        tmp_path, "gui_ceiling.py", "--seconds", "0.3", "--repeats", "1", "--warm-epochs", "0"
    )
    for row in (
        "| window ",
        "| window, training thread ",
        "| no drawing, training thread ",
        "| no drawing, no maps, training thread ",
    ):
        assert row in out
    assert "| run " in out and "÷ headless" in out


def test_gui_scale_runs_one_small_cell(tmp_path):
    out = run_benchmark(
        tmp_path, "gui.py", "--scale", "--seconds", "0.3", "--points", "1000", "--networks", "16-16"
    )
    assert "| 1,000  | 2-16-16-1 " in out
    assert "| points | a change (edit + repaint) " in out


def test_gui_profile_runs_briefly(tmp_path):
    out = run_benchmark(tmp_path, "gui_profile.py", "--seconds", "1", "--top", "5")
    assert "By area" in out
    assert "Top 5 by own time" in out


RAW_STACKS = """\
thread (1): MainThread;main (a.py:1);g_main_context_iteration (libglib.so);poll (libc.so.6) 50
thread (1): MainThread;main (a.py:1);ImageItem.paint (ImageItem.py:859);drawImage (libQt6Gui.so.6) 30
thread (1): MainThread;main (a.py:1);ImageItem.paint (ImageItem.py:860);pthread_cond_timedwait (libc.so.6) 15
thread (1): MainThread;main (a.py:1);drawImage (libQt6Gui.so.6);QLatch::waitInternal (libQt6Core.so.6);syscall (libc.so.6) 5
thread (2): Dummy-1;run (worker.py:1);step_epoch (training.py:1) 99
"""  # noqa: E501


def test_pyspy_summary_splits_the_gui_thread_into_idle_gil_and_busy(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text(RAW_STACKS)
    out = run_benchmark(
        tmp_path, "pyspy_summary.py", str(raw), "--seconds", "1", "--snapshots", "10"
    )
    assert out.startswith("MainThread: 100 samples")
    rows = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("|")}
    assert "|      50 |       50.0% |           50.00 |" in rows["idle"]
    assert "|      15 |       15.0% |           15.00 |" in rows["gil"]
    assert "|       5 |        5.0% |            5.00 |" in rows["qt threads"]
    assert "|      30 |       30.0% |           30.00 |" in rows["busy"]
    # lines 859 and 860 are one frame: 30 busy + 15 waiting for the GIL
    assert re.search(r"\| ImageItem\.paint \(ImageItem\.py\) +\| +45 \|", out)


def test_metric_curves_measures_small_histories(tmp_path):
    out = run_benchmark(tmp_path, "metric_curves.py", "--epochs", "1000,3000", "--updates", "2")
    assert "| epochs " in out and "| 1,180 " in out and "| 3,180 " in out
