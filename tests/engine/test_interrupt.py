"""Interrupting a training step from outside: TrainingInterrupted at a layer boundary, nothing
changed, and resuming gives bit for bit what an uninterrupted run gives."""

import copy
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_engine import Network, Trainer, TrainingInterrupted, datasets

SIZES = [2, 6, 5, 4, 1]
# before each of the 4 layers forward, and each backward product: 4 [dW | db], 3 dA
CHECKS_PER_BATCH = 4 + 4 + 3


class InterruptAt:
    """An interrupt that turns on at its check number ``k`` (0-based) and counts the checks."""

    def __init__(self, k: int | None):
        self.k = k
        self.checks = 0

    def __call__(self) -> bool:
        self.checks += 1
        return self.k is not None and self.checks > self.k


def make_trainer(batch_size=None, optimizer="adam", l1=0.0, l2=0.0, dtype=np.float64) -> Trainer:
    X, y = datasets.moons(40, noise=0.2, seed=3)
    net = Network.from_sizes(SIZES, hidden="tanh", init="xavier", seed=5, dtype=dtype)
    return Trainer(
        net,
        X[:30],
        y[:30],
        learning_rate=0.05,
        optimizer=optimizer,
        batch_size=batch_size,
        l1=l1,
        l2=l2,
        seed=7,
        validation_data=(X[30:], y[30:]),
    )


def assert_identical(a: object, b: object, where: str = "state") -> None:
    """Equal to the last bit: arrays by value and dtype, containers item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and np.array_equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            assert_identical(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_identical(x, y, f"{where}[{index}]")
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def test_a_full_batch_step_looks_at_the_interrupt_before_every_layer_and_product():
    trainer = make_trainer()
    never = InterruptAt(None)
    trainer.step_batch(never)
    assert never.checks == CHECKS_PER_BATCH


@pytest.mark.parametrize("k", range(CHECKS_PER_BATCH))
def test_an_interrupted_full_batch_step_stops_at_that_layer_and_changes_nothing(k):
    trainer = make_trainer(optimizer="momentum")
    trainer.step_epoch()  # an optimizer state and a history to keep
    before = copy.deepcopy(trainer.state_dict())
    params = trainer.net.params.copy()
    interrupt = InterruptAt(k)
    with pytest.raises(TrainingInterrupted, match="^the training step was interrupted"):
        trainer.step_batch(interrupt)
    assert interrupt.checks == k + 1  # it stopped at the check that saw the interrupt set
    assert_identical(trainer.state_dict(), before)
    assert np.array_equal(trainer.net.params, params)
    assert trainer.epoch == 1


def test_an_interrupted_first_mini_batch_takes_back_the_epoch_permutation():
    trainer = make_trainer(batch_size=8)
    trainer.step_epoch()
    before = copy.deepcopy(trainer.state_dict())  # order used up: the next batch draws anew
    with pytest.raises(TrainingInterrupted):
        trainer.step_batch(InterruptAt(3))
    assert_identical(trainer.state_dict(), before)


def test_an_event_interrupts_at_the_first_check_and_a_cleared_one_lets_training_go_on():
    trainer, twin = make_trainer(batch_size=8), make_trainer(batch_size=8)
    event = threading.Event()
    event.set()
    with pytest.raises(TrainingInterrupted):
        trainer.step_epoch(event)
    assert trainer.state_dict()["cursor"] == 0
    event.clear()
    assert_identical(trainer.step_epoch(event), twin.step_epoch())
    assert_identical(trainer.state_dict(), twin.state_dict())


def test_an_interrupted_epoch_keeps_its_trained_mini_batches_and_finishes_later():
    trainer, twin = make_trainer(batch_size=8), make_trainer(batch_size=8)
    # 30 samples in batches of 8: four batches; interrupted in the third one's backward pass
    interrupt = InterruptAt(2 * CHECKS_PER_BATCH + CHECKS_PER_BATCH // 2 + 1)
    with pytest.raises(TrainingInterrupted):
        trainer.step_epoch(interrupt)
    state = trainer.state_dict()
    assert state["cursor"] == 16 and state["sums"][2] == 16 and trainer.epoch == 0
    twin.step_batch()
    twin.step_batch()
    assert_identical(trainer.state_dict(), twin.state_dict())
    assert_identical(trainer.step_epoch(), twin.step_epoch())
    assert_identical(trainer.state_dict(), twin.state_dict())


def test_forward_backward_interrupted_leaves_the_network_unchanged():
    net = Network.from_sizes(SIZES, hidden="relu", seed=1)
    X, y = datasets.moons(20, noise=0.1, seed=0)
    params = net.params.copy()
    grad = np.zeros_like(net.params)
    with pytest.raises(TrainingInterrupted):
        net.forward_backward(X, y.astype(float), grad, InterruptAt(5))
    assert np.array_equal(net.params, params)
    loss, _ = net.forward_backward(X, y.astype(float), grad)
    assert loss == net.loss_and_gradients(X, y)[0]  # the workspace holds nothing stale


@pytest.mark.parametrize("interrupt", [1, "stop", [threading.Event()]])
def test_an_interrupt_that_is_neither_an_event_nor_callable_is_refused(interrupt):
    trainer = make_trainer()
    before = copy.deepcopy(trainer.state_dict())
    with pytest.raises(TypeError, match="^interrupt must be a threading.Event, a callable or None"):
        trainer.step_batch(interrupt)
    with pytest.raises(TypeError, match="^interrupt must be a threading.Event, a callable or None"):
        trainer.step_epoch(interrupt)
    assert_identical(trainer.state_dict(), before)


@settings(max_examples=40, deadline=None)
@given(
    batch_size=st.sampled_from([None, 7, 8, 30, 64]),
    optimizer=st.sampled_from(["sgd", "momentum", "nesterov", "adam"]),
    l2=st.sampled_from([0.0, 0.01]),
    dtype=st.sampled_from([np.float64, np.float32]),
    # per attempted step: interrupt at that check, or None to let it complete
    schedule=st.lists(
        st.one_of(st.none(), st.integers(0, CHECKS_PER_BATCH - 1)), min_size=1, max_size=60
    ),
)
def test_training_with_interrupts_anywhere_is_bit_identical_to_training_without(
    batch_size, optimizer, l2, dtype, schedule
):
    steps = 12
    reference = make_trainer(batch_size, optimizer, l2=l2, dtype=dtype)
    expected = [reference.step_batch() for _ in range(steps)]

    trainer = make_trainer(batch_size, optimizer, l2=l2, dtype=dtype)
    results, attempts = [], 0
    while len(results) < steps:
        k = schedule[attempts % len(schedule)] if attempts < 4 * steps else None
        attempts += 1
        before = copy.deepcopy(trainer.state_dict())
        try:
            results.append(trainer.step_batch(InterruptAt(k)))
        except TrainingInterrupted:
            assert k is not None
            assert_identical(trainer.state_dict(), before)
    assert_identical(results, expected, "metrics")
    assert np.array_equal(trainer.net.params, reference.net.params)
    assert_identical(trainer.history.to_dict(), reference.history.to_dict(), "history")
    assert_identical(trainer.state_dict(), reference.state_dict())
