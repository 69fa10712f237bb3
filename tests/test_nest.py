"""dump/load of nests of plain values and media objects."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import richtypes
from richtypes import FormatError, Histogram, ValidationError
from richtypes.core.nest import write_json


def test_a_nest_round_trips_with_media_inside(tmp_path: Path, roundtrip) -> None:
    value = {
        "step": 3,
        "loss": 0.5,
        "ok": True,
        "name": "run",
        "none": None,
        "hists": [Histogram([1, 2, 3]), {"deep": Histogram(np.arange(10.0))}],
    }
    doc, back = roundtrip(value)
    assert doc["hists"][0]["_type"] == "histogram"
    assert back == value


def test_non_finite_floats_survive_standard_json(tmp_path: Path) -> None:
    doc = richtypes.dump(
        {"a": math.nan, "b": [math.inf, -math.inf], "c": np.float32("nan")}, tmp_path
    )
    text = json.dumps(doc, allow_nan=False)
    back = richtypes.load(json.loads(text), tmp_path)
    assert math.isnan(back["a"]) and back["b"] == [math.inf, -math.inf] and math.isnan(back["c"])


def test_numpy_scalars_become_plain_numbers(tmp_path: Path) -> None:
    assert richtypes.dump(
        {"a": np.int64(3), "b": np.float32(0.5), "c": np.bool_(True)}, tmp_path
    ) == {"a": 3, "b": 0.5, "c": True}


def test_tuples_come_back_as_lists(tmp_path: Path) -> None:
    assert richtypes.load(richtypes.dump((1, (2, 3)), tmp_path), tmp_path) == [1, [2, 3]]


@pytest.mark.parametrize(
    "value, message",
    [
        ({"a": {1: 2}}, r"^\$\.a: dictionary keys must be strings, got 1$"),
        (
            {"x": [0, np.zeros(3)]},
            r"^\$\.x\[1\]: a bare numpy array cannot be logged; wrap it in a media type",
        ),
        ({"x": {"_type": "histogram"}}, r"^\$\.x: '_type' is a reserved key, got '_type'$"),
        (
            {"my key": object()},
            r'^\$\["my key"\]: cannot encode a value of type object, got <object object',
        ),
    ],
)
def test_values_that_cannot_be_encoded_name_their_path(tmp_path: Path, value, message) -> None:
    with pytest.raises(ValidationError, match=message):
        richtypes.dump(value, tmp_path)


def test_load_from_a_json_path_uses_its_folder_as_the_default_root(tmp_path: Path) -> None:
    value = {"h": Histogram([1.0, 2.0])}
    path = write_json(richtypes.dump(value, tmp_path), tmp_path / "step.json")
    assert richtypes.load(path) == value
    assert richtypes.load(str(path), tmp_path) == value


def test_load_of_a_document_needs_a_root() -> None:
    with pytest.raises(TypeError, match="needs root="):
        richtypes.load({"a": 1})


def test_unknown_type_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(
        FormatError, match=r"unknown _type 'hologram'; this reader knows: .*histogram"
    ):
        richtypes.load({"x": {"_type": "hologram", "_version": 1}}, tmp_path)


def test_newer_version_is_a_format_error(tmp_path: Path) -> None:
    doc = richtypes.dump(Histogram([1.0]), tmp_path)
    doc["_version"] = 99
    with pytest.raises(
        FormatError,
        match=r"histogram _version 99 is newer than this reader supports \(1\); upgrade richtypes",
    ):
        richtypes.load(doc, tmp_path)


@pytest.mark.parametrize("version", [0, "1", None, True])
def test_a_malformed_version_is_a_format_error(tmp_path: Path, version) -> None:
    with pytest.raises(FormatError, match="_version must be a positive integer"):
        richtypes.load({"_type": "histogram", "_version": version}, tmp_path)


def test_bad_nonfinite_envelope_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as info:
        richtypes.load({"x": [0, {"_type": "float", "_version": 1, "value": "1e999"}]}, tmp_path)
    assert str(info.value) == "$.x[1].value: must be one of NaN, Infinity, -Infinity, got '1e999'"


@pytest.mark.parametrize("version", [99, 0, "1", True])
def test_the_float_envelope_goes_through_the_version_check(tmp_path: Path, version) -> None:
    """It used to skip the registry, so _version 99 decoded silently."""
    with pytest.raises(FormatError) as info:
        richtypes.load({"loss": {"_type": "float", "_version": version, "value": "NaN"}}, tmp_path)
    assert info.value.path == ("loss", "_version")


def test_a_nested_envelope_error_names_its_place_in_the_document(tmp_path: Path) -> None:
    doc = richtypes.dump({"eval": [richtypes.Histogram([1, 2, 3])]}, tmp_path)
    doc["eval"][0]["counts"] = "junk"
    with pytest.raises(FormatError) as info:
        richtypes.load(doc, tmp_path)
    assert str(info.value) == "$.eval[0].counts: must be list, got str"
    assert info.value.path == ("eval", 0, "counts")


def test_load_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe not json")
    with pytest.raises(FormatError, match="is not valid JSON"):
        richtypes.load(tmp_path / "bad.json")


def test_excessive_nesting_is_refused_both_ways(tmp_path: Path) -> None:
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ValidationError, match="nesting is deeper than 64 levels"):
        richtypes.dump(deep, tmp_path)
    with pytest.raises(FormatError, match="document nesting is deeper than 64 levels"):
        richtypes.load(deep, tmp_path)


def test_encode_many_keeps_order_and_matches_serial_dump(tmp_path: Path) -> None:
    values = [{"h": Histogram(np.arange(i + 1.0))} for i in range(10)]
    serial = richtypes.encode_many(values, tmp_path / "a")
    with ThreadPoolExecutor(2) as pool:
        parallel = richtypes.encode_many(values, tmp_path / "b", executor=pool)
    assert serial == parallel
    assert [richtypes.load(d, tmp_path / "b") for d in parallel] == values


def test_media_objects_are_immutable() -> None:
    h = Histogram([1.0, 2.0])
    with pytest.raises(AttributeError, match="Histogram objects are immutable"):
        h.nan_count = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        h.counts[0] = 5


def test_write_json_is_atomic_and_standard(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_json({"a": math.nan}, tmp_path / "x.json")
    assert not list(tmp_path.iterdir())


def test_an_error_raised_while_encoding_a_media_object_names_its_place_in_the_nest(
    tmp_path: Path,
) -> None:
    class Failing(Histogram):
        def to_json(self, store):
            raise ValidationError("cannot be encoded", value=1, path=("gate",))

    with pytest.raises(ValidationError, match=r"^\$\.bad\[1\]\.gate: cannot be encoded, got 1$"):
        richtypes.dump({"bad": [0, Failing([1.0])]}, tmp_path)
