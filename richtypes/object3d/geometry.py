"""Box geometry for lidar scenes: is a set of 8 corners a rectangular box, and in which canonical order.

See :mod:`richtypes.object3d.scene` for the coordinate convention and the
canonical corner order this module computes. Everything is vectorized over
all boxes of a scene; the per-box explanation of a failure runs only once a
check has failed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.errors import PathKey, ValidationError

__all__ = ["BOX_RTOL", "canonical_corners"]

#: Corners may be off a perfect rectangular box by this fraction of its
#: diagonal, and edges off perpendicular by this cosine (about 0.06 degrees).
BOX_RTOL = 1e-3

Path = tuple[PathKey, ...]
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
