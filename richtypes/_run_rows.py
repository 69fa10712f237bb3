"""Checks and copies of what a run is given to log, and the history append."""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Optional

import numpy as np

from ._media import Media
from .errors import PathKey, RichTypesError, ValidationError

__all__ = ["check_tags", "append_line", "snapshot_row", "snapshot"]

_MAX_DEPTH = 64


def check_tags(tags: Optional[Iterable[str]]) -> tuple[str, ...]:
    if tags is None:
        return ()
    if isinstance(tags, str):
        raise ValidationError("must be a list of strings, not one string", value=tags, path=("tags",))
    out = tuple(tags)
    for i, tag in enumerate(out):
        if not isinstance(tag, str):
            raise ValidationError("must be a string", value=tag, path=("tags", i))
    return out


def append_line(fd: Optional[int], data: bytes) -> None:
    if fd is None:
        raise RichTypesError("the run's history file is closed")
    view = memoryview(data)
    while view:  # one write in practice; a short write (disk full ...) continues the same line
        view = view[os.write(fd, view):]


def snapshot_row(data: Mapping[str, Any]) -> dict[str, Any]:
    for key in data:
        if not isinstance(key, str):
            raise ValidationError("keys must be strings", value=key)
        if key.startswith("_"):
            raise ValidationError("keys starting with '_' are reserved (_step, _timestamp)", path=(key,))
    return {key: snapshot(value, (key,), 1) for key, value in data.items()}


def snapshot(value: Any, path: tuple[PathKey, ...], depth: int) -> Any:
    """Check that ``value`` can be dumped and copy its containers (the caller may change them)."""
    if isinstance(value, Media):
        return value._owned()  # encoded later on the worker: take what still views the caller's buffers
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if depth > _MAX_DEPTH:
        raise ValidationError(f"nesting is deeper than {_MAX_DEPTH} levels", path=path)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError("dictionary keys must be strings", value=key, path=path)
            if key == "_type":
                raise ValidationError("'_type' is a reserved key", value=key, path=path)
            out[key] = snapshot(item, path + (key,), depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(snapshot(item, path + (i,), depth + 1) for i, item in enumerate(value))
    if isinstance(value, np.ndarray):
        raise ValidationError("a bare numpy array cannot be logged; wrap it in a media type (Histogram, Image, "
                              "Object3D, Table ...)", value=value, path=path)
    raise ValidationError(f"cannot log a value of type {type(value).__name__}", value=value, path=path)
