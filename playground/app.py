"""The application entry point: ``nn-playground`` or ``python -m playground``."""

import os
import sys
from collections.abc import Sequence

APP_NAME = "NN Playground"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the playground until its window closes; returns the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments for Qt (default: ``sys.argv``).
    """
    # pyqtgraph prefers PyQt6 when both bindings are installed; we ship PySide6.
    os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"
    from PySide6.QtWidgets import QApplication

    from playground.main_window import MainWindow

    app = QApplication.instance() or QApplication(list(sys.argv if argv is None else argv))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setStyle("Fusion")
    window = MainWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
