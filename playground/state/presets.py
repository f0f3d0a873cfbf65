"""Ready-made experiments for the Presets menu: data, network and training that teach one thing.

Each preset's ``watch_for`` text goes to the status line when the preset is chosen. The claims
in those texts were measured with nn_engine on the preset's own data and seeds, in float64
(which every preset keeps; the article's numbers need it), and
tests/playground/state/test_state_presets.py checks the short ones.
"""

from playground.state.architecture import Architecture
from playground.state.commands import ReplacePoints
from playground.state.data_settings import DataSettings
from playground.state.hyperparameters import Hyperparameters


class Preset:
    """A named experiment: data settings, architecture, hyperparameters and what to watch for.

    The settings are returned as fresh copies, so the window may edit what it gets without
    changing the preset.

    Parameters
    ----------
    name : str
        The menu entry.
    description : str
        One sentence for the menu's tooltip.
    data_settings : DataSettings
    architecture : Architecture
    hyperparameters : Hyperparameters
    watch_for : str
        What the user should watch for; shown in the status line.
    hidden_space_layer : int, optional
        The layer the Hidden space tab should show when the preset is chosen (1 = the first
        hidden layer); None leaves the tabs as they are.
    """

    __slots__ = (
        "_architecture",
        "_data_settings",
        "_hyperparameters",
        "description",
        "hidden_space_layer",
        "name",
        "watch_for",
    )

    def __init__(
        self,
        name: str,
        description: str,
        data_settings: DataSettings,
        architecture: Architecture,
        hyperparameters: Hyperparameters,
        watch_for: str,
        hidden_space_layer: int | None = None,
    ) -> None:
        if hidden_space_layer is not None and not 1 <= hidden_space_layer <= len(architecture):
            raise ValueError(
                f"hidden_space_layer must be 1..{len(architecture)}, got {hidden_space_layer}."
            )
        self.name = name
        self.description = description
        self.watch_for = watch_for
        self.hidden_space_layer = hidden_space_layer
        self._data_settings = data_settings.copy()
        self._architecture = architecture.copy()
        self._hyperparameters = hyperparameters.copy()

    @property
    def data_settings(self) -> DataSettings:
        """A copy of the preset's data settings."""
        return self._data_settings.copy()

    @property
    def architecture(self) -> Architecture:
        """A copy of the preset's architecture."""
        return self._architecture.copy()

    @property
    def hyperparameters(self) -> Hyperparameters:
        """A copy of the preset's hyperparameters."""
        return self._hyperparameters.copy()

    def points_command(self) -> ReplacePoints:
        """The command that replaces the points with the preset's data ("Preset: <name>")."""
        return self._data_settings.generate(text=f"Preset: {self.name}")

    def __repr__(self) -> str:
        return f"Preset({self.name!r}, {self._architecture.summary()})"


THE_ARTICLE = Preset(
    name="The article",
    description=(
        "The article: moons 1000 points, noise 0.2, 10 % test, 2-25-50-50-25-1 ReLU, "
        "SGD 0.01 full batch, article init, seed 2."
    ),
    # make_moons(random_state=100) and train_test_split(random_state=42), as in the article.
    data_settings=DataSettings(
        generator="moons", n_points=1000, noise=0.2, seed=100, test_ratio=0.1, split_seed=42
    ),
    architecture=Architecture.from_units([25, 50, 50, 25], "relu"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="sgd",
        learning_rate=0.01,
        batch_size=0,
        init="seed",
        seed=2,
        epochs_per_refresh=20,
    ),
    watch_for=(
        "Plain gradient descent from small weights: for about 1,500 epochs the map stays near "
        "p = 0.5 (white) and the loss near 0.69; from about epoch 2,000 the boundary bends "
        "around the moons and the loss falls; test accuracy reaches about 0.98 by epoch 10,000."
    ),
)

XOR = Preset(
    name="XOR needs a hidden layer",
    description="XOR data, one hidden layer of 4 tanh units, Adam 0.03.",
    # Noise 0.2 is the engine's 0.1 for XOR (see DataSettings.noise).
    data_settings=DataSettings(generator="xor", n_points=400, noise=0.2, seed=0, test_ratio=0.2),
    architecture=Architecture.from_units([4], "tanh"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="adam",
        learning_rate=0.03,
        init="xavier",
        seed=1,
        epochs_per_refresh=2,
    ),
    watch_for=(
        "Four hidden units are enough: the boundary splits the plane into the four XOR "
        "quadrants and accuracy passes 0.95 within a few hundred epochs."
    ),
)

XOR_WITHOUT_HIDDEN_LAYER = Preset(
    name="XOR without a hidden layer (fails)",
    description="The same XOR data with no hidden layer: logistic regression.",
    data_settings=XOR.data_settings,
    architecture=Architecture(),
    hyperparameters=XOR.hyperparameters,
    watch_for=(
        "With no hidden layer the boundary can only be a straight line: accuracy stays near "
        "0.5 however long it trains. Add a hidden layer and press Reset to fix it."
    ),
)

CIRCLES = Preset(
    name="Circles",
    description="One circle inside another, one hidden layer of 8 ReLU units, Adam 0.03.",
    data_settings=DataSettings(  # noise 0.2: the engine's 0.1 for circles
        generator="circles", n_points=400, noise=0.2, seed=0, test_ratio=0.2
    ),
    architecture=Architecture.from_units([8], "relu"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="adam",
        learning_rate=0.03,
        init="he",
        seed=1,
        epochs_per_refresh=2,
    ),
    watch_for=(
        "The boundary closes into a ring around the inner circle; each ReLU unit adds one "
        "straight edge to it."
    ),
)

CIRCLES_WITHOUT_HIDDEN_LAYERS = Preset(
    name="Circles without hidden layers",
    description="The circles with inputs x1² and x2² and no hidden layer, Adam 0.1.",
    data_settings=CIRCLES.data_settings,
    architecture=Architecture(features=("x1^2", "x2^2")),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="adam",
        learning_rate=0.1,
        init="xavier",
        seed=1,
        epochs_per_refresh=2,
    ),
    watch_for=(
        "With x1² and x2² as inputs, a circle x1² + x2² = r² is a straight line in the "
        "network's eyes, so logistic regression separates the rings: test accuracy passes "
        "0.95 within 100 epochs. Switch x1² and x2² off and x1, x2 on in the network panel: "
        "the boundary is a straight line again and accuracy stays below 0.75."
    ),
)

HIDDEN_SPACE = Preset(
    name="Hidden space: unfolding the circles",
    description=(
        "Circles through hidden layers of 3 and 2 tanh units, Adam 0.03; the Hidden space tab "
        "shows the 2-unit layer."
    ),
    data_settings=CIRCLES.data_settings,
    architecture=Architecture.from_units([3, 2], "tanh"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="adam",
        learning_rate=0.03,
        init="xavier",
        seed=1,
        epochs_per_refresh=1,
    ),
    watch_for=(
        "The Hidden space tab shows the plane as layer 2's two units see it. At epoch 0 the "
        "classes lie mixed there; while it trains the first layer folds the plane until, "
        "within about 100 epochs, a straight line separates them: the output unit is a "
        "logistic regression on this plane."
    ),
    hidden_space_layer=2,
)

SPIRAL = Preset(
    name="Spiral needs depth",
    description="Two interleaved spirals, four hidden layers of 32 ReLU units, Adam 0.01.",
    data_settings=DataSettings(  # noise 0.2: the engine's 0.05 for the spiral
        generator="spiral", n_points=600, noise=0.2, seed=0, test_ratio=0.2
    ),
    architecture=Architecture.from_units([32, 32, 32, 32], "relu"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="adam",
        learning_rate=0.01,
        init="he",
        seed=1,
        epochs_per_refresh=5,
    ),
    watch_for=(
        "Four layers wind the boundary along both arms within a few hundred epochs. Remove "
        "three of them and press Reset: one layer of 32 units needs thousands of epochs."
    ),
)

TOO_HIGH_A_LEARNING_RATE = Preset(
    name="Too high a learning rate",
    description="Moons with plain gradient descent at learning rate 10.",
    data_settings=DataSettings(
        generator="moons", n_points=400, noise=0.2, seed=100, test_ratio=0.1
    ),
    architecture=Architecture.from_units([8, 8], "leaky_relu"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="sgd",
        learning_rate=10.0,
        init="he",
        seed=2,
        epochs_per_refresh=1,
    ),
    watch_for=(
        "Each step overshoots: the loss explodes and training stops after a few epochs "
        "with the last sane weights restored. Lower the learning rate to 1, press Reset, "
        "then Train."
    ),
)

_DEEP_DATA = DataSettings(generator="moons", n_points=400, noise=0.2, seed=0, test_ratio=0.2)

DEEP_SIGMOID = Preset(
    name="Deep sigmoid: vanishing gradients",
    description="Moons, eight hidden layers of 8 sigmoid units, Xavier init, SGD 0.1.",
    data_settings=_DEEP_DATA,
    architecture=Architecture.from_units([8] * 8, "sigmoid"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="sgd",
        learning_rate=0.1,
        init="xavier",
        seed=1,
        epochs_per_refresh=5,
    ),
    watch_for=(
        "Each sigmoid passes back at most a quarter of its gradient: in the network panel's "
        "layer health, the first layer's gradient norm is about five orders of magnitude "
        "below the output's, and the loss stays near 0.69 for hundreds of epochs. Compare "
        "the deep ReLU preset."
    ),
)

DEEP_RELU = Preset(
    name="Deep ReLU with He init",
    description="The same data and depth with ReLU units and He init, SGD 0.1.",
    data_settings=_DEEP_DATA,
    architecture=Architecture.from_units([8] * 8, "relu"),
    hyperparameters=Hyperparameters(
        precision="float64",
        optimizer="sgd",
        learning_rate=0.1,
        init="he",
        seed=1,
        epochs_per_refresh=5,
    ),
    watch_for=(
        "ReLU passes gradients on unchanged where a unit is active and He init keeps the "
        "signal's size from layer to layer: every layer's gradient norm stays within a "
        "factor of ten of the others, and the moons are separated within a few hundred epochs."
    ),
)

PRESETS = (
    THE_ARTICLE,
    XOR,
    XOR_WITHOUT_HIDDEN_LAYER,
    CIRCLES,
    CIRCLES_WITHOUT_HIDDEN_LAYERS,
    HIDDEN_SPACE,
    SPIRAL,
    TOO_HIGH_A_LEARNING_RATE,
    DEEP_SIGMOID,
    DEEP_RELU,
)


def find_preset(name: str) -> Preset:
    """The preset called ``name`` (e.g. the last one used, remembered in the settings).

    Raises
    ------
    ValueError
        If no preset has that name.
    """
    for preset in PRESETS:
        if preset.name == name:
            return preset
    names = ", ".join(repr(preset.name) for preset in PRESETS)
    raise ValueError(f"preset must be one of {names}, got {name!r}.")
