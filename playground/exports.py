"""Data in and out: points as CSV, the model (.npz), the architecture (JSON), plots as PNG.

Two layers, as for sessions: dialog-free functions that do the work and raise ``ValueError`` or
``OSError`` with a message for the user (the window's public ``export_model``, ... call them),
and :class:`DataExchangeActions`, the File menu entries that ask for a file (and an image
width), call those functions and show any failure in the window: in the status line and in a
non-modal message box, never as a traceback.

Importing points reads files off the GUI thread: :func:`read_points_file` (our own
``x,y,label`` files, ``nn_engine.datasets.read_csv``), :func:`table_preview` and
:func:`read_points_table` (any delimited table, ``nn_engine.datasets.inspect_table`` and
``read_table``) are free of Qt and of the document and give plain data (a
:class:`PointsImport`); :func:`push_points_import` then makes it one undo step in the GUI
thread. The menu runs the reading on a background thread and shows the import dialog
(``playground.widgets.import_dialog``) for tables; the window's ``import_points_csv`` (through
:meth:`DataExchangeActions.import_points_file`) does it all at once for scripts.

Every file is written atomically (the engine's writers, or ``QSaveFile``): a failed export
leaves an existing file as it was.
"""

import contextlib
import csv
import html
import io
import json
import math
import os
import stat
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QIODevice, QObject, QRect, QRectF, QSaveFile, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeySequence,
    QLinearGradient,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

import nn_engine
import nn_engine.safe_files
import nn_engine.tables
from playground import theme
from playground.controller import Controller
from playground.session_manager import open_settings
from playground.state import (
    COORDINATE_LIMIT,
    TEST_RATIO_RANGE,
    Architecture,
    DataSettings,
    ReplacePoints,
)
from playground.state.document import ASPECT_SOURCE, DataSource, EditPoints
from playground.widgets.data_plot import DataPlot, region_lookup_table
from playground.widgets.import_dialog import ImportChoice, ImportDialog, TablePreview
from playground.widgets.layer_editor import ACTIVATION_LABELS
from playground.widgets.metrics_plots import MetricsPlots

# The most points one import may bring: training and drawing stay usable, and a 64 MiB file
# (the engine's cap) of short rows would otherwise give some ten million.
MAX_IMPORT_POINTS = 1_000_000
MIN_IMAGE_WIDTH = 16
MAX_IMAGE_WIDTH = 10_000
DEFAULT_IMAGE_SCALE = 2  # the default width of an image export: the widget's width x 2
CSV_FILTER = "CSV files (*.csv);;All files (*)"
TABLE_FILTER = "Tables (*.csv *.tsv *.txt);;All files (*)"
IMPORT_SETTINGS_GROUP = "importChoices"  # QSettings: the last column choice per file name
MODEL_FILTER = "NumPy model files (*.npz);;All files (*)"
JSON_FILTER = "JSON files (*.json);;All files (*)"
PNG_FILTER = "PNG images (*.png);;All files (*)"


OWN_COLUMNS = ("x", "y", "label")  # our own points files; any other table goes by its columns
MAX_LABEL_VALUES = 50  # a column with more distinct values is not offered as a label
_DELIMITER_NAMES = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated"}
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "latin-1": "Latin-1"}


# -- the work (no dialogs) -------------------------------------------------------------------


def split_for_import(
    n_points: int, settings: DataSettings, test_size: float | None = None
) -> np.ndarray:
    """Which of ``n_points`` imported points are test points.

    The same rule as Generate (``nn_engine.datasets.split_mask`` with the panel's test ratio
    and seed), so exporting generated points and importing them again restores their split.

    Parameters
    ----------
    n_points : int
        At least 1.
    settings : DataSettings
        Its ``test_ratio`` and ``split_seed`` (or ``seed``) are used.
    test_size : float, optional
        The share of test points (0 <= test_size < 1) instead of the panel's ratio.

    Returns
    -------
    ndarray of bool, shape (n_points,)
        True for a test point. All False when the ratio would leave no training point (a file
        of one or two points).
    """
    seed = settings.seed if settings.split_seed is None else settings.split_seed
    ratio = settings.test_ratio if test_size is None else test_size
    try:
        return nn_engine.datasets.split_mask(n_points, ratio, seed)
    except ValueError:  # too few points to hold any out: train on all of them
        return np.zeros(n_points, dtype=bool)


@dataclass(frozen=True, eq=False)
class PointsImport:
    """Points read from a file, ready to become one undo step.

    Made by :func:`read_points_file` (any thread: it holds plain arrays) and pushed by
    :func:`push_points_import` (the GUI thread).

    Attributes
    ----------
    file_name : str
    X : ndarray (n, 2) float64
        Finite, within ±COORDINATE_LIMIT; 1 <= n <= MAX_IMPORT_POINTS.
    labels : ndarray (n,) int64 of 0 and 1
    source_name : str
        What the data panel shows as their origin.
    axis_names : (str, str) or None
        Plain-text names of the data plot's axes; None for the usual x₁ and x₂.
    test_size : float or None
        The share of test points; None for the data panel's test ratio.
    notes : str
        A sentence for the status line about what was left out ("" when nothing was).
    details : tuple of str
        Sentences for the import dialog's summary after the count of points: the classes,
        the rows left out and why, the standardisation.
    """

    file_name: str
    X: np.ndarray
    labels: np.ndarray
    source_name: str
    axis_names: tuple[str, str] | None = None
    test_size: float | None = None
    notes: str = ""
    details: tuple[str, ...] = ()


def read_points_file(
    path: str | os.PathLike, test_size: float | None = None, standardize: bool = False
) -> PointsImport:
    """Read an ``x,y,label`` CSV file (``nn_engine.datasets.read_csv``) and check it whole.

    Free of Qt and of the document: the File menu runs it on a background thread.
    ``standardize`` makes x and y z-scores (see :func:`standardized`).

    Raises
    ------
    ValueError
        For a bad file, naming the file and the line (``nn_engine.datasets.read_csv``); a
        coordinate beyond ±COORDINATE_LIMIT (1,000,000), naming its row after the header; more than
        MAX_IMPORT_POINTS points.
    OSError
        If the file cannot be read.
    """
    name = Path(path).name
    X, y = nn_engine.datasets.read_csv(path)
    _check_point_count(name, len(X))
    if not standardize:
        _check_coordinate_range(name, X)
        return PointsImport(name, X, y, source_name=name, test_size=test_size)
    X, details = standardized(name, X, ("x", "y"))
    return PointsImport(
        name,
        X,
        y,
        source_name=f"{name} (standardised)",
        axis_names=("x (standardised)", "y (standardised)"),
        test_size=test_size,
        details=(details,),
    )


def is_points_csv(path: str | os.PathLike) -> bool:
    """Whether ``path`` is meant as our own ``x,y,label`` file: its first line that is not
    blank is that header (what ``nn_engine.datasets.read_csv`` asks for).

    Looks at the first 4 kB of a regular file only; anything else (a missing file, a FIFO)
    is False, and the table reader then says what is wrong with it.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as file:
            start = file.read(4096)
    except OSError:
        return False
    text = start.decode("utf-8-sig", errors="replace").replace("\r", "\n")
    first = next((line for line in text.split("\n") if line.strip()), "")
    return [field.strip() for field in first.split(",")] == list(OWN_COLUMNS)


def table_preview(path: str | os.PathLike) -> TablePreview:
    """What the import dialog shows of a delimited text file (any thread).

    ``nn_engine.datasets.inspect_table`` gives the columns, their types and missing counts,
    the first rows and how the file reads; the label values and the mostly numeric columns
    come from one more pass over the file (:func:`scan_columns`).

    Raises
    ------
    ValueError
        If the file is no table (``inspect_table``'s message), or has fewer than two numeric
        (or mostly numeric) columns for x and y.
    OSError
        If the file cannot be read.
    """
    name = Path(path).name
    info = nn_engine.datasets.inspect_table(path)
    values, mostly_numeric = scan_columns(path, info)
    if len(info.numeric_columns) + len(mostly_numeric) < 2:
        kinds = ", ".join(
            f"{column} ({kind})" for column, kind in zip(info.columns, info.types, strict=True)
        )
        raise ValueError(
            f"{name} has no pair of numeric columns for x and y; its columns: {kinds}."
        )
    reading = [
        _DELIMITER_NAMES[info.delimiter],
        "decimal commas" if info.decimal_comma else "decimal points",
        _ENCODING_NAMES.get(info.encoding, info.encoding),
        "header line" if info.has_header else "no header line",
        f"{info.n_rows:,} rows",
    ]
    return TablePreview(
        file_name=name,
        columns=info.columns,
        kinds=info.types,
        missing=info.missing,
        rows=info.rows,
        reading=" · ".join(reading),
        label_values=values,
        mostly_numeric=mostly_numeric,
    )


def scan_columns(
    path: str | os.PathLike, info: nn_engine.datasets.TableInfo
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """What ``inspect_table`` does not tell: each column's values, and which text columns are
    mostly numbers.

    The file is read once more with the delimiter, encoding and header ``inspect_table``
    found: the same fields, by the same csv module. Missing values
    (``nn_engine.tables.MISSING``) are not values. Numbers are compared as numbers and written
    in their shortest form ("1" for 1.0), which ``read_table`` matches numerically.

    Returns
    -------
    label_values : dict
        Column name -> its distinct values as text, sorted (numbers as numbers), for every
        column with at most MAX_LABEL_VALUES of them (the columns that can be a label).
    mostly_numeric : tuple of str
        The columns typed "text" of which at least half the values read as numbers (the
        others are skipped and counted when the column is x or y).
    """
    raw = nn_engine.safe_files.read_regular_file(
        path, max_bytes=nn_engine.datasets.MAX_CSV_BYTES, name=Path(path).name
    )
    text = raw.decode(info.encoding)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=info.delimiter)
    width = len(info.columns)
    found: list[set | None] = [set() for _ in range(width)]
    numeric = [kind == "number" for kind in info.types]
    numbers, present = [0] * width, [0] * width
    header_left = info.has_header
    for row in rows:
        if not any(field.strip() for field in row):
            continue
        if header_left:
            header_left = False
            continue
        for column in range(min(width, len(row))):
            value = row[column].strip()
            if value.lower() in nn_engine.tables.MISSING:
                continue
            present[column] += 1
            number = _as_number(value, info.decimal_comma)
            if number is not None:
                numbers[column] += 1
            values = found[column]
            if values is None:
                continue
            values.add(_number_text(number) if numeric[column] else value)
            if len(values) > MAX_LABEL_VALUES:
                found[column] = None
    label_values = {}
    for column, values in enumerate(found):
        if values:
            key = (lambda text: float(text)) if numeric[column] else None
            label_values[info.columns[column]] = tuple(sorted(values, key=key))
    mostly_numeric = tuple(
        info.columns[c]
        for c in range(width)
        if not numeric[c] and numbers[c] > 0 and 2 * numbers[c] >= present[c]
    )
    return label_values, mostly_numeric


def _as_number(text: str, decimal_comma: bool) -> float | None:
    if decimal_comma and text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


def read_columns(
    path: str | os.PathLike,
    x: str,
    y: str,
    label: str,
    classes: tuple[object, object] | None = None,
) -> tuple[np.ndarray, np.ndarray, nn_engine.datasets.TableReport]:
    """``nn_engine.datasets.read_table`` with the import's point limit (any thread).

    Raises
    ------
    ValueError, TypeError, OSError
        As ``read_table`` does (more than MAX_IMPORT_POINTS points included).
    """
    return nn_engine.datasets.read_table(path, x, y, label, classes, max_points=MAX_IMPORT_POINTS)


def points_from_columns(
    file_name: str,
    columns: tuple[str, str, str],
    read: tuple[np.ndarray, np.ndarray, nn_engine.datasets.TableReport],
    standardize: bool = False,
    test_size: float | None = None,
    other_values: tuple[str, ...] = (),
) -> PointsImport:
    """The points of a table's columns, read by :func:`read_columns`, as an import.

    Parameters
    ----------
    file_name : str
    columns : (x, y, label)
        The column names.
    read : (X, y, report)
        What :func:`read_columns` returned.
    standardize : bool
        Make x and y z-scores (:func:`standardized`).
    test_size : float, optional
    other_values : tuple of str, optional
        The label's values that are neither class, named in the summary.

    Raises
    ------
    ValueError
        A coordinate beyond ±COORDINATE_LIMIT (without ``standardize``), or a constant column
        to standardise.
    """
    x, y, _ = columns
    X, labels, report = read
    details = [_classes_sentence(report), *_left_out_sentences(report, other_values)]
    if standardize:
        X, sentence = standardized(file_name, X, (x, y))
        details.append(sentence)
        axis_names = (f"{x} (standardised)", f"{y} (standardised)")
    else:
        _check_table_range(file_name, X, (x, y))
        axis_names = (x, y)
    source = f"{file_name}: {x} vs {y}" + (" (standardised)" if standardize else "")
    left_out = report.n_rows - report.n_points
    notes = f"{left_out:,} row{'s' if left_out != 1 else ''} left out." if left_out else ""
    return PointsImport(
        file_name,
        X,
        labels,
        source_name=source,
        axis_names=axis_names,
        test_size=test_size,
        notes=notes,
        details=tuple(details),
    )


def read_points_table(
    path: str | os.PathLike,
    x: str,
    y: str,
    label: str,
    classes: tuple[object, object] | None = None,
    standardize: bool = False,
    test_size: float | None = None,
) -> PointsImport:
    """:func:`read_columns` then :func:`points_from_columns` (any thread)."""
    read = read_columns(path, x, y, label, classes)
    return points_from_columns(Path(path).name, (x, y, label), read, standardize, test_size)


def standardized(file_name: str, X: np.ndarray, names: tuple[str, str]) -> tuple[np.ndarray, str]:
    """``X``'s columns as z-scores: minus their mean, divided by their standard deviation.

    Returns
    -------
    X : ndarray (n, 2) float64
    sentence : str
        What was done, e.g. ``"Standardised: petal_length mean 2.861, sd 1.449; ..."``.

    Raises
    ------
    ValueError
        If a column has a single value (nothing to divide by), or its values are too large
        to average.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        mean = X.mean(axis=0)
        sd = X.std(axis=0)
        Z = (X - mean) / sd
    for column, name in enumerate(names):
        if not np.isfinite(mean[column]) or not np.isfinite(sd[column]):
            raise ValueError(f"{file_name}: the values of {name} are too large to standardise.")
        if sd[column] == 0:
            raise ValueError(
                f"{file_name}: {name} cannot be standardised: all its values are "
                f"{float(X[0, column]):g}."
            )
    parts = "; ".join(f"{name} mean {mean[c]:.4g}, sd {sd[c]:.4g}" for c, name in enumerate(names))
    return np.ascontiguousarray(Z), f"Standardised (z-scores): {parts}."


def import_summary(imported: PointsImport, n_test: int) -> str:
    """The import dialog's summary of ``imported``: the count of points, then its details."""
    n = len(imported.X)
    first = f"{n:,} point{'s' if n != 1 else ''}, {n_test:,} held out for testing."
    return "\n".join((first, *imported.details))


def _classes_sentence(report: nn_engine.datasets.TableReport) -> str:
    counts = [f"{n:,} point{'s' if n != 1 else ''}" for n in report.class_counts]
    return (
        f"Class 0: {report.classes[0]} ({counts[0]}); class 1: {report.classes[1]} ({counts[1]})."
    )


_SKIP_PHRASES = {
    "missing value": "a missing x or y",
    "not a number": "an x or y that is not a number",
    "missing label": "no label",
}


def _left_out_sentences(
    report: nn_engine.datasets.TableReport, other_values: tuple[str, ...]
) -> list[str]:
    def lines(reason: str) -> str:
        numbers = report.skipped_lines[reason]
        more = ", …" if report.skipped[reason] > len(numbers) else ""
        return f"line{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}{more}"

    sentences = []
    other = report.skipped.get("other label", 0)
    if other:
        named = ""
        if other_values:
            shown = ", ".join(other_values[:5]) + (", …" if len(other_values) > 5 else "")
            named = f" ({shown})"
        sentences.append(
            f"{other:,} row{'s' if other != 1 else ''} with other label values{named} left "
            f"out ({lines('other label')})."
        )
    skipped = [
        f"{count:,} with {_SKIP_PHRASES[reason]} ({lines(reason)})"
        for reason, count in report.skipped.items()
        if reason != "other label"
    ]
    if skipped:
        total = sum(report.skipped[r] for r in report.skipped if r != "other label")
        sentences.append(f"{total:,} row{'s' if total != 1 else ''} skipped: {'; '.join(skipped)}.")
    return sentences


def _check_table_range(file_name: str, X: np.ndarray, names: tuple[str, str]) -> None:
    """Refuse values beyond ±COORDINATE_LIMIT, naming the column and the first such value."""
    too_large = np.abs(X) > COORDINATE_LIMIT
    for column, name in enumerate(names):
        if too_large[:, column].any():
            value = float(X[np.argmax(too_large[:, column]), column])
            raise ValueError(
                f"{file_name}: {name} has values beyond ±{COORDINATE_LIMIT:,.0f} "
                f"(e.g. {value:g}); standardise x and y to import it."
            )


def prepare_points_import(imported: PointsImport, settings: DataSettings) -> ReplacePoints:
    """The undo step that replaces the points with ``imported``'s, split by ``settings`` as
    :func:`split_for_import` does (any thread: building and checking the command is the
    import's O(n) work, done off the GUI thread for big files)."""
    is_test = split_for_import(len(imported.X), settings, imported.test_size)
    return ReplacePoints(imported.X, imported.labels, is_test, text=f"Import {imported.file_name}")


def push_points_import(
    controller: Controller,
    imported: PointsImport,
    prepared: tuple[DataSettings, ReplacePoints] | None = None,
) -> ReplacePoints:
    """Replace the document's points with ``imported``'s, as one undo step.

    The step is named "Import <file name>"; the train/test split follows
    :func:`split_for_import`. Training, if running, continues on the new points.

    Parameters
    ----------
    prepared : (DataSettings, ReplacePoints), optional
        A command made by :func:`prepare_points_import` with these data settings; used when
        they are still the document's, else the command is made again.

    Returns
    -------
    ReplacePoints
        The command pushed onto the undo stack.
    """
    X, name = imported.X, imported.file_name
    settings = controller.document.data_settings
    if prepared is not None and prepared[0] == settings:
        command = prepared[1]
    else:
        command = prepare_points_import(imported, settings)
    n_test = int(np.count_nonzero(command.is_test))
    controller.push(EditPoints(command, DataSource(imported.source_name)))
    notes = f" {imported.notes}" if imported.notes else ""
    controller.sigMessage.emit(
        f"Imported {len(X):,} points from {name} ({n_test:,} held out for testing).{notes} "
        "Ctrl+Z undoes it."
    )
    return command


def _check_point_count(name: str, n_points: int) -> None:
    if n_points > MAX_IMPORT_POINTS:
        raise ValueError(
            f"{name} has {n_points:,} points, more than the {MAX_IMPORT_POINTS:,} "
            "the playground imports."
        )


def _check_coordinate_range(name: str, X: np.ndarray, rows: np.ndarray | None = None) -> None:
    """Refuse coordinates beyond ±COORDINATE_LIMIT, naming the first such point.

    ``rows`` gives each point's line number in the file. Without it (``read_csv`` does not
    number its rows, and the file is not read twice) the point is named by its row after the
    header, blank lines not counted.
    """
    too_large = np.abs(X) > COORDINATE_LIMIT
    if not too_large.any():
        return
    row, column = np.argwhere(too_large)[0]
    where = f"line {int(rows[row])}" if rows is not None else f"row {row + 1:,} after the header"
    limit = f"{COORDINATE_LIMIT:,.0f}"
    raise ValueError(
        f"{name} {where}: {'xy'[column]} must be between -{limit} and {limit}, "
        f"got {float(X[row, column])!r}."
    )


def export_points_csv(controller: Controller, path: str | os.PathLike) -> None:
    """Write the document's points (train and test alike) to ``path`` as ``x,y,label`` CSV.

    The file holds no train/test split; importing it splits it again (see
    :func:`split_for_import`).

    Raises
    ------
    ValueError
        If there is no point to export.
    OSError
        If the file cannot be written (an existing file is left as it was).
    """
    points = controller.document.points
    if len(points) == 0:
        raise ValueError("There are no points to export: generate or paint some first.")
    nn_engine.datasets.write_csv(path, points.X, points.labels)
    controller.sigMessage.emit(f"Exported {len(points):,} points to {Path(path).name}.")


def current_network(controller: Controller) -> nn_engine.Network:
    """A copy of the network the worker trains, with its current weights.

    Read between two epochs (``TrainingWorker.call``), so the weights are those of one epoch.

    Raises
    ------
    ValueError
        If the worker has no network yet.
    RuntimeError, TimeoutError
        If the training worker has stopped or did not answer in time.
    """
    worker = controller.worker
    architecture = worker.network_architecture()
    params = worker.network_params()
    if architecture is None or params is None:
        raise ValueError("There is no network to export yet.")
    document = controller.document
    net = nn_engine.Network(
        architecture,
        **document.architecture.network_kwargs(),
        **document.hyperparameters.network_kwargs(),
    )
    net.set_params(params)
    return net


def export_model(controller: Controller, path: str | os.PathLike) -> nn_engine.Network:
    """Save the current network with its weights to ``path`` (``nn_engine.io.save_network``).

    ``nn_engine.io.load_network(path)`` gives back a network that predicts exactly like it.

    Returns
    -------
    Network
        The network saved.

    Raises
    ------
    ValueError, RuntimeError, TimeoutError
        See :func:`current_network`.
    OSError
        If the file cannot be written (an existing file is left as it was).
    """
    net = current_network(controller)
    nn_engine.io.save_network(net, path)
    epoch = controller.document.epoch
    when = "while training" if controller.is_training else f"at epoch {epoch:,}"
    controller.sigMessage.emit(
        f"Exported the model ({'-'.join(map(str, net.sizes))}, {when}) to {Path(path).name}."
    )
    return net


def export_architecture(controller: Controller, path: str | os.PathLike) -> str:
    """Write the network's layers to ``path`` in the article's JSON format.

    Returns
    -------
    str
        The text written: ``nn_engine.io.architecture_to_json`` of the architecture, then a
        newline.

    Raises
    ------
    OSError
        If the file cannot be written (an existing file is left as it was).
    """
    architecture = controller.document.architecture
    text = (
        nn_engine.io.architecture_to_json(architecture.to_engine(), **architecture.network_kwargs())
        + "\n"
    )
    data = text.encode("utf-8")
    _save_atomically(path, lambda file: file.write(data) == len(data))
    controller.sigMessage.emit(
        f"Exported the architecture ({architecture.summary()}) to {Path(path).name}."
    )
    return text


def check_image_width(width: object) -> int:
    """``width`` as an int in MIN_IMAGE_WIDTH..MAX_IMAGE_WIDTH pixels.

    Raises
    ------
    TypeError
        If it is not an int.
    ValueError
        If it is out of range.
    """
    if isinstance(width, bool) or not isinstance(width, int | np.integer):
        raise TypeError(f"width must be an int, got {type(width).__name__}.")
    if not MIN_IMAGE_WIDTH <= width <= MAX_IMAGE_WIDTH:
        raise ValueError(
            f"width must be in {MIN_IMAGE_WIDTH}..{MAX_IMAGE_WIDTH} pixels, got {width}."
        )
    return int(width)


def _image_exporter(plot: pg.PlotWidget, width: int) -> pyqtgraph.exporters.ImageExporter:
    exporter = pyqtgraph.exporters.ImageExporter(plot.plotItem)
    exporter.parameters()["width"] = check_image_width(width)  # sets the height too
    return exporter


def render_plot(plot: pg.PlotWidget, width: int) -> QImage:
    """The plot (axes, title and every item: regions, contour, points, curves) as an image.

    Parameters
    ----------
    plot : pyqtgraph.PlotWidget
    width : int
        Pixels; the height follows the plot's aspect ratio.

    Returns
    -------
    QImage
        ``width`` pixels wide, rendered by ``pyqtgraph.exporters.ImageExporter``.
    """
    return _image_exporter(plot, width).export(toBytes=True)


def plot_height_for_width(plots: list[pg.PlotWidget], width: int) -> int:
    """Height in pixels of the image of ``plots`` (stacked) rendered ``width`` pixels wide."""
    heights = [_image_exporter(plot, width).parameters()["height"] for plot in plots]
    return sum(heights) + _gap(width) * (len(plots) - 1)


def stack_images(images: list[QImage], background: str = theme.BACKGROUND) -> QImage:
    """The images one above the other on ``background``, with a small gap between them."""
    width = max(image.width() for image in images)
    gap = _gap(width)
    height = sum(image.height() for image in images) + gap * (len(images) - 1)
    stacked = QImage(width, height, QImage.Format.Format_ARGB32)
    stacked.fill(QColor(background))
    painter = QPainter(stacked)
    y = 0
    for image in images:
        painter.drawImage(0, y, image)
        y += image.height() + gap
    painter.end()
    return stacked


def _gap(width: int) -> int:
    return max(2, width // 100)


def architecture_caption(architecture: Architecture) -> str:
    """The network in a few characters, e.g. ``"2-16-16-1 tanh"``.

    The layer sizes joined by hyphens, then the hidden activations in layer order, each once
    (``"2-8-8-1 ReLU/tanh"``); nothing after the sizes for a network without hidden layers.
    """
    sizes = "-".join(map(str, architecture.sizes()))
    names = dict.fromkeys(
        ACTIVATION_LABELS.get(layer.activation, layer.activation) for layer in architecture.layers
    )
    return f"{sizes} {'/'.join(names)}" if names else sizes


def data_plot_caption(
    epoch: int,
    architecture: Architecture,
    train_accuracy: float | None,
    test_accuracy: float | None,
    *,
    with_accuracy: bool = True,
) -> str:
    """The caption under an exported data plot.

    Returns
    -------
    str
        E.g. ``"Epoch 1,234 · train 97.5 % · test 96.0 % · 2-16-16-1 tanh"``; an accuracy that
        is None or NaN (no training yet, no test points) reads "—"; ``with_accuracy=False``
        leaves both out: ``"Epoch 1,234 · 2-16-16-1 tanh"``.
    """

    def percent(value: float | None) -> str:
        if value is None or not np.isfinite(value):
            return "—"
        return f"{100 * value:.1f} %"

    parts = [f"Epoch {epoch:,}"]
    if with_accuracy:
        parts += [f"train {percent(train_accuracy)}", f"test {percent(test_accuracy)}"]
    return " · ".join([*parts, architecture_caption(architecture)])


def legend_band_height(width: int) -> int:
    """Height in pixels of the band under an exported data plot (legend row, caption row)."""
    font = _legend_font_pixels(width)
    return 2 * _legend_row(font) + font // 2


def data_plot_image_height(plot: DataPlot, width: int) -> int:
    """Height in pixels of the data plot's export ``width`` pixels wide: the plot, then the band
    with the legend and the caption."""
    return plot_height_for_width([plot], width) + legend_band_height(width)


def _legend_font_pixels(width: int) -> int:
    return max(8, round(width / 48))


def _legend_row(font: int) -> int:
    return round(1.9 * font)


def render_data_plot(
    plot: DataPlot, width: int, caption: str, show_test_marker: bool = False
) -> QImage:
    """The data plot ``width`` pixels wide with a legend and ``caption`` underneath.

    The painting hint (``plot.indicator_item``) belongs to the mouse, not to the data: it is
    hidden while the plot renders and shown again afterwards, as it was.

    Parameters
    ----------
    plot : DataPlot
    width : int
        Pixels (16..10000).
    caption : str
        The second row of the band, e.g. :func:`data_plot_caption`.
    show_test_marker : bool
        Add a hollow marker, "test points", to the legend (when the plot shows test points).

    Returns
    -------
    QImage
        ``width`` × :func:`data_plot_image_height` pixels.
    """
    width = check_image_width(width)
    hint = plot.indicator_item
    was_visible = hint.isVisible()
    hint.hide()
    try:
        picture = render_plot(plot, width)
    finally:
        hint.setVisible(was_visible)
    band = legend_band_height(width)
    image = QImage(width, picture.height() + band, QImage.Format.Format_ARGB32)
    image.fill(QColor(theme.BACKGROUND))
    painter = QPainter(image)
    try:
        painter.drawImage(0, 0, picture)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        _paint_legend(painter, QRect(0, picture.height(), width, band), caption, show_test_marker)
    finally:
        painter.end()
    return image


def _paint_legend(painter: QPainter, area: QRect, caption: str, show_test_marker: bool) -> None:
    """The classes' markers and the colour bar of P(class 1) on one row, the caption below."""
    font_px = _legend_font_pixels(area.width())
    row = _legend_row(font_px)
    font = QFont()
    font.setPixelSize(font_px)
    painter.setFont(font)
    metrics = QFontMetrics(font)
    margin = font_px
    marker = max(4, round(0.8 * font_px))
    gap = font_px  # between legend entries
    middle = area.top() + row // 2
    x = area.left() + margin

    def text(at: int, words: str) -> int:
        painter.setPen(QColor(theme.FOREGROUND))
        painter.drawText(
            QRect(at, area.top(), metrics.horizontalAdvance(words) + 2, row),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            words,
        )
        return at + metrics.horizontalAdvance(words)

    def draw_marker(at: int, label: int, hollow: bool) -> int:
        box = QRectF(at, middle - marker / 2, marker, marker)
        color = QColor(theme.CLASS_COLORS[label] if not hollow else theme.FOREGROUND)
        painter.setPen(QPen(color if hollow else QColor("#FFFFFF"), max(1.0, marker / 7)))
        painter.setBrush(QColor(theme.BACKGROUND) if hollow else color)
        if theme.CLASS_SYMBOLS[label] == "o":
            painter.drawEllipse(box)
        else:
            painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
        return at + marker + font_px // 3

    for label in (0, 1):
        x = draw_marker(x, label, hollow=False)
        x = text(x, theme.CLASS_NAMES[label]) + gap
    if show_test_marker:
        x = draw_marker(x, 0, hollow=True)
        x = text(x, "test points") + gap
    # the decision map's colours, P(class 1) from 0 to 1
    x = text(x + gap, "P(class 1)  0 ") + font_px // 4
    bar_width = max(8, 6 * font_px)
    colors = region_lookup_table()
    gradient = QLinearGradient(x, 0, x + bar_width, 0)
    for stop in np.linspace(0.0, 1.0, 11):
        r, g, b = colors[round(stop * (len(colors) - 1))]
        gradient.setColorAt(float(stop), QColor(int(r), int(g), int(b)))
    bar = QRectF(x, middle - 0.4 * font_px, bar_width, 0.8 * font_px)
    painter.setPen(QPen(QColor("#999999"), 1))
    painter.setBrush(gradient)
    painter.drawRect(bar)
    text(x + bar_width + font_px // 4, "1")

    painter.setPen(QColor(theme.FOREGROUND))
    painter.drawText(
        QRect(area.left() + margin, area.top() + row, area.width() - 2 * margin, row),
        Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
        caption,
    )


def export_data_plot_image(
    controller: Controller,
    plot: DataPlot,
    path: str | os.PathLike,
    width: int | None = None,
    *,
    latest: Mapping[str, float | int | None] | None = None,
) -> QImage:
    """Save the data plot, with the decision regions and the 0.5 contour, as a PNG file.

    Under the plot, a band holds a legend (the classes' markers and the decision map's colour
    bar, P(class 1) from 0 to 1) and a caption (:func:`data_plot_caption`): the document's
    epoch and architecture, and the training and test accuracy of ``latest``. The painting hint
    is left out.

    Parameters
    ----------
    controller : Controller
        Its document gives the epoch and the architecture; its ``sigMessage`` says where the
        image went.
    plot : DataPlot
    path : str or path-like
    width : int, optional
        Pixels (16..10000); the widget's width x 2 when omitted. The plot keeps its aspect
        ratio; the band adds :func:`legend_band_height` pixels.
    latest : mapping, optional
        The latest metrics, as ``MetricsPlots.latest()`` gives them (its ``"accuracy"`` and
        ``"val_accuracy"`` are used); without it the caption has no accuracies.

    Returns
    -------
    QImage
        The image written.

    Raises
    ------
    TypeError, ValueError
        For a bad width.
    OSError
        If the file cannot be written (an existing file is left as it was).
    """
    width = default_image_width(plot) if width is None else check_image_width(width)
    document = controller.document
    caption = data_plot_caption(
        document.epoch,
        document.architecture,
        (latest or {}).get("accuracy"),
        (latest or {}).get("val_accuracy"),
        with_accuracy=latest is not None,
    )
    points = document.points
    show_test = document.data_settings.show_test and bool(points.is_test.any())
    image = render_data_plot(plot, width, caption, show_test_marker=show_test)
    _save_png(image, path)
    controller.sigMessage.emit(
        f"Saved the data plot as {Path(path).name} ({image.width()} × {image.height()} px)."
    )
    return image


def export_metrics_image(
    controller: Controller,
    metrics: MetricsPlots,
    path: str | os.PathLike,
    width: int | None = None,
) -> QImage:
    """Save the loss and accuracy plots, the loss above the accuracy, as one PNG file.

    Parameters
    ----------
    controller : Controller
        Says where the image went (its ``sigMessage``).
    metrics : MetricsPlots
    path : str or path-like
    width : int, optional
        Pixels (16..10000); the metric plots' width x 2 when omitted.

    Returns
    -------
    QImage
        The image written.

    Raises
    ------
    TypeError, ValueError
        For a bad width.
    OSError
        If the file cannot be written (an existing file is left as it was).
    """
    width = default_image_width(metrics) if width is None else check_image_width(width)
    image = stack_images([render_plot(plot, width) for plot in _metric_plots(metrics)])
    _save_png(image, path)
    controller.sigMessage.emit(
        f"Saved the metric plots as {Path(path).name} ({image.width()} × {image.height()} px)."
    )
    return image


def default_image_width(widget: QWidget) -> int:
    """The widget's width x 2, within MIN_IMAGE_WIDTH..MAX_IMAGE_WIDTH."""
    width = widget.width() * DEFAULT_IMAGE_SCALE
    return min(max(width, MIN_IMAGE_WIDTH), MAX_IMAGE_WIDTH)


def _metric_plots(metrics: MetricsPlots) -> list[pg.PlotWidget]:
    return [metrics.loss_plot, metrics.accuracy_plot]


def _save_png(image: QImage, path: str | os.PathLike) -> None:
    _save_atomically(path, lambda file: image.save(file, "PNG"))


def _save_atomically(path: str | os.PathLike, write: Callable[[QSaveFile], bool]) -> None:
    """Write a file through ``QSaveFile``: the old file stays until the new one is complete.

    ``write(file)`` returns whether it wrote everything.
    """
    name = Path(path).name
    file = QSaveFile(os.fspath(path))
    if not file.open(QIODevice.OpenModeFlag.WriteOnly):
        raise OSError(f"Cannot write {name}: {file.errorString()}.")
    if not write(file):
        error = file.errorString()
        file.cancelWriting()
        raise OSError(f"Cannot write {name}: {error or 'the data could not be encoded'}.")
    if not file.commit():
        raise OSError(f"Cannot write {name}: {file.errorString()}.")


# -- the menu entries (dialogs) ----------------------------------------------------------------


class ImageSizeDialog(QDialog):
    """Asks for the width of an exported image; shows the height that goes with it.

    Opened with :meth:`open` (window-modal, it does not block the caller); its ``accepted``
    signal continues the export.

    Parameters
    ----------
    title : str
    default_width : int
    height_for_width : callable
        ``height_for_width(width) -> int``, for the label next to the spin box.
    parent : QWidget, optional
    """

    def __init__(
        self,
        title: str,
        default_width: int,
        height_for_width: Callable[[int], int],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("imageSizeDialog")
        self.setWindowTitle(title)
        self._height_for_width = height_for_width
        self.widthSpin = QSpinBox()
        self.widthSpin.setObjectName("imageWidthSpin")
        self.widthSpin.setRange(MIN_IMAGE_WIDTH, MAX_IMAGE_WIDTH)
        self.widthSpin.setSingleStep(100)
        self.widthSpin.setSuffix(" px")
        self.widthSpin.setValue(default_width)
        self.widthSpin.setToolTip(
            "Width of the PNG image in pixels; the height keeps the plot's proportions"
        )
        self.heightLabel = QLabel()
        self.heightLabel.setObjectName("imageHeightLabel")
        self.widthSpin.valueChanged.connect(self._show_height)
        self._show_height(default_width)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(
            "Choose the file to save the image to"
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Do not export the image"
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Width", self.widthSpin)
        form.addRow("Height", self.heightLabel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def width_pixels(self) -> int:
        """The width chosen."""
        return self.widthSpin.value()

    @Slot(int)
    def _show_height(self, width: int) -> None:
        self.heightLabel.setText(f"{self._height_for_width(width):,} px")


def _probe_points_file(
    path: str | os.PathLike, settings: DataSettings
) -> tuple[PointsImport, ReplacePoints] | TablePreview:
    """An ``x,y,label`` file read whole with its undo step split by ``settings``, or any
    other table's preview (any thread)."""
    if not is_points_csv(path):
        return table_preview(path)
    imported = read_points_file(path)
    return imported, prepare_points_import(imported, settings)


def _checked_test_size(test_size: object) -> float:
    if isinstance(test_size, bool) or not isinstance(test_size, int | float | np.number):
        raise TypeError(f"test_size must be a number, got {type(test_size).__name__}.")
    low, high = TEST_RATIO_RANGE
    if not low <= test_size <= high:
        raise ValueError(f"test_size must be in {low}..{high}, got {test_size!r}.")
    return float(test_size)


def _columns_key(choice: ImportChoice) -> tuple:
    return (choice.x, choice.y, choice.label, choice.classes)


def _settings_key(file_name: str) -> str:
    # QSettings reads "/" and "\\" in a key as groups
    return f"{IMPORT_SETTINGS_GROUP}/{file_name.replace('/', '_').replace(chr(92), '_')}"


def _remembered_choice(file_name: str) -> dict[str, object]:
    """The column choice last imported from a file of this name ({} when none)."""
    text = open_settings().value(_settings_key(file_name), "")
    try:
        value = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _remember_choice(file_name: str, choice: ImportChoice) -> None:
    classes = choice.classes or (None, None)
    value = {
        "x": choice.x,
        "y": choice.y,
        "label": choice.label,
        "class0": classes[0],
        "class1": classes[1],
        "standardize": choice.standardize,
    }
    open_settings().setValue(_settings_key(file_name), json.dumps(value))


class _GuiRelay(QObject):
    """Calls ``callback(future)`` in the GUI thread for a future finished on another thread.

    A small final class: its signal reaches a slot of a QObject living in the GUI thread, where
    Qt queues it (ARCHITECTURE.md, habit 4).
    """

    sigDone = Signal(object)

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.sigDone.connect(self.on_done)

    def call_when_done(self, future: Future, callback: Callable[[Future], None]) -> None:
        def done(finished: Future) -> None:
            with contextlib.suppress(RuntimeError):  # RuntimeError: the window is gone
                self.sigDone.emit((callback, finished))

        future.add_done_callback(done)

    @Slot(object)
    def on_done(self, done: tuple[Callable[[Future], None], Future]) -> None:
        callback, future = done
        callback(future)


class DataExchangeActions(QObject):
    """The File menu's import and export entries, inserted above its last entry (Quit).

    Attributes (QActions): ``importPointsAction`` (Ctrl+I), ``exportPointsAction``,
    ``exportModelAction``, ``exportArchitectureAction``, ``exportDataPlotImageAction`` and
    ``exportMetricsImageAction`` (the latter two in the "Export Image" submenu,
    ``exportImageMenu``).

    Import Points reads the chosen file on a background thread ("Importing <name>…"). An
    ``x,y,label`` file becomes one undo step at once; any other table opens the import dialog,
    which reads the chosen columns in the background again after each choice and imports
    nothing until the user accepts. The column choice is remembered per file name (QSettings,
    group ``importChoices``). The data plot's axes carry the names of the imported columns for
    as long as those points are on screen (undo, redo and Generate included).

    Parameters
    ----------
    controller : Controller
        The document the entries read and change.
    window : QMainWindow
        Its ``fileMenu`` gets the entries (before its ``quitAction``); dialogs belong to it.
    data_plot : DataPlot
    metrics : MetricsPlots
    """

    def __init__(
        self,
        controller: Controller,
        window: QMainWindow,
        data_plot: DataPlot,
        metrics: MetricsPlots,
    ):
        super().__init__(window)
        self._controller = controller
        self._window = window
        self._data_plot = data_plot
        self._metrics = metrics
        self._directory = str(Path.home())
        self._error_box: QMessageBox | None = None
        self._size_dialog: ImageSizeDialog | None = None
        # Files are read on one background thread, so a big one never freezes the window.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import")
        self._relay = _GuiRelay(self)
        self._reading: Future | None = None
        self._import_dialog: ImportDialog | None = None
        self._dialog_path = ""
        self._columns_read: dict[tuple, Future] = {}  # the open dialog's reads, by columns
        # The data plot's axis names per data source name, so that undo, redo and Generate
        # show the names of the points on screen; sources not listed get the plot's own.
        axes = data_plot.plotItem
        self._default_axis_labels = (
            axes.getAxis("bottom").labelText,
            axes.getAxis("left").labelText,
        )
        self._axis_names: dict[str, tuple[str, str] | None] = {}
        controller.document.subscribe(self._on_document_changed)

        def action(text: str, tip: str, slot: Callable[[], None]) -> QAction:
            new = QAction(text, window)
            new.setToolTip(tip)
            new.setStatusTip(tip)
            new.triggered.connect(slot)
            return new

        self.importPointsAction = action(
            "&Import Points (CSV)…",
            "Replace the points with those of a CSV or other delimited table: an x,y,label "
            "file at once, any other after choosing its columns (undoable)",
            self._on_import_points,
        )
        self.importPointsAction.setShortcut(QKeySequence("Ctrl+I"))
        self.exportPointsAction = action(
            "&Export Points (CSV)…",
            "Save the points as an x,y,label CSV file",
            self._on_export_points,
        )
        self.exportModelAction = action(
            "Export &Model (.npz)…",
            "Save the network and its current weights (nn_engine.io.load_network reads it)",
            self._on_export_model,
        )
        self.exportArchitectureAction = action(
            "Export &Architecture (JSON)…",
            "Save the layers in the article's JSON format",
            self._on_export_architecture,
        )
        self.exportDataPlotImageAction = action(
            "&Data Plot…",
            "Save the data plot with its decision regions as a PNG image",
            self._on_export_data_plot_image,
        )
        self.exportMetricsImageAction = action(
            "&Metric Plots…",
            "Save the loss and accuracy plots as one PNG image",
            self._on_export_metrics_image,
        )
        self.exportImageMenu = QMenu("Export Ima&ge", window)
        self.exportImageMenu.setObjectName("exportImageMenu")
        self.exportImageMenu.addActions(
            [self.exportDataPlotImageAction, self.exportMetricsImageAction]
        )

        menu = window.fileMenu
        before = window.quitAction
        menu.insertActions(
            before,
            [
                self.importPointsAction,
                self.exportPointsAction,
                self.exportModelAction,
                self.exportArchitectureAction,
            ],
        )
        menu.insertMenu(before, self.exportImageMenu)
        menu.insertSeparator(before)

    @property
    def error_box(self) -> QMessageBox | None:
        """The non-modal message box that showed the last failure (None before any)."""
        return self._error_box

    # -- reporting --------------------------------------------------------------------------------

    def report_error(self, title: str, what: str, error: Exception) -> None:
        """Show a failure: ``"<what>: <error>"`` in the status line and a non-modal message box.

        The box is reused, so repeated failures never pile up windows.
        """
        detail = str(error) or type(error).__name__
        self._window.statusBar().showMessage(f"{what}: {detail}")
        box = self._error_box
        if box is None:
            box = QMessageBox(self._window)
            box.setObjectName("fileErrorBox")
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowModality(Qt.WindowModality.NonModal)
            box.setStandardButtons(QMessageBox.StandardButton.Close)
            self._error_box = box
        box.setWindowTitle(title)
        box.setText(what + ".")
        box.setInformativeText(detail)
        box.show()

    def _run(self, title: str, what: str, job: Callable[[], object]) -> bool:
        try:
            job()
        except (OSError, ValueError, TypeError, RuntimeError) as error:
            self.report_error(title, what, error)
            return False
        return True

    # -- file dialogs -----------------------------------------------------------------------------

    # -- importing points ------------------------------------------------------------------------

    @property
    def reading(self) -> Future | None:
        """The background read of a file chosen in the menu (None when idle)."""
        return self._reading

    @property
    def import_dialog(self) -> ImportDialog | None:
        """The import dialog while it is open (None otherwise)."""
        return self._import_dialog

    def import_points_file(
        self,
        path: str | os.PathLike,
        *,
        x: str | None = None,
        y: str | None = None,
        label: str | None = None,
        classes: tuple[object, object] | None = None,
        standardize: bool = False,
        test_size: float | None = None,
    ) -> ReplacePoints:
        """Import points from ``path`` now, as one undo step (no dialog; for scripts).

        Without column names an ``x,y,label`` file is read as it always was
        (``nn_engine.datasets.read_csv``: a bad row refuses the file); any other table needs
        ``x``, ``y`` and ``label``, and is read by ``nn_engine.datasets.read_table`` (rows with
        a missing or non-numeric value, or another label, are left out and counted).

        Parameters
        ----------
        path : str or path-like
        x, y, label : str, optional
            Column names; all three or none.
        classes : (value0, value1), optional
            The label values of class 0 and class 1; without it the label must have exactly
            two values, which map in sorted order.
        standardize : bool
            Make x and y z-scores; the axis names say "(standardised)".
        test_size : float, optional
            The share of test points; the data panel's split when omitted.

        Returns
        -------
        ReplacePoints
            The command pushed.

        Raises
        ------
        ValueError
            Naming the file and the reason (for a table without column names: its columns);
            nothing is imported.
        TypeError
            For arguments of the wrong type.
        OSError
            If the file cannot be read; nothing is imported.
        """
        if test_size is not None:
            test_size = _checked_test_size(test_size)
        names = {"x": x, "y": y, "label": label}
        given = [role for role, value in names.items() if value is not None]
        name = Path(path).name
        if not given:
            if not is_points_csv(path):
                columns = nn_engine.datasets.inspect_table(path).columns
                raise ValueError(
                    f"{name} is not an x,y,label file: choose its columns with x=, y= and "
                    f"label=; its columns are {', '.join(columns)}."
                )
            if classes is not None:
                raise ValueError("classes needs the label column: give x, y and label too.")
            imported = read_points_file(path, test_size, bool(standardize))
        elif len(given) < 3:
            raise ValueError(
                f"x, y and label go together: give all three column names, got "
                f"{' and '.join(given)} only."
            )
        else:
            imported = read_points_table(path, x, y, label, classes, bool(standardize), test_size)
        return self._push_import(imported)

    def import_in_background(self, path: str | os.PathLike) -> Future:
        """Import ``path`` as File ▸ Import Points does, reading it on a background thread.

        The status line says "Importing <name>…" and the Import entry is disabled until the
        file is read. Then, in the GUI thread: an ``x,y,label`` file's points become one undo
        step; any other table opens the import dialog; a file that cannot work is refused in
        the status line and a message box.

        Returns
        -------
        Future
            The read: a (PointsImport, ReplacePoints) pair (the points and their undo step,
            split by the data settings of the moment of the call) or a TablePreview.
        """
        name = Path(path).name
        self.importPointsAction.setEnabled(False)
        self._window.statusBar().showMessage(f"Importing {name}…")
        settings = self._controller.document.data_settings.copy()
        future = self._reader.submit(_probe_points_file, path, settings)
        self._reading = future
        self._relay.call_when_done(future, partial(self._on_file_read, os.fspath(path), settings))
        return future

    def _on_file_read(self, path: str, settings: DataSettings, future: Future) -> None:
        self._reading = None
        self.importPointsAction.setEnabled(True)
        if not self._window.isVisible():
            return  # closed meanwhile
        name = Path(path).name
        try:
            result = future.result()
        except Exception as error:  # all of them reach the window, never a traceback
            self.report_error("Import Points", f"Nothing imported from {name}", error)
            return
        if isinstance(result, tuple):
            imported, command = result
            self._push_import(imported, (settings, command))
        else:
            self._open_import_dialog(path, result)

    def _push_import(
        self,
        imported: PointsImport,
        prepared: tuple[DataSettings, ReplacePoints] | None = None,
    ) -> ReplacePoints:
        # known before the document tells the plot that the source changed
        self._axis_names[imported.source_name] = imported.axis_names
        command = push_points_import(self._controller, imported, prepared)
        self._data_plot.fit_to_points()
        return command

    # -- the import dialog ------------------------------------------------------------------------

    def _open_import_dialog(self, path: str, preview: TablePreview) -> None:
        self._close_import_dialog()
        test_share = self._controller.document.data_settings.test_ratio
        dialog = ImportDialog(
            preview, test_share, _remembered_choice(preview.file_name), self._window
        )
        self._import_dialog = dialog
        self._dialog_path = path
        dialog.sigChoiceChanged.connect(self._on_choice_changed)
        dialog.accepted.connect(self._on_import_accepted)
        dialog.rejected.connect(self._on_import_rejected)
        self._window.statusBar().showMessage(
            f"Choose the columns to import from {preview.file_name}."
        )
        dialog.open()

    def _close_import_dialog(self) -> None:
        dialog, self._import_dialog = self._import_dialog, None
        for future in self._columns_read.values():
            future.cancel()  # not started yet: not needed any more
        self._columns_read = {}
        if dialog is not None:
            dialog.sigChoiceChanged.disconnect(self._on_choice_changed)
            dialog.close()
            dialog.deleteLater()

    @Slot(object)
    def _on_choice_changed(self, choice: ImportChoice) -> None:
        key = _columns_key(choice)
        future = self._columns_read.get(key)
        if future is None:
            for waiting in self._columns_read.values():
                waiting.cancel()  # a read not started yet is for an older choice
            self._columns_read = {k: f for k, f in self._columns_read.items() if not f.cancelled()}
            future = self._reader.submit(
                read_columns, self._dialog_path, choice.x, choice.y, choice.label, choice.classes
            )
            self._columns_read[key] = future
        self._relay.call_when_done(future, partial(self._show_summary, choice))

    def _show_summary(self, choice: ImportChoice, future: Future) -> None:
        dialog = self._import_dialog
        if dialog is None or future.cancelled() or choice != dialog.choice():
            return
        try:
            imported = self._choice_import(choice, future)
        except Exception as error:
            dialog.show_summary(choice, f"Cannot import: {error}", importable=False)
            return
        settings = self._controller.document.data_settings
        n_test = int(split_for_import(len(imported.X), settings, imported.test_size).sum())
        dialog.show_summary(choice, import_summary(imported, n_test), importable=True)

    def _choice_import(self, choice: ImportChoice, future: Future) -> PointsImport:
        if choice.label not in self._import_dialog.preview.label_values:
            raise ValueError(
                f"the column {choice.label!r} has more than {MAX_LABEL_VALUES} values; choose "
                "a label column with two (or a few) values."
            )
        values = self._import_dialog.preview.label_values[choice.label]
        return points_from_columns(
            Path(self._dialog_path).name,
            (choice.x, choice.y, choice.label),
            future.result(),
            choice.standardize,
            choice.test_size,
            tuple(value for value in values if value not in (choice.classes or ())),
        )

    @Slot()
    def _on_import_accepted(self) -> None:
        dialog = self._import_dialog
        choice = dialog.choice()
        future = self._columns_read.get(_columns_key(choice))
        name = Path(self._dialog_path).name
        if not dialog.importable or future is None or not future.done():
            # the Import button waits for the summary; only a programmatic accept gets here
            self._close_import_dialog()
            self._window.statusBar().showMessage(f"Nothing imported from {name}.")
            return
        try:
            imported = self._choice_import(choice, future)
        except Exception as error:  # checked for the summary already: never expected
            self._close_import_dialog()
            self.report_error("Import Points", f"Nothing imported from {name}", error)
            return
        _remember_choice(imported.file_name, choice)
        self._close_import_dialog()
        self._push_import(imported)

    @Slot()
    def _on_import_rejected(self) -> None:
        name = Path(self._dialog_path).name
        self._close_import_dialog()
        self._window.statusBar().showMessage(f"Nothing imported from {name}.")

    # -- the data plot's axes ---------------------------------------------------------------------

    def _on_document_changed(self, aspects: frozenset[str]) -> None:
        if ASPECT_SOURCE not in aspects:
            return
        names = self._axis_names.get(self._controller.document.source.name)
        bottom, left = (
            self._default_axis_labels
            if names is None
            else (html.escape(name, quote=False) for name in names)
        )
        axes = self._data_plot.plotItem
        if axes.getAxis("bottom").labelText != bottom:
            axes.setLabel("bottom", bottom)
        if axes.getAxis("left").labelText != left:
            axes.setLabel("left", left)

    def axis_labels(self) -> tuple[str, str]:
        """The data plot's axis labels (x, y) as shown, in pyqtgraph's rich text."""
        axes = self._data_plot.plotItem
        return axes.getAxis("bottom").labelText, axes.getAxis("left").labelText

    def _open_path(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self._window, title, self._directory, filters)
        return self._remember(path)

    def _save_path(self, title: str, filters: str, suggested: str, suffix: str) -> str | None:
        start = str(Path(self._directory) / suggested)
        path, _ = QFileDialog.getSaveFileName(self._window, title, start, filters)
        if path and not Path(path).suffix:
            path += suffix
        return self._remember(path)

    def _remember(self, path: str) -> str | None:
        if not path:
            return None  # cancelled
        self._directory = str(Path(path).parent)
        return path

    # -- slots ------------------------------------------------------------------------------------

    @Slot()
    def _on_import_points(self) -> None:
        path = self._open_path("Import Points", TABLE_FILTER)
        if path is not None:
            self.import_in_background(path)

    @Slot()
    def _on_export_points(self) -> None:
        path = self._save_path("Export Points", CSV_FILTER, "points.csv", ".csv")
        if path is not None:
            self._run(
                "Export Points",
                f"Could not export the points to {Path(path).name}",
                lambda: export_points_csv(self._controller, path),
            )

    @Slot()
    def _on_export_model(self) -> None:
        path = self._save_path("Export Model", MODEL_FILTER, "model.npz", ".npz")
        if path is not None:
            self._run(
                "Export Model",
                f"Could not export the model to {Path(path).name}",
                lambda: export_model(self._controller, path),
            )

    @Slot()
    def _on_export_architecture(self) -> None:
        path = self._save_path("Export Architecture", JSON_FILTER, "architecture.json", ".json")
        if path is not None:
            self._run(
                "Export Architecture",
                f"Could not export the architecture to {Path(path).name}",
                lambda: export_architecture(self._controller, path),
            )

    @Slot()
    def _on_export_data_plot_image(self) -> None:
        plot = self._data_plot
        self._ask_image_size(
            "Export Data Plot",
            default_image_width(plot),
            lambda width: data_plot_image_height(plot, width),
            "data-plot.png",
            lambda path, width: export_data_plot_image(
                self._controller, plot, path, width, latest=self._metrics.latest()
            ),
        )

    @Slot()
    def _on_export_metrics_image(self) -> None:
        plots = _metric_plots(self._metrics)
        self._ask_image_size(
            "Export Metric Plots",
            default_image_width(self._metrics),
            lambda width: plot_height_for_width(plots, width),
            "metrics.png",
            partial(export_metrics_image, self._controller, self._metrics),
        )

    def _ask_image_size(
        self,
        title: str,
        default_width: int,
        height_for_width: Callable[[int], int],
        suggested: str,
        export: Callable[[str, int], object],
    ) -> None:
        """Open the size dialog; once accepted, ask for the file and export."""
        if self._size_dialog is not None:
            self._size_dialog.close()
            self._size_dialog.deleteLater()
        dialog = ImageSizeDialog(title, default_width, height_for_width, self._window)
        self._size_dialog = dialog

        def chosen() -> None:
            width = dialog.width_pixels()
            path = self._save_path(title, PNG_FILTER, suggested, ".png")
            if path is not None:
                self._run(
                    title,
                    f"Could not save the image {Path(path).name}",
                    lambda: export(path, width),
                )

        dialog.accepted.connect(chosen)
        dialog.open()

    @property
    def size_dialog(self) -> ImageSizeDialog | None:
        """The image size dialog opened last (None before any)."""
        return self._size_dialog
