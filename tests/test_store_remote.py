"""Stores on object storage: a real S3 API (moto's server on loopback) through s3fs, and memory://."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import blake3
import numpy as np
import pytest

import richtypes
from richtypes import IntegrityError, MissingDependencyError, Store
from richtypes.store import RemoteStore, is_url

s3fs = pytest.importorskip("s3fs")


def _images(n: int) -> dict:
    rng = np.random.default_rng(7)
    return {
        f"im{i}": richtypes.Image(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
        for i in range(n)
    }


def _raw_fs(options: dict) -> s3fs.S3FileSystem:
    return s3fs.S3FileSystem(skip_instance_cache=True, **options)


def test_an_s3_url_gives_a_remote_store(s3_bucket) -> None:
    url, options = s3_bucket
    store = Store(url, storage_options=options, inline_limit=10)
    assert isinstance(store, RemoteStore) and store.is_remote
    assert (store.url, store.inline_limit, repr(store)) == (
        url,
        10,
        f"Store({url!r}, inline_limit=10)",
    )


def test_put_writes_one_object_named_by_its_digest_under_the_prefix(s3_bucket) -> None:
    url, options = s3_bucket
    store = Store(url, storage_options=options)
    ref = store.put_bytes(b"abc", "txt")
    digest = blake3.blake3(b"abc").hexdigest()
    assert ref == {
        "path": f"{digest[:2]}/{digest}.txt",
        "digest": f"blake3:{digest}",
        "size": 3,
        "format": "txt",
    }
    key = url[len("s3://") :] + "/" + ref["path"]
    assert _raw_fs(options).cat_file(key) == b"abc"
    assert store.get_bytes(ref) == b"abc"


def test_an_existing_key_of_the_right_size_is_not_written_again(s3_bucket) -> None:
    url, options = s3_bucket
    ref = Store(url, storage_options=options).put_bytes(b"same bytes", "bin")
    raw, key = _raw_fs(options), url[len("s3://") :] + "/" + ref["path"]
    raw.pipe_file(key, b"SAME BYTES")  # same size: a fresh writer must skip it, not PUT again
    Store(url, storage_options=options).put_bytes(b"same bytes", "bin")
    assert raw.cat_file(key) == b"SAME BYTES"
    raw.pipe_file(key, b"short")  # a wrong size is not the object: it is written again
    Store(url, storage_options=options).put_bytes(b"same bytes", "bin")
    assert raw.cat_file(key) == b"same bytes"


def test_dump_to_s3_equals_a_local_dump_and_loads_back(s3_bucket, tmp_path: Path) -> None:
    url, options = s3_bucket
    value = {"images": _images(3), "h": richtypes.Histogram(np.arange(50.0)), "loss": 0.5}
    remote = Store(url, storage_options=options)
    doc = richtypes.dump(value, remote)
    assert json.dumps(doc) == json.dumps(richtypes.dump(value, tmp_path))
    back = richtypes.load(json.loads(json.dumps(doc)), Store(url, storage_options=options))
    assert back == value
    local_files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*"))
    bucket_files = sorted(k.split("/media/", 1)[1] for k in _raw_fs(options).find(url))
    assert bucket_files == local_files


def test_arrays_and_files_round_trip(s3_bucket, tmp_path: Path) -> None:
    url, options = s3_bucket
    store = Store(url, storage_options=options)
    arr = np.arange(12, dtype=">f4").reshape(3, 4)
    back = store.get_array(store.put_array(arr), mmap=True)
    np.testing.assert_array_equal(back, arr)
    assert not back.flags.writeable
    src = tmp_path / "notes.bin"
    src.write_bytes(bytes(range(256)) * 100)
    ref = store.put_file(src, "bin")
    assert ref == Store(tmp_path / "local").put_file(src, "bin")
    assert store.open_path(ref).read_bytes() == src.read_bytes()


def test_a_remote_store_pickles_by_url_and_reopens(s3_bucket) -> None:
    url, options = s3_bucket
    store = Store(url, storage_options=options)
    ref = store.put_bytes(b"x" * 100, "bin")
    again = pickle.loads(pickle.dumps(store))
    assert again == store and again.get_bytes(ref) == b"x" * 100


def _tamper(options: dict, url: str, ref: dict, data: bytes) -> None:
    _raw_fs(options).pipe_file(url[len("s3://") :] + "/" + ref["path"], data)


def test_reads_check_size_digest_and_presence(s3_bucket) -> None:
    url, options = s3_bucket
    store = Store(url, storage_options=options)
    ref = store.put_bytes(b"0123456789", "bin")
    p = ref["path"]
    _tamper(options, url, ref, b"0123456780")
    with pytest.raises(IntegrityError, match=rf"^sidecar '{p}' does not match its digest "):
        Store(url, storage_options=options).get_bytes(ref)
    _tamper(options, url, ref, b"01234")
    with pytest.raises(
        IntegrityError,
        match=rf"^sidecar '{p}' has 5 bytes, its reference says 10 \(truncated or altered\)$",
    ):
        store.get_bytes(ref)
    _tamper(options, url, ref, b"0123456789-and-more")
    with pytest.raises(
        IntegrityError,
        match=rf"^sidecar '{p}' is larger than the 10 bytes its reference says \(altered\)$",
    ):
        store.get_bytes(ref)
    missing = dict(ref, path="ab/" + "ab" * 32 + ".bin")
    with pytest.raises(
        IntegrityError,
        match=rf"^sidecar '{missing['path']}' is missing from the store at '{url}'$",
    ):
        store.get_bytes(missing)


@pytest.mark.parametrize("path", ["../x.bin", "/abs/x.bin", "a//b.bin", "a/./b.bin", "s3:x.bin"])
def test_reads_refuse_paths_outside_the_prefix(path: str) -> None:
    store = Store("memory://richtypes-test/refuse")
    ref = {"path": path, "digest": "blake3:" + "0" * 64, "size": 1, "format": "bin"}
    with pytest.raises(
        IntegrityError,
        match=rf"^sidecar path '{path}' is not a plain relative path inside the store$",
    ):
        store.get_bytes(ref)


def test_reads_refuse_a_size_above_the_limit_before_fetching() -> None:
    store = Store("memory://richtypes-test/limit", max_sidecar_bytes=100)
    ref = {"path": "ab/" + "ab" * 32 + ".bin", "digest": "blake3:" + "ab" * 32, "size": 101}
    with pytest.raises(
        IntegrityError,
        match=rf"^sidecar '{ref['path']}' claims 101 bytes, above the limit of 100$",
    ):
        store.get_bytes({**ref, "format": "bin"})


def test_memory_and_file_urls(tmp_path: Path) -> None:
    value = {"images": _images(2)}
    mem = Store("memory://richtypes-test/urls")
    doc = richtypes.dump(value, "memory://richtypes-test/urls")
    assert richtypes.load(doc, mem) == value
    local = Store(tmp_path.as_uri())
    assert not local.is_remote and local.root == tmp_path and local.url == tmp_path.as_uri()
    assert richtypes.dump(value, tmp_path.as_uri()) == doc
    assert richtypes.load(doc, local) == value
    assert not (Path.cwd() / "file:").exists()


def test_is_url() -> None:
    assert [
        is_url(x) for x in ("s3://b/p", "gs://b", "memory://x", "C:\\data", "media", "s3:x")
    ] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_a_missing_fsspec_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)
    monkeypatch.setitem(sys.modules, "fsspec.core", None)
    store = Store("memory://richtypes-test/missing")
    with pytest.raises(
        MissingDependencyError,
        match=r"^Store\('memory://richtypes-test/missing'\) needs the optional package 'fsspec'; "
        r"install it with: pip install 'richtypes\[fsspec\]'$",
    ):
        store.put_bytes(b"x", "bin")


def test_a_missing_protocol_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gcsfs", None)
    store = Store("gs://bucket/media")
    with pytest.raises(
        MissingDependencyError,
        match=r"^Store\('gs://bucket/media'\) needs the optional package 'gcsfs'; "
        r"install it with: pip install 'richtypes\[gcs\]'$",
    ):
        store.put_bytes(b"x", "bin")


def test_a_new_object_costs_one_head_and_one_put_and_a_known_one_nothing(s3_bucket) -> None:
    url, options = s3_bucket
    calls: list[str] = []

    def counted(name: str, real):
        def call(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)

        return call

    def spy(store: RemoteStore) -> RemoteStore:
        # the real s3fs client, each request counted on its way to the server
        for name in ("info", "pipe_file", "cat_file"):
            setattr(store.fs, name, counted(name, getattr(store.fs, name)))
        return store

    store = spy(Store(url, storage_options=options, inline_limit=0))
    try:
        ref = store.put_bytes(b"payload", "bin")
        assert calls == ["info", "pipe_file"]
        store.put_bytes(b"payload", "bin")
        assert calls == ["info", "pipe_file"]  # known to this process: no request
    finally:
        for name in ("info", "pipe_file", "cat_file"):
            store.fs.__dict__.pop(name, None)
    calls.clear()
    other = spy(Store(url, storage_options=options))
    try:
        assert other.put_bytes(b"payload", "bin") == ref
        assert calls == ["info"]  # exists with its size: no PUT
        assert other.get_bytes(ref) == b"payload" and "pipe_file" not in calls
    finally:
        for name in ("info", "pipe_file", "cat_file"):
            other.fs.__dict__.pop(name, None)
