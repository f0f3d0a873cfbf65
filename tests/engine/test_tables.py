"""Any delimited table as points: nn_engine.datasets.inspect_table and read_table."""

import numpy as np
import pytest
from iris_measurements import COLUMNS, flowers

import nn_engine.tables
from nn_engine import Network, datasets, train
from nn_engine.datasets import TableInfo, TableReport, inspect_table, read_table


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def iris_csv(tmp_path, delimiter=",", decimal=".", encoding="utf-8"):
    lines = [delimiter.join(COLUMNS)]
    for *numbers, species in flowers():
        lines.append(delimiter.join([str(v).replace(".", decimal) for v in numbers] + [species]))
    return write(tmp_path, "iris.csv", "\n".join(lines) + "\n", encoding)


# ------------------------------------------------------------------------------------ iris


def test_iris_setosa_against_versicolor_gives_100_points_a_2_1_network_separates(tmp_path):
    path = iris_csv(tmp_path)
    X, y, report = read_table(
        path, x="petal_length", y="petal_width", label="species", classes=("setosa", "versicolor")
    )
    assert X.shape == (100, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(y, [0] * 50 + [1] * 50)
    assert X[0].tolist() == [1.4, 0.2] and X[50].tolist() == [4.7, 1.4]
    assert report == TableReport(
        n_rows=150,
        n_points=100,
        classes=("setosa", "versicolor"),
        class_counts=(50, 50),
        skipped={"other label": 50},
        skipped_lines={"other label": (102, 103, 104, 105, 106)},
    )
    assert report.summary() == (
        "100 points of 150 rows; left out: 50 with another label (lines 102, 103, 104, 105, 106, …)"
    )

    net = Network.from_sizes([2, 1], init="xavier", seed=0)
    train(net, X, y, epochs=300, learning_rate=0.1, optimizer="adam")
    assert net.evaluate(X, y)[1] == 1.0


def test_iris_without_classes_lists_the_three_species(tmp_path):
    path = iris_csv(tmp_path)
    with pytest.raises(ValueError) as caught:
        read_table(path, "petal_length", "petal_width", "species")
    assert str(caught.value) == (
        "iris.csv: the label column 'species' has 3 values: 'setosa', 'versicolor', "
        "'virginica'; choose two with classes=(value0, value1)."
    )


def test_classes_pick_the_order_of_the_classes(tmp_path):
    path = iris_csv(tmp_path)
    X, y, report = read_table(path, 2, 3, 4, classes=["virginica", "setosa"])
    assert report.classes == ("virginica", "setosa") and report.class_counts == (50, 50)
    assert np.array_equal(y, [1] * 50 + [0] * 50)  # setosa rows come first in the file
    assert report.skipped_lines == {"other label": (52, 53, 54, 55, 56)}


def test_inspect_iris(tmp_path):
    info = inspect_table(iris_csv(tmp_path))
    assert info.columns == COLUMNS
    assert info.types == ("number", "number", "number", "number", "text")
    assert info.numeric_columns == COLUMNS[:4]
    assert info.missing == (0, 0, 0, 0, 0)
    assert info.n_rows == 150
    assert len(info.rows) == 20
    assert info.rows[0] == ("5.1", "3.5", "1.4", "0.2", "setosa")
    assert (info.delimiter, info.decimal_comma, info.encoding, info.has_header) == (
        ",",
        False,
        "utf-8",
        True,
    )


# ------------------------------------------------------------------------- reading rules


def test_semicolons_with_decimal_commas_in_latin_1(tmp_path):
    text = 'Länge;Breite;Art\n5,1;3,5;Borstig\n"4,9";3;Glatt\n-0,25;1,5e2;Borstig\n7;,5;Glatt\n'
    path = write(tmp_path, "blätter.csv", text, "latin-1")
    info = inspect_table(path)
    assert info.columns == ("Länge", "Breite", "Art")
    assert (info.delimiter, info.decimal_comma, info.encoding) == (";", True, "latin-1")
    assert info.types == ("number", "number", "text")
    X, y, report = read_table(path, "Länge", "Breite", "Art")
    assert X.tolist() == [[5.1, 3.5], [4.9, 3.0], [-0.25, 150.0], [7.0, 0.5]]
    assert y.tolist() == [0, 1, 0, 1]  # sorted: Borstig, Glatt
    assert report.classes == ("Borstig", "Glatt") and report.skipped == {}


def test_tabs_a_utf8_byte_order_mark_quotes_and_crlf(tmp_path):
    text = (
        '\ufeff"name, full"\tx\ty\tgroup\r\n'
        '"Smith, Ann"\t1.5\t2\t"a"\r\n'
        '"Doe, ""J"""\t-1\t.5\tb\r\n'
        "\r\n"
        "Lee\t3e-1\t4\ta\r\n"
    )
    path = write(tmp_path, "people.tsv", text)
    info = inspect_table(path)
    assert info.columns == ("name, full", "x", "y", "group")
    assert (info.delimiter, info.encoding, info.has_header) == ("\t", "utf-8-sig", True)
    assert info.rows[1] == ('Doe, "J"', "-1", ".5", "b")
    X, y, report = read_table(path, "x", "y", "group")
    assert X.tolist() == [[1.5, 2.0], [-1.0, 0.5], [0.3, 4.0]]
    assert y.tolist() == [0, 1, 0]
    assert report.n_rows == 3


def test_a_file_without_header_names_its_columns(tmp_path):
    path = write(tmp_path, "plain.csv", "0.5,1.5,1\n-2,3,0\n4,-1,1\n")
    info = inspect_table(path)
    assert info.has_header is False
    assert info.columns == ("column 1", "column 2", "column 3")
    X, y, report = read_table(path, "column 1", "column 2", "column 3")
    assert X.tolist() == [[0.5, 1.5], [-2.0, 3.0], [4.0, -1.0]]
    assert y.tolist() == [1, 0, 1]
    assert report.classes == (0, 1)


def test_numeric_labels_map_in_numeric_order_and_match_classes_as_numbers(tmp_path):
    path = write(tmp_path, "labels.csv", "a,b,c\n1,2,10\n3,4,9\n5,6,10.0\n7,8,2\n")
    with pytest.raises(ValueError, match=r"has 3 values: 2, 9, 10; choose two"):
        read_table(path, "a", "b", "c")
    X, y, report = read_table(path, "a", "b", "c", classes=(10, "9"))
    assert y.tolist() == [0, 1, 0]  # 10 and 10.0 are the same label
    assert report.classes == (10, 9)
    assert report.skipped == {"other label": 1} and report.skipped_lines == {"other label": (5,)}
    two = write(tmp_path, "two.csv", "a,b,c\n1,2,10\n3,4,9\n")
    assert read_table(two, "a", "b", "c")[2].classes == (9, 10)  # 9 < 10, not "10" < "9"


def test_rows_with_missing_or_bad_values_are_skipped_and_counted(tmp_path):
    text = (
        "x,y,label,note\n"  # line 1
        "1,2,a,ok\n"
        ",2,a,empty x\n"  # 3: missing
        "1,NA,b,\n"  # 4: missing
        "1,2,,no label\n"  # 5: missing label
        "abc,2,b,text\n"  # 6: not a number
        "1,inf,b,inf\n"  # 7: not a number
        "\n"  # 8: blank, not a row
        "3,4,b\n"  # 9: a short row is fine
        "5,6\n"  # 10: the label is absent
        "1,1_0,a\n"  # 11: not a number
        "7,8,a,x,extra\n"  # 12: extra fields are ignored
        "N/A,?,a\n"  # 13: missing
    )
    path = write(tmp_path, "gaps.csv", text)
    X, y, report = read_table(path, "x", "y", "label")
    assert X.tolist() == [[1.0, 2.0], [3.0, 4.0], [7.0, 8.0]]
    assert y.tolist() == [0, 1, 0]
    assert report.n_rows == 11 and report.n_points == 3
    assert report.skipped == {"missing value": 3, "not a number": 3, "missing label": 2}
    assert report.skipped_lines == {
        "missing value": (3, 4, 13),
        "not a number": (6, 7, 11),
        "missing label": (5, 10),
    }
    info = inspect_table(path)
    assert info.missing == (2, 2, 2, 5)
    assert info.types == ("text", "text", "text", "text")
    assert report.n_skipped == 8


# ------------------------------------------------------------------------------ refusals


def test_an_unknown_column_is_refused_listing_the_columns(tmp_path):
    path = iris_csv(tmp_path)
    with pytest.raises(ValueError) as caught:
        read_table(path, "petal length", "petal_width", "species", classes=("setosa", "virginica"))
    assert str(caught.value) == (
        "iris.csv has no column 'petal length' (for x); its columns are sepal_length, "
        "sepal_width, petal_length, petal_width, species."
    )
    with pytest.raises(ValueError, match=r"^label must be a column index in 0\.\.4 of iris\.csv"):
        read_table(path, 0, 1, 5)
    with pytest.raises(TypeError, match=r"^y must be a column name \(str\) or a 0-based index"):
        read_table(path, 0, 1.0, 4)


@pytest.mark.parametrize(
    ("text", "classes", "message"),
    [
        ("x,y,c\n1,2,a\n3,4,a\n", None,
         "t.csv: the label column 'c' holds a single class ('a'); two are needed."),
        ("x,y,c\n1,2,a\n3,4,b\n", ("a", "z"),
         "t.csv: the class 'z' does not occur in the label column 'c'; its values are 'a', 'b'."),
        ("x,y,c\n1,2,a\n3,,b\n", ("a", "b"),
         "t.csv: no usable row has the label 'b'; both classes need points."),
        ("x,y,c\n1,2,a\n3,4,b\n", ("a", "a"),
         "classes must be two different values, got ('a', 'a')."),
        ("x,y,c\nu,2,a\nv,4,b\n", None, "t.csv: the column 'x' chosen for x holds no numbers."),
        ("x,y,c\n1,2,\n3,4,\n", None, "t.csv: no row has numbers for x and y and a label."),
        ("", None, "t.csv must hold a table, got an empty file."),
        ("\n \n\t\n", None, "t.csv must hold a table, got an empty file."),
        ("x,y,c\n1,2," + "z" * 200_000 + "\n", None,
         "t.csv line 2: field larger than field limit (131072)."),
        (",,\n,,\n", None,
         "t.csv must be a table of columns separated by commas, semicolons or tabs, got no "
         "delimiter that splits its lines."),
        ("just one column\n1\n2\n", None,
         "t.csv must be a table of columns separated by commas, semicolons or tabs, got no "
         "delimiter that splits its lines."),
    ],
)  # fmt: skip
def test_tables_that_cannot_work_are_refused_with_the_reason(tmp_path, text, classes, message):
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(ValueError) as caught:
        read_table(path, "x", "y", "c", classes=classes)
    assert str(caught.value) == message


def test_too_many_points_are_refused(tmp_path):
    path = iris_csv(tmp_path)
    with pytest.raises(ValueError) as caught:
        read_table(path, 2, 3, 4, classes=("setosa", "versicolor"), max_points=99)
    assert str(caught.value) == "iris.csv gives 100 points, more than the limit of 99."
    assert nn_engine.tables.MAX_TABLE_POINTS == 100_000


def test_binary_and_oversized_files_are_refused(tmp_path, monkeypatch):
    binary = tmp_path / "data.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ValueError, match=r"^data\.xlsx is not a text table: it holds NUL bytes"):
        inspect_table(binary)
    monkeypatch.setattr(nn_engine.tables, "MAX_TABLE_BYTES", 100)
    with pytest.raises(ValueError, match=r"^iris\.csv"):
        read_table(iris_csv(tmp_path), 2, 3, 4, classes=("setosa", "versicolor"))


def test_bad_classes_are_refused_before_reading(tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(TypeError, match=r"^classes must be a pair \(value0, value1\), got 'ab'"):
        read_table(missing, "x", "y", "c", classes="ab")
    with pytest.raises(TypeError, match=r"^classes must hold label values"):
        read_table(missing, "x", "y", "c", classes=(None, "a"))
    with pytest.raises(OSError):
        read_table(missing, "x", "y", "c")


def test_the_names_are_those_the_import_dialog_uses():
    assert datasets.read_table is read_table and datasets.inspect_table is inspect_table
    assert isinstance(TableInfo, type)
