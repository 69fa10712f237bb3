"""Table wire version 2 column types: timestamp, json, complex, ragged (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import FormatError, Store, Table, ValidationError


def _round_trip(
    table: Table, tmp_path: Path, inline_limit: int | None = None
) -> tuple[dict, Table]:
    store = Store(tmp_path) if inline_limit is None else Store(tmp_path, inline_limit=inline_limit)
    doc = json.loads(json.dumps(richtypes.dump(table, store)))
    back = richtypes.load(doc, store)
    assert back == table
    assert richtypes.dump(back, store) == doc
    return doc, back


# ---------------------------------------------------------------- timestamp
def test_dates_and_times_make_a_timestamp_column(tmp_path: Path) -> None:
    utc_plus_2 = dt.timezone(dt.timedelta(hours=2))
    t = Table(
        columns=["t"],
        data=[
            [dt.datetime(2024, 5, 1, 12, 0, 0, 7)],
            [dt.date(2024, 5, 2)],
            [np.datetime64("2024-05-03T01:02:03", "s")],
            [dt.datetime(2024, 5, 4, 2, 0, tzinfo=utc_plus_2)],  # 00:00 UTC
            [np.datetime64("NaT")],
            [None],
        ],
    )
    assert t.column_types == {"t": "optional[timestamp]"}
    assert t.get_column("t") == [
        dt.datetime(2024, 5, 1, 12, 0, 0, 7),
        dt.datetime(2024, 5, 2),
        dt.datetime(2024, 5, 3, 1, 2, 3),
        dt.datetime(2024, 5, 4),
        None,
        None,
    ]
    doc, _ = _round_trip(t, tmp_path)
    assert doc["_version"] == 2 and doc["columns"][0]["values"][:2] == [
        1714564800000007,
        1714608000000000,
    ]


def test_a_datetime64_array_is_a_timestamp_column_without_a_cell_pass(tmp_path: Path) -> None:
    ns = np.array(["2024-01-01T00:00:00.000001", "NaT", "1900-01-01"], "datetime64[ns]")
    t = Table.from_columns({"t": ns})
    assert t.column_types == {"t": "optional[timestamp]"}
    assert t.get_column("t", convert_to="list")[1] is None
    _round_trip(t, tmp_path)
    plain = Table.from_columns({"t": ns[[0, 2]]})
    assert plain.get_column("t", convert_to="numpy").dtype == np.dtype("datetime64[us]")
    _round_trip(plain, tmp_path, inline_limit=0)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Table(columns=["t"], data=[[np.datetime64("2024-01-01T00:00:00.000000001")]]),
        lambda: Table.from_columns(
            {"t": np.array(["2024-01-01T00:00:00.000000001"], "datetime64[ns]")}
        ),
    ],
)
def test_sub_microsecond_times_are_refused_not_cut(build) -> None:
    with pytest.raises(ValidationError) as err:
        build()
    assert str(err.value).startswith(
        "$.data[0].t: has sub-microsecond precision (timestamps are stored in microseconds), got "
    )


def test_dataframe_datetime_columns(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "naive": pd.to_datetime(["2024-01-01 10:00", None]),
            "aware": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00"]).tz_localize(
                "Europe/Paris"
            ),
        }
    )
    t = Table(dataframe=df)
    assert t.column_types == {"naive": "optional[timestamp]", "aware": "timestamp"}
    assert t.get_column("aware") == [dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 1, 23)]
    _round_trip(t, tmp_path)


# --------------------------------------------------------------------- json
def test_dict_cells_make_a_json_column(tmp_path: Path) -> None:
    t = Table(columns=["cfg"], data=[[{"b": 1, "a": [1.5, None, (2, "x")]}], [None], [{}]])
    assert t.column_types == {"cfg": "optional[json]"}
    assert t.get_column("cfg") == [{"a": [1.5, None, [2, "x"]], "b": 1}, None, {}]
    doc, _ = _round_trip(t, tmp_path)
    assert doc["columns"][0]["values"] == ['{"a":[1.5,null,[2,"x"]],"b":1}', "", "{}"]
    assert Table(columns=["c"], data=[[{"a": 1, "b": 2}]]) == Table(
        columns=["c"], data=[[{"b": 2, "a": 1}]]
    )
    _round_trip(
        Table.from_columns({"c": [{"i": i} for i in range(3000)]}), tmp_path, inline_limit=0
    )


@pytest.mark.parametrize(
    "cell, message",
    [
        (
            {"x": float("nan")},
            "$.data[0].c.x: must be a finite number (JSON has no NaN or infinity), got nan",
        ),
        ({1: "a"}, "$.data[0].c: keys must be strings, got 1"),
        ({"s": {1, 2}}, "$.data[0].c.s: cannot be stored as JSON (set), got {1, 2}"),
    ],
)
def test_dict_cells_must_be_json(cell, message) -> None:
    with pytest.raises(ValidationError) as err:
        Table(columns=["c"], data=[[cell]])
    assert str(err.value) == message


# ------------------------------------------------------------------ complex
def test_complex_cells_make_a_complex_column(tmp_path: Path) -> None:
    t = Table(columns=["z"], data=[[1 + 2j], [3], [0.5], [np.complex64(1j)], [complex("nan+infj")]])
    assert t.column_types == {"z": "complex"}
    assert t.get_column("z", convert_to="numpy").dtype == np.complex128
    doc, _ = _round_trip(t, tmp_path)
    assert doc["columns"][0]["values"][:4] == [1.0, 2.0, 3.0, 0.0]
    big = Table.from_columns({"z": np.arange(5000) * (1 - 1j)})
    _round_trip(big, tmp_path, inline_limit=0)
    with pytest.raises(ValidationError) as err:
        Table(columns=["z"], data=[[1j], [True]])
    assert str(err.value) == "$.data[1].z: does not fit column type complex, got True"


# ------------------------------------------------------------------- ragged
def test_lists_of_different_lengths_make_a_ragged_column(tmp_path: Path) -> None:
    t = Table(columns=["r"], data=[[[1, 2, 3]], [[]], [np.array([4.5])], [None]])
    assert t.column_types == {"r": "optional[ragged[float64]]"}
    cells = t.get_column("r")
    assert [c.tolist() if c is not None else None for c in cells] == [[1, 2, 3], [], [4.5], None]
    doc, _ = _round_trip(t, tmp_path)
    assert doc["columns"][0]["offsets"] == [0, 3, 3, 4, 4]
    assert doc["columns"][0]["values"] == [1.0, 2.0, 3.0, 4.5]


def test_a_fixed_length_column_grows_ragged_on_add_data(tmp_path: Path) -> None:
    t = Table(columns=["r"], data=[[[1, 2]], [[3, 4]]])
    assert t.column_types == {"r": "array[int64,(2,)]"}
    t.add_data([5, 6, 7])
    assert t.column_types == {"r": "ragged[int64]"}
    assert [c.tolist() for c in t.get_column("r")] == [[1, 2], [3, 4], [5, 6, 7]]
    _round_trip(t, tmp_path)
    with pytest.raises(ValidationError) as err:
        t.add_data([[1, 2]])
    assert str(err.value) == "$.data[3].r: does not fit column type ragged[int64], got [[1, 2]]"


@given(
    st.lists(st.one_of(st.none(), st.lists(st.integers(-(2**31), 2**31), max_size=5)), max_size=20)
)
@settings(deadline=None, max_examples=50)
def test_ragged_property_round_trip(tmp_path_factory, cells) -> None:
    t = Table(columns=["r"], data=[[c] for c in cells], dtypes={"r": "optional[ragged[int64]]"})
    _round_trip(t, tmp_path_factory.mktemp("r"))
    got = t.get_column("r")
    assert [None if g is None else g.tolist() for g in got] == [
        c if c is None else list(c) for c in cells
    ]


# ---------------------------------------------------------------- decoding
def _doc(tmp_path: Path) -> dict:
    t = Table(columns=["r", "c"], data=[[[1, 2], {"a": 1}], [[3], None]])
    return json.loads(json.dumps(richtypes.dump(t, tmp_path)))


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d.update(_version=1),
            "$.columns[0].type: column type ragged[int64] needs table _version 2",
        ),
        (
            lambda d: d["columns"][0].update(offsets=[0, 2, 1]),
            "$.columns[0].offsets: must start at 0 and never decrease",
        ),
        (
            lambda d: d["columns"][0].pop("offsets"),
            "$.columns[0]: only a ragged column has 'offsets', and it must",
        ),
        (
            lambda d: d["columns"][1].update(values=['{"a": 1}', ""]),
            "$.columns[1].values[0]: must be canonical JSON (sorted keys, no spaces), got '{\"a\": 1}'",
        ),
        (
            lambda d: d["columns"][1].update(values=["[1]", ""]),
            "$.columns[1].values[0]: must be the text of a JSON object, got '[1]'",
        ),
        (
            lambda d: d["columns"][1].update(values=['{"a":NaN}', ""]),
            "$.columns[1].values[0]: must be the text of a JSON object, got '{\"a\":NaN}'",
        ),
    ],
)
def test_malformed_v2_documents(tmp_path: Path, change, message) -> None:
    doc = _doc(tmp_path)
    change(doc)
    with pytest.raises(FormatError) as err:
        richtypes.load(doc, tmp_path)
    assert str(err.value) == message


def test_a_decoded_v1_table_re_encodes_as_v1_until_it_changes(tmp_path: Path) -> None:
    doc = {
        "_type": "table",
        "_version": 1,
        "nrows": 1,
        "columns": [{"name": "a", "type": "int", "values": [1]}],
    }
    back = richtypes.load(doc, tmp_path)
    assert richtypes.dump(back, tmp_path) == doc
    back.add_data(2)
    assert richtypes.dump(back, tmp_path)["_version"] == 2


def test_to_pandas_keeps_timestamps_and_complex_numbers() -> None:
    pytest.importorskip("pandas")
    t = Table(
        columns=["t", "z", "maybe", "r", "c"],
        data=[
            [dt.datetime(2024, 1, 1), 1j, dt.date(2024, 1, 2), [1, 2], {"a": 1}],
            [dt.datetime(2024, 1, 3), 2.0, None, [3], {}],
        ],
    )
    df = t.to_pandas()
    assert str(df["t"].dtype) == "datetime64[us]" and df["z"].dtype == np.complex128
    assert df["maybe"].isna().tolist() == [False, True]
    assert df["r"].dtype == object and df["c"].tolist() == [{"a": 1}, {}]
    assert Table(dataframe=df[["t", "z", "maybe", "c"]]) == Table(
        columns=["t", "z", "maybe", "c"], data=[[r[0], r[1], r[2], r[4]] for r in t]
    )


# ---------------------------------------------------------------- property
_v2_cells = {
    "timestamp": st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    "complex": st.complex_numbers(allow_nan=True, allow_infinity=True),
    "json": st.dictionaries(
        st.text(max_size=4),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=4),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=3), inner, max_size=3)
            ),
            max_leaves=6,
        ),
        max_size=3,
    ),
    "ragged": st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
}


@st.composite
def v2_tables(draw):
    nrows = draw(st.integers(0, 8))
    columns = {}
    for j in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(sorted(_v2_cells)))
        cells = draw(
            st.lists(
                st.one_of(st.none(), _v2_cells[kind]) if draw(st.booleans()) else _v2_cells[kind],
                min_size=nrows,
                max_size=nrows,
            )
        )
        columns[f"{kind}{j}"] = (kind, cells)
    return nrows, columns


@given(v2_tables(), st.booleans())
@settings(deadline=None, max_examples=60)
def test_v2_property_round_trip(tmp_path_factory, drawn, sidecars) -> None:
    nrows, columns = drawn
    dtypes = {
        name: ("optional[ragged[float64]]" if kind == "ragged" else f"optional[{kind}]")
        for name, (kind, _) in columns.items()
    }
    t = Table.from_columns({name: cells for name, (_, cells) in columns.items()}, dtypes=dtypes)
    rows = [list(r) for r in zip(*(cells for _, cells in columns.values()))] if nrows else []
    assert Table(columns=list(columns), data=rows, dtypes=dtypes) == t
    store = Store(tmp_path_factory.mktemp("v2"), inline_limit=0 if sidecars else 1 << 20)
    doc = json.loads(json.dumps(richtypes.dump(t, store)))
    back = richtypes.load(doc, store)
    assert back == t and richtypes.dump(back, store) == doc
    for name, (kind, cells) in columns.items():
        got = back.get_column(name)
        for want, have in zip(cells, got):
            if want is None:
                assert have is None
            elif kind == "ragged":
                assert np.array_equal(
                    have, np.array(want, dtype=np.float64).reshape(-1), equal_nan=True
                )
            elif kind == "complex":
                assert np.array_equal(np.array(have), np.array(want), equal_nan=True)
            else:
                assert have == want


def test_timestamps_stay_within_what_datetime_holds(tmp_path: Path) -> None:
    far = np.datetime64("10000-01-01", "D")
    for build in (
        lambda: Table(columns=["t"], data=[[far]]),
        lambda: Table.from_columns({"t": np.array([far])}),
    ):
        with pytest.raises(ValidationError) as err:
            build()
        assert str(err.value).startswith(
            "$.data[0].t: must be within the years 1..9999 (what datetime can hold), got "
        )
    doc = json.loads(
        json.dumps(richtypes.dump(Table(columns=["t"], data=[[dt.date(2024, 1, 1)]]), tmp_path))
    )
    doc["columns"][0]["values"] = [2**62]
    with pytest.raises(FormatError) as ferr:
        richtypes.load(doc, tmp_path)
    assert str(ferr.value) == (
        "$.columns[0].values[0]: must be microseconds within -62135596800000000..253402300799999999 "
        f"(the years 1..9999), got {2**62}"
    )


def test_a_dict_among_arrays_names_the_cell() -> None:
    with pytest.raises(ValidationError) as err:
        Table(columns=["c"], data=[[{"a": 1}], [np.zeros(2)]])
    assert str(err.value).startswith("$.data[1].c: does not fit column type json, got ")
