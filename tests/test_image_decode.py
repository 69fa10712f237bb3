"""One validator: an image document decodes only if the constructor would accept the same data.

Each test edits a document that ``dump`` wrote, the way a hostile or broken
writer could, and expects the ``FormatError`` the constructor's own check
gives, at the place in the document.
"""

from __future__ import annotations

import numpy as np
import pytest

import richtypes
from richtypes import BoundingBoxes2D, Classes, FormatError, Histogram, Image, ImageMask

PIXELS = np.zeros((10, 20, 3), np.uint8)  # 20 wide, 10 high
MASK = np.array([[0, 1] * 10] * 10, np.uint8)


def _doc(tmp_path, **kw):
    return richtypes.dump(Image(PIXELS, **kw), tmp_path)


def _load(doc, tmp_path, message):
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_a_pixel_box_outside_the_image_does_not_decode(tmp_path) -> None:
    boxes = {"predictions": BoundingBoxes2D(xyxy=[[1, 1, 5, 5]], domain="pixel")}
    doc = _doc(tmp_path, boxes=boxes)
    doc["boxes"]["predictions"]["coords"] = [[1, 1, 9000, 5]]
    _load(
        doc,
        tmp_path,
        r"^\$\.boxes\.predictions\.coords\[0\]\[2\]: must be <= 20 \(the image width\), got 9000\.0$",
    )


def test_a_box_document_names_its_place_in_the_whole_document(tmp_path) -> None:
    doc = _doc(tmp_path, boxes={"predictions": BoundingBoxes2D(xyxy=[[0, 0, 1, 1]])})
    doc["boxes"]["predictions"]["count"] = -1
    _load(doc, tmp_path, r"^\$\.boxes\.predictions\.count: must be 0\.\.100000000, got -1$")


def test_a_histogram_envelope_where_a_box_group_belongs_does_not_decode(tmp_path) -> None:
    doc = _doc(tmp_path, boxes={"predictions": BoundingBoxes2D(xyxy=[[0, 0, 1, 1]])})
    doc["boxes"]["predictions"] = richtypes.dump(Histogram([1, 2, 3]), tmp_path)
    _load(
        doc,
        tmp_path,
        r"^\$\.boxes\.predictions\._type: must be a 'boxes2d' envelope, got 'histogram'$",
    )


@pytest.mark.parametrize("place", ["masks", "classes"])
def test_a_box_envelope_where_a_mask_or_class_set_belongs_does_not_decode(tmp_path, place) -> None:
    doc = _doc(tmp_path, masks={"gt": MASK}, classes={0: "bg", 1: "cat"})
    boxes = richtypes.dump(BoundingBoxes2D(xyxy=[[0, 0, 1, 1]]), tmp_path)
    if place == "masks":
        doc["masks"]["gt"] = boxes
        message = r"^\$\.masks\.gt\._type: must be a 'mask' envelope, got 'boxes2d'$"
    else:
        doc["classes"] = boxes
        message = r"^\$\.classes\._type: must be a 'classes' envelope, got 'boxes2d'$"
    _load(doc, tmp_path, message)


def test_a_box_class_id_outside_the_image_class_set_does_not_decode(tmp_path) -> None:
    doc = _doc(
        tmp_path,
        boxes={"gt": BoundingBoxes2D(xyxy=[[0, 0, 1, 1], [0, 0, 1, 1]], class_ids=[0, 1])},
        classes={0: "bg", 1: "cat"},
    )
    doc["boxes"]["gt"]["class_ids"] = [0, 7]
    _load(doc, tmp_path, r"^\$\.boxes\.gt\.class_ids\[1\]: class id is not in classes, got 7$")


def test_a_mask_id_outside_the_image_class_set_does_not_decode(tmp_path) -> None:
    doc = _doc(tmp_path, masks={"gt": MASK}, classes={0: "bg", 1: "cat"})
    doc["classes"]["classes"] = [{"id": 0, "name": "bg"}]
    _load(doc, tmp_path, r"^\$\.masks\.gt\.mask\[0\]\[1\]: class id is not in classes, got 1$")


def test_a_mask_of_another_size_does_not_decode(tmp_path) -> None:
    doc = _doc(tmp_path, masks={"gt": MASK})
    doc["masks"]["gt"] = richtypes.dump(ImageMask(np.zeros((3, 4), np.uint8)), tmp_path)
    _load(
        doc,
        tmp_path,
        r"^\$\.masks\.gt\.mask: shape \(3, 4\) does not match the image's \(10, 20\)$",
    )


def test_a_bad_class_set_names_the_entry(tmp_path) -> None:
    doc = _doc(tmp_path, classes=Classes({0: "bg", 1: "cat"}))
    doc["classes"]["classes"][1]["id"] = 0
    _load(doc, tmp_path, r"^\$\.classes\.classes\[1\]\.id: duplicate class id, got 0$")


def test_bad_mask_labels_name_the_label(tmp_path) -> None:
    doc = _doc(tmp_path, masks={"gt": {"mask_data": MASK, "class_labels": {1: "cat"}}})
    doc["masks"]["gt"]["class_labels"] = {"1": 5}
    _load(
        doc,
        tmp_path,
        r'^\$\.masks\.gt\.class_labels\["1"\]: class name must be a string, got 5$',
    )


def test_a_valid_document_still_decodes_to_an_equal_image(tmp_path) -> None:
    img = Image(
        PIXELS,
        boxes={"gt": BoundingBoxes2D(xyxy=[[1, 1, 20, 10]], domain="pixel", class_ids=[1])},
        masks={"gt": MASK},
        classes={0: "bg", 1: "cat"},
    )
    assert richtypes.load(richtypes.dump(img, tmp_path), tmp_path) == img
