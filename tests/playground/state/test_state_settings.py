"""Hyperparameters and DataSettings: checked assignment, dict round trip, engine arguments."""

import math

import numpy as np
import pytest

import nn_engine
from playground.state import DataSettings, Hyperparameters, ReplacePoints

# ----------------------------------------------------------------------- Hyperparameters


def test_defaults_are_the_articles_training_in_float32() -> None:
    hp = Hyperparameters()
    assert hp.to_dict() == {
        "optimizer": "sgd",
        "learning_rate": 0.01,
        "batch_size": 0,
        "regularization": "none",
        "regularization_rate": 0.0,
        "init": "seed",
        "seed": 2,
        "epochs_per_refresh": 10,
        "precision": "float32",
    }


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        ("learning_rate", 0.0, ValueError, "learning_rate must be between 1e-05 and 10, got 0."),
        ("learning_rate", 11, ValueError, "learning_rate must be between 1e-05 and 10, got 11."),
        ("learning_rate", math.nan, ValueError, "learning_rate must be a finite number, got nan."),
        ("learning_rate", "0.1", TypeError, "learning_rate must be a number, got '0.1'."),
        ("batch_size", -1, ValueError, "batch_size must be >= 0, got -1."),
        ("batch_size", 8.0, TypeError, "batch_size must be an integer, got 8.0."),
        (
            "optimizer",
            "rmsprop",
            ValueError,
            "optimizer must be one of 'sgd', 'momentum', 'nesterov', 'adam', got 'rmsprop'.",
        ),
        (
            "regularization",
            "l3",
            ValueError,
            "regularization must be one of 'none', 'l1', 'l2', got 'l3'.",
        ),
        (
            "regularization_rate",
            -0.1,
            ValueError,
            "regularization_rate must be between 0 and 10, got -0.1.",
        ),
        ("init", "zeros", ValueError, "init must be one of 'seed', 'he', 'xavier', got 'zeros'."),
        ("seed", -1, ValueError, "seed must be in 0..4294967295, got -1."),
        ("seed", 2**32, ValueError, "seed must be in 0..4294967295, got 4294967296."),
        ("seed", True, TypeError, "seed must be an integer, got True."),
        ("epochs_per_refresh", 0, ValueError, "epochs_per_refresh must be in 1..10000, got 0."),
    ],
)
def test_bad_hyperparameters_are_refused_and_change_nothing(
    name: str, value: object, error: type, message: str
) -> None:
    hp = Hyperparameters()
    with pytest.raises(error, match=f"^{message}$"):
        setattr(hp, name, value)
    assert hp == Hyperparameters()
    with pytest.raises(error, match=f"^{message}$"):
        Hyperparameters(**{name: value})


def test_a_misspelt_setting_is_refused() -> None:
    hp = Hyperparameters()
    with pytest.raises(AttributeError, match="^Hyperparameters has no setting 'learnig_rate'.$"):
        hp.learnig_rate = 0.1


def test_values_are_normalised_to_plain_python_types() -> None:
    hp = Hyperparameters(learning_rate=1, seed=np.int64(7))
    assert type(hp.learning_rate) is float and type(hp.seed) is int
    hp.validate()  # still valid


def test_trainer_and_network_kwargs() -> None:
    hp = Hyperparameters(
        optimizer="adam",
        learning_rate=0.003,
        batch_size=32,
        regularization="l2",
        regularization_rate=0.001,
        init="he",
        seed=9,
    )
    assert hp.trainer_kwargs() == {
        "learning_rate": 0.003,
        "optimizer": "adam",
        "batch_size": 32,
        "l1": 0.0,
        "l2": 0.001,
        "seed": 9,
    }
    assert hp.network_kwargs() == {"init": "he", "seed": 9, "dtype": "float32"}
    hp.regularization = "l1"
    hp.batch_size = 0
    kwargs = hp.trainer_kwargs()
    assert (kwargs["l1"], kwargs["l2"], kwargs["batch_size"]) == (0.001, 0.0, None)
    hp.regularization = "none"
    assert (hp.trainer_kwargs()["l1"], hp.trainer_kwargs()["l2"]) == (0.0, 0.0)


def test_trainer_kwargs_are_accepted_by_the_engine() -> None:
    X, y = nn_engine.datasets.moons(40, noise=0.1, seed=0)
    hp = Hyperparameters(
        optimizer="momentum", batch_size=8, regularization="l1", regularization_rate=0.01
    )
    net = nn_engine.Network(
        [{"input_dim": 2, "output_dim": 1, "activation": "sigmoid"}], **hp.network_kwargs()
    )
    trainer = nn_engine.Trainer(net, X, y, **hp.trainer_kwargs())
    assert trainer.step_epoch().epoch == 1


LOGISTIC = [{"input_dim": 2, "output_dim": 1, "activation": "sigmoid"}]


def test_precision_is_the_networks_dtype() -> None:
    assert Hyperparameters().network_kwargs() == {
        "init": "seed",
        "seed": 2,
        "dtype": "float32",
    }
    for precision in ("float32", "float64"):
        hp = Hyperparameters(precision=precision, init="he", seed=4)
        net = nn_engine.Network(LOGISTIC, **hp.network_kwargs())
        assert net.dtype == np.dtype(precision)
    with pytest.raises(ValueError, match="^precision must be one of 'float32', 'float64', got"):
        Hyperparameters(precision="float16")


def test_a_dict_without_precision_is_a_float64_session() -> None:
    # Sessions saved before the setting existed were trained in float64.
    data = Hyperparameters(precision="float32").to_dict()
    del data["precision"]
    assert Hyperparameters.from_dict(data).precision == "float64"
    assert Hyperparameters.from_dict({**data, "precision": "float32"}).precision == "float32"


def test_nesterov_reaches_the_engine() -> None:
    hp = Hyperparameters(optimizer="nesterov", learning_rate=0.1)
    X, y = nn_engine.datasets.moons(40, noise=0.1, seed=0)
    net = nn_engine.Network(LOGISTIC, **hp.network_kwargs())
    trainer = nn_engine.Trainer(net, X, y, **hp.trainer_kwargs())
    assert trainer.optimizer == "nesterov"


def test_hyperparameters_dict_round_trip() -> None:
    hp = Hyperparameters(optimizer="momentum", learning_rate=0.5, seed=123)
    assert Hyperparameters.from_dict(hp.to_dict()) == hp
    copy = hp.copy()
    copy.seed = 1
    assert hp.seed == 123


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda d: d.pop("seed"), ValueError, "hyperparameters must have the key 'seed', got keys"),
        (
            lambda d: d.update(momentum=0.9),
            ValueError,
            "hyperparameters must only have the keys .*, got unknown key 'momentum'.",
        ),
        (
            lambda d: d.update(learning_rate=None),
            TypeError,
            "learning_rate must be a number, got None.",
        ),
    ],
)
def test_hyperparameters_from_dict_refuses_bad_dicts(
    change: object, error: type, message: str
) -> None:
    data = Hyperparameters().to_dict()
    change(data)
    with pytest.raises(error, match=f"^{message}"):
        Hyperparameters.from_dict(data)


# -------------------------------------------------------------------------- DataSettings


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        (
            "generator",
            "blobs",
            ValueError,
            "generator must be one of 'moons', 'circles', 'xor', 'gaussians', 'spiral', "
            "got 'blobs'.",
        ),
        ("n_points", 1, ValueError, "n_points must be in 2..5000, got 1."),
        ("n_points", 5001, ValueError, "n_points must be in 2..5000, got 5001."),
        ("noise", 1.5, ValueError, "noise must be between 0 and 1, got 1.5."),
        ("test_ratio", 0.95, ValueError, "test_ratio must be between 0 and 0.9, got 0.95."),
        ("show_test", 1, TypeError, "show_test must be True or False, got 1."),
        ("split_seed", -3, ValueError, "split_seed must be in 0..4294967295, got -3."),
    ],
)
def test_bad_data_settings_are_refused_and_change_nothing(
    name: str, value: object, error: type, message: str
) -> None:
    settings = DataSettings()
    with pytest.raises(error, match=f"^{message}$"):
        setattr(settings, name, value)
    assert settings == DataSettings()


def test_data_settings_dict_round_trip_and_refusals() -> None:
    settings = DataSettings(generator="spiral", n_points=300, noise=0.05, seed=1, split_seed=4)
    assert DataSettings.from_dict(settings.to_dict()) == settings
    data = settings.to_dict()
    del data["show_test"]
    with pytest.raises(ValueError, match="^data_settings must have the key 'show_test'"):
        DataSettings.from_dict(data)


def test_generate_makes_the_engines_points_and_split() -> None:
    settings = DataSettings(generator="circles", n_points=50, noise=0.1, seed=3, test_ratio=0.2)
    command = settings.generate()
    assert isinstance(command, ReplacePoints)
    assert command.text == "Generate circles"
    X, y = nn_engine.datasets.circles(n_samples=50, noise=0.05, seed=3)  # scale 0.5
    np.testing.assert_array_equal(command.X, X)
    np.testing.assert_array_equal(command.labels, y)
    np.testing.assert_array_equal(command.is_test, nn_engine.datasets.split_mask(50, 0.2, 3))
    assert command.is_test.sum() == 10


def test_generate_reproduces_the_articles_data_and_split() -> None:
    # The article: make_moons(1000, noise=0.2, random_state=100), then
    # train_test_split(test_size=0.1, random_state=42).
    settings = DataSettings(n_points=1000, noise=0.2, seed=100, test_ratio=0.1, split_seed=42)
    command = settings.generate(text="Preset: The article")
    X, y = nn_engine.datasets.moons(1000, noise=0.2, seed=100)
    _, X_test, _, y_test = nn_engine.datasets.train_test_split(X, y, test_size=0.1, seed=42)
    assert command.text == "Preset: The article"
    assert command.is_test.sum() == 100
    # Same test points (as sets of rows; the split function shuffles them).
    assert sorted(map(tuple, command.X[command.is_test])) == sorted(map(tuple, X_test))
    assert sorted(command.labels[command.is_test]) == sorted(y_test)


def test_generate_with_no_test_points() -> None:
    command = DataSettings(n_points=10, test_ratio=0.0).generate()
    assert not command.is_test.any()


@pytest.mark.parametrize("generator", ["moons", "circles", "xor", "gaussians", "spiral"])
def test_every_generator_gives_both_classes(generator: str) -> None:
    command = DataSettings(generator=generator, n_points=100).generate()
    assert len(command.X) == 100
    assert set(command.labels.tolist()) == {0, 1}
