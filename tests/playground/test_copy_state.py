"""The worker's copy of a trainer state: deep, exact, fast for long float lists."""

import copy
from collections import namedtuple

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import nn_engine
from playground.worker import copy_state

leaves = st.one_of(
    st.floats(allow_nan=False), st.integers(), st.text(max_size=5), st.booleans(), st.none()
)
states = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=3), children, max_size=4),
    ),
    max_leaves=20,
)


def shares_a_container(a, b) -> bool:
    """Whether any mutable container (or array) of ``a`` is the very object in ``b``."""
    if isinstance(a, dict | list | np.ndarray) and a is b:
        return True
    if isinstance(a, dict):
        return any(shares_a_container(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return any(shares_a_container(x, y) for x, y in zip(a, b, strict=True))
    return False


@given(states)
def test_a_copy_equals_the_original_and_shares_no_container(state):
    copied = copy_state(state)
    assert copied == state and type(copied) is type(state)
    assert not shares_a_container(state, copied)


def test_a_real_trainer_state_is_copied_exactly_and_independently():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    net = nn_engine.Network(
        [
            {"input_dim": 2, "output_dim": 4, "activation": "tanh"},
            {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"},
        ]
    )
    trainer = nn_engine.Trainer(net, X, y, optimizer="adam", batch_size=8)
    for _ in range(3):
        trainer.step_epoch()
    trainer.step_batch()  # mid-epoch: order, cursor and sums in the state
    state = trainer.state_dict()
    copied = copy_state(state)
    assert not shares_a_container(state, copied)
    reference = copy.deepcopy(state)
    state["history"]["loss"].append(9.0)
    state["params"][:] = 0.0
    # the copy is unaffected and loads into a trainer exactly as the original would have
    other = nn_engine.Trainer(
        nn_engine.Network(net.architecture), X, y, optimizer="adam", batch_size=8
    )
    other.load_state_dict(copied)
    again = nn_engine.Trainer(
        nn_engine.Network(net.architecture), X, y, optimizer="adam", batch_size=8
    )
    again.load_state_dict(reference)
    assert other.step_epoch() == again.step_epoch()
    np.testing.assert_array_equal(other.net.params, again.net.params)


def test_other_types_are_deep_copied_as_they_are():
    Point = namedtuple("Point", "x y")
    value = {"p": Point([1.0], 2.0)}
    copied = copy_state(value)
    assert copied == value and type(copied["p"]) is Point
    assert copied["p"].x is not value["p"].x
