"""playground.state must stay usable without Qt: importing it loads no Qt, no pyqtgraph."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_importing_every_state_module_loads_no_qt() -> None:
    code = (
        "import importlib, pkgutil, sys, playground.state as state\n"
        "for module in pkgutil.iter_modules(state.__path__):\n"
        "    importlib.import_module('playground.state.' + module.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'pyqtgraph'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
