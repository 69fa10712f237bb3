"""Table column wire codec: one column to its JSON form (inline list or sidecar) and back.

Private to :mod:`richtypes.table`.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Mapping
from typing import Any

import msgpack
import numpy as np

from ..core.errors import FormatError
from ..core.media import Media, decode_envelope
from ..store.local import Store
from .coltypes import ColumnType, parse_type
from .columns import Column

_NONFINITE_TEXT = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}


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
