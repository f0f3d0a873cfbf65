"""Regression test guarding the `PySide6-Essentials>=6.8,<6.12` pin in pyproject.toml.

Why the pin exists: PySide6-Essentials 6.12.0 on CPython 3.11 (this project's Python) drops one
reference to None on every void QPainter call (setPen, drawLine, setClipRect, ...). pyqtgraph
makes hundreds of those per repaint, so None's reference count falls until CPython deallocates None
and the app aborts with "Fatal Python error: none_dealloc: deallocating None", within seconds of a
plot repainting. 6.11.3 is clean.

How to lift the pin: install the candidate release (e.g. `pip install "PySide6-Essentials==6.12.1"`)
and run this file. If it passes, the leak is gone and the upper bound can go.

The test repaints a PlotWidget with data a few thousand times and checks after every repaint that
`sys.getrefcount(None)` has not fallen, so an affected release fails here with a clear message
long before None is actually freed (which would kill the test process instead).
"""

import gc
import sys

import numpy as np
import pyqtgraph as pg

REPAINTS = 2000
# Other objects may let go of a few references to None meanwhile (caches, garbage collection);
# the leak loses hundreds per repaint, so a small allowance cannot hide it.
ALLOWED_DROP = 50


def test_repainting_a_plot_does_not_leak_references_to_none(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(200, 150)
    x = np.linspace(0.0, 10.0, 200)
    widget.plot(x, np.sin(x), pen=pg.mkPen("#0072B2", width=2), symbol="o", symbolSize=5)
    widget.setTitle("loss")
    widget.showGrid(x=True, y=True)
    widget.show()
    qtbot.waitExposed(widget)
    widget.grab()  # first paint: fills pyqtgraph's caches (symbol atlas, axis pictures)

    gc.collect()
    before = sys.getrefcount(None)
    lowest = before
    for repaint in range(1, REPAINTS + 1):
        image = widget.grab()  # a full, synchronous paint of the widget into a pixmap
        lowest = min(lowest, sys.getrefcount(None))
        assert lowest >= before - ALLOWED_DROP, (
            f"references to None fell from {before} to {lowest} after {repaint} repaints: this "
            f"PySide6 ({_pyside_version()}) leaks them on void QPainter calls; keep the pin"
        )
    assert not image.isNull()
    assert image.width() >= 200

    gc.collect()
    after = sys.getrefcount(None)
    assert after >= before - ALLOWED_DROP, (
        f"references to None fell from {before} to {after} after {REPAINTS} repaints."
    )


def _pyside_version() -> str:
    import PySide6

    return PySide6.__version__
