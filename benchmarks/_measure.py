"""Timing, memory and bytes-written measurement for one job.

A :class:`Job` is one way of doing a workload's work to disk: richtypes, a raw
baseline, or a peer SDK. :func:`measure` runs it in fresh temporary
directories and returns a JSON-ready dict:

- ``encode_s``: median wall time of the timed encode runs (``time.perf_counter``),
  after one untimed warm-up run; ``encode_runs`` lists every timed run.
- ``decode_s``: the same for decoding what the last encode wrote.
- ``bytes`` / ``files``: what one encode left on disk (every file, JSON included).
- ``peak_traced_bytes`` (:func:`memory_profile`): the ``tracemalloc`` peak
  during one extra, untimed encode run made after every timed run of the
  process: Python objects and numpy buffers (numpy reports its allocations to
  tracemalloc), not memory malloc'ed inside C libraries (Pillow, blake3,
  ffmpeg, wandb-core).
- ``peak_rss_bytes``: the growth of the process's peak resident set (``VmHWM``
  in ``/proc/self/status``, reset through ``/proc/self/clear_refs``) during
  that same run, with glibc set to hand large freed blocks back to the OS
  (``mallopt``) so earlier runs' freed memory is not silently reused: every
  allocation, C libraries included. ``None`` where this is unavailable.
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import tempfile
import time
import traceback
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Job", "Unavailable", "measure", "memory_profile", "dir_size"]

#: A job stops repeating once its timed runs add up to this many seconds (at least one run).
TIME_BUDGET_S = 12.0
#: Short jobs run on until they have this many seconds of runs (up to 3x ``repeats`` runs): a 10 ms
#: case is hit much harder by a noisy neighbour than a 100 ms one (five runs of W6 gave 10.2, 10.3,
#: 9.8, 6.7 and 6.6 ms, so the median was a slow run), and more runs cost them little.
SHORT_BUDGET_S = 0.3


def _more_runs(runs: list[float], repeats: int) -> bool:
    """Whether to time another run: ``repeats`` at least, more for short jobs, none past the budget."""
    if sum(runs) > TIME_BUDGET_S:
        return False
    return len(runs) < repeats or (len(runs) < 3 * repeats and sum(runs) < SHORT_BUDGET_S)


@dataclass
class Job:
    """One way of doing a workload's work.

    Parameters
    ----------
    name:
        Shown in tables ("PNG level 1", "richtypes", "wandb").
    encode:
        ``encode(out_dir) -> handle``: do the whole work (construct and write to
        ``out_dir``, an empty directory). Inputs are bound in the closure.
    decode:
        ``decode(out_dir, handle) -> value``: read it back. ``None`` when the
        job has no read path.
    check:
        ``check(value) -> bool``: whether the decoded value equals the input
        (run once, untimed).
    written:
        ``written(out_dir, handle) -> (bytes, files)`` when the job writes
        outside ``out_dir`` (a peer SDK with its own run directory).
    note:
        A short remark carried into the results.
    """

    name: str
    encode: Callable[[Path], Any]
    decode: Callable[[Path, Any], Any] | None = None
    check: Callable[[Any], bool] | None = None
    written: Callable[[Path, Any], tuple[int, int]] | None = None
    note: str = ""
    decode_note: str = ""


@dataclass
class Unavailable:
    """A job that cannot run here, and why."""

    name: str
    reason: str
    status: str = "not available"
    extra: dict[str, Any] = field(default_factory=dict)

    def result(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "reason": self.reason, **self.extra}


def dir_size(path: Path) -> tuple[int, int]:
    """Total bytes and number of regular files under ``path``."""
    total = files = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(dirpath, name)
            if os.path.isfile(full) and not os.path.islink(full):
                total += os.path.getsize(full)
                files += 1
    return total, files


def _read_status(key: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class _Scratch:
    """Fresh empty directories under one temporary root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.n = 0

    def fresh(self) -> Path:
        self.n += 1
        path = self.root / f"run{self.n:03d}"
        path.mkdir()
        return path


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _malloc_release_mode() -> bool:
    """Make glibc return large freed blocks to the OS at once (fixed mmap threshold), so RSS deltas mean something.

    Called only after every timed run of the process: it changes allocation
    costs. Returns whether it took effect.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_MMAP_THRESHOLD, M_TRIM_THRESHOLD = -3, -1
        ok = (
            libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1
            and libc.mallopt(M_TRIM_THRESHOLD, 128 * 1024) == 1
        )
        libc.malloc_trim(0)
        return bool(ok)
    except (OSError, AttributeError):
        return False


def memory_profile(job: Job | Unavailable, *, workdir: Path) -> dict[str, Any]:
    """Peak memory of one untimed encode run: tracemalloc peak and peak-RSS growth.

    Run it after all timed runs of the process (see :func:`_malloc_release_mode`).
    """
    if isinstance(job, Unavailable):
        return {}
    root = Path(tempfile.mkdtemp(prefix="mem-", dir=workdir))
    try:
        released = _malloc_release_mode()
        out_dir = root / "run"
        out_dir.mkdir()
        gc.collect()
        can_reset = _reset_peak_rss()
        rss_before = _read_status("VmRSS")
        tracemalloc.start()
        try:
            job.encode(out_dir)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        hwm = _read_status("VmHWM")
        usable = can_reset and released and hwm is not None and rss_before is not None
        rss = max(0, hwm - rss_before) if usable else None  # type: ignore[operator]
        return {"peak_traced_bytes": int(peak), "peak_rss_bytes": rss}
    except Exception as exc:  # noqa: BLE001
        return {"memory_error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure(job: Job | Unavailable, *, repeats: int, workdir: Path) -> dict[str, Any]:
    """Run ``job`` (warm-up, timed encodes, timed decodes) and return its results (memory: :func:`memory_profile`).

    Never raises for a failing job: the error is recorded in ``status``/``reason``.
    """
    if isinstance(job, Unavailable):
        return job.result()
    result: dict[str, Any] = {"name": job.name, "status": "ok"}
    if job.note:
        result["note"] = job.note
    root = Path(tempfile.mkdtemp(prefix="job-", dir=workdir))
    scratch = _Scratch(root)
    try:
        warm_dir = scratch.fresh()
        warm_s, _ = _timed(lambda: job.encode(warm_dir))
        shutil.rmtree(warm_dir, ignore_errors=True)
        runs: list[float] = []
        last_dir: Path | None = None
        handle: Any = None
        while not runs or _more_runs(runs, repeats):
            out_dir = scratch.fresh()
            seconds, out = _timed(lambda out_dir=out_dir: job.encode(out_dir))
            runs.append(seconds)
            if last_dir is not None:
                shutil.rmtree(last_dir, ignore_errors=True)
            last_dir, handle = out_dir, out
        result["encode_s"] = statistics.median(runs)
        result["encode_runs"] = runs
        result["warmup_s"] = warm_s
        assert last_dir is not None
        if job.written is not None:
            result["bytes"], result["files"] = job.written(last_dir, handle)
        else:
            result["bytes"], result["files"] = dir_size(last_dir)
        if job.decode is not None:
            decode = job.decode
            decode(last_dir, handle)  # warm-up
            druns: list[float] = []
            value: Any = None
            while not druns or _more_runs(druns, repeats):
                seconds, value = _timed(lambda: decode(last_dir, handle))
                druns.append(seconds)
            result["decode_s"] = statistics.median(druns)
            result["decode_runs"] = druns
            if job.check is not None:
                result["roundtrip_equal"] = bool(job.check(value))
        if job.decode_note:
            result["decode_note"] = job.decode_note
    except Exception as exc:  # a broken job is a result, not a crash of the suite
        result["status"] = "error"
        result["reason"] = f"{type(exc).__name__}: {exc}"[:500]
        result["traceback"] = traceback.format_exc(limit=6)[-2000:]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return result
