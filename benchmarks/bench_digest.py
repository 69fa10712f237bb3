"""Which digest names the sidecars: hash a 24 MB float32 array (1M x 6) beside np.save of it.

    python -m benchmarks.bench_digest

Prints the median time of each hash (in memory) and of ``np.save`` to a file,
and the ratio of hash + save to save alone. xxh3 needs the ``xxhash`` package
and is skipped without it; the chosen BLAKE3 is a core dependency.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable

import blake3
import numpy as np


def _median_ms(fn: Callable[[], object], repeats: int = 15) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[repeats // 2] * 1e3


def main() -> None:
    arr = np.random.default_rng(0).random((1_000_000, 6), dtype=np.float32)
    buf = io.BytesIO()
    np.save(buf, arr)
    data = buf.getvalue()
    folder = tempfile.mkdtemp()
    try:
        save_ms = _median_ms(lambda: np.save(os.path.join(folder, "a.npy"), arr))
    finally:
        shutil.rmtree(folder)
    hashes: dict[str, Callable[[], object]] = {
        "SHA-256": lambda: hashlib.sha256(data).hexdigest(),
        "BLAKE2b": lambda: hashlib.blake2b(data).hexdigest(),
        "BLAKE3": lambda: blake3.blake3(data).hexdigest(),
    }
    try:
        import xxhash

        hashes["xxh3-128"] = lambda: xxhash.xxh3_128(data).hexdigest()
    except ImportError:
        print("xxh3-128: skipped (pip install xxhash)")
    print(f"{len(data) / 1e6:.1f} MB; np.save to a file: {save_ms:.1f} ms")
    print(f"{'hash':<10}{'ms':>8}{'vs np.save':>12}{'(hash + save) / save':>24}")
    for name, fn in hashes.items():
        ms = _median_ms(fn)
        print(f"{name:<10}{ms:>8.1f}{ms / save_ms:>11.1f}x{(ms + save_ms) / save_ms:>23.1f}x")


if __name__ == "__main__":
    main()
