"""Snapshot at the boundary: arrays are private or copied, whatever memory backs them."""

from __future__ import annotations

import mmap
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import Image, Object3D
from richtypes.core.media import Media
from richtypes.core.snapshot import is_private, snapshot_array


def _readonly(arr: np.ndarray) -> np.ndarray:
    view = arr.view()
    view.flags.writeable = False
    return view


# ------------------------------------------------------------------ backings
# Each backing makes an (n, 3) float32 array from `values` and returns
# (array, mutate): mutate() writes through memory the caller still holds.
Backing = Callable[[np.ndarray], tuple[np.ndarray, Callable[[], None], Any]]


def _ndarray(values: np.ndarray):
    arr = values.copy()
    return arr, lambda: arr.fill(-1), arr


def _view(values: np.ndarray):
    big = np.zeros((values.shape[0] + 2, 3), np.float32)
    big[1:-1] = values
    return big[1:-1], lambda: big.fill(-1), big


def _bytearray(values: np.ndarray):
    buf = bytearray(values.tobytes())
    arr = np.frombuffer(buf, np.float32).reshape(-1, 3)

    def mutate() -> None:
        buf[:] = bytes(len(buf))

    return arr, mutate, buf


def _memoryview(values: np.ndarray):
    owner = values.copy()
    arr = np.asarray(memoryview(owner)).reshape(-1, 3)
    return arr, lambda: owner.fill(-1), owner


def _memoryview_of_bytearray(values: np.ndarray):
    buf = bytearray(values.tobytes())
    view = memoryview(buf)
    arr = np.frombuffer(view, np.float32).reshape(-1, 3)

    def mutate() -> None:
        view[:] = bytes(len(buf))

    return arr, mutate, (buf, view)


def _mmap(values: np.ndarray):
    fh = tempfile.TemporaryFile()
    fh.write(values.tobytes() or b"\0")
    fh.flush()
    mapped = mmap.mmap(fh.fileno(), 0)
    arr = np.frombuffer(mapped, np.float32, count=values.size).reshape(-1, 3)

    def mutate() -> None:
        mapped[:] = bytes(len(mapped))

    return arr, mutate, (fh, mapped)


def _pickle5(values: np.ndarray):
    owner = values.copy()
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(owner, protocol=5, buffer_callback=buffers.append)
    arr = pickle.loads(data, buffers=buffers)
    return arr, lambda: owner.fill(-1), owner


def _readonly_view_of_callers(values: np.ndarray):
    owner = values.copy()
    return _readonly(owner), lambda: owner.fill(-1), owner


BACKINGS: dict[str, Backing] = {
    "ndarray": _ndarray,
    "view": _view,
    "bytearray": _bytearray,
    "memoryview": _memoryview,
    "memoryview_of_bytearray": _memoryview_of_bytearray,
    "mmap": _mmap,
    "pickle5": _pickle5,
    "readonly_view": _readonly_view_of_callers,
}


@pytest.mark.parametrize("backing", BACKINGS)
def test_an_array_the_caller_can_still_write_is_not_private(backing: str) -> None:
    arr, _mutate, _keep = BACKINGS[backing](np.ones((4, 3), np.float32))
    assert not is_private(arr)
    assert not is_private(_readonly(arr))
    copy = snapshot_array(arr)
    assert copy is not arr and is_private(copy) and not copy.flags.writeable
    assert np.array_equal(copy, arr) and copy.dtype == arr.dtype


def test_private_arrays_are_not_copied() -> None:
    owned = np.arange(6.0)
    owned.flags.writeable = False
    temp_view = _readonly(np.arange(6.0))  # its base is held by nothing else
    from_bytes = np.frombuffer(b"\0" * 16, np.float32)  # bytes never change
    from_temp_buffer = _readonly(np.frombuffer(bytearray(16), np.float32))
    for arr in (owned, owned[2:], temp_view, from_bytes, from_temp_buffer):
        assert is_private(arr)
        assert snapshot_array(arr) is arr


def test_a_writable_array_is_never_private() -> None:
    assert not is_private(np.zeros(3))


def test_a_callers_read_only_memmap_is_not_private(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(bytes(12))
    arr = np.memmap(path, dtype=np.float32, mode="r")
    assert not arr.flags.writeable and not is_private(arr)


def test_the_reported_case_a_point_cloud_over_a_bytearray(tmp_path: Path) -> None:
    values = np.array([[0, 0, 0, 10, 20, 30], [1, 2, 3, 40, 50, 60]], np.float32)
    buf = bytearray(values.tobytes())
    cloud = Object3D(np.frombuffer(buf, np.float32).reshape(-1, 6))
    _log_then_mutate(tmp_path, {"cloud": cloud}, lambda: buf.__setitem__(slice(None), b"\xff" * 48))
    rows = richtypes.open_run(tmp_path / "run").history()
    assert rows[1]["cloud"] == Object3D(values)


@settings(max_examples=40, deadline=None)
@given(
    backing=st.sampled_from(sorted(BACKINGS)),
    n=st.integers(0, 40),
    seed=st.integers(0, 2**32 - 1),
    sliced=st.booleans(),
    readonly=st.booleans(),
)
def test_a_snapshot_never_changes_whatever_backs_the_array(
    backing: str, n: int, seed: int, sliced: bool, readonly: bool
) -> None:
    values = np.random.default_rng(seed).random((n, 3), dtype=np.float32)
    arr, mutate, _keep = BACKINGS[backing](values)
    if sliced:
        arr, values = arr[::2], values[::2]
    if readonly:
        arr = _readonly(arr)
    cloud = Object3D(arr)
    snap = cloud._snapshot()
    mutate()
    assert snap == Object3D(values.copy())
    assert snap._snapshot() is snap  # a snapshot holds only private arrays
    with tempfile.TemporaryDirectory() as root:
        (doc,) = richtypes.encode_many([cloud if n == 0 else snap], root)
        assert richtypes.load(doc, root) == Object3D(values.copy())


def test_encode_many_takes_its_snapshot_before_encoding(tmp_path: Path) -> None:
    values = np.random.default_rng(1).random((50, 3), dtype=np.float32)
    buf = values.copy()
    started, release = threading.Event(), threading.Event()

    class Gate(Media):
        _type = "float"

        def to_json(self, store: Any) -> dict[str, Any]:
            started.set()
            release.wait(10)
            return {"_type": "float", "_version": 1, "value": "NaN"}

        def _content(self) -> tuple[Any, ...]:
            return ()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool, ThreadPoolExecutor(1) as encoder:
        values_in = [Gate(), {"cloud": Object3D(buf)}]  # the cloud waits behind the gate
        future = pool.submit(richtypes.encode_many, values_in, tmp_path, executor=encoder)
        started.wait(10)
        buf.fill(-1)  # encode_many was given the values; the caller writes meanwhile
        release.set()
        docs = future.result()
    assert richtypes.load(docs[1], tmp_path)["cloud"] == Object3D(values)


def test_a_decoded_cloud_from_a_memory_mapped_sidecar_is_not_copied(tmp_path: Path) -> None:
    from richtypes.object3d.points import MMAP_MIN_BYTES

    n = MMAP_MIN_BYTES // 12 + 10
    cloud = Object3D(np.random.default_rng(2).random((n, 3), dtype=np.float32))
    back = richtypes.load(richtypes.dump(cloud, tmp_path), tmp_path)
    assert isinstance(back.points, np.memmap)  # read-only map of the sidecar: private
    assert back._snapshot() is back


# ------------------------------------------------------------------- helpers
def _log_then_mutate(tmp_path: Path, row: dict[str, Any], mutate: Callable[[], None]) -> None:
    """Log a gate (holding the worker), then ``row``; mutate right after ``log`` returns."""
    release = threading.Event()

    class Gate(Media):
        _type = "float"  # never decoded as a Gate: only delays the worker

        def to_json(self, store: Any) -> dict[str, Any]:
            release.wait(10)
            return {"_type": "float", "_version": 1, "value": "NaN"}

        def _content(self) -> tuple[Any, ...]:
            return ()

    with richtypes.init(dir=tmp_path / "run") as run:
        run.log({"gate": Gate()})
        run.log(row)
        mutate()
        release.set()


@pytest.mark.parametrize("populate", [True, False])
@pytest.mark.parametrize(
    ("shape", "dtype", "order"),
    [
        ((512, 512, 3), np.uint8, "C"),  # in the mapped range
        ((300, 300), ">u2", "F"),  # big-endian, Fortran-ordered: copied C-ordered, same values
        ((10, 10), np.float32, "C"),  # small: numpy's copy
        ((1100, 1100), np.float32, "C"),  # past 4 MiB: numpy's copy
    ],
)
def test_private_copy_is_an_equal_read_only_private_array(
    monkeypatch, populate, shape, dtype, order
) -> None:
    from richtypes.core import snapshot

    if not populate:
        monkeypatch.setattr(snapshot, "_POPULATE", 0)
    rng = np.random.default_rng(1)
    src = np.asarray(rng.integers(0, 60000, shape), dtype=dtype, order=order)
    before = src.copy()
    out = snapshot.private_copy(src)
    assert out.dtype == src.dtype and out.shape == src.shape and out.flags.c_contiguous
    assert not out.flags.writeable and is_private(out) and not np.shares_memory(out, src)
    mapped = populate and bool(snapshot._POPULATE) and shape == (512, 512, 3)
    assert isinstance(snapshot._links(out)[0], mmap.mmap) == mapped
    src[...] = 0
    np.testing.assert_array_equal(out, before)
    assert snapshot_array(out) is out  # logging it again copies nothing
    back = pickle.loads(pickle.dumps(out))
    np.testing.assert_array_equal(back, before)


def _address(arr: np.ndarray) -> int:
    return int(arr.__array_interface__["data"][0])


@pytest.mark.skipif(not getattr(mmap, "MAP_POPULATE", 0), reason="mapped copies are Linux-only")
def test_a_mapping_is_reused_only_once_no_array_on_it_is_left() -> None:
    from richtypes.core.snapshot import private_copy

    rng = np.random.default_rng(3)
    shape = (301, 401, 3)  # a length no other test copies: this test owns its pool entries
    first, second, third = (rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(3))
    a = private_copy(first)
    where = _address(a)
    view = a[100:]  # a view keeps the memory in use after the array itself is gone
    del a
    b = private_copy(second)
    assert _address(b) != where
    np.testing.assert_array_equal(view, first[100:])
    del view
    c = private_copy(third)  # the first mapping is free again: the copy lands there
    assert _address(c) == where and is_private(c)
    np.testing.assert_array_equal(c, third)
    np.testing.assert_array_equal(b, second)

    image = Image(first)  # an Image's pixels hold their mapping the same way
    held = _address(image.to_numpy())
    d = private_copy(second)
    assert _address(d) != held
    np.testing.assert_array_equal(image.to_numpy(), first)
    del image
    assert _address(private_copy(third)) == held


@pytest.mark.skipif(not getattr(mmap, "MAP_POPULATE", 0), reason="mapped copies are Linux-only")
def test_mapped_copies_on_many_threads_never_share_memory(monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from richtypes.core import snapshot

    length = 299 * 1024  # a length no other test copies
    before = len(snapshot._pool.get(length, []))
    cap = snapshot._pooled_bytes() + 4 * length
    monkeypatch.setattr(snapshot, "_POOL_BYTES", cap)  # four more pooled, the rest not
    sources = [np.full((299, 1024), i, np.uint8) for i in range(40)]

    def copy_check_drop(src: np.ndarray) -> bool:
        out = snapshot.private_copy(src)
        held = [snapshot.private_copy(src) for _ in range(3)]
        return all(np.array_equal(x, src) for x in (out, *held))

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(copy_check_drop, sources * 5))
    assert len(snapshot._pool[length]) <= before + 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_forked_child_copies_with_its_own_pool_even_if_the_lock_was_held() -> None:
    from richtypes.core import snapshot

    src = np.arange(300 * 1024, dtype=np.uint8) % 251
    with snapshot._pool_lock:  # as if another thread were copying at the moment of the fork
        pid = os.fork()
        if pid == 0:  # the child: a copy must neither hang nor land in the parent's mappings
            ok = False
            try:
                out = snapshot.private_copy(src)
                ok = np.array_equal(out, src) and snapshot._pooled_bytes() <= out.nbytes
            finally:
                os._exit(0 if ok else 1)
    for _ in range(300):  # the child gets 30 s, then it is taken for hung
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("private_copy hung in a forked child")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


@pytest.mark.skipif(not getattr(mmap, "MAP_POPULATE", 0), reason="mapped copies are Linux-only")
def test_tracemalloc_counts_private_copies() -> None:
    import tracemalloc

    from richtypes.core import snapshot

    src = np.ones((512, 512, 3), np.uint8)
    tracemalloc.start()
    try:
        out = snapshot.private_copy(src)
        traced, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert traced >= src.nbytes and not isinstance(snapshot._links(out)[0], mmap.mmap)
    assert isinstance(snapshot._links(snapshot.private_copy(src))[0], mmap.mmap)
