"""A run's ``config`` (hyper-parameters) and ``summary`` (final values).

Both are dict-like and persist themselves as JSON in the run directory. The
config refuses to change a value once set unless ``allow_val_change=True``; the
summary holds the last logged value of each key and may be overridden.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import PathKey, ValidationError, short_repr
from ..core.media import Media
from ..core.nest import write_json

__all__ = ["Config", "Summary", "json_value"]

_MAX_DEPTH = 32


def json_value(value: Any, path: tuple[PathKey, ...]) -> Any:
    """Return a deep, JSON-ready copy of a config value (dicts with string keys, lists, scalars).

    Tuples and numpy arrays become lists and numpy scalars Python scalars.
    Raises :class:`~richtypes.ValidationError` naming the path of anything else.
    """
    if len(path) > _MAX_DEPTH:
        raise ValidationError(f"nesting is deeper than {_MAX_DEPTH} levels", path=path)
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError("config values must be finite numbers", value=value, path=path)
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return json_value(value.item(), path)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return json_value(value.tolist(), path)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError("config keys must be strings", value=key, path=path)
            out[key] = json_value(item, path + (key,))
        return out
    if isinstance(value, (list, tuple)):
        return [json_value(item, path + (i,)) for i, item in enumerate(value)]
    raise ValidationError(
        f"config values must be JSON values (None, bool, int, float, str, lists and dicts), not {type(value).__name__}",
        value=value,
        path=path,
    )


class Config:
    """The hyper-parameters of a run: a dict with attribute access, saved on every change.

    ``config.lr = 0.1`` and ``config["lr"] = 0.1`` are the same. Nested dicts
    read back as nested ``Config`` views (``config.optim.lr``); setting a dict
    merges it key by key. A key that holds a value can only be set again to an
    equal value, unless ``update(..., allow_val_change=True)`` is used: a run's
    config describes the run, so silently changing it is refused.

    Examples
    --------
    >>> import tempfile, os
    >>> config = Config(os.path.join(tempfile.mkdtemp(), "config.json"), {"lr": 0.1})
    >>> config.batch = 32
    >>> config.update({"optim": {"name": "adam", "betas": [0.9, 0.99]}})
    >>> config.lr, config["batch"], config.optim.name
    (0.1, 32, 'adam')
    >>> config.lr = 0.2
    Traceback (most recent call last):
    ...
    richtypes.core.errors.ValidationError: $.config.lr: is already 0.1; pass allow_val_change=True to config.update() to change it, got 0.2
    >>> config.update({"lr": 0.2}, allow_val_change=True)
    >>> config.as_dict()["lr"]
    0.2
    """

    def __init__(self, path: str | Path, initial: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_file", Path(path))
        object.__setattr__(self, "_data", {})
        object.__setattr__(self, "_prefix", ())
        object.__setattr__(self, "_lock", threading.RLock())
        if initial:
            self.update(initial)
        else:
            self._save()

    # a nested view shares the root's storage
    @classmethod
    def _view(cls, root: Config, prefix: tuple[str, ...]) -> Config:
        view = cls.__new__(cls)
        for name in ("_file", "_data", "_lock"):
            object.__setattr__(view, name, object.__getattribute__(root, name))
        object.__setattr__(view, "_prefix", prefix)
        return view

    def _node(self) -> dict[str, Any]:
        node = self._data
        for key in self._prefix:
            node = node[key]
        return node

    # ------------------------------------------------------------------ reading
    def __getitem__(self, key: str) -> Any:
        value = self._node()[key]
        if isinstance(value, dict):
            return Config._view(self, self._prefix + (key,))
        return value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._node()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._node()))

    def __len__(self) -> int:
        return len(self._node())

    def keys(self) -> list[str]:
        return list(self._node())

    def items(self) -> list[tuple[str, Any]]:
        return [(key, self[key]) for key in self._node()]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._node() else default

    def as_dict(self) -> dict[str, Any]:
        """A deep copy as plain dicts and lists."""
        return json_value(self._node(), ())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            other = other.as_dict()
        return isinstance(other, Mapping) and self.as_dict() == dict(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Config({short_repr(self.as_dict())})"

    # ------------------------------------------------------------------ writing
    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            raise AttributeError(f"config keys starting with '_' are reserved, got {name!r}")
        self.update({name: value})

    def __delattr__(self, name: str) -> None:
        raise TypeError("config keys cannot be removed")

    def update(
        self, values: Mapping[str, Any] | None = None, allow_val_change: bool = False, **kwargs: Any
    ) -> None:
        """Set several keys at once (nested dicts merge key by key); saved atomically.

        Raises :class:`~richtypes.ValidationError` for a value that is not JSON,
        or for a key that already holds a different value when
        ``allow_val_change`` is false. Nothing is changed when it raises.
        """
        where = ("config",) + self._prefix
        incoming = json_value({**dict(values or {}), **kwargs}, where)
        with self._lock:
            node = self._node()
            if not allow_val_change:
                _check_unchanged(node, incoming, where)
            _merge(node, incoming)
            self._save()

    def _save(self) -> None:
        write_json(self._data, self._file)


def _check_unchanged(
    old: Mapping[str, Any], new: Mapping[str, Any], path: tuple[PathKey, ...]
) -> None:
    for key, value in new.items():
        if key not in old:
            continue
        before = old[key]
        if isinstance(before, dict) and isinstance(value, dict):
            _check_unchanged(before, value, path + (key,))
        elif not _same(before, value):
            raise ValidationError(
                f"is already {short_repr(before)}; pass allow_val_change=True to config.update() to change it",
                value=value,
                path=path + (key,),
            )


def _same(a: Any, b: Any) -> bool:
    return (
        type(a) is type(b)
        and a == b
        or (
            isinstance(a, (int, float))
            and isinstance(b, (int, float))
            and not isinstance(a, bool)
            and not isinstance(b, bool)
            and a == b
        )
    )


def _merge(node: dict[str, Any], incoming: Mapping[str, Any]) -> None:
    for key, value in incoming.items():
        if isinstance(value, dict) and isinstance(node.get(key), dict):
            _merge(node[key], value)
        else:
            node[key] = value


class Summary:
    """The final values of a run: the last logged value of each key unless set here.

    ``summary["best_acc"] = 0.93`` overrides a value (a later ``log`` of the
    same key replaces it again: the last write wins). Values are the logged
    Python objects (media included); ``summary.json`` holds their encoded form.

    Examples
    --------
    >>> summary = Summary(lambda key, value: None)
    >>> summary.update_from_log({"loss": 0.5, "acc": 0.8})
    >>> summary["best_acc"] = 0.93
    >>> sorted(summary.items())
    [('acc', 0.8), ('best_acc', 0.93), ('loss', 0.5)]
    """

    def __init__(self, on_set: Callable[[str, Any], None]) -> None:
        self._values: dict[str, Any] = {}
        self._on_set = on_set

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise ValidationError("summary keys must be strings", value=key, path=("summary",))
        self._on_set(key, value)
        self._values[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._values)

    def items(self) -> list[tuple[str, Any]]:
        return list(self._values.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def update_from_log(self, row: Mapping[str, Any]) -> None:
        """Record the values of one logged row (no persistence: the worker writes them)."""
        self._values.update(row)

    def __repr__(self) -> str:
        shown = {
            k: (f"<{v._type}>" if isinstance(v, Media) else v) for k, v in self._values.items()
        }
        return f"Summary({short_repr(shown)})"
