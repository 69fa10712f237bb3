"""ImageMask: input forms, id rules, labels, files kept as they are, round trips."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image as PILImage

import richtypes
from richtypes import FormatError, ImageMask, ValidationError
from richtypes.codecs import image as codec

IDS = np.array([[0, 1, 2], [2, 1, 0]], dtype=np.int64)


class FakeTensor:
    def __init__(self, arr):
        self._arr = arr

    def numpy(self):
        return self._arr


def _png(arr: np.ndarray) -> bytes:
    out = io.BytesIO()
    PILImage.fromarray(arr).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "form",
    [
        IDS,
        IDS.astype(np.uint8),
        IDS.astype(np.int16),
        IDS.astype(np.float32),
        IDS.tolist(),
        IDS[:, :, None],
        IDS[None],
        FakeTensor(IDS),
        _png(IDS.astype(np.uint8)),
        _png(IDS.astype(np.uint16)),
    ],
    ids=[
        "int64",
        "uint8",
        "int16",
        "float-whole",
        "list",
        "HxWx1",
        "1xHxW",
        "tensor",
        "png-bytes",
        "png16-bytes",
    ],
)
def test_every_input_form_gives_equal_masks(form) -> None:
    m = ImageMask(form)
    assert m == ImageMask(IDS.astype(np.uint8))
    assert m.mask_data.dtype == np.uint8 and not m.mask_data.flags.writeable
    assert (m.width, m.height, m.class_ids.tolist()) == (3, 2, [0, 1, 2])


def test_bool_masks_are_ids_0_and_1() -> None:
    assert ImageMask(IDS > 0).mask_data.tolist() == [[0, 1, 1], [1, 1, 0]]


def test_ids_above_255_use_uint16_and_a_16_bit_png(roundtrip) -> None:
    ids = np.array([[0, 300], [65535, 7]])
    m = ImageMask(ids)
    assert m.mask_data.dtype == np.uint16
    doc, back = roundtrip(m)
    assert doc["dtype"] == "uint16"
    np.testing.assert_array_equal(back.mask_data, ids)


def test_palette_png_gives_its_indices(tmp_path) -> None:
    pil = PILImage.fromarray(IDS.astype(np.uint8)).convert("P")
    path = tmp_path / "mask.png"
    pil.save(path)
    m = ImageMask(path)
    np.testing.assert_array_equal(m.mask_data, np.asarray(pil))


def test_a_mask_file_is_stored_as_it_is(tmp_path) -> None:
    data = _png(IDS.astype(np.uint8))
    (tmp_path / "m.png").write_bytes(data)
    doc = richtypes.dump(ImageMask(str(tmp_path / "m.png")), tmp_path / "store")
    assert (tmp_path / "store" / doc["mask"]["path"]).read_bytes() == data


def test_the_input_is_copied_not_aliased() -> None:
    ids = IDS.astype(np.uint8)
    m = ImageMask(ids)
    ids[0, 0] = 9
    assert m.mask_data[0, 0] == 0 and ids.flags.writeable


@pytest.mark.parametrize(
    "args, message",
    [
        (
            (np.array([[0, -1]]),),
            r"^\$\.mask_data\[0\]\[1\]: class ids must be in 0\.\.65535, got -1$",
        ),
        (
            (np.array([[0, 70000]]),),
            r"^\$\.mask_data\[0\]\[1\]: class ids must be in 0\.\.65535, got 70000$",
        ),
        (
            (np.array([[0.0, 1.5]]),),
            r"^\$\.mask_data\[0\]\[1\]: class ids must be whole numbers, got 1\.5$",
        ),
        (
            (np.array([[np.nan, 1.0]]),),
            r"^\$\.mask_data\[0\]\[0\]: class ids must be whole numbers, got nan$",
        ),
        ((np.array([["a"]]),), r"^\$\.mask_data: must hold integer class ids, got dtype <U1$"),
        (
            (np.zeros((2, 3, 4)),),
            r"^\$\.mask_data: must be a non-empty 2-D array of class ids \(HxW\), got shape \(2, 3, 4\)$",
        ),
        (
            (np.zeros((0, 3)),),
            r"^\$\.mask_data: must be a non-empty 2-D array of class ids \(HxW\), got shape \(0, 3\)$",
        ),
        ((IDS, {0: 1}), r"^\$\.class_labels\[0\]: class name must be a string, got 1$"),
        ((b"GIF89a......",), r"^\$\.mask_data: a mask file must be a PNG, got b'GIF89a\.\.'$"),
        (
            (_png(np.zeros((2, 2, 3), np.uint8)),),
            r"^\$\.mask_data: a mask file must have one channel \(grey or palette\), this one is RGB$",
        ),
    ],
)
def test_bad_inputs_name_the_path(args, message) -> None:
    with pytest.raises(ValidationError, match=message):
        ImageMask(*args)


@pytest.mark.parametrize(
    "value, message",
    [
        (
            {"mask_data": IDS, "labels": {}},
            r"^\$\.masks\.gt: unknown key \(expected mask_data or path, and class_labels\), got 'labels'$",
        ),
        (
            {"class_labels": {}},
            r"^\$\.masks\.gt: needs exactly one of 'mask_data' and 'path', got \['class_labels'\]$",
        ),
        (
            {"path": "/nonexistent/m.png"},
            r"^\$\.masks\.gt\.path: cannot read the file \(No such file or directory\), got '/nonexistent/m\.png'$",
        ),
    ],
)
def test_dict_form_errors_carry_the_prefix(value, message) -> None:
    with pytest.raises(ValidationError, match=message):
        ImageMask.coerce(value, ("masks", "gt"))


def test_round_trip_with_labels(roundtrip) -> None:
    doc, back = roundtrip(ImageMask(IDS, class_labels={0: "bg", 1: "cat", 2: "dog"}))
    assert doc["class_labels"] == {"0": "bg", "1": "cat", "2": "dog"}
    assert back.class_labels == {0: "bg", 1: "cat", 2: "dog"}


def test_a_sidecar_that_is_not_the_announced_png_is_a_format_error(tmp_path) -> None:
    doc = richtypes.dump(ImageMask(IDS), tmp_path)
    doc["width"] = 4
    with pytest.raises(FormatError, match=r"^\$\.mask: the sidecar is not a 4x2 PNG$"):
        richtypes.load(doc, tmp_path)
    doc["width"], doc["dtype"] = 3, "int8"
    with pytest.raises(FormatError, match=r"^\$\.dtype: must be 'uint8' or 'uint16', got 'int8'$"):
        richtypes.load(doc, tmp_path)


def test_decompression_bomb_is_refused_on_decode(tmp_path, monkeypatch) -> None:
    doc = richtypes.dump(ImageMask(np.zeros((20, 20), np.uint8)), tmp_path)
    monkeypatch.setattr(codec, "MAX_PIXELS", 100)
    with pytest.raises(
        FormatError, match=r"^\$\.width: 20x20 = 400 pixels is above the limit of 100$"
    ):
        richtypes.load(doc, tmp_path)


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(
        st.sampled_from([np.uint8, np.uint16]),
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=30),
    )
)
def test_property_round_trip(tmp_path_factory, ids) -> None:
    root = tmp_path_factory.mktemp("m")
    m = ImageMask(ids)
    back = richtypes.load(richtypes.dump(m, root), root)
    assert back == m
    np.testing.assert_array_equal(back.mask_data, ids)


def test_ids_without_a_label_are_accepted_and_named_class_id(roundtrip) -> None:
    # the reference's usual form: the background 0 has no label
    mask = ImageMask.coerce({"mask_data": IDS, "class_labels": {1: "car"}}, ("masks", "gt"))
    assert mask.class_labels == {1: "car"}
    assert mask.labels == {0: "class_0", 1: "car", 2: "class_2"}
    _, back = roundtrip(mask)
    assert back.labels == mask.labels


def test_only_an_explicit_class_set_restricts_mask_ids() -> None:
    from richtypes import Image

    pixels = np.zeros(IDS.shape, np.uint8)
    Image(pixels, masks={"gt": {"mask_data": IDS, "class_labels": {1: "car"}}})
    with pytest.raises(
        ValidationError,
        match=r"^\$\.masks\.gt\.mask_data\[0\]\[0\]: class id is not in classes, got 0$",
    ):
        Image(
            pixels, masks={"gt": {"mask_data": IDS, "class_labels": {1: "car"}}}, classes={1: "car"}
        )
