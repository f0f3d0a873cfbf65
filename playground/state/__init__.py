"""The playground's Qt-free model: points, edit commands, architecture, settings, session files.

Widgets read this state and change it through methods and edit commands; nothing here imports Qt
(an import-linter contract in pyproject.toml keeps it so), which makes it testable with plain
pytest and reusable from scripts.
"""

from playground.state.architecture import (
    DEFAULT_FEATURES,
    HIDDEN_ACTIVATIONS,
    INPUT_DIM,
    MAX_FEATURES,
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    Architecture,
    HiddenLayer,
    check_features,
)
from playground.state.commands import (
    AddPoints,
    Command,
    InsertPoints,
    RemovePoints,
    ReplacePoints,
    apply_command,
)
from playground.state.data_settings import (
    GENERATOR_CHOICES,
    MAX_POINTS,
    MIN_POINTS,
    NOISE_RANGE,
    TEST_RATIO_RANGE,
    DataSettings,
)
from playground.state.hyperparameters import (
    INIT_CHOICES,
    LEARNING_RATE_RANGE,
    MAX_EPOCHS_PER_REFRESH,
    MAX_SEED,
    OPTIMIZER_CHOICES,
    REGULARIZATION_CHOICES,
    REGULARIZATION_RATE_RANGE,
    Hyperparameters,
)
from playground.state.points import COORDINATE_LIMIT, PointSet
from playground.state.presets import PRESETS, Preset, find_preset
from playground.state.session import (
    FORMAT_VERSION,
    HISTORY_KEYS,
    MAX_BATCH_SIZE,
    MAX_EPOCH,
    MAX_NESTING_DEPTH,
    MAX_SESSION_SEED,
    MIN_VIEW_SPAN,
    SESSION_EXTENSION,
    VIEW_LIMIT,
    Session,
    load_session,
    remove_stale_temporary_files,
    save_session,
)

__all__ = [
    "COORDINATE_LIMIT",
    "DEFAULT_FEATURES",
    "FORMAT_VERSION",
    "GENERATOR_CHOICES",
    "HIDDEN_ACTIVATIONS",
    "HISTORY_KEYS",
    "INIT_CHOICES",
    "INPUT_DIM",
    "LEARNING_RATE_RANGE",
    "MAX_BATCH_SIZE",
    "MAX_EPOCH",
    "MAX_EPOCHS_PER_REFRESH",
    "MAX_FEATURES",
    "MAX_HIDDEN_LAYERS",
    "MAX_NESTING_DEPTH",
    "MAX_POINTS",
    "MAX_SEED",
    "MAX_SESSION_SEED",
    "MAX_UNITS",
    "MIN_POINTS",
    "MIN_VIEW_SPAN",
    "NOISE_RANGE",
    "PRESETS",
    "OPTIMIZER_CHOICES",
    "REGULARIZATION_CHOICES",
    "REGULARIZATION_RATE_RANGE",
    "SESSION_EXTENSION",
    "TEST_RATIO_RANGE",
    "VIEW_LIMIT",
    "AddPoints",
    "Architecture",
    "Command",
    "DataSettings",
    "HiddenLayer",
    "Hyperparameters",
    "InsertPoints",
    "PointSet",
    "Preset",
    "RemovePoints",
    "ReplacePoints",
    "Session",
    "apply_command",
    "check_features",
    "find_preset",
    "load_session",
    "remove_stale_temporary_files",
    "save_session",
]
