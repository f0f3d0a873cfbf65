"""Optimizers: the article's gradient descent, momentum (classic and Nesterov) and Adam.

An optimizer sees only parameter arrays and their gradients, and owns its state (velocities,
moments, step count). ``step`` is in the base class; each subclass writes ``_step`` for one
array. The formulas are PyTorch's, so runs can be compared with it number for number:

* SGD:       ``p -= lr * g``
* Momentum:  ``v = mu v + g;  p -= lr * v``
* Nesterov:  ``v = mu v + g;  p -= lr * (g + mu v)``
* Adam:      ``m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;``
  ``p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``
"""

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from nn_engine.validation import check_choice, check_float, check_int, shorten


def _check_fraction(name: str, value: object) -> float:
    """A decay rate in [0, 1): momentum, beta1, beta2."""
    value = check_float(name, value, non_negative=True)
    if value >= 1:
        raise ValueError(f"{name} must be < 1, got {value}.")
    return value


class Optimizer:
    """Base class: holds the learning rate and the step count, loops over the arrays."""

    name = "optimizer"
    BUFFERS: tuple[str, ...] = ()  # the names of its state arrays

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate
        self.t = 0  # number of steps taken
        self.state: dict[str, dict[int, NDArray]] = {}  # buffer name -> parameter index -> array

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = check_float("learning_rate", value, positive=True)

    def step(self, params: Sequence[NDArray], grads: Sequence[NDArray]) -> None:
        """Update every array of ``params`` in place from the matching ``grads``."""
        self.t += 1
        for index, (param, grad) in enumerate(zip(params, grads, strict=True)):
            self._step(index, param, grad)

    def _step(self, index: int, param: NDArray, grad: NDArray) -> None:
        raise NotImplementedError  # each optimizer defines its update

    def _buffer(self, name: str, index: int, like: NDArray) -> NDArray:
        """The state array ``name`` of parameter ``index``, zeros at first."""
        buffers = self.state.setdefault(name, {})
        if index not in buffers:
            buffers[index] = np.zeros_like(like)
        return buffers[index]

    def state_dict(self) -> dict:
        """Everything needed to continue exactly: name, step count, hyperparameters, buffers."""
        return {
            "name": self.name,
            "t": self.t,
            "hyperparameters": self.hyperparameters(),
            "buffers": {
                name: {str(i): a.copy() for i, a in arrays.items()}
                for name, arrays in self.state.items()
            },
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict` of this optimizer (from JSON too: lists for arrays).

        Everything is checked before anything changes: the name, a step count ``t >= 0``, the
        hyperparameters under the constructor's rules, and the buffers (this optimizer's
        names only, finite real arrays, indexed by parameter number).

        Raises
        ------
        ValueError
            Naming what is wrong; the optimizer is then unchanged.
        """
        try:
            t, hyperparameters, buffers = self._check_state(state)
        except TypeError as error:  # a state is a value: a wrong type in it is a bad value
            raise ValueError(str(error)) from None
        self.t = t
        for key, value in hyperparameters.items():
            setattr(self, key, value)
        self.state = buffers

    def _restore(self, state: dict) -> None:
        """Go back to a :meth:`state_dict` taken from this optimizer (trusted: no checks, so
        that restoring after a divergence cannot fail)."""
        self.t = state["t"]
        for key, value in state["hyperparameters"].items():
            setattr(self, key, value)
        self.state = {
            name: {int(i): a.copy() for i, a in arrays.items()}
            for name, arrays in state["buffers"].items()
        }

    def _check_state(self, state: object) -> tuple[int, dict, dict]:
        if not isinstance(state, Mapping):
            raise ValueError(f"optimizer state must be a dict, got {type(state).__name__}.")
        if state.get("name") != self.name:
            raise ValueError(
                f"optimizer state must be for {self.name!r}, got {shorten(state.get('name'))}."
            )
        keys = {"name", "t", "hyperparameters", "buffers"}
        if set(state) != keys:
            raise ValueError(
                f"optimizer state must have the keys {', '.join(sorted(keys))}, "
                f"got {shorten(sorted(map(str, state)), 80)}."
            )
        given = state["hyperparameters"]
        expected = set(self.hyperparameters())
        if not isinstance(given, Mapping) or set(given) != expected:
            found = sorted(map(str, given)) if isinstance(given, Mapping) else type(given).__name__
            raise ValueError(
                f"optimizer hyperparameters must be {sorted(expected)}, got {shorten(found, 80)}."
            )
        hyperparameters = self._check_hyperparameters(dict(given))
        t = check_int("optimizer step count t", state["t"], minimum=0)
        if not isinstance(state["buffers"], Mapping):
            raise ValueError(
                f"optimizer buffers must be a dict, got {type(state['buffers']).__name__}."
            )
        buffers: dict[str, dict[int, NDArray]] = {}
        for name, arrays in state["buffers"].items():
            if name not in self.BUFFERS:
                allowed = ", ".join(self.BUFFERS) or "none"
                raise ValueError(
                    f"optimizer buffers of {self.name} must be {allowed}, got {shorten(name)}."
                )
            if not isinstance(arrays, Mapping):
                raise ValueError(
                    f"optimizer buffer {name} must map parameter numbers to arrays, "
                    f"got {type(arrays).__name__}."
                )
            buffers[name] = {}
            for index, array in arrays.items():
                if not (isinstance(index, str) and index.isdecimal() and len(index) < 10):
                    raise ValueError(
                        f"optimizer buffer {name} must be keyed by parameter numbers ('0', "
                        f"'1', ...), got {shorten(index)}."
                    )
                buffers[name][int(index)] = self._check_buffer(name, array)
        return t, hyperparameters, buffers

    def _check_buffer(self, name: str, value: object) -> NDArray:
        try:
            array = np.array(value, copy=True)
        except (ValueError, TypeError):  # ragged lists and the like
            raise ValueError(f"optimizer buffer {name} must be an array of numbers.") from None
        if array.dtype.kind not in "biuf":
            raise ValueError(
                f"optimizer buffer {name} must hold real numbers, got dtype {array.dtype}."
            )
        if not np.isfinite(array).all():
            raise ValueError(f"optimizer buffer {name} must be finite, got NaN or inf values.")
        return array

    @classmethod
    def _check_hyperparameters(cls, given: dict) -> dict:
        """``given`` checked by the constructor's rules (each optimizer adds its own)."""
        return {
            "learning_rate": check_float("learning_rate", given["learning_rate"], positive=True)
        }

    def hyperparameters(self) -> dict:
        return {"learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v:g}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """The article's gradient descent: ``p -= learning_rate * g``."""

    name = "sgd"

    def _step(self, index: int, param: NDArray, grad: NDArray) -> None:
        param -= self.learning_rate * grad


class Momentum(Optimizer):
    """Gradient descent with momentum, classic or Nesterov."""

    name = "momentum"
    BUFFERS = ("velocity",)

    def __init__(self, learning_rate: float, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = _check_fraction("momentum", momentum)
        self.nesterov = bool(nesterov)
        if self.nesterov:
            self.name = "nesterov"

    def _step(self, index: int, param: NDArray, grad: NDArray) -> None:
        velocity = self._buffer("velocity", index, param)
        velocity *= self.momentum
        velocity += grad
        if self.nesterov:
            param -= self.learning_rate * (grad + self.momentum * velocity)
        else:
            param -= self.learning_rate * velocity

    def hyperparameters(self) -> dict:
        return {**super().hyperparameters(), "momentum": self.momentum}

    @classmethod
    def _check_hyperparameters(cls, given: dict) -> dict:
        checked = super()._check_hyperparameters(given)
        return {**checked, "momentum": _check_fraction("momentum", given["momentum"])}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias-corrected moments."""

    name = "adam"
    BUFFERS = ("m", "v")

    def __init__(
        self, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
    ):
        super().__init__(learning_rate)
        self.beta1 = _check_fraction("beta1", beta1)
        self.beta2 = _check_fraction("beta2", beta2)
        self.epsilon = check_float("epsilon", epsilon, positive=True)

    def _step(self, index: int, param: NDArray, grad: NDArray) -> None:
        m = self._buffer("m", index, param)
        v = self._buffer("v", index, param)
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * (grad * grad)
        # the bias corrections fold into one step size and one epsilon-free denominator scale
        step_size = self.learning_rate / (1 - self.beta1**self.t)
        denominator = np.sqrt(v)
        denominator /= np.sqrt(1 - self.beta2**self.t)
        denominator += self.epsilon
        param -= step_size * (m / denominator)

    def hyperparameters(self) -> dict:
        return {
            **super().hyperparameters(),
            "beta1": self.beta1,
            "beta2": self.beta2,
            "epsilon": self.epsilon,
        }

    @classmethod
    def _check_hyperparameters(cls, given: dict) -> dict:
        return {
            **super()._check_hyperparameters(given),
            "beta1": _check_fraction("beta1", given["beta1"]),
            "beta2": _check_fraction("beta2", given["beta2"]),
            "epsilon": check_float("epsilon", given["epsilon"], positive=True),
        }

    def _check_buffer(self, name: str, value: object) -> NDArray:
        array = super()._check_buffer(name, value)
        if name == "v" and (array < 0).any():  # a mean of squares: its square root is taken
            raise ValueError("optimizer buffer v must be >= 0, got negative values.")
        return array


OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")


def make_optimizer(
    name: str,
    learning_rate: float,
    *,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> Optimizer:
    """The optimizer called ``name`` (one of :data:`OPTIMIZERS`)."""
    check_choice("optimizer", name, OPTIMIZERS)
    if name == "sgd":
        return SGD(learning_rate)
    if name in ("momentum", "nesterov"):
        return Momentum(learning_rate, momentum, nesterov=name == "nesterov")
    return Adam(learning_rate, beta1, beta2, epsilon)
