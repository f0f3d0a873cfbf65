"""Any delimited text table as two-class points: pick the x and y columns and the label.

A table exported from a spreadsheet, R or pandas rarely has our ``x,y,label`` header. These
functions read it as it comes:

- the **encoding**: UTF-8 with or without a byte-order mark, else Latin-1 (which reads any
  byte); a file holding NUL bytes is not a text table and is refused;
- the **delimiter**: comma, semicolon or tab, from :class:`csv.Sniffer` on the first 50
  lines, checked by counting: a delimiter must split at least 80 % of them into two fields or
  more, and the one that gives the most lines the same number of fields wins; ties go to the
  sniffer's pick unless it is a comma, then to tab, semicolon, comma (a semicolon file with
  decimal commas splits on commas too);
- **decimal commas** when the delimiter is a semicolon and numbers are written ``5,1``;
- the **header**: the first row is a header when one of its fields is text in a column whose
  other values are numbers; for tables of text only, :meth:`csv.Sniffer.has_header` decides.
  Without a header the columns are called ``column 1``, ``column 2`` ...; empty names get the
  same, and a repeated name gets `` (2)``, `` (3)`` ...;
- **quoted fields** (``"a, b"``, doubled quotes inside), as the csv module reads them;
- **numbers** are plain decimals with an optional exponent (``-1.5``, ``.5``, ``2e-3``);
  empty fields and ``NA``, ``N/A``, ``NaN``, ``null``, ``None``, ``?``, ``-`` are missing
  values; anything else (``inf``, ``1 000``, ``abc``) is not a number.

Files are read as a whole within :data:`MAX_TABLE_BYTES` (regular files only, see
:mod:`nn_engine.safe_files`), and at most :data:`MAX_TABLE_POINTS` points are returned. Reading
takes about 8 µs a row (200,000 rows of three columns in 1.6 s), each function reading the file
once.
"""

import csv
import io
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nn_engine.safe_files import read_regular_file
from nn_engine.validation import shorten

MAX_TABLE_BYTES = 64 * 2**20
MAX_TABLE_POINTS = 100_000
PREVIEW_ROWS = 20
REPORTED_LINES = 5  # line numbers kept per reason for skipping rows

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")
_SAMPLE_LINES = 50
_SAMPLE_CHARS = 64 * 1024  # the sniffer's work grows with its sample: a long line is cut

# why a row is left out of the points, in the order they are checked
SKIP_REASONS = ("missing value", "not a number", "missing label", "other label")


@dataclass(frozen=True)
class TableInfo:
    """What :func:`inspect_table` found in a file, for a preview.

    Attributes
    ----------
    columns : tuple of str
        The column names (``column 1`` ... without a header).
    types : tuple of {"number", "text"}
        Per column: "number" when every value that is not missing is a number (and at least
        one is), else "text".
    missing : tuple of int
        Per column, the rows where the value is missing (empty, ``NA`` ... or absent from a
        short row).
    rows : tuple of tuple of str
        The first :data:`PREVIEW_ROWS` data rows, each with one string per column (short rows
        padded with "", fields beyond the columns left out).
    n_rows : int
        Data rows in the file (blank lines are not counted).
    delimiter : {",", ";", "\\t"}
    decimal_comma : bool
    encoding : {"utf-8", "utf-8-sig", "latin-1"}
    has_header : bool
    """

    columns: tuple[str, ...]
    types: tuple[str, ...]
    missing: tuple[int, ...]
    rows: tuple[tuple[str, ...], ...]
    n_rows: int
    delimiter: str
    decimal_comma: bool
    encoding: str
    has_header: bool

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        """The names of the columns of type "number" (the choices for x and y)."""
        return tuple(
            c for c, kind in zip(self.columns, self.types, strict=True) if kind == "number"
        )


@dataclass(frozen=True)
class TableReport:
    """What :func:`read_table` did with the rows of a file.

    Attributes
    ----------
    n_rows : int
        Data rows read (blank lines are not counted).
    n_points : int
        Rows that became points.
    classes : tuple
        The label values of class 0 and class 1: str for a text label, int or float for a
        numeric one.
    class_counts : tuple of int
        Points of class 0 and of class 1.
    skipped : dict
        Rows left out per reason (:data:`SKIP_REASONS`, only those that occurred): a missing
        or non-numeric x or y, a missing label, a label that is neither class.
    skipped_lines : dict
        Per reason, the 1-based line numbers of the first :data:`REPORTED_LINES` such rows.
    """

    n_rows: int
    n_points: int
    classes: tuple
    class_counts: tuple[int, int]
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        """One line for people, e.g. ``100 points of 150 rows; left out: 50 with another
        label (lines 102, 103, 104, 105, 106, …)``."""
        text = f"{self.n_points:,} points of {self.n_rows:,} rows"
        if not self.skipped:
            return text
        parts = []
        for reason, count in self.skipped.items():
            lines = ", ".join(map(str, self.skipped_lines[reason]))
            more = ", …" if count > len(self.skipped_lines[reason]) else ""
            phrase = {
                "missing value": "with a missing x or y",
                "not a number": "with an x or y that is not a number",
                "missing label": "without a label",
                "other label": "with another label",
            }[reason]
            parts.append(f"{count:,} {phrase} (line{'s' if count > 1 else ''} {lines}{more})")
        return f"{text}; left out: {'; '.join(parts)}"


@dataclass
class _Table:
    """A parsed file: names, data rows with their line numbers, and how it was read."""

    name: str
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    delimiter: str
    decimal_comma: bool
    encoding: str
    has_header: bool


# --------------------------------------------------------------------------- reading


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if b"\x00" in raw:
        raise ValueError(
            f"{name} is not a text table: it holds NUL bytes (a binary file, or UTF-16 text)."
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass  # a BOM followed by something else: read as Latin-1 below
    else:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), "latin-1"


def _split(lines: list[str], delimiter: str) -> list[list[str]]:
    return list(csv.reader(lines, delimiter=delimiter))


def _evenness(lines: list[str], delimiter: str) -> tuple[float, float]:
    """How ``delimiter`` splits the non-blank ``lines``: the share split into at least two
    fields, and the share holding the most common number of fields."""
    try:
        rows = _split(lines, delimiter)
    except csv.Error:  # e.g. a field beyond the csv module's limit: not this table's layout
        return 0.0, 0.0
    widths = [len(row) for row in rows if any(map(str.strip, row))]
    if not widths:
        return 0.0, 0.0
    split = sum(width >= 2 for width in widths) / len(widths)
    return split, Counter(widths).most_common(1)[0][1] / len(widths)


def _detect_delimiter(lines: list[str], name: str) -> str:
    """The sniffer's pick, checked by counting: a delimiter must split at least 80 % of the
    lines; among those, the one that gives the most lines the same width wins, then the
    sniffer's pick unless it is a comma, then tab, semicolon, comma in that order (a semicolon
    file with decimal commas splits on commas too)."""
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    preference = {"\t": 2, ";": 1, ",": 0}
    candidates = {}
    for delimiter in DELIMITERS:
        split, same_width = _evenness(lines, delimiter)
        if split >= 0.8:
            candidates[delimiter] = (same_width, delimiter == sniffed != ",", preference[delimiter])
    if not candidates:
        raise ValueError(
            f"{name} must be a table of columns separated by commas, semicolons or tabs, got "
            "no delimiter that splits its lines."
        )
    return max(candidates, key=candidates.__getitem__)


def _is_number(text: str, decimal_comma: bool) -> bool:
    return _parse_number(text, decimal_comma) is not None


def _parse_number(text: str, decimal_comma: bool) -> float | None:
    text = text.strip()
    if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _is_missing(text: str) -> bool:
    return text.strip().lower() in MISSING


def _detect_header(rows: list[list[str]], decimal_comma: bool, sample: str) -> bool:
    first, rest = rows[0], rows[1 : _SAMPLE_LINES + 1]
    if not rest:
        return not any(_is_number(value, decimal_comma) for value in first)
    numeric_elsewhere = False
    for column, value in enumerate(first):
        others = [row[column] for row in rest if column < len(row) and not _is_missing(row[column])]
        numbers = sum(_is_number(other, decimal_comma) for other in others)
        if others and numbers >= 0.5 * len(others):
            if not _is_number(value, decimal_comma) and not _is_missing(value):
                return True  # text above numbers: a column name
            numeric_elsewhere = True
    if numeric_elsewhere:
        return False
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return False


def _column_names(header: list[str] | None, width: int) -> list[str]:
    names = []
    for index in range(width):
        given = header[index].strip() if header is not None and index < len(header) else ""
        names.append(given or f"column {index + 1}")
    seen: Counter = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _read(path: str | os.PathLike) -> _Table:
    name = Path(path).name
    raw = read_regular_file(path, max_bytes=MAX_TABLE_BYTES, name=name)
    text, encoding = _decode(raw, name)
    if not text.strip():
        raise ValueError(f"{name} must hold a table, got an empty file.")
    head = text.lstrip()[:_SAMPLE_CHARS]
    sample_lines = [line for line in head.splitlines() if line.strip()][:_SAMPLE_LINES]
    delimiter = _detect_delimiter(sample_lines, name)
    decimal_comma = delimiter == ";" and any(
        _DECIMAL_COMMA.fullmatch(value.strip())
        for row in _split(sample_lines, delimiter)
        for value in row
    )

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, lines = [], []
    try:
        for row in reader:
            if any(value.strip() for value in row):
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as error:  # e.g. a NUL inside a quoted field
        raise ValueError(f"{name} line {reader.line_num}: {error}.") from None
    assert rows, "the delimiter was found on lines with values"
    has_header = _detect_header(rows, decimal_comma, "\n".join(sample_lines))
    header = rows[0] if has_header else None
    data, data_lines = (rows[1:], lines[1:]) if has_header else (rows, lines)
    if header is not None:
        width = len(header)
    else:
        width = Counter(len(row) for row in data[: _SAMPLE_LINES * 2]).most_common(1)[0][0]
    return _Table(
        name, _column_names(header, width), data, data_lines, delimiter, decimal_comma,
        encoding, has_header,
    )  # fmt: skip


def _value(row: list[str], column: int) -> str:
    return row[column] if column < len(row) else ""


def inspect_table(path: str | os.PathLike) -> TableInfo:
    """How a delimited text file reads as a table: columns, their types, a preview.

    Parameters
    ----------
    path : str or path-like
        A text file of at most :data:`MAX_TABLE_BYTES` (see the module for the reading rules).

    Returns
    -------
    TableInfo

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        Naming the file: not a regular file, too large, binary, empty, or no delimiter that
        splits its lines.
    """
    table = _read(path)
    width = len(table.columns)
    missing = [0] * width
    numbers = [0] * width
    texts = [0] * width
    for row in table.rows:
        for column in range(width):
            value = _value(row, column)
            if _is_missing(value):
                missing[column] += 1
            elif _is_number(value, table.decimal_comma):
                numbers[column] += 1
            else:
                texts[column] += 1
    types = tuple("number" if numbers[c] > 0 and texts[c] == 0 else "text" for c in range(width))
    preview = tuple(
        tuple(_value(row, column) for column in range(width)) for row in table.rows[:PREVIEW_ROWS]
    )
    return TableInfo(
        columns=tuple(table.columns),
        types=types,
        missing=tuple(missing),
        rows=preview,
        n_rows=len(table.rows),
        delimiter=table.delimiter,
        decimal_comma=table.decimal_comma,
        encoding=table.encoding,
        has_header=table.has_header,
    )


# ------------------------------------------------------------------------- the points


def _column_index(table: _Table, role: str, column: object) -> int:
    if isinstance(column, bool) or not isinstance(column, str | int):
        raise TypeError(
            f"{role} must be a column name (str) or a 0-based index (int), got "
            f"{type(column).__name__}."
        )
    if isinstance(column, int):
        if not 0 <= column < len(table.columns):
            raise ValueError(
                f"{role} must be a column index in 0..{len(table.columns) - 1} of "
                f"{table.name}, got {column}."
            )
        return column
    if column not in table.columns:
        raise ValueError(
            f"{table.name} has no column {shorten(column)} (for {role}); its columns are "
            f"{', '.join(table.columns)}."
        )
    return table.columns.index(column)


def _canonical(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _label_key(text: str, numeric: bool, decimal_comma: bool) -> object:
    """What identifies a label value: its number for a numeric label column, else its text."""
    if numeric:
        return _canonical(_parse_number(text, decimal_comma))
    return text.strip()


def _describe_values(values: list) -> str:
    shown = ", ".join(repr(value) for value in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def read_table(
    path: str | os.PathLike,
    x: str | int,
    y: str | int,
    label: str | int,
    classes: tuple | list | None = None,
    *,
    max_points: int = MAX_TABLE_POINTS,
) -> tuple[NDArray[np.float64], NDArray[np.int64], TableReport]:
    """Points from two numeric columns of a table and two values of a label column.

    Parameters
    ----------
    path : str or path-like
        A delimited text file (see the module for the reading rules).
    x, y, label : str or int
        Column names as :func:`inspect_table` lists them, or 0-based column indices.
    classes : (value0, value1) or None
        The label values that become class 0 and class 1; rows with other labels are left
        out (and counted). A number matches a numeric label numerically (``1`` matches
        ``1.0``); a str matches the label's text, spaces around it ignored. Without
        ``classes`` the label must have exactly two distinct values, which map in sorted
        order (numbers compared as numbers).
    max_points : int
        Refuse a table that gives more points than this.

    Returns
    -------
    X : ndarray (n_points, 2) float64
        The x and y values of the kept rows, in file order.
    y : ndarray (n_points,) int64
        0 or 1.
    report : TableReport
        Rows read and kept, the classes, the rows left out per reason with their first line
        numbers.

    Raises
    ------
    OSError
        If the file cannot be read.
    TypeError
        If a column is neither a str nor an int, or ``classes`` is not a pair.
    ValueError
        Naming the file and the reason, with nothing returned: see :func:`inspect_table`; no
        such column (the message lists the file's columns); an x or y column without any
        number; a label with one value or, without ``classes``, more than two (listed); a
        class that does not occur; no rows with both classes; more than ``max_points``.
    """
    if classes is not None:
        classes = _check_classes(classes)
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
        raise ValueError(f"max_points must be an integer > 0, got {max_points!r}.")
    table = _read(path)
    name = table.name
    columns = {role: _column_index(table, role, value) for role, value in
               (("x", x), ("y", y), ("label", label))}  # fmt: skip

    decimal_comma = table.decimal_comma
    label_texts = [_value(row, columns["label"]) for row in table.rows]
    present = [text for text in label_texts if not _is_missing(text)]
    numeric_label = bool(present) and all(_is_number(text, decimal_comma) for text in present)

    skipped: Counter = Counter()
    skipped_lines: dict[str, list[int]] = {reason: [] for reason in SKIP_REASONS}
    kept: list[tuple[float, float, object, int]] = []  # x, y, label, line

    def skip(reason: str, line: int) -> None:
        skipped[reason] += 1
        if len(skipped_lines[reason]) < REPORTED_LINES:
            skipped_lines[reason].append(line)

    numbers_seen = {"x": 0, "y": 0}
    for row, line, label_text in zip(table.rows, table.lines, label_texts, strict=True):
        coordinates = []
        for role in ("x", "y"):
            text = _value(row, columns[role])
            value = None if _is_missing(text) else _parse_number(text, decimal_comma)
            if value is not None:
                numbers_seen[role] += 1
            coordinates.append((text, value))
        if any(_is_missing(text) for text, _ in coordinates):
            skip("missing value", line)
        elif any(value is None for _, value in coordinates):
            skip("not a number", line)
        elif _is_missing(label_text):
            skip("missing label", line)
        else:
            key = _label_key(label_text, numeric_label, decimal_comma)
            kept.append((coordinates[0][1], coordinates[1][1], key, line))
    for role in ("x", "y"):
        if numbers_seen[role] == 0:
            raise ValueError(
                f"{name}: the column {table.columns[columns[role]]!r} chosen for {role} holds "
                "no numbers."
            )
    if not kept:
        raise ValueError(f"{name}: no row has numbers for x and y and a label.")

    # the label's values in the whole column, rows left out for their x or y included
    values = sorted(
        {_label_key(text, numeric_label, decimal_comma) for text in present},
        key=lambda value: (isinstance(value, str), value),
    )
    label_name = table.columns[columns["label"]]
    if classes is None:
        if len(values) == 1:
            raise ValueError(
                f"{name}: the label column {label_name!r} holds a single class "
                f"({values[0]!r}); two are needed."
            )
        if len(values) > 2:
            raise ValueError(
                f"{name}: the label column {label_name!r} has {len(values)} values: "
                f"{_describe_values(values)}; choose two with classes=(value0, value1)."
            )
        chosen = tuple(values)
    else:
        chosen = tuple(
            _match_class(value, numeric_label, values, label_name, name) for value in classes
        )
        if chosen[0] == chosen[1]:
            raise ValueError(f"classes must be two different values, got {classes!r}.")

    points, labels = [], []
    for x_value, y_value, key, line in kept:
        if key == chosen[0] or key == chosen[1]:
            points.append((x_value, y_value))
            labels.append(0 if key == chosen[0] else 1)
        else:
            skip("other label", line)
    counts = (labels.count(0), labels.count(1))
    if 0 in counts:
        missing_class = chosen[counts.index(0)]
        raise ValueError(
            f"{name}: no usable row has the label {missing_class!r}; both classes need points."
        )
    if len(points) > max_points:
        raise ValueError(
            f"{name} gives {len(points):,} points, more than the limit of {max_points:,}."
        )
    report = TableReport(
        n_rows=len(table.rows),
        n_points=len(points),
        classes=chosen,
        class_counts=counts,
        skipped={reason: skipped[reason] for reason in SKIP_REASONS if skipped[reason]},
        skipped_lines={
            reason: tuple(skipped_lines[reason]) for reason in SKIP_REASONS if skipped[reason]
        },
    )
    return np.array(points, np.float64).reshape(-1, 2), np.array(labels, np.int64), report


def _check_classes(classes: object) -> tuple:
    if not isinstance(classes, tuple | list) or len(classes) != 2:
        raise TypeError(f"classes must be a pair (value0, value1), got {shorten(classes, 60)}.")
    for value in classes:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(
                f"classes must hold label values (str or numbers), got {shorten(value)}."
            )
    return tuple(classes)


def _match_class(value: object, numeric_label: bool, values: list, label: str, name: str):
    if numeric_label and isinstance(value, int | float):
        key = _canonical(float(value))
    elif numeric_label and isinstance(value, str) and _is_number(value, True):
        key = _canonical(_parse_number(value, True))
    else:
        key = str(value).strip()
    if key not in values:
        raise ValueError(
            f"{name}: the class {value!r} does not occur in the label column {label!r}; its "
            f"values are {_describe_values(values)}."
        )
    return key
