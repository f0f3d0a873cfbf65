"""Model files: a network saved as a NumPy ``.npz`` archive, and its architecture as JSON.

A model file holds only plain arrays, so it loads with ``allow_pickle=False`` (opening a file
never runs code from it):

==================  ===========================================================
``format``          the string ``"nn_engine.network"``
``format_version``  1
``architecture``    :func:`architecture_to_json` of the network: the article's JSON list of
                    ``{"input_dim", "output_dim", "activation"}``, wrapped with the
                    features (``{"features": [...], "layers": [...]}``) when they are not
                    the default ``x1, x2``; a file with a plain list loads with those
``init``            ``"seed"``, ``"he"`` or ``"xavier"``: how the weights were initialised
``seed``            the initialisation seed (-1 for none)
``dtype``           ``"float32"`` or ``"float64"``, the dtype of every weight array
``W0, b0, W1, ...`` layer i's weights (output_dim, input_dim) and biases (output_dim,)
==================  ===========================================================

The architecture JSON (:func:`architecture_to_json`) is the article's list of layer dicts;
a network with other features is written as ``{"features": [...], "layers": [...]}``, the
same list under ``"layers"``.

Reading untrusted files within caps on what is really read (re-exported from
:mod:`nn_engine.safe_files`, which the app's session files use too):

- ``check_regular_file(path, *, max_bytes, name=None)``: refuse, without opening it, anything
  but a regular file (a FIFO, ``/dev/zero``, a directory) or one larger than ``max_bytes``;
- ``read_regular_file(path, *, max_bytes, name=None)``: the same check, then the bytes, never
  reading more than ``max_bytes + 1``;
- ``read_zip(data, *, name, max_total_bytes, max_members=10_000)``: every member of an
  in-memory zip archive (stored or deflate only), decompressed in chunks and counted as really
  produced, refused as soon as the total passes ``max_total_bytes``;
- ``npy_from_bytes(data, *, name)``: one ``.npy`` array of bool, int, uint or float (never
  pickle), its declared size checked against the bytes present before anything is allocated.

All of them refuse bad content with a ``ValueError`` naming the file.
"""

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from nn_engine.datasets import write_atomically
from nn_engine.features import DEFAULT_FEATURES
from nn_engine.network import Network, _check_architecture, _check_features
from nn_engine.safe_files import (
    _parse_npy,
    check_regular_file,
    format_size,
    npy_from_bytes,
    read_regular_file,
    read_zip,
)
from nn_engine.validation import shorten

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_ARCHITECTURE_CHARS",
    "MAX_MODEL_BYTES",
    "architecture_from_json",
    "architecture_to_json",
    "check_regular_file",
    "load_network",
    "npy_from_bytes",
    "read_regular_file",
    "read_zip",
    "save_network",
]

FORMAT = "nn_engine.network"
FORMAT_VERSION = 1
_LAYER_KEYS = ("input_dim", "output_dim", "activation")
_METADATA = ("format", "format_version", "architecture", "init", "seed", "dtype")
# 256 MiB holds ~33 million float64 weights, far beyond what these networks need.
MAX_MODEL_BYTES = 256 * 2**20
# save_network writes uncompressed members (np.savez) and random weights barely compress, so
# a model's content is about its file size; allowing 8 times that (plus 1 MiB) still reads
# compressed files, yet a 10 MB deflate bomb is stopped after 81 MiB, not 256.
_MAX_EXPANSION = 8
_MAX_ARRAYS = 2 * 10_000 + len(_METADATA)  # W and b of up to 10,000 layers
# ~ 10,000 layers of 60 characters; more is not an architecture someone wrote
MAX_ARCHITECTURE_CHARS = 1_000_000


# ------------------------------------------------------------------------ architecture


def architecture_to_json(
    architecture: Sequence[Mapping], features: Sequence[str] = DEFAULT_FEATURES
) -> str:
    """The architecture as the article writes it: a JSON list, one layer dict per line.

    With features other than the default ``("x1", "x2")``, the list is wrapped:
    ``{"features": [...], "layers": [...]}``, still one layer per line.

    Parameters
    ----------
    architecture : list of dict
        ``{"input_dim": int, "output_dim": int, "activation": str}`` per layer, validated as
        :class:`~nn_engine.Network` does.
    features : sequence of str
        The network's features (``net.features``); the first layer's ``input_dim`` must be
        their number.

    Examples
    --------
    >>> print(architecture_to_json(Network.from_sizes([2, 4, 1]).architecture))
    [
        {"input_dim": 2, "output_dim": 4, "activation": "relu"},
        {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"}
    ]
    >>> print(architecture_to_json([{"input_dim": 1, "output_dim": 1, "activation": "sigmoid"}],
    ...                            features=["x1^2 + x2^2"]))
    {
        "features": ["x1^2 + x2^2"],
        "layers": [
            {"input_dim": 1, "output_dim": 1, "activation": "sigmoid"}
        ]
    }
    """
    layers = _check_architecture(architecture)
    names, _ = _check_features(features)
    _check_input_dim(layers, names)
    if names == DEFAULT_FEATURES:
        return "[\n" + ",\n".join(f"    {json.dumps(layer)}" for layer in layers) + "\n]"
    lines = ",\n".join(f"        {json.dumps(layer)}" for layer in layers)
    return f'{{\n    "features": {json.dumps(list(names))},\n    "layers": [\n{lines}\n    ]\n}}'


def _check_input_dim(layers: list[dict], features: tuple[str, ...]) -> None:
    if layers[0]["input_dim"] != len(features):
        raise ValueError(
            "architecture[0]['input_dim'] must equal the number of features "
            f"({len(features)}: {', '.join(features)}), got {layers[0]['input_dim']}."
        )


def architecture_from_json(text: str, *, with_features: bool = False):
    """Parse and validate an architecture written by :func:`architecture_to_json` (or by hand).

    Parameters
    ----------
    text : str
        The article's JSON list of layer dicts, or ``{"features": [...], "layers": [...]}``.
    with_features : bool
        Return the features too. Without it, a text whose features are not the default
        ``x1, x2`` is refused rather than silently read without them.

    Returns
    -------
    architecture : list of dict
        The article's layer dicts, ready for :class:`~nn_engine.Network`.
    features : tuple of str
        Only with ``with_features=True``: ``("x1", "x2")`` for a plain list.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ValueError
        If it is longer than :data:`MAX_ARCHITECTURE_CHARS`, not JSON (nested too deeply
        included) or not a valid architecture (layer dims that do not chain, an unknown
        activation or key, a last layer other than one sigmoid unit, a feature that is not
        allowed, a first ``input_dim`` other than the number of features ...).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    if len(text) > MAX_ARCHITECTURE_CHARS:
        raise ValueError(
            f"architecture must be at most {MAX_ARCHITECTURE_CHARS:,} characters of JSON, "
            f"got {len(text):,}."
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"architecture must be JSON, got {error.msg} at line {error.lineno} "
            f"column {error.colno}."
        ) from None
    except RecursionError:
        raise ValueError("architecture must be JSON, got nesting too deep to parse.") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise ValueError(
            f"architecture must be JSON, got {shorten(str(error), 80, quote=False)}."
        ) from None
    features: object = list(DEFAULT_FEATURES)
    architecture = document
    if isinstance(document, dict):
        if set(document) != {"features", "layers"}:
            raise ValueError(
                "architecture must be a list of layer dicts or a dict with the keys features "
                f"and layers, got the keys {shorten(sorted(map(str, document)), 80)}."
            )
        features, architecture = document["features"], document["layers"]
    if isinstance(architecture, list):
        for index, layer in enumerate(architecture):
            unknown = sorted(set(layer) - set(_LAYER_KEYS)) if isinstance(layer, dict) else []
            if unknown:
                raise ValueError(
                    f"architecture[{index}] must have only the keys input_dim, output_dim and "
                    f"activation, got {', '.join(map(repr, unknown))}."
                )
    try:
        layers = _check_architecture(architecture)
        names, _ = _check_features(features)
    except TypeError as error:  # a JSON text of the wrong structure is a bad value
        raise ValueError(str(error)) from None
    _check_input_dim(layers, names)
    if with_features:
        return layers, names
    if names != DEFAULT_FEATURES:
        raise ValueError(
            f"architecture has the input features {', '.join(names)}: read it with "
            "with_features=True to build the same network."
        )
    return layers


# ----------------------------------------------------------------------- model files


def save_network(net: Network, path: str | os.PathLike) -> None:
    """Save ``net`` (architecture, weights, init metadata) to the ``.npz`` file ``path``.

    The file is written atomically (a crash leaves the old file or the new one, never half)
    and to exactly ``path``: no ``.npz`` is appended.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network, got {type(net).__name__}.")
    arrays = {
        "format": np.array(FORMAT),
        "format_version": np.array(FORMAT_VERSION, np.int64),
        "architecture": np.array(architecture_to_json(net.architecture, net.features)),
        "init": np.array(net.init),
        "seed": np.array(-1 if net.seed is None else net.seed, np.int64),
        "dtype": np.array(net.dtype.name),
    }
    for index, layer in enumerate(net.get_params()):
        arrays[f"W{index}"] = layer["W"]
        arrays[f"b{index}"] = layer["b"]
    write_atomically(path, lambda file: np.savez(file, **arrays))


def _scalar(arrays: Mapping[str, np.ndarray], key: str, kind: str) -> object:
    """The 0-d entry ``key`` as a Python value; ``kind`` is "U" (str) or "i" (int)."""
    value = arrays[key]
    if value.ndim != 0 or value.dtype.kind not in ("U" if kind == "U" else "iu"):
        wanted = "a string" if kind == "U" else "an integer"
        raise ValueError(f"{key} must be {wanted}, got an array of {value.dtype} {value.shape}.")
    return value.item()


def load_network(path: str | os.PathLike) -> Network:
    """Load a network saved by :func:`save_network`, checking everything in the file.

    The file is read within caps on what is really read: :data:`MAX_MODEL_BYTES` on disk,
    and as content (decompressed) the smaller of that and 8 times the file's size plus 1 MiB
    (:func:`save_network` writes arrays uncompressed). It is parsed without ``np.load``: each
    array's declared shape is checked against its bytes before anything is allocated, so a
    small file cannot demand gigabytes.

    Returns
    -------
    Network
        With the saved architecture, features, weights (bit for bit), init, seed and dtype.

    Raises
    ------
    OSError
        If the file cannot be read (missing, no permission).
    ValueError
        If it is not a model file or anything in it is wrong: not a regular file, too large,
        a damaged archive, missing or extra arrays, a wrong shape or dtype, NaN or inf
        weights, an invalid architecture. The message starts with the file name:
        ``"model.npz: W1 must have shape (50, 25), got (25, 50)."``
    """
    name = Path(path).name
    data = read_regular_file(path, max_bytes=MAX_MODEL_BYTES, name=name)  # OSError to the caller
    try:
        return _network_from_bytes(data, name)
    except MemoryError:  # within the caps, only a machine short of memory gets here
        raise ValueError(
            f"{name} could not be loaded: not enough memory (the file is {format_size(len(data))})."
        ) from None


def _network_from_bytes(data: bytes, name: str) -> Network:
    magic = data[:6]
    if magic[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):  # an .npz is a zip archive
        found = {b"": "it is empty", b"\x93NUMPY": "it is a single .npy array"}
        reason = found.get(magic, "it is not a zip archive")
        raise ValueError(f"{name} must be an nn_engine model (.npz), but {reason}.")
    max_content = min(MAX_MODEL_BYTES, _MAX_EXPANSION * len(data) + 2**20)
    members = read_zip(data, name=name, max_total_bytes=max_content, max_members=_MAX_ARRAYS)
    arrays = {}
    for member, content in members.items():
        if not member.endswith(".npy"):
            raise ValueError(
                f"{name} must hold only .npy arrays (an nn_engine model), got the member "
                f"{shorten(member)}."
            )
        arrays[member.removesuffix(".npy")] = _parse_npy(
            content, name=f"{name}: {shorten(member, quote=False)}", kinds="biufU"
        )
    try:
        return _network_from_arrays(arrays)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: {error}") from None


def _network_from_arrays(arrays: dict[str, np.ndarray]) -> Network:
    if "format" not in arrays or _scalar(arrays, "format", "U") != FORMAT:
        found = _scalar(arrays, "format", "U") if "format" in arrays else None
        raise ValueError(f"format must be {FORMAT!r} (an nn_engine model), got {found!r}.")
    missing = [key for key in _METADATA if key not in arrays]
    if missing:
        raise ValueError(
            f"the model file must hold {', '.join(_METADATA)}; missing {', '.join(missing)}."
        )
    version = _scalar(arrays, "format_version", "i")
    if version != FORMAT_VERSION:
        raise ValueError(f"format_version must be {FORMAT_VERSION}, got {version}.")
    text = _scalar(arrays, "architecture", "U")
    architecture, features = architecture_from_json(text, with_features=True)
    init = _scalar(arrays, "init", "U")
    seed = _scalar(arrays, "seed", "i")
    dtype = _scalar(arrays, "dtype", "U")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}.")

    weight_keys = [f"{kind}{i}" for i in range(len(architecture)) for kind in ("W", "b")]
    missing = [key for key in weight_keys if key not in arrays]
    if missing:
        raise ValueError(
            f"the weights of every layer must be present; missing {', '.join(missing)}."
        )
    extra = sorted(set(arrays) - set(_METADATA) - set(weight_keys))
    if extra:
        raise ValueError(
            f"the file must hold only the model's arrays, got extra {', '.join(extra)}."
        )

    params = []
    for index, layer in enumerate(architecture):
        shapes = {"W": (layer["output_dim"], layer["input_dim"]), "b": (layer["output_dim"],)}
        for kind, shape in shapes.items():
            key, value = f"{kind}{index}", arrays[f"{kind}{index}"]
            if value.shape != shape:
                raise ValueError(f"{key} must have shape {shape}, got {value.shape}.")
            if value.dtype != np.dtype(dtype):
                raise ValueError(f"{key} must have dtype {dtype}, got {value.dtype}.")
            if not np.isfinite(value).all():
                raise ValueError(f"{key} must be finite, got NaN or inf values.")
        params.append({"W": arrays[f"W{index}"], "b": arrays[f"b{index}"]})

    net = Network(
        architecture,
        features=features,
        init=init,
        seed=None if seed == -1 else seed,
        dtype=dtype,
    )
    net.set_params(params)
    return net
