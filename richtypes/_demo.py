"""``python -m richtypes demo OUT``: encode one example of every media type into OUT."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TextIO

from ._examples import examples
from ._nest import dump, load, write_json
from ._media import deep_equal
from .store import Store


def run_demo(out: str | os.PathLike[str], stream: TextIO) -> int:
    """Write every example into ``out`` (documents at the top, sidecars in ``media/``) and report."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "media")
    before = _sizes(out)
    total_start = time.perf_counter()
    stream.write(f"richtypes demo -> {out}\n")
    stream.write(f"{'example':<24}{'build+encode ms':>16}{'decode ms':>10}  document\n")
    for name, build in examples().items():
        start = time.perf_counter()
        value = build()  # construction validates (and bins, for histograms): part of the cost
        doc = dump(value, store)
        encode_ms = (time.perf_counter() - start) * 1e3
        doc_path = write_json(doc, out / f"{name}.json")
        start = time.perf_counter()
        back = load(doc_path, store)
        decode_ms = (time.perf_counter() - start) * 1e3
        if not deep_equal(back, value):
            raise AssertionError(f"demo example {name!r} did not decode equal to what was encoded")
        stream.write(f"{name:<24}{encode_ms:>16.1f}{decode_ms:>10.1f}  {doc_path.name}\n")
    elapsed = time.perf_counter() - total_start
    written = {p: s for p, s in _sizes(out).items() if before.get(p) != s}
    stream.write(f"\nfiles written ({len(written)}):\n")
    for path, size in sorted(written.items()):
        stream.write(f"  {size:>12,} B  {path}\n")
    stream.write(f"total {sum(written.values()):,} bytes in {len(written)} files, {elapsed:.2f} s\n")
    return 0


def _sizes(root: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.name.startswith(".tmp-"):
            found[path.relative_to(root).as_posix()] = path.stat().st_size
    return found
