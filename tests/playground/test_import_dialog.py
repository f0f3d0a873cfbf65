"""File ▸ Import Points for any table: the import dialog, the scripting API, the axis names."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

import nn_engine
from playground import exports
from tests.playground.iris_table import COLUMNS, iris_csv, iris_rows

DEFAULT_AXES = ("x<sub>1</sub>", "x<sub>2</sub>")


def message(window):
    return window.statusBar().currentMessage()


def snapshot(points):
    return points.X.copy(), points.labels.copy(), points.is_test.copy()


def assert_points(points, expected):
    X, labels, is_test = expected
    np.testing.assert_array_equal(points.X, X)
    np.testing.assert_array_equal(points.labels, labels)
    np.testing.assert_array_equal(points.is_test, is_test)


def choose_file(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))


def open_dialog(qtbot, window, monkeypatch, path):
    """File ▸ Import Points… on ``path``: wait for the dialog and its first summary."""
    choose_file(monkeypatch, path)
    window.dataExchange.importPointsAction.trigger()
    qtbot.waitUntil(lambda: window.dataExchange.import_dialog is not None)
    dialog = window.dataExchange.import_dialog
    assert dialog.isVisible() and dialog.objectName() == "importDialog"
    qtbot.waitUntil(lambda: not dialog.summary_text.startswith("Reading"))
    return dialog


def iris_petals(species):
    """Petal length and width of the flowers of these species, in file order."""
    return np.array([(row[2], row[3]) for row in iris_rows() if row[4] in species])


@pytest.fixture
def iris(tmp_path):
    return iris_csv(tmp_path / "iris.csv")


# -- the dialog ---------------------------------------------------------------------------------


def test_iris_through_the_dialog_choose_columns_map_classes_accept_then_undo(
    qtbot, window, monkeypatch, iris
):
    before = snapshot(window.points)
    steps = window.undo_stack.count()

    dialog = open_dialog(qtbot, window, monkeypatch, iris)

    # the preview: the first 20 rows, each column headed by name, type and missing count
    table = dialog.previewTable
    assert (table.rowCount(), table.columnCount()) == (20, 5)
    headings = [table.horizontalHeaderItem(c).text() for c in range(5)]
    assert headings == [f"{name}\nnumber · 0 missing" for name in COLUMNS[:4]] + [
        "species\ntext · 0 missing"
    ]
    assert [table.item(0, c).text() for c in range(5)] == ["5.1", "3.5", "1.4", "0.2", "setosa"]
    assert dialog.readingLabel.text() == (
        "comma-separated · decimal points · UTF-8 · header line · 150 rows"
    )
    # the choices: numbers only for x and y; the text column as the label
    x_items = [dialog.xCombo.itemText(i) for i in range(dialog.xCombo.count())]
    assert x_items == list(COLUMNS[:4])
    assert dialog.labelCombo.currentText() == "species"
    assert (dialog.class0Combo.currentText(), dialog.class1Combo.currentText()) == (
        "setosa",
        "versicolor",
    )
    assert dialog.summary_text == (
        "100 points, 20 held out for testing.\n"
        "Class 0: setosa (50 points); class 1: versicolor (50 points).\n"
        "50 rows with other label values (virginica) left out "
        "(lines 102, 103, 104, 105, 106, …)."
    )

    # choose with the keyboard, as a user would
    qtbot.keyClicks(dialog.xCombo, "petal_l")
    qtbot.keyClicks(dialog.yCombo, "petal_w")
    qtbot.keyClicks(dialog.class0Combo, "ve")  # both classes versicolor for a moment
    qtbot.waitUntil(lambda: dialog.summary_text.startswith("Cannot"))
    assert dialog.summary_text == (
        "Cannot import: classes must be two different values, got ('versicolor', 'versicolor')."
    )
    assert not dialog.importButton.isEnabled()
    qtbot.keyClicks(dialog.class1Combo, "se")
    qtbot.keyClick(dialog.testSpin, Qt.Key.Key_Down)  # 20 % -> 15 %
    qtbot.waitUntil(lambda: dialog.importable)
    assert dialog.summary_text == (
        "100 points, 15 held out for testing.\n"
        "Class 0: versicolor (50 points); class 1: setosa (50 points).\n"
        "50 rows with other label values (virginica) left out "
        "(lines 102, 103, 104, 105, 106, …)."
    )
    # nothing imported before the user accepts
    assert_points(window.points, before)
    assert window.undo_stack.count() == steps

    qtbot.mouseClick(dialog.importButton, Qt.MouseButton.LeftButton)

    assert window.dataExchange.import_dialog is None
    labels = np.array([1] * 50 + [0] * 50)  # setosa rows come first in the file
    imported = (
        iris_petals({"setosa", "versicolor"}),
        labels,
        nn_engine.datasets.split_mask(100, 0.15, 0),
    )
    assert_points(window.points, imported)
    assert window.undo_stack.count() == steps + 1
    assert window.undo_stack.undoText() == "Import iris.csv"
    assert window.dataSourceLabel.text() == "iris.csv: petal_length vs petal_width: 100 points"
    assert window.dataExchange.axis_labels() == ("petal_length", "petal_width")
    assert message(window) == (
        "Imported 100 points from iris.csv (15 held out for testing). 50 rows left out. "
        "Ctrl+Z undoes it."
    )

    window.undo_stack.undo()
    assert_points(window.points, before)
    assert window.dataExchange.axis_labels() == DEFAULT_AXES
    assert window.dataSourceLabel.text() == "Moons: 300 points"
    window.undo_stack.redo()
    assert_points(window.points, imported)
    assert window.dataExchange.axis_labels() == ("petal_length", "petal_width")


def test_the_dialog_remembers_the_last_choice_for_a_file_name(qtbot, window, monkeypatch, iris):
    dialog = open_dialog(qtbot, window, monkeypatch, iris)
    qtbot.keyClicks(dialog.xCombo, "petal_l")
    qtbot.keyClicks(dialog.yCombo, "sepal_w")
    qtbot.keyClicks(dialog.class1Combo, "vi")
    qtbot.keyClick(dialog.standardizeCheck, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.importable)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Import is the default button
    qtbot.waitUntil(lambda: window.dataExchange.import_dialog is None)
    assert window.dataExchange.axis_labels() == (
        "petal_length (standardised)",
        "sepal_width (standardised)",
    )
    assert window.dataSourceLabel.text() == (
        "iris.csv: petal_length vs sepal_width (standardised): 100 points"
    )

    dialog = open_dialog(qtbot, window, monkeypatch, iris)

    choice = dialog.choice()
    assert (choice.x, choice.y, choice.label, choice.classes, choice.standardize) == (
        "petal_length",
        "sepal_width",
        "species",
        ("setosa", "virginica"),
        True,
    )


def test_cancel_imports_nothing(qtbot, window, monkeypatch, iris):
    before = snapshot(window.points)
    steps = window.undo_stack.count()
    dialog = open_dialog(qtbot, window, monkeypatch, iris)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert window.dataExchange.import_dialog is None
    assert message(window) == "Nothing imported from iris.csv."
    assert_points(window.points, before)
    assert window.undo_stack.count() == steps


def test_a_label_with_a_single_value_is_refused_and_nothing_changes(
    qtbot, window, monkeypatch, tmp_path
):
    path = tmp_path / "one.csv"
    path.write_text("a,b,kind\n1,2,cat\n3,4,cat\n5,6,cat\n")
    before = snapshot(window.points)
    steps = window.undo_stack.count()

    dialog = open_dialog(qtbot, window, monkeypatch, path)

    assert not dialog.class0Combo.isEnabled() and dialog.choice().classes is None
    assert dialog.summary_text == (
        "Cannot import: one.csv: the label column 'kind' holds a single class ('cat'); "
        "two are needed."
    )
    assert not dialog.importButton.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the default button is disabled: nothing
    assert dialog.isVisible()
    assert_points(window.points, before)
    assert window.undo_stack.count() == steps


def test_over_the_point_limit_is_refused(qtbot, window, monkeypatch, iris):
    monkeypatch.setattr(exports, "MAX_IMPORT_POINTS", 99)
    dialog = open_dialog(qtbot, window, monkeypatch, iris)
    assert dialog.summary_text == (
        "Cannot import: iris.csv gives 100 points, more than the limit of 99."
    )
    assert not dialog.importButton.isEnabled()


def test_values_beyond_the_coordinate_limit_need_standardising(
    qtbot, window, monkeypatch, tmp_path
):
    path = tmp_path / "far.csv"
    path.write_text("a;b;kind\n1,5;2000000;x\n2,5;3000000;y\n3,5;1000000;x\n")
    dialog = open_dialog(qtbot, window, monkeypatch, path)
    assert dialog.readingLabel.text() == (
        "semicolon-separated · decimal commas · UTF-8 · header line · 3 rows"
    )
    assert dialog.summary_text == (
        "Cannot import: far.csv: b has values beyond ±1,000,000 (e.g. 2e+06); standardise x "
        "and y to import it."
    )
    qtbot.keyClick(dialog.standardizeCheck, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.importable)
    assert dialog.summary_text.splitlines()[1:] == [
        "Class 0: x (2 points); class 1: y (1 point).",
        "Standardised (z-scores): a mean 2.5, sd 0.8165; b mean 2e+06, sd 8.165e+05.",
    ]
    qtbot.mouseClick(dialog.importButton, Qt.MouseButton.LeftButton)
    z = np.array([-1.0, 0.0, 1.0]) * np.sqrt(1.5)
    np.testing.assert_allclose(window.points.X, np.column_stack([z, [0.0, z[2], z[0]]]))


def test_a_file_without_two_numeric_columns_is_refused_without_a_dialog(
    qtbot, window, monkeypatch, tmp_path
):
    path = tmp_path / "names.csv"
    path.write_text("name,score\nann,1\nbob,2\n")
    before = snapshot(window.points)
    choose_file(monkeypatch, path)

    window.dataExchange.importPointsAction.trigger()

    qtbot.waitUntil(lambda: window.dataExchange.reading is None)
    error = (
        "names.csv has no pair of numeric columns for x and y; its columns: name (text), "
        "score (number)."
    )
    assert message(window) == f"Nothing imported from names.csv: {error}"
    box = window.dataExchange.error_box
    assert box.isVisible() and box.informativeText() == error
    assert window.dataExchange.import_dialog is None
    assert_points(window.points, before)


def test_our_own_files_import_without_the_dialog(qtbot, window, monkeypatch, tmp_path):
    path = tmp_path / "mine.csv"
    nn_engine.datasets.write_csv(path, [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [0, 1, 1])
    choose_file(monkeypatch, path)
    window.dataExchange.importPointsAction.trigger()
    qtbot.waitUntil(lambda: len(window.points) == 3)
    assert window.dataExchange.import_dialog is None
    assert window.dataSourceLabel.text() == "mine.csv: 3 points"
    assert window.dataExchange.axis_labels() == DEFAULT_AXES


# -- the scripting API --------------------------------------------------------------------------


def test_iris_by_column_names_and_classes(window, iris):
    window.import_points_csv(
        iris, x="petal_length", y="petal_width", label="species", classes=("setosa", "versicolor")
    )
    assert len(window.points) == 100
    np.testing.assert_array_equal(window.points.X, iris_petals({"setosa", "versicolor"}))
    np.testing.assert_array_equal(window.points.labels, [0] * 50 + [1] * 50)
    assert window.dataExchange.axis_labels() == ("petal_length", "petal_width")


def test_a_2_1_network_separates_setosa_from_versicolor(window, iris):
    window.import_points_csv(
        iris, x="petal_length", y="petal_width", label="species", classes=("setosa", "versicolor")
    )
    net = nn_engine.Network([{"input_dim": 2, "output_dim": 1, "activation": "sigmoid"}], seed=0)
    X, y = window.points.X, window.points.labels
    nn_engine.train(net, X, y, epochs=300, learning_rate=0.1, optimizer="adam")
    np.testing.assert_array_equal(net.predict(X).ravel(), y)


def test_a_table_without_column_names_is_refused_with_its_columns(window, iris):
    steps = window.undo_stack.count()
    with pytest.raises(ValueError) as caught:
        window.import_points_csv(iris)
    assert str(caught.value) == (
        "iris.csv is not an x,y,label file: choose its columns with x=, y= and label=; its "
        "columns are sepal_length, sepal_width, petal_length, petal_width, species."
    )
    assert window.undo_stack.count() == steps


def test_a_three_valued_label_without_classes_lists_its_values(window, iris):
    before = snapshot(window.points)
    with pytest.raises(ValueError) as caught:
        window.import_points_csv(iris, x="petal_length", y="petal_width", label="species")
    assert str(caught.value) == (
        "iris.csv: the label column 'species' has 3 values: 'setosa', 'versicolor', "
        "'virginica'; choose two with classes=(value0, value1)."
    )
    assert_points(window.points, before)


def test_a_two_valued_label_maps_in_sorted_order(window, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("u,v,answer\n1,2,yes\n3,4,no\n5,6,yes\n")
    window.import_points_csv(path, x="u", y="v", label="answer")
    np.testing.assert_array_equal(window.points.labels, [1, 0, 1])  # "no" < "yes"


def test_columns_go_together(window, iris):
    with pytest.raises(ValueError, match=r"^x, y and label go together: give all three column "):
        window.import_points_csv(iris, x="petal_length", y="petal_width")


def test_standardize_and_test_size(window, iris):
    window.import_points_csv(
        iris,
        x="petal_length",
        y="petal_width",
        label="species",
        classes=("versicolor", "virginica"),
        standardize=True,
        test_size=0.3,
    )
    X = window.points.X
    np.testing.assert_allclose(X.mean(axis=0), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), [1.0, 1.0])
    assert int(window.points.is_test.sum()) == 30
    assert window.dataExchange.axis_labels() == (
        "petal_length (standardised)",
        "petal_width (standardised)",
    )
    with pytest.raises(ValueError, match=r"^test_size must be in 0\.0\.\.0\.9, got 0\.95\.$"):
        window.import_points_csv(
            iris, x="petal_length", y="petal_width", label="species", test_size=0.95
        )


def test_semicolons_decimal_commas_and_missing_values(window, tmp_path):
    path = tmp_path / "field.csv"
    path.write_text(
        "Länge;Breite;Art\n1,5;2,5;A\n;3,0;B\n2,5;NA;A\n3,5;4,5;B\n4,0;x;B\n", encoding="latin-1"
    )
    window.import_points_csv(path, x="Länge", y="Breite", label="Art")
    np.testing.assert_array_equal(window.points.X, [[1.5, 2.5], [3.5, 4.5]])
    np.testing.assert_array_equal(window.points.labels, [0, 1])
    assert message(window) == (
        "Imported 2 points from field.csv (1 held out for testing). 3 rows left out. "
        "Ctrl+Z undoes it."
    )


def test_our_own_files_by_script_as_today_with_the_point_limit(window, tmp_path, monkeypatch):
    path = tmp_path / "mine.csv"
    nn_engine.datasets.write_csv(path, np.arange(10.0).reshape(5, 2), [0, 1, 0, 1, 0])
    window.import_points_csv(path, standardize=True)
    assert window.dataExchange.axis_labels() == ("x (standardised)", "y (standardised)")
    np.testing.assert_allclose(window.points.X.std(axis=0), [1.0, 1.0])
    monkeypatch.setattr(exports, "MAX_IMPORT_POINTS", 4)
    steps = window.undo_stack.count()
    with pytest.raises(ValueError) as caught:
        window.import_points_csv(path)
    assert str(caught.value) == "mine.csv has 5 points, more than the 4 the playground imports."
    assert window.undo_stack.count() == steps


def test_generate_gives_the_axes_their_usual_names_back(qtbot, window, iris):
    window.import_points_csv(
        iris, x="sepal_length", y="sepal_width", label="species", classes=("setosa", "virginica")
    )
    assert window.dataExchange.axis_labels() == ("sepal_length", "sepal_width")
    qtbot.mouseClick(window.dataPanel.generateButton, Qt.MouseButton.LeftButton)
    assert window.dataExchange.axis_labels() == DEFAULT_AXES
    window.undo_stack.undo()
    assert window.dataExchange.axis_labels() == ("sepal_length", "sepal_width")


def test_a_column_with_a_stray_word_is_offered_and_its_row_skipped(
    qtbot, window, monkeypatch, tmp_path
):
    path = tmp_path / "stray.csv"
    path.write_text("a,b,kind\n1,2,p\n3,n.v.,q\n5,6,q\n7,8,p\n")
    dialog = open_dialog(qtbot, window, monkeypatch, path)
    shown = [dialog.yCombo.itemText(i) for i in range(dialog.yCombo.count())]
    assert shown == ["a", "b (some text)"]
    assert dialog.previewTable.horizontalHeaderItem(1).text() == "b\ntext · 0 missing"
    assert (dialog.choice().x, dialog.choice().y, dialog.choice().label) == ("a", "b", "kind")
    qtbot.waitUntil(lambda: dialog.importable)
    assert dialog.summary_text == (
        "3 points, 1 held out for testing.\n"
        "Class 0: p (2 points); class 1: q (1 point).\n"
        "1 row skipped: 1 with an x or y that is not a number (line 3)."
    )
