"""Chart presets: functions that build a :class:`~richtypes.plot.Chart` (a Table plus a Vega-Lite v5 spec).

Each preset (:func:`line`, :func:`scatter`, :func:`bar`, :func:`histogram`,
:func:`line_series`, :func:`pr_curve`, :func:`roc_curve`,
:func:`confusion_matrix`) checks its field names against the table's columns
and returns a :class:`Chart` (see :mod:`richtypes.plot.chart`).

PR and ROC curves are computed vectorized (one sort of the score matrix, then
cumulative sums) and down-sampled to at most :data:`MAX_POINTS` points per
class, always keeping each curve's first and last point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core.coerce import ArrayLike
from ..core.errors import ValidationError
from ..table.table import Table
from . import vega
from .chart import Chart, TableLike, _as_table, charts_html
from .inputs import confusion_inputs, curve_columns, series_columns
from .metrics import (
    MAX_CLASSES,
    MAX_POINTS,
    PR_START,
    ROC_START,
    confusion_counts,
    pr_points,
    roc_points,
)

__all__ = [
    "Chart",
    "line",
    "scatter",
    "bar",
    "histogram",
    "line_series",
    "pr_curve",
    "roc_curve",
    "confusion_matrix",
    "charts_html",
    "MAX_POINTS",
    "MAX_CLASSES",
]


# ---------------------------------------------------------------- table presets
def line(
    table: TableLike, x: str, y: str, stroke: str | None = None, title: str | None = None
) -> Chart:
    """A line chart of column ``y`` over column ``x``, one line per value of ``stroke``.

    Examples
    --------
    >>> from richtypes import plot
    >>> chart = plot.line({"step": [0, 1, 2], "loss": [1.0, 0.6, 0.4]}, "step", "loss", title="loss")
    >>> chart.fields
    {'x': 'step', 'y': 'loss'}
    """
    table = _as_table(table, ("table",))
    types = vega.check_fields(table, x=x, y=y, stroke=stroke)
    vega.check_numeric(types, "y", y)
    spec = vega.line_spec(x, vega.vl_type(types[x]), y, stroke, _title(title))
    return Chart(table, spec, fields=_present(x=x, y=y, stroke=stroke), preset="line")


def scatter(table: TableLike, x: str, y: str, title: str | None = None) -> Chart:
    """A point per row at (``x``, ``y``).

    Examples
    --------
    >>> from richtypes import plot
    >>> plot.scatter({"a": [1.0, 2.0], "b": [3, 4]}, "a", "b").preset
    'scatter'
    """
    table = _as_table(table, ("table",))
    types = vega.check_fields(table, x=x, y=y)
    spec = vega.scatter_spec(x, vega.vl_type(types[x]), y, vega.vl_type(types[y]), _title(title))
    return Chart(table, spec, fields={"x": x, "y": y}, preset="scatter")


def bar(table: TableLike, label: str, value: str, title: str | None = None) -> Chart:
    """A bar per row: height ``value``, named by ``label``, in table order.

    Examples
    --------
    >>> from richtypes import plot
    >>> plot.bar({"class": ["cat", "dog"], "count": [3, 5]}, "class", "count").fields
    {'label': 'class', 'value': 'count'}
    """
    table = _as_table(table, ("table",))
    types = vega.check_fields(table, label=label, value=value)
    vega.check_numeric(types, "value", value)
    return Chart(
        table,
        vega.bar_spec(label, value, _title(title)),
        fields={"label": label, "value": value},
        preset="bar",
    )


def histogram(table: TableLike, value: str, title: str | None = None) -> Chart:
    """A histogram of the numeric column ``value`` (binned by Vega-Lite when drawn, up to 30 bins).

    Examples
    --------
    >>> from richtypes import plot
    >>> plot.histogram({"score": [0.1, 0.5, 0.52, 0.9]}, "score").preset
    'histogram'
    """
    table = _as_table(table, ("table",))
    types = vega.check_fields(table, value=value)
    vega.check_numeric(types, "value", value)
    return Chart(
        table,
        vega.histogram_spec(value, _title(title)),
        fields={"value": value},
        preset="histogram",
    )


# --------------------------------------------------------------- array presets
def line_series(
    xs: ArrayLike,
    ys: Any,
    keys: Sequence[str] | None = None,
    title: str | None = None,
    xname: str | None = None,
) -> Chart:
    """Several lines from arrays, drawn on one chart.

    Builds the long-form table with columns ``x``, ``key`` (the series name)
    and ``y``.

    Parameters
    ----------
    xs:
        One shared 1-D sequence of x values, or one per series. Numbers
        (finite) make a quantitative axis; strings make a categorical axis
        whose categories keep the order they first appear in.
    ys:
        The series: a list of 1-D sequences (lengths may differ when ``xs``
        gives one per series), a 2-D array (one row per series) or a single
        1-D sequence (one series). NaN makes a gap; infinities are refused.
    keys:
        The series names (default ``key_0``, ``key_1``, ...), unique.
    xname:
        The x axis title (default ``"x"``).

    Examples
    --------
    >>> from richtypes import plot
    >>> chart = plot.line_series([0, 1, 2], [[1.0, 0.5, 0.2], [1.0, 0.7, 0.6]], keys=["train", "val"], xname="epoch")
    >>> len(chart.table), chart.table.columns
    (6, ['x', 'key', 'y'])
    """
    x_all, key_all, y_all = series_columns(xs, ys, keys)
    table = Table.from_columns({"x": x_all, "key": key_all, "y": y_all})
    if xname is not None and not isinstance(xname, str):
        raise ValidationError("must be a string", value=xname, path=("xname",))
    categorical = x_all.dtype.kind == "U"
    spec = vega.line_spec(
        "x",
        "ordinal" if categorical else "quantitative",
        "y",
        "key",
        _title(title),
        x_title=xname or "x",
        x_in_order=categorical,
    )
    return Chart(table, spec, fields={"x": "x", "y": "y", "stroke": "key"}, preset="line_series")


def pr_curve(
    y_true: ArrayLike,
    y_probas: ArrayLike,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    interp_size: int | None = None,
) -> Chart:
    """Precision-recall curve of each class (one-vs-rest).

    Parameters
    ----------
    y_true:
        ``(n,)`` true class indices (ints, integral floats or bools).
    y_probas:
        ``(n, k)`` per-class probabilities, finite and in [0, 1]; or ``(n,)``,
        the probability of class 1 in a binary problem (then only class 1's
        curve is drawn).
    labels:
        The ``k`` class names (default ``"0"``, ``"1"``, ...).
    interp_size:
        As in the reference tracker: each curve is given at this many evenly
        spaced recalls from 0 to 1 (2 .. :data:`MAX_POINTS`), the precision at
        recall ``r`` being the highest precision reached at any recall >= ``r``
        (the interpolated precision). Unlike the reference, the values are not
        rounded to 3 decimals and the default (``None``) keeps the exact curve.

    Each curve starts at recall 0, precision 1 and has a point per distinct
    score (highest threshold first), down-sampled to at most
    :data:`MAX_POINTS` keeping both ends. Classes with no positive sample are
    left out. Columns: ``class``, ``recall``, ``precision``.

    Examples
    --------
    >>> from richtypes import plot
    >>> chart = plot.pr_curve([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4])
    >>> chart.table.get_column("precision", convert_to="list")
    [1.0, 1.0, 1.0, 0.6666666666666666, 0.5]
    """
    names, x, y = curve_columns(
        y_true,
        y_probas,
        labels,
        pr_points,
        PR_START,
        "no class has a positive sample",
        interp_size=interp_size,
    )
    table = Table.from_columns({"class": names, "recall": x, "precision": y})
    spec = vega.curve_spec(
        "recall",
        "precision",
        "class",
        _present_names(names),
        _title(title) or "Precision-recall curve",
    )
    return Chart(
        table, spec, fields={"x": "recall", "y": "precision", "stroke": "class"}, preset="pr_curve"
    )


def roc_curve(
    y_true: ArrayLike,
    y_probas: ArrayLike,
    labels: Sequence[str] | None = None,
    title: str | None = None,
) -> Chart:
    """ROC curve (true vs false positive rate) of each class (one-vs-rest).

    Inputs as for :func:`pr_curve`. Each curve runs from (0, 0) to (1, 1)
    with a point per distinct score, down-sampled to at most
    :data:`MAX_POINTS` keeping both ends. Classes without both positive and
    negative samples are left out. Columns: ``class``, ``fpr``, ``tpr``.

    Examples
    --------
    >>> from richtypes import plot
    >>> plot.roc_curve([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4]).table.get_column("tpr", convert_to="list")
    [0.0, 0.5, 1.0, 1.0, 1.0]
    """
    names, x, y = curve_columns(
        y_true,
        y_probas,
        labels,
        roc_points,
        ROC_START,
        "no class has both positive and negative samples",
    )
    table = Table.from_columns({"class": names, "fpr": x, "tpr": y})
    spec = vega.curve_spec(
        "fpr", "tpr", "class", _present_names(names), _title(title) or "ROC curve"
    )
    return Chart(
        table, spec, fields={"x": "fpr", "y": "tpr", "stroke": "class"}, preset="roc_curve"
    )


def confusion_matrix(
    y_true: ArrayLike,
    preds: ArrayLike | None = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    *,
    probs: ArrayLike | None = None,
) -> Chart:
    """Counts of (true class, predicted class) pairs as a heat map.

    Parameters
    ----------
    y_true:
        ``(n,)`` true class indices.
    preds:
        ``(n,)`` predicted class indices, or ``(n, k)`` per-class scores
        (probabilities or logits, finite), reduced with ``argmax``.
    probs:
        Instead of ``preds``, as in the reference tracker: ``(n, k)`` per-class
        probabilities, reduced with ``argmax``; with ``class_names``, one
        column per name. (The reference's first positional parameter is
        ``probs``; here pass it by keyword.)
    class_names:
        The class names; their number sets ``k`` (at most :data:`MAX_CLASSES`).
        Default: ``"0"``, ``"1"``, ... up to the largest index seen (or the
        score columns).

    The table has ``k * k`` rows: ``Actual``, ``Predicted``, ``nPredictions``.

    Examples
    --------
    >>> from richtypes import plot
    >>> chart = plot.confusion_matrix([0, 1, 1], [0, 1, 0], class_names=["cat", "dog"])
    >>> chart.table.get_column("nPredictions", convert_to="list")
    [1, 0, 1, 1]
    """
    truth, predicted, names = confusion_inputs(y_true, preds, class_names, probs)
    k = len(names)
    counts = confusion_counts(truth, predicted.astype(np.int64), k)
    name_arr = np.array(names, dtype=str)
    table = Table.from_columns(
        {
            "Actual": np.repeat(name_arr, k),
            "Predicted": np.tile(name_arr, k),
            "nPredictions": counts.reshape(-1),
        }
    )
    light = max(
        1, int(counts.max(initial=0)) // 2 + 1
    )  # white count text on the darker half of the colours
    spec = vega.confusion_spec(
        "Actual", "Predicted", "nPredictions", names, light, _title(title) or "Confusion matrix"
    )
    return Chart(
        table,
        spec,
        fields={"actual": "Actual", "predicted": "Predicted", "value": "nPredictions"},
        preset="confusion_matrix",
    )


# --------------------------------------------------------------------- helpers
def _present_names(names: np.ndarray) -> list[str]:
    """The class names drawn, in class order (``names`` holds one per curve point)."""
    _, first = np.unique(names, return_index=True)
    return names[np.sort(first)].tolist()


def _title(title: Any) -> str | None:
    if title is not None and not isinstance(title, str):
        raise ValidationError("must be a string", value=title, path=("title",))
    return title


def _present(**fields: str | None) -> dict[str, str]:
    return {role: name for role, name in fields.items() if name is not None}
