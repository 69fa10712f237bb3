"""Input coercion and vectorized validation for :class:`~richtypes.BoundingBoxes2D` (private).

Every accepted input (a ``box_data`` list of dicts, ``xyxy`` / ``cxcywh`` /
``xywh`` columns, COCO annotations, a decoded document) becomes one
:class:`Parsed` set of columns, converted once; ``_boxes_geometry.check_geometry`` then
validates the columns with whole-array operations. Error paths are built only
on failure, by :class:`Paths`, in the form the user gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, compress, repeat
from operator import eq, itemgetter, methodcaller
from typing import Any, NamedTuple

import numpy as np

from ..core.coerce import as_array
from ..core.errors import ValidationError
from .boxes_geometry import MINMAX, Path, Paths
from .classes import ID_PROBLEM, class_labels, first_bad_id

FORMS = ("box_data", "xyxy", "cxcywh", "xywh", "coco")
BOX_KEYS = frozenset({"position", "class_id", "box_caption", "scores", "domain"})

_get_position = itemgetter("position")
_get_class_id = itemgetter("class_id")
_get_minmax = itemgetter(*MINMAX)
_get_middle = itemgetter("middle", "width", "height")
_has_middle = methodcaller("__contains__", "middle")
_get_mid, _get_width, _get_height = itemgetter("middle"), itemgetter("width"), itemgetter("height")
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


# ------------------------------------------------------------------ box_data form
def parse_box_data(box_data: Any, class_labels: Any) -> Parsed:
    """Columns from the ``{"box_data": [...], "class_labels": {...}}`` list-of-dicts form."""
    if isinstance(box_data, (str, bytes, Mapping)) or not isinstance(box_data, Sequence):
        raise ValidationError("must be a list of box dicts", value=box_data, path=("box_data",))
    labels = check_labels(class_labels)
    collected = _collect_fast(box_data)
    if collected is None:
        collected = _collect_slow(box_data)
    rows, middle, ids, caps, scores, domains = collected
    n = len(rows)
    domain, pixel = box_domains(domains, n, lambda i: ("box_data", i, "domain"))
    layout = "xyxy"
    if middle is not None and n and middle.all():
        layout = "cxcywh"
    if middle is not None and (layout == "cxcywh" or not middle.any()):
        middle = None  # uniform: the layout says it all
    paths = Paths("box_data", layout, middle)
    native = coords_from_rows(rows, paths)
    class_ids = check_class_ids(np.array(ids) if ids else np.empty(0, np.int64), paths, labels, ids)
    captions = check_captions(caps, n, paths) if caps is not None else None
    names: tuple[str, ...] = ()
    columns: list[np.ndarray] = []
    if scores is not None:
        names, columns = _score_columns(scores, paths)
    return Parsed(
        native,
        layout,
        class_ids,
        names,
        stack_scores(columns, n),
        captions,
        domain,
        labels,
        "box_data",
        paths,
        pixel,
    )


def _collect_fast(boxes: Sequence[Any]) -> tuple | None:
    """C-level column extraction for the common uniform case; None sends the input to the careful loop.

    Unknown keys are found by counting: every key of every box must be one
    the getters read (``sum(map(len, ...))`` is far cheaper than a key union).
    """
    n = len(boxes)
    try:
        positions = list(map(_get_position, boxes))
        ids = list(map(_get_class_id, boxes))
        try:
            rows: Any = list(map(_get_minmax, positions))
            middle, n_keys = None, 4 * n
        except KeyError:
            has_middle = list(map(_has_middle, positions))
            n_middle = sum(has_middle)
            middle = np.array(has_middle, bool)
            rows = _middle_rows(positions) if n_middle == n else _mixed_rows(positions, middle)
            if rows is None:
                return None
            n_keys = 3 * n_middle + 4 * (n - n_middle)
        if sum(map(len, positions)) != n_keys:
            return None
        caps, n_caps = _optional(boxes, "box_caption")
        scores, n_scores = _optional(boxes, "scores")
        domains, n_domains = _optional(boxes, "domain")
        if sum(map(len, boxes)) != 2 * n + n_caps + n_scores + n_domains:
            return None
    except (KeyError, TypeError, IndexError, AttributeError):
        return None
    return rows, middle, ids, caps, scores, domains


def _middle_rows(positions: list[Any]) -> np.ndarray | None:
    """(K, 4) centre x, centre y, width, height of middle/width/height positions (None: not all numbers)."""
    k = len(positions)
    try:
        mid = np.array(list(map(_get_mid, positions)))
        w = np.array(list(map(_get_width, positions)))
        h = np.array(list(map(_get_height, positions)))
    except (ValueError, TypeError):
        return None
    if mid.shape != (k, 2) or w.shape != (k,) or h.shape != (k,):
        return None
    if not {mid.dtype.kind, w.dtype.kind, h.dtype.kind} <= set("iuf"):
        return None
    out = np.empty((k, 4), np.result_type(mid.dtype, w.dtype, h.dtype))
    out[:, :2] = mid
    out[:, 2] = w
    out[:, 3] = h
    return out


def _mixed_rows(positions: list[Any], middle: np.ndarray) -> np.ndarray | None:
    """(N, 4) rows of a group mixing minX... and middle/width/height positions (None: not all numbers)."""
    centres = _middle_rows(list(compress(positions, middle.tolist())))
    corners = list(map(_get_minmax, compress(positions, (~middle).tolist())))
    try:
        a = np.array(list(chain.from_iterable(corners)))
    except (ValueError, TypeError):
        return None
    if centres is None or a.dtype.kind not in "iuf":
        return None
    out = np.empty((len(positions), 4), np.result_type(a.dtype, centres.dtype))
    out[~middle] = a.reshape(-1, 4)
    out[middle] = centres
    return out


def _optional(boxes: Sequence[Mapping[str, Any]], key: str) -> tuple[list[Any] | None, int]:
    """``box.get(key)`` of every box (None when no box has it) and how many boxes have it."""
    try:
        return list(map(itemgetter(key), boxes)), len(boxes)
    except KeyError:
        count = sum(map(methodcaller("__contains__", key), boxes))
        return (list(map(methodcaller("get", key), boxes)) if count else None), count


def _collect_slow(boxes: Sequence[Any]) -> tuple:
    """The same columns, one box at a time, raising on the first malformed box."""
    rows: list[Any] = []
    middle: list[bool] = []
    ids: list[Any] = []
    caps: list[Any] = []
    scores: list[Any] = []
    domains: list[Any] = []
    for i, box in enumerate(boxes):
        where: Path = ("box_data", i)
        if not isinstance(box, Mapping):
            raise ValidationError(
                "must be a dict with 'position' and 'class_id'", value=box, path=where
            )
        for key in box:
            if key not in BOX_KEYS:
                raise ValidationError(
                    f"unknown box key (known: {', '.join(sorted(BOX_KEYS))})", path=where + (key,)
                )
        for key in ("position", "class_id"):
            if key not in box:
                raise ValidationError(f"missing {key!r}", path=where)
        pos = box["position"]
        ppath = where + ("position",)
        if not isinstance(pos, Mapping):
            raise ValidationError(
                "must be a dict with minX, maxX, minY, maxY or middle, width, height",
                value=pos,
                path=ppath,
            )
        is_middle = "middle" in pos
        wanted = ("middle", "width", "height") if is_middle else ("minX", "maxX", "minY", "maxY")
        for key in wanted:
            if key not in pos:
                raise ValidationError(f"missing {key!r}", path=ppath)
        for key in pos:
            if key not in wanted:
                raise ValidationError(
                    f"unknown position key (expected {', '.join(wanted)})", path=ppath + (key,)
                )
        if is_middle:
            mid = pos["middle"]
            if (
                isinstance(mid, (str, bytes, Mapping))
                or not isinstance(mid, (Sequence, np.ndarray))
                or len(mid) != 2
            ):
                raise ValidationError("must be [x, y]", value=mid, path=ppath + ("middle",))
            rows.append((mid[0], mid[1], pos["width"], pos["height"]))
        else:
            rows.append(_get_minmax(pos))
        middle.append(is_middle)
        ids.append(box["class_id"])
        caps.append(box.get("box_caption"))
        scores.append(box.get("scores"))
        domains.append(box.get("domain"))
    return rows, np.array(middle, bool), ids, caps, scores, domains


def _score_columns(scores: list[Any], paths: Paths) -> tuple[tuple[str, ...], list[np.ndarray]]:
    if not set(map(type, scores)) <= {dict, type(None)}:
        for i, s in enumerate(scores):
            if s is not None and not isinstance(s, Mapping):
                raise ValidationError(
                    "must be a dict of score name to number",
                    value=s,
                    path=("box_data", i, "scores"),
                )
        scores = [None if s is None else dict(s) for s in scores]
    present = list(filter(None, scores))
    names = tuple(present[0]) if present else ()
    values: list[list[Any]] | None = None
    if len(present) == len(scores) and sum(map(len, present)) == len(names) * len(present):
        try:  # every box has the first box's score names, and only those
            values = [list(map(itemgetter(name), present)) for name in names]
        except KeyError:
            values = None
    if values is None:  # boxes name different scores: their union, in first-seen order
        names = tuple(dict.fromkeys(chain.from_iterable(present)))
        values = [[s.get(name) if s else None for s in scores] for name in names]
    for name in names:
        if not isinstance(name, str):
            i = next(i for i, s in enumerate(scores) if s and name in s)
            raise ValidationError(
                "score names must be strings", value=name, path=("box_data", i, "scores")
            )
    return names, [
        score_column(v, name, paths, allow_missing=True) for name, v in zip(names, values)
    ]


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
