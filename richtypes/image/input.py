"""Input coercion for :class:`richtypes.Image`: layouts, dtype rules, files and PIL images.

Everything here is vectorized: whole-array min/max checks, and on failure one
``np.flatnonzero`` to name the first bad pixel in the caller's own layout.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..codecs import image as codec
from ..core.coerce import as_array
from ..core.errors import MissingDependencyError, PathKey, ValidationError
from ..core.snapshot import private_copy

__all__ = [
    "coerce_pixels",
    "read_source",
    "is_pil_image",
    "pixels_from_pil",
    "mode_of",
    "check_normalize",
    "is_matplotlib",
    "render_matplotlib",
    "convert_mode",
    "drop_alpha",
    "check_file_type",
]

_NORMALIZE = ("clip", "minmax")
_CHANNELS = (1, 3, 4)
_HINT = '(or pass normalize="clip" or "minmax")'


def check_normalize(value: Any) -> str | bool | None:
    """``normalize=``: None or True (the dtype rules), False (values are 0..255 pixels), "clip" or "minmax"."""
    if value is None or value is True:
        return None
    if value is False or (isinstance(value, str) and value in _NORMALIZE):
        return value
    raise ValidationError(
        "must be None, True, False, 'clip' or 'minmax'", value=value, path=("normalize",)
    )


def is_matplotlib(value: Any) -> bool:
    """Whether ``value`` is a matplotlib figure or the ``matplotlib.pyplot`` module (never imports it)."""
    if getattr(value, "__name__", None) == "matplotlib.pyplot":
        return True
    return type(value).__module__.startswith("matplotlib") and callable(
        getattr(value, "savefig", None)
    )


def render_matplotlib(value: Any, path: tuple[PathKey, ...]) -> bytes:
    """The PNG of a figure (``pyplot``: its current figure), as ``savefig`` draws it; the figure is left open."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "matplotlib", "matplotlib", "an Image from a matplotlib figure"
        ) from None
    figure = value.gcf() if getattr(value, "__name__", None) == "matplotlib.pyplot" else value
    out = io.BytesIO()
    try:
        # no "Software" text chunk: equal figures give equal files whatever the matplotlib version
        figure.savefig(out, format="png", metadata={"Software": None})
    except Exception as exc:  # noqa: BLE001 - a figure that cannot be drawn
        raise ValidationError(
            f"the matplotlib figure cannot be drawn ({type(exc).__name__}: {exc})", path=path
        ) from None
    return out.getvalue()


def mode_of(pixels: np.ndarray) -> str:
    """The Pillow mode name of a coerced pixel array."""
    if pixels.ndim == 2:
        return "I;16" if pixels.dtype == np.uint16 else "L"
    return {2: "LA", 3: "RGB", 4: "RGBA"}[pixels.shape[2]]


def coerce_pixels(
    value: Any,
    *,
    channels_first: bool | None,
    normalize: str | bool | None,
    path: Sequence[PathKey] = ("data",),
) -> np.ndarray:
    """Validate and convert an array-like to HxW (uint8/uint16) or HxWx3/4 uint8, a fresh read-only array."""
    path = tuple(path)
    arr = as_array(value, path, what="an image array")
    axis = _channel_axis(arr.shape, channels_first, path)
    channels = 1 if axis is None else arr.shape[axis]
    pixels = _convert_dtype(arr, normalize, grey=channels == 1, path=path)
    if axis == 0:
        pixels = np.moveaxis(pixels, 0, -1)
    if pixels.ndim == 3 and channels == 1:
        pixels = pixels[:, :, 0]
    pixels = np.ascontiguousarray(pixels)
    if pixels is arr or np.shares_memory(pixels, arr):
        return private_copy(pixels)  # never keep a view the caller can still write to
    pixels.flags.writeable = False
    return pixels


def _channel_axis(
    shape: tuple[int, ...], channels_first: bool | None, path: tuple[PathKey, ...]
) -> int | None:
    if len(shape) not in (2, 3):
        raise ValidationError(
            f"must be HxW, HxWxC or CxHxW with C in 1, 3, 4, got shape {shape}", path=path
        )
    if 0 in shape:
        raise ValidationError(f"must have at least one pixel, got shape {shape}", path=path)
    if len(shape) == 2:
        height, width, axis = shape[0], shape[1], None
    else:
        first, last = shape[0] in _CHANNELS, shape[2] in _CHANNELS
        if channels_first is None:
            if first and last:
                raise ValidationError(
                    f"shape {shape} could be channels-first or channels-last; pass channels_first=True or False",
                    path=path,
                )
            if not (first or last):
                raise ValidationError(
                    f"must be HxW, HxWxC or CxHxW with C in 1, 3, 4, got shape {shape}", path=path
                )
            channels_first = first
        if channels_first and not first:
            raise ValidationError(
                f"channels_first=True needs 1, 3 or 4 channels on the first axis, got shape {shape}",
                path=path,
            )
        if not channels_first and not last:
            raise ValidationError(
                f"channels_first=False needs 1, 3 or 4 channels on the last axis, got shape {shape}",
                path=path,
            )
        axis = 0 if channels_first else 2
        height, width = (shape[1], shape[2]) if channels_first else (shape[0], shape[1])
    problem = codec.pixel_problem(width, height)
    if problem:
        raise ValidationError(problem, path=path)
    return axis


def _first_bad(
    bad: np.ndarray, arr: np.ndarray, path: tuple[PathKey, ...], problem: str
) -> ValidationError:
    flat = int(np.flatnonzero(bad)[0])
    index = tuple(int(i) for i in np.unravel_index(flat, arr.shape))
    return ValidationError(problem, value=arr[index].item(), path=path + index)


def _convert_dtype(
    arr: np.ndarray, normalize: str | bool | None, *, grey: bool, path: tuple[PathKey, ...]
) -> np.ndarray:
    kind = arr.dtype.kind
    if kind == "b":
        return arr.astype(np.uint8) * np.uint8(255)
    if kind not in "iuf":
        raise ValidationError(f"must hold numbers or booleans, got dtype {arr.dtype}", path=path)
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 1:
        return arr
    if kind == "f":
        lo, hi = arr.min(), arr.max()
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise _first_bad(~np.isfinite(arr), arr, path, "pixels must be finite")
    if (
        normalize is False
    ):  # the reference's normalize=False: values are 0..255 pixels, not rescaled
        lo, hi = arr.min(), arr.max()
        if lo < 0 or hi > 255:
            raise _first_bad(
                (arr < 0) | (arr > 255), arr, path, "pixels must be in 0..255 (normalize=False)"
            )
        return np.rint(arr).astype(np.uint8) if kind == "f" else arr.astype(np.uint8)
    if normalize == "minmax":
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (
            (arr.astype(np.float64) - lo) * 255.0 / (hi - lo) if hi > lo else np.zeros(arr.shape)
        )
        return np.rint(scaled).astype(np.uint8)
    if kind == "f":
        if normalize == "clip":
            return np.rint(np.clip(arr, 0.0, 1.0).astype(np.float64) * 255.0).astype(np.uint8)
        if lo < 0 or hi > 1:
            raise _first_bad(
                (arr < 0) | (arr > 1), arr, path, f"float pixels must be in [0, 1] {_HINT}"
            )
        return np.rint(arr.astype(np.float64) * 255.0).astype(np.uint8)
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 2 and grey and normalize is None:
        return arr.astype(np.uint16)  # native byte order; 16-bit grey PNG
    if normalize == "clip":
        return np.clip(arr, 0, 255).astype(np.uint8)
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi > 255:
        raise _first_bad(
            (arr < 0) | (arr > 255), arr, path, f"{arr.dtype.name} pixels must be in 0..255 {_HINT}"
        )
    return arr.astype(np.uint8)


def is_pil_image(value: Any) -> bool:
    """Whether ``value`` is a ``PIL.Image.Image`` (without importing Pillow for other inputs)."""
    if not type(value).__module__.startswith("PIL"):
        return False
    from PIL import Image as PILImage

    return isinstance(value, PILImage.Image)


def pixels_from_pil(
    pil: Any, *, normalize: str | bool | None, path: tuple[PathKey, ...]
) -> np.ndarray:
    """Pixels of a PIL image: 1-bit -> 0/255, palette -> RGB(A), 16-bit grey kept, I/F modes by the dtype rules."""
    mode = pil.mode
    if mode not in ("1", "L", "RGB", "RGBA", "I", "F") and not mode.startswith("I;16"):
        pil = pil.convert(codec.decoded_mode(pil) if mode not in ("LA", "La") else "RGBA")
    arr = np.asarray(pil)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return coerce_pixels(arr, channels_first=False, normalize=normalize, path=path)


def read_source(value: Any, path: tuple[PathKey, ...]) -> bytes | None:
    """The bytes of a path, bytes object or binary file; ``None`` for anything else."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (str, os.PathLike)):
        try:
            with open(value, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise ValidationError(
                f"cannot read the file ({exc.strerror or exc})", value=os.fspath(value), path=path
            ) from None
    read = getattr(value, "read", None)
    if callable(read) and not hasattr(value, "__array__"):
        data = read()
        if not isinstance(data, (bytes, bytearray)):
            raise ValidationError(
                f"the file must be opened in binary mode ('rb'), read() gave {type(data).__name__}",
                path=path,
            )
        return bytes(data)
    return None


_warned_alpha = False


def drop_alpha(pixels: np.ndarray) -> np.ndarray:
    """RGBA -> RGB, LA -> L for a JPEG (which has no alpha), with one warning per process."""
    global _warned_alpha
    if not _warned_alpha:
        _warned_alpha = True
        warnings.warn(
            "JPEG has no alpha channel: the alpha of RGBA/LA images stored as JPEG is dropped "
            "(use file_type='png' or 'webp' to keep it)",
            UserWarning,
            stacklevel=3,
        )
    out = np.ascontiguousarray(pixels[:, :, :3] if pixels.shape[2] == 4 else pixels[:, :, 0])
    out.flags.writeable = False
    return out


def convert_mode(pixels: np.ndarray, mode: str) -> np.ndarray:
    from PIL import Image as PILImage

    current = mode_of(pixels)
    if "I;16" in (current, mode):
        raise ValidationError(f"cannot convert {current} pixels to mode {mode}", path=("mode",))
    out = np.asarray(PILImage.fromarray(np.ascontiguousarray(pixels)).convert(mode)).copy()
    out.flags.writeable = False
    return out


def check_file_type(fmt: str, pixels: np.ndarray) -> None:
    mode = mode_of(pixels)
    if fmt == "jpeg" and mode not in ("L", "RGB"):
        raise ValidationError(
            f"JPEG stores grey or RGB pixels, not {mode}; use 'png' or 'webp'",
            value=fmt,
            path=("file_type",),
        )
    if fmt == "webp" and mode == "I;16":
        raise ValidationError(
            "WebP stores 8-bit pixels, not 16-bit grey; use 'png'", value=fmt, path=("file_type",)
        )
