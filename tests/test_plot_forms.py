"""Chart inputs in the reference tracker's forms (issue 13): categorical x, interp_size, probs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import ValidationError, plot
from richtypes.plot.metrics import pr_points


def _round_trip(chart, tmp_path: Path):
    back = richtypes.load(richtypes.dump(chart, tmp_path), tmp_path)
    assert back == chart
    return back


# ------------------------------------------------------------ categorical x
def test_line_series_with_string_x_is_a_categorical_axis_in_the_given_order(tmp_path: Path) -> None:
    chart = plot.line_series(
        ["mon", "tue", "wed"], [[1.0, 2.0, 3.0], [2.0, 3.0, 1.0]], keys=["a", "b"]
    )
    assert chart.table.column_types == {"x": "str", "key": "str", "y": "float"}
    assert chart.table.get_column("x") == ["mon", "tue", "wed"] * 2
    assert chart.spec["encoding"]["x"] == {
        "field": "x",
        "type": "ordinal",
        "title": "x",
        "sort": None,
    }
    _round_trip(chart, tmp_path)
    per_series = plot.line_series([["a", "b"], ["b", "c", "d"]], [[1, 2], [3, 4, 5]])
    assert per_series.table.get_column("x") == ["a", "b", "b", "c", "d"]


@pytest.mark.parametrize(
    "xs, message",
    [
        (["a", 1], "$.xs[1]: must be a string like xs[0], got 1"),
        ([["a", "b"], [0, 1]], "$.xs[1]: must be strings like xs[0]"),
        ([[0, 1], ["a", "b"]], "$.xs[1]: must be numbers like xs[0]"),
    ],
)
def test_line_series_x_kinds_do_not_mix(xs, message) -> None:
    with pytest.raises(ValidationError) as err:
        plot.line_series(xs, [[1.0, 2.0], [3.0, 4.0]])
    assert str(err.value) == message


# ------------------------------------------------------------- interp_size
def _interpolated(recall: np.ndarray, precision: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The definition, point by point: the best precision at any recall >= r."""
    return np.array([precision[recall >= r].max() for r in grid])


def test_pr_curve_interp_size_gives_the_interpolated_precision(tmp_path: Path) -> None:
    truth = [0, 1, 1, 0, 1, 0]
    scores = [0.9, 0.8, 0.4, 0.35, 0.3, 0.1]  # class 1's probability
    chart = plot.pr_curve(truth, scores, interp_size=5)
    assert chart.table.get_column("recall") == [0.0, 0.25, 0.5, 0.75, 1.0]
    # ranked: 0.9 (neg) 0.8 (pos) 0.4 (pos) 0.35 (neg) 0.3 (pos): P/R = 0/0, 1/2 @1/3, 2/3 @2/3, 2/4, 3/5 @1
    assert chart.table.get_column("precision") == [1.0, 2 / 3, 2 / 3, 3 / 5, 3 / 5]
    assert set(chart.table.get_column("class")) == {"1"}
    _round_trip(chart, tmp_path)


@given(
    st.integers(2, 4),
    st.integers(1, 60),
    st.integers(2, 30),
    st.integers(0, 2**32 - 1),
)
@example(3, 37, 12, 0)  # a grid recall equal to a curve's: compared exactly, per class
@settings(deadline=None, max_examples=60)
def test_interp_size_matches_the_definition_for_every_class(k, n, size, seed) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    probas = rng.dirichlet(np.ones(k), n).round(2)  # ties included
    chart = plot.pr_curve(truth, probas, interp_size=size)
    cls, recall, precision = pr_points(truth, probas)
    grid = np.linspace(0, 1, size)
    got_cls = np.array(chart.table.get_column("class"))
    got = np.array(chart.table.get_column("precision"))
    for c in np.unique(cls):
        mine = cls == c
        want = _interpolated(recall[mine], precision[mine], grid)
        assert np.allclose(got[got_cls == str(c)], want)


@pytest.mark.parametrize("size", [1, 0, 1001, 2.5, True])
def test_interp_size_bounds(size) -> None:
    with pytest.raises(ValidationError) as err:
        plot.pr_curve([0, 1], [0.2, 0.8], interp_size=size)
    assert str(err.value).startswith("$.interp_size: must be an integer in 2..1000, got ")


# ------------------------------------------------------------------- probs
def test_confusion_matrix_probs_is_argmax_of_the_probabilities(tmp_path: Path) -> None:
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    chart = plot.confusion_matrix([0, 1, 1], probs=probs, class_names=["cat", "dog"])
    assert chart == plot.confusion_matrix([0, 1, 1], [0, 1, 0], class_names=["cat", "dog"])
    assert chart.table.get_column("nPredictions") == [1, 0, 1, 1]
    _round_trip(chart, tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "$.preds: give either preds or probs"),
        (
            {"preds": [0, 1], "probs": [[1.0, 0.0], [0.0, 1.0]]},
            "$.preds: give either preds or probs",
        ),
        ({"probs": [0.2, 0.8]}, "$.probs: must be 2-D (samples, classes), got shape (2,)"),
        (
            {"probs": [[0.2, 0.8], [0.5, 0.5]], "class_names": ["a", "b", "c"]},
            "$.probs: must have one column per class name (3), got 2",
        ),
        ({"probs": [[0.2, np.nan], [0.5, 0.5]]}, "$.probs[0][1]: must be finite, got nan"),
    ],
)
def test_confusion_matrix_probs_errors(kwargs, message) -> None:
    with pytest.raises(ValidationError) as err:
        plot.confusion_matrix([0, 1], **kwargs)
    assert str(err.value) == message
