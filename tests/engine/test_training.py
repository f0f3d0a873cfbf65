"""Training: the step-wise Trainer and train(): metrics, mini-batches, penalties, changes between
steps, save/restore, validation, early stopping, divergence, and learning real data sets."""

import json
import math
import pickle
import re

import numpy as np
import pytest
import reference_math
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_engine import (
    DivergenceError,
    EpochMetrics,
    History,
    Network,
    Trainer,
    datasets,
    train,
)

ARTICLE_SIZES = [2, 25, 50, 50, 25, 1]


def article_data():
    """The article's training and test sets."""
    X, y = datasets.moons(1000, noise=0.2, seed=100)
    return datasets.train_test_split(X, y, test_size=0.1, seed=42)


def small_data(n=60, seed=0):
    return datasets.moons(n, noise=0.2, seed=seed)


def params_equal(a, b):
    return len(a) == len(b) and all(
        np.array_equal(p["W"], q["W"]) and np.array_equal(p["b"], q["b"])
        for p, q in zip(a, b, strict=True)
    )


def assert_params_close(a, b, rtol):
    # parameters close to 0 carry absolute round-off only
    for p, q in zip(a, b, strict=True):
        np.testing.assert_allclose(p["W"], q["W"], rtol=rtol, atol=1e-15)
        np.testing.assert_allclose(p["b"], q["b"], rtol=rtol, atol=1e-15)


def record_batches(net):
    """Wrap ``net.forward_backward`` to record the batches the trainer passes (copies)."""
    batches = []
    original = net.forward_backward

    def recording(X, y, grad, interrupted=None):
        batches.append((np.array(X), np.array(y)))
        return original(X, y, grad, interrupted)

    net.forward_backward = recording
    return batches


def row_indices(X_all, X_batch):
    index = {tuple(row): i for i, row in enumerate(X_all)}
    return [index[tuple(row)] for row in X_batch]


def to_json_and_back(state):
    def default(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.integer | np.floating):
            return value.item()
        raise TypeError(type(value))

    return json.loads(json.dumps(state, default=default))


# --------------------------------------------------------------------- epochs and metrics


def test_trainer_step_epoch_is_the_same_run_as_train():
    X, y = small_data(80)
    net_a = Network(reference_math.ARTICLE_ARCHITECTURE, seed=2)
    net_b = Network(reference_math.ARTICLE_ARCHITECTURE, seed=2)
    history = train(net_a, X, y, epochs=20, learning_rate=0.01)
    trainer = Trainer(net_b, X, y, learning_rate=0.01)
    metrics = [trainer.step_epoch() for _ in range(20)]
    assert [m.epoch for m in metrics] == list(range(1, 21))
    assert [m.loss for m in metrics] == history.loss == trainer.history.loss
    assert [m.accuracy for m in metrics] == history.accuracy
    assert np.array_equal(net_a.params, net_b.params)
    assert trainer.epoch == 20


def test_recorded_metrics_are_those_of_the_pass_that_made_the_gradient():
    X, y = small_data(50)
    net = Network.from_sizes([2, 6, 1], hidden="tanh", seed=4)
    trainer = Trainer(net, X, y, learning_rate=0.3)
    for _ in range(3):
        before = net.get_params()
        loss, grads = net.loss_and_gradients(X, y)
        accuracy = float(np.mean(net.predict(X) == y))
        metrics = trainer.step_epoch()
        assert metrics.loss == pytest.approx(loss, rel=1e-14)
        assert metrics.accuracy == accuracy
        assert metrics.val_loss is None and metrics.val_accuracy is None
        expected = [
            {"W": p["W"] - 0.3 * g["W"], "b": p["b"] - 0.3 * g["b"]}
            for p, g in zip(before, grads, strict=True)
        ]
        assert_params_close(net.get_params(), expected, rtol=1e-13)


def test_verbose_prints_the_articles_lines(capsys):
    X, y = small_data(40)
    net = Network(reference_math.ARTICLE_ARCHITECTURE, seed=2)
    history = train(net, X, y, epochs=120, learning_rate=0.01, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"Iteration: {i:05} - cost: {history.loss[i]:.5f} - accuracy: {history.accuracy[i]:.5f}"
        for i in (0, 50, 100)
    ]
    assert lines[1].startswith("Iteration: 00050 - cost: ")
    assert all(
        re.fullmatch(r"Iteration: \d{5} - cost: \d\.\d{5} - accuracy: \d\.\d{5}", s) for s in lines
    )


def test_not_verbose_prints_nothing(capsys):
    X, y = small_data(40)
    train(Network.from_sizes([2, 3, 1], seed=0), X, y, epochs=60, learning_rate=0.01)
    assert capsys.readouterr().out == ""


def test_train_callback_every_50_epochs_counted_from_zero():
    X, y = small_data(40)
    net = Network.from_sizes([2, 4, 1], seed=0)
    calls = []
    train(net, X, y, epochs=151, learning_rate=0.01, callback=lambda i, n: calls.append((i, n)))
    assert [i for i, _ in calls] == [0, 50, 100, 150]
    assert all(n is net for _, n in calls)


def test_train_zero_epochs_changes_nothing():
    X, y = small_data(40)
    net = Network.from_sizes([2, 4, 1], seed=0)
    before = net.params.copy()
    history = train(net, X, y, epochs=0, learning_rate=0.01)
    assert history.epochs == 0 and history.loss == [] and history.stopped_reason is None
    assert np.array_equal(net.params, before)


# --------------------------------------------------------------------------- mini-batches


def test_mini_batches_cover_every_sample_once_per_epoch():
    X, y = small_data(23)
    net = Network.from_sizes([2, 4, 1], seed=0)
    trainer = Trainer(net, X, y, learning_rate=0.1, batch_size=5, seed=7)
    batches = record_batches(net)
    orders = []
    for epoch in range(1, 4):
        start = len(batches)
        results = []
        while True:
            result = trainer.step_batch()
            results.append(result)
            if result is not None:
                break
        epoch_batches = batches[start:]
        assert [len(xb) for xb, _ in epoch_batches] == [5, 5, 5, 5, 3]
        assert results[:-1] == [None] * 4
        assert results[-1].epoch == epoch == trainer.epoch
        order = [i for xb, _ in epoch_batches for i in row_indices(X, xb)]
        assert sorted(order) == list(range(23))
        for xb, yb in epoch_batches:
            assert np.array_equal(yb, y[row_indices(X, xb)])
        orders.append(order)
    assert orders[0] != orders[1] != orders[2], "every epoch is shuffled anew"


def test_epoch_metrics_of_mini_batches_are_the_size_weighted_mean_of_the_batches():
    X, y = small_data(23)
    net = Network.from_sizes([2, 4, 1], hidden="tanh", seed=0)
    trainer = Trainer(net, X, y, learning_rate=0.1, batch_size=10, seed=1)
    original = net.forward_backward
    seen = []

    def recording(Xb, yb, grad, interrupted=None):
        loss, accuracy = original(Xb, yb, grad, interrupted)
        seen.append((len(Xb), loss, accuracy))
        return loss, accuracy

    net.forward_backward = recording
    metrics = trainer.step_epoch()
    sizes = np.array([n for n, _, _ in seen])
    assert sizes.tolist() == [10, 10, 3]
    assert metrics.loss == pytest.approx(np.dot(sizes, [s[1] for s in seen]) / 23, rel=1e-14)
    assert metrics.accuracy == pytest.approx(np.dot(sizes, [s[2] for s in seen]) / 23, rel=1e-14)


def test_mini_batches_are_deterministic_for_a_seed():
    X, y = small_data(50)

    def run(seed):
        net = Network.from_sizes([2, 6, 1], seed=0)
        trainer = Trainer(
            net, X, y, learning_rate=0.1, optimizer="momentum", batch_size=8, seed=seed
        )
        trainer.run(4)
        return net.params.copy(), trainer.history.loss

    params_a, loss_a = run(11)
    params_b, loss_b = run(11)
    params_c, _ = run(12)
    assert np.array_equal(params_a, params_b) and loss_a == loss_b
    assert not np.array_equal(params_a, params_c)


def test_batch_size_at_least_n_samples_is_full_batch():
    X, y = small_data(30)
    full = Network.from_sizes([2, 5, 1], seed=0)
    big = Network.from_sizes([2, 5, 1], seed=0)
    train(full, X, y, epochs=5, learning_rate=0.1)
    batches = record_batches(big)
    history = train(big, X, y, epochs=5, learning_rate=0.1, batch_size=100, seed=3)
    assert [len(xb) for xb, _ in batches] == [30] * 5
    np.testing.assert_allclose(big.params, full.params, rtol=1e-13)
    assert history.epochs == 5


# ---------------------------------------------------------------------- regularisation


def test_l1_and_l2_add_to_the_weight_gradient_only():
    X, y = small_data(40)
    net = Network.from_sizes([2, 5, 3, 1], hidden="tanh", seed=1)
    rng = np.random.default_rng(0)
    net.set_params(
        [
            {"W": rng.normal(size=p["W"].shape), "b": rng.normal(size=p["b"].shape)}
            for p in net.get_params()
        ]
    )
    before = net.get_params()
    loss, grads = net.loss_and_gradients(X, y)
    trainer = Trainer(net, X, y, learning_rate=0.1, l1=0.01, l2=0.02)
    metrics = trainer.step_epoch()
    expected = [
        {
            "W": p["W"] - 0.1 * (g["W"] + 0.01 * np.sign(p["W"]) + 0.02 * p["W"]),
            "b": p["b"] - 0.1 * g["b"],
        }
        for p, g in zip(before, grads, strict=True)
    ]
    assert_params_close(net.get_params(), expected, rtol=1e-13)
    assert metrics.loss == pytest.approx(loss, rel=1e-14), "the recorded loss is the data loss"


def test_l2_alone_is_weight_decay_and_biases_are_untouched():
    # the penalty adds l2 * W to the weight gradients and nothing to the bias gradients
    X, y = small_data(40)
    net = Network.from_sizes([2, 3, 1], hidden="linear", seed=2)
    before = net.get_params()
    _, grads = net.loss_and_gradients(X, y)
    trainer = Trainer(net, X, y, learning_rate=0.5, l2=0.1)
    trainer.step_epoch()
    after = net.get_params()
    for p, g, q in zip(before, grads, after, strict=True):
        np.testing.assert_allclose(q["W"], p["W"] - 0.5 * (g["W"] + 0.1 * p["W"]), rtol=1e-13)
        np.testing.assert_allclose(q["b"], p["b"] - 0.5 * g["b"], rtol=1e-13)


# ------------------------------------------------------------ changes between steps


def test_learning_rate_and_l2_changes_take_effect_without_reset():
    X, y = small_data(40)
    net = Network.from_sizes([2, 4, 1], hidden="tanh", seed=3)
    trainer = Trainer(net, X, y, learning_rate=0.1)
    trainer.step_epoch()
    trainer.learning_rate = 0.5
    trainer.l2 = 0.2
    assert (trainer.learning_rate, trainer.l2) == (0.5, 0.2)
    before = net.get_params()
    _, grads = net.loss_and_gradients(X, y)
    trainer.step_epoch()
    expected = [
        {"W": p["W"] - 0.5 * (g["W"] + 0.2 * p["W"]), "b": p["b"] - 0.5 * g["b"]}
        for p, g in zip(before, grads, strict=True)
    ]
    assert_params_close(net.get_params(), expected, rtol=1e-13)
    assert trainer.epoch == 2 and len(trainer.history.loss) == 2


def test_learning_rate_change_keeps_the_adam_moments():
    X, y = small_data(40)
    net_a = Network.from_sizes([2, 4, 1], seed=3)
    net_b = Network.from_sizes([2, 4, 1], seed=3)
    changed = Trainer(net_a, X, y, learning_rate=0.01, optimizer="adam")
    changed.run(3)
    changed.learning_rate = 0.001
    changed.run(2)
    # the same run by hand with the Adam formulas
    m = np.zeros_like(net_b.params)
    v = np.zeros_like(net_b.params)
    for t in range(1, 6):
        lr = 0.01 if t <= 3 else 0.001
        _, grads = net_b.loss_and_gradients(X, y)
        params = net_b.get_params()
        flat_g = np.concatenate([np.concatenate([g["W"].ravel(), g["b"]]) for g in grads])
        flat_p = np.concatenate([np.concatenate([p["W"].ravel(), p["b"]]) for p in params])
        m = 0.9 * m + 0.1 * flat_g
        v = 0.999 * v + 0.001 * flat_g**2
        flat_p = flat_p - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        new, start = [], 0
        for p in params:
            n_w, n_b = p["W"].size, p["b"].size
            new.append(
                {
                    "W": flat_p[start : start + n_w].reshape(p["W"].shape),
                    "b": flat_p[start + n_w : start + n_w + n_b],
                }
            )
            start += n_w + n_b
        net_b.set_params(new)
    assert_params_close(net_a.get_params(), net_b.get_params(), rtol=1e-11)


def test_batch_size_change_between_epochs():
    X, y = small_data(30)
    net = Network.from_sizes([2, 4, 1], seed=0)
    trainer = Trainer(net, X, y, learning_rate=0.1, seed=0)
    batches = record_batches(net)
    trainer.step_epoch()
    trainer.batch_size = 8
    trainer.step_epoch()
    trainer.batch_size = None
    trainer.step_epoch()
    assert [len(xb) for xb, _ in batches] == [30, 8, 8, 8, 6, 30]
    assert trainer.epoch == 3


def test_set_data_between_steps():
    X_a, y_a = small_data(40, seed=0)
    X_b, y_b = datasets.xor(30, noise=0.0, seed=1)
    net = Network.from_sizes([2, 5, 1], hidden="tanh", seed=0)
    trainer = Trainer(net, X_a, y_a, learning_rate=0.1)
    trainer.run(2)
    trainer.set_data(X_b, y_b)
    loss_b, _ = net.evaluate(X_b, y_b)
    metrics = trainer.step_epoch()
    assert metrics.epoch == 3 == trainer.epoch
    assert metrics.loss == pytest.approx(loss_b, rel=1e-14)
    assert len(trainer.history.loss) == 3


def test_set_data_with_mini_batches_draws_from_the_new_data():
    X_a, y_a = small_data(40, seed=0)
    X_b, y_b = small_data(25, seed=1)
    net = Network.from_sizes([2, 5, 1], seed=0)
    trainer = Trainer(net, X_a, y_a, learning_rate=0.1, batch_size=10, seed=0)
    trainer.step_epoch()
    trainer.set_data(X_b, y_b)
    batches = record_batches(net)
    trainer.step_epoch()
    assert [len(xb) for xb, _ in batches] == [10, 10, 5]
    assert sorted(i for xb, _ in batches for i in row_indices(X_b, xb)) == list(range(25))


def test_params_snapshot_is_a_copy():
    X, y = small_data(30)
    net = Network.from_sizes([2, 4, 1], seed=0)
    trainer = Trainer(net, X, y)
    snapshot = trainer.params_snapshot()
    assert params_equal(snapshot, net.get_params())
    trainer.step_epoch()
    assert not params_equal(snapshot, net.get_params())
    snapshot[0]["W"][...] = 5.0
    assert not np.any(net.get_params()[0]["W"] == 5.0)


def test_run_returns_the_epochs_and_calls_back():
    X, y = small_data(30)
    trainer = Trainer(Network.from_sizes([2, 4, 1], seed=0), X, y)
    seen = []
    done = trainer.run(3, callback=seen.append)
    assert all(isinstance(m, EpochMetrics) for m in done)
    assert [m.epoch for m in done] == [1, 2, 3]
    assert seen == done
    assert trainer.run(0) == []
    assert trainer.epoch == 3


# ------------------------------------------------------------------------- validation


def test_validation_metrics_are_measured_after_each_epoch():
    X, y = small_data(50, seed=0)
    X_val, y_val = small_data(30, seed=1)
    net = Network.from_sizes([2, 6, 1], hidden="tanh", seed=0)
    trainer = Trainer(net, X, y, learning_rate=0.2, validation_data=(X_val, y_val))
    for _ in range(3):
        metrics = trainer.step_epoch()
        val_loss, val_accuracy = net.evaluate(X_val, y_val)
        assert metrics.val_loss == pytest.approx(val_loss, rel=1e-14)
        assert metrics.val_accuracy == val_accuracy
    assert trainer.history.val_loss == pytest.approx([m for m in trainer.history.val_loss], rel=0)
    assert len(trainer.history.val_loss) == len(trainer.history.val_accuracy) == 3

    trainer.set_validation(None, None)
    metrics = trainer.step_epoch()
    assert metrics.val_loss is None and metrics.val_accuracy is None
    assert len(trainer.history.val_loss) == 3 and len(trainer.history.loss) == 4


def test_train_records_validation_history():
    X, y = small_data(50, seed=0)
    X_val, y_val = small_data(30, seed=1)
    net = Network.from_sizes([2, 6, 1], seed=0)
    history = train(net, X, y, epochs=7, learning_rate=0.1, validation_data=(X_val, y_val))
    assert len(history.val_loss) == len(history.val_accuracy) == 7
    assert history.val_loss[-1] == pytest.approx(net.evaluate(X_val, y_val)[0], rel=1e-14)
    assert history.val_accuracy[-1] == net.evaluate(X_val, y_val)[1]
    assert history.best_epoch is None


def test_early_stopping_restores_the_best_weights_and_says_so():
    # validation labels flipped: every step that fits the training set worsens validation,
    # so the best epoch is the first.
    X, y = small_data(40, seed=3)
    net = Network.from_sizes([2, 8, 1], seed=0)
    trainer = Trainer(
        net, X, y, learning_rate=0.01, optimizer="adam",
        validation_data=(X, 1 - y), early_stopping_patience=3,
    )  # fmt: skip
    snapshots = []
    done = trainer.run(50, callback=lambda m: snapshots.append(net.get_params()))
    assert [m.epoch for m in done] == [1, 2, 3, 4]
    assert np.all(np.diff(trainer.history.val_loss) > 0)
    assert trainer.stopped is True
    assert trainer.history.best_epoch == 1
    assert trainer.stopped_reason == (
        "early stopping: validation loss did not improve for 3 epochs; "
        "weights restored from epoch 1"
    )
    assert trainer.history.stopped_reason == trainer.stopped_reason
    # the callback saw the last epoch after the restore; epoch 1's weights are back
    assert params_equal(net.get_params(), snapshots[0])


def test_early_stopping_in_train_picks_the_minimum_validation_loss():
    X, y = datasets.moons(40, noise=0.3, seed=3)
    X_val, y_val = datasets.moons(300, noise=0.3, seed=4)
    net = Network.from_sizes([2, 64, 64, 1], init="he", seed=0)
    patience = 20
    history = train(
        net, X, y, epochs=1000, learning_rate=0.02, optimizer="adam",
        validation_data=(X_val, y_val), early_stopping_patience=patience,
    )  # fmt: skip
    best = int(np.argmin(history.val_loss)) + 1
    assert history.best_epoch == best
    assert history.epochs == best + patience < 1000
    assert history.stopped_reason == (
        f"early stopping: validation loss did not improve for {patience} epochs; "
        f"weights restored from epoch {best}"
    )
    assert net.evaluate(X_val, y_val)[0] == pytest.approx(history.val_loss[best - 1], rel=1e-14)


# ------------------------------------------------------------------------ save/restore


def continue_run(trainer, epochs_or_batches, by_batch=False):
    for _ in range(epochs_or_batches):
        if by_batch:
            trainer.step_batch()
        else:
            trainer.step_epoch()


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("batch_size", [None, 7])
def test_state_dict_continues_exactly(optimizer, batch_size):
    X, y = small_data(30)
    X_val, y_val = small_data(20, seed=5)
    settings = dict(optimizer=optimizer, batch_size=batch_size, validation_data=(X_val, y_val))
    net = Network.from_sizes([2, 6, 5, 1], hidden="tanh", seed=0)
    original = Trainer(net, X, y, learning_rate=0.05, l2=0.01, seed=9, **settings)
    original.run(3)
    state = original.state_dict()
    original.run(3)

    other_net = Network.from_sizes([2, 6, 5, 1], hidden="tanh", seed=1)  # other weights
    resumed = Trainer(other_net, X, y, learning_rate=0.5, seed=1, **settings)
    resumed.load_state_dict(state)
    assert resumed.epoch == 3
    assert (resumed.learning_rate, resumed.l2, resumed.batch_size) == (0.05, 0.01, batch_size)
    resumed.run(3)

    assert np.array_equal(other_net.params, net.params)
    assert resumed.history.to_dict() == original.history.to_dict()


def mutate_every_container(value):
    """Change, in place, every list and array inside a state (the caller's copy of it)."""
    if isinstance(value, dict):
        for item in value.values():
            mutate_every_container(item)
    elif isinstance(value, list):
        for item in value:
            mutate_every_container(item)
        value.append(0.5)
    elif isinstance(value, np.ndarray) and value.size:
        value.flat[0] = 1 if value.dtype.kind in "iu" else 0.25


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_load_state_dict_keeps_nothing_of_the_state_it_was_given(optimizer):
    # The app hands a session's state to the worker without copying it: the trainer must
    # copy what it keeps, history, buffers, order and early-stopping record alike.
    X, y = small_data(30)
    X_val, y_val = small_data(10, seed=5)
    settings = dict(optimizer=optimizer, batch_size=4, validation_data=(X_val, y_val), seed=2)
    original = Trainer(Network.from_sizes([2, 5, 1], seed=0), X, y, **settings)
    original.early_stopping_patience = 50
    continue_run(original, 19, by_batch=True)  # 8 batches per epoch: mid-epoch 3
    given_state = original.state_dict()
    resumed = Trainer(Network.from_sizes([2, 5, 1], seed=1), X, y, **settings)
    resumed.load_state_dict(given_state)
    expected = to_json_and_back(original.state_dict())

    mutate_every_container(given_state)

    assert to_json_and_back(resumed.state_dict()) == expected
    continue_run(original, 10, by_batch=True)
    continue_run(resumed, 10, by_batch=True)
    assert np.array_equal(resumed.net.params, original.net.params)
    assert resumed.history.to_dict() == original.history.to_dict()


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_state_dict_mid_epoch_through_json_continues_exactly(optimizer):
    X, y = small_data(30)
    net = Network.from_sizes([2, 6, 1], seed=0)
    original = Trainer(net, X, y, learning_rate=0.05, optimizer=optimizer, batch_size=4, seed=3)
    continue_run(original, 13, by_batch=True)  # 8 batches per epoch: in the middle of epoch 2
    assert original.epoch == 1
    state = to_json_and_back(original.state_dict())
    continue_run(original, 20, by_batch=True)

    other_net = Network.from_sizes([2, 6, 1], seed=5)
    resumed = Trainer(other_net, X, y, optimizer=optimizer, batch_size=4, seed=0)
    resumed.load_state_dict(state)
    continue_run(resumed, 20, by_batch=True)

    assert original.epoch == resumed.epoch == 4
    assert np.array_equal(other_net.params, net.params)
    assert resumed.history.loss == original.history.loss
    assert resumed.history.accuracy == original.history.accuracy


def test_load_state_dict_of_a_different_network_is_refused_and_changes_nothing():
    X, y = small_data(30)
    trainer = Trainer(Network.from_sizes([2, 4, 1], seed=0), X, y)
    trainer.step_epoch()
    other = Trainer(Network.from_sizes([2, 5, 1], seed=0), X, y)
    before = other.net.params.copy()
    with pytest.raises(ValueError, match=r"^params must be 21 finite values, got shape \(17,\)\.$"):
        other.load_state_dict(trainer.state_dict())
    assert np.array_equal(other.net.params, before)
    assert other.epoch == 0


def test_load_state_dict_of_another_optimizer_is_refused():
    X, y = small_data(30)
    adam = Trainer(Network.from_sizes([2, 4, 1], seed=0), X, y, optimizer="adam")
    adam.step_epoch()
    sgd = Trainer(Network.from_sizes([2, 4, 1], seed=1), X, y, optimizer="sgd")
    before = sgd.net.params.copy()
    with pytest.raises(ValueError, match=r"^optimizer must be 'sgd', got 'adam'\.$"):
        sgd.load_state_dict(adam.state_dict())
    assert np.array_equal(sgd.net.params, before)


@pytest.mark.parametrize("missing", ["params", "optimizer", "rng", "history", "cursor", "stopped"])
def test_load_state_dict_with_a_missing_entry_is_refused_and_changes_nothing(missing):
    X, y = small_data(30)
    source = Trainer(Network.from_sizes([2, 4, 1], seed=0), X, y, batch_size=8, seed=1)
    source.run(2)
    state = source.state_dict()
    del state[missing]
    target = Trainer(Network.from_sizes([2, 4, 1], seed=1), X, y, batch_size=8, seed=2)
    target.step_epoch()
    before_params, before_history = target.net.params.copy(), target.history.to_dict()
    with pytest.raises(ValueError, match=r"^trainer state is incomplete or malformed"):
        target.load_state_dict(state)
    assert np.array_equal(target.net.params, before_params)
    assert target.history.to_dict() == before_history


def test_history_dict_round_trip():
    history = History(
        loss=[0.7, 0.5], accuracy=[0.5, 0.75], val_loss=[0.8, 0.6], val_accuracy=[0.4, 0.6],
        stopped_reason="loss became inf at epoch 3; weights restored from epoch 2", best_epoch=2,
    )  # fmt: skip
    data = json.loads(json.dumps(history.to_dict()))
    assert History.from_dict(data) == history
    assert history.epochs == 2
    assert repr(history) == (
        "History(2 epochs, loss 0.50000, accuracy 0.75000, "
        "stopped: loss became inf at epoch 3; weights restored from epoch 2)"
    )


# --------------------------------------------------------------------------- divergence

MESSAGE = re.compile(
    r"(loss|weights) (?:became (inf|NaN)|exceeded ([^;]+)) at epoch (\d+); "
    r"weights restored from epoch (\d+)"
)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("optimizer", "batch_size", "learning_rate"),
    [("sgd", None, 100.0), ("momentum", None, 100.0), ("sgd", 16, 3.0), ("nesterov", 16, 1.0)],
)
def test_divergence_restores_the_last_sane_weights(optimizer, batch_size, learning_rate):
    X, y = small_data(100)
    # linear hidden layers: nothing saturates, a huge learning rate blows up within epochs
    net = Network.from_sizes([2, 8, 8, 1], hidden="linear", seed=1)
    trainer = Trainer(
        net, X, y, learning_rate=learning_rate, optimizer=optimizer, batch_size=batch_size, seed=0
    )
    snapshots = [net.params.copy()]
    optimizer_states = [trainer.state_dict()["optimizer"]]
    with pytest.raises(DivergenceError) as caught:
        for _ in range(100):
            trainer.step_epoch()
            snapshots.append(net.params.copy())
            optimizer_states.append(trainer.state_dict()["optimizer"])
    error = caught.value
    match = MESSAGE.fullmatch(str(error))
    assert match is not None, str(error)
    K = len(snapshots)  # epochs 1 .. K-1 finished
    assert K >= 2
    assert (error.quantity, error.value_name) == (match.group(1), match.group(2) or "too large")
    assert error.epoch == int(match.group(4)) == K
    # a bad loss at epoch K comes from the weights of epoch K-1: they are suspect too
    restored = K - 2 if error.quantity == "loss" else K - 1
    assert error.restored_epoch == int(match.group(5)) == restored
    assert isinstance(error, ArithmeticError)
    assert np.isfinite(net.params).all()
    assert np.array_equal(net.params, snapshots[restored])
    assert trainer.epoch == restored == len(trainer.history.loss)
    assert trainer.stopped_reason == str(error)
    if batch_size is None:  # full batch: the restored weights' loss passed the rule
        assert net.evaluate(X, y)[0] <= 100 * max(math.log(2), trainer.history.loss[0])
    state = trainer.state_dict()["optimizer"]
    assert state["t"] == optimizer_states[restored]["t"]
    for name, arrays in state["buffers"].items():
        for index, array in arrays.items():
            np.testing.assert_array_equal(array, optimizer_states[restored]["buffers"][name][index])


def test_weights_overflow_on_the_first_epoch_restores_the_initial_weights():
    X, y = small_data(40)
    X = X * 1000  # gradients of order 100: one step of 1e308 overflows
    net = Network.from_sizes([2, 3, 1], seed=0)
    initial = net.params.copy()
    trainer = Trainer(net, X, y, learning_rate=1e308)
    with np.errstate(over="ignore"), pytest.raises(DivergenceError) as caught:
        trainer.step_epoch()
    assert str(caught.value) == "weights became inf at epoch 1; weights restored from epoch 0"
    assert (caught.value.epoch, caught.value.restored_epoch) == (1, 0)
    assert caught.value.quantity == "weights" and caught.value.value_name == "inf"
    assert np.array_equal(net.params, initial)
    assert trainer.epoch == 0
    assert trainer.history.loss == []

    # a sane learning rate then continues from the restored weights, epoch 1 again
    trainer.learning_rate = 1e-4
    metrics = trainer.step_epoch()
    assert metrics.epoch == 1 and math.isfinite(metrics.loss)
    assert np.isfinite(net.params).all()


def too_high_a_learning_rate():
    """The app's "Too high a learning rate" preset: moons (400 points, noise 0.2, seed 100,
    10 % held out), 2-8-8-1 leaky ReLU with He init (seed 2), plain SGD at learning rate 10."""
    X, y = datasets.moons(400, noise=0.2, seed=100)
    is_test = datasets.split_mask(400, 0.1, 100)
    net = Network.from_sizes([2, 8, 8, 1], hidden="leaky_relu", init="he", seed=2)
    trainer = Trainer(
        net, X[~is_test], y[~is_test], learning_rate=10.0, validation_data=(X[is_test], y[is_test])
    )
    return trainer, X[~is_test], y[~is_test]


def test_a_blown_up_loss_is_divergence_before_it_overflows():
    """Before this rule the preset ran to a NaN loss at epoch 12 and restored the weights of
    epoch 10, whose loss was about 1e235; now the blow-up is caught at epoch 5."""
    trainer, X, y = too_high_a_learning_rate()
    snapshots = [trainer.net.params.copy()]
    with np.errstate(all="ignore"), pytest.raises(DivergenceError) as caught:
        for _ in range(20):
            trainer.step_epoch()
            snapshots.append(trainer.net.params.copy())
    error = caught.value
    first_loss = 0.8056783548435722  # above ln 2: the reference
    assert trainer.history.loss[0] == first_loss
    assert str(error) == (
        "loss exceeded 80.6 (100 × the first epoch's loss) at epoch 5; "
        "weights restored from epoch 3"
    )
    assert (error.epoch, error.quantity, error.value_name, error.restored_epoch) == (
        5, "loss", "too large", 3
    )  # fmt: skip
    assert error.limit == 100 * first_loss and error.value > error.limit
    assert math.isclose(error.value, 7391.5444, rel_tol=1e-6)
    assert np.array_equal(trainer.net.params, snapshots[3])
    assert len(trainer.history.loss) == len(trainer.history.val_loss) == 3
    restored_loss, _ = trainer.net.evaluate(X, y)
    assert math.isclose(restored_loss, 68.8771, rel_tol=1e-5)  # within the limit, not 1e235
    assert restored_loss <= error.limit


def test_the_loss_reference_is_ln_2_when_the_first_loss_is_lower():
    X, y = small_data(100)
    net = Network.from_sizes([2, 8, 8, 1], hidden="linear", seed=1)
    trainer = Trainer(net, X, y, learning_rate=100.0)
    with np.errstate(all="ignore"):
        trainer.step_epoch()
    trainer.history.loss[0] = 0.5  # a first epoch that did better than a constant guess
    with np.errstate(all="ignore"), pytest.raises(DivergenceError) as caught:
        trainer.run(20)
    assert str(caught.value).startswith("loss exceeded 69.3 (100 × ln 2) at epoch ")
    assert caught.value.limit == 100 * math.log(2)


def test_a_weight_beyond_a_million_is_divergence_and_brings_back_the_previous_weights():
    X, y = small_data(100)
    net = Network.from_sizes([2, 3, 1], seed=0)
    initial = net.params.copy()
    trainer = Trainer(net, X, y, learning_rate=1e8)
    with pytest.raises(DivergenceError) as caught:
        trainer.step_epoch()
    error = caught.value
    assert str(error) == (
        "weights exceeded 1e+06 in magnitude at epoch 1; weights restored from epoch 0"
    )
    assert (error.quantity, error.value_name, error.limit) == ("weights", "too large", 1e6)
    assert 1e6 < error.value < math.inf
    assert np.array_equal(net.params, initial)


def float32_trainer_holding(weight):
    X, y = small_data(20)
    net = Network.from_sizes([2, 1], seed=0, dtype=np.float32)
    net.set_params([{"W": [[weight, 0.0]], "b": [0.0]}])
    return Trainer(net, X, y, learning_rate=1e-30)  # the update leaves the weight as it is


@pytest.mark.parametrize("weight", [1.5e6, 3e19])
def test_the_weight_limit_holds_in_float32_even_where_its_square_overflows(weight):
    # the check compares squares with 1e12; 3e19 squared is inf in float32
    with pytest.raises(DivergenceError) as caught:
        float32_trainer_holding(weight).step_epoch()
    assert (caught.value.value_name, caught.value.value) == ("too large", float(np.float32(weight)))


def test_a_weight_at_the_limit_is_sane():
    assert float32_trainer_holding(1e6).step_epoch().epoch == 1


def test_data_far_from_unit_scale_is_not_mistaken_for_a_blow_up():
    X, y = small_data(100)
    net = Network.from_sizes([2, 16, 16, 1], init="he", seed=0)
    trainer = Trainer(net, X * 5000, y, learning_rate=0.01, optimizer="adam")
    with np.errstate(all="ignore"):
        metrics = trainer.run(30)
    assert len(metrics) == 30 and trainer.stopped_reason is None
    assert trainer.history.loss[0] > 100 * math.log(2)  # ln 2 alone would have stopped it


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_train_records_divergence_instead_of_raising():
    X, y = small_data(100)
    net = Network.from_sizes([2, 8, 8, 1], hidden="linear", seed=1)
    twin = Network.from_sizes([2, 8, 8, 1], hidden="linear", seed=1)
    history = train(net, X, y, epochs=1000, learning_rate=100.0)
    match = MESSAGE.fullmatch(history.stopped_reason or "")
    assert match is not None, history.stopped_reason
    K, restored = int(match.group(4)), int(match.group(5))
    assert restored == (K - 2 if match.group(1) == "loss" else K - 1) == history.epochs
    assert np.isfinite(net.params).all()
    twin_history = train(twin, X, y, epochs=restored, learning_rate=100.0)
    assert twin_history.stopped_reason is None
    assert np.array_equal(net.params, twin.params)
    assert history.loss == twin_history.loss


# ----------------------------------------------------------------------------- learning


def test_the_article_moons_learned_fast_to_097_test_accuracy():
    X_train, X_test, y_train, y_test = article_data()
    net = Network.from_sizes(ARTICLE_SIZES, hidden="relu", init="he", seed=0)
    history = train(net, X_train, y_train, epochs=300, learning_rate=0.01, optimizer="adam")
    assert history.stopped_reason is None
    assert np.mean(net.predict(X_test) == y_test) >= 0.97
    assert history.loss[-1] < history.loss[0] / 3


def test_xor_learnable():
    X, y = datasets.xor(200, noise=0.0, seed=0)
    net = Network.from_sizes([2, 16, 16, 1], hidden="tanh", init="xavier", seed=0)
    history = train(net, X, y, epochs=500, learning_rate=0.02, optimizer="adam")
    assert np.mean(net.predict(X) == y) >= 0.95
    assert history.accuracy[-1] >= 0.95


def test_spiral_learnable():
    X, y = datasets.spiral(200, noise=0.0, seed=0)
    net = Network.from_sizes([2, 32, 32, 1], hidden="relu", init="xavier", seed=0)
    history = train(net, X, y, epochs=1000, learning_rate=0.02, optimizer="adam")
    assert np.mean(net.predict(X) == y) >= 0.95
    assert history.accuracy[-1] >= 0.95


def test_nesterov_and_mini_batch_sgd_learn_the_moons():
    X, y = small_data(200, seed=2)
    for kwargs in (
        {"optimizer": "nesterov", "learning_rate": 0.05},
        {"batch_size": 16, "learning_rate": 0.1},
    ):
        net = Network.from_sizes([2, 16, 16, 1], hidden="relu", init="he", seed=0)
        train(net, X, y, epochs=150, seed=0, **kwargs)
        assert np.mean(net.predict(X) == y) >= 0.95, kwargs


def test_float32_training_stays_float32_and_follows_float64():
    X, y = small_data(60)
    net32 = Network.from_sizes([2, 8, 8, 1], hidden="tanh", seed=0, dtype=np.float32)
    net64 = Network.from_sizes([2, 8, 8, 1], hidden="tanh", seed=0)
    h32 = train(net32, X, y, epochs=50, learning_rate=0.01, optimizer="adam", batch_size=16, seed=1)
    h64 = train(net64, X, y, epochs=50, learning_rate=0.01, optimizer="adam", batch_size=16, seed=1)
    assert net32.params.dtype == np.float32
    assert all(p[k].dtype == np.float32 for p in net32.get_params() for k in ("W", "b"))
    np.testing.assert_allclose(h32.loss, h64.loss, rtol=1e-4)
    np.testing.assert_allclose(net32.params, net64.params, rtol=1e-3, atol=1e-4)


# ---------------------------------------------------------------- bounded memory


def test_workspaces_stay_bounded_while_the_data_keep_changing_and_results_do_not_change():
    """Painting while training gives the trainer new data of a new size at every edit; the
    network keeps buffers only for the sizes of the current data (full set, batch, partial
    batch: at most MAX_WORKSPACES), and training gives the same bits as with one workspace per
    size kept forever (the old behaviour)."""
    X, y = small_data(400, seed=4)
    bounded = Network.from_sizes([2, 8, 8, 1], seed=3)
    unbounded = Network.from_sizes([2, 8, 8, 1], seed=3)
    unbounded.MAX_WORKSPACES = 10**9
    trainers = [
        Trainer(net, X[:100], y[:100], learning_rate=0.05, optimizer="adam", seed=1)
        for net in (bounded, unbounded)
    ]
    assert Network.MAX_WORKSPACES == 3
    for n_points in range(100, 400, 5):  # painting: a new size every few epochs
        for batch_size in (None, 32):
            for trainer in trainers:
                trainer.batch_size = batch_size
                trainer.set_data(X[:n_points], y[:n_points])
                trainer.run(2)
            assert len(bounded._workspaces) <= 3
            in_use = {n_points, 32, n_points % 32} if batch_size else {n_points}
            assert set(bounded._workspaces) <= in_use  # nothing sized for the old data
    assert bounded.params.tobytes() == unbounded.params.tobytes()
    assert trainers[0].history.loss == trainers[1].history.loss


def test_mini_batch_epochs_reuse_their_workspaces_the_partial_batch_included():
    X, y = small_data(100, seed=5)
    net = Network.from_sizes([2, 6, 1], seed=0)
    trainer = Trainer(net, X, y, learning_rate=0.1, batch_size=32, seed=0)
    trainer.run(1)
    assert sorted(net._workspaces) == [4, 32]  # 3 batches of 32, one of 4
    kept = dict(net._workspaces)
    net.loss_and_gradients(X[:7], y[:7])  # a third size fits without evicting them
    trainer.run(5)
    assert all(net._workspaces[size] is kept[size] for size in (4, 32))
    net.loss_and_gradients(X[:9], y[:9])  # a fourth frees the least recently used (7)
    assert list(net._workspaces) == [32, 4, 9]


# ------------------------------------------------------------------ crafted trainer states


def mid_run_trainer(seed=0):
    """An Adam trainer with early stopping, in the middle of its third epoch."""
    X, y = small_data(30)
    X_val, y_val = small_data(20, seed=5)
    net = Network.from_sizes([2, 4, 1], seed=seed)
    trainer = Trainer(
        net, X, y, learning_rate=0.05, optimizer="adam", batch_size=8, seed=seed,
        validation_data=(X_val, y_val), early_stopping_patience=5,
    )  # fmt: skip
    trainer.run(2)
    trainer.step_batch()
    trainer.step_batch()
    return trainer


def snapshot(trainer):
    """Everything load_state_dict may change, as comparable values."""
    return json.dumps(to_json_and_back(trainer.state_dict()), sort_keys=True)


def set_path(state, path, value):
    *parents, last = path
    for key in parents:
        state = state[key]
    state[last] = value


N_PARAMS = 17  # the 2-4-1 network
CRAFTED = [
    (("optimizer", "hyperparameters", "beta1"), 1.0, "beta1 must be < 1, got 1.0."),
    (("optimizer", "hyperparameters", "beta2"), -0.1, "beta2 must be >= 0, got -0.1."),
    (("optimizer", "hyperparameters", "epsilon"), 0, "epsilon must be > 0, got 0.0."),
    (("optimizer", "hyperparameters", "learning_rate"), -1, "learning_rate must be > 0, got -1.0."),
    (
        ("optimizer", "hyperparameters", "learning_rate"),
        "0.1",
        "learning_rate must be a number, got '0.1'.",
    ),
    (("optimizer", "t"), -1, "optimizer step count t must be >= 0, got -1."),
    (("optimizer", "t"), 1.5, "optimizer step count t must be an integer, got 1.5."),
    (("optimizer", "t"), True, "optimizer step count t must be an integer, got True."),
    (
        ("optimizer", "buffers", "m", "0"),
        np.zeros(3),
        f"optimizer buffer m must be {N_PARAMS} finite values, got shape (3,).",
    ),
    (
        ("optimizer", "buffers", "v", "0"),
        -np.ones(N_PARAMS),
        "optimizer buffer v must be >= 0, got negative values.",
    ),
    (
        ("optimizer", "buffers", "m", "0"),
        np.full(N_PARAMS, np.nan),
        "optimizer buffer m must be finite, got NaN or inf values.",
    ),
    (
        ("optimizer", "buffers", "m", "0"),
        [None] * N_PARAMS,
        "optimizer buffer m must hold real numbers, got dtype object.",
    ),
    (
        ("optimizer", "buffers", "velocity"),
        {"0": np.zeros(N_PARAMS)},
        "optimizer buffers of adam must be m, v, got 'velocity'.",
    ),
    (
        ("optimizer", "buffers", "m", "1"),
        np.zeros(N_PARAMS),
        "optimizer buffer m must be for parameter 0 only, got [0, 1].",
    ),
    (
        ("optimizer", "buffers", "m", "zero"),
        np.zeros(N_PARAMS),
        "optimizer buffer m must be keyed by parameter numbers ('0', '1', ...), got 'zero'.",
    ),
    (("optimizer", "name"), "sgd", "optimizer must be 'adam', got 'sgd'."),
    (("params",), np.zeros(N_PARAMS + 1), "params must be 17 finite values, got shape (18,)."),
    (("params",), ["a"] * N_PARAMS, "params must be 17 finite numbers, got dtype <U1."),
    (("best_params",), np.zeros(2), "best_params must be 17 finite values, got shape (2,)."),
    (
        ("best_params",),
        np.full(N_PARAMS, np.inf),
        "best_params must be 17 finite values, got NaN or inf values.",
    ),
    (("best_params",), None, "best_val_loss, best_params and history best_epoch must be set "),
    (("best_val_loss",), math.inf, "best_val_loss, best_params and history best_epoch must be "),
    (("best_val_loss",), "x", "best_val_loss must be a number or inf, got 'x'."),
    (("best_val_loss",), math.nan, "best_val_loss must be a number or inf, got nan."),
    (("history", "best_epoch"), 0, "history best_epoch must be > 0, got 0."),
    (("history", "loss", 0), math.nan, "history loss values must be finite and >= 0, got nan."),
    (("history", "accuracy", 1), 1.5, "history accuracy values must be in [0, 1], got 1.5."),
    (("history", "val_loss"), [0.5], "history val_accuracy must have one value per val_loss."),
    (("history", "stopped_reason"), 3, "history stopped_reason must be a str or None, got 3."),
    (
        ("order",),
        np.zeros(30, np.int64),
        "order must be a permutation of 0 .. n - 1 (n = 30), got other values.",
    ),
    (
        ("order",),
        np.arange(1, 31),
        "order must be a permutation of 0 .. n - 1 (n = 30), got other values.",
    ),
    (("order",), np.arange(30.0), "order must be a 1-D integer array, got float64 of shape (30,)."),
    (("cursor",), 31, "cursor must be <= 30 (the length of order), got 31."),
    (("cursor",), -1, "cursor must be >= 0, got -1."),
    (("sums",), [1.0, 2.0], "sums must be a list of 3 numbers, got [1.0, 2.0]."),
    (("sums", 0), math.nan, "sums[0] must be finite, got nan."),
    (("sums", 2), -30, "sums[2] must be >= 0, got -30."),
    (("sums", 2), 17, "sums[2] (samples seen) must be <= cursor 16, got 17."),
    (("rng", "bit_generator"), "MT19937", "rng must be a PCG64 state, got 'MT19937'."),
    (("rng", "state", "inc"), -1, "rng state inc must be >= 0, got -1."),
    (("rng", "state", "state"), 2**128, f"rng state state must be < 2**128, got {2**128}."),
    (("rng", "has_uint32"), 2, "rng has_uint32 must be 0 or 1, got 2."),
    (("rng", "uinteger"), "1", "rng uinteger must be an integer, got '1'."),
    (("stopped",), "yes", "stopped must be True or False, got 'yes'."),
    (("l2",), -1.0, "l2 must be >= 0, got -1.0."),
]


@pytest.mark.parametrize(
    ("path", "value", "message"), CRAFTED, ids=lambda x: str(x)[:30] if isinstance(x, tuple) else ""
)
def test_a_crafted_state_is_refused_naming_the_entry_and_changes_nothing(path, value, message):
    state = to_json_and_back(mid_run_trainer().state_dict())
    state = {**state, "params": np.array(state["params"]), "order": np.array(state["order"])}
    assert state["cursor"] == 16 and state["history"]["best_epoch"] is not None
    set_path(state, path, value)
    target = mid_run_trainer(seed=1)
    before = snapshot(target)
    with pytest.raises(ValueError) as caught:
        target.load_state_dict(state)
    assert str(caught.value).startswith(message)
    if not message.endswith(" "):  # the whole message, unless the case gives only its start
        assert str(caught.value) == message
    assert snapshot(target) == before


def test_state_that_is_not_a_dict_or_misses_a_key_is_refused():
    target = mid_run_trainer()
    with pytest.raises(ValueError) as caught:
        target.load_state_dict([1, 2])
    assert str(caught.value) == "trainer state must be a dict, got list."
    state = target.state_dict()
    del state["sums"]
    with pytest.raises(ValueError) as caught:
        target.load_state_dict(state)
    assert str(caught.value) == "trainer state is incomplete or malformed: missing 'sums'."


def test_a_state_beyond_the_float32_range_is_refused_by_a_float32_trainer():
    X, y = small_data(30)
    trainer = Trainer(Network.from_sizes([2, 4, 1], seed=0, dtype=np.float32), X, y)
    state = trainer.state_dict()
    state["params"] = state["params"].astype(np.float64)
    state["params"][3] = 1e39
    with pytest.raises(ValueError) as caught:
        trainer.load_state_dict(state)
    assert (
        str(caught.value) == "params must be 17 finite values, got values beyond the float32 range."
    )


def test_a_state_saved_for_other_data_restarts_the_epoch_in_progress():
    state = mid_run_trainer().state_dict()
    X, y = small_data(12, seed=8)
    other = Trainer(Network.from_sizes([2, 4, 1], seed=0), X, y, optimizer="adam", batch_size=8)
    other.set_validation(*small_data(20, seed=5))
    other.load_state_dict(state)
    assert (other._order, other._cursor, other._sums) == (None, 0, [0.0, 0.0, 0])
    other.step_epoch()  # on its own 12 points: batches of 8 and 4
    assert other.epoch == 3


WEIRD_VALUES = [
    None, True, False, -1, 0, 1, 2, 0.5, 1.0, 0.999999, -0.5, 1e308, -1e308, 1e-308, math.nan,
    math.inf, -math.inf, 2**70, -(2**70), "x", "", [], {}, [1, 2, 3], [[1], [2, 3]],
    np.zeros(0), np.zeros(17), np.ones(17) * 1e300, np.arange(17), np.zeros((17, 1)),
]  # fmt: skip


def leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*path, key))
    elif isinstance(value, list) and value and not isinstance(value[0], list | dict):
        yield path
        yield (*path, 0)
    else:
        yield path


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_crafted_states_either_load_or_are_refused_and_never_break_a_later_epoch(data):
    """Whatever one entry of a state is replaced with, load_state_dict refuses it with a
    ValueError (changing nothing), or the next epochs run (or stop with DivergenceError):
    never a TypeError, ZeroDivisionError, IndexError ... from inside the engine."""
    state = to_json_and_back(mid_run_trainer().state_dict())
    path = data.draw(st.sampled_from(sorted(leaf_paths(state), key=str)))
    set_path(state, path, data.draw(st.sampled_from(WEIRD_VALUES)))
    target = mid_run_trainer(seed=1)
    before = snapshot(target)
    try:
        target.load_state_dict(state)
    except ValueError:
        assert snapshot(target) == before
        return
    with np.errstate(all="ignore"):
        for _ in range(3):
            try:
                target.step_epoch()
            except DivergenceError:
                break


# ------------------------------------------------------------- a twin in another process


def twin_of(trainer, X, y, validation=None):
    """A trainer built as the app's training process builds one: the same network shape and
    data, the history's lists, then the pickled progress."""
    net = trainer.net
    twin = Trainer(
        Network(net.architecture, features=net.features, init=net.init, seed=7, dtype=net.dtype),
        X,
        y,
        learning_rate=0.5,  # the progress replaces every setting
        optimizer=trainer.optimizer,
    )
    if validation is not None:
        twin.set_validation(*validation)
    history = twin.history
    history.loss, history.accuracy = list(trainer.history.loss), list(trainer.history.accuracy)
    history.val_loss = list(trainer.history.val_loss)
    history.val_accuracy = list(trainer.history.val_accuracy)
    twin.import_progress(pickle.loads(pickle.dumps(trainer.export_progress())))
    return twin


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_a_twin_made_from_the_exported_progress_continues_exactly_mid_epoch(optimizer):
    X, y = small_data(30)
    validation = small_data(10, seed=5)
    settings = dict(optimizer=optimizer, batch_size=4, validation_data=validation, seed=2)
    original = Trainer(Network.from_sizes([2, 5, 1], seed=0), X, y, l2=0.01, **settings)
    continue_run(original, 19, by_batch=True)  # 8 batches per epoch: mid-epoch 3
    twin = twin_of(original, X, y, validation)
    assert (twin.learning_rate, twin.l2, twin.batch_size, twin.epoch) == (
        original.learning_rate,
        0.01,
        4,
        original.epoch,
    )

    continue_run(original, 13, by_batch=True)
    continue_run(twin, 13, by_batch=True)

    assert np.array_equal(twin.net.params, original.net.params)
    assert twin.history.to_dict() == original.history.to_dict()
    # and back: the original takes the twin's progress and both go on alike
    original.import_progress(pickle.loads(pickle.dumps(twin.export_progress())))
    continue_run(original, 5, by_batch=True)
    continue_run(twin, 5, by_batch=True)
    assert np.array_equal(twin.net.params, original.net.params)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_twin_diverges_as_the_original_and_goes_back_to_the_same_epoch():
    # The divergence backups travel with the progress: a state_dict would lose them, and a
    # twin diverging right after taking over would go back to the wrong weights.
    X, y = small_data(100)
    net = Network.from_sizes([2, 8, 8, 1], hidden="linear", seed=1)
    original = Trainer(net, X, y, learning_rate=100.0, seed=0)
    original.step_epoch()
    twin = twin_of(original, X, y)
    with pytest.raises(DivergenceError) as first:
        for _ in range(100):
            original.step_epoch()
    with pytest.raises(DivergenceError) as second:
        for _ in range(100):
            twin.step_epoch()
    assert (second.value.epoch, second.value.restored_epoch) == (
        first.value.epoch,
        first.value.restored_epoch,
    )
    assert first.value.restored_epoch < first.value.epoch - 1  # a bad loss: two epochs back
    assert np.array_equal(twin.net.params, original.net.params)
    assert twin.history.to_dict() == original.history.to_dict()


def test_import_progress_refuses_what_export_progress_did_not_make_and_changes_nothing():
    X, y = small_data(30)
    trainer = Trainer(Network.from_sizes([2, 5, 1], seed=0), X, y, seed=2)
    trainer.step_epoch()
    other = Trainer(Network.from_sizes([2, 6, 1], seed=0), X, y, seed=2)
    before = to_json_and_back(trainer.state_dict())
    progress = trainer.export_progress()
    with pytest.raises(ValueError, match=r"made by Trainer\.export_progress\(\)"):
        trainer.import_progress({"params": trainer.net.params})
    with pytest.raises(ValueError, match=r"made by Trainer\.export_progress\(\)"):
        trainer.import_progress({**progress, "progress": {"_l1": 0.0}})
    with pytest.raises(
        ValueError,
        match=r"progress params must be a float64 array of shape \(21,\), got a float64 array "
        r"of shape \(25,\)\.",
    ):
        trainer.import_progress(other.export_progress())
    float32 = {**progress, "params": trainer.net.params.astype(np.float32)}
    with pytest.raises(ValueError, match=r"got a float32 array of shape \(21,\)\."):
        trainer.import_progress(float32)
    assert to_json_and_back(trainer.state_dict()) == before
