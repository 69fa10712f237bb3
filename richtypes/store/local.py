"""The content-addressed sidecar store.

A :class:`Store` is a directory. Every sidecar (an encoded image, an ``.npy``
array, a GLB mesh, a msgpack block ...) is named by the BLAKE3 digest of its
bytes, so identical bytes are stored once. A JSON document refers to a sidecar
with a *reference*::

    {"path": "3f/3fa2...c1.npy", "digest": "blake3:3fa2...c1", "size": 24000128, "format": "npy"}

``path`` is relative to the store root and uses ``/``.

Writing is atomic: bytes go to a temporary file beside the target which is then
renamed into place, so a killed writer never leaves a file under a referenced
name with partial content, and several processes can write the same store at
once. Reading refuses references that leave the root (``..``, absolute paths,
symlinks that point out), checks the size before reading, and verifies the
digest (:class:`~richtypes.IntegrityError` on any mismatch).

Why BLAKE3: hashing must not dominate the write, and a content-addressed store
that deduplicates must not let crafted bytes stand in for others, so the hash is
the fastest cryptographic one measured (``benchmarks/bench_digest.py`` compares
it with SHA-256, BLAKE2b and the non-cryptographic xxh3 beside ``np.save``).
Readers also accept ``sha256:`` references.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Union

import blake3
import numpy as np

from ..codecs.npy import decode_npy, little_endian, npy_header, parse_header
from ..core.errors import FormatError, IntegrityError

__all__ = ["Store", "StoreLike", "DEFAULT_INLINE_LIMIT", "DEFAULT_MAX_SIDECAR_BYTES", "as_store"]

#: Payloads up to this many bytes stay inline in the JSON document.
DEFAULT_INLINE_LIMIT = 16 * 1024
#: Reading refuses any sidecar larger than this (a guard against hostile stores).
DEFAULT_MAX_SIDECAR_BYTES = 8 * 1024**3
#: Payloads at least this large are hashed on a second thread while they are written
#: (measured crossover: at 1 MiB serial 386 us vs threaded 429 us; at 2 MiB 721 vs 617;
#: at 4 MiB 1350 vs 900; at 24 MiB 6.1 vs 3.7 ms).
PARALLEL_HASH_BYTES = 2 * 1024**2
#: The digest algorithm used for every new sidecar.
DIGEST_ALGORITHM = "blake3"

_EXTENSIONS = {"jpeg": "jpg"}
_READ_ALGORITHMS = ("blake3", "sha256")
_TEMP_PREFIX = ".tmp-"
_COUNTER = itertools.count()
_STREAM_CHUNK = 1 << 20
_READ_CHUNK = 1 << 30
# Opening a FIFO for reading must not wait for a writer; the fstat check refuses it next.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

StoreLike = Union["Store", str, "os.PathLike[str]"]


def _hasher(algorithm: str) -> Any:
    if algorithm == "blake3":
        return blake3.blake3()
    if algorithm == "sha256":
        return hashlib.sha256()
    raise IntegrityError(
        f"unknown digest algorithm {algorithm!r}; known: {', '.join(_READ_ALGORITHMS)}"
    )


def _as_bytes_view(buf: Any) -> memoryview:
    view = memoryview(buf)
    if view.ndim != 1 or view.format not in ("B", "b", "c"):
        view = view.cast("B")
    return view


class Store:
    """A content-addressed directory of sidecar files.

    Parameters
    ----------
    root:
        The directory (or a ``file://`` URL). It is created on the first write.
        Any other URL (``s3://bucket/prefix``, ``gs://...``, ``memory://...``)
        gives a :class:`~richtypes.store.remote.RemoteStore` on object storage
        instead (needs the ``fsspec`` extra and the protocol's package; it
        also takes ``storage_options=``).
    inline_limit:
        Payloads up to this many bytes are kept inline in the JSON document by
        the media types; larger ones become sidecars. Default 16 KiB.
    fsync:
        Also ``fsync`` each file and its directory before it is renamed into
        place. Renaming alone already protects against a killed process; fsync
        adds protection against power loss at a large cost in speed.
    max_sidecar_bytes:
        Reading refuses references to larger files.

    Examples
    --------
    >>> import tempfile
    >>> store = Store(tempfile.mkdtemp())
    >>> ref = store.put_bytes(b"hello", "txt")
    >>> ref["size"], ref["format"], ref["path"].endswith(".txt")
    (5, 'txt', True)
    >>> store.get_bytes(ref)
    b'hello'
    """

    is_remote = False

    def __new__(cls, root: Any = None, **kwargs: Any) -> Store:
        # a URL other than file:// is an object store (store/remote.py, needs fsspec)
        if cls is Store and isinstance(root, str) and not root.startswith("file://"):
            from .remote import RemoteStore, is_url

            if is_url(root):
                return RemoteStore.__new__(RemoteStore)
        return super().__new__(cls)

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        inline_limit: int = DEFAULT_INLINE_LIMIT,
        fsync: bool = False,
        max_sidecar_bytes: int = DEFAULT_MAX_SIDECAR_BYTES,
    ) -> None:
        if isinstance(root, str) and root.startswith("file://"):
            root = _file_url_path(root)
        self.root = Path(root)
        self.inline_limit = int(inline_limit)
        self.fsync = bool(fsync)
        self.max_sidecar_bytes = int(max_sidecar_bytes)
        self._made_dirs: set[str] = set()

    @property
    def url(self) -> str:
        """The store's location as a URL (``file:///abs/path`` for a local store)."""
        return self.root.absolute().as_uri()

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r}, inline_limit={self.inline_limit})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Store) and self.root.resolve() == other.root.resolve()

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ writing
    def wants_inline(self, nbytes: int) -> bool:
        """Whether a payload of ``nbytes`` should stay inline in the JSON."""
        return nbytes <= self.inline_limit

    def put_bytes(self, data: Any, format: str, *, ext: str | None = None) -> dict[str, Any]:
        """Store ``data`` (bytes or any buffer) and return its reference."""
        return self.put_chunks([data], format, ext=ext)

    def put_chunks(
        self, chunks: Iterable[Any], format: str, *, ext: str | None = None
    ) -> dict[str, Any]:
        """Store the concatenation of ``chunks`` (buffers) without joining them in memory.

        Payloads of :data:`PARALLEL_HASH_BYTES` or more are hashed on a second
        thread while they are written to a temporary file (BLAKE3 releases the
        GIL), then renamed to their digest: the hash then costs almost nothing
        on top of the write. Smaller ones are hashed first, so bytes already in
        the store are never written again.
        """
        views = [_as_bytes_view(c) for c in chunks]
        size = sum(view.nbytes for view in views)
        suffix = ext or _EXTENSIONS.get(format, format)
        if size >= PARALLEL_HASH_BYTES:
            hexdigest = self._write_hashing(views, suffix, size)
        else:
            hasher = blake3.blake3()
            for view in views:
                hasher.update(view)
            hexdigest = hasher.hexdigest()
            rel = _relpath(hexdigest, suffix)
            if not self._stored(rel, size):
                self._commit(self._write_temp(views, self._shard_dir(rel)), rel, size)
        return _reference(hexdigest, suffix, size, format)

    def put_array(self, arr: np.ndarray) -> dict[str, Any]:
        """Store a numeric array as a little-endian ``.npy`` sidecar (no copy when already contiguous LE)."""
        arr = little_endian(np.asarray(arr))
        body = arr.reshape(-1).view(np.uint8) if arr.size else b""
        return self.put_chunks([npy_header(arr), body], "npy")

    def put_file(
        self, src: str | os.PathLike[str] | BinaryIO, format: str, *, ext: str | None = None
    ) -> dict[str, Any]:
        """Store a file's bytes as they are, streaming (the file is never held whole in memory).

        ``src`` is a path or a binary file object (read from its current position).
        """
        if hasattr(src, "read"):
            return self._put_stream(src, format, ext)  # type: ignore[arg-type]
        with open(src, "rb") as fh:  # type: ignore[arg-type]
            return self._put_stream(fh, format, ext)

    # ---------------------------------------------------------- atomic writes
    def _shard_dir(self, rel: str) -> str:
        parent = os.path.dirname(os.path.join(self.root, rel))
        if parent not in self._made_dirs:
            try:  # one shard level under the root: a single mkdir, no walk up the path
                os.mkdir(parent)
            except FileExistsError:
                if not os.path.isdir(parent):  # a file in the way: as makedirs would
                    raise
            except FileNotFoundError:  # the root itself is missing
                os.makedirs(parent, exist_ok=True)
            self._made_dirs.add(parent)
        return parent

    def _stored(self, rel: str, size: int) -> bool:
        """Whether ``rel`` is already a regular file of ``size`` bytes (same name means same digest)."""
        try:
            st = os.lstat(os.path.join(self.root, rel))
        except FileNotFoundError:
            return False
        return st.st_size == size and stat.S_ISREG(st.st_mode)

    def _open_temp(self, folder: str) -> tuple[str, int]:
        """``open_temp`` in ``folder``, creating it again if it was deleted (``media/`` removed under a run)."""
        try:
            return open_temp(folder)
        except FileNotFoundError:
            self._made_dirs.discard(folder)
            os.makedirs(folder, exist_ok=True)
            return open_temp(folder)

    def _write_temp(self, views: Iterable[memoryview], folder: str) -> str:
        """Write ``views`` to a new temporary file in ``folder``; return its path."""
        tmp, fd = self._open_temp(folder)
        try:
            try:
                _write_all(fd, views)
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            _unlink_quietly(tmp)
            raise
        return tmp

    def _commit(self, tmp: str, rel: str, size: int) -> None:
        """Rename a finished temporary file to its content address (or drop it if already stored)."""
        try:
            if self._stored(rel, size):
                _unlink_quietly(tmp)
                return
            parent = self._shard_dir(rel)
            try:
                os.replace(tmp, os.path.join(self.root, rel))
            except FileNotFoundError:  # the shard folder was deleted after it was made
                if not os.path.exists(tmp):
                    raise
                self._made_dirs.discard(parent)
                os.makedirs(parent, exist_ok=True)
                os.replace(tmp, os.path.join(self.root, rel))
        except BaseException:
            _unlink_quietly(tmp)
            raise
        if self.fsync:
            dir_fd = os.open(parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def _write_hashing(self, views: list[memoryview], suffix: str, size: int) -> str:
        """Hash on a second thread while writing a temporary file; commit it under its digest."""
        os.makedirs(self.root, exist_ok=True)
        result: dict[str, Any] = {}

        def digest() -> None:
            try:
                hasher = blake3.blake3()
                for view in views:
                    hasher.update(view)
                result["hex"] = hasher.hexdigest()
            except BaseException as exc:  # pragma: no cover - hashing a buffer does not fail
                result["error"] = exc

        worker = threading.Thread(target=digest, name="richtypes-hash", daemon=True)
        worker.start()
        try:
            tmp = self._write_temp(views, str(self.root))
        finally:
            worker.join()
        if "error" in result:  # pragma: no cover
            _unlink_quietly(tmp)
            raise result["error"]
        hexdigest = result["hex"]
        self._commit(tmp, _relpath(hexdigest, suffix), size)
        return hexdigest

    def _put_stream(self, fh: BinaryIO, format: str, ext: str | None) -> dict[str, Any]:
        os.makedirs(self.root, exist_ok=True)
        hasher = blake3.blake3()
        sizes: list[int] = []

        def chunks() -> Iterator[memoryview]:
            while True:
                chunk = fh.read(_STREAM_CHUNK)
                if not chunk:
                    return
                if isinstance(chunk, str):
                    raise TypeError("put_file needs a binary file object, got a text-mode one")
                hasher.update(chunk)
                sizes.append(len(chunk))
                yield memoryview(chunk)

        tmp = self._write_temp(chunks(), str(self.root))
        hexdigest, suffix, size = (
            hasher.hexdigest(),
            ext or _EXTENSIONS.get(format, format),
            sum(sizes),
        )
        self._commit(tmp, _relpath(hexdigest, suffix), size)
        return _reference(hexdigest, suffix, size, format)

    # ------------------------------------------------------------------ reading
    def resolve(self, ref: Mapping[str, Any]) -> Path:
        """Check a reference's form and safety and return the file's path.

        Raises :class:`~richtypes.FormatError` for a malformed reference and
        :class:`~richtypes.IntegrityError` for a path that leaves the root, a
        missing file, or a size that differs from the reference.
        """
        rel, _, size = _check_ref(ref)
        if size > self.max_sidecar_bytes:
            raise IntegrityError(
                f"sidecar {rel!r} claims {size} bytes, above the limit of {self.max_sidecar_bytes}"
            )
        pure = PurePosixPath(rel)
        if (
            pure.is_absolute()
            or "\\" in rel
            or ":" in rel
            or "\0" in rel
            or any(part in ("..", ".", "") for part in rel.split("/"))
        ):
            raise IntegrityError(
                f"sidecar path {rel!r} is not a plain relative path inside the store"
            )
        root_real = os.path.realpath(self.root)
        full = os.path.realpath(os.path.join(root_real, *pure.parts))
        if os.path.commonpath([root_real, full]) != root_real:
            raise IntegrityError(f"sidecar path {rel!r} resolves outside the store root")
        try:
            st = os.stat(full)
        except FileNotFoundError:
            raise IntegrityError(
                f"sidecar {rel!r} is missing from the store at {str(self.root)!r}"
            ) from None
        except OSError as exc:  # a path through a file, a name too long ...
            raise IntegrityError(f"sidecar {rel!r} cannot be read: {exc.strerror or exc}") from None
        _check_stat(rel, st, size)
        return Path(full)

    def _read(self, ref: Mapping[str, Any]) -> tuple[Path, bytes]:
        """Read a sidecar through one descriptor: a regular file of the declared size, nothing more.

        A FIFO or a device in the store (``size`` 0 in the reference) would block
        or never end: the opened descriptor is checked with ``fstat`` and at most
        ``size + 1`` bytes are read.
        """
        path = self.resolve(ref)
        rel, size = ref["path"], ref["size"]
        try:
            fd = os.open(path, _READ_FLAGS)
        except OSError as exc:
            raise IntegrityError(f"sidecar {rel!r} cannot be read: {exc.strerror or exc}") from None
        try:
            _check_stat(rel, os.fstat(fd), size)
            parts, wanted = [], size + 1
            while wanted:
                chunk = os.read(fd, min(wanted, _READ_CHUNK))
                if not chunk:
                    break
                parts.append(chunk)
                wanted -= len(chunk)
        except OSError as exc:
            raise IntegrityError(f"sidecar {rel!r} cannot be read: {exc.strerror or exc}") from None
        finally:
            os.close(fd)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        _verify(ref, data)
        return path, data

    def get_bytes(self, ref: Mapping[str, Any]) -> bytes:
        """Read a sidecar's bytes, verifying that it is a regular file, its size and its digest."""
        return self._read(ref)[1]

    def get_array(self, ref: Mapping[str, Any], *, mmap: bool = False) -> np.ndarray:
        """Read an ``.npy`` sidecar as a read-only array; never unpickles.

        With ``mmap=True`` the file is memory-mapped (after its digest is checked).
        """
        if mmap:
            path = self.resolve(ref)
            algorithm, expected = _split_digest(ref["digest"])
            try:
                if algorithm == "blake3":
                    actual = blake3.blake3().update_mmap(path).hexdigest()
                else:
                    actual = _digest_of(algorithm, self._read(ref)[1])
            except OSError as exc:
                raise IntegrityError(
                    f"sidecar {ref['path']!r} cannot be read: {exc.strerror or exc}"
                ) from None
            if actual != expected:
                raise IntegrityError(f"sidecar {ref['path']!r} does not match its digest")
            parse_header(_read_head(path), where=ref["path"], total=ref["size"])
            try:
                return np.load(path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError, TypeError, OverflowError) as exc:
                raise IntegrityError(
                    f"sidecar {ref['path']!r} is not a valid .npy file: {type(exc).__name__}: {exc}"
                ) from None
        data = self.get_bytes(ref)
        return decode_npy(data, where=str(ref["path"]))

    def open_path(self, ref: Mapping[str, Any], *, verify: bool = True) -> Path:
        """The local path of a sidecar (digest verified unless ``verify=False``)."""
        if verify:
            return self._read(ref)[0]
        return self.resolve(ref)


def _relpath(hexdigest: str, suffix: str) -> str:
    """Where a sidecar with this digest lives, relative to the root: ``ab/ab....ext``."""
    return f"{hexdigest[:2]}/{hexdigest}.{suffix}"


def _reference(hexdigest: str, suffix: str, size: int, format: str) -> dict[str, Any]:
    return {
        "path": _relpath(hexdigest, suffix),
        "digest": f"{DIGEST_ALGORITHM}:{hexdigest}",
        "size": size,
        "format": format,
    }


def open_temp(folder: str | os.PathLike[str]) -> tuple[str, int]:
    """Create a new temporary file in ``folder`` for writing: ``(path, fd)``.

    The name is unique per process, thread and call, and ``O_EXCL`` never
    reuses an existing file (cheaper than ``tempfile.mkstemp``'s random names).
    """
    tmp = os.path.join(
        folder, f"{_TEMP_PREFIX}{os.getpid()}-{threading.get_ident()}-{next(_COUNTER)}"
    )
    return tmp, os.open(
        tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644
    )


# one writev for a list of buffers: a PNG's ten parts were ten write calls (W1's 50 images: 450
# syscalls instead of 50)
_WRITEV = getattr(os, "writev", None)
_IOV_MAX = 1024


def _write_all(fd: int, views: Iterable[memoryview]) -> None:
    """Write every byte of ``views`` to ``fd``: a list at once (``writev``), any other iterable in turn."""
    if _WRITEV is not None and isinstance(views, list) and len(views) > 1:
        pending = [view for view in views if view.nbytes]
        i = 0
        while i < len(pending):
            done = _WRITEV(fd, pending[i : i + _IOV_MAX])
            while i < len(pending) and done >= pending[i].nbytes:  # the buffers written whole
                done -= pending[i].nbytes
                i += 1
            if done:  # a short write ended inside this one
                pending[i] = pending[i][done:]
        return
    for view in views:
        while view.nbytes:
            view = view[os.write(fd, view) :]


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _check_stat(rel: str, st: os.stat_result, size: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise IntegrityError(f"sidecar {rel!r} is not a regular file")
    if st.st_size != size:
        raise IntegrityError(
            f"sidecar {rel!r} has {st.st_size} bytes, its reference says {size} (truncated or altered)"
        )


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(1 << 16)


def _check_ref(ref: Any) -> tuple[str, str, int]:
    if not isinstance(ref, Mapping):
        raise FormatError(f"a sidecar reference must be an object, got {type(ref).__name__}")
    rel, digest, size, fmt = ref.get("path"), ref.get("digest"), ref.get("size"), ref.get("format")
    if not isinstance(rel, str) or not isinstance(digest, str) or not isinstance(fmt, str):
        raise FormatError(
            f"a sidecar reference needs string 'path', 'digest' and 'format', got {dict(ref)!r}"
        )
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise FormatError(f"a sidecar reference needs a non-negative integer 'size', got {size!r}")
    return rel, digest, size


def _split_digest(digest: str) -> tuple[str, str]:
    algorithm, sep, hexdigest = digest.partition(":")
    if not sep or algorithm not in _READ_ALGORITHMS:
        raise IntegrityError(
            f"unsupported digest {digest!r}; expected one of {', '.join(a + ':<hex>' for a in _READ_ALGORITHMS)}"
        )
    return algorithm, hexdigest.lower()


def _digest_of(algorithm: str, data: Any) -> str:
    hasher = _hasher(algorithm)
    hasher.update(data)
    return hasher.hexdigest()


def _verify(ref: Mapping[str, Any], data: bytes) -> None:
    if len(data) != ref["size"]:
        raise IntegrityError(
            f"sidecar {ref['path']!r} has {len(data)} bytes, its reference says {ref['size']}"
        )
    algorithm, expected = _split_digest(ref["digest"])
    if _digest_of(algorithm, data) != expected:
        raise IntegrityError(f"sidecar {ref['path']!r} does not match its digest {ref['digest']!r}")


def _file_url_path(url: str) -> str:
    """The local path of a ``file://`` URL (``file:///abs/path`` or ``file://relative``)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return unquote(parts.netloc + parts.path)
    return unquote(parts.path)


def as_store(root: StoreLike, **kwargs: Any) -> Store:
    """Return ``root`` if it is a :class:`Store`, else a new store on that directory or URL."""
    if isinstance(root, Store):
        return root
    if isinstance(root, (str, os.PathLike)):
        return Store(root, **kwargs)
    raise TypeError(f"expected a Store or a directory path, got {type(root).__name__}")
