"""Classes: input forms, validation with paths, round trip."""

from __future__ import annotations

import numpy as np
import pytest

import richtypes
from richtypes import Classes, FormatError, ValidationError

LIST = [{"id": 0, "name": "bg"}, {"id": 3, "name": "cat", "color": [255, 0, 10]}]


@pytest.mark.parametrize(
    "form",
    [
        LIST,
        tuple(LIST),
        {0: "bg", 3: "cat"},
        {"0": "bg", "3": "cat"},
        {np.int64(0): "bg", np.int64(3): "cat"},
    ],
)
def test_every_input_form_gives_the_same_names(form) -> None:
    c = Classes(form)
    assert c.names == {0: "bg", 3: "cat"}
    assert c.ids.tolist() == [0, 3] and c.ids.dtype == np.int64 and not c.ids.flags.writeable
    assert Classes(c) == c and len(c) == 2 and 3 in c and 1 not in c


def test_colours_are_kept_and_part_of_equality() -> None:
    c = Classes(LIST)
    assert c.colors == {0: None, 3: (255, 0, 10)}
    assert c != Classes({0: "bg", 3: "cat"})


@pytest.mark.parametrize(
    "value, message",
    [
        (
            [{"id": 0, "name": "a"}, {"id": 0, "name": "b"}],
            r"^\$\[1\]\.id: duplicate class id, got 0$",
        ),
        ({0: "a", "0": "b"}, r'^\$\["0"\]: duplicate class id, got 0$'),
        (
            [{"id": -1, "name": "a"}],
            r"^\$\[0\]\.id: class id must be an integer in 0\.\.2147483647, got -1$",
        ),
        (
            [{"id": 1.0, "name": "a"}],
            r"^\$\[0\]\.id: class id must be an integer in 0\.\.2147483647, got 1\.0$",
        ),
        (
            [{"id": True, "name": "a"}],
            r"^\$\[0\]\.id: class id must be an integer in 0\.\.2147483647, got True$",
        ),
        ({"cat": "a"}, r"^\$\.cat: class id must be an integer in 0\.\.2147483647, got 'cat'$"),
        ({1: 5}, r"^\$\[1\]: class name must be a string, got 5$"),
        (
            [{"id": 1, "name": "a", "color": [0, 300, 0]}],
            r"^\$\[0\]\.color\[1\]: must be an integer in 0\.\.255, got 300$",
        ),
        (
            [{"id": 1, "name": "a", "color": [0, 0]}],
            r"^\$\[0\]\.color: must be \[r, g, b\], got \[0, 0\]$",
        ),
        (
            [{"id": 1, "name": "a", "colour": [0, 0, 0]}],
            r"^\$\[0\]: unknown key \(expected id, name, color\), got 'colour'$",
        ),
        ([{"id": 1}], r"^\$\[0\]: missing 'name'$"),
        (
            ["cat", {"id": 1, "name": "dog"}],
            r"^\$\[0\]: must be a dict with 'id', 'name' and optionally 'color', got 'cat'$",
        ),
        (
            5,
            r"^\$: must be a dict of class id -> name, a list of names or a list of \{id, name, color\} dicts, got 5$",
        ),
    ],
)
def test_bad_inputs_name_the_path(value, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Classes(value)


def test_coerce_prefixes_the_path() -> None:
    with pytest.raises(
        ValidationError,
        match=r"^\$\.classes\[0\]\.id: class id must be an integer in 0\.\.2147483647, got -1$",
    ):
        Classes.coerce([{"id": -1, "name": "a"}], ("classes",))


def test_round_trip(roundtrip) -> None:
    doc, back = roundtrip(Classes(LIST))
    assert doc["classes"] == [
        {"id": 0, "name": "bg"},
        {"id": 3, "name": "cat", "color": [255, 0, 10]},
    ]
    assert back.colors[3] == (255, 0, 10)


def test_malformed_document_is_a_format_error(tmp_path) -> None:
    doc = richtypes.dump(Classes(LIST), tmp_path)
    doc["classes"][1]["id"] = 0
    with pytest.raises(FormatError, match=r"^\$\.classes\[1\]\.id: duplicate class id, got 0$"):
        richtypes.load(doc, tmp_path)


def test_a_list_of_names_numbers_them_by_position() -> None:
    assert Classes(["bg", "cat"]).names == {0: "bg", 1: "cat"}


def test_the_largest_class_id_is_2_31_minus_1() -> None:
    assert Classes({2**31 - 1: "last"}).ids.tolist() == [2**31 - 1]
    with pytest.raises(
        ValidationError,
        match=r"^\$\[2147483648\]: class id must be an integer in 0\.\.2147483647, got 2147483648$",
    ):
        Classes({2**31: "x"})


def _boxes(labels):
    from richtypes import BoundingBoxes2D

    return BoundingBoxes2D(xyxy=[[0, 0, 1, 1]], class_labels=labels)


def _mask(labels):
    from richtypes import ImageMask

    return ImageMask(np.zeros((2, 2), np.uint8), class_labels=labels)


def _points(labels):
    from richtypes import Object3D

    return Object3D(np.zeros((1, 4)), class_labels=labels)


@pytest.mark.parametrize("build", [_boxes, _mask, _points], ids=["boxes", "masks", "points"])
@pytest.mark.parametrize(
    "labels, message",
    [
        ({-1: "a"}, r"\[-1\]: class id must be an integer in 0\.\.2147483647, got -1$"),
        ({"x": "a"}, r"\.x: class id must be an integer in 0\.\.2147483647, got 'x'$"),
        ({0: 5}, r"\[0\]: class name must be a string, got 5$"),
        ({0: "a", "0": "b"}, r'\["0"\]: duplicate class id, got 0$'),
    ],
)
def test_boxes_masks_and_points_share_one_class_set_rule(build, labels, message) -> None:
    with pytest.raises(ValidationError, match=r"^\$\.class_labels" + message):
        build(labels)


@pytest.mark.parametrize("build", [_boxes, _mask, _points], ids=["boxes", "masks", "points"])
def test_every_class_set_form_is_accepted_everywhere(build) -> None:
    for form in ({0: "a", 1: "b"}, ["a", "b"], [{"id": 0, "name": "a"}, {"id": 1, "name": "b"}]):
        build(form)
