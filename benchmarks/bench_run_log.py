"""How long ``Run.log`` keeps the caller waiting, against the encode it moves off the thread.

    python benchmarks/bench_run_log.py [--n 30]

For a 512x512 RGB image (``richtypes.Image`` when it exists, else a Table with
a 512*512*3 uint8 column and the script says so) it measures, each over ``n``
distinct images:

- build: the constructor (validation; whatever the type does up front);
- encode: ``richtypes.dump({"img": x}, store)`` into a fresh store, which is
  what the background worker does for a logged row;
- log: ``run.log({"img": x})`` with the worker on (queue larger than ``n``, so
  the call never waits for room): the time the training loop loses;
- finish: ``run.finish()``, the wait for the queued encodes.

The goal (issue 8): the median ``log`` under 10% of the median ``encode``.
Also reported: ``log`` of a row of 10 scalars (10,000 rows) and its throughput.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import richtypes  # noqa: E402
from richtypes.runlog import Run  # noqa: E402


def image_builder() -> tuple[str, Callable[[np.ndarray], Any]]:
    try:
        from richtypes.image import Image
    except ImportError:
        from richtypes.table import Table

        return (
            "Table (richtypes.Image missing) of one 786,432-byte uint8 column",
            lambda a: Table.from_columns({"pixels": a.reshape(1, -1)}),
        )
    return "richtypes.Image 512x512 RGB PNG", Image


def pictures(n: int, smooth: bool) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    if not smooth:
        return [rng.integers(0, 256, (512, 512, 3), dtype=np.uint8) for _ in range(n)]
    y, x = np.mgrid[0:512, 0:512]
    base = np.stack([x / 2, y / 2, (x + y) / 4], axis=-1)
    return [((base + rng.normal(0, 2, base.shape) + i) % 256).astype(np.uint8) for i in range(n)]


def ms(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds) * 1e3:8.3f} ms   p90 {np.percentile(seconds, 90) * 1e3:8.3f} ms"


def bench_images(n: int, smooth: bool, build: Callable[[np.ndarray], Any]) -> float:
    arrays = pictures(n, smooth)
    build_t, objs = [], []
    for arr in arrays:
        start = time.perf_counter()
        objs.append(build(arr))
        build_t.append(time.perf_counter() - start)
    encode_t = []
    with tempfile.TemporaryDirectory() as tmp:
        for obj in objs:
            start = time.perf_counter()
            richtypes.dump({"img": obj}, tmp)
            encode_t.append(time.perf_counter() - start)
    objs = [build(arr) for arr in arrays]  # fresh objects: nothing cached from the dumps above
    with tempfile.TemporaryDirectory() as tmp:
        run = Run(Path(tmp) / "run", queue_size=n + 1)
        log_t = []
        for obj in objs:
            start = time.perf_counter()
            run.log({"img": obj})
            log_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        run.finish()
        finish_s = time.perf_counter() - start
    ratio = statistics.median(log_t) / statistics.median(encode_t)
    label = "smooth" if smooth else "noise"
    print(f"  [{label}] build  {ms(build_t)}")
    print(f"  [{label}] encode {ms(encode_t)}   (dump into a store)")
    print(f"  [{label}] log    {ms(log_t)}   (caller's thread, worker on)")
    print(f"  [{label}] finish {finish_s * 1e3:8.1f} ms for the {n} queued encodes")
    print(
        f"  [{label}] log / encode = {ratio:.2%}  ({'under' if ratio < 0.10 else 'NOT under'} the 10% goal)"
    )
    return ratio


def bench_scalars(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run = Run(Path(tmp) / "run")
        log_t = []
        start_all = time.perf_counter()
        for step in range(rows):
            start = time.perf_counter()
            run.log({f"m{k}": step * 0.001 + k for k in range(10)})
            log_t.append(time.perf_counter() - start)
        run.finish()
        total = time.perf_counter() - start_all
    print(
        f"  scalars: log {ms(log_t)}; {rows:,} rows written in {total:.2f} s = {rows / total:,.0f} rows/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="images per measurement (default 30)")
    parser.add_argument("--rows", type=int, default=10_000, help="scalar rows (default 10,000)")
    args = parser.parse_args()
    label, build = image_builder()
    print(
        f"bench_run_log: {label}, n={args.n}, python {sys.version.split()[0]}, numpy {np.__version__}"
    )
    ratios = [bench_images(args.n, smooth, build) for smooth in (False, True)]
    bench_scalars(args.rows)
    return 0 if max(ratios) < 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())
