"""Edit commands: exact effects, exact inverses, names, refusal without change, undo/redo."""

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from playground.state import (
    AddPoints,
    InsertPoints,
    PointSet,
    RemovePoints,
    ReplacePoints,
    apply_command,
)


def snapshot(points: PointSet) -> tuple[list, list, list]:
    return points.X.tolist(), points.labels.tolist(), points.is_test.tolist()


def five_points() -> PointSet:
    X = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]]
    return PointSet(X, [0, 1, 0, 1, 0], [False, False, True, False, True])


# --------------------------------------------------------------------------- exact effects


def test_add_points_appends_and_its_inverse_removes_them() -> None:
    points = five_points()
    before = snapshot(points)
    command = AddPoints([[5.0, 5.0], [6.0, 6.0]], [1, 1], [False, True])
    inverse = apply_command(points, command)
    assert points.X[-2:].tolist() == [[5.0, 5.0], [6.0, 6.0]]
    assert points.labels.tolist() == [0, 1, 0, 1, 0, 1, 1]
    assert points.is_test.tolist() == [False, False, True, False, True, False, True]
    assert inverse == RemovePoints([5, 6], text="Paint 2 points")
    apply_command(points, inverse)
    assert snapshot(points) == before


def test_remove_points_deletes_and_its_inverse_restores_the_order() -> None:
    points = five_points()
    before = snapshot(points)
    inverse = apply_command(points, RemovePoints([3, 0]))
    assert points.X.tolist() == [[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]]
    assert points.labels.tolist() == [1, 0, 0]
    assert points.is_test.tolist() == [False, True, True]
    assert inverse == InsertPoints(
        [3, 0], [[3.0, 3.0], [0.0, 0.0]], [1, 0], [False, False], text="Erase 2 points"
    )
    apply_command(points, inverse)
    assert snapshot(points) == before


def test_insert_points_puts_each_point_at_its_index() -> None:
    points = PointSet([[0.0, 0.0], [1.0, 1.0]], [0, 0])
    apply_command(points, InsertPoints([3, 0], [[9.0, 9.0], [8.0, 8.0]], [1, 1], [True, False]))
    assert points.X.tolist() == [[8.0, 8.0], [0.0, 0.0], [1.0, 1.0], [9.0, 9.0]]
    assert points.labels.tolist() == [1, 0, 0, 1]
    assert points.is_test.tolist() == [False, False, False, True]


def test_replace_points_swaps_everything_and_its_inverse_brings_it_back() -> None:
    points = five_points()
    before = snapshot(points)
    inverse = apply_command(points, ReplacePoints([[7.0, 8.0]], [1], [True], text="Generate xor"))
    assert snapshot(points) == ([[7.0, 8.0]], [1], [True])
    assert inverse.text == "Generate xor"
    apply_command(points, inverse)
    assert snapshot(points) == before


def test_clear_removes_everything() -> None:
    points = five_points()
    command = ReplacePoints.clear()
    assert command.text == "Clear"
    apply_command(points, command)
    assert len(points) == 0 and points.X.shape == (0, 2)


def test_every_applied_command_bumps_the_version() -> None:
    points = five_points()
    apply_command(points, RemovePoints([0]))
    apply_command(points, AddPoints([[0.0, 0.0]], [0]))
    assert points.version == 2


def test_arrays_handed_out_earlier_stay_unchanged_snapshots() -> None:
    points = five_points()
    X_before = points.X
    apply_command(points, RemovePoints([0, 1, 2]))
    assert X_before.shape == (5, 2) and X_before[0].tolist() == [0.0, 0.0]


def test_commands_own_read_only_copies_of_their_data() -> None:
    X = np.array([[1.0, 2.0]])
    command = AddPoints(X, [1])
    X[0, 0] = 5.0
    assert command.X.tolist() == [[1.0, 2.0]]
    assert not command.X.flags.writeable and not command.labels.flags.writeable


# ------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("command", "text"),
    [
        (AddPoints(np.zeros((12, 2)), np.ones(12, int)), "Paint 12 points"),
        (AddPoints([[0.0, 0.0]], [1]), "Paint 1 point"),
        (RemovePoints([4, 1, 2]), "Erase 3 points"),
        (InsertPoints([0], [[0.0, 0.0]], [0], [False]), "Insert 1 point"),
        (ReplacePoints([[0.0, 0.0]], [0]), "Replace points"),
        (ReplacePoints([[0.0, 0.0]], [0], text="Import points.csv"), "Import points.csv"),
        (ReplacePoints.clear(), "Clear"),
    ],
)
def test_command_texts(command: object, text: str) -> None:
    assert command.text == text


def test_repr_is_short() -> None:
    assert repr(RemovePoints([4, 1, 2])) == "RemovePoints(text='Erase 3 points', 3 points)"


def test_commands_are_frozen() -> None:
    command = RemovePoints([1])
    with pytest.raises(AttributeError):
        command.indices = np.array([2])


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: RemovePoints([1, 1]), ValueError, "indices must be unique, got 1 more than once."),
        (lambda: RemovePoints([-1]), ValueError, "indices must be >= 0, got -1."),
        (
            lambda: RemovePoints([True, False]),
            TypeError,
            "indices must hold integers, got dtype bool.",
        ),
        (lambda: RemovePoints([[1]]), ValueError, r"indices must be 1-D, got shape \(1, 1\)."),
        (
            lambda: AddPoints([[0.0, np.nan]], [0]),
            ValueError,
            r"X must contain only finite numbers, got \[0.0, nan\] at row 0.",
        ),
        (lambda: AddPoints([[0.0, 0.0]], [3]), ValueError, "labels must be 0 or 1, got 3"),
        (
            lambda: InsertPoints([0, 1], [[0.0, 0.0]], [0], [False]),
            ValueError,
            "X must have 2 rows to match indices, got 1.",
        ),
        (lambda: ReplacePoints([[0.0, 0.0]], [0], text=5), TypeError, "text must be a str, got 5."),
    ],
)
def test_bad_command_data_is_refused_when_the_command_is_built(
    make: object, error: type, message: str
) -> None:
    with pytest.raises(error, match=f"^{message}"):
        make()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (RemovePoints([2, 5]), r"indices must be < 5 \(the number of points\), got 5."),
        (
            InsertPoints([7], [[0.0, 0.0]], [0], [False]),
            r"indices must be < 6 \(the number of points after inserting\), got 7.",
        ),
    ],
)
def test_out_of_range_indices_are_refused_and_change_nothing(command: object, message: str) -> None:
    points = five_points()
    before = snapshot(points)
    with pytest.raises(ValueError, match=f"^{message}$"):
        apply_command(points, command)
    assert snapshot(points) == before
    assert points.version == 0


def test_apply_refuses_things_that_are_not_commands() -> None:
    with pytest.raises(TypeError, match="^command must be AddPoints, RemovePoints, InsertPoints"):
        apply_command(five_points(), "Clear")
    with pytest.raises(TypeError, match="^points must be a PointSet, got list.$"):
        apply_command([], ReplacePoints.clear())


# ------------------------------------------------------ undo/redo: hypothesis state machine

coordinate = st.floats(-10, 10, allow_nan=False, width=32)


class UndoRedoMachine(RuleBasedStateMachine):
    """Random edits, undos and redos, as a QUndoStack does them.

    ``done`` holds (command, inverse) pairs like the undo stack, ``states[i]`` the content after
    ``i`` of them; ``undone`` holds the commands that redo would apply again.
    """

    @initialize()
    def start(self) -> None:
        self.points = PointSet()
        self.done: list[tuple[object, object]] = []
        self.states = [snapshot(self.points)]
        self.undone: list[tuple[object, tuple]] = []
        self.last_version = 0

    def do(self, command: object) -> None:
        inverse = apply_command(self.points, command)
        assert inverse.text == command.text
        self.done.append((command, inverse))
        self.states.append(snapshot(self.points))
        self.undone.clear()  # a new edit discards the redo history

    @rule(data=st.data())
    def paint(self, data: st.DataObject) -> None:
        k = data.draw(st.integers(0, 4))
        X = data.draw(st.lists(st.tuples(coordinate, coordinate), min_size=k, max_size=k))
        labels = data.draw(st.lists(st.integers(0, 1), min_size=k, max_size=k))
        is_test = data.draw(st.lists(st.booleans(), min_size=k, max_size=k))
        self.do(AddPoints(np.array(X, float).reshape(k, 2), labels, is_test))

    @rule(data=st.data())
    def erase(self, data: st.DataObject) -> None:
        n = len(self.points)
        indices = data.draw(st.lists(st.integers(0, max(n - 1, 0)), unique=True, max_size=n))
        self.do(RemovePoints(np.array(indices, np.int64)))

    @rule(data=st.data())
    def insert(self, data: st.DataObject) -> None:
        k = data.draw(st.integers(0, 3))
        n = len(self.points)
        indices = data.draw(
            st.lists(st.integers(0, max(n + k - 1, 0)), unique=True, min_size=k, max_size=k)
        )
        X = data.draw(st.lists(st.tuples(coordinate, coordinate), min_size=k, max_size=k))
        self.do(
            InsertPoints(
                np.array(indices, np.int64), np.array(X, float).reshape(k, 2), [1] * k, [False] * k
            )
        )

    @rule(n=st.integers(0, 5), seed=st.integers(0, 3))
    def replace(self, n: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.do(ReplacePoints(rng.normal(size=(n, 2)), rng.integers(0, 2, n), rng.random(n) < 0.3))

    @rule()
    def clear(self) -> None:
        self.do(ReplacePoints.clear())

    @precondition(lambda self: self.done)
    @rule()
    def undo(self) -> None:
        command, inverse = self.done.pop()
        self.states.pop()
        apply_command(self.points, inverse)
        assert snapshot(self.points) == self.states[-1]  # exactly the state before the edit
        self.undone.append(command)

    @precondition(lambda self: self.undone)
    @rule()
    def redo(self) -> None:
        command = self.undone.pop()
        undone, self.undone = self.undone, []  # do() clears the redo list; keep ours
        self.do(command)
        self.undone = undone

    @precondition(lambda self: self.done)
    @rule()
    def undo_everything_then_redo_everything(self) -> None:
        reached = []
        for _command, inverse in reversed(self.done):
            apply_command(self.points, inverse)
            reached.append(snapshot(self.points))
        assert reached == self.states[-2::-1]  # through every earlier state, back to the start
        for (command, _), expected in zip(self.done, self.states[1:], strict=True):
            apply_command(self.points, command)
            assert snapshot(self.points) == expected

    @invariant()
    def version_grows_and_arrays_stay_consistent(self) -> None:
        assert self.points.version >= self.last_version
        self.last_version = self.points.version
        n = len(self.points)
        assert self.points.X.shape == (n, 2)
        assert self.points.labels.shape == self.points.is_test.shape == (n,)


TestUndoRedo = UndoRedoMachine.TestCase
TestUndoRedo.settings = settings(max_examples=60, stateful_step_count=30)
