"""pandas DataFrames to table columns and back (private to :mod:`richtypes.table`; the ``pandas`` extra)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.errors import MissingDependencyError, ValidationError
from .columns import Column
from .input import _check_names as check_names

__all__ = ["dataframe_columns", "to_pandas", "with_nulls"]


def dataframe_columns(df: Any) -> tuple[list[str], list[Any]]:
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError("pandas", "pandas", "Table(dataframe=...)") from None
    if not isinstance(df, pd.DataFrame):
        raise ValidationError("must be a pandas DataFrame", value=df, path=("dataframe",))
    names = check_names(list(df.columns))
    sources: list[Any] = []
    for j in range(len(names)):
        name = names[j]
        series = df.iloc[:, j]
        dtype = series.dtype
        missing = series.isna().to_numpy()
        if isinstance(dtype, np.dtype) and dtype.kind in "biufcM":
            sources.append(series.to_numpy())  # datetime64: NaT becomes null
        elif isinstance(dtype, pd.DatetimeTZDtype):  # aware: stored as UTC
            sources.append(series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
        elif (
            pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_integer_dtype(dtype)
            or pd.api.types.is_float_dtype(dtype)
        ):
            np_dtype = (
                bool
                if pd.api.types.is_bool_dtype(dtype)
                else np.int64
                if pd.api.types.is_integer_dtype(dtype)
                else np.float64
            )
            values = series.to_numpy(dtype=np_dtype, na_value=0)
            if missing.any():
                sources.append(with_nulls(values.tolist(), missing))
            else:
                sources.append(values)
        elif (
            dtype == np.dtype(object)
            or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
        ):
            sources.append(with_nulls(series.astype(object).tolist(), missing))
        else:
            raise ValidationError(f"unsupported column dtype {dtype}", path=("dataframe", name))
    return names, sources


def to_pandas(names: list[str], cols: list[Column]) -> Any:
    """The DataFrame of finalized columns (see ``Table.to_pandas``)."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError("pandas", "pandas", "Table.to_pandas()") from None
    data = {}
    for name, col in zip(names, cols):
        kind = col.ctype.kind
        if col.valid is not None and kind in ("int", "float", "bool"):
            cls = {
                "int": pd.arrays.IntegerArray,
                "float": pd.arrays.FloatingArray,
                "bool": pd.arrays.BooleanArray,
            }[kind]
            data[name] = pd.Series(cls(col.values.copy(), ~col.valid))
        elif kind == "timestamp" and col.valid is not None:
            data[name] = pd.Series(np.where(col.valid, col.values, np.datetime64("NaT", "us")))
        elif col.valid is None and kind in ("int", "float", "bool", "complex", "timestamp"):
            data[name] = pd.Series(col.values.copy())
        elif kind == "str" and col.n:  # pandas picks its default string dtype
            data[name] = pd.Series(col.to_list())
        else:
            cells = np.empty(col.n, dtype=object)
            for i, cell in enumerate(col.to_list()):  # arrays and dicts must not be broadcast
                cells[i] = cell
            data[name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(data, columns=list(names))


def with_nulls(cells: list[Any], missing: np.ndarray) -> list[Any]:
    for i in np.flatnonzero(missing).tolist():
        cells[i] = None
    return cells
