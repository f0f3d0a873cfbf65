"""The Presets menu: ready-made experiments (``playground.state.PRESETS``) in one click.

Choosing a preset pauses training, replaces the points with the preset's data (one undo step,
"Preset: <name>"), shows its data settings, network and hyperparameters, resets the network and
says in the status line what to watch for.

Undo restores the previous points only: the undo stack holds data edits, and changing the
network behind the user's back on Ctrl+Z would silently restart training. The network,
hyperparameters and data panel settings stay as the preset set them.
"""

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from playground.state import PRESETS, Preset, find_preset

if TYPE_CHECKING:
    from playground.main_window import MainWindow


def apply_preset(window: "MainWindow", name: str) -> Preset:
    """Set the preset's data, network and hyperparameters on ``window``, paused at epoch 0.

    Only the data edit goes on the undo stack (see the module docstring). When the window has
    a ``session_manager`` with a ``remember_preset(name)`` method, it is told the preset's name.

    Parameters
    ----------
    window : MainWindow
    name : str
        The preset's name, one of ``PRESETS``.

    Returns
    -------
    Preset
        The preset applied.

    Raises
    ------
    ValueError
        If no preset is called ``name``; nothing changes.
    """
    preset = find_preset(name)
    window.pause()
    settings = preset.data_settings
    # Through the check box, so that the plot and the View menu follow; set_settings is silent.
    window.dataPanel.showTestCheck.setChecked(settings.show_test)
    window.dataPanel.set_settings(settings)
    window.push_edit(preset.points_command())
    window.set_architecture(preset.architecture)
    window.set_hyperparameters(preset.hyperparameters)
    window.reset()  # whatever the settings changed, the run starts afresh from epoch 0
    window.dataPlot.fit_to_points()
    remember = getattr(getattr(window, "session_manager", None), "remember_preset", None)
    if callable(remember):
        remember(preset.name)
    window.statusBar().showMessage(f"{preset.name}: {preset.watch_for}")
    return preset


class PresetsMenu(QMenu):
    """One entry per preset, in the order of ``PRESETS``; the tooltip tells what it teaches.

    Parameters
    ----------
    window : MainWindow
        The window the presets apply to (through its ``apply_preset``); the menu's parent.

    Attributes
    ----------
    preset_actions : dict of str to QAction
        The entries, by preset name.
    """

    def __init__(self, window: "MainWindow"):
        super().__init__("&Presets", window)
        self.setObjectName("presetsMenu")
        self.setToolTipsVisible(True)
        self._window = window
        self.preset_actions: dict[str, QAction] = {}
        for preset in PRESETS:
            # "&&": a literal ampersand, should a preset's name ever hold one
            action = self.addAction(preset.name.replace("&", "&&"))
            action.setData(preset.name)
            action.setToolTip(
                f"<p>{escape(preset.description)}</p>"
                f"<p><i>Watch for:</i> {escape(preset.watch_for)}</p>"
            )
            action.setStatusTip(preset.description)
            self.preset_actions[preset.name] = action
        self.triggered.connect(self._on_triggered)

    @Slot(QAction)
    def _on_triggered(self, action: QAction) -> None:
        self._window.apply_preset(action.data())
