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
# The engine's noise is an absolute spread; the playground's noise (0..1) is scaled per data set
# so that 0.2 shows every shape clearly and 1 is very noisy everywhere. The factor relates the
# spread to the gap between the two classes: the moons are about 0.5 apart (the article's noise
# 0.2 is kept as is), the circles 0.5, the XOR quadrants cluster 0.5 from the axes, and the
# spiral's arms only about 0.29 (its turns grow 1/1.75 in radius, the arms half a turn apart).
# The gaussians already map 0..1 to blobs of standard deviation 0.3..1.3 around (-1,-1), (1,1).
NOISE_SCALE = {"moons": 1.0, "circles": 0.5, "xor": 0.5, "gaussians": 1.0, "spiral": 0.25}


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
        In 0..1, on a scale of its own for each data set: 0.2 (the default) shows the shape
        clearly, 1 is very noisy. The engine's generator gets ``noise * NOISE_SCALE[generator]``
        as its standard deviation of Gaussian jitter: moons 1 (the article's noise 0.2 is the
        engine's 0.2), circles 0.5, XOR 0.5, spiral 0.25; for "gaussians" (scale 1) it widens
        the blobs from a standard deviation of 0.3 at noise 0 to 1.3 at noise 1.
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

    def engine_noise(self) -> float:
        """The noise passed to the engine's generator: ``noise * NOISE_SCALE[generator]``."""
        return self.noise * NOISE_SCALE[self.generator]

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
            :meth:`engine_noise` and ``seed``; ``is_test`` from
            ``nn_engine.datasets.split_mask`` with ``test_ratio`` and ``split_seed`` (or ``seed``).

        Raises
        ------
        ValueError
            If the split would leave no training point (e.g. 2 points with test_ratio 0.9).
        """
        make_points = nn_engine.datasets.GENERATORS[self.generator]
        X, y = make_points(n_samples=self.n_points, noise=self.engine_noise(), seed=self.seed)
        split_seed = self.seed if self.split_seed is None else self.split_seed
        is_test = nn_engine.datasets.split_mask(self.n_points, self.test_ratio, split_seed)
        return ReplacePoints(X, y, is_test, text=text or f"Generate {self.generator}")
