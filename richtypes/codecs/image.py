"""Image codecs: PNG (our own fast encoder), JPEG and lossless WebP (Pillow), header sniffing.

Plain functions on numpy arrays and bytes; they never import media classes.

``encode_png`` (PNG with a vectorized row filter and ISA-L deflate, chosen by
measurement) lives in :mod:`richtypes.codecs.png` and is re-exported here.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .png import PNG_LEVEL, encode_png, encode_png_parts

__all__ = [
    "MAX_PIXELS",
    "MAX_DECODE_BYTES",
    "decode_cost",
    "PNG_LEVEL",
    "JPEG_QUALITY",
    "MODE_LAYOUT",
    "pixel_problem",
    "sniff_format",
    "image_size",
    "probe",
    "encode_png",
    "encode_png_parts",
    "encode_jpeg",
    "encode_webp_lossless",
    "decode",
    "decode_indices",
    "decoded_mode",
    "CODECS",
]

#: The most pixels (width x height) an image may have, on construction and on
#: decode: a guard against decompression bombs (a tiny file claiming a huge size).
MAX_PIXELS = 2**27
#: The most memory (bytes) decoding one image may take, estimated from its header
#: before any pixel is decoded (:func:`decode_cost`). Pillow keeps multi-band and
#: 32-bit images at 4 bytes a pixel, a mode conversion keeps a second image,
#: turning it into an array copies the pixels twice, and WebP decodes through two
#: more buffers: under :data:`MAX_PIXELS`, a 510 KB PNG of 11585 x 11585 RGBA
#: pixels peaked at 1.58 GiB and 34 bytes of WebP at 2.6 GiB without this budget.
#: The default decodes RGBA PNGs up to ~89 million pixels (9450 x 9450); pass
#: ``max_bytes=`` to :func:`decode` or set this attribute to change it.
MAX_DECODE_BYTES = 1024**3
#: The JPEG quality (1..100) used when none is given, by ``encode_jpeg`` and ``Image``.
JPEG_QUALITY = 90
#: Pillow mode -> (channels, dtype) of the pixel arrays images hold: the one mode table.
MODE_LAYOUT: dict[str, tuple[int, str]] = {
    "L": (1, "uint8"),
    "LA": (2, "uint8"),
    "RGB": (3, "uint8"),
    "RGBA": (4, "uint8"),
    "I;16": (1, "uint16"),
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff_format(header: bytes) -> str | None:
    """The image format of a file from its first bytes (12 are enough).

    Returns ``"png"``, ``"jpeg"``, ``"webp"``, ``"bmp"``, ``"gif"`` or ``None``.

    Examples
    --------
    >>> sniff_format(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff_format(b"GIF89a"), sniff_format(b"hello")
    ('png', 'gif', None)
    """
    head = bytes(header[:12])
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` read from an image file's header, without decoding pixels.

    Raises ``ValueError`` when the header is not a recognised or complete one.

    Examples
    --------
    >>> import numpy as np
    >>> image_size(encode_png(np.zeros((3, 5), np.uint8)))
    (5, 3)
    """
    fmt = sniff_format(data)
    try:
        if fmt == "png":
            if data[12:16] != b"IHDR":
                raise ValueError("the PNG does not start with an IHDR chunk")
            return struct.unpack(">II", data[16:24])
        if fmt == "gif":
            return struct.unpack("<HH", data[6:10])
        if fmt == "bmp":
            (dib,) = struct.unpack("<I", data[14:18])
            if dib == 12:
                return struct.unpack("<HH", data[18:22])
            width, height = struct.unpack("<ii", data[18:26])
            return abs(width), abs(height)
        if fmt == "webp":
            return _webp_size(data)
        if fmt == "jpeg":
            return _jpeg_size(data)
    except struct.error:
        raise ValueError(f"the {fmt} header is truncated") from None
    raise ValueError("not a PNG, JPEG, WebP, BMP or GIF file")


def _webp_size(data: bytes) -> tuple[int, int]:
    kind = data[12:16]
    if kind == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise ValueError("the WebP VP8 frame has no start code")
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L":
        if data[20:21] != b"\x2f":
            raise ValueError("the WebP VP8L stream has no signature")
        (bits,) = struct.unpack("<I", data[21:25])
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        if len(data) < 30:
            raise struct.error
        return width, height
    raise ValueError(f"unknown WebP chunk {kind!r}")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            raise ValueError(f"the JPEG has no marker at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):
            break  # end of image / start of scan before any frame header
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    raise ValueError("the JPEG has no frame header (SOF)")


def pixel_problem(width: int, height: int, max_pixels: int | None = None) -> str | None:
    """The one pixel-limit rule: what is wrong with a ``width`` x ``height`` image, or None.

    At least one pixel, at most ``max_pixels`` (default :data:`MAX_PIXELS`).

    Examples
    --------
    >>> pixel_problem(640, 480), pixel_problem(0, 3), pixel_problem(2**14, 2**14)
    (None, '0x3 has no pixels', '16384x16384 = 268435456 pixels is above the limit of 134217728')
    """
    limit = MAX_PIXELS if max_pixels is None else max_pixels
    if width * height > limit:
        return f"{width}x{height} = {width * height} pixels is above the limit of {limit}"
    if width < 1 or height < 1:
        return f"{width}x{height} has no pixels"
    return None


def _check_pixels(width: int, height: int, max_pixels: int | None) -> None:
    problem = pixel_problem(width, height, max_pixels)
    if problem:
        raise ValueError(problem)


def _open(data: bytes, max_pixels: int | None) -> Any:
    from PIL import Image as PILImage

    fmt = sniff_format(data)
    if fmt is None:
        raise ValueError("not a PNG, JPEG, WebP, BMP or GIF file")
    width, height = image_size(data)
    _check_pixels(width, height, max_pixels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        try:
            pil = PILImage.open(io.BytesIO(data), formats=[fmt.upper()])
        except PILImage.DecompressionBombError as exc:  # pragma: no cover - our limit is lower
            raise ValueError(str(exc)) from None
        except (OSError, SyntaxError) as exc:
            raise ValueError(f"Pillow cannot read this {fmt} file: {exc}") from None
    if pil.size != (width, height):
        raise ValueError(
            f"the header says {width}x{height} but Pillow reads {pil.size[0]}x{pil.size[1]}"
        )
    return pil


def _pil_bytes(mode: str) -> int:
    """Bytes a pixel takes inside Pillow in ``mode``."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def decode_cost(pil: Any, target: str, out_bytes: int) -> int:
    """Estimated peak bytes of decoding an opened (not yet loaded) image to an array.

    ``target`` is the mode it is converted to and ``out_bytes`` the bytes per
    pixel of the resulting array. Matches the peak RSS of the bombs in
    ``benchmarks/bench_decode_bombs.py`` within 5%.
    """
    width, height = pil.size
    per_pixel = _pil_bytes(pil.mode) + 2 * out_bytes
    if target != pil.mode:
        per_pixel += _pil_bytes(target)
    if pil.format == "WEBP":
        per_pixel += 8  # libwebp's own output buffer and Pillow's copy of it
    return width * height * per_pixel


def _check_budget(pil: Any, target: str, out_bytes: int, max_bytes: int | None) -> None:
    limit = MAX_DECODE_BYTES if max_bytes is None else max_bytes
    cost = decode_cost(pil, target, out_bytes)
    if cost > limit:
        width, height = pil.size
        raise ValueError(
            f"decoding {width}x{height} {pil.mode} pixels would take about {cost} bytes, "
            f"above the decode budget of {limit} bytes (codecs.image.MAX_DECODE_BYTES)"
        )


def decoded_mode(pil: Any) -> str:
    """The mode :func:`decode` gives for an opened Pillow image."""
    mode = pil.mode
    if mode in ("L", "LA", "RGB", "RGBA", "I;16"):
        return mode
    if mode == "1":
        return "L"
    if mode.startswith("I;16"):
        return "I;16"
    if mode in ("P", "PA"):
        return "RGBA" if mode == "PA" or "transparency" in pil.info else "RGB"
    if mode in ("RGBa", "La"):
        return mode.upper()
    return "RGB"


def probe(data: bytes, *, max_pixels: int | None = None) -> dict[str, Any]:
    """Format, size and pixel layout of an image file, reading only its header.

    Returns ``{"format", "width", "height", "mode", "channels", "dtype"}``
    describing what :func:`decode` would return. Raises ``ValueError`` for an
    unknown or broken header or more than ``max_pixels`` (default
    :data:`MAX_PIXELS`) pixels.
    """
    pil = _open(data, max_pixels)
    mode = decoded_mode(pil)
    channels, dtype = MODE_LAYOUT[mode]
    return {
        "format": sniff_format(data),
        "width": pil.size[0],
        "height": pil.size[1],
        "mode": mode,
        "channels": channels,
        "dtype": dtype,
    }


def decode(
    data: bytes,
    *,
    max_pixels: int | None = None,
    mode: str | None = None,
    max_bytes: int | None = None,
) -> np.ndarray:
    """Decode an image file to an array: HxW (grey, uint8 or uint16) or HxWxC (C = 2, 3, 4; uint8).

    The size is read from the header and checked against ``max_pixels``
    (default :data:`MAX_PIXELS`) before any pixel is decoded, and so is the
    memory decoding would take against ``max_bytes`` (default
    :data:`MAX_DECODE_BYTES`, 1 GiB); both raise ``ValueError``. ``mode`` forces
    a Pillow mode (``"L"``, ``"RGB"`` ...); by default palette images become
    RGB/RGBA, 1-bit images 0/255 grey, 16-bit grey stays uint16. GIF: the first frame.

    Examples
    --------
    >>> import numpy as np
    >>> arr = np.arange(12, dtype=np.uint8).reshape(3, 4)
    >>> np.array_equal(decode(encode_png(arr)), arr)
    True
    """
    pil = _open(data, max_pixels)
    target = mode or decoded_mode(pil)
    channels, dtype = MODE_LAYOUT.get(target, (4, "uint8"))
    _check_budget(pil, target, channels * np.dtype(dtype).itemsize, max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pil.load()
            if pil.mode != target:
                pil = pil.convert(target)
            return np.asarray(pil)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValueError(f"Pillow cannot decode this file: {exc}") from None


def decode_indices(
    data: bytes, *, max_pixels: int | None = None, max_bytes: int | None = None
) -> np.ndarray:
    """Decode a single-channel image file (grey, palette or 16-bit grey) to its raw HxW values.

    Palette images give their palette indices, not colours (what a
    segmentation mask stores). Raises ``ValueError`` for colour images and
    for files above ``max_pixels`` or the decode budget ``max_bytes`` (see
    :func:`decode`).
    """
    pil = _open(data, max_pixels)
    if pil.mode not in ("1", "L", "P", "I", "I;16", "I;16B", "I;16L"):
        raise ValueError(
            f"a mask file must have one channel (grey or palette), this one is {pil.mode}"
        )
    _check_budget(pil, pil.mode, _pil_bytes(pil.mode), max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pil.load()
            arr = np.asarray(pil)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValueError(f"Pillow cannot decode this file: {exc}") from None
    return arr.astype(arr.dtype.newbyteorder("=")) if arr.dtype.byteorder == ">" else arr


def _pil_from_array(arr: np.ndarray) -> Any:
    from PIL import Image as PILImage

    arr = np.ascontiguousarray(arr)
    if arr.dtype != np.uint8:
        raise ValueError(f"needs uint8 pixels, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (2, 3, 4))):
        raise ValueError(f"needs an HxW or HxWxC array, got shape {arr.shape}")
    return PILImage.fromarray(arr)


def encode_jpeg(arr: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """Encode a grey or RGB uint8 array as JPEG (lossy) at ``quality`` 1..100."""
    pil = _pil_from_array(arr)
    if pil.mode not in ("L", "RGB"):
        raise ValueError(f"JPEG stores grey or RGB pixels, not {pil.mode}")
    out = io.BytesIO()
    pil.save(out, format="JPEG", quality=int(quality))
    return out.getvalue()


def encode_webp_lossless(arr: np.ndarray) -> bytes:
    """Encode a grey, RGB or RGBA uint8 array as lossless WebP (grey is stored as RGB)."""
    pil = _pil_from_array(arr)
    if pil.mode == "LA":
        pil = pil.convert("RGBA")
    out = io.BytesIO()
    pil.save(out, format="WEBP", lossless=True, quality=50, method=1, exact=True)
    return out.getvalue()


#: Codec name -> encoder (array -> bytes).
CODECS: dict[str, Callable[..., bytes]] = {
    "png": encode_png,
    "jpeg": encode_jpeg,
    "webp": encode_webp_lossless,
}
