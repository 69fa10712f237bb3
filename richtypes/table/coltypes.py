"""Table column types: what a column may hold, parsed from and printed as text, and what a cell implies.

Private to :mod:`richtypes.table`. A :class:`ColumnType` is a kind (``int``,
``float``, ``bool``, ``str``, ``array``, ``media``, ``null``; since table wire
version 2 also ``complex``, ``timestamp``, ``json`` and ``ragged``) with its
parameters; :func:`unify` and :func:`fits` decide how cells widen a column or
fit a declared one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..core.media import Media, registered_types

#: The most rows a table may hold (add_data, constructors and readers raise past it).
MAX_ROWS = 100_000_000
#: The most columns a table may hold.
MAX_COLUMNS = 4096

I64_MIN, I64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class ColumnType:
    """The type of one column; ``name`` is its text form (``"optional[int]"``)."""

    kind: str  # "null", "int", "float", "bool", "str", "array", "media" (v1); "complex", "timestamp", "json", "ragged" (v2)
    optional: bool = False
    dtype: np.dtype | None = None  # the element dtype of an "array" or "ragged" column
    shape: tuple[int, ...] = ()  # the cell shape of an "array" column
    media: str = ""  # the _type of a "media" column

    @property
    def base(self) -> ColumnType:
        return replace(self, optional=False) if self.optional else self

    @property
    def name(self) -> str:
        if self.kind == "array":
            dims = ",".join(map(str, self.shape)) + ("," if len(self.shape) == 1 else "")
            base = f"array[{self.dtype.name},({dims})]"  # type: ignore[union-attr]
        elif self.kind == "media":
            base = f"media:{self.media}"
        elif self.kind == "ragged":
            base = f"ragged[{self.dtype.name}]"  # type: ignore[union-attr]
        else:
            base = self.kind
        return f"optional[{base}]" if self.optional else base

    @property
    def np_dtype(self) -> np.dtype | None:
        return _SCALAR_DTYPES.get(self.kind, self.dtype)

    @property
    def wire_version(self) -> int:
        """The first table wire version that has this column type."""
        return 2 if self.kind in V2_KINDS else 1


NULL = ColumnType("null")
INT = ColumnType("int")
FLOAT = ColumnType("float")
BOOL = ColumnType("bool")
STR = ColumnType("str")
COMPLEX = ColumnType("complex")
TIMESTAMP = ColumnType("timestamp")
JSON = ColumnType("json")
#: The column kinds table wire version 2 added.
V2_KINDS = frozenset({"complex", "timestamp", "json", "ragged"})
_SCALAR_DTYPES = {
    "int": np.dtype(np.int64),
    "float": np.dtype(np.float64),
    "bool": np.dtype(bool),
    "complex": np.dtype(np.complex128),
    "timestamp": np.dtype("datetime64[us]"),
}
_BY_NAME = {
    "null": NULL,
    "int": INT,
    "float": FLOAT,
    "bool": BOOL,
    "str": STR,
    "complex": COMPLEX,
    "timestamp": TIMESTAMP,
    "json": JSON,
}
#: The most elements (counting non-zero axes) an ``array[...]`` cell type may declare.
MAX_CELL_ELEMENTS = 2**31
_ARRAY_RE = re.compile(r"^array\[([a-z0-9]+),\(((?:\d+,)*\d*)\)\]$")
_RAGGED_RE = re.compile(r"^ragged\[([a-z0-9]+)\]$")
_MEDIA_RE = re.compile(r"^media:([A-Za-z0-9_.\-]+)$")
TYPE_HELP = (
    "int, float, bool, str, complex, timestamp, json, null, optional[...], "
    "array[<dtype>,(<shape>)], ragged[<dtype>] or media:<type>"
)


def parse_type(text: str) -> ColumnType | None:
    """Parse a column type name; ``None`` when it is not one."""
    optional = text.startswith("optional[") and text.endswith("]")
    inner = text[len("optional[") : -1] if optional else text
    found = _BY_NAME.get(inner)
    if found is None:
        match = _ARRAY_RE.match(inner)
        if match:
            try:
                dtype = np.dtype(match.group(1))
            except TypeError:
                return None
            if dtype.kind not in "biuf" or dtype.name != match.group(1):
                return None
            dims = match.group(2)
            if dims and not dims.endswith(",") and "," not in dims:
                return None  # "(3)" is not a tuple; write "(3,)"
            shape = tuple(int(d) for d in dims.split(",") if d)
            if len(shape) > 1 and dims.endswith(","):
                return None
            if math.prod(d for d in shape if d) > MAX_CELL_ELEMENTS:
                return None  # numpy could not hold such cells; counts would overflow int64
            found = ColumnType("array", dtype=dtype, shape=shape)
        elif _RAGGED_RE.match(inner):
            name = _RAGGED_RE.match(inner).group(1)  # type: ignore[union-attr]
            try:
                dtype = np.dtype(name)
            except TypeError:
                return None
            if dtype.kind not in "biuf" or dtype.name != name:
                return None
            found = ColumnType("ragged", dtype=dtype)
        else:
            match = _MEDIA_RE.match(inner)
            if match is None or match.group(1) not in registered_types():
                return None
            found = ColumnType("media", media=match.group(1))
    if optional:
        if found.kind == "null":
            return None
        found = replace(found, optional=True)
    return found


def as_column_type(spec: Any) -> ColumnType | None:
    """A user's dtype spec (a type name, ``int``/``float``/``bool``/``str`` or a Media class) as a ColumnType."""
    if isinstance(spec, ColumnType):
        return spec
    if isinstance(spec, str):
        return parse_type(spec)
    if spec in (int, float, bool, str, complex):
        return _BY_NAME[spec.__name__]
    if spec in (dt.datetime, dt.date, np.datetime64):
        return TIMESTAMP
    if spec is dict:
        return JSON
    if isinstance(spec, type) and issubclass(spec, Media) and spec._type in registered_types():
        return ColumnType("media", media=spec._type)
    return None


# ----------------------------------------------------------------- cell types
_CELL_TYPES: dict[type, ColumnType | None] = {
    type(None): NULL,
    int: INT,
    float: FLOAT,
    bool: BOOL,
    str: STR,
    complex: COMPLEX,
    dt.datetime: TIMESTAMP,
    dt.date: TIMESTAMP,
    np.datetime64: TIMESTAMP,
    dict: JSON,
}


def cell_type(cell: Any) -> ColumnType | None:
    """The column type a single cell implies, or ``None`` for an unsupported cell."""
    t = type(cell)
    try:
        return _CELL_TYPES[t]
    except KeyError:
        pass
    if t is np.ndarray or t is list or t is tuple:
        arr = cell if t is np.ndarray else _try_array(cell)
        if arr is None or arr.dtype.kind not in "biuf":
            return None
        return ColumnType("array", dtype=arr.dtype, shape=arr.shape)
    return cell_type_of_type(t)


def _try_array(cell: Any) -> np.ndarray | None:
    try:
        return np.asarray(cell)
    except (ValueError, TypeError):
        return None


def unify(a: ColumnType | None, b: ColumnType) -> ColumnType | None:
    """The narrowest type holding both (int + float -> float, X + None -> optional[X]); ``None`` if none does."""
    if a is None or a == b:
        return b
    if b.kind == "null":
        return a if a.kind == "null" else replace(a, optional=True)
    if a.kind == "null":
        return replace(b, optional=True)
    base_a, base_b = a.base, b.base
    if base_a == base_b:
        result = base_a
    elif {a.kind, b.kind} == {"int", "float"}:
        result = FLOAT
    elif {a.kind, b.kind} in ({"int", "complex"}, {"float", "complex"}):
        result = COMPLEX
    elif a.kind == b.kind == "array" and a.shape == b.shape:
        result = replace(base_a, dtype=np.result_type(a.dtype, b.dtype))
    elif _one_d(a) and _one_d(b):  # 1-D cells of different lengths: a ragged column
        # an empty cell ([] is float64 to numpy) takes the other's dtype
        dtypes = [t.dtype for t in (a, b) if t.shape != (0,)] or [a.dtype]
        result = ColumnType("ragged", dtype=np.result_type(*dtypes))
    else:
        return None
    return replace(result, optional=a.optional or b.optional)


def _one_d(ct: ColumnType) -> bool:
    return ct.kind == "ragged" or (ct.kind == "array" and len(ct.shape) == 1)


def fits(declared: ColumnType, ct: ColumnType) -> bool:
    """Whether a cell of type ``ct`` fits a column declared ``declared`` (no widening)."""
    if ct.kind == "null":
        return declared.optional or declared.kind == "null"
    if declared.kind == "array" and ct.kind == "array":
        assert (
            ct.dtype is not None and declared.dtype is not None
        )  # array column types always carry a dtype
        return ct.shape == declared.shape and bool(
            np.can_cast(ct.dtype, declared.dtype, "same_kind")
        )
    if declared.kind == "ragged" and _one_d(ct):
        if ct.shape == (0,):
            return True  # an empty cell fits any element dtype
        return bool(np.can_cast(ct.dtype, declared.dtype, "same_kind"))  # type: ignore[arg-type]
    if declared.kind == "float" and ct.kind == "int":
        return True
    if declared.kind == "complex" and ct.kind in ("int", "float"):
        return True
    return declared.kind == ct.kind and declared.media == ct.media


def fast_types(ct: ColumnType | None) -> frozenset:
    """Python types whose cells fit ``ct`` without changing it or being converted (add_data's fast path)."""
    if ct is None:
        return frozenset()
    # converted (np.str_, dates and times, dicts) or range-checked (uint64 > int64 max) in check_cell
    slow = (np.str_, np.uint64, dt.datetime, dt.date, np.datetime64, dict)
    found = {
        t
        for t, c in _CELL_TYPES.items()
        if c is not None and c.kind != "null" and c == ct.base and t not in slow
    }
    if ct.optional or ct.kind == "null":
        found.add(type(None))
    return frozenset(found)


def cell_type_of_type(t: type) -> ColumnType | None:
    """The column type every cell of Python type ``t`` implies (not for arrays or lists)."""
    if t in _CELL_TYPES:
        return _CELL_TYPES[t]
    if issubclass(t, (bool, np.bool_)):
        found: ColumnType | None = BOOL
    elif issubclass(t, (int, np.integer)):
        found = INT
    elif issubclass(t, (float, np.floating)):
        found = FLOAT
    elif issubclass(t, (complex, np.complexfloating)):
        found = COMPLEX
    elif issubclass(
        t, (dt.date, np.datetime64)
    ):  # datetime is a date; pandas' Timestamp a datetime
        found = TIMESTAMP
    elif issubclass(t, Mapping):
        found = JSON
    elif issubclass(t, str):
        found = STR
    elif issubclass(t, Media) and t._type:
        found = ColumnType("media", media=t._type)
    else:
        return None
    _CELL_TYPES[t] = found
    return found


def _order(ct: ColumnType) -> int:
    return 0 if ct.kind == "null" else 1
