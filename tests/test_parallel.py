"""encode_many and dump(executor=): threads, processes and a real Dask cluster, locally and on S3.

Every parallel result must equal the serial ``dump``, byte for byte.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import blake3
import numpy as np
import pytest
from scale_helpers import DieOnce, coco_like

import richtypes
from richtypes import Histogram, Store, ValidationError
from richtypes.core.parallel import MAX_BATCH, batch_size

N = 40


def _text(docs) -> str:
    return json.dumps(docs, sort_keys=False)


@pytest.fixture(scope="module")
def values() -> list:
    return [coco_like(i) for i in range(N)]


@pytest.fixture(scope="module")
def serial(values, tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("serial")
    return _text([richtypes.dump(v, root) for v in values])


@pytest.fixture(scope="module")
def dask_executor():
    """A Dask LocalCluster with 2 worker processes (shared by this module's tests)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        silence_logs=50,
    )
    client = distributed.Client(cluster)
    try:
        yield client.get_executor()
    finally:
        client.close()
        cluster.close()


def _fork_pool(n: int = 2) -> ProcessPoolExecutor:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context(method))


def _assert_whole(root: Path) -> None:
    """Every object under its content address holds exactly the bytes its name says."""
    names = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]
    assert names
    for path in names:
        assert blake3.blake3(path.read_bytes()).hexdigest() == path.stem, path


def test_batches_are_small_enough_to_spread_and_large_enough_to_amortise() -> None:
    assert [batch_size(n) for n in (0, 1, 63, 64, 640, 10**6)] == [1, 1, 1, 1, 10, MAX_BATCH]


def test_default_thread_pool_matches_serial_dump(values, serial, tmp_path: Path) -> None:
    docs = richtypes.encode_many(values, tmp_path)
    assert _text(docs) == serial
    assert richtypes.load(docs[5], tmp_path) == values[5]


@pytest.mark.parametrize("workers", [1, 3])
def test_thread_pools_of_any_size_match_serial_dump(
    values, serial, tmp_path: Path, workers: int
) -> None:
    with ThreadPoolExecutor(workers) as pool:
        assert _text(richtypes.encode_many(values, tmp_path, executor=pool)) == serial


def test_a_process_pool_matches_serial_dump(values, serial, tmp_path: Path) -> None:
    with _fork_pool() as pool:
        assert _text(richtypes.encode_many(values, tmp_path, executor=pool)) == serial
    _assert_whole(tmp_path)


def test_a_dask_cluster_matches_serial_dump(values, serial, dask_executor, tmp_path) -> None:
    assert _text(richtypes.encode_many(values, tmp_path, executor=dask_executor)) == serial


def test_a_dask_cluster_into_s3_matches_serial_dump(
    values, serial, dask_executor, s3_bucket
) -> None:
    url, options = s3_bucket
    store = Store(url, storage_options=options)
    docs = richtypes.encode_many(values, store, executor=dask_executor)
    assert _text(docs) == serial
    assert richtypes.load(docs[3], Store(url, storage_options=options)) == values[3]


def test_dump_with_an_executor_spreads_the_media_of_one_value(tmp_path: Path) -> None:
    value = {
        "samples": [coco_like(i)["image"] for i in range(6)],
        "nested": {"h": Histogram(np.arange(100.0)), "nan": float("nan"), "t": (1, 2)},
        "one": 1,
    }
    expected = richtypes.dump(value, tmp_path / "a")
    with ThreadPoolExecutor(3) as pool:
        assert richtypes.dump(value, tmp_path / "b", executor=pool) == expected
    with _fork_pool() as pool:
        assert richtypes.dump(value, tmp_path / "c", executor=pool) == expected
    assert richtypes.dump({"x": 1.5}, tmp_path / "d", executor=pool) == {"x": 1.5}


def test_an_invalid_value_names_its_index(tmp_path: Path) -> None:
    class Failing(Histogram):
        def to_json(self, store):
            raise ValidationError("cannot be encoded", value=1, path=("gate",))

    values = [{"h": Histogram([1.0])}] * 3 + [{"bad": [0, Failing([1.0])]}]
    with pytest.raises(
        ValidationError, match=r"^\$\[3\]\.bad\[1\]\.gate: cannot be encoded, got 1$"
    ):
        richtypes.encode_many(values, tmp_path)
    with ThreadPoolExecutor(2) as pool:
        with pytest.raises(
            ValidationError, match=r"^\$\.bad\[1\]\.gate: cannot be encoded, got 1$"
        ):
            richtypes.dump(
                {"ok": Histogram([1.0]), "bad": [0, Failing([1.0])]}, tmp_path, executor=pool
            )


def test_progress_uses_tqdm(values, capsys) -> None:
    pytest.importorskip("tqdm")
    richtypes.encode_many(values[:10], Store("memory://richtypes-test/progress"), progress=True)
    assert "10/10" in capsys.readouterr().err


def test_progress_without_tqdm_prints_a_plain_line(values, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    richtypes.encode_many(values[:10], Store("memory://richtypes-test/plain"), progress=True)
    assert capsys.readouterr().err.endswith("richtypes: encoded 10/10\n")


def test_a_killed_process_worker_fails_the_call_and_a_rerun_completes_it(
    values, serial, tmp_path: Path
) -> None:
    marker = str(tmp_path / "died")
    store = tmp_path / "store"
    poisoned = list(values)
    poisoned[N // 2] = {**values[N // 2], "image": DieOnce(values[N // 2]["image"], marker)}
    with _fork_pool() as pool:
        with pytest.raises(BrokenProcessPool):
            richtypes.encode_many(poisoned, store, executor=pool)
    assert os.path.exists(marker)
    _assert_whole(store)
    with _fork_pool() as pool:
        assert _text(richtypes.encode_many(poisoned, store, executor=pool)) == serial
    _assert_whole(store)


def test_dask_retries_the_work_of_a_killed_worker(values, serial, dask_executor, tmp_path) -> None:
    marker = str(tmp_path / "died")
    poisoned = list(values)
    poisoned[7] = {**values[7], "image": DieOnce(values[7]["image"], marker)}
    docs = richtypes.encode_many(poisoned, tmp_path / "store", executor=dask_executor)
    assert os.path.exists(marker)  # a worker did die
    assert _text(docs) == serial
    _assert_whole(tmp_path / "store")


def test_two_clusters_write_overlapping_content_into_one_bucket(
    values, serial, dask_executor, s3_bucket
) -> None:
    distributed = pytest.importorskip("distributed")
    import s3fs

    url, options = s3_bucket
    expected = json.loads(serial)
    first, second = values[: 3 * N // 4], values[N // 4 :]
    results: dict[str, list] = {}
    with (
        distributed.LocalCluster(
            n_workers=1, processes=True, host="127.0.0.1", dashboard_address=":0", silence_logs=50
        ) as cluster2,
        distributed.Client(cluster2) as client2,
    ):

        def run(name, part, executor) -> None:
            results[name] = richtypes.encode_many(
                part, Store(url, storage_options=options), executor=executor
            )

        threads = [
            threading.Thread(target=run, args=("a", first, dask_executor)),
            threading.Thread(target=run, args=("b", second, client2.get_executor())),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results["a"] == expected[: 3 * N // 4]
    assert results["b"] == expected[N // 4 :]
    fs = s3fs.S3FileSystem(skip_instance_cache=True, **options)
    keys = fs.find(url)
    refs = set()

    def walk(doc) -> None:
        if isinstance(doc, dict):
            if set(doc) == {"path", "digest", "size", "format"}:
                refs.add(doc["path"])
            for item in doc.values():
                walk(item)
        elif isinstance(doc, list):
            for item in doc:
                walk(item)

    walk(expected)
    assert sorted(k.split("/media/", 1)[1] for k in keys) == sorted(refs)
    for key in keys:
        assert blake3.blake3(fs.cat_file(key)).hexdigest() == key.rsplit("/", 1)[1].split(".")[0]


def test_the_scale_benchmark_runs_and_checks_its_documents(capsys) -> None:
    bench = pytest.importorskip("benchmarks.bench_scale")
    bench.main(
        ["--n", "6", "--chunk", "4", "--no-s3", "--only", "1 thread", "--only", "thread pool"]
    )
    out = capsys.readouterr().out
    assert "| local | 1 thread |" in out and "| local | thread pool |" in out


def test_dump_spreads_many_media_on_the_shared_pool_by_default(tmp_path: Path) -> None:
    """The default ("auto") gives the serial document, errors included, and never waits on its own pool."""
    from richtypes.core.parallel import in_shared_pool, shared_pool

    value = {"samples": [coco_like(i)["image"] for i in range(6)], "h": Histogram([1.0, 2.0])}
    serial = richtypes.dump(value, tmp_path / "a", executor=None)
    assert richtypes.dump(value, tmp_path / "b") == serial
    assert not in_shared_pool()
    # on the pool's own threads it stays serial: every thread busy dumping must not deadlock
    pool = shared_pool()
    futures = [
        pool.submit(lambda k: (in_shared_pool(), richtypes.dump(value, tmp_path / f"p{k}")), k)
        for k in range(2 * pool._max_workers)
    ]
    for future in futures:
        inside, doc = future.result(timeout=120)
        assert inside and doc == serial


def test_the_first_bad_media_object_is_named_whichever_finishes_first(tmp_path: Path) -> None:
    class Failing(Histogram):
        def to_json(self, store):
            raise ValidationError("cannot be encoded", value=1, path=("gate",))

    class SlowFailing(Failing):
        def to_json(self, store):
            time.sleep(0.2)  # finishes after the later bad one
            return super().to_json(store)

    value = [Histogram([1.0]), SlowFailing([1.0]), Failing([2.0]), Histogram([3.0])]
    for _ in range(3):
        with pytest.raises(ValidationError, match=r"^\$\[1\]\.gate: cannot be encoded"):
            richtypes.dump(value, tmp_path)
