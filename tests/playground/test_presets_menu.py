"""The Presets menu: data, network and hyperparameters in one click, one undo step for the data."""

import re

import numpy as np
import pytest

import nn_engine
from playground.state import PRESETS, find_preset


def message(window):
    return window.statusBar().currentMessage()


def snapshot(points):
    return points.X.copy(), points.labels.copy(), points.is_test.copy()


def assert_points(points, expected):
    for actual, wanted in zip((points.X, points.labels, points.is_test), expected, strict=True):
        assert actual.dtype == wanted.dtype
        np.testing.assert_array_equal(actual, wanted)


def test_the_menu_has_every_preset_with_what_it_teaches(window):
    assert [a.text() for a in window.menuBar().actions()][-2:] == ["&Presets", "&Help"]
    actions = window.presetsMenu.actions()
    assert [a.text() for a in actions] == [p.name for p in PRESETS]
    assert [a.text() for a in actions] == [
        "The article",
        "XOR needs a hidden layer",
        "XOR without a hidden layer (fails)",
        "Circles",
        "Circles without hidden layers",
        "Hidden space: unfolding the circles",
        "Spiral needs depth",
        "Too high a learning rate",
        "Deep sigmoid: vanishing gradients",
        "Deep ReLU with He init",
    ]
    for action, preset in zip(actions, PRESETS, strict=True):
        assert action.statusTip() == preset.description
        assert preset.description in action.toolTip()
        assert preset.watch_for in action.toolTip()
    assert window.presetsMenu.toolTipsVisible()


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_a_preset_sets_everything_and_undo_restores_the_points(window, preset):
    before = snapshot(window.points)
    architecture_before = window.architecture
    hyperparameters_before = window.hyperparameters
    data_settings_before = window.dataPanel.settings()
    steps = window.undo_stack.count()

    window.presetsMenu.preset_actions[preset.name].trigger()

    # the data, as one undo step
    expected = preset.points_command()
    assert_points(window.points, (expected.X, expected.labels, expected.is_test))
    assert window.undo_stack.count() == steps + 1
    assert window.undo_stack.undoText() == f"Preset: {preset.name}"
    # what the panels show
    assert window.dataPanel.settings() == preset.data_settings
    assert window.layerEditor.architecture() == preset.architecture
    assert window.trainingPanel.hyperparameters() == preset.hyperparameters
    # what the window trains with: a fresh network of the preset's shape, init and seed
    assert window.architecture == preset.architecture
    assert window.hyperparameters == preset.hyperparameters
    assert window.worker.network_architecture() == preset.architecture.to_engine()
    fresh = nn_engine.Network(
        preset.architecture.to_engine(),
        **preset.architecture.network_kwargs(),
        **preset.hyperparameters.network_kwargs(),
    )
    for mine, theirs in zip(window.worker.network_params(), fresh.get_params(), strict=True):
        np.testing.assert_array_equal(mine["W"], theirs["W"])
        np.testing.assert_array_equal(mine["b"], theirs["b"])
    assert window.worker.trainer_settings() is None  # no epoch trained in this run
    assert not window.is_training and window.epoch == 0
    assert window.trainButton.text() == "Train"
    assert message(window) == f"{preset.name}: {preset.watch_for}"

    window.undo_stack.undo()
    assert_points(window.points, before)
    # undo restores everything the preset changed, the network and its settings included
    assert window.architecture == architecture_before
    assert window.hyperparameters == hyperparameters_before
    assert window.dataPanel.settings() == data_settings_before
    assert window.worker.network_architecture() == architecture_before.to_engine()
    window.undo_stack.redo()
    assert_points(window.points, (expected.X, expected.labels, expected.is_test))
    assert window.hyperparameters == preset.hyperparameters


def test_a_preset_pauses_training(qtbot, window):
    window.train()
    assert window.is_training
    qtbot.waitUntil(lambda: window.epoch >= 1, timeout=10_000)
    window.apply_preset("Circles")
    assert not window.is_training and window.trainButton.text() == "Train"
    qtbot.waitUntil(lambda: window.speedLabel.text() == "paused", timeout=10_000)
    assert window.epoch == 0
    assert window.metricsPlots.curves["loss"].xData is None  # the curves were cleared


def test_too_high_a_learning_rate_diverges_and_says_so(qtbot, window):
    window.apply_preset("Too high a learning rate")
    assert message(window) == (
        "Too high a learning rate: " + find_preset("Too high a learning rate").watch_for
    )
    window.train()
    assert message(window) == "Training… (Space pauses)"
    qtbot.waitUntil(lambda: "weights restored" in message(window), timeout=20_000)
    assert re.fullmatch(
        r"(loss|weights) (?:became (?:inf|NaN)|exceeded [^;]+) at epoch (\d+); "
        r"weights restored from epoch (\d+)"
        r" — lower the learning rate",
        message(window),
    )
    assert not window.is_training and window.trainButton.text() == "Train"


def test_the_session_manager_remembers_the_preset(window):
    window.apply_preset("XOR needs a hidden layer")
    assert window.session_manager.last_preset() == "XOR needs a hidden layer"


def test_an_unknown_preset_changes_nothing(window):
    before = snapshot(window.points)
    steps = window.undo_stack.count()
    with pytest.raises(ValueError, match=r"^preset must be one of 'The article', .*got 'Nope'\.$"):
        window.apply_preset("Nope")
    assert_points(window.points, before)
    assert window.undo_stack.count() == steps


def test_the_hidden_space_preset_shows_its_2_unit_layer(qtbot, window):
    window.resize(1600, 1000)
    assert window.rightTabs.currentWidget() is not window.hiddenSpaceView
    window.presetsMenu.preset_actions["Hidden space: unfolding the circles"].trigger()
    assert window.rightTabs.currentWidget() is window.hiddenSpaceView
    assert window.hiddenSpaceView.layerSlider.value() == 2
    assert window.hiddenSpaceView.layerLabel.text() == "layer 2: 2 tanh"
    qtbot.waitUntil(lambda: window.hiddenSpaceView.frame is not None, timeout=10_000)


def test_the_features_preset_shows_its_features_in_the_panel(window):
    window.apply_preset("Circles without hidden layers")
    view = window.networkView
    assert view.active_features == ["x1^2", "x2^2"]
    assert view.sizes == [2, 1]
    assert window.layerEditor.inputLabel.text().endswith("2 features: x1², x2²</span>")
    assert window.undo_stack.undoText() == "Preset: Circles without hidden layers"
    window.undo_stack.undo()
    assert view.active_features == ["x1", "x2"]
