"""Training: the article's loop as a step-wise :class:`Trainer`, and :func:`train` on top of it.

An epoch of full-batch gradient descent is the article's iteration: forward pass, cost and
accuracy of that pass, backward pass, update. The recorded loss and accuracy of an epoch are
those of the forward passes that produced its gradients (for mini-batches, their mean weighted by
batch size); validation metrics are measured after the epoch's last update.
"""

import math
import numbers
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import threadpool_limits

from nn_engine.features import DEFAULT_FEATURES
from nn_engine.network import N_COORDINATES, Network, TrainingInterrupted
from nn_engine.optimizers import make_optimizer
from nn_engine.validation import (
    check_both_classes,
    check_float,
    check_int,
    check_seed,
    check_X,
    check_y,
    floats_to_array,
    only_types,
    shorten,
)

# The divergence rule. A network that predicts a constant 0.5 has a loss of ln 2, and training
# moves the loss down from its first epoch's value; even a poor network stays within a few
# times that. A mean loss above 100 times the reference (69.3 for ln 2) means the average
# point gets a probability under e^-69 (1e-30) for its own class: only weights that have
# blown up do that, and they overflow a few epochs later. The reference is the larger of ln 2
# and the first epoch's loss, so that data far from unit scale (whose first loss may be in
# the hundreds) are not mistaken for a blow-up; it is read from the history, so a restored
# state keeps it. Weights of these networks live within a few units (initialisations give
# 0.01-1), so a magnitude above 1e6 is as far outside any sane run.
LOSS_FACTOR = 100
MAX_WEIGHT = 1e6
# A trainer's attributes that Trainer.export_progress hands to a twin (besides the parameters):
# hyperparameters, the optimizer with its state, the shuffling generator, the epoch in
# progress, the early-stopping record and the divergence backups.
_PROGRESS = (
    "_batch_size",
    "_l1",
    "_l2",
    "seed",
    "early_stopping_patience",
    "stopped",
    "_optimizer",
    "_rng",
    "_order",
    "_cursor",
    "_sums",
    "_best_params",
    "_best_val_loss",
    "_backups",
)


class DivergenceError(ArithmeticError):
    """Training blew up; the last weights that were still sane are restored.

    The rule: the loss of a batch is not finite, or (from the second epoch on) exceeds
    :data:`LOSS_FACTOR` (100) times the larger of ln 2 (the loss of a constant guess of 0.5)
    and the first epoch's loss; or after an update a weight or bias is not finite or exceeds
    :data:`MAX_WEIGHT` (1e6) in magnitude.

    Attributes
    ----------
    epoch : int
        The (1-based) epoch that failed.
    quantity : {"loss", "weights"}
    value_name : {"inf", "NaN", "too large"}
        What the quantity became; "too large" is finite but beyond its limit.
    value : float
        The loss, or the largest weight magnitude.
    limit : float
        The limit that was passed (inf where only finiteness was checked).
    restored_epoch : int
        The epoch whose weights the network now holds (0 = the initial weights); the history
        is cut back to it. A bad *loss* at epoch K is computed from the weights of epoch
        K - 1, so those are suspect and the weights of epoch K - 2 come back (their loss,
        measured during epoch K - 1, passed the rule); bad *weights* after an update of
        epoch K bring back those of epoch K - 1.
    """

    def __init__(
        self,
        epoch: int,
        quantity: str,
        value: float,
        restored_epoch: int,
        limit: float = math.inf,
        limit_text: str = "",
    ):
        self.epoch, self.quantity, self.value = epoch, quantity, float(value)
        self.limit, self.restored_epoch = float(limit), restored_epoch
        if math.isnan(value) or math.isinf(value):
            self.value_name = "NaN" if math.isnan(value) else "inf"
            what = f"{quantity} became {self.value_name}"
        else:
            self.value_name = "too large"
            what = f"{quantity} exceeded {limit_text or f'{limit:g}'}"
        super().__init__(f"{what} at epoch {epoch}; weights restored from epoch {restored_epoch}")


@dataclass
class EpochMetrics:
    """Metrics of one finished epoch (validation ones are None without validation data).

    Attributes
    ----------
    epoch : int
        1-based.
    loss, accuracy : float
        Of the forward passes that made the epoch's gradients (see the module).
    val_loss, val_accuracy : float or None
        Measured after the epoch's last update.
    grad_norms : tuple of float
        One per layer, in layer order: the Frobenius norm of the layer's ``dW`` (weights only,
        not the bias) in the epoch's last update (its last mini-batch), the gradient of the
        data loss alone, *without* the L1/L2 penalty terms. It is what the data ask of the
        layer, the quantity that vanishes or explodes in a deep network; the penalty's part,
        ``l1 * sign(W) + l2 * W``, follows from the weights.
    weight_norms : tuple of float
        One per layer: the Frobenius norm of the layer's ``W`` after that update.
    """

    epoch: int
    loss: float
    accuracy: float
    val_loss: float | None = None
    val_accuracy: float | None = None
    grad_norms: tuple[float, ...] = ()
    weight_norms: tuple[float, ...] = ()


_FLOAT_TYPE = frozenset({float})


@dataclass
class History:
    """Per-epoch metrics of a training run; index i is epoch i + 1."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    stopped_reason: str | None = None
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def to_dict(self) -> dict:
        """The history as plain values: new lists of floats (floats are immutable, so a copy of
        each list is a deep copy; ``dataclasses.asdict`` took 0.8 s for 300,000 epochs)."""
        return {
            "loss": list(self.loss),
            "accuracy": list(self.accuracy),
            "val_loss": list(self.val_loss),
            "val_accuracy": list(self.val_accuracy),
            "stopped_reason": self.stopped_reason,
            "best_epoch": self.best_epoch,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "History":
        """The history of :meth:`to_dict`, checked: finite losses >= 0, accuracies in [0, 1],
        one accuracy per loss, as many validation accuracies as losses (at most one per
        epoch), ``stopped_reason`` None or a str, ``best_epoch`` None or an int >= 1.

        Raises
        ------
        ValueError
            Naming the entry that is wrong.
        """
        keys = {"loss", "accuracy", "val_loss", "val_accuracy", "stopped_reason", "best_epoch"}
        if not isinstance(data, Mapping) or set(data) != keys:
            found = sorted(map(str, data)) if isinstance(data, Mapping) else type(data).__name__
            raise ValueError(
                f"history must be a dict with keys {sorted(keys)}, got {shorten(found, 80)}."
            )
        lists = {}
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            values = data[key]
            if not isinstance(values, list | tuple):
                raise ValueError(f"history {key} must be a list, got {type(values).__name__}.")
            upper = 1.0 if key.endswith("accuracy") else math.inf
            if only_types(values, _FLOAT_TYPE):  # the usual case, checked in C
                array = floats_to_array(values)
                if np.all((array >= 0) & (array <= upper) & np.isfinite(array)):
                    lists[key] = list(values)
                    continue
            for value in values:  # find the first bad value and name it
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    raise ValueError(f"history {key} must hold numbers, got {shorten(value)}.")
                if not 0 <= value <= upper or math.isinf(value):
                    rule = "in [0, 1]" if upper == 1 else "finite and >= 0"
                    raise ValueError(f"history {key} values must be {rule}, got {value}.")
            lists[key] = [float(value) for value in values]
        if len(lists["accuracy"]) != len(lists["loss"]):
            raise ValueError("history accuracy must have one value per epoch of loss.")
        if len(lists["val_accuracy"]) != len(lists["val_loss"]):
            raise ValueError("history val_accuracy must have one value per val_loss.")
        if len(lists["val_loss"]) > len(lists["loss"]):
            raise ValueError("history val_loss must have at most one value per epoch of loss.")
        reason = data["stopped_reason"]
        if reason is not None and not isinstance(reason, str):
            raise ValueError(
                f"history stopped_reason must be a str or None, got {shorten(reason)}."
            )
        best_epoch = data["best_epoch"]
        if best_epoch is not None:
            best_epoch = check_int("history best_epoch", best_epoch, minimum=1)
        return cls(**lists, stopped_reason=reason, best_epoch=best_epoch)

    def __repr__(self) -> str:
        last = f", loss {self.loss[-1]:.5f}, accuracy {self.accuracy[-1]:.5f}" if self.loss else ""
        stop = f", stopped: {self.stopped_reason}" if self.stopped_reason else ""
        return f"History({self.epochs} epochs{last}{stop})"


Interrupt = Callable[[], object] | threading.Event


def _interrupt_test(interrupt: object) -> Callable[[], object] | None:
    """The function a step calls at its checks: an Event's ``is_set``, a callable itself."""
    if interrupt is None:
        return None
    is_set = getattr(interrupt, "is_set", None)
    if callable(is_set):
        return is_set
    if callable(interrupt):
        return interrupt
    raise TypeError(
        f"interrupt must be a threading.Event, a callable or None, got {_describe(interrupt)}."
    )


def _describe(value: object) -> str:
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} items"
    return type(value).__name__


@contextmanager
def single_blas_thread():
    """Limit BLAS to one thread: on these small matrices more threads only add overhead
    (measured ~8x slower with 2 threads), and it leaves a core for the GUI."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


_STATE_KEYS = (
    "params",
    "optimizer",
    "rng",
    "history",
    "batch_size",
    "l1",
    "l2",
    "seed",
    "early_stopping_patience",
    "stopped",
    "order",
    "cursor",
    "sums",
    "best_params",
    "best_val_loss",
)


def _float_vector(name: str, value: object, size: int, dtype: np.dtype) -> NDArray:
    """``value`` as a new (size,) array of finite ``dtype`` numbers, or a ValueError."""
    try:
        array = np.array(value)
    except (ValueError, TypeError):  # ragged lists and the like
        raise ValueError(f"{name} must be {size} finite numbers, got a ragged sequence.") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be {size} finite numbers, got dtype {array.dtype}.")
    if array.shape != (size,):
        raise ValueError(f"{name} must be {size} finite values, got shape {array.shape}.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be {size} finite values, got NaN or inf values.")
    with np.errstate(over="ignore"):
        converted = array.astype(dtype)
    if not np.isfinite(converted).all():
        raise ValueError(
            f"{name} must be {size} finite values, got values beyond the {dtype} range."
        )
    return converted


def _permutation(value: object) -> NDArray | None:
    """The saved shuffling order: None or a permutation of 0 .. n - 1 as int64."""
    if value is None:
        return None
    try:
        order = np.array(value)
    except (ValueError, TypeError):
        raise ValueError("order must be a 1-D integer array, got a ragged sequence.") from None
    if order.ndim != 1 or order.dtype.kind not in "iu":
        raise ValueError(
            f"order must be a 1-D integer array, got {order.dtype} of shape {order.shape}."
        )
    if len(order) == 0 or not np.array_equal(np.sort(order), np.arange(len(order))):
        raise ValueError(
            f"order must be a permutation of 0 .. n - 1 (n = {len(order)}), got other values."
        )
    return order.astype(np.int64)


def _epoch_sums(value: object, cursor: int) -> list:
    """The epoch in progress: [loss * n, accuracy * n, n] of the samples seen so far."""
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise ValueError(f"sums must be a list of 3 numbers, got {shorten(value)}.")
    loss_sum = check_float("sums[0]", value[0], non_negative=True)
    accuracy_sum = check_float("sums[1]", value[1], non_negative=True)
    seen = check_int("sums[2]", value[2], minimum=0)
    if seen > cursor:
        raise ValueError(f"sums[2] (samples seen) must be <= cursor {cursor}, got {seen}.")
    return [loss_sum, accuracy_sum, seen]


def _generator(value: object) -> np.random.Generator:
    """A generator in the saved PCG64 state (``Generator.bit_generator.state``)."""
    keys = {"bit_generator", "state", "has_uint32", "uinteger"}
    if not isinstance(value, Mapping) or set(value) != keys:
        raise ValueError(f"rng must be a PCG64 state dict with keys {sorted(keys)}.")
    if value["bit_generator"] != "PCG64":
        raise ValueError(f"rng must be a PCG64 state, got {shorten(value['bit_generator'])}.")
    inner = value["state"]
    if not isinstance(inner, Mapping) or set(inner) != {"state", "inc"}:
        raise ValueError("rng state must be a dict with keys 'inc' and 'state'.")
    for key in ("state", "inc"):
        number = check_int(f"rng state {key}", inner[key], minimum=0)
        if number >= 2**128:
            raise ValueError(f"rng state {key} must be < 2**128, got {number}.")
    if value["has_uint32"] not in (0, 1) or isinstance(value["has_uint32"], float):
        raise ValueError(f"rng has_uint32 must be 0 or 1, got {shorten(value['has_uint32'])}.")
    uinteger = check_int("rng uinteger", value["uinteger"], minimum=0)
    if uinteger >= 2**32:
        raise ValueError(f"rng uinteger must be < 2**32, got {uinteger}.")
    generator = np.random.Generator(np.random.PCG64())
    generator.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": int(inner["state"]), "inc": int(inner["inc"])},
        "has_uint32": int(value["has_uint32"]),
        "uinteger": uinteger,
    }
    return generator


class Trainer:
    """Trains a :class:`Network` one epoch (or one mini-batch) at a time.

    Hyperparameters (``learning_rate``, ``l1``, ``l2``, ``batch_size``) and the training data
    can change between steps; nothing else is reset. ``state_dict``/``load_state_dict`` save
    and restore everything needed to continue a run exactly.

    Parameters
    ----------
    net : Network
        Trained in place.
    X : array-like (n_samples, 2)
        The points (x1, x2); the network maps them to its features once per data set (here
        and in :meth:`set_data`), and refuses non-finite feature values naming the feature.
    y : array-like (n_samples,) of 0/1
    learning_rate : float > 0
    optimizer : {"sgd", "momentum", "nesterov", "adam"}
    batch_size : int > 0 or None
        None is full batch (the article's). Mini-batches are drawn from a permutation made by a
        generator seeded with ``seed`` at every epoch.
    l1, l2 : float >= 0
        Penalties on the weights (never the biases): the loss gains ``l1 * sum|W|`` and
        ``l2 / 2 * sum W^2``, the gradient ``l1 * sign(W) + l2 * W``. The recorded loss is the
        data loss (cross-entropy) alone, comparable between runs.
    momentum, beta1, beta2, epsilon : float
        Optimizer settings (see :mod:`nn_engine.optimizers`).
    validation_data : (X_val, y_val) or None
    early_stopping_patience : int or None
        Stop when the validation loss has not improved for this many epochs and restore the
        weights of the best epoch; needs ``validation_data``.
    """

    def __init__(
        self,
        net: Network,
        X: ArrayLike,
        y: ArrayLike,
        *,
        learning_rate: float = 0.01,
        optimizer: str = "sgd",
        batch_size: int | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        momentum: float = 0.9,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        seed: int | None = None,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        early_stopping_patience: int | None = None,
    ):
        if not isinstance(net, Network):
            raise TypeError(f"net must be an nn_engine.Network, got {type(net).__name__}.")
        self.net = net
        self._optimizer = make_optimizer(
            optimizer, learning_rate, momentum=momentum, beta1=beta1, beta2=beta2, epsilon=epsilon
        )
        self.batch_size = batch_size
        self.l1 = l1
        self.l2 = l2
        self.seed = check_seed("seed", seed)
        if early_stopping_patience is not None:
            check_int("early_stopping_patience", early_stopping_patience, minimum=1)
            if validation_data is None:
                raise ValueError("early_stopping_patience needs validation_data, got None.")
        self.early_stopping_patience = early_stopping_patience
        self.set_data(X, y)
        self._X_val: NDArray | None = None
        self._y_val: NDArray | None = None
        if validation_data is not None:
            if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
                raise ValueError(
                    "validation_data must be a pair (X_val, y_val), got "
                    f"{_describe(validation_data)}."
                )
            self.set_validation(*validation_data)

        self._rng = np.random.default_rng(self.seed)
        self._grad = np.empty_like(net.params)
        self.history = History()
        self.stopped = False
        self._best_params: NDArray | None = None
        self._best_val_loss = math.inf
        self._order: NDArray | None = None  # this epoch's permutation (mini-batches)
        self._cursor = 0  # position in it
        self._sums = [0.0, 0.0, 0]  # loss * n, accuracy * n, n seen this epoch
        # squares of the last batch's gradient (row 0) and of the weights after the last update
        # (row 1): the divergence check and the per-layer norms of EpochMetrics read them
        self._squares = np.zeros((2, net.n_params), net.dtype)
        # (epoch, params, optimizer state) at the end of the last two epochs, for divergence
        self._backups: list[tuple[int, NDArray, dict]] = []
        self._save_backup()

    # ----------------------------------------------------------- hyperparameters

    @property
    def learning_rate(self) -> float:
        return self._optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._optimizer.learning_rate = value

    @property
    def optimizer(self) -> str:
        return self._optimizer.name

    @property
    def l1(self) -> float:
        return self._l1

    @l1.setter
    def l1(self, value: float) -> None:
        self._l1 = check_float("l1", value, non_negative=True)

    @property
    def l2(self) -> float:
        return self._l2

    @l2.setter
    def l2(self, value: float) -> None:
        self._l2 = check_float("l2", value, non_negative=True)

    @property
    def batch_size(self) -> int | None:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        self._batch_size = None if value is None else check_int("batch_size", value, minimum=1)
        self._restart_epoch()  # batches of the new size from a fresh permutation

    @property
    def epoch(self) -> int:
        """Number of completed epochs."""
        return self.history.epochs

    @property
    def stopped_reason(self) -> str | None:
        return self.history.stopped_reason

    def params_snapshot(self) -> list[dict[str, NDArray]]:
        """A copy of the network's current parameters (``net.get_params()``), safe to keep."""
        return self.net.get_params()

    # ------------------------------------------------------------ save/restore

    def state_dict(self) -> dict:
        """Everything needed to continue this run exactly, as JSON-able values and arrays.

        Holds the network's features and parameters, the optimizer's state, the shuffling
        generator's state, the history, the hyperparameters and the position inside the
        current epoch. The training data are not included. Every value is new: changing the
        dict changes neither this trainer nor a trainer that loaded it.
        """
        return {
            "features": list(self.net.features),
            "params": self.net.params.copy(),
            "optimizer": self._optimizer.state_dict(),
            "rng": self._rng.bit_generator.state,
            "history": self.history.to_dict(),
            "batch_size": self._batch_size,
            "l1": self._l1,
            "l2": self._l2,
            "seed": self.seed,
            "early_stopping_patience": self.early_stopping_patience,
            "stopped": self.stopped,
            "order": None if self._order is None else self._order.copy(),
            "cursor": self._cursor,
            "sums": list(self._sums),
            "best_params": None if self._best_params is None else self._best_params.copy(),
            "best_val_loss": self._best_val_loss,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict` (arrays may come back as lists, e.g. through JSON).

        Every entry is checked before anything changes, so that a crafted state can neither
        load halfway nor break a later step: parameters, the optimizer's step count,
        hyperparameters (a learning rate > 0, momentum and Adam's betas in [0, 1), epsilon > 0)
        and buffers (shape, finiteness, Adam's v >= 0), the generator's PCG64 state, the
        history, the epoch in progress (``order`` a permutation, ``cursor`` and ``sums``
        within it) and the early-stopping record (``best_params``, ``best_val_loss``).
        A state saved for other training data (an ``order`` of another length) is accepted:
        the epoch in progress then starts over. A state for a network of other ``features``
        is refused; a state without ``features`` (saved before they existed) is for
        ``["x1", "x2"]``. Keys other than those of :meth:`state_dict` are ignored.

        Raises
        ------
        ValueError
            Naming the entry that is missing or wrong; the trainer is then unchanged.
        """
        try:
            checked = self._check_state(state)
        except KeyError as error:
            raise ValueError(
                f"trainer state is incomplete or malformed: missing {error.args[0]!r}."
            ) from None
        except TypeError as error:  # a state is a value: a wrong type in it is a bad value
            raise ValueError(str(error)) from None
        self.net.params[...] = checked["params"]
        self.batch_size, self.l1, self.l2 = checked["batch_size"], checked["l1"], checked["l2"]
        self._optimizer = checked["optimizer"]
        self._rng = checked["rng"]
        self.history = checked["history"]
        self.seed = checked["seed"]
        self.early_stopping_patience = checked["early_stopping_patience"]
        self.stopped = checked["stopped"]
        self._order, self._cursor, self._sums = checked["order"], checked["cursor"], checked["sums"]
        if self._order is not None and len(self._order) != len(self._X):
            self._restart_epoch()  # saved for other data: the epoch in progress starts over
        self._best_params = checked["best_params"]
        self._best_val_loss = checked["best_val_loss"]
        self._backups = []
        self._save_backup()

    def export_progress(self) -> dict:
        """The run's progress, for a twin trainer (another process) to continue it exactly.

        Everything :meth:`state_dict` holds except the history, plus what a session need not
        keep but a twin must: the last two epochs' backups that a divergence goes back to.
        Unlike :meth:`state_dict`, nothing is copied or converted: the values are this
        trainer's own objects, meant to be pickled at once (``Connection.send``) and handed
        to :meth:`import_progress` on the other side. The twin is built with the same network
        (architecture, features, dtype), data and history.
        """
        return {
            "params": self.net.params,
            "progress": {name: getattr(self, name) for name in _PROGRESS},
            "history": (self.history.stopped_reason, self.history.best_epoch),
        }

    def import_progress(self, progress: dict) -> None:
        """Continue from a twin's :meth:`export_progress` (unpickled: this trainer takes its
        objects as they are, so they must come from a trainer of this program, never from a
        file; files go through :meth:`load_state_dict`, which checks everything).

        Raises
        ------
        ValueError
            If ``progress`` lacks an entry, or its parameters are not this network's shape
            and dtype; the trainer is then unchanged.
        """
        if not isinstance(progress, Mapping) or set(progress) != {"params", "progress", "history"}:
            raise ValueError("progress must be a dict made by Trainer.export_progress().")
        params, values = progress["params"], progress["progress"]
        if not isinstance(values, Mapping) or set(values) != set(_PROGRESS):
            raise ValueError("progress must be a dict made by Trainer.export_progress().")
        if not (
            isinstance(params, np.ndarray)
            and params.shape == self.net.params.shape
            and params.dtype == self.net.dtype
        ):
            found = (
                f"a {params.dtype} array of shape {params.shape}"
                if isinstance(params, np.ndarray)
                else _describe(params)
            )
            raise ValueError(
                f"progress params must be a {self.net.dtype} array of shape "
                f"{self.net.params.shape}, got {found}."
            )
        self.net.params[...] = params
        for name, value in values.items():
            setattr(self, name, value)
        self.history.stopped_reason, self.history.best_epoch = progress["history"]

    def _check_state(self, state: object) -> dict:
        """The entries of a :meth:`state_dict`, checked and converted; raises on any fault."""
        if not isinstance(state, Mapping):
            raise ValueError(f"trainer state must be a dict, got {type(state).__name__}.")
        missing = [key for key in _STATE_KEYS if key not in state]
        if missing:
            raise KeyError(missing[0])
        features = state.get("features", list(DEFAULT_FEATURES))
        if not isinstance(features, list | tuple) or tuple(features) != self.net.features:
            raise ValueError(
                f"features must be {list(self.net.features)} (the network's), got "
                f"{shorten(features, 80)}."
            )
        size, dtype = self.net.params.shape[0], self.net.dtype
        params = _float_vector("params", state["params"], size, dtype)

        given = state["optimizer"]
        name = given.get("name") if isinstance(given, Mapping) else None
        if name != self._optimizer.name:
            raise ValueError(f"optimizer must be {self._optimizer.name!r}, got {shorten(name)}.")
        optimizer = make_optimizer(name, 1.0)
        optimizer.load_state_dict(given)
        for buffer, arrays in optimizer.state.items():
            if set(arrays) - {0}:  # the trainer's optimizer sees one array: the flat params
                raise ValueError(
                    f"optimizer buffer {buffer} must be for parameter 0 only, got {sorted(arrays)}."
                )
            arrays[0] = _float_vector(f"optimizer buffer {buffer}", arrays[0], size, dtype)

        history = History.from_dict(state["history"])
        batch_size = state["batch_size"]
        if batch_size is not None:
            batch_size = check_int("batch_size", batch_size, minimum=1)
        patience = state["early_stopping_patience"]
        if patience is not None:
            patience = check_int("early_stopping_patience", patience, minimum=1)
        if not isinstance(state["stopped"], bool):
            raise ValueError(f"stopped must be True or False, got {shorten(state['stopped'])}.")

        order = _permutation(state["order"])
        cursor = check_int("cursor", state["cursor"], minimum=0)
        limit = 0 if order is None else len(order)
        if cursor > limit:
            raise ValueError(f"cursor must be <= {limit} (the length of order), got {cursor}.")
        sums = _epoch_sums(state["sums"], cursor)

        best_params = state["best_params"]
        if best_params is not None:
            best_params = _float_vector("best_params", best_params, size, dtype)
        best_val_loss = state["best_val_loss"]
        if (
            isinstance(best_val_loss, bool)
            or not isinstance(best_val_loss, numbers.Real)
            or math.isnan(best_val_loss)
            or best_val_loss == -math.inf
        ):
            raise ValueError(
                f"best_val_loss must be a number or inf, got {shorten(best_val_loss)}."
            )
        best_val_loss = float(best_val_loss)
        # the early-stopping record is all or nothing: inf, None, None before any improvement
        recorded = [best_val_loss != math.inf, best_params is not None]
        recorded.append(history.best_epoch is not None)
        if len(set(recorded)) != 1:
            raise ValueError(
                "best_val_loss, best_params and history best_epoch must be set together, got "
                f"best_val_loss {best_val_loss}, best_params "
                f"{'set' if recorded[1] else 'None'}, best_epoch {history.best_epoch}."
            )
        return {
            "params": params,
            "optimizer": optimizer,
            "rng": _generator(state["rng"]),
            "history": history,
            "batch_size": batch_size,
            "l1": check_float("l1", state["l1"], non_negative=True),
            "l2": check_float("l2", state["l2"], non_negative=True),
            "seed": check_seed("seed", state["seed"]),
            "early_stopping_patience": patience,
            "stopped": state["stopped"],
            "order": order,
            "cursor": cursor,
            "sums": sums,
            "best_params": best_params,
            "best_val_loss": best_val_loss,
        }

    # -------------------------------------------------------------------- data

    def set_data(self, X: ArrayLike, y: ArrayLike) -> None:
        """Train on new data from the next step on (e.g. points painted during training).

        ``X`` (n_samples, 2) are the points; their feature matrix is computed here, once, and
        must be finite (a ValueError names the feature otherwise). Mid-epoch (mini-batches),
        the epoch in progress starts over on the new data.
        """
        X = check_X(X, N_COORDINATES, self.net.dtype)
        y = check_y(y, len(X))
        check_both_classes(y)
        features = self.net._finite_features(X)
        if getattr(self, "_X", None) is not None and len(self._X) != len(features):
            # Buffers sized for the old data would only be kept for nothing: painting while
            # training changes the size at every stroke.
            self.net.release_buffers()
        self._X = features  # the network's inputs: every epoch trains on these
        self._y = y.astype(self.net.dtype)
        self._restart_epoch()

    def _restart_epoch(self) -> None:
        self._order = None
        self._cursor = 0
        self._sums = [0.0, 0.0, 0]

    def set_validation(self, X_val: ArrayLike | None, y_val: ArrayLike | None) -> None:
        """Measure validation loss and accuracy after each epoch on (X_val, y_val); None stops."""
        if X_val is None or y_val is None:
            if self.early_stopping_patience is not None:
                raise ValueError(
                    "validation data must stay set while early stopping is on, got None."
                )
            self._X_val = self._y_val = None
            return
        X_val = check_X(X_val, N_COORDINATES, self.net.dtype, name="X_val")
        y_val = check_y(y_val, len(X_val), name="y_val").astype(self.net.dtype)
        self._X_val = self.net._finite_features(X_val, name="X_val")
        self._y_val = y_val

    # ------------------------------------------------------------------ steps

    def step_epoch(self, interrupt: Interrupt | None = None) -> EpochMetrics:
        """Train one epoch (the rest of the epoch in progress, with mini-batches); returns
        its metrics.

        Raises :class:`DivergenceError` when training blows up (see its rule), and
        :class:`~nn_engine.TrainingInterrupted` when ``interrupt`` is set (see
        :meth:`step_batch`): the mini-batch in progress then changes nothing, and those
        already trained stay trained (the epoch is in progress; the next ``step_epoch``
        finishes it).
        """
        while True:
            metrics = self.step_batch(interrupt)
            if metrics is not None:
                return metrics

    def step_batch(self, interrupt: Interrupt | None = None) -> EpochMetrics | None:
        """Train on one mini-batch (the whole data for full batch).

        Returns the epoch's metrics when this batch completes an epoch, otherwise None.

        Parameters
        ----------
        interrupt : threading.Event, callable or None
            Another thread's way to abandon the step: it is looked at before each layer of
            the forward pass and each matrix product of the backward pass (an Event's
            ``is_set()``, or the callable's result), and once it is set the step raises
            :class:`~nn_engine.TrainingInterrupted` with nothing changed (parameters,
            optimizer state, the epoch's order, position and sums, the generator, the
            history). Stepping again later gives exactly what the step would have given.
            A check costs a few tens of nanoseconds.
        """
        interrupted = _interrupt_test(interrupt)
        n_samples = len(self._X)
        order, cursor, rng_state = self._order, self._cursor, None
        if self._batch_size is None or self._batch_size >= n_samples:
            X, y = self._X, self._y
        else:
            if order is None or cursor >= n_samples:
                if interrupted is not None:  # the new permutation is taken back if interrupted
                    rng_state = self._rng.bit_generator.state
                order = self._rng.permutation(n_samples)
                cursor = 0
            batch = order[cursor : cursor + self._batch_size]
            cursor += len(batch)
            X, y = self._X[batch], self._y[batch]

        ends_epoch = X is self._X or cursor >= n_samples
        # overflow is expected when training diverges; it is detected below, not warned about
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                loss, acc = self.net.forward_backward(X, y, self._grad, interrupted)
            except TrainingInterrupted:
                if rng_state is not None:
                    self._rng.bit_generator.state = rng_state
                raise
            # past the last check: from here on the step completes (or diverges)
            self._order, self._cursor = order, cursor
            epoch = self.epoch + 1
            max_loss, reference = self._loss_limit()
            if not loss <= max_loss:  # NaN fails this too
                self._diverged(epoch, "loss", loss, max_loss, f"{max_loss:.1f} ({reference})")
            if ends_epoch:  # the data loss's gradient, before the penalties join it
                self._square_gradient()
            self._add_penalties()
            self._optimizer.step([self.net.params], [self._grad])
            params = self.net.params
            # squared, as the epoch's weight norms need them; NaN if any weight is NaN
            largest_square = np.multiply(params, params, out=self._squares[1]).max()
        if not largest_square <= MAX_WEIGHT**2:
            largest = float(np.max(np.abs(params)))  # the square may have overflowed
            self._diverged(epoch, "weights", largest, MAX_WEIGHT, f"{MAX_WEIGHT:.0e} in magnitude")

        self._sums[0] += loss * len(X)
        self._sums[1] += acc * len(X)
        self._sums[2] += len(X)
        return self._finish_epoch() if ends_epoch else None

    def run(
        self, epochs: int, callback: Callable[[EpochMetrics], object] | None = None
    ) -> list[EpochMetrics]:
        """Train ``epochs`` epochs with BLAS on one thread; ``callback(metrics)`` after each.

        Stops early (returning the epochs done) when early stopping triggers.
        """
        check_int("epochs", epochs, minimum=0)
        done = []
        with single_blas_thread():
            for _ in range(epochs):
                done.append(self.step_epoch())
                if callback is not None:
                    callback(done[-1])
                if self.stopped:
                    break
        return done

    def _square_gradient(self) -> None:
        np.multiply(self._grad, self._grad, out=self._squares[0])

    def _layer_norms(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """The epoch's per-layer gradient and weight norms (see EpochMetrics), from the
        squares kept by the last batch: the biases masked out, one segmented sum per layer.

        A few calls on whole vectors whatever the depth: after an epoch of matrix products
        even a small NumPy call costs several microseconds, so their number is what counts.
        """
        squares = self._squares
        squares *= self.net.weight_mask
        grad_sums, weight_sums = np.add.reduceat(squares, self.net._block_starts, axis=1).tolist()
        return tuple(map(math.sqrt, grad_sums)), tuple(map(math.sqrt, weight_sums))

    def _add_penalties(self) -> None:
        if self._l1 == 0 and self._l2 == 0:
            return
        params, mask = self.net.params, self.net.weight_mask
        if self._l1:
            self._grad += self._l1 * np.sign(params) * mask
        if self._l2:
            self._grad += self._l2 * params * mask

    def _finish_epoch(self) -> EpochMetrics:
        loss_sum, acc_sum, seen = self._sums
        self._sums = [0.0, 0.0, 0]
        self._order = None if self._batch_size is None else self._order
        grad_norms, weight_norms = self._layer_norms()
        metrics = EpochMetrics(
            self.epoch + 1,
            loss_sum / seen,
            acc_sum / seen,
            grad_norms=grad_norms,
            weight_norms=weight_norms,
        )
        self.history.loss.append(metrics.loss)
        self.history.accuracy.append(metrics.accuracy)
        if self._X_val is not None:
            metrics.val_loss, metrics.val_accuracy = self.net._evaluate(self._X_val, self._y_val)
            self.history.val_loss.append(metrics.val_loss)
            self.history.val_accuracy.append(metrics.val_accuracy)
            self._early_stopping(metrics)
        self._save_backup()
        return metrics

    def _save_backup(self) -> None:
        self._backups.append((self.epoch, self.net.params.copy(), self._optimizer.state_dict()))
        del self._backups[:-2]

    def _early_stopping(self, metrics: EpochMetrics) -> None:
        if self.early_stopping_patience is None:
            return
        if metrics.val_loss < self._best_val_loss:
            self._best_val_loss = metrics.val_loss
            self._best_params = self.net.params.copy()
            self.history.best_epoch = metrics.epoch
        elif metrics.epoch - self.history.best_epoch >= self.early_stopping_patience:
            self.net.params[...] = self._best_params
            self.stopped = True
            self.history.stopped_reason = (
                f"early stopping: validation loss did not improve for "
                f"{self.early_stopping_patience} epochs; weights restored from epoch "
                f"{self.history.best_epoch}"
            )

    def _loss_limit(self) -> tuple[float, str]:
        """The largest sane loss and how it is made (see DivergenceError); inf in epoch 1."""
        if not self.history.loss:
            return math.inf, ""
        first = self.history.loss[0]
        if first <= math.log(2):
            return LOSS_FACTOR * math.log(2), f"{LOSS_FACTOR} × ln 2"
        return LOSS_FACTOR * first, f"{LOSS_FACTOR} × the first epoch's loss"

    def _diverged(
        self, epoch: int, quantity: str, value: float, limit: float, limit_text: str
    ) -> None:
        # see DivergenceError: a bad loss blames the weights it was computed from
        restored_epoch, params, optimizer_state = (
            self._backups[0] if quantity == "loss" else self._backups[-1]
        )
        self.net.params[...] = params
        self._optimizer._restore(optimizer_state)
        self._backups = [(restored_epoch, params, optimizer_state)]
        for values in (self.history.loss, self.history.accuracy):
            del values[restored_epoch:]
        for values in (self.history.val_loss, self.history.val_accuracy):
            del values[restored_epoch:]
        self._restart_epoch()
        error = DivergenceError(epoch, quantity, value, restored_epoch, limit, limit_text)
        self.history.stopped_reason = str(error)
        raise error


def train(
    net: Network,
    X: ArrayLike,
    y: ArrayLike,
    *,
    epochs: int,
    learning_rate: float,
    optimizer: str = "sgd",
    batch_size: int | None = None,
    l1: float = 0.0,
    l2: float = 0.0,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    seed: int | None = None,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    early_stopping_patience: int | None = None,
    callback: Callable[[int, Network], object] | None = None,
    verbose: bool = False,
    every: int = 50,
) -> History:
    """Train ``net`` in place, the article's ``train`` with more options.

    Parameters are those of :class:`Trainer`, plus:

    epochs : int >= 0
    callback : callable or None
        ``callback(i, net)`` every ``every`` epochs (``i`` counted from 0, as the article).
    verbose : bool
        Print the article's progress line every ``every`` epochs:
        ``Iteration: 00050 - cost: 0.69000 - accuracy: 0.50000``.

    Returns
    -------
    History
        Per-epoch loss and accuracy (and validation ones). If training blew up (see
        :class:`DivergenceError`), it stopped there, the last sane weights are back in ``net``
        and ``history.stopped_reason`` says so; likewise for early stopping.
    """
    check_int("epochs", epochs, minimum=0)
    every = check_int("every", every, minimum=1)
    trainer = Trainer(
        net, X, y, learning_rate=learning_rate, optimizer=optimizer, batch_size=batch_size,
        l1=l1, l2=l2, momentum=momentum, beta1=beta1, beta2=beta2, epsilon=epsilon, seed=seed,
        validation_data=validation_data, early_stopping_patience=early_stopping_patience,
    )  # fmt: skip
    with single_blas_thread():
        for i in range(epochs):
            try:
                metrics = trainer.step_epoch()
            except DivergenceError:
                break
            if i % every == 0:
                if verbose:
                    cost, acc = metrics.loss, metrics.accuracy
                    print(f"Iteration: {i:05} - cost: {cost:.5f} - accuracy: {acc:.5f}")
                if callback is not None:
                    callback(i, net)
            if trainer.stopped:
                break
    return trainer.history
