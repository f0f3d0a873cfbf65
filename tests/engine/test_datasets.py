"""nn_engine.datasets: generators, the seeded split, CSV files.

The scikit-learn equivalence is pinned with numbers computed by scikit-learn 1.9.1 (NumPy
2.4.6, x86-64) in a separate environment, so these tests prove it without importing sklearn:

    X, y = sklearn.datasets.make_moons(1000, noise=0.2, random_state=100)
    X_train, X_test, y_train, y_test = sklearn.model_selection.train_test_split(
        X, y, test_size=0.1, random_state=42)

(the article's data). The labels and split indices are integers and platform-independent;
the coordinates also involve NumPy's float64 sin/cos, which agree with the C library here.
"""

import hashlib
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn_engine import datasets
from nn_engine.datasets import (
    GENERATORS,
    MAX_CSV_BYTES,
    circles,
    moons,
    read_csv,
    spiral,
    split_mask,
    train_test_split,
    write_atomically,
    write_csv,
    xor,
)


def sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


# --------------------------------------------------------------- scikit-learn equivalence


@pytest.fixture(scope="module")
def article_data():
    X, y = moons(1000, noise=0.2, seed=100)
    return X, y, train_test_split(X, y, test_size=0.1, seed=42)


def test_article_moons_equal_sklearn_make_moons(article_data):
    X, y, _ = article_data
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.shape == (1000, 2) and y.shape == (1000,)
    assert X[0].tolist() == [2.2490706926908948e-05, 1.0727582480097542]
    assert X[1].tolist() == [-0.05590373765584977, 0.42524128246424875]
    assert X[2].tolist() == [0.0240944878915794, 0.40806580172748075]
    assert X[-1].tolist() == [-0.17592707158273582, 0.5835099357974525]
    assert y[:10].tolist() == [0, 0, 1, 0, 1, 0, 0, 1, 1, 1]
    assert X.sum() == 742.3584275646741
    assert sha256(X) == "533ff2328172e4b1f686cfc5c676d02f8bda0a33e1b79e95e0293d86ea89936a"
    assert sha256(y) == "bea31f331ddfe2cd2a181afd320c38411107e144f2aab62fabcecbb817ad48e5"


def test_article_split_equals_sklearn_train_test_split(article_data):
    _, _, (X_train, X_test, y_train, y_test) = article_data
    assert X_train.shape == (900, 2) and X_test.shape == (100, 2)
    assert X_train[0].tolist() == [-0.8667570680636427, 0.12316669599035793]
    assert X_test[0].tolist() == [2.155220929630234, -0.12400719878895446]
    assert X_test[1].tolist() == [0.4686466199878023, -0.35161567149951845]
    assert y_test[:10].tolist() == [1, 1, 0, 1, 0, 0, 0, 1, 1, 1]
    assert int(y_train.sum()) == 454 and int(y_test.sum()) == 46
    assert X_test.sum() == 82.28175125324503
    assert sha256(X_train) == "7c2ad195e4798a5844bdf5e25435b5a1608c066a9cbda43b25f915bcd1e02902"
    assert sha256(X_test) == "245fdee1b9c8bc43469ca97db707557dda454128b852db1a5173516761ad48da"
    assert sha256(y_train) == "b34083ff7facb4ff2403fa7d196635f8b0041fe9a1ecf391b3da2afe59b0be8a"
    assert sha256(y_test) == "aaf95788bbbe0cff55a58b2d7bc9211d2f6e6aeab9fb9b7a8d6820269163f9b3"


def test_split_indices_equal_sklearn_shuffle_split():
    index = np.arange(1000)
    train, test, _, _ = train_test_split(index, index, test_size=0.1, seed=42)
    assert test[:10].tolist() == [521, 737, 740, 660, 411, 678, 626, 513, 859, 136]
    assert sorted(np.concatenate([train, test]).tolist()) == index.tolist()
    mask = split_mask(1000, 0.1, 42)
    assert np.flatnonzero(mask).tolist() == sorted(test.tolist())


def test_small_moons_and_circles_equal_sklearn():
    X, y = moons(6, noise=0.0, seed=0)  # make_moons(6, noise=0.0, random_state=0)
    assert X.tolist() == [
        [2.0, 0.4999999999999999],
        [-1.0, 1.2246467991473532e-16],
        [6.123233995736766e-17, 1.0],
        [0.0, 0.5],
        [1.0, 0.0],
        [0.9999999999999999, -0.5],
    ]
    assert y.tolist() == [1, 0, 0, 1, 0, 1]
    X, y = circles(8, noise=0.1, seed=3, factor=0.5)  # make_circles(8, ..., random_state=3)
    assert X.tolist() == [
        [-0.17402492095679187, 0.691647132544298],
        [-0.03580950289298596, -0.5222119030911483],
        [0.41935610015136104, 0.044303486794189516],
        [-0.6464564181647301, -0.024112737899031417],
        [-0.011162271732314632, -1.2214468614893046],
        [0.014243909036474744, 1.0221461400170444],
        [0.9926275813621429, 0.03576358384801834],
        [-1.1843564723982973, 0.05024211042550761],
    ]
    assert y.tolist() == [1, 1, 1, 1, 0, 0, 0, 0]


# ------------------------------------------------------------------------- generators


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("n_samples", [2, 3, 101])
def test_generator_shapes_dtypes_and_balanced_classes(name, n_samples):
    X, y = GENERATORS[name](n_samples, noise=0.1, seed=7)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert set(y.tolist()) == {0, 1}
    assert int((y == 0).sum()) == n_samples // 2
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_is_deterministic_for_a_seed(name):
    generate = GENERATORS[name]
    X1, y1 = generate(200, noise=0.1, seed=5)
    X2, y2 = generate(200, noise=0.1, seed=5)
    X3, y3 = generate(200, noise=0.1, seed=6)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_output_is_shuffled_not_sorted_by_class(name):
    _, y = GENERATORS[name](100, noise=0.0, seed=1)
    assert y[:50].tolist() != [0] * 50


def test_generator_names():
    assert list(GENERATORS) == ["moons", "circles", "xor", "gaussians", "spiral"]
    assert all(callable(generate) for generate in GENERATORS.values())


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = moons(200, seed=3)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = circles(100, seed=3, factor=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-12)
    np.testing.assert_allclose(radius[y == 1], 0.3, atol=1e-12)


def test_xor_labels_are_the_sign_of_x_times_y():
    X, y = xor(500, seed=4)
    same_sign = (X[:, 0] > 0) == (X[:, 1] > 0)
    assert np.array_equal(y == 1, same_sign)
    assert np.abs(X).min() >= 0.05 and np.abs(X).max() <= 1.0
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in X}
    assert quadrants == {(True, True), (True, False), (False, True), (False, False)}


def test_xor_noise_jitters_points():
    clean, y_clean = xor(300, noise=0.0, seed=4)
    noisy, y_noisy = xor(300, noise=0.2, seed=4)
    assert np.array_equal(y_clean, y_noisy)
    shift = noisy - clean
    assert 0.15 < shift.std() < 0.25


def test_gaussians_are_two_blobs_whose_spread_grows_with_noise():
    X, y = datasets.gaussians(4000, noise=0.0, seed=1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-1, -1], atol=0.03)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [1, 1], atol=0.03)
    np.testing.assert_allclose(X[y == 1].std(axis=0), [0.3, 0.3], atol=0.03)
    X, y = datasets.gaussians(4000, noise=0.5, seed=1)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [0.8, 0.8], atol=0.05)


def test_spiral_arms_are_point_reflections_of_each_other():
    X, y = spiral(200, seed=2)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.min() == pytest.approx(0.01) and radius.max() == pytest.approx(1.0)
    arm0 = X[y == 0][np.lexsort(X[y == 0].T)]
    arm1 = -X[y == 1][np.lexsort(-X[y == 1].T)]
    np.testing.assert_allclose(arm0, arm1, atol=1e-12)
    assert len(np.unique(X.round(12), axis=0)) == 200  # no point shared by both arms


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_samples": 1}, ValueError, "n_samples must be >= 2, got 1."),
        ({"n_samples": 2.0}, TypeError, "n_samples must be an integer, got 2.0."),
        ({"n_samples": True}, TypeError, "n_samples must be an integer, got True."),
        ({"noise": -0.1}, ValueError, "noise must be >= 0, got -0.1."),
        ({"noise": math.nan}, ValueError, "noise must be finite, got nan."),
        ({"noise": math.inf}, ValueError, "noise must be finite, got inf."),
        ({"noise": "0.1"}, TypeError, "noise must be a number, got '0.1'."),
        ({"seed": -1}, ValueError, "seed must be >= 0, got -1."),
        ({"seed": 2**32}, ValueError, "seed must be < 2**32, got 4294967296."),
        ({"seed": 1.5}, TypeError, "seed must be an integer, got 1.5."),
    ],
)
def test_generator_refuses_bad_arguments(name, kwargs, error, message):
    arguments = {"n_samples": 10, "noise": 0.1, "seed": 0, **kwargs}
    with pytest.raises(error) as caught:
        GENERATORS[name](**arguments)
    assert str(caught.value) == message


@pytest.mark.parametrize("factor", [1.0, -0.1, 2])
def test_circles_refuses_a_factor_outside_0_1(factor):
    with pytest.raises(ValueError) as caught:
        circles(10, factor=factor)
    assert str(caught.value) == f"factor must be in [0, 1), got {float(factor)}."


bad_values = st.one_of(
    st.none(), st.text(max_size=3), st.booleans(), st.lists(st.integers(), max_size=2)
)


@settings(max_examples=60)
@given(
    name=st.sampled_from(sorted(GENERATORS)),
    n_samples=st.one_of(st.integers(max_value=1), st.floats(), bad_values),
)
def test_generators_refuse_any_bad_n_samples(name, n_samples):
    with pytest.raises((TypeError, ValueError), match=r"^n_samples must .*, got .*\.$"):
        GENERATORS[name](n_samples)


@settings(max_examples=60)
@given(
    name=st.sampled_from(sorted(GENERATORS)),
    noise=st.one_of(st.floats(max_value=-1e-300), st.just(math.nan), st.just(math.inf), bad_values),
)
def test_generators_refuse_any_bad_noise(name, noise):
    with pytest.raises((TypeError, ValueError), match=r"^noise must .*, got .*\.$"):
        GENERATORS[name](10, noise=noise)


# ------------------------------------------------------------------------------ split


@pytest.mark.parametrize(
    ("n_samples", "test_size", "n_test"),
    [(1000, 0.1, 100), (10, 0.25, 3), (7, 0.5, 4), (2, 0.5, 1), (5, 0.0, 0), (3, 1e-9, 1)],
)
def test_split_sizes_round_the_test_set_up(n_samples, test_size, n_test):
    X = np.arange(2 * n_samples, dtype=float).reshape(n_samples, 2)
    y = np.arange(n_samples)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=3)
    assert len(X_test) == len(y_test) == n_test
    assert len(X_train) == len(y_train) == n_samples - n_test
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(n_samples))
    assert np.array_equal(X_train[:, 0], 2 * y_train) and np.array_equal(X_test[:, 0], 2 * y_test)
    mask = split_mask(n_samples, test_size, 3)
    assert mask.dtype == np.bool_ and mask.shape == (n_samples,)
    assert np.flatnonzero(mask).tolist() == sorted(y_test.tolist())


def test_split_is_deterministic_and_returns_copies():
    X, y = moons(50, seed=1)
    first = train_test_split(X, y, test_size=0.2, seed=9)
    second = train_test_split(X, y, test_size=0.2, seed=9)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    first[0][:] = 0.0
    assert not (X == 0.0).all()


@pytest.mark.parametrize(
    ("test_size", "error", "message"),
    [
        (1.0, ValueError, "test_size must be in [0, 1), got 1.0."),
        (-0.1, ValueError, "test_size must be in [0, 1), got -0.1."),
        (math.nan, ValueError, "test_size must be finite, got nan."),
        ("0.1", TypeError, "test_size must be a number, got '0.1'."),
        (0.9, ValueError, "test_size must leave at least one training sample of 2, got 0.9."),
    ],
)
def test_split_refuses_bad_test_size(test_size, error, message):
    with pytest.raises(error) as caught:
        train_test_split(np.zeros((2, 2)), np.array([0, 1]), test_size=test_size, seed=0)
    assert str(caught.value) == message
    with pytest.raises(error) as caught:
        split_mask(2, test_size, 0)
    assert str(caught.value) == message


def test_split_refuses_mismatched_rows_and_bad_seed():
    with pytest.raises(ValueError) as caught:
        train_test_split(np.zeros((3, 2)), np.array([0, 1]), seed=0)
    assert (
        str(caught.value)
        == "X and y must have the same number of rows, got shapes (3, 2) and (2,)."
    )
    with pytest.raises(ValueError) as caught:
        train_test_split(np.zeros((2, 2)), np.zeros((2, 1)), seed=0)
    assert str(caught.value) == "y must have shape (n_samples,), got (2, 1)."
    with pytest.raises(ValueError) as caught:
        split_mask(10, 0.1, -3)
    assert str(caught.value) == "seed must be >= 0, got -3."


# ------------------------------------------------------------------------------- CSV


def test_csv_file_content(tmp_path):
    path = tmp_path / "points.csv"
    write_csv(path, np.array([[0.1, -2.0], [1e-300, 3.0]]), np.array([1, 0]))
    assert path.read_bytes() == b"x,y,label\n0.1,-2.0,1\n1e-300,3.0,0\n"


def test_csv_round_trip_is_exact_for_awkward_floats(tmp_path):
    X = np.array(
        [
            [1 / 3, -0.0],
            [5e-324, 1.7976931348623157e308],
            [np.float32(0.1), -2.5e-8],
            [np.nextafter(1.0, 2.0), -123456789.123456789],
        ]
    )
    y = np.array([0, 1, 1, 0])
    path = tmp_path / "awkward.csv"
    write_csv(path, X, y)
    X_back, y_back = read_csv(path)
    assert X_back.dtype == np.float64 and y_back.dtype == np.int64
    assert X_back.tobytes() == X.tobytes()  # bit for bit, the sign of -0.0 included
    assert y_back.tolist() == [0, 1, 1, 0]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.floats(allow_nan=False, allow_infinity=False),
            st.floats(allow_nan=False, allow_infinity=False),
            st.integers(0, 1),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_csv_round_trip_property(tmp_path, rows):
    X = np.array([[a, b] for a, b, _ in rows])
    y = np.array([label for _, _, label in rows])
    write_csv(tmp_path / "p.csv", X, y)
    X_back, y_back = read_csv(tmp_path / "p.csv")
    assert X_back.tobytes() == X.tobytes() and y_back.tolist() == y.tolist()


def test_csv_float32_points_come_back_as_their_exact_value(tmp_path):
    X = np.array([[0.1, 0.7]], dtype=np.float32)
    write_csv(tmp_path / "f.csv", X, [1])
    X_back, _ = read_csv(tmp_path / "f.csv")
    assert X_back.tolist() == X.astype(np.float64).tolist()


def test_read_csv_tolerates_whitespace_crlf_bom_and_blank_lines(tmp_path):
    path = tmp_path / "loose.csv"
    path.write_bytes(b"\xef\xbb\xbf  x , y ,label \r\n 1.5, -2 ,1\r\n\r\n3e2,4, 0.0 \r\n\n")
    X, y = read_csv(path)
    assert X.tolist() == [[1.5, -2.0], [300.0, 4.0]]
    assert y.tolist() == [1, 0]
    path.write_text("x,y,label\n1,2,1")  # no final newline
    assert read_csv(path)[1].tolist() == [1]


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("1.0,2.0,3", "label must be 0 or 1, got 3."),
        ("1.0,2.0,0.5", "label must be 0 or 1, got 0.5."),
        ("1.0,2.0,a", "label must be 0 or 1, got 'a'."),
        ("1.0,2.0,", "label must be 0 or 1, got ''."),
        ("1.0,abc,1", "y must be a number, got 'abc'."),
        ("nan,2.0,1", "x must be finite, got 'nan'."),
        ("1.0,-inf,1", "y must be finite, got '-inf'."),
        ("1.0,2.0", "a row must have 3 fields (x,y,label), got 2: '1.0,2.0'."),
        ("1.0,2.0,1,7", "a row must have 3 fields (x,y,label), got 4: '1.0,2.0,1,7'."),
    ],
)
def test_read_csv_names_the_file_and_line_of_a_bad_row(tmp_path, bad_row, problem):
    good = "".join(f"{i}.5,{i},{i % 2}\n" for i in range(5))
    path = tmp_path / "points.csv"
    path.write_text("x,y,label\n" + good + "\n" + bad_row + "\n0,0,0\n")
    with pytest.raises(ValueError) as caught:
        read_csv(path)
    assert str(caught.value) == f"points.csv line 8: {problem}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.csv must start with the header 'x,y,label', got an empty file."),
        (b" \n\r\n", "empty.csv must start with the header 'x,y,label', got an empty file."),
        (b"x,y,label\n", "empty.csv must have at least one data row after the header, got none."),
        (b"1.0,2.0,1\n", "empty.csv line 1: the header must be 'x,y,label', got '1.0,2.0,1'."),
        (b"x,y\n1,2\n", "empty.csv line 1: the header must be 'x,y,label', got 'x,y'."),
        (
            b"x,y,label\n\xff\xfe,1,1\n",
            "empty.csv must be UTF-8 text, got a non-UTF-8 byte at offset 10.",
        ),
    ],
)
def test_read_csv_refuses_files_without_header_or_rows(tmp_path, content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError) as caught:
        read_csv(path)
    assert str(caught.value) == message


def test_read_csv_shortens_a_huge_bad_field_in_its_message(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("x,y,label\n1,2,0\n1," + "7e" * 5_000_000 + ",1\n")
    with pytest.raises(ValueError) as caught:
        read_csv(path)
    assert str(caught.value) == f"huge.csv line 3: y must be a number, got '{'7e' * 20}'…."
    path.write_text("x" * 10_000_000 + "\n1,2,0\n")
    with pytest.raises(ValueError) as caught:
        read_csv(path)
    assert str(caught.value) == (
        f"huge.csv line 1: the header must be 'x,y,label', got '{'x' * 40}'…."
    )
    path.write_text("x,y,label\n1,2," + "1" * 5_000 + "\n")
    with pytest.raises(ValueError) as caught:
        read_csv(path)
    assert str(caught.value) == f"huge.csv line 2: label must be 0 or 1, got {'1' * 39}…."


def test_read_csv_refuses_what_is_not_a_regular_file_or_too_large(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")  # reading it would block
    with pytest.raises(ValueError) as caught:
        read_csv(tmp_path / "pipe.csv")
    assert str(caught.value) == "pipe.csv is not a regular file."
    with pytest.raises(ValueError) as caught:
        read_csv("/dev/zero")
    assert str(caught.value) == "zero is not a regular file."
    with open(tmp_path / "big.csv", "wb") as file:
        file.truncate(MAX_CSV_BYTES + 1)  # sparse: nothing is written
    assert MAX_CSV_BYTES == 64 * 2**20
    with pytest.raises(ValueError) as caught:
        read_csv(tmp_path / "big.csv")
    assert str(caught.value) == (
        "big.csv is too large: 67,108,865 bytes, the limit is 67,108,864 bytes."
    )


def many_rows(n_rows: int) -> list[str]:
    X, y = moons(n_rows, noise=0.3, seed=3)
    return [f"{a!r},{b!r},{label}" for (a, b), label in zip(X.tolist(), y.tolist(), strict=True)]


def test_read_csv_is_exact_over_many_blocks_of_rows(tmp_path):
    X, y = moons(200_003, noise=0.3, seed=3)
    write_csv(tmp_path / "many.csv", X, y)
    X_back, y_back = read_csv(tmp_path / "many.csv")
    assert X_back.tobytes() == X.tobytes() and y_back.tolist() == y.tolist()
    assert X_back.flags.c_contiguous and X_back.shape == (200_003, 2)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({150_000: "1,2", 160_000: "x,1,0"}, "a row must have 3 fields (x,y,label), got 2: '1,2'."),
        ({150_000: "1,q,0", 160_000: "1,2"}, "y must be a number, got 'q'."),
        ({150_000: "1e999,0,0", 160_000: "q,0,0"}, "x must be finite, got '1e999'."),
        ({150_000: "1,2,2", 160_000: "1,2,3,4"}, "label must be 0 or 1, got 2."),
        ({150_000: "1,2,1_0", 10: "1,inf,0"}, "y must be finite, got 'inf'."),
    ],
    ids=["width first", "number first", "finite first", "label first", "earlier wins"],
)
def test_read_csv_reports_the_first_bad_row_of_a_large_file_by_its_line(tmp_path, bad, problem):
    rows = many_rows(200_000)
    for index, row in bad.items():
        rows[index] = row
    first = min(bad)
    # blank lines (one every 1000 rows) and Windows line ends must not shift the numbering
    lines = ["x,y,label"]
    for index, row in enumerate(rows):
        if index % 1000 == 999:
            lines.append("   ")
        lines.append(row)
    number = 1 + first + 1 + (first + 1) // 1000
    (tmp_path / "bad.csv").write_bytes("\r\n".join(lines).encode())
    with pytest.raises(ValueError) as caught:
        read_csv(tmp_path / "bad.csv")
    assert str(caught.value) == f"bad.csv line {number}: {problem}"


def test_read_csv_of_a_large_file_names_a_late_bad_byte_by_its_offset(tmp_path):
    # the file is decoded in blocks (a background reader must let the GUI thread run): the
    # offset is still the byte's in the whole file, the byte-order mark counted
    text = "\n".join(["x,y,label", *many_rows(100_000)]).encode()
    offset = 3 * len(text) // 4
    data = b"\xef\xbb\xbf" + text[:offset] + b"\xff" + text[offset:]
    (tmp_path / "late.csv").write_bytes(data)
    with pytest.raises(ValueError) as caught:
        read_csv(tmp_path / "late.csv")
    assert str(caught.value) == (
        f"late.csv must be UTF-8 text, got a non-UTF-8 byte at offset {offset + 3}."
    )


def test_read_csv_with_old_mac_line_ends_over_many_blocks_keeps_every_row(tmp_path):
    rows = many_rows(100_000)
    (tmp_path / "mac.csv").write_bytes("\r".join(["x,y,label", *rows, ""]).encode())
    X, y = read_csv(tmp_path / "mac.csv")
    assert len(X) == 100_000
    back = zip(X.tolist(), y.tolist(), strict=True)
    assert [f"{a!r},{b!r},{label}" for (a, b), label in back] == rows


def test_read_csv_missing_file_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_csv(tmp_path / "nothing.csv")


def test_write_csv_refuses_bad_points_and_leaves_the_old_file(tmp_path):
    path = tmp_path / "keep.csv"
    path.write_text("x,y,label\n1,2,1\n")
    cases = [
        (np.array([[np.nan, 1.0]]), [0], "X must be finite, got NaN or inf values."),
        (np.zeros((2, 3)), [0, 1], "X must have shape (n_samples, 2), got (2, 3)."),
        (np.zeros((0, 2)), [], "X must hold at least one sample, got 0."),
        (np.zeros((2, 2)), [0, 2], "y must hold only labels 0 and 1, got "),
        (np.zeros((2, 2)), [0], "y must have 2 labels (one per sample), got 1."),
    ]
    for X, y, message in cases:
        with pytest.raises(ValueError) as caught:
            write_csv(path, X, y)
        assert str(caught.value).startswith(message)
    assert path.read_text() == "x,y,label\n1,2,1\n"
    assert os.listdir(tmp_path) == ["keep.csv"]


def test_write_atomically_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old")

    def fail_halfway(file):
        file.write(b"half of the new")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(path, fail_halfway)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["model.bin"]
    write_atomically(path, lambda file: file.write(b"new"))
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["model.bin"]


def test_write_atomically_into_a_missing_directory_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_csv(tmp_path / "missing" / "p.csv", np.zeros((1, 2)), [0])
    assert os.listdir(tmp_path) == []


def test_written_file_gets_normal_permissions(tmp_path):
    path = tmp_path / "perm.csv"
    write_csv(path, np.zeros((1, 2)), [1])
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
