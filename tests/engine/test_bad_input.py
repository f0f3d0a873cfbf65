"""Bad input at the public boundary: one clear ValueError/TypeError, and nothing changed.

Every message has the project's one shape: ``"learning_rate must be > 0, got -0.1."``.
"""

import math
import re

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_engine import Network, Trainer, datasets, train

# "name must <rule>, got <actual>." ("needs" for a missing companion argument)
MESSAGE_SHAPE = re.compile(r"^.+? (must|needs) .+, got .+\.$", re.DOTALL)
ARCH = [
    {"input_dim": n_in, "output_dim": n_out, "activation": activation}
    for n_in, n_out, activation in [(2, 25, "relu"), (25, 50, "relu"), (50, 1, "sigmoid")]
]
X_GOOD, Y_GOOD = datasets.moons(30, noise=0.2, seed=0)
FEW = settings(max_examples=30)


def make_net():
    return Network.from_sizes([2, 4, 1], hidden="tanh", seed=0)


def make_trainer(**kwargs):
    return Trainer(make_net(), X_GOOD, Y_GOOD, learning_rate=0.1, **kwargs)


def refuse(call, error, message):
    """``call()`` raises ``error`` whose message matches ``message`` and the common shape."""
    with pytest.raises(error) as caught:
        call()
    text = str(caught.value)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {text}"
    assert re.fullmatch(message, text), text
    assert MESSAGE_SHAPE.fullmatch(text), text
    return text


def data_entry_points(X, y):
    """Every public function that takes training-style data, as (name, call) pairs."""
    net = make_net()
    trainer = make_trainer()
    return [
        ("Trainer", lambda: Trainer(net, X, y)),
        ("train", lambda: train(net, X, y, epochs=1, learning_rate=0.1)),
        ("evaluate", lambda: net.evaluate(X, y)),
        ("loss_and_gradients", lambda: net.loss_and_gradients(X, y)),
        ("set_data", lambda: trainer.set_data(X, y)),
    ]


def x_entry_points(X, n_labels=1):
    net = make_net()
    return [
        ("predict", lambda: net.predict(X)),
        ("predict_proba", lambda: net.predict_proba(X)),
        ("forward_layers", lambda: net.forward_layers(X)),
        *data_entry_points(X, np.arange(n_labels) % 2),
    ]


# ------------------------------------------------------------------------------------ X


bad_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5).filter(
    lambda shape: not (len(shape) == 2 and shape[1] == 2)
)


@FEW
@given(shape=bad_shapes)
def test_X_of_the_wrong_shape(shape):
    X = np.ones(shape)
    shown = re.escape(str(shape))
    for _, call in x_entry_points(X, n_labels=shape[0]):
        refuse(call, ValueError, rf"X must have shape \(n_samples, 2\), got {shown}\.")


def test_X_with_three_features_for_a_two_input_network():
    net = make_net()
    refuse(
        lambda: net.predict(np.zeros((4, 3))),
        ValueError,
        r"X must have shape \(n_samples, 2\), got \(4, 3\)\.",
    )
    # X holds the points, whatever the features: a 3-feature network still takes (n, 2)
    wide = Network.from_sizes([3, 2, 1], features=("x1", "x2", "x1*x2"), seed=0)
    refuse(
        lambda: wide.predict(np.zeros((30, 3))),
        ValueError,
        r"X must have shape \(n_samples, 2\), got \(30, 3\)\.",
    )
    assert wide.predict(X_GOOD).shape == (30,)


@pytest.mark.parametrize(
    ("X", "dtype"),
    [
        (np.array([["a", "b"]]), "<U1"),
        (np.ones((3, 2), dtype=complex), "complex128"),
        (np.array([[object(), 1]], dtype=object), "object"),
        (None, "object"),
    ],
)
def test_X_of_the_wrong_dtype(X, dtype):
    for _, call in x_entry_points(X):
        refuse(call, TypeError, rf"X must hold real numbers, got dtype {re.escape(dtype)}\.")


def test_ragged_X_is_refused_with_the_projects_message():
    for _, call in x_entry_points([[0.0, 1.0], [2.0]], n_labels=2):
        refuse(call, ValueError, r"X must .+, got .+\.")


@FEW
@given(
    X=hnp.arrays(
        np.float64,
        st.tuples(st.integers(2, 8), st.just(2)),
        elements=st.floats(allow_nan=True, allow_infinity=True),
    ).filter(lambda X: not np.isfinite(X).all())
)
def test_X_with_nan_or_inf(X):
    for _, call in x_entry_points(X, n_labels=len(X)):
        refuse(call, ValueError, r"X must be finite, got NaN or inf values\.")


def test_empty_data():
    X, y = np.zeros((0, 2)), np.zeros(0, int)
    for _, call in data_entry_points(X, y):
        refuse(call, ValueError, r"X must hold at least one sample, got 0\.")
    refuse(lambda: make_net().predict(X), ValueError, r"X must hold at least one sample, got 0\.")


# ------------------------------------------------------------------------------------ y


@FEW
@given(
    y=hnp.arrays(
        np.float64,
        st.just(30),
        elements=st.one_of(
            st.sampled_from([0.0, 1.0]),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
    ).filter(lambda y: bool(((y != 0) & (y != 1)).any()))
)
def test_labels_other_than_0_and_1(y):
    first_bad = y[(y != 0) & (y != 1)][0]
    for _, call in data_entry_points(X_GOOD, y):
        refuse(
            call,
            ValueError,
            rf"y must hold only labels 0 and 1, got {re.escape(repr(first_bad.item()))}\.",
        )


@pytest.mark.parametrize("y", [np.array([0, 1, 2] * 10), np.array([-1, 0, 1] * 10)])
def test_integer_labels_other_than_0_and_1(y):
    bad = y[(y != 0) & (y != 1)][0]
    for _, call in data_entry_points(X_GOOD, y):
        refuse(
            call,
            ValueError,
            rf"y must hold only labels 0 and 1, got {re.escape(repr(bad.item()))}\.",
        )


@FEW
@given(n=st.integers(0, 60).filter(lambda n: n != 30))
def test_labels_of_another_length(n):
    y = np.arange(n) % 2
    for _, call in data_entry_points(X_GOOD, y):
        refuse(call, ValueError, rf"y must have 30 labels \(one per sample\), got {n}\.")


def test_labels_of_the_wrong_shape_or_dtype():
    for _, call in data_entry_points(X_GOOD, np.zeros((30, 2), int)):
        refuse(call, ValueError, r"y must have shape \(n_samples,\), got \(30, 2\)\.")
    for _, call in data_entry_points(X_GOOD, np.array(["0", "1"] * 15)):
        refuse(call, TypeError, r"y must hold 0/1 labels, got dtype <U1\.")


def test_column_labels_are_accepted():
    net = make_net()
    assert net.evaluate(X_GOOD, Y_GOOD[:, None]) == net.evaluate(X_GOOD, Y_GOOD)


@pytest.mark.parametrize("label", [0, 1])
def test_one_class_only(label):
    y = np.full(30, label)
    for name, call in data_entry_points(X_GOOD, y):
        if name in ("evaluate", "loss_and_gradients"):
            call()  # measuring a one-class set is fine, training on it is not
        else:
            refuse(
                call, ValueError, rf"y must contain both classes 0 and 1, got only class {label}\."
            )


# -------------------------------------------------------------------------- architecture


def test_layer_dims_that_do_not_chain_name_the_layer():
    arch = [dict(layer) for layer in ARCH]
    arch[2]["input_dim"] = 40
    refuse(
        lambda: Network(arch),
        ValueError,
        r"architecture\[2\]\['input_dim'\] must equal the previous layer's output_dim 50, got 40\.",
    )


@pytest.mark.parametrize(
    ("key", "value", "error", "rule"),
    [
        ("output_dim", 0, ValueError, r"> 0, got 0"),
        ("output_dim", -3, ValueError, r"> 0, got -3"),
        ("output_dim", 2.5, TypeError, r"an integer, got 2\.5"),
        ("output_dim", "25", TypeError, r"an integer, got '25'"),
        ("input_dim", True, TypeError, r"an integer, got True"),
        ("input_dim", None, TypeError, r"an integer, got None"),
    ],
)
def test_non_integer_or_non_positive_layer_sizes(key, value, error, rule):
    arch = [dict(layer) for layer in ARCH]
    arch[0][key] = value
    refuse(lambda: Network(arch), error, rf"architecture\[0\]\['{key}'\] must be {rule}\.")


@FEW
@given(
    bad=st.one_of(
        st.integers(max_value=0),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=3),
        st.none(),
    ),
    position=st.integers(0, 2),
)
def test_from_sizes_refuses_bad_sizes(bad, position):
    sizes = [2, 8, 1]
    sizes[position] = bad
    error = ValueError if isinstance(bad, int) else TypeError
    rule = (
        rf"> 0, got {bad}" if isinstance(bad, int) else rf"an integer, got {re.escape(repr(bad))}"
    )
    refuse(lambda: Network.from_sizes(sizes), error, rf"sizes\[{position}\] must be {rule}\.")


def test_last_layer_must_be_one_sigmoid_unit():
    arch = [dict(layer) for layer in ARCH]
    arch[2]["activation"] = "relu"
    refuse(
        lambda: Network(arch),
        ValueError,
        r"the last layer must be one sigmoid unit \(output_dim 1, activation 'sigmoid'\), "
        r"got output_dim 1 with activation 'relu'\.",
    )
    refuse(
        lambda: Network.from_sizes([2, 3, 2]),
        ValueError,
        r"the last layer must be one sigmoid unit .*, got output_dim 2 with activation 'sigmoid'\.",
    )


def test_unknown_activation_lists_the_supported_names():
    supported = "'relu', 'sigmoid', 'tanh', 'linear', 'leaky_relu'"
    refuse(
        lambda: Network.from_sizes([2, 3, 1], hidden="swish"),
        ValueError,
        rf"architecture\[0\]\['activation'\] must be one of {supported}, got 'swish'\.",
    )
    arch = [dict(layer) for layer in ARCH]
    arch[1]["activation"] = "ReLU"
    refuse(
        lambda: Network(arch),
        ValueError,
        rf"architecture\[1\]\['activation'\] must be one of {supported}, got 'ReLU'\.",
    )


def test_unknown_init_lists_the_supported_names():
    refuse(
        lambda: Network(ARCH, init="lecun"),
        ValueError,
        r"init must be one of 'seed', 'he', 'xavier', got 'lecun'\.",
    )


def test_unknown_optimizer_lists_the_supported_names():
    message = r"optimizer must be one of 'sgd', 'momentum', 'nesterov', 'adam', got 'rmsprop'\."
    refuse(lambda: make_trainer(optimizer="rmsprop"), ValueError, message)
    refuse(
        lambda: train(make_net(), X_GOOD, Y_GOOD, epochs=1, learning_rate=0.1, optimizer="rmsprop"),
        ValueError,
        message,
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Network([]), ValueError, r"architecture must have at least one layer, got 0\."),
        (
            lambda: Network("2-1"),
            TypeError,
            r"architecture must be a list of layer dicts, got str\.",
        ),
        (lambda: Network([3]), TypeError, r"architecture\[0\] must be a dict, got int\."),
        (
            lambda: Network.from_sizes([2]),
            ValueError,
            r"sizes must list at least the input and output sizes, got \[2\]\.",
        ),
        (
            lambda: Network.from_sizes([2, 3, 1], hidden=["relu", "tanh"]),
            ValueError,
            r"hidden must name one activation per hidden layer \(1\), got 2\.",
        ),
        (
            lambda: Network(ARCH, dtype=np.float16),
            TypeError,
            r"dtype must be float32 or float64, got float16\.",
        ),
        (
            lambda: Network(ARCH, dtype="int32"),
            TypeError,
            r"dtype must be float32 or float64, got int32\.",
        ),
        (lambda: Network(ARCH, seed=-1), ValueError, r"seed must be >= 0, got -1\."),
        (
            lambda: Network(ARCH, seed=2**32),
            ValueError,
            r"seed must be < 2\*\*32, got 4294967296\.",
        ),
        (lambda: Network(ARCH, seed=1.5), TypeError, r"seed must be an integer, got 1\.5\."),
    ],
)
def test_other_network_refusals(call, error, message):
    refuse(call, error, message)


# ----------------------------------------------------------------------- hyperparameters


@FEW
@given(
    value=st.one_of(
        st.floats(max_value=0.0),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )
)
def test_learning_rate_not_positive_or_not_finite(value):
    rule = "finite" if not math.isfinite(value) else "> 0"
    message = rf"learning_rate must be {rule}, got {re.escape(str(float(value)))}\."
    refuse(
        lambda: (
            make_trainer(learning_rate=value)
            if False
            else Trainer(make_net(), X_GOOD, Y_GOOD, learning_rate=value)
        ),
        ValueError,
        message,
    )
    refuse(
        lambda: train(make_net(), X_GOOD, Y_GOOD, epochs=1, learning_rate=value),
        ValueError,
        message,
    )
    trainer = make_trainer()
    with pytest.raises(ValueError):
        trainer.learning_rate = value
    assert trainer.learning_rate == 0.1


def test_learning_rate_of_the_wrong_type():
    refuse(
        lambda: Trainer(make_net(), X_GOOD, Y_GOOD, learning_rate="0.1"),
        TypeError,
        r"learning_rate must be a number, got '0\.1'\.",
    )


@FEW
@given(value=st.integers(max_value=0))
def test_batch_size_not_positive(value):
    message = rf"batch_size must be > 0, got {value}\."
    refuse(lambda: make_trainer(batch_size=value), ValueError, message)
    refuse(
        lambda: train(make_net(), X_GOOD, Y_GOOD, epochs=1, learning_rate=0.1, batch_size=value),
        ValueError,
        message,
    )
    trainer = make_trainer(batch_size=8)
    with pytest.raises(ValueError, match=message):
        trainer.batch_size = value
    assert trainer.batch_size == 8


@pytest.mark.parametrize("value", [2.0, "8", True])
def test_batch_size_not_an_integer(value):
    refuse(
        lambda: make_trainer(batch_size=value),
        TypeError,
        rf"batch_size must be an integer, got {re.escape(repr(value))}\.",
    )


@FEW
@given(epochs=st.integers(max_value=-1))
def test_negative_epochs(epochs):
    net = make_net()
    before = net.params.copy()
    message = rf"epochs must be >= 0, got {epochs}\."
    refuse(
        lambda: train(net, X_GOOD, Y_GOOD, epochs=epochs, learning_rate=0.1), ValueError, message
    )
    assert np.array_equal(net.params, before)
    trainer = Trainer(net, X_GOOD, Y_GOOD)
    refuse(lambda: trainer.run(epochs), ValueError, message)
    assert trainer.epoch == 0 and np.array_equal(net.params, before)


def test_epochs_not_an_integer():
    refuse(
        lambda: train(make_net(), X_GOOD, Y_GOOD, epochs=10.0, learning_rate=0.1),
        TypeError,
        r"epochs must be an integer, got 10\.0\.",
    )


@pytest.mark.parametrize("name", ["l1", "l2"])
@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-0.1, ValueError, r"must be >= 0, got -0\.1\."),
        (math.nan, ValueError, r"must be finite, got nan\."),
        (math.inf, ValueError, r"must be finite, got inf\."),
        ("0.1", TypeError, r"must be a number, got '0\.1'\."),
    ],
)
def test_bad_penalties(name, value, error, message):
    refuse(lambda: make_trainer(**{name: value}), error, name + " " + message)
    trainer = make_trainer(**{name: 0.01})
    with pytest.raises(error):
        setattr(trainer, name, value)
    assert getattr(trainer, name) == 0.01


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"seed": -5}, ValueError, r"seed must be >= 0, got -5\."),
        (
            {"momentum": 1.5, "optimizer": "momentum"},
            ValueError,
            r"momentum must be < 1, got 1\.5\.",
        ),
        ({"beta2": 1.0, "optimizer": "adam"}, ValueError, r"beta2 must be < 1, got 1\.0\."),
        ({"epsilon": 0, "optimizer": "adam"}, ValueError, r"epsilon must be > 0, got 0\.0\."),
        (
            {"early_stopping_patience": 0, "validation_data": (X_GOOD, Y_GOOD)},
            ValueError,
            r"early_stopping_patience must be > 0, got 0\.",
        ),
        (
            {"early_stopping_patience": 3},
            ValueError,
            r"early_stopping_patience needs validation_data, got None\.",
        ),
        (
            {"validation_data": (X_GOOD[:, :1], Y_GOOD)},
            ValueError,
            r"X_val must have shape \(n_samples, 2\), got \(30, 1\)\.",
        ),
        (
            {"validation_data": (X_GOOD, Y_GOOD[:-1])},
            ValueError,
            r"y_val must have 30 labels \(one per sample\), got 29\.",
        ),
    ],
)
def test_other_trainer_refusals(kwargs, error, message):
    refuse(lambda: make_trainer(**kwargs), error, message)


def test_trainer_needs_a_network():
    refuse(
        lambda: Trainer("net", X_GOOD, Y_GOOD),
        TypeError,
        r"net must be an nn_engine\.Network, got str\.",
    )


@pytest.mark.parametrize("validation_data", [(X_GOOD,), X_GOOD, (X_GOOD, Y_GOOD, Y_GOOD)])
def test_malformed_validation_data_message_has_the_common_shape(validation_data):
    refuse(
        lambda: make_trainer(validation_data=validation_data),
        ValueError,
        r"validation_data must be a pair \(X_val, y_val\), got .+\.",
    )


# ------------------------------------------------------------------------ nothing changed


def test_refused_train_changes_nothing():
    net = make_net()
    before = net.params.copy()
    for kwargs in (
        {"learning_rate": -1.0},
        {"learning_rate": 0.1, "batch_size": 0},
        {"learning_rate": 0.1, "optimizer": "lbfgs"},
        {"learning_rate": 0.1, "l2": -1.0},
    ):
        with pytest.raises(ValueError):
            train(net, X_GOOD, Y_GOOD, epochs=5, **kwargs)
    with pytest.raises(ValueError):
        train(net, X_GOOD, np.full(30, 2), epochs=5, learning_rate=0.1)
    assert np.array_equal(net.params, before)


@FEW
@given(
    X=st.one_of(
        hnp.arrays(np.float64, st.just((30, 3))),
        hnp.arrays(np.float64, st.just((30, 2)), elements=st.just(np.nan)),
    ),
    y=st.one_of(st.just(Y_GOOD), st.just(np.full(30, 3))),
)
def test_refused_set_data_keeps_the_old_data(X, y):
    X_new, y_new = datasets.xor(20, seed=1)
    trainer = make_trainer()
    with pytest.raises((ValueError, TypeError)):
        trainer.set_data(X, y)
    with pytest.raises(ValueError):
        trainer.set_data(X_new, np.zeros(20))  # one class
    with pytest.raises(ValueError):
        trainer.set_data(X_new, y_new[:-1])
    # the next epoch still trains on the original data
    twin = make_trainer()
    assert trainer.step_epoch() == twin.step_epoch()
    assert np.array_equal(trainer.net.params, twin.net.params)


def test_refused_set_validation_keeps_the_old_validation_data():
    X_val, y_val = datasets.moons(20, noise=0.2, seed=5)
    trainer = make_trainer(validation_data=(X_val, y_val))
    twin = make_trainer(validation_data=(X_val, y_val))
    X_other, _ = datasets.moons(12, noise=0.2, seed=6)
    with pytest.raises(ValueError, match=r"^y_val must have 12 labels"):
        trainer.set_validation(X_other, np.zeros(11, int))  # X_val fine, y_val not
    with pytest.raises(ValueError, match=r"^X_val must be finite"):
        trainer.set_validation(np.full((20, 2), np.nan), y_val)
    assert trainer.step_epoch() == twin.step_epoch()


def test_refused_hyperparameter_setters_keep_the_old_values():
    trainer = make_trainer(batch_size=10, l1=0.01, l2=0.02, seed=0)
    for name, value in (
        ("learning_rate", 0.0),
        ("learning_rate", math.nan),
        ("learning_rate", None),
        ("batch_size", -1),
        ("batch_size", 1.5),
        ("l1", -0.5),
        ("l2", math.inf),
    ):
        with pytest.raises((ValueError, TypeError)):
            setattr(trainer, name, value)
    assert (trainer.learning_rate, trainer.batch_size, trainer.l1, trainer.l2) == (
        0.1,
        10,
        0.01,
        0.02,
    )
    twin = make_trainer(batch_size=10, l1=0.01, l2=0.02, seed=0)
    assert trainer.step_epoch() == twin.step_epoch()
    assert np.array_equal(trainer.net.params, twin.net.params)


# ------------------------------------------------------------------ float32 range


@pytest.mark.parametrize("value", [1e39, -1e300, 3.5e38])
def test_float32_networks_refuse_input_beyond_the_float32_range(value):
    net = Network.from_sizes([2, 4, 1], seed=0, dtype=np.float32)
    X, y = datasets.moons(20, seed=0)
    X_bad = X.copy()
    X_bad[7, 1] = value
    message = (
        f"must be within the float32 range (±3.4028235e+38) for a float32 network, got {value!r}."
    )
    for call in (net.predict_proba, net.predict, net.forward_layers):
        with pytest.raises(ValueError) as caught:
            call(X_bad)
        assert str(caught.value) == f"X {message}"
    with pytest.raises(ValueError) as caught:
        Trainer(net, X_bad, y)
    assert str(caught.value) == f"X {message}"
    trainer = Trainer(net, X, y, validation_data=(X, y))
    with pytest.raises(ValueError) as caught:
        trainer.set_validation(X_bad, y)
    assert str(caught.value) == f"X_val {message}"


def test_the_float32_range_itself_and_float64_networks_are_unchanged():
    largest = float(np.finfo(np.float32).max)
    net32 = Network.from_sizes([2, 4, 1], seed=0, dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        assert net32.predict_proba([[largest, -largest]]).dtype == np.float32
    assert net32.predict_proba(np.array([[1.0, 2.0]], np.float32)).shape == (1,)
    net64 = Network.from_sizes([2, 4, 1], seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        assert net64.predict_proba([[1e300, -1e300]]).shape == (1,)
