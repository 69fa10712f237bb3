"""Encoding many values, or the many media inside one value, on any executor.

Encoding is embarrassingly parallel: every sidecar is named by its digest, so
workers that write the same store never need to agree on anything, and a
document does not depend on which worker wrote which sidecar. The functions
here only split the work, hand it to a :class:`concurrent.futures.Executor`
(threads, processes, a Dask or Ray cluster's executor) and put the results back
in input order, so the output is byte-identical to the serial ``dump`` whatever
the executor or its number of workers.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ThreadPoolExecutor, as_completed
from typing import Any, TypeVar

from ..store.local import Store, StoreLike, as_store
from .errors import PathKey, ValidationError
from .media import Media

__all__ = [
    "encode_many",
    "encode_media",
    "shared_pool",
    "in_shared_pool",
    "batch_size",
]

T = TypeVar("T")
#: At most this many values go to one task: enough to hide a process pool's or a
#: cluster's per-task cost, few enough that the work still spreads evenly.
MAX_BATCH = 32
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
_POOL_PREFIX = "richtypes-encode"


def shared_pool() -> ThreadPoolExecutor:
    """The process-wide encoding thread pool (one thread per core), created on first use.

    PNG and JPEG encoding, hashing and file writes release the GIL, so threads
    scale on one machine without copying any array. Nothing submitted here
    waits on another task of the same pool, so sharing it cannot deadlock.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(
                max_workers=os.cpu_count() or 1, thread_name_prefix=_POOL_PREFIX
            )
        return _POOL


def in_shared_pool() -> bool:
    """Whether the calling thread is one of :func:`shared_pool`'s (which must never wait on that pool)."""
    return threading.current_thread().name.startswith(_POOL_PREFIX)


def batch_size(n: int) -> int:
    """How many values one task encodes: ``n // 64`` clamped to ``1..MAX_BATCH``."""
    return max(1, min(MAX_BATCH, n // 64))


def _dump_batch(store: Store, values: Sequence[Any], start: int) -> list[Any]:
    """One task: dump ``values`` (positions ``start``...) serially into ``store``."""
    from .nest import dump

    out = []
    for offset, value in enumerate(values):
        try:
            out.append(dump(value, store, executor=None))  # already one task of many
        except ValidationError as err:
            raise err.with_prefix(start + offset) from None
    return out


def encode_many(
    values: Iterable[Any],
    store: StoreLike,
    *,
    executor: Executor | None = None,
    progress: bool = False,
) -> list[Any]:
    """:func:`~richtypes.dump` every value into one store, in parallel.

    The documents are byte-identical to ``[dump(v, store) for v in values]``,
    in input order, whatever the executor and its number of workers.

    Parameters
    ----------
    values:
        Media objects or nests of them (anything :func:`~richtypes.dump` takes).
    store:
        A :class:`~richtypes.Store`, a directory, or an object-store URL
        (``"s3://bucket/media"``). Worker processes reopen it from its pickle,
        so every worker must reach the same directory or bucket.
    executor:
        Any :class:`concurrent.futures.Executor`: the default is a thread pool
        with one thread per core (no copies, GIL released while encoding); a
        ``ProcessPoolExecutor``; Dask's ``client.get_executor()``; Ray's
        ``RayExecutor``. Values are sent to it in batches of up to
        :data:`MAX_BATCH`.
    progress:
        Show a progress bar (tqdm when installed, else a plain line on stderr).

    Returns
    -------
    One JSON-ready document per value.

    Raises
    ------
    ValidationError
        For a value that cannot be encoded; the path starts with its index.
    concurrent.futures.BrokenExecutor
        When a worker process dies (killed, out of memory) and the executor
        does not retry. Every object already in the store is whole (local writes
        are renamed into place, object-store writes are single PUTs), so
        calling again completes the store without duplicates.

    Examples
    --------
    >>> import tempfile, richtypes
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> hists = [richtypes.Histogram([i, i + 1, i + 1], num_bins=2) for i in range(4)]
    >>> with ThreadPoolExecutor(2) as pool:
    ...     docs = richtypes.encode_many(hists, tempfile.mkdtemp(), executor=pool)
    >>> [doc["counts"] for doc in docs]
    [[1, 2], [1, 2], [1, 2], [1, 2]]
    """
    from .nest import snapshot

    the_store = as_store(store)
    # take ownership now: the caller may change its inputs while the workers encode
    items = [snapshot(value, path=(i,)) for i, value in enumerate(values)]
    size = batch_size(len(items))
    batches = [(items[i : i + size], i) for i in range(0, len(items), size)]
    results = _run(
        executor,
        lambda pool: [
            pool.submit(_dump_batch, the_store, batch, start) for batch, start in batches
        ],
        [len(batch) for batch, _ in batches],
        progress,
    )
    return [doc for batch_docs in results for doc in batch_docs]


def _encode_batch(
    store: Store, media: Sequence[tuple[Media, tuple[PathKey, ...]]]
) -> list[dict[str, Any]]:
    out = []
    for obj, where in media:
        try:
            out.append(obj.to_json(store))
        except ValidationError as err:
            raise err.with_prefix(*where) from None
    return out


def encode_media(
    media: Sequence[tuple[Media, tuple[PathKey, ...]]], store: Store, executor: Executor
) -> list[dict[str, Any]]:
    """Encode ``(media, path)`` pairs on ``executor``; the envelopes in input order (``dump(executor=)``)."""
    size = batch_size(len(media))
    batches = [list(media[i : i + size]) for i in range(0, len(media), size)]
    results = _run(
        executor,
        lambda pool: [pool.submit(_encode_batch, store, batch) for batch in batches],
        [len(batch) for batch in batches],
        False,
    )
    return [doc for batch_docs in results for doc in batch_docs]


def _run(
    executor: Executor | None,
    submit: Callable[[Executor], list[Future[list[T]]]],
    sizes: list[int],
    progress: bool,
) -> list[list[T]]:
    """Submit every batch, wait for all, return the results in submission order."""
    pool = executor if executor is not None else shared_pool()
    futures = submit(pool)
    results: list[list[T] | None] = [None] * len(futures)
    bar = _Progress(sum(sizes)) if progress else None
    try:
        if bar is None:  # in order: the error raised is the first bad value's, every run
            for i, future in enumerate(futures):
                results[i] = future.result()
        else:
            index = {id(future): i for i, future in enumerate(futures)}
            for future in as_completed(futures):
                i = index[id(future)]
                results[i] = future.result()
                bar.update(sizes[i])
    except BaseException as exc:
        for future in futures:
            future.cancel()
        if isinstance(exc, BrokenExecutor) and hasattr(exc, "add_note"):
            exc.add_note(
                "richtypes: a worker died while encoding; every object already in the store "
                "is whole, so running the same call again completes it without duplicates"
            )
        raise
    finally:
        if bar is not None:
            bar.close()
    return [r for r in results if r is not None]


class _Progress:
    """A tqdm bar when tqdm is installed, else a plain ``encoded k/n`` line on stderr."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self._shown = total, 0, 0.0
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._bar: Any = None
        else:
            self._bar = tqdm(total=total, unit="value", desc="richtypes encode")

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._shown >= 0.5 or self.done == self.total:
            self._shown = now
            sys.stderr.write(f"\rrichtypes: encoded {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        else:
            sys.stderr.write("\n")
            sys.stderr.flush()
