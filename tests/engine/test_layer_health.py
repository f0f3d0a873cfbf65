"""Layer health: the per-layer gradient and weight norms of every epoch, and dead ReLU units."""

import numpy as np
import pytest

from nn_engine import Network, Trainer, datasets


def moons(n=40, seed=0):
    return datasets.moons(n, noise=0.2, seed=seed)


def finite_difference_weight_gradients(net, X, y, h=1e-6):
    """dLoss/dW of every layer by central differences of the data loss, one weight at a time."""
    params = net.get_params()
    gradients = []
    for layer in params:
        gradient = np.zeros_like(layer["W"])
        for index in np.ndindex(layer["W"].shape):
            saved = layer["W"][index]
            layer["W"][index] = saved + h
            net.set_params(params)
            plus = net.evaluate(X, y)[0]
            layer["W"][index] = saved - h
            net.set_params(params)
            minus = net.evaluate(X, y)[0]
            layer["W"][index] = saved
            gradient[index] = (plus - minus) / (2 * h)
        gradients.append(gradient)
    net.set_params(params)
    return gradients


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.05, 0.3)])
def test_grad_norms_are_the_norms_of_finite_difference_weight_gradients(l1, l2):
    # the penalties move the weights but are not part of the reported gradient (EpochMetrics)
    X, y = moons(30)
    net = Network.from_sizes([2, 4, 3, 1], hidden="tanh", init="xavier", seed=3)
    trainer = Trainer(net, X, y, learning_rate=0.5, l1=l1, l2=l2)
    for _ in range(3):
        numeric = finite_difference_weight_gradients(net, X, y)
        metrics = trainer.step_epoch()
        expected = [float(np.linalg.norm(gradient)) for gradient in numeric]
        assert len(metrics.grad_norms) == 3
        assert min(expected) > 1e-3  # the comparison is not vacuous
        np.testing.assert_allclose(metrics.grad_norms, expected, rtol=1e-7)


def test_grad_norms_leave_the_bias_out():
    X, y = moons(30)
    net = Network.from_sizes([2, 5, 1], hidden="tanh", seed=1)
    _, grads = net.loss_and_gradients(X, y)
    metrics = Trainer(net, X, y).step_epoch()
    assert metrics.grad_norms == pytest.approx([np.linalg.norm(g["W"]) for g in grads], rel=1e-12)
    with_bias = [np.linalg.norm(np.column_stack([g["W"], g["b"]])) for g in grads]
    assert all(abs(a - b) > 1e-6 for a, b in zip(metrics.grad_norms, with_bias, strict=True))


def test_grad_norms_with_mini_batches_are_those_of_the_last_batch():
    X, y = moons(30)
    net = Network.from_sizes([2, 5, 4, 1], hidden="relu", init="he", seed=2)
    trainer = Trainer(net, X, y, learning_rate=0.1, batch_size=8, seed=4)  # batches 8, 8, 8, 6
    for _ in range(3):
        trainer.step_batch()
    order = trainer.state_dict()["order"]
    _, grads = net.loss_and_gradients(X[order[24:]], y[order[24:]])
    metrics = trainer.step_batch()
    assert metrics is not None and metrics.epoch == 1
    assert metrics.grad_norms == pytest.approx([np.linalg.norm(g["W"]) for g in grads], rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_weight_norms_are_the_norms_of_the_weights_after_the_update(dtype, optimizer):
    X, y = moons(50)
    net = Network.from_sizes([2, 25, 50, 50, 25, 1], seed=2, dtype=dtype)
    trainer = Trainer(net, X, y, learning_rate=0.01, optimizer=optimizer, l2=0.01)
    rtol = 1e-12 if dtype is np.float64 else 1e-5
    for _ in range(4):
        metrics = trainer.step_epoch()
        expected = [float(np.linalg.norm(layer["W"])) for layer in net.get_params()]
        assert len(metrics.weight_norms) == 5
        assert all(type(value) is float for value in metrics.weight_norms + metrics.grad_norms)
        np.testing.assert_allclose(metrics.weight_norms, expected, rtol=rtol)


def test_norms_continue_unchanged_through_a_state_dict_round_trip():
    X, y = moons(40)
    settings = dict(learning_rate=0.05, optimizer="adam", batch_size=9, l1=0.001, seed=7)
    net = Network.from_sizes([2, 6, 5, 1], hidden="relu", init="he", seed=0)
    original = Trainer(net, X, y, **settings)
    original.run(2)
    state = original.state_dict()
    expected = original.run(3)

    resumed = Trainer(Network.from_sizes([2, 6, 5, 1], seed=9), X, y, **settings)
    resumed.load_state_dict(state)
    again = resumed.run(3)
    assert [m.grad_norms for m in again] == [m.grad_norms for m in expected]
    assert [m.weight_norms for m in again] == [m.weight_norms for m in expected]
    assert "grad_norms" not in state and "weight_norms" not in state


def crafted_network():
    """2-3-2-1, ReLU then leaky ReLU: hidden unit 1 has a bias of -100, so it is never positive
    on points within a few units of the origin; the others are positive somewhere."""
    net = Network.from_sizes([2, 3, 2, 1], hidden=["relu", "leaky_relu"], seed=0)
    net.set_params(
        [
            {"W": [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]], "b": [0.0, -100.0, 0.0]},
            {"W": [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]], "b": [0.0, -50.0]},
            {"W": [[1.0, -1.0]], "b": [0.0]},
        ]
    )
    return net


def test_dead_units_counts_relu_units_never_positive_on_the_data():
    net = crafted_network()
    X, _ = moons(100)
    # layer 1: one dead of three; layer 2 is leaky (never counted); the output is sigmoid
    assert net.dead_units(X) == [pytest.approx(1 / 3), None, None]
    # on a single point where unit 0 is 0 too (x1 = 0): two of three
    assert net.dead_units([[0.0, 0.5]]) == [pytest.approx(2 / 3), None, None]


def test_dead_units_agrees_with_forward_layers():
    net = Network.from_sizes([2, 8, 8, 8, 1], hidden=["relu", "tanh", "relu"], seed=5)
    net.set_params(
        [{"W": p["W"], "b": p["b"] - 0.15 * (i + 1)} for i, p in enumerate(net.get_params())]
    )
    X, _ = moons(60, seed=2)
    layers = net.forward_layers(X)
    dead = net.dead_units(X)
    assert dead[1] is None and dead[3] is None
    for index in (0, 2):
        expected = float(np.mean(~(layers[index] > 0).any(axis=0)))
        assert dead[index] == expected
    assert dead[0] + dead[2] > 0  # the crafted biases kill some units


def test_dead_units_refuses_bad_input():
    net = crafted_network()
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\), got \(3, 3\)"):
        net.dead_units(np.zeros((3, 3)))
