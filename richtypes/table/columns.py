"""Table columns: column types, vectorized cell coercion, and the column wire codec.

Private to :mod:`richtypes.table`. A column is held as a :class:`Column`: a
:class:`ColumnType`, a row count, the values (a numpy array for numeric, bool
and array columns, a list for ``str`` and media columns, nothing for ``null``)
and, for optional columns, a boolean validity mask. Invalid (null) rows hold a
canonical fill value (0, ``False``, ``""``, zeros or ``None``) so equality can
compare whole arrays.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import msgpack
import numpy as np

from ..core.errors import FormatError, PathKey, ValidationError
from ..core.media import Media, decode_envelope, registered_types
from ..store.local import Store

#: The most rows a table may hold (add_data, constructors and readers raise past it).
MAX_ROWS = 100_000_000
#: The most columns a table may hold.
MAX_COLUMNS = 4096

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
_NONFINITE_TEXT = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}
_UNSUPPORTED = "unsupported cell type {} (use int, float, bool, str, None, a numeric numpy array or a richtypes media object)"


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


def check_cell(
    cur: ColumnType | None, declared: bool, cell: Any, path: Sequence[PathKey]
) -> tuple[ColumnType, Any]:
    """add_data's slow path: validate one cell; return the column's new type and the cell to store."""
    ct = cell_type(cell)
    if ct is None:
        raise ValidationError(_UNSUPPORTED.format(type(cell).__name__), value=cell, path=path)
    new = cur if declared else unify(cur, ct)
    if new is None or (declared and not fits(cur, ct)):  # type: ignore[arg-type]
        raise ValidationError(f"does not fit column type {cur.name}", value=cell, path=path)  # type: ignore[union-attr]
    if ct.kind == "int":
        if new.kind == "float":  # type: ignore[union-attr]
            _check_float_range(cell, path)
        elif not I64_MIN <= cell <= I64_MAX:
            raise ValidationError("is outside the int64 range", value=cell, path=path)
    if ct.kind == "str":
        cell = str(cell)
        if not cell.isascii():
            _check_utf8(cell, path)
    elif ct.kind == "array" and type(cell) is not np.ndarray:
        cell = np.asarray(cell)
    return new, cell  # type: ignore[return-value]


def _check_float_range(cell: Any, path: Sequence[PathKey]) -> None:
    try:
        float(cell)
    except OverflowError:
        raise ValidationError("is outside the float64 range", value=cell, path=path) from None


def _check_utf8(text: str, path: Sequence[PathKey]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "is not valid Unicode (lone surrogate)", value=text, path=path
        ) from None


# -------------------------------------------------------------------- columns
class Column:
    """One column's finalized values (see the module docstring)."""

    __slots__ = ("ctype", "n", "values", "valid")

    def __init__(self, ctype: ColumnType, n: int, values: Any, valid: np.ndarray | None) -> None:
        for arr in (values, valid):
            if isinstance(arr, np.ndarray):
                arr.flags.writeable = False
        self.ctype, self.n, self.values, self.valid = ctype, n, values, valid

    def to_list(self) -> list[Any]:
        """Python cells: scalars, ``str``, array rows, media objects, ``None`` for null rows."""
        kind = self.ctype.kind
        if kind == "null":
            return [None] * self.n
        if kind in ("str", "media"):
            out = list(self.values)
        elif kind == "array":
            out = list(self.values)
        else:
            out = self.values.tolist()
        if self.valid is not None:
            for i in np.flatnonzero(~self.valid).tolist():
                out[i] = None
        return out

    def nbytes(self, budget: int = 2**62) -> int:
        """About how many bytes the values take inline (at least ``budget + 1`` when over it)."""
        kind = self.ctype.kind
        total = 0 if self.valid is None else self.n
        if kind == "str":
            if 3 * self.n > budget:  # each string costs >= 3 bytes in JSON ("",)
                return 3 * self.n + total
            return total + sum(map(len, self.values)) + 3 * self.n
        if isinstance(self.values, np.ndarray):
            return total + self.values.nbytes
        return total


def empty_values(ct: ColumnType, n: int) -> Any:
    """``n`` fill values of a column type."""
    if ct.kind in ("int", "float", "bool", "array"):
        return np.zeros((n,) + ct.shape, ct.np_dtype)
    if ct.kind == "str":
        return [""] * n
    if ct.kind == "media":
        return [None] * n
    return None


def widen(col: Column, ct: ColumnType) -> Column:
    """``col`` converted to the wider type ``ct`` (null -> optional[X], X -> optional[X], int -> float ...)."""
    if col.ctype == ct:
        return col
    n = col.n
    if col.ctype.kind == "null":
        return Column(ct, n, empty_values(ct, n), np.zeros(n, bool) if ct.optional else None)
    values = col.values
    if isinstance(values, np.ndarray) and values.dtype != ct.np_dtype:
        values = values.astype(ct.np_dtype)
    valid = col.valid if col.valid is not None else (np.ones(n, bool) if ct.optional else None)
    return Column(ct, n, values, valid)


def concat(a: Column, b: Column) -> Column:
    """Two columns of the same type, one after the other."""
    if a.n == 0:
        return b
    if b.n == 0:
        return a
    if isinstance(a.values, np.ndarray):
        values = np.concatenate([a.values, b.values])
    elif a.values is None:
        values = None
    else:
        values = a.values + b.values
    valid = None if a.valid is None else np.concatenate([a.valid, b.valid])
    return Column(a.ctype, a.n + b.n, values, valid)


def convert(cells: list[Any], ct: ColumnType) -> Column:
    """Cells already known to fit ``ct`` as a Column (vectorized; overflow raises OverflowError)."""
    n = len(cells)
    if ct.kind == "null":
        return Column(ct, n, None, None)
    valid = None
    if ct.optional:
        valid = np.fromiter(map(operator.is_not, cells, itertools.repeat(None)), bool, n)
    kind = ct.kind
    if kind == "media":
        return Column(ct, n, list(cells), valid)
    if kind == "array":
        values = empty_values(ct, n)
        idx = range(n) if valid is None else np.flatnonzero(valid).tolist()
        if len(idx):
            values[idx] = np.stack([cells[i] for i in idx]).astype(ct.dtype, copy=False)
        return Column(ct, n, values, valid)
    if valid is not None and not valid.all():
        objs = np.empty(n, dtype=object)
        objs[:] = cells
        objs[~valid] = "" if kind == "str" else 0
        cells = objs.tolist() if kind == "str" else objs  # type: ignore[assignment]
    if kind == "str":
        return Column(ct, n, list(cells), valid)
    return Column(ct, n, np.asarray(cells, dtype=ct.np_dtype), valid)


def infer_cells(cells: list[Any], name: str, declared: ColumnType | None) -> Column:
    """Infer (or check against ``declared``) one column's type from a list of cells, once, then convert it."""
    py_types = set(map(type, cells))
    if py_types & {np.ndarray, list, tuple}:
        cell_types = set(map(cell_type, cells))
    else:
        cell_types = {cell_type_of_type(t) for t in py_types}
    if None in cell_types:
        _first_bad(cells, name, None, declared)
    if declared is not None:
        ct: ColumnType | None = declared
        if not all(fits(declared, c) for c in cell_types):  # type: ignore[arg-type]
            _first_bad(cells, name, None, declared)
    else:
        ct = None
        for c in sorted(cell_types, key=_order):  # type: ignore[arg-type]
            ct = unify(ct, c)  # type: ignore[arg-type]
            if ct is None:
                _first_bad(cells, name, None, None)
        ct = ct or NULL
    if ct.kind == "str" and (py_types - {str, type(None)}):  # type: ignore[union-attr]
        cells = [c if c is None else str(c) for c in cells]
    if ct.kind == "str" and not all(map(str.isascii, filter(None, cells))):  # type: ignore[union-attr]
        for i, c in enumerate(cells):
            if c is not None:
                _check_utf8(c, ("data", i, name))
    try:
        return convert(cells, ct)  # type: ignore[arg-type]
    except OverflowError:
        _first_bad(cells, name, ct, declared, overflow=True)
        raise  # pragma: no cover - _first_bad always raises


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


def _first_bad(
    cells: list[Any],
    name: str,
    ct: ColumnType | None,
    declared: ColumnType | None,
    overflow: bool = False,
) -> None:
    """Error path only: walk the cells in order and raise for the first one that does not fit."""
    cur = declared
    for i, cell in enumerate(cells):
        path = ("data", i, name)
        if overflow:
            limit_ok = (
                cell is None
                or not isinstance(cell, (int, np.integer))
                or I64_MIN <= cell <= I64_MAX
            )
            if ct is not None and ct.kind == "float" and isinstance(cell, int):
                _check_float_range(cell, path)
                continue
            if not limit_ok:
                raise ValidationError("is outside the int64 range", value=cell, path=path)
            continue
        cur, _ = check_cell(cur, declared is not None, cell, path)
    raise AssertionError("no bad cell found")  # pragma: no cover


def column_from_array(arr: np.ndarray, name: str, declared: ColumnType | None) -> Column:
    """A column from a numpy array: 1-D numeric/bool/str, N-D numeric (array cells) or object (cells)."""
    if arr.dtype.kind == "O" and arr.ndim == 1:
        return infer_cells(list(arr), name, declared)
    if arr.ndim == 0:
        raise ValidationError(
            "must be a sequence of cells, not a scalar", value=arr, path=("columns", name)
        )
    if arr.dtype.kind == "U" and arr.ndim == 1:
        return infer_cells(arr.tolist(), name, declared)
    if arr.dtype.kind not in "biuf":
        raise ValidationError(f"unsupported column dtype {arr.dtype}", path=("columns", name))
    n = arr.shape[0]
    if arr.ndim > 1:
        ct = ColumnType("array", dtype=arr.dtype.newbyteorder("="), shape=arr.shape[1:])
    else:
        ct = BOOL if arr.dtype.kind == "b" else INT if arr.dtype.kind in "iu" else FLOAT
    if declared is not None:
        if not fits(declared, ct) and not (declared.kind == "float" and ct.kind == "int"):
            raise ValidationError(
                f"does not fit column type {declared.name}",
                value=arr[0] if n else arr,
                path=("data", 0, name),
            )
        ct = declared
    if ct.kind == "int" and arr.dtype == np.uint64 and n:
        bad = np.flatnonzero(arr > I64_MAX)
        if bad.size:
            raise ValidationError(
                "is outside the int64 range",
                value=int(arr[bad[0]]),
                path=("data", int(bad[0]), name),
            )
    values = np.array(arr, dtype=ct.np_dtype, copy=True)
    return Column(ct, n, values, np.ones(n, bool) if ct.optional else None)


# ---------------------------------------------------------------------- wire
def encode_column(col: Column, name: str, store: Store, sidecar: bool) -> dict[str, Any]:
    """One column's wire form (see the table schema)."""
    out: dict[str, Any] = {"name": name, "type": col.ctype.name}
    kind = col.ctype.kind
    if kind == "null":
        return out
    if kind == "media":
        out["values"] = [None if c is None else c.to_json(store) for c in col.values]
    elif not sidecar:
        out["values"] = _inline_list(col.values.reshape(-1)) if kind != "str" else list(col.values)
    elif kind == "str":
        out["values"] = store.put_bytes(msgpack.packb(col.values, use_bin_type=True), "msgpack")
    else:
        out["values"] = store.put_array(col.values)
    if col.valid is not None:
        out["valid"] = (
            store.put_array(col.valid) if sidecar and kind != "media" else col.valid.tolist()
        )
    return out


def _inline_list(flat: np.ndarray) -> list[Any]:
    out = flat.tolist()
    if flat.dtype.kind == "f":
        for i in np.flatnonzero(~np.isfinite(flat)).tolist():
            v = out[i]
            out[i] = "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return out


def decode_column(doc: Any, nrows: int, store: Store, where: str) -> tuple[str, Column, bool]:
    """Rebuild one column from its wire form; returns (name, column, whether it used sidecars)."""
    if not isinstance(doc, Mapping):
        raise FormatError(f"{where} must be an object, got {type(doc).__name__}")
    extra = set(doc) - {"name", "type", "values", "valid"}
    if extra:
        raise FormatError(f"{where} has unknown fields {sorted(extra)}")
    name, text = doc.get("name"), doc.get("type")
    if not isinstance(name, str) or not isinstance(text, str):
        raise FormatError(f"{where} needs a string 'name' and 'type'")
    ct = parse_type(text)
    if ct is None:
        raise FormatError(f"{where}: unknown column type {text!r}")
    if ct.kind == "null":
        if "values" in doc or "valid" in doc:
            raise FormatError(f"{where}: a null column has no values")
        return name, Column(ct, nrows, None, None), False
    if "values" not in doc:
        raise FormatError(f"{where}: missing field 'values'")
    values, sidecar = _decode_values(doc["values"], ct, nrows, store, where)
    valid = None
    if ct.optional:
        if "valid" not in doc:
            raise FormatError(f"{where}: an optional column needs 'valid'")
        raw = doc["valid"]
        if isinstance(raw, list):
            _check_len(raw, nrows, where + ".valid")
            _check_types(raw, {bool}, where + ".valid")
            valid = np.asarray(raw, dtype=bool) if raw else np.zeros(0, bool)
        else:
            valid = _decode_array(raw, np.dtype(bool), (nrows,), store, where + ".valid")
    elif "valid" in doc:
        raise FormatError(f"{where}: only an optional column has 'valid'")
    if ct.kind == "media":
        present = np.fromiter(map(operator.is_not, values, itertools.repeat(None)), bool, nrows)
        if not np.array_equal(present, valid if valid is not None else np.ones(nrows, bool)):
            raise FormatError(f"{where}: media cells must be null exactly where 'valid' is false")
    elif valid is not None and not valid.all():
        values = _canonical_fill(values, valid, ct)
    return name, Column(ct, nrows, values, valid), sidecar


def _canonical_fill(values: Any, valid: np.ndarray, ct: ColumnType) -> Any:
    invalid = np.flatnonzero(~valid)
    if ct.kind == "str":
        if any(values[i] for i in invalid.tolist()):
            values = list(values)
            for i in invalid.tolist():
                values[i] = ""
        return values
    if np.any(values[invalid]):
        values = values.copy()
        values[invalid] = 0
    return values


def _decode_values(
    raw: Any, ct: ColumnType, nrows: int, store: Store, where: str
) -> tuple[Any, bool]:
    kind = ct.kind
    if kind == "media":
        if not isinstance(raw, list):
            raise FormatError(f"{where}: media values must be a list of envelopes")
        _check_len(raw, nrows, where + ".values")
        cells: list[Media | None] = []
        for i, env in enumerate(raw):
            if env is None:
                cells.append(None)
                continue
            if not isinstance(env, Mapping) or env.get("_type") != ct.media:
                raise FormatError(f"{where}.values[{i}] must be a {ct.media!r} envelope or null")
            cells.append(decode_envelope(env, store))
        return cells, False
    if isinstance(raw, list):
        return _decode_inline(raw, ct, nrows, where + ".values"), False
    if kind == "str":
        return _decode_strings(raw, nrows, store, where + ".values"), True
    return _decode_array(raw, ct.np_dtype, (nrows,) + ct.shape, store, where + ".values"), True  # type: ignore[arg-type]


def _decode_inline(raw: list[Any], ct: ColumnType, nrows: int, where: str) -> Any:
    if ct.kind == "str":
        _check_len(raw, nrows, where)
        _check_types(raw, {str}, where)
        return raw
    count = nrows * int(np.prod(ct.shape, dtype=np.int64))
    _check_len(raw, count, where)
    dtype: np.dtype = ct.np_dtype  # type: ignore[assignment]
    if dtype.kind == "b":
        _check_types(raw, {bool}, where)
    elif dtype.kind in "iu":
        _check_types(raw, {int}, where)
    else:
        found = _check_types(raw, {int, float, str}, where)
        if str in found:
            texts = [v for v in raw if type(v) is str]
            if not set(texts) <= _NONFINITE_TEXT.keys():
                raise FormatError(
                    f"{where}: strings in a float column must be NaN, Infinity or -Infinity"
                )
            raw = [_NONFINITE_TEXT[v] if type(v) is str else v for v in raw]
    try:
        arr = np.asarray(raw, dtype=dtype) if raw else np.zeros(0, dtype)
    except OverflowError:
        raise FormatError(f"{where}: a value is outside the {dtype} range") from None
    return arr.reshape((nrows,) + ct.shape)


def _check_len(raw: list[Any], n: int, where: str) -> None:
    if len(raw) != n:
        raise FormatError(f"{where} has {len(raw)} items, expected {n}")


def _check_types(raw: list[Any], allowed: set[type], where: str) -> set[type]:
    found = set(map(type, raw))
    if not found <= allowed:
        names = "/".join(sorted(t.__name__ for t in allowed))
        raise FormatError(
            f"{where} must hold only {names} values, found {sorted(t.__name__ for t in found - allowed)}"
        )
    return found


def _decode_array(
    ref: Any, dtype: np.dtype, shape: tuple[int, ...], store: Store, where: str
) -> np.ndarray:
    if not isinstance(ref, Mapping) or ref.get("format") != "npy":
        raise FormatError(f"{where} must be a list or an npy sidecar reference")
    arr = store.get_array(ref)
    if arr.dtype != dtype.newbyteorder("<") or arr.shape != shape:
        raise FormatError(
            f"{where}: expected an array of {dtype} with shape {shape}, got {arr.dtype} {arr.shape}"
        )
    return arr


def _decode_strings(ref: Any, nrows: int, store: Store, where: str) -> list[str]:
    if not isinstance(ref, Mapping) or ref.get("format") != "msgpack":
        raise FormatError(f"{where} must be a list or a msgpack sidecar reference")
    data = store.get_bytes(ref)
    try:
        cells = msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            max_str_len=len(data),
            max_array_len=nrows,
            max_bin_len=0,
            max_map_len=0,
            max_ext_len=0,
            use_list=True,
        )
    except (ValueError, msgpack.UnpackException, UnicodeDecodeError) as exc:
        raise FormatError(f"{where}: not a valid msgpack list of strings ({exc})") from None
    if not isinstance(cells, list):
        raise FormatError(f"{where}: the msgpack block must hold a list of strings")
    _check_len(cells, nrows, where)
    _check_types(cells, {str}, where)
    return cells
