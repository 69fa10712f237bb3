"""One pass over a run's history: scalar series, media per key, and the run's description.

The history is read once (:meth:`RunReader.iter_history`); each row is walked
once. Numbers become scalar series keyed by their path (``train/loss``, or
``a/b`` for ``{"a": {"b": 1.0}}``); media envelopes (or lists of them) become
media entries keyed the same way, one item per step. Long series are
downsampled for display by keeping each bucket's first, smallest and largest
point, so spikes stay visible; the page says when it did.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core.errors import RichTypesError
from ..runlog.reader import RunReader
from .assets import Assets, ReportTooLargeError
from .views import view_of

__all__ = ["collect_run", "downsample", "MAX_SCALAR_POINTS"]

#: A scalar chart draws at most about this many points per run.
MAX_SCALAR_POINTS = 1500


def downsample(steps: np.ndarray, values: np.ndarray, limit: int = MAX_SCALAR_POINTS) -> np.ndarray:
    """The indices kept to draw a series in about ``limit`` points.

    Each of ``limit // 3`` buckets keeps its first, lowest and highest point.

    Examples
    --------
    >>> idx = downsample(np.arange(10_000), np.sin(np.arange(10_000)), limit=300)
    >>> len(idx) <= 300, int(idx[0]), bool(np.all(np.diff(idx) > 0))
    (True, 0, True)
    """
    n = len(steps)
    if n <= limit:
        return np.arange(n)
    buckets = max(1, limit // 3)
    bounds = np.linspace(0, n, buckets + 1).astype(np.int64)
    starts = bounds[:-1]
    filled = np.where(np.isfinite(values), values, np.nan)
    lo = np.empty(buckets, dtype=np.int64)
    hi = np.empty(buckets, dtype=np.int64)
    for b, (s, e) in enumerate(zip(bounds[:-1], bounds[1:])):
        seg = filled[s:e]
        if np.all(np.isnan(seg)):
            lo[b] = hi[b] = s
        else:
            lo[b] = s + int(np.nanargmin(seg))
            hi[b] = s + int(np.nanargmax(seg))
    return np.unique(np.concatenate([starts, lo, hi, [n - 1]]))


def _is_envelope(x: Any) -> bool:
    return isinstance(x, Mapping) and isinstance(x.get("_type"), str)


def _scalar(cell: Any) -> float | None | bool:
    """The number a cell holds (None for NaN/inf), or False when it holds no number."""
    if isinstance(cell, bool):
        return False
    if isinstance(cell, (int, float)):
        return float(cell) if math.isfinite(cell) else None
    if _is_envelope(cell) and cell["_type"] == "float":
        return None  # a non-finite float: a gap in the line
    return False


class _Collector:
    def __init__(self, reader: RunReader, assets: Assets) -> None:
        self.reader = reader
        self.assets = assets
        self.scalars: dict[str, tuple[list[int], list[float | None]]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []

    def walk(self, step: int, path: str, cell: Any) -> None:
        value = _scalar(cell)
        if value is not False:
            steps, values = self.scalars.setdefault(path, ([], []))
            steps.append(step)
            values.append(value)  # type: ignore[arg-type]
        elif _is_envelope(cell):
            self.add_media(step, path, [cell])
        elif isinstance(cell, list) and cell and all(_is_envelope(c) for c in cell):
            self.add_media(step, path, cell)
        elif isinstance(cell, Mapping):
            for key, value in cell.items():
                self.walk(step, f"{path}/{key}", value)

    def add_media(self, step: int, path: str, docs: list[Any]) -> None:
        entry = self.media.setdefault(path, {"type": docs[0]["_type"], "steps": [], "items": []})
        try:
            items = [view_of(doc, self.reader.store, self.assets) for doc in docs]
        except ReportTooLargeError:
            raise
        except (RichTypesError, OSError, KeyError, TypeError, ValueError) as exc:
            self.errors.append(f"{path} at step {step}: {exc}")
            return
        entry["steps"].append(step)
        entry["items"].append(items)


def collect_run(reader: RunReader, assets: Assets) -> dict[str, Any]:
    """The page's model of one run: description, scalar series, media entries."""
    col = _Collector(reader, assets)
    rows = 0
    last: dict[str, Any] = {}
    for row in reader.iter_history():
        rows += 1
        step = row.step if row.step is not None else rows - 1
        for key in row:
            if not key.startswith("_"):
                last[key] = row.raw(key)
                col.walk(step, key, last[key])
    scalars = {}
    for key, (steps, values) in col.scalars.items():
        s = np.asarray(steps, dtype=np.int64)
        v = np.asarray([np.nan if x is None else x for x in values], dtype=np.float64)
        keep = downsample(s, v)
        scalars[key] = {
            "steps": s[keep].tolist(),
            "values": [None if not math.isfinite(x) else x for x in v[keep].tolist()],
            "total": len(s),
        }
    meta = reader.metadata
    summary: dict[str, Any] = {}
    for key, cell in _summary_docs(reader, last).items():
        value = _scalar(cell)
        if value is not False:
            summary[key] = value
        elif isinstance(cell, (str, bool)) or cell is None:
            summary[key] = cell
        elif _is_envelope(cell):
            summary[key] = f"<{cell['_type']}>"
    return {
        "id": meta.get("id"),
        "name": meta.get("name"),
        "project": meta.get("project"),
        "status": meta.get("status"),
        "start": meta.get("start_time"),
        "end": meta.get("end_time"),
        "tags": list(meta.get("tags") or []),
        "notes": meta.get("notes"),
        "config": reader.config,
        "summary": summary,
        "rows": rows,
        "scalars": scalars,
        "media": col.media,
        "errors": col.errors,
    }


def _summary_docs(reader: RunReader, last: dict[str, Any]) -> dict[str, Any]:
    """The summary's cells; without ``summary.json``, each key's last value (no second read)."""
    if not (reader.dir / "summary.json").exists():
        return last
    summary = reader.summary
    return {key: summary.raw(key) for key in summary if not key.startswith("_")}
