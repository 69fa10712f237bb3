"""The reference tracker's ``.pts.json`` point files: a JSON list of point rows.

Each row is ``[x, y, z]``, ``[x, y, z, c]`` (``c`` a category id) or ``[x, y,
z, r, g, b]`` (colours on the 0..255 scale), every row of one width: the same
three layouts as an (N, 3), (N, 4) or (N, 6) point array. Such a file is read
into that array, so it is stored (and decoded) as any point cloud is.
"""

from __future__ import annotations

import json
import os

import numpy as np

from ..core.errors import ValidationError

__all__ = ["PTS_TYPE", "is_pts_name", "looks_like_pts", "parse_pts"]

#: The ``file_type`` naming a point file.
PTS_TYPE = "pts.json"
_WIDTHS = (3, 4, 6)


def is_pts_name(name: str | os.PathLike[str] | None) -> bool:
    """Whether a file name ends in ``.pts.json`` (any case)."""
    return name is not None and os.fspath(name).lower().endswith("." + PTS_TYPE)


def looks_like_pts(data: bytes) -> bool:
    """Whether ``data`` opens like a JSON list (a ``.pts.json`` file; a glTF opens with ``{``)."""
    return data[:64].lstrip()[:1] == b"["


def parse_pts(data: bytes) -> np.ndarray:
    """The (N, 3), (N, 4) or (N, 6) float64 point array of a ``.pts.json`` file's bytes.

    Raises
    ------
    ValidationError
        For text that is not UTF-8 JSON, not a list of rows of 3, 4 or 6
        numbers, or rows of different widths (naming the first bad row).

    Examples
    --------
    >>> parse_pts(b"[[0, 0, 0], [1, 2, 3.5]]").tolist()
    [[0.0, 0.0, 0.0], [1.0, 2.0, 3.5]]
    """
    try:
        rows = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValidationError(
            f"is not a valid pts.json point file (not JSON: {type(exc).__name__})", path=()
        ) from None
    if not isinstance(rows, list):
        raise ValidationError(
            "a pts.json point file must hold a JSON list of point rows",
            value=type(rows).__name__,
            path=(),
        )
    if not rows:
        return np.zeros((0, 3))
    try:
        arr = np.asarray(rows, dtype=np.float64)
        if arr.ndim == 2 and arr.shape[1] in _WIDTHS:
            return arr
    except (TypeError, ValueError, OverflowError):
        pass
    width = len(rows[0]) if isinstance(rows[0], list) else None
    for i, row in enumerate(rows):
        good = (
            isinstance(row, list)
            and len(row) in _WIDTHS
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)
        )
        if not good:
            raise ValidationError(
                "must be a row of 3, 4 or 6 numbers ([x, y, z], [x, y, z, c] or [x, y, z, r, g, b])",
                value=row,
                path=(i,),
            )
        if len(row) != width:
            raise ValidationError(
                f"must have as many values as the first row ({width})", value=row, path=(i,)
            )
    raise ValidationError(  # pragma: no cover - an int too large for a float
        "holds a number outside the float64 range", path=()
    )
