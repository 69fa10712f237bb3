"""Faults under a running run: disk full, files deleted underneath, long runs, sync points."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

import richtypes
from richtypes import HistoryWriteError
from richtypes.runlog import history as history_module
from richtypes.runlog import run as run_module


def _rows(run_dir: Path) -> list[dict]:
    return [
        {k: row[k] for k in row if not k.startswith("_")}
        for row in richtypes.open_run(run_dir).history()
    ]


def _steps(run_dir: Path) -> list[int]:
    return [row.step for row in richtypes.open_run(run_dir).history()]


def test_a_failed_append_is_cut_back_and_raised_at_the_next_log(tmp_path, monkeypatch) -> None:
    real_write = os.write
    calls = {"n": 0}

    def short_then_enospc(fd: int, data) -> int:
        calls["n"] += 1
        if calls["n"] == 1:  # half of the row lands, then the disk is full
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    run = richtypes.init(dir=tmp_path / "run")
    run.log({"x": 0}, sync=True)
    monkeypatch.setattr(history_module.os, "write", short_then_enospc)
    run.log({"x": 1})
    run._worker.flush()
    monkeypatch.setattr(history_module.os, "write", real_write)
    with pytest.raises(
        HistoryWriteError,
        match=r"^could not append step 1 to '.*history\.jsonl' \(No space left on device\); "
        r"it is lost, the file keeps every row before it$",
    ):
        run.log({"x": 2})
    run.log({"x": 3})
    run.finish()
    assert (tmp_path / "run" / "history.jsonl").read_bytes().endswith(b"\n")
    assert _steps(tmp_path / "run") == [0, 2]  # the log that raised logged nothing
    assert [r["x"] for r in _rows(tmp_path / "run")] == [0, 3]


def test_a_failed_append_is_raised_by_finish(tmp_path, monkeypatch) -> None:
    def enospc(fd: int, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    run = richtypes.init(dir=tmp_path / "run")
    monkeypatch.setattr(history_module.os, "write", enospc)
    run.log({"x": 1})
    with pytest.raises(HistoryWriteError, match=r"^could not append step 0 to"):
        run.finish()
    assert run.status == "failed"
    assert richtypes.open_run(tmp_path / "run").history() == []


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 1 MiB tmpfs (needs root and mount rights: CI has both)."""
    mnt = tmp_path / "tmpfs"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real disk-full test mounts a 1 MiB tmpfs, which needs root")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_on_a_small_tmpfs_loses_only_the_rows_that_did_not_fit(small_tmpfs) -> None:
    run_dir = small_tmpfs / "run"
    run = richtypes.init(dir=run_dir)
    run.log({"step_text": "a" * 1000}, sync=True)
    filler = small_tmpfs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last byte
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    failed = 0
    for i in range(20):  # rows of 30 KB cannot fit now
        try:
            run.log({"step_text": str(i) * 30_000}, sync=True)
        except HistoryWriteError:
            failed += 1
    assert failed >= 1
    filler.unlink()  # space comes back: later rows are written and readable
    run.log({"step_text": "after"}, sync=True)
    run.finish()
    rows = _rows(run_dir)
    assert rows[0]["step_text"] == "a" * 1000 and rows[-1]["step_text"] == "after"
    assert (run_dir / "history.jsonl").read_bytes().endswith(b"\n")
    assert richtypes.open_run(run_dir).status == "finished"


def test_history_deleted_while_the_run_is_open_is_detected(tmp_path) -> None:
    run = richtypes.init(dir=tmp_path / "run")
    run.log({"x": 0}, sync=True)
    (tmp_path / "run" / "history.jsonl").unlink()
    with pytest.raises(
        HistoryWriteError,
        match=r"^'.*history\.jsonl' was deleted or replaced while the run was open: the rows "
        r"written before are gone from it; step 1 and later rows go to the new file$",
    ):
        run.log({"x": 1}, sync=True)
    run.log({"x": 2})
    run.finish()
    assert [r["x"] for r in _rows(tmp_path / "run")] == [1, 2]


def test_history_replaced_while_the_run_is_open_is_detected(tmp_path) -> None:
    run = richtypes.init(dir=tmp_path / "run")
    run.log({"x": 0}, sync=True)
    path = tmp_path / "run" / "history.jsonl"
    path.rename(tmp_path / "moved.jsonl")
    path.write_bytes(b"")
    run.log({"x": 1})
    with pytest.raises(HistoryWriteError, match=r"was deleted or replaced while the run was open"):
        run.finish()
    assert [r["x"] for r in _rows(tmp_path / "run")] == [1]


def test_media_folder_deleted_while_the_run_is_open_is_made_again(tmp_path) -> None:
    run = richtypes.init(dir=tmp_path / "run", inline_limit=0)
    rng = np.random.default_rng(0)
    values = [richtypes.Image(rng.integers(0, 255, (8, 8, 3), np.uint8)) for _ in range(30)]
    for h in values[:10]:
        run.log({"h": h}, sync=True)
    shutil.rmtree(tmp_path / "run" / "media")
    for h in values[10:]:
        run.log({"h": h})
    run.finish()
    rows = richtypes.open_run(tmp_path / "run").history()
    assert len(rows) == len(values)
    for row, h in zip(rows[10:], values[10:]):
        assert np.array_equal(row["h"].to_numpy(), h.to_numpy())


def test_the_run_keeps_a_bounded_number_of_timings(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(run_module, "_TIMINGS_KEPT", 16)
    with richtypes.init(dir=tmp_path / "run") as run:
        for i in range(200):
            run.log({"x": i})
    assert len(run._timings) == 16
    assert [step for step, _ in run._timings] == list(range(184, 200))


def test_sync_log_puts_the_row_on_disk_before_returning(tmp_path) -> None:
    run = richtypes.init(dir=tmp_path / "run")
    run._worker.submit(lambda: time.sleep(0.2))  # the worker is busy: a sync log must wait
    run.log({"x": 1}, sync=True)
    assert [r["x"] for r in _rows(tmp_path / "run")] == [1]
    run.log({"x": 2})
    run.flush()
    assert [r["x"] for r in _rows(tmp_path / "run")] == [1, 2]
    run.finish()
