"""The PNG writer: standard files from either deflate, bytes independent of threads."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image as PILImage

from richtypes.codecs import png


def _idat(data: bytes) -> bytes:
    """The zlib stream of a PNG written by encode_png (IHDR, one IDAT, IEND)."""
    assert data[37:41] == b"IDAT"
    (length,) = np.frombuffer(data[33:37], ">u4")
    return data[41 : 41 + int(length)]


def _pixels(data: bytes) -> np.ndarray:
    with PILImage.open(io.BytesIO(data)) as im:
        return np.asarray(im)


IMAGE = np.random.default_rng(2).integers(0, 256, (400, 700, 3), dtype=np.uint8)


def test_the_default_deflate_is_isal_level_1() -> None:
    from isal import isal_zlib

    assert (png.DEFLATE, png.PNG_LEVEL) == ("isal", 1)
    data = png.encode_png(IMAGE)
    assert _idat(data) == isal_zlib.compress(png.filter_up(IMAGE).tobytes(), 1)
    np.testing.assert_array_equal(_pixels(data), IMAGE)


def test_without_isal_zlib_level_1_writes_the_same_pixels(monkeypatch) -> None:
    isal_bytes = png.encode_png(IMAGE)
    monkeypatch.setattr(png, "_isal", None)
    data = png.encode_png(IMAGE)
    assert data == png.encode_png(IMAGE, level=1) and data != isal_bytes
    np.testing.assert_array_equal(_pixels(data), IMAGE)


def test_an_explicit_level_uses_zlib_in_bands_independent_of_threads(monkeypatch) -> None:
    data = png.encode_png(IMAGE, level=1)  # 840 kB of scanlines: four 256 KiB bands
    stream = _idat(data)
    assert zlib.decompress(stream) == png.filter_up(IMAGE).tobytes()
    monkeypatch.setattr(png, "leaf_pool", lambda: None)
    assert png.encode_png(IMAGE, level=1) == data
    np.testing.assert_array_equal(_pixels(data), IMAGE)


def test_sixteen_bit_pixels_are_big_endian_scanlines() -> None:
    arr = np.array([[0, 40000], [1, 65535]], np.uint16)
    data = png.encode_png(arr)
    np.testing.assert_array_equal(_pixels(data), arr)
    assert zlib.decompress(_idat(data)) == bytes([2, 0, 0, 156, 64, 2, 0, 1, 99, 191])


@pytest.mark.parametrize("level", [None, 0, 9])
@settings(deadline=None, max_examples=25)
@given(
    arr=hnp.arrays(
        np.uint8,
        st.tuples(st.integers(1, 40), st.integers(1, 40), st.sampled_from([1, 2, 3, 4])),
    )
)
def test_any_image_round_trips_through_pillow(arr: np.ndarray, level: int | None) -> None:
    data = png.encode_png(arr, level)
    back = _pixels(data)
    np.testing.assert_array_equal(back.reshape(arr.shape), arr)


def test_the_parts_join_to_the_file() -> None:
    parts = png.encode_png_parts(IMAGE)
    assert len(parts) == 10  # signature, IHDR (3 parts), IDAT (3 parts), IEND (3 parts)
    assert b"".join(parts) == png.encode_png(IMAGE)


def test_filter_up_into_a_given_buffer_and_refuses_a_wrong_one() -> None:
    out = np.full((400, 2101), 7, np.uint8)
    assert png.filter_up(IMAGE, out) is out
    np.testing.assert_array_equal(out, png.filter_up(IMAGE))
    with pytest.raises(ValueError, match=r"shape \(400, 2101\)"):
        png.filter_up(IMAGE, np.empty((400, 2100), np.uint8))


def test_the_reused_filter_buffer_never_mixes_images_across_threads_or_sizes() -> None:
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    shapes = [(300, 200, 3), (2, 3, 1), (1200, 1200, 4), (64, 64, 2), (300, 200, 3)] * 4
    images = [rng.integers(0, 256, s, dtype=np.uint8) for s in shapes]
    with ThreadPoolExecutor(4) as pool:
        files = list(pool.map(png.encode_png, images))
    for arr, data in zip(images, files):  # the 1200x1200x4 image is past the buffer's limit
        np.testing.assert_array_equal(_pixels(data).reshape(arr.shape), arr)
    assert files == [png.encode_png(a) for a in images]  # and the same bytes on one thread
