"""3D boxes and vectors of a lidar scene: input forms, validation, canonical corner order, ``box3d``.

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
from typing import Any

import numpy as np

from ..core.coerce import as_array
from ..core.errors import PathKey, ValidationError
from .points import check_colors, readonly

__all__ = [
    "BOX_RTOL",
    "DEFAULT_COLOR",
    "box3d",
    "check_boxes",
    "check_vectors",
    "canonical_corners",
]

#: Corners may be off a perfect rectangular box by this fraction of its
#: diagonal, and edges off perpendicular by this cosine (about 0.06 degrees).
BOX_RTOL = 1e-3
#: The colour of a box or vector given without one.
DEFAULT_COLOR = (255, 255, 255)

Path = tuple[PathKey, ...]
_BOX_KEYS = ("corners", "label", "color", "score")
_VECTOR_KEYS = ("start", "end", "color")
# the 7 non-anchor corners of a parallelepiped, as multiples of its edges (e1, e2, e3)
_PAIRS = ((0, 1), (0, 2), (1, 2))
_COMBOS = np.array(
    [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]], dtype=np.float64
)


# ------------------------------------------------------------------ corners
def canonical_corners(corners: np.ndarray, where: Callable[..., Path]) -> np.ndarray:
    """Check that each of M boxes' 8 corners form a rectangular box; return them in canonical order.

    ``corners`` is (M, 8, 3) and finite. ``where(i)`` / ``where(i, k)`` build the
    error path of box ``i`` / its corner ``k`` (indices as the user gave them).
    Vectorized over all boxes: sorting makes the result depend only on the set
    of corners, never on their given order.
    """
    m = corners.shape[0]
    if m == 0:
        return corners
    rows = np.arange(m)
    p = corners.astype(np.float64, copy=False)
    order = np.lexsort((p[..., 2], p[..., 1], p[..., 0]), axis=-1)  # (M, 8)
    s = np.take_along_axis(
        p, order[..., None], axis=1
    )  # anchor: the lexicographically smallest corner
    fit = _fit(s)
    tol = BOX_RTOL * fit["diag"]
    flat = fit["shortest"] <= tol  # corners coincide: only a flat box may do that
    skew = fit["cos"].max(axis=1) > BOX_RTOL
    off = fit["dist"].max(axis=1) > tol
    twice = np.sort(fit["nearest"], axis=1)
    doubled = (twice[:, 1:] == twice[:, :-1]).any(axis=1)
    bad = np.flatnonzero(~flat & (skew | off | doubled))
    if bad.size:
        i = int(bad[0])
        raise _explain(s[i], order[i], fit, i, float(tol[i]), where)
    unit = fit["unit"]
    flat_at = np.flatnonzero(flat)
    if flat_at.size:
        unit = unit.copy()
        unit[flat_at], upper = _flat_frame(s[flat_at], tol[flat_at], order[flat_at], flat_at, where)
    # canonical order: sign bits of each corner's offset along the box's (X, Y, Z)
    az = np.abs(unit[..., 2]).copy()
    kz = np.argmax(az, axis=1)
    zaxis = unit[rows, kz] * _sign(unit[rows, kz, 2])[:, None]
    ax = np.abs(unit[..., 0]).copy()
    ax[rows, kz] = -1.0
    kx = np.argmax(ax, axis=1)
    xaxis = unit[rows, kx] * _sign(unit[rows, kx, 0])[:, None]
    yaxis = np.cross(zaxis, xaxis)
    d = s - s.mean(axis=1, keepdims=True)
    sides = np.stack(
        [(d @ axis[:, :, None])[..., 0] > 0 for axis in (xaxis, yaxis, zaxis)], axis=-1
    )  # (M, 8, 3): the corner's side of the centre along X, Y, Z
    if flat_at.size:
        # along a flat box's zero axis both copies of a corner sit at the centre: the copy that
        # sorts later (lexicographically) takes the + side, so the order depends only on the set
        k = kz[flat_at]
        canon = np.where(k == 2, 2, np.where(kx[flat_at] == 2, 0, 1))  # the zero axis's bit
        sides[flat_at, :, canon] = upper
    bits = sides[..., 0].astype(np.intp) + 2 * sides[..., 1] + 4 * sides[..., 2]
    ordered = np.take_along_axis(corners, order[..., None], axis=1)
    out = np.empty_like(corners)
    out[rows[:, None], bits] = ordered
    check = np.zeros((m, 8), dtype=bool)
    check[rows[:, None], bits] = True
    if not check.all():  # pragma: no cover - a validated box always has one corner per octant
        i = int(np.flatnonzero(~check.all(axis=1))[0])
        raise ValidationError("corners do not form a rectangular box", path=where(i))
    return out


def _flat_frame(
    s: np.ndarray, tol: np.ndarray, order: np.ndarray, at: np.ndarray, where: Callable[..., Path]
) -> tuple[np.ndarray, np.ndarray]:
    """The frame of F flat boxes (one size 0: each of 4 corners given twice): unit axes and copies.

    ``s`` is (F, 8, 3), each box's corners sorted lexicographically. Returns the
    (F, 3, 3) unit axes (two edges of the rectangle, then its normal, the zero
    axis) and an (F, 8) mask of the copy of each corner that sorts later. Raises
    for corners that coincide other than in pairs, or pairs that do not form a
    rectangle.
    """
    f = s.shape[0]
    diff = s[:, :, None, :] - s[:, None, :, :]
    same = (diff * diff).sum(axis=-1) <= (tol * tol)[:, None, None]  # (F, 8, 8), self included
    counts = same.sum(axis=2)
    unpaired = np.flatnonzero((counts != 2).any(axis=1))
    if unpaired.size:
        j = int(unpaired[0])
        user = order[j]
        crowd = np.flatnonzero(counts[j] > 2)
        if crowd.size:
            group = sorted(int(user[k]) for k in np.flatnonzero(same[j, crowd[0]]))
            names = ", ".join(map(str, group[:-1])) + f" and {group[-1]}"
            problem = f"corners {names} coincide; a box may be flat along one axis (each corner given twice), no more"
        else:
            k = int(np.flatnonzero(counts[j] == 2)[0])
            a, b = sorted(int(user[q]) for q in np.flatnonzero(same[j, k]))
            problem = (
                f"corners {a} and {b} coincide but other corners do not; "
                "a flat box (one size 0) gives each of its 4 corners twice"
            )
        raise ValidationError(problem, path=where(int(at[j])))
    eye = np.eye(8, dtype=bool)
    partner = (same & ~eye).argmax(axis=2)
    upper = partner < np.arange(8)  # the later copy of each corner
    reps = s[~upper].reshape(f, 4, 3)
    t = reps[:, 1:] - reps[:, :1]
    rank = np.argsort((t * t).sum(axis=-1), axis=1)
    e1, e2, e3 = (np.take_along_axis(t, rank[:, q, None, None], axis=1)[:, 0] for q in range(3))
    len1 = np.sqrt((e1 * e1).sum(axis=-1))
    len2 = np.sqrt((e2 * e2).sum(axis=-1))
    cos = np.abs((e1 * e2).sum(axis=-1)) / (len1 * len2)
    gap = e3 - e1 - e2
    bad = np.flatnonzero((cos > BOX_RTOL) | (np.sqrt((gap * gap).sum(axis=-1)) > tol))
    if bad.size:
        raise ValidationError(
            "corners coincide in pairs (a flat box) but the 4 distinct corners do not form a rectangle",
            path=where(int(at[int(bad[0])])),
        )
    normal = np.cross(e1, e2)
    normal /= np.sqrt((normal * normal).sum(axis=-1))[:, None]
    unit = np.stack([e1 / len1[:, None], e2 / len2[:, None], normal], axis=1)
    return unit, upper


def _fit(s: np.ndarray) -> dict[str, np.ndarray]:
    """Fit the box spanned by corner 0 of each (8, 3) block and its three edges; measure the misfit."""
    rows = np.arange(s.shape[0])
    t = s[:, 1:] - s[:, :1]  # (M, 7, 3): offsets from the anchor
    n2 = (t * t).sum(axis=-1)
    rank = np.argsort(n2, axis=1, kind="stable")
    # the two shortest offsets are edges; the third edge is the shortest offset leaving their plane
    i1, i2 = rank[:, 0], rank[:, 1]
    e1, e2 = t[rows, i1], t[rows, i2]
    tiny = np.finfo(np.float64).tiny
    normal = np.cross(e1, e2)
    normal /= np.maximum(np.sqrt((normal * normal).sum(axis=-1)), tiny)[:, None]
    height = np.abs((t @ normal[:, :, None])[..., 0])
    height[rows, i1] = height[rows, i2] = 0.0
    out_of_plane = height > 0.5 * height.max(axis=1, keepdims=True)
    i3 = np.argmin(np.where(out_of_plane, n2, np.inf), axis=1)
    edges = np.stack([e1, e2, t[rows, i3]], axis=1)  # (M, 3, 3)
    lengths = np.sqrt((edges * edges).sum(axis=-1))
    unit = edges / np.maximum(lengths, tiny)[..., None]
    cos = np.abs(np.stack([(unit[:, a] * unit[:, b]).sum(axis=-1) for a, b in _PAIRS], axis=1))
    ideal = np.matmul(_COMBOS, edges)  # (M, 7, 3)
    # squared distances given corner -> ideal corner, (M, 7, 7), as |t|^2 + |i|^2 - 2 t.i: one batched
    # matmul instead of an (M, 7, 7, 3) temporary (offsets are box-sized, so cancellation stays far below BOX_RTOL)
    gaps2 = (
        n2[:, :, None]
        + (ideal * ideal).sum(axis=-1)[:, None, :]
        - 2.0 * np.matmul(t, ideal.transpose(0, 2, 1))
    )
    nearest = gaps2.argmin(axis=2)
    dist = np.sqrt(np.maximum(np.take_along_axis(gaps2, nearest[..., None], axis=2)[..., 0], 0.0))
    return {
        "diag": np.sqrt(n2.max(axis=1)),
        "shortest": np.sqrt(n2[rows, i1]),
        "unit": unit,
        "cos": cos,
        "edge_ends": np.stack([i1, i2, i3], axis=1) + 1,
        "dist": dist,
        "nearest": nearest,
        "rank": rank,
    }


def _explain(
    s: np.ndarray,
    order: np.ndarray,
    fit: dict[str, np.ndarray],
    i: int,
    tol: float,
    where: Callable[..., Path],
) -> ValidationError:
    """The error for one box whose corners do not fit (the slow path: runs only on failure)."""
    user = [int(k) for k in order]  # sorted corner -> the user's index
    if fit["shortest"][i] <= tol:
        a, b = sorted((user[0], user[int(fit["rank"][i, 0]) + 1]))
        return ValidationError(
            f"corners {a} and {b} coincide; a box needs 8 distinct corners", path=where(i)
        )
    # one corner off: some other anchor spans a true box through the 7 others
    blamed = set()
    for k in range(8):
        moved = np.concatenate([s[k : k + 1], np.delete(s, k, axis=0)])[None]
        alt = _fit(moved)
        if alt["cos"].max() <= BOX_RTOL:
            far = np.flatnonzero(alt["dist"][0] > tol)
            if far.size == 1 and len(set(alt["nearest"][0].tolist())) == 7:
                blamed.add(([k] + [j for j in range(8) if j != k])[int(far[0]) + 1])
    if len(blamed) == 1:
        j = blamed.pop()
        return ValidationError(
            "is not at a corner of the rectangular box the other 7 corners form",
            value=[float(v) for v in s[j]],
            path=where(i, user[j]),
        )
    o = user[0]
    ends = [user[int(e)] for e in fit["edge_ends"][i]]
    for n, (a, b) in enumerate(_PAIRS):
        cos = float(fit["cos"][i, n])
        if cos > BOX_RTOL:
            angle = float(np.degrees(np.arccos(min(cos, 1.0))))
            return ValidationError(
                f"edges from corner {o} to corners {ends[a]} and {ends[b]} are not perpendicular (angle {angle:.2f} degrees)",
                path=where(i),
            )
    dist = fit["dist"][i]
    k = int(np.argmax(dist))
    if dist[k] > tol:
        return ValidationError(
            f"is {float(dist[k]):.4g} away from the nearest corner of the rectangular box spanned by corner {o} "
            f"and its edges to corners {', '.join(map(str, ends))}",
            value=[float(v) for v in s[k + 1]],
            path=where(i, user[k + 1]),
        )
    nearest = fit["nearest"][i].tolist()
    k = next(j for j in range(7) if nearest.count(nearest[j]) > 1)
    a, b = sorted(user[j + 1] for j in range(7) if nearest[j] == nearest[k])[:2]
    return ValidationError(
        f"corners {a} and {b} are at the same corner of the box; a box needs 8 distinct corners",
        path=where(i),
    )


def _sign(x: np.ndarray) -> np.ndarray:
    return np.where(x < 0, -1.0, 1.0)


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
        for i, row in enumerate(rows):
            if "corners" not in row:
                raise ValidationError(
                    "missing key 'corners' (the box's 8 corners)", path=path + (i,)
                )
        corners = _stack(
            [r["corners"] for r in rows], (8, 3), lambda i: path + (i, "corners"), "8 corners"
        )
        labels = [r.get("label") for r in rows]
        label_at: Callable[[int], Path] = lambda i: path + (i, "label")
        with_color = [i for i, r in enumerate(rows) if r.get("color") is not None]
        colors = None
        if with_color:
            given = [DEFAULT_COLOR if r.get("color") is None else r["color"] for r in rows]
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
    for i, lab in enumerate(labels):
        if lab is not None and not isinstance(lab, str):
            raise ValidationError("must be a string", value=lab, path=label_at(i))
    labels = [None if lab is None else str(lab) for lab in labels]
    corners = _floats_or_int(corners)
    _finite(corners, box_at, "corners")
    corners = readonly(canonical_corners(corners, box_at))
    scores = None
    if any(sc is not None for sc in scores_in):
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
