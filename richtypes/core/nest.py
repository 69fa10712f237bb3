"""``dump`` and ``load``: nests of plain values and media objects to JSON and back."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..store.local import Store, StoreLike, as_store, open_temp
from .errors import FormatError, PathKey, ValidationError
from .jsontext import dumps_json, parse_json
from .media import Media, decode_envelope, is_envelope, register_value

__all__ = [
    "dump",
    "load",
    "write_json",
    "map_nest",
    "snapshot",
    "register_adapter",
    "MAX_DOC_BYTES",
]

#: ``load`` refuses JSON documents larger than this.
MAX_DOC_BYTES = 256 * 1024**2
_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_MAX_DEPTH = 64
#: "module.QualName" of a foreign type -> the function that turns its values into a media object.
_ADAPTERS: dict[str, Callable[[Any], Media]] = {}


def register_adapter(kind: type | str, adapt: Callable[[Any], Media]) -> None:
    """Let :func:`dump` and ``log`` take values of a foreign type as the media object ``adapt`` builds.

    ``kind`` is the type, or its ``"module.QualName"`` text so the foreign
    library need not be imported (subclasses match too). A media module
    registers its own adapters: :mod:`richtypes.table` turns a pandas
    ``DataFrame`` into a ``Table``.

    Examples
    --------
    >>> class Pair:
    ...     def __init__(self, a, b): self.a, self.b = a, b
    >>> from richtypes import Histogram
    >>> register_adapter(Pair, lambda p: Histogram([p.a, p.b], num_bins=1))
    >>> import tempfile
    >>> dump({"p": Pair(1, 2)}, tempfile.mkdtemp())["p"]["counts"]
    [2]
    """
    key = kind if isinstance(kind, str) else f"{kind.__module__}.{kind.__qualname__}"
    _ADAPTERS[key] = adapt


def _adapter(value: Any) -> Callable[[Any], Media] | None:
    if not _ADAPTERS:
        return None
    for cls in type(value).__mro__:
        adapt = _ADAPTERS.get(f"{cls.__module__}.{cls.__qualname__}")
        if adapt is not None:
            return adapt
    return None


def dump(
    value: Any, root: StoreLike, *, executor: Executor | Literal["auto"] | None = "auto"
) -> Any:
    """Encode ``value`` into JSON-ready data, writing sidecars under ``root``.

    ``value`` is a media object or any nest of dicts (string keys), lists,
    tuples, strings, numbers, booleans, ``None`` and media objects (the shape of
    one logged step). Tuples come back as lists. Non-finite floats are written
    as ``{"_type": "float", "_version": 1, "value": "NaN"}`` so the JSON stays
    standard.

    Parameters
    ----------
    value:
        What to encode.
    root:
        A :class:`~richtypes.Store`, or the directory or object-store URL
        (``"s3://bucket/media"``) to use as one.
    executor:
        Where the media objects inside ``value`` (a dict or list of images,
        ...) are encoded. ``"auto"`` (the default): on richtypes' shared
        thread pool, one thread per core, when ``value`` holds two media
        objects or more, else (and when called from that pool's own threads)
        serially. An :class:`concurrent.futures.Executor`: on it. ``None``:
        serially, on the calling thread. The document is the same every way;
        an error names the first bad object in the nest's order.

    Returns
    -------
    The JSON-ready value (a dict for a media object or a dict nest).

    Raises
    ------
    ValidationError
        For a value that cannot be encoded, naming its path.

    Examples
    --------
    >>> import tempfile, richtypes
    >>> doc = richtypes.dump({"loss": 0.25, "h": richtypes.Histogram([1, 2, 2, 3], num_bins=2)}, tempfile.mkdtemp())
    >>> doc["loss"], doc["h"]["_type"], doc["h"]["counts"]
    (0.25, 'histogram', [1, 3])
    """
    store = as_store(root)
    if executor == "auto":
        from .parallel import in_shared_pool, shared_pool

        executor = None if in_shared_pool() else shared_pool()
    if executor is None:
        return _dump(value, store, (), 0)
    return _dump_parallel(value, store, executor)


class _Slot:
    """Where the ``index``-th media object of a nest goes once it is encoded."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def _dump_parallel(value: Any, store: Store, executor: Executor) -> Any:
    from .parallel import encode_media

    media: list[tuple[Media, tuple[PathKey, ...]]] = []

    def collect(obj: Media, where: tuple[PathKey, ...]) -> _Slot:
        media.append((obj, where))
        return _Slot(len(media) - 1)

    shape = map_nest(value, collect, on_float=lambda x: x if math.isfinite(x) else _nonfinite(x))
    if len(media) < 2:  # nothing to spread: skip the executor's round trip
        return _dump(value, store, (), 0)
    docs = encode_media(media, store, executor)

    def fill(item: Any) -> Any:
        if isinstance(item, _Slot):
            return docs[item.index]
        if isinstance(item, dict):
            return {key: fill(sub) for key, sub in item.items()}
        if isinstance(item, list):
            return [fill(sub) for sub in item]
        return item

    return fill(shape)


def _dump(value: Any, store: Store, path: tuple[PathKey, ...], depth: int) -> Any:
    def encode(media: Media, where: tuple[PathKey, ...]) -> Any:
        try:
            return media.to_json(store)
        except (
            ValidationError
        ) as err:  # e.g. a lazily encoded payload that fails: say where it sits
            raise err.with_prefix(*where) from None

    return map_nest(
        value,
        encode,
        on_float=lambda x: x if math.isfinite(x) else _nonfinite(x),
        path=path,
        depth=depth,
    )


def map_nest(
    value: Any,
    on_media: Callable[[Media, tuple[PathKey, ...]], Any],
    *,
    on_float: Callable[[float], Any] = lambda x: x,
    keep_tuples: bool = False,
    verb: str = "encode",
    path: tuple[PathKey, ...] = (),
    depth: int = 0,
) -> Any:
    """Rebuild a nest that :func:`dump` accepts, checking it on the way; the one walk behind ``dump`` and ``log``.

    Media objects become ``on_media(obj, path)``, floats ``on_float(x)``,
    numpy scalars plain numbers, dicts and lists new containers (tuples become
    lists unless ``keep_tuples``). Anything ``dump`` cannot encode is a
    ``ValidationError`` naming its path (``verb`` words the last one:
    "cannot encode a value of type ...").
    """
    if depth > _MAX_DEPTH:
        raise ValidationError(f"nesting is deeper than {_MAX_DEPTH} levels", path=path)
    if isinstance(value, Media):
        return on_media(value, path)
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return on_float(value)
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        value = value.item()
        return on_float(value) if isinstance(value, float) else value

    def walk(item: Any, where: tuple[PathKey, ...]) -> Any:
        return map_nest(
            item,
            on_media,
            on_float=on_float,
            keep_tuples=keep_tuples,
            verb=verb,
            path=where,
            depth=depth + 1,
        )

    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError("dictionary keys must be strings", value=key, path=path)
            if key == "_type":
                raise ValidationError("'_type' is a reserved key", value=key, path=path)
            out[key] = walk(item, path + (key,))
        return out
    if isinstance(value, (list, tuple)):
        items = [walk(item, path + (i,)) for i, item in enumerate(value)]
        return tuple(items) if keep_tuples and isinstance(value, tuple) else items
    if isinstance(value, np.ndarray):
        raise ValidationError(
            "a bare numpy array cannot be logged; wrap it in a media type (Histogram, Image, Object3D, Table ...)",
            value=value,
            path=path,
        )
    adapt = _adapter(value)
    if adapt is not None:
        try:
            media = adapt(value)
        except ValidationError as err:
            raise err.with_prefix(*path) from None
        return on_media(media, path)
    raise ValidationError(
        f"cannot {verb} a value of type {type(value).__name__}", value=value, path=path
    )


def snapshot(
    value: Any,
    *,
    keep_tuples: bool = False,
    verb: str = "encode",
    path: tuple[PathKey, ...] = (),
    depth: int = 0,
) -> Any:
    """Check that ``value`` can be dumped and take ownership of it, for code that encodes later.

    Containers are copied and every media object is replaced by its
    ``_snapshot()`` (arrays the caller can still write are copied, a ``Table``
    is frozen), so nothing the caller holds can change what is stored once the
    call that took the snapshot (``log``, ``encode_many``) returns.
    """
    return map_nest(
        value,
        lambda media, _path: media._snapshot(),
        keep_tuples=keep_tuples,
        verb=verb,
        path=path,
        depth=depth,
    )


def _nonfinite(value: float) -> dict[str, Any]:
    text = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return {"_type": "float", "_version": 1, "value": text}


def load(doc_or_json_path: Any, root: StoreLike | None = None) -> Any:
    """Decode what :func:`dump` wrote back into media objects and plain values.

    Parameters
    ----------
    doc_or_json_path:
        The JSON-ready value ``dump`` returned, or the path of a JSON file
        holding it.
    root:
        The store the sidecars live in. Defaults to the JSON file's directory
        when a path is given.

    Raises
    ------
    FormatError
        For an unknown ``_type``, a newer ``_version`` or a malformed document.
    IntegrityError
        For a sidecar that is missing, altered, or outside the store.
    """
    if isinstance(doc_or_json_path, (str, os.PathLike)):
        path = Path(doc_or_json_path)
        size = path.stat().st_size
        if size > MAX_DOC_BYTES:
            raise FormatError(f"{str(path)!r} is {size} bytes, above the limit of {MAX_DOC_BYTES}")
        doc = parse_json(path.read_bytes(), where=repr(str(path)))
        store = as_store(root if root is not None else path.parent)
    else:
        if root is None:
            raise TypeError("load() needs root= when given a document rather than a JSON file path")
        doc = doc_or_json_path
        store = as_store(root)
    return decode_value(doc, store)


def decode_value(doc: Any, store: Store, depth: int = 0, path: tuple[PathKey, ...] = ()) -> Any:
    """Decode one JSON value (used by ``load`` and by containers such as tables).

    Errors are :class:`~richtypes.FormatError` naming their place under ``path``.
    """
    if depth > _MAX_DEPTH:
        raise FormatError(f"document nesting is deeper than {_MAX_DEPTH} levels", path=path)
    if isinstance(doc, Mapping):
        if is_envelope(doc):
            return decode_envelope(doc, store, path=path)
        return {
            key: decode_value(item, store, depth + 1, path + (key,)) for key, item in doc.items()
        }
    if isinstance(doc, list):
        return [decode_value(item, store, depth + 1, path + (i,)) for i, item in enumerate(doc)]
    if doc is None or isinstance(doc, (bool, str, int, float)):
        return doc
    raise FormatError(f"unexpected {type(doc).__name__} in a document", path=path)


def _decode_float(doc: Mapping[str, Any]) -> float:
    text = doc.get("value")
    if text not in _NONFINITE:
        raise FormatError("must be one of NaN, Infinity, -Infinity", value=text, path=("value",))
    return _NONFINITE[text]


register_value("float", 1, _decode_float)


def write_json(doc: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``doc`` as JSON to ``path`` atomically (temporary file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dumps_json(doc)
    tmp, fd = open_temp(path.parent)
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
