"""Checks and copies of what a run is given to log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.errors import PathKey, ValidationError
from ..core.nest import snapshot as _snapshot

__all__ = ["check_tags", "snapshot_row", "snapshot"]


def check_tags(tags: Iterable[str] | None) -> tuple[str, ...]:
    if tags is None:
        return ()
    if isinstance(tags, str):
        raise ValidationError(
            "must be a list of strings, not one string", value=tags, path=("tags",)
        )
    out = tuple(tags)
    for i, tag in enumerate(out):
        if not isinstance(tag, str):
            raise ValidationError("must be a string", value=tag, path=("tags", i))
    return out


def snapshot_row(data: Mapping[str, Any]) -> dict[str, Any]:
    for key in data:
        if not isinstance(key, str):
            raise ValidationError("keys must be strings", value=key)
        if key.startswith("_"):
            raise ValidationError(
                "keys starting with '_' are reserved (_step, _timestamp)", path=(key,)
            )
    return {key: snapshot(value, (key,), 1) for key, value in data.items()}


def snapshot(value: Any, path: tuple[PathKey, ...], depth: int) -> Any:
    """Check that ``value`` can be dumped and take ownership of it (the worker encodes it later).

    Containers are copied and media replaced by their snapshots
    (:func:`richtypes.core.nest.snapshot`), so the caller may change or keep
    building what it passed as soon as ``log`` returns.
    """
    return _snapshot(value, keep_tuples=True, verb="log", path=path, depth=depth)
