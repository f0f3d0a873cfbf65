"""The layer stack the user edits: hidden layers between 2 fixed inputs and 1 sigmoid output."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from playground.state.validation import check_choice, check_int, check_keys

INPUT_DIM = 2  # the data plot's x and y
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


class Architecture:
    """The editable network shape: 0..10 hidden layers; the ends (2 inputs, 1 sigmoid) are fixed.

    Parameters
    ----------
    layers : iterable of HiddenLayer, optional
        The hidden layers, input side first. None (the default) means no hidden layer, which is
        logistic regression.

    Examples
    --------
    >>> arch = Architecture([HiddenLayer(25), HiddenLayer(50), HiddenLayer(50), HiddenLayer(25)])
    >>> arch.summary()
    '2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters'
    """

    def __init__(self, layers: Iterable[HiddenLayer] = ()) -> None:
        layers = tuple(layers)
        for layer in layers:
            if not isinstance(layer, HiddenLayer):
                raise TypeError(f"layers must hold HiddenLayer objects, got {layer!r}.")
        self._check_count(len(layers))
        self._layers = layers

    @classmethod
    def from_units(cls, units: Iterable[int], activation: str = "relu") -> "Architecture":
        """Build from a list of layer widths sharing one activation, e.g. ``[25, 50, 50, 25]``."""
        return cls(HiddenLayer(n, activation) for n in units)

    @property
    def layers(self) -> tuple[HiddenLayer, ...]:
        """The hidden layers, input side first."""
        return self._layers

    def __len__(self) -> int:
        return len(self._layers)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Architecture):
            return NotImplemented
        return self._layers == other._layers

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.sizes()))
        activations = "/".join(layer.activation for layer in self._layers) or "none"
        return f"Architecture({sizes}, hidden {activations})"

    def copy(self) -> "Architecture":
        """An independent copy (the layers themselves are immutable and shared)."""
        return Architecture(self._layers)

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
        """Units per layer including the fixed ends, e.g. ``[2, 25, 50, 50, 25, 1]``."""
        return [INPUT_DIM, *(layer.units for layer in self._layers), 1]

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

    def n_params(self) -> int:
        """Number of trainable parameters: a weight per connection plus a bias per unit."""
        return sum(n_in * n_out + n_out for n_in, n_out in pairwise(self.sizes()))

    def summary(self) -> str:
        """One line for the window, e.g. ``"2 → 25 → 50 → 50 → 25 → 1 · 5,226 parameters"``."""
        return " → ".join(map(str, self.sizes())) + f" · {self.n_params():,} parameters"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: ``{"hidden_layers": [{"units": 25, "activation": "relu"}, ...]}``."""
        return {
            "hidden_layers": [
                {"units": layer.units, "activation": layer.activation} for layer in self._layers
            ]
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Architecture":
        """Inverse of :meth:`to_dict`; checks every key and value.

        Raises
        ------
        TypeError, ValueError
            Naming the first bad key or value.
        """
        check_keys("architecture", data, ("hidden_layers",))
        hidden = data["hidden_layers"]
        if not isinstance(hidden, list):
            raise TypeError(f"hidden_layers must be a list, got {type(hidden).__name__}.")
        cls._check_count(len(hidden))
        layers = []
        for i, layer in enumerate(hidden):
            check_keys(f"hidden_layers[{i}]", layer, ("units", "activation"))
            layers.append(HiddenLayer(layer["units"], layer["activation"]))
        return cls(layers)
