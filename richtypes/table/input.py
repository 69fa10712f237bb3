"""Table input: column names, dtypes, rows and DataFrames to per-column sources (private)."""

from __future__ import annotations

import collections
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.coerce import as_array
from ..core.errors import ValidationError
from . import coltypes, infer
from . import columns as tc

DtypesLike = Mapping[str, Any] | Sequence[Any] | None


def _check_rows(n: int) -> int:
    if n > coltypes.MAX_ROWS:
        raise ValidationError(
            f"a table holds at most {coltypes.MAX_ROWS} rows", value=n, path=("data",)
        )
    return n


def _check_names(columns: Any) -> list[str]:
    if columns is None:
        return []
    if isinstance(columns, str) or not isinstance(columns, Sequence):
        raise ValidationError("must be a list of column names", value=columns, path=("columns",))
    if len(columns) > coltypes.MAX_COLUMNS:
        raise ValidationError(
            f"a table holds at most {coltypes.MAX_COLUMNS} columns, got {len(columns)}",
            path=("columns",),
        )
    seen: set[str] = set()
    names = []
    for i, name in enumerate(columns):
        if isinstance(name, (int, np.integer)) and not isinstance(name, (bool, np.bool_)):
            name = str(int(name))  # pd.DataFrame(rows) names its columns 0, 1, ...
        elif not isinstance(name, str):
            raise ValidationError(
                "column names must be strings or integers", value=name, path=("columns", i)
            )
        if name in seen:
            raise ValidationError("duplicate column name", value=name, path=("columns", i))
        seen.add(name)
        names.append(name)
    return names


def _is_dataframe(value: Any) -> bool:
    """Whether ``value`` is a pandas DataFrame (without importing pandas)."""
    return any(
        c.__name__ == "DataFrame" and c.__module__.split(".")[0] == "pandas"
        for c in type(value).__mro__
    )


def _check_dtypes(dtypes: DtypesLike, names: list[str]) -> dict[str, coltypes.ColumnType]:
    if dtypes is None:
        return {}
    if isinstance(dtypes, Mapping):
        items = list(dtypes.items())
    elif isinstance(dtypes, Sequence) and not isinstance(dtypes, str):
        if len(dtypes) != len(names):
            raise ValidationError(
                f"has {len(dtypes)} types, expected {len(names)} (one per column)", path=("dtypes",)
            )
        items = list(zip(names, dtypes))
    else:
        raise ValidationError(
            "must be a mapping of column name to type or a list of types",
            value=dtypes,
            path=("dtypes",),
        )
    out = {}
    for name, spec in items:
        if name not in names:
            raise ValidationError("is not a column", value=name, path=("dtypes", str(name)))
        if spec is None:
            continue
        ct = coltypes.as_column_type(spec)
        if ct is None:
            raise ValidationError(
                f"unknown column type (use {coltypes.TYPE_HELP})", value=spec, path=("dtypes", name)
            )
        out[name] = ct
    return out


_ROW_TYPES = {list, tuple, np.ndarray}


def check_each_row(data: Sequence[Any], ncols: int) -> None:
    """The slow walk: a ``ValidationError`` for the first row that is not a sequence of ``ncols`` cells."""
    for r, row in enumerate(data):
        is_array = isinstance(row, np.ndarray) and row.ndim >= 1
        if isinstance(row, (str, bytes)) or not (isinstance(row, Sequence) or is_array):
            raise ValidationError("must be a sequence of cells", value=row, path=("data", r))
        if len(row) != ncols:
            raise ValidationError(
                f"has {len(row)} cells, expected {ncols} (one per column)", path=("data", r)
            )


def _row_columns(data: Any, ncols: int) -> list[Any]:
    """Rows -> one cell sequence per column (C-speed transposition)."""
    if data is None:
        return [[] for _ in range(ncols)]
    if isinstance(data, np.ndarray) or (
        hasattr(data, "__array__") and not isinstance(data, (list, tuple))
    ):
        arr = as_array(data, ("data",), what="an array of rows")
        if arr.ndim < 2 or arr.shape[1] != ncols:
            raise ValidationError(
                f"must have shape (rows, {ncols}, ...), got {arr.shape}", path=("data",)
            )
        return [arr[:, j] for j in range(ncols)]
    if isinstance(data, (str, bytes)) or not isinstance(data, Sequence):
        raise ValidationError("must be a list of rows", value=data, path=("data",))
    n = _check_rows(len(data))
    # C passes check every row (a list, tuple or array of ncols cells); the slow walk only names
    # the bad one. countOf (an identity test per item) is ~1.4x faster than building a set
    try:
        rows_ok = (
            operator.countOf(map(type, data), list) == n or set(map(type, data)) <= _ROW_TYPES
        ) and operator.countOf(map(len, data), ncols) == n
    except TypeError:  # a row without a length (a 0-d array): the walk below names it
        rows_ok = False
    if not rows_ok:
        check_each_row(data, ncols)
    if not data:
        return [[] for _ in range(ncols)]
    # one flat list, then a strided slice per column: ~1.6x faster than an itemgetter pass per
    # column, ~4x faster than zip(*data). list.extend per row (a C call copying a list or tuple
    # row at once; other rows iterated, as chain would) is ~1.5x faster than chain.from_iterable
    flat: list[Any] = []
    collections.deque(map(flat.extend, data), maxlen=0)
    return [flat[j::ncols] for j in range(ncols)]


def _build_column(source: Any, name: str, declared: coltypes.ColumnType | None) -> tc.Column:
    if isinstance(source, list):
        return infer.infer_cells(source, name, declared)
    if isinstance(source, tuple) or isinstance(source, range):
        return infer.infer_cells(list(source), name, declared)
    if isinstance(source, np.ndarray):
        return infer.column_from_array(source, name, declared)
    if hasattr(source, "__array__") or hasattr(source, "numpy"):
        if (
            hasattr(source, "dtype")
            and getattr(source.dtype, "kind", "O") == "O"
            and hasattr(source, "tolist")
        ):
            return infer.infer_cells(list(source.tolist()), name, declared)
        try:
            arr = (
                np.asarray(source)
                if hasattr(source, "__array__")
                else as_array(source, ("columns", name))
            )
        except (TypeError, ValueError):
            arr = None
        if arr is not None:
            return infer.column_from_array(arr, name, declared)
    raise ValidationError(
        "must be a list or an array of cells", value=source, path=("columns", name)
    )


def _estimate_bytes(cols: list[tc.Column], limit: int) -> int:
    """Inline size estimate; stops once past ``limit`` (string columns are costly to measure)."""
    total = 0
    for col in sorted(cols, key=lambda c: c.ctype.kind in ("str", "json")):
        total += col.nbytes(limit - total)
        if total > limit:
            break
    return total


def _object_array(cells: list[Any], per_cell: bool) -> np.ndarray:
    out = np.empty(len(cells), dtype=object)
    if per_cell:  # arrays and media objects must not be broadcast into the object array
        for i, cell in enumerate(cells):
            out[i] = cell
    else:
        out[:] = cells
    out.flags.writeable = False
    return out
