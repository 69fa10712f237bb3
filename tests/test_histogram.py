"""Histogram: every input form, the binning rules, bad inputs and round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from arraylikes import FakeTensor, HasArray
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import richtypes
from richtypes import FormatError, Histogram, ValidationError
from richtypes.histogram import MAX_BINS

VALUES = np.array([0.5, 1.5, 1.5, 2.5, 3.0], dtype=np.float64)


@pytest.mark.parametrize(
    "form",
    [
        VALUES,
        VALUES.tolist(),
        tuple(VALUES.tolist()),
        VALUES.astype(np.float32),
        VALUES.reshape(5, 1),
        FakeTensor(VALUES),
        HasArray(VALUES),
    ],
    ids=["ndarray", "list", "tuple", "float32", "2d", "tensor-like", "__array__"],
)
def test_every_value_form_gives_the_same_histogram(form) -> None:
    h = Histogram(form, num_bins=5)
    assert h == Histogram(VALUES, num_bins=5)
    assert h.counts.tolist() == [1, 0, 2, 0, 2]
    np.testing.assert_allclose(h.edges, np.linspace(0.5, 3.0, 6))


@pytest.mark.parametrize(
    "dtype", [np.int8, np.uint16, np.int64, np.float16, np.float32, np.float64, np.bool_]
)
def test_real_and_bool_dtypes_are_binned(dtype) -> None:
    arr = (np.arange(100) % 7).astype(dtype)
    h = Histogram(arr, num_bins=4)
    assert h.counts.sum() == 100 and h.counts.dtype == np.int64


def test_counts_agree_with_the_edges_like_searchsorted() -> None:
    arr = np.random.default_rng(1).standard_normal(300_000).astype(np.float32)
    h = Histogram(arr, num_bins=100)
    idx = np.clip(np.searchsorted(h.edges, arr.astype(np.float64), side="right") - 1, 0, 99)
    np.testing.assert_array_equal(h.counts, np.bincount(idx, minlength=100))


def test_same_bins_as_numpy_for_float64() -> None:
    arr = np.random.default_rng(2).random(10_000)
    counts, edges = np.histogram(arr, bins=64)
    h = Histogram(arr)
    np.testing.assert_array_equal(h.edges, edges)
    np.testing.assert_array_equal(h.counts, counts)


def test_nonfinite_values_are_counted_not_binned() -> None:
    h = Histogram([1.0, np.nan, np.inf, -np.inf, np.inf, 2.0], num_bins=2)
    assert (h.nan_count, h.posinf_count, h.neginf_count, h.nonfinite_count) == (1, 2, 1, 4)
    assert h.counts.tolist() == [1, 1]


def test_all_nonfinite_and_empty_inputs_give_empty_bins_on_unit_range() -> None:
    for values in ([np.nan, np.nan], []):
        h = Histogram(values, num_bins=4)
        assert h.counts.tolist() == [0, 0, 0, 0]
        assert h.edges.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert Histogram([np.nan, np.nan]).nan_count == 2


def test_a_single_distinct_value_gets_a_unit_wide_range() -> None:
    h = Histogram([3, 3, 3], num_bins=2)
    assert h.edges.tolist() == [2.5, 3.0, 3.5] and h.counts.tolist() == [0, 3]


def test_positional_np_histogram_tuple_is_recognised_as_prebinned() -> None:
    grads = np.random.default_rng(3).random(1000)
    result = np.histogram(grads, density=True, range=(0.0, 1.0))
    h = Histogram(result)
    assert h.counts.dtype == np.float64 and h.num_bins == 10
    np.testing.assert_array_equal(h.counts, result[0])
    assert h == Histogram(np_histogram=result)


def test_a_two_tuple_that_is_not_a_histogram_is_values() -> None:
    assert Histogram((1.0, 2.0), num_bins=1).counts.tolist() == [2]


def test_max_bins_is_allowed() -> None:
    assert Histogram(np.arange(MAX_BINS * 2), num_bins=MAX_BINS).num_bins == MAX_BINS


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"sequence": [1.0], "num_bins": MAX_BINS + 1},
            rf"^\$\.num_bins: must be between 1 and {MAX_BINS}, got {MAX_BINS + 1}$",
        ),
        ({"sequence": [1.0], "num_bins": 0}, r"^\$\.num_bins: must be between 1 and 8192, got 0$"),
        ({"sequence": [1.0], "num_bins": 2.5}, r"^\$\.num_bins: must be an integer, got 2\.5$"),
        ({"sequence": [1.0], "num_bins": True}, r"^\$\.num_bins: must be an integer, got True$"),
        (
            {"sequence": ["a", "b"]},
            r"^\$\.sequence: must hold real numbers or booleans, got dtype <U1$",
        ),
        (
            {"sequence": [1 + 2j]},
            r"^\$\.sequence: must hold real numbers or booleans, got dtype complex128$",
        ),
        ({"sequence": [[1, 2], [3]]}, r"^\$\.sequence: expected an array of numbers \(a ragged"),
        (
            {"np_histogram": ([1, 2], [0.0, 1.0, 0.5])},
            r"^\$\.np_histogram\.edges\[2\]: must be greater than the previous edge \(1\.0\), got 0\.5$",
        ),
        (
            {"np_histogram": ([1, 2], [0.0, 1.0, 1.0])},
            r"^\$\.np_histogram\.edges\[2\]: must be greater than the previous edge \(1\.0\), got 1\.0$",
        ),
        (
            {"np_histogram": ([1, 2], [0.0, np.nan, 2.0])},
            r"^\$\.np_histogram\.edges\[1\]: must be finite, got nan$",
        ),
        (
            {"np_histogram": ([1, -2], [0.0, 1.0, 2.0])},
            r"^\$\.np_histogram\.counts\[1\]: must be finite and >= 0, got -2$",
        ),
        (
            {"np_histogram": ([1.0, np.inf], [0.0, 1.0, 2.0])},
            r"^\$\.np_histogram\.counts\[1\]: must be finite and >= 0, got inf$",
        ),
        (
            {"np_histogram": ([1, 2], [0.0, 1.0])},
            r"^\$\.np_histogram\.edges: must have len\(counts\) \+ 1 = 3 edges, got 2$",
        ),
        (
            {"np_histogram": ([[1, 2]], [0.0, 1.0])},
            r"^\$\.np_histogram\.counts: must be 1-D, got shape \(1, 2\)$",
        ),
        (
            {"np_histogram": ([], [0.0])},
            r"^\$\.np_histogram\.counts: must have 1 to 8192 bins, got 0$",
        ),
        (
            {"np_histogram": [1, 2, 3]},
            r"^\$\.np_histogram: must be a \(counts, edges\) pair, got \[1, 2, 3\]$",
        ),
        (
            {"sequence": [1.0], "np_histogram": ([1], [0, 1])},
            r"^\$\.np_histogram: give either sequence or np_histogram, not both$",
        ),
        (
            {},
            r"^\$: give the values to bin \(sequence\) or a \(counts, edges\) pair \(np_histogram\)$",
        ),
    ],
)
def test_bad_inputs_give_a_validation_error_with_path(kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        Histogram(**kwargs)
    assert info.value.path_str == str(info.value).split(":")[0]


def test_validation_error_exposes_path_and_value() -> None:
    with pytest.raises(ValidationError) as info:
        Histogram(np_histogram=([1, -2], [0.0, 1.0, 2.0]))
    assert info.value.path == ("np_histogram", "counts", 1)
    assert info.value.value == -2
    assert isinstance(info.value, ValueError)


def test_round_trip_keeps_counts_edges_and_nonfinite_counts(roundtrip) -> None:
    h = Histogram([1.0, np.nan, -np.inf, 5.0, 2.5], num_bins=3)
    doc, back = roundtrip(h)
    assert doc["nan_count"] == 1 and doc["neginf_count"] == 1 and doc["count_type"] == "int"
    assert back.counts.dtype == np.int64 and back.nan_count == 1


def test_round_trip_of_float_counts(roundtrip) -> None:
    _, back = roundtrip(Histogram(np.histogram([0.1, 0.2, 0.9], bins=3, density=True)))
    assert back.counts.dtype == np.float64


@pytest.mark.parametrize(
    "change, message",
    [
        ({"counts": "x"}, r"^\$\.counts: must be list, got str$"),
        ({"count_type": "complex"}, r"^\$\.count_type: must be 'int' or 'float', got 'complex'$"),
        ({"counts": [1, "a"]}, r"^\$\.counts\[1\]: must be an integer, got 'a'$"),
        ({"counts": [1, 1.5]}, r"^\$\.counts\[1\]: must be an integer, got 1\.5$"),
        ({"counts": [1, True]}, r"^\$\.counts\[1\]: must be an integer, got True$"),
        ({"counts": [1, 2**70]}, r"^\$\.counts: must fit a 64-bit integer$"),
        ({"edges": [0, None, 2]}, r"^\$\.edges\[1\]: must be a number, got None$"),
        (
            {"edges": [2, 1, 0]},
            r"^\$\.edges\[1\]: must be greater than the previous edge \(2\.0\), got 1\.0$",
        ),
        ({"counts": [1, -1]}, r"^\$\.counts\[1\]: must be finite and >= 0, got -1$"),
        ({"counts": [1] * 9000}, r"^\$\.counts: must have at most 8192 bins, got 9000$"),
        ({"nan_count": -1}, r"^\$\.nan_count: must be >= 0, got -1$"),
        ({"nan_count": 1.5}, r"^\$\.nan_count: must be int, got float$"),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(Histogram([1.0, 2.0], num_bins=2), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_missing_field_is_a_format_error(tmp_path: Path) -> None:
    doc = richtypes.dump(Histogram([1.0, 2.0]), tmp_path)
    del doc["edges"]
    with pytest.raises(FormatError, match="histogram: missing field 'edges'"):
        richtypes.load(doc, tmp_path)


def test_repr_is_short_and_informative() -> None:
    assert (
        repr(Histogram([1.0, 3.0, np.nan], num_bins=2))
        == "Histogram(num_bins=2, range=(1, 3), total=2, nonfinite=1)"
    )


finite_or_not = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.floats(min_value=-1e6, max_value=1e6, width=32),
)


@settings(max_examples=60, deadline=None)
@given(
    values=hnp.arrays(np.float32, st.integers(0, 300), elements=finite_or_not),
    num_bins=st.integers(1, 50),
)
def test_property_binning_loses_nothing_and_round_trips(tmp_path_factory, values, num_bins) -> None:
    h = Histogram(values, num_bins=num_bins)
    finite = values[np.isfinite(values)]
    assert h.counts.sum() == finite.size
    assert h.nonfinite_count == values.size - finite.size
    assert np.all(np.diff(h.edges) > 0)
    if finite.size:
        idx = np.clip(
            np.searchsorted(h.edges, finite.astype(np.float64), side="right") - 1, 0, num_bins - 1
        )
        np.testing.assert_array_equal(h.counts, np.bincount(idx, minlength=num_bins))
    root = tmp_path_factory.mktemp("h")
    assert richtypes.load(richtypes.dump(h, root), root) == h


@settings(max_examples=40, deadline=None)
@given(
    counts=hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(0, 1e12)),
    start=st.floats(-1e6, 1e6),
)
def test_property_prebinned_round_trip(tmp_path_factory, counts, start) -> None:
    edges = start + np.arange(counts.size + 1, dtype=np.float64)
    h = Histogram(np_histogram=(counts, edges))
    root = tmp_path_factory.mktemp("p")
    assert richtypes.load(richtypes.dump(h, root), root) == h


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_binning_split_across_cores_counts_exactly_as_one_thread(monkeypatch, dtype) -> None:
    """Above the parallel threshold the parts are counted on the leaf pool and summed: same counts."""
    from richtypes import histogram as H

    n = H._PARALLEL_VALUES + 3 * H._BLOCK + 7  # parts that do not end on a block
    values = (np.random.default_rng(3).standard_normal(n) * 1000).astype(dtype)
    split = Histogram(values, num_bins=64)
    monkeypatch.setattr(H, "leaf_pool", lambda: None)  # one core: the serial loop
    serial = Histogram(values, num_bins=64)
    assert np.array_equal(split.counts, serial.counts)
    expected, _ = np.histogram(values, bins=split.edges)
    assert np.array_equal(split.counts, expected)
    assert split.counts.sum() == n
