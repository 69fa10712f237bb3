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
_BITS = np.array([1, 2, 4], dtype=np.intp)
_BASE4 = np.array([1.0, 4.0, 16.0])
# a base-4 pattern code -> the bit of the corner it names (see _fit_fast)
_CORNER_BIT = np.ones(64, dtype=np.intp)
for _code in range(64):
    _d = [(_code >> (2 * b)) & 3 for b in range(3)]  # digit = entry + 1
    if all(x in (1, 2) for x in _d):
        _CORNER_BIT[_code] = 1 << sum((x - 1) << b for b, x in enumerate(_d))
del _code, _d
_OCTANTS = np.arange(8)
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
    s = p[rows[:, None], order]  # sorted: the anchor, the smallest corner, first
    fit = _fit_fast(s)
    tol = BOX_RTOL * fit["diag"]
    flat = fit["shortest"] <= tol  # corners coincide: only a flat box may do that
    bad = np.flatnonzero(~flat & (fit["skew"] | (fit["misfit"] > tol)))
    if bad.size:
        i = int(bad[0])
        raise _explain(s[i], order[i], _fit(s[i : i + 1]), i, float(tol[i]), where)
    unit = fit["unit"]
    flat_at = np.flatnonzero(flat)
    if flat_at.size:
        unit = unit.copy()
        unit[flat_at], upper = _flat_frame(s[flat_at], tol[flat_at], order[flat_at], flat_at, where)
    # canonical order: sign bits of each corner's offset along the box's (X, Y, Z)
    kz = np.abs(unit[..., 2]).argmax(axis=1)
    zaxis = unit[rows, kz]
    zaxis *= _sign(zaxis[:, 2])[:, None]
    ax = np.abs(unit[..., 0])
    ax[rows, kz] = -1.0
    kx = ax.argmax(axis=1)
    xaxis = unit[rows, kx]
    xaxis *= _sign(xaxis[:, 0])[:, None]
    frame = np.stack([xaxis, _cross(zaxis, xaxis), zaxis], axis=2)  # (M, 3, 3): columns X, Y, Z
    centre = s[:, 0] + s[:, 1]
    for k in range(2, 8):
        centre += s[:, k]
    centre /= 8.0
    sides = (s - centre[:, None, :]) @ frame > 0  # (M, 8, 3): the side of the centre
    if flat_at.size:
        # along a flat box's zero axis both copies of a corner sit at the centre: the copy that
        # sorts later (lexicographically) takes the + side, so the order depends only on the set
        k = kz[flat_at]
        canon = np.where(k == 2, 2, np.where(kx[flat_at] == 2, 0, 1))  # the zero axis's bit
        sides[flat_at, :, canon] = upper
    bits = sides[..., 0] + 2 * sides[..., 1].astype(np.intp) + 4 * sides[..., 2]  # (M, 8) octants
    ordered = s if p is corners else corners[rows[:, None], order]
    out = np.empty_like(corners)
    out[rows[:, None], bits] = ordered
    if not (np.sort(bits, axis=1) == _OCTANTS).all():  # pragma: no cover - one corner per octant
        i = int(np.flatnonzero((np.sort(bits, axis=1) != _OCTANTS).any(axis=1))[0])
        raise ValidationError("corners do not form a rectangular box", path=where(i))
    return out


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cross products of (M, 3) arrays (``np.cross`` costs more for small M)."""
    out = np.empty_like(a)
    out[:, 0] = a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]
    out[:, 1] = a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]
    out[:, 2] = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return out


def _fit_fast(s: np.ndarray) -> dict[str, np.ndarray]:
    """The accept/refuse decision of :func:`_fit` in fewer, smaller steps (M boxes at once).

    The anchor's three edges are found as in :func:`_fit`; then each offset is
    written in the edge basis (exactly, through the dual basis of cross
    products), rounded to the nearest corner pattern in {0, 1}^3, and
    rebuilt: ``misfit`` is the largest distance between an offset and its
    rebuilt corner, infinite when the 7 patterns are not the 7 distinct
    non-zero ones. ``skew`` marks edges off perpendicular.
    """
    rows = np.arange(s.shape[0])
    t = s[:, 1:] - s[:, :1]  # (M, 7, 3): offsets from the anchor
    n2 = np.einsum("mki,mki->mk", t, t)
    rank = np.argsort(n2, axis=1, kind="stable")
    i1 = rank[:, 0]
    e1, e2 = t[rows, i1], t[rows, rank[:, 1]]
    tiny = np.finfo(np.float64).tiny
    normal = _cross(e1, e2)
    height = np.abs(np.einsum("mki,mi->mk", t, normal))
    height[rows, i1] = height[rows, rank[:, 1]] = 0.0
    out_of_plane = height > 0.5 * height.max(axis=1, keepdims=True)
    e3 = t[rows, np.argmin(np.where(out_of_plane, n2, np.inf), axis=1)]
    edges = np.stack([e1, e2, e3], axis=1)  # (M, 3, 3), rows are edges
    lengths = np.sqrt(np.einsum("mki,mki->mk", edges, edges))
    unit = edges / np.maximum(lengths, tiny)[..., None]
    u1, u2, u3 = unit[:, 0], unit[:, 1], unit[:, 2]
    skew = (
        (np.abs(np.einsum("mi,mi->m", u1, u2)) > BOX_RTOL)
        | (np.abs(np.einsum("mi,mi->m", u1, u3)) > BOX_RTOL)
        | (np.abs(np.einsum("mi,mi->m", u2, u3)) > BOX_RTOL)
    )
    dual = np.stack(
        [_cross(e2, e3), _cross(e3, e1), normal], axis=2
    )  # columns: duals of e1, e2, e3
    det = np.einsum("mi,mi->m", e1, dual[:, :, 0])
    det = np.where(np.abs(det) > tiny, det, 1.0)  # flat boxes: decided elsewhere
    pattern = t @ dual
    pattern /= det[:, None, None]
    np.rint(pattern, out=pattern)
    np.minimum(np.maximum(pattern, -1.0, out=pattern), 2.0, out=pattern)  # (M, 7, 3) in -1..2
    # each offset's pattern in base 4 (entries -1..2 as digits 0..3) -> the bit of its corner:
    # 1 << (1..7) for a pattern in {0, 1}^3, 1 for anything else (the zero pattern included)
    digits = ((pattern + 1.0) @ _BASE4).astype(np.intp)  # (M, 7)
    covered = _CORNER_BIT[digits].sum(axis=1) == 254  # the 7 distinct non-zero patterns
    residual = t - pattern @ edges
    misfit = np.sqrt(np.einsum("mki,mki->mk", residual, residual).max(axis=1))
    return {
        "diag": np.sqrt(n2.max(axis=1)),
        "shortest": np.sqrt(n2[rows, i1]),
        "unit": unit,
        "skew": skew,
        "misfit": np.where(covered, misfit, np.inf),
    }


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
    """The error for box ``i``, whose corners do not fit; ``fit`` is :func:`_fit` of that box alone (runs only on failure)."""
    user = [int(k) for k in order]  # sorted corner -> the user's index
    if fit["shortest"][0] <= tol:
        a, b = sorted((user[0], user[int(fit["rank"][0, 0]) + 1]))
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
    ends = [user[int(e)] for e in fit["edge_ends"][0]]
    for n, (a, b) in enumerate(_PAIRS):
        cos = float(fit["cos"][0, n])
        if cos > BOX_RTOL:
            angle = float(np.degrees(np.arccos(min(cos, 1.0))))
            return ValidationError(
                f"edges from corner {o} to corners {ends[a]} and {ends[b]} are not perpendicular (angle {angle:.2f} degrees)",
                path=where(i),
            )
    dist = fit["dist"][0]
    k = int(np.argmax(dist))
    if dist[k] > tol:
        return ValidationError(
            f"is {float(dist[k]):.4g} away from the nearest corner of the rectangular box spanned by corner {o} "
            f"and its edges to corners {', '.join(map(str, ends))}",
            value=[float(v) for v in s[k + 1]],
            path=where(i, user[k + 1]),
        )
    nearest = fit["nearest"][0].tolist()
    twin = next((j for j in range(7) if nearest.count(nearest[j]) > 1), None)
    if twin is None:  # pragma: no cover - the two fits agree but for round-off at the tolerance
        return ValidationError("corners do not form a rectangular box", path=where(i))
    a, b = sorted(user[j + 1] for j in range(7) if nearest[j] == nearest[twin])[:2]
    return ValidationError(
        f"corners {a} and {b} are at the same corner of the box; a box needs 8 distinct corners",
        path=where(i),
    )


def _sign(x: np.ndarray) -> np.ndarray:
    return np.where(x < 0, -1.0, 1.0)
