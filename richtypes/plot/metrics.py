"""Vectorized classification metrics for the chart presets, and curve down-sampling.

Everything here works on whole arrays: one ``argsort`` of the ``(n, k)`` score
matrix gives every class's ranking at once, cumulative sums give true and false
positives at every threshold, and ``np.bincount`` gives the confusion matrix.
No Python loop runs per sample, per threshold or per class.

The functions return plain numpy columns; :mod:`richtypes.plot` turns them into
tables and charts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    "curve_columns",
    "interpolate_pr",
    "confusion_inputs",
    "series_columns",
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


# ------------------------------------------------------- preset input assembly
def interpolate_pr(
    cls: np.ndarray, recall: np.ndarray, precision: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each class's PR curve at ``size`` evenly spaced recalls in [0, 1] (the reference's ``interp_size``).

    The precision at recall ``r`` is the highest precision reached at any
    recall >= ``r`` (the interpolated precision). ``cls`` is sorted and every
    curve reaches recall 1 (as :func:`pr_points` gives them).
    """
    order = np.lexsort((recall, cls))
    cls, recall, precision = cls[order], recall[order], precision[order]
    classes, starts = np.unique(cls, return_index=True)
    best = np.empty_like(precision)
    for lo, hi in zip(
        starts.tolist(), starts[1:].tolist() + [cls.size]
    ):  # per class, not per point
        best[lo:hi] = np.maximum.accumulate(precision[lo:hi][::-1])[::-1]
    grid = np.linspace(0.0, 1.0, size)
    at = np.searchsorted(2.0 * cls + recall, (2.0 * classes[:, None] + grid).reshape(-1), "left")
    return np.repeat(classes, size), np.tile(grid, classes.size), best[at]


def curve_columns(
    y_true: Any,
    y_probas: Any,
    labels: Any,
    compute: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]],
    start: tuple[float, float],
    empty: str,
    interp_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate curve inputs, compute the curves, down-sample: ``(class name, x, y)`` columns.

    Each curve is down-sampled to ``MAX_POINTS - 1`` points (its ends kept)
    before its ``start`` point is put in front: at most :data:`MAX_POINTS`.
    With ``interp_size`` each curve is instead :func:`interpolate_pr`'d to
    that many points.
    """
    if interp_size is not None and (
        not isinstance(interp_size, (int, np.integer))
        or isinstance(interp_size, bool)
        or not 2 <= interp_size <= MAX_POINTS
    ):
        raise ValidationError(
            f"must be an integer in 2..{MAX_POINTS}", value=interp_size, path=("interp_size",)
        )
    truth = check_labels(y_true, ("y_true",))
    binary = np.ndim(y_probas) == 1
    scores = check_scores(y_probas, truth.shape[0], ("y_probas",))
    check_range(truth, scores.shape[1], ("y_true",))
    names = np.array(class_names(labels, scores.shape[1], ("labels",)), dtype=str)
    cls, x, y = compute(truth, scores, with_start=interp_size is not None)
    if binary:  # a 1-D input is the probability of class 1: only its curve is drawn
        keep = cls == 1
        cls, x, y = cls[keep], x[keep], y[keep]
    if cls.size == 0:
        raise ValidationError(empty, path=("y_true",))
    if interp_size is not None:
        cls, x, y = interpolate_pr(cls, x, y, int(interp_size))
        return names[cls], x, y
    kept = downsample(cls, x, y, MAX_POINTS - 1)
    cls, x, y = prepend(cls[kept], x[kept], y[kept], start)
    return names[cls], x, y


def confusion_inputs(
    y_true: Any, preds: Any, names: Sequence[Any] | None, probs: Any = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Validate confusion-matrix inputs: ``(true indices, predicted indices, class names)``.

    ``preds`` is 1-D class indices or 2-D per-class scores (reduced by argmax);
    ``probs`` (instead of ``preds``) is 2-D per-class probabilities, reduced by
    argmax, with one column per class name when names are given.
    """
    truth = check_labels(y_true, ("y_true",))
    if (preds is None) == (probs is None):
        raise ValidationError("give either preds or probs", path=("preds",))
    key = "preds" if probs is None else "probs"
    if probs is not None:
        preds = as_array(probs, ("probs",), what="an (n, k) array of probabilities")
        if preds.ndim != 2:
            raise ValidationError(
                f"must be 2-D (samples, classes), got shape {preds.shape}", path=("probs",)
            )
        if names is not None and hasattr(names, "__len__") and len(names) != preds.shape[1]:
            raise ValidationError(
                f"must have one column per class name ({len(names)}), got {preds.shape[1]}",
                path=("probs",),
            )
    pred_arr = as_array(preds, (key,), what="an array of class indices or scores")
    k: int | None = None
    if pred_arr.ndim == 2 and pred_arr.dtype.kind in "biuf":
        if pred_arr.shape[0] != truth.shape[0]:
            raise ValidationError(
                f"must have one row per sample ({truth.shape[0]}), got {pred_arr.shape[0]}",
                path=(key,),
            )
        bad = np.flatnonzero(~np.isfinite(pred_arr.reshape(-1)))
        if bad.size:
            index = tuple(int(i) for i in np.unravel_index(int(bad[0]), pred_arr.shape))
            raise ValidationError(
                "must be finite", value=float(pred_arr[index]), path=(key,) + index
            )
        k = pred_arr.shape[1]
        predicted = (
            np.argmax(pred_arr, axis=1).astype(np.int64) if pred_arr.size else np.zeros(0, np.int64)
        )
    else:
        predicted = check_labels(pred_arr, (key,))
        if predicted.shape[0] != truth.shape[0]:
            raise ValidationError(
                f"must have one entry per sample ({truth.shape[0]}), got {predicted.shape[0]}",
                path=(key,),
            )
    if k is None and names is None:
        k = int(max(truth.max(initial=-1), predicted.max(initial=-1))) + 1
        if k == 0:
            raise ValidationError("needs at least one sample, or class_names", path=("y_true",))
    if k is None:
        k = len(names) if hasattr(names, "__len__") and not isinstance(names, (str, bytes)) else 0  # type: ignore[arg-type]
    if k > MAX_CLASSES:
        raise ValidationError(
            f"a confusion matrix has at most {MAX_CLASSES} classes", value=k, path=()
        )
    out = class_names(names, k, ("class_names",))
    check_range(truth, k, ("y_true",))
    check_range(predicted, k, (key,))
    return truth, predicted, out


def series_columns(
    xs: Any, ys: Any, keys: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate ``line_series`` inputs into long-form ``(x, key, y)`` columns."""
    series = _series(ys, ("ys",))
    if not _is_per_series(xs):
        x = _x_values(xs, ("xs",))
        for i, y in enumerate(series):  # per series, not per value
            if y.shape[0] != x.shape[0]:
                raise ValidationError(
                    f"must have as many values as xs ({x.shape[0]}), got {y.shape[0]}",
                    path=("ys", i),
                )
        x_all = np.tile(x, len(series))
    else:
        if len(xs) != len(series):
            raise ValidationError(
                f"must be one shared x sequence or one per series ({len(series)}), got {len(xs)} sequences",
                path=("xs",),
            )
        per = [_x_values(v, ("xs", i)) for i, v in enumerate(xs)]
        kinds = [x.dtype.kind == "U" for x in per]
        if any(kinds) and not all(kinds):
            i = kinds.index(not kinds[0])
            raise ValidationError(
                "must be numbers like xs[0]" if kinds[i] else "must be strings like xs[0]",
                path=("xs", i),
            )
        for i, (x, y) in enumerate(zip(per, series)):
            if y.shape[0] != x.shape[0]:
                raise ValidationError(
                    f"must have as many values as xs[{i}] ({x.shape[0]}), got {y.shape[0]}",
                    path=("ys", i),
                )
        x_all = np.concatenate(per)
    names = class_names(
        keys, len(series), ("keys",), what="series", plural="series", default="key_{}"
    )
    key_all = np.repeat(np.array(names, dtype=str), [y.shape[0] for y in series])
    return x_all, key_all, np.concatenate(series)


def _x_values(values: Any, path: tuple[PathKey, ...]) -> np.ndarray:
    """x values: finite numbers, or strings (a categorical axis, kept in the order given)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "US":
        strings = values.ndim == 1
    elif isinstance(values, (list, tuple)) and values and isinstance(values[0], str):
        strings = True
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise ValidationError("must be a string like xs[0]", value=v, path=path + (i,))
    else:
        return _finite_1d(values, path, allow_nan=False)
    arr = np.asarray(values)
    if not strings or arr.ndim != 1:
        raise ValidationError(f"must be 1-D, got shape {arr.shape}", path=path)
    return arr.astype(str)


def _is_per_series(xs: Any) -> bool:
    if isinstance(xs, np.ndarray):
        return xs.ndim == 2
    return isinstance(xs, (list, tuple)) and len(xs) > 0 and np.ndim(xs[0]) >= 1


def _series(ys: Any, path: tuple[PathKey, ...]) -> list[np.ndarray]:
    if isinstance(ys, (list, tuple)) and len(ys) == 0:
        raise ValidationError("must hold at least one series", path=path)
    if isinstance(ys, (list, tuple)) and np.ndim(ys[0]) >= 1:
        return [_finite_1d(v, path + (i,), allow_nan=True) for i, v in enumerate(ys)]
    arr = as_array(ys, path, what="a list of 1-D series")
    if arr.ndim == 1:
        return [_finite_1d(arr, path, allow_nan=True)]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValidationError(
            f"must be a list of 1-D series or a 2-D array, got shape {arr.shape}", path=path
        )
    return [_finite_1d(row, path + (i,), allow_nan=True) for i, row in enumerate(arr)]


def _finite_1d(values: Any, path: tuple[PathKey, ...], *, allow_nan: bool) -> np.ndarray:
    """A 1-D real array: x values finite (int64 or float64), y values float64, finite or NaN."""
    arr = as_array(values, path, what="a 1-D sequence of numbers")
    if arr.ndim != 1:
        raise ValidationError(f"must be 1-D, got shape {arr.shape}", path=path)
    if arr.dtype.kind not in "biuf":
        raise ValidationError(f"must hold real numbers, got dtype {arr.dtype}", path=path)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float64)
        bad = np.flatnonzero(np.isinf(arr) if allow_nan else ~np.isfinite(arr))
        if bad.size:
            i = int(bad[0])
            problem = "must be finite or NaN" if allow_nan else "must be finite"
            raise ValidationError(problem, value=float(arr[i]), path=path + (i,))
        return arr
    return arr.astype(np.float64 if allow_nan else np.int64)
