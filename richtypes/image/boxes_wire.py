"""Wire helpers for :class:`~richtypes.BoundingBoxes2D` (private): columns to JSON lists and back, sidecar reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgpack
import numpy as np

from ..core.errors import FormatError, ValidationError
from ..core.media import field
from ..store.local import Store
from . import boxes_geometry as _geo
from . import boxes_input as _in
from .boxes_geometry import Paths

_NPY_HEADER_MAX = 4096


def nan_to_none(col: np.ndarray) -> list[Any]:
    values = col.tolist()
    if np.isnan(col).any():
        return [None if v != v else v for v in values]
    return values


def choice(doc: Mapping[str, Any], name: str, allowed: Sequence[str]) -> str:
    value = field(doc, name, str)
    if value not in allowed:
        raise FormatError(f"must be one of {', '.join(allowed)}", value=value, path=(name,))
    return value


def as_list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise FormatError("must hold lists", value=type(value).__name__, path=(name,))
    return value


def read_list(
    values: list[Any], name: str, shape: tuple[int, ...], dtype: np.dtype | None
) -> np.ndarray:
    """A regular numeric array of ``shape`` from JSON lists, cast to ``dtype`` (``None``: as parsed)."""
    if len(values) != shape[0]:
        raise FormatError(f"must have {shape[0]} entries", value=len(values), path=(name,))
    try:
        arr = np.array(values) if values else np.empty(shape, dtype)
    except (ValueError, TypeError):
        raise FormatError("must be a regular array of numbers", path=(name,)) from None
    if arr.dtype.kind not in "iuf" or arr.shape != shape:
        raise FormatError(
            f"must be numbers of shape {shape}, got {arr.dtype} {arr.shape}", path=(name,)
        )
    return arr if dtype is None else arr.astype(dtype)


def pack_block(
    native: np.ndarray, ids: np.ndarray, scores: np.ndarray, pixel: np.ndarray | None = None
) -> np.ndarray:
    """The record array of the sidecar form: ``coords`` (4,), ``class_id``, when K > 0 ``scores`` (K,)
    and, for a mixed-domain group (v2), ``pixel`` (bool)."""
    fields: list[tuple[Any, ...]] = [
        ("coords", native.dtype.newbyteorder("<"), (4,)),
        ("class_id", "<i8"),
    ]
    if scores.shape[1]:
        fields.append(("scores", "<f8", (scores.shape[1],)))
    if pixel is not None:
        fields.append(("pixel", "|b1"))
    block = np.empty(native.shape[0], dtype=fields)
    block["coords"] = native
    block["class_id"] = ids
    if scores.shape[1]:
        block["scores"] = scores
    if pixel is not None:
        block["pixel"] = pixel
    return block


def read_block(
    ref: Any, store: Store, n: int, dtype: np.dtype, k: int, mixed: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Read and check what :func:`pack_block` wrote: ``(coords, class_ids, scores, pixel or None)``."""
    expected = pack_block(
        np.empty((0, 4), dtype),
        np.empty(0, np.int64),
        np.empty((0, k)),
        np.empty(0, bool) if mixed else None,
    ).dtype
    size = ref.get("size")
    limit = n * expected.itemsize + _NPY_HEADER_MAX
    if not isinstance(size, int) or size > limit:
        raise FormatError(
            f"the record sidecar claims {size!r} bytes, more than {n} records need",
            path=("coords", "size"),
        )
    arr = store.get_array(ref)
    if arr.dtype != expected or arr.shape != (n,):
        raise FormatError(
            f"the record sidecar must hold {n} records of {expected}, got {arr.shape} {arr.dtype}",
            path=("coords",),
        )
    scores = np.ascontiguousarray(arr["scores"]) if k else np.empty((n, 0), np.float64)
    coords = np.ascontiguousarray(arr["coords"]).astype(dtype, copy=False)
    ids = np.ascontiguousarray(arr["class_id"]).astype(np.int64, copy=False)
    return coords, ids, scores, np.ascontiguousarray(arr["pixel"]) if mixed else None


def read_captions(
    doc: Mapping[str, Any], store: Store, n: int, paths: Paths
) -> tuple[str | None, ...] | None:
    value = field(doc, "captions", (list, dict, type(None)))
    if isinstance(value, dict):
        try:
            value = msgpack.unpackb(store.get_bytes(value), raw=False, strict_map_key=True)
        except (ValueError, msgpack.UnpackException) as exc:
            raise FormatError(
                f"the captions sidecar is not valid msgpack ({exc})", path=("captions",)
            ) from None
        if not isinstance(value, list):
            raise FormatError("the captions sidecar must hold a list", path=("captions",))
    if value is None:
        return None
    captions = _in.check_captions(value, n, paths)
    if captions is None:
        raise FormatError("must be null when no box has one", path=("captions",))
    return captions


# ----------------------------------------------------------------- the envelope
def encode(boxes: Any, store: Store) -> dict[str, Any]:
    """The fields of a ``boxes2d`` envelope (see ``BoundingBoxes2D.to_json``)."""
    native, ids, score_array = boxes._native, boxes.class_ids, boxes._scores
    pixel = boxes._pixel
    numeric = native.nbytes + ids.nbytes + score_array.nbytes
    mixed: Any = None
    if store.wants_inline(numeric):
        coords: Any = native.tolist()
        id_list: Any = ids.tolist()
        scores: Any = [nan_to_none(score_array[:, k]) for k in range(score_array.shape[1])]
        if pixel is not None:
            mixed = pixel.tolist()
    else:  # one record .npy for every numeric column: one file, one hash, one rename
        coords = id_list = store.put_array(pack_block(native, ids, score_array, pixel))
        scores = coords if boxes._score_names else []
        if pixel is not None:
            mixed = coords
    captions: Any = None
    if boxes._captions is not None:
        size = sum(map(len, filter(None, boxes._captions))) + 4 * len(boxes._captions)  # estimate
        captions = (
            list(boxes._captions)
            if store.wants_inline(size)
            else store.put_bytes(msgpack.packb(list(boxes._captions), use_bin_type=True), "msgpack")
        )
    labels = None if boxes._labels is None else {str(k): v for k, v in boxes._labels.items()}
    out = {
        "form": boxes._form,
        "layout": boxes._layout,
        "domain": boxes._domain or "fraction",
        "count": len(boxes),
        "dtype": native.dtype.name,
        "coords": coords,
        "class_ids": id_list,
        "score_names": list(boxes._score_names),
        "scores": scores,
        "captions": captions,
        "class_labels": labels,
    }
    if mixed is not None:
        out["pixel"] = mixed
    return out


def decode(doc: Mapping[str, Any], store: Store, max_boxes: int) -> _in.Parsed:
    """The constructor's columns from a ``boxes2d`` envelope (v1 or v2), checked as the constructor checks them.

    Errors name the document's own fields: a ``ValidationError`` from a
    constructor check becomes a ``FormatError`` at this place in
    ``decode_envelope``.
    """
    version = doc.get("_version", 1)
    form = choice(doc, "form", _in.FORMS)
    layout = choice(doc, "layout", _geo.LAYOUTS)
    domain = choice(
        doc, "domain", ("pixel", "fraction", "mixed") if version >= 2 else ("pixel", "fraction")
    )
    mixed = domain == "mixed"
    if not mixed and "pixel" in doc:
        raise FormatError("is only for a group whose domain is 'mixed'", path=("pixel",))
    dtype = np.dtype(choice(doc, "dtype", ("float32", "float64")))
    n = field(doc, "count", int)
    if not 0 <= n <= max_boxes:
        raise FormatError(f"must be 0..{max_boxes}", value=n, path=("count",))
    expected_layout = {"box_data": ("xyxy", "cxcywh"), "coco": ("xywh",)}.get(form, (form,))
    if layout not in expected_layout or (form == "coco" and domain != "pixel"):
        raise FormatError(
            f"form {form!r} cannot have layout {layout!r} and domain {domain!r}",
            path=("layout",),
        )
    names = field(doc, "score_names", list)
    if not all(isinstance(s, str) for s in names) or len(set(names)) != len(names):
        raise FormatError("must be distinct strings", path=("score_names",))
    raw_scores = field(doc, "scores", (list, dict))
    coords_doc = field(doc, "coords", (list, dict))
    pixel: np.ndarray | None = None
    if isinstance(coords_doc, dict):
        ref = coords_doc
        if (
            doc.get("class_ids") != ref
            or (raw_scores != ref if names else raw_scores != [])
            or (mixed and doc.get("pixel") != ref)
        ):
            raise FormatError(
                "with a record sidecar, coords, class_ids, scores (when named) and pixel "
                "(when mixed) must all refer to it",
                path=("class_ids",),
            )
        native, ids, block_scores, pixel = read_block(ref, store, n, dtype, len(names), mixed)
        raw_scores = []
    else:
        native = read_list(coords_doc, "coords", (n, 4), dtype)
        # as parsed: check_class_ids below refuses non-integral, negative or huge ids by name, then casts
        ids = read_list(field(doc, "class_ids", list), "class_ids", (n,), None)
        block_scores = None
        if mixed:
            flags = field(doc, "pixel", list)
            if len(flags) != n or not all(isinstance(f, bool) for f in flags):
                raise FormatError(f"must be {n} booleans, one per box", path=("pixel",))
            pixel = np.array(flags, dtype=bool)
    if block_scores is not None:
        scores = block_scores
    elif isinstance(raw_scores, list) and names:
        if len(raw_scores) != len(names):
            raise FormatError(
                f"must have {len(names)} columns", value=len(raw_scores), path=("scores",)
            )
        cols = [
            read_list(
                [np.nan if v is None else v for v in as_list(c, "scores")],
                "scores",
                (n,),
                np.dtype(np.float64),
            )
            for c in raw_scores
        ]
        scores = _in.stack_scores(cols, n)
    elif names:
        raise FormatError("inline scores must be a list of columns", path=("scores",))
    elif raw_scores != []:
        raise FormatError("must be [] when there are no score_names", path=("scores",))
    else:
        scores = np.empty((n, 0), np.float64)
    if pixel is not None and (pixel.all() or not pixel.any()):
        raise FormatError("a mixed group must hold pixel and fractional boxes", path=("pixel",))
    if pixel is not None:
        pixel.flags.writeable = False
    # the constructor's own checks, naming the document's fields
    paths = Paths(form, layout, doc=True)
    captions = read_captions(doc, store, n, paths)
    labels = _in.check_labels(field(doc, "class_labels", (dict, type(None))))
    ids = _in.check_class_ids(ids, paths, labels)
    bad = np.isinf(scores) if form in ("box_data", "coco") else ~np.isfinite(scores)
    if bad.any():
        raise ValidationError("must be finite (NaN only for a score not given)", path=("scores",))
    return _in.Parsed(
        native,
        layout,
        ids,
        tuple(names),
        scores,
        captions,
        {"pixel": "pixel", "fraction": None}.get(domain, domain),
        labels,
        form,
        paths,
        pixel,
    )
