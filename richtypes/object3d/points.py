"""Point-cloud validation and the array wire form shared by every ``Object3D`` kind.

Everything here works on whole arrays: one reduction per check, and the
offending row is located (``np.flatnonzero``) only once a check has failed.
Arrays are never copied unless a conversion is needed (big-endian input,
integer colours narrowed to ``uint8``, rows dropped with ``drop_nonfinite``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..core.coerce import as_array
from ..core.errors import FormatError, PathKey, ValidationError
from ..core.wire import INLINE_DTYPES
from ..image.classes import class_labels
from ..store.local import Store

__all__ = [
    "MMAP_MIN_BYTES",
    "check_packed",
    "check_columns",
    "check_class_labels",
    "check_colors",
    "readonly",
    "encode_array",
    "decode_array",
    "labels_to_json",
    "labels_from_json",
]

#: Decoding memory-maps ``.npy`` sidecars at least this large (after their
#: digest is checked) instead of reading them into memory. Arrays are read-only
#: either way; set it to 0 to map every sidecar, or to a huge value to never map.
MMAP_MIN_BYTES = 64 * 1024**2

# the numeric dtypes of the inline array form (core/wire.py): its list, without bool
_DTYPES = {np.dtype(name).str: name for name in INLINE_DTYPES if name != "bool"}
_PACKED_WIDTHS = (3, 4, 6)
_THREADED_BYTES = (
    8 * 1024**2
)  # arrays this large get their column ranges on two threads (2.0 -> 1.2 ms for 1M x 6 float32)
_WIDE = (
    256  # points per row in column_ranges (measured: 64 -> 2.5 ms, 256 -> 2.0 ms, 1024 -> 1.8 ms)
)
Path = tuple[PathKey, ...]


def readonly(arr: np.ndarray) -> np.ndarray:
    """A read-only view of ``arr`` (the caller's array keeps its own flags)."""
    view = arr.view()
    view.flags.writeable = False
    return view


def little(arr: np.ndarray) -> np.ndarray:
    """``arr`` with an explicit little-endian dtype (a copy only for big-endian input)."""
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and not np.little_endian):
        return arr.astype(arr.dtype.newbyteorder("<"))
    return arr


def _real(arr: np.ndarray, path: Path, what: str = "real numbers") -> None:
    if arr.dtype.kind not in "iuf":
        raise ValidationError(f"must hold {what}, got dtype {arr.dtype}", path=path)


def column_ranges(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column minimum and maximum of a 2-D array (NaN when a column holds NaN), in one pass.

    numpy reduces narrow strided columns slowly (16 ms for the 3 colour columns
    of 1M x 6 float32 here); viewing a C-contiguous array as rows of
    ``_WIDE`` points makes the reduction elementwise over long rows (2 ms for
    all 6 columns) with no temporary larger than one such row.
    """
    n, c = arr.shape
    if arr.flags.c_contiguous and n >= 2 * _WIDE:
        m = n // _WIDE * _WIDE
        wide = arr[:m].reshape(-1, c * _WIDE)
        if arr.nbytes >= _THREADED_BYTES:
            # numpy reductions release the GIL: reduce the two halves on two threads
            half = wide.shape[0] // 2
            parts: list[Any] = [None, None]

            def reduce(i: int, block: np.ndarray) -> None:
                parts[i] = (block.min(axis=0), block.max(axis=0))

            other = threading.Thread(target=reduce, args=(1, wide[half:]))
            other.start()
            reduce(0, wide[:half])
            other.join()
            lo = np.minimum(parts[0][0], parts[1][0]).reshape(_WIDE, c).min(axis=0)
            hi = np.maximum(parts[0][1], parts[1][1]).reshape(_WIDE, c).max(axis=0)
        else:
            lo = wide.min(axis=0).reshape(_WIDE, c).min(axis=0)
            hi = wide.max(axis=0).reshape(_WIDE, c).max(axis=0)
        if m < n:
            lo = np.minimum(lo, arr[m:].min(axis=0))
            hi = np.maximum(hi, arr[m:].max(axis=0))
        return lo, hi
    return arr.min(axis=0), arr.max(axis=0)


def _finite_rows(xyz: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """``None`` when every row of an (N, 3) block is finite (known from its column ranges), else the row mask."""
    if (
        xyz.dtype.kind != "f"
        or xyz.shape[0] == 0
        or (np.isfinite(lo).all() and np.isfinite(hi).all())
    ):
        return None
    return np.isfinite(xyz).all(axis=1)


def _first(bad: np.ndarray, keep: np.ndarray | None) -> int:
    if keep is not None:
        bad = bad & keep
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else -1


def check_colors(
    colors: np.ndarray,
    where: Callable[[int, int], Path],
    keep: np.ndarray | None = None,
    *,
    unit_floats: bool,
    ranges: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Check a (N, 3) colour block: 0..255 for integers (and packed floats), [0, 1] for float colours.

    ``where(row, channel)`` builds the error path; ``keep`` masks rows that are dropped anyway.
    """
    if colors.shape[0] == 0:
        return
    hi = 1.0 if (unit_floats and colors.dtype.kind == "f") else 255
    lo_val, hi_val = ranges if ranges is not None else column_ranges(colors)
    if not ((lo_val >= 0).all() and (hi_val <= hi).all()):  # NaN fails both comparisons
        ok = (colors >= 0) & (colors <= hi)  # also False for NaN
        if not ok.all():
            flat = _first(~ok.reshape(-1), None if keep is None else np.repeat(keep, 3))
            if flat >= 0:
                row, ch = divmod(flat, 3)
                scale = "[0, 1] for float colours" if hi == 1.0 else "0..255"
                raise ValidationError(
                    f"must be within {scale}", value=colors[row, ch].item(), path=where(row, ch)
                )


def _check_categories(
    cats: np.ndarray,
    where: Callable[[int], Path],
    labels: Mapping[int, str] | None,
    keep: np.ndarray | None,
) -> None:
    if cats.shape[0] == 0:
        return
    if cats.dtype.kind == "f":
        bad = ~((cats >= 0) & (np.floor(cats) == cats))
    elif cats.dtype.kind == "i":
        bad = cats < 0
    else:
        bad = None
    if bad is not None and bad.any():
        i = _first(bad, keep)
        if i >= 0:
            raise ValidationError(
                "category must be a non-negative integer", value=cats[i].item(), path=where(i)
            )
    if labels is not None:
        ids = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
        bad = ~np.isin(cats, ids)
        if bad.any():
            i = _first(bad, keep)
            if i >= 0:
                shown = ", ".join(str(k) for k in sorted(labels)[:10]) + (
                    ", ..." if len(labels) > 10 else ""
                )
                raise ValidationError(
                    f"category must be an id in class_labels ({shown})",
                    value=cats[i].item(),
                    path=where(i),
                )


def check_class_labels(value: Any, path: Path = ("class_labels",)) -> dict[int, str] | None:
    """``{id: name}`` by the one class-set rule (a mapping, a list of names, ...); ``None`` stays ``None``."""
    return class_labels(value, path)


def check_packed(
    value: Any, path: Path, *, drop_nonfinite: bool, class_labels: Mapping[int, str] | None
) -> tuple[np.ndarray, int]:
    """Validate an (N, 3) xyz, (N, 4) xyz + category or (N, 6) xyz + rgb array.

    Returns the array to store (the input itself, viewed read-only, unless rows
    were dropped or byte order changed) and the number of rows dropped.
    """
    arr = as_array(value, path, what="an (N, 3), (N, 4) or (N, 6) array of points")
    if arr.ndim != 2 or arr.shape[1] not in _PACKED_WIDTHS:
        raise ValidationError(
            f"must have shape (N, 3), (N, 4) or (N, 6), got {arr.shape}", path=path
        )
    _real(arr, path)
    arr = little(arr)
    if arr.shape[0] == 0:
        return readonly(arr), 0
    lo, hi = column_ranges(arr)
    keep = _check_xyz(arr[:, :3], path, drop_nonfinite, lo[:3], hi[:3])
    if arr.shape[1] == 4:
        _check_categories(arr[:, 3], lambda i: path + (i, 3), class_labels, keep)
    elif class_labels is not None:
        raise ValidationError(
            "class_labels needs category ids: an (N, 4) array", path=("class_labels",)
        )
    if arr.shape[1] == 6:
        check_colors(
            arr[:, 3:6],
            lambda i, c: path + (i, 3 + c),
            keep,
            unit_floats=False,
            ranges=(lo[3:], hi[3:]),
        )
    dropped = 0
    if keep is not None:
        arr = arr[keep]
        dropped = int(keep.shape[0] - arr.shape[0])
    return readonly(arr), dropped


def _check_xyz(
    xyz: np.ndarray, path: Path, drop_nonfinite: bool, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray | None:
    mask = _finite_rows(xyz, lo, hi)
    if mask is None or drop_nonfinite:
        return mask
    i = int(np.flatnonzero(~mask)[0])
    raise ValidationError("coordinates must be finite", value=xyz[i].tolist(), path=path + (i,))


def check_columns(
    xyz: Any,
    colors: Any,
    categories: Any,
    class_labels: Mapping[int, str] | None,
    *,
    drop_nonfinite: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, int]:
    """Validate the columnar form: xyz (N, 3), colors (N, 3), categories (N,)."""
    pts = as_array(xyz, ("xyz",), what="an (N, 3) array of coordinates")
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise ValidationError(f"must have shape (N, 3), got {pts.shape}", path=("xyz",))
    _real(pts, ("xyz",))
    pts = little(pts)
    n = pts.shape[0]
    keep = _check_xyz(pts, ("xyz",), drop_nonfinite, *column_ranges(pts)) if n else None
    col = cat = None
    if colors is not None:
        col = as_array(colors, ("colors",), what="an (N, 3) array of colours")
        if col.shape != (n, 3):
            raise ValidationError(
                f"must have shape ({n}, 3) to match xyz, got {col.shape}", path=("colors",)
            )
        _real(col, ("colors",))
        check_colors(col, lambda i, c: ("colors", i, c), keep, unit_floats=True)
        col = little(col) if col.dtype.kind == "f" else col.astype(np.uint8)
    if categories is not None:
        cat = as_array(categories, ("categories",), what="an (N,) array of category ids")
        if cat.shape != (n,):
            raise ValidationError(
                f"must have shape ({n},) to match xyz, got {cat.shape}", path=("categories",)
            )
        _real(cat, ("categories",))
        _check_categories(cat, lambda i: ("categories", i), class_labels, keep)
        cat = cat.astype(np.int64) if cat.dtype.kind == "f" else little(cat)
    elif class_labels is not None:
        raise ValidationError("class_labels needs categories", path=("class_labels",))
    dropped = 0
    if keep is not None:
        pts = pts[keep]
        col = None if col is None else col[keep]
        cat = None if cat is None else cat[keep]
        dropped = n - int(pts.shape[0])
    return (
        readonly(pts),
        None if col is None else readonly(col),
        None if cat is None else readonly(cat),
        dropped,
    )


# ---------------------------------------------------------------------- wire
def encode_array(arr: np.ndarray, store: Store) -> dict[str, Any]:
    """A small array inline (``{"dtype", "shape", "data"}``), a larger one as an ``.npy`` sidecar."""
    if store.wants_inline(arr.nbytes):
        return {
            "dtype": _DTYPES[arr.dtype.str],
            "shape": list(arr.shape),
            "data": arr.reshape(-1).tolist(),
        }
    return store.put_array(arr)


def decode_array(doc: Any, store: Store, path: Path, ndim: int) -> np.ndarray:
    """Read what :func:`encode_array` wrote at ``path`` in the document; ``FormatError`` for anything else."""
    if not isinstance(doc, Mapping):
        raise FormatError(f"must be an array object, got {type(doc).__name__}", path=path)
    if "path" in doc:
        arr = store.get_array(
            doc, mmap=isinstance(doc.get("size"), int) and doc["size"] >= MMAP_MIN_BYTES
        )
        if arr.dtype.str not in _DTYPES:
            raise FormatError(f"has unsupported dtype {arr.dtype}", path=path)
    else:
        dtype, shape, data = doc.get("dtype"), doc.get("shape"), doc.get("data")
        if dtype not in _DTYPES.values():
            raise FormatError(
                f"must be one of {', '.join(_DTYPES.values())}", value=dtype, path=path + ("dtype",)
            )
        if (
            not isinstance(shape, list)
            or len(shape) > 8
            or not all(
                isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**40 for s in shape
            )
        ):
            raise FormatError(
                "must be a list of non-negative integers", value=shape, path=path + ("shape",)
            )
        count = math.prod(shape)  # Python ints: no overflow
        if not isinstance(data, list) or len(data) != count:
            raise FormatError(
                f"must be a list of prod(shape) = {count} numbers", path=path + ("data",)
            )
        try:
            arr = np.asarray(data, dtype=dtype).reshape(shape)
        except (TypeError, ValueError, OverflowError) as exc:
            raise FormatError(
                f"must hold {dtype} numbers ({type(exc).__name__})", path=path + ("data",)
            ) from None
    if arr.ndim != ndim:
        raise FormatError(f"must be {ndim}-D, got shape {arr.shape}", path=path)
    return readonly(arr)


def labels_to_json(labels: Mapping[int, str] | None) -> dict[str, str] | None:
    return None if labels is None else {str(k): v for k, v in labels.items()}


def labels_from_json(doc: Any) -> dict[int, str] | None:
    if doc is None:
        return None
    if not isinstance(doc, Mapping) or not all(
        isinstance(k, str) and k.isdigit() and isinstance(v, str) for k, v in doc.items()
    ):
        raise FormatError("must map decimal id strings to names", path=("class_labels",))
    return dict(sorted((int(k), v) for k, v in doc.items()))
