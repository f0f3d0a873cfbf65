"""NN Playground: paint two-class data, shape a network, and watch it train live.

``playground.MainWindow`` is imported lazily, so that ``import playground.state`` (the Qt-free
model) does not import Qt.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playground.main_window import MainWindow

__all__ = ["MainWindow"]


def __getattr__(name: str) -> object:
    if name == "MainWindow":
        from playground.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module 'playground' has no attribute {name!r}")
