"""The image decode budget: small files that claim many pixels are refused from their header.

Peak memory figures of the bombs are in ``benchmarks/bench_decode_bombs.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import richtypes
from benchmarks.bench_decode_bombs import jpeg_bomb, png_bomb, webp_bomb
from richtypes import FormatError, Store
from richtypes.codecs import image as codec

FIXTURE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "image" / "v1" / "webp_lossless_rgba"
)


def test_the_34_byte_webp_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(
        ValueError,
        match=r"^decoding 11585x11585 RGBA pixels would take about 2684244500 bytes, above the "
        r"decode budget of 1073741824 bytes \(codecs\.image\.MAX_DECODE_BYTES\)$",
    ):
        codec.decode(webp_bomb())


def test_a_jpeg_claiming_65500x2048_pixels_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"^decoding 65500x2048 RGB pixels would take about 1341440000 bytes"
    ):
        codec.decode(jpeg_bomb())


def test_the_budget_counts_conversions_and_the_array_copies() -> None:
    data = png_bomb(side=1000)  # RGBA: 4 bytes inside Pillow + 2 x 4 for the array
    with pytest.raises(
        ValueError,
        match=r"would take about 12000000 bytes, above the decode budget of 11999999 bytes",
    ):
        codec.decode(data, max_bytes=11_999_999)
    assert codec.decode(data, max_bytes=12_000_000).shape == (1000, 1000, 4)
    with pytest.raises(ValueError, match=r"would take about 7000000 bytes, above"):
        codec.decode(data, mode="L", max_bytes=6_999_999)  # 4 inside Pillow + 1 for L + 2 x 1


def test_a_mask_is_budgeted_too() -> None:
    data = png_bomb(side=1000, colour=0, depth=16)  # I;16: 2 + 2 x 2 bytes a pixel
    with pytest.raises(
        ValueError, match=r"^decoding 1000x1000 I;16 pixels would take about 6000000 bytes"
    ):
        codec.decode_indices(data, max_bytes=5_000_000)
    assert codec.decode_indices(data).shape == (1000, 1000)


def test_the_budget_is_a_setting(monkeypatch) -> None:
    data = png_bomb(side=100)
    monkeypatch.setattr(codec, "MAX_DECODE_BYTES", 1000)
    with pytest.raises(ValueError, match=r"above the decode budget of 1000 bytes"):
        codec.decode(data)


def test_a_stored_image_bomb_is_a_format_error_when_its_pixels_are_read(tmp_path: Path) -> None:
    store = Store(tmp_path)
    doc = json.loads((FIXTURE / "doc.json").read_text())
    doc.update(width=11585, height=11585, image=store.put_bytes(webp_bomb(), "webp"))
    try:
        image = richtypes.load(doc, store)
    except FormatError as exc:  # refused at load already: fine as long as it is typed
        assert "decode budget" in str(exc) or "pixels" in str(exc)
        return
    with pytest.raises(
        FormatError, match=r"^image: the webp sidecar cannot be decoded: decoding 11585x11585"
    ):
        image.to_numpy()


def test_decoding_the_webp_bomb_stays_small_in_memory(tmp_path: Path) -> None:
    (tmp_path / "bomb.webp").write_bytes(webp_bomb())
    # The peak is read from /proc after resetting it in the child: ru_maxrss
    # would carry over the (large) pytest parent's peak across fork and exec.
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux's /proc/self/clear_refs to reset the peak RSS")
    child = (
        "import re, sys\n"
        "from richtypes.codecs import image\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        "try:\n"
        "    image.decode(data)\n"
        "except ValueError:\n"
        "    pass\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", child, str(tmp_path / "bomb.webp")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(proc.stdout.strip()) < 300 * 1024  # KiB: 2.6 GiB without the budget


def test_ordinary_images_still_decode() -> None:
    arr = np.random.default_rng(0).integers(0, 255, (64, 48, 3), np.uint8)
    assert np.array_equal(codec.decode(codec.encode_webp_lossless(arr)), arr)
