"""Make the README's screenshot: the window training on moons, rendered offscreen.

    python examples/make_screenshot.py [output.png] [--size 1280x800] [--epochs 400]

Builds ``MainWindow`` at the given size, generates the moons data set, trains a few hundred
epochs (waiting on the worker's snapshots, not on timers) and grabs the window while it trains.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "assets" / "screenshot.png"
TIMEOUT_MS = 120_000


def wait_until(app: QApplication, condition, timeout_ms: int = TIMEOUT_MS) -> None:
    """Run the event loop until ``condition()`` holds (checked after every event batch)."""
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(loop.quit)
    poll.start()
    give_up.start(timeout_ms)
    if not condition():
        loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError(f"gave up after {timeout_ms} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--size", default="1280x800", help="window size, e.g. 1024x700")
    parser.add_argument("--epochs", type=int, default=400, help="epochs to train first")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NN Playground")
    app.setOrganizationName("NN Playground")
    app.setStyle("Fusion")
    from playground import MainWindow

    window = MainWindow()
    window.resize(width, height)
    window.show()
    wait_until(app, lambda: window.isVisible() and window.width() == width)

    window.dataPanel.datasetCombo.setCurrentIndex(window.dataPanel.datasetCombo.findData("moons"))
    window.dataPanel.generateButton.click()
    window.train()
    wait_until(app, lambda: window.epoch >= args.epochs and "/s" in window.speedLabel.text())
    window.metricsPlots.repaint()

    args.output.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.output)):
        raise OSError(f"could not write {args.output}")
    print(f"wrote {args.output} ({width}x{height}, epoch {window.epoch})")
    window.close()  # stops the training thread
    return 0


if __name__ == "__main__":
    sys.exit(main())
