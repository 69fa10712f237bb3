"""Table column wire codec: one column to its JSON form (inline list or sidecar) and back.

Private to :mod:`richtypes.table`. Numbers are spelled by :mod:`richtypes.core.wire`
(non-finite floats as ``"NaN"``, ``"Infinity"``, ``"-Infinity"``), string
sidecars are :mod:`richtypes.codecs.msgpack` blocks and numeric sidecars
``.npy`` files. Every error is a :class:`~richtypes.FormatError` whose path is
relative to the table's envelope (``decode_envelope`` puts the envelope's own
place in front).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..codecs.msgpack import decode_strings, encode_strings
from ..core.errors import FormatError, PathKey
from ..core.media import Media, decode_envelope, registered_types
from ..core.wire import from_list, to_list
from ..store.local import Store
from .coltypes import TYPE_HELP, ColumnType, parse_type
from .columns import Column

Path = tuple[PathKey, ...]
_FIELDS = frozenset({"name", "type", "values", "valid"})


def encode_column(col: Column, name: str, store: Store, sidecar: bool) -> dict[str, Any]:
    """One column's wire form (see the table schema)."""
    out: dict[str, Any] = {"name": name, "type": col.ctype.name}
    kind = col.ctype.kind
    if kind == "null":
        return out
    if kind == "media":
        out["values"] = [None if c is None else c.to_json(store) for c in col.values]
    elif not sidecar:
        out["values"] = to_list(col.values) if kind != "str" else list(col.values)
    elif kind == "str":
        out["values"] = store.put_bytes(encode_strings(col.values), "msgpack")
    else:
        out["values"] = store.put_array(col.values)
    if col.valid is not None:
        out["valid"] = (
            store.put_array(col.valid) if sidecar and kind != "media" else col.valid.tolist()
        )
    return out


def decode_column(doc: Any, nrows: int, store: Store, path: Path) -> tuple[str, Column, bool]:
    """Rebuild one column from its wire form; returns (name, column, whether it used sidecars).

    The checks are the constructor's: the values must have the column type's
    dtype and shape, strings must be valid Unicode, media cells must be
    envelopes of the column's media type (decoded through
    :func:`~richtypes.core.media.decode_envelope`, so a nested table is
    checked column by column too), and null cells must be exactly where
    ``valid`` is false.
    """
    if not isinstance(doc, Mapping):
        raise FormatError("must be an object", value=type(doc).__name__, path=path)
    extra = set(doc) - _FIELDS
    if extra:
        raise FormatError(f"has unknown fields {sorted(extra)}", path=path)
    name, text = doc.get("name"), doc.get("type")
    if not isinstance(name, str):
        raise FormatError("must be a string", value=name, path=path + ("name",))
    if not isinstance(text, str):
        raise FormatError("must be a string", value=text, path=path + ("type",))
    ct = parse_type(text)
    if ct is None:
        raise FormatError(
            f"unknown column type (use {TYPE_HELP})", value=text, path=path + ("type",)
        )
    if ct.kind == "null":
        if "values" in doc or "valid" in doc:
            raise FormatError("a null column has no values", path=path)
        return name, Column(ct, nrows, None, None), False
    if "values" not in doc:
        raise FormatError("missing field 'values'", path=path)
    values, sidecar = _decode_values(doc["values"], ct, nrows, store, path + ("values",))
    valid = None
    if ct.optional:
        if "valid" not in doc:
            raise FormatError("an optional column needs 'valid'", path=path)
        raw = doc["valid"]
        if isinstance(raw, list):
            valid = from_list(raw, np.dtype(bool), nrows, path + ("valid",))
        else:
            valid = _decode_array(raw, np.dtype(bool), (nrows,), store, path + ("valid",))
    elif "valid" in doc:
        raise FormatError("only an optional column has 'valid'", path=path + ("valid",))
    if ct.kind == "media":
        present = np.fromiter(map(operator.is_not, values, itertools.repeat(None)), bool, nrows)
        if not np.array_equal(present, valid if valid is not None else np.ones(nrows, bool)):
            raise FormatError("media cells must be null exactly where 'valid' is false", path=path)
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
    raw: Any, ct: ColumnType, nrows: int, store: Store, path: Path
) -> tuple[Any, bool]:
    kind = ct.kind
    if kind == "media":
        if not isinstance(raw, list):
            raise FormatError("must be a list of envelopes", value=type(raw).__name__, path=path)
        if len(raw) != nrows:
            raise FormatError(f"must hold {nrows} values", value=len(raw), path=path)
        cls = registered_types()[ct.media]
        cells: list[Media | None] = [
            None if env is None else decode_envelope(env, store, expect=cls, path=path + (i,))
            for i, env in enumerate(raw)
        ]
        return cells, False
    if kind == "str":
        if isinstance(raw, list):
            return _decode_inline_strings(raw, nrows, path), False
        if not isinstance(raw, Mapping) or raw.get("format") != "msgpack":
            raise FormatError("must be a list or a msgpack sidecar reference", path=path)
        return decode_strings(store.get_bytes(raw), nrows, path), True
    dtype: np.dtype = ct.np_dtype  # type: ignore[assignment]
    shape = (nrows,) + ct.shape
    if isinstance(raw, list):
        count = nrows * int(np.prod(ct.shape, dtype=np.int64))
        return from_list(raw, dtype, count, path).reshape(shape), False
    return _decode_array(raw, dtype, shape, store, path), True


def _decode_inline_strings(raw: list[Any], nrows: int, path: Path) -> list[str]:
    if len(raw) != nrows:
        raise FormatError(f"must hold {nrows} values", value=len(raw), path=path)
    if set(map(type, raw)) - {str}:
        for i, v in enumerate(raw):
            if type(v) is not str:
                raise FormatError("must be a string", value=v, path=path + (i,))
    if not all(
        map(str.isascii, raw)
    ):  # JSON may carry lone surrogates; the constructor refuses them
        for i, v in enumerate(raw):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise FormatError(
                    "is not valid Unicode (lone surrogate)", value=v, path=path + (i,)
                ) from None
    return raw


def _decode_array(
    ref: Any, dtype: np.dtype, shape: tuple[int, ...], store: Store, path: Path
) -> np.ndarray:
    if not isinstance(ref, Mapping) or ref.get("format") != "npy":
        raise FormatError("must be a list or an npy sidecar reference", path=path)
    arr = store.get_array(ref)
    if arr.dtype != dtype.newbyteorder("<") or arr.shape != shape:
        raise FormatError(
            f"must be an array of {dtype} with shape {shape}, got {arr.dtype} {arr.shape}",
            path=path,
        )
    return arr
