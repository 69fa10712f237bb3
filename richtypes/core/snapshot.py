"""Snapshots at the boundary: what is logged stays what was passed.

Code that encodes later, on another thread (the run log's worker, or
:func:`~richtypes.encode_many`), first takes a *snapshot* of each media
object: an equal object that shares nothing the caller can still change.
Arrays are copied unless they are provably private; builders whose state is
not arrays (a :class:`~richtypes.Table`) define ``__snapshot__``.

An array is *private* when nobody can write its memory: the array and every
array or buffer on its base chain is read-only, and the chain ends at memory
that cannot change (an ndarray owning a read-only buffer, ``bytes``, or a
buffer this package decoded itself, see :func:`mark_private`). A ``bytearray``,
a writable ``memoryview``, an ``mmap`` opened by the caller, a pickle-5 buffer
or any other object's buffer is not: when in doubt, the array is copied.
"""

from __future__ import annotations

import copy
import mmap
import os
import sys
import threading
import weakref
from tracemalloc import is_tracing as _tracing
from typing import Any

import numpy as np

__all__ = [
    "is_private",
    "snapshot_array",
    "snapshot_value",
    "snapshot_attributes",
    "mark_private",
    "private_arrays",
    "private_copy",
]

# buffers (mmap objects) that this package opened read-only while decoding a sidecar
_OWN_BUFFERS: weakref.WeakSet[Any] = weakref.WeakSet()
_MAX_CHAIN = 10_000


def _refs(obj: Any) -> int:
    return sys.getrefcount(obj)


def _calibrate() -> int:
    """The reference count, seen from :func:`_links`, of a link that only the chain holds."""
    owner = np.zeros(1)
    view = owner[:]
    del owner
    nxt = view.base
    return _refs(nxt)


def _links(arr: np.ndarray) -> tuple[Any, bool]:
    """Follow ``arr``'s base chain; return its end and whether nobody else can write along it.

    A link that can write (a writeable ndarray, memoryview or ``bytearray``) is
    harmless only when nothing but the previous link refers to it: then no
    one can reach it except through ``arr`` itself (a temporary the
    constructor made). Any other holder (the caller, another view) makes the
    chain writable from outside.
    """
    if arr.flags.writeable:
        return arr, False
    prev: Any = arr
    for _ in range(_MAX_CHAIN):
        nxt: Any
        if isinstance(prev, np.ndarray):
            nxt = prev.base
        elif isinstance(prev, memoryview):
            nxt = prev.obj
        else:
            return prev, True
        if nxt is None:
            return prev, True
        if isinstance(nxt, np.ndarray):
            writable = bool(nxt.flags.writeable)
        elif isinstance(nxt, memoryview):
            writable = not nxt.readonly
        elif isinstance(nxt, bytearray):
            writable = True
        else:
            return nxt, True  # bytes, mmap, another object's buffer: decided by the caller
        if writable and _refs(nxt) > _ONLY_CHAIN:
            return nxt, False
        prev = nxt
    return prev, False


def is_private(arr: np.ndarray) -> bool:
    """Whether nobody (the caller included) can change the memory ``arr`` views.

    The whole base chain is followed: ndarray bases, a ``memoryview``'s
    ``.obj``, down to the object that owns the memory. ``arr`` must be
    read-only; a writable link on the way (an ndarray, ``memoryview`` or
    ``bytearray``) must be held by nothing but the chain (a temporary made by
    a constructor, not the caller's array); and the chain must end in an
    ndarray, a ``bytearray`` or ``bytes`` (immutable), or a buffer this package
    decoded itself (:func:`mark_private`). An ``mmap`` of the caller's, a
    pickle-5 buffer or any other exporter is not private: when in doubt, the
    array is copied.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros(3)
    >>> view = a[1:]; view.flags.writeable = False
    >>> is_private(a), is_private(view)
    (False, False)
    >>> b = a.copy(); b.flags.writeable = False
    >>> is_private(b)
    True
    >>> buf = bytearray(8); is_private(np.frombuffer(buf).view())
    False
    """
    root, private = _links(arr)
    if not private:
        return False
    if isinstance(root, (np.ndarray, bytes, bytearray)):
        return True
    try:
        return root in _OWN_BUFFERS
    except TypeError:  # not weak-referenceable, so never registered
        return False


def snapshot_array(arr: np.ndarray) -> np.ndarray:
    """``arr`` itself when :func:`is_private`, else a read-only private copy (same dtype and shape)."""
    if is_private(arr):
        return arr
    out = np.array(arr, copy=True, subok=False)
    out.flags.writeable = False
    return out


# A fresh copy of a mid-sized array is mostly page faults, one trap per 4 kB page the copy first
# touches (malloc hands such sizes back to the system when they are freed, so every new image's
# pixels are new pages). private_copy puts them in private anonymous mappings instead: made with
# MAP_POPULATE, a mapping gets its pages in one call (50 RGB 512x512 copies: 15.5 ms against
# 24.1 ms), and once every array on it is gone (nothing but the pool refers to it) it takes the
# next copy of its size, into pages already there (6.9 ms against 17.2 ms). The pool keeps at most
# _POOL_BYTES of mappings, as an allocator keeps freed memory. Past 4 MiB numpy asks for
# transparent huge pages itself (few faults), below 256 kB malloc reuses memory: both stay numpy's.
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)
_MAPPED_BYTES = (256 * 1024, 4 * 1024**2)
_POOL_BYTES = 64 * 1024**2
_pool_lock = threading.Lock()
_pool: dict[int, list[mmap.mmap]] = {}  # length -> the mappings of that length


def _new_pool() -> None:
    """Empty the pool, with a new lock: in a forked child the parent's lock may have been held by
    another thread at the moment of the fork, and the parent's mappings are not the child's."""
    global _pool_lock
    _pool_lock = threading.Lock()
    _pool.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pool)


def _idle_refs() -> int:
    """The reference count, read as :func:`_mapped` reads it, of an item only its list refers to."""
    spares = [object()]
    return sys.getrefcount(spares[0])


_IDLE_REFS = _idle_refs()


def _pooled_bytes() -> int:
    """The bytes of every mapping the pool holds."""
    return sum(length * len(spares) for length, spares in _pool.items())


def _mapped(dtype: np.dtype, count: int) -> np.ndarray:
    """A flat, writable ``count``-item array on a pooled mapping nobody else uses (OSError if none can be made)."""
    length = count * dtype.itemsize
    with _pool_lock:
        spares = _pool.setdefault(length, [])
        for i in range(len(spares)):
            if sys.getrefcount(spares[i]) == _IDLE_REFS:  # no array on it is left anywhere
                return np.frombuffer(spares[i], dtype, count)  # in use again before the lock ends
        mapping = mmap.mmap(-1, length, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | _POPULATE)
        if _pooled_bytes() + length <= _POOL_BYTES:
            spares.append(mapping)
        return np.frombuffer(mapping, dtype, count)


def private_copy(arr: np.ndarray) -> np.ndarray:
    """A read-only, C-ordered copy of ``arr`` that nobody else can write (:func:`is_private`).

    Arrays of 256 kB to 4 MiB are copied into a private anonymous memory
    mapping (Linux), recycled once no array uses it; others, and every copy
    while :mod:`tracemalloc` is tracing (so that it counts them), are copied
    by numpy. Either way the result is an ordinary ndarray of the same dtype
    and shape.
    """
    lo, hi = _MAPPED_BYTES
    # while tracemalloc traces, numpy copies: it reports numpy's allocations, not mappings
    if _POPULATE and lo <= arr.nbytes < hi and not arr.dtype.hasobject and not _tracing():
        try:
            flat = _mapped(arr.dtype, arr.size)
        except OSError:  # no memory for an eager mapping: numpy's copy below fails too, or copes
            pass
        else:
            out = flat.reshape(arr.shape)
            del flat  # the array's chain is then the only holder: mark_private can register it
            np.copyto(out, arr)
            out.flags.writeable = False
            mark_private(out)
            return out
    out = np.array(arr, copy=True, order="C", subok=False)
    out.flags.writeable = False
    return out


def mark_private(arr: np.ndarray) -> None:
    """Record that the read-only buffer at the end of ``arr``'s chain belongs to this package.

    Decoding calls this for arrays it reads from sidecars (memory-mapped
    ``.npy`` files are mapped read-only), so logging a decoded object again
    copies nothing.
    """
    root, private = _links(arr)
    if private and not isinstance(root, (np.ndarray, bytes, bytearray)):
        try:
            _OWN_BUFFERS.add(root)
        except TypeError:
            pass


def snapshot_value(value: Any) -> Any:
    """A snapshot of one attribute value: ``value`` itself when nothing in it needs a copy.

    Arrays go through :func:`snapshot_array`, media objects (anything with a
    ``_snapshot`` method) through their ``_snapshot()``, and dicts, lists and
    tuples are rebuilt only when an item changed.
    """
    if isinstance(value, np.ndarray):
        return snapshot_array(value)
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    snap = getattr(value, "_snapshot", None)
    if snap is not None and callable(snap) and not isinstance(value, type):
        return snap()
    if isinstance(value, dict):
        items = {k: snapshot_value(v) for k, v in value.items()}
        if all(items[k] is value[k] for k in value):
            return value
        return type(value)(items) if type(value) is dict else items
    if isinstance(value, (list, tuple)):
        seq = [snapshot_value(v) for v in value]
        if all(a is b for a, b in zip(seq, value)):
            return value
        return seq if isinstance(value, list) else tuple(seq)
    return value


def snapshot_attributes(obj: Any) -> Any:
    """``obj`` itself when none of its attributes needs a copy, else a shallow twin holding the snapshots."""
    changed = {}
    for name, value in vars(obj).items():
        new = snapshot_value(value)
        if new is not value:
            changed[name] = new
    if not changed:
        return obj
    twin = copy.copy(obj)
    for name, value in changed.items():
        object.__setattr__(twin, name, value)
    return twin


def private_arrays(obj: Any) -> None:
    """Mark every array held by ``obj``'s attributes (and nested media) with :func:`mark_private`."""
    for value in vars(obj).values():
        _mark(value, 0)


def _mark(value: Any, depth: int) -> None:
    if depth > 64:
        return
    if isinstance(value, np.ndarray):
        mark_private(value)
    elif isinstance(value, dict):
        for item in value.values():
            _mark(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _mark(item, depth + 1)


_ONLY_CHAIN = _calibrate()
