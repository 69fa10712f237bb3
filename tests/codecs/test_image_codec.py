"""The image codec: PNG encoder, header sniffing and sizes, decode limits."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image as PILImage

from richtypes.codecs import image as codec


def _pil_bytes(arr: np.ndarray, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    PILImage.fromarray(arr).save(out, format=fmt, **kw)
    return out.getvalue()


RGB = np.random.default_rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)


@pytest.mark.parametrize(
    "fmt, kw",
    [
        ("PNG", {}),
        ("JPEG", {}),
        ("WEBP", {"lossless": True}),
        ("WEBP", {"quality": 70}),
        ("BMP", {}),
        ("GIF", {}),
    ],
)
def test_sniff_and_size_from_the_header_match_pillow(fmt, kw) -> None:
    data = _pil_bytes(RGB, fmt, **kw)
    assert codec.sniff_format(data[:12]) == ("jpeg" if fmt == "JPEG" else fmt.lower())
    assert codec.image_size(data) == (53, 37)


def test_webp_extended_header_size() -> None:
    rgba = np.dstack([RGB, np.full(RGB.shape[:2], 7, np.uint8)])
    data = _pil_bytes(rgba, "WEBP", quality=70)
    assert data[12:16] == b"VP8X"
    assert codec.image_size(data) == (53, 37)


def test_unknown_or_truncated_headers_are_value_errors() -> None:
    assert codec.sniff_format(b"hello world!") is None
    with pytest.raises(ValueError, match="^not a PNG, JPEG, WebP, BMP or GIF file$"):
        codec.image_size(b"hello world!")
    with pytest.raises(ValueError, match="^the png header is truncated$"):
        codec.image_size(_pil_bytes(RGB, "PNG")[:18])
    with pytest.raises(ValueError, match=r"^the JPEG has no frame header \(SOF\)$"):
        codec.image_size(b"\xff\xd8\xff\xd9")


@pytest.mark.parametrize(
    "shape, dtype",
    [
        ((5, 7), np.uint8),
        ((5, 7, 2), np.uint8),
        ((300, 400, 3), np.uint8),
        ((600, 500, 4), np.uint8),
        ((321, 123), np.uint16),
        ((1, 1), np.uint16),
    ],
)
def test_encode_png_is_lossless_and_standard(shape, dtype) -> None:
    arr = np.random.default_rng(1).integers(
        0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True
    )
    data = codec.encode_png(arr)
    assert codec.image_size(data) == (shape[1], shape[0])
    np.testing.assert_array_equal(np.asarray(PILImage.open(io.BytesIO(data))), arr)
    np.testing.assert_array_equal(codec.decode(data), arr)


def test_equal_pixels_give_equal_bytes() -> None:
    assert codec.encode_png(RGB) == codec.encode_png(RGB.copy())


def test_encode_png_refuses_other_dtypes_and_shapes() -> None:
    with pytest.raises(ValueError, match="^encode_png needs uint8 or uint16 pixels, got float32$"):
        codec.encode_png(np.zeros((2, 2), np.float32))
    with pytest.raises(
        ValueError,
        match=r"^encode_png needs an HxW or HxWxC array with C in 1..4, got shape \(2, 2, 5\)$",
    ):
        codec.encode_png(np.zeros((2, 2, 5), np.uint8))


def test_jpeg_and_webp_encoders() -> None:
    jpeg = codec.encode_jpeg(RGB, quality=95)
    assert codec.sniff_format(jpeg) == "jpeg" and codec.decode(jpeg).shape == RGB.shape
    np.testing.assert_array_equal(codec.decode(codec.encode_webp_lossless(RGB)), RGB)
    grey = RGB[:, :, 0].copy()
    np.testing.assert_array_equal(codec.decode(codec.encode_webp_lossless(grey), mode="L"), grey)
    with pytest.raises(ValueError, match="^JPEG stores grey or RGB pixels, not RGBA$"):
        codec.encode_jpeg(np.zeros((2, 2, 4), np.uint8))
    assert set(codec.CODECS) == {"png", "jpeg", "webp"}


def _bomb() -> bytes:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    chunk = lambda tag, payload: (
        struct.pack(">I", len(payload))
        + tag
        + payload
        + struct.pack(">I", zlib.crc32(tag + payload))
    )  # noqa: E731
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(
        ValueError, match=r"^100000x100000 = 10000000000 pixels is above the limit of 134217728$"
    ):
        codec.decode(_bomb())
    with pytest.raises(ValueError, match=r"^3x2 = 6 pixels is above the limit of 5$"):
        codec.probe(codec.encode_png(np.zeros((2, 3), np.uint8)), max_pixels=5)


def test_probe_describes_what_decode_returns() -> None:
    palette = PILImage.fromarray(RGB).convert("P")
    out = io.BytesIO()
    palette.save(out, format="PNG")
    info = codec.probe(out.getvalue())
    assert info == {
        "format": "png",
        "width": 53,
        "height": 37,
        "mode": "RGB",
        "channels": 3,
        "dtype": "uint8",
    }
    assert codec.decode(out.getvalue()).shape == (37, 53, 3)
    np.testing.assert_array_equal(codec.decode_indices(out.getvalue()), np.asarray(palette))


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(
        np.uint8,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=40).flatmap(
            lambda s: st.sampled_from([s, s + (3,), s + (4,)])
        ),
    )
)
def test_property_png_round_trip(arr) -> None:
    np.testing.assert_array_equal(codec.decode(codec.encode_png(arr)), arr)
