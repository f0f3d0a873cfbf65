"""Session files: everything needed to come back to a playground exactly as it was.

File format "nn-playground-session", format 3, extension ``.nnpg``
====================================================================

A zip archive (stored or deflate members only) holding one JSON document and NumPy ``.npy``
arrays of numbers (never pickles): a session file never runs code.

``session.json`` (UTF-8, strict JSON: no NaN or Infinity tokens, nested at most
``MAX_NESTING_DEPTH`` levels, at most 4 MiB), an object with exactly::

    format           "nn-playground-session"
    format_version   3 (1 and 2 are read too)
    architecture     {"hidden_layers": [{"units": 25, "activation": "relu"}, ...],
                      "features": ["x1", "x2", ...]} (formats 1 and 2: no "features"; their
                     networks see x1 and x2); each feature a built-in name or an expression
                     ``nn_engine.parse_feature`` accepts, distinct, at most MAX_FEATURES
    hyperparameters  {"optimizer", "learning_rate", "batch_size", "regularization",
                      "regularization_rate", "init", "seed", "epochs_per_refresh"}
    data_settings    {"generator", "n_points", "noise", "seed", "test_ratio", "show_test",
                      "split_seed"}
    epoch            completed training epochs, an int in 0..MAX_EPOCH
    view_range       [x0, y0, x1, y1] of the data plot (x0 < x1, y0 < y1, within
                     +-VIEW_LIMIT, at least MIN_VIEW_SPAN wide and high), or null
    weights          true when the weights/ members hold the network's parameters;
                     false for an untrained session
    trainer_state    null, or ``nn_engine.Trainer.state_dict()`` (optimizer state, shuffling
                     generator, position in the epoch, ...) in JSON, where each array is
                     replaced by {"$array": "trainer/<k>.npy"}, each tuple by
                     {"$tuple": [...]}, each non-finite float by
                     {"$float": "nan" | "inf" | "-inf"}, and (format 2) each of the four
                     metric lists of its "history" by {"$history": "loss" | "accuracy" |
                     "val_loss" | "val_accuracy"}: the history/ member of that name, which
                     the trainer's history must equal

The other members (no others are allowed)::

    points/X.npy          (n, 2)   float64   coordinates, finite, within +-COORDINATE_LIMIT
    points/labels.npy     (n,)     int64     class, 0 or 1
    points/is_test.npy    (n,)     bool      True for a test point
    history/loss.npy      (e,)     float64   training loss per epoch, finite
    history/accuracy.npy  (e,)     float64   training accuracy per epoch
    history/val_loss.npy  (v,)     float64   test loss per epoch, v <= e
    history/val_accuracy.npy (v,)  float64   test accuracy per epoch
    weights/W<i>.npy      (out, in) float64 or float32   layer i's weights (i = 0 next to the
    weights/b<i>.npy      (out,)    same dtype            input, ``in`` = number of features),
                                                          only when "weights" is true
    trainer/<k>.npy       any shape, bool/integer/float  arrays of the trainer state

Compatibility: a reader refuses a file whose ``format_version`` is higher than its own (it
cannot know what it would lose); any change an older reader could not safely ignore bumps the
version. Format 2 added the ``$history`` marker: format 1 wrote the trainer's history a second
time as JSON lists, which made saving 300 000 epochs take seconds. The history is stored as
arrays: long runs stay small and bit-exact. Format 3 added the input features: an older reader
would silently train on x1 and x2 instead.

Limits (see :func:`load_session`): the file at most ``MAX_FILE_BYTES`` (256 MiB), its members
unpacked at most ``MAX_UNPACKED_BYTES`` (1 GiB) and at most 20 times the file's size beyond
32 MiB, counted while decompressing; :func:`save_session` never writes a file beyond them.

Loading checks everything (structure, types, shapes, dtypes, finiteness, labels, coordinates
within ``COORDINATE_LIMIT``, nesting, values the window can show (seeds up to
``MAX_SESSION_SEED``, batch size up to ``MAX_BATCH_SIZE``), consistency with the architecture,
and that the trainer state fits a network of this architecture, keeps the playground's fixed
settings and can train one more step) and raises ``ValueError`` with a message naming the file
and the problem, or ``OSError`` when the file cannot be read; it never returns a partial
session, and no other exception type escapes it.
"""

import errno
import io
import json
import math
import os
import re
import secrets
import stat
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

import nn_engine
from nn_engine.validation import floats_to_array, only_types

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there anyway
    fcntl = None
from playground.state.architecture import Architecture
from playground.state.data_settings import DataSettings
from playground.state.hyperparameters import (
    LEARNING_RATE_RANGE,
    REGULARIZATION_RATE_RANGE,
    Hyperparameters,
)
from playground.state.points import COORDINATE_LIMIT, PointSet
from playground.state.validation import check_float, check_int, check_keys

FORMAT_NAME = "nn-playground-session"
FORMAT_VERSION = 3
SESSION_EXTENSION = ".nnpg"
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")

_JSON_MEMBER = "session.json"
_POINT_MEMBERS = {
    "X": ("points/X.npy", np.dtype(np.float64)),
    "labels": ("points/labels.npy", np.dtype(np.int64)),
    "is_test": ("points/is_test.npy", np.dtype(np.bool_)),
}
_TOP_LEVEL_KEYS = (
    "format",
    "format_version",
    "architecture",
    "hyperparameters",
    "data_settings",
    "epoch",
    "view_range",
    "weights",
    "trainer_state",
)
# What a session may hold beyond the checks of its parts: the window shows every value in a
# widget, and a value a widget cannot show (a C-int spin box holds at most 2**31 - 1) would fail
# there, after part of the window had changed.
MAX_SESSION_SEED = 2**31 - 1
MAX_BATCH_SIZE = 100_000
MAX_EPOCH = 2**53  # epochs are plotted as floats: beyond this they are no longer exact
VIEW_LIMIT = 10 * COORDINATE_LIMIT  # the data plot's view stays within +-VIEW_LIMIT
MIN_VIEW_SPAN = 1e-6  # and is at least this wide and high
MAX_NESTING_DEPTH = 64  # of session.json and of a trainer state (a real one is about 6 deep)
_MAX_STOPPED_REASON = 1000  # characters of the trainer's stop message

# Limits against hostile files, on what is really read and decompressed. A session is a few
# MB (a million points take 25 MB, 300 000 epochs of history 10 MB).
MAX_FILE_BYTES = 256 * 2**20  # on disk
MAX_UNPACKED_BYTES = 2**30  # all members decompressed
# ... and at most this many times the file's size beyond the allowance: a 10 MB zip bomb then
# unpacks to at most 200 MB before it is refused. Arrays of floats barely compress, so real
# sessions stay far below; save_session stores its members uncompressed when they would not.
_MAX_UNPACKED_RATIO = 20
_UNPACKED_ALLOWANCE = 32 * 2**20
# Parsed JSON takes up to 25 times its size in Python objects ("[[],[],...]"): a session.json
# holds settings and the trainer state's small values, a few kB.
_MAX_JSON_BYTES = 4 * 2**20
_MAX_MEMBERS = 1000
# Temporary files of save_session: ".<target name>.<16 hex digits>.tmp" next to the target.
_TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY_PATTERN = re.compile(r"\.(?P<target>.+)\.[0-9a-f]{16}\.tmp")
_FRESH_SECONDS = 60.0
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


# ------------------------------------------------------------------------------ Session


@dataclass(frozen=True, eq=False)
class Session:
    """Everything a session file holds; checked and copied when built.

    Parameters
    ----------
    points : PointSet
        The points, labels and split (copied).
    architecture : Architecture
    hyperparameters : Hyperparameters
    data_settings : DataSettings
    weights : list of {"W": (out, in) array, "b": (out,) array}, or None
        The network's parameters as ``nn_engine.Network.get_params()`` gives them, one dict per
        layer, shapes matching ``architecture``; float64 or float32, finite. None = untrained.
    trainer_state : dict or None
        ``nn_engine.Trainer.state_dict()``: JSON-able values and numpy arrays. It needs
        ``weights``, must load into a trainer of this architecture and optimizer, and its
        parameters and epoch must equal ``weights`` and ``epoch``.
        The playground's own rules apply too: no early stopping, the optimizer's fixed
        hyperparameters (betas, epsilon, momentum) as the playground sets them, a finite
        history equal to ``history``, and a state that survives one training step.
    epoch : int
        Completed epochs, at most ``MAX_EPOCH``.
    history : mapping
        ``{"loss", "accuracy", "val_loss", "val_accuracy"}`` -> 1-D sequences of finite floats
        (what the metric plots show); loss and accuracy of equal length, val_loss and
        val_accuracy of equal length, no longer than loss. Empty by default.
    view_range : (x0, y0, x1, y1) or None
        The data plot's view: x0 < x1 and y0 < y1, every value within ``+-VIEW_LIMIT``, at
        least ``MIN_VIEW_SPAN`` wide and high.

    The seeds (of ``hyperparameters``, ``data_settings`` and the trainer state) must be at most
    ``MAX_SESSION_SEED`` and the batch size at most ``MAX_BATCH_SIZE``: what the window's spin
    boxes can show.

    Raises
    ------
    TypeError, ValueError
        Naming the first problem.
    """

    points: PointSet
    architecture: Architecture
    hyperparameters: Hyperparameters
    data_settings: DataSettings
    weights: list[dict[str, NDArray[np.floating]]] | None = None
    trainer_state: dict[str, Any] | None = None
    epoch: int = 0
    history: Mapping[str, Sequence[float]] = field(default_factory=dict)
    view_range: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        for name, kind in (
            ("points", PointSet),
            ("architecture", Architecture),
            ("hyperparameters", Hyperparameters),
            ("data_settings", DataSettings),
        ):
            value = getattr(self, name)
            if not isinstance(value, kind):
                raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}.")
            self._set(name, value.copy())  # a snapshot: later edits must not leak in
        _check_shown_settings(self.hyperparameters, self.data_settings)
        self._set("epoch", check_int("epoch", self.epoch, low=0, high=MAX_EPOCH))
        self._set("history", _check_history(self.history))
        self._set("view_range", _check_view_range(self.view_range))
        if self.weights is not None:
            self._set("weights", _check_weights(self.weights, self.architecture))
        if self.trainer_state is not None:
            if self.weights is None:
                raise ValueError("trainer_state must come with weights, got weights None.")
            _check_nesting("trainer_state", self.trainer_state)
            self._set("trainer_state", _copy_state(self.trainer_state))
            _check_trainer_state(self)

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)  # frozen; only __post_init__ normalises

    def __eq__(self, other: object) -> bool:
        """Exact equality: arrays bit-identical (same dtype and shape), everything else equal."""
        if not isinstance(other, Session):
            return NotImplemented
        return all(
            _exactly_equal(getattr(self, name), getattr(other, name))
            for name in self.__dataclass_fields__
        )

    __hash__ = None

    def __repr__(self) -> str:
        trained = "untrained" if self.weights is None else f"epoch {self.epoch}"
        return f"Session({len(self.points)} points, {self.architecture.summary()}, {trained})"


def _check_history(history: Any) -> dict[str, NDArray[np.float64]]:
    if isinstance(history, Mapping) and not history:
        history = {key: [] for key in HISTORY_KEYS}
    check_keys("history", history, HISTORY_KEYS)
    result = {}
    for key in HISTORY_KEYS:
        values = np.asarray(history[key])
        if values.size == 0:
            values = values.astype(np.float64)  # [] is float64 already; keep dtype checks simple
        if values.dtype.kind not in "iuf" or values.ndim != 1:
            raise ValueError(
                f"history {key} must be a 1-D sequence of numbers, "
                f"got dtype {values.dtype} with shape {values.shape}."
            )
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            index = int(np.flatnonzero(~np.isfinite(values))[0])
            raise ValueError(
                f"history {key} must contain only finite numbers, "
                f"got {values[index]} at epoch {index + 1}."
            )
        values.setflags(write=False)
        result[key] = values
    if len(result["accuracy"]) != len(result["loss"]):
        raise ValueError(
            f"history accuracy must have one value per loss value ({len(result['loss'])}), "
            f"got {len(result['accuracy'])}."
        )
    if len(result["val_accuracy"]) != len(result["val_loss"]):
        raise ValueError(
            f"history val_accuracy must have one value per val_loss value "
            f"({len(result['val_loss'])}), got {len(result['val_accuracy'])}."
        )
    if len(result["val_loss"]) > len(result["loss"]):
        raise ValueError(
            f"history val_loss must not be longer than loss ({len(result['loss'])}), "
            f"got {len(result['val_loss'])}."
        )
    return result


def _check_shown_settings(hyperparameters: Hyperparameters, data_settings: DataSettings) -> None:
    """Refuse settings valid in themselves that the window's widgets cannot show."""
    for part, name, value in (
        ("hyperparameters", "seed", hyperparameters.seed),
        ("data_settings", "seed", data_settings.seed),
        ("data_settings", "split_seed", data_settings.split_seed),
    ):
        if value is not None and value > MAX_SESSION_SEED:
            raise ValueError(f"{part}: {name} must be in 0..{MAX_SESSION_SEED}, got {value}.")
    if hyperparameters.batch_size > MAX_BATCH_SIZE:
        raise ValueError(
            f"hyperparameters: batch_size must be in 0..{MAX_BATCH_SIZE}, "
            f"got {hyperparameters.batch_size}."
        )


def _check_view_range(view_range: Any) -> tuple[float, float, float, float] | None:
    if view_range is None:
        return None
    if not isinstance(view_range, Sequence) or isinstance(view_range, str) or len(view_range) != 4:
        raise ValueError(f"view_range must be (x0, y0, x1, y1) or None, got {view_range!r:.80}.")
    x0, y0, x1, y1 = (
        check_float("view_range", value, low=-VIEW_LIMIT, high=VIEW_LIMIT) for value in view_range
    )
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"view_range must have x0 < x1 and y0 < y1, got {(x0, y0, x1, y1)!r}.")
    if x1 - x0 < MIN_VIEW_SPAN or y1 - y0 < MIN_VIEW_SPAN:
        raise ValueError(
            f"view_range must be at least {MIN_VIEW_SPAN:g} wide and high, "
            f"got {(x0, y0, x1, y1)!r}."
        )
    return (x0, y0, x1, y1)


def _check_nesting(name: str, value: Any, limit: int = MAX_NESTING_DEPTH) -> None:
    """Refuse dicts, lists and tuples nested deeper than ``limit`` (without recursing).

    Everything that walks a trainer state or a JSON document recursively (copying, encoding,
    comparing, ``copy.deepcopy`` in the worker) is then safe from RecursionError.

    Raises
    ------
    ValueError
        Naming ``name`` and the limit.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            raise ValueError(f"{name} must be nested at most {limit} levels deep, got more.")
        if not _only_plain_values(children):
            stack.extend(
                (child, depth + 1) for child in children if isinstance(child, dict | list | tuple)
            )


def _check_weights(weights: Any, architecture: Architecture) -> list[dict[str, np.ndarray]]:
    sizes = architecture.sizes()
    n_layers = len(sizes) - 1
    if not isinstance(weights, Sequence) or len(weights) != n_layers:
        count = len(weights) if isinstance(weights, Sequence) else type(weights).__name__
        raise ValueError(
            f"weights must have one entry per layer of {'-'.join(map(str, sizes))} "
            f"({n_layers}), got {count}."
        )
    dtypes = set()
    result = []
    for i, layer in enumerate(weights):
        check_keys(f"weights of layer {i}", layer, ("W", "b"))
        checked = {}
        for name, shape in (("W", (sizes[i + 1], sizes[i])), ("b", (sizes[i + 1],))):
            array = np.asarray(layer[name])
            label = f"weights of layer {i}: {name}"
            if array.dtype not in (np.float32, np.float64):
                raise ValueError(f"{label} must have dtype float64 or float32, got {array.dtype}.")
            if array.shape != shape:
                raise ValueError(
                    f"{label} must have shape {shape} to match the architecture "
                    f"{'-'.join(map(str, sizes))}, got {array.shape}."
                )
            if not np.isfinite(array).all():
                raise ValueError(f"{label} must contain only finite numbers, got NaN or inf.")
            array = array.copy()
            array.setflags(write=False)
            checked[name] = array
            dtypes.add(array.dtype)
        result.append(checked)
    if len(dtypes) > 1:
        raise ValueError(f"weights must all have one dtype, got {sorted(map(str, dtypes))}.")
    return result


_PLAIN_TYPES = frozenset((float, int, bool, str, type(None)))
_NUMBER_TYPES = frozenset((float, int))


def _only_plain_values(items: Any) -> bool:
    """Whether a list's items are all plain JSON scalars; fast (in C) for 300 000 floats."""
    return only_types(items, _PLAIN_TYPES)


def _copy_state(state: Any, path: str = "trainer_state") -> Any:
    """A deep copy of a trainer state, checking that it holds only what the file can store."""
    if type(state) in (list, tuple) and _only_plain_values(state):
        return type(state)(state)  # a history of 300 000 floats: one copy, not 300 000 calls
    if isinstance(state, dict):
        copy = {}
        for key, value in state.items():
            if not isinstance(key, str) or key.startswith("$"):
                raise ValueError(f"{path} keys must be strings not starting with '$', got {key!r}.")
            copy[key] = _copy_state(value, f"{path}[{key!r}]")
        return copy
    if isinstance(state, list | tuple):
        items = [_copy_state(value, f"{path}[{i}]") for i, value in enumerate(state)]
        return tuple(items) if isinstance(state, tuple) else items
    if isinstance(state, np.ndarray):
        if state.dtype.kind not in "biuf":
            raise ValueError(f"{path} must hold numbers, got an array of dtype {state.dtype}.")
        if state.dtype.kind == "f" and not np.isfinite(state).all():
            raise ValueError(f"{path} must contain only finite numbers, got NaN or inf.")
        copy = state.copy()
        copy.setflags(write=False)
        return copy
    if isinstance(state, np.generic):
        return _copy_state(state.item(), path)  # np.float64(0.5) -> 0.5: JSON stores the value
    if state is None or isinstance(state, bool | int | float | str):
        return state
    raise ValueError(
        f"{path} must hold only dicts, lists, tuples, numbers, strings, None and arrays, "
        f"got {type(state).__name__}."
    )


def _check_trainer_state(session: Session) -> None:
    """Check that the trainer state loads into a trainer for this network and agrees with it.

    The engine owns the state's layout, so the honest check is to let it load the state into a
    throwaway trainer (on two dummy points; the state holds no data), compare the result, and
    train it one step: a state the engine accepts but cannot train from is refused here, not
    in the training thread. Before that, the rules the engine cannot know: what the playground
    itself never changes, and a history it can show and save again.
    """
    state = session.trainer_state
    if not isinstance(state, dict):
        raise ValueError(f"trainer_state must be a dict, got {type(state).__name__}.")
    dtype = session.weights[0]["W"].dtype
    kwargs = {**session.hyperparameters.network_kwargs(), "dtype": dtype}
    net = nn_engine.Network(
        session.architecture.to_engine(), **session.architecture.network_kwargs(), **kwargs
    )
    trainer = nn_engine.Trainer(
        net,
        np.array([[0.0, 0.0], [1.0, 1.0]]),
        np.array([0, 1]),
        **session.hyperparameters.trainer_kwargs(),
    )
    _check_playground_rules(state, trainer.state_dict(), session.history)
    try:
        with np.errstate(all="ignore"):  # a bad state is reported below, not warned about
            trainer.load_state_dict(_thaw(state))
    except Exception as error:  # noqa: BLE001 - any refusal of the engine means a bad state
        raise ValueError(
            "trainer_state must fit the network and optimizer, got an engine error: "
            f"{_reason(error)}."
        ) from None
    for i, (loaded, saved) in enumerate(
        zip(trainer.net.get_params(), session.weights, strict=True)
    ):
        if not all(np.array_equal(loaded[k], saved[k]) for k in ("W", "b")):
            raise ValueError(
                f"trainer_state parameters must equal the weights, got a difference in layer {i}."
            )
    if trainer.epoch != session.epoch:
        raise ValueError(
            f"trainer_state epoch must equal epoch {session.epoch}, got {trainer.epoch}."
        )
    try:
        with np.errstate(all="ignore"):
            trainer.step_batch()
    except nn_engine.DivergenceError:
        pass  # training that diverges is reported to the user and rolled back: not a crash
    except Exception as error:  # noqa: BLE001 - whatever would crash the training thread
        raise ValueError(
            "trainer_state must allow training to continue, got "
            f"{type(error).__name__} in a trial step: {_reason(error)}."
        ) from None


def _check_playground_rules(
    state: dict[str, Any], fresh: dict[str, Any], history: Mapping[str, NDArray[np.float64]]
) -> None:
    """The parts of a trainer state that the playground fixes, compared with what it makes.

    ``fresh`` is the state of a new trainer built from the session's settings, as the window
    builds one. Anything malformed that is not checked here is left to the engine.
    """
    optimizer = state.get("optimizer")
    if isinstance(optimizer, dict) and optimizer.get("name") == fresh["optimizer"]["name"]:
        values = optimizer.get("hyperparameters")
        values = values if isinstance(values, dict) else {}
        for key, expected in fresh["optimizer"]["hyperparameters"].items():
            value = values.get(key, expected)
            if key == "learning_rate":
                low, high = LEARNING_RATE_RANGE
                if not _is_number(value) or not low <= value <= high:
                    raise ValueError(
                        f"trainer_state learning_rate must be between {low:g} and {high:g}, "
                        f"got {value!r:.80}."
                    )
            elif not _is_number(value) or value != expected:
                raise ValueError(
                    f"trainer_state optimizer {key} must be {expected!r} (the playground's), "
                    f"got {value!r:.80}."
                )
    for key in ("l1", "l2"):
        value = state.get(key, 0.0)
        high = REGULARIZATION_RATE_RANGE[1]
        if not _is_number(value) or not 0 <= value <= high:
            raise ValueError(
                f"trainer_state {key} must be between 0 and {high:g}, got {value!r:.80}."
            )
    batch_size = state.get("batch_size")
    if batch_size is not None and (
        not _is_integer(batch_size) or not 1 <= batch_size <= MAX_BATCH_SIZE
    ):
        raise ValueError(
            f"trainer_state batch_size must be None or in 1..{MAX_BATCH_SIZE}, "
            f"got {batch_size!r:.80}."
        )
    seed = state.get("seed")
    if seed is not None and (not _is_integer(seed) or not 0 <= seed <= MAX_SESSION_SEED):
        raise ValueError(
            f"trainer_state seed must be None or in 0..{MAX_SESSION_SEED}, got {seed!r:.80}."
        )
    # The playground never uses early stopping; these stay as a new trainer has them.
    for key in ("early_stopping_patience", "best_params", "stopped"):
        value = state.get(key, fresh[key])
        if not (value is fresh[key] or (type(value) is type(fresh[key]) and value == fresh[key])):
            shown = (
                f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else repr(value)
            )
            raise ValueError(
                f"trainer_state {key} must be {fresh[key]!r} (the playground does not use early "
                f"stopping), got {shown:.80}."
            )
    sums = state.get("sums")
    if isinstance(sums, list | tuple) and len(sums) == 3:
        loss_sum, accuracy_sum, count = sums
        if not (
            _is_number(loss_sum)
            and _is_number(accuracy_sum)
            and _is_integer(count)
            and math.isfinite(loss_sum)
            and 0 <= accuracy_sum <= count
            and loss_sum >= 0
        ):
            raise ValueError(
                "trainer_state sums must be [loss sum >= 0, accuracy sum, count >= accuracy "
                f"sum], all finite, got {sums!r:.80}."
            )
    _check_state_history(state.get("history"), history)


def _check_state_history(saved: Any, history: Mapping[str, NDArray[np.float64]]) -> None:
    """The trainer's own history must be finite (it is saved again) and equal ``history``."""
    if not isinstance(saved, dict):
        return  # left to the engine, which refuses it
    for key in HISTORY_KEYS:
        values = saved.get(key)
        try:
            if not isinstance(values, list | tuple):
                raise TypeError
            if not only_types(values, _NUMBER_TYPES) and bool in set(map(type, values)):
                raise TypeError
            array = floats_to_array(values)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                f"trainer_state history {key} must be a list of numbers, got {values!r:.80}."
            ) from None
        if array.ndim != 1 or not np.isfinite(array).all():
            raise ValueError(
                f"trainer_state history {key} must contain only finite numbers, "
                "got NaN, inf or a nested list."
            )
        if not np.array_equal(array, history[key]):
            raise ValueError(
                f"trainer_state history {key} must equal history {key}, got a difference."
            )
    reason = saved.get("stopped_reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > _MAX_STOPPED_REASON):
        raise ValueError(
            f"trainer_state history stopped_reason must be None or a text of at most "
            f"{_MAX_STOPPED_REASON} characters, got {reason!r:.80}."
        )
    if saved.get("best_epoch") is not None:
        raise ValueError(
            "trainer_state history best_epoch must be None (the playground does not use early "
            f"stopping), got {saved['best_epoch']!r:.80}."
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _thaw(state: Any) -> Any:
    """Writable copies of the arrays in a state (the engine may keep and update them)."""
    if type(state) in (list, tuple) and _only_plain_values(state):
        return type(state)(state)
    if isinstance(state, dict):
        return {key: _thaw(value) for key, value in state.items()}
    if isinstance(state, list | tuple):
        return type(state)(_thaw(value) for value in state)
    if isinstance(state, np.ndarray):
        return state.copy()
    return state


def _exactly_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and a.tobytes() == b.tobytes()
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_exactly_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_exactly_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


# ------------------------------------------------------------------------------- saving


def save_session(path: str | os.PathLike, session: Session) -> None:
    """Write ``session`` to ``path`` atomically.

    The file is written to a temporary file next to ``path`` (``.<name>.<16 hex digits>.tmp``),
    flushed to disk, then renamed over ``path`` in one step: a crash or a full disk mid-save
    leaves the previous file intact, and the temporary file is removed on any failure. An
    existing file keeps its permission bits; a read-only one is refused, not replaced; a
    symbolic link is followed (the file it points to is replaced, the link stays). After a
    successful save, temporaries that earlier saves of ``path`` left behind (a killed process)
    are removed (see :func:`remove_stale_temporary_files`).

    Parameters
    ----------
    path : str or PathLike
        Usually ending in ``.nnpg`` (not enforced).
    session : Session

    Raises
    ------
    TypeError
        If ``session`` is not a Session.
    OSError
        If the file cannot be written (``PermissionError`` for a read-only file, errno
        ``EFBIG`` for a session larger than :func:`load_session` reads); ``path`` is then
        unchanged. ``filename`` is ``path`` and ``strerror`` the reason, never the
        temporary file.
    """
    if not isinstance(session, Session):
        raise TypeError(f"session must be a Session, got {type(session).__name__}.")
    try:
        data = session_to_bytes(session)
    except ValueError as error:  # only a size limit: the session itself is valid
        raise OSError(errno.EFBIG, _reason(error), os.fspath(path)) from None
    try:
        target = Path(os.path.realpath(path))
        _replace_file(target, data)
    except OSError as error:
        raise _naming(error, path) from None
    remove_stale_temporary_files(target)


def _replace_file(target: Path, data: bytes) -> None:
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        mode = None
    else:
        if stat.S_ISDIR(existing.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
        if not stat.S_ISREG(existing.st_mode):
            raise OSError(errno.EINVAL, "Not a regular file: it was not replaced")
        # os.access alone is not enough: it says "writable" to root whatever the mode bits.
        if not existing.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, "Permission denied: it is read-only")
        mode = stat.S_IMODE(existing.st_mode)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}{_TEMPORARY_SUFFIX}")
    # A new file gets 0o666 minus the umask, like any new file; an existing one keeps its mode.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            if fcntl is not None:
                # Held until the rename: remove_stale_temporary_files leaves a locked file alone.
                fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            if mode is not None:
                os.chmod(temporary, mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            if fcntl is not None:
                os.replace(temporary, target)
        if fcntl is None:  # Windows renames only closed files
            os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _naming(error: OSError, path: str | os.PathLike) -> OSError:
    """The same error, about the user's file: no temporary name, no "the file"."""
    reason = error.strerror or _reason(error)
    return OSError(error.errno, reason, os.fspath(path))  # errno picks the subclass


def remove_stale_temporary_files(directory_or_target: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that interrupted saves left behind; return what was deleted.

    :func:`save_session` writes ``.<name>.<16 hex digits>.tmp`` next to the file it saves and
    renames it when complete; a process killed in between leaves it behind, as large as the
    session. Given a session file, this removes that file's leftovers; given a directory, those
    of every ``*.nnpg`` file in it. A temporary that a save is still writing (in this or another
    process) is left alone, as is one that was created in the last minute and is still empty.
    Nothing else is touched, and a file that cannot be removed is skipped: this never raises.

    Parameters
    ----------
    directory_or_target : str or PathLike
        A directory, or the path of a session file (which need not exist).

    Returns
    -------
    list of Path
        The removed files.
    """
    path = Path(directory_or_target)
    if path.is_dir():
        directory, target_name = path, None
    else:
        resolved = Path(os.path.realpath(path))  # save_session writes next to the real file
        directory, target_name = resolved.parent, resolved.name
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    removed = []
    for entry in entries:
        match = _TEMPORARY_PATTERN.fullmatch(entry.name)
        if match is None:
            continue
        if target_name is None:
            if not match["target"].endswith(SESSION_EXTENSION):
                continue
        elif match["target"] != target_name:
            continue
        if _remove_if_abandoned(Path(entry.path)):
            removed.append(Path(entry.path))
    return sorted(removed)


def _remove_if_abandoned(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False  # gone, a symbolic link, or not ours to read
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a save is writing it
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        if info.st_size == 0 and time.time() - info.st_mtime < _FRESH_SECONDS:
            return False  # maybe created a moment ago by a save that has not locked it yet
        if fcntl is None:
            os.close(fd)  # Windows: unlink fails while a save still has it open, as wanted
            fd = -1
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        if fd >= 0:
            os.close(fd)


def session_to_bytes(session: Session) -> bytes:
    """The bytes of the session file for ``session`` (what :func:`save_session` writes).

    Raises
    ------
    ValueError
        If the file would be larger than :func:`load_session` reads (``MAX_FILE_BYTES`` on
        disk, ``MAX_UNPACKED_BYTES`` unpacked, or a trainer state whose JSON exceeds 4 MiB).
    """
    members: dict[str, np.ndarray] = {}
    for name, (member, _) in _POINT_MEMBERS.items():
        members[member] = getattr(session.points, name)
    for key in HISTORY_KEYS:
        members[f"history/{key}.npy"] = session.history[key]
    for i, layer in enumerate(session.weights or []):
        members[f"weights/W{i}.npy"] = layer["W"]
        members[f"weights/b{i}.npy"] = layer["b"]
    trainer_state = None
    if session.trainer_state is not None:
        # The trainer's history equals session.history (Session checks it): refer to those
        # arrays rather than write 300 000 epochs of floats into session.json a second time.
        state = dict(session.trainer_state)
        state["history"] = {
            key: {"$history": key} if key in HISTORY_KEYS else value
            for key, value in state["history"].items()
        }
        trainer_state = _encode_state(state, members)
    document = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "architecture": session.architecture.to_dict(),
        "hyperparameters": session.hyperparameters.to_dict(),
        "data_settings": session.data_settings.to_dict(),
        "epoch": session.epoch,
        "view_range": None if session.view_range is None else list(session.view_range),
        "weights": session.weights is not None,
        "trainer_state": trainer_state,
    }
    text = json.dumps(document, indent=1, allow_nan=False).encode("utf-8")
    if len(text) > _MAX_JSON_BYTES:
        raise ValueError(
            f"session is too large to save: its {_JSON_MEMBER} would take {len(text):,} "
            f"bytes, the limit is {_MAX_JSON_BYTES:,}."
        )
    contents = [(_JSON_MEMBER, text)]
    for member, array in members.items():
        npy = io.BytesIO()
        np.save(npy, array, allow_pickle=False)
        contents.append((member, npy.getvalue()))
    unpacked = sum(len(content) for _, content in contents)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValueError(
            f"session is too large to save: {unpacked:,} bytes unpacked, "
            f"the limit is {MAX_UNPACKED_BYTES:,}."
        )
    data = _zip(contents, zipfile.ZIP_DEFLATED)
    if unpacked > _unpacked_limit(len(data)):
        # Very repetitive data (a million identical points) compresses more than the reader
        # lets a zip bomb unpack: stored members keep the file readable.
        data = _zip(contents, zipfile.ZIP_STORED)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(
            f"session is too large to save: {len(data):,} bytes, the limit is {MAX_FILE_BYTES:,}."
        )
    return data


def _zip(contents: list[tuple[str, bytes]], method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in contents:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


def _encode_state(state: Any, members: dict[str, np.ndarray]) -> Any:
    """JSON form of a (checked) trainer state; its arrays are added to ``members``."""
    if isinstance(state, dict):
        return {key: _encode_state(value, members) for key, value in state.items()}
    if isinstance(state, tuple):
        return {"$tuple": [_encode_state(value, members) for value in state]}
    if isinstance(state, list):
        return [_encode_state(value, members) for value in state]
    if isinstance(state, np.ndarray):
        name = f"trainer/{sum(m.startswith('trainer/') for m in members)}.npy"
        members[name] = state
        return {"$array": name}
    if isinstance(state, float) and not math.isfinite(state):
        return {"$float": "nan" if math.isnan(state) else ("inf" if state > 0 else "-inf")}
    return state


# ------------------------------------------------------------------------------ loading


def load_session(path: str | os.PathLike) -> Session:
    """Read a session file, checking everything.

    Only a regular file of at most 256 MiB is read (a FIFO or ``/dev/zero`` is refused without
    reading); its members may unpack to at most 1 GiB, and to at most 20 times the file's size
    beyond the first 32 MiB, counted on what is really decompressed; only stored and deflate
    members are accepted (see :func:`nn_engine.io.read_zip`).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    Session

    Raises
    ------
    OSError
        If the file cannot be read (missing, a directory, no permission).
    ValueError
        If the content is not a valid session of a format this version reads; the message
        names the file and the problem, e.g. ``"old.nnpg was written by a newer NN Playground
        (format 4); this version reads format 3."``.
    """
    name = Path(path).name or os.fspath(path)
    data = nn_engine.io.read_regular_file(path, max_bytes=MAX_FILE_BYTES, name=name)
    return session_from_bytes(data, name)


def session_from_bytes(data: bytes, name: str) -> Session:
    """Parse the bytes of a session file (see :func:`load_session`); ``name`` is for messages.

    Raises
    ------
    ValueError
        If ``data`` is not a valid session file; the message starts with ``name``.
    """
    try:
        return _session_from_bytes(data, name)
    except ValueError as error:
        if str(error).startswith(name):
            raise
        raise ValueError(f"{name}: {_reason(error)}.") from None
    except Exception as error:  # noqa: BLE001 - a crafted file must never escape as another type
        # (an unforeseen TypeError, RecursionError, MemoryError... deep in a check)
        raise ValueError(
            f"{name} cannot be read as an NN Playground session: "
            f"{type(error).__name__}: {_reason(error)}."
        ) from None


def _unpacked_limit(file_bytes: int) -> int:
    """The most a session file of ``file_bytes`` may unpack to (save_session stays within it)."""
    return min(MAX_UNPACKED_BYTES, max(_UNPACKED_ALLOWANCE, _MAX_UNPACKED_RATIO * file_bytes))


def _session_from_bytes(data: bytes, name: str) -> Session:
    if not data:
        raise ValueError(f"{name} is empty: it is not an NN Playground session file.")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(
            f"{name} is too large for an NN Playground session: {len(data):,} bytes, "
            f"the limit is {MAX_FILE_BYTES:,}."
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK"):
            raise ValueError(f"{name} is damaged or truncated: its zip directory is missing.")
        raise ValueError(f"{name} is not an NN Playground session file (not a zip archive).")
    members = nn_engine.io.read_zip(
        data, name=name, max_total_bytes=_unpacked_limit(len(data)), max_members=_MAX_MEMBERS
    )
    return _read_members(members, name)


def _read_members(members: dict[str, bytes], name: str) -> Session:
    """The session in ``members`` (name -> bytes); arrays are decoded as they are needed."""
    if _JSON_MEMBER not in members:
        raise ValueError(
            f"{name} is not an NN Playground session file (a zip archive without {_JSON_MEMBER})."
        )
    raw = members.pop(_JSON_MEMBER)
    if len(raw) > _MAX_JSON_BYTES:
        raise ValueError(
            f"{name}: {_JSON_MEMBER} must be at most {_MAX_JSON_BYTES:,} bytes, got {len(raw):,}."
        )
    document = _parse_json(raw, name)

    expected = {member for member, _ in _POINT_MEMBERS.values()}
    expected |= {f"history/{key}.npy" for key in HISTORY_KEYS}
    with_features = document["format_version"] >= 3  # features came with format 3
    architecture = _parse_part(
        name,
        "architecture",
        lambda data: Architecture.from_dict(data, with_features=with_features),
        document,
    )
    if document["weights"]:
        for i in range(len(architecture.sizes()) - 1):
            expected |= {f"weights/W{i}.npy", f"weights/b{i}.npy"}
    references: list[str] = []
    trainer_json = document["trainer_state"]
    _collect_array_references(trainer_json, references, name)
    expected |= set(references)
    missing = sorted(expected - set(members))
    if missing:
        raise ValueError(f"{name} is incomplete: member {missing[0]!r} is missing.")
    unexpected = sorted(set(members) - expected)
    if unexpected:
        raise ValueError(
            f"{name} has an unexpected member {unexpected[0]!r:.80} "
            f"(not part of format {FORMAT_VERSION})."
        )

    # pop: each member's bytes are freed once its array exists
    arrays = {
        member: nn_engine.io.npy_from_bytes(members.pop(member), name=f"{name}: {member}")
        for member in sorted(expected)
    }
    for member, dtype in _POINT_MEMBERS.values():
        _check_dtype(name, member, arrays[member], (dtype,))
    for key in HISTORY_KEYS:
        _check_dtype(name, f"history/{key}.npy", arrays[f"history/{key}.npy"], (np.float64,))
    weights = None
    if document["weights"]:
        weights = []
        for i in range(len(architecture.sizes()) - 1):
            layer = {}
            for part in ("W", "b"):
                member = f"weights/{part}{i}.npy"
                _check_dtype(name, member, arrays[member], (np.float64, np.float32))
                layer[part] = arrays[member]
            weights.append(layer)

    try:
        points = PointSet(*(arrays[member] for member, _ in _POINT_MEMBERS.values()))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: points: {error}") from None
    hyperparameters = _parse_part(name, "hyperparameters", Hyperparameters.from_dict, document)
    data_settings = _parse_part(name, "data_settings", DataSettings.from_dict, document)
    trainer_state = None if trainer_json is None else _decode_state(trainer_json, arrays)
    try:
        return Session(
            points=points,
            architecture=architecture,
            hyperparameters=hyperparameters,
            data_settings=data_settings,
            weights=weights,
            trainer_state=trainer_state,
            epoch=document["epoch"],
            history={key: arrays[f"history/{key}.npy"] for key in HISTORY_KEYS},
            view_range=document["view_range"],
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: {error}") from None


def _parse_json(raw: bytes, name: str) -> dict[str, Any]:
    def refuse_constant(token: str) -> None:
        raise ValueError(f"{_JSON_MEMBER} must be strict JSON, got {token}.")

    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=refuse_constant)
    except RecursionError:
        raise ValueError(
            f"{name}: {_JSON_MEMBER} must be nested at most {MAX_NESTING_DEPTH} levels deep, "
            "got more."
        ) from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ValueError(f"{name}: {_JSON_MEMBER} is not valid JSON: {_reason(error)}.") from None
    try:
        _check_nesting(_JSON_MEMBER, document)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    if not isinstance(document, dict):
        raise ValueError(
            f"{name} is not an NN Playground session file ({_JSON_MEMBER} is not an object)."
        )
    if document.get("format") != FORMAT_NAME:
        raise ValueError(
            f"{name} is not an NN Playground session file "
            f"(format {document.get('format')!r:.80}, expected {FORMAT_NAME!r})."
        )
    version = document.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{name}: format_version must be an integer >= 1, got {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{name} was written by a newer NN Playground (format {version}); "
            f"this version reads format {FORMAT_VERSION}."
        )
    try:
        check_keys(_JSON_MEMBER, document, _TOP_LEVEL_KEYS)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: {error}") from None
    if not isinstance(document["weights"], bool):
        raise ValueError(f"{name}: weights must be true or false, got {document['weights']!r}.")
    return document


def _parse_part(name: str, key: str, parse: Any, document: dict[str, Any]) -> Any:
    try:
        return parse(document[key])
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: {key}: {error}") from None


_FLOAT_MARKERS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _collect_array_references(value: Any, references: list[str], name: str) -> None:
    """Check the markers of a trainer state's JSON and list the array members it refers to."""
    if isinstance(value, dict):
        if any(key.startswith("$") for key in value):
            if len(value) != 1:
                raise ValueError(f"{name}: trainer_state has a malformed marker {value!r:.80}.")
            ((marker, content),) = value.items()
            if marker == "$array":
                if not isinstance(content, str) or not content.startswith("trainer/"):
                    raise ValueError(
                        f"{name}: trainer_state array references must name a trainer/ member, "
                        f"got {content!r:.80}."
                    )
                if content in references:
                    raise ValueError(f"{name}: trainer_state refers to {content!r} twice.")
                references.append(content)
            elif marker == "$tuple":
                if not isinstance(content, list):
                    raise ValueError(
                        f"{name}: trainer_state $tuple must hold a list, got {content!r:.80}."
                    )
                _collect_array_references(content, references, name)
            elif marker == "$history":
                if content not in HISTORY_KEYS:
                    known = ", ".join(repr(key) for key in HISTORY_KEYS)
                    raise ValueError(
                        f"{name}: trainer_state $history must be one of {known}, "
                        f"got {content!r:.80}."
                    )
            elif marker == "$float":
                if not isinstance(content, str) or content not in _FLOAT_MARKERS:
                    raise ValueError(
                        f"{name}: trainer_state $float must be 'nan', 'inf' or '-inf', "
                        f"got {content!r:.80}."
                    )
            else:
                raise ValueError(f"{name}: trainer_state has an unknown marker {marker!r:.80}.")
            return
        for item in value.values():
            _collect_array_references(item, references, name)
    elif isinstance(value, list):
        for item in value:
            _collect_array_references(item, references, name)


def _decode_state(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Inverse of :func:`_encode_state`, for JSON checked by :func:`_collect_array_references`."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith("$"):
            ((marker, content),) = value.items()
            if marker == "$array":
                return arrays[content]
            if marker == "$tuple":
                return tuple(_decode_state(item, arrays) for item in content)
            if marker == "$history":
                return arrays[f"history/{content}.npy"].tolist()
            return _FLOAT_MARKERS[content]
        return {key: _decode_state(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode_state(item, arrays) for item in value]
    return value


def _reason(error: BaseException) -> str:
    """An exception as the end of a sentence (our messages add their own full stop)."""
    return str(error).rstrip(".") or type(error).__name__


def _check_dtype(name: str, member: str, array: np.ndarray, dtypes: tuple) -> None:
    if array.dtype not in dtypes:
        allowed = " or ".join(str(np.dtype(d)) for d in dtypes)
        raise ValueError(f"{name}: {member} must have dtype {allowed}, got {array.dtype}.")
