"""``dumps_json``: every document richtypes writes; orjson's speed with json's strictness."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from richtypes.core import jsontext
from richtypes.core.jsontext import dumps_json, parse_json
from richtypes.core.nest import write_json


def _reference(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_docs = st.recursive(
    _leaves,
    lambda kids: (
        st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=5), kids, max_size=5)
    ),
    max_leaves=30,
)


@given(_docs)
def test_same_values_as_json(doc: object) -> None:
    try:
        expected = _reference(doc)
    except UnicodeEncodeError:  # a lone surrogate: neither writer may accept it
        with pytest.raises((UnicodeEncodeError, TypeError)):
            dumps_json(doc)
        return
    assert json.loads(dumps_json(doc)) == json.loads(expected)


@pytest.mark.parametrize(
    "doc",
    [
        {"a": float("nan")},
        [1.0, float("inf")],
        {"deep": [{"x": [0.5, (1.0, float("-inf"))]}]},
        {"mixed": [1, "a", None, float("nan")]},
        {"v": {"w": -math.inf}},
    ],
)
def test_non_finite_floats_raise_as_json_does(doc: object) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        _reference(doc)
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps_json(doc)


def test_what_orjson_refuses_is_written_by_json() -> None:
    big = {"n": 2**80, 1: "int key", "t": (1, 2)}
    assert json.loads(dumps_json(big)) == {"n": 2**80, "1": "int key", "t": [1, 2]}


@dataclasses.dataclass
class _Point:
    x: int


@pytest.mark.parametrize("value", [datetime.datetime(2026, 1, 1), _Point(1), {1, 2}, b"raw"])
def test_types_json_refuses_stay_refused(value: object) -> None:
    """orjson writes datetimes and dataclasses itself; documents must not carry them silently."""
    with pytest.raises(TypeError):
        _reference({"v": value})
    with pytest.raises(TypeError):
        dumps_json({"v": value})


def test_json_fallback_when_orjson_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = {"a": [1, 2.5, None, "é"], "b": {"c": True}}
    fast = dumps_json(doc)
    monkeypatch.setattr(jsontext, "_orjson", None)
    assert dumps_json(doc) == _reference(doc)
    assert json.loads(fast) == json.loads(_reference(doc))
    with pytest.raises(ValueError):
        dumps_json({"x": float("nan")})


def test_write_json_round_trips_through_the_strict_parser(tmp_path) -> None:
    doc = {"points": [0.1, 1e-5, 1e300, -0.0], "label": "naïve", "n": None}
    path = write_json(doc, tmp_path / "doc.json")
    assert parse_json(path.read_bytes(), where="doc") == doc
    with pytest.raises(ValueError):
        write_json({"x": float("nan")}, tmp_path / "bad.json")
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"], "nothing half-written"
