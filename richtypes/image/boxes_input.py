"""Input coercion and vectorized validation for :class:`~richtypes.BoundingBoxes2D` (private).

The shared column checks, the columnar and the COCO forms; the list-of-dicts
form lives in :mod:`.boxes_dicts`.

Every accepted input (a ``box_data`` list of dicts, ``xyxy`` / ``cxcywh`` /
``xywh`` columns, COCO annotations, a decoded document) becomes one
:class:`Parsed` set of columns, converted once; ``_boxes_geometry.check_geometry`` then
validates the columns with whole-array operations. Error paths are built only
on failure, by :class:`Paths`, in the form the user gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from operator import eq, itemgetter
from typing import Any, NamedTuple

import numpy as np

from ..core.coerce import as_array
from ..core.errors import ValidationError
from .boxes_geometry import Path, Paths
from .classes import ID_PROBLEM, class_labels, first_bad_id

FORMS = ("box_data", "xyxy", "cxcywh", "xywh", "coco")

_get_bbox = itemgetter("bbox")
_get_category = itemgetter("category_id")


class Parsed(NamedTuple):
    """Columns of one box group, before geometry validation."""

    native: (
        np.ndarray
    )  # (N, 4) float32/float64 in ``layout`` (row-wise per ``paths.middle`` when mixed)
    layout: str
    class_ids: np.ndarray  # (N,) int64
    score_names: tuple[str, ...]
    scores: np.ndarray  # (N, K) float64, NaN = no score given (box_data and coco forms only)
    captions: tuple[str | None, ...] | None
    domain: str | None
    class_labels: dict[int, str] | None
    form: str
    paths: Paths
    pixel: np.ndarray | None = (
        None  # (N,) bool, only when domain == "mixed": which boxes are in pixels
    )


# --------------------------------------------------------------------- shared checks
def coords_dtype(arr: np.ndarray) -> np.ndarray:
    """float32 and float64 stay as they are; every other real dtype becomes float64."""
    if arr.dtype == np.float32 or arr.dtype == np.float64:
        return arr.astype(arr.dtype)  # a copy: the caller's array is never frozen or kept
    return arr.astype(np.float64)


def check_domain(domain: Any, path: Path) -> str | None:
    if domain is None or (isinstance(domain, str) and domain == "pixel"):
        return domain
    raise ValidationError(
        "must be 'pixel' or absent (fractions of the image)", value=domain, path=path
    )


def check_labels(labels: Any, path: Path = ("class_labels",)) -> dict[int, str] | None:
    """The group's ``{id: name}`` by the one class-set rule (:func:`~richtypes.image.classes.class_labels`), sorted by id."""
    return class_labels(labels, path)


def check_class_ids(
    ids: np.ndarray, paths: Paths, labels: dict[int, str] | None, raw: Sequence[Any] | None = None
) -> np.ndarray:
    """int64 class ids in 0..MAX_CLASS_ID (floats only when whole), and keys of ``labels`` when labels are given."""
    if ids.dtype.kind not in "iuf" or ids.ndim != 1:
        seq = raw if raw is not None else ids.tolist()
        for i, v in enumerate(seq):
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise ValidationError(ID_PROBLEM, value=v, path=paths.class_id(i))
        raise ValidationError(
            f"must be integer class ids, got dtype {ids.dtype}", path=paths.class_id(0)[:-1]
        )
    bad = first_bad_id(ids)
    if bad is not None:
        raise ValidationError(ID_PROBLEM, value=ids[bad].item(), path=paths.class_id(bad))
    ids = ids.astype(np.int64)
    if labels is not None:
        known = np.fromiter(labels.keys(), np.int64, len(labels))
        bad_at = np.flatnonzero(~np.isin(ids, known))
        if bad_at.size:
            raise ValidationError(
                paths.unknown_class, value=int(ids[bad_at[0]]), path=paths.class_id(int(bad_at[0]))
            )
    return ids


def check_captions(
    captions: Any, n: int, paths: Paths, path: Path = ("captions",)
) -> tuple[str | None, ...] | None:
    """A tuple of N (str or None), or None when no box has a caption."""
    if captions is None:
        return None
    if isinstance(captions, np.ndarray) and captions.dtype.kind == "U":
        captions = captions.tolist()
    if isinstance(captions, (str, bytes)) or not isinstance(captions, Sequence):
        raise ValidationError(
            "must be a list of strings (or None), one per box", value=captions, path=path
        )
    if len(captions) != n:
        raise ValidationError(f"must have {n} entries, one per box", value=len(captions), path=path)
    if not set(map(type, captions)) <= {str, type(None)}:
        for i, c in enumerate(captions):
            if c is not None and not isinstance(c, str):
                raise ValidationError("must be a string", value=c, path=paths.caption(i))
    if all(c is None for c in captions):
        return None
    return tuple(captions)


def score_column(
    values: Sequence[Any] | np.ndarray, name: str, paths: Paths, allow_missing: bool
) -> np.ndarray:
    """float64 scores; ``None`` (box_data and coco forms) becomes NaN; given values must be finite."""
    try:
        arr = np.array(values)
    except (ValueError, TypeError):
        arr = np.array(values, dtype=object)
    missing: np.ndarray | None = None
    if arr.dtype.kind not in "iuf" or arr.ndim != 1:
        seq = list(values)
        for i, v in enumerate(seq):
            if v is None and allow_missing:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise ValidationError("must be a number", value=v, path=paths.score(i, name))
        missing = np.fromiter((v is None for v in seq), bool, len(seq))
        arr = np.array([np.nan if v is None else v for v in seq], dtype=np.float64)
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if missing is not None:
        bad &= ~missing
    bad_at = np.flatnonzero(bad)
    if bad_at.size:
        i = int(bad_at[0])
        raise ValidationError(
            "must be a finite number", value=float(arr[i]), path=paths.score(i, name)
        )
    return arr


def stack_scores(columns: list[np.ndarray], n: int) -> np.ndarray:
    out = np.empty((n, len(columns)), np.float64)
    for k, col in enumerate(columns):
        out[:, k] = col
    return out


def coords_from_rows(rows: list[Any] | np.ndarray, paths: Paths) -> np.ndarray:
    """(N, 4) coordinates from N row tuples, naming the first non-number on failure."""
    if isinstance(rows, np.ndarray):  # already gathered (a group mixing position styles)
        return coords_dtype(rows)
    if not rows:
        return np.empty((0, 4), np.float64)
    flat = list(chain.from_iterable(rows))  # a flat list converts ~1.6x faster than nested rows
    try:
        arr = np.array(flat)
    except (ValueError, TypeError):
        arr = np.array([], dtype=object)
    if arr.dtype.kind not in "iuf" or arr.shape != (4 * len(rows),):
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                    raise ValidationError("must be a number", value=v, path=paths.coord(i, j))
        raise ValidationError(
            "must hold 4 numbers per box", path=paths.row(0)[:-1]
        )  # pragma: no cover - defensive
    return coords_dtype(arr.reshape(-1, 4))


def box_domains(
    domains: Sequence[Any] | None, n: int, where: Any
) -> tuple[str | None, np.ndarray | None]:
    """The group's domain from one domain per box: ``("pixel" | None, None)`` when all agree,
    ``("mixed", pixel)`` with ``pixel`` an (N,) bool array when fractional and pixel boxes mix.

    ``where(i)`` is the path of box ``i``'s domain, used only to name a bad value.
    Counting with ``list.count`` keeps the common cases free of a Python loop.
    """
    if not domains:
        return None, None
    seq = domains if isinstance(domains, list) else list(domains)
    n_pixel, n_none = seq.count("pixel"), seq.count(None)
    if n_pixel + n_none != n:
        for i, d in enumerate(seq):  # failure path: name the first bad box
            if d is not None and not (isinstance(d, str) and d == "pixel"):
                check_domain(d, where(i))
    if n_pixel == n:
        return "pixel", None
    if n_none == n:
        return None, None
    pixel = np.fromiter(map(eq, seq, repeat("pixel")), bool, n)
    pixel.flags.writeable = False
    return "mixed", pixel


# -------------------------------------------------------------------- columnar form
def parse_columns(
    layout: str,
    coords: Any,
    class_ids: Any,
    scores: Any,
    captions: Any,
    domain: Any,
    class_labels: Any,
) -> Parsed:
    """Columns from ``xyxy=`` / ``cxcywh=`` / ``xywh=`` arrays: no Python loop over boxes."""
    arr = as_array(coords, (layout,), what="an (N, 4) array of box coordinates")
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValidationError(f"must have shape (N, 4), got shape {arr.shape}", path=(layout,))
    if arr.dtype.kind not in "iuf":
        raise ValidationError(f"must hold real numbers, got dtype {arr.dtype}", path=(layout,))
    n = arr.shape[0]
    native = coords_dtype(arr)
    paths = Paths(layout, layout)
    labels = check_labels(class_labels)
    if class_ids is None:
        ids = np.zeros(n, np.int64)
    else:
        ids = as_array(class_ids, ("class_ids",), what="an (N,) array of class ids")
        if ids.shape != (n,):
            raise ValidationError(
                f"must have shape ({n},) to match {n} boxes, got shape {ids.shape}",
                path=("class_ids",),
            )
    ids = check_class_ids(ids, paths, labels)
    names: tuple[str, ...] = ()
    columns: list[np.ndarray] = []
    if scores is not None:
        if not isinstance(scores, Mapping):
            raise ValidationError(
                "must be a dict of score name to an (N,) array", value=scores, path=("scores",)
            )
        for name, values in scores.items():
            if not isinstance(name, str):
                raise ValidationError("score names must be strings", value=name, path=("scores",))
            col = as_array(values, ("scores", name), what="an (N,) array of scores")
            if col.shape != (n,):
                raise ValidationError(
                    f"must have shape ({n},) to match {n} boxes, got shape {col.shape}",
                    path=("scores", name),
                )
            if col.dtype.kind not in "iuf":
                raise ValidationError(
                    f"must hold real numbers, got dtype {col.dtype}", path=("scores", name)
                )
            columns.append(score_column(col, name, paths, allow_missing=False))
        names = tuple(scores.keys())
    caps = check_captions(captions, n, paths)
    pixel = None
    if domain is None or isinstance(domain, str):
        dom = check_domain(domain, ("domain",))
    else:  # one domain per box: "pixel" or None
        per_box = domain.tolist() if isinstance(domain, np.ndarray) else domain
        if not isinstance(per_box, Sequence) or len(per_box) != n:
            raise ValidationError(
                f"must be 'pixel', None, or one of them per box ({n})",
                value=domain,
                path=("domain",),
            )
        dom, pixel = box_domains(per_box, n, lambda i: ("domain", i))
    return Parsed(
        native,
        layout,
        ids,
        names,
        stack_scores(columns, n),
        caps,
        dom,
        labels,
        layout,
        paths,
        pixel,
    )


# ------------------------------------------------------------------------ COCO form
def parse_coco(annotations: Any, categories: Any) -> Parsed:
    """Columns from COCO ``annotations`` (``bbox`` = [x, y, width, height] in pixels) and ``categories``."""
    if isinstance(annotations, (str, bytes, Mapping)) or not isinstance(annotations, Sequence):
        raise ValidationError(
            "must be a list of COCO annotation dicts", value=annotations, path=("annotations",)
        )
    labels = _coco_labels(categories)
    paths = Paths("coco", "xywh")
    try:
        bboxes = list(map(_get_bbox, annotations))
        cats = list(map(_get_category, annotations))
    except (KeyError, TypeError) as exc:
        for i, ann in enumerate(annotations):
            if not isinstance(ann, Mapping):
                raise ValidationError(
                    "must be a dict with 'bbox' and 'category_id'",
                    value=ann,
                    path=("annotations", i),
                ) from exc
            for key in ("bbox", "category_id"):
                if key not in ann:
                    raise ValidationError(f"missing {key!r}", path=("annotations", i)) from exc
        raise  # pragma: no cover - the loop above always finds the cause
    n = len(bboxes)
    if not all(isinstance(b, (list, tuple)) and len(b) == 4 for b in bboxes):
        i = next(
            i for i, b in enumerate(bboxes) if not (isinstance(b, (list, tuple)) and len(b) == 4)
        )
        raise ValidationError(
            "must be [x, y, width, height]", value=bboxes[i], path=("annotations", i, "bbox")
        )
    native = coords_from_rows(bboxes, paths)
    ids = check_class_ids(np.array(cats) if cats else np.empty(0, np.int64), paths, labels, cats)
    raw_scores = [a.get("score") for a in annotations]
    names: tuple[str, ...] = ()
    columns: list[np.ndarray] = []
    if any(s is not None for s in raw_scores):
        names, columns = ("score",), [score_column(raw_scores, "score", paths, allow_missing=True)]
    return Parsed(
        native, "xywh", ids, names, stack_scores(columns, n), None, "pixel", labels, "coco", paths
    )


def _coco_labels(categories: Any) -> dict[int, str] | None:
    """COCO ``categories`` (extra keys such as ``supercategory`` ignored) by the one class-set rule."""
    if categories is None:
        return None
    if isinstance(categories, (str, bytes, Mapping)) or not isinstance(categories, Sequence):
        raise ValidationError(
            "must be a list of {'id', 'name'} dicts", value=categories, path=("categories",)
        )
    entries = []
    for i, cat in enumerate(categories):
        where: Path = ("categories", i)
        if not isinstance(cat, Mapping):
            raise ValidationError("must be a dict with 'id' and 'name'", value=cat, path=where)
        for key in ("id", "name"):
            if key not in cat:
                raise ValidationError(f"missing {key!r}", path=where)
        entries.append({"id": cat["id"], "name": cat["name"]})
    return class_labels(entries, ("categories",))
