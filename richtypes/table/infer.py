"""Table cell inference: a column's type from its cells (once per column), checked and converted.

Private to :mod:`richtypes.table`. The fast paths look at the set of Python
types in a column; only on an error is each cell walked, to name the first
one that does not fit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..core.errors import PathKey, ValidationError
from .coltypes import (
    BOOL,
    COMPLEX,
    FLOAT,
    I64_MAX,
    I64_MIN,
    INT,
    JSON,
    NULL,
    TIMESTAMP,
    ColumnType,
    _order,
    cell_type,
    cell_type_of_type,
    fits,
    unify,
)
from .columns import Column, convert
from .pickled import PICKLE_MIN, pickled_column

_UNSUPPORTED = (
    "unsupported cell type {} (use int, float, bool, str, complex, None, a date or time, "
    "a dict, a numeric numpy array or list, or a richtypes media object)"
)
_EPOCH = dt.datetime(1970, 1, 1)
_UTC = dt.timezone.utc
_MAX_JSON_DEPTH = 64


def is_nat(cell: Any) -> bool:
    """Whether ``cell`` is a not-a-time (``np.datetime64("NaT")``, ``pd.NaT``): a null cell."""
    return isinstance(cell, (np.datetime64, dt.datetime)) and cell != cell


def timestamp_us(cell: Any, path: Sequence[PathKey]) -> int:
    """A date or time as microseconds since 1970-01-01 UTC.

    Aware datetimes are converted to UTC; naive ones (and dates, at midnight)
    are taken as UTC. Sub-microsecond precision (``datetime64[ns]``, a pandas
    ``Timestamp`` with nanoseconds) is refused rather than cut.
    """
    if isinstance(cell, np.datetime64):
        us = cell.astype("datetime64[us]")
        if us != cell:
            raise ValidationError(_SUB_US, value=cell, path=path)
        value = int(us.astype(np.int64))
        if not US_MIN <= value <= US_MAX:
            raise ValidationError(_OUT_OF_RANGE, value=cell, path=path)
        return value
    if isinstance(cell, dt.datetime):
        if getattr(cell, "nanosecond", 0):
            raise ValidationError(_SUB_US, value=cell, path=path)
        if cell.utcoffset() is not None:
            cell = cell.astimezone(_UTC).replace(tzinfo=None)
        delta = cell.replace(tzinfo=None) - _EPOCH
    else:
        delta = dt.datetime(cell.year, cell.month, cell.day) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_SUB_US = "has sub-microsecond precision (timestamps are stored in microseconds)"
_OUT_OF_RANGE = "must be within the years 1..9999 (what datetime can hold)"
#: The microseconds since 1970 of datetime.min and datetime.max: the range a timestamp cell may take.
US_MIN, US_MAX = -62135596800000000, 253402300799999999


def json_text(cell: Any, path: Sequence[PathKey]) -> str:
    """A dict cell as canonical JSON text (sorted keys, no spaces), after checking it is JSON.

    Keys must be strings; values None, bool, int, finite float, str, lists,
    tuples (read back as lists), dicts or numpy scalars of those.
    """
    return json.dumps(
        _json_value(cell, tuple(path), 0),
        ensure_ascii=False,
        allow_nan=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def _json_value(v: Any, path: tuple[PathKey, ...], depth: int) -> Any:
    if depth > _MAX_JSON_DEPTH:
        raise ValidationError(f"nests deeper than {_MAX_JSON_DEPTH} levels", path=path)
    if v is None or isinstance(v, (bool, int, str)):
        if isinstance(v, str) and not v.isascii():
            _check_utf8(v, path)
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValidationError(
                "must be a finite number (JSON has no NaN or infinity)", value=v, path=path
            )
        return v
    if isinstance(v, np.generic) and v.dtype.kind in "biuf":
        return _json_value(v.item(), path, depth)
    if isinstance(v, Mapping):
        out = {}
        for key, item in v.items():
            if not isinstance(key, str):
                raise ValidationError("keys must be strings", value=key, path=path)
            out[key] = _json_value(item, path + (key,), depth + 1)
        return out
    if isinstance(v, (list, tuple)):
        return [_json_value(item, path + (i,), depth + 1) for i, item in enumerate(v)]
    raise ValidationError(f"cannot be stored as JSON ({type(v).__name__})", value=v, path=path)


def check_cell(
    cur: ColumnType | None, declared: bool, cell: Any, path: Sequence[PathKey]
) -> tuple[ColumnType, Any]:
    """add_data's slow path: validate one cell; return the column's new type and the cell to store."""
    if is_nat(cell):
        cell = None
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
    elif ct.kind == "timestamp":
        cell = timestamp_us(cell, path)
    elif ct.kind == "json":
        cell = json_text(cell, path)
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


def infer_cells(cells: list[Any], name: str, declared: ColumnType | None) -> Column:
    """Infer (or check against ``declared``) one column's type from a list of cells, once, then convert it."""
    if declared is None:
        fast = _plain_numbers(cells)
        if fast is not None:
            return fast
    raw = cells  # errors name the cell as given, not as converted below
    # an identity count (all str, the common case) is ~1.4x faster than building the set
    if cells and type(cells[0]) is str and operator.countOf(map(type, cells), str) == len(cells):
        py_types: set[type] = {str}
    else:
        py_types = set(map(type, cells))
    if py_types & {np.ndarray, list, tuple}:
        cell_types = set(map(cell_type, cells))
    else:
        cell_types = {cell_type_of_type(t) for t in py_types}
    if None in cell_types:
        _first_bad(raw, name, None, declared)
    if TIMESTAMP in cell_types or JSON in cell_types:
        cells = _v2_cells(cells, name)
        if any(c is None for c in cells):  # NaT became None
            cell_types.add(NULL)
    if declared is not None:
        ct: ColumnType | None = declared
        if not all(fits(declared, c) for c in cell_types):  # type: ignore[arg-type]
            _first_bad(raw, name, None, declared)
    else:
        ct = None
        for c in sorted(cell_types, key=_order):  # type: ignore[arg-type]
            ct = unify(ct, c)  # type: ignore[arg-type]
            if ct is None:
                _first_bad(raw, name, None, None)
        ct = ct or NULL
    if ct.kind == "str" and (py_types - {str, type(None)}):  # type: ignore[union-attr]
        cells = [c if c is None else str(c) for c in cells]
    # one C pass over the joined text instead of a call per cell (lone surrogates are never ASCII);
    # the cells are str or None here, so without a None the join needs no filter (~2x faster)
    texts = filter(None, cells) if type(None) in py_types else cells
    if ct.kind == "str" and not "".join(texts).isascii():  # type: ignore[union-attr]
        for i, c in enumerate(cells):
            if c is not None:
                _check_utf8(c, ("data", i, name))
    try:
        return convert(cells, ct)  # type: ignore[arg-type]
    except OverflowError:
        _first_bad(raw, name, ct, declared, overflow=True)
        raise  # pragma: no cover - _first_bad always raises


_NUMBER_TYPES = (int, float, np.integer, np.floating, np.bool_)


def _plain_numbers(cells: list[Any]) -> Column | None:
    """A column of plain numbers or bools in one numpy pass, or ``None`` when in doubt (the slow path decides).

    ``np.array`` discovers the common dtype and converts in C, with no
    per-cell Python call: float64 (floats, mixed with ints), int64 or bool.
    What it merges that the column rules keep apart: a bool among numbers (it
    becomes 0 or 1), so the cells whose value is 0 or 1 have their type looked
    at, and ints past int64 (they become float64), so a float column with a
    value that large (or an infinity) goes the slow way. Anything else (None,
    strings, arrays, exotic dtypes) is left to the slow path too. A column of
    nothing but floats or nothing but bools is read from its pickle first
    (:func:`~richtypes.table.pickled.pickled_column`).
    """
    if not cells or not isinstance(cells[0], _NUMBER_TYPES):
        return None
    n = len(cells)
    if type(cells[0]) in (float, bool) and n >= PICKLE_MIN:
        col = pickled_column(cells)
        if col is not None:
            return col
    # all bools (bool has no subclasses): np.array's dtype discovery is slow on them; an identity
    # count plus bytes() (one byte per bool, 0 or 1) is ~1.7x faster. Not for ints or floats:
    # np.array is quicker there than any check-then-convert pair
    if type(cells[0]) is bool and operator.countOf(map(type, cells), bool) == n:
        return Column(BOOL, n, np.frombuffer(bytes(cells), np.bool_).copy(), None)
    try:
        arr = np.array(cells)
    except (ValueError, TypeError, OverflowError):
        return None
    kind = arr.dtype.kind
    if arr.ndim != 1 or arr.dtype.itemsize > 8 or kind not in "bif":
        return None
    if kind == "f" and (np.abs(arr) >= 2.0**63).any():
        return None  # ints past int64 alone come out as float64 too (infinities go this way too)
    if kind != "b":
        maybe_bool = np.flatnonzero((arr == 0) | (arr == 1)).tolist()
        if maybe_bool and {bool, np.bool_} & set(map(type, map(cells.__getitem__, maybe_bool))):
            return None
    ct = BOOL if kind == "b" else INT if kind == "i" else FLOAT
    if arr.dtype != ct.np_dtype:
        arr = arr.astype(ct.np_dtype)
    return Column(ct, len(cells), arr, None)


def _v2_cells(cells: list[Any], name: str) -> list[Any]:
    """Dates and times as microseconds (NaT as None), dicts as JSON text; other cells unchanged."""
    out = list(cells)
    for i, c in enumerate(cells):
        t = cell_type_of_type(type(c))
        if t is TIMESTAMP:
            out[i] = None if is_nat(c) else timestamp_us(c, ("data", i, name))
        elif t is JSON:
            out[i] = json_text(c, ("data", i, name))
    return out


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
    if arr.ndim == 1 and (arr.dtype.kind == "M" or (arr.dtype.kind == "c" and arr.itemsize <= 16)):
        return _timestamps_or_complex(arr, name, declared)
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


def _timestamps_or_complex(arr: np.ndarray, name: str, declared: ColumnType | None) -> Column:
    """A datetime64 array (NaT as null; sub-microsecond precision refused) or a complex array, vectorized."""
    n = arr.shape[0]
    valid = None
    if arr.dtype.kind == "c":
        ct, values = COMPLEX, arr.astype(np.complex128)
    else:
        ct = TIMESTAMP
        values = arr.astype("datetime64[us]")
        nat = np.isnat(arr)
        bad = np.flatnonzero((values != arr) & ~nat)
        if bad.size:
            i = int(bad[0])
            raise ValidationError(_SUB_US, value=arr[i], path=("data", i, name))
        us = values.view(np.int64)
        bad = np.flatnonzero(((us < US_MIN) | (us > US_MAX)) & ~nat)
        if bad.size:
            i = int(bad[0])
            raise ValidationError(_OUT_OF_RANGE, value=arr[i], path=("data", i, name))
        if nat.any():
            ct, valid = replace(TIMESTAMP, optional=True), ~nat
            values[nat] = np.datetime64(0, "us")
    if declared is not None:
        if declared.base != ct.base or (valid is not None and not declared.optional):
            raise ValidationError(
                f"does not fit column type {declared.name}",
                value=arr[0] if n else arr,
                path=("data", 0, name),
            )
        if declared.optional and valid is None:
            valid = np.ones(n, bool)
        ct = declared
    return Column(ct, n, values, valid)
