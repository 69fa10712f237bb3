"""The list-of-dicts input form of :class:`~richtypes.BoundingBoxes2D` (private).

``{"box_data": [{"position": {...}, "class_id": ..., ...}, ...]}`` becomes the
columns of one :class:`~.boxes_input.Parsed`: C-level ``itemgetter`` maps over
the boxes in the common cases (one position style or both, one domain or
both), one careful loop over the boxes only to name the first malformed one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, compress
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np

from ..core.errors import ValidationError
from .boxes_geometry import MINMAX, Path, Paths
from .boxes_input import (
    Parsed,
    box_domains,
    check_captions,
    check_class_ids,
    check_labels,
    coords_from_rows,
    score_column,
    stack_scores,
)

__all__ = ["parse_box_data", "to_box_data", "BOX_KEYS"]

BOX_KEYS = frozenset({"position", "class_id", "box_caption", "scores", "domain"})

_get_position = itemgetter("position")
_get_class_id = itemgetter("class_id")
_get_minmax = itemgetter(*MINMAX)
_get_middle = itemgetter("middle", "width", "height")
_has_middle = methodcaller("__contains__", "middle")
_get_mid, _get_width, _get_height = itemgetter("middle"), itemgetter("width"), itemgetter("height")


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


def to_box_data(group: Any) -> dict[str, Any]:
    """The list-of-dicts form of a ``BoundingBoxes2D`` (see its ``to_box_data``)."""
    middle = group._layout == "cxcywh"
    rows = group._native.tolist() if middle else group._xyxy.tolist()
    ids = group.class_ids.tolist()
    columns = [group._scores[:, k].tolist() for k in range(len(group._score_names))]
    caps = group._captions or (None,) * len(rows)
    pixels = group.pixel.tolist()
    boxes = []
    for i, (row, cid, cap) in enumerate(zip(rows, ids, caps)):
        if middle:
            pos: dict[str, Any] = {
                "middle": [row[0], row[1]],
                "width": row[2],
                "height": row[3],
            }
        else:
            pos = {"minX": row[0], "maxX": row[2], "minY": row[1], "maxY": row[3]}
        box: dict[str, Any] = {"position": pos, "class_id": cid}
        if cap is not None:
            box["box_caption"] = cap
        given = (
            {n: col[i] for n, col in zip(group._score_names, columns) if col[i] == col[i]}
            if columns
            else None
        )
        if given:
            box["scores"] = given
        if pixels[i]:
            box["domain"] = "pixel"
        boxes.append(box)
    out: dict[str, Any] = {"box_data": boxes}
    if group._labels is not None:
        out["class_labels"] = dict(group._labels)
    return out
