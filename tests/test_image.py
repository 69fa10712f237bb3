"""Image: every input kind, the dtype rules, bad inputs, files kept as they are, masks, boxes, round trips."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from arraylikes import FakeTensor, HasArray
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image as PILImage

import richtypes
from richtypes import Classes, FormatError, Image, ImageMask, ValidationError
from richtypes.codecs import image as codec

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (12, 10, 3), dtype=np.uint8)
GREY = RNG.integers(0, 256, (12, 10), dtype=np.uint8)


def _file(arr: np.ndarray, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    PILImage.fromarray(arr).save(out, format=fmt, **kw)
    return out.getvalue()


def _sidecar(root: Path, doc: dict) -> bytes:
    return (root / doc["image"]["path"]).read_bytes()


# ----------------------------------------------------------------- input kinds
@pytest.mark.parametrize(
    "make",
    [
        lambda p: RGB,
        lambda p: RGB.tolist(),
        lambda p: np.moveaxis(RGB, -1, 0),
        lambda p: FakeTensor(RGB),
        lambda p: HasArray(RGB),
        lambda p: PILImage.fromarray(RGB),
        lambda p: _file(RGB, "PNG"),
        lambda p: io.BytesIO(_file(RGB, "PNG")),
        lambda p: str(p),
        lambda p: p,
        lambda p: bytearray(_file(RGB, "PNG")),
        lambda p: _file(RGB, "BMP"),
        lambda p: _file(RGB, "WEBP", lossless=True),
        lambda p: RGB.astype(np.float64) / 255,
        lambda p: np.asfortranarray(RGB),
    ],
    ids=[
        "ndarray",
        "list",
        "channels-first",
        "tensor-like",
        "__array__",
        "PIL",
        "png-bytes",
        "file-object",
        "str-path",
        "Path",
        "bytearray",
        "bmp",
        "webp-lossless",
        "float",
        "fortran-order",
    ],
)
def test_every_rgb_input_kind_gives_an_equal_image(tmp_path, make) -> None:
    path = tmp_path / "in.png"
    path.write_bytes(_file(RGB, "PNG"))
    img = Image(make(path))
    assert img == Image(RGB)
    np.testing.assert_array_equal(img.to_numpy(), RGB)
    assert (img.width, img.height, img.channels, img.mode, img.dtype) == (10, 12, 3, "RGB", "uint8")


@pytest.mark.parametrize(
    "form",
    [GREY, GREY[:, :, None], GREY[None], PILImage.fromarray(GREY), _file(GREY, "PNG")],
    ids=["HxW", "HxWx1", "1xHxW", "PIL-L", "png"],
)
def test_grey_inputs_become_hxw(form) -> None:
    img = Image(form)
    assert img == Image(GREY) and img.to_numpy().shape == (12, 10) and img.mode == "L"


@pytest.mark.parametrize(
    "form", [_file(GREY, "GIF"), PILImage.fromarray(GREY).convert("P")], ids=["gif", "PIL-P"]
)
def test_palette_inputs_become_rgb(form) -> None:
    img = Image(form)
    assert img.mode == "RGB" and img.format == "png"
    for channel in range(3):
        np.testing.assert_array_equal(img.to_numpy()[:, :, channel], GREY)


def test_rgba_and_channels_first_rgba() -> None:
    rgba = RNG.integers(0, 256, (6, 5, 4), dtype=np.uint8)
    assert Image(np.moveaxis(rgba, -1, 0)) == Image(rgba)
    assert (
        Image(rgba).mode == "RGBA" and Image(PILImage.fromarray(rgba).convert("LA")).mode == "RGBA"
    )


def test_channels_first_switch_resolves_an_ambiguous_shape() -> None:
    cube = RNG.integers(0, 256, (3, 4, 3), dtype=np.uint8)
    np.testing.assert_array_equal(Image(cube, channels_first=False).to_numpy(), cube)
    np.testing.assert_array_equal(
        Image(cube, channels_first=True).to_numpy(), np.moveaxis(cube, 0, -1)
    )


def test_the_caller_array_is_neither_aliased_nor_mutated() -> None:
    arr = RGB.copy()
    img = Image(arr)
    arr[0, 0, 0] ^= 0xFF
    assert img.to_numpy()[0, 0, 0] == RGB[0, 0, 0] and arr.flags.writeable
    assert not img.to_numpy().flags.writeable
    with pytest.raises(AttributeError):
        img.caption = "x"  # type: ignore[misc]


# ------------------------------------------------------------------ dtype rules
def test_bool_becomes_0_and_255() -> None:
    assert Image(np.array([[True, False]])).to_numpy().tolist() == [[255, 0]]


def test_uint16_grey_keeps_16_bits(roundtrip) -> None:
    arr = np.array([[0, 1000], [65535, 7]], dtype=np.uint16)
    img = Image(arr)
    assert (img.mode, img.dtype) == ("I;16", "uint16")
    doc, back = roundtrip(img)
    assert back.to_numpy().dtype == np.uint16
    np.testing.assert_array_equal(back.to_numpy(), arr)
    assert Image(arr.astype(">u2")) == img


def test_float_in_unit_range_is_scaled_and_rounded() -> None:
    values = np.array([[0.0, 0.5, 1.0, 0.1, 0.999]], dtype=np.float32)
    assert Image(values).to_numpy().tolist() == [[0, 128, 255, 26, 255]]


def test_integers_in_0_255_are_accepted() -> None:
    assert Image(np.array([[0, 255, 7]], dtype=np.int64)).to_numpy().tolist() == [[0, 255, 7]]
    assert Image(np.array([[[0, 255, 3]]] * 2, dtype=np.uint16)).to_numpy().dtype == np.uint8


@pytest.mark.parametrize(
    "arr, normalize, expected",
    [
        (np.array([[-0.5, 0.5, 2.0]]), "clip", [[0, 128, 255]]),
        (np.array([[-1.0, 0.0, 1.0]]), "minmax", [[0, 128, 255]]),
        (np.array([[-300, 10, 300]]), "clip", [[0, 10, 255]]),
        (np.array([[100, 200, 300]]), "minmax", [[0, 128, 255]]),
        (np.array([[5.0, 5.0]]), "minmax", [[0, 0]]),
        (np.array([[0, 1000]], dtype=np.uint16), "minmax", [[0, 255]]),
    ],
)
def test_normalize_clip_and_minmax(arr, normalize, expected) -> None:
    img = Image(arr, normalize=normalize)
    assert img.to_numpy().tolist() == expected and img.dtype == "uint8"


HINT = r'\(or pass normalize="clip" or "minmax"\)'


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (
            (np.array([[0.2, 1.5]]),),
            {},
            rf"^\$\.data\[0\]\[1\]: float pixels must be in \[0, 1\] {HINT}, got 1\.5$",
        ),
        (
            (np.array([[0.2, -0.1]]),),
            {},
            rf"^\$\.data\[0\]\[1\]: float pixels must be in \[0, 1\] {HINT}, got -0\.1$",
        ),
        (
            (np.array([[[0.2, 0.1, 0.0]], [[0.2, np.nan, 0.0]]]),),
            {},
            r"^\$\.data\[1\]\[0\]\[1\]: pixels must be finite, got nan$",
        ),
        (
            (np.array([[0.2, np.inf]]),),
            {"normalize": "clip"},
            r"^\$\.data\[0\]\[1\]: pixels must be finite, got inf$",
        ),
        (
            (np.array([[-np.inf, 0.0]]),),
            {"normalize": "minmax"},
            r"^\$\.data\[0\]\[0\]: pixels must be finite, got -inf$",
        ),
        (
            (np.array([[0, 300]]),),
            {},
            rf"^\$\.data\[0\]\[1\]: int64 pixels must be in 0\.\.255 {HINT}, got 300$",
        ),
        (
            (np.array([[-1, 3]], dtype=np.int8),),
            {},
            rf"^\$\.data\[0\]\[0\]: int8 pixels must be in 0\.\.255 {HINT}, got -1$",
        ),
        (
            (np.full((2, 2, 3), 256, np.uint16),),
            {},
            rf"^\$\.data\[0\]\[0\]\[0\]: uint16 pixels must be in 0\.\.255 {HINT}, got 256$",
        ),
        (
            (np.array([[1 + 1j]]),),
            {},
            r"^\$\.data: must hold numbers or booleans, got dtype complex128$",
        ),
        (
            (np.zeros((3, 4, 3)),),
            {},
            r"^\$\.data: shape \(3, 4, 3\) could be channels-first or channels-last; pass channels_first=True or False$",
        ),
        (
            (np.zeros((5, 6, 7)),),
            {},
            r"^\$\.data: must be HxW, HxWxC or CxHxW with C in 1, 3, 4, got shape \(5, 6, 7\)$",
        ),
        (
            (np.zeros((5, 6, 2)),),
            {},
            r"^\$\.data: must be HxW, HxWxC or CxHxW with C in 1, 3, 4, got shape \(5, 6, 2\)$",
        ),
        (
            (np.zeros((1, 3, 5, 6)),),
            {},
            r"^\$\.data: must be HxW, HxWxC or CxHxW with C in 1, 3, 4, got shape \(1, 3, 5, 6\)$",
        ),
        ((np.zeros((0, 6)),), {}, r"^\$\.data: must have at least one pixel, got shape \(0, 6\)$"),
        (
            (np.zeros((5, 6, 3)),),
            {"channels_first": True},
            r"^\$\.data: channels_first=True needs 1, 3 or 4 channels on the first axis, got shape \(5, 6, 3\)$",
        ),
        (
            (np.zeros((3, 6, 5)),),
            {"channels_first": False},
            r"^\$\.data: channels_first=False needs 1, 3 or 4 channels on the last axis, got shape \(3, 6, 5\)$",
        ),
        (([[1, 2], [3]],), {}, r"^\$\.data: expected an image array \(a ragged"),
        ((GREY,), {"caption": 3}, r"^\$\.caption: must be a string or None, got 3$"),
        (
            (GREY,),
            {"normalize": "scale"},
            r"^\$\.normalize: must be None, True, False, 'clip' or 'minmax', got 'scale'$",
        ),
        (
            (GREY,),
            {"mode": "CMYK"},
            r"^\$\.mode: must be one of L, LA, RGB, RGBA, I;16, got 'CMYK'$",
        ),
        (
            (GREY,),
            {"file_type": "tiff"},
            r"^\$\.file_type: must be 'png', 'jpeg' or 'webp', got 'tiff'$",
        ),
        (
            (GREY,),
            {"file_type": "jpeg", "quality": 0},
            r"^\$\.quality: must be an integer in 1\.\.100, got 0$",
        ),
        (
            (np.zeros((2, 2), np.uint16),),
            {"file_type": "webp"},
            r"^\$\.file_type: WebP stores 8-bit pixels, not 16-bit grey; use 'png', got 'webp'$",
        ),
        (
            (np.zeros((2, 2), np.uint16),),
            {"mode": "RGB"},
            r"^\$\.mode: cannot convert I;16 pixels to mode RGB$",
        ),
        ((b"not an image at all",), {}, r"^\$\.data: not a PNG, JPEG, WebP, BMP or GIF file$"),
        ((_file(GREY, "PNG")[:20],), {}, r"^\$\.data: the png header is truncated$"),
        (
            ("/nonexistent/x.png",),
            {},
            r"^\$\.data: cannot read the file \(No such file or directory\), got '/nonexistent/x\.png'$",
        ),
        (
            (io.StringIO("text"),),
            {},
            r"^\$\.data: the file must be opened in binary mode \('rb'\), read\(\) gave str$",
        ),
        (
            (GREY,),
            {"masks": ["m.png"]},
            r"^\$\.masks: must be a dict of group name -> value, got \['m\.png'\]$",
        ),
    ],
)
def test_bad_inputs_give_a_validation_error_with_path(args, kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Image(*args, **kwargs)


def test_the_error_names_the_index_in_the_callers_layout() -> None:
    arr = np.zeros((3, 8, 9))
    arr[2, 5, 1] = 7.0
    with pytest.raises(ValidationError) as info:
        Image(arr)
    assert info.value.path == ("data", 2, 5, 1) and info.value.value == 7.0


# ---------------------------------------------- files stored as they are
@pytest.mark.parametrize(
    "fmt, kw",
    [
        ("PNG", {"compress_level": 9}),
        ("JPEG", {"quality": 80}),
        ("WEBP", {"lossless": True}),
        ("WEBP", {"quality": 60}),
    ],
)
@pytest.mark.parametrize("as_path", [True, False], ids=["path", "bytes"])
def test_png_jpeg_webp_files_are_stored_byte_identical(
    tmp_path, fmt, kw, as_path, roundtrip
) -> None:
    data = _file(RGB, fmt, **kw)
    (tmp_path / "f").write_bytes(data)
    img = Image(tmp_path / "f" if as_path else data, caption="kept")
    assert img.format == ("jpeg" if fmt == "JPEG" else fmt.lower())
    doc, back = roundtrip(img)
    assert _sidecar(tmp_path / "store", doc) == data
    assert doc["image"]["format"] == img.format and back.to_numpy().shape == RGB.shape


@pytest.mark.parametrize("fmt", ["BMP", "GIF"])
def test_bmp_and_gif_are_converted_to_png(fmt, roundtrip) -> None:
    img = Image(_file(GREY, fmt))
    doc, _ = roundtrip(img)
    assert doc["format"] == "png"
    pixels = (
        img.to_numpy() if fmt == "BMP" else img.to_numpy()[:, :, 0]
    )  # GIF is a palette format: RGB
    np.testing.assert_array_equal(pixels, GREY)


def test_a_file_is_converted_when_another_file_type_or_mode_is_asked() -> None:
    data = _file(RGB, "PNG")
    as_webp = Image(data, file_type="webp")
    assert as_webp.format == "webp" and codec.sniff_format(as_webp._encoded()) == "webp"
    assert as_webp == Image(RGB)
    grey = Image(data, mode="L")
    assert grey.mode == "L" and grey.to_numpy().shape == (12, 10)


def test_a_sixteen_bit_grey_png_file_is_kept(roundtrip) -> None:
    arr = np.array([[0, 40000]], dtype=np.uint16)
    data = codec.encode_png(arr, level=9)
    img = Image(data)
    assert (img.mode, img.dtype) == ("I;16", "uint16") and img == Image(arr)
    roundtrip(img)


# ----------------------------------------------------------------- encoding
def test_png_is_encoded_when_stored_and_not_kept(tmp_path, monkeypatch) -> None:
    calls = []
    real = codec.encode_png_parts
    monkeypatch.setattr(codec, "encode_png_parts", lambda arr: calls.append(1) or real(arr))
    img = Image(RGB)
    assert calls == []  # lazy: nothing is encoded at construction
    first = richtypes.dump(img, tmp_path)
    assert img._data is None  # the file is not held beside the pixels
    assert richtypes.dump(img, tmp_path) == first and len(calls) == 2  # encoded again, stored once
    assert _sidecar(tmp_path, first) == codec.encode_png(RGB)
    assert Image(img) == img and Image(img)._data is None


def test_jpeg_on_request(roundtrip) -> None:
    y, x = np.mgrid[0:48, 0:64]
    smooth = np.dstack([x * 4, y * 5, x + y]).astype(np.uint8)
    img = Image(smooth, file_type="jpg", quality=95)
    doc, back = roundtrip(img)
    assert doc["format"] == "jpeg" and doc["image"]["path"].endswith(".jpg")
    assert np.abs(back.to_numpy().astype(int) - smooth).mean() < 3  # lossy, yet the same picture
    np.testing.assert_array_equal(img.to_numpy(), back.to_numpy())  # to_numpy is what is stored


def test_lossless_webp_on_request_round_trips_exactly(roundtrip) -> None:
    for arr in (RGB, GREY, RNG.integers(0, 256, (5, 6, 4), dtype=np.uint8)):
        doc, back = roundtrip(Image(arr, file_type="webp"))
        assert doc["format"] == "webp"
        np.testing.assert_array_equal(back.to_numpy(), arr)


def test_envelope_fields(tmp_path) -> None:
    doc = richtypes.dump(Image(RGB, caption="cat"), tmp_path)
    assert {
        k: doc[k]
        for k in (
            "_type",
            "_version",
            "format",
            "width",
            "height",
            "channels",
            "mode",
            "dtype",
            "caption",
        )
    } == {
        "_type": "image",
        "_version": 1,
        "format": "png",
        "width": 10,
        "height": 12,
        "channels": 3,
        "mode": "RGB",
        "dtype": "uint8",
        "caption": "cat",
    }
    assert set(doc) == {
        "_type",
        "_version",
        "format",
        "width",
        "height",
        "channels",
        "mode",
        "dtype",
        "caption",
        "image",
    }


def test_a_list_of_images_stores_identical_images_once(tmp_path, roundtrip) -> None:
    images = [
        Image(RGB),
        Image(GREY),
        Image(RGB.copy(), caption="same pixels"),
        Image(_file(RGB, "PNG")),
    ]
    doc, back = roundtrip({"examples": images * 3})
    paths = {d["image"]["path"] for d in doc["examples"]}
    assert len(doc["examples"]) == 12 and len(paths) == 3
    assert len(list((tmp_path / "store").rglob("*.png"))) == 3


def test_equality_is_by_pixels_caption_and_extras() -> None:
    assert Image(RGB) == Image(_file(RGB, "PNG", compress_level=9))  # different bytes, same pixels
    assert Image(RGB) != Image(RGB, caption="x")
    assert Image(RGB) != Image(255 - RGB)
    assert Image(GREY) != Image(GREY, masks={"m": GREY})


def test_to_pil() -> None:
    pil = Image(RGB).to_pil()
    assert pil.mode == "RGB" and np.array_equal(np.asarray(pil), RGB)
    assert Image(np.zeros((2, 2), np.uint16)).to_pil().mode == "I;16"


# -------------------------------------------------------------- bombs, docs
def _bomb_png() -> bytes:
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + tag
            + payload
            + struct.pack(">I", zlib.crc32(tag + payload))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_on_construction() -> None:
    with pytest.raises(
        ValidationError,
        match=r"^\$\.data: 50000x50000 = 2500000000 pixels is above the limit of 134217728$",
    ):
        Image(_bomb_png())


def test_an_oversized_array_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(codec, "MAX_PIXELS", 100)
    with pytest.raises(
        ValidationError, match=r"^\$\.data: 11x10 = 110 pixels is above the limit of 100$"
    ):
        Image(np.zeros((10, 11), np.uint8))


def test_a_decompression_bomb_is_refused_on_decode(tmp_path, monkeypatch) -> None:
    doc = richtypes.dump(Image(RGB), tmp_path)
    monkeypatch.setattr(codec, "MAX_PIXELS", 100)
    with pytest.raises(
        FormatError, match=r"^\$\.width: 10x12 = 120 pixels is above the limit of 100$"
    ):
        richtypes.load(doc, tmp_path)
    monkeypatch.undo()
    ref = richtypes.Store(tmp_path).put_bytes(
        _bomb_png(), "png"
    )  # a hostile sidecar behind an honest-looking doc
    with pytest.raises(FormatError, match=r"^\$\.image: the sidecar is not a 10x12 png file$"):
        richtypes.load({**doc, "image": ref}, tmp_path)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "tiff"}, r"^\$\.format: must be one of png, jpeg, webp, got 'tiff'$"),
        ({"format": "jpeg"}, r"^\$\.image: the sidecar is not a 10x12 jpeg file$"),
        ({"width": 11}, r"^\$\.image: the sidecar is not a 11x12 png file$"),
        ({"channels": 4}, r"^\$\.mode: does not match 4 channels of uint8, got 'RGB'$"),
        ({"height": "12"}, r"^\$\.height: must be int, got str$"),
        ({"masks": {"m": 3}}, r"^\$\.masks\.m: must be an envelope object, got 'int'$"),
        (
            {
                "classes": {
                    "_type": "histogram",
                    "_version": 1,
                    "counts": [1],
                    "edges": [0, 1],
                    "count_type": "int",
                }
            },
            r"^\$\.classes\._type: must be a 'classes' envelope, got 'histogram'$",
        ),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path, change, message) -> None:
    doc = richtypes.dump(Image(RGB), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


# ------------------------------------------------------- masks and classes
MASK = (np.arange(120).reshape(12, 10) % 3).astype(np.int64)
LABELS = {0: "bg", 1: "cat", 2: "dog"}


@pytest.mark.parametrize(
    "form",
    [
        lambda p: MASK,
        lambda p: ImageMask(MASK, LABELS),
        lambda p: {"mask_data": MASK, "class_labels": LABELS},
        lambda p: {"path": str(p), "class_labels": LABELS},
        lambda p: {"path": p},
    ],
    ids=["array", "ImageMask", "dict", "dict-path", "dict-path-no-labels"],
)
def test_mask_forms(tmp_path, form, roundtrip) -> None:
    (tmp_path / "m.png").write_bytes(codec.encode_png(MASK.astype(np.uint8)))
    img = Image(RGB, masks={"ground_truth": form(tmp_path / "m.png")}, classes=LABELS)
    np.testing.assert_array_equal(img.masks["ground_truth"].mask_data, MASK)
    doc, back = roundtrip(img)
    assert doc["masks"]["ground_truth"]["_type"] == "mask" and doc["classes"]["_type"] == "classes"
    assert back.classes == Classes(LABELS)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"masks": {"gt": np.zeros((5, 5), np.uint8)}},
            r"^\$\.masks\.gt\.mask_data: shape \(5, 5\) does not match the image's \(12, 10\)$",
        ),
        (
            {"masks": {"gt": {"mask_data": MASK}}, "classes": {0: "bg", 1: "cat"}},
            r"^\$\.masks\.gt\.mask_data\[0\]\[2\]: class id is not in classes, got 2$",
        ),
        (
            {"masks": {"gt": {"mask_data": -MASK}}},
            r"^\$\.masks\.gt\.mask_data\[0\]\[1\]: class ids must be in 0\.\.65535, got -1$",
        ),
        (
            {"classes": [{"id": 0, "name": "a", "color": [1, 2, 256]}]},
            r"^\$\.classes\[0\]\.color\[2\]: must be an integer in 0\.\.255, got 256$",
        ),
        ({"masks": {3: MASK}}, r"^\$\.masks: group names must be strings, got 3$"),
    ],
)
def test_mask_and_class_errors_name_the_path(kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Image(RGB, **kwargs)


def test_mask_from_a_path_with_the_wrong_shape_names_the_path_key(tmp_path) -> None:
    (tmp_path / "m.png").write_bytes(codec.encode_png(np.zeros((3, 3), np.uint8)))
    with pytest.raises(
        ValidationError,
        match=r"^\$\.masks\.gt\.path: shape \(3, 3\) does not match the image's \(12, 10\)$",
    ):
        Image(RGB, masks={"gt": {"path": tmp_path / "m.png"}})


# ----------------------------------------------------------------- boxes
BOX_DICT = {
    "box_data": [
        {
            "position": {"minX": 1, "maxX": 5, "minY": 2, "maxY": 8},
            "domain": "pixel",
            "class_id": 1,
            "box_caption": "cat",
            "scores": {"acc": 0.9},
        }
    ],
    "class_labels": {1: "cat"},
}


def test_boxes_in_both_forms_round_trip_with_a_mask(roundtrip) -> None:
    from richtypes import BoundingBoxes2D

    columnar = BoundingBoxes2D(xyxy=[[0.1, 0.1, 0.5, 0.6]], class_ids=[2])
    img = Image(
        RGB,
        boxes={"predictions": BOX_DICT, "columnar": columnar},
        masks={"gt": MASK},
        classes=LABELS,
    )
    assert img.boxes["columnar"] is columnar and len(img.boxes["predictions"]) == 1
    doc, back = roundtrip(img)
    assert doc["boxes"]["predictions"]["_type"] == "boxes2d"
    assert back.boxes["predictions"] == img.boxes["predictions"]


@pytest.mark.parametrize(
    "boxes, classes, message",
    [
        (
            {
                "p": {
                    "box_data": [
                        {
                            **BOX_DICT["box_data"][0],
                            "position": {"minX": 1, "maxX": 50, "minY": 2, "maxY": 8},
                        }
                    ]
                }
            },
            None,
            r"^\$\.boxes\.p\.box_data\[0\]\.position\.maxX: must be <= 10 \(the image width\), got 50",
        ),
        (
            {"p": BOX_DICT},
            {0: "bg"},
            r"^\$\.boxes\.p\.box_data\[0\]\.class_id: class id is not in classes, got 1$",
        ),
        (
            {"p": {"xyxy": [[0, 0, 0.5, 0.5], [0, 0, 1, 1]], "class_ids": [0, 4]}},
            LABELS,
            r"^\$\.boxes\.p\.class_ids\[1\]: class id is not in classes, got 4$",
        ),
        (
            {"p": 5},
            None,
            r"^\$\.boxes\.p: must be a BoundingBoxes2D or a dict with 'box_data', got 5$",
        ),
    ],
)
def test_box_errors_name_the_group_and_box(boxes, classes, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Image(RGB, boxes=boxes, classes=classes)


# -------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(
        np.uint8,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=24).flatmap(
            lambda s: st.sampled_from([s, s + (3,), s + (4,)])
        ),
    ),
    st.sampled_from(["png", "webp"]),
)
def test_property_uint8_round_trip_is_exact(tmp_path_factory, arr, file_type) -> None:
    root = tmp_path_factory.mktemp("i")
    img = Image(arr, file_type=file_type, channels_first=False if arr.ndim == 3 else None)
    doc = richtypes.dump(img, root)
    back = richtypes.load(doc, root)
    assert back == img
    np.testing.assert_array_equal(back.to_numpy(), arr)
    assert richtypes.dump(back, root) == doc
