"""Long lists (a long run's history) are checked and converted slice by slice."""

import numpy as np
import pytest

from nn_engine.validation import LIST_SLICE, floats_to_array, only_types

FLOATS = frozenset({float})


LENGTHS = [0, 1, LIST_SLICE - 1, LIST_SLICE, LIST_SLICE + 1, 5 * LIST_SLICE + 3]


@pytest.mark.parametrize("n", LENGTHS)
def test_floats_to_array_equals_numpys_conversion_at_every_length(n):
    values = np.random.default_rng(n).normal(size=n).tolist()
    array = floats_to_array(values)
    assert array.dtype == np.float64 and array.shape == (n,)
    assert array.tobytes() == np.array(values, dtype=np.float64).tobytes()
    assert only_types(values, FLOATS)


def test_one_item_of_another_type_is_found_in_any_slice():
    values = [0.5] * (3 * LIST_SLICE)
    for index in (0, LIST_SLICE - 1, LIST_SLICE, 3 * LIST_SLICE - 1):
        changed = list(values)
        changed[index] = True  # a bool is not a float
        assert not only_types(changed, FLOATS)
        assert only_types(changed, frozenset({float, bool}))
    assert only_types((0.5, 1.5), FLOATS)  # tuples too
    assert only_types({"a": 0.5}.values(), FLOATS)  # and any other iterable, at once
    assert not only_types(iter([0.5, "x"]), FLOATS)


def test_floats_to_array_refuses_what_is_not_a_number():
    values = [0.5] * (LIST_SLICE + 10)
    values[LIST_SLICE + 3] = "x"
    with pytest.raises(ValueError):
        floats_to_array(values)
