"""The sidecar store: content addressing, atomic writes, and hostile stores."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import blake3
import numpy as np
import pytest

from richtypes import FormatError, IntegrityError, Store
from richtypes.codecs.npy import decode_npy as npy_from_bytes


def test_put_bytes_names_the_file_by_its_blake3_digest(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ref = store.put_bytes(b"abc", "txt")
    digest = blake3.blake3(b"abc").hexdigest()
    assert ref == {
        "path": f"{digest[:2]}/{digest}.txt",
        "digest": f"blake3:{digest}",
        "size": 3,
        "format": "txt",
    }
    assert (tmp_path / ref["path"]).read_bytes() == b"abc"


def test_identical_bytes_are_stored_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = store.put_bytes(b"same", "bin")
    second = store.put_bytes(bytearray(b"same"), "bin")
    assert first == second
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [Path(first["path"]).name]


def test_jpeg_format_gets_the_jpg_extension(tmp_path: Path) -> None:
    assert Store(tmp_path).put_bytes(b"\xff\xd8", "jpeg")["path"].endswith(".jpg")


@pytest.mark.parametrize("dtype", ["<f4", ">f4", "<i8", ">u2", "bool", "<f2", "<c16"])
def test_put_array_writes_little_endian_npy_that_numpy_opens(tmp_path: Path, dtype: str) -> None:
    arr = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    store = Store(tmp_path)
    ref = store.put_array(arr)
    on_disk = np.load(tmp_path / ref["path"], allow_pickle=False)
    np.testing.assert_array_equal(on_disk, arr)
    assert on_disk.dtype.byteorder in ("<", "|", "=")
    back = store.get_array(ref)
    np.testing.assert_array_equal(back, arr)
    assert not back.flags.writeable


def test_put_array_of_a_non_contiguous_view_and_empty_array(tmp_path: Path) -> None:
    store = Store(tmp_path)
    arr = np.arange(20.0).reshape(4, 5)[:, ::2]
    np.testing.assert_array_equal(store.get_array(store.put_array(arr)), arr)
    empty = np.zeros((0, 3), np.float32)
    back = store.get_array(store.put_array(empty))
    assert back.shape == (0, 3) and back.dtype == np.float32


def test_get_array_can_memory_map_after_checking_the_digest(tmp_path: Path) -> None:
    store = Store(tmp_path)
    arr = np.random.default_rng(0).random((100, 6), dtype=np.float32)
    ref = store.put_array(arr)
    mapped = store.get_array(ref, mmap=True)
    assert isinstance(mapped, np.memmap)
    np.testing.assert_array_equal(mapped, arr)
    path = tmp_path / ref["path"]
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(IntegrityError, match="does not match its digest"):
        store.get_array(ref, mmap=True)


def test_object_arrays_are_refused_on_write(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="object arrays cannot be stored"):
        Store(tmp_path).put_array(np.array([{"a": 1}], dtype=object))


# ------------------------------------------------------------------ hostile stores
def _ref_to(store: Store, rel: str, data: bytes) -> dict:
    return {
        "path": rel,
        "digest": "blake3:" + blake3.blake3(data).hexdigest(),
        "size": len(data),
        "format": "bin",
    }


@pytest.mark.parametrize(
    "rel",
    [
        "../outside.bin",
        "a/../../outside.bin",
        "/etc/passwd",
        "a\\..\\b",
        "./x.bin",
        "a//b",
        "C:/x",
        "",
    ],
)
def test_paths_that_are_not_plain_relative_paths_are_refused(tmp_path: Path, rel: str) -> None:
    store = Store(tmp_path / "store")
    (tmp_path / "outside.bin").write_bytes(b"secret")
    with pytest.raises(IntegrityError, match="is not a plain relative path inside the store"):
        store.get_bytes(_ref_to(store, rel, b"secret"))


def test_a_symlink_pointing_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (tmp_path / "secret.bin").write_bytes(b"secret")
    os.symlink(tmp_path / "secret.bin", root / "link.bin")
    with pytest.raises(IntegrityError, match="resolves outside the store root"):
        Store(root).get_bytes(_ref_to(Store(root), "link.bin", b"secret"))
    os.symlink(tmp_path, root / "dir")
    with pytest.raises(IntegrityError, match="resolves outside the store root"):
        Store(root).get_bytes(_ref_to(Store(root), "dir/secret.bin", b"secret"))


def test_digest_mismatch_is_an_integrity_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ref = store.put_bytes(b"original", "bin")
    (tmp_path / ref["path"]).write_bytes(b"tampered")  # same size, other bytes
    with pytest.raises(IntegrityError, match="does not match its digest"):
        store.get_bytes(ref)


def test_truncated_sidecar_is_an_integrity_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ref = store.put_array(np.arange(1000))
    path = tmp_path / ref["path"]
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(
        IntegrityError, match=r"has \d+ bytes, its reference says \d+ \(truncated or altered\)"
    ):
        store.get_array(ref)


def test_missing_sidecar_is_an_integrity_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ref = store.put_bytes(b"x", "bin")
    (tmp_path / ref["path"]).unlink()
    with pytest.raises(IntegrityError, match="is missing from the store"):
        store.get_bytes(ref)


def test_oversized_reference_is_refused_before_reading(tmp_path: Path) -> None:
    store = Store(tmp_path, max_sidecar_bytes=10)
    ref = store.put_bytes(b"0123456789ABC", "bin")
    with pytest.raises(IntegrityError, match="claims 13 bytes, above the limit of 10"):
        store.get_bytes(ref)


def test_unknown_digest_algorithm_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ref = dict(store.put_bytes(b"x", "bin"), digest="md5:abc")
    with pytest.raises(IntegrityError, match="unsupported digest 'md5:abc'"):
        store.get_bytes(ref)


def test_sha256_references_are_still_readable(tmp_path: Path) -> None:
    import hashlib

    (tmp_path / "f.bin").write_bytes(b"legacy")
    ref = {
        "path": "f.bin",
        "digest": "sha256:" + hashlib.sha256(b"legacy").hexdigest(),
        "size": 6,
        "format": "bin",
    }
    assert Store(tmp_path).get_bytes(ref) == b"legacy"


@pytest.mark.parametrize(
    "ref",
    [
        None,
        [],
        {"path": 1, "digest": "x", "size": 1, "format": "bin"},
        {"path": "a", "digest": "x", "size": -1, "format": "bin"},
        {"path": "a", "digest": "x", "size": True, "format": "bin"},
    ],
)
def test_malformed_references_are_format_errors(tmp_path: Path, ref: object) -> None:
    with pytest.raises(FormatError, match="sidecar reference"):
        Store(tmp_path).get_bytes(ref)  # type: ignore[arg-type]


def test_npy_holding_pickled_objects_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    store = Store(tmp_path)
    ref = store.put_bytes(buf.getvalue(), "npy")
    with pytest.raises(
        IntegrityError, match="holds Python objects \\(pickle\\); refusing to load it"
    ):
        store.get_array(ref)
    with pytest.raises(IntegrityError, match="holds Python objects"):
        store.get_array(ref, mmap=True)


def test_npy_whose_header_promises_more_data_than_it_has_is_refused() -> None:
    buf = io.BytesIO()
    np.save(buf, np.arange(10, dtype=np.int64))
    with pytest.raises(IntegrityError, match="should hold 80 bytes of array data"):
        npy_from_bytes(buf.getvalue()[:-8])


def test_garbage_is_not_a_npy_file() -> None:
    with pytest.raises(IntegrityError, match="is not a valid .npy file"):
        npy_from_bytes(b"not an npy file at all")


# ------------------------------------------------------------------ concurrency and crashes
def _write_many(root: str, seed: int) -> list[dict]:
    store = Store(root)
    rng = np.random.default_rng(seed % 3)  # writers share some arrays on purpose
    return [store.put_array(rng.random(5000)) for _ in range(20)]


def test_several_processes_writing_one_store_lose_nothing(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_write_many, [str(tmp_path)] * 6, range(6)))
    store = Store(tmp_path)
    for refs in results:
        for ref in refs:
            assert store.get_array(ref).shape == (5000,)
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_threads_writing_the_same_bytes_at_once_agree(tmp_path: Path) -> None:
    store = Store(tmp_path)
    data = os.urandom(1 << 20)
    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(lambda _: store.put_bytes(data, "bin"), range(16)))
    assert all(ref == refs[0] for ref in refs)
    assert store.get_bytes(refs[0]) == data


@pytest.mark.parametrize(
    "count", [1_000_000, 3_000_000], ids=["hash-then-write", "hash-while-writing"]
)
def test_a_writer_killed_before_the_rename_leaves_no_referenced_partial_file(
    tmp_path: Path, count: int
) -> None:
    """Kill a real process between the temporary write and the rename (both write paths)."""
    script = textwrap.dedent(
        f"""
        import os, numpy as np, richtypes
        from richtypes.store import Store
        real_replace = os.replace
        def die(src, dst):
            if str(dst).endswith(".npy"):
                os._exit(9)  # the process dies with the temporary file fully written, not renamed
            return real_replace(src, dst)
        os.replace = die
        store = Store({str(tmp_path / "store")!r})
        ref = store.put_array(np.arange({count}, dtype=np.float32))
        print("unreachable", ref)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 9, proc.stderr
    assert "unreachable" not in proc.stdout
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert files and all(p.name.startswith(".tmp-") for p in files), files
    # A later writer of the same array completes normally and its reference verifies.
    store = Store(tmp_path / "store")
    ref = store.put_array(np.arange(count, dtype=np.float32))
    assert store.get_array(ref)[-1] == count - 1


def test_fsync_mode_writes_the_same_files(tmp_path: Path) -> None:
    plain = Store(tmp_path / "a").put_bytes(b"data", "bin")
    synced = Store(tmp_path / "b", fsync=True).put_bytes(b"data", "bin")
    assert plain == synced
    assert (tmp_path / "b" / synced["path"]).read_bytes() == b"data"


def test_put_file_streams_a_path_or_file_object_to_the_same_reference(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # several stream chunks
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    store = Store(tmp_path / "store")
    by_path = store.put_file(src, "bin")
    with open(src, "rb") as fh:
        by_file = store.put_file(fh, "bin")
    assert by_path == by_file == store.put_bytes(data, "bin")
    assert store.get_bytes(by_path) == data
    assert not list((tmp_path / "store").rglob(".tmp-*"))


def test_put_file_refuses_a_text_mode_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("hello")
    store = Store(tmp_path / "store")
    with (
        open(tmp_path / "t.txt", encoding="utf-8") as fh,
        pytest.raises(TypeError, match="needs a binary file object"),
    ):
        store.put_file(fh, "txt")
    assert not list((tmp_path / "store").rglob(".tmp-*"))


def test_large_payloads_hashed_while_written_give_the_same_reference_and_dedupe(
    tmp_path: Path,
) -> None:
    from richtypes.store.local import PARALLEL_HASH_BYTES

    arr = np.random.default_rng(5).random(PARALLEL_HASH_BYTES // 8 + 100)
    store = Store(tmp_path / "a")
    first = store.put_array(arr)
    second = store.put_array(arr)
    assert first == second
    assert (
        first["digest"]
        == "blake3:" + blake3.blake3((tmp_path / "a" / first["path"]).read_bytes()).hexdigest()
    )
    files = [p for p in (tmp_path / "a").rglob("*") if p.is_file()]
    assert files == [tmp_path / "a" / first["path"]]
    np.testing.assert_array_equal(store.get_array(first), arr)


@pytest.mark.parametrize("iov_max", [1024, 3])
def test_put_chunks_writes_every_byte_through_short_vector_writes(
    tmp_path: Path, monkeypatch, iov_max: int
) -> None:
    from richtypes.store import local

    calls: list[int] = []

    def short_writev(fd: int, buffers: list) -> int:  # at most 7 bytes a call, as a full pipe would
        calls.append(len(buffers))
        assert len(buffers) <= iov_max
        return os.write(fd, b"".join(bytes(b) for b in buffers)[:7])

    monkeypatch.setattr(local, "_WRITEV", short_writev)
    monkeypatch.setattr(local, "_IOV_MAX", iov_max)
    chunks = [b"head", b"", bytearray(b"x" * 30), memoryview(b"0123456789"), b"y", b"tail" * 5]
    ref = Store(tmp_path).put_chunks(chunks, "bin")
    assert (tmp_path / ref["path"]).read_bytes() == b"".join(bytes(c) for c in chunks)
    assert calls and max(calls) <= iov_max
