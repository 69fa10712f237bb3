"""Table rows input: the fast paths (row checks, transposition, bool and str columns) agree with the slow ones."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from richtypes import Table, ValidationError
from richtypes.table import infer, pickled
from richtypes.table.input import _row_columns, check_each_row


def _reference_rows(data: list[Any], ncols: int) -> list[list[Any]]:
    """Every row checked by the slow walk, then transposed cell by cell (what ``_row_columns`` must match)."""
    check_each_row(data, ncols)
    return [[row[j] for row in data] for j in range(ncols)]


def _outcome(f: Any, *args: Any) -> Any:
    try:
        return ("ok", f(*args))
    except ValidationError as err:
        return ("error", str(err), err.path)


class _Row(list):  # a list subclass: not one of the row types the fast check knows
    pass


def _row(draw: Any, ncols: int) -> Any:
    n = draw(st.sampled_from([ncols] * 6 + [max(ncols - 1, 0), ncols + 1]))
    cells = draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
    kind = draw(st.sampled_from(["list"] * 4 + ["tuple", "array", "range", "sub", "bad"]))
    if kind == "tuple":
        return tuple(cells)
    if kind == "array":
        return np.array(cells, dtype=np.int64)
    if kind == "range":
        return range(n)
    if kind == "sub":
        return _Row(cells)
    if kind == "bad":
        return draw(st.sampled_from(["ab", b"ab", 5, None, dict.fromkeys(range(ncols))]))
    return cells


@st.composite
def _table_rows(draw: Any) -> tuple[list[Any], int]:
    ncols = draw(st.integers(0, 4))
    nrows = draw(st.integers(0, 8))
    return [_row(draw, ncols) for _ in range(nrows)], ncols


@settings(max_examples=300, deadline=None)
@given(_table_rows())
def test_row_columns_match_a_row_by_row_walk(case: tuple[list[Any], int]) -> None:
    data, ncols = case
    assert _outcome(_row_columns, data, ncols) == _outcome(_reference_rows, data, ncols)


def test_row_checks_name_the_bad_row_whatever_the_other_rows_are() -> None:
    rows: list[Any] = [[1, 2]] * 5 + [(3, 4), np.array([5, 6])]
    assert _row_columns(rows, 2) == [[1, 1, 1, 1, 1, 3, 5], [2, 2, 2, 2, 2, 4, 6]]
    with pytest.raises(ValidationError, match="has 1 cells, expected 2") as err:
        _row_columns([[1, 2], [1, 2], (1,), [1, 2, 3]], 2)
    assert err.value.path == ("data", 2)
    with pytest.raises(ValidationError, match="has 3 cells") as err:
        _row_columns([[1, 2], [1, 2, 3], [1]], 2)  # the lengths add up, the rows do not
    assert err.value.path == ("data", 1)
    with pytest.raises(ValidationError, match="must be a sequence of cells") as err:
        _row_columns([[1, 2], "ab"], 2)
    assert err.value.path == ("data", 1)
    assert _row_columns((), 3) == [[], [], []]


_NUMBERS = [
    True,
    False,
    np.True_,
    0,
    1,
    -1,
    7,
    2**63,
    2**64,
    -(2**63) - 1,
    0.0,
    1.0,
    0.5,
    float("inf"),
    1e300,
    np.int64(3),
    np.float32(0.5),
    None,
    "x",
]


def _slow(cells: list[Any]) -> Any:
    with mock.patch.object(infer, "_plain_numbers", lambda cells: None):
        return infer.infer_cells(cells, "c", None)


def _column_key(col: Any) -> Any:
    return col.ctype, col.n, col.values.dtype, col.values.tolist(), col.valid


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.lists(st.booleans(), min_size=1, max_size=20),
        st.lists(st.booleans(), min_size=1, max_size=20).flatmap(
            lambda bools: st.sampled_from(_NUMBERS).map(lambda extra: bools + [extra])
        ),
        st.lists(st.sampled_from(_NUMBERS), min_size=1, max_size=8),
    )
)
def test_the_number_fast_path_gives_the_slow_paths_column_or_steps_aside(cells: list[Any]) -> None:
    fast = infer._plain_numbers(cells)
    try:
        slow = _slow(cells)
    except ValidationError:
        assert fast is None
        return
    if fast is not None:
        assert _column_key(fast) == _column_key(slow)


def test_a_bool_column_stays_apart_from_ints_and_numpy_bools() -> None:
    col = infer._plain_numbers([True, False] * 5)
    assert col is not None and col.ctype.kind == "bool" and col.values.dtype == np.bool_
    assert col.values.tolist() == [True, False] * 5
    with pytest.raises(ValidationError) as err:
        Table(columns=["b"], data=[[True]] * 3 + [[1]])
    assert err.value.path == ("data", 3, "b")
    mixed = Table(columns=["b"], data=[[True], [np.True_], [False]])
    assert mixed.column_types == {"b": "bool"}
    assert mixed.get_column("b") == [True, True, False]


class _Text(str):
    pass


_TEXTS = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["", "ascii", "é", "\ud800", "a\udfffb"]),
    st.none(),
    st.text(max_size=3).map(_Text),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=10))
def test_a_str_column_matches_a_cell_by_cell_check(cells: list[Any]) -> None:
    expected: Any
    try:
        cur = None
        fixed = []
        for i, cell in enumerate(cells):
            cur, value = infer.check_cell(cur, False, cell, ("data", i, "s"))
            fixed.append(value)
        expected = ("ok", fixed)
    except ValidationError as err:
        expected = ("error", str(err), err.path)
    got = _outcome(lambda: infer.infer_cells(cells, "s", None).to_list())
    assert got == expected
    if got[0] == "ok":
        assert all(type(v) in (str, type(None)) for v in got[1])


def test_a_zero_dimensional_array_row_is_named() -> None:
    """A 0-d array has no length: a ValidationError naming the row, not a bare TypeError."""
    with pytest.raises(ValidationError) as err:
        Table(columns=["a"], data=[np.array([1]), np.array(2)])
    assert err.value.path == ("data", 1)


_INTRUDERS = [  # 2**50 and "ab" (its memo entry counted) pickle to 9 bytes, as a float does; None to 1, as a bool
    0,
    1,
    -1,
    2**50,
    -(2**50),
    "ab",
    2**63,
    2**64,
    -(2**63) - 1,
    True,
    False,
    0.0,
    -0.0,
    1.0,
    float("nan"),
    float("-inf"),
    1e300,
    np.True_,
    np.float64(0.5),
    np.float32(0.5),
    np.int64(3),
    None,
    "x",
    [1.0],
    (1.0, 2.0),
    {"a": 1.0},
]
# around pickle's batches of 1000 items and the fast path's threshold
_SIZES = [2, 3, 999, 1000, 1001, 1999, 2000, 2001, 2047, 2048, 2049, 3001]


@st.composite
def _float_or_bool_columns(draw: Any) -> list[Any]:
    """Floats (any bit pattern: NaN payloads, infinities, -0.0, subnormals) or bools, a few cells swapped."""
    n = draw(st.sampled_from(_SIZES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        cells: list[Any] = np.frombuffer(rng.bytes(8 * n), np.float64).tolist()
    else:
        cells = (rng.random(n) < 0.5).tolist()
    edges = [0, 1, n - 1, n // 2] + [i for i in (999, 1000, 1001, 2000) if i < n]
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.sampled_from(edges) | st.integers(0, n - 1))
        cells[pos] = draw(st.sampled_from(_INTRUDERS))
    return cells


def _inferred(cells: list[Any]) -> Any:
    col = infer.infer_cells(cells, "c", None)
    values = col.values.tobytes() if isinstance(col.values, np.ndarray) else col.to_list()
    valid = None if col.valid is None else col.valid.tobytes()
    return col.ctype, col.n, getattr(col.values, "dtype", None), values, valid


@settings(max_examples=200, deadline=None)
@given(_float_or_bool_columns())
def test_the_pickled_fast_path_gives_the_slow_paths_column_or_steps_aside(cells: list[Any]) -> None:
    """Same column type, same stored bytes (NaN payloads too), same error and path as the slow path."""
    with mock.patch.object(infer, "PICKLE_MIN", 2):
        fast = _outcome(_inferred, cells)
    from_pickle = pickled.pickled_column(cells)
    with mock.patch.object(infer, "_plain_numbers", lambda cells: None):
        slow = _outcome(_inferred, cells)
    assert fast == slow
    if from_pickle is not None:
        assert slow[0] == "ok"
        assert (from_pickle.ctype, from_pickle.values.tobytes()) == (slow[1][0], slow[1][3])
    if len({type(c) for c in cells}) == 1 and type(cells[0]) in (float, bool):
        assert (
            from_pickle is not None
        )  # every cell an exact float (or bool): the fast path takes it


class _Loud(float):
    """A float subclass whose pickling or conversion would be noticed."""

    calls: list[str] = []

    def __reduce_ex__(self, protocol: Any) -> Any:
        self.calls.append("reduce")
        return super().__reduce_ex__(protocol)

    def __float__(self) -> float:
        self.calls.append("float")
        return 0.0


def test_the_pickled_fast_path_calls_no_user_code() -> None:
    cells: list[Any] = [0.5] * 3000
    cells[1500] = _Loud(0.5)
    assert pickled.pickled_column(cells) is None
    assert _Loud.calls == []
    assert pickled.pickled_column([True] * 2500 + [_Loud(1.0)]) is None
    assert _Loud.calls == []


def test_plain_float_and_bool_rows_take_the_pickled_path() -> None:
    rows = [[i * 0.5, i % 3 == 0, i] for i in range(5000)]
    taken: list[Any] = []

    def spy(cells: list[Any]) -> Any:
        taken.append(pickled.pickled_column(cells))
        return taken[-1]

    with mock.patch.object(infer, "pickled_column", spy):
        table = Table(columns=["f", "b", "i"], data=rows)
    assert [col.ctype.kind for col in taken] == ["float", "bool"]
    assert table.column_types == {"f": "float", "b": "bool", "i": "int"}
    assert table.get_column("f") == [r[0] for r in rows]
    assert table.get_column("b") == [r[1] for r in rows]


@pytest.mark.parametrize("intruder", [None, 3, 2**50, "ab", np.float64(0.5)])
# in the first 1/32, in the spread sample (every 625th cell) past it, then only in the pickle
@pytest.mark.parametrize("pos", [1, 1875, 2047, 39_999])
def test_a_long_column_with_one_other_cell_steps_aside(intruder: Any, pos: int) -> None:
    rng = np.random.default_rng(pos)
    cells: list[Any] = rng.random(40_000).tolist()
    assert pickled.pickled_column(cells) is not None
    cells[pos] = intruder
    assert pickled.pickled_column(cells) is None
    with mock.patch.object(infer, "_plain_numbers", lambda cells: None):
        slow = _outcome(_inferred, cells)
    assert _outcome(_inferred, cells) == slow
