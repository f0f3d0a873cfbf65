"""The document: everything a playground session holds, changed only through commands.

One :class:`Document` is the single source of truth of a window: the points with their
train/test split and where they came from, the data generator's settings, the hidden layers,
the training settings, the view of the data plot and the identity of the current training run
(its id and epoch). Widgets never change it directly: they build a command, the undo stack
applies it, and the document tells its observers which aspects changed. Every command's
``apply`` returns its inverse (as Orange's Paint Data does for point edits), so undo and redo
are plain data and testable without Qt.

The run itself (weights, optimizer state, metric history) lives in the training worker, keyed
by the run id held here: a command that starts a new run (:class:`SwitchRun`) records the id
of the run it replaces, so undoing it switches back to that run, trained weights and curves
included, as long as the worker still keeps it (see ``playground.worker``).

Observers are plain callables ``observer(aspects: frozenset[str])``; the aspects are the
``ASPECT_*`` names below. A compound command notifies once, after all of its parts.
"""

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from playground.state.architecture import Architecture
from playground.state.commands import Command, ReplacePoints, apply_command
from playground.state.data_settings import DataSettings
from playground.state.hyperparameters import Hyperparameters
from playground.state.points import PointSet

ASPECT_POINTS = "points"
ASPECT_SOURCE = "source"
ASPECT_DATA_SETTINGS = "data_settings"
ASPECT_ARCHITECTURE = "architecture"
ASPECT_HYPERPARAMETERS = "hyperparameters"
ASPECT_RUN = "run"  # the run id changed: another network (new, or an earlier one again)
ASPECT_PROGRESS = "progress"  # the current run trained (its epoch changed)
ASPECT_VIEW = "view"
ASPECT_PARAMETER = "parameter"  # a weight or bias of the current run was edited by hand
ASPECT_ALL = frozenset(
    {
        ASPECT_POINTS,
        ASPECT_SOURCE,
        ASPECT_DATA_SETTINGS,
        ASPECT_ARCHITECTURE,
        ASPECT_HYPERPARAMETERS,
        ASPECT_RUN,
        ASPECT_PROGRESS,
        ASPECT_VIEW,
    }
)

# Changing one of these starts a new run (a new network); the others apply to the running one.
RESTARTING_HYPERPARAMETERS = ("optimizer", "init", "seed", "precision")

Observer = Callable[[frozenset[str]], None]
Rect = tuple[float, float, float, float]


class PointsDigest:
    """Stands for a point set's content in :meth:`Document.content_signature`.

    Two of them are equal when their points are: sets of different sizes at once, others by a
    digest of their bytes (BLAKE2b), computed at the first comparison that needs it and kept.
    Hashing a million points takes ~35 ms of the GUI thread, and most changes (an import, a
    stroke, an erase) change the size, so the unsaved-changes check seldom hashes at all. It
    holds the point set's arrays (read-only, replaced and never written by the point set) until
    its digest is made; :meth:`digest` also drops them.
    """

    __slots__ = ("_arrays", "_digest", "_size")

    def __init__(self, points: PointSet) -> None:
        self._size = len(points)
        self._arrays: tuple | None = (points.X, points.labels, points.is_test)
        self._digest: bytes | None = None

    def digest(self) -> bytes:
        """The 16-byte digest of the points' bytes (X, labels, test flags)."""
        if self._digest is None:
            digest = hashlib.blake2b(digest_size=16)
            for array in self._arrays:
                digest.update(array.tobytes())
            self._digest, self._arrays = digest.digest(), None
        return self._digest

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PointsDigest):
            return NotImplemented
        if self is other:
            return True
        return self._size == other._size and self.digest() == other.digest()

    def __hash__(self) -> int:
        return hash(self.digest())

    def __repr__(self) -> str:
        return f"PointsDigest({self._size} points)"


@dataclass(frozen=True)
class DataSource:
    """Where the points came from, for the data panel: a generator, a file, or painting.

    Parameters
    ----------
    name : str
        "Moons", "iris.csv", ...; empty for points painted from scratch.
    edited : bool
        True once points were painted or erased on top of that source.
    """

    name: str = ""
    edited: bool = False

    def describe(self, n_points: int) -> str:
        """A one-line description, e.g. ``"Spiral (edited): 312 points"``."""
        count = f"{n_points:,} point" + ("" if n_points == 1 else "s")
        if not self.name:
            return f"Painted: {count}" if n_points else "No points: paint some"
        return f"{self.name}{' (edited)' if self.edited else ''}: {count}"


class Document:
    """The editable state of one playground window (see the module docstring).

    Parameters
    ----------
    points : PointSet
    data_settings : DataSettings
    architecture : Architecture
    hyperparameters : Hyperparameters
    source : DataSource, optional
    view_range : (x0, y0, x1, y1) or None, optional
    run_id : int, optional
        The id of the current run; ids given out by :meth:`new_run_id` are larger.
    epoch : int, optional
        Epochs the current run has completed.
    """

    def __init__(
        self,
        points: PointSet,
        data_settings: DataSettings,
        architecture: Architecture,
        hyperparameters: Hyperparameters,
        source: DataSource | None = None,
        view_range: Rect | None = None,
        run_id: int = 1,
        epoch: int = 0,
    ):
        self._points = points
        self._data_settings = data_settings.copy()
        self._architecture = architecture.copy()
        self._hyperparameters = hyperparameters.copy()
        self._source = source or DataSource()
        self._view_range = view_range
        self._run_id = run_id
        self._epoch = epoch
        self._last_run_id = run_id
        self._observers: list[Observer] = []
        self._changed: set[str] = set()
        self._batch_depth = 0
        self._points_digest: tuple[int, PointsDigest] | None = None
        self._parameter_revision = 0
        self._last_parameter_edit: tuple[int, int, int, float] | None = None

    # -- reading ---------------------------------------------------------------------------------

    @property
    def points(self) -> PointSet:
        """The points (change them only through :class:`EditPoints`)."""
        return self._points

    @property
    def data_settings(self) -> DataSettings:
        """A copy of the data generator's settings."""
        return self._data_settings.copy()

    @property
    def architecture(self) -> Architecture:
        """A copy of the hidden layers."""
        return self._architecture.copy()

    @property
    def hyperparameters(self) -> Hyperparameters:
        """A copy of the training settings."""
        return self._hyperparameters.copy()

    @property
    def source(self) -> DataSource:
        return self._source

    @property
    def view_range(self) -> Rect | None:
        return self._view_range

    @property
    def run_id(self) -> int:
        return self._run_id

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def parameter_revision(self) -> int:
        """Counts the hand edits of the current run's weights (each apply and each undo)."""
        return self._parameter_revision

    @property
    def last_parameter_edit(self) -> tuple[int, int, int, float] | None:
        """``(layer, row, column, value)`` of the latest hand edit (column -1: the bias)."""
        return self._last_parameter_edit

    def data_description(self) -> str:
        """What the data panel shows about the points, e.g. ``"Moons: 300 points"``."""
        return self._source.describe(len(self._points))

    def content_signature(self) -> tuple:
        """What a saved file would hold apart from the run: compared to tell unsaved changes.

        The points enter as a :class:`PointsDigest` (one per points version): point sets of
        different sizes compare unequal without hashing a byte.
        """
        return (
            self._digest_points(),
            self._source,
            tuple(sorted(self._data_settings.to_dict().items())),
            repr(self._architecture.to_dict()),
            tuple(sorted(self._hyperparameters.to_dict().items())),
        )

    def _digest_points(self) -> "PointsDigest":
        version = self._points.version
        if self._points_digest is None or self._points_digest[0] != version:
            self._points_digest = (version, PointsDigest(self._points))
        return self._points_digest[1]

    # -- observing -------------------------------------------------------------------------------

    def subscribe(self, observer: Observer) -> None:
        """Call ``observer(aspects)`` after every change, with the set of aspects changed."""
        self._observers.append(observer)

    def unsubscribe(self, observer: Observer) -> None:
        self._observers.remove(observer)

    def _mark(self, *aspects: str) -> None:
        self._changed.update(aspects)

    def _notify(self) -> None:
        if self._batch_depth or not self._changed:
            return
        changed, self._changed = frozenset(self._changed), set()
        for observer in list(self._observers):
            observer(changed)

    # -- changing --------------------------------------------------------------------------------

    def apply(self, command: "DocumentCommand") -> "DocumentCommand":
        """Apply ``command``, notify the observers once, and return its inverse.

        Raises
        ------
        ValueError
            If the command does not fit the document (e.g. an index out of range); nothing
            has changed then.
        """
        self._batch_depth += 1
        try:
            inverse = command.apply(self)
        finally:
            self._batch_depth -= 1
        self._notify()
        return inverse

    def new_run_id(self) -> int:
        """An id for a new run, never given out before by this document."""
        self._last_run_id += 1
        return self._last_run_id

    def set_epoch(self, run_id: int, epoch: int) -> None:
        """The worker reports progress of run ``run_id``; ignored for any other run."""
        if run_id == self._run_id and epoch != self._epoch:
            self._epoch = int(epoch)
            self._mark(ASPECT_PROGRESS)
            self._notify()

    def set_view_range(self, rect: Rect | None) -> None:
        """The data plot's view changed (not an undo step: panning is not an edit)."""
        if rect != self._view_range:
            self._view_range = rect
            self._mark(ASPECT_VIEW)
            self._notify()

    def replace_all(self, other: "Document") -> None:
        """Become ``other`` (a session opened, File > New); observers hear every aspect."""
        self._points = other._points
        self._data_settings = other._data_settings.copy()
        self._architecture = other._architecture.copy()
        self._hyperparameters = other._hyperparameters.copy()
        self._source = other._source
        self._view_range = other._view_range
        self._run_id = other._run_id
        self._last_run_id = max(self._last_run_id, other._run_id)
        self._epoch = other._epoch
        self._points_digest = None
        self._mark(*ASPECT_ALL)
        self._notify()

    def snapshot(self) -> dict[str, Any]:
        """Every field as plain values (copies): for tests comparing documents."""
        return {
            "points": (
                self._points.X.tolist(),
                self._points.labels.tolist(),
                self._points.is_test.tolist(),
            ),
            "source": self._source,
            "data_settings": self._data_settings.to_dict(),
            "architecture": self._architecture.to_dict(),
            "hyperparameters": self._hyperparameters.to_dict(),
            "run": (self._run_id, self._epoch),
        }


# -- commands ------------------------------------------------------------------------------------


class DocumentCommand:
    """A change of the document: ``apply(document)`` makes it and returns the inverse."""

    text: str

    def apply(self, document: Document) -> "DocumentCommand":  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class EditPoints(DocumentCommand):
    """A point edit (``playground.state`` Command) and, optionally, a new data source.

    ``source`` None keeps the source but marks it edited (painting, erasing).
    """

    edit: Command
    source: DataSource | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if not self.text:
            object.__setattr__(self, "text", self.edit.text)

    def apply(self, document: Document) -> "EditPoints":
        old_source = document._source
        inverse_edit = apply_command(document._points, self.edit)
        new_source = self.source or dataclasses.replace(old_source, edited=True)
        document._source = new_source
        document._mark(ASPECT_POINTS, ASPECT_SOURCE)
        return EditPoints(inverse_edit, old_source, self.text)


def _replace_part(document: Document, attribute: str, value: object, aspect: str) -> object:
    """Put a copy of ``value`` in the document's ``attribute``; return what was there."""
    old = getattr(document, attribute)
    setattr(document, attribute, value.copy())
    document._mark(aspect)
    return old


@dataclass(frozen=True, eq=False)
class SetDataSettings(DocumentCommand):
    settings: DataSettings
    text: str = "Change data settings"

    def apply(self, document: Document) -> "SetDataSettings":
        old = _replace_part(document, "_data_settings", self.settings, ASPECT_DATA_SETTINGS)
        return SetDataSettings(old, self.text)


@dataclass(frozen=True, eq=False)
class SetArchitecture(DocumentCommand):
    architecture: Architecture
    text: str = "Change the network"

    def apply(self, document: Document) -> "SetArchitecture":
        old = _replace_part(document, "_architecture", self.architecture, ASPECT_ARCHITECTURE)
        return SetArchitecture(old, self.text)


@dataclass(frozen=True, eq=False)
class SetHyperparameters(DocumentCommand):
    hyperparameters: Hyperparameters
    text: str = "Change training settings"

    def apply(self, document: Document) -> "SetHyperparameters":
        old = _replace_part(
            document, "_hyperparameters", self.hyperparameters, ASPECT_HYPERPARAMETERS
        )
        return SetHyperparameters(old, self.text)


@dataclass(frozen=True, eq=False)
class SwitchRun(DocumentCommand):
    """Make ``run_id`` the current run (a new one, or an earlier one again), at ``epoch``."""

    run_id: int
    epoch: int = 0
    text: str = "New run"

    def apply(self, document: Document) -> "SwitchRun":
        old = SwitchRun(document._run_id, document._epoch, self.text)
        document._run_id, document._epoch = self.run_id, self.epoch
        document._mark(ASPECT_RUN, ASPECT_PROGRESS)
        return old


@dataclass(frozen=True, eq=False)
class EditParameter(DocumentCommand):
    """Set one weight (``column`` >= 0) or bias (``column`` -1) of run ``run_id`` by hand.

    The weights live in the worker; the document records the edit and tells its observers
    (ASPECT_PARAMETER), and the controller hands it to the worker. ``previous`` is the value
    it replaces, so the inverse is the same edit the other way round.
    """

    run_id: int
    layer: int
    row: int
    column: int
    value: float
    previous: float
    text: str = ""

    def __post_init__(self) -> None:
        if not self.text:
            what = "bias" if self.column < 0 else "weight"
            object.__setattr__(self, "text", f"Edit a {what}")

    def apply(self, document: Document) -> "EditParameter":
        if document._run_id != self.run_id:
            raise ValueError(
                f"the edited weight belongs to run {self.run_id}, not the current run "
                f"{document._run_id}."
            )
        document._last_parameter_edit = (self.layer, self.row, self.column, self.value)
        document._parameter_revision += 1
        document._mark(ASPECT_PARAMETER)
        return EditParameter(
            self.run_id, self.layer, self.row, self.column, self.previous, self.value, self.text
        )


@dataclass(frozen=True, eq=False)
class Compound(DocumentCommand):
    """Several commands as one undo step (a preset, a network edit with its new run)."""

    commands: tuple[DocumentCommand, ...] = field(default_factory=tuple)
    text: str = ""

    def apply(self, document: Document) -> "Compound":
        inverses: list[DocumentCommand] = []
        try:
            for command in self.commands:
                inverses.append(command.apply(document))
        except Exception:
            for inverse in reversed(inverses):  # all or nothing
                inverse.apply(document)
            raise
        return Compound(tuple(reversed(inverses)), self.text)


def with_new_run(
    document: Document, commands: Iterable[DocumentCommand], text: str
) -> DocumentCommand:
    """``commands`` followed by a switch to a fresh run, as one undo step named ``text``."""
    return Compound((*commands, SwitchRun(document.new_run_id(), 0, text)), text)


def restarts_run(old: Hyperparameters, new: Hyperparameters) -> list[str]:
    """The names of the settings that differ and need a new network (see RESTARTING_...)."""
    return [
        name
        for name in RESTARTING_HYPERPARAMETERS
        if hasattr(old, name) and getattr(old, name) != getattr(new, name)
    ]


def clear_points() -> EditPoints:
    """Remove every point: the data source becomes "painted from scratch"."""
    return EditPoints(ReplacePoints.clear(), DataSource(), "Clear points")
