"""The content-addressed store on object storage, through fsspec.

``Store("s3://bucket/prefix")`` (also ``gs://``, ``memory://``, ``az://`` and
any other fsspec protocol except ``file://``, which stays a local directory)
returns a :class:`RemoteStore`. Keys are the same as in a local store,
``<prefix>/ab/ab....ext``, so a store can be copied between the two with any
tool.

Writing: each payload is hashed, then written with **one PUT** unless the key
already exists with the right size (one HEAD; the digest is in the name, so
same name and size means same bytes). Keys known to exist are remembered, so a
process never asks twice. Object stores make a PUT visible whole or not at all,
so a writer killed mid-upload never leaves a partial object under a referenced
name, and any number of writers may share a prefix: the worst case of a race is
the same bytes written twice.

Reading is as strict as the local store: the reference's form and path are
checked (no ``..``, no absolute path, nothing outside the prefix), the size is
bounded before anything is fetched, at most ``size + 1`` bytes are requested,
and the size and digest are verified. Arrays are decoded by
:func:`~richtypes.codecs.npy.decode_npy`, which never unpickles.

fsspec is an optional dependency (``pip install 'richtypes[fsspec]'``); the
protocol's own package (``s3fs``, ``gcsfs`` ...) is the user's to install
(the ``s3`` and ``gcs`` extras bring the two common ones).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import blake3
import numpy as np

from ..codecs.npy import decode_npy
from ..core.errors import IntegrityError, MissingDependencyError
from .local import (
    _EXTENSIONS,
    _STREAM_CHUNK,
    DEFAULT_INLINE_LIMIT,
    DEFAULT_MAX_SIDECAR_BYTES,
    Store,
    _as_bytes_view,
    _check_ref,
    _reference,
    _relpath,
    _verify,
)

__all__ = ["RemoteStore", "PROTOCOL_PACKAGES", "is_url"]

#: The package (and richtypes extra) that provides each common protocol, for the error message.
PROTOCOL_PACKAGES: dict[str, tuple[str, str]] = {
    "s3": ("s3fs", "s3"),
    "s3a": ("s3fs", "s3"),
    "gs": ("gcsfs", "gcs"),
    "gcs": ("gcsfs", "gcs"),
    "az": ("adlfs", "fsspec"),
    "abfs": ("adlfs", "fsspec"),
}


def is_url(root: Any) -> bool:
    """Whether ``root`` is a URL string (``scheme://...``) rather than a local path."""
    if not isinstance(root, str):
        return False
    scheme, sep, _ = root.partition("://")
    return bool(sep) and len(scheme) > 1 and scheme.replace("+", "").replace("-", "").isalnum()


class RemoteStore(Store):
    """A content-addressed store under a URL prefix on any fsspec filesystem.

    Build it with :class:`~richtypes.Store` (``Store("s3://bucket/media")``); it
    behaves like a local store (``put_bytes``, ``put_array``, ``put_file``,
    ``get_bytes``, ``get_array``) and pickles by URL, so process pools and
    cluster workers reopen it on their side.

    Parameters
    ----------
    url:
        ``protocol://bucket/prefix``.
    inline_limit, max_sidecar_bytes:
        As for a local :class:`~richtypes.Store`.
    fsync:
        Ignored (an object store acknowledges a PUT once it is durable).
    storage_options:
        Passed to the fsspec filesystem (``endpoint_url``, credentials ...).

    Examples
    --------
    >>> store = Store("memory://richtypes-doc/media")
    >>> store.is_remote, store.url
    (True, 'memory://richtypes-doc/media')
    >>> ref = store.put_bytes(b"hello", "txt")
    >>> store.get_bytes(ref)
    b'hello'
    """

    is_remote = True

    def __init__(
        self,
        url: str,
        *,
        inline_limit: int = DEFAULT_INLINE_LIMIT,
        fsync: bool = False,
        max_sidecar_bytes: int = DEFAULT_MAX_SIDECAR_BYTES,
        storage_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not is_url(url):
            raise ValueError(f"a remote store needs a URL like 's3://bucket/prefix', got {url!r}")
        self.protocol = url.partition("://")[0].lower()
        self._url = url.rstrip("/")
        self.root = self._url  # type: ignore[assignment]
        self.inline_limit = int(inline_limit)
        self.fsync = bool(fsync)
        self.max_sidecar_bytes = int(max_sidecar_bytes)
        self.storage_options = dict(storage_options or {})
        self._reset()

    def _reset(self) -> None:
        self._fs: Any = None
        self._prefix = ""
        self._known: set[str] = set()
        self._lock = threading.Lock()
        self._cache_dir: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("_fs", "_prefix", "_known", "_lock", "_cache_dir")
        }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._reset()

    @property
    def url(self) -> str:
        """The store's URL (``s3://bucket/prefix``)."""
        return self._url

    def __repr__(self) -> str:
        return f"Store({self._url!r}, inline_limit={self.inline_limit})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemoteStore) and (self._url, self.storage_options) == (
            other._url,
            other.storage_options,
        )

    __hash__ = None  # type: ignore[assignment]

    # --------------------------------------------------------------- the filesystem
    @property
    def fs(self) -> Any:
        """The fsspec filesystem (opened on first use, in each process)."""
        if self._fs is None:
            with self._lock:
                if self._fs is None:
                    self._fs, self._prefix = _open_fs(
                        self._url, self.protocol, self.storage_options
                    )
        return self._fs

    def _key(self, rel: str) -> str:
        if self._fs is None:
            self.fs  # noqa: B018 - opening the filesystem sets the prefix
        return f"{self._prefix}/{rel}" if self._prefix else rel

    def _exists(self, key: str, size: int) -> bool:
        if key in self._known:
            return True
        try:
            info = self.fs.info(key)
        except FileNotFoundError:
            return False
        found = info.get("type", "file") == "file" and int(info.get("size", -1)) == size
        if found:
            self._known.add(key)
        return found

    # ------------------------------------------------------------------ writing
    def put_chunks(
        self, chunks: Iterable[Any], format: str, *, ext: str | None = None
    ) -> dict[str, Any]:
        """Hash the payload and PUT it once under its digest (skipped when the key exists)."""
        views = [_as_bytes_view(c) for c in chunks]
        hasher = blake3.blake3()
        for view in views:
            hasher.update(view)
        hexdigest = hasher.hexdigest()
        suffix = ext or _EXTENSIONS.get(format, format)
        size = sum(view.nbytes for view in views)
        rel = _relpath(hexdigest, suffix)
        key = self._key(rel)
        if not self._exists(key, size):
            data = views[0].tobytes() if len(views) == 1 else b"".join(views)
            self.fs.pipe_file(key, data)  # one PUT: visible whole or not at all
            self._known.add(key)
        return _reference(hexdigest, suffix, size, format)

    def put_file(
        self, src: str | os.PathLike[str] | BinaryIO, format: str, *, ext: str | None = None
    ) -> dict[str, Any]:
        """Upload a file's bytes as they are (hashed while spooled; uploaded only when new)."""
        if not hasattr(src, "read"):
            with open(src, "rb") as fh:  # type: ignore[arg-type]
                return self.put_file(fh, format, ext=ext)
        hasher = blake3.blake3()
        size = 0
        with tempfile.TemporaryFile() as spool:
            while True:
                chunk = src.read(_STREAM_CHUNK)  # type: ignore[union-attr]
                if not chunk:
                    break
                if isinstance(chunk, str):
                    raise TypeError("put_file needs a binary file object, got a text-mode one")
                hasher.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            hexdigest = hasher.hexdigest()
            suffix = ext or _EXTENSIONS.get(format, format)
            key = self._key(_relpath(hexdigest, suffix))
            if not self._exists(key, size):
                spool.seek(0)
                with self.fs.open(key, "wb") as out:  # one PUT, or a multipart upload
                    while block := spool.read(64 * _STREAM_CHUNK):
                        out.write(block)
                self._known.add(key)
        return _reference(hexdigest, suffix, size, format)

    # ------------------------------------------------------------------ reading
    def resolve(self, ref: Mapping[str, Any]) -> str:  # type: ignore[override]
        """Check a reference's form and safety; return the object's key (``bucket/prefix/ab/ab...``)."""
        rel, _, size = _check_ref(ref)
        if size > self.max_sidecar_bytes:
            raise IntegrityError(
                f"sidecar {rel!r} claims {size} bytes, above the limit of {self.max_sidecar_bytes}"
            )
        if (
            PurePosixPath(rel).is_absolute()
            or "\\" in rel
            or ":" in rel
            or any(part in ("..", ".", "") for part in rel.split("/"))
        ):
            raise IntegrityError(
                f"sidecar path {rel!r} is not a plain relative path inside the store"
            )
        return self._key(rel)

    def get_bytes(self, ref: Mapping[str, Any]) -> bytes:
        """Fetch a sidecar (at most ``size + 1`` bytes), verifying size and digest."""
        key = self.resolve(ref)
        size = ref["size"]
        try:
            data = self.fs.cat_file(key, start=0, end=size + 1) if size else self.fs.cat_file(key)
        except FileNotFoundError:
            raise IntegrityError(
                f"sidecar {ref['path']!r} is missing from the store at {self._url!r}"
            ) from None
        if len(data) > size:
            raise IntegrityError(
                f"sidecar {ref['path']!r} is larger than the {size} bytes its reference says (altered)"
            )
        if len(data) < size:
            raise IntegrityError(
                f"sidecar {ref['path']!r} has {len(data)} bytes, its reference says {size} (truncated or altered)"
            )
        data = bytes(data)
        _verify(ref, data)
        return data

    def get_array(self, ref: Mapping[str, Any], *, mmap: bool = False) -> np.ndarray:
        """Read an ``.npy`` sidecar as a read-only array (``mmap`` is ignored: the bytes are fetched)."""
        return decode_npy(self.get_bytes(ref), where=str(ref["path"]))

    def open_path(self, ref: Mapping[str, Any], *, verify: bool = True) -> Path:
        """A local copy of a sidecar (always verified), in a per-process cache directory."""
        data = self.get_bytes(ref)
        with self._lock:
            if self._cache_dir is None:
                self._cache_dir = tempfile.mkdtemp(prefix="richtypes-cache-")
        target = Path(self._cache_dir, *PurePosixPath(ref["path"]).parts)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{target.name}")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return target


def _open_fs(url: str, protocol: str, storage_options: Mapping[str, Any]) -> tuple[Any, str]:
    """``(filesystem, prefix)`` for ``url``, with a clear error for a missing package."""
    feature = f"Store({url!r})"
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise MissingDependencyError("fsspec", "fsspec", feature) from None
    try:
        fs, path = url_to_fs(url, **storage_options)
    except ImportError as exc:
        package, extra = PROTOCOL_PACKAGES.get(protocol, (None, "fsspec"))
        if package is None:
            raise MissingDependencyError(
                f"the fsspec implementation of {protocol}:// ({exc})", "fsspec", feature
            ) from None
        raise MissingDependencyError(package, extra, feature) from None
    return fs, str(path).rstrip("/")
