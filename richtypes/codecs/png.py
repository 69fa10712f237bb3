"""PNG writer: one vectorized row filter and a fast deflate.

A plain function on numpy arrays; it never imports media classes.

``encode_png`` writes standard PNG files (read by Pillow, libpng and every
browser) with one fixed row filter ("Up", one numpy subtraction) and deflate
from ISA-L (the ``isal`` package) at its level 1, falling back to zlib level 1
where ``isal`` cannot be imported. The choice comes from
``python -m benchmarks.bench_deflate`` (zlib, ISA-L, zlib-ng and libdeflate at
several levels over photo-like, flat synthetic, noise and mask images; the
output is in ``benchmarks/RESULTS.md``). Measured on this project's 2-core
machine, 512x512 images, median of 9 runs, ms and kB of the zlib stream::

    image                    zlib 1          ISA-L 1         libdeflate 1    zlib-ng 1
    W1 (noise | gradient)    10.9 ms 434 kB  1.02 ms 417 kB  3.77 ms 419 kB  4.01 ms 460 kB
    photo-like (noise sd 3)  12.4 ms 481 kB  3.32 ms 436 kB  7.99 ms 447 kB  6.44 ms 707 kB
    flat synthetic (chart)   1.45 ms 6.4 kB  0.09 ms 5.8 kB  2.08 ms 3.2 kB  0.12 ms 10.5 kB
    uniform noise            15.6 ms 787 kB  1.28 ms 787 kB  6.73 ms 787 kB  7.16 ms 830 kB
    mask (20 classes)        1.64 ms 39 kB   0.31 ms 33 kB   0.90 ms 30 kB   0.51 ms 55 kB

ISA-L level 1 is 4x to 16x faster than zlib level 1 on every kind and smaller
on all of them (libdeflate is smaller still on flat images and masks, at 3x to
20x ISA-L's time), so ``isal`` is a core dependency (wheels for Linux, macOS
and Windows). ISA-L level 0 is larger and no faster; level 2 is as fast and
larger on photo-like images.

ISA-L deflates the whole image in one call: cutting it into bands on two
threads did not pay with ISA-L (measured, 2 cores shared with other work:
512x512 RGB 0.95 ms whole against 1.33-1.37 ms in bands, 2048x2048 9.5 ms
whole against 14-35 ms), and parallel work is better spent across objects.
The zlib fallback (and an explicit ``level``) keeps bands of :data:`_BAND`
bytes deflated on the leaf pool (one thread per core) and joined into one
zlib stream (the way ``pigz`` does), where they paid 1.3-2x with zlib. Bands are cut at fixed
offsets, so the bytes never depend on the thread count: equal pixels always
give equal files (and one sidecar) with the same deflate library.
"""

from __future__ import annotations

import struct
import threading
import zlib

import numpy as np

from .threads import leaf_pool

try:  # ISA-L's deflate: chosen by measurement (see above); zlib when it cannot be imported
    from isal import isal_zlib as _isal
except ImportError:  # pragma: no cover - isal is a core dependency
    _isal = None  # type: ignore[assignment]

# the chunk checksums: ISA-L's CRC-32 is the same function, 4x faster than zlib's
# (50 W1 images: 1.6 ms against 6.3 ms)
_crc32 = zlib.crc32 if _isal is None else _isal.crc32

__all__ = ["PNG_LEVEL", "DEFLATE", "encode_png", "encode_png_parts", "filter_up"]

#: The deflate level ``encode_png`` uses by default (of ISA-L, or of zlib without it).
PNG_LEVEL = 1
#: The deflate library ``encode_png`` uses by default: ``"isal"`` or ``"zlib"``.
DEFLATE = "isal" if _isal is not None else "zlib"
_BAND = 256 * 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}
_IDAT_MAX = 1 << 30
# the filtered scanlines live only until deflate has read them, so each thread reuses one buffer for
# them: a fresh 768 kB array costs its page faults every time (50 W1 images filtered into fresh
# arrays 26.7 ms, into one reused buffer 7.3 ms). Larger images get a fresh array, so a thread never
# holds more than this much
_SCRATCH_MAX = 8 * 1024**2
_scratch = threading.local()


def _chunk(tag: bytes, payload: bytes | memoryview) -> list[bytes | memoryview]:
    """A PNG chunk as parts to join (the payload is not copied here)."""
    crc = _crc32(payload, _crc32(tag))
    return [struct.pack(">I", len(payload)) + tag, payload, struct.pack(">I", crc)]


def _deflate_band(band: memoryview, level: int, last: bool) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return comp.compress(band) + comp.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _zlib_stream(data: np.ndarray, level: int) -> bytes:
    """A zlib stream of ``data`` from zlib; bands of _BAND bytes deflated independently, in parallel."""
    view = memoryview(data).cast("B")  # type: ignore[arg-type]  # ndarray is a buffer
    if len(view) <= _BAND:
        return zlib.compress(view, level)
    bands = [view[i : i + _BAND] for i in range(0, len(view), _BAND)]
    flags = [i == len(bands) - 1 for i in range(len(bands))]
    pool = leaf_pool()
    if pool is None:
        parts = list(map(_deflate_band, bands, [level] * len(bands), flags))
    else:
        parts = list(pool.map(_deflate_band, bands, [level] * len(bands), flags))
    flevel = 0 if level < 2 else 1 if level < 6 else 2 if level == 6 else 3
    flg = flevel << 6
    flg += 31 - ((0x78 << 8 | flg) % 31)
    return bytes((0x78, flg)) + b"".join(parts) + struct.pack(">I", zlib.adler32(view))


def filter_up(arr: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """PNG scanlines of an HxWxC array with filter "Up": each row a filter byte (2) + its bytes minus the row above.

    ``out`` (uint8, shape ``(H, W*C*itemsize + 1)``) receives them when given.

    Examples
    --------
    >>> import numpy as np
    >>> filter_up(np.array([[1, 2], [4, 4]], np.uint8)[:, :, None]).tolist()
    [[2, 1, 2], [2, 3, 2]]
    """
    height = arr.shape[0]
    rows = arr.view(np.uint8).reshape(height, -1)
    shape = (height, rows.shape[1] + 1)
    filtered = np.empty(shape, np.uint8) if out is None else out
    if filtered.shape != shape or filtered.dtype != np.uint8:
        raise ValueError(f"filter_up needs a uint8 output of shape {shape}, got {filtered.shape}")
    filtered[:, 0] = 2  # filter type "Up": each byte minus the byte above (row 0: above is zero)
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
    return filtered


def _scratch_for(shape: tuple[int, int]) -> np.ndarray | None:
    """This thread's reusable filter buffer viewed as ``shape`` (None past :data:`_SCRATCH_MAX`)."""
    size = shape[0] * shape[1]
    if size > _SCRATCH_MAX:
        return None
    buf = getattr(_scratch, "buf", None)
    if buf is None or buf.size < size:
        buf = _scratch.buf = np.empty(max(size, 1 << 20), np.uint8)
    return buf[:size].reshape(shape)


def encode_png(arr: np.ndarray, level: int | None = None) -> bytes:
    """Encode an HxW or HxWxC (C in 1..4) uint8 or uint16 array as PNG bytes.

    ``level=None`` deflates with :data:`DEFLATE` at :data:`PNG_LEVEL` (the
    measured choice); an integer 0..9 asks for zlib at that level instead
    (smaller files, slower).

    Examples
    --------
    >>> import numpy as np
    >>> encode_png(np.zeros((2, 2, 3), np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    return b"".join(encode_png_parts(arr, level))


def encode_png_parts(arr: np.ndarray, level: int | None = None) -> list[bytes | memoryview]:
    """The PNG file of :func:`encode_png` as parts whose concatenation is the file.

    For writers that take a list of buffers (``Store.put_chunks``): the
    compressed stream is never copied into one joined ``bytes``.
    """
    arr = np.asarray(arr)
    if arr.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"encode_png needs uint8 or uint16 pixels, got {arr.dtype}")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in _COLOUR_TYPE or 0 in arr.shape:
        raise ValueError(
            f"encode_png needs an HxW or HxWxC array with C in 1..4, got shape {arr.shape}"
        )
    height, width, channels = arr.shape
    depth = 8 * arr.dtype.itemsize
    raw = np.ascontiguousarray(arr, dtype=">u2" if depth == 16 else np.uint8)
    # deflate reads the filtered rows and is done with them before this returns: the thread's scratch
    filtered = filter_up(raw, _scratch_for((height, width * channels * (depth // 8) + 1)))
    if level is None and _isal is not None:
        stream = _isal.compress(filtered, PNG_LEVEL)
    else:
        stream = _zlib_stream(filtered, PNG_LEVEL if level is None else level)
    header = struct.pack(">IIBBBBB", width, height, depth, _COLOUR_TYPE[channels], 0, 0, 0)
    view = memoryview(stream)
    parts = [_PNG_SIGNATURE, *_chunk(b"IHDR", header)]
    for i in range(0, len(stream), _IDAT_MAX):
        parts += _chunk(b"IDAT", view[i : i + _IDAT_MAX])
    return [*parts, *_chunk(b"IEND", b"")]
