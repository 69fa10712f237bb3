"""Hostile stores: special files, odd paths and crafted ``.npy`` headers raise typed errors, fast."""

from __future__ import annotations

import os
import re
from pathlib import Path

import blake3
import numpy as np
import pytest

from richtypes import IntegrityError, Store
from richtypes.codecs.npy import decode_npy
from richtypes.store import local

EMPTY = blake3.blake3(b"").hexdigest()


def _ref(path: str, size: int = 0, digest: str = EMPTY, fmt: str = "npy") -> dict:
    return {"path": path, "digest": f"blake3:{digest}", "size": size, "format": fmt}


def _fifo_store(tmp_path: Path) -> tuple[Store, dict]:
    store = Store(tmp_path)
    (tmp_path / EMPTY[:2]).mkdir()
    os.mkfifo(tmp_path / EMPTY[:2] / f"{EMPTY}.npy")
    return store, _ref(f"{EMPTY[:2]}/{EMPTY}.npy")


@pytest.mark.parametrize("read", ["get_bytes", "get_array", "get_array_mmap", "open_path"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, read: str) -> None:
    store, ref = _fifo_store(tmp_path)
    call = {
        "get_bytes": lambda: store.get_bytes(ref),
        "get_array": lambda: store.get_array(ref),
        "get_array_mmap": lambda: store.get_array(ref, mmap=True),
        "open_path": lambda: store.open_path(ref),
    }[read]
    with pytest.raises(
        IntegrityError, match=rf"^sidecar '{EMPTY[:2]}/{EMPTY}\.npy' is not a regular file$"
    ):
        call()


def test_a_character_device_inside_the_store_is_refused(tmp_path: Path) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    (tmp_path / EMPTY[:2]).mkdir()
    try:
        os.mknod(
            tmp_path / EMPTY[:2] / f"{EMPTY}.png", 0o600 | 0o020000, os.stat("/dev/zero").st_rdev
        )
    except PermissionError:
        pytest.skip("making a device node needs root")
    with pytest.raises(IntegrityError, match=r"is not a regular file$"):
        Store(tmp_path).get_bytes(_ref(f"{EMPTY[:2]}/{EMPTY}.png", fmt="png"))


def test_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / EMPTY[:2] / f"{EMPTY}.npy").mkdir(parents=True)
    with pytest.raises(IntegrityError, match=r"is not a regular file$"):
        Store(tmp_path).get_bytes(_ref(f"{EMPTY[:2]}/{EMPTY}.npy"))


def test_reading_stops_one_byte_past_the_declared_size(tmp_path: Path, monkeypatch) -> None:
    store = Store(tmp_path)
    ref = store.put_bytes(b"hello", "txt")
    with open(tmp_path / ref["path"], "ab") as fh:  # the file grows after it was checked
        fh.write(b"!" * 100_000)
    monkeypatch.setattr(local, "_check_stat", lambda rel, st, size: None)
    with pytest.raises(
        IntegrityError, match=r"^sidecar '.*\.txt' has 6 bytes, its reference says 5$"
    ):
        store.get_bytes(ref)


@pytest.mark.parametrize(
    ("rel", "problem"),
    [
        ("ab/file.npy/inner.npy", "cannot be read: Not a directory"),
        ("ab/" + "x" * 300 + ".npy", "cannot be read: File name too long"),
        ("ab/nul\0.npy", "is not a plain relative path inside the store"),
    ],
)
def test_odd_paths_are_integrity_errors(tmp_path: Path, rel: str, problem: str) -> None:
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / "file.npy").write_bytes(b"x")
    with pytest.raises(IntegrityError, match=r"^sidecar (path )?'.*' " + re.escape(problem) + "$"):
        Store(tmp_path).get_bytes(_ref(rel, size=1))


def _npy(header: str, body: bytes = b"") -> bytes:
    raw = header.encode("latin1")
    raw += b" " * ((64 - (10 + len(raw) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(raw).to_bytes(2, "little") + raw + body


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
            r"is not a valid \.npy file: shape \(4294967296, 4294967296\) has more than 2\*\*62 elements$",
        ),
        (
            "{'descr': '|V0', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
            r"is not a valid \.npy file: its dtype \|V0 has items of zero bytes",
        ),
        (
            "{'descr': '|S0', 'fortran_order': False, 'shape': (3,), }",
            r"is not a valid \.npy file: its dtype \|S0 has items of zero bytes",
        ),
        (
            "{'descr': '<u1', 'fortran_order': False, 'shape': (99999999999999999999999, 0), }",
            r"is not a valid \.npy file: shape \(99999999999999999999999, 0\) has more than 2\*\*62 elements$",
        ),
        (
            "{'descr': [('a', '<f8', (1099511627776, 1099511627776))], 'fortran_order': False, 'shape': (1,), }",
            r"is not a valid \.npy file: bad descr \(ValueError\)",
        ),
        (
            "{'descr': [" + "[" * 5000 + "]" * 5000 + "], 'fortran_order': False, 'shape': (3,), }",
            r"is not a valid \.npy file: bad descr",
        ),
    ],
)
def test_hostile_npy_headers_raise_integrity_errors(header: str, problem: str) -> None:
    with pytest.raises(IntegrityError, match=r"^sidecar 'x\.npy' " + problem):
        decode_npy(_npy(header), where="x.npy")


def test_a_valid_npy_still_decodes() -> None:
    arr = np.arange(6, dtype="<i4").reshape(2, 3)
    head = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }"
    assert np.array_equal(decode_npy(_npy(head, arr.tobytes())), arr)
