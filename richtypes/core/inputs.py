"""Input helpers shared by Html, Video and Audio: reading a path or file object, captions, rates."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PathKey, ValidationError

__all__ = ["read_source", "check_caption", "check_positive_number"]


def read_source(value: Any, path: Sequence[PathKey], *, str_is_path: bool = True) -> bytes | None:
    """The bytes of a path, file object or bytes-like ``value``; ``None`` when it is none of those.

    A file object may be opened in text mode; its text is returned UTF-8 encoded.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, os.PathLike) or (str_is_path and isinstance(value, str)):
        try:
            return Path(value).read_bytes()
        except OSError as exc:
            raise ValidationError(
                f"cannot be read ({exc.strerror or exc})", value=os.fspath(value), path=path
            ) from None
    if hasattr(value, "read") and callable(value.read):
        data = value.read()
        if isinstance(data, str):
            return data.encode("utf-8", "surrogatepass")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ValidationError(
                f"file object's read() must return bytes or str, got {type(data).__name__}",
                path=path,
            )
        return bytes(data)
    return None


def check_caption(caption: Any) -> str | None:
    """``None`` or a string, else a ``ValidationError`` at ``$.caption``."""
    if caption is None or isinstance(caption, str):
        return caption
    raise ValidationError("must be a string or None", value=caption, path=("caption",))


def check_positive_number(value: Any, path: Sequence[PathKey]) -> float:
    """A positive finite real number (bools refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise ValidationError("must be a positive number", value=value, path=path)
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValidationError("must be a positive finite number", value=value, path=path)
    return number
