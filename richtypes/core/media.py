"""The ``Media`` base class, the type registry and the envelope.

Every media type is a frozen value object that knows how to write itself into
an envelope ``{"_type": ..., "_version": ..., ...fields}`` (plus sidecars in a
:class:`~richtypes.store.Store`) and how to rebuild itself from one.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping, TypeVar

import numpy as np

from .errors import FormatError
from ..store.local import Store

__all__ = ["Media", "register", "registered_types", "decode_envelope", "is_envelope", "field"]

M = TypeVar("M", bound="Media")
_REGISTRY: dict[str, type["Media"]] = {}
_MISSING: Any = object()


class Media:
    """Base of every media type.

    A subclass sets the class attributes ``_type`` (a stable short name) and
    ``_version`` (the newest wire version it writes), implements
    :meth:`to_json`, :meth:`from_json` and :meth:`_content`, calls
    :meth:`_freeze` at the end of ``__init__``, and is decorated with
    :func:`register`.
    """

    _type: ClassVar[str] = ""
    _version: ClassVar[int] = 1

    def to_json(self, store: Store) -> dict[str, Any]:
        """Write sidecars into ``store`` and return this object's envelope."""
        raise NotImplementedError

    @classmethod
    def from_json(cls: type[M], doc: Mapping[str, Any], store: Store) -> M:
        """Rebuild an object from its envelope (any version up to ``_version``)."""
        raise NotImplementedError

    def _content(self) -> tuple[Any, ...]:
        """The values that define equality (arrays compared by content)."""
        raise NotImplementedError

    def _owned(self) -> "Media":
        """This object, or an equal one that shares no memory with arrays the caller can still write.

        Code that encodes later, on another thread (the run log's background
        worker), calls this first so the caller may reuse its buffers as soon as
        ``log`` returns. Types that copy their input at construction keep this
        default; types that view large inputs to save a copy override it.
        """
        return self

    # ---------------------------------------------------------------- helpers
    def _envelope(self, **fields: Any) -> dict[str, Any]:
        return {"_type": self._type, "_version": self._version, **fields}

    def _freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"{type(self).__name__} objects are immutable; build a new one instead")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"{type(self).__name__} objects are immutable")
        object.__delattr__(self, name)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return deep_equal(self._content(), other._content())  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]


def deep_equal(a: Any, b: Any) -> bool:
    """Content equality over nests of tuples, lists, dicts, arrays, media and scalars.

    Arrays must match in shape, dtype and content (NaN equals NaN).
    """
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, Media) or isinstance(b, Media):
        return type(a) is type(b) and a == b
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN == NaN for content equality
    return type(a) is type(b) and bool(a == b)


def caller_writable(arr: np.ndarray) -> bool:
    """Whether ``arr`` views memory that some writeable array (the caller's) owns."""
    base: object = arr
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return isinstance(base, np.ndarray) and bool(base.flags.writeable) and base is not arr


def register(cls: type[M]) -> type[M]:
    """Class decorator: make ``cls`` decodable by its ``_type``."""
    name, version = cls._type, cls._version
    if not name or not isinstance(name, str):
        raise TypeError(f"{cls.__name__} must set a non-empty string _type")
    if not isinstance(version, int) or version < 1:
        raise TypeError(f"{cls.__name__}._version must be an integer >= 1")
    existing = _REGISTRY.get(name)
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise TypeError(f"_type {name!r} is already registered by {existing.__name__}")
    _REGISTRY[name] = cls
    return cls


def registered_types() -> dict[str, type[Media]]:
    """A copy of the registry: ``_type`` -> class."""
    return dict(_REGISTRY)


def is_envelope(doc: Any) -> bool:
    """Whether ``doc`` looks like an envelope (a dict with a ``_type`` key)."""
    return isinstance(doc, Mapping) and "_type" in doc


def decode_envelope(doc: Mapping[str, Any], store: Store) -> Media:
    """Rebuild the media object an envelope describes.

    Raises :class:`~richtypes.FormatError` for an unknown ``_type`` or a
    ``_version`` newer than this reader knows.
    """
    name = doc.get("_type")
    version = doc.get("_version")
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(sorted(_REGISTRY))
        raise FormatError(f"unknown _type {name!r}; this reader knows: {known}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(f"{name}: _version must be a positive integer, got {version!r}")
    if version > cls._version:
        raise FormatError(
            f"{name} _version {version} is newer than this reader supports ({cls._version}); upgrade richtypes"
        )
    return cls.from_json(doc, store)


def field(doc: Mapping[str, Any], name: str, kind: type | tuple[type, ...], default: Any = _MISSING) -> Any:
    """Read a required (or defaulted) field of an envelope, checking its JSON type."""
    if name not in doc:
        if default is _MISSING:
            raise FormatError(f"{doc.get('_type')}: missing field {name!r}")
        return default
    value = doc[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        names = "/".join(k.__name__ for k in _as_tuple(kind))
        raise FormatError(f"{doc.get('_type')}: field {name!r} must be {names}, got {type(value).__name__}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
