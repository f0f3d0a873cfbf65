"""The Presets menu: ready-made experiments (``playground.state.PRESETS``) in one click.

Choosing a preset pauses training and, as one undo step ("Preset: <name>"), sets the preset's
data settings and points, its network and its training settings, and starts a new run; the
status line says what to watch for. Ctrl+Z brings everything back, the previous run (its
weights and curves) included.
"""

from html import escape

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from playground.controller import Controller
from playground.session_manager import KEY_LAST_PRESET, open_settings
from playground.state import PRESETS, Preset, find_preset
from playground.state.document import (
    DataSource,
    EditPoints,
    SetArchitecture,
    SetDataSettings,
    SetHyperparameters,
    with_new_run,
)


def apply_preset(controller: Controller, name: str) -> Preset:
    """Set the preset's data, network and hyperparameters as one undo step, paused at epoch 0.

    The preset's name is remembered in the settings (``presets/last``).

    Raises
    ------
    ValueError
        If no preset is called ``name``; nothing changes.
    """
    preset = find_preset(name)
    controller.pause()
    settings = preset.data_settings
    commands = [
        SetDataSettings(settings),
        EditPoints(preset.points_command(), DataSource(settings.generator.capitalize())),
        SetArchitecture(preset.architecture),
        SetHyperparameters(preset.hyperparameters),
    ]
    controller.push(with_new_run(controller.document, commands, f"Preset: {preset.name}"))
    open_settings().setValue(KEY_LAST_PRESET, preset.name)
    controller.sigMessage.emit(f"{preset.name}: {preset.watch_for}")
    return preset


class PresetsMenu(QMenu):
    """One entry per preset, in the order of ``PRESETS``; the tooltip tells what it teaches.

    Parameters
    ----------
    controller : Controller
        The presets apply to its document.
    parent : QWidget
        The window; it fits its view to the new points (``dataPlot.fit_to_points``).

    Attributes
    ----------
    preset_actions : dict of str to QAction
        The entries, by preset name.
    sigPresetApplied : Signal(str)
        A preset was applied from the menu (its name).
    """

    sigPresetApplied = Signal(str)

    def __init__(self, controller: Controller, parent: QWidget):
        super().__init__("&Presets", parent)
        self.setObjectName("presetsMenu")
        self.setToolTipsVisible(True)
        self._controller = controller
        self.preset_actions: dict[str, QAction] = {}
        for preset in PRESETS:
            # "&&": a literal ampersand, should a preset's name ever hold one
            action = self.addAction(preset.name.replace("&", "&&"))
            action.setData(preset.name)
            action.setToolTip(
                f"<p>{escape(preset.description, quote=False)}</p>"
                f"<p><i>Watch for:</i> {escape(preset.watch_for, quote=False)}</p>"
            )
            action.setStatusTip(preset.description)
            self.preset_actions[preset.name] = action
        self.triggered.connect(self._on_triggered)

    @Slot(QAction)
    def _on_triggered(self, action: QAction) -> None:
        apply_preset(self._controller, action.data())
        self.sigPresetApplied.emit(action.data())
