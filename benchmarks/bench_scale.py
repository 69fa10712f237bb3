"""Scale-out: encode COCO-like samples with ``encode_many`` on 1 thread, threads, processes and Dask.

    python -m benchmarks.bench_scale                 # 2,000 samples, local store and S3
    python -m benchmarks.bench_scale --n 400 --no-s3

Each sample is a 640x480 RGB image (a smooth gradient plus sensor-like noise,
so PNG has real work to do) with 7 pixel boxes and, on every fourth sample, a
segmentation mask. Samples are built in chunks of ``--chunk`` (untimed) so the
whole set never sits in memory; only ``encode_many`` over each chunk is timed,
into a fresh store per configuration. Every configuration's documents are
checked equal to the serial ones.

Configurations, each into a local directory and into S3 on loopback (moto's
standalone server in its own process, the s3fs client):

- ``1 thread``: ``[dump(v, store) for v in values]``;
- ``thread pool``: the default executor (one thread per core);
- ``process pool``: ``ProcessPoolExecutor(cores)``;
- ``dask``: ``LocalCluster(n_workers=cores, threads_per_worker=1)``'s executor.

Prints samples per second, the speed-up over one thread and the scaling
efficiency (speed-up / workers). Needs the ``test`` extra (moto, s3fs, dask).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np

import richtypes
from richtypes import Store
from richtypes.core.parallel import shared_pool

H, W = 480, 640
BOXES = 7


def _noise_table() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 24, (2 * H, 2 * W, 3), dtype=np.uint8)


def _gradient() -> np.ndarray:
    y, x = np.mgrid[0:H, 0:W]
    return np.stack([x * 200 // W, y * 200 // H, (x + y) * 100 // (W + H)], axis=-1).astype(
        np.uint8
    )


def sample(i: int, base: np.ndarray, noise: np.ndarray) -> dict[str, Any]:
    """The ``i``-th COCO-like sample (deterministic)."""
    dy, dx = (i * 37) % H, (i * 101) % W
    pixels = base + noise[dy : dy + H, dx : dx + W]
    rng = np.random.default_rng(i)
    x0 = rng.integers(0, W - 100, BOXES)
    y0 = rng.integers(0, H - 100, BOXES)
    positions = np.stack(
        [x0, x0 + rng.integers(10, 100, BOXES), y0, y0 + rng.integers(10, 100, BOXES)], axis=1
    )
    boxes = {
        "predictions": {
            "box_data": [
                {
                    "position": {"minX": int(a), "maxX": int(b), "minY": int(c), "maxY": int(d)},
                    "domain": "pixel",
                    "class_id": int(k % 3),
                    "scores": {"score": float(rng.random())},
                }
                for k, (a, b, c, d) in enumerate(positions)
            ],
            "class_labels": {0: "person", 1: "car", 2: "dog"},
        }
    }
    masks = None
    if i % 4 == 0:
        mask = np.zeros((H, W), np.uint8)
        for k, (a, b, c, d) in enumerate(positions):
            mask[c:d, a:b] = k % 3 + 1
        masks = {"seg": {"mask_data": mask, "class_labels": {1: "person", 2: "car", 3: "dog"}}}
    return {"image": richtypes.Image(pixels, boxes=boxes, masks=masks), "id": i}


def chunks(n: int, size: int) -> Iterator[list[dict[str, Any]]]:
    base, noise = _gradient(), _noise_table()
    for start in range(0, n, size):
        yield [sample(i, base, noise) for i in range(start, min(n, start + size))]


# ------------------------------------------------------------------ stores
@contextmanager
def s3_server() -> Iterator[dict[str, Any]]:
    """moto's S3 server in its own process on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from moto.server import main; main()",
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield {
            "endpoint_url": f"http://127.0.0.1:{port}",
            "key": "bench",
            "secret": "bench",
            "client_kwargs": {"region_name": "us-east-1"},
        }
    finally:
        proc.terminate()
        proc.wait()


def _new_bucket(options: dict[str, Any], name: str) -> Store:
    import boto3

    boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ).create_bucket(Bucket=name)
    return Store(f"s3://{name}/media", storage_options=options)


# --------------------------------------------------------------- executors
@contextmanager
def executor(kind: str, workers: int) -> Iterator[Executor | None]:
    if kind == "1 thread":
        yield None
    elif kind == "thread pool":
        yield shared_pool()
    elif kind == "process pool":
        with ProcessPoolExecutor(workers) as pool:
            pool.submit(int).result()  # start the workers outside the timing
            list(pool.map(int, range(workers * 4)))
            yield pool
    elif kind == "dask":
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",
                silence_logs=50,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client.get_executor()
    else:
        raise ValueError(kind)


def build_and_dump(store: Store, ids: range) -> list[Any]:
    """One task of the ``--ship ids`` mode: build the samples on the worker, then dump them."""
    base, noise = _gradient(), _noise_table()
    return [richtypes.dump(sample(i, base, noise), store) for i in ids]


def measure_ids(
    kind: str, workers: int, make_store: Callable[[], Store], n: int, chunk: int
) -> tuple[float, list[str]]:
    """Seconds to build and dump every sample where it is encoded (the client ships ids only)."""
    store = make_store()
    texts: list[str] = []
    size = 25
    with executor(kind, workers) as pool:
        start = time.perf_counter()
        if pool is None:
            docs = build_and_dump(store, range(n))
        else:
            futures = [
                pool.submit(build_and_dump, store, range(i, min(n, i + size)))
                for i in range(0, n, size)
            ]
            docs = [doc for future in futures for doc in future.result()]
        spent = time.perf_counter() - start
    texts += [json.dumps(d) for d in docs]
    return spent, texts


def _spin(seconds: float) -> float:
    end = time.perf_counter() + seconds
    cpu = time.process_time()
    while time.perf_counter() < end:
        pass
    return time.process_time() - cpu


def cores_available(workers: int, seconds: float = 1.0) -> float:
    """How many cores ``workers`` busy processes actually got for ``seconds`` (others' load shows here)."""
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(int, range(workers)))
        return sum(pool.map(_spin, [seconds] * workers)) / seconds


def measure(
    kind: str, workers: int, make_store: Callable[[], Store], n: int, chunk: int
) -> tuple[float, list[str]]:
    """Seconds spent in encode_many over all chunks, and the documents as JSON text."""
    store = make_store()
    spent, texts = 0.0, []
    with executor(kind, workers) as pool:
        for values in chunks(n, chunk):
            start = time.perf_counter()
            if pool is None:
                docs = [richtypes.dump(v, store) for v in values]
            else:
                docs = richtypes.encode_many(values, store, executor=pool)
            spent += time.perf_counter() - start
            texts += [json.dumps(d) for d in docs]
    return spent, texts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="samples (default 2000)")
    parser.add_argument("--chunk", type=int, default=200, help="samples built at a time")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-s3", action="store_true", help="local store only")
    parser.add_argument(
        "--ship",
        choices=["values", "ids"],
        default="values",
        help="values: the client builds the samples and encode_many ships them (default); "
        "ids: each task builds its own samples from ids and dumps them (the pattern at scale)",
    )
    parser.add_argument(
        "--dir",
        default=None,
        help="where the local stores go (default: the temp dir; /dev/shm measures encoding without the disk)",
    )
    parser.add_argument(
        "--only", action="append", help="a configuration (repeatable): 1 thread, thread pool, ..."
    )
    args = parser.parse_args(argv)
    kinds = args.only or ["1 thread", "thread pool", "process pool", "dask"]
    available = cores_available(args.workers)
    print(
        f"ship {args.ship}; {args.n} samples 640x480 RGB, {BOXES} boxes, a mask on every 4th; "
        f"{args.workers} workers; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; "
        f"local stores in {args.dir or tempfile.gettempdir()}; "
        f"{args.workers} busy processes got {available:.2f} cores"
    )
    folders: list[str] = []

    def local() -> Store:
        folders.append(tempfile.mkdtemp(prefix="bench-scale-", dir=args.dir))
        return Store(folders[-1])

    rows: list[tuple[str, str, float]] = []
    reference: list[str] | None = None
    try:
        stores: list[tuple[str, Any]] = [("local", None)] + ([] if args.no_s3 else [("s3", "s3")])
        with s3_server() if not args.no_s3 else _nothing() as options:
            for store_name, _ in stores:
                for kind in kinds:
                    if store_name == "local":
                        make = local
                    else:
                        counter = len(rows)
                        make = lambda c=counter: _new_bucket(options, f"bench-{c}")  # noqa: E731
                    run = measure if args.ship == "values" else measure_ids
                    seconds, texts = run(kind, args.workers, make, args.n, args.chunk)
                    if reference is None:
                        reference = texts
                    elif texts != reference:
                        raise AssertionError(
                            f"{kind} into {store_name}: documents differ from serial"
                        )
                    rows.append((store_name, kind, seconds))
                    print(f"  {store_name:<6}{kind:<14}{seconds:8.2f} s", flush=True)
                    for folder in folders:
                        shutil.rmtree(folder, ignore_errors=True)
                    folders.clear()
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\n{args.workers} busy processes got {cores_available(args.workers):.2f} cores at the end"
    )
    print("| store | executor | samples/s | speed-up vs 1 thread | scaling efficiency |")
    print("|---|---|---:|---:|---:|")
    for store_name, kind, seconds in rows:
        one = next((s for st, k, s in rows if st == store_name and k == "1 thread"), None)
        workers = 1 if kind == "1 thread" else args.workers
        speedup = one / seconds if one else float("nan")
        print(
            f"| {store_name} | {kind} | {args.n / seconds:.1f} | {speedup:.2f}x | {speedup / workers:.0%} |"
        )


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
