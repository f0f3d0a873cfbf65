"""The document: every command's inverse undoes it exactly, and redo gives the same document."""

import hashlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.state import (
    AddPoints,
    Architecture,
    DataSettings,
    Hyperparameters,
    PointSet,
    RemovePoints,
    ReplacePoints,
)
from playground.state.document import (
    ASPECT_ARCHITECTURE,
    ASPECT_POINTS,
    ASPECT_PROGRESS,
    ASPECT_RUN,
    ASPECT_SOURCE,
    Compound,
    DataSource,
    Document,
    EditPoints,
    PointsDigest,
    SetArchitecture,
    SetDataSettings,
    SetHyperparameters,
    SwitchRun,
    clear_points,
    restarts_run,
    with_new_run,
)


def make_document() -> Document:
    command = DataSettings(generator="moons", n_points=20, seed=1).generate()
    points = PointSet(command.X, command.labels, command.is_test)
    return Document(
        points,
        DataSettings(generator="moons", n_points=20, seed=1),
        Architecture.from_units([4]),
        Hyperparameters(),
        source=DataSource("Moons"),
    )


coordinates = st.floats(-5, 5, allow_nan=False, width=64)


@st.composite
def commands(draw, document: Document):
    kind = draw(st.sampled_from(["add", "remove", "replace", "clear", "arch", "hp", "data", "run"]))
    if kind == "add":
        k = draw(st.integers(1, 4))
        X = np.array(draw(st.lists(st.tuples(coordinates, coordinates), min_size=k, max_size=k)))
        return EditPoints(
            AddPoints(X, np.array(draw(st.lists(st.integers(0, 1), min_size=k, max_size=k))))
        )
    if kind == "remove":
        n = len(document.points)
        if n == 0:
            return clear_points()
        indices = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
        return EditPoints(RemovePoints(np.array(indices)))
    if kind == "replace":
        seed = draw(st.integers(0, 5))
        generated = DataSettings(generator="xor", n_points=10, seed=seed).generate()
        return EditPoints(generated, DataSource("Xor"))
    if kind == "clear":
        return clear_points()
    if kind == "arch":
        units = draw(st.lists(st.integers(1, 8), min_size=0, max_size=3))
        return with_new_run(document, [SetArchitecture(Architecture.from_units(units))], "arch")
    if kind == "hp":
        hp = Hyperparameters(learning_rate=draw(st.sampled_from([0.01, 0.1, 1.0])))
        return SetHyperparameters(hp)
    if kind == "data":
        return SetDataSettings(DataSettings(noise=draw(st.sampled_from([0.0, 0.3, 0.9]))))
    return SwitchRun(document.new_run_id(), 0, "Reset")


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.data())
def test_apply_undo_redo_gives_identical_documents(data):
    document = make_document()
    for _ in range(data.draw(st.integers(1, 8))):
        command = data.draw(commands(document))
        before = document.snapshot()
        inverse = document.apply(command)
        after = document.snapshot()
        redo = document.apply(inverse)
        assert document.snapshot() == before
        document.apply(redo)
        assert document.snapshot() == after


def test_observers_hear_each_change_once_with_its_aspects():
    document = make_document()
    heard = []
    document.subscribe(heard.append)
    document.apply(
        with_new_run(document, [SetArchitecture(Architecture.from_units([2, 2]))], "Network")
    )
    assert heard == [frozenset({ASPECT_ARCHITECTURE, ASPECT_RUN, ASPECT_PROGRESS})]
    document.apply(EditPoints(AddPoints([[0.0, 0.0]], [1])))
    assert heard[-1] == frozenset({ASPECT_POINTS, ASPECT_SOURCE})
    document.set_epoch(document.run_id + 1, 7)  # another run's progress: ignored
    assert len(heard) == 2
    document.set_epoch(document.run_id, 7)
    assert heard[-1] == frozenset({ASPECT_PROGRESS}) and document.epoch == 7


def test_undoing_a_run_switch_brings_back_the_run_and_its_epoch():
    document = make_document()
    first = document.run_id
    document.set_epoch(first, 42)
    inverse = document.apply(SwitchRun(document.new_run_id(), 0, "Reset"))
    assert document.epoch == 0 and document.run_id != first
    document.set_epoch(document.run_id, 3)
    redo = document.apply(inverse)
    assert (document.run_id, document.epoch) == (first, 42)
    document.apply(redo)
    assert document.epoch == 3  # the second run as it was left


def test_a_failing_compound_changes_nothing():
    document = make_document()
    before = document.snapshot()
    bad = Compound(
        (SetHyperparameters(Hyperparameters(learning_rate=1.0)), EditPoints(RemovePoints([999]))),
        "bad",
    )
    with pytest.raises(ValueError, match="999"):
        document.apply(bad)
    assert document.snapshot() == before


def test_the_source_describes_the_points():
    document = make_document()
    assert document.data_description() == "Moons: 20 points"
    document.apply(EditPoints(AddPoints([[0.0, 0.0]], [0])))
    assert document.data_description() == "Moons (edited): 21 points"
    document.apply(clear_points())
    assert document.data_description() == "No points: paint some"
    document.apply(EditPoints(AddPoints([[0.0, 0.0]], [0])))
    assert document.data_description() == "Painted: 1 point"
    document.apply(EditPoints(ReplacePoints([[1.0, 1.0]] * 3, [0, 1, 0]), DataSource("my.csv")))
    assert document.data_description() == "my.csv: 3 points"


def test_content_signature_ignores_the_run_and_follows_the_points():
    document = make_document()
    signature = document.content_signature()
    document.set_epoch(document.run_id, 5)
    assert document.content_signature() == signature
    inverse = document.apply(EditPoints(AddPoints([[0.0, 0.0]], [0])))
    assert document.content_signature() != signature
    document.apply(inverse)
    assert document.content_signature() == signature


def test_restarting_settings_are_named():
    old = Hyperparameters(optimizer="adam", seed=1)
    assert restarts_run(old, Hyperparameters(optimizer="sgd", seed=1)) == ["optimizer"]
    assert restarts_run(old, Hyperparameters(optimizer="adam", seed=2)) == ["seed"]
    assert restarts_run(old, Hyperparameters(optimizer="adam", seed=1, learning_rate=0.5)) == []


def test_points_digests_compare_by_content_and_hash_only_sets_of_one_size(monkeypatch):
    X = np.array([[0.0, 1.0], [2.0, 3.0]])
    a = PointsDigest(PointSet(X, [0, 1], [False, True]))
    same = PointsDigest(PointSet(X.copy(), [0, 1], [False, True]))
    relabelled = PointsDigest(PointSet(X, [1, 1], [False, True]))
    resplit = PointsDigest(PointSet(X, [0, 1], [False, False]))
    assert a == same and hash(a) == hash(same)
    assert a != relabelled and a != resplit
    hashed = []
    real = hashlib.blake2b
    monkeypatch.setattr(hashlib, "blake2b", lambda **kw: hashed.append(1) or real(**kw))
    bigger = PointsDigest(PointSet(np.zeros((3, 2)), [0, 0, 1]))
    fresh = PointsDigest(PointSet(X, [0, 1], [False, True]))
    assert fresh != bigger  # different sizes: no digest needed
    assert hashed == []
    assert fresh == a  # the same size: one digest made (a's is kept from before)
    assert hashed == [1]
    assert fresh.digest() == a.digest() and hashed == [1]
