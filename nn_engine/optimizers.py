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

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nn_engine.validation import check_choice, check_float, check_int


class Optimizer:
    """Base class: holds the learning rate and the step count, loops over the arrays."""

    name = "optimizer"

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
        if state.get("name") != self.name:
            raise ValueError(
                f"optimizer state must be for {self.name!r}, got {state.get('name')!r}."
            )
        expected = set(self.hyperparameters())
        if set(state["hyperparameters"]) != expected:
            raise ValueError(
                f"optimizer hyperparameters must be {sorted(expected)}, "
                f"got {sorted(state['hyperparameters'])}."
            )
        self.t = check_int("t", state["t"], minimum=0)
        for key, value in state["hyperparameters"].items():
            setattr(self, key, check_float(key, value, non_negative=True))
        self.state = {
            name: {int(i): np.array(a, copy=True) for i, a in arrays.items()}
            for name, arrays in state["buffers"].items()
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

    def __init__(self, learning_rate: float, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = check_float("momentum", momentum, non_negative=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be < 1, got {self.momentum}.")
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


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias-corrected moments."""

    name = "adam"

    def __init__(
        self, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
    ):
        super().__init__(learning_rate)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            value = check_float(name, value, non_negative=True)
            if value >= 1:
                raise ValueError(f"{name} must be < 1, got {value}.")
        self.beta1, self.beta2 = float(beta1), float(beta2)
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
