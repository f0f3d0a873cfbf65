"""Make the README's pictures: the window training, and a montage of it at three sizes.

    PYTHONPATH=. python examples/make_screenshot.py [--epochs 400] [--out-dir assets]

Builds ``MainWindow`` offscreen with its default data set and network, with settings of its
own (a temporary directory: the user's saved window layout plays no part), trains until the
given epoch (waiting on the worker's snapshots, not on timers) and grabs the window at
1600 x 1000 (``screenshot.png``). Then it pauses, grabs the window at each size of ``SIZES``
and draws those side by side at ``MONTAGE_SCALE`` with QPainter (``sizes.png``). Last, it
applies the article preset, trains it ``--article-epochs`` epochs and grabs the network panel
(``network_panel.png``).
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"

from PySide6.QtCore import QEventLoop, QRectF, QSettings, QStandardPaths, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCREENSHOT_SIZE = (1600, 1000)
SIZES = ((1600, 1000), (1024, 640), (800, 600))
MONTAGE_SCALE = 0.4
MONTAGE_GAP, MONTAGE_MARGIN, CAPTION_HEIGHT = 28, 20, 26
MONTAGE_BACKGROUND = "#FFFFFF"
TIMEOUT_MS = 120_000


def wait_until(condition, timeout_ms: int = TIMEOUT_MS) -> None:
    """Run the event loop until ``condition()`` holds (checked every 20 ms)."""
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


def map_covers_view(window) -> bool:
    """True when the decision map was computed for the data plot's current view."""
    import pyqtgraph as pg

    x0, y0, x1, y1 = window.dataPlot.view_rect()
    for item in window.dataPlot.plotItem.items:
        if isinstance(item, pg.ImageItem) and item.image is not None:
            shown = item.mapRectToParent(item.boundingRect())
            tolerance = 1e-6 * max(x1 - x0, y1 - y0)
            return all(
                abs(a - b) <= tolerance
                for a, b in zip(
                    (shown.left(), shown.top(), shown.right(), shown.bottom()),
                    (x0, y0, x1, y1),
                    strict=True,
                )
            )
    return False


def grab_at(window, width: int, height: int) -> QImage:
    """The window at this size, once its layout and decision map have caught up."""
    window.resize(width, height)
    wait_until(lambda: window.size().toTuple() == (width, height))
    settled = QEventLoop()
    QTimer.singleShot(0, settled.quit)  # the columns are sized after the resize event
    settled.exec()
    window.dataPlot.flush_view_changed()
    wait_until(lambda: map_covers_view(window))
    return window.grab().toImage()


def montage(shots: list[tuple[tuple[int, int], QImage]], scale: float) -> QImage:
    """The shots side by side, bottom-aligned, each scaled by ``scale`` and captioned."""
    scaled = [
        (
            size,
            image.scaled(
                round(image.width() * scale),
                round(image.height() * scale),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            ),
        )
        for size, image in shots
    ]
    tallest = max(image.height() for _, image in scaled)
    width = 2 * MONTAGE_MARGIN + sum(image.width() for _, image in scaled)
    width += MONTAGE_GAP * (len(scaled) - 1)
    height = 2 * MONTAGE_MARGIN + tallest + CAPTION_HEIGHT
    canvas = QImage(width, height, QImage.Format.Format_RGB32)
    canvas.fill(QColor(MONTAGE_BACKGROUND))
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    font = QFont()
    font.setPixelSize(15)
    painter.setFont(font)
    x = MONTAGE_MARGIN
    for (w, h), image in scaled:
        top = MONTAGE_MARGIN + tallest - image.height()
        painter.drawImage(x, top, image)
        painter.setPen(QPen(QColor("#C4C9D2"), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(x - 0.5, top - 0.5, image.width() + 1, image.height() + 1))
        painter.setPen(QColor("#374151"))
        caption = QRectF(x, MONTAGE_MARGIN + tallest, image.width(), CAPTION_HEIGHT)
        painter.drawText(caption, Qt.AlignmentFlag.AlignCenter, f"{w} × {h}")
        x += image.width() + MONTAGE_GAP
    painter.end()
    return canvas


def save(image: QImage, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path} ({image.width()}x{image.height()})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=400, help="epochs to train first")
    parser.add_argument(
        "--article-epochs", type=int, default=3000, help="epochs of the article preset"
    )
    parser.add_argument("--out-dir", type=Path, default=REPO / "assets")
    args = parser.parse_args()

    # Settings and autosaves of this run only: the user's saved layout must not show.
    QStandardPaths.setTestModeEnabled(True)
    settings_dir = tempfile.TemporaryDirectory()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir.name)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NN Playground")
    app.setOrganizationName("NN Playground")
    app.setStyle("Fusion")
    from playground import MainWindow

    window = MainWindow()
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    wait_until(lambda: window.isVisible() and window.size().toTuple() == SCREENSHOT_SIZE)
    window.train()
    wait_until(lambda: window.epoch >= args.epochs and "/s" in window.speedLabel.text())
    save(grab_at(window, *SCREENSHOT_SIZE), args.out_dir / "screenshot.png")  # while training
    window.pause()
    wait_until(lambda: window.speedLabel.text() == "paused")  # the last snapshot has arrived
    shots = [(size, grab_at(window, *size)) for size in SIZES]
    save(montage(shots, MONTAGE_SCALE), args.out_dir / "sizes.png")
    print(f"epoch {window.epoch}")

    # The network panel on the article preset (its own SGD: the map bends after ~2,000 epochs).
    window.resize(*SCREENSHOT_SIZE)
    window.apply_preset("The article")
    window.train()
    wait_until(lambda: window.epoch >= args.article_epochs, timeout_ms=600_000)
    window.pause()
    wait_until(lambda: window.speedLabel.text() == "paused")
    wait_until(lambda: window.networkView.frame is not None)
    save(window.networkView.grab().toImage(), args.out_dir / "network_panel.png")
    print(f"article preset at epoch {window.epoch}")
    window.close()  # stops the training thread
    settings_dir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
