"""Boxes with a ``domain`` per box: fractional and pixel boxes in one group (boxes2d v2)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import richtypes
from richtypes import BoundingBoxes2D, FormatError, Image, Store, ValidationError
from richtypes.image import boxes_dicts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "boxes2d"

# the reference tracker's own example, as its users write it
REFERENCE = {
    "box_data": [
        {
            "position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4},
            "class_id": 1,
            "box_caption": "minMax(fraction)",
            "scores": {"acc": 0.2, "loss": 1.2},
        },
        {
            "position": {"middle": [150, 20], "width": 68, "height": 112},
            "domain": "pixel",
            "class_id": 3,
            "box_caption": "middle(pixel)",
            "scores": {"acc": 0.5, "loss": 0.7},
        },
    ],
    "class_labels": {1: "car", 3: "person"},
}


def test_the_reference_example_is_accepted_and_keeps_each_domain(roundtrip) -> None:
    b = BoundingBoxes2D(REFERENCE)
    assert b.domain == "mixed" and b.pixel.tolist() == [False, True]
    assert not b.pixel.flags.writeable
    doc, back = roundtrip(b)
    assert doc["_version"] == 2 and doc["domain"] == "mixed" and doc["pixel"] == [False, True]
    assert back.pixel.tolist() == [False, True] and back == b
    rows = back.to_box_data()["box_data"]
    assert ["domain" in r for r in rows] == [False, True] and rows[1]["domain"] == "pixel"
    assert BoundingBoxes2D(back.to_box_data()).pixel.tolist() == [False, True]


def test_a_group_in_one_domain_is_still_written_as_version_1(tmp_path) -> None:
    for b in (
        BoundingBoxes2D(xyxy=[[0, 0, 5, 5]], domain="pixel"),
        BoundingBoxes2D(xyxy=[[0, 0, 0.5, 0.5]]),
        BoundingBoxes2D(xyxy=[[0, 0, 5, 5]], domain=["pixel"]),
    ):
        doc = richtypes.dump(b, tmp_path)
        assert doc["_version"] == 1 and "pixel" not in doc
        assert b.pixel.tolist() == [b.domain == "pixel"]


def test_version_1_fixtures_still_decode_and_reencode_as_version_1(tmp_path) -> None:
    for path in sorted((FIXTURES / "v1").glob("*/doc.json")):
        doc = json.loads(path.read_text())
        again = richtypes.dump(richtypes.load(path), tmp_path)
        assert again["_version"] == 1 and again == doc


def test_columnar_domains_per_box_match_the_dict_form() -> None:
    xyxy = np.array([[0.1, 0.3, 0.2, 0.4], [116, -36, 184, 76]])
    b = BoundingBoxes2D(xyxy=xyxy, class_ids=[1, 3], domain=[None, "pixel"])
    assert b.domain == "mixed" and b.pixel.tolist() == [False, True]
    assert b.xyxy.tolist() == BoundingBoxes2D(REFERENCE).xyxy.tolist()


def test_mixed_groups_stay_on_the_vectorized_path(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the per-box fallback ran")

    monkeypatch.setattr(boxes_dicts, "_collect_slow", refuse)
    boxes = BoundingBoxes2D(REFERENCE)
    assert boxes.pixel.tolist() == [False, True]
    mixed_styles = [REFERENCE["box_data"][i % 2] for i in range(500)]
    assert len(BoundingBoxes2D({"box_data": mixed_styles})) == 500


def test_in_an_image_only_pixel_boxes_are_checked_against_its_size() -> None:
    pixels = np.zeros((100, 200, 3), np.uint8)
    group = {
        "box_data": [
            {"position": {"minX": 0.1, "maxX": 0.9, "minY": 0.1, "maxY": 0.9}, "class_id": 0},
            {
                "position": {"minX": 10, "maxX": 190, "minY": 5, "maxY": 95},
                "class_id": 0,
                "domain": "pixel",
            },
        ]
    }
    Image(pixels, boxes={"p": group})
    group["box_data"][1]["position"]["maxX"] = 250
    with pytest.raises(
        ValidationError,
        match=r"^\$\.boxes\.p\.box_data\[1\]\.position\.maxX: must be <= 200 \(the image width\), got 250\.0$",
    ):
        Image(pixels, boxes={"p": group})


@pytest.mark.parametrize(
    "value, message",
    [
        (
            ["pixel"],
            r"^\$\.domain: must be 'pixel', None, or one of them per box \(2\), got \['pixel'\]$",
        ),
        (
            ["pixel", "pixels"],
            r"^\$\.domain\[1\]: must be 'pixel' or absent \(fractions of the image\), got 'pixels'$",
        ),
    ],
)
def test_bad_columnar_domains_name_the_box(value, message) -> None:
    with pytest.raises(ValidationError, match=message):
        BoundingBoxes2D(xyxy=[[0, 0, 1, 1], [0, 0, 1, 1]], domain=value)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"pixel": [False, False]},
            r"^\$\.pixel: a mixed group must hold pixel and fractional boxes$",
        ),
        ({"pixel": [False]}, r"^\$\.pixel: must be 2 booleans, one per box$"),
        ({"_version": 1}, r"^\$\.domain: must be one of pixel, fraction, got 'mixed'$"),
        ({"domain": "pixel"}, r"^\$\.pixel: is only for a group whose domain is 'mixed'$"),
        (
            {"pixel": [True, False]},
            r"^\$\.coords\[1\]\[0\]: must be within \[0, 1\] .*, got 116\.0$",
        ),
    ],
)
def test_malformed_mixed_documents_are_format_errors(tmp_path, change, message) -> None:
    doc = richtypes.dump(BoundingBoxes2D(REFERENCE), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_a_large_mixed_group_round_trips_through_one_record_sidecar(tmp_path) -> None:
    n = 2000
    pixel = np.arange(n) % 2 == 1
    xyxy = np.tile([0.1, 0.1, 0.2, 0.2], (n, 1))
    xyxy[pixel] *= 100
    b = BoundingBoxes2D(xyxy=xyxy, domain=np.where(pixel, "pixel", None))
    store = Store(tmp_path)
    doc = richtypes.dump(b, store)
    assert isinstance(doc["pixel"], dict) and doc["pixel"] == doc["coords"]
    back = richtypes.load(doc, store)
    assert back == b and back.pixel.tolist() == pixel.tolist()


def test_the_vectorized_mixed_path_gives_what_the_per_box_path_gives(monkeypatch) -> None:
    group = {"box_data": [REFERENCE["box_data"][i % 2] for i in range(7)]}
    fast = BoundingBoxes2D(group)
    monkeypatch.setattr(boxes_dicts, "_collect_fast", lambda boxes: None)
    slow = BoundingBoxes2D(group)
    assert fast == slow and fast.pixel.tolist() == slow.pixel.tolist()
    assert fast.xyxy.tolist() == slow.xyxy.tolist() and fast.xyxy.dtype == slow.xyxy.dtype
