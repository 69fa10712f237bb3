"""BoundingBoxes2D: every input form, validation messages, image bounds, round trips."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from arraylikes import FakeTensor
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import BoundingBoxes2D, FormatError, Store, ValidationError
from tests.conftest import roundtrip_value

# Exact binary fractions, so every layout converts without rounding.
XYXY = np.array([[0.125, 0.25, 0.5, 0.75], [0.0, 0.5, 1.0, 1.0]])
CXCYWH = np.array([[0.3125, 0.5, 0.375, 0.5], [0.5, 0.75, 1.0, 0.5]])
XYWH = np.array([[0.125, 0.25, 0.375, 0.5], [0.0, 0.5, 1.0, 0.5]])
IDS = [2, 0]


def minmax(x0, y0, x1, y1):
    return {"minX": x0, "maxX": x1, "minY": y0, "maxY": y1}


def box(position, class_id=0, **extra):
    return {"position": position, "class_id": class_id, **extra}


def minmax_group():
    return {"box_data": [box(minmax(*row), cid) for row, cid in zip(XYXY.tolist(), IDS)]}


def middle_group():
    return {
        "box_data": [
            box({"middle": row[:2], "width": row[2], "height": row[3]}, cid)
            for row, cid in zip(CXCYWH.tolist(), IDS)
        ]
    }


FORMS = {
    "box_data minX": (lambda: BoundingBoxes2D(minmax_group()), "box_data", "xyxy"),
    "box_data middle": (lambda: BoundingBoxes2D(middle_group()), "box_data", "cxcywh"),
    "box_data keyword": (
        lambda: BoundingBoxes2D(box_data=minmax_group()["box_data"]),
        "box_data",
        "xyxy",
    ),
    "coerce dict": (
        lambda: BoundingBoxes2D.coerce(middle_group(), ("boxes", "p")),
        "box_data",
        "cxcywh",
    ),
    "xyxy": (lambda: BoundingBoxes2D(xyxy=XYXY, class_ids=IDS), "xyxy", "xyxy"),
    "xyxy list": (
        lambda: BoundingBoxes2D(xyxy=XYXY.tolist(), class_ids=np.array(IDS, np.uint8)),
        "xyxy",
        "xyxy",
    ),
    "xyxy tensor-like": (
        lambda: BoundingBoxes2D(xyxy=FakeTensor(XYXY), class_ids=FakeTensor(np.array(IDS))),
        "xyxy",
        "xyxy",
    ),
    "cxcywh": (lambda: BoundingBoxes2D(cxcywh=CXCYWH, class_ids=IDS), "cxcywh", "cxcywh"),
    "xywh": (lambda: BoundingBoxes2D(xywh=XYWH, class_ids=IDS), "xywh", "xywh"),
    "coerce columnar": (
        lambda: BoundingBoxes2D.coerce({"xywh": XYWH, "class_ids": IDS}),
        "xywh",
        "xywh",
    ),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_every_input_form_gives_the_same_columns(name) -> None:
    build, form, layout = FORMS[name]
    b = build()
    assert (b.form, b.layout, b.domain, len(b)) == (form, layout, None, 2)
    np.testing.assert_array_equal(b.xyxy, XYXY)
    np.testing.assert_array_equal(b.cxcywh, CXCYWH)
    np.testing.assert_array_equal(b.xywh, XYWH)
    assert b.class_ids.dtype == np.int64 and b.class_ids.tolist() == IDS
    assert b.class_labels is None and b.labels == {0: "class_0", 2: "class_2"}


def test_coco_gives_pixel_xywh_with_labels_and_scores() -> None:
    b = BoundingBoxes2D.from_coco(
        [
            {"bbox": [10, 20, 30, 40], "category_id": 1, "score": 0.5, "area": 1200},
            {"bbox": [0.5, 1.5, 2, 3], "category_id": 3},
        ],
        [{"id": 3, "name": "car"}, {"id": 1, "name": "person"}],
    )
    assert (b.form, b.layout, b.domain) == ("coco", "xywh", "pixel")
    assert b.xyxy.tolist() == [[10.0, 20.0, 40.0, 60.0], [0.5, 1.5, 2.5, 4.5]]
    assert b.class_labels == {1: "person", 3: "car"}
    np.testing.assert_array_equal(b.scores["score"], [0.5, np.nan])


def test_columnar_defaults_and_float32_kept() -> None:
    coords = np.array([[1, 2, 3, 4]], np.float32)
    b = BoundingBoxes2D(xyxy=coords, domain="pixel")
    assert (
        b.xyxy.dtype == np.float32
        and b.class_ids.tolist() == [0]
        and b.scores == {}
        and b.captions is None
    )
    assert BoundingBoxes2D(xyxy=np.array([[1, 2, 3, 4]]), domain="pixel").xyxy.dtype == np.float64
    assert BoundingBoxes2D(xyxy=[]).xyxy.shape == (0, 4)


def test_input_is_neither_mutated_nor_kept_and_arrays_are_read_only() -> None:
    coords, ids = XYXY.copy(), np.array(IDS)
    group = minmax_group()
    before = repr(group)
    b = BoundingBoxes2D(xyxy=coords, class_ids=ids, scores={"s": np.array([0.1, 0.2])})
    BoundingBoxes2D(group)
    assert coords.flags.writeable and ids.flags.writeable and repr(group) == before
    coords[0, 0] = 0.3
    assert b.xyxy[0, 0] == 0.125
    for arr in (b.xyxy, b.class_ids, b.scores["s"]):
        with pytest.raises(ValueError):
            arr[0] = 0
    with pytest.raises(AttributeError):
        b.class_ids = ids  # type: ignore[misc]


def test_box_data_scores_captions_labels_and_missing_scores() -> None:
    b = BoundingBoxes2D(
        {
            "box_data": [
                box(minmax(0, 0, 0.5, 0.5), 0, box_caption="cat", scores={"acc": 0.9, "iou": 1}),
                box(minmax(0.5, 0.5, 1, 1), 1, scores={"iou": 0.25}),
            ],
            "class_labels": {"1": "dog", 0: "cat"},
        }
    )
    assert list(b.scores) == ["acc", "iou"]
    np.testing.assert_array_equal(b.scores["acc"], [0.9, np.nan])
    np.testing.assert_array_equal(b.scores["iou"], [1.0, 0.25])
    assert b.captions == ("cat", None)
    assert b.class_labels == {0: "cat", 1: "dog"} and list(b.class_labels) == [0, 1]
    assert b.to_box_data()["box_data"][1] == {
        "position": minmax(0.5, 0.5, 1.0, 1.0),
        "class_id": 1,
        "scores": {"iou": 0.25},
    }


def test_boxes_given_with_different_optional_keys_take_the_careful_path() -> None:
    b = BoundingBoxes2D(
        {
            "box_data": [
                box(minmax(0, 0, 0.5, 0.5), 1, box_caption="a"),
                box(minmax(0.25, 0, 1, 0.5), 0, domain=None),
            ]
        }
    )
    assert b.layout == "xyxy" and b.captions == ("a", None) and b.domain is None
    assert b.xyxy.tolist() == [[0, 0, 0.5, 0.5], [0.25, 0, 1, 0.5]] and b.class_ids.tolist() == [
        1,
        0,
    ]


def test_boxes_naming_different_scores_get_the_union_with_nan_for_missing() -> None:
    b = BoundingBoxes2D(
        {
            "box_data": [
                box(minmax(0, 0, 1, 1), scores={"a": 1}),
                box(minmax(0, 0, 1, 1), scores={"b": 2}),
                box(minmax(0, 0, 1, 1)),
            ]
        }
    )
    assert list(b.scores) == ["a", "b"]
    np.testing.assert_array_equal(b._scores, [[1, np.nan], [np.nan, 2], [np.nan, np.nan]])
    assert [bx.get("scores") for bx in b.to_box_data()["box_data"]] == [
        {"a": 1.0},
        {"b": 2.0},
        None,
    ]


def test_mixed_position_styles_are_stored_as_corners() -> None:
    b = BoundingBoxes2D(
        {
            "box_data": [
                box(minmax(0, 0, 0.5, 0.5)),
                box({"middle": [0.5, 0.5], "width": 0.5, "height": 1}),
            ]
        }
    )
    assert b.layout == "xyxy" and b.xyxy.tolist() == [[0, 0, 0.5, 0.5], [0.25, 0.0, 0.75, 1.0]]


@pytest.mark.parametrize(
    "build",
    [
        lambda: BoundingBoxes2D(middle_group()),
        lambda: BoundingBoxes2D(minmax_group()),
        lambda: BoundingBoxes2D(xyxy=XYXY, captions=["a", None], scores={"s": [1, 2]}),
    ],
)
def test_to_box_data_rebuilds_an_equal_group(build) -> None:
    b = build()
    assert BoundingBoxes2D(b.to_box_data()).xyxy.tolist() == b.xyxy.tolist()
    if b.form == "box_data":
        assert BoundingBoxes2D(b.to_box_data()) == b


def _bad_box(**position):
    return {
        "box_data": [
            box(minmax(0, 0, 0.5, 0.5)),
            box(minmax(0, 0, 0.5, 0.5)),
            box(dict(minmax(0.1, 0.1, 0.5, 0.5), **position)),
        ]
    }


GOOD = [box(minmax(0, 0, 0.5, 0.5))] * 3
BAD = [
    (
        lambda: BoundingBoxes2D(_bad_box(minX=0.2, maxX=0.1)),
        r"$.box_data[2].position.maxX: must be >= minX (0.2), got 0.1",
    ),
    (
        lambda: BoundingBoxes2D(_bad_box(maxY=0.05)),
        r"$.box_data[2].position.maxY: must be >= minY (0.1), got 0.05",
    ),
    (
        lambda: BoundingBoxes2D(_bad_box(maxX=float("nan"))),
        r"$.box_data[2].position.maxX: must be a finite number, got nan",
    ),
    (
        lambda: BoundingBoxes2D(_bad_box(maxX="0.3")),
        r"$.box_data[2].position.maxX: must be a number, got '0.3'",
    ),
    (
        lambda: BoundingBoxes2D(_bad_box(maxX=None)),
        r"$.box_data[2].position.maxX: must be a number, got None",
    ),
    (
        lambda: BoundingBoxes2D(_bad_box(maxX=1.5)),
        r"$.box_data[2].position.maxX: must be within [0, 1] (fractions of the image; set domain 'pixel' for pixel coordinates), got 1.5",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [box({"minX": 0, "minY": 0, "maxY": 1})]}),
        r"$.box_data[2].position: missing 'maxX'",
    ),
    (
        lambda: BoundingBoxes2D(
            {"box_data": GOOD[:2] + [box({"middle": [0.5, 0.5], "width": 0.1})]}
        ),
        r"$.box_data[2].position: missing 'height'",
    ),
    (
        lambda: BoundingBoxes2D(
            {"box_data": GOOD[:2] + [box({"middle": [0.5], "width": 0.1, "height": 0.1})]}
        ),
        r"$.box_data[2].position.middle: must be [x, y], got [0.5]",
    ),
    (
        lambda: BoundingBoxes2D(
            {"box_data": GOOD[:2] + [box({"middle": [0.5, 0.5], "width": -0.1, "height": 0.1})]}
        ),
        r"$.box_data[2].position.width: must be >= 0, got -0.1",
    ),
    (
        lambda: BoundingBoxes2D(
            {
                "box_data": GOOD[:2]
                + [box({"middle": [0.5, 0.5], "width": 0.1, "height": 0.1, "minX": 0})]
            }
        ),
        r"$.box_data[2].position.minX: unknown position key (expected middle, width, height)",
    ),
    (
        lambda: BoundingBoxes2D(
            {"box_data": GOOD[:2] + [box({"middle": [0.95, 0.5], "width": 0.2, "height": 0.1})]}
        ),
        r"$.box_data[2].position: box must lie within [0, 1] (fractions of the image; set domain 'pixel' for pixel coordinates); its maxX would be 1.05, got [0.95, 0.5, 0.2, 0.1]",
    ),
    (
        lambda: BoundingBoxes2D(_bad_box(minZ=0.1)),
        r"$.box_data[2].position.minZ: unknown position key (expected minX, maxX, minY, maxY)",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [{"class_id": 0}]}),
        r"$.box_data[2]: missing 'position'",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [{"position": minmax(0, 0, 1, 1)}]}),
        r"$.box_data[2]: missing 'class_id'",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [3]}),
        r"$.box_data[2]: must be a dict with 'position' and 'class_id', got 3",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), captoin="x")]}),
        r"$.box_data[2].captoin: unknown box key (known: box_caption, class_id, domain, position, scores)",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), -1)]}),
        r"$.box_data[2].class_id: class id must be an integer in 0..2147483647, got -1",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), 1.5)]}),
        r"$.box_data[2].class_id: class id must be an integer in 0..2147483647, got 1.5",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), "cat")]}),
        r"$.box_data[2].class_id: class id must be an integer in 0..2147483647, got 'cat'",
    ),
    (
        lambda: BoundingBoxes2D(
            {"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), 5)], "class_labels": {0: "cat"}}
        ),
        r"$.box_data[2].class_id: must be a key of class_labels, got 5",
    ),
    (
        lambda: BoundingBoxes2D(
            {"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), scores={"acc": float("inf")})]}
        ),
        r"$.box_data[2].scores.acc: must be a finite number, got inf",
    ),
    (
        lambda: BoundingBoxes2D(
            {"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), scores={"acc": "high"})]}
        ),
        r"$.box_data[2].scores.acc: must be a number, got 'high'",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), scores=0.9)]}),
        r"$.box_data[2].scores: must be a dict of score name to number, got 0.9",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD[:2] + [box(minmax(0, 0, 1, 1), box_caption=7)]}),
        r"$.box_data[2].box_caption: must be a string, got 7",
    ),
    (  # a fractional box in a mixed group must still lie within [0, 1]
        lambda: BoundingBoxes2D(
            {
                "box_data": GOOD[:2]
                + [box(minmax(0, 0, 2, 1)), box(minmax(0, 0, 1, 1), domain="pixel")]
            }
        ),
        r"$.box_data[2].position.maxX: must be within [0, 1] (fractions of the image; set domain 'pixel' for pixel coordinates), got 2.0",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": [box(minmax(0, 0, 1, 1), domain="pixels")]}),
        r"$.box_data[0].domain: must be 'pixel' or absent (fractions of the image), got 'pixels'",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD, "class_labels": {0: 1}}),
        r"$.class_labels[0]: class name must be a string, got 1",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD, "class_labels": {"cat": "x"}}),
        r"$.class_labels.cat: class id must be an integer in 0..2147483647, got 'cat'",
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD, "class_labels": {0: "a", "0": "b"}}),
        '$.class_labels["0"]: duplicate class id, got 0',
    ),
    (
        lambda: BoundingBoxes2D({"box_data": GOOD, "colors": {}}),
        r"$.colors: unknown key (a box group has 'box_data' and 'class_labels')",
    ),
    (lambda: BoundingBoxes2D({"class_labels": {}}), r"$: missing 'box_data'"),
    (
        lambda: BoundingBoxes2D({"box_data": "boxes"}),
        r"$.box_data: must be a list of box dicts, got 'boxes'",
    ),
    (lambda: BoundingBoxes2D(), r"$: give the boxes as one of box_data, xyxy, cxcywh or xywh"),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, xywh=XYWH),
        r"$.xywh: give only one of box_data, xyxy, cxcywh or xywh (also got xyxy)",
    ),
    (
        lambda: BoundingBoxes2D(GOOD, class_ids=[0, 0, 0]),
        r"$.class_ids: with box_data give class_ids inside each box dict",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=[[0.2, 0.1, 0.3, 0.4], [0.2, 0.1, 0.1, 0.4]]),
        r"$.xyxy[1][2]: must be >= minX (0.2), got 0.1",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=[[0.2, 0.1, 0.3, 0.4], [0.2, 0.1, 0.3, 0.05]]),
        r"$.xyxy[1][3]: must be >= minY (0.1), got 0.05",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=[[0.2, 0.1, 0.3, np.inf]]),
        r"$.xyxy[0][3]: must be a finite number, got inf",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=[[0.2, 0.1, 0.3, 1.25]]),
        r"$.xyxy[0][3]: must be within [0, 1] (fractions of the image; set domain 'pixel' for pixel coordinates), got 1.25",
    ),
    (
        lambda: BoundingBoxes2D(cxcywh=[[0.5, 0.5, 0.1, -0.2]]),
        r"$.cxcywh[0][3]: must be >= 0, got -0.2",
    ),
    (
        lambda: BoundingBoxes2D(xywh=[[0.5, 0.5, 0.25, 0.75]]),
        r"$.xywh[0]: box must lie within [0, 1] (fractions of the image; set domain 'pixel' for pixel coordinates); its maxY would be 1.25, got [0.5, 0.5, 0.25, 0.75]",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=np.zeros((3, 5))),
        r"$.xyxy: must have shape (N, 4), got shape (3, 5)",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=[["a", "b", "c", "d"]]),
        r"$.xyxy: must hold real numbers, got dtype <U1",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=np.zeros((2, 4), bool)),
        r"$.xyxy: must hold real numbers, got dtype bool",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, class_ids=[0]),
        r"$.class_ids: must have shape (2,) to match 2 boxes, got shape (1,)",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, class_ids=[0, -3]),
        r"$.class_ids[1]: class id must be an integer in 0..2147483647, got -3",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, class_ids=[0, 2.5]),
        r"$.class_ids[1]: class id must be an integer in 0..2147483647, got 2.5",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, class_ids=[0, 7], class_labels={0: "a"}),
        r"$.class_ids[1]: must be a key of class_labels, got 7",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, scores={"acc": [0.5, np.nan]}),
        r"$.scores.acc[1]: must be a finite number, got nan",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, scores={"acc": [0.5]}),
        r"$.scores.acc: must have shape (2,) to match 2 boxes, got shape (1,)",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, scores=[0.5, 0.5]),
        r"$.scores: must be a dict of score name to an (N,) array, got [0.5, 0.5]",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, captions=["a"]),
        r"$.captions: must have 2 entries, one per box, got 1",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, captions=["a", 2]),
        r"$.captions[1]: must be a string, got 2",
    ),
    (
        lambda: BoundingBoxes2D(xyxy=XYXY, domain="pixels"),
        r"$.domain: must be 'pixel' or absent (fractions of the image), got 'pixels'",
    ),
    (
        lambda: BoundingBoxes2D.from_coco(
            [{"bbox": [0, 0, 1, 1], "category_id": 1}, {"bbox": [0, 0, -1, 1], "category_id": 1}]
        ),
        r"$.annotations[1].bbox[2]: must be >= 0, got -1.0",
    ),
    (
        lambda: BoundingBoxes2D.from_coco(
            [{"bbox": [0, 0, 1, 1], "category_id": 1}, {"bbox": [0, 0, 1], "category_id": 1}]
        ),
        r"$.annotations[1].bbox: must be [x, y, width, height], got [0, 0, 1]",
    ),
    (
        lambda: BoundingBoxes2D.from_coco([{"bbox": [0, 0, 1, 1]}]),
        r"$.annotations[0]: missing 'category_id'",
    ),
    (
        lambda: BoundingBoxes2D.from_coco(
            [{"bbox": [0, 0, 1, 1], "category_id": 2}], [{"id": 1, "name": "a"}]
        ),
        r"$.annotations[0].category_id: must be the id of one of the categories, got 2",
    ),
    (
        lambda: BoundingBoxes2D.from_coco([{"bbox": [0, 0, 1, 1], "category_id": 1, "score": "x"}]),
        r"$.annotations[0].score: must be a number, got 'x'",
    ),
    (lambda: BoundingBoxes2D.from_coco([], [{"id": 1}]), r"$.categories[0]: missing 'name'"),
    (
        lambda: BoundingBoxes2D.from_coco([], [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]),
        r"$.categories[1].id: duplicate class id, got 1",
    ),
    (
        lambda: BoundingBoxes2D.coerce(_bad_box(minX=0.2, maxX=0.1), ("boxes", "predictions")),
        r"$.boxes.predictions.box_data[2].position.maxX: must be >= minX (0.2), got 0.1",
    ),
    (
        lambda: BoundingBoxes2D.coerce([1, 2], ("boxes", "gt")),
        r"$.boxes.gt: must be a BoundingBoxes2D or a dict with 'box_data', got [1, 2]",
    ),
    (
        lambda: BoundingBoxes2D.coerce({"xyxy": XYXY, "labels": {}}, ("boxes", "gt")),
        r"$.boxes.gt.labels: unknown key (known: box_data, class_labels, xyxy, cxcywh, xywh, class_ids, scores, captions, domain)",
    ),
]


@pytest.mark.parametrize(
    "build, message", BAD, ids=[m.split(":")[0] + f"#{i}" for i, (_, m) in enumerate(BAD)]
)
def test_bad_input_names_the_box_and_field(build, message) -> None:
    with pytest.raises(ValidationError, match="^" + re.escape(message) + "$"):
        build()


def test_the_first_bad_box_is_named_among_many() -> None:
    coords = np.tile([0.1, 0.1, 0.5, 0.5], (10_000, 1))
    coords[7321, 2] = 0.05
    coords[9000, 2] = 0.0
    with pytest.raises(
        ValidationError, match=r"^\$\.xyxy\[7321\]\[2\]: must be >= minX \(0\.1\), got 0\.05$"
    ):
        BoundingBoxes2D(xyxy=coords)
    group = {"box_data": [box(minmax(*row)) for row in coords.tolist()]}
    with pytest.raises(
        ValidationError,
        match=r"^\$\.box_data\[7321\]\.position\.maxX: must be >= minX \(0\.1\), got 0\.05$",
    ):
        BoundingBoxes2D(group)


def test_validation_error_carries_path_and_value() -> None:
    with pytest.raises(ValidationError) as info:
        BoundingBoxes2D(_bad_box(minX=0.2, maxX=0.1))
    assert info.value.path == ("box_data", 2, "position", "maxX") and info.value.value == 0.1


# ------------------------------------------------------------------- image bounds
@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: BoundingBoxes2D(xyxy=[[0, 0, 64, 48], [10, 10, 65, 20]], domain="pixel"),
            r"$.boxes.predictions.xyxy[1][2]: must be <= 64 (the image width), got 65.0",
        ),
        (
            lambda: BoundingBoxes2D(xyxy=[[0, -1, 64, 48]], domain="pixel"),
            r"$.boxes.predictions.xyxy[0][1]: must be >= 0, got -1.0",
        ),
        (
            lambda: BoundingBoxes2D({"box_data": [box(minmax(0, 0, 10, 49), domain="pixel")]}),
            r"$.boxes.predictions.box_data[0].position.maxY: must be <= 48 (the image height), got 49.0",
        ),
        (
            lambda: BoundingBoxes2D(
                {"box_data": [box({"middle": [60, 10], "width": 10, "height": 4}, domain="pixel")]}
            ),
            r"$.boxes.predictions.box_data[0].position: box must lie inside the 64x48 image; its maxX would be 65.0, got [60.0, 10.0, 10.0, 4.0]",
        ),
        (
            lambda: BoundingBoxes2D(
                {
                    "box_data": [
                        box(minmax(0, 0, 1, 1), domain="pixel"),
                        box({"middle": [60, 10], "width": 10, "height": 4}, domain="pixel"),
                    ]
                }
            ),
            r"$.boxes.predictions.box_data[1].position: box must lie inside the 64x48 image; its maxX would be 65.0, got [55.0, 8.0, 65.0, 12.0]",
        ),
        (
            lambda: BoundingBoxes2D.from_coco([{"bbox": [60, 0, 5, 5], "category_id": 0}]),
            r"$.boxes.predictions.annotations[0].bbox: box must lie inside the 64x48 image; its maxX would be 65.0, got [60.0, 0.0, 5.0, 5.0]",
        ),
    ],
)
def test_check_image_names_the_box_outside_the_image(build, message) -> None:
    b = build()
    with pytest.raises(ValidationError, match="^" + re.escape(message) + "$"):
        b.check_image(64, 48, ("boxes", "predictions"))


def test_boxes_inside_the_image_and_fraction_boxes_pass_check_image() -> None:
    BoundingBoxes2D(xyxy=[[0, 0, 64, 48]], domain="pixel").check_image(64, 48, ())
    BoundingBoxes2D(cxcywh=[[32, 24, 64, 48]], domain="pixel").check_image(64, 48, ())
    BoundingBoxes2D(xyxy=[]).check_image(1, 1, ())
    BoundingBoxes2D(xyxy=XYXY).check_image(1, 1, ())


# --------------------------------------------------------------------- round trips
def _variety():
    rng = np.random.default_rng(5)
    return {
        "box_data": BoundingBoxes2D(
            {
                "box_data": [
                    box(minmax(0, 0, 0.5, 0.5), 1, box_caption="a", scores={"acc": 0.5}),
                    box(minmax(0.1, 0.2, 0.3, 0.4), 0, scores={"iou": 0.25}),
                ],
                "class_labels": {0: "cat", 1: "dog"},
            }
        ),
        "middle pixel": BoundingBoxes2D(
            {"box_data": [box({"middle": [3, 4], "width": 2, "height": 1}, 7, domain="pixel")]}
        ),
        "mixed": BoundingBoxes2D(
            {
                "box_data": [
                    box(minmax(0, 0, 0.5, 0.5)),
                    box({"middle": [0.5, 0.5], "width": 0.5, "height": 0.25}),
                ]
            }
        ),
        "xyxy float32": BoundingBoxes2D(
            xyxy=np.array([[0.1, 0.2, 0.3, 0.4]], np.float32), captions=["x"]
        ),
        "cxcywh": BoundingBoxes2D(
            cxcywh=CXCYWH,
            class_ids=IDS,
            scores={"a": [1, 2], "b": [3.5, 4]},
            class_labels={0: "x", 2: "y"},
        ),
        "xywh empty": BoundingBoxes2D(xywh=np.zeros((0, 4))),
        "box_data empty": BoundingBoxes2D({"box_data": [], "class_labels": {"3": "x"}}),
        "coco": BoundingBoxes2D.from_coco(
            [
                {"bbox": [1, 2, 3, 4], "category_id": 1, "score": 0.5},
                {"bbox": [1, 2, 3, 4], "category_id": 2},
            ]
        ),
        "many": BoundingBoxes2D(
            xywh=rng.random((3000, 4)) * 100,
            class_ids=rng.integers(0, 9, 3000),
            domain="pixel",
            scores={"s": rng.random(3000)},
            captions=[f"caption number {i}" for i in range(3000)],
        ),
    }


@pytest.mark.parametrize("name", list(_variety()))
@pytest.mark.parametrize("inline_limit", [16 * 1024, 0])
def test_round_trip_inline_and_as_sidecars(tmp_path: Path, name, inline_limit) -> None:
    b = _variety()[name]
    doc, back = roundtrip_value({"boxes": b}, Store(tmp_path, inline_limit=inline_limit))
    enc = doc["boxes"]
    assert (back["boxes"].form, back["boxes"].layout, back["boxes"].domain) == (
        b.form,
        b.layout,
        b.domain,
    )
    assert back["boxes"].xyxy.dtype == b.xyxy.dtype
    sidecar = (inline_limit == 0 and len(b) > 0) or name == "many"
    assert (
        isinstance(enc["coords"], dict) == sidecar and isinstance(enc["class_ids"], dict) == sidecar
    )
    if b.captions is not None:
        assert isinstance(enc["captions"], dict) == (inline_limit == 0 or name == "many")
    if sidecar:  # one record .npy holds every numeric column
        assert enc["coords"]["format"] == "npy" and enc["class_ids"] == enc["coords"]
        records = np.load(tmp_path / enc["coords"]["path"], allow_pickle=False)
        assert records.shape == (len(b),)
        np.testing.assert_array_equal(records["class_id"], b.class_ids)
        assert records["coords"].shape == (len(b), 4) and records["coords"].dtype == b.xyxy.dtype
        if b.scores:
            assert enc["scores"] == enc["coords"]
            for k, values in enumerate(b.scores.values()):
                np.testing.assert_array_equal(records["scores"][:, k], values)


def test_missing_scores_round_trip_as_null(roundtrip) -> None:
    doc, back = roundtrip(_variety()["box_data"])
    assert doc["scores"] == [[0.5, None], [None, 0.25]]
    assert back.to_box_data() == _variety()["box_data"].to_box_data()


def test_equality_is_by_content() -> None:
    assert BoundingBoxes2D(xyxy=XYXY, class_ids=IDS) == BoundingBoxes2D(
        xyxy=XYXY.copy(), class_ids=list(IDS)
    )
    assert BoundingBoxes2D(xyxy=XYXY) != BoundingBoxes2D(xyxy=XYXY.astype(np.float32))
    assert BoundingBoxes2D(xyxy=XYXY) != BoundingBoxes2D(xyxy=XYXY, captions=["a", None])
    assert BoundingBoxes2D(xyxy=XYXY) != BoundingBoxes2D(xyxy=XYXY, domain="pixel")
    assert BoundingBoxes2D(xywh=XYWH) != BoundingBoxes2D(xyxy=XYXY)  # same boxes, different form


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"form": "yolo"},
            "$.form: must be one of box_data, xyxy, cxcywh, xywh, coco, got 'yolo'",
        ),
        (
            {"layout": "xywh"},
            "$.layout: form 'xyxy' cannot have layout 'xywh' and domain 'fraction'",
        ),
        ({"count": 3}, "$.coords: must have 3 entries, got 2"),
        ({"count": -1}, "$.count: must be 0..100000000, got -1"),
        (
            {"coords": [[0, 0, 1], [0, 0, 1, 1]]},
            "$.coords: must be a regular array of numbers",
        ),
        (
            {"coords": [[0, 0, 1, "1"], [0, 0, 1, 1]]},
            "$.coords: must be numbers of shape (2, 4), got <U",
        ),
        (
            {"coords": [[0.5, 0, 0.1, 1], [0, 0, 1, 1]]},
            r"$.coords[0][2]: must be >= minX (0.5), got 0.1",
        ),
        (
            {"class_ids": [0, 9]},
            "$.class_ids[1]: must be a key of class_labels, got 9",
        ),
        (
            {"class_ids": [0, 1e999]},
            "$.class_ids[1]: class id must be an integer in 0..2147483647, got inf",
        ),
        (
            {"scores": [[0.5, None]]},
            "$.scores: must be finite (NaN only for a score not given)",
        ),
        ({"score_names": ["a", "a"]}, "$.score_names: must be distinct strings"),
        ({"captions": [None, None]}, "$.captions: must be null when no box has one"),
        ({"dtype": "int8"}, "$.dtype: must be one of float32, float64, got 'int8'"),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    b = BoundingBoxes2D(
        xyxy=XYXY,
        class_ids=IDS,
        scores={"a": [0.5, 1]},
        captions=["a", None],
        class_labels={0: "x", 2: "y"},
    )
    doc = richtypes.dump(b, tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match="^" + re.escape(message)):
        richtypes.load(doc, tmp_path)


def test_a_record_sidecar_claiming_too_many_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    from richtypes.image.boxes_wire import pack_block

    store = Store(tmp_path, inline_limit=0)
    doc = richtypes.dump(BoundingBoxes2D(xyxy=XYXY), store)
    doc["coords"] = doc["class_ids"] = store.put_array(
        pack_block(np.zeros((1000, 4)), np.zeros(1000, np.int64), np.zeros((1000, 0)))
    )
    with pytest.raises(
        FormatError,
        match=r"^\$\.coords\.size: the record sidecar claims 40192 bytes, more than 2 records need$",
    ):
        richtypes.load(doc, store)
    doc["coords"] = doc["class_ids"] = store.put_array(
        pack_block(np.zeros((2, 4), np.float32), np.zeros(2, np.int64), np.zeros((2, 0)))
    )
    with pytest.raises(
        FormatError,
        match=r"^\$\.coords: the record sidecar must hold 2 records of .*got \(2,\) .*'<f4'",
    ):
        richtypes.load(doc, store)


def test_record_sidecar_references_must_agree(tmp_path: Path) -> None:
    store = Store(tmp_path, inline_limit=0)
    doc = richtypes.dump(BoundingBoxes2D(xyxy=XYXY, scores={"a": [0.5, 1.0]}), store)
    doc["scores"] = [[0.5, 1.0]]
    with pytest.raises(
        FormatError,
        match=r"^\$\.class_ids: with a record sidecar, coords, class_ids, scores \(when named\) and pixel \(when mixed\) must all refer to it$",
    ):
        richtypes.load(doc, store)


# ----------------------------------------------------------------------- properties
finite01 = st.floats(0, 1, allow_nan=False, width=64)


@st.composite
def valid_boxes(draw):
    n = draw(st.integers(0, 30))
    corners = np.array(
        draw(st.lists(st.tuples(finite01, finite01, finite01, finite01), min_size=n, max_size=n)),
        np.float64,
    ).reshape(n, 4)
    xyxy = np.concatenate(
        [np.minimum(corners[:, :2], corners[:, 2:]), np.maximum(corners[:, :2], corners[:, 2:])],
        axis=1,
    )
    layout = draw(st.sampled_from(["xyxy", "cxcywh", "xywh", "box_data"]))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    ids = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), np.int64)
    if layout == "box_data":
        return BoundingBoxes2D(
            {"box_data": [box(minmax(*row), int(c)) for row, c in zip(xyxy.tolist(), ids)]}
        )
    lo, hi = xyxy[:, :2], xyxy[:, 2:]
    coords = {
        "xyxy": xyxy,
        "cxcywh": np.hstack([(lo + hi) / 2, hi - lo]),
        "xywh": np.hstack([lo, hi - lo]),
    }[layout]
    return BoundingBoxes2D(
        **{layout: coords.astype(dtype)}, class_ids=ids, scores={"s": np.linspace(0, 1, n)}
    )


@settings(max_examples=40, deadline=None)
@given(b=valid_boxes(), inline_limit=st.sampled_from([0, 16 * 1024]))
def test_property_valid_boxes_pass_and_round_trip(tmp_path_factory, b, inline_limit) -> None:
    store = Store(tmp_path_factory.mktemp("b"), inline_limit=inline_limit)
    doc = richtypes.dump(b, store)
    back = richtypes.load(doc, store)
    assert back == b and richtypes.dump(back, store) == doc


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 50), data=st.data(), columnar=st.booleans())
def test_property_a_box_with_min_above_max_fails_naming_it(n, data, columnar) -> None:
    i = data.draw(st.integers(0, n - 1))
    axis = data.draw(st.sampled_from([0, 1]))
    lo = data.draw(st.floats(0.5, 1))
    hi = data.draw(st.floats(0, 0.5).filter(lambda v: v < lo))
    coords = np.tile([0.0, 0.0, 1.0, 1.0], (n, 1))
    coords[i, axis], coords[i, axis + 2] = lo, hi
    min_name, max_name = ("minX", "maxX") if axis == 0 else ("minY", "maxY")
    if columnar:
        where = rf"\$\.xyxy\[{i}\]\[{axis + 2}\]"
        build = lambda: BoundingBoxes2D(xyxy=coords)  # noqa: E731
    else:
        where = rf"\$\.box_data\[{i}\]\.position\.{max_name}"
        build = lambda: BoundingBoxes2D({"box_data": [box(minmax(*r)) for r in coords.tolist()]})  # noqa: E731
    with pytest.raises(
        ValidationError,
        match=rf"^{where}: must be >= {min_name} \({re.escape(repr(lo))}\), got {re.escape(repr(hi))}$",
    ):
        build()


def test_class_id_path_follows_the_input_form() -> None:
    assert BoundingBoxes2D(minmax_group()).class_id_path(1) == ("box_data", 1, "class_id")
    assert BoundingBoxes2D(xywh=XYWH).class_id_path(1) == ("class_ids", 1)
