"""PR, ROC and confusion computations against slow reference loops; the down-sampling cap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from richtypes import ValidationError
from richtypes.plot.metrics import (
    MAX_POINTS,
    check_labels,
    check_scores,
    class_names,
    confusion_counts,
    downsample,
    pr_points,
    roc_points,
)


def reference_curves(y_true: np.ndarray, scores: np.ndarray, kind: str) -> dict[int, np.ndarray]:
    """One loop per class and per threshold: the definition, written plainly."""
    curves = {}
    for c in range(scores.shape[1]):
        pos = y_true == c
        if not pos.any() or (kind == "roc" and pos.all()):
            continue
        points = [(0.0, 1.0)] if kind == "pr" else [(0.0, 0.0)]
        for threshold in sorted(set(scores[:, c].tolist()), reverse=True):
            pred = scores[:, c] >= threshold
            tp = int(np.sum(pred & pos))
            fp = int(np.sum(pred & ~pos))
            if kind == "pr":
                points.append((tp / pos.sum(), tp / (tp + fp)))
            else:
                points.append((fp / (~pos).sum(), tp / pos.sum()))
        curves[c] = np.array(points)
    return curves


def split(cls: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict[int, np.ndarray]:
    return {int(c): np.column_stack([x[cls == c], y[cls == c]]) for c in np.unique(cls)}


def assert_same_curves(got: dict[int, np.ndarray], want: dict[int, np.ndarray]) -> None:
    assert got.keys() == want.keys()
    for c in want:
        np.testing.assert_allclose(got[c], want[c], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind, compute", [("pr", pr_points), ("roc", roc_points)])
def test_curves_match_the_reference_with_ties(kind, compute) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 80)
    scores = np.round(rng.random((80, 3)), 1)  # many tied scores
    assert_same_curves(split(*compute(y, scores)), reference_curves(y, scores, kind))


def test_known_binary_values() -> None:
    y = np.array([0, 0, 1, 1])
    scores = check_scores([0.1, 0.4, 0.35, 0.8], 4, ("y_probas",))
    cls, fpr, tpr = roc_points(y, scores)
    positive = cls == 1
    assert fpr[positive].tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]
    assert tpr[positive].tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    cls, recall, precision = pr_points(y, scores)
    positive = cls == 1
    assert recall[positive].tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    assert precision[positive].tolist() == [1.0, 1.0, 0.5, 2 / 3, 0.5]


def test_classes_without_positives_or_negatives_are_left_out() -> None:
    y = np.array([0, 0, 0])
    scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]])
    assert set(pr_points(y, scores)[0].tolist()) == {0}
    assert roc_points(y, scores)[0].size == 0


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 40),
    k=st.integers(2, 4),
    seed=st.integers(0, 2**32 - 1),
    decimals=st.integers(0, 3),
)
def test_property_curves_match_the_reference(n, k, seed, decimals) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    scores = np.round(rng.random((n, k)), decimals)
    assert_same_curves(split(*pr_points(y, scores)), reference_curves(y, scores, "pr"))
    assert_same_curves(split(*roc_points(y, scores)), reference_curves(y, scores, "roc"))


def test_confusion_counts_match_a_loop() -> None:
    rng = np.random.default_rng(1)
    y, p = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    want = np.zeros((4, 4), np.int64)
    for t, q in zip(y, p):
        want[t, q] += 1
    np.testing.assert_array_equal(confusion_counts(y, p, 4), want)


# ----------------------------------------------------------------- downsampling
def test_downsample_caps_each_curve_and_keeps_its_end_points() -> None:
    sizes = [5000, 10, 1001, 3000]
    groups = np.repeat(np.arange(4), sizes)
    x = np.concatenate([np.linspace(0, 1, s) for s in sizes])
    y = np.sqrt(x)
    kept = downsample(groups, x, y)
    per_curve = np.bincount(groups[kept], minlength=4)
    assert per_curve.max() <= MAX_POINTS
    assert per_curve[1] == 10  # a curve within the cap is kept whole
    assert per_curve[0] > MAX_POINTS * 0.8  # and a long one still gets most of its budget
    starts = np.cumsum([0] + sizes[:-1])
    ends = np.cumsum(sizes) - 1
    assert set(starts) <= set(kept.tolist()) and set(ends) <= set(kept.tolist())
    assert np.all(np.diff(kept) > 0)  # drawing order kept


def test_downsample_keeps_everything_when_within_the_cap() -> None:
    groups = np.repeat([0, 1], [3, 4])
    np.testing.assert_array_equal(downsample(groups, np.arange(7.0), np.arange(7.0)), np.arange(7))
    assert downsample(np.zeros(0, int), np.zeros(0), np.zeros(0)).size == 0


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 300), min_size=1, max_size=5),
    cap=st.integers(2, 50),
    seed=st.integers(0, 1000),
)
def test_property_downsample_bounds_endpoints_and_order(sizes, cap, seed) -> None:
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    x = np.cumsum(rng.random(groups.size))
    y = rng.random(groups.size)
    kept = downsample(groups, x, y, cap)
    per_curve = np.bincount(groups[kept], minlength=len(sizes))
    sizes_arr = np.array(sizes)
    assert np.all(per_curve <= cap)
    assert np.all(per_curve[sizes_arr <= cap] == sizes_arr[sizes_arr <= cap])
    ends = np.cumsum(sizes)
    for start, end in zip(ends - np.array(sizes), ends):
        assert start in kept and end - 1 in kept
    assert np.all(np.diff(kept) > 0)


# ------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "values, classes, message",
    [
        ([0, 3, 1], 3, r"^\$\.y_true\[1\]: must be a class index in 0\.\.2, got 3$"),
        ([0, -1], None, r"^\$\.y_true\[1\]: must be >= 0, got -1$"),
        ([0.0, 1.5], 3, r"^\$\.y_true\[1\]: must be an integer class index, got 1\.5$"),
        ([0.0, np.nan], 3, r"^\$\.y_true\[1\]: must be an integer class index, got nan$"),
        (["a", "b"], 3, r"^\$\.y_true: must hold integer class indices, got dtype <U1$"),
        ([[0, 1]], 3, r"^\$\.y_true: must be 1-D, got shape \(1, 2\)$"),
    ],
)
def test_bad_labels(values, classes, message) -> None:
    with pytest.raises(ValidationError, match=message):
        check_labels(values, ("y_true",), classes)


def test_labels_accept_bools_and_integral_floats() -> None:
    assert check_labels([True, False], ("y",), 2).tolist() == [1, 0]
    assert check_labels(np.array([2.0, 0.0]), ("y",), 3).dtype == np.int64


@pytest.mark.parametrize(
    "values, message",
    [
        (
            [[0.5, 0.5], [0.2, 1.2]],
            r"^\$\.y_probas\[1\]\[1\]: must be a finite probability in \[0, 1\], got 1\.2$",
        ),
        (
            [[0.5, np.nan], [0.2, 0.8]],
            r"^\$\.y_probas\[0\]\[1\]: must be a finite probability in \[0, 1\], got nan$",
        ),
        ([0.5, -0.1], r"^\$\.y_probas\[1\]: must be a finite probability in \[0, 1\], got -0\.1$"),
        ([[0.5], [0.5]], r"^\$\.y_probas: must have at least 2 class columns, got 1$"),
        ([[0.5, 0.5]], r"^\$\.y_probas: must have one row per sample \(2\), got 1$"),
        (
            np.zeros((2, 2, 2)),
            r"^\$\.y_probas: must be 1-D \(binary\) or 2-D \(samples, classes\), got shape \(2, 2, 2\)$",
        ),
        ([["a", "b"], ["c", "d"]], r"^\$\.y_probas: must hold real numbers, got dtype <U1$"),
    ],
)
def test_bad_scores(values, message) -> None:
    with pytest.raises(ValidationError, match=message):
        check_scores(values, 2, ("y_probas",))


def test_class_names() -> None:
    assert class_names(None, 3, ("labels",)) == ["0", "1", "2"]
    assert class_names(("cat", 7), 2, ("labels",)) == ["cat", "7"]
    with pytest.raises(
        ValidationError, match=r"^\$\.labels: must name each of the 3 classes, got 2 names$"
    ):
        class_names(["a", "b"], 3, ("labels",))
    with pytest.raises(
        ValidationError,
        match=r"^\$\.labels\[2\]: duplicate class name \(also at index 0\), got 'a'$",
    ):
        class_names(["a", "b", "a"], 3, ("labels",))
    with pytest.raises(
        ValidationError, match=r"^\$\.labels: must be a sequence of class names, got 'abc'$"
    ):
        class_names("abc", 3, ("labels",))
