"""Input features: the built-ins, the expression parser and its refusals, and features travelling
with the network (prediction, training, files, JSON, trainer states, copies, the CLI)."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn_engine
from nn_engine import FEATURES, Network, Trainer, datasets, io, parse_feature, train
from nn_engine.__main__ import main as cli_main
from nn_engine.features import MAX_FEATURE_CHARS

GRAMMAR = "x1, x2, numbers, + - * / ** and sin cos tan tanh exp log sqrt abs"

POINTS = np.array([[0.0, 0.0], [1.5, -2.0], [-0.25, 3.0], [2.0, 0.5]])


# ------------------------------------------------------------------------------ built-ins


def test_the_built_ins_and_their_values():
    x1, x2 = POINTS[:, 0], POINTS[:, 1]
    expected = {
        "x1": [0.0, 1.5, -0.25, 2.0],
        "x2": [0.0, -2.0, 3.0, 0.5],
        "x1^2": [0.0, 2.25, 0.0625, 4.0],
        "x2^2": [0.0, 4.0, 9.0, 0.25],
        "x1*x2": [0.0, -3.0, -0.75, 1.0],
        "sin(x1)": [0.0, math.sin(1.5), math.sin(-0.25), math.sin(2.0)],
        "sin(x2)": [0.0, math.sin(-2.0), math.sin(3.0), math.sin(0.5)],
    }
    assert list(FEATURES) == list(expected)
    for name, values in expected.items():
        assert np.array_equal(FEATURES[name](x1, x2), values), name
        assert parse_feature(name) is FEATURES[name]


def test_the_registry_is_read_only():
    with pytest.raises(TypeError):
        FEATURES["x1^3"] = lambda x1, x2: x1**3  # type: ignore[index]


def test_feature_matrix_holds_one_column_per_feature_in_the_network_dtype():
    features = ("x1^2", "x1*x2", "sin(x2)", "x1 + 2 * x2")
    for dtype in (np.float64, np.float32):
        net = Network.from_sizes([4, 1], features=features, seed=0, dtype=dtype)
        matrix = net.feature_matrix(POINTS)
        assert matrix.dtype == dtype and matrix.shape == (4, 4)
        x1, x2 = POINTS[:, 0], POINTS[:, 1]
        expected = np.column_stack([x1 * x1, x1 * x2, np.sin(x2), x1 + 2 * x2]).astype(dtype)
        assert np.array_equal(matrix, expected)


def test_default_features_are_the_points_themselves():
    net = Network.from_sizes([2, 3, 1], seed=0)
    assert net.features == ("x1", "x2")
    X = np.ascontiguousarray(POINTS)
    assert net.feature_matrix(X) is X


# ---------------------------------------------------------------------- the expressions


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("x1 + x2 * 2", lambda x1, x2: x1 + x2 * 2),
        ("(x1 + x2) * 2", lambda x1, x2: (x1 + x2) * 2),
        ("-x1^2", lambda x1, x2: -(x1**2)),  # ^ is **, which binds tighter than unary minus
        ("x1^2 + 1", lambda x1, x2: x1**2 + 1),  # not Python's x1 ^ (2 + 1)
        ("2^3^2 + 0 * x1", lambda x1, x2: 2.0**9 + 0 * x1),  # right-associative
        ("abs(x1) ** -1.5", lambda x1, x2: np.power(np.abs(x1), -1.5)),
        ("+x2 / 4", lambda x1, x2: x2 / 4),
        ("tanh(x1) - cos(x2) + tan(x1)", lambda x1, x2: np.tanh(x1) - np.cos(x2) + np.tan(x1)),
        ("exp(-(x1^2 + x2^2))", lambda x1, x2: np.exp(-(x1**2 + x2**2))),
        ("sqrt(abs(x1 * x2))", lambda x1, x2: np.sqrt(np.abs(x1 * x2))),
        ("log(1 + x2^2)", lambda x1, x2: np.log(1 + x2**2)),
        ("  1e-3*x1  ", lambda x1, x2: 1e-3 * x1),
        ("(((x2)))", lambda x1, x2: x2),
    ],
)  # fmt: skip
def test_expressions_follow_the_usual_rules_of_arithmetic(expression, expected):
    x1, x2 = POINTS[:, 0] + 0.1, POINTS[:, 1] + 0.2
    np.testing.assert_allclose(parse_feature(expression)(x1, x2), expected(x1, x2), rtol=1e-15)


def test_a_constant_expression_broadcasts_to_a_column():
    net = Network.from_sizes([2, 1], features=("x1", "3 / 4"), seed=0)
    assert np.array_equal(net.feature_matrix(POINTS)[:, 1], [0.75] * 4)


def test_undefined_values_are_nan_or_inf_without_warnings():
    x = np.array([0.0, -1.0])
    with np.errstate(all="raise"):  # any warning would raise here
        assert np.array_equal(parse_feature("log(x1)")(x, x), [-np.inf, np.nan], equal_nan=True)
        result = parse_feature("1 / x1 + sqrt(x2)")(x, x)
    assert np.isinf(result[0]) and np.isnan(result[1])


# Valid expressions, built as a tree together with their value computed directly with NumPy.
_ARRAYS = {
    "x1": np.linspace(-2.0, 2.0, 9),
    "x2": np.linspace(3.0, -1.0, 9),
}
_FUNCTIONS = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs,
}  # fmt: skip
_OPERATIONS = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
    "**": np.power, "^": np.power,
}  # fmt: skip


def _quietly(function, *arguments):
    with np.errstate(all="ignore"):  # overflow and NaN are legitimate values here
        return function(*arguments)


_leaves = st.one_of(
    st.sampled_from(["x1", "x2"]).map(lambda name: (name, _ARRAYS[name])),
    st.integers(0, 50).map(lambda n: (str(n), float(n))),
    st.floats(0, 10, allow_nan=False).map(lambda v: (repr(v), v)),
)


def _extend(children):
    binary = st.tuples(children, st.sampled_from(list(_OPERATIONS)), children).map(
        lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", _quietly(_OPERATIONS[t[1]], t[0][1], t[2][1]))
    )
    call = st.tuples(st.sampled_from(list(_FUNCTIONS)), children).map(
        lambda t: (f"{t[0]}({t[1][0]})", _quietly(_FUNCTIONS[t[0]], t[1][1]))
    )
    negation = children.map(lambda c: (f"(-{c[0]})", np.negative(c[1])))
    return st.one_of(binary, call, negation)


# each binary operation is written inside parentheses, so the text parses to the same tree
_expressions = st.recursive(_leaves, _extend, max_leaves=8).filter(
    lambda e: len(e[0]) <= MAX_FEATURE_CHARS
)


@settings(max_examples=300, deadline=None)
@given(_expressions)
def test_generated_expressions_compute_what_numpy_computes(expression):
    text, expected = expression
    result = parse_feature(text)(_ARRAYS["x1"], _ARRAYS["x2"])
    np.testing.assert_array_equal(np.broadcast_to(result, (9,)), np.broadcast_to(expected, (9,)))


REFUSED = [
    ("__import__('os')", "the name '__import__'"),
    ("__import__('os').system('ls')", "the attribute access '.system'"),
    ("open('/etc/passwd')", "the name 'open'"),
    ("getattr(x1, 'real')", "the name 'getattr'"),
    ("__builtins__", "the name '__builtins__'"),
    ("y", "the name 'y'"),
    ("X1 + 1", "the name 'X1'"),
    ("exp", "the name 'exp'"),
    ("x1.real", "the attribute access '.real'"),
    ("x1.__class__.__bases__", "the attribute access '.__bases__'"),
    ("sin.__call__(x1)", "the attribute access '.__call__'"),
    ("x1[0]", "the subscript 'x1[0]'"),
    ("(lambda: 1)()", "a lambda 'lambda: 1'"),
    ("[x for x in x1]", "a comprehension '[x for x in x1]'"),
    ("sum(x for x in x1)", "the name 'sum'"),
    ("sin(x=x1)", "the keyword argument 'x=' (the functions take one argument)"),
    ("sin(**x1)", "the keyword argument '**' (the functions take one argument)"),
    ("sin(*x1)", "the unpacking '*x1'"),
    ("sin(x1, x2)", "sin with 2 arguments in 'sin(x1, x2)' (the functions take one)"),
    ("sin()", "sin with 0 arguments in 'sin()' (the functions take one)"),
    ("x1(2)", "the call 'x1(2)'"),
    ("'abc'", "the constant 'abc'"),
    ("b'x'", "the constant b'x'"),
    ("True", "the constant True"),
    ("None", "the constant None"),
    ("1j", "the constant 1j"),
    ("1e999", "the number 1e999, which is not finite"),
    ("x1 % 2", "the operator '%'"),
    ("x1 // 2", "the operator '//'"),
    ("x1 @ x2", "the operator '@'"),
    ("x1 | x2", "the operator '|'"),
    ("~x1", "the operator '~'"),
    ("not x1", "the operator 'not'"),
    ("x1 and x2", "the operator 'and'"),
    ("x1 < x2", "the comparison 'x1 < x2'"),
    ("x1 if x2 else 0", "the conditional expression 'x1 if x2 else 0'"),
    ("(y := 1)", "the assignment 'y := 1'"),
    ("f'{x1}'", "the f-string \"f'{x1}'\""),
    ("[x1]", "the list '[x1]'"),
    ("x1, x2", "the tuple 'x1, x2'"),
    ("{x1}", "the set '{x1}'"),
    ("-" * 100 + "x1", "nesting deeper than 100 levels"),
    ("+-" * 50 + "x1", "nesting deeper than 100 levels"),
]


@pytest.mark.parametrize(("expression", "offence"), REFUSED)
def test_anything_outside_the_grammar_is_refused_naming_the_token(expression, offence):
    with pytest.raises(ValueError) as caught:
        parse_feature(expression)
    assert str(caught.value) == f"feature {expression!r} may only use {GRAMMAR}; got {offence}."


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("x1 +", "feature 'x1 +' is not a valid expression (invalid syntax)."),
        ("x1; import os", "feature 'x1; import os' is not a valid expression (invalid syntax)."),
        ("import os", "feature 'import os' is not a valid expression (invalid syntax)."),
        (
            "x1\x00",
            "feature 'x1\\x00' is not a valid expression (source code string cannot contain "
            "null bytes).",
        ),
        (
            "",
            "feature must be a built-in (x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)) or an "
            "expression in x1 and x2, got ''.",
        ),
    ],
)
def test_text_that_is_not_an_expression_is_refused(expression, message):
    with pytest.raises(ValueError) as caught:
        parse_feature(expression)
    assert str(caught.value) == message


def test_the_longest_sums_and_deepest_calls_pass():
    # a 100-term sum is a chain 100 deep; 39 nested calls fill the 200 characters
    terms = parse_feature("+".join(["x1"] * 66))(np.array([1.0]), np.array([0.0]))
    assert terms[0] == 66.0
    nested = "sin(" * 39 + "x1" + ")" * 39
    assert len(nested) == 197
    expected = 2.0
    for _ in range(39):
        expected = math.sin(expected)
    assert parse_feature(nested)(np.array([2.0]), np.array([0.0]))[0] == pytest.approx(expected)
    assert parse_feature("1+" * 99 + "x1")(np.array([1.0]), np.array([0.0]))[0] == 100


def test_overly_long_expressions_are_refused_before_parsing():
    longest = "x1" + " + x1" * ((MAX_FEATURE_CHARS - 2) // 5)
    assert len(longest) <= MAX_FEATURE_CHARS
    parse_feature(longest)
    too_long = longest + " + x2" * 2
    with pytest.raises(
        ValueError, match=rf"^feature must be at most 200 characters, got {len(too_long)}: "
    ):
        parse_feature(too_long)


def test_huge_powers_overflow_to_inf_instead_of_hanging():
    assert parse_feature("9 ** 9 ** 9 + x1")(np.array([1.0]), np.array([1.0]))[0] == np.inf


def test_a_feature_that_is_not_a_str_is_refused():
    with pytest.raises(TypeError, match=r"^feature must be a str, got int\.$"):
        parse_feature(3)


# --------------------------------------------------------------------- the network's features


@pytest.mark.parametrize(
    ("features", "error", "message"),
    [
        ("x1", TypeError, "features must be a sequence of feature names, got str."),
        (("x1", 2), TypeError, "features[1] must be a str, got int."),
        ((), ValueError, "features must name at least one feature, got none."),
        (("x1", "x1"), ValueError, "features must be distinct, got 'x1' twice."),
        (("x1", "y"), ValueError, f"feature 'y' may only use {GRAMMAR}; got the name 'y'."),
        (
            ("x1", "x2", "x1^2"),
            ValueError,
            "architecture[0]['input_dim'] must equal the number of features (3: x1, x2, x1^2), "
            "got 2.",
        ),
    ],
)
def test_network_refuses_bad_features(features, error, message):
    with pytest.raises(error) as caught:
        Network.from_sizes([2, 3, 1], features=features, seed=0)
    assert str(caught.value) == message


def test_a_network_predicts_from_its_features_as_a_plain_network_from_the_feature_matrix():
    X, y = datasets.moons(50, noise=0.2, seed=3)
    featured = Network.from_sizes([2, 5, 1], hidden="tanh", features=("x1*x2", "sin(x1)"), seed=4)
    plain = Network.from_sizes([2, 5, 1], hidden="tanh", seed=4)
    assert np.array_equal(featured.params, plain.params)
    F = np.column_stack([X[:, 0] * X[:, 1], np.sin(X[:, 0])])
    assert np.array_equal(featured.predict_proba(X), plain.predict_proba(F))
    assert np.array_equal(featured.predict(X), plain.predict(F))
    assert featured.evaluate(X, y) == plain.evaluate(F, y)
    for a, b in zip(featured.forward_layers(X), plain.forward_layers(F), strict=True):
        assert np.array_equal(a, b)
    loss_a, grads_a = featured.loss_and_gradients(X, y)
    loss_b, grads_b = plain.loss_and_gradients(F, y)
    assert loss_a == loss_b
    assert all(np.array_equal(g["W"], h["W"]) for g, h in zip(grads_a, grads_b, strict=True))


def test_training_on_features_is_training_on_the_feature_matrix():
    X, y = datasets.moons(60, noise=0.2, seed=1)
    featured = Network.from_sizes([3, 4, 1], features=("x1", "x2", "x1^2"), seed=2)
    plain_inputs = Network.from_sizes([2, 4, 1], seed=2)  # a stand-in to compare weights
    history = train(featured, X, y, epochs=30, learning_rate=0.1, optimizer="adam", batch_size=16)
    assert history.epochs == 30 and history.accuracy[-1] > 0.8
    assert featured.n_params == plain_inputs.n_params + 4


def test_the_trainer_computes_the_feature_matrix_once_per_data_set(monkeypatch):
    import nn_engine.network as network_module

    calls = []
    original = network_module.feature_matrix

    def counting(functions, X, dtype):
        calls.append(len(X))
        return original(functions, X, dtype)

    monkeypatch.setattr(network_module, "feature_matrix", counting)
    X, y = datasets.circles(40, noise=0.1, seed=0)
    net = Network.from_sizes([2, 1], features=("x1^2", "x2^2"), seed=0)
    trainer = Trainer(net, X, y, batch_size=16, validation_data=(X[:10], y[:10]))
    assert calls == [40, 10]
    trainer.run(5)
    assert calls == [40, 10]  # epochs and validation reuse them
    trainer.set_data(X[:30], y[:30])
    trainer.run(2)
    assert calls == [40, 10, 30]


# ------------------------------------------------------------------------ non-finite values


def log_network():
    return Network.from_sizes([2, 3, 1], features=("x1", "log(x2)"), seed=0)


def test_training_refuses_non_finite_features_naming_the_feature_and_the_row():
    X = np.array([[0.5, 1.0], [1.0, 2.0], [-1.0, 0.0], [2.0, 3.0]])
    y = np.array([0, 1, 0, 1])
    message = (
        r"^feature 'log\(x2\)' must be finite on X, got -inf at row 2 \(x1=-1\.0, x2=0\.0\)\.$"
    )
    net = log_network()
    with pytest.raises(ValueError, match=message):
        Trainer(net, X, y)
    for measure in (net.evaluate, net.loss_and_gradients):
        with pytest.raises(ValueError, match=message):
            measure(X, y)
    with pytest.raises(ValueError, match=message):
        net.dead_units(X)

    trainer = Trainer(net, X[[0, 1, 3]], y[[0, 1, 3]])
    before = net.params.copy()
    with pytest.raises(ValueError, match=message):
        trainer.set_data(X, y)
    with pytest.raises(ValueError, match=r"^feature 'log\(x2\)' must be finite on X_val, got nan "):
        trainer.set_validation([[1.0, -3.0]], [1])
    trainer.step_epoch()  # still trains on the data it had
    assert trainer.epoch == 1 and not np.array_equal(net.params, before)


def test_a_float32_network_refuses_features_beyond_its_range():
    net = Network.from_sizes([2, 1], features=("x1", "exp(x2)"), seed=0, dtype=np.float32)
    with pytest.raises(
        ValueError, match=r"^feature 'exp\(x2\)' must be finite on X, got inf at row 1"
    ):
        Trainer(net, [[0.0, 1.0], [0.0, 100.0]], [0, 1])


def test_prediction_gives_nan_where_a_feature_is_not_finite():
    net = log_network()
    grid = np.array([[0.0, 1.0], [0.0, 0.0], [1.0, -2.0], [1.0, 5.0]])
    with np.errstate(all="raise"):  # and no warning on the way
        p = net.predict_proba(grid)
        layers = net.forward_layers(grid)
    assert np.isfinite(p[[0, 3]]).all() and np.isnan(p[[1, 2]]).all()
    for activations in layers:
        assert np.isnan(activations[[1, 2]]).all() and np.isfinite(activations[[0, 3]]).all()
    assert np.array_equal(net.predict(grid)[[1, 2]], [0, 0])
    assert np.isinf(net.feature_matrix(grid)[1, 1])  # the matrix itself keeps the raw values


# ------------------------------------------------------------------------ circles, no hidden


def circles_split():
    X, y = datasets.circles(1000, noise=0.1, seed=0)
    return datasets.train_test_split(X, y, test_size=0.3, seed=0)


@pytest.mark.parametrize("init_seed", [0, 1, 2])
def test_circles_need_no_hidden_layer_with_squared_features(init_seed):
    X_train, X_test, y_train, y_test = circles_split()
    squares = Network.from_sizes([2, 1], features=("x1^2", "x2^2"), init="xavier", seed=init_seed)
    train(squares, X_train, y_train, epochs=300, learning_rate=0.1, optimizer="adam")
    assert squares.evaluate(X_test, y_test)[1] >= 0.95

    linear = Network.from_sizes([2, 1], init="xavier", seed=init_seed)
    train(linear, X_train, y_train, epochs=300, learning_rate=0.1, optimizer="adam")
    assert linear.evaluate(X_test, y_test)[1] <= 0.75


# -------------------------------------------------------------------- features travel along


FEATURED = ("x1^2", "x2^2", "sin(3 * x1) * exp(-x2^2)")


def featured_network(dtype=np.float64):
    return Network.from_sizes([3, 4, 1], hidden="tanh", features=FEATURED, seed=5, dtype=dtype)


def test_repr_and_copy_keep_the_features():
    net = featured_network()
    assert repr(net) == (
        "Network(3-4-1, tanh/sigmoid, 21 params, "
        "features=('x1^2', 'x2^2', 'sin(3 * x1) * exp(-x2^2)'))"
    )
    twin = net.copy()
    assert twin.features == FEATURED
    assert np.array_equal(twin.predict_proba(POINTS), net.predict_proba(POINTS))
    assert repr(Network.from_sizes([2, 1], seed=0)) == "Network(2-1, sigmoid, 3 params)"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_save_and_load_keep_the_features(tmp_path, dtype):
    net = featured_network(dtype)
    path = tmp_path / "featured.npz"
    io.save_network(net, path)
    loaded = io.load_network(path)
    assert loaded.features == FEATURED
    assert loaded.dtype == dtype
    assert np.array_equal(loaded.params, net.params)
    assert np.array_equal(loaded.predict_proba(POINTS), net.predict_proba(POINTS))


def test_a_model_file_with_a_bad_feature_is_refused(tmp_path):
    net = featured_network()
    path = tmp_path / "bad.npz"
    io.save_network(net, path)
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays["architecture"] = np.array(str(arrays["architecture"]).replace("exp(", "eval("))
    np.savez(path, **arrays)
    with pytest.raises(ValueError) as caught:
        io.load_network(path)
    assert str(caught.value) == (
        f"bad.npz: feature 'sin(3 * x1) * eval(-x2^2)' may only use {GRAMMAR}; got the name 'eval'."
    )


def test_architecture_json_keeps_the_features_in_a_wrapper_and_the_list_otherwise():
    net = featured_network()
    text = io.architecture_to_json(net.architecture, net.features)
    assert json.loads(text) == {"features": list(FEATURED), "layers": net.architecture}
    assert (
        text.splitlines()[3] == '        {"input_dim": 3, "output_dim": 4, "activation": "tanh"},'
    )
    assert io.architecture_from_json(text, with_features=True) == (net.architecture, FEATURED)
    with pytest.raises(ValueError) as caught:
        io.architecture_from_json(text)
    assert str(caught.value) == (
        f"architecture has the input features {', '.join(FEATURED)}: read it with "
        "with_features=True to build the same network."
    )

    plain = Network.from_sizes([2, 3, 1], seed=0)
    plain_text = io.architecture_to_json(plain.architecture, plain.features)
    assert plain_text == io.architecture_to_json(plain.architecture)
    assert plain_text.startswith("[\n")
    assert io.architecture_from_json(plain_text) == plain.architecture
    assert io.architecture_from_json(plain_text, with_features=True) == (
        plain.architecture,
        ("x1", "x2"),
    )


ONE_UNIT = {"input_dim": 1, "output_dim": 1, "activation": "sigmoid"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"features": ["x1"], "layers": [], "extra": 1},
            "architecture must be a list of layer dicts or a dict with the keys features and "
            "layers, got the keys ['extra', 'features', 'layers'].",
        ),
        (
            {"features": "x1", "layers": [ONE_UNIT]},
            "features must be a sequence of feature names, got str.",
        ),
        (
            {"features": ["x1", "x2"], "layers": [ONE_UNIT]},
            "architecture[0]['input_dim'] must equal the number of features (2: x1, x2), got 1.",
        ),
        (
            {"features": ["os.getcwd()"], "layers": [ONE_UNIT]},
            f"feature 'os.getcwd()' may only use {GRAMMAR}; got the attribute access '.getcwd'.",
        ),
    ],
)  # fmt: skip
def test_architecture_json_with_bad_features_is_refused(document, message):
    with pytest.raises(ValueError) as caught:
        io.architecture_from_json(json.dumps(document), with_features=True)
    assert str(caught.value) == message


def json_round_trip(state):
    def default(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.integer | np.floating):
            return value.item()
        raise TypeError(type(value))

    return json.loads(json.dumps(state, default=default))


def test_state_dict_keeps_the_features_and_continues_exactly():
    X, y = datasets.circles(60, noise=0.1, seed=2)
    original = Trainer(featured_network(), X, y, optimizer="adam", batch_size=16, seed=1)
    original.run(2)
    state = json_round_trip(original.state_dict())
    assert state["features"] == list(FEATURED)
    original.run(2)

    resumed = Trainer(featured_network(), X, y, optimizer="adam", batch_size=16, seed=1)
    resumed.load_state_dict(state)
    resumed.run(2)
    assert np.array_equal(resumed.net.params, original.net.params)
    assert resumed.history.loss == original.history.loss


def test_a_state_for_other_features_is_refused_and_changes_nothing():
    X, y = datasets.circles(60, noise=0.1, seed=2)
    state = Trainer(featured_network(), X, y).state_dict()
    other = Network.from_sizes([3, 4, 1], hidden="tanh", features=("x1", "x2", "x1*x2"), seed=5)
    trainer = Trainer(other, X, y)
    before = other.params.copy()
    with pytest.raises(ValueError) as caught:
        trainer.load_state_dict(state)
    assert str(caught.value) == (
        "features must be ['x1', 'x2', 'x1*x2'] (the network's), got "
        "['x1^2', 'x2^2', 'sin(3 * x1) * exp(-x2^2)']."
    )
    assert np.array_equal(other.params, before)


def test_a_state_saved_before_features_existed_is_for_x1_x2():
    X, y = datasets.circles(60, noise=0.1, seed=2)
    state = Trainer(Network.from_sizes([2, 3, 1], seed=0), X, y).state_dict()
    del state["features"]
    Trainer(Network.from_sizes([2, 3, 1], seed=1), X, y).load_state_dict(state)
    squares = Network.from_sizes([2, 3, 1], features=("x1^2", "x2^2"), seed=1)
    with pytest.raises(
        ValueError,
        match=r"^features must be \['x1\^2', 'x2\^2'\] \(the network's\), got \['x1', 'x2'\]\.$",
    ):
        Trainer(squares, X, y).load_state_dict(state)


def test_the_cli_trains_on_features(capsys, tmp_path):
    path = tmp_path / "circles.npz"
    options = ["--dataset", "circles", "--samples", "200", "--noise", "0.1", "--features"]
    options += ["x1^2,x2^2", "--arch", "2,1", "--optimizer", "adam", "--lr", "0.1"]
    options += ["--epochs", "300", "--every", "0", "--save", str(path), "--init", "xavier"]
    assert cli_main(options) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("Network(2-1, sigmoid, 3 params, features=('x1^2', 'x2^2')), ")
    assert float(lines[2].removeprefix("Train accuracy: ")) >= 0.95
    assert io.load_network(path).features == ("x1^2", "x2^2")


def test_the_cli_default_architecture_starts_with_the_number_of_features(capsys):
    options = ["--samples", "40", "--features", "x1,x2,x1*x2", "--epochs", "1", "--every", "0"]
    assert cli_main(options) == 0
    assert "Network(3-25-50-50-25-1, relu/sigmoid" in capsys.readouterr().out


def test_features_are_part_of_the_public_api():
    assert {"FEATURES", "parse_feature"} <= set(nn_engine.__all__)
