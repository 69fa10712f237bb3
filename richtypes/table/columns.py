"""Table columns: the finalized values of one column, and how columns grow.

Private to :mod:`richtypes.table`. A column is held as a :class:`Column`: a
:class:`~richtypes.table.coltypes.ColumnType`, a row count, the values (a
numpy array for numeric, bool and array columns, a list for ``str`` and media
columns, nothing for ``null``) and, for optional columns, a boolean validity
mask. Invalid (null) rows hold a canonical fill value (0, ``False``, ``""``,
zeros or ``None``) so equality can compare whole arrays.
"""

from __future__ import annotations

import itertools
import json
import operator
from typing import Any, NamedTuple

import numpy as np

from .coltypes import ColumnType


class Ragged(NamedTuple):
    """A ragged column's values: ``flat`` elements and ``n + 1`` int64 ``offsets`` (from 0)."""

    flat: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_cells(cls, cells: list[Any], dtype: np.dtype) -> Ragged:
        """Cells (1-D arrays or lists; ``None`` for an empty, null cell) as one flat array and offsets."""
        arrays = [
            np.zeros(0, dtype) if c is None else np.asarray(c).reshape(-1).astype(dtype, copy=False)
            for c in cells
        ]
        offsets = np.zeros(len(arrays) + 1, np.int64)
        np.cumsum([a.size for a in arrays], out=offsets[1:])
        flat = np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)
        return cls(flat, offsets)

    def cells(self) -> list[np.ndarray]:
        """One read-only 1-D array per row."""
        return np.split(self.flat, self.offsets[1:-1].tolist()) if self.offsets.size > 1 else []


class Column:
    """One column's finalized values (see the module docstring)."""

    __slots__ = ("ctype", "n", "values", "valid")

    def __init__(self, ctype: ColumnType, n: int, values: Any, valid: np.ndarray | None) -> None:
        for arr in (*values, valid) if isinstance(values, Ragged) else (values, valid):
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
        elif kind == "json":
            out = [json.loads(text) if text else None for text in self.values]
        elif kind == "ragged":
            out = self.values.cells()
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
        if kind in ("str", "json"):
            if 3 * self.n > budget:  # each string costs >= 3 bytes in JSON ("",)
                return 3 * self.n + total
            return total + sum(map(len, self.values)) + 3 * self.n
        if isinstance(self.values, np.ndarray):
            return total + self.values.nbytes
        if isinstance(self.values, Ragged):
            return total + self.values.flat.nbytes + self.values.offsets.nbytes
        return total


def empty_values(ct: ColumnType, n: int) -> Any:
    """``n`` fill values of a column type."""
    if ct.kind in ("int", "float", "bool", "array", "complex", "timestamp"):
        return np.zeros((n,) + ct.shape, ct.np_dtype)
    if ct.kind in ("str", "json"):
        return [""] * n
    if ct.kind == "ragged":
        return Ragged(np.zeros(0, ct.dtype), np.zeros(n + 1, np.int64))
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
    if ct.kind == "ragged" and col.ctype.kind == "array":  # fixed-length rows: offsets every `size`
        values = Ragged(values.reshape(-1), np.arange(n + 1, dtype=np.int64) * col.ctype.shape[0])
    if isinstance(values, Ragged) and values.flat.dtype != ct.dtype:
        values = Ragged(values.flat.astype(ct.dtype), values.offsets)
    elif isinstance(values, np.ndarray) and values.dtype != ct.np_dtype:
        values = values.astype(ct.np_dtype)
    valid = col.valid if col.valid is not None else (np.ones(n, bool) if ct.optional else None)
    return Column(ct, n, values, valid)


def concat(a: Column, b: Column) -> Column:
    """Two columns of the same type, one after the other."""
    if a.n == 0:
        return b
    if b.n == 0:
        return a
    values: Any
    if isinstance(a.values, Ragged):
        offsets = np.concatenate([a.values.offsets, b.values.offsets[1:] + a.values.offsets[-1]])
        values = Ragged(np.concatenate([a.values.flat, b.values.flat]), offsets)
    elif isinstance(a.values, np.ndarray):
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
    if kind == "ragged":
        return Column(ct, n, Ragged.from_cells(cells, ct.dtype), valid)  # type: ignore[arg-type]
    if kind == "array":
        values = empty_values(ct, n)
        idx = range(n) if valid is None else np.flatnonzero(valid).tolist()
        if len(idx):
            values[idx] = np.stack([cells[i] for i in idx]).astype(ct.dtype, copy=False)
        return Column(ct, n, values, valid)
    if valid is not None and not valid.all():
        objs = np.empty(n, dtype=object)
        objs[:] = cells
        objs[~valid] = "" if kind in ("str", "json") else 0
        cells = objs.tolist() if kind in ("str", "json") else objs  # type: ignore[assignment]
    if kind in ("str", "json"):
        return Column(ct, n, list(cells), valid)
    if kind == "timestamp":  # cells are microseconds since the epoch (infer.timestamp_us)
        return Column(ct, n, np.asarray(cells, dtype=np.int64).view(ct.np_dtype), valid)
    return Column(ct, n, np.asarray(cells, dtype=ct.np_dtype), valid)
