"""The layer-health sparkline: values mapped to pixels, gaps at non-finite values."""

import numpy as np
import pytest

from playground.widgets.sparkline import MARGIN, Sparkline


@pytest.fixture
def line(qtbot):
    widget = Sparkline("#FF0000", "#FFFFFF")
    qtbot.addWidget(widget)
    widget.resize(101, 21)
    return widget


def test_values_span_the_width_and_the_height(line):
    line.set_values([1.0, 3.0, 2.0])
    (run,) = line.polylines()
    np.testing.assert_array_equal(run[:, 0], [0.0, 50.0, 100.0])
    # the largest value at the top margin, the smallest at the bottom one
    np.testing.assert_array_equal(run[:, 1], [20 - MARGIN, MARGIN, 10.0])


def test_non_finite_values_break_the_line(line):
    line.set_values([1.0, np.nan, 2.0, 3.0, np.inf])
    runs = line.polylines()
    assert [len(run) for run in runs] == [1, 2]
    np.testing.assert_array_equal(runs[1][:, 0], [50.0, 75.0])


def test_a_flat_line_sits_in_the_middle_and_nothing_is_drawn_without_values(line):
    assert line.polylines() == []
    line.set_values([5.0, 5.0])
    (run,) = line.polylines()
    np.testing.assert_array_equal(run[:, 1], [10.0, 10.0])


def test_the_line_is_painted_where_the_values_say(line, qtbot):
    line.set_values(np.linspace(0.0, 1.0, 101))  # bottom left to top right, one value a pixel
    line.show()
    qtbot.waitExposed(line)
    image = line.grab().toImage()
    for x, expected_y in ((5, 20 - MARGIN - 5 * 0.17), (50, 10.0), (95, MARGIN + 5 * 0.17)):
        redness = [image.pixelColor(x, y).red() - image.pixelColor(x, y).green() for y in range(21)]
        assert abs(int(np.argmax(redness)) - expected_y) <= 1


def test_the_values_are_copied(line):
    values = np.array([1.0, 2.0])
    line.set_values(values)
    values[0] = 7.0
    np.testing.assert_array_equal(line.values(), [1.0, 2.0])
