"""nn_engine.io: model files (.npz, no pickle) and the architecture as the article's JSON."""

import io
import json
import os
import tracemalloc
import zipfile

import numpy as np
import pytest
from numpy.lib import format as npy_format
from reference_math import ARTICLE_ARCHITECTURE

import nn_engine.io
from nn_engine import Network, datasets, train
from nn_engine.io import (
    MAX_ARCHITECTURE_CHARS,
    MAX_MODEL_BYTES,
    architecture_from_json,
    architecture_to_json,
    load_network,
    save_network,
)
from nn_engine.safe_files import format_size


@pytest.fixture(scope="module")
def points():
    return datasets.moons(200, noise=0.2, seed=0)


def trained(net: Network, points) -> Network:
    X, y = points
    train(net, X, y, epochs=5, learning_rate=0.05, optimizer="adam", seed=0)
    return net


NETWORKS = {
    "article": lambda: Network(ARTICLE_ARCHITECTURE, init="seed", seed=2),
    "float32 he": lambda: Network.from_sizes(
        [2, 8, 8, 1], "tanh", init="he", seed=7, dtype="float32"
    ),
    "mixed xavier": lambda: Network.from_sizes(
        [2, 5, 4, 3, 1], ["leaky_relu", "linear", "sigmoid"], init="xavier", seed=0
    ),
    "no hidden layer": lambda: Network.from_sizes([2, 1], seed=3),
}


# ------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("kind", sorted(NETWORKS))
def test_save_load_round_trip_is_exact(tmp_path, points, kind):
    net = trained(NETWORKS[kind](), points)
    path = tmp_path / "model.npz"
    save_network(net, path)
    loaded = load_network(path)
    assert loaded.architecture == net.architecture
    assert (loaded.init, loaded.seed, loaded.dtype) == (net.init, net.seed, net.dtype)
    assert repr(loaded) == repr(net)
    for original, restored in zip(net.get_params(), loaded.get_params(), strict=True):
        for key in ("W", "b"):
            assert restored[key].dtype == original[key].dtype
            assert restored[key].tobytes() == original[key].tobytes()
    X, _ = points
    assert loaded.predict_proba(X).tobytes() == net.predict_proba(X).tobytes()
    assert np.array_equal(loaded.predict(X), net.predict(X))


def test_loaded_network_trains_on_like_the_original(tmp_path, points):
    net = trained(NETWORKS["article"](), points)
    save_network(net, tmp_path / "m.npz")
    twin = load_network(tmp_path / "m.npz")
    X, y = points
    train(net, X, y, epochs=3, learning_rate=0.01)
    train(twin, X, y, epochs=3, learning_rate=0.01)
    assert all(
        np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
        for a, b in zip(net.get_params(), twin.get_params(), strict=True)
    )


def test_model_file_holds_plain_named_arrays(tmp_path):
    net = Network.from_sizes([2, 3, 1], init="he", seed=5, dtype="float32")
    path = tmp_path / "model.bin"
    save_network(net, path)
    assert os.listdir(tmp_path) == ["model.bin"]  # no ".npz" appended, no temporary left
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    assert sorted(arrays) == sorted(
        [
            "format",
            "format_version",
            "architecture",
            "init",
            "seed",
            "dtype",
            "W0",
            "b0",
            "W1",
            "b1",
        ]
    )
    assert arrays["format"].item() == "nn_engine.network"
    assert arrays["format_version"].item() == 1
    assert json.loads(arrays["architecture"].item()) == net.architecture
    assert arrays["init"].item() == "he" and arrays["seed"].item() == 5
    assert arrays["dtype"].item() == "float32"
    assert arrays["W0"].dtype == np.float32 and arrays["W0"].shape == (3, 2)
    assert arrays["b1"].shape == (1,)
    assert all(value.dtype != object for value in arrays.values())


def test_save_overwrites_atomically_and_refuses_non_networks(tmp_path):
    path = tmp_path / "model.npz"
    save_network(Network.from_sizes([2, 3, 1], seed=1), path)
    save_network(Network.from_sizes([2, 4, 1], seed=1), path)
    assert load_network(path).sizes == [2, 4, 1]
    with pytest.raises(TypeError) as caught:
        save_network({"W": 1}, path)
    assert str(caught.value) == "net must be a Network, got dict."
    assert load_network(path).sizes == [2, 4, 1]
    with pytest.raises(FileNotFoundError):
        save_network(Network.from_sizes([2, 1]), tmp_path / "missing" / "m.npz")
    assert os.listdir(tmp_path) == ["model.npz"]


# ------------------------------------------------------------------------- bad files


@pytest.fixture
def good_arrays(tmp_path):
    path = tmp_path / "good.npz"
    save_network(Network.from_sizes([2, 3, 1], seed=1), path)
    with np.load(path) as archive:
        return {key: archive[key] for key in archive.files}


def load_tampered(tmp_path, arrays):
    path = tmp_path / "model.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError) as caught:
        load_network(path)
    return str(caught.value)


def test_load_refuses_missing_and_extra_arrays(tmp_path, good_arrays):
    del good_arrays["b1"]
    assert load_tampered(tmp_path, good_arrays) == (
        "model.npz: the weights of every layer must be present; missing b1."
    )
    good_arrays["b1"] = np.zeros(1)
    good_arrays["W2"] = np.zeros((1, 1))
    assert load_tampered(tmp_path, good_arrays) == (
        "model.npz: the file must hold only the model's arrays, got extra W2."
    )
    del good_arrays["W2"], good_arrays["seed"]
    assert load_tampered(tmp_path, good_arrays) == (
        "model.npz: the model file must hold format, format_version, architecture, init, seed, "
        "dtype; missing seed."
    )


WRONG_ENTRIES = [
    ("W0", np.zeros((2, 3)), "W0 must have shape (3, 2), got (2, 3)."),
    ("b0", np.zeros((3, 1)), "b0 must have shape (3,), got (3, 1)."),
    ("W1", np.zeros((1, 3), np.float32), "W1 must have dtype float64, got float32."),
    ("W1", np.array([[0.0, np.nan, 1.0]]), "W1 must be finite, got NaN or inf values."),
    ("b1", np.array([np.inf]), "b1 must be finite, got NaN or inf values."),
    ("b1", np.array(["a"]), "b1 must have dtype float64, got <U1."),
    ("format", np.array("x"), "format must be 'nn_engine.network' (an nn_engine model), got 'x'."),
    ("format_version", np.array(2), "format_version must be 1, got 2."),
    (
        "format_version",
        np.array([1]),
        "format_version must be an integer, got an array of int64 (1,).",
    ),
    ("dtype", np.array("float16"), "dtype must be 'float32' or 'float64', got 'float16'."),
    ("init", np.array("zeros"), "init must be one of 'seed', 'he', 'xavier', got 'zeros'."),
    ("seed", np.array(1.5), "seed must be an integer, got an array of float64 ()."),
    ("seed", np.array(-5), "seed must be >= 0, got -5."),
    ("architecture", np.array(7), "architecture must be a string, got an array of int64 ()."),
    (
        "architecture",
        np.array("[{"),
        "architecture must be JSON, got Expecting property name enclosed in double quotes at "
        "line 1 column 3.",
    ),
]


@pytest.mark.parametrize(("key", "value", "message"), WRONG_ENTRIES)
def test_load_refuses_wrong_entries_naming_them(tmp_path, good_arrays, key, value, message):
    good_arrays[key] = value
    assert load_tampered(tmp_path, good_arrays) == f"model.npz: {message}"


def test_load_refuses_an_architecture_that_does_not_match_the_weights(tmp_path, good_arrays):
    good_arrays["architecture"] = np.array(architecture_to_json(ARTICLE_ARCHITECTURE))
    assert load_tampered(tmp_path, good_arrays) == (
        "model.npz: the weights of every layer must be present; missing W2, b2, W3, b3, W4, b4."
    )


def test_load_refuses_other_files(tmp_path, good_arrays):
    cases = {
        "text.npz": b"x,y,label\n1,2,0\n",
        "empty.npz": b"",
        "short.npz": b"PK\x03",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    np.save(tmp_path / "array.npy", np.zeros(3))
    np.savez(tmp_path / "objects.npz", **good_arrays, extra=np.array([{"a": 1}], dtype=object))
    good = tmp_path / "good.npz"
    (tmp_path / "truncated.npz").write_bytes(good.read_bytes()[:200])
    expected = {
        "text.npz": "text.npz must be an nn_engine model (.npz), but it is not a zip archive.",
        "empty.npz": "empty.npz must be an nn_engine model (.npz), but it is empty.",
        "short.npz": "short.npz must be an nn_engine model (.npz), but it is not a zip archive.",
        "array.npy": "array.npy must be an nn_engine model (.npz), but it is a single .npy array.",
        "objects.npz": (
            "objects.npz: extra.npy must hold numbers (bool, int, uint or float) or text, "
            "got dtype object."
        ),
        "truncated.npz": "truncated.npz is not a valid zip archive: File is not a zip file.",
    }
    for name, message in expected.items():
        with pytest.raises(ValueError) as caught:
            load_network(tmp_path / name)
        assert str(caught.value) == message


def zip_members(path, members: dict[str, bytes], method=zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for member, content in members.items():
            archive.writestr(member, content)


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def peak_memory(call) -> tuple[Exception | None, int]:
    tracemalloc.start()
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the caller asserts which one
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return None, peak


def test_a_small_file_declaring_gigabytes_is_refused_without_allocating_them(tmp_path, good_arrays):
    members = {f"{key}.npy": npy_bytes(value) for key, value in good_arrays.items()}
    header = io.BytesIO()
    npy_format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (268_435_456,)}
    )
    members["W0.npy"] = header.getvalue() + bytes(3000)  # declares 2 GB, holds 3 kB
    zip_members(tmp_path / "model.npz", members)
    assert (tmp_path / "model.npz").stat().st_size < 6000
    error, peak = peak_memory(lambda: load_network(tmp_path / "model.npz"))
    assert isinstance(error, ValueError)
    assert str(error) == (
        "model.npz: W0.npy is damaged: its header declares 2.1 GB of data "
        "(shape (268435456,), float64), but 3 kB follow it."
    )
    assert peak < 2_000_000


def test_a_deflate_bomb_is_stopped_at_eight_times_the_file_size(tmp_path):
    path = tmp_path / "bomb.npz"
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("W0.npy", "w") as member,
    ):
        for _ in range(100):
            member.write(bytes(1 << 20))  # 100 MiB of zeros, about 100 kB compressed
    size = path.stat().st_size
    error, peak = peak_memory(lambda: load_network(path))
    assert isinstance(error, ValueError)
    assert str(error) == (
        f"bomb.npz is too large when decompressed: more than {format_size(8 * size + 2**20)} "
        "(the limit), reached in member 'W0.npy'."
    )
    assert peak < 10 * size + 4 * 2**20


def test_bzip2_members_and_members_that_are_not_npy_are_refused(tmp_path, good_arrays):
    members = {f"{key}.npy": npy_bytes(value) for key, value in good_arrays.items()}
    zip_members(tmp_path / "bz.npz", members, zipfile.ZIP_BZIP2)
    zip_members(tmp_path / "notes.npz", members | {"notes.txt": b"hello"})
    expected = {
        "bz.npz": "bz.npz: member 'format.npy' is compressed with bzip2; only stored and "
        "deflate members are accepted.",
        "notes.npz": "notes.npz must hold only .npy arrays (an nn_engine model), got the member "
        "'notes.txt'.",
    }
    for name, message in expected.items():
        with pytest.raises(ValueError) as caught:
            load_network(tmp_path / name)
        assert str(caught.value) == message


def test_a_file_over_256_mib_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.npz"
    with open(path, "wb") as file:
        file.truncate(MAX_MODEL_BYTES + 1)  # sparse: nothing is written
    assert MAX_MODEL_BYTES == 268_435_456
    with pytest.raises(ValueError) as caught:
        load_network(path)
    assert str(caught.value) == (
        "huge.npz is too large: 268,435,457 bytes, the limit is 268,435,456 bytes."
    )


def test_a_deeply_nested_architecture_in_a_model_is_a_value_error(tmp_path, good_arrays):
    good_arrays["architecture"] = np.array("[" * 100_000)
    assert load_tampered(tmp_path, good_arrays) == (
        "model.npz: architecture must be JSON, got nesting too deep to parse."
    )


def test_running_out_of_memory_while_loading_is_a_value_error(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save_network(Network.from_sizes([2, 3, 1], seed=1), path)

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(nn_engine.io, "_parse_npy", no_memory)
    with pytest.raises(ValueError) as caught:
        load_network(path)
    assert str(caught.value) == (
        f"model.npz could not be loaded: not enough memory (the file is "
        f"{format_size(path.stat().st_size)})."
    )


def test_load_refuses_an_empty_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "empty.npz", "w"):
        pass
    with pytest.raises(ValueError) as caught:
        load_network(tmp_path / "empty.npz")
    assert str(caught.value) == (
        "empty.npz: format must be 'nn_engine.network' (an nn_engine model), got None."
    )


def test_load_passes_on_os_errors_and_refuses_what_is_not_a_regular_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_network(tmp_path / "nothing.npz")
    (tmp_path / "folder.npz").mkdir()
    os.mkfifo(tmp_path / "pipe.npz")  # reading it would block
    for name in ("folder.npz", "pipe.npz"):
        with pytest.raises(ValueError) as caught:
            load_network(tmp_path / name)
        assert str(caught.value) == f"{name} is not a regular file."


# ------------------------------------------------------------------------- JSON


def test_architecture_json_is_the_articles_list_one_layer_per_line():
    text = architecture_to_json(ARTICLE_ARCHITECTURE)
    assert text == (
        "[\n"
        '    {"input_dim": 2, "output_dim": 25, "activation": "relu"},\n'
        '    {"input_dim": 25, "output_dim": 50, "activation": "relu"},\n'
        '    {"input_dim": 50, "output_dim": 50, "activation": "relu"},\n'
        '    {"input_dim": 50, "output_dim": 25, "activation": "relu"},\n'
        '    {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"}\n'
        "]"
    )
    assert json.loads(text) == ARTICLE_ARCHITECTURE
    assert architecture_from_json(text) == ARTICLE_ARCHITECTURE
    assert Network(architecture_from_json(text)).sizes == [2, 25, 50, 50, 25, 1]


def test_architecture_from_json_accepts_any_layout():
    compact = json.dumps(ARTICLE_ARCHITECTURE).replace(" ", "")
    assert architecture_from_json(compact) == ARTICLE_ARCHITECTURE


def layers(*specs: tuple) -> str:
    keys = ("input_dim", "output_dim", "activation")
    return json.dumps([dict(zip(keys, spec, strict=False)) | extra for *spec, extra in specs])


BAD_JSON = [
    ("", "architecture must be JSON, got Expecting value at line 1 column 1."),
    (
        '{"input_dim": 2}',
        "architecture must be a list of layer dicts or a dict with the keys features and "
        "layers, got the keys ['input_dim'].",
    ),
    ('"x"', "architecture must be a list of layer dicts, got str."),
    ("[]", "architecture must have at least one layer, got 0."),
    ("[3]", "architecture[0] must be a dict, got int."),
    (
        layers((2, 1, {})),
        "architecture[0] must have keys input_dim, output_dim and activation, missing activation.",
    ),
    (
        layers((2, 1, "sigmoid", {"units": 4})),
        "architecture[0] must have only the keys input_dim, output_dim and activation, "
        "got 'units'.",
    ),
    (
        layers((2.0, 1, "sigmoid", {})),
        "architecture[0]['input_dim'] must be an integer, got 2.0.",
    ),
    (layers((0, 1, "sigmoid", {})), "architecture[0]['input_dim'] must be > 0, got 0."),
    (
        layers((2, 3, "relu", {}), (4, 1, "sigmoid", {})),
        "architecture[1]['input_dim'] must equal the previous layer's output_dim 3, got 4.",
    ),
    (
        layers((2, 1, "softmax", {})),
        "architecture[0]['activation'] must be one of 'relu', 'sigmoid', 'tanh', 'linear', "
        "'leaky_relu', got 'softmax'.",
    ),
    (
        layers((2, 2, "sigmoid", {})),
        "the last layer must be one sigmoid unit (output_dim 1, activation 'sigmoid'), "
        "got output_dim 2 with activation 'sigmoid'.",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_JSON)
def test_architecture_from_json_refuses_bad_text(text, message):
    with pytest.raises(ValueError) as caught:
        architecture_from_json(text)
    assert str(caught.value) == message


def test_architecture_json_type_errors():
    with pytest.raises(TypeError) as caught:
        architecture_from_json(b"[]")
    assert str(caught.value) == "text must be a str, got bytes."
    with pytest.raises(TypeError):
        architecture_to_json("2,25,1")


def test_architecture_from_json_refuses_deep_nesting_huge_numbers_and_huge_texts():
    with pytest.raises(ValueError) as caught:
        architecture_from_json("[" * 100_000 + "]" * 100_000)
    assert str(caught.value) == "architecture must be JSON, got nesting too deep to parse."
    with pytest.raises(ValueError) as caught:
        architecture_from_json('[{"input_dim": ' + "9" * 5000 + "}]")
    assert str(caught.value).startswith("architecture must be JSON, got Exceeds the limit (4300")
    assert len(str(caught.value)) < 120
    text = " " * MAX_ARCHITECTURE_CHARS + "[]"
    with pytest.raises(ValueError) as caught:
        architecture_from_json(text)
    assert str(caught.value) == (
        "architecture must be at most 1,000,000 characters of JSON, got 1,000,002."
    )
    with pytest.raises(ValueError) as caught:  # exactly at the limit: parsed, then judged
        architecture_from_json(text[2:])
    assert str(caught.value) == "architecture must have at least one layer, got 0."
