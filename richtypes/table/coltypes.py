"""Table column types: what a column may hold, parsed from and printed as text, and what a cell implies.

Private to :mod:`richtypes.table`. A :class:`ColumnType` is a kind (``int``,
``float``, ``bool``, ``str``, ``array``, ``media``, ``null``) with its
parameters; :func:`unify` and :func:`fits` decide how cells widen a column or
fit a declared one.
"""

from __future__ import annotations

import re
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

    kind: str  # "null", "int", "float", "bool", "str", "array", "media"
    optional: bool = False
    dtype: np.dtype | None = None  # the element dtype of an "array" column
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
        else:
            base = self.kind
        return f"optional[{base}]" if self.optional else base

    @property
    def np_dtype(self) -> np.dtype | None:
        return _SCALAR_DTYPES.get(self.kind, self.dtype)


NULL = ColumnType("null")
INT = ColumnType("int")
FLOAT = ColumnType("float")
BOOL = ColumnType("bool")
STR = ColumnType("str")
_SCALAR_DTYPES = {"int": np.dtype(np.int64), "float": np.dtype(np.float64), "bool": np.dtype(bool)}
_BY_NAME = {"null": NULL, "int": INT, "float": FLOAT, "bool": BOOL, "str": STR}
_ARRAY_RE = re.compile(r"^array\[([a-z0-9]+),\(((?:\d+,)*\d*)\)\]$")
_MEDIA_RE = re.compile(r"^media:([A-Za-z0-9_.\-]+)$")
TYPE_HELP = "int, float, bool, str, null, optional[...], array[<dtype>,(<shape>)] or media:<type>"


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
            found = ColumnType("array", dtype=dtype, shape=shape)
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
    if spec in (int, float, bool, str):
        return _BY_NAME[spec.__name__]
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
    elif a.kind == b.kind == "array" and a.shape == b.shape:
        result = replace(base_a, dtype=np.result_type(a.dtype, b.dtype))
    else:
        return None
    return replace(result, optional=a.optional or b.optional)


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
    if declared.kind == "float" and ct.kind == "int":
        return True
    return declared.kind == ct.kind and declared.media == ct.media


def fast_types(ct: ColumnType | None) -> frozenset:
    """Python types whose cells fit ``ct`` without changing it or being converted (add_data's fast path)."""
    if ct is None:
        return frozenset()
    slow = (
        np.str_,
        np.uint64,
    )  # converted (np.str_) or range-checked (uint64 > int64 max) in check_cell
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
