"""Project contracts checked by the test run, so CI enforces them: the import contracts
(import-linter), lint and formatting (ruff), and an engine that loads no GUI code."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# the tools installed next to the running interpreter (the venv's bin directory)
BIN = Path(sys.executable).parent


def run_tool(*args: str) -> subprocess.CompletedProcess:
    executable = BIN / args[0]
    if not executable.exists():
        pytest.fail(
            f"{args[0]} is not installed next to {sys.executable}; pip install -e '.[test]'"
        )
    return subprocess.run(
        [str(executable), *args[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_contracts_hold():
    result = run_tool("lint-imports")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nn_engine is pure NumPy: no Qt, no pyqtgraph, no playground KEPT" in result.stdout
    assert "playground.state is Qt-free KEPT" in result.stdout


def test_ruff_check_is_clean():
    result = run_tool("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = run_tool("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_nn_engine_loads_no_gui_code():
    code = (
        "import sys, nn_engine\n"
        "net = nn_engine.Network.from_sizes([2, 3, 1], seed=0)\n"
        "X, y = nn_engine.datasets.moons(20, seed=0)\n"
        "nn_engine.train(net, X, y, epochs=2, learning_rate=0.1)\n"
        "roots = sorted({name.split('.')[0] for name in sys.modules})\n"
        "print(' '.join(roots))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "nn_engine" in loaded and "numpy" in loaded
    assert loaded.isdisjoint({"PySide6", "shiboken6", "pyqtgraph", "playground", "PyQt6", "PyQt5"})
