"""The ``Media`` base class, the type registry and the envelope.

Every media type is a frozen value object that knows how to write itself into
an envelope ``{"_type": ..., "_version": ..., ...fields}`` (plus sidecars in a
:class:`~richtypes.store.Store`) and how to rebuild itself from one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np

from ..store.local import Store
from .errors import FormatError, PathKey, ValidationError
from .snapshot import private_arrays, snapshot_attributes

__all__ = [
    "Media",
    "register",
    "register_value",
    "registered_types",
    "decode_envelope",
    "is_envelope",
    "field",
]

M = TypeVar("M", bound="Media")
_REGISTRY: dict[str, type[Media]] = {}
_VALUES: dict[str, tuple[int, Callable[[Mapping[str, Any]], Any]]] = {}
#: Envelopes decoded inside one another (a table cell holding a table ...) at most.
MAX_ENVELOPE_DEPTH = 32
_NESTING = threading.local()
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

    def _snapshot(self) -> Media:
        """This object, or an equal one that shares nothing the caller can still change.

        Code that encodes later, on another thread (the run log's worker,
        ``encode_many``), calls this first, so the caller may reuse its buffers
        and keep building (``Table.add_data``) as soon as the call returns.
        One mechanism for every type: arrays held in attributes (also inside
        dicts, lists, tuples and nested media) are copied unless provably
        private (:func:`~richtypes.core.snapshot.is_private`). A type whose
        state is not arrays (a builder like ``Table``) defines
        ``__snapshot__()`` instead.
        """
        hook = getattr(type(self), "__snapshot__", None)
        if hook is not None:
            return hook(self)  # type: ignore[no-any-return]
        return snapshot_attributes(self)  # type: ignore[no-any-return]

    # ---------------------------------------------------------------- helpers
    def _envelope(self, **fields: Any) -> dict[str, Any]:
        return {"_type": self._type, "_version": self._version, **fields}

    def _freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(
                f"{type(self).__name__} objects are immutable; build a new one instead"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"{type(self).__name__} objects are immutable")
        object.__delattr__(self, name)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return deep_equal(self._content(), other._content())

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
        return (
            type(a) is type(b) and len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, Media) or isinstance(b, Media):
        return type(a) is type(b) and a == b
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN == NaN for content equality
    return type(a) is type(b) and bool(a == b)


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


def register_value(name: str, version: int, decode: Callable[[Mapping[str, Any]], Any]) -> None:
    """Register an envelope that decodes to a plain value, not a media object (the ``float`` envelope).

    Such envelopes pass the same ``_type``/``_version`` check as media in
    :func:`decode_envelope`.
    """
    if name in _REGISTRY or name in _VALUES:
        raise TypeError(f"_type {name!r} is already registered")
    _VALUES[name] = (version, decode)


def registered_types() -> dict[str, type[Media]]:
    """A copy of the registry: ``_type`` -> class."""
    return dict(_REGISTRY)


def is_envelope(doc: Any) -> bool:
    """Whether ``doc`` looks like an envelope (a dict with a ``_type`` key)."""
    return isinstance(doc, Mapping) and "_type" in doc


Expect = type[Media] | tuple[type[Media], ...] | None


def decode_envelope(
    doc: Any, store: Store, *, expect: Expect = None, path: Sequence[PathKey] = ()
) -> Any:
    """Rebuild what an envelope describes: the one door every document goes through.

    Parameters
    ----------
    doc:
        The envelope, ``{"_type": ..., "_version": ..., ...}``.
    store:
        Where its sidecars live.
    expect:
        The media class (or classes) this place in the document may hold; any
        other ``_type`` is refused. ``None`` accepts every registered type.
    path:
        Where ``doc`` sits in the whole document; every error raised while
        decoding it is reported under this path.

    Raises
    ------
    FormatError
        For an unknown or unexpected ``_type``, a ``_version`` newer than this
        reader knows, a malformed field, or data that the type's constructor
        refuses (the constructor's problem at the document's path).
    """
    where = tuple(path)
    if not isinstance(doc, Mapping):
        raise FormatError("must be an envelope object", value=type(doc).__name__, path=where)
    name = doc.get("_type")
    version = doc.get("_version")
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    value_type = _VALUES.get(name) if isinstance(name, str) and expect is None else None
    if cls is None and value_type is None:
        known = ", ".join(
            sorted(_REGISTRY if expect is not None else set(_REGISTRY) | set(_VALUES))
        )
        raise FormatError(f"unknown _type {name!r}; this reader knows: {known}", path=where)
    if expect is not None and not issubclass(cls, expect):  # type: ignore[arg-type]
        wanted = " or ".join(
            repr(k._type) for k in (expect if isinstance(expect, tuple) else (expect,))
        )
        raise FormatError(f"must be a {wanted} envelope", value=name, path=where + ("_type",))
    newest = cls._version if cls is not None else value_type[0]  # type: ignore[index]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(
            f"{name}: _version must be a positive integer",
            value=version,
            path=where + ("_version",),
        )
    if version > newest:
        raise FormatError(
            f"{name} _version {version} is newer than this reader supports ({newest}); upgrade richtypes",
            path=where + ("_version",),
        )
    depth = getattr(_NESTING, "depth", 0)
    if depth >= MAX_ENVELOPE_DEPTH:
        raise FormatError(f"envelopes nest deeper than {MAX_ENVELOPE_DEPTH} levels", path=where)
    _NESTING.depth = depth + 1
    try:
        if cls is None:
            return value_type[1](doc)  # type: ignore[index]
        obj = cls.from_json(doc, store)
    except ValidationError as err:  # the constructor refused the rebuilt inputs
        raise FormatError.from_validation(err, *where) from None
    except FormatError as err:
        if not where:
            raise
        raise err.with_prefix(*where) from None
    finally:
        _NESTING.depth = depth
    if getattr(cls, "__snapshot__", None) is None:
        private_arrays(obj)  # sidecars it maps stay private: logging it again copies nothing
    return obj


def field(
    doc: Mapping[str, Any], name: str, kind: type | tuple[type, ...], default: Any = _MISSING
) -> Any:
    """Read a required (or defaulted) field of an envelope, checking its JSON type.

    Errors name the field as their path (:func:`decode_envelope` puts the
    envelope's own place in front).
    """
    if name not in doc:
        if default is _MISSING:
            raise FormatError(f"{doc.get('_type')}: missing field {name!r}")
        return default
    value = doc[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        names = "/".join(k.__name__ for k in _as_tuple(kind))
        raise FormatError(f"must be {names}, got {type(value).__name__}", path=(name,))
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
