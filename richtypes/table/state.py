"""A table's mutable insides, and the copy-on-write snapshot the run log takes of them.

Private to :mod:`richtypes.table`. A :class:`TableState` holds finalized
:class:`~richtypes.table.columns.Column` objects (never changed once built)
plus the cells appended since, in two parts:

- ``pending``: one list per column that ``add_data`` appends to;
- ``sealed``: the rows appended before the last snapshot, an immutable
  linked list ``(older, chunk)`` of chunks (one tuple of cells per column).

:meth:`TableState.twin` (what ``Table.__snapshot__`` returns the state of)
seals the pending rows and copies only the per-column lists: the twin and the
original then share finalized columns and sealed chunks, neither of which
anyone changes, so a snapshot costs O(columns + rows appended since the last
one) and later appends (to fresh pending lists) never reach it.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import numpy as np

from ..core.snapshot import snapshot_array
from . import coltypes
from . import columns as tc

__all__ = ["TableState"]

#: Cell kinds whose cells are immutable Python or numpy scalars (nothing to own).
_SCALAR_KINDS = frozenset({"null", "int", "float", "bool", "str", "complex", "timestamp"})
_Chunks = tuple[Any, tuple[tuple[Any, ...], ...]]  # (older chunks or None, one tuple per column)


class TableState:
    """A table's mutable insides: finalized columns plus rows appended since (see ``Table``)."""

    __slots__ = (
        "names",
        "index",
        "cols",
        "types",
        "declared",
        "fast",
        "pending",
        "sealed",
        "owned",
        "nrows",
        "layout",
        "version",
    )

    def __init__(self, version: int) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.cols: list[tc.Column] = []
        self.types: list[coltypes.ColumnType | None] = []  # None: no rows and nothing declared yet
        self.declared: list[bool] = []
        self.fast: list[frozenset] = []
        self.pending: list[list[Any]] = []
        self.sealed: _Chunks | None = None  # rows appended before the last snapshot
        self.owned: list[bool] = []  # cols[i] shares nothing with the caller (see own_columns)
        self.nrows = 0
        self.layout: dict[str, bool] | None = None  # sidecar-or-not per column, kept from decoding
        self.version = version  # the wire version decoded from, kept with the layout

    def add(self, name: str, col: tc.Column, declared: bool) -> None:
        self.index[name] = len(self.names)
        self.names.append(name)
        ctype = None if col.n == 0 and not declared and col.ctype.kind == "null" else col.ctype
        self.cols.append(col)
        self.types.append(ctype)
        self.declared.append(declared)
        self.fast.append(coltypes.fast_types(ctype))
        self.pending.append([])
        self.owned.append(False)

    # ------------------------------------------------------------ appended rows
    def has_pending(self) -> bool:
        """Whether rows were appended since the columns were last built."""
        return bool(self.names) and (self.sealed is not None or bool(self.pending[0]))

    def pending_cells(self) -> list[list[Any]]:
        """Every appended cell not yet in a column, one list per column, in order (nothing is changed)."""
        chunks = []
        node = self.sealed
        while node is not None:
            node, chunk = node
            chunks.append(chunk)
        if not chunks:
            return self.pending
        chunks.reverse()
        return [
            list(itertools.chain(itertools.chain.from_iterable(c[i] for c in chunks), live))
            for i, live in enumerate(self.pending)
        ]

    def set_columns(self, cols: list[tc.Column]) -> None:
        """Swap in the columns built from :meth:`pending_cells` and forget those cells."""
        for i, cells in enumerate(self.pending):
            if cells and cols[i].ctype.kind == "media":
                self.owned[i] = False  # unsealed cells are the caller's objects
        self.cols = cols
        self.sealed = None
        self.pending = [[] for _ in cols]

    # ---------------------------------------------------------------- snapshot
    def seal(self) -> None:
        """Move the pending rows into the shared chunk list, owning their cells (O(columns + new rows))."""
        if not self.has_pending() or not self.pending[0]:
            return
        chunk = []
        for ctype, cells in zip(self.types, self.pending):
            if ctype is None or ctype.kind in _SCALAR_KINDS:
                chunk.append(tuple(cells))
            else:
                chunk.append(tuple(map(_own_cell, cells)))
        self.sealed = (self.sealed, tuple(chunk))
        self.pending = [[] for _ in self.names]

    def own_columns(self) -> None:
        """Replace each finalized column that may share memory with the caller by one that does not.

        Columns built by the constructor or ``add_column`` are checked once
        (arrays copied unless private, media cells snapshotted); later
        snapshots skip them.
        """
        for i, owned in enumerate(self.owned):
            if not owned:
                self.cols[i] = _own_column(self.cols[i])
                self.owned[i] = True

    def twin(self) -> TableState:
        """An equal state that later appends to this one never change (copy-on-write, O(columns))."""
        self.seal()
        self.own_columns()
        new = object.__new__(type(self))
        new.names = list(self.names)
        new.index = dict(self.index)
        new.cols = list(self.cols)
        new.types = list(self.types)
        new.declared = list(self.declared)
        new.fast = list(self.fast)
        new.pending = [[] for _ in self.names]
        new.sealed = self.sealed
        new.owned = list(self.owned)
        new.nrows = self.nrows
        new.layout = None if self.layout is None else dict(self.layout)
        new.version = self.version
        return new


def _own_cell(cell: Any) -> Any:
    """A cell nobody else can change: arrays copied unless private, media snapshotted, containers deep-copied."""
    if cell is None:
        return None
    if isinstance(cell, np.ndarray):
        return snapshot_array(cell)
    snap = getattr(cell, "_snapshot", None)
    if snap is not None and callable(snap):
        return snap()
    if isinstance(cell, (dict, list)):
        return copy.deepcopy(cell)
    return cell


def _own_column(col: tc.Column) -> tc.Column:
    values = col.values
    if isinstance(values, np.ndarray):
        new: Any = snapshot_array(values)
    elif isinstance(values, tc.Ragged):
        flat, offsets = snapshot_array(values.flat), snapshot_array(values.offsets)
        new = (
            values
            if flat is values.flat and offsets is values.offsets
            else tc.Ragged(flat, offsets)
        )
    elif col.ctype.kind == "media":
        cells = [_own_cell(cell) for cell in values]
        new = values if all(a is b for a, b in zip(cells, values)) else cells
    else:
        new = values  # str and json texts: immutable strings in the column's own list
    valid = col.valid if col.valid is None else snapshot_array(col.valid)
    if new is values and valid is col.valid:
        return col
    return tc.Column(col.ctype, col.n, new, valid)
