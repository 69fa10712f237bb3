"""Wire spellings every type shares: non-finite floats and inline arrays.

One home for each rule, so no type spells them its own way:

- **Non-finite floats.** Inside a typed list of numbers (a float column, an
  inline array, box scores) NaN and the infinities are the strings ``"NaN"``,
  ``"Infinity"`` and ``"-Infinity"``; where a slot can hold any JSON value (a
  logged nest, summary) the same text is wrapped in the ``float`` envelope,
  ``{"_type": "float", "_version": 1, "value": "NaN"}``, so a string stays a
  string. Standard JSON has no NaN, and these are the names JavaScript's
  ``Number()`` reads back.
- **Inline arrays.** A small array that stands alone is ``{"dtype": "float32",
  "shape": [2, 3], "data": [...]}`` with ``data`` flat in C order; an array whose
  dtype and shape the document already states (a typed table column) writes only
  the flat ``data`` list. Either way the elements are spelled by
  :func:`to_list` and read by :func:`from_list`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import FormatError, PathKey

__all__ = [
    "NONFINITE",
    "float_text",
    "to_list",
    "from_list",
    "INLINE_DTYPES",
    "inline_array",
    "array_from_inline",
]

#: The text of each non-finite float, and back.
NONFINITE: dict[str, float] = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
#: dtypes an inline array may have (by name).
INLINE_DTYPES = (
    "bool",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
)
_MAX_NDIM = 32


def float_text(value: float) -> str:
    """The wire text of a non-finite float (``"NaN"``, ``"Infinity"``, ``"-Infinity"``)."""
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def to_list(arr: np.ndarray) -> list[Any]:
    """The flat JSON list of an array's elements, non-finite floats spelled as text.

    >>> to_list(np.array([[1.5, np.nan], [np.inf, 0]]))
    [1.5, 'NaN', 'Infinity', 0.0]
    """
    flat = np.asarray(arr).reshape(-1)
    out: list[Any] = flat.tolist()
    if flat.dtype.kind in "fc" and flat.size and not np.isfinite(flat).all():
        for i in np.flatnonzero(~np.isfinite(flat)).tolist():
            out[i] = float_text(out[i])
    return out


def from_list(
    values: Any, dtype: np.dtype | str, count: int, path: Sequence[PathKey]
) -> np.ndarray:
    """Read a flat list that :func:`to_list` wrote: exactly ``count`` elements of ``dtype``.

    Booleans must be JSON booleans, integers JSON integers within the dtype's
    range, floats JSON numbers or the non-finite texts. Anything else is a
    :class:`~richtypes.FormatError` at ``path`` (or at the first bad element).
    """
    where = tuple(path)
    dtype = np.dtype(dtype)
    if not isinstance(values, list):
        raise FormatError("must be a list", value=type(values).__name__, path=where)
    if len(values) != count:
        raise FormatError(f"must hold {count} values", value=len(values), path=where)
    if dtype.kind == "b":
        ok: tuple[type, ...] = (bool,)
    elif dtype.kind in "iu":
        ok = (int,)
    else:
        ok = (int, float, str)
    kinds = set(map(type, values))
    if not kinds <= set(ok):
        for i, v in enumerate(values):
            if type(v) not in ok:
                raise FormatError(f"must be a {dtype} value", value=v, path=where + (i,))
    if str in kinds:
        values = list(values)
        for i, v in enumerate(values):
            if type(v) is str:
                if v not in NONFINITE:
                    raise FormatError(
                        "text in a list of numbers must be NaN, Infinity or -Infinity",
                        value=v,
                        path=where + (i,),
                    )
                values[i] = NONFINITE[v]
    if not values:
        return np.zeros(0, dtype)
    try:
        with np.errstate(over="raise", invalid="raise"):
            arr = np.asarray(values, dtype=dtype)
    except (OverflowError, FloatingPointError, ValueError):
        raise FormatError(
            f"a value is outside the {dtype} range", path=where
        ) from None  # errstate: no silent inf
    return arr


def inline_array(arr: np.ndarray) -> dict[str, Any]:
    """A small standalone array as ``{"dtype", "shape", "data"}``.

    >>> inline_array(np.arange(4, dtype=np.uint8).reshape(2, 2))
    {'dtype': 'uint8', 'shape': [2, 2], 'data': [0, 1, 2, 3]}
    """
    if arr.dtype.name not in INLINE_DTYPES:
        raise TypeError(f"arrays of {arr.dtype} have no inline form")
    return {"dtype": arr.dtype.name, "shape": list(arr.shape), "data": to_list(arr)}


def array_from_inline(
    doc: Any, path: Sequence[PathKey], *, max_elements: int = 1 << 24
) -> np.ndarray:
    """Read what :func:`inline_array` wrote (read-only), bounding the element count first."""
    where = tuple(path)
    if not isinstance(doc, Mapping):
        raise FormatError("must be an inline array object", value=type(doc).__name__, path=where)
    dtype, shape = doc.get("dtype"), doc.get("shape")
    if dtype not in INLINE_DTYPES:
        raise FormatError(
            f"must be one of {', '.join(INLINE_DTYPES)}", value=dtype, path=where + ("dtype",)
        )
    if (
        not isinstance(shape, list)
        or len(shape) > _MAX_NDIM
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape)
    ):
        raise FormatError(
            "must be a list of non-negative integers", value=shape, path=where + ("shape",)
        )
    count = math.prod(shape)
    if count > max_elements:
        raise FormatError(
            f"an inline array holds at most {max_elements} values",
            value=count,
            path=where + ("shape",),
        )
    arr = from_list(doc.get("data"), dtype, count, where + ("data",)).reshape(shape)
    arr.flags.writeable = False
    return arr
