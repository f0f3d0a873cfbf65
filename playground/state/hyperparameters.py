"""How the network is trained: optimizer, learning rate, batches, regularisation, init, seed."""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from playground.state.validation import (
    CheckedFields,
    check_choice,
    check_float,
    check_int,
    check_keys,
)

OPTIMIZER_CHOICES = ("sgd", "momentum", "nesterov", "adam")
REGULARIZATION_CHOICES = ("none", "l1", "l2")
INIT_CHOICES = ("seed", "he", "xavier")  # "seed": the article's randn * 0.1
PRECISION_CHOICES = ("float32", "float64")
# Sessions saved before the precision setting existed were trained in float64.
PRECISION_OF_OLD_FILES = "float64"
LEARNING_RATE_RANGE = (1e-5, 10.0)
REGULARIZATION_RATE_RANGE = (0.0, 10.0)
MAX_SEED = 2**32 - 1  # what every NumPy seeding API accepts
MAX_EPOCHS_PER_REFRESH = 10_000


@dataclass(slots=True)
class Hyperparameters(CheckedFields):
    """Training settings; every assignment is checked, so an instance is always valid.

    Parameters
    ----------
    optimizer : {"sgd", "momentum", "nesterov", "adam"}
    learning_rate : float
        In 1e-5..10.
    batch_size : int
        Points per mini-batch; 0 means full batch.
    regularization : {"none", "l1", "l2"}
    regularization_rate : float
        In 0..10; ignored when ``regularization`` is "none".
    init : {"seed", "he", "xavier"}
        Weight initialisation; "seed" is the article's ``randn * 0.1``.
    seed : int
        In 0..2**32-1; seeds the initial weights and the batch shuffling, so Reset is
        reproducible.
    epochs_per_refresh : int
        Epochs trained between two redraws, 1..10000.
    precision : {"float32", "float64"}
        The network's floating-point type. float32 is the default of a new instance; a dict
        without this key (a session saved before it existed) reads as float64, the type those
        sessions were trained in (see :meth:`from_dict`). The article's numbers need float64.
    """

    optimizer: str = "sgd"
    learning_rate: float = 0.01
    batch_size: int = 0
    regularization: str = "none"
    regularization_rate: float = 0.0
    init: str = "seed"
    seed: int = 2
    epochs_per_refresh: int = 10
    precision: str = "float32"

    _CHECKS: ClassVar[dict[str, Any]] = {
        "optimizer": partial(check_choice, "optimizer", choices=OPTIMIZER_CHOICES),
        "learning_rate": partial(
            check_float, "learning_rate", low=LEARNING_RATE_RANGE[0], high=LEARNING_RATE_RANGE[1]
        ),
        "batch_size": partial(check_int, "batch_size", low=0),
        "regularization": partial(check_choice, "regularization", choices=REGULARIZATION_CHOICES),
        "regularization_rate": partial(
            check_float,
            "regularization_rate",
            low=REGULARIZATION_RATE_RANGE[0],
            high=REGULARIZATION_RATE_RANGE[1],
        ),
        "init": partial(check_choice, "init", choices=INIT_CHOICES),
        "seed": partial(check_int, "seed", low=0, high=MAX_SEED),
        "epochs_per_refresh": partial(
            check_int, "epochs_per_refresh", low=1, high=MAX_EPOCHS_PER_REFRESH
        ),
        "precision": partial(check_choice, "precision", choices=PRECISION_CHOICES),
    }

    def copy(self) -> "Hyperparameters":
        """An independent copy."""
        return dataclasses.replace(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict with one key per field."""
        return {name: getattr(self, name) for name in self._CHECKS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Hyperparameters":
        """Inverse of :meth:`to_dict`; every key must be present and no other, except
        ``precision``: without it (files from before that setting) it is "float64".

        Raises
        ------
        TypeError, ValueError
            Naming the missing, unknown or bad key.
        """
        if isinstance(data, Mapping) and "precision" not in data:
            data = {**data, "precision": PRECISION_OF_OLD_FILES}
        check_keys("hyperparameters", data, tuple(cls._CHECKS))
        return cls(**data)

    def trainer_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``nn_engine.Trainer`` (besides the network and the data).

        Returns
        -------
        dict
            ``learning_rate``, ``optimizer``, ``batch_size`` (None for full batch), ``l1``,
            ``l2`` and ``seed``.
        """
        rate = self.regularization_rate
        return {
            "learning_rate": self.learning_rate,
            "optimizer": self.optimizer,
            "batch_size": self.batch_size or None,
            "l1": rate if self.regularization == "l1" else 0.0,
            "l2": rate if self.regularization == "l2" else 0.0,
            "seed": self.seed,
        }

    def network_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``nn_engine.Network`` besides the architecture.

        Returns
        -------
        dict
            ``init``, ``seed`` and ``dtype`` (the :attr:`precision`, "float32" or "float64").
        """
        return {"init": self.init, "seed": self.seed, "dtype": self.precision}
