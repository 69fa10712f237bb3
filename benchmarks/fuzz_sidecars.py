"""Fuzz the sidecar parsers: mutate the bytes of every fixture's sidecars and decode them.

    nice -n 19 python -m benchmarks.fuzz_sidecars --cases 100000 --seed 1 --out fuzz.json

Each case takes one golden fixture (``fixtures/<type>/v<N>/<case>``), picks one
of its sidecars, mutates its bytes (bit flips, byte overwrites with boundary
values, 32-bit integer overwrites, insertions, deletions, truncation, chunk
duplication), stores the result under its own content address (so the digest
and size checks pass and the parser itself is reached), points the document at
it, then calls ``load`` and every accessor that decodes payloads
(``to_numpy``, ``to_trimesh``, ``to_pandas``, ``to_pil`` ...) and ``dump`` again.

Outcomes: ``ok`` (decoded), ``typed`` (a :class:`~richtypes.RichTypesError`),
``untyped`` (anything else: a bug), ``hang`` (over ``--timeout`` seconds) and
``memory`` (a ``MemoryError`` under the ``--max-rss`` address-space cap). The
report groups untyped exceptions by type and the innermost richtypes frame, and
gives the worker's peak RSS.
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
_BOUNDARY = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]
_INT32 = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFF, 0x10000, 2**24]
_ACCESSORS = ("to_numpy", "to_trimesh", "to_pandas", "to_pil", "to_box_data", "to_vega_lite")


class Hang(Exception):
    """A case ran over its time limit."""


def _refs(doc: Any, path: tuple = ()) -> list[tuple[tuple, dict[str, Any]]]:
    """Every sidecar reference in ``doc`` with its path."""
    out: list[tuple[tuple, dict[str, Any]]] = []
    if isinstance(doc, dict):
        if {"path", "digest", "size", "format"} <= doc.keys() and isinstance(doc["path"], str):
            out.append((path, doc))
        for key, value in doc.items():
            out.extend(_refs(value, path + (key,)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.extend(_refs(value, path + (i,)))
    return out


def load_seeds(fixtures: Path = FIXTURES) -> list[dict[str, Any]]:
    """The fixtures that have sidecars: ``{"name", "folder", "doc", "refs"}``."""
    seeds = []
    for doc_path in sorted(fixtures.glob("*/v*/*/doc.json")):
        doc = json.loads(doc_path.read_text(encoding="utf-8"))
        refs = _refs(doc)
        if refs:
            seeds.append(
                {
                    "name": doc_path.parent.relative_to(fixtures).as_posix(),
                    "folder": doc_path.parent,
                    "doc": doc,
                    "refs": refs,
                }
            )
    return seeds


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random mutations of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3, 4))):
        kind = rng.randrange(8)
        n = len(buf)
        # Headers hold most of the structure: aim half of the edits at the first 64 bytes.
        pos = rng.randrange(min(n, 64)) if n and rng.random() < 0.5 else rng.randrange(max(n, 1))
        if kind == 0 and n:  # bit flip
            buf[pos] ^= 1 << rng.randrange(8)
        elif kind == 1 and n:  # boundary byte
            buf[pos] = rng.choice(_BOUNDARY)
        elif kind == 2 and n >= 4:  # 32-bit boundary integer, either byte order
            pos = min(pos, n - 4)
            value = rng.choice(_INT32)
            buf[pos : pos + 4] = value.to_bytes(4, rng.choice(("little", "big")))
        elif kind == 3:  # insert random bytes
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        elif kind == 4 and n:  # delete a run
            del buf[pos : pos + rng.randrange(1, 9)]
        elif kind == 5 and n:  # truncate
            del buf[rng.randrange(n) :]
        elif kind == 6 and n:  # duplicate a chunk
            end = min(n, pos + rng.randrange(1, 65))
            buf[pos:pos] = buf[pos:end]
        elif n:  # ASCII digit edit (text headers: .npy dict, OBJ, HTML, msgpack lengths)
            buf[pos] = rng.choice(b"0123456789-.e,()[]{}'")
    return bytes(buf)


def _set(doc: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def _exercise(value: Any, depth: int = 0) -> None:
    """Call every decoding accessor on a decoded nest."""
    from richtypes.core.media import Media

    if depth > 70:
        return
    if isinstance(value, dict):
        for item in value.values():
            _exercise(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _exercise(item, depth + 1)
    elif isinstance(value, Media):
        for name in _ACCESSORS:
            method = getattr(value, name, None)
            if method is None or (name == "to_trimesh" and getattr(value, "mesh_bytes", 1) is None):
                continue  # a point cloud has no mesh: its AttributeError says so on purpose
            try:
                method()
            except Exception as exc:
                from richtypes import MissingDependencyError

                if isinstance(exc, MissingDependencyError):
                    continue
                raise


def _where(exc: BaseException) -> str:
    """The innermost frame inside the richtypes package (else the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/richtypes/" in f.filename.replace("\\", "/")]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    name = frame.filename.replace("\\", "/")
    name = name[name.rfind("/richtypes/") + 1 :] if "/richtypes/" in name else Path(name).name
    return f"{name}:{frame.lineno} {frame.name}"


def run_case(
    seed: dict[str, Any],
    store_root: Path,
    scratch: Path,
    rng: random.Random,
    show: bool = False,
) -> tuple[str, str]:
    """Run one case; return ``(outcome, detail)``."""
    import richtypes
    from richtypes import RichTypesError
    from richtypes.store.local import Store

    path, ref = rng.choice(seed["refs"])
    original = (seed["folder"] / ref["path"]).read_bytes()
    mutated = mutate(original, rng)
    store = Store(store_root)
    suffix = ref["path"].rsplit(".", 1)[-1]
    new_ref = store.put_bytes(mutated, ref["format"], ext=suffix)
    doc = copy.deepcopy(seed["doc"])
    if path:
        _set(doc, path, new_ref)
    else:
        doc = new_ref
    written = store_root / new_ref["path"]
    keep = (seed["folder"] / new_ref["path"]).exists()
    try:
        value = richtypes.load(doc, store)
        _exercise(value)
        richtypes.dump(value, scratch)
        return "ok", ""
    except RichTypesError:
        return "typed", ""
    except Hang:
        return "hang", seed["name"]
    except MemoryError:
        return "memory", seed["name"]
    except RecursionError as exc:
        return "untyped", f"RecursionError at {_where(exc)}"
    except Exception as exc:
        if show:
            traceback.print_exc()
        return "untyped", f"{type(exc).__name__} at {_where(exc)}"
    finally:
        if not keep:
            try:
                os.unlink(written)
            except OSError:
                pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


def campaign(
    cases: int,
    seed: int,
    timeout: float,
    max_rss: int | None,
    only: str | None = None,
    progress: float = 0.0,
    replay: int | None = None,
) -> dict[str, Any]:
    """Run ``cases`` cases; return the counts and the untyped exceptions found."""
    if max_rss:
        resource.setrlimit(resource.RLIMIT_AS, (max_rss, max_rss))
    seeds = [s for s in load_seeds() if only is None or only in s["name"]]
    counts: collections.Counter[str] = collections.Counter()
    per_type: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    untyped: collections.Counter[str] = collections.Counter()
    examples: dict[str, dict[str, Any]] = {}
    slowest = 0.0
    work = Path(tempfile.mkdtemp(prefix="rt-fuzz-"))
    store_root = work / "store"
    for s in seeds:  # one store with every original sidecar (same names everywhere)
        for _, ref in s["refs"]:
            target = store_root / ref["path"]
            if not target.exists() and (s["folder"] / ref["path"]).exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(s["folder"] / ref["path"], target)
    previous_handler = signal.signal(signal.SIGALRM, _alarm)
    started = time.monotonic()
    last = started
    rss_jumps: list[dict[str, Any]] = []
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    catcher = warnings.catch_warnings()
    catcher.__enter__()
    warnings.simplefilter("ignore")
    try:
        for i in range(cases):
            s = seeds[i % len(seeds)]
            if replay is not None and i != replay:
                continue
            case_rng = random.Random(f"{seed}-{i}")
            scratch = work / "scratch"
            t0 = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                outcome, detail = run_case(
                    s, store_root, scratch, case_rng, show=replay is not None
                )
            except Hang:
                outcome, detail = "hang", s["name"]
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            slowest = max(slowest, time.monotonic() - t0)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if rss - peak > 64 * 1024:  # the peak grew by more than 64 MiB in this case
                rss_jumps.append({"fixture": s["name"], "case": i, "peak_mib": round(rss / 1024)})
            peak = max(peak, rss)
            shutil.rmtree(scratch, ignore_errors=True)
            counts[outcome] += 1
            per_type[s["name"].split("/")[0]][outcome] += 1
            if outcome in ("untyped", "hang", "memory"):
                key = f"{s['name'].split('/')[0]}: {detail}"
                untyped[key] += 1
                examples.setdefault(key, {"fixture": s["name"], "case": i})

            if progress and time.monotonic() - last > progress:
                last = time.monotonic()
                print(f"{i + 1} cases, {dict(counts)}", file=sys.stderr, flush=True)
    finally:
        catcher.__exit__(None, None, None)
        signal.signal(signal.SIGALRM, previous_handler)
        shutil.rmtree(work, ignore_errors=True)
    return {
        "cases": cases,
        "seed": seed,
        "seconds": round(time.monotonic() - started, 1),
        "counts": dict(counts),
        "per_type": {k: dict(v) for k, v in sorted(per_type.items())},
        "untyped": dict(untyped.most_common()),
        "examples": examples,
        "slowest_case_s": round(slowest, 3),
        "rss_jumps": rss_jumps[:20],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per case")
    parser.add_argument(
        "--max-rss", type=int, default=3 * 1024**3, help="address-space cap in bytes (0: none)"
    )
    parser.add_argument("--only", help="only fixtures whose name contains this text")
    parser.add_argument("--out", help="write the report as JSON here")
    parser.add_argument("--replay", type=int, help="run only case number N (prints its traceback)")
    args = parser.parse_args(argv)
    report = campaign(
        args.cases,
        args.seed,
        args.timeout,
        args.max_rss or None,
        args.only,
        progress=30.0,
        replay=args.replay,
    )
    text = json.dumps(report, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)  # noqa: T201 - a script's report
    bad = sum(report["counts"].get(k, 0) for k in ("untyped", "hang", "memory"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
