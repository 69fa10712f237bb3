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
import json
import math
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
from .columns import Column, Ragged
from .infer import US_MAX, US_MIN, json_text

Path = tuple[PathKey, ...]
_FIELDS = frozenset({"name", "type", "values", "valid", "offsets"})
_JSON_CONSTANTS = {"NaN", "Infinity", "-Infinity"}


def encode_column(col: Column, name: str, store: Store, sidecar: bool) -> dict[str, Any]:
    """One column's wire form (see the table schema)."""
    out: dict[str, Any] = {"name": name, "type": col.ctype.name}
    kind = col.ctype.kind
    if kind == "null":
        return out
    values = col.values
    if kind == "ragged":
        values = values.flat
    elif kind == "timestamp":  # microseconds since the epoch
        values = values.view(np.int64)
    elif kind == "complex":  # (real, imaginary) pairs
        values = values.view(np.float64).reshape(col.n, 2)
    if kind == "media":
        out["values"] = [None if c is None else c.to_json(store) for c in values]
    elif not sidecar:
        out["values"] = list(values) if kind in ("str", "json") else to_list(values)
    elif kind in ("str", "json"):
        out["values"] = store.put_bytes(encode_strings(values), "msgpack")
    else:
        out["values"] = store.put_array(values)
    if kind == "ragged":
        offsets = col.values.offsets
        out["offsets"] = store.put_array(offsets) if sidecar else to_list(offsets)
    if col.valid is not None:
        out["valid"] = (
            store.put_array(col.valid) if sidecar and kind != "media" else col.valid.tolist()
        )
    return out


def decode_column(
    doc: Any, nrows: int, store: Store, path: Path, version: int = 2
) -> tuple[str, Column, bool]:
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
    if ct.wire_version > version:
        raise FormatError(
            f"column type {text} needs table _version {ct.wire_version}", path=path + ("type",)
        )
    if ("offsets" in doc) != (ct.kind == "ragged"):
        raise FormatError("only a ragged column has 'offsets', and it must", path=path)
    if ct.kind == "null":
        if "values" in doc or "valid" in doc:
            raise FormatError("a null column has no values", path=path)
        return name, Column(ct, nrows, None, None), False
    if "values" not in doc:
        raise FormatError("missing field 'values'", path=path)
    if ct.kind == "ragged":
        values, sidecar = _decode_ragged(doc, ct, nrows, store, path)
    else:
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
        values = _canonical_fill(values, valid, ct, path)
    if ct.kind == "json":
        _check_json(values, valid, path + ("values",))  # type: ignore[arg-type]
    return name, Column(ct, nrows, values, valid), sidecar


def _canonical_fill(values: Any, valid: np.ndarray, ct: ColumnType, path: Path) -> Any:
    invalid = np.flatnonzero(~valid)
    if ct.kind == "ragged":
        lengths = np.diff(values.offsets)
        if lengths[invalid].any():
            i = int(invalid[np.flatnonzero(lengths[invalid])[0]])
            raise FormatError(
                "a null cell of a ragged column must be empty", path=path + ("values", i)
            )
        return values
    if ct.kind in ("str", "json"):
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
    if kind in ("str", "json"):
        if isinstance(raw, list):
            return _decode_inline_strings(raw, nrows, path), False
        if not isinstance(raw, Mapping) or raw.get("format") != "msgpack":
            raise FormatError("must be a list or a msgpack sidecar reference", path=path)
        return decode_strings(store.get_bytes(raw), nrows, path), True
    # timestamps travel as int64 microseconds, complex numbers as float64 (real, imaginary) pairs
    dtype: np.dtype = {"timestamp": np.dtype(np.int64), "complex": np.dtype(np.float64)}.get(
        kind, ct.np_dtype
    )  # type: ignore[assignment]
    shape = (nrows,) + (ct.shape if kind != "complex" else (2,))
    arr: np.ndarray
    if isinstance(raw, list):
        count = math.prod(shape)  # Python ints: (2**32, 2**32) must not wrap to 0
        arr, sidecar = from_list(raw, dtype, count, path).reshape(shape), False
    else:
        arr, sidecar = _decode_array(raw, dtype, shape, store, path), True
    if kind == "timestamp":
        bad = np.flatnonzero((arr < US_MIN) | (arr > US_MAX))
        if bad.size:  # null rows hold 0, so every value must be a datetime's
            i = int(bad[0])
            raise FormatError(
                f"must be microseconds within {US_MIN}..{US_MAX} (the years 1..9999)",
                value=int(arr[i]),
                path=path + (i,),
            )
        arr = arr.astype(np.int64, copy=False).view("datetime64[us]")
    elif kind == "complex":
        arr = np.ascontiguousarray(arr, dtype=np.float64).view(np.complex128).reshape(nrows)
    return arr, sidecar


def _decode_ragged(
    doc: Mapping[str, Any], ct: ColumnType, nrows: int, store: Store, path: Path
) -> tuple[Ragged, bool]:
    raw = doc["offsets"]
    if isinstance(raw, list):
        offsets = from_list(raw, np.dtype(np.int64), nrows + 1, path + ("offsets",))
    else:
        offsets = _decode_array(raw, np.dtype(np.int64), (nrows + 1,), store, path + ("offsets",))
    if offsets[0] != 0 or (np.diff(offsets) < 0).any():
        raise FormatError("must start at 0 and never decrease", path=path + ("offsets",))
    total = int(offsets[-1])
    raw = doc["values"]
    if isinstance(raw, list):
        flat = from_list(raw, ct.dtype, total, path + ("values",))  # type: ignore[arg-type]
        sidecar = False
    else:
        flat = _decode_array(raw, ct.dtype, (total,), store, path + ("values",))  # type: ignore[arg-type]
        sidecar = True
    return Ragged(flat, offsets), sidecar


def _check_json(texts: list[str], valid: np.ndarray | None, path: Path) -> None:
    """Each present cell must be the canonical text of a JSON object (what the constructor writes)."""
    for i, text in enumerate(texts):
        if valid is not None and not valid[i]:
            continue
        try:
            value = json.loads(text, parse_constant=_no_constant)
        except ValueError:
            raise FormatError(
                "must be the text of a JSON object", value=text, path=path + (i,)
            ) from None
        if not isinstance(value, dict):
            raise FormatError("must be the text of a JSON object", value=text, path=path + (i,))
        if json_text(value, path + (i,)) != text:
            raise FormatError(
                "must be canonical JSON (sorted keys, no spaces)", value=text, path=path + (i,)
            )


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


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
