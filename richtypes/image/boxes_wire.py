"""Wire helpers for :class:`~richtypes.BoundingBoxes2D` (private): columns to JSON lists and back, sidecar reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgpack
import numpy as np

from ..core.errors import FormatError
from ..core.media import field
from ..store.local import Store
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


def pack_block(native: np.ndarray, ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The record array of the sidecar form: ``coords`` (4,), ``class_id`` and, when K > 0, ``scores`` (K,)."""
    fields: list[tuple[Any, ...]] = [
        ("coords", native.dtype.newbyteorder("<"), (4,)),
        ("class_id", "<i8"),
    ]
    if scores.shape[1]:
        fields.append(("scores", "<f8", (scores.shape[1],)))
    block = np.empty(native.shape[0], dtype=fields)
    block["coords"] = native
    block["class_id"] = ids
    if scores.shape[1]:
        block["scores"] = scores
    return block


def read_block(
    ref: Any, store: Store, n: int, dtype: np.dtype, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read and check what :func:`pack_block` wrote: ``(coords, class_ids, scores)``."""
    expected = pack_block(np.empty((0, 4), dtype), np.empty(0, np.int64), np.empty((0, k))).dtype
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
    return coords, np.ascontiguousarray(arr["class_id"]).astype(np.int64, copy=False), scores


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
