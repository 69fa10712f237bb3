"""Chart preset inputs: check a preset's arguments and assemble its table's columns (private).

Curves (:func:`curve_columns`, with :func:`interpolate_pr` for
``interp_size``), confusion-matrix counts' inputs (:func:`confusion_inputs`)
and ``line_series``' long-form columns (:func:`series_columns`), all on whole
arrays; the metrics themselves are in :mod:`richtypes.plot.metrics`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.coerce import as_array
from ..core.errors import PathKey, ValidationError
from .metrics import (
    MAX_CLASSES,
    MAX_POINTS,
    check_labels,
    check_range,
    check_scores,
    class_names,
    downsample,
    prepend,
)

__all__ = ["interpolate_pr", "curve_columns", "confusion_inputs", "series_columns"]


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
    grid = np.linspace(0.0, 1.0, size)
    out = np.empty((classes.size, size))
    bounds = zip(starts.tolist(), starts[1:].tolist() + [cls.size])
    for row, (lo, hi) in enumerate(bounds):  # per class, not per point: comparisons stay exact
        best = np.maximum.accumulate(precision[lo:hi][::-1])[::-1]
        out[row] = best[np.searchsorted(recall[lo:hi], grid, "left")]
    return np.repeat(classes, size), np.tile(grid, classes.size), out.reshape(-1)


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
