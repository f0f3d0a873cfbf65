"""Fuzzing session files: every mutation of a valid file either loads completely, into the
session it describes, or is refused with a ValueError naming the file. Never another exception
type, never a session that cannot be saved and loaded again.

Mutations: random bytes, truncation, corrupted bytes, JSON values (numbers, strings, nulls,
huge ints, 1e308, nesting), array shapes, dtypes and values, member names (missing, extra,
duplicated, renamed) and compression methods (stored, deflate, bzip2, lzma). Derandomized with
fixed example counts, so that CI runs the same cases every time.
"""

import io
import json
import math
import warnings
import zipfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nn_engine
from playground.state import (
    HISTORY_KEYS,
    Architecture,
    DataSettings,
    Hyperparameters,
    PointSet,
    Session,
    apply_command,
)
from playground.state.session import session_from_bytes, session_to_bytes

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def trained_session() -> Session:
    """A small session trained 3 epochs and one batch into the fourth, with test points."""
    points = PointSet()
    apply_command(points, DataSettings(n_points=40, noise=0.1, seed=5, test_ratio=0.2).generate())
    architecture = Architecture.from_units([3], "tanh")
    hyperparameters = Hyperparameters(optimizer="adam", learning_rate=0.02, batch_size=8)
    net = nn_engine.Network(architecture.to_engine(), **hyperparameters.network_kwargs())
    X, y = points.train_data()
    trainer = nn_engine.Trainer(
        net, X, y, validation_data=points.test_data(), **hyperparameters.trainer_kwargs()
    )
    trainer.run(3)
    trainer.step_batch()
    return Session(
        points=points,
        architecture=architecture,
        hyperparameters=hyperparameters,
        data_settings=DataSettings(n_points=40, noise=0.1, seed=5, test_ratio=0.2),
        weights=net.get_params(),
        trainer_state=trainer.state_dict(),
        epoch=trainer.epoch,
        history={key: getattr(trainer.history, key) for key in HISTORY_KEYS},
        view_range=(-1.5, -1.0, 2.5, 1.5),
    )


SESSION = trained_session()
VALID = session_to_bytes(SESSION)
with zipfile.ZipFile(io.BytesIO(VALID)) as _archive:
    MEMBERS = {info.filename: _archive.read(info) for info in _archive.infolist()}
DOCUMENT = json.loads(MEMBERS["session.json"])
ARRAY_MEMBERS = sorted(name for name in MEMBERS if name.endswith(".npy"))
METHODS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]


def archive(members: list[tuple[str, bytes, int]]) -> bytes:
    """A zip of ``(name, content, method)`` members, in that order (duplicates allowed)."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names
        with zipfile.ZipFile(out, "w") as target:
            for name, content, method in members:
                target.writestr(name, content, compress_type=method)
    return out.getvalue()


def with_members(replace: dict[str, bytes]) -> bytes:
    return archive(
        [
            (name, replace.get(name, content), zipfile.ZIP_DEFLATED)
            for name, content in MEMBERS.items()
        ]
    )


def load_or_refuse(data: bytes) -> Session | None:
    """A Session that survives a save and a load, or None after a ValueError naming the file."""
    try:
        session = session_from_bytes(data, "fuzz.nnpg")
    except ValueError as error:
        message = str(error)
        assert message.startswith("fuzz.nnpg"), message
        assert message.endswith("."), message
        assert len(message) < 1000, message  # a whole bad field never goes into a message
        return None
    assert isinstance(session, Session)
    assert session_from_bytes(session_to_bytes(session), "again.nnpg") == session
    return session


# ------------------------------------------------------------------------------- bytes


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    load_or_refuse(data)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_that_start_like_a_zip(data: bytes) -> None:
    load_or_refuse(b"PK\x03\x04" + data)


@FUZZ
@given(st.integers(0, len(VALID) - 1))
def test_every_truncation_is_refused(length: int) -> None:
    assert load_or_refuse(VALID[:length]) is None, f"a file cut to {length} bytes loaded"


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=4)
)
def test_corrupted_bytes(changes: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for position, value in changes:
        data[position] = value
    loaded = load_or_refuse(bytes(data))
    # CRCs guard every member: a change that loads can only be in unused header fields
    assert loaded is None or loaded == SESSION


# ------------------------------------------------------------------------------ session.json


def paths(value, prefix=()):
    """Every path (tuple of keys and indices) into a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


PATHS = [path for path in paths(DOCUMENT) if path]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**32, 2**63, 1e308, -1e308, -0.0, 256, 1e6])
    | st.text(max_size=10)
    | st.sampled_from(
        ["relu", "adam", "sgd", "$array", "trainer/0.npy", "nan", "loss", "history/loss.npy"]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["$array", "$tuple", "$float", "$history", "units", "x"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=8,
)
# Parts that Session stores as given: when a mutated file loads, they must be what it said.
PLAIN_PARTS = ("architecture", "hyperparameters", "data_settings", "epoch", "view_range")


def document_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return json.loads(source.read("session.json"))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values | st.just("<delete>")), max_size=3))
def test_corrupted_json_values(changes: list[tuple[tuple, object]]) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    for path, value in changes:
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this path
    loaded = load_or_refuse(with_members({"session.json": json.dumps(document).encode()}))
    if loaded is not None:
        saved = document_of(session_to_bytes(loaded))
        for part in PLAIN_PARTS:
            assert saved[part] == document[part], part


PLAIN_LEAVES = [path for path in PATHS if path[0] in PLAIN_PARTS and path != ("view_range",)]
plausible_values = (
    st.integers(-2, 2**32)
    | st.sampled_from([0, 1, 2, 256, 257, 2**31 - 1, 2**31, 100_000, 100_001, 2**53 + 1])
    | st.floats(-2e7, 2e7)
    | st.sampled_from([1e-5, 9.99e-6, 10.0, 0.9, 0.91, 1.0, -0.0])
    | st.sampled_from(
        ["moons", "spiral", "relu", "tanh", "sigmoid", "adam", "momentum", "l1", "he", "xavier"]
    )
    | st.booleans()
    | st.none()
)


@FUZZ
@given(st.sampled_from(PLAIN_LEAVES), plausible_values)
def test_plausible_values_load_as_written_or_are_refused(path: tuple, value: object) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    loaded = load_or_refuse(with_members({"session.json": json.dumps(document).encode()}))
    if loaded is not None:
        saved = document_of(session_to_bytes(loaded))
        for part in PLAIN_PARTS:
            assert saved[part] == document[part], part


@FUZZ
@given(st.integers(63, 100_000))
def test_deeply_nested_json(depth: int) -> None:
    text = json.dumps(DOCUMENT)
    assert text.endswith("}}")  # trainer_state is the last key: nest inside it
    text = text[:-2] + ', "deep": ' + "[" * depth + "]" * depth + "}}"
    assert load_or_refuse(with_members({"session.json": text.encode()})) is None


@FUZZ
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_session_json_replaced_by_anything(text: str) -> None:
    assert load_or_refuse(with_members({"session.json": text.encode("utf-8")})) is None


# ------------------------------------------------------------------------------- arrays


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


dtypes = st.sampled_from(
    [
        np.float64,
        np.float32,
        np.float16,
        np.int64,
        np.int32,
        np.uint8,
        np.bool_,
        np.complex128,
        np.dtype(">f8"),
        np.dtype("<U3"),
        np.dtype("O"),
    ]
)
arrays = dtypes.flatmap(
    lambda dtype: hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
        elements=st.integers(0, 1) if dtype == np.dtype("O") else None,
    )
)


@FUZZ
@given(st.sampled_from(ARRAY_MEMBERS), arrays)
def test_arrays_of_wrong_shape_dtype_or_value(member: str, array: np.ndarray) -> None:
    load_or_refuse(with_members({member: npy(array)}))


def same_kind_of_array(member: str) -> st.SearchStrategy[np.ndarray]:
    """Arrays of the member's dtype, with its shape or one more or fewer row, any values."""
    array = np.load(io.BytesIO(MEMBERS[member]))
    if array.dtype.kind == "f":
        elements = st.floats(width=array.dtype.itemsize * 8) | st.floats(-2e6, 2e6)
    elif array.dtype.kind == "b":
        elements = st.booleans()
    else:
        elements = st.integers(-1, 2)
    shapes = [array.shape]
    if array.ndim:
        shapes += [(max(array.shape[0] + delta, 0), *array.shape[1:]) for delta in (-1, 1)]
    return st.sampled_from(shapes).flatmap(
        lambda shape: hnp.arrays(array.dtype, shape, elements=elements)
    )


@FUZZ
@given(
    st.sampled_from(ARRAY_MEMBERS).flatmap(lambda m: st.tuples(st.just(m), same_kind_of_array(m)))
)
def test_array_values(member_and_array: tuple[str, np.ndarray]) -> None:
    member, array = member_and_array
    loaded = load_or_refuse(with_members({member: npy(array)}))
    if loaded is not None and member.startswith("points/"):
        field = member.removeprefix("points/").removesuffix(".npy")
        assert getattr(loaded.points, field).tobytes() == array.tobytes()


@FUZZ
@given(
    st.sampled_from(ARRAY_MEMBERS),
    st.sampled_from([np.nan, np.inf, -np.inf, 1e308, -1e308, 1e7, 2.0, -1.0, 0.5]),
)
def test_one_value_of_an_array_replaced(member: str, value: float) -> None:
    array = np.load(io.BytesIO(MEMBERS[member]))
    if array.size == 0:
        return
    changed = array.copy() if array.dtype.kind == "f" else array.astype(np.float64)
    with np.errstate(over="ignore"):  # a float32 array takes 1e308 as inf: meant
        changed.flat[0] = value
    loaded = load_or_refuse(with_members({member: npy(changed)}))
    if loaded is not None and member == "points/X.npy":
        assert loaded.points.X[0, 0] == value


# ---------------------------------------------------------------- member names and methods


member_edits = st.lists(
    st.tuples(
        st.sampled_from(["drop", "duplicate", "rename", "add"]),
        st.sampled_from(sorted(MEMBERS)),
        st.sampled_from(
            ["trainer/9.npy", "points/x.npy", "../evil", "session.json", "", "a" * 300]
        ),
    ),
    min_size=1,
    max_size=3,
)


@FUZZ
@given(member_edits)
def test_members_missing_extra_duplicated_or_renamed(edits: list[tuple[str, str, str]]) -> None:
    members = [(name, content, zipfile.ZIP_DEFLATED) for name, content in MEMBERS.items()]
    for action, name, new_name in edits:
        index = next((i for i, member in enumerate(members) if member[0] == name), None)
        if index is None:
            continue
        if action == "drop":
            del members[index]
        elif action == "duplicate":
            members.append(members[index])
        elif action == "rename" and new_name:
            members[index] = (new_name, *members[index][1:])
        elif action == "add" and new_name:
            members.append((new_name, b"", zipfile.ZIP_STORED))
    names = [member[0] for member in members]
    loaded = load_or_refuse(archive(members))
    if sorted(names) == sorted(MEMBERS):
        assert loaded == SESSION  # only the order changed
    else:
        assert loaded is None, names


@FUZZ
@given(
    st.sampled_from([METHODS[:2], METHODS]).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), min_size=len(MEMBERS), max_size=len(MEMBERS))
    )
)
def test_compression_methods(methods: list[int]) -> None:
    members = [
        (name, content, method)
        for (name, content), method in zip(MEMBERS.items(), methods, strict=True)
    ]
    loaded = load_or_refuse(archive(members))
    if set(methods) <= {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}:
        assert loaded == SESSION
    else:
        assert loaded is None


def test_the_fuzzed_file_is_the_session_it_was_made_from() -> None:
    assert session_from_bytes(VALID, "valid.nnpg") == SESSION
    assert math.isfinite(SESSION.history["loss"][-1])
