"""``python -m richtypes demo OUT``: log an example of every media type into a run under OUT.

Every ``richtypes/_examples/<type>.py`` example is built once and logged
``steps`` times (one step per example per round) into the run directory
``OUT/runs/demo-<time>-<random>``. The run is then read back with
:func:`~richtypes.open_run`: every logged value and the summary must decode
equal to what was logged. The report lists, per example, its media types, the
time to build it, the time ``log`` took on the caller's thread, the time the
background worker spent encoding it, the time to decode it, and its sidecar
bytes, then every file the run holds. The charts among the examples
(:class:`~richtypes.plot.Chart`) also go to one page, via
``richtypes.plot.charts_html``: ``OUT/charts.html``, logged as the artifact ``charts``.
Last, the run's report page is written to ``RUN_DIR/report.html``
(:func:`richtypes.report.write_report`).
"""

from __future__ import annotations

import os
import secrets
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ._examples import examples
from .cli import iter_refs
from .core.media import Media, deep_equal
from .core.schema import iter_envelopes
from .runlog.api import Run
from .runlog.reader import open_run


def _media_in(value: Any, path: str) -> Iterator[tuple[str, Media]]:
    """``(path, media)`` for every media object in a nest, e.g. ``("plot.pr", chart)``."""
    if isinstance(value, Media):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _media_in(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _media_in(item, f"{path}[{i}]")


def _write_charts(values: dict[str, Any], out: Path, run: Run, stream: TextIO) -> None:
    try:
        from .plot.presets import Chart, charts_html
    except ImportError:  # richtypes.plot is optional to the demo: skip the page without it
        stream.write("charts.html: skipped (richtypes.plot.charts_html is not available)\n")
        return
    charts = {
        path: m
        for name, value in values.items()
        for path, m in _media_in(value, name)
        if isinstance(m, Chart)
    }
    if not charts:
        stream.write("charts.html: skipped (no example holds a chart)\n")
        return
    page = out / "charts.html"
    page.write_text(charts_html(charts), encoding="utf-8")
    art = run.log_artifact(page, "charts", type="html")
    stream.write(
        f"charts.html: {len(charts)} charts, {page.stat().st_size:,} bytes (artifact {art.qualified_name})\n"
    )


def run_demo(out: str | os.PathLike[str], stream: TextIO, steps: int = 3) -> int:
    """Log every example ``steps`` times into a new run under ``out``, verify it reads back equal, report."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    out = Path(out)
    builders = examples()
    run_dir = (
        out
        / "runs"
        / f"demo-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"
    )
    total_start = time.perf_counter()
    stream.write(f"richtypes demo -> {run_dir}\n")

    values: dict[str, Any] = {}
    build_ms: dict[str, float] = {}
    for name, build in builders.items():
        start = time.perf_counter()
        values[name] = build()  # construction validates (and bins, encodes ...): part of the cost
        build_ms[name] = (time.perf_counter() - start) * 1e3

    run = Run(
        run_dir,
        project="richtypes-demo",
        name="demo",
        notes="python -m richtypes demo",
        tags=["demo"],
        config={"steps": steps, "examples": list(values)},
    )
    log_ms: dict[str, list[float]] = defaultdict(list)
    step_of: dict[int, str] = {}
    with run:
        for round_ in range(steps):
            for name, value in values.items():
                step_of[run.step] = name
                start = time.perf_counter()
                run.log({name: value, "round": round_})
                log_ms[name].append((time.perf_counter() - start) * 1e3)
        _write_charts(values, out, run, stream)
    encode_ms: dict[str, list[float]] = defaultdict(list)
    for step, seconds in run._timings:
        encode_ms[step_of[step]].append(seconds * 1e3)

    reader = open_run(run_dir)
    decode_ms: dict[str, list[float]] = defaultdict(list)
    types: dict[str, list[str]] = {}
    sidecar_bytes: dict[str, int] = {}
    rows = reader.history()
    if len(rows) != steps * len(values):
        raise AssertionError(
            f"the demo logged {steps * len(values)} rows, the run holds {len(rows)}"
        )
    for row in rows:
        name = step_of[row.step]
        start = time.perf_counter()
        back = row[name]
        decode_ms[name].append((time.perf_counter() - start) * 1e3)
        if not deep_equal(back, values[name]):
            raise AssertionError(
                f"demo example {name!r} at step {row.step} did not decode equal to what was logged"
            )
        types[name] = sorted(
            {env["_type"] for _, env in iter_envelopes(row.raw(name)) if env["_type"] != "float"}
        )
        sidecar_bytes[name] = sum(
            {ref["path"]: ref["size"] for _, _, ref in iter_refs(row.raw(name))}.values()
        )
    summary = reader.summary
    for name, value in values.items():
        if not deep_equal(summary[name], value):
            raise AssertionError(
                f"the summary of {name!r} did not decode equal to the last logged value"
            )

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    stream.write(
        f"\n{len(values)} examples x {steps} steps = {len(rows)} rows; every value and the summary decoded equal\n"
    )
    stream.write(
        f"{'example':<14}{'build ms':>10}{'log ms':>9}{'encode ms':>11}{'decode ms':>11}{'sidecar B':>12}  types\n"
    )
    for name in values:
        stream.write(
            f"{name:<14}{build_ms[name]:>10.1f}{mean(log_ms[name]):>9.2f}{mean(encode_ms[name]):>11.1f}"
            f"{mean(decode_ms[name]):>11.1f}{sidecar_bytes[name]:>12,}  {', '.join(types[name])}\n"
        )
    stream.write(
        "(log ms: caller's thread; encode ms: background worker; times are means over the steps)\n"
    )

    files = sorted(p for p in run_dir.rglob("*") if p.is_file() and not p.name.startswith(".tmp-"))
    media = [p for p in files if p.parts[len(run_dir.parts)] == "media"]
    stream.write(f"\nfiles written ({len(files)}):\n")
    for path in files:
        if path not in media:
            stream.write(f"  {path.stat().st_size:>12,} B  {path.relative_to(out).as_posix()}\n")
    by_format: dict[str, list[int]] = defaultdict(list)
    for path in media:
        by_format[path.suffix.lstrip(".")].append(path.stat().st_size)
    for fmt, sizes in sorted(by_format.items()):
        stream.write(
            f"  {sum(sizes):>12,} B  {(run_dir / 'media').relative_to(out).as_posix()}/ {len(sizes)} .{fmt} sidecars\n"
        )
    total = sum(p.stat().st_size for p in files)
    stream.write(
        f"each example was logged {steps} times; identical sidecars are stored once "
        f"({len(media)} files in media/)\n"
    )
    stream.write(
        f"total {total:,} bytes in {len(files)} files, {time.perf_counter() - total_start:.2f} s\n"
    )
    from .report import write_report

    start = time.perf_counter()
    page = write_report([run_dir])
    stream.write(
        f"report page: {page} ({page.stat().st_size:,} bytes, {time.perf_counter() - start:.2f} s); "
        f"opens from disk, or serve it: python -m richtypes view {run_dir}\n"
    )
    stream.write(f"inspect it: python -m richtypes inspect {run_dir}\n")
    return 0
