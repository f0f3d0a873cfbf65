"""Network: the article's initialisation, forward/backward propagation, parameters, dtypes."""

import numpy as np
import pytest
from reference_math import ARTICLE_ARCHITECTURE

from nn_engine import ACTIVATIONS, Network

SIZES = [2, 25, 50, 50, 25, 1]


def sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def reference_forward(params, activations, X):
    """Every layer's output, samples as rows, written out from the formulas."""
    functions = {
        "relu": lambda Z: np.maximum(Z, 0),
        "sigmoid": sigmoid,
        "tanh": np.tanh,
        "linear": lambda Z: Z,
        "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
    }
    outputs, A = [], np.asarray(X, dtype=np.float64)
    for layer, activation in zip(params, activations, strict=True):
        A = functions[activation](A @ layer["W"].T + layer["b"])
        outputs.append(A)
    return outputs


def reference_loss(p, y):
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def random_params(net, seed, scale=0.7):
    """Random weights and biases (non-zero biases, unlike he/xavier) for ``net``."""
    rng = np.random.default_rng(seed)
    return [
        {"W": rng.normal(0, scale, layer["W"].shape), "b": rng.normal(0, scale, layer["b"].shape)}
        for layer in net.get_params()
    ]


def data(n=40, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = (X[:, 0] * X[:, -1] > 0).astype(np.int64)
    y[:2] = [0, 1]
    return X, y


def params_equal(a, b):
    return len(a) == len(b) and all(
        np.array_equal(p["W"], q["W"]) and np.array_equal(p["b"], q["b"])
        for p, q in zip(a, b, strict=True)
    )


# ------------------------------------------------------------------------- initialisation


@pytest.mark.parametrize("seed", [0, 2, 99, 2**32 - 1])
def test_seed_init_is_the_article_formula(seed):
    net = Network.from_sizes(SIZES, hidden="relu", init="seed", seed=seed)
    rng = np.random.RandomState(seed)
    params = net.get_params()
    for layer, (n_in, n_out) in zip(params, zip(SIZES, SIZES[1:], strict=False), strict=True):
        W = rng.randn(n_out, n_in) * 0.1
        b = rng.randn(n_out, 1) * 0.1
        assert np.array_equal(layer["W"], W)
        assert np.array_equal(layer["b"], b[:, 0])


def test_seed_init_float32_is_the_float64_init_rounded():
    net64 = Network.from_sizes(SIZES, seed=2)
    net32 = Network.from_sizes(SIZES, seed=2, dtype=np.float32)
    assert net32.params.dtype == np.float32
    assert np.array_equal(net32.params, net64.params.astype(np.float32))


def test_he_init_statistics():
    net = Network.from_sizes([2, 400, 300, 200, 1], init="he", seed=5)
    for layer in net.get_params()[1:3]:  # fan-in 400 and 300
        W = layer["W"]
        expected_std = np.sqrt(2.0 / W.shape[1])
        assert abs(W.std() / expected_std - 1) < 0.02
        assert abs(W.mean()) < 4 * expected_std / np.sqrt(W.size)
        assert np.array_equal(layer["b"], np.zeros(W.shape[0]))
    assert np.array_equal(net.get_params()[3]["b"], [0.0])


def test_xavier_init_statistics():
    net = Network.from_sizes([2, 400, 300, 200, 1], init="xavier", seed=5)
    for layer in net.get_params():
        W = layer["W"]
        limit = np.sqrt(6.0 / (W.shape[0] + W.shape[1]))
        assert np.abs(W).max() <= limit
        if W.size > 1000:
            assert np.abs(W).max() > 0.99 * limit
            # U(-a, a) has variance a^2 / 3
            assert abs(W.var() / (limit**2 / 3) - 1) < 0.03
            assert abs(W.mean()) < 4 * limit / np.sqrt(3 * W.size)
        assert np.array_equal(layer["b"], np.zeros(W.shape[0]))


@pytest.mark.parametrize("init", ["seed", "he", "xavier"])
def test_same_seed_same_network_other_seed_other_network(init):
    a = Network.from_sizes(SIZES, init=init, seed=7)
    b = Network.from_sizes(SIZES, init=init, seed=7)
    c = Network.from_sizes(SIZES, init=init, seed=8)
    assert np.array_equal(a.params, b.params)
    assert all(
        not np.array_equal(p["W"], q["W"])
        for p, q in zip(a.get_params(), c.get_params(), strict=True)
    )
    assert a.init == init
    assert a.seed == 7


def test_seed_none_draws_a_seed_that_rebuilds_the_network():
    net = Network.from_sizes(SIZES, seed=None)
    assert isinstance(net.seed, int)
    assert 0 <= net.seed < 2**32
    twin = Network.from_sizes(SIZES, seed=net.seed)
    assert np.array_equal(net.params, twin.params)


# -------------------------------------------------------------------------- description


def test_description_of_the_article_network():
    net = Network(ARTICLE_ARCHITECTURE, seed=2)
    assert repr(net) == "Network(2-25-50-50-25-1, relu/sigmoid, 5,226 params)"
    assert net.sizes == SIZES
    assert net.activations == ["relu"] * 4 + ["sigmoid"]
    assert net.n_params == 75 + 1300 + 2550 + 1275 + 26
    assert net.architecture == ARTICLE_ARCHITECTURE
    assert net.dtype == np.float64


def test_repr_variants():
    assert repr(Network.from_sizes([2, 1], seed=0)) == "Network(2-1, sigmoid, 3 params)"
    mixed = Network.from_sizes([2, 3, 4, 1], hidden=["tanh", "relu"], seed=0)
    assert repr(mixed) == "Network(2-3-4-1, tanh,relu/sigmoid, 30 params)"
    assert mixed.activations == ["tanh", "relu", "sigmoid"]
    net32 = Network.from_sizes([2, 3, 1], hidden="relu", seed=0, dtype=np.float32)
    assert repr(net32) == "Network(2-3-1, relu/sigmoid, 13 params, float32)"


def test_architecture_is_a_copy():
    net = Network(ARTICLE_ARCHITECTURE, seed=2)
    arch = net.architecture
    arch[0]["output_dim"] = 99
    arch.append({"input_dim": 1, "output_dim": 1, "activation": "sigmoid"})
    assert net.architecture == ARTICLE_ARCHITECTURE


def test_from_sizes_builds_the_article_architecture():
    assert Network.from_sizes(SIZES, hidden="relu", seed=2).architecture == ARTICLE_ARCHITECTURE
    net = Network.from_sizes(
        [3, 4, 2, 1],
        hidden=["tanh", "leaky_relu"],
        features=("x1", "x2", "x2^2"),
        init="he",
        seed=1,
    )
    assert net.architecture == [
        {"input_dim": 3, "output_dim": 4, "activation": "tanh"},
        {"input_dim": 4, "output_dim": 2, "activation": "leaky_relu"},
        {"input_dim": 2, "output_dim": 1, "activation": "sigmoid"},
    ]
    assert (net.init, net.seed) == ("he", 1)


# --------------------------------------------------------------------------- parameters


def test_get_params_shapes_and_copies():
    net = Network(ARTICLE_ARCHITECTURE, seed=2)
    params = net.get_params()
    assert [(p["W"].shape, p["b"].shape) for p in params] == [
        ((25, 2), (25,)),
        ((50, 25), (50,)),
        ((50, 50), (50,)),
        ((25, 50), (25,)),
        ((1, 25), (1,)),
    ]
    before = net.params.copy()
    for layer in params:
        layer["W"][...] = 123.0
        layer["b"][...] = -4.0
    assert np.array_equal(net.params, before)
    assert not params_equal(params, net.get_params())


def test_flat_params_hold_every_parameter_once():
    net = Network.from_sizes([2, 3, 1], seed=0)
    p = net.get_params()
    values = np.concatenate([p[0]["W"].ravel(), p[1]["W"].ravel(), p[0]["b"], p[1]["b"]])
    assert net.params.shape == (net.n_params,) == (13,)
    assert np.array_equal(np.sort(net.params), np.sort(values))


def test_set_params_round_trip_and_copies_in():
    net = Network.from_sizes(SIZES, seed=2)
    new = random_params(net, 1)
    net.set_params(new)
    assert params_equal(net.get_params(), new)
    new[0]["W"][0, 0] = 1e6
    assert net.get_params()[0]["W"][0, 0] != 1e6


def test_set_params_accepts_nested_lists_and_casts_to_the_net_dtype():
    net = Network.from_sizes([2, 2, 1], seed=0, dtype=np.float32)
    net.set_params(
        [{"W": [[1, 2], [3, 4]], "b": [0.5, -0.5]}, {"W": [[1.0, -1.0]], "b": np.array([2.0])}]
    )
    assert net.params.dtype == np.float32
    params = net.get_params()
    assert all(p[k].dtype == np.float32 for p in params for k in ("W", "b"))
    assert np.array_equal(params[0]["W"], [[1, 2], [3, 4]])
    assert np.array_equal(params[0]["b"], [0.5, -0.5])
    assert np.array_equal(params[1]["W"], [[1, -1]])
    assert np.array_equal(params[1]["b"], [2])


def _refusals(net):
    good = random_params(net, 3)
    wrong_shape_last = [dict(layer) for layer in good]
    wrong_shape_last[-1] = {"W": good[-1]["W"], "b": np.zeros(2)}
    nan_last = [dict(layer) for layer in good]
    nan_last[-1] = {"W": good[-1]["W"], "b": np.array([np.nan])}
    inf_first = [dict(layer) for layer in good]
    inf_first[0] = {"W": np.full_like(good[0]["W"], np.inf), "b": good[0]["b"]}
    extra_key = [dict(layer) for layer in good]
    extra_key[2] = {**good[2], "c": 1}
    transposed = [dict(layer) for layer in good]
    transposed[1] = {"W": good[1]["W"].T, "b": good[1]["b"]}
    return {
        "too few layers": (good[:-1], r"^params must have one dict per layer \(5\), got 4\.$"),
        "too many layers": (
            good + good[:1],
            r"^params must have one dict per layer \(5\), got 6\.",
        ),
        "not a list": ("W", r"^params must have one dict per layer"),
        "wrong shape in the last layer": (
            wrong_shape_last,
            r"^params\[4\]\['b'\] must have shape \(1,\), got \(2,\)\.$",
        ),
        "transposed W": (
            transposed,
            r"^params\[1\]\['W'\] must have shape \(50, 25\), got \(25, 50\)\.$",
        ),
        "NaN in the last bias": (nan_last, r"^params\[4\]\['b'\] must be finite"),
        "inf in the first weights": (inf_first, r"^params\[0\]\['W'\] must be finite"),
        "extra key": (extra_key, r"^params\[2\] must be a dict with keys 'W' and 'b', got "),
    }


@pytest.mark.parametrize(
    "case",
    [
        "too few layers",
        "too many layers",
        "not a list",
        "wrong shape in the last layer",
        "transposed W",
        "NaN in the last bias",
        "inf in the first weights",
        "extra key",
    ],
)
def test_set_params_refusal_changes_nothing(case):
    net = Network.from_sizes(SIZES, seed=2)
    bad, message = _refusals(net)[case]
    before = net.get_params()
    with pytest.raises(ValueError, match=message):
        net.set_params(bad)
    assert params_equal(net.get_params(), before)


def test_set_params_non_finite_message_names_the_value():
    # The project's one message shape: "name must be ..., got value."
    net = Network.from_sizes([2, 1], seed=0)
    with pytest.raises(ValueError, match=r"^params\[0\]\['b'\] must be finite.*, got .*\.$"):
        net.set_params([{"W": [[0.0, 0.0]], "b": [np.nan]}])


def test_copy_is_independent():
    net = Network.from_sizes(SIZES, hidden="tanh", init="he", seed=3, dtype=np.float32)
    twin = net.copy()
    assert repr(twin) == repr(net)
    assert (twin.init, twin.seed, twin.dtype, twin.architecture) == (
        net.init,
        net.seed,
        net.dtype,
        net.architecture,
    )
    net.set_params(random_params(net, 0))
    assert not np.array_equal(twin.params, net.params)
    assert np.array_equal(
        twin.params, Network.from_sizes(SIZES, "tanh", init="he", seed=3).params.astype(np.float32)
    )


# --------------------------------------------------------------------------- prediction


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh", "linear", "leaky_relu"])
def test_forward_layers_predict_proba_and_predict_match_the_formulas(hidden):
    net = Network.from_sizes([2, 6, 5, 1], hidden=hidden, seed=1)
    net.set_params(random_params(net, 2))
    X, _ = data(30)
    expected = reference_forward(net.get_params(), net.activations, X)

    layers = net.forward_layers(X)
    assert [A.shape for A in layers] == [(30, 6), (30, 5), (30, 1)]
    for A, E in zip(layers, expected, strict=True):
        np.testing.assert_allclose(A, E, rtol=1e-12, atol=1e-15)

    p = net.predict_proba(X)
    assert p.shape == (30,)
    assert p.dtype == np.float64
    np.testing.assert_allclose(p, expected[-1][:, 0], rtol=1e-12, atol=1e-15)
    labels = net.predict(X)
    assert labels.shape == (30,)
    assert labels.dtype.kind == "i"
    assert np.array_equal(labels, (expected[-1][:, 0] > 0.5).astype(int))


def test_predict_threshold_is_strictly_greater_than_one_half():
    net = Network.from_sizes([2, 1], seed=0)
    net.set_params([{"W": [[1.0, 0.0]], "b": [0.0]}])
    X = np.array([[0.0, 5.0], [1e-9, 0.0], [-1e-9, 0.0], [3.0, 0.0], [-3.0, 0.0]])
    p = net.predict_proba(X)
    assert p[0] == 0.5
    assert p[1] > 0.5 > p[2]
    assert np.array_equal(net.predict(X), [0, 1, 0, 1, 0])


def test_forward_layers_on_the_article_network_shapes():
    net = Network(ARTICLE_ARCHITECTURE, seed=2)
    X, _ = data(17)
    shapes = [A.shape for A in net.forward_layers(X)]
    assert shapes == [(17, 25), (17, 50), (17, 50), (17, 25), (17, 1)]
    assert all((A >= 0).all() for A in net.forward_layers(X)[:-1])


def test_prediction_accepts_ints_and_lists():
    net = Network.from_sizes([2, 3, 1], seed=0)
    assert np.array_equal(
        net.predict_proba([[1, 2], [3, 4]]), net.predict_proba(np.array([[1.0, 2.0], [3.0, 4.0]]))
    )


def test_evaluate_is_loss_and_accuracy():
    net = Network.from_sizes([2, 4, 1], hidden="tanh", seed=0)
    net.set_params(random_params(net, 9))
    X, y = data(50, seed=3)
    p = reference_forward(net.get_params(), net.activations, X)[-1][:, 0]
    loss, accuracy = net.evaluate(X, y)
    assert isinstance(loss, float) and isinstance(accuracy, float)
    np.testing.assert_allclose(loss, reference_loss(p, y), rtol=1e-12)
    assert accuracy == np.mean((p > 0.5) == y)


# -------------------------------------------------------------------- loss and gradients


def test_loss_and_gradients_is_pure():
    net = Network.from_sizes(SIZES, seed=2)
    X, y = data(40)
    X_before, y_before, params_before = X.copy(), y.copy(), net.get_params()
    loss, grads = net.loss_and_gradients(X, y)
    assert params_equal(net.get_params(), params_before)
    assert np.array_equal(X, X_before) and np.array_equal(y, y_before)
    # a second call (other data, same batch size) does not overwrite the returned gradients
    grads_copy = [{k: v.copy() for k, v in g.items()} for g in grads]
    X2, y2 = data(40, seed=1)
    net.loss_and_gradients(X2, y2)
    assert params_equal(grads, grads_copy)
    loss_again, grads_again = net.loss_and_gradients(X, y)
    assert loss_again == loss
    assert params_equal(grads_again, grads)
    assert [(g["W"].shape, g["b"].shape) for g in grads] == [
        (p["W"].shape, p["b"].shape) for p in params_before
    ]


def numeric_gradient(net, X, y, h=1e-6):
    """Central differences of the loss, one parameter at a time, in the get_params layout."""
    params = net.get_params()
    numeric = [{"W": np.zeros_like(p["W"]), "b": np.zeros_like(p["b"])} for p in params]
    for layer, result in zip(params, numeric, strict=True):
        for key in ("W", "b"):
            for index in np.ndindex(layer[key].shape):
                saved = layer[key][index]
                layer[key][index] = saved + h
                net.set_params(params)
                plus = net.evaluate(X, y)[0]
                layer[key][index] = saved - h
                net.set_params(params)
                minus = net.evaluate(X, y)[0]
                layer[key][index] = saved
                result[key][index] = (plus - minus) / (2 * h)
    net.set_params(params)
    return flat(numeric)


def flat(grads):
    return np.concatenate([g["W"].ravel() for g in grads] + [g["b"] for g in grads])


ARCHITECTURES = {
    0: [2, 1],
    1: [2, 5, 1],
    2: [2, 5, 4, 1],
    3: [2, 4, 5, 3, 1],
    4: [2, 4, 3, 5, 3, 1],
}


@pytest.mark.parametrize("n_hidden", sorted(ARCHITECTURES))
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "linear", "leaky_relu"])
def test_gradient_matches_central_finite_differences(activation, n_hidden):
    net = Network.from_sizes(ARCHITECTURES[n_hidden], hidden=activation, seed=0)
    net.set_params(random_params(net, 100 + n_hidden, scale=0.8))
    X, y = data(25, seed=n_hidden)

    loss, grads = net.loss_and_gradients(X, y)
    analytic = flat(grads)
    numeric = numeric_gradient(net, X, y)

    assert loss == pytest.approx(net.evaluate(X, y)[0], rel=1e-14)
    assert np.abs(analytic).max() > 1e-3, "a vanishing gradient would make the check vacuous"
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    relative = np.linalg.norm(analytic - numeric) / np.linalg.norm(analytic + numeric)
    assert relative < 1e-8


def test_gradient_check_with_mixed_activations_and_wider_inputs():
    features = ("x1", "x2", "sin(3 * x1) + x2^2")
    net = Network.from_sizes(
        [3, 4, 4, 4, 1], hidden=["tanh", "leaky_relu", "sigmoid"], features=features, seed=0
    )
    net.set_params(random_params(net, 42))
    X, y = data(30, seed=8)
    analytic = flat(net.loss_and_gradients(X, y)[1])
    np.testing.assert_allclose(analytic, numeric_gradient(net, X, y), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------------------ numerics


def test_saturated_output_gives_finite_loss_and_p_minus_y_gradient():
    # logits of +-1000: the article's log(Y_hat) would be log(0) = -inf and its dA a 0/0.
    net = Network.from_sizes([2, 1], seed=0)
    net.set_params([{"W": [[1000.0, 0.0]], "b": [0.0]}])
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    y = np.array([0, 1, 1, 0])  # the first two confidently wrong, the last two right
    # underflow of exp(-1000) to 0 is harmless and numpy ignores it by default
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, grads = net.loss_and_gradients(X, y)
        p = net.predict_proba(X)
    assert loss == pytest.approx((1000 + 1000 + 0 + 0) / 4, rel=1e-15)
    assert np.array_equal(p, [1.0, 0.0, 1.0, 0.0])
    residual = p - y  # [1, -1, 0, 0]
    np.testing.assert_array_equal(grads[0]["b"], [residual.mean()])
    np.testing.assert_allclose(grads[0]["W"], [[(residual * X[:, 0]).mean(), 0.0]])


def test_loss_of_small_logits_matches_the_log_formula():
    net = Network.from_sizes([2, 1], seed=0)
    net.set_params([{"W": [[2.0, -1.0]], "b": [0.3]}])
    X, y = data(20, seed=5)
    p = sigmoid(X @ np.array([2.0, -1.0]) + 0.3)
    np.testing.assert_allclose(net.evaluate(X, y)[0], reference_loss(p, y), rtol=1e-13)


# ------------------------------------------------------------------------------ float32


def test_float32_network_stays_float32_throughout():
    net = Network.from_sizes([2, 8, 8, 1], hidden="tanh", seed=3, dtype=np.float32)
    net64 = Network.from_sizes([2, 8, 8, 1], hidden="tanh", seed=3)
    X, y = data(20)  # float64 input is cast, not upcasting the net
    assert net.dtype == np.float32
    assert net.params.dtype == np.float32
    assert all(p[k].dtype == np.float32 for p in net.get_params() for k in ("W", "b"))
    assert all(A.dtype == np.float32 for A in net.forward_layers(X))
    assert net.predict_proba(X).dtype == np.float32
    loss, grads = net.loss_and_gradients(X, y)
    assert all(g[k].dtype == np.float32 for g in grads for k in ("W", "b"))
    assert isinstance(loss, float)
    loss64, grads64 = net64.loss_and_gradients(X, y)
    np.testing.assert_allclose(loss, loss64, rtol=1e-6)
    np.testing.assert_allclose(flat(grads), flat(grads64), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(net.predict_proba(X), net64.predict_proba(X), rtol=1e-6)


def test_float32_set_params_keeps_float32():
    net = Network.from_sizes([2, 3, 1], seed=0, dtype="float32")
    net.set_params(random_params(net, 0))
    assert net.params.dtype == np.float32
    assert net.get_params()[0]["W"].dtype == np.float32


def test_registry_is_what_the_network_uses():
    # an activation name in an architecture is exactly a key of ACTIVATIONS
    for name in ACTIVATIONS:
        assert Network.from_sizes([2, 2, 1], hidden=name, seed=0).activations == [name, "sigmoid"]
