"""Activations: each forward is its formula, each backward is dA times the derivative."""

import numpy as np
import pytest

from nn_engine import ACTIVATIONS, Activation
from nn_engine.activations import LEAKY_RELU_SLOPE

NAMES = ("relu", "sigmoid", "tanh", "linear", "leaky_relu")


def formula(name: str, Z: np.ndarray) -> np.ndarray:
    """f(Z) written out independently of the engine."""
    if name == "relu":
        return np.where(Z > 0, Z, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-Z))
    if name == "tanh":
        return (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))
    if name == "linear":
        return Z.copy()
    if name == "leaky_relu":
        return np.where(Z > 0, Z, 0.01 * Z)
    raise AssertionError(name)


def derivative(name: str, Z: np.ndarray) -> np.ndarray:
    """f'(Z) by hand, independently of the engine."""
    if name == "relu":
        return (Z > 0).astype(float)
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-Z))
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(Z) ** 2
    if name == "linear":
        return np.ones_like(Z)
    if name == "leaky_relu":
        return np.where(Z > 0, 1.0, 0.01)
    raise AssertionError(name)


def sample_Z(seed: int = 0, shape: tuple[int, int] = (7, 5)) -> np.ndarray:
    """Pre-activations spread over [-6, 6], none within 1e-3 of relu's kink at 0."""
    Z = np.random.default_rng(seed).uniform(-6, 6, shape)
    Z[np.abs(Z) < 1e-3] = 0.5
    return Z


def test_registry_lists_exactly_the_supported_activations():
    assert sorted(ACTIVATIONS) == sorted(NAMES)
    for name, activation in ACTIVATIONS.items():
        assert isinstance(activation, Activation)
        assert activation.name == name
        assert repr(activation) == f"Activation({name!r})"


def test_leaky_relu_slope_is_one_hundredth():
    assert LEAKY_RELU_SLOPE == 0.01
    assert np.array_equal(ACTIVATIONS["leaky_relu"].forward(np.array([-3.0, 2.0])), [-0.03, 2.0])


@pytest.mark.parametrize("name", NAMES)
def test_forward_equals_formula(name):
    Z = sample_Z()
    before = Z.copy()
    A = ACTIVATIONS[name].forward(Z)
    np.testing.assert_allclose(A, formula(name, Z), rtol=1e-13, atol=1e-16)
    assert A.shape == Z.shape
    assert A.dtype == np.float64
    assert A is not Z
    assert np.array_equal(Z, before), "forward without out must not touch Z"


@pytest.mark.parametrize("name", NAMES)
def test_forward_in_place(name):
    Z = sample_Z(1)
    expected = formula(name, Z)
    result = ACTIVATIONS[name].forward(Z, out=Z)
    assert result is Z
    np.testing.assert_allclose(Z, expected, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("name", NAMES)
def test_forward_into_separate_out(name):
    Z = sample_Z(2)
    out = np.full_like(Z, np.nan)
    result = ACTIVATIONS[name].forward(Z, out=out)
    assert result is out
    np.testing.assert_allclose(out, formula(name, Z), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("name", NAMES)
def test_backward_equals_dA_times_finite_difference_derivative(name):
    forward = ACTIVATIONS[name].forward
    Z = sample_Z(3)
    dA = np.random.default_rng(4).normal(size=Z.shape)
    h = 1e-6
    numeric = (forward(Z + h) - forward(Z - h)) / (2 * h)

    A = forward(Z)
    dZ = ACTIVATIONS[name].backward(dA.copy(), A)

    np.testing.assert_allclose(dZ, dA * numeric, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dZ, dA * derivative(name, Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_backward_works_in_place_on_dA(name):
    Z = sample_Z(5)
    A = ACTIVATIONS[name].forward(Z)
    A_before = A.copy()
    dA = np.random.default_rng(6).normal(size=Z.shape)
    expected = dA * derivative(name, Z)
    result = ACTIVATIONS[name].backward(dA, A)
    assert result is dA
    np.testing.assert_allclose(dA, expected, rtol=1e-12, atol=1e-15)
    assert np.array_equal(A, A_before), "backward must not touch A"


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    Z = sample_Z(7).astype(np.float32)
    A = ACTIVATIONS[name].forward(Z)
    assert A.dtype == np.float32
    dZ = ACTIVATIONS[name].backward(np.ones_like(Z), A)
    assert dZ.dtype == np.float32
    np.testing.assert_allclose(dZ, derivative(name, Z.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_relu_and_leaky_relu_at_zero_pass_no_gradient_of_the_positive_side():
    # The article's relu_backward zeroes dA where Z <= 0: at Z = 0 the gradient is 0 (relu)
    # and the slope (leaky relu).
    Z = np.array([[0.0, 0.0]])
    dA = np.array([[2.0, -3.0]])
    assert np.array_equal(
        ACTIVATIONS["relu"].backward(dA.copy(), ACTIVATIONS["relu"].forward(Z)), [[0, 0]]
    )
    leaky = ACTIVATIONS["leaky_relu"]
    np.testing.assert_allclose(leaky.backward(dA.copy(), leaky.forward(Z)), [[0.02, -0.03]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_never_overflows(dtype):
    Z = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0, -np.inf, np.inf], dtype=dtype)
    with np.errstate(all="raise"):
        A = ACTIVATIONS["sigmoid"].forward(Z)
        dZ = ACTIVATIONS["sigmoid"].backward(np.ones_like(Z), A)
    assert A.dtype == dtype
    assert np.array_equal(A, np.array([0.0, 0.0, 0.5, 1.0, 1.0, 0.0, 1.0], dtype=dtype))
    assert np.array_equal(dZ, np.array([0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0], dtype=dtype))


def test_sigmoid_is_symmetric_and_monotonic():
    Z = np.linspace(-30, 30, 6001)
    A = ACTIVATIONS["sigmoid"].forward(Z)
    np.testing.assert_allclose(A + ACTIVATIONS["sigmoid"].forward(-Z), 1.0, rtol=0, atol=1e-15)
    assert np.all(np.diff(A) >= 0)
    assert np.all((A >= 0) & (A <= 1))


@pytest.mark.parametrize("name", ["tanh", "relu", "leaky_relu", "linear"])
def test_other_activations_are_finite_without_warnings_at_large_inputs(name):
    Z = np.array([-1e300, -1000.0, 1000.0, 1e300])
    with np.errstate(all="raise"):
        A = ACTIVATIONS[name].forward(Z)
        dZ = ACTIVATIONS[name].backward(np.ones_like(Z), A)
    assert np.isfinite(A).all()
    np.testing.assert_allclose(dZ, derivative(name, Z), rtol=0, atol=0)
