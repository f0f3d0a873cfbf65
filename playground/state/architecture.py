"""The network the user edits: its input features, hidden layers, and 1 sigmoid output.

The features are what the network sees of a point (x1, x2): names of
``nn_engine.FEATURES`` or expressions in x1 and x2 (``nn_engine.parse_feature``), as in
TensorFlow Playground's input column. The first layer has one input per feature.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nn_engine import FEATURES, parse_feature
from playground.state.validation import check_choice, check_int, check_keys

INPUT_DIM = 2  # the data plot's x and y: what every feature is computed from
MAX_FEATURES = 16  # the network panel's input column stays readable
DEFAULT_FEATURES = ("x1", "x2")  # the point itself, as nn_engine.Network's default
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu")
OUTPUT_ACTIVATION = "sigmoid"  # one unit giving P(class 1)
MAX_HIDDEN_LAYERS = 10
MAX_UNITS = 256


@dataclass(frozen=True)
class HiddenLayer:
    """One hidden layer: its number of units (1..256) and its activation.

    Parameters
    ----------
    units : int
        Number of neurons, 1..:data:`MAX_UNITS`.
    activation : str
        One of :data:`HIDDEN_ACTIVATIONS`.
    """

    units: int
    activation: str = "relu"

    def __post_init__(self) -> None:
        # Frozen: normalise through object.__setattr__ (numpy ints become ints).
        object.__setattr__(self, "units", check_int("units", self.units, 1, MAX_UNITS))
        check_choice("activation", self.activation, HIDDEN_ACTIVATIONS)


FEATURE_LABELS = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1²",
    "x2^2": "x2²",
    "x1*x2": "x1·x2",
    "sin(x1)": "sin x1",
    "sin(x2)": "sin x2",
}
"""How the window writes each built-in feature (``nn_engine.FEATURES``)."""


def feature_label(name: str, limit: int = 14) -> str:
    """The feature ``name`` as the window writes it: a built-in's label, an expression
    itself (cut to ``limit`` characters with "…")."""
    if name in FEATURE_LABELS:
        return FEATURE_LABELS[name]
    text = " ".join(name.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_features(features: object) -> tuple[str, ...]:
    """``features`` as a tuple after checking it: 1..MAX_FEATURES distinct names that
    ``nn_engine.parse_feature`` accepts.

    Raises
    ------
    TypeError
        If ``features`` is not a sequence of str.
    ValueError
        Naming the first refused feature (with the engine's reason), a repeated one, or the
        count.
    """
    if isinstance(features, str | bytes) or not isinstance(features, Sequence):
        raise TypeError(f"features must be a list of feature names, got {type(features).__name__}.")
    if not 1 <= len(features) <= MAX_FEATURES:
        raise ValueError(f"features must name 1..{MAX_FEATURES} features, got {len(features)}.")
    for index, name in enumerate(features):
        if not isinstance(name, str):
            raise TypeError(f"features[{index}] must be a str, got {type(name).__name__}.")
        parse_feature(name)  # a ValueError naming the offending token
        if name in features[:index]:
            raise ValueError(f"features must be distinct, got {name!r} twice.")
    return tuple(features)


class Architecture:
    """The editable network: its input features and 0..10 hidden layers; the output (1 sigmoid
    unit) is fixed.

    Parameters
    ----------
    layers : iterable of HiddenLayer, optional
        The hidden layers, input side first. None (the default) means no hidden layer, which is
        logistic regression.
    features : sequence of str, optional
        The input features (see :func:`check_features`), ``("x1", "x2")`` by default.

    Examples
    --------
    >>> arch = Architecture([HiddenLayer(25), HiddenLayer(50), HiddenLayer(50), HiddenLayer(25)])
    >>> arch.summary()
    '2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters'
    """

    def __init__(
        self, layers: Iterable[HiddenLayer] = (), features: Sequence[str] = DEFAULT_FEATURES
    ) -> None:
        layers = tuple(layers)
        for layer in layers:
            if not isinstance(layer, HiddenLayer):
                raise TypeError(f"layers must hold HiddenLayer objects, got {layer!r}.")
        self._check_count(len(layers))
        self._features = check_features(features)
        self._layers = layers

    @classmethod
    def from_units(
        cls,
        units: Iterable[int],
        activation: str = "relu",
        features: Sequence[str] = DEFAULT_FEATURES,
    ) -> "Architecture":
        """Build from a list of layer widths sharing one activation, e.g. ``[25, 50, 50, 25]``."""
        return cls((HiddenLayer(n, activation) for n in units), features)

    @property
    def features(self) -> tuple[str, ...]:
        """The input features, in the order of the first layer's inputs."""
        return self._features

    @property
    def layers(self) -> tuple[HiddenLayer, ...]:
        """The hidden layers, input side first."""
        return self._layers

    def __len__(self) -> int:
        return len(self._layers)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Architecture):
            return NotImplemented
        return self._layers == other._layers and self._features == other._features

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.sizes()))
        activations = "/".join(layer.activation for layer in self._layers) or "none"
        features = "" if self._features == DEFAULT_FEATURES else f", features {self._features}"
        return f"Architecture({sizes}, hidden {activations}{features})"

    def copy(self) -> "Architecture":
        """An independent copy (the layers themselves are immutable and shared)."""
        return Architecture(self._layers, self._features)

    # --- editing; each method checks everything first, so a refused edit changes nothing ---

    def add_layer(self, index: int | None = None, units: int = 8, activation: str = "relu") -> None:
        """Insert a hidden layer at ``index`` (0 = next to the input; None = next to the output).

        Raises
        ------
        ValueError
            If there are already :data:`MAX_HIDDEN_LAYERS` layers, or ``index`` or ``units``
            is out of range.
        """
        self._check_count(len(self._layers) + 1)
        if index is None:
            index = len(self._layers)
        index = check_int("index", index, 0, len(self._layers))
        layer = HiddenLayer(units, activation)
        self._layers = self._layers[:index] + (layer,) + self._layers[index:]

    def remove_layer(self, index: int) -> None:
        """Remove the hidden layer at ``index``."""
        index = self._check_index(index)
        self._layers = self._layers[:index] + self._layers[index + 1 :]

    def move_layer(self, source: int, destination: int) -> None:
        """Move the layer at ``source`` so that it ends up at position ``destination``."""
        source = self._check_index(source, "source")
        destination = self._check_index(destination, "destination")
        layers = list(self._layers)
        layers.insert(destination, layers.pop(source))
        self._layers = tuple(layers)

    def set_units(self, index: int, units: int) -> None:
        """Set the number of units (1..:data:`MAX_UNITS`) of the layer at ``index``."""
        index = self._check_index(index)
        self._replace(index, HiddenLayer(units, self._layers[index].activation))

    def set_activation(self, index: int, activation: str) -> None:
        """Set the activation (one of :data:`HIDDEN_ACTIVATIONS`) of the layer at ``index``."""
        index = self._check_index(index)
        self._replace(index, HiddenLayer(self._layers[index].units, activation))

    def set_features(self, features: Sequence[str]) -> None:
        """Use ``features`` as the inputs (see :func:`check_features`); the first layer's
        input count follows."""
        self._features = check_features(features)

    def _replace(self, index: int, layer: HiddenLayer) -> None:
        self._layers = self._layers[:index] + (layer,) + self._layers[index + 1 :]

    def _check_index(self, index: int, name: str = "index") -> int:
        if not self._layers:
            raise ValueError(
                f"{name} must refer to a hidden layer, got {index!r} (there are none)."
            )
        return check_int(name, index, 0, len(self._layers) - 1)

    @staticmethod
    def _check_count(count: int) -> None:
        if count > MAX_HIDDEN_LAYERS:
            raise ValueError(
                f"the number of hidden layers must be <= {MAX_HIDDEN_LAYERS}, got {count}."
            )

    # --- views for the engine and the window ---

    def sizes(self) -> list[int]:
        """Units per layer including the ends, e.g. ``[2, 25, 50, 50, 25, 1]``: the first is
        the number of features."""
        return [len(self._features), *(layer.units for layer in self._layers), 1]

    def activations(self) -> list[str]:
        """Activation of every layer after the input, the output's ``"sigmoid"`` included."""
        return [*(layer.activation for layer in self._layers), OUTPUT_ACTIVATION]

    def to_engine(self) -> list[dict[str, Any]]:
        """The article's architecture format, as ``nn_engine.Network`` takes it.

        Returns
        -------
        list of dict
            ``[{"input_dim": 2, "output_dim": 25, "activation": "relu"}, ...,
            {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"}]``
        """
        return [
            {"input_dim": n_in, "output_dim": n_out, "activation": activation}
            for (n_in, n_out), activation in zip(
                pairwise(self.sizes()), self.activations(), strict=True
            )
        ]

    def network_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``nn_engine.Network`` besides :meth:`to_engine`'s layers:
        ``{"features": (...)}``."""
        return {"features": self._features}

    def feature_problem(self, X: NDArray, dtype: str = "float64") -> str | None:
        """Why the features cannot be trained on the points ``X`` (n, 2), or None.

        A feature must be finite at every point, also once cast to ``dtype`` (the network's
        precision): ``log(x1)`` at x1 <= 0, or ``exp(x1)`` beyond float32's range, is not.
        The built-ins are finite wherever the points are, so only expressions are computed.
        """
        limit = np.finfo(np.dtype(dtype)).max
        for name in self._features:
            if name in FEATURES or len(X) == 0:
                continue
            values = np.broadcast_to(parse_feature(name)(X[:, 0], X[:, 1]), len(X))
            bad = ~(np.abs(values) <= limit)  # NaN compares False
            if bad.any():
                x1, x2 = X[np.argmax(bad)]
                return (
                    f"the feature {name} is not finite at {int(bad.sum()):,} of the points "
                    f"(e.g. x1 = {x1:.3g}, x2 = {x2:.3g}); remove it or change the points"
                )
        return None

    def n_params(self) -> int:
        """Number of trainable parameters: a weight per connection plus a bias per unit."""
        return sum(n_in * n_out + n_out for n_in, n_out in pairwise(self.sizes()))

    def summary(self) -> str:
        """One line for the window, e.g. ``"2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters"``;
        other features than x1, x2 are counted: ``"5 features → 8 → 1 · 57 parameters"``."""
        sizes = list(map(str, self.sizes()))
        if self._features != DEFAULT_FEATURES:
            n = len(self._features)
            sizes[0] = f"{n} feature" if n == 1 else f"{n} features"
        return " → ".join(sizes) + f" · {self.n_params():,} parameters"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: ``{"hidden_layers": [{"units": 25, "activation": "relu"}, ...],
        "features": ["x1", "x2"]}``."""
        return {
            "hidden_layers": [
                {"units": layer.units, "activation": layer.activation} for layer in self._layers
            ],
            "features": list(self._features),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], with_features: bool = True) -> "Architecture":
        """Inverse of :meth:`to_dict`; checks every key and value.

        ``with_features`` False reads the form without "features" (session formats 1 and 2),
        whose features are x1 and x2.

        Raises
        ------
        TypeError, ValueError
            Naming the first bad key or value.
        """
        keys = ("hidden_layers", "features") if with_features else ("hidden_layers",)
        check_keys("architecture", data, keys)
        features = data["features"] if with_features else DEFAULT_FEATURES
        hidden = data["hidden_layers"]
        if not isinstance(hidden, list):
            raise TypeError(f"hidden_layers must be a list, got {type(hidden).__name__}.")
        cls._check_count(len(hidden))
        layers = []
        for i, layer in enumerate(hidden):
            check_keys(f"hidden_layers[{i}]", layer, ("units", "activation"))
            layers.append(HiddenLayer(layer["units"], layer["activation"]))
        return cls(layers, features)
