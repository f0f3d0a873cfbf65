"""Presets: the article's exact settings, copies handed out, and the lessons they promise."""

import numpy as np
import pytest

import nn_engine
from playground.state import Architecture, PointSet, apply_command
from playground.state.presets import (
    CIRCLES,
    CIRCLES_WITHOUT_HIDDEN_LAYERS,
    HIDDEN_SPACE,
    PRESETS,
    SPIRAL,
    THE_ARTICLE,
    TOO_HIGH_A_LEARNING_RATE,
    XOR,
    XOR_WITHOUT_HIDDEN_LAYER,
    Preset,
    find_preset,
)


def test_the_menu() -> None:
    assert [preset.name for preset in PRESETS] == [
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
    for preset in PRESETS:
        assert preset.description.endswith(".") and preset.watch_for.endswith(".")


def test_the_article_preset_is_the_articles_experiment() -> None:
    data = THE_ARTICLE.data_settings
    assert (data.generator, data.n_points, data.noise, data.test_ratio) == ("moons", 1000, 0.2, 0.1)
    assert (data.seed, data.split_seed) == (100, 42)  # make_moons / train_test_split seeds
    assert THE_ARTICLE.architecture.summary() == "2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters"
    assert [layer.activation for layer in THE_ARTICLE.architecture.layers] == ["relu"] * 4
    hp = THE_ARTICLE.hyperparameters
    assert (hp.optimizer, hp.learning_rate, hp.batch_size, hp.init, hp.seed) == (
        "sgd",
        0.01,
        0,
        "seed",
        2,
    )
    assert hp.regularization == "none"


def test_presets_hand_out_copies() -> None:
    architecture = THE_ARTICLE.architecture
    architecture.remove_layer(0)
    hyperparameters = THE_ARTICLE.hyperparameters
    hyperparameters.learning_rate = 1.0
    data = THE_ARTICLE.data_settings
    data.n_points = 10
    assert len(THE_ARTICLE.architecture) == 4
    assert THE_ARTICLE.hyperparameters.learning_rate == 0.01
    assert THE_ARTICLE.data_settings.n_points == 1000


def test_points_command_generates_the_presets_data() -> None:
    command = XOR.points_command()
    assert command.text == "Preset: XOR needs a hidden layer"
    expected = XOR.data_settings.generate()
    np.testing.assert_array_equal(command.X, expected.X)
    np.testing.assert_array_equal(command.is_test, expected.is_test)


def test_find_preset() -> None:
    assert find_preset("Circles") is CIRCLES
    with pytest.raises(ValueError, match="^preset must be one of 'The article', .*got 'Nope'.$"):
        find_preset("Nope")
    assert repr(CIRCLES) == "Preset('Circles', 2 → 8 → 1 · 33 parameters)"


def train(preset: Preset, epochs: int) -> nn_engine.Trainer:
    points = PointSet()
    apply_command(points, preset.points_command())
    hp = preset.hyperparameters
    architecture = preset.architecture
    net = nn_engine.Network(
        architecture.to_engine(), **architecture.network_kwargs(), **hp.network_kwargs()
    )
    X, y = points.train_data()
    trainer = nn_engine.Trainer(
        net, X, y, validation_data=points.test_data(), **hp.trainer_kwargs()
    )
    trainer.run(epochs)
    return trainer


@pytest.mark.parametrize(
    ("preset", "epochs", "low", "high"),
    [
        (XOR, 300, 0.95, 1.0),
        (XOR_WITHOUT_HIDDEN_LAYER, 300, 0.0, 0.6),  # a straight line cannot separate XOR
        (CIRCLES, 100, 0.95, 1.0),
        (SPIRAL, 100, 0.9, 1.0),
        (CIRCLES_WITHOUT_HIDDEN_LAYERS, 100, 0.95, 1.0),  # x1², x2²: a line separates rings
        (HIDDEN_SPACE, 100, 0.95, 1.0),
    ],
)
def test_the_lesson_happens(preset: Preset, epochs: int, low: float, high: float) -> None:
    trainer = train(preset, epochs)
    assert low <= trainer.history.accuracy[-1] <= high
    assert low <= trainer.history.val_accuracy[-1] <= high


def test_too_high_a_learning_rate_diverges_and_is_caught() -> None:
    with pytest.raises(nn_engine.DivergenceError) as caught, np.errstate(all="ignore"):
        train(TOO_HIGH_A_LEARNING_RATE, 50)
    assert caught.value.epoch <= 20
    assert "weights restored from epoch" in str(caught.value)


def test_the_article_map_stays_white_for_1500_epochs() -> None:
    # Its status text: "for about 1,500 epochs the map stays near p = 0.5 (white)".
    command = THE_ARTICLE.points_command()
    train = ~command.is_test
    hp = THE_ARTICLE.hyperparameters
    net = nn_engine.Network(THE_ARTICLE.architecture.to_engine(), **hp.network_kwargs())
    trainer = nn_engine.Trainer(net, command.X[train], command.labels[train], **hp.trainer_kwargs())
    grid = np.stack(np.meshgrid(np.linspace(-2, 3, 40), np.linspace(-1.5, 2, 40)), -1)
    with nn_engine.single_blas_thread():
        for _ in range(1500):
            trainer.step_epoch()
    p = net.predict_proba(grid.reshape(-1, 2)).ravel()
    assert np.abs(p - 0.5).max() < 0.01
    assert "1,500 epochs the map stays near p = 0.5 (white)" in THE_ARTICLE.watch_for


def test_the_deep_presets_show_vanishing_and_healthy_gradients() -> None:
    """What their texts promise: the sigmoid stack's first-layer gradient is ~1e-5 of the
    output's and it barely learns in 300 epochs; the ReLU stack keeps its layers' gradients
    within a factor of ten of each other and separates the moons."""
    from playground.state.presets import DEEP_RELU, DEEP_SIGMOID

    results = {}
    for preset in (DEEP_SIGMOID, DEEP_RELU):
        points = preset.points_command()
        X, y = points.X[~points.is_test], points.labels[~points.is_test]
        hp = preset.hyperparameters
        net = nn_engine.Network(preset.architecture.to_engine(), **hp.network_kwargs())
        _, grads = net.loss_and_gradients(X, y)
        norms = [float(np.linalg.norm(layer["W"])) for layer in grads]
        trainer = nn_engine.Trainer(net, X, y, **hp.trainer_kwargs())
        metrics = trainer.run(300)[-1]
        results[preset.name] = (norms, metrics)
    norms, metrics = results[DEEP_SIGMOID.name]
    assert norms[0] / norms[-1] < 1e-4
    assert metrics.loss > 0.65
    norms, metrics = results[DEEP_RELU.name]
    assert max(norms) / min(norms) < 10
    assert metrics.accuracy > 0.9


def test_circles_without_hidden_layers_needs_its_features() -> None:
    """Its text: with x1, x2 instead of x1², x2² "accuracy stays below 0.75"."""
    preset = CIRCLES_WITHOUT_HIDDEN_LAYERS
    assert preset.architecture == Architecture(features=("x1^2", "x2^2"))
    assert preset.architecture.summary() == "2 features → 1 · 3 parameters"
    assert preset.hyperparameters.optimizer == "adam"
    assert preset.data_settings.generator == "circles"
    assert "passes 0.95 within 100 epochs" in preset.watch_for
    assert "accuracy stays below 0.75" in preset.watch_for
    plain = Preset(
        "plain",
        "x1 and x2.",
        preset.data_settings,
        Architecture(),
        preset.hyperparameters,
        "a line.",
    )
    for epochs in (100, 1000):
        trainer = train(plain, epochs)
        assert trainer.history.accuracy[-1] <= 0.75
        assert trainer.history.val_accuracy[-1] <= 0.75


def straight_line_accuracy(H: np.ndarray, y: np.ndarray) -> float:
    """How well the best straight line found by logistic regression separates points H."""
    net = nn_engine.Network.from_sizes([2, 1], seed=0)
    trainer = nn_engine.Trainer(net, H, y, optimizer="adam", learning_rate=0.1)
    trainer.run(300)
    return trainer.history.accuracy[-1]


def test_the_hidden_space_preset_unfolds_the_circles_in_its_2_unit_layer() -> None:
    """Its text: at epoch 0 the classes lie mixed in layer 2's plane; within about 100
    epochs a straight line separates them."""
    preset = HIDDEN_SPACE
    assert preset.hidden_space_layer == 2
    assert [(layer.units, layer.activation) for layer in preset.architecture.layers] == [
        (3, "tanh"),
        (2, "tanh"),
    ]
    command = preset.points_command()
    X, y = command.X[~command.is_test], command.labels[~command.is_test]
    hp = preset.hyperparameters
    net = nn_engine.Network(preset.architecture.to_engine(), **hp.network_kwargs())
    assert straight_line_accuracy(net.forward_layers(X)[1], y) < 0.6
    trainer = nn_engine.Trainer(net, X, y, **hp.trainer_kwargs())
    trainer.run(100)
    assert straight_line_accuracy(net.forward_layers(X)[1], y) > 0.95
    assert "within about 100 epochs, a straight line separates them" in preset.watch_for


def test_a_preset_refuses_a_hidden_space_layer_it_does_not_have() -> None:
    with pytest.raises(ValueError, match=r"^hidden_space_layer must be 1..2, got 3.$"):
        Preset(
            "x",
            "x.",
            CIRCLES.data_settings,
            HIDDEN_SPACE.architecture,
            CIRCLES.hyperparameters,
            "x.",
            3,
        )
