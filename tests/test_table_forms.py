"""Table input forms users bring from the reference tracker (issue 13): defaults, DataFrames, N-D rows."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import Store, Table, ValidationError
from richtypes.table import infer
from richtypes.table.table import DEFAULT_COLUMNS


def _round_trip(value, tmp_path: Path):
    doc = json.loads(json.dumps(richtypes.dump(value, tmp_path)))
    return richtypes.load(doc, tmp_path)


def test_table_without_columns_has_the_reference_default_names(tmp_path: Path) -> None:
    empty = Table()
    assert empty.columns == ["Input", "Output", "Expected"] == list(DEFAULT_COLUMNS)
    assert len(empty) == 0 and _round_trip(empty, tmp_path) == empty
    t = Table(data=[["a cat", "cat", "cat"], ["a dog", "cow", "dog"]])
    assert t.column_types == {"Input": "str", "Output": "str", "Expected": "str"}
    assert list(t) == [("a cat", "cat", "cat"), ("a dog", "cow", "dog")]
    empty.add_data(1, 2.5, None)
    assert empty.column_types == {"Input": "int", "Output": "float", "Expected": "null"}
    with pytest.raises(ValidationError) as err:
        Table(data=[[1, 2]])
    assert str(err.value) == "$.data[0]: has 2 cells, expected 3 (one per column)"


def test_integer_column_names_are_kept_as_text(tmp_path: Path) -> None:
    t = Table(columns=[0, 1, np.int64(2)], data=[[1, "x", 0.5]])
    assert t.columns == ["0", "1", "2"]
    assert _round_trip(t, tmp_path).columns == ["0", "1", "2"]


def test_an_nd_array_gives_one_array_cell_per_row(tmp_path: Path) -> None:
    frames = np.random.default_rng(0).integers(0, 255, (10, 1, 128, 128, 3)).astype(np.uint8)
    t = Table(columns=["frame"], data=frames)
    assert len(t) == 10 and t.column_types == {"frame": "array[uint8,(128,128,3)]"}
    assert np.array_equal(t.get_column("frame", convert_to="numpy"), frames[:, 0])
    assert _round_trip(t, tmp_path) == t
    two = Table(columns=["a", "b"], data=np.zeros((4, 2, 3), np.float32))
    assert two.column_types == {"a": "array[float32,(3,)]", "b": "array[float32,(3,)]"}
    with pytest.raises(ValidationError) as err:
        Table(columns=["a", "b"], data=np.zeros((4, 3, 3)))
    assert str(err.value) == "$.data: must have shape (rows, 2, ...), got (4, 3, 3)"


def test_a_dataframe_as_data_is_the_dataframe_form(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"id": [1, 2, 3], "label": ["a", None, "c"], "score": [0.5, np.nan, 1.0]})
    t = Table(data=df)
    assert t == Table(dataframe=df)
    assert t.column_types == {"id": "int", "label": "optional[str]", "score": "float"}
    assert _round_trip(t, tmp_path) == t


def test_default_dataframe_column_names_become_text(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame([[1, "x"], [2, "y"]])  # columns 0, 1
    t = Table(dataframe=df)
    assert t.columns == ["0", "1"] and list(t) == [(1, "x"), (2, "y")]
    assert _round_trip(t, tmp_path) == t


def test_a_logged_or_dumped_dataframe_is_stored_as_a_table(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"epoch": [0, 1], "acc": [0.5, 0.75]})
    back = _round_trip({"df": df, "n": 1}, tmp_path / "dump")
    assert back == {"df": Table(dataframe=df), "n": 1}
    run = richtypes.init(dir=tmp_path / "run")
    run.log({"df": df})
    df.loc[0, "acc"] = 0.0  # what was logged does not change
    run.finish()
    (row,) = richtypes.open_run(run.dir).history()
    assert row["df"] == Table.from_columns({"epoch": [0, 1], "acc": [0.5, 0.75]})


def test_a_dataframe_the_table_refuses_names_its_place(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"when": pd.to_timedelta([1, 2], unit="s")})
    with pytest.raises(ValidationError) as err:
        richtypes.dump({"logs": [df]}, Store(tmp_path))
    dtype = df.dtypes.iloc[0]
    assert str(err.value) == f"$.logs[0].dataframe.when: unsupported column dtype {dtype}"


# ------------------------------------------------- the rows fast path (W7)
_number_cells = st.one_of(
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from([np.float32(0.5), np.int32(-3), np.uint64(2**64 - 1), np.bool_(True), 0, 1]),
    st.none(),
)


@given(st.lists(_number_cells, max_size=12))
@settings(deadline=None, max_examples=300)
def test_the_numeric_fast_path_decides_like_the_cell_rules(cells) -> None:
    def build() -> tuple[str, object]:
        try:
            t = Table(columns=["a"], data=[[c] for c in cells])
        except ValidationError as err:
            return "error", str(err)
        return "ok", t

    fast = build()
    with mock.patch.object(infer, "_plain_numbers", lambda cells: None):
        slow = build()
    assert fast == slow


def test_rows_and_columns_build_equal_tables() -> None:
    rng = np.random.default_rng(3)
    cols = {
        "id": np.arange(500),
        "score": rng.random(500),
        "ok": rng.random(500) > 0.5,
        "label": [f"x{i}" for i in range(500)],
    }
    rows = [
        list(r)
        for r in zip(*(v.tolist() if isinstance(v, np.ndarray) else v for v in cols.values()))
    ]
    assert Table(columns=list(cols), data=rows) == Table.from_columns(cols)
    assert Table(columns=list(cols), data=[tuple(r) for r in rows]) == Table.from_columns(cols)
    with pytest.raises(ValidationError) as err:
        Table(columns=["a", "b"], data=[[1, 2], "ab"])
    assert str(err.value) == "$.data[1]: must be a sequence of cells, got 'ab'"


def test_rows_may_be_numpy_arrays() -> None:
    rows = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]
    assert Table(columns=["a", "b"], data=rows) == Table.from_columns(
        {"a": [1.0, 3.0], "b": [2.0, 4.0]}
    )
    with pytest.raises(ValidationError) as err:
        Table(columns=["a", "b"], data=[np.array([1.0, 2.0]), np.float64(3.0)])
    assert str(err.value) == "$.data[1]: must be a sequence of cells, got 3.0"
