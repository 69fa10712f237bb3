"""One thread per core for splitting a single large array operation (leaf work).

Used where one call's work is cut into independent parts whose results are
combined the same way whatever the thread count: zlib bands of one PNG
(:mod:`richtypes.codecs.png`), the parts of one histogram's binning. Leaf
tasks release the GIL and never submit or wait on other tasks, so the pool is
safe to use from any thread, the encoding pool's included.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["leaf_pool", "leaf_workers"]

_pool: ThreadPoolExecutor | None = None
_pool_pid = -1
_pool_lock = threading.Lock()


def leaf_workers() -> int:
    """How many threads :func:`leaf_pool` has (one per core), so callers cut as many parts."""
    return os.cpu_count() or 1


def leaf_pool() -> ThreadPoolExecutor | None:
    """The leaf thread pool, or ``None`` on one core. A forked child gets its own threads."""
    global _pool, _pool_pid
    workers = leaf_workers()
    if workers < 2:
        return None
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="richtypes-leaf")
            _pool_pid = os.getpid()
        return _pool
