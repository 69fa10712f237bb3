"""Table: inference, every input form, add_data/add_column, bad inputs, inline and sidecar round trips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import FormatError, Histogram, Store, Table, ValidationError
from richtypes.table import MAX_COLUMNS


def _hist(*values: float) -> Histogram:
    return Histogram(list(values), num_bins=2)


ROWS = [
    [1, 0.5, True, "cat", None, np.array([1.0, 2.0], np.float32), _hist(1, 2), None],
    [2, float("nan"), False, "dög", 7, np.array([3.0, -np.inf], np.float32), None, None],
    [-3, 2.0, True, "", 8, np.array([0.0, 0.5], np.float32), _hist(5), None],
]
NAMES = ["id", "score", "ok", "label", "maybe", "emb", "hist", "nothing"]
TYPES = {
    "id": "int",
    "score": "float",
    "ok": "bool",
    "label": "str",
    "maybe": "optional[int]",
    "emb": "array[float32,(2,)]",
    "hist": "optional[media:histogram]",
    "nothing": "null",
}


def every_type_table() -> Table:
    return Table(columns=NAMES, data=ROWS)


# ------------------------------------------------------------------ inference
def test_every_column_type_is_inferred() -> None:
    assert every_type_table().column_types == TYPES


def test_every_input_form_gives_the_same_table() -> None:
    by_rows = every_type_table()
    by_columns = Table.from_columns({n: [r[i] for r in ROWS] for i, n in enumerate(NAMES)})
    built = Table(columns=NAMES)
    for row in ROWS:
        built.add_data(*row)
    numpy_columns = Table.from_columns(
        {
            **{n: [r[i] for r in ROWS] for i, n in enumerate(NAMES)},
            "id": np.array([1, 2, -3], np.int32),
            "score": np.array([0.5, np.nan, 2.0], np.float32).astype(np.float64),
            "ok": np.array([True, False, True]),
            "label": np.array(["cat", "dög", ""]),
            "emb": np.stack([r[5] for r in ROWS]),
        }
    )
    assert by_rows == by_columns == built == numpy_columns
    assert built.column_types == TYPES


@pytest.mark.parametrize(
    "cells, expected",
    [
        ([1, 2.5], "float"),
        ([np.int16(1), 2], "int"),
        ([np.float32(1.5), 2], "float"),
        ([np.bool_(True), False], "bool"),
        ([np.str_("a"), "b"], "str"),
        ([None, None], "null"),
        ([None, "a"], "optional[str]"),
        ([None, 1, 2.0], "optional[float]"),
        ([[1, 2], [3, 4]], "array[int64,(2,)]"),
        ([np.zeros((2, 3), np.uint8), None], "optional[array[uint8,(2,3)]]"),
        ([np.zeros(2, np.float32), np.zeros(2, np.float64)], "array[float64,(2,)]"),
        ([2**63 - 1, -(2**63)], "int"),
        ([], "null"),
    ],
)
def test_inferred_type_names(cells, expected) -> None:
    assert Table.from_columns({"c": cells}).column_types == {"c": expected}


def test_mixed_int_float_becomes_float_and_keeps_values() -> None:
    t = Table.from_columns({"x": [1, 2.5, 3]})
    assert t.get_column("x", convert_to="numpy").tolist() == [1.0, 2.5, 3.0]


def test_dtypes_override_inference() -> None:
    t = Table(
        columns=["a", "b", "c"],
        data=[[1, 2, "x"]],
        dtypes={"a": "float", "b": "optional[int]", "c": str},
    )
    assert t.column_types == {"a": "float", "b": "optional[int]", "c": "str"}
    t = Table(columns=["a", "h"], data=[[1, None]], dtypes=[float, "optional[media:histogram]"])
    assert t.column_types == {"a": "float", "h": "optional[media:histogram]"}
    t.add_data(2, _hist(1))
    assert t.column_types == {"a": "float", "h": "optional[media:histogram]"}


def test_add_data_widens_types_and_never_loses_a_row() -> None:
    t = Table(columns=["a", "b"])
    assert t.column_types == {"a": "null", "b": "null"}
    t.add_data(1, None)
    assert t.get_column("a") == [1]  # finalizes, then keeps appending
    t.add_data(2.5, "x")
    t.add_data(None, "y")
    assert t.column_types == {"a": "optional[float]", "b": "optional[str]"}
    assert list(t) == [(1.0, None), (2.5, "x"), (None, "y")]


def test_add_column_and_accessors() -> None:
    t = Table(columns=["a"], data=[[1], [2]])
    t.add_column("b c", ["x", "y"])
    assert t.columns == ["a", "b c"] and len(t) == 2
    assert t.get_index().tolist() == [0, 1]
    assert t.get_column("b c", convert_to="numpy").tolist() == ["x", "y"]
    assert t.get_column("b c", convert_to="list") == ["x", "y"]
    with pytest.raises(KeyError, match="no column 'zz'"):
        t.get_column("zz")


def test_returned_arrays_are_read_only_snapshots() -> None:
    t = Table.from_columns({"a": [1, 2]})
    arr = t.get_column("a", convert_to="numpy")
    t.add_data(3)
    assert arr.tolist() == [1, 2] and not arr.flags.writeable
    assert t.get_column("a", convert_to="numpy").tolist() == [1, 2, 3]


def test_caller_input_is_not_mutated() -> None:
    cells = [1, None, 3]
    arr = np.arange(3)
    t = Table.from_columns({"a": cells, "b": arr})
    assert cells == [1, None, 3] and arr.flags.writeable
    assert t.get_column("b", convert_to="numpy") is not arr


def test_equality_is_by_content_and_type() -> None:
    assert Table.from_columns({"a": [1.0, np.nan]}) == Table.from_columns(
        {"a": [1.0, float("nan")]}
    )
    assert Table.from_columns({"a": [1, 2]}) != Table.from_columns({"a": [1.0, 2.0]})
    assert Table.from_columns({"a": ["x"]}) != Table.from_columns({"b": ["x"]})
    assert Table.from_columns({"h": [_hist(1)]}) != Table.from_columns({"h": [_hist(2)]})


# ---------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: Table(columns=["a", "b"], data=[[1, "x"], [2]]),
            r"^\$\.data\[1\]: has 1 cells, expected 2 \(one per column\)$",
        ),
        (
            lambda: Table(columns=["a"], data=[[1], 5]),
            r"^\$\.data\[1\]: must be a sequence of cells, got 5$",
        ),
        (lambda: Table(columns=["a", "a"]), r"^\$\.columns\[1\]: duplicate column name, got 'a'$"),
        (
            lambda: Table(columns=[1.5]),
            r"^\$\.columns\[0\]: column names must be strings or integers, got 1\.5$",
        ),
        (
            lambda: Table(columns=[0, "0"]),
            r"^\$\.columns\[1\]: duplicate column name, got '0'$",
        ),
        (lambda: Table(columns="ab"), r"^\$\.columns: must be a list of column names, got 'ab'$"),
        (
            lambda: Table(columns=["a"], data=[[1], ["x"]]),
            r"^\$\.data\[1\]\.a: does not fit column type int, got 'x'$",
        ),
        (
            lambda: Table(columns=["my col"], data=[[1.5], [True]]),
            r'^\$\.data\[1\]\["my col"\]: does not fit column type float, got True$',
        ),
        (
            lambda: Table(columns=["a"], data=[[None], [1], ["x"]]),
            r"^\$\.data\[2\]\.a: does not fit column type optional\[int\], got 'x'$",
        ),
        (
            lambda: Table(columns=["a"], data=[[1], [2**63]]),
            r"^\$\.data\[1\]\.a: is outside the int64 range, got 9223372036854775808$",
        ),
        (
            lambda: Table(columns=["a"], data=[[0.5], [2**1024]]),
            r"^\$\.data\[1\]\.a: is outside the float64 range, got 1797693",
        ),
        (
            lambda: Table(columns=["a"], data=[[{1, 2}]]),
            r"^\$\.data\[0\]\.a: unsupported cell type set \(use int, float, bool, str, complex, None, a date or time, a dict, a numeric numpy array or list, or a richtypes media object\), got \{1, 2\}$",
        ),
        (
            lambda: Table(columns=["a"], data=[[np.zeros((2, 2))], [np.zeros((3, 2))]]),
            r"^\$\.data\[1\]\.a: does not fit column type array\[float64,\(2,2\)\], got array\(shape=\(3, 2\), dtype=float64\)$",
        ),
        (
            lambda: Table(columns=["a"], data=[[_hist(1)], [Table(columns=[])]]),
            r"^\$\.data\[1\]\.a: does not fit column type media:histogram, got Table\(rows=0, columns=\{\}\)$",
        ),
        (
            lambda: Table(columns=["a"], data=[["\ud800"]]),
            r"^\$\.data\[0\]\.a: is not valid Unicode \(lone surrogate\), got '\\ud800'$",
        ),
        (
            lambda: Table(columns=["a"], data=[[1], [None]], dtypes={"a": int}),
            r"^\$\.data\[1\]\.a: does not fit column type int, got None$",
        ),
        (
            lambda: Table(columns=["a"], data=[[1]], dtypes={"a": "integer"}),
            r"^\$\.dtypes\.a: unknown column type \(use int, float, bool, str, complex, timestamp, json, null, optional\[\.\.\.\], array\[<dtype>,\(<shape>\)\], ragged\[<dtype>\] or media:<type>\), got 'integer'$",
        ),
        (
            lambda: Table(columns=["a"], data=[[1]], dtypes={"b": int}),
            r"^\$\.dtypes\.b: is not a column, got 'b'$",
        ),
        (
            lambda: Table(columns=["a"], data=[[1]], dtypes=[int, int]),
            r"^\$\.dtypes: has 2 types, expected 1 \(one per column\)$",
        ),
        (
            lambda: Table.from_columns({"a": [1, 2], "b": [1]}),
            r"^\$\.columns\.b: has 1 values, expected 2 like the first column$",
        ),
        (
            lambda: Table.from_columns({"a": np.array([2**63], np.uint64)}),
            r"^\$\.data\[0\]\.a: is outside the int64 range, got 9223372036854775808$",
        ),
        (
            lambda: Table.from_columns({"a": np.array([1, 2], "timedelta64[s]")}),
            r"^\$\.columns\.a: unsupported column dtype timedelta64\[s\]$",
        ),
        (
            lambda: Table.from_columns({"a": np.array([1.5])}, dtypes={"a": int}),
            r"^\$\.data\[0\]\.a: does not fit column type int, got 1\.5$",
        ),
        (
            lambda: Table.from_columns({"a": 5}),
            r"^\$\.columns\.a: must be a list or an array of cells, got 5$",
        ),
        (
            lambda: Table.from_columns({f"c{i}": [] for i in range(MAX_COLUMNS + 1)}),
            rf"^\$\.columns: a table holds at most {MAX_COLUMNS} columns, got {MAX_COLUMNS + 1}$",
        ),
        (
            lambda: Table(columns=["a"], data=[[1]], dataframe=object()),
            r"^\$\.dataframe: give either dataframe or columns/data, not both$",
        ),
    ],
)
def test_bad_inputs_name_the_cell(build, message) -> None:
    with pytest.raises(ValidationError, match=message):
        build()


@pytest.mark.parametrize(
    "row, message",
    [
        ((1,), r"^\$\.data\[2\]: has 1 cells, expected 2 \(one per column\)$"),
        (("x", "y"), r"^\$\.data\[2\]\.a: does not fit column type int, got 'x'$"),
        ((3, 4), r'^\$\.data\[2\]\["b c"\]: does not fit column type str, got 4$'),
        ((2**64, "z"), r"^\$\.data\[2\]\.a: is outside the int64 range, got 18446744073709551616$"),
        (
            (1, "\udfff"),
            r'^\$\.data\[2\]\["b c"\]: is not valid Unicode \(lone surrogate\), got \'\\udfff\'$',
        ),
        ((True, "z"), r"^\$\.data\[2\]\.a: does not fit column type int, got True$"),
        (
            (np.uint64(2**64 - 1), "z"),
            r"^\$\.data\[2\]\.a: is outside the int64 range, got 18446744073709551615$",
        ),
    ],
)
def test_a_rejected_row_leaves_the_table_unchanged(row, message) -> None:
    t = Table(columns=["a", "b c"], data=[[1, "x"], [np.uint64(2), "y"]])
    t.add_data(np.uint64(3), "z")  # seen once: its type is on the fast path from now on
    t = Table(columns=["a", "b c"], data=[[1, "x"], [2, "y"]])
    with pytest.raises(ValidationError, match=message):
        t.add_data(*row)
    assert len(t) == 2 and t.column_types == {"a": "int", "b c": "str"}
    assert list(t) == [(1, "x"), (2, "y")]


def test_add_column_errors() -> None:
    t = Table(columns=["a"], data=[[1], [2]])
    with pytest.raises(
        ValidationError, match=r"^\$\.columns\.b: has 1 values, expected 2 \(one per row\)$"
    ):
        t.add_column("b", [1])
    with pytest.raises(
        ValidationError, match=r"^\$\.columns\[1\]: duplicate column name, got 'a'$"
    ):
        t.add_column("a", [1, 2])
    assert t.columns == ["a"]


def test_a_table_is_frozen_apart_from_its_builder_methods() -> None:
    with pytest.raises(AttributeError, match="Table objects are immutable"):
        Table().x = 1  # type: ignore[attr-defined]


# ------------------------------------------------------------------- wire
def test_inline_round_trip_of_every_column_type(roundtrip) -> None:
    doc, back = roundtrip(every_type_table())
    assert all(isinstance(c.get("values", []), list) for c in doc["columns"])
    assert doc["columns"][1]["values"][1] == "NaN"
    assert doc["columns"][5]["values"][3] == "-Infinity"
    assert back.column_types == TYPES


def test_sidecar_round_trip_of_every_column_type(tmp_path: Path, roundtrip) -> None:
    n = 3000
    rng = np.random.default_rng(0)
    t = Table.from_columns(
        {
            "i": rng.integers(-5, 5, n),
            "f": rng.standard_normal(n),
            "b": rng.random(n) > 0.5,
            "s": [f"s{i}é" for i in range(n)],
            "os": [None if i % 3 else "x" for i in range(n)],
            "oi": [None if i % 4 == 0 else i for i in range(n)],
            "ob": [None if i % 5 == 0 else i % 2 == 0 for i in range(n)],
            "a": rng.random((n, 3)).astype(np.float32),
            "n": [None] * n,
            "oa": [None if i % 2 else np.full(2, i, np.int16) for i in range(n)],
            "h": [_hist(i) if i < 3 else None for i in range(n)],
        }
    )
    doc, back = roundtrip(t)
    formats = {
        c["name"]: c["values"].get("format")
        for c in doc["columns"]
        if isinstance(c.get("values"), dict)
    }
    assert formats == {
        "i": "npy",
        "f": "npy",
        "b": "npy",
        "s": "msgpack",
        "os": "msgpack",
        "oi": "npy",
        "ob": "npy",
        "a": "npy",
        "oa": "npy",
    }
    assert back.column_types == t.column_types
    assert back.get_column("oa")[1] is None and back.get_column("oa")[2].tolist() == [2, 2]


def test_a_100k_row_table_reads_back_every_row(tmp_path: Path) -> None:
    n = 100_000
    t = Table(columns=["i", "f", "s", "b", "g", "j"])
    for i in range(n):
        t.add_data(i, i / 7, f"row {i}", i % 3 == 0, -i * 0.5, n - i)
    back = richtypes.load(richtypes.dump(t, tmp_path), tmp_path)
    assert len(back) == n and back == t
    rows = list(back)
    assert rows[0] == (0, 0.0, "row 0", True, -0.0, n) and rows[-1] == (
        n - 1,
        (n - 1) / 7,
        f"row {n - 1}",
        (n - 1) % 3 == 0,
        -(n - 1) * 0.5,
        1,
    )
    assert back.get_column("s")[54321] == "row 54321"


def test_reencoding_a_decoded_table_keeps_its_layout(tmp_path: Path) -> None:
    t = Table.from_columns({"a": list(range(5000))})
    doc = richtypes.dump(t, Store(tmp_path, inline_limit=1 << 20))
    back = richtypes.load(doc, tmp_path)
    assert richtypes.dump(back, Store(tmp_path)) == doc
    back.add_data(1)
    assert isinstance(richtypes.dump(back, Store(tmp_path))["columns"][0]["values"], dict)


def _doc(tmp_path: Path, table: Table) -> dict:
    return json.loads(json.dumps(richtypes.dump(table, tmp_path)))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(nrows=-1), r"$.nrows: must be 0..100000000, got -1"),
        (lambda d: d.update(nrows=3), r"$.columns[0].values: must hold 3 values, got 2"),
        (
            lambda d: d["columns"][0].update(type="int64"),
            "$.columns[0].type: unknown column type (use int, float, bool, str, complex, timestamp, "
            "json, null, optional[...], array[<dtype>,(<shape>)], ragged[<dtype>] or media:<type>), "
            "got 'int64'",
        ),
        (
            lambda d: d["columns"][0].update(values=[1, True]),
            "$.columns[0].values[1]: must be a int64 value, got True",
        ),
        (
            lambda d: d["columns"][1].update(values=[1.0, "nan"]),
            "$.columns[1].values[1]: text in a list of numbers must be NaN, Infinity or -Infinity, got 'nan'",
        ),
        (
            lambda d: d["columns"][2].pop("valid"),
            "$.columns[2]: an optional column needs 'valid'",
        ),
        (
            lambda d: d["columns"][0].update(valid=[True, True]),
            "$.columns[0].valid: only an optional column has 'valid'",
        ),
        (
            lambda d: d["columns"][0].update(extra=1),
            "$.columns[0]: has unknown fields ['extra']",
        ),
        (
            lambda d: d["columns"].append(dict(d["columns"][0])),
            "$.columns[4].name: duplicate column name, got 'a'",
        ),
        (
            lambda d: d["columns"][3].update(
                values=[None, {"_type": "table", "_version": 1, "nrows": 0, "columns": []}]
            ),
            "$.columns[3].values[1]._type: must be a 'histogram' envelope, got 'table'",
        ),
        (
            lambda d: d["columns"][3].update(valid=[True, True]),
            "$.columns[3]: media cells must be null exactly where 'valid' is false",
        ),
        (
            lambda d: d["columns"][0].update(values=[1, 2**64]),
            "$.columns[0].values: a value is outside the int64 range",
        ),
        (
            lambda d: d["columns"][2].update(values=["", "\ud800"]),
            "$.columns[2].values[1]: is not valid Unicode (lone surrogate), got '\\ud800'",
        ),
        (
            lambda d: d["columns"][3]["values"][1].update(counts=[1, 2, 3]),
            None,  # the nested envelope's own error, under the cell's path
        ),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = _doc(
        tmp_path,
        Table(columns=["a", "f", "s", "h"], data=[[1, 0.5, None, None], [2, 1.5, "x", _hist(1)]]),
    )
    change(doc)
    with pytest.raises(FormatError) as err:
        richtypes.load(doc, tmp_path)
    if message is None:
        assert str(err.value).startswith("$.columns[3].values[1]"), str(err.value)
    else:
        assert str(err.value) == message


def test_sidecar_of_the_wrong_dtype_or_length_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path, inline_limit=0)
    doc = richtypes.dump(Table.from_columns({"a": [1, 2], "s": ["x", "y"]}), store)
    cases = [
        (
            0,
            store.put_array(np.array([1.0, 2.0])),
            "$.columns[0].values: must be an array of int64 with shape (2,), got float64 (2,)",
        ),
        (
            1,
            store.put_bytes(b"\x93\xa1x\xa1y\xa1z", "msgpack"),
            "$.columns[1].values: not a valid msgpack list of strings (ValueError)",
        ),
        (
            1,
            store.put_bytes(b"\x92\xa1x\x01", "msgpack"),
            "$.columns[1].values[1]: must be a string, got 1",
        ),
    ]
    for j, ref, message in cases:
        bad = json.loads(json.dumps(doc))
        bad["columns"][j]["values"] = ref
        with pytest.raises(FormatError) as err:
            richtypes.load(bad, store)
        assert str(err.value) == message


def test_a_table_nested_in_a_table_keeps_its_column_types_checked(tmp_path: Path) -> None:
    inner = Table(columns=["k", "v"], data=[["a", 1], ["b", None]])
    outer = Table(columns=["id", "sub"], data=[[1, inner], [2, None]])
    assert outer.column_types == {"id": "int", "sub": "optional[media:table]"}
    doc = _doc(tmp_path, outer)
    back = richtypes.load(doc, tmp_path)
    assert back == outer and back.get_column("sub")[0].column_types == inner.column_types
    doc["columns"][1]["values"][0]["columns"][1]["values"] = [1, 2.5]
    with pytest.raises(FormatError) as err:
        richtypes.load(doc, tmp_path)
    assert (
        str(err.value)
        == "$.columns[1].values[0].columns[1].values[1]: must be a int64 value, got 2.5"
    )
    with pytest.raises(ValidationError) as verr:
        Table(columns=["sub"], data=[[inner], [Histogram([1.0], num_bins=1)]])
    assert str(verr.value).startswith("$.data[1].sub: does not fit column type media:table")


# ----------------------------------------------------------------- pandas
def test_pandas_round_trip() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "i": np.arange(4, dtype=np.int64),
            "f": [0.5, np.nan, 1.0, 2.0],
            "b": [True, False, True, True],
            "s": ["a", "b", None, "d"],
            "ni": pd.array([1, None, 3, 4], dtype="Int64"),
            "nb": pd.array([True, None, False, True], dtype="boolean"),
        }
    )
    t = Table(dataframe=df)
    assert t.column_types == {
        "i": "int",
        "f": "float",
        "b": "bool",
        "s": "optional[str]",
        "ni": "optional[int]",
        "nb": "optional[bool]",
    }
    pd.testing.assert_frame_equal(t.to_pandas(), df)
    assert Table(dataframe=t.to_pandas()) == t


def test_dataframe_errors() -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(
        ValidationError, match=r"^\$\.dataframe: must be a pandas DataFrame, got \[1\]$"
    ):
        Table(dataframe=[1])
    with pytest.raises(
        ValidationError, match=r"^\$\.dataframe\.t: unsupported column dtype timedelta64\[us\]$"
    ):
        Table(dataframe=pd.DataFrame({"t": np.array([1], "timedelta64[us]")}))
    with pytest.raises(
        ValidationError,
        match=r"^\$\.columns\[0\]: column names must be strings or integers, got 1\.5$",
    ):
        Table(dataframe=pd.DataFrame({1.5: [1]}))
    with pytest.raises(
        ValidationError, match=r"^\$\.dataframe: give either dataframe or columns/data, not both$"
    ):
        Table(columns=["a"], data=pd.DataFrame({"a": [1]}))


# --------------------------------------------------------------- property
cell_kinds = {
    "int": st.integers(-(2**63), 2**63 - 1),
    "float": st.floats(allow_nan=True, allow_infinity=True),
    "str": st.text(max_size=8),
    "bool": st.booleans(),
}


@st.composite
def tables(draw):
    nrows = draw(st.integers(0, 12))
    columns = {}
    for j in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(sorted(cell_kinds)))
        cell = cell_kinds[kind]
        if draw(st.booleans()):
            cell = st.one_of(st.none(), cell)
        columns[f"c{j}"] = draw(st.lists(cell, min_size=nrows, max_size=nrows))
    return columns


@settings(max_examples=40, deadline=None)
@given(columns=tables(), inline_limit=st.sampled_from([0, 1 << 14]))
def test_property_random_tables_round_trip_and_keep_every_cell(
    tmp_path_factory, columns, inline_limit
) -> None:
    t = Table.from_columns(columns)
    root = tmp_path_factory.mktemp("t")
    store = Store(root, inline_limit=inline_limit)
    doc = json.loads(json.dumps(richtypes.dump(t, store), allow_nan=False))
    back = richtypes.load(doc, store)
    assert back == t and back.column_types == t.column_types
    for name, cells in columns.items():
        got = back.get_column(name)
        expected = [
            None
            if c is None
            else float(c)
            if t.column_types[name].endswith("float]") or t.column_types[name] == "float"
            else c
            for c in cells
        ]
        assert len(got) == len(cells)
        assert all(
            (g is None and e is None) or g == e or (g != g and e != e)
            for g, e in zip(got, expected)
        )
