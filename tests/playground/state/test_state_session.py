"""Session files: exact round trips, continuing a run, safe saves, and every bad file refused
with its exact message (hypothesis fuzzing is in test_session_fuzz.py)."""

import copy
import errno
import fcntl
import io
import json
import math
import os
import re
import secrets
import stat
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn_engine
import playground.state.session as session_module
from playground.state import (
    Architecture,
    DataSettings,
    Hyperparameters,
    PointSet,
    apply_command,
)
from playground.state.session import (
    FORMAT_VERSION,
    HISTORY_KEYS,
    Session,
    load_session,
    remove_stale_temporary_files,
    save_session,
    session_from_bytes,
    session_to_bytes,
)

# ------------------------------------------------------------------------------ helpers


def make_points(n: int = 60) -> PointSet:
    points = PointSet()
    apply_command(points, DataSettings(n_points=n, noise=0.1, seed=5, test_ratio=0.2).generate())
    return points


def make_trainer(session: Session) -> nn_engine.Trainer:
    """A trainer for ``session``'s network and data, as the window builds one."""
    hp = session.hyperparameters
    net = nn_engine.Network(session.architecture.to_engine(), **hp.network_kwargs())
    if session.weights is not None:
        net.set_params(session.weights)
    X, y = session.points.train_data()
    trainer = nn_engine.Trainer(
        net, X, y, validation_data=session.points.test_data(), **hp.trainer_kwargs()
    )
    if session.trainer_state is not None:
        trainer.load_state_dict(session.trainer_state)
    return trainer


def snapshot(
    trainer: nn_engine.Trainer, points: PointSet, extra_state: dict | None = None
) -> Session:
    """The session of a window holding ``trainer``, trained mid-way into an epoch."""
    state = trainer.state_dict()
    if extra_state:
        state.update(extra_state)
    return Session(
        points=points,
        architecture=Architecture.from_units([4, 3], "tanh"),
        hyperparameters=Hyperparameters(optimizer="adam", learning_rate=0.02, batch_size=16),
        data_settings=DataSettings(n_points=60, noise=0.1, seed=5, test_ratio=0.2),
        weights=trainer.net.get_params(),
        trainer_state=state,
        epoch=trainer.epoch,
        history={key: getattr(trainer.history, key) for key in HISTORY_KEYS},
        view_range=(-1.5, -1.0, 2.5, 1.5),
    )


def untrained_session() -> Session:
    return Session(
        points=make_points(),
        architecture=Architecture.from_units([4, 3], "tanh"),
        hyperparameters=Hyperparameters(optimizer="adam", learning_rate=0.02, batch_size=16),
        data_settings=DataSettings(n_points=60, noise=0.1, seed=5, test_ratio=0.2),
    )


def trained_session(extra_state: dict | None = None) -> Session:
    session = untrained_session()
    trainer = make_trainer(session)
    trainer.run(4)
    trainer.step_batch()  # stop inside an epoch: the file must hold the position too
    return snapshot(trainer, session.points, extra_state)


VALID = session_to_bytes(trained_session())


def rezip(data: bytes, replace: dict[str, bytes | None] | None = None, add: dict | None = None):
    """The archive ``data`` with members replaced (None removes them) or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = replace.get(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_document(change) -> bytes:
    """VALID with session.json changed by ``change(document)``."""
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        document = json.loads(archive.read("session.json"))
    change(document)
    return rezip(VALID, {"session.json": json.dumps(document).encode()})


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npy_with_shape_claim(shape: tuple, array: np.ndarray) -> bytes:
    """A .npy whose header claims ``shape`` but whose data is ``array``'s."""
    buffer = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + array.astype("<f8").tobytes()


def with_array(member: str, change) -> bytes:
    """VALID with the array ``member`` replaced by ``change(array)``."""
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        array = np.load(io.BytesIO(archive.read(member)))
    return rezip(VALID, {member: npy(change(array))})


def nested_list(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


# The trainer's loss history as a plain JSON list, its first value NaN.
NAN_LOSS = [{"$float": "nan"}] + session_from_bytes(VALID, "v.nnpg").history["loss"].tolist()[1:]


# --------------------------------------------------------------------------- round trips


def test_round_trip_is_exact(tmp_path: Path) -> None:
    session = trained_session()
    path = tmp_path / "run.nnpg"
    save_session(path, session)
    loaded = load_session(path)
    assert loaded == session
    np.testing.assert_array_equal(loaded.points.X, session.points.X)
    assert loaded.points.X.tobytes() == session.points.X.tobytes()
    for mine, theirs in zip(loaded.weights, session.weights, strict=True):
        assert mine["W"].dtype == theirs["W"].dtype and mine["W"].tobytes() == theirs["W"].tobytes()
        assert mine["b"].tobytes() == theirs["b"].tobytes()
    assert loaded.epoch == 4 and loaded.view_range == (-1.5, -1.0, 2.5, 1.5)
    assert loaded.history["loss"].tolist() == session.history["loss"].tolist()
    assert len(loaded.history["val_loss"]) == 4
    assert loaded.architecture == session.architecture
    assert loaded.hyperparameters == session.hyperparameters
    assert loaded.data_settings == session.data_settings


def test_trainer_state_keeps_its_structure_and_odd_values() -> None:
    extra = {
        "tuple": (1, 2.5, np.arange(3, dtype=np.int32)),
        "non_finite": [math.nan, math.inf, -math.inf, -0.0],
        "nested": {"deep": [[np.float32(1.5), True, None, "text", 2**70]]},
    }
    session = trained_session(extra)
    loaded = session_from_bytes(session_to_bytes(session), "odd.nnpg")
    assert loaded == session
    state = loaded.trainer_state
    assert type(state["tuple"]) is tuple and state["tuple"][:2] == (1, 2.5)
    assert state["tuple"][2].dtype == np.int32 and state["tuple"][2].tolist() == [0, 1, 2]
    assert math.isnan(state["non_finite"][0]) and state["non_finite"][1:3] == [math.inf, -math.inf]
    assert math.copysign(1.0, state["non_finite"][3]) == -1.0
    assert state["nested"] == {"deep": [[1.5, True, None, "text", 2**70]]}
    assert isinstance(state["optimizer"]["buffers"]["m"]["0"], np.ndarray)


def test_untrained_session_round_trip(tmp_path: Path) -> None:
    session = untrained_session()
    save_session(tmp_path / "new.nnpg", session)
    loaded = load_session(tmp_path / "new.nnpg")
    assert loaded == session
    assert loaded.weights is None and loaded.trainer_state is None and loaded.epoch == 0
    assert all(len(loaded.history[key]) == 0 for key in HISTORY_KEYS)
    with zipfile.ZipFile(tmp_path / "new.nnpg") as archive:
        assert not any(name.startswith(("weights/", "trainer/")) for name in archive.namelist())


def test_a_loaded_session_continues_exactly_like_an_uninterrupted_run() -> None:
    session = untrained_session()
    uninterrupted = make_trainer(session)
    uninterrupted.run(4)
    uninterrupted.step_batch()
    saved = session_to_bytes(snapshot(uninterrupted, session.points))
    uninterrupted.run(3)

    resumed = make_trainer(session_from_bytes(saved, "run.nnpg"))
    resumed.run(3)
    assert resumed.epoch == uninterrupted.epoch == 7
    assert resumed.net.params.tobytes() == uninterrupted.net.params.tobytes()
    assert resumed.history.to_dict() == uninterrupted.history.to_dict()


def test_the_same_session_gives_the_same_bytes() -> None:
    session = trained_session()
    assert session_to_bytes(session) == session_to_bytes(session)


def test_the_file_is_a_documented_zip() -> None:
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        names = set(archive.namelist())
        document = json.loads(archive.read("session.json"))
    assert document["format"] == "nn-playground-session"
    assert document["format_version"] == FORMAT_VERSION == 3
    assert document["architecture"]["features"] == ["x1", "x2"]
    assert document["weights"] is True and document["epoch"] == 4
    assert {"points/X.npy", "points/labels.npy", "points/is_test.npy"} <= names
    assert {f"history/{key}.npy" for key in HISTORY_KEYS} <= names
    assert {f"weights/{p}{i}.npy" for p in "Wb" for i in range(3)} <= names
    assert document["trainer_state"]["params"] == {"$array": "trainer/0.npy"}
    # the trainer's history refers to the history arrays instead of repeating them
    assert document["trainer_state"]["history"] == {
        "loss": {"$history": "loss"},
        "accuracy": {"$history": "accuracy"},
        "val_loss": {"$history": "val_loss"},
        "val_accuracy": {"$history": "val_accuracy"},
        "stopped_reason": None,
        "best_epoch": None,
    }
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_a_format_1_file_still_loads() -> None:
    """Format 1 wrote the trainer's history as JSON lists."""
    session = session_from_bytes(VALID, "v.nnpg")

    def as_format_1(document: dict) -> None:
        document["format_version"] = 1
        del document["architecture"]["features"]  # format 3 added them
        saved = document["trainer_state"]["history"]
        for key in HISTORY_KEYS:
            saved[key] = session.history[key].tolist()

    assert session_from_bytes(with_document(as_format_1), "old.nnpg") == session


def test_session_is_a_snapshot_of_what_it_was_given() -> None:
    points = make_points()
    architecture = Architecture.from_units([4])
    session = Session(points, architecture, Hyperparameters(), DataSettings())
    apply_command(points, DataSettings(n_points=10).generate())
    architecture.add_layer()
    assert len(session.points) == 60 and len(session.architecture) == 1


# ------------------------------------------------------------------------------- saving


def test_save_is_atomic_when_writing_fails(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "keep.nnpg"
    save_session(path, untrained_session())
    before = path.read_bytes()

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_session(path, trained_session())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.nnpg"]  # no temporary left


def test_saving_over_a_read_only_file_is_refused_and_leaves_it_intact(tmp_path: Path) -> None:
    path = tmp_path / "keep.nnpg"
    save_session(path, untrained_session())
    before = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(PermissionError) as caught:
        save_session(path, trained_session())
    assert caught.value.filename == str(path)
    assert caught.value.strerror == "Permission denied: it is read-only"
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.nnpg"]


def test_saving_keeps_the_permission_bits_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "private.nnpg"
    save_session(path, untrained_session())
    path.chmod(0o600)
    save_session(path, trained_session())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_session(path).epoch == 4


def test_the_temporary_file_is_named_after_the_target_in_its_directory(
    tmp_path: Path, monkeypatch
) -> None:
    renamed = []
    real_replace = os.replace

    def spy(source, target):
        renamed.append((Path(source), Path(target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    save_session(tmp_path / "run.nnpg", untrained_session())
    ((source, target),) = renamed
    assert target == tmp_path / "run.nnpg" and source.parent == tmp_path
    assert re.fullmatch(r"\.run\.nnpg\.[0-9a-f]{16}\.tmp", source.name)


@pytest.mark.parametrize("failing", ["open", "fsync", "replace"])
def test_a_failed_save_names_the_users_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch, failing: str
) -> None:
    path = tmp_path / "run.nnpg"
    save_session(path, untrained_session())
    before = path.read_bytes()
    real = getattr(os, failing)

    def fail(*args, **kwargs):
        if failing == "open" and not Path(args[0]).name.endswith(".tmp"):
            return real(*args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device", str(args[0]))

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError) as caught:
        save_session(path, trained_session())
    assert caught.value.filename == str(path)
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value) == f"[Errno 28] No space left on device: '{path}'"
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nnpg"]


def test_saving_onto_a_directory_names_it(tmp_path: Path) -> None:
    (tmp_path / "folder.nnpg").mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        save_session(tmp_path / "folder.nnpg", untrained_session())
    assert caught.value.filename == str(tmp_path / "folder.nnpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.nnpg"]


def test_saving_through_a_symbolic_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "run.nnpg"
    save_session(real, untrained_session())
    link = tmp_path / "link.nnpg"
    link.symlink_to(real)
    save_session(link, trained_session())
    assert link.is_symlink() and load_session(real).epoch == 4


def leftover(directory: Path, target: str, size: int = 1000, age: float = 0.0) -> Path:
    """A temporary file as a save killed mid-way leaves it."""
    path = directory / f".{target}.{secrets.token_hex(8)}.tmp"
    path.write_bytes(b"x" * size)
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_stale_temporary_files_of_a_target_are_removed(tmp_path: Path) -> None:
    mine = [leftover(tmp_path, "run.nnpg"), leftover(tmp_path, "run.nnpg", size=0, age=120)]
    others = [
        leftover(tmp_path, "other.nnpg"),
        leftover(tmp_path, "run.nnpg", size=0),  # just created by a save: not locked yet
        tmp_path / ".run.nnpg.tmp",
        tmp_path / "run.nnpg.0123456789abcdef.tmp",
        tmp_path / ".run.nnpg.0123456789ABCDEF.tmp",
        tmp_path / "notes.tmp",
    ]
    for path in others[2:]:
        path.write_bytes(b"not ours")
    assert remove_stale_temporary_files(tmp_path / "run.nnpg") == sorted(mine)
    assert sorted(tmp_path.iterdir()) == sorted(others)


def test_stale_temporary_files_of_a_directory_are_removed(tmp_path: Path) -> None:
    stale = [leftover(tmp_path, "a.nnpg"), leftover(tmp_path, "autosave.nnpg")]
    kept = [leftover(tmp_path, "a.csv"), tmp_path / "a.nnpg"]
    kept[1].write_bytes(b"a session")
    assert remove_stale_temporary_files(tmp_path) == sorted(stale)
    assert sorted(tmp_path.iterdir()) == sorted(kept)
    assert remove_stale_temporary_files(tmp_path / "missing-directory") == []


def test_a_temporary_file_that_a_save_is_writing_is_left_alone(tmp_path: Path) -> None:
    busy = leftover(tmp_path, "run.nnpg")
    with busy.open("rb") as file:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)  # as save_session holds it until the rename
        assert remove_stale_temporary_files(tmp_path) == []
    assert remove_stale_temporary_files(tmp_path) == [busy]


def test_saving_removes_the_leftovers_of_earlier_saves_of_that_file(tmp_path: Path) -> None:
    stale = leftover(tmp_path, "run.nnpg")
    other = leftover(tmp_path, "other.nnpg")
    save_session(tmp_path / "run.nnpg", untrained_session())
    assert sorted(tmp_path.iterdir()) == sorted([tmp_path / "run.nnpg", other])
    assert not stale.exists()


def test_save_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "s.nnpg"
    save_session(path, untrained_session())
    save_session(path, trained_session())
    assert load_session(path).epoch == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.nnpg"]


def test_save_refuses_what_is_not_a_session(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="^session must be a Session, got dict.$"):
        save_session(tmp_path / "x.nnpg", {})
    assert not (tmp_path / "x.nnpg").exists()


def test_save_into_a_missing_directory_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        save_session(tmp_path / "missing" / "x.nnpg", untrained_session())


# ---------------------------------------------------------------- building bad sessions


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (dict(epoch=-1), ValueError, "epoch must be in 0..9007199254740992, got -1."),
        (
            dict(epoch=2**53 + 1),
            ValueError,
            "epoch must be in 0..9007199254740992, got 9007199254740993.",
        ),
        (
            dict(view_range=(-1e308, 0, 1, 1)),
            ValueError,
            "view_range must be between -1e[+]07 and 1e[+]07, got -1e[+]308.",
        ),
        (
            dict(view_range=(0, 0, 1, 1e-7)),
            ValueError,
            r"view_range must be at least 1e-06 wide and high, got \(0.0, 0.0, 1.0, 1e-07\).",
        ),
        (
            dict(hyperparameters=Hyperparameters(seed=2**31)),
            ValueError,
            "hyperparameters: seed must be in 0..2147483647, got 2147483648.",
        ),
        (
            dict(hyperparameters=Hyperparameters(batch_size=100_001)),
            ValueError,
            "hyperparameters: batch_size must be in 0..100000, got 100001.",
        ),
        (
            dict(data_settings=DataSettings(seed=2**32 - 1)),
            ValueError,
            "data_settings: seed must be in 0..2147483647, got 4294967295.",
        ),
        (
            dict(data_settings=DataSettings(split_seed=2**31)),
            ValueError,
            "data_settings: split_seed must be in 0..2147483647, got 2147483648.",
        ),
        (
            dict(view_range=(0, 0, 0, 1)),
            ValueError,
            r"view_range must have x0 < x1 and y0 < y1, got \(0.0, 0.0, 0.0, 1.0\).",
        ),
        (dict(view_range=(0, 0, 1)), ValueError, r"view_range must be \(x0, y0, x1, y1\) or None"),
        (dict(history={"loss": [0.5]}), ValueError, "history must have the key 'accuracy'"),
        (
            dict(history={"loss": [0.5], "accuracy": [], "val_loss": [], "val_accuracy": []}),
            ValueError,
            r"history accuracy must have one value per loss value \(1\), got 0.",
        ),
        (
            dict(
                history={"loss": [math.nan], "accuracy": [0.5], "val_loss": [], "val_accuracy": []}
            ),
            ValueError,
            "history loss must contain only finite numbers, got nan at epoch 1.",
        ),
        (
            dict(weights=[{"W": np.zeros((4, 2)), "b": np.zeros(4)}]),
            ValueError,
            r"weights must have one entry per layer of 2-4-3-1 \(3\), got 1.",
        ),
        (
            dict(trainer_state={"params": np.zeros(31)}),
            ValueError,
            "trainer_state must come with weights, got weights None.",
        ),
        (dict(points=[[0, 0]]), TypeError, "points must be a PointSet, got list."),
    ],
)
def test_bad_sessions_are_refused_when_built(change: dict, error: type, message: str) -> None:
    session = untrained_session()
    fields = {name: getattr(session, name) for name in Session.__dataclass_fields__}
    fields.update(change)
    with pytest.raises(error, match=f"^{message}"):
        Session(**fields)


def test_the_largest_values_the_window_shows_are_accepted() -> None:
    session = untrained_session()
    edge = Session(
        session.points,
        session.architecture,
        Hyperparameters(seed=2**31 - 1, batch_size=100_000),
        DataSettings(seed=2**31 - 1, split_seed=2**31 - 1),
        epoch=2**53,
        view_range=(-1e7, -1e7, -1e7 + 1e-6, 1e7),
    )
    assert session_from_bytes(session_to_bytes(edge), "edge.nnpg") == edge


def with_state(session: Session, change) -> dict:
    """The fields of ``session`` with a deep copy of its trainer state changed by ``change``."""
    fields = {name: getattr(session, name) for name in Session.__dataclass_fields__}
    state = copy.deepcopy(session.trainer_state)
    change(state)
    fields["trainer_state"] = state
    return fields


def set_in(*keys_and_value):
    """A change setting ``state[k1][k2]... = value``."""
    *keys, value = keys_and_value

    def change(state: dict) -> None:
        for key in keys[:-1]:
            state = state[key]
        state[keys[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            set_in("optimizer", "hyperparameters", "beta1", 1.0),
            r"trainer_state optimizer beta1 must be 0.9 \(the playground's\), got 1.0.",
        ),
        (
            set_in("optimizer", "hyperparameters", "epsilon", 0.0),
            r"trainer_state optimizer epsilon must be 1e-08 \(the playground's\), got 0.0.",
        ),
        (
            set_in("optimizer", "hyperparameters", "learning_rate", 1e300),
            "trainer_state learning_rate must be between 1e-05 and 10, got 1e[+]300.",
        ),
        (
            set_in("best_params", np.zeros(3)),
            r"trainer_state best_params must be None \(the playground does not use early "
            r"stopping\), got an array of shape \(3,\).",
        ),
        (
            set_in("early_stopping_patience", 1),
            r"trainer_state early_stopping_patience must be None \(the playground does not use "
            r"early stopping\), got 1.",
        ),
        (set_in("l2", 11.0), "trainer_state l2 must be between 0 and 10, got 11.0."),
        (
            set_in("batch_size", 2**40),
            "trainer_state batch_size must be None or in 1..100000, got 1099511627776.",
        ),
        (
            set_in("seed", 2**31),
            "trainer_state seed must be None or in 0..2147483647, got 2147483648.",
        ),
        (
            set_in("sums", [0.0, 0.0, -16]),
            r"trainer_state sums must be \[loss sum >= 0, accuracy sum, count >= accuracy sum\], "
            r"all finite, got \[0.0, 0.0, -16\].",
        ),
        (
            set_in("sums", [math.nan, 0.0, 0]),
            r"trainer_state sums must be .* got \[nan, 0.0, 0\].",
        ),
        (
            set_in("history", "loss", 0, math.nan),
            "trainer_state history loss must contain only finite numbers, got NaN, inf or a "
            "nested list.",
        ),
        (
            set_in("history", "val_accuracy", 0, 0.125),
            "trainer_state history val_accuracy must equal history val_accuracy, got a difference.",
        ),
        (
            set_in("history", "accuracy", "many"),
            "trainer_state history accuracy must be a list of numbers, got 'many'.",
        ),
        (
            set_in("history", "best_epoch", 2),
            r"trainer_state history best_epoch must be None \(the playground does not use early "
            r"stopping\), got 2.",
        ),
        (
            set_in("history", "stopped_reason", "x" * 1001),
            "trainer_state history stopped_reason must be None or a text of at most 1000 "
            "characters, got 'xxx",
        ),
        (
            set_in("deep", nested_list(65)),
            "trainer_state must be nested at most 64 levels deep, got more.",
        ),
    ],
)
def test_trainer_states_that_would_break_training_or_saving_are_refused(
    change, message: str
) -> None:
    fields = with_state(trained_session(), change)
    with pytest.raises(ValueError, match=f"^{message}"):
        Session(**fields)


def test_a_500_level_trainer_state_is_a_value_error() -> None:
    deep: list = []
    for _ in range(500):
        deep = [deep]
    fields = with_state(trained_session(), set_in("deep", deep))
    with pytest.raises(ValueError, match="^trainer_state must be nested at most 64 levels deep"):
        Session(**fields)


def test_a_state_that_fails_a_training_step_is_refused(monkeypatch) -> None:
    session = trained_session()

    def crash(self):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(nn_engine.Trainer, "step_batch", crash)
    fields = {name: getattr(session, name) for name in Session.__dataclass_fields__}
    with pytest.raises(
        ValueError,
        match="^trainer_state must allow training to continue, got ZeroDivisionError in a trial "
        "step: float division by zero.$",
    ):
        Session(**fields)


def test_a_state_whose_training_diverges_is_accepted(monkeypatch) -> None:
    session = trained_session()

    def diverge(self):
        raise nn_engine.DivergenceError(5, "loss", math.inf, 4)

    monkeypatch.setattr(nn_engine.Trainer, "step_batch", diverge)
    fields = {name: getattr(session, name) for name in Session.__dataclass_fields__}
    assert Session(**fields) == session  # the app reports divergence and rolls back


def test_a_trainer_state_for_another_optimizer_is_refused() -> None:
    session = trained_session()
    with pytest.raises(ValueError, match="^trainer_state must fit the network and optimizer"):
        Session(
            session.points,
            session.architecture,
            Hyperparameters(optimizer="sgd"),
            session.data_settings,
            session.weights,
            session.trainer_state,
            session.epoch,
            session.history,
        )


# ------------------------------------------------------------------------- bad files


def load_bytes(tmp_path: Path, data: bytes) -> Session:
    path = tmp_path / "bad.nnpg"
    path.write_bytes(data)
    return load_session(path)


BAD_FILES = {
    "empty": (b"", "bad.nnpg is empty: it is not an NN Playground session file."),
    "garbage": (
        b"\x00\x01 not a zip at all " * 20,
        r"bad.nnpg is not an NN Playground session file \(not a zip archive\).",
    ),
    "truncated": (
        VALID[: len(VALID) // 2],
        "bad.nnpg is damaged or truncated: its zip directory is missing.",
    ),
    "foreign zip": (
        rezip(
            VALID,
            {name: None for name in zipfile.ZipFile(io.BytesIO(VALID)).namelist()},
            {"readme.txt": b"hello"},
        ),
        r"bad.nnpg is not an NN Playground session file \(a zip archive without session.json\).",
    ),
    "foreign json": (
        rezip(VALID, {"session.json": b'{"format": "something-else"}'}),
        r"bad.nnpg is not an NN Playground session file \(format 'something-else', "
        r"expected 'nn-playground-session'\).",
    ),
    "newer format": (
        with_document(lambda d: d.update(format_version=4)),
        r"bad.nnpg was written by a newer NN Playground \(format 4\); "
        r"this version reads format 3.",
    ),
    "format_version as text": (
        with_document(lambda d: d.update(format_version="1")),
        "bad.nnpg: format_version must be an integer >= 1, got '1'.",
    ),
    "missing member": (
        rezip(VALID, {"weights/W1.npy": None}),
        "bad.nnpg is incomplete: member 'weights/W1.npy' is missing.",
    ),
    "missing trainer array": (
        rezip(VALID, {"trainer/0.npy": None}),
        "bad.nnpg is incomplete: member 'trainer/0.npy' is missing.",
    ),
    "unexpected member": (
        rezip(VALID, add={"weights/W9.npy": npy(np.zeros(1))}),
        r"bad.nnpg has an unexpected member 'weights/W9.npy' \(not part of format 3\).",
    ),
    "dangerous feature": (
        with_document(lambda d: d["architecture"].update(features=["__import__('os')", "x2"])),
        r"bad.nnpg: architecture: feature \"__import__\('os'\)\" may only use x1, x2, "
        r"numbers, \+ - \* / \*\* and sin cos tan tanh exp log sqrt abs; got the name "
        r"'__import__'.",
    ),
    "unknown feature name": (
        with_document(lambda d: d["architecture"].update(features=["x1", "radius"])),
        r"bad.nnpg: architecture: feature 'radius' may only use .*; got the name 'radius'.",
    ),
    "feature count not the weights' input dim": (
        with_document(lambda d: d["architecture"].update(features=["x1", "x2", "x1*x2"])),
        r"bad.nnpg: weights of layer 0: W must have shape \(4, 3\) to match the architecture "
        r"3-4-3-1, got \(4, 2\).",
    ),
    "features in a format 2 file": (
        with_document(lambda d: d.update(format_version=2)),
        "bad.nnpg: architecture: architecture must only have the keys 'hidden_layers', "
        "got unknown key 'features'.",
    ),
    "no features in a format 3 file": (
        with_document(lambda d: d["architecture"].pop("features")),
        r"bad.nnpg: architecture: architecture must have the key 'features', got keys "
        r"\['hidden_layers'\].",
    ),
    "missing key": (
        with_document(lambda d: d.pop("epoch")),
        "bad.nnpg: session.json must have the key 'epoch'",
    ),
    "unknown key": (
        with_document(lambda d: d.update(colour="red")),
        "bad.nnpg: session.json must only have the keys .* got unknown key 'colour'.",
    ),
    "epoch as text": (
        with_document(lambda d: d.update(epoch="4")),
        "bad.nnpg: epoch must be an integer, got '4'.",
    ),
    "learning rate as text": (
        with_document(lambda d: d["hyperparameters"].update(learning_rate="0.1")),
        "bad.nnpg: hyperparameters: learning_rate must be a number, got '0.1'.",
    ),
    "huge learning rate": (
        with_document(lambda d: d["hyperparameters"].update(learning_rate=1e308)),
        "bad.nnpg: hyperparameters: learning_rate must be between 1e-05 and 10, got 1e[+]308.",
    ),
    "too many units": (
        with_document(lambda d: d["architecture"]["hidden_layers"][0].update(units=10**30)),
        "bad.nnpg: architecture: units must be in 1..256, got 10{30}.",
    ),
    "weights flag as text": (
        with_document(lambda d: d.update(weights="yes")),
        "bad.nnpg: weights must be true or false, got 'yes'.",
    ),
    "NaN token in json": (
        rezip(
            VALID,
            {
                "session.json": zipfile.ZipFile(io.BytesIO(VALID))
                .read("session.json")
                .replace(b'"epoch": 4', b'"epoch": NaN')
            },
        ),
        "bad.nnpg: session.json is not valid JSON: session.json must be strict JSON, got NaN.",
    ),
    "json not utf-8": (
        rezip(VALID, {"session.json": b"\xff\xfe{}"}),
        "bad.nnpg: session.json is not valid JSON: 'utf-8' codec can't decode",
    ),
    "json not an object": (
        rezip(VALID, {"session.json": b"[1, 2]"}),
        r"bad.nnpg is not an NN Playground session file \(session.json is not an object\).",
    ),
    "wrong weight shape": (
        with_array("weights/W1.npy", lambda a: np.zeros((3, 5))),
        r"bad.nnpg: weights of layer 1: W must have shape \(3, 4\) to match the architecture "
        r"2-4-3-1, got \(3, 5\).",
    ),
    "wrong weight dtype": (
        with_array("weights/b0.npy", lambda a: a.astype(np.int64)),
        "bad.nnpg: weights/b0.npy must have dtype float64 or float32, got int64.",
    ),
    "NaN weight": (
        with_array("weights/W0.npy", lambda a: np.where(a == a.flat[0], np.nan, a)),
        "bad.nnpg: weights of layer 0: W must contain only finite numbers, got NaN or inf.",
    ),
    "inf point": (
        with_array("points/X.npy", lambda a: np.vstack([[np.inf, 0.0], a[1:]])),
        r"bad.nnpg: points: X must contain only finite numbers, got \[inf, 0.0\] at row 0.",
    ),
    "label 2": (
        with_array("points/labels.npy", lambda a: np.where(np.arange(len(a)) == 3, 2, a)),
        "bad.nnpg: points: labels must be 0 or 1, got 2 at index 3.",
    ),
    "labels int32": (
        with_array("points/labels.npy", lambda a: a.astype(np.int32)),
        "bad.nnpg: points/labels.npy must have dtype int64, got int32.",
    ),
    "is_test too short": (
        with_array("points/is_test.npy", lambda a: a[:-1]),
        r"bad.nnpg: points: is_test must have shape \(60,\) to match X, got \(59,\).",
    ),
    "points 3-D": (
        with_array("points/X.npy", lambda a: a[:, :, None]),
        r"bad.nnpg: points: X must have shape \(k, 2\), got \(60, 2, 1\).",
    ),
    "history lengths": (
        with_array("history/accuracy.npy", lambda a: a[:-1]),
        r"bad.nnpg: history accuracy must have one value per loss value \(4\), got 3.",
    ),
    "pickled array": (
        rezip(VALID, {"history/loss.npy": npy(np.array([{"a": 1}], dtype=object))}),
        r"bad.nnpg: history/loss.npy must hold numbers \(bool, int, uint or float\), "
        "got dtype object.",
    ),
    "npy header lies about size": (
        rezip(VALID, {"history/loss.npy": npy_with_shape_claim((9999999999,), np.zeros(4))}),
        r"bad.nnpg: history/loss.npy is damaged: its header declares 80 GB of data "
        r"\(shape \(9999999999,\), float64\), but 32 bytes follow it.",
    ),
    "not an npy": (
        rezip(VALID, {"points/X.npy": b"hello"}),
        "bad.nnpg: points/X.npy is not a valid .npy array",
    ),
    "trainer state of another optimizer": (
        with_document(lambda d: d["trainer_state"]["optimizer"].update(name="sgd")),
        "bad.nnpg: trainer_state must fit the network and optimizer, got an engine error: "
        "optimizer must be 'adam', got 'sgd'.",
    ),
    "trainer state at another epoch": (
        with_document(lambda d: d.update(epoch=3)),
        "bad.nnpg: trainer_state epoch must equal epoch 3, got 4.",
    ),
    "trainer state with NaN array": (
        with_array("trainer/1.npy", lambda a: a * np.nan),
        r"bad.nnpg: trainer_state\['optimizer'\]\['buffers'\]\['m'\]\['0'\] must contain only "
        "finite numbers, got NaN or inf.",
    ),
    "trainer array reference outside trainer/": (
        with_document(lambda d: d["trainer_state"].update(params={"$array": "points/X.npy"})),
        "bad.nnpg: trainer_state array references must name a trainer/ member, got 'points/X.npy'.",
    ),
    "unknown marker": (
        with_document(lambda d: d["trainer_state"].update(l1={"$complex": [1, 2]})),
        "bad.nnpg: trainer_state has an unknown marker '\\$complex'.",
    ),
    "point beyond the coordinate limit": (
        with_array("points/X.npy", lambda a: np.vstack([[2e6, 0.0], a[1:]])),
        r"bad.nnpg: points: X must be within ±1e\+06 \(COORDINATE_LIMIT\), got \[2000000.0, 0.0\] "
        r"at row 0.",
    ),
    "point at 1e308": (
        with_array("points/X.npy", lambda a: np.vstack([a[:-1], [0.0, -1e308]])),
        r"bad.nnpg: points: X must be within ±1e\+06 \(COORDINATE_LIMIT\), got \[0.0, -1e\+308\] "
        r"at row 59.",
    ),
    "view range at 1e308": (
        with_document(lambda d: d.update(view_range=[-1e308, -1.0, 1e308, 1.0])),
        "bad.nnpg: view_range must be between -1e[+]07 and 1e[+]07, got -1e[+]308.",
    ),
    "view range of zero width": (
        with_document(lambda d: d.update(view_range=[1.0, 0.0, 1.0, 1.0])),
        r"bad.nnpg: view_range must have x0 < x1 and y0 < y1, got \(1.0, 0.0, 1.0, 1.0\).",
    ),
    "seed beyond a spin box": (
        with_document(lambda d: d["hyperparameters"].update(seed=2**31)),
        "bad.nnpg: hyperparameters: seed must be in 0..2147483647, got 2147483648.",
    ),
    "data seed beyond a spin box": (
        with_document(lambda d: d["data_settings"].update(seed=2**32 - 1)),
        "bad.nnpg: data_settings: seed must be in 0..2147483647, got 4294967295.",
    ),
    "batch size 2**40": (
        with_document(lambda d: d["hyperparameters"].update(batch_size=2**40)),
        "bad.nnpg: hyperparameters: batch_size must be in 0..100000, got 1099511627776.",
    ),
    "huge epoch": (
        with_document(lambda d: d.update(epoch=10**400)),
        "bad.nnpg: epoch must be in 0..9007199254740992, got 1000",
    ),
    "trainer seed beyond a spin box": (
        with_document(lambda d: d["trainer_state"].update(seed=2**31)),
        "bad.nnpg: trainer_state seed must be None or in 0..2147483647, got 2147483648.",
    ),
    "Adam beta1 = 1": (
        with_document(lambda d: d["trainer_state"]["optimizer"]["hyperparameters"].update(beta1=1)),
        r"bad.nnpg: trainer_state optimizer beta1 must be 0.9 \(the playground's\), got 1.",
    ),
    "Adam epsilon = 0": (
        with_document(
            lambda d: d["trainer_state"]["optimizer"]["hyperparameters"].update(epsilon=0.0)
        ),
        r"bad.nnpg: trainer_state optimizer epsilon must be 1e-08 \(the playground's\), got 0.0.",
    ),
    "best_params of the wrong shape": (
        rezip(
            with_document(
                lambda d: d["trainer_state"].update(best_params={"$array": "trainer/99.npy"})
            ),
            add={"trainer/99.npy": npy(np.zeros(3))},
        ),
        r"bad.nnpg: trainer_state best_params must be None \(the playground does not use early "
        r"stopping\), got an array of shape \(3,\).",
    ),
    "NaN in the trainer's history": (
        with_document(lambda d: d["trainer_state"]["history"].update(loss=NAN_LOSS)),
        "bad.nnpg: trainer_state history loss must contain only finite numbers, got NaN, inf or "
        "a nested list.",
    ),
    "500 levels in the trainer state": (
        with_document(lambda d: d["trainer_state"].update(deep=nested_list(500))),
        "bad.nnpg: session.json must be nested at most 64 levels deep, got more.",
    ),
    "100 000 levels of JSON": (
        rezip(
            VALID,
            {
                "session.json": b'{"format": "nn-playground-session", "x": '
                + b"[" * 100_000
                + b"]" * 100_000
                + b"}"
            },
        ),
        "bad.nnpg: session.json must be nested at most 64 levels deep, got more.",
    ),
    "trainer weights differ": (
        with_array("weights/b2.npy", lambda a: a + 1.0),
        "bad.nnpg: trainer_state parameters must equal the weights, got a difference in layer 2.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_with_a_clear_message(tmp_path: Path, case: str) -> None:
    data, message = BAD_FILES[case]
    with pytest.raises(ValueError, match=f"^{message}"):
        load_bytes(tmp_path, data)


def test_an_unforeseen_error_type_reaches_the_caller_as_a_value_error(monkeypatch) -> None:
    def broken(data):
        raise KeyError("generator")

    monkeypatch.setattr(DataSettings, "from_dict", broken)
    with pytest.raises(
        ValueError,
        match="^x.nnpg cannot be read as an NN Playground session: KeyError: 'generator'.$",
    ):
        session_from_bytes(VALID, "x.nnpg")


def test_a_member_flagged_as_encrypted_is_a_value_error(tmp_path: Path) -> None:
    data = bytearray(VALID)
    central_header = data.find(b"PK\x01\x02")  # the first member's central directory entry
    data[central_header + 8] |= 0x1  # its "encrypted" flag bit
    with pytest.raises(ValueError, match="^bad.nnpg: member 'session.json' is encrypted.$"):
        load_bytes(tmp_path, bytes(data))


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.nnpg"
    with path.open("wb") as file:
        file.truncate(256 * 2**20 + 1)  # sparse: takes no disk space
    with pytest.raises(
        ValueError,
        match="^huge.nnpg is too large: 268,435,457 bytes, the limit is 268,435,456 bytes.$",
    ):
        load_session(path)


def test_unreadable_paths_are_os_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_session(tmp_path / "missing.nnpg")


def test_what_is_not_a_regular_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.nnpg"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    with pytest.raises(ValueError, match="^pipe.nnpg is not a regular file.$"):
        load_session(fifo)
    with pytest.raises(ValueError, match="^zero is not a regular file.$"):
        load_session("/dev/zero")  # would never end
    with pytest.raises(ValueError, match=f"^{tmp_path.name} is not a regular file.$"):
        load_session(tmp_path)


def zip_with(method: int, member: str = "history/loss.npy") -> bytes:
    """VALID with one member compressed by ``method``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(VALID)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            compression = method if info.filename == member else zipfile.ZIP_DEFLATED
            target.writestr(info.filename, source.read(info), compress_type=compression)
    return out.getvalue()


def zip_bomb(unpacked_mib: int) -> bytes:
    """VALID plus a member of zeros, deflated (about 1000 times smaller), written in chunks."""
    out = io.BytesIO(VALID)
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("trainer/99.npy", "w") as member,
    ):
        for _ in range(unpacked_mib):
            member.write(bytes(2**20))
    return out.getvalue()


VALID_MEMBER_COUNT = len(zipfile.ZipFile(io.BytesIO(VALID)).namelist())
HOSTILE_FILES = {
    "bzip2 member": (
        zip_with(zipfile.ZIP_BZIP2),
        "bad.nnpg: member 'history/loss.npy' is compressed with bzip2; only stored and deflate "
        "members are accepted.",
    ),
    "lzma member": (
        zip_with(zipfile.ZIP_LZMA, "session.json"),
        "bad.nnpg: member 'session.json' is compressed with lzma; only stored and deflate "
        "members are accepted.",
    ),
    "deflate bomb": (
        zip_bomb(40),  # 40 MiB of zeros in a file of 60 kB: over the 32 MiB allowance
        r"bad.nnpg is too large when decompressed: more than 33.6 MB \(the limit\), reached in "
        "member 'trainer/99.npy'.",
    ),
    "too many members": (
        rezip(VALID, add={f"extra/{i}": b"" for i in range(1001)}),
        f"bad.nnpg holds too many members: {VALID_MEMBER_COUNT + 1001}, the limit is 1000.",
    ),
    "huge session.json": (
        with_document(lambda d: d.update(padding="x" * 4 * 2**20)),
        r"bad.nnpg: session.json must be at most 4,194,304 bytes, got 4,19[0-9],[0-9]{3}.",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_hostile_archives_are_refused(tmp_path: Path, case: str) -> None:
    data, message = HOSTILE_FILES[case]
    with pytest.raises(ValueError, match=f"^{message}$"):
        load_bytes(tmp_path, data)


def test_a_duplicated_member_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO(VALID)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns: "Duplicate name"
        with zipfile.ZipFile(out, "a") as archive:
            archive.writestr("points/X.npy", npy(np.zeros((60, 2))))
    with pytest.raises(ValueError, match="^bad.nnpg holds the member 'points/X.npy' twice.$"):
        load_bytes(tmp_path, out.getvalue())


def test_a_session_that_compresses_too_well_is_saved_uncompressed(
    tmp_path: Path, monkeypatch
) -> None:
    # 5000 identical points compress about 100 times: beyond what the reader lets a small
    # file unpack to (with a small allowance here; 32 MiB in real use).
    monkeypatch.setattr(session_module, "_UNPACKED_ALLOWANCE", 10_000)
    session = Session(
        PointSet(np.zeros((5000, 2)), np.arange(5000) % 2),
        Architecture.from_units([3]),
        Hyperparameters(),
        DataSettings(),
    )
    save_session(tmp_path / "same.nnpg", session)
    with zipfile.ZipFile(tmp_path / "same.nnpg") as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
    assert load_session(tmp_path / "same.nnpg") == session
    untrained = untrained_session()  # random points: deflated as usual
    assert session_from_bytes(session_to_bytes(untrained), "u.nnpg") == untrained
    with zipfile.ZipFile(io.BytesIO(session_to_bytes(untrained))) as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("MAX_FILE_BYTES", "session is too large to save: [0-9,]+ bytes, the limit is 1,000"),
        (
            "MAX_UNPACKED_BYTES",
            "session is too large to save: [0-9,]+ bytes unpacked, the limit is 1,000",
        ),
    ],
)
def test_a_session_too_large_to_load_again_is_not_saved(
    tmp_path: Path, monkeypatch, limit: str, message: str
) -> None:
    monkeypatch.setattr(session_module, limit, 1000)
    path = tmp_path / "big.nnpg"
    with pytest.raises(OSError) as caught:
        save_session(path, untrained_session())
    assert caught.value.errno == errno.EFBIG and caught.value.filename == str(path)
    assert re.fullmatch(message, caught.value.strerror)
    assert list(tmp_path.iterdir()) == []
