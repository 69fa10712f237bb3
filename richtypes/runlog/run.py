"""The :class:`Run` class behind :mod:`richtypes.runlog` (see there for the directory layout)."""

from __future__ import annotations

import atexit
import os
import secrets
import sys
import threading
import time
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import ValidationError
from ..core.jsontext import dumps_json
from ..core.nest import dump, write_json
from ..core.parallel import shared_pool
from ..store.local import DEFAULT_INLINE_LIMIT, Store, StoreLike, as_store
from .artifacts import Artifact
from .artifacts import log_artifact as _log_artifact
from .config import Config, Summary, json_value
from .errors import HistoryWriteError, NoActiveRunError, RunError
from .history import HistoryFile
from .rows import check_tags, snapshot, snapshot_row
from .worker import Worker

__all__ = [
    "Run",
    "RunError",
    "NoActiveRunError",
    "HistoryWriteError",
    "DEFAULT_ROOT",
    "DEFAULT_QUEUE_SIZE",
]

#: Where runs go when ``init`` is given no ``dir``: ``./richtypes-runs/<run id>``.
DEFAULT_ROOT = "richtypes-runs"
#: Rows that may wait for the encoder before ``log`` blocks.
DEFAULT_QUEUE_SIZE = 64
_SUMMARY_EVERY = 2.0  # seconds between summary.json rewrites while logging
#: Encode times kept for the last this many rows (``Run`` memory stays bounded on long runs).
_TIMINGS_KEPT = 4096


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Run:
    """One run: a directory holding config, history, summary, media and artifacts.

    Use :func:`init` to start one (it also becomes the current run for
    ``richtypes.log``). A run is a context manager: leaving the ``with`` block
    finishes it, with status ``"failed"`` when an exception escapes.

    Parameters
    ----------
    dir:
        The run directory (created; must not hold a run already). Default
        ``./richtypes-runs/<run id>``.
    project, name, notes, tags:
        Descriptions kept in ``run.json``; ``name`` defaults to the run id.
    config:
        Initial config values.
    queue_size:
        How many committed rows may wait for the background encoder before
        ``log`` blocks.
    inline_limit:
        The store's inline limit (payloads up to this many bytes stay in the JSON).
    store:
        Where media go: default ``<dir>/media``. A shared store (a directory,
        ``"s3://bucket/media"``, or a :class:`~richtypes.Store` carrying
        ``storage_options``) keeps history, config and summary in ``dir``
        while media go to the store, deduplicated across every run writing
        it; ``run.json`` records its URL and :func:`open_run` reads from it.

    Examples
    --------
    >>> import tempfile, richtypes
    >>> with richtypes.init(dir=tempfile.mkdtemp() + "/run", config={"lr": 0.1}) as run:
    ...     for step in range(3):
    ...         run.log({"loss": 1.0 / (step + 1), "h": richtypes.Histogram([step, 1, 2])})
    >>> reader = richtypes.open_run(run.dir)
    >>> reader.status, reader.config["lr"], [row["loss"] for row in reader.history()]
    ('finished', 0.1, [1.0, 0.5, 0.3333333333333333])
    """

    def __init__(
        self,
        dir: str | os.PathLike[str] | None = None,
        project: str | None = None,
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        notes: str | None = None,
        tags: Iterable[str] | None = None,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        inline_limit: int = DEFAULT_INLINE_LIMIT,
        store: StoreLike | None = None,
    ) -> None:
        self.id = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)
        self.dir = Path(dir) if dir is not None else Path(DEFAULT_ROOT) / self.id
        for label, value in (("project", project), ("name", name), ("notes", notes)):
            if value is not None and not isinstance(value, str):
                raise ValidationError("must be a string or None", value=value, path=(label,))
        if not isinstance(queue_size, int) or queue_size < 1:
            raise ValidationError("must be an integer >= 1", value=queue_size, path=("queue_size",))
        if (self.dir / "run.json").exists():
            raise RunError(f"{str(self.dir)!r} already holds a run; give init() another dir")
        if config is not None and not isinstance(config, Mapping):
            raise ValidationError("must be a dict", value=config, path=("config",))
        json_value(config or {}, ("config",))  # a bad config is refused before anything is written
        self.project = project
        self.name = name if name is not None else self.id
        self._notes = notes
        self._tags = check_tags(tags)
        self._status = "running"
        self._start = _utc_now()
        self._end: str | None = None
        self.dir.mkdir(parents=True, exist_ok=True)
        self._shared_store = store is not None
        self.store = (
            as_store(store, inline_limit=inline_limit)
            if store is not None
            else Store(self.dir / "media", inline_limit=inline_limit)
        )
        self._write_meta()
        self.config = Config(self.dir / "config.json", config)
        self.summary = Summary(self._set_summary)
        self._summary_doc: dict[str, Any] = {}
        self._summary_written = 0.0
        self._summary_dirty = True  # summary.json differs from _summary_doc (or is not written yet)
        write_json({}, self.dir / "summary.json")
        self._history = HistoryFile(self.dir / "history.jsonl")
        self._lock = threading.RLock()
        self._pending: dict[str, Any] = {}
        self._step = 0
        self._finished = False
        # (step, encode seconds) of the last rows, filled by the worker
        self._timings: deque[tuple[int, float]] = deque(maxlen=_TIMINGS_KEPT)
        self._worker = Worker(queue_size, name=f"richtypes-run-{self.id}")
        _OPEN_RUNS.add(self)

    # ------------------------------------------------------------ description
    @property
    def notes(self) -> str | None:
        """Free text about the run (setting it rewrites ``run.json``)."""
        return self._notes

    @notes.setter
    def notes(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise ValidationError("must be a string or None", value=value, path=("notes",))
        self._notes = value
        self._write_meta()

    @property
    def tags(self) -> tuple[str, ...]:
        """Short labels (setting them rewrites ``run.json``)."""
        return self._tags

    @tags.setter
    def tags(self, value: Iterable[str]) -> None:
        self._tags = check_tags(value)
        self._write_meta()

    @property
    def status(self) -> str:
        """``"running"``, ``"finished"`` or ``"failed"``."""
        return self._status

    @property
    def step(self) -> int:
        """The step the next ``log`` writes to."""
        return self._step

    def metadata(self) -> dict[str, Any]:
        """What ``run.json`` holds."""
        from .._version import __version__

        return {
            "format_version": 1,
            "id": self.id,
            "project": self.project,
            "name": self.name,
            "notes": self._notes,
            "tags": list(self._tags),
            "start_time": self._start,
            "end_time": self._end,
            "status": self._status,
            "richtypes_version": __version__,
            **({"store": self.store.url} if self._shared_store else {}),
        }

    def _write_meta(self) -> None:
        write_json(self.metadata(), self.dir / "run.json")

    def __repr__(self) -> str:
        return f"Run(id={self.id!r}, dir={str(self.dir)!r}, step={self._step}, status={self._status!r})"

    # ---------------------------------------------------------------- logging
    def log(
        self,
        data: Mapping[str, Any],
        step: int | None = None,
        commit: bool = True,
        sync: bool = False,
    ) -> None:
        """Log a dict of scalars and media objects (any nest) at a step.

        Parameters
        ----------
        data:
            String keys (not starting with ``_``) to numbers, strings, media
            objects, or dicts and lists of those.
        step:
            The step to log at (default: the current one). A step lower than
            the current one warns and the row is refused; a higher one first
            commits what is pending.
        commit:
            Write the step now and move to the next one. With ``False`` the
            values merge into the current step (a later value for the same
            top-level key replaces the earlier one) and wait for a commit.
            A committed step is never written again; committing nothing
            writes no row and keeps the step.
        sync:
            Wait until this row (and every one before it) is encoded and
            appended to ``history.jsonl`` before returning, like :meth:`flush`.
            By default rows are written by a background thread, so a process
            killed with rows still queued (at most ``queue_size``) loses them.

        Raises
        ------
        ValidationError
            For a value that cannot be logged, naming its path.
        RichTypesError
            Or any error an earlier row raised while encoding in the background.
        """
        self._check_open()
        self._raise_background_error()
        if not isinstance(data, Mapping):
            raise ValidationError("log() takes a dict of values", value=data)
        row = snapshot_row(data)
        with self._lock:
            if step is not None:
                if not isinstance(step, (int, np.integer)) or isinstance(step, bool) or step < 0:
                    raise ValidationError("must be an integer >= 0", value=step, path=("step",))
                step = int(step)
                if step < self._step:
                    warnings.warn(
                        f"richtypes: step {step} is lower than the current step {self._step}; "
                        f"steps must increase, so this row was not logged (keys: {', '.join(row)})",
                        stacklevel=2,
                    )
                    return
                if step > self._step:
                    self._commit()
                    self._step = step
            self._pending.update(row)
            self.summary.update_from_log(row)
            if commit:
                self._commit()
        if sync:
            self.flush()

    def _commit(self) -> None:
        if not self._pending:
            return
        row, self._pending = self._pending, {}
        step, self._step = self._step, self._step + 1
        self._worker.submit(partial(self._write_row, step, time.time(), row))

    def _write_row(self, step: int, timestamp: float, row: dict[str, Any]) -> None:
        """Worker thread: encode one row, append it to history, update the summary."""
        start = time.perf_counter()
        try:
            doc = dump(row, self.store, executor=shared_pool())
        except OSError as exc:  # disk full, media/ unwritable ...
            raise HistoryWriteError(
                f"step {step} of run {self.id} was not written: storing its media failed ({exc})"
            ) from exc
        except Exception as exc:
            if hasattr(exc, "add_note"):
                exc.add_note(
                    f"raised in the background while encoding step {step} of run {self.id}"
                )
            raise
        line = dumps_json({"_step": step, "_timestamp": timestamp, **doc}) + b"\n"
        self._history.append(line, f"step {step}")
        self._summary_doc.update(doc)
        self._summary_dirty = True
        self._timings.append((step, time.perf_counter() - start))
        if time.monotonic() - self._summary_written > _SUMMARY_EVERY:
            self._write_summary()

    def _set_summary(self, key: str, value: Any) -> None:
        self._check_open()
        value = snapshot(value, ("summary", key), 0)
        self._worker.submit(partial(self._write_summary_value, key, value))

    def _write_summary_value(self, key: str, value: Any) -> None:
        self._summary_doc[key] = dump(value, self.store)
        self._write_summary()

    def _write_summary(self) -> None:
        write_json(self._summary_doc, self.dir / "summary.json")
        self._summary_dirty = False
        self._summary_written = time.monotonic()

    def _check_open(self) -> None:
        if self._finished:
            raise RunError(f"run {self.id} is finished; start a new one with richtypes.init()")

    def _raise_background_error(self) -> None:
        error = self._worker.take_error()
        if error is not None:
            raise error

    def flush(self) -> None:
        """Wait until every committed row is written; raise a background error if one happened.

        After it returns, every row committed before is in ``history.jsonl``
        (in the operating system's cache: it survives a killed process; a
        power loss needs ``os.fsync``), and its media are in the store.
        """
        self._worker.flush()
        self._raise_background_error()

    def log_artifact(
        self, path: str | os.PathLike[str], name: str | None = None, type: str = "artifact"
    ) -> Artifact:
        """Copy a file or directory into the run's store as the next version of ``name``.

        Versions count from 0 (``name:v0``, then ``name:v1`` ...); identical
        files are stored once. ``name`` defaults to the file or directory name.
        See :mod:`richtypes.runlog.artifacts` for the manifest layout.
        """
        self._check_open()
        return _log_artifact(
            self.dir, self.store, path, name if name is not None else Path(path).name, type
        )

    # -------------------------------------------------------------- finishing
    def finish(self, status: str | None = None) -> None:
        """Commit what is pending, wait for the encoder, close the files, record the end.

        The status is ``"finished"``, or ``"failed"`` when a background error
        was never raised (it is raised here, after the run is closed) or when
        given. Calling it again does nothing.
        """
        with self._lock:
            if self._finished:
                return
            self._commit()
            self._finished = True
        self._worker.close()
        self._history.close()
        if self._summary_dirty:  # a run whose last rows were already summarised skips a rewrite
            self._write_summary()
        errors = []
        while (error := self._worker.take_error()) is not None:
            errors.append(error)
        self._status = status or ("failed" if errors else "finished")
        self._end = _utc_now()
        self._write_meta()
        _OPEN_RUNS.discard(self)
        for hook in _FINISH_HOOKS:
            hook(self)
        if errors:
            first = errors[0]
            if len(errors) > 1 and hasattr(first, "add_note"):
                first.add_note(
                    f"{len(errors) - 1} more background error(s): "
                    + "; ".join(map(repr, errors[1:]))
                )
            raise first

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self.finish()
            return
        try:
            self.finish("failed")
        except Exception as background:  # keep both: the with-block's error wins
            if hasattr(exc, "add_note"):
                exc.add_note(f"richtypes: the run also had a background error: {background!r}")


#: Runs not finished yet (finished at interpreter exit), and callbacks run by ``finish``.
_OPEN_RUNS: weakref.WeakSet[Run] = weakref.WeakSet()
_FINISH_HOOKS: list[Callable[[Run], None]] = []


@atexit.register
def _finish_open_runs() -> None:  # pragma: no cover - runs at interpreter exit
    crashed = getattr(sys, "last_value", None) is not None
    for run in list(_OPEN_RUNS):
        try:
            run.finish("failed" if crashed else None)
        except Exception as exc:
            print(f"richtypes: run {run.id} failed while finishing: {exc!r}", file=sys.stderr)  # noqa: T201 - at exit, nowhere else to say it
