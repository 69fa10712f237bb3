"""3D boxes and vectors of a lidar scene: input forms, validation, ``box3d`` (the geometry lives in ``geometry``).

Coordinate convention (documented in the README too): right-handed, metres,
``x`` forward, ``y`` left, ``z`` up (the usual lidar frame). A yaw angle turns
counter-clockwise about ``+z`` seen from above, starting at ``+x``. Quaternions
are ``(w, x, y, z)``, scalar first, and need not be normalised.

Canonical corner order
----------------------
Boxes may list their 8 corners in any order. They are stored in one order
that depends only on the set of corners: with the box centre ``c`` and three
orthonormal box axes ``(X, Y, Z)``, corner ``i`` is the one whose offset from
``c`` is ``+`` along ``X`` if bit 0 of ``i`` is set (``-`` otherwise), along
``Y`` for bit 1, along ``Z`` for bit 2::

    0 (-,-,-)  1 (+,-,-)  2 (-,+,-)  3 (+,+,-)
    4 (-,-,+)  5 (+,-,+)  6 (-,+,+)  7 (+,+,+)

``Z`` is the box edge direction closest to world ``+z`` (pointing up), ``X``
the remaining edge direction closest to world ``x`` (pointing to ``+x``), and
``Y = Z x X``. So an upright box has its bottom face first (0..3) and its top
face last (4..7). Stored corners are the given values, reordered, never moved.

A flat box (one size 0, as ``box3d`` makes for a sign or a ground patch) gives
each of its 4 corners twice; its zero axis is the rectangle's normal, and of
the two copies of a corner the one that sorts later lexicographically takes
the ``+`` side. Corners may coincide only that way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np

from ..core.coerce import as_array
from ..core.errors import PathKey, ValidationError
from .geometry import BOX_RTOL, canonical_corners
from .points import check_colors, readonly

__all__ = [
    "BOX_RTOL",
    "DEFAULT_COLOR",
    "box3d",
    "check_boxes",
    "check_vectors",
    "canonical_corners",
]

#: The colour of a box or vector given without one.
DEFAULT_COLOR = (255, 255, 255)

Path = tuple[PathKey, ...]
_BOX_KEYS = ("corners", "label", "color", "score")
_VECTOR_KEYS = ("start", "end", "color")
_LABEL_TYPES = {str, type(None)}


# --------------------------------------------------------------------- box3d
def _rotation(orientation: Any) -> np.ndarray:
    if isinstance(orientation, (int, float, np.integer, np.floating)) and not isinstance(
        orientation, bool
    ):
        yaw = float(orientation)
        if not np.isfinite(yaw):
            raise ValidationError("yaw must be finite", value=yaw, path=("orientation",))
        c, s = np.cos(yaw), np.sin(yaw)
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    q = as_array(orientation, ("orientation",), what="a yaw angle or a (w, x, y, z) quaternion")
    if q.shape != (4,) or q.dtype.kind not in "iuf":
        raise ValidationError(
            f"must be a yaw angle or a (w, x, y, z) quaternion of shape (4,), got shape {q.shape}",
            path=("orientation",),
        )
    q = q.astype(np.float64)
    norm = float(np.sqrt(q @ q))
    if not np.isfinite(norm) or norm == 0:
        raise ValidationError(
            "quaternion must be finite and non-zero", value=q.tolist(), path=("orientation",)
        )
    w, x, y, z = q / norm
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def box3d(
    center: Any,
    size: Any,
    orientation: float | Sequence[float] | np.ndarray = 0.0,
    *,
    label: str | None = None,
    color: Sequence[int] | None = None,
    score: float | None = None,
) -> dict[str, Any]:
    """A box dict for :meth:`Object3D.scene` from its centre, size and orientation.

    Parameters
    ----------
    center:
        ``(x, y, z)`` of the box centre.
    size:
        ``(length, width, height)``: extents along the box's own x, y and z
        axes before rotation, finite. One of them may be 0 (a flat box: its 8
        corners are 4 corners given twice); a negative extent mirrors the box
        along that axis, which is the same box (the scene stores its corners
        in the canonical order).
    orientation:
        A yaw angle in radians (counter-clockwise about ``+z``, from ``+x``) or a
        quaternion ``(w, x, y, z)`` (normalised here).
    label, color, score:
        Copied into the dict when given.

    Returns
    -------
    ``{"corners": (8, 3) float64 array, ...}``. Corner ``i`` is ``center + R @
    (s * size / 2)`` with ``s`` the signs of bits 0, 1, 2 of ``i`` (``-`` when
    clear), so the bottom face comes first; the scene stores them in the
    canonical order (see :mod:`richtypes.object3d.scene`).

    Examples
    --------
    >>> box = box3d((0, 0, 1), (4, 2, 2), 0.0, label="car")
    >>> box["corners"][0].tolist(), box["corners"][7].tolist(), box["label"]
    ([-2.0, -1.0, 0.0], [2.0, 1.0, 2.0], 'car')
    """
    c = as_array(center, ("center",), what="an (x, y, z) point")
    if c.shape != (3,) or c.dtype.kind not in "iuf" or not np.isfinite(c).all():
        raise ValidationError("must be 3 finite numbers", value=c.tolist(), path=("center",))
    sz = as_array(size, ("size",), what="a (length, width, height) triple")
    if sz.shape != (3,) or sz.dtype.kind not in "iuf":
        raise ValidationError(
            "must be 3 numbers (length, width, height)", value=sz.tolist(), path=("size",)
        )
    bad = np.flatnonzero(~np.isfinite(sz))
    if bad.size:
        raise ValidationError("must be finite", value=sz[bad[0]].item(), path=("size", int(bad[0])))
    if int((sz == 0).sum()) > 1:
        raise ValidationError(
            "may be 0 on one axis at most (a flat box)", value=sz.tolist(), path=("size",)
        )
    signs = np.array([[(i >> b & 1) * 2 - 1 for b in range(3)] for i in range(8)], dtype=np.float64)
    corners = (
        c.astype(np.float64) + (signs * (sz.astype(np.float64) / 2)) @ _rotation(orientation).T
    )
    box: dict[str, Any] = {"corners": corners}
    if label is not None:
        box["label"] = label
    if color is not None:
        box["color"] = color
    if score is not None:
        box["score"] = score
    return box


# --------------------------------------------------------------- input forms
def _rows(value: Any, path: Path, keys: Sequence[str], what: str) -> list[Mapping[str, Any]] | None:
    """A list of dicts (from a list, tuple or numpy object array), or ``None`` for the columnar form."""
    if type(value) is list and all(type(row) is dict for row in value):
        if set().union(*value) <= set(keys):  # the usual form: one set union, no loop per row
            return value
    if isinstance(value, Mapping):
        return None
    if isinstance(value, np.ndarray) and value.dtype.hasobject:
        value = value.reshape(-1).tolist()
    if not isinstance(value, (list, tuple)):
        raise ValidationError(
            f"must be a list of {what} dicts or a dict of columns", value=value, path=path
        )
    for i, row in enumerate(value):
        if not isinstance(row, Mapping):
            raise ValidationError(
                f"must be a dict with keys {', '.join(keys)}", value=row, path=path + (i,)
            )
        if row.keys() - keys:
            unknown = [k for k in row if k not in keys]
            raise ValidationError(
                f"unknown key (known: {', '.join(keys)})", value=unknown[0], path=path + (i,)
            )
    return list(value)


def _stack(
    items: list[Any], shape: tuple[int, ...], where: Callable[[int], Path], what: str
) -> np.ndarray:
    """Stack per-row values into one array: one numpy call when they are well formed, else name the bad row."""
    if not items:
        return np.zeros((0,) + shape)
    fast = _stack_lists(items, shape)
    if fast is not None:
        return fast
    try:
        arr = np.asarray(items)
        if arr.shape == (len(items),) + shape and arr.dtype.kind in "iuf":
            return arr
    except (ValueError, TypeError):
        pass
    arrays = []
    for i, item in enumerate(items):
        one = as_array(item, where(i), what=what)
        if one.shape != shape or one.dtype.kind not in "iuf":
            raise ValidationError(
                f"must be {what} of shape {shape}",
                value=one if one.size > 8 else one.tolist(),
                path=where(i),
            )
        arrays.append(one)
    return np.stack(arrays)


def _stack_lists(items: list[Any], shape: tuple[int, ...]) -> np.ndarray | None:
    """``items`` as one array when they are nested lists of Python ints/floats of ``shape``, else ``None``.

    Checks lengths and leaf types with C-level ``map`` calls and fills the array
    with one ``np.fromiter``: 2.5x faster than ``np.asarray`` on 500 boxes of
    8 corners, which discovers the nesting and the dtype element by element.
    """
    level = items
    for size in shape:
        if set(map(type, level)) != {list} or set(map(len, level)) != {size}:
            return None
        level = list(chain.from_iterable(level))
    kinds = set(map(type, level))
    if not kinds <= {int, float}:
        return None
    dtype = np.int64 if kinds == {int} else np.float64
    try:
        flat = np.fromiter(level, dtype, len(level))
    except OverflowError:  # an int beyond int64: the general path names it
        return None
    return flat.reshape((len(items),) + shape)


def _column(
    cols: Mapping[str, Any], key: str, path: Path, shape: tuple[int, ...], what: str
) -> np.ndarray:
    arr = as_array(cols[key], path + (key,), what=what)
    if arr.shape[1:] != shape or arr.ndim != len(shape) + 1 or arr.dtype.kind not in "iuf":
        want = "(M, " + ", ".join(map(str, shape)) + ")"
        raise ValidationError(
            f"must be {what} of shape {want}, got shape {arr.shape} dtype {arr.dtype}",
            path=path + (key,),
        )
    return arr


def _finite(arr: np.ndarray, where: Callable[..., Path], what: str) -> None:
    """Name the first non-finite row (or corner, for (M, 8, 3) corners)."""
    if arr.dtype.kind != "f" or arr.size == 0:
        return
    ok = np.isfinite(arr).all(axis=-1)
    if not ok.all():
        at = np.unravel_index(int(np.flatnonzero(~ok.reshape(-1))[0]), ok.shape)
        raise ValidationError(
            f"{what} must be finite", value=arr[at].tolist(), path=where(*(int(j) for j in at))
        )


def _colors(given: np.ndarray | None, m: int, where: Callable[[int, int], Path]) -> np.ndarray:
    if given is None:
        return readonly(np.tile(np.array(DEFAULT_COLOR, dtype=np.uint8), (m, 1)))
    check_colors(given, where, unit_floats=False)
    if given.dtype.kind == "f":
        frac = np.flatnonzero((given != np.round(given)).reshape(-1))
        if frac.size:
            i, c = divmod(int(frac[0]), 3)
            raise ValidationError(
                "must be an integer within 0..255", value=given[i, c].item(), path=where(i, c)
            )
    return readonly(given.astype(np.uint8))


def _floats_or_int(arr: np.ndarray) -> np.ndarray:
    return arr if arr.dtype in (np.float32, np.float64) else arr.astype(np.float64)


def _finite_number(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int too large for a float
        return False


def check_boxes(value: Any, path: Path = ("boxes",)) -> dict[str, Any]:
    """Boxes as columns: ``corners`` (M, 8, 3) canonical, ``labels``, ``colors`` (M, 3) uint8, ``scores``."""
    rows = _rows(value, path, _BOX_KEYS, "box")
    if rows is not None:
        try:
            given_corners = [r["corners"] for r in rows]
        except KeyError:
            i = next(i for i, row in enumerate(rows) if "corners" not in row)
            raise ValidationError(
                "missing key 'corners' (the box's 8 corners)", path=path + (i,)
            ) from None
        corners = _stack(given_corners, (8, 3), lambda i: path + (i, "corners"), "8 corners")
        labels = [r.get("label") for r in rows]
        label_at: Callable[[int], Path] = lambda i: path + (i, "label")
        given = [r.get("color") for r in rows]
        colors = None
        if any(c is not None for c in given):
            if any(c is None for c in given):
                given = [DEFAULT_COLOR if c is None else c for c in given]
            colors = _stack(given, (3,), lambda i: path + (i, "color"), "an (r, g, b) colour")
        scores_in: list[Any] = [r.get("score") for r in rows]
        score_at: Callable[[int], Path] = lambda i: path + (i, "score")
        box_at: Callable[..., Path] = lambda i, k=None: (
            path + (i, "corners") + (() if k is None else (k,))
        )
        color_at: Callable[[int, int], Path] = lambda i, c: path + (i, "color", c)
    else:
        extra = [k for k in value if k not in ("corners", "labels", "colors", "scores")]
        if extra or "corners" not in value:
            raise ValidationError(
                "a dict of box columns needs 'corners' and may have 'labels', 'colors', 'scores'",
                value=sorted(value),
                path=path,
            )
        corners = _column(value, "corners", path, (8, 3), "box corners")
        m = corners.shape[0]
        labels = list(value.get("labels") if value.get("labels") is not None else [None] * m)
        label_at = lambda i: path + ("labels", i)
        colors = (
            None if value.get("colors") is None else _column(value, "colors", path, (3,), "colours")
        )
        given_scores = value.get("scores")
        if given_scores is None:
            scores_in = [None] * m
        elif isinstance(given_scores, (list, tuple)):
            scores_in = list(given_scores)
        else:
            scores_in = (
                as_array(given_scores, path + ("scores",), what="an array of scores")
                .reshape(-1)
                .tolist()
            )
        score_at = lambda i: path + ("scores", i)
        box_at = lambda i, k=None: path + ("corners", i) + (() if k is None else (k,))
        color_at = lambda i, c: path + ("colors", i, c)
        for key, got in (
            ("labels", len(labels)),
            ("colors", m if colors is None else colors.shape[0]),
            ("scores", len(scores_in)),
        ):
            if got != m:
                raise ValidationError(
                    f"must have one entry per box ({m}), got {got}", path=path + (key,)
                )
    m = corners.shape[0]
    if not set(map(type, labels)) <= _LABEL_TYPES:  # str subclasses and errors: one pass per box
        for i, lab in enumerate(labels):
            if lab is not None and not isinstance(lab, str):
                raise ValidationError("must be a string", value=lab, path=label_at(i))
        labels = [None if lab is None else str(lab) for lab in labels]
    corners = _floats_or_int(corners)
    _finite(corners, box_at, "corners")
    corners = readonly(canonical_corners(corners, box_at))
    scores = None
    score_types = set(map(type, scores_in))
    if score_types == {float}:  # the usual form: plain floats, checked finite at once
        if not np.isfinite(np.asarray(scores_in, dtype=np.float64)).all():
            i = next(i for i, sc in enumerate(scores_in) if not math.isfinite(sc))
            raise ValidationError("must be a finite number", value=scores_in[i], path=score_at(i))
        scores = list(scores_in)
    elif score_types != {type(None)} and scores_in:
        try:
            fast = np.asarray(scores_in, dtype=np.float64)  # every box has a plain number
            ok = (
                fast.ndim == 1
                and bool(np.isfinite(fast).all())
                and not any(isinstance(sc, bool) for sc in scores_in)
            )
        except (TypeError, ValueError):
            ok = False
        if not ok:
            for i, sc in enumerate(scores_in):
                if sc is not None and (
                    isinstance(sc, bool)
                    or not isinstance(sc, (int, float, np.integer, np.floating))
                    or not _finite_number(sc)
                ):
                    raise ValidationError("must be a finite number", value=sc, path=score_at(i))
        scores = [None if sc is None else float(sc) for sc in scores_in]
    return {
        "corners": corners,
        "labels": labels,
        "colors": _colors(colors, m, color_at),
        "scores": scores,
    }


def check_vectors(value: Any, path: Path = ("vectors",)) -> dict[str, Any]:
    """Vectors as columns: ``starts`` and ``ends`` (K, 3), ``colors`` (K, 3) uint8."""
    rows = _rows(value, path, _VECTOR_KEYS, "vector")
    if rows is not None:
        for i, row in enumerate(rows):
            for key in ("start", "end"):
                if key not in row:
                    raise ValidationError(f"missing key {key!r}", path=path + (i,))
        starts = _stack(
            [r["start"] for r in rows], (3,), lambda i: path + (i, "start"), "an (x, y, z) point"
        )
        ends = _stack(
            [r["end"] for r in rows], (3,), lambda i: path + (i, "end"), "an (x, y, z) point"
        )
        colors = None
        if any(r.get("color") is not None for r in rows):
            colors = _stack(
                [DEFAULT_COLOR if r.get("color") is None else r["color"] for r in rows],
                (3,),
                lambda i: path + (i, "color"),
                "an (r, g, b) colour",
            )
        start_at: Callable[[int], Path] = lambda i: path + (i, "start")
        end_at: Callable[[int], Path] = lambda i: path + (i, "end")
        color_at: Callable[[int, int], Path] = lambda i, c: path + (i, "color", c)
    else:
        extra = [k for k in value if k not in ("starts", "ends", "colors")]
        if extra or "starts" not in value or "ends" not in value:
            raise ValidationError(
                "a dict of vector columns needs 'starts' and 'ends' and may have 'colors'",
                value=sorted(value),
                path=path,
            )
        starts = _column(value, "starts", path, (3,), "points")
        ends = _column(value, "ends", path, (3,), "points")
        colors = (
            None if value.get("colors") is None else _column(value, "colors", path, (3,), "colours")
        )
        for key, arr in (("ends", ends), ("colors", colors)):
            if arr is not None and arr.shape[0] != starts.shape[0]:
                raise ValidationError(
                    f"must have one entry per vector ({starts.shape[0]}), got {arr.shape[0]}",
                    path=path + (key,),
                )
        start_at = lambda i: path + ("starts", i)
        end_at = lambda i: path + ("ends", i)
        color_at = lambda i, c: path + ("colors", i, c)
    starts, ends = _floats_or_int(starts), _floats_or_int(ends)
    _finite(starts, start_at, "start")
    _finite(ends, end_at, "end")
    same = np.flatnonzero((starts == ends).all(axis=1))
    if same.size:
        i = int(same[0])
        raise ValidationError(
            "must differ from start (a vector needs a direction)",
            value=ends[i].tolist(),
            path=end_at(i),
        )
    return {
        "starts": readonly(starts),
        "ends": readonly(ends),
        "colors": _colors(colors, starts.shape[0], color_at),
    }
