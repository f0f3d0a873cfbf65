"""Model files: a network saved as a NumPy ``.npz`` archive, and its architecture as JSON.

A model file holds only plain arrays, so it loads with ``allow_pickle=False`` (opening a file
never runs code from it):

==================  ===========================================================
``format``          the string ``"nn_engine.network"``
``format_version``  1
``architecture``    the article's JSON list of ``{"input_dim", "output_dim", "activation"}``
``init``            ``"seed"``, ``"he"`` or ``"xavier"``: how the weights were initialised
``seed``            the initialisation seed (-1 for none)
``dtype``           ``"float32"`` or ``"float64"``, the dtype of every weight array
``W0, b0, W1, ...`` layer i's weights (output_dim, input_dim) and biases (output_dim,)
==================  ===========================================================

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
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from nn_engine.datasets import write_atomically
from nn_engine.network import Network, _check_architecture
from nn_engine.safe_files import check_regular_file, npy_from_bytes, read_regular_file, read_zip

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
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


# ------------------------------------------------------------------------ architecture


def architecture_to_json(architecture: Sequence[Mapping]) -> str:
    """The architecture as the article writes it: a JSON list, one layer dict per line.

    Parameters
    ----------
    architecture : list of dict
        ``{"input_dim": int, "output_dim": int, "activation": str}`` per layer, validated as
        :class:`~nn_engine.Network` does.

    Examples
    --------
    >>> print(architecture_to_json(Network.from_sizes([2, 4, 1]).architecture))
    [
        {"input_dim": 2, "output_dim": 4, "activation": "relu"},
        {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"}
    ]
    """
    layers = _check_architecture(architecture)
    return "[\n" + ",\n".join(f"    {json.dumps(layer)}" for layer in layers) + "\n]"


def architecture_from_json(text: str) -> list[dict]:
    """Parse and validate an architecture written by :func:`architecture_to_json` (or by hand).

    Returns
    -------
    list of dict
        The article's layer dicts, ready for :class:`~nn_engine.Network`.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ValueError
        If it is not JSON or not a valid architecture (layer dims that do not chain, an
        unknown activation or key, a last layer other than one sigmoid unit ...).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    try:
        architecture = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"architecture must be JSON, got {error.msg} at line {error.lineno} "
            f"column {error.colno}."
        ) from None
    if isinstance(architecture, list):
        for index, layer in enumerate(architecture):
            unknown = sorted(set(layer) - set(_LAYER_KEYS)) if isinstance(layer, dict) else []
            if unknown:
                raise ValueError(
                    f"architecture[{index}] must have only the keys input_dim, output_dim and "
                    f"activation, got {', '.join(map(repr, unknown))}."
                )
    try:
        return _check_architecture(architecture)
    except TypeError as error:  # a JSON text of the wrong structure is a bad value
        raise ValueError(str(error)) from None


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
        "architecture": np.array(architecture_to_json(net.architecture)),
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

    Returns
    -------
    Network
        With the saved architecture, weights (bit for bit), init, seed and dtype.

    Raises
    ------
    OSError
        If the file cannot be read (missing, a directory, no permission).
    ValueError
        If it is not a model file or anything in it is wrong: missing or extra arrays, a
        wrong shape or dtype, NaN or inf weights, an invalid architecture. The message starts
        with the file name: ``"model.npz: W1 must have shape (50, 25), got (25, 50)."``
    """
    name = Path(path).name
    with open(path, "rb") as file:  # OSError (missing, a directory ...) goes to the caller
        magic = file.read(6)
    try:
        if magic[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):  # an .npz is a zip archive
            found = {b"": "it is empty", b"\x93NUMPY": "it is a single .npy array"}
            raise ValueError(found.get(magic, "it is not a zip archive"))
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as error:
        reason = "it holds pickled objects" if "pickle" in str(error) else str(error)
        raise ValueError(f"{name} must be an nn_engine model (.npz), but {reason}.") from None
    except (EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise ValueError(
            f"{name} must be an nn_engine model (.npz), but it is damaged ({error})."
        ) from None

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
    architecture = architecture_from_json(_scalar(arrays, "architecture", "U"))
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

    net = Network(architecture, init=init, seed=None if seed == -1 else seed, dtype=dtype)
    net.set_params(params)
    return net
