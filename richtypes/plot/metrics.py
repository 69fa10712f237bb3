"""Vectorized classification metrics for the chart presets, and curve down-sampling.

Everything here works on whole arrays: one ``argsort`` of the ``(n, k)`` score
matrix gives every class's ranking at once, cumulative sums give true and false
positives at every threshold, and ``np.bincount`` gives the confusion matrix.
No Python loop runs per sample, per threshold or per class.

The functions return plain numpy columns; :mod:`richtypes.plot.inputs` checks a
preset's arguments and assembles them, :mod:`richtypes.plot.presets` turns them
into tables and charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core.coerce import as_array
from ..core.errors import PathKey, ValidationError

__all__ = [
    "MAX_POINTS",
    "MAX_CLASSES",
    "check_labels",
    "check_scores",
    "check_range",
    "class_names",
    "PR_START",
    "ROC_START",
    "prepend",
    "pr_points",
    "roc_points",
    "confusion_counts",
    "downsample",
]

#: Most points plotted per curve (per class) by ``pr_curve`` and ``roc_curve``.
MAX_POINTS = 1000
#: Most classes ``confusion_matrix`` accepts (the table holds ``k * k`` cells).
MAX_CLASSES = 256


# ------------------------------------------------------------------ validation
def check_labels(
    values: Any, path: tuple[PathKey, ...], num_classes: int | None = None
) -> np.ndarray:
    """Class indices as a 1-D int64 array; integral floats and bools are accepted."""
    arr = as_array(values, path, what="a 1-D array of class indices")
    if arr.ndim != 1:
        raise ValidationError(f"must be 1-D, got shape {arr.shape}", path=path)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    elif arr.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
        if bad.size:
            i = int(bad[0])
            raise ValidationError(
                "must be an integer class index", value=float(arr[i]), path=path + (i,)
            )
        arr = arr.astype(np.int64)
    elif arr.dtype.kind in "iu":
        if arr.dtype == np.uint64 and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
            i = int(np.argmax(arr))
            raise ValidationError("must be a class index", value=int(arr[i]), path=path + (i,))
        arr = arr.astype(np.int64)
    else:
        raise ValidationError(f"must hold integer class indices, got dtype {arr.dtype}", path=path)
    if arr.size:
        bad = (
            np.flatnonzero(arr < 0)
            if num_classes is None
            else np.flatnonzero((arr < 0) | (arr >= num_classes))
        )
        if bad.size:
            i = int(bad[0])
            where = (
                "must be >= 0"
                if num_classes is None
                else f"must be a class index in 0..{num_classes - 1}"
            )
            raise ValidationError(where, value=int(arr[i]), path=path + (i,))
    return arr


def check_scores(values: Any, num_samples: int, path: tuple[PathKey, ...]) -> np.ndarray:
    """Per-class probabilities as an ``(n, k)`` float64 array, finite and in [0, 1].

    A 1-D array is the probability of class 1 in a binary problem and becomes
    ``[1 - p, p]``.
    """
    arr = as_array(values, path, what="an array of probabilities")
    if arr.dtype.kind not in "biuf":
        raise ValidationError(f"must hold real numbers, got dtype {arr.dtype}", path=path)
    if arr.ndim not in (1, 2):
        raise ValidationError(
            f"must be 1-D (binary) or 2-D (samples, classes), got shape {arr.shape}", path=path
        )
    if arr.shape[0] != num_samples:
        raise ValidationError(
            f"must have one row per sample ({num_samples}), got {arr.shape[0]}", path=path
        )
    arr = arr.astype(np.float64, copy=False)
    bad = np.flatnonzero(~((arr >= 0.0) & (arr <= 1.0)).reshape(-1))  # NaN fails both comparisons
    if bad.size:
        index = np.unravel_index(int(bad[0]), arr.shape)
        raise ValidationError(
            "must be a finite probability in [0, 1]",
            value=float(arr[index]),
            path=path + tuple(int(i) for i in index),
        )
    if arr.ndim == 1:
        arr = np.stack([1.0 - arr, arr], axis=1)
    if arr.shape[1] < 2:
        raise ValidationError(f"must have at least 2 class columns, got {arr.shape[1]}", path=path)
    return arr


def check_range(labels: np.ndarray, num_classes: int, path: tuple[PathKey, ...]) -> None:
    """Check class indices (from :func:`check_labels`) are below ``num_classes``."""
    bad = np.flatnonzero(labels >= num_classes)
    if bad.size:
        i = int(bad[0])
        raise ValidationError(
            f"must be a class index in 0..{num_classes - 1}", value=int(labels[i]), path=path + (i,)
        )


def class_names(
    names: Sequence[Any] | None,
    num_classes: int,
    path: tuple[PathKey, ...],
    *,
    what: str = "class",
    plural: str = "classes",
    default: str = "{}",
) -> list[str]:
    """``num_classes`` unique names (``default.format(i)``: ``"0"``, ``"1"``, ... when not given)."""
    if names is None:
        return [default.format(i) for i in range(num_classes)]
    if isinstance(names, (str, bytes)) or not hasattr(names, "__len__"):
        raise ValidationError(f"must be a sequence of {what} names", value=names, path=path)
    out = [str(name) for name in names]
    if len(out) != num_classes:
        raise ValidationError(
            f"must name each of the {num_classes} {plural}, got {len(out)} names", path=path
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(out):  # per name, not per sample
        if name in seen:
            raise ValidationError(
                f"duplicate {what} name (also at index {seen[name]})", value=name, path=path + (i,)
            )
        seen[name] = i
    return out


# -------------------------------------------------------------------- metrics
def _ranked(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank every class's scores at once.

    Returns ``(cls, tp, fp)``: one entry per (class, distinct threshold),
    class-major and thresholds descending; ``tp``/``fp`` count the samples with
    score >= threshold that are / are not of that class.
    """
    n, k = scores.shape
    by_class = np.negative(
        scores.T, out=np.empty((k, n))
    )  # (k, n) rows; negated so ascending ranks high first
    order = np.argsort(
        by_class, axis=1
    )  # ties need no stable order: a threshold takes all its ties at once
    ranked = np.take_along_axis(by_class, order, axis=1)
    hits = y_true[order] == np.arange(k)[:, None]
    tp = np.cumsum(hits, axis=1, dtype=np.int32 if n < 2**31 else np.int64)
    last = np.ones((k, n), dtype=bool)  # the last sample of each run of equal scores
    np.not_equal(ranked[:, :-1], ranked[:, 1:], out=last[:, :-1])
    flat = np.flatnonzero(last)
    cls, row = np.divmod(flat, n)
    tp_at = tp.reshape(-1)[flat]
    return cls, tp_at, (row + 1) - tp_at


PR_START = (0.0, 1.0)
ROC_START = (0.0, 0.0)


def pr_points(
    y_true: np.ndarray, scores: np.ndarray, *, with_start: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision-recall points of every class that has positive samples.

    Returns ``(cls, recall, precision)``, class-major. Each curve starts at
    :data:`PR_START` ``(recall 0, precision 1)`` (left out with
    ``with_start=False``) and then has one point per distinct score, from the
    highest threshold to the lowest (where recall is 1).
    """
    k = scores.shape[1]
    positives = np.bincount(y_true, minlength=k)
    cls, tp, fp = _ranked(y_true, scores)
    has = positives[cls] > 0
    cls, tp, fp = cls[has], tp[has], fp[has]
    recall = tp / positives[cls]
    precision = tp / (tp + fp)
    return prepend(cls, recall, precision, PR_START) if with_start else (cls, recall, precision)


def roc_points(
    y_true: np.ndarray, scores: np.ndarray, *, with_start: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC points of every class that has both positive and negative samples.

    Returns ``(cls, fpr, tpr)``, class-major; each curve runs from
    :data:`ROC_START` (0, 0) (left out with ``with_start=False``) to (1, 1)
    with one point per distinct score.
    """
    n, k = scores.shape
    positives = np.bincount(y_true, minlength=k)
    negatives = n - positives
    cls, tp, fp = _ranked(y_true, scores)
    has = (positives[cls] > 0) & (negatives[cls] > 0)
    cls, tp, fp = cls[has], tp[has], fp[has]
    fpr, tpr = fp / negatives[cls], tp / positives[cls]
    return prepend(cls, fpr, tpr, ROC_START) if with_start else (cls, fpr, tpr)


def prepend(
    cls: np.ndarray, x: np.ndarray, y: np.ndarray, start: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Insert the point ``start`` before each class's first point (``cls`` sorted)."""
    starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]]) if cls.size else np.zeros(0, np.intp)
    return (
        np.insert(cls, starts, cls[starts]),
        np.insert(x, starts, start[0]),
        np.insert(y, starts, start[1]),
    )


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """The ``(k, k)`` matrix of counts: row = true class, column = predicted class."""
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


# --------------------------------------------------------------- downsampling
def downsample(
    groups: np.ndarray, x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS
) -> np.ndarray:
    """Indices of at most ``max_points`` points per group, spread evenly along each curve.

    ``groups`` is sorted (class-major points, each class's curve in drawing
    order). A curve within the cap is kept whole. A longer curve keeps its
    first and last point and, for each of ``max_points`` evenly spaced
    targets, the first point at or past it, where a point's progress along its
    curve is the mean of its share of the curve's arc length and its share of
    the point count: long visible stretches get points in proportion to their
    length, and dense flat stretches still get some. Indices stay in drawing
    order, so a monotone curve stays monotone.
    """
    if max_points < 2:
        raise ValueError("max_points must be >= 2")
    n = groups.shape[0]
    if n == 0:
        return np.zeros(0, np.intp)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], n]  # exclusive
    sizes = ends - starts
    if sizes.max() <= max_points:
        return np.arange(n)
    step = np.hypot(np.diff(x, prepend=x[0]), np.diff(y, prepend=y[0]))
    step[starts] = 0.0
    length = np.cumsum(step)
    length -= np.repeat(length[starts], sizes)  # arc length from each curve's start
    total = length[ends - 1]
    rank = np.arange(n) - np.repeat(starts, sizes)
    progress = 0.5 * length / np.repeat(np.where(total > 0, total, 1.0), sizes)
    progress += 0.5 * rank / np.repeat(np.maximum(sizes - 1, 1), sizes)
    key = np.repeat(np.arange(starts.size) * 2.0, sizes) + progress  # curve g lies in [2g, 2g + 1]
    counts = np.minimum(sizes, max_points)
    gid = np.repeat(np.arange(starts.size), counts)
    pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    denom = np.maximum(np.repeat(counts, counts) - 1, 1)
    targets = gid * 2.0 + pos / denom
    picked = np.searchsorted(key, targets, side="left")
    np.minimum(picked, np.repeat(ends, counts) - 1, out=picked)
    picked[pos == 0] = starts[gid[pos == 0]]
    is_last = pos == np.repeat(counts, counts) - 1
    picked[is_last] = ends[gid[is_last]] - 1
    small = np.repeat(sizes <= max_points, counts)  # curves within the cap are kept whole
    picked[small] = np.repeat(starts, counts)[small] + pos[small]
    return np.unique(picked)
