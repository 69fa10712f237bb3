"""Animated GIF through Pillow (a core dependency): encode frames, read the header, decode frames.

Each frame gets its own 256-colour palette from Pillow's fast octree quantizer.
Measured on a 64-frame 128x128 RGB clip (2-core machine): 30 ms, against 1040 ms
for Pillow's default median-cut quantizer (what ``imageio`` uses), at a PSNR of
30.1 dB instead of 34.1 dB. Logging speed wins; pass ``format="mp4"`` for
quality and size.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PIL import Image

from ..core.errors import FormatError

__all__ = ["encode_gif", "gif_info", "gif_frames_at", "decode_gif", "gif_delay_ms", "MAX_DELAY_MS"]


#: The longest frame delay a GIF can state (65535 hundredths of a second).
MAX_DELAY_MS = 655_350
#: What a damaged GIF makes Pillow raise (reported as ``FormatError``).
_BROKEN = (
    OSError,  # includes UnidentifiedImageError
    EOFError,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    SyntaxError,
    struct.error,
    OverflowError,
    ZeroDivisionError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def gif_delay_ms(fps: float) -> int:
    """The per-frame delay a GIF stores for ``fps``: whole hundredths of a second, 10 ms to :data:`MAX_DELAY_MS`."""
    hundredths = 100.0 / fps if fps > 0 else math.inf
    if not hundredths < MAX_DELAY_MS // 10:  # also catches inf and NaN
        return MAX_DELAY_MS
    return max(1, int(hundredths + 0.5)) * 10


def encode_gif(frames: np.ndarray, fps: float) -> bytes:
    """GIF bytes for (T, H, W) grey, (T, H, W, 3) RGB or (T, H, W, 4) RGBA uint8 frames, looping forever.

    GIF delays are whole hundredths of a second, so the played rate is 100 / round(100 / fps).
    Pillow stores a run of identical frames once with a longer delay;
    :func:`decode_gif` repeats it back.

    Examples
    --------
    >>> frames = np.zeros((3, 4, 6), np.uint8)
    >>> frames[2] = 255
    >>> data = encode_gif(frames, fps=10)
    >>> data[:6], gif_info(data), decode_gif(data, 100, fps=10, max_bytes=2**20).shape
    (b'GIF89a', (3, 6, 4, 10.0), (3, 4, 6, 3))
    """
    delay_ms = gif_delay_ms(fps)
    if frames.ndim == 3:
        images = [Image.fromarray(frame, "L") for frame in frames]
    else:
        method = Image.Quantize.FASTOCTREE
        images = [Image.fromarray(frame).quantize(256, method=method) for frame in frames]
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=delay_ms, loop=0
    )
    return out.getvalue()


@contextmanager
def _open(data: bytes) -> Iterator[Image.Image]:
    """Open GIF bytes; anything Pillow raises for a damaged file becomes a ``FormatError``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["GIF"]) as im:
                yield im
    except FormatError:
        raise
    except _BROKEN as exc:
        raise FormatError(f"is not a readable gif file ({type(exc).__name__})") from None


def _delays(im: Image.Image) -> list[int]:
    delays = []
    for index in range(int(getattr(im, "n_frames", 1))):
        im.seek(index)
        delays.append(int(im.info.get("duration") or 0))
    return delays


def _repeats(delays: list[int], delay_ms: int) -> list[int]:
    return [max(1, int(d / delay_ms + 0.5)) if d else 1 for d in delays]


def gif_info(data: bytes) -> tuple[int, int, int, float | None]:
    """``(frames, width, height, fps)`` of a GIF, read at its shortest frame delay (fps None when no delays).

    A frame shown for k times the shortest delay counts as k frames.
    ``FormatError`` for a damaged file.
    """
    with _open(data) as im:
        delays = _delays(im)
        base = min((d for d in delays if d > 0), default=0)
        frames = sum(_repeats(delays, base)) if base else len(delays)
        return frames, im.width, im.height, (1000.0 / base if base else None)


def gif_frames_at(data: bytes, fps: float) -> tuple[int, int, int]:
    """``(frames, width, height)`` that :func:`decode_gif` gives at ``fps`` (no frame is converted)."""
    with _open(data) as im:
        return sum(_repeats(_delays(im), gif_delay_ms(fps))), im.width, im.height


def decode_gif(data: bytes, max_frames: int, fps: float, max_bytes: int) -> np.ndarray:
    """The (T, H, W, 3) RGB frames of a GIF at ``fps`` (a frame shown longer repeats), at most ``max_frames``.

    The memory is budgeted from the file itself, before any frame is
    converted: ``FormatError`` when the frames (each repeat counted) would
    take more than ``max_bytes``, or for a damaged file.
    """
    with _open(data) as im:
        width, height = im.size
        repeats = _repeats(_delays(im), gif_delay_ms(fps))
        counts, total = [], 0
        for count in repeats:
            if total >= max_frames:
                break
            counts.append(min(count, max_frames - total))
            total += counts[-1]
        need = total * width * height * 3
        if need > max_bytes:
            raise FormatError(
                f"decoding {total} frames of {width}x{height} (as the gif file times them at fps {fps:g}) "
                f"needs {need} bytes, above max_bytes={max_bytes}; pass max_frames or a larger max_bytes"
            )
        out = np.empty((total, height, width, 3), np.uint8)
        at = 0
        for index, count in enumerate(counts):
            im.seek(index)
            frame = im.convert("RGB")
            if frame.size != (width, height):  # pragma: no cover - Pillow pads frames to the screen
                raise FormatError(f"gif frame {index} is {frame.size}, not {width}x{height}")
            out[at : at + count] = np.asarray(frame)
            at += count
        return out
