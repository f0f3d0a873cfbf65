"""Architecture: editing within the limits, the engine's format, parameter count, summary."""

import pytest

from playground.state import MAX_HIDDEN_LAYERS, MAX_UNITS, Architecture, HiddenLayer


def article() -> Architecture:
    return Architecture.from_units([25, 50, 50, 25], "relu")


def units(arch: Architecture) -> list[int]:
    return [layer.units for layer in arch.layers]


def test_article_sizes_engine_format_and_summary() -> None:
    arch = article()
    assert arch.sizes() == [2, 25, 50, 50, 25, 1]
    hidden = [(2, 25), (25, 50), (50, 50), (50, 25)]
    assert arch.to_engine() == [
        *({"input_dim": n_in, "output_dim": n_out, "activation": "relu"} for n_in, n_out in hidden),
        {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"},
    ]
    # 2*25+25 + 25*50+50 + 50*50+50 + 50*25+25 + 25*1+1
    assert arch.n_params() == 75 + 1300 + 2550 + 1275 + 26 == 5226
    assert arch.summary() == "2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters"


def test_no_hidden_layer_is_logistic_regression() -> None:
    arch = Architecture()
    assert arch.sizes() == [2, 1]
    assert arch.to_engine() == [{"input_dim": 2, "output_dim": 1, "activation": "sigmoid"}]
    assert arch.summary() == "2 → 1 · 3 parameters"


def test_add_remove_move_and_change_layers() -> None:
    arch = Architecture()
    arch.add_layer(units=4, activation="tanh")  # appended
    arch.add_layer(0, units=8)  # next to the input
    arch.add_layer(1, units=6, activation="leaky_relu")
    assert arch.layers == (
        HiddenLayer(8, "relu"),
        HiddenLayer(6, "leaky_relu"),
        HiddenLayer(4, "tanh"),
    )
    arch.move_layer(0, 2)
    assert units(arch) == [6, 4, 8]
    arch.move_layer(2, 0)
    assert units(arch) == [8, 6, 4]
    arch.set_units(1, 256)
    arch.set_activation(1, "sigmoid")
    assert arch.layers[1] == HiddenLayer(256, "sigmoid")
    arch.remove_layer(0)
    assert units(arch) == [256, 4]
    assert arch.activations() == ["sigmoid", "tanh", "sigmoid"]


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda a: a.set_units(0, 0), ValueError, "units must be in 1..256, got 0."),
        (lambda a: a.set_units(0, MAX_UNITS + 1), ValueError, "units must be in 1..256, got 257."),
        (lambda a: a.set_units(0, 2.5), TypeError, "units must be an integer, got 2.5."),
        (
            lambda a: a.set_activation(1, "softmax"),
            ValueError,
            "activation must be one of 'relu', 'tanh', 'sigmoid', 'linear', 'leaky_relu', "
            "got 'softmax'.",
        ),
        (lambda a: a.remove_layer(4), ValueError, "index must be in 0..3, got 4."),
        (lambda a: a.remove_layer(-1), ValueError, "index must be in 0..3, got -1."),
        (lambda a: a.move_layer(0, 9), ValueError, "destination must be in 0..3, got 9."),
        (lambda a: a.add_layer(5), ValueError, "index must be in 0..4, got 5."),
        (lambda a: a.add_layer(units=300), ValueError, "units must be in 1..256, got 300."),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(edit: object, error: type, message: str) -> None:
    arch = article()
    with pytest.raises(error, match=f"^{message}$"):
        edit(arch)
    assert arch == article()


def test_at_most_ten_hidden_layers() -> None:
    arch = Architecture.from_units([3] * MAX_HIDDEN_LAYERS)
    with pytest.raises(ValueError, match="^the number of hidden layers must be <= 10, got 11.$"):
        arch.add_layer()
    assert len(arch) == 10
    with pytest.raises(ValueError, match="got 11.$"):
        Architecture.from_units([3] * 11)


def test_editing_an_empty_stack_names_the_problem() -> None:
    with pytest.raises(
        ValueError, match=r"^index must refer to a hidden layer, got 0 \(there are none\).$"
    ):
        Architecture().remove_layer(0)


def test_dict_round_trip_equality_and_copy() -> None:
    arch = article()
    arch.set_activation(2, "tanh")
    data = arch.to_dict()
    assert data["hidden_layers"][2] == {"units": 50, "activation": "tanh"}
    assert Architecture.from_dict(data) == arch
    copy = arch.copy()
    copy.remove_layer(0)
    assert copy != arch and len(arch) == 4


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ([], TypeError, "architecture must be a dict, got list."),
        ({}, ValueError, r"architecture must have the key 'hidden_layers', got keys \[\]."),
        (
            {"hidden_layers": []},
            ValueError,
            r"architecture must have the key 'features', got keys \['hidden_layers'\].",
        ),
        (
            {"hidden_layers": [], "features": ["x1"], "extra": 1},
            ValueError,
            "architecture must only have the keys 'hidden_layers', 'features', "
            "got unknown key 'extra'.",
        ),
        (
            {"hidden_layers": "25", "features": ["x1"]},
            TypeError,
            "hidden_layers must be a list, got str.",
        ),
        (
            {"hidden_layers": [{"units": 25}], "features": ["x1"]},
            ValueError,
            r"hidden_layers\[0\] must have the key 'activation', got keys \['units'\].",
        ),
        (
            {"hidden_layers": [{"units": True, "activation": "relu"}], "features": ["x1"]},
            TypeError,
            "units must be an integer, got True.",
        ),
        (
            {"hidden_layers": [], "features": "x1"},
            TypeError,
            "features must be a list of feature names, got str.",
        ),
        (
            {"hidden_layers": [], "features": []},
            ValueError,
            "features must name 1..16 features, got 0.",
        ),
        (
            {"hidden_layers": [], "features": ["x1", "x1"]},
            ValueError,
            "features must be distinct, got 'x1' twice.",
        ),
        (
            {"hidden_layers": [], "features": ["x1", 2]},
            TypeError,
            r"features\[1\] must be a str, got int.",
        ),
        (
            {"hidden_layers": [], "features": ["__import__('os')"]},
            ValueError,
            r"feature \"__import__\('os'\)\" may only use x1, x2, numbers, \+ - \* / \*\* and "
            r"sin cos tan tanh exp log sqrt abs; got the name '__import__'.",
        ),
    ],
)
def test_from_dict_refuses_bad_data(data: object, error: type, message: str) -> None:
    with pytest.raises(error, match=f"^{message}$"):
        Architecture.from_dict(data)


def test_repr() -> None:
    assert (
        repr(Architecture.from_units([4, 3], "tanh")) == "Architecture(2-4-3-1, hidden tanh/tanh)"
    )
