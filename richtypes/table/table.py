"""``Table``: typed, columnar tables of predictions, metrics and media."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..core.errors import FormatError, ValidationError
from ..core.media import Media, deep_equal, field, register
from ..core.nest import register_adapter
from ..store.local import Store
from . import coltypes, frames, infer, wire
from . import columns as tc
from .input import (
    DtypesLike,
    _build_column,
    _check_dtypes,
    _check_names,
    _check_rows,
    _estimate_bytes,
    _is_dataframe,
    _object_array,
    _row_columns,
)
from .state import TableState

__all__ = ["Table", "MAX_ROWS", "MAX_COLUMNS", "DEFAULT_COLUMNS"]

#: Column kinds whose non-optional columns ``get_column(..., "numpy")`` gives as their own array.
NUMPY_KINDS = ("int", "float", "bool", "array", "complex", "timestamp")
#: The column names of a table built without ``columns`` (the reference tracker's defaults).
DEFAULT_COLUMNS = ("Input", "Output", "Expected")

MAX_ROWS = coltypes.MAX_ROWS
MAX_COLUMNS = coltypes.MAX_COLUMNS


class _State(TableState):
    """A table's insides at this wire version (see :mod:`richtypes.table.state`)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(Table._version)


@register
class Table(Media):
    """A table: named, typed columns of equal length.

    Column types are inferred once per column from all its cells (or given by
    ``dtypes``). Their names, as :attr:`column_types` reports them:

    - ``"int"`` (int64), ``"float"`` (float64), ``"bool"``, ``"str"``;
    - ``"array[<dtype>,(<shape>)]"``: numpy arrays of one fixed shape per
      column, e.g. ``"array[float32,(3,)]"``, stored stacked;
    - ``"media:<type>"``: richtypes media objects of one type, e.g.
      ``"media:histogram"``, ``"media:image"``;
    - ``"complex"`` (complex128; ints and floats mix in);
    - ``"timestamp"``: ``datetime``, ``date`` (midnight), ``np.datetime64``
      or pandas ``Timestamp`` cells, stored as microseconds since 1970 in UTC
      (aware times are converted to UTC, naive ones taken as UTC; finer
      precision is refused; NaT is a null); read back as naive ``datetime``;
    - ``"json"``: dicts of JSON values (string keys, finite numbers), stored as
      canonical JSON text (sorted keys; tuples read back as lists);
    - ``"ragged[<dtype>]"``: 1-D numeric lists or arrays of varying length,
      stored as all elements in one array plus row offsets, read back as
      arrays (a fixed-shape 1-D column becomes ragged when a row of another
      length arrives);
    - ``"optional[<type>]"``: any of the above with ``None`` cells (a validity
      mask); ``"null"``: every cell is ``None`` (or there are no rows yet).

    Tables holding the last four types are written as wire version 2; a
    decoded table is re-written in the version it was read from until it
    changes.

    Ints and floats mixed in one column make a ``float`` column (ints above
    2**53 then lose precision); bools never mix with numbers. Python ints
    outside int64 raise. NumPy scalars count as their Python kind. A float
    ``NaN`` is a value, not a null.

    A table is a *builder*: :meth:`add_data` and :meth:`add_column` append to
    it in place (nothing else changes it). Equality is by content (names,
    column types and cells), and :meth:`to_json` writes a snapshot of the rows
    present at that moment. Arrays returned by :meth:`get_column` are
    read-only snapshots that later appends never change.

    Limits: at most :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns
    (raising past them); every row written is read back.

    Parameters
    ----------
    columns:
        Column names, unique. Integers are kept as their text (``0`` becomes
        ``"0"``), as the default names of ``pd.DataFrame(rows)`` need. Without
        ``columns`` the names are the reference tracker's defaults,
        :data:`DEFAULT_COLUMNS` (``Input``, ``Output``, ``Expected``).
    data:
        Rows: a sequence of sequences with one cell per column; a numpy array
        of shape ``(rows, columns, ...)`` (each ``data[:, j]`` one column,
        array cells when it has more than two dimensions); or a pandas
        DataFrame (as ``dataframe=``).
    dataframe:
        A pandas DataFrame (the ``pandas`` extra); its index is dropped and
        its column names kept (integers as text).
    dtypes:
        Column types that override inference: a mapping name -> type, or a
        sequence aligned with ``columns``. A type is a name as above, ``int``,
        ``float``, ``bool``, ``str`` or a media class. Cells are checked
        against it (ints fit a float column; array dtypes cast ``same_kind``).

    Raises
    ------
    ValidationError
        For a cell that does not fit its column's type
        (``$.data[3].score: does not fit column type float, got 'x'``), a row
        of the wrong length, duplicate names, or a limit passed.

    Examples
    --------
    >>> t = Table(columns=["id", "label", "score"], data=[[1, "cat", 0.9], [2, "dog", None]])
    >>> t.column_types
    {'id': 'int', 'label': 'str', 'score': 'optional[float]'}
    >>> t.add_data(3, "cow", 0.5)
    >>> len(t), list(t)[-1]
    (3, (3, 'cow', 0.5))
    >>> t.get_column("id", convert_to="numpy")
    array([1, 2, 3])
    """

    _type = "table"
    _version = 2

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        data: Any = None,
        dataframe: Any = None,
        dtypes: DtypesLike = None,
    ) -> None:
        self._s = _State()
        if dataframe is None and _is_dataframe(data):
            dataframe, data = data, None
        if dataframe is not None:
            if columns is not None or data is not None:
                raise ValidationError(
                    "give either dataframe or columns/data, not both", path=("dataframe",)
                )
            names, sources = frames.dataframe_columns(dataframe)
        else:
            names = _check_names(DEFAULT_COLUMNS if columns is None else columns)
            sources = _row_columns(data, len(names))
        self._fill(names, sources, dtypes)
        self._freeze()

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], dtypes: DtypesLike = None) -> Table:
        """Build a table from ``{"name": array_or_list, ...}`` (the fast, columnar path).

        Examples
        --------
        >>> import numpy as np
        >>> t = Table.from_columns({"x": np.arange(3), "emb": np.zeros((3, 2), np.float32)})
        >>> t.column_types
        {'x': 'int', 'emb': 'array[float32,(2,)]'}
        """
        if not isinstance(columns, Mapping):
            raise ValidationError(
                "must be a mapping of column name to values", value=columns, path=("columns",)
            )
        table = cls.__new__(cls)
        object.__setattr__(table, "_s", _State())
        names = _check_names(list(columns))
        table._fill(names, [columns[n] for n in names], dtypes)
        table._freeze()
        return table

    def _fill(self, names: list[str], sources: Sequence[Any], dtypes: DtypesLike) -> None:
        declared = _check_dtypes(dtypes, names)
        nrows: int | None = None
        for name, source in zip(names, sources):
            col = _build_column(source, name, declared.get(name))
            if nrows is not None and col.n != nrows:
                raise ValidationError(
                    f"has {col.n} values, expected {nrows} like the first column",
                    path=("columns", name),
                )
            nrows = col.n
            self._s.add(name, col, name in declared)
        self._s.nrows = _check_rows(nrows or 0)

    # ------------------------------------------------------------------ build
    def add_data(self, *row: Any) -> None:
        """Append one row (one cell per column), in place; amortized O(1).

        The cells are checked at once (nothing is added when one does not fit)
        and converted to columns lazily, on the next read or encode.
        """
        s = self._s
        r = s.nrows
        if len(row) != len(s.names):
            raise ValidationError(
                f"has {len(row)} cells, expected {len(s.names)} (one per column)", path=("data", r)
            )
        if r >= MAX_ROWS:
            raise ValidationError(f"a table holds at most {MAX_ROWS} rows", path=("data", r))
        changed: dict[int, coltypes.ColumnType] | None = None
        cells: list[Any] | None = None
        for i, cell in enumerate(row):
            t = type(cell)
            if t in s.fast[i]:
                if t is int and not coltypes.I64_MIN <= cell <= coltypes.I64_MAX:
                    raise ValidationError(
                        "is outside the int64 range", value=cell, path=("data", r, s.names[i])
                    )
                if t is str and not cell.isascii():
                    infer.check_cell(s.types[i], s.declared[i], cell, ("data", r, s.names[i]))
                continue
            new, fixed = infer.check_cell(s.types[i], s.declared[i], cell, ("data", r, s.names[i]))
            if fixed is not cell:
                cells = cells or list(row)
                cells[i] = fixed
            if new != s.types[i]:
                changed = changed or {}
                changed[i] = new
        for i, cell in enumerate(row if cells is None else cells):
            s.pending[i].append(cell)
        if changed:
            for i, new in changed.items():
                s.types[i] = new
                s.fast[i] = coltypes.fast_types(new)
        s.nrows = r + 1
        s.layout = None

    def add_column(self, name: str, values: Any, dtype: Any = None) -> None:
        """Append a column of ``len(self)`` values (any form ``from_columns`` takes), in place."""
        s = self._s
        _check_names(s.names + [name])
        self._finalize()
        declared = _check_dtypes({name: dtype}, [name]) if dtype is not None else {}
        col = _build_column(values, name, declared.get(name))
        if s.names and col.n != s.nrows:
            raise ValidationError(
                f"has {col.n} values, expected {s.nrows} (one per row)", path=("columns", name)
            )
        s.add(name, col, bool(declared))
        s.nrows = _check_rows(col.n)
        s.layout = None

    def _finalize(self) -> None:
        s = self._s
        if not s.has_pending():
            return
        # every pending cell was checked by add_data; build all columns before swapping any in
        cols = [
            tc.concat(
                tc.widen(col, ctype or coltypes.NULL), tc.convert(cells, ctype or coltypes.NULL)
            )
            for col, ctype, cells in zip(s.cols, s.types, s.pending_cells())
        ]
        s.set_columns(cols)

    def __snapshot__(self) -> Table:
        """An equal table that later ``add_data``/``add_column`` calls never change.

        Copy-on-write: the rows appended so far are sealed into chunks that
        both tables share and nobody changes again, finalized columns are
        shared, and only the per-column lists are copied, so the snapshot
        costs O(columns) plus the rows appended since the last one, and
        appends stay amortized O(1). Cells the caller may still change
        (arrays, media, dicts) are owned once, when sealed.
        """
        twin = type(self).__new__(type(self))
        object.__setattr__(twin, "_s", self._s.twin())
        twin._freeze()
        return twin

    # ------------------------------------------------------------------- read
    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return list(self._s.names)

    @property
    def column_types(self) -> dict[str, str]:
        """Column name -> type name (see the class docstring)."""
        return {n: (t or coltypes.NULL).name for n, t in zip(self._s.names, self._s.types)}

    def __len__(self) -> int:
        return self._s.nrows

    def _column(self, name: str) -> tc.Column:
        i = self._s.index.get(name)
        if i is None:
            raise KeyError(f"no column {name!r}; the columns are {self._s.names}")
        self._finalize()
        return self._s.cols[i]

    def get_column(self, name: str, convert_to: str | None = None) -> Any:
        """One column's cells.

        ``convert_to=None`` or ``"list"`` gives a list of Python values (``None``
        for null cells; timestamps as naive UTC ``datetime``, json cells as
        dicts, ragged cells as 1-D arrays); ``"numpy"`` gives a read-only
        array: int64, float64, bool, complex128 or ``datetime64[us]`` for
        those types, ``(rows, *shape)`` for array columns, and an object
        array (``None`` for nulls) for str, json, ragged, media, null and
        optional columns.
        """
        col = self._column(name)
        if convert_to in (None, "list"):
            return col.to_list()
        if convert_to != "numpy":
            raise ValidationError(
                "must be None, 'list' or 'numpy'", value=convert_to, path=("convert_to",)
            )
        if col.valid is None and col.ctype.kind in NUMPY_KINDS:
            return col.values
        return _object_array(col.to_list(), col.ctype.kind in ("array", "media", "ragged"))

    def get_index(self) -> np.ndarray:
        """The row indices ``0 .. len(self) - 1`` as an int64 array."""
        return np.arange(self._s.nrows, dtype=np.int64)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        """Rows as tuples of Python values (as ``get_column(name)`` gives them)."""
        if not self._s.names:
            return iter([()] * self._s.nrows)
        return zip(*[self._column(n).to_list() for n in self._s.names])

    def to_pandas(self) -> Any:
        """A pandas DataFrame (the ``pandas`` extra).

        int, float and bool columns become int64, float64 and bool; their
        optional forms pandas' nullable ``Int64``, ``Float64`` and ``boolean``;
        str columns pandas' default string dtype (``object`` before pandas 3);
        complex columns complex128; timestamp columns ``datetime64[us]`` (NaT
        for nulls); array, ragged, json, media and null columns ``object``
        columns.
        """
        self._finalize()
        return frames.to_pandas(self._s.names, self._s.cols)

    def __repr__(self) -> str:
        return f"Table(rows={len(self)}, columns={self.column_types})"

    # --------------------------------------------------------------- equality
    def _content(self) -> tuple[Any, ...]:
        self._finalize()
        s = self._s
        return (tuple(s.names), s.nrows, tuple((c.ctype.name, c.values, c.valid) for c in s.cols))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        a, b = self._content(), other._content()  # type: ignore[attr-defined]
        if a[:2] != b[:2]:
            return False
        for (ta, va, ma), (tb, vb, mb) in zip(a[2], b[2]):
            if ta != tb or not deep_equal(ma, mb):
                return False
            if ta in ("str", "optional[str]"):
                if va != vb:  # list comparison at C speed
                    return False
            elif not deep_equal(va, vb):
                return False
        return True

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        """Encode a snapshot: inline lists when small, else ``.npy`` / msgpack sidecars per column."""
        self._finalize()
        s = self._s
        layout = s.layout
        if layout is None:
            sidecar = not store.wants_inline(_estimate_bytes(s.cols, store.inline_limit))
        columns = [
            wire.encode_column(col, name, store, layout[name] if layout is not None else sidecar)
            for name, col in zip(s.names, s.cols)
        ]
        doc = self._envelope(nrows=s.nrows, columns=columns)
        if layout is not None:  # re-encoding a decoded, unchanged table: the same document
            doc["_version"] = s.version
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Table:
        """Rebuild a table; errors are :class:`FormatError` at their place in the envelope."""
        version = doc["_version"]  # decode_envelope checked it is 1 .. _version
        nrows = field(doc, "nrows", int)
        if not 0 <= nrows <= MAX_ROWS:
            raise FormatError(f"must be 0..{MAX_ROWS}", value=nrows, path=("nrows",))
        columns = field(doc, "columns", list)
        if len(columns) > MAX_COLUMNS:
            raise FormatError(
                f"a table holds at most {MAX_COLUMNS} columns",
                value=len(columns),
                path=("columns",),
            )
        table = cls.__new__(cls)
        s = _State()
        object.__setattr__(table, "_s", s)
        layout = {}
        for j, item in enumerate(columns):
            name, col, sidecar = wire.decode_column(item, nrows, store, ("columns", j), version)
            if name in s.index:
                raise FormatError("duplicate column name", value=name, path=("columns", j, "name"))
            s.add(name, col, False)
            layout[name] = sidecar
        s.nrows = nrows
        s.layout = layout
        s.version = version
        table._freeze()
        return table


# pandas names the class "pandas.DataFrame" (older releases "pandas.core.frame.DataFrame")
for _name in ("pandas.DataFrame", "pandas.core.frame.DataFrame"):
    register_adapter(_name, lambda df: Table(dataframe=df))
