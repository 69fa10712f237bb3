"""Box geometry for :class:`~richtypes.BoundingBoxes2D` (private): layouts, field paths, vectorized checks.

Coordinates are (N, 4) arrays in one of three layouts: ``xyxy`` (minX, minY,
maxX, maxY), ``cxcywh`` (centre, width, height) and ``xywh`` (top-left corner,
width, height). Checks run on whole arrays; :class:`Paths` turns the first bad
index into the user's field path only when there is an error to report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.errors import PathKey, ValidationError

LAYOUTS = ("xyxy", "cxcywh", "xywh")
MINMAX = ("minX", "minY", "maxX", "maxY")

Path = tuple[PathKey, ...]


class Paths:
    """The user's path of each box field, for the input form the boxes came in."""

    def __init__(
        self, form: str, layout: str, middle: np.ndarray | None = None, *, doc: bool = False
    ) -> None:
        self.form = form
        self.layout = layout
        self.middle = middle  # box_data only: rows given as middle/width/height in a mixed group
        self.doc = doc  # decoded: name the document's own fields (coords, class_ids, captions)

    def row_layout(self, i: int) -> str:
        if self.middle is not None:
            return "cxcywh" if self.middle[i] else "xyxy"
        return self.layout

    def row(self, i: int) -> Path:
        if self.doc:
            return ("coords", i)
        if self.form == "box_data":
            return ("box_data", i, "position")
        if self.form == "coco":
            return ("annotations", i, "bbox")
        return (self.form, i)

    def coord(self, i: int, j: int) -> Path:
        if self.doc:
            return ("coords", i, j)
        if self.form == "box_data":
            if self.row_layout(i) == "xyxy":
                return ("box_data", i, "position", MINMAX[j])
            return ("box_data", i, "position") + (
                ("middle", j) if j < 2 else ("width" if j == 2 else "height",)
            )
        return self.row(i) + (j,)

    def class_id(self, i: int) -> Path:
        if self.doc:
            return ("class_ids", i)
        if self.form == "box_data":
            return ("box_data", i, "class_id")
        if self.form == "coco":
            return ("annotations", i, "category_id")
        return ("class_ids", i)

    def score(self, i: int, name: str) -> Path:
        if self.form == "box_data":
            return ("box_data", i, "scores", name)
        if self.form == "coco":
            return ("annotations", i, "score")
        return ("scores", name, i)

    def caption(self, i: int) -> Path:
        if self.form == "box_data" and not self.doc:
            return ("box_data", i, "box_caption")
        return ("captions", i)

    @property
    def unknown_class(self) -> str:
        return (
            "must be the id of one of the categories"
            if self.form == "coco"
            else "must be a key of class_labels"
        )


def to_xyxy(native: np.ndarray, layout: str) -> np.ndarray:
    """Corner coordinates (minX, minY, maxX, maxY) from any layout, in the same dtype."""
    if layout == "xyxy":
        return native
    xy, wh = native[:, :2], native[:, 2:]
    if layout == "cxcywh":
        half = wh / 2
        return np.concatenate([xy - half, xy + half], axis=1)
    return np.concatenate([xy, xy + wh], axis=1)


def from_xyxy(xyxy: np.ndarray, layout: str) -> np.ndarray:
    """``xyxy`` rewritten in ``layout``."""
    if layout == "xyxy":
        return xyxy
    lo, hi = xyxy[:, :2], xyxy[:, 2:]
    if layout == "cxcywh":
        return np.concatenate([(lo + hi) / 2, hi - lo], axis=1)
    return np.concatenate([lo, hi - lo], axis=1)


def corners(native: np.ndarray, layout: str, middle: np.ndarray | None) -> np.ndarray:
    if middle is None:
        return to_xyxy(native, layout)
    out = native.copy()
    out[middle] = to_xyxy(native[middle], "cxcywh")
    return out


def _slack(native: np.ndarray, layout: str, middle: np.ndarray | None, scale: float) -> Any:
    """Rounding allowance for bounds of corners computed from centre/size (0 for corners given as such)."""
    eps = 4.0 * float(np.finfo(native.dtype).eps) * scale
    if middle is not None:
        return np.where(middle, eps, 0.0)[:, None]
    return 0.0 if layout == "xyxy" else eps


def check_geometry(
    native: np.ndarray,
    layout: str,
    domain: str | None,
    paths: Paths,
    pixel: np.ndarray | None = None,
) -> np.ndarray:
    """Validate coordinates (finite, non-negative size, within [0, 1] for fractions); return corners.

    ``domain`` is ``"pixel"``, None (fractions) or ``"mixed"``, when ``pixel``
    says which boxes are in pixels (only the others must lie within [0, 1]).
    """
    middle = paths.middle
    bad = np.flatnonzero(~np.isfinite(native).all(axis=1))
    if bad.size:
        i = int(bad[0])
        j = int(np.flatnonzero(~np.isfinite(native[i]))[0])
        raise ValidationError(
            "must be a finite number", value=float(native[i, j]), path=paths.coord(i, j)
        )
    c = native
    inverted: np.ndarray
    if layout == "xyxy" and middle is None:
        inverted = (c[:, 2] < c[:, 0]) | (c[:, 3] < c[:, 1])
    elif layout != "xyxy" or middle is None:
        inverted = (c[:, 2] < 0) | (c[:, 3] < 0)
    else:
        inverted = np.where(
            middle, (c[:, 2] < 0) | (c[:, 3] < 0), (c[:, 2] < c[:, 0]) | (c[:, 3] < c[:, 1])
        )
    found = np.flatnonzero(inverted)
    if found.size:
        i = int(found[0])
        if paths.row_layout(i) == "xyxy":
            j = 2 if c[i, 2] < c[i, 0] else 3
            problem = f"must be >= {MINMAX[j - 2]} ({float(c[i, j - 2])!r})"
        else:
            j = 2 if c[i, 2] < 0 else 3
            problem = "must be >= 0"
        raise ValidationError(problem, value=float(c[i, j]), path=paths.coord(i, j))
    xyxy = corners(native, layout, middle)
    if domain != "pixel":
        slack = _slack(native, layout, middle, 1.0)
        out = (xyxy < -slack) | (xyxy > 1 + slack)
        if pixel is not None:
            out &= ~pixel[:, None]
        hint = "fractions of the image; set domain 'pixel' for pixel coordinates"
        _raise_outside(
            out,
            xyxy,
            native,
            paths,
            f"must be within [0, 1] ({hint})",
            f"box must lie within [0, 1] ({hint})",
        )
    return xyxy


def check_inside(
    xyxy: np.ndarray,
    native: np.ndarray,
    layout: str,
    width: int,
    height: int,
    paths: Paths,
    pixel: np.ndarray | None = None,
) -> None:
    """Pixel boxes must lie inside a ``width`` x ``height`` image: 0 <= min, max <= size.

    With ``pixel`` (an (N,) bool array) only those boxes are checked.
    """
    if xyxy.shape[0] == 0:
        return
    size = np.array([width, height, width, height], np.float64)
    slack = _slack(native, layout, paths.middle, float(max(width, height)))
    out = np.concatenate([xyxy[:, :2] < -slack, xyxy[:, 2:] > size[2:] + slack], axis=1)
    if pixel is not None:
        out &= pixel[:, None]
    limits = (
        "must be >= 0",
        "must be >= 0",
        f"must be <= {width} (the image width)",
        f"must be <= {height} (the image height)",
    )
    _raise_outside(
        out, xyxy, native, paths, limits, f"box must lie inside the {width}x{height} image"
    )


def _raise_outside(
    out: np.ndarray,
    xyxy: np.ndarray,
    native: np.ndarray,
    paths: Paths,
    corner_problem: Any,
    row_problem: str,
) -> None:
    found = np.flatnonzero(out.ravel())
    if not found.size:
        return
    i, j = divmod(int(found[0]), 4)
    if paths.row_layout(i) == "xyxy":
        problem = corner_problem if isinstance(corner_problem, str) else corner_problem[j]
        raise ValidationError(problem, value=float(native[i, j]), path=paths.coord(i, j))
    problem = f"{row_problem}; its {MINMAX[j]} would be {float(xyxy[i, j])!r}"
    raise ValidationError(problem, value=[float(v) for v in native[i]], path=paths.row(i))
