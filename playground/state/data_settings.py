"""The data generator's settings and the command that generates its points."""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

import nn_engine
from playground.state.commands import ReplacePoints
from playground.state.hyperparameters import MAX_SEED
from playground.state.validation import (
    CheckedFields,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_keys,
)

GENERATOR_CHOICES = ("moons", "circles", "xor", "gaussians", "spiral")
MIN_POINTS = 2
MAX_POINTS = 5000
NOISE_RANGE = (0.0, 1.0)
TEST_RATIO_RANGE = (0.0, 0.9)


def _check_split_seed(value: Any) -> int | None:
    return None if value is None else check_int("split_seed", value, 0, MAX_SEED)


@dataclass(slots=True)
class DataSettings(CheckedFields):
    """Settings of the data generator; every assignment is checked.

    Parameters
    ----------
    generator : {"moons", "circles", "xor", "gaussians", "spiral"}
    n_points : int
        In 2..5000.
    noise : float
        In 0..1; the generator's noise (for "gaussians", the spread of the blobs).
    seed : int
        In 0..2**32-1; the same seed gives the same points.
    test_ratio : float
        In 0..0.9; the share of points held out as test points.
    show_test : bool
        Whether the data plot shows the test points.
    split_seed : int or None
        Seed of the train/test split; None (the default) uses ``seed``. The article preset
        sets it to reproduce the article's split (``random_state=42``) of its data
        (``random_state=100``).
    """

    generator: str = "moons"
    n_points: int = 1000
    noise: float = 0.2
    seed: int = 100
    test_ratio: float = 0.1
    show_test: bool = True
    split_seed: int | None = None

    _CHECKS: ClassVar[dict[str, Any]] = {
        "generator": partial(check_choice, "generator", choices=GENERATOR_CHOICES),
        "n_points": partial(check_int, "n_points", low=MIN_POINTS, high=MAX_POINTS),
        "noise": partial(check_float, "noise", low=NOISE_RANGE[0], high=NOISE_RANGE[1]),
        "seed": partial(check_int, "seed", low=0, high=MAX_SEED),
        "test_ratio": partial(
            check_float, "test_ratio", low=TEST_RATIO_RANGE[0], high=TEST_RATIO_RANGE[1]
        ),
        "show_test": partial(check_bool, "show_test"),
        "split_seed": _check_split_seed,
    }

    def copy(self) -> "DataSettings":
        """An independent copy."""
        return dataclasses.replace(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict with one key per field."""
        return {name: getattr(self, name) for name in self._CHECKS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DataSettings":
        """Inverse of :meth:`to_dict`; every key must be present and no other.

        Raises
        ------
        TypeError, ValueError
            Naming the missing, unknown or bad key.
        """
        check_keys("data_settings", data, tuple(cls._CHECKS))
        return cls(**data)

    def generate(self, text: str | None = None) -> ReplacePoints:
        """The command that replaces all points with freshly generated ones.

        Parameters
        ----------
        text : str, optional
            The undo step's name; ``"Generate <generator>"`` when omitted.

        Returns
        -------
        ReplacePoints
            ``n_points`` points from ``nn_engine.datasets.GENERATORS[generator]`` with
            ``noise`` and ``seed``; ``is_test`` from ``nn_engine.datasets.split_mask`` with
            ``test_ratio`` and ``split_seed`` (or ``seed``).

        Raises
        ------
        ValueError
            If the split would leave no training point (e.g. 2 points with test_ratio 0.9).
        """
        make_points = nn_engine.datasets.GENERATORS[self.generator]
        X, y = make_points(n_samples=self.n_points, noise=self.noise, seed=self.seed)
        split_seed = self.seed if self.split_seed is None else self.split_seed
        is_test = nn_engine.datasets.split_mask(self.n_points, self.test_ratio, split_seed)
        return ReplacePoints(X, y, is_test, text=text or f"Generate {self.generator}")
