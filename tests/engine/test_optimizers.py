"""Optimizers: every update against formulas worked out by hand, state save/restore, refusals."""

import json
import math
import re

import numpy as np
import pytest

from nn_engine import OPTIMIZERS, SGD, Adam, Momentum, make_optimizer

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, 0.25, -1.0]), np.array([-0.5, 1.0, 2.0]), np.array([0.1, -0.3, 0.0])]


def run(optimizer, steps=3, p0=P0):
    """Apply the first ``steps`` gradients of GRADS; returns the parameters after each step."""
    p = p0.copy()
    history = []
    for g in GRADS[:steps]:
        optimizer.step([p], [g.copy()])
        history.append(p.copy())
    return history


def test_registry_names():
    assert OPTIMIZERS == ("sgd", "momentum", "nesterov", "adam")
    assert type(make_optimizer("sgd", 0.1)) is SGD
    assert type(make_optimizer("momentum", 0.1)) is Momentum
    assert make_optimizer("momentum", 0.1).nesterov is False
    nesterov = make_optimizer("nesterov", 0.1, momentum=0.8)
    assert type(nesterov) is Momentum and nesterov.nesterov is True
    assert nesterov.momentum == 0.8
    assert type(make_optimizer("adam", 0.1)) is Adam
    assert [make_optimizer(name, 0.1).name for name in OPTIMIZERS] == list(OPTIMIZERS)


def test_sgd_by_hand():
    p1, p2, p3 = run(SGD(0.1))
    # p -= 0.1 g
    np.testing.assert_allclose(p1, [0.95, -2.025, 0.6], rtol=1e-15)
    np.testing.assert_allclose(p2, [1.0, -2.125, 0.4], rtol=1e-15)
    np.testing.assert_allclose(p3, [0.99, -2.095, 0.4], rtol=1e-15)


def test_momentum_by_hand():
    p1, p2, p3 = run(Momentum(0.1, momentum=0.9))
    # v1 = g1 = [0.5, 0.25, -1]            p1 = p0 - 0.1 v1
    # v2 = 0.9 v1 + g2 = [-0.05, 1.225, 1.1]     p2 = p1 - 0.1 v2
    # v3 = 0.9 v2 + g3 = [0.055, 0.8025, 0.99]   p3 = p2 - 0.1 v3
    np.testing.assert_allclose(p1, [0.95, -2.025, 0.6], rtol=1e-14)
    np.testing.assert_allclose(p2, [0.955, -2.1475, 0.49], rtol=1e-14)
    np.testing.assert_allclose(p3, [0.9495, -2.22775, 0.391], rtol=1e-14)


def test_nesterov_by_hand():
    p1, p2, p3 = run(Momentum(0.1, momentum=0.9, nesterov=True))
    # v_t = 0.9 v_{t-1} + g_t ; p -= 0.1 (g_t + 0.9 v_t)   (PyTorch's formulation)
    # step 1: v1 = [0.5, 0.25, -1];        g1 + 0.9 v1 = [0.95, 0.475, -1.9]
    # step 2: v2 = [-0.05, 1.225, 1.1];    g2 + 0.9 v2 = [-0.545, 2.1025, 2.99]
    # step 3: v3 = [0.055, 0.8025, 0.99];  g3 + 0.9 v3 = [0.1495, 0.42225, 0.891]
    np.testing.assert_allclose(p1, [0.905, -2.0475, 0.69], rtol=1e-14)
    np.testing.assert_allclose(p2, [0.9595, -2.25775, 0.391], rtol=1e-14)
    np.testing.assert_allclose(p3, [0.94455, -2.299975, 0.3019], rtol=1e-14)


def test_momentum_zero_is_sgd():
    for a, b in zip(run(Momentum(0.1, momentum=0.0)), run(SGD(0.1)), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-15)


def adam_reference(lr, b1, b2, eps, grads, p0=P0):
    p, m, v, out = p0.copy(), np.zeros_like(p0), np.zeros_like(p0), []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p.copy())
    return out


def test_adam_first_step_is_learning_rate_times_sign():
    # m_hat = g, v_hat = g^2, so the first step is lr * g / (|g| + eps)
    (p1,) = run(Adam(0.1), steps=1)
    g = GRADS[0]
    np.testing.assert_allclose(p1, P0 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-15)
    np.testing.assert_allclose(p1, [0.9, -2.1, 0.6], rtol=1e-7)


def test_adam_by_hand_three_steps():
    # step 2 by hand for the first coordinate: g = 0.5 then -0.5
    #   m2 = 0.9 (0.05) + 0.1 (-0.5) = -0.005;  m_hat = -0.005 / 0.19
    #   v2 = 0.999 (0.00025) + 0.001 (0.25) = 0.00049975;  v_hat = 0.00049975 / 0.001999
    m_hat = -0.005 / 0.19
    v_hat = 0.00049975 / (1 - 0.999**2)
    p1_0 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)
    expected_p2_0 = p1_0 - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
    steps = run(Adam(0.1, beta1=0.9, beta2=0.999, epsilon=1e-8))
    assert steps[1][0] == pytest.approx(expected_p2_0, rel=1e-13)
    for got, want in zip(steps, adam_reference(0.1, 0.9, 0.999, 1e-8, GRADS), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_adam_hyperparameters_are_used():
    steps = run(Adam(0.05, beta1=0.5, beta2=0.9, epsilon=0.1))
    for got, want in zip(steps, adam_reference(0.05, 0.5, 0.9, 0.1, GRADS), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_several_arrays_keep_separate_state():
    optimizer = Adam(0.1)
    a, b = np.array([1.0, 2.0]), np.array([[3.0], [4.0], [5.0]])
    ga, gb = np.array([0.5, -1.0]), np.array([[1.0], [0.0], [-2.0]])
    a_alone, b_alone = a.copy(), b.copy()
    for _ in range(3):
        optimizer.step([a, b], [ga, gb])
    solo_a, solo_b = Adam(0.1), Adam(0.1)
    for _ in range(3):
        solo_a.step([a_alone], [ga])
        solo_b.step([b_alone], [gb])
    np.testing.assert_array_equal(a, a_alone)
    np.testing.assert_array_equal(b, b_alone)
    assert optimizer.t == 3


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_gradients_are_not_modified(name):
    optimizer = make_optimizer(name, 0.1)
    p, g = P0.copy(), GRADS[0].copy()
    optimizer.step([p], [g])
    optimizer.step([p], [g])
    assert np.array_equal(g, GRADS[0])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_float32_parameters_stay_float32(name):
    optimizer = make_optimizer(name, 0.1)
    p = P0.astype(np.float32)
    for g in GRADS:
        optimizer.step([p], [g.astype(np.float32)])
    assert p.dtype == np.float32
    assert all(
        a.dtype == np.float32 for arrays in optimizer.state.values() for a in arrays.values()
    )
    reference = run(make_optimizer(name, 0.1))[-1]
    np.testing.assert_allclose(p, reference, rtol=1e-5)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_learning_rate_change_between_steps_keeps_the_state(name):
    changed = make_optimizer(name, 0.1)
    p = P0.copy()
    changed.step([p], [GRADS[0]])
    changed.learning_rate = 0.02
    changed.step([p], [GRADS[1]])

    # the same two steps written out with the formulas, lr 0.1 then 0.02
    q = P0.copy()
    if name == "sgd":
        q -= 0.1 * GRADS[0]
        q -= 0.02 * GRADS[1]
    elif name in ("momentum", "nesterov"):
        v1 = GRADS[0]
        v2 = 0.9 * v1 + GRADS[1]
        if name == "momentum":
            q -= 0.1 * v1
            q -= 0.02 * v2
        else:
            q -= 0.1 * (GRADS[0] + 0.9 * v1)
            q -= 0.02 * (GRADS[1] + 0.9 * v2)
    else:
        m1, v1 = 0.1 * GRADS[0], 0.001 * GRADS[0] ** 2
        q -= 0.1 * (m1 / 0.1) / (np.sqrt(v1 / 0.001) + 1e-8)
        m2, v2 = 0.9 * m1 + 0.1 * GRADS[1], 0.999 * v1 + 0.001 * GRADS[1] ** 2
        q -= 0.02 * (m2 / (1 - 0.9**2)) / (np.sqrt(v2 / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(p, q, rtol=1e-13)
    assert changed.learning_rate == 0.02


# --------------------------------------------------------------------------- state


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_dict_round_trip_continues_identically(name):
    original = make_optimizer(name, 0.05, momentum=0.8, beta1=0.7, beta2=0.95, epsilon=1e-6)
    p = P0.copy()
    for g in GRADS[:2]:
        original.step([p], [g])
    state = original.state_dict()

    restored = make_optimizer(name, 1.0)  # other hyperparameters: the state brings them
    restored.load_state_dict(state)
    assert restored.hyperparameters() == original.hyperparameters()
    assert restored.t == original.t == 2

    q = p.copy()
    for g in (GRADS[2], GRADS[0], GRADS[1]):
        original.step([p], [g])
        restored.step([q], [g])
    np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_dict_survives_json(name):
    original = make_optimizer(name, 0.05)
    p = P0.copy()
    for g in GRADS[:2]:
        original.step([p], [g])
    text = json.dumps(
        original.state_dict(), default=lambda a: a.tolist() if isinstance(a, np.ndarray) else a
    )
    restored = make_optimizer(name, 0.05)
    restored.load_state_dict(json.loads(text))
    q = p.copy()
    original.step([p], [GRADS[2]])
    restored.step([q], [GRADS[2]])
    np.testing.assert_array_equal(p, q)


def test_state_dict_is_a_copy():
    optimizer = Momentum(0.1)
    p = P0.copy()
    optimizer.step([p], [GRADS[0]])
    state = optimizer.state_dict()
    state["buffers"]["velocity"]["0"][...] = 1e6
    q = p.copy()
    optimizer.step([p], [GRADS[1]])
    np.testing.assert_allclose(p, q - 0.1 * (0.9 * GRADS[0] + GRADS[1]), rtol=1e-14)


def test_load_state_dict_of_another_optimizer_is_refused_and_changes_nothing():
    adam = Adam(0.1)
    p = P0.copy()
    adam.step([p], [GRADS[0]])
    before = adam.state_dict()
    with pytest.raises(ValueError, match=r"^optimizer state must be for 'adam', got 'sgd'\.$"):
        adam.load_state_dict(SGD(0.5).state_dict())
    after = adam.state_dict()
    assert after["t"] == before["t"] and after["hyperparameters"] == before["hyperparameters"]
    for key in ("m", "v"):
        np.testing.assert_array_equal(after["buffers"][key]["0"], before["buffers"][key]["0"])


def test_repr():
    assert repr(SGD(0.01)) == "SGD(learning_rate=0.01)"
    assert repr(Momentum(0.1, 0.9)) == "Momentum(learning_rate=0.1, momentum=0.9)"
    assert repr(Adam(0.001)) == "Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)"


# ----------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, ValueError, r"^learning_rate must be > 0, got 0\.0\.$"),
        (-0.1, ValueError, r"^learning_rate must be > 0, got -0\.1\.$"),
        (math.nan, ValueError, r"^learning_rate must be finite, got nan\.$"),
        (math.inf, ValueError, r"^learning_rate must be finite, got inf\.$"),
        ("0.1", TypeError, r"^learning_rate must be a number, got '0\.1'\.$"),
        (True, TypeError, r"^learning_rate must be a number, got True\.$"),
        (None, TypeError, r"^learning_rate must be a number, got None\.$"),
    ],
)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_bad_learning_rate_refused(name, value, error, message):
    with pytest.raises(error, match=message):
        make_optimizer(name, value)
    optimizer = make_optimizer(name, 0.3)
    with pytest.raises(error, match=message):
        optimizer.learning_rate = value
    assert optimizer.learning_rate == 0.3


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"momentum": -0.1}, ValueError, r"^momentum must be >= 0, got -0\.1\.$"),
        ({"momentum": 1.0}, ValueError, r"^momentum must be < 1, got 1\.0\.$"),
        ({"momentum": math.nan}, ValueError, r"^momentum must be finite, got nan\.$"),
        ({"momentum": "high"}, TypeError, r"^momentum must be a number, got 'high'\.$"),
    ],
)
@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_bad_momentum_refused(name, kwargs, error, message):
    with pytest.raises(error, match=message):
        make_optimizer(name, 0.1, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"beta1": 1.0}, ValueError, r"^beta1 must be < 1, got 1\.0\.$"),
        ({"beta1": -0.5}, ValueError, r"^beta1 must be >= 0, got -0\.5\.$"),
        ({"beta2": 1.5}, ValueError, r"^beta2 must be < 1, got 1\.5\.$"),
        ({"beta2": math.inf}, ValueError, r"^beta2 must be finite, got inf\.$"),
        ({"epsilon": 0.0}, ValueError, r"^epsilon must be > 0, got 0\.0\.$"),
        ({"epsilon": -1e-8}, ValueError, r"^epsilon must be > 0, got -1e-08\.$"),
        ({"epsilon": None}, TypeError, r"^epsilon must be a number, got None\.$"),
    ],
)
def test_bad_adam_settings_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_optimizer("adam", 0.1, **kwargs)


@pytest.mark.parametrize("name", ["rmsprop", "SGD", "", None, 3])
def test_unknown_optimizer_refused_with_the_supported_names(name):
    message = (
        r"^optimizer must be one of 'sgd', 'momentum', 'nesterov', 'adam', got "
        + re.escape(repr(name))
        + r"\.$"
    )
    with pytest.raises(ValueError, match=message):
        make_optimizer(name, 0.1)


# ------------------------------------------------------------------ crafted states


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["hyperparameters"].update(beta1=1.0), "beta1 must be < 1, got 1.0."),
        (lambda s: s["hyperparameters"].update(epsilon=0.0), "epsilon must be > 0, got 0.0."),
        (lambda s: s["hyperparameters"].update(beta2="x"), "beta2 must be a number, got 'x'."),
        (lambda s: s.update(t=-2), "optimizer step count t must be >= 0, got -2."),
        (
            lambda s: s["buffers"]["v"].update({"0": -P0}),
            "optimizer buffer v must be >= 0, got negative values.",
        ),
        (
            lambda s: s["buffers"].update(speed={}),
            "optimizer buffers of adam must be m, v, got 'speed'.",
        ),
        (
            lambda s: s["buffers"]["m"].update({"0": [[1], [2, 3]]}),
            "optimizer buffer m must be an array of numbers.",
        ),
        (
            lambda s: s.update(extra=1),
            "optimizer state must have the keys buffers, hyperparameters, name, t, "
            "got ['buffers', 'extra', 'hyperparameters', 'name', 't'].",
        ),
        (
            lambda s: s["hyperparameters"].pop("beta2"),
            "optimizer hyperparameters must be ['beta1', 'beta2', 'epsilon', 'learning_rate'], "
            "got ['beta1', 'epsilon', 'learning_rate'].",
        ),
    ],
)
def test_adam_refuses_a_crafted_state_and_changes_nothing(change, message):
    adam = Adam(0.1)
    p = P0.copy()
    adam.step([p], [GRADS[0]])
    state = adam.state_dict()
    change(state)
    fresh = Adam(0.3, beta1=0.5)
    before = json.dumps(fresh.state_dict(), default=lambda a: a.tolist())
    with pytest.raises(ValueError) as caught:
        fresh.load_state_dict(state)
    assert str(caught.value) == message
    assert json.dumps(fresh.state_dict(), default=lambda a: a.tolist()) == before


def test_momentum_refuses_a_momentum_of_one_in_a_state():
    optimizer = Momentum(0.1)
    state = optimizer.state_dict()
    state["hyperparameters"]["momentum"] = 1.0
    with pytest.raises(ValueError) as caught:
        Momentum(0.2).load_state_dict(state)
    assert str(caught.value) == "momentum must be < 1, got 1.0."
    with pytest.raises(ValueError) as caught:
        SGD(0.2).load_state_dict("sgd")
    assert str(caught.value) == "optimizer state must be a dict, got str."
