"""The local run log: ``init``, ``log``, ``config``, ``summary``, artifacts, ``finish``.

A run is a directory any tool can read later, with no service::

    <run dir>/                    default: ./richtypes-runs/<run id>
      run.json        id, project, name, notes, tags, start_time, end_time,
                      status ("running", "finished", "failed"), richtypes_version
                      (schema: richtypes/schemas/run-metadata.json)
      config.json     the config, a plain JSON object
      history.jsonl   one JSON object per committed step: "_step", "_timestamp"
                      (Unix seconds) and what richtypes.dump wrote for the
                      logged dict; each line is appended whole with one write
      summary.json    the last value of each key (encoded like history cells)
      media/          the sidecar Store shared by every step (same bytes once);
                      absent when init(store=...) names a shared store
                      (a directory or s3://... URL, recorded in run.json)
      artifacts/<name>/v<k>.json   artifact manifests (files live in media/)

``log`` checks the shape of what it is given and returns; encoding (``dump``)
and appending happen on a background thread fed through a bounded queue.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from .artifacts import Artifact
from .errors import HistoryWriteError
from .run import _FINISH_HOOKS, DEFAULT_QUEUE_SIZE, DEFAULT_ROOT, NoActiveRunError, Run, RunError

__all__ = [
    "Run",
    "RunError",
    "NoActiveRunError",
    "HistoryWriteError",
    "init",
    "log",
    "finish",
    "log_artifact",
    "current_run",
    "config",
    "DEFAULT_ROOT",
    "DEFAULT_QUEUE_SIZE",
]


# ------------------------------------------------------------------ current run
_current: Run | None = None


def init(
    dir: str | os.PathLike[str] | None = None,
    project: str | None = None,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    notes: str | None = None,
    tags: Iterable[str] | None = None,
    **options: Any,
) -> Run:
    """Start a run and make it the current one (see :class:`Run` for the parameters).

    A current run that is still open is finished first, with a warning.

    Examples
    --------
    >>> import tempfile, richtypes
    >>> run = richtypes.init(dir=tempfile.mkdtemp() + "/run", project="demo", tags=["baseline"])
    >>> richtypes.config.dropout = 0.2
    >>> richtypes.log({"loss": 0.5})
    >>> richtypes.run.summary["best_acc"] = 0.93
    >>> richtypes.finish()
    >>> richtypes.run is None, richtypes.open_run(run.dir).summary["best_acc"]
    (True, 0.93)
    """
    global _current
    if _current is not None:
        warnings.warn(
            f"richtypes: init() finishes the current run {_current.id} first", stacklevel=2
        )
        _current.finish()
    _current = Run(dir, project, name, config, notes, tags, **options)
    return _current


def current_run() -> Run | None:
    """The current run, or None."""
    return _current


def _require() -> Run:
    if _current is None:
        raise NoActiveRunError("no active run; call richtypes.init() first")
    return _current


def log(
    data: Mapping[str, Any], step: int | None = None, commit: bool = True, sync: bool = False
) -> None:
    """:meth:`Run.log` on the current run (:class:`NoActiveRunError` when there is none)."""
    _require().log(data, step=step, commit=commit, sync=sync)


def finish() -> None:
    """:meth:`Run.finish` on the current run (:class:`NoActiveRunError` when there is none)."""
    _require().finish()


def log_artifact(
    path: str | os.PathLike[str], name: str | None = None, type: str = "artifact"
) -> Artifact:
    """:meth:`Run.log_artifact` on the current run."""
    return _require().log_artifact(path, name, type)


class _ConfigProxy:
    """``richtypes.config``: the current run's :class:`Config`."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # introspection (doctest, copy, pickle) must not need a run
            raise AttributeError(name)
        return getattr(_require().config, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_require().config, name, value)

    def update(
        self, values: Mapping[str, Any] | None = None, allow_val_change: bool = False, **kwargs: Any
    ) -> None:
        _require().config.update(values, allow_val_change=allow_val_change, **kwargs)

    def __getitem__(self, key: str) -> Any:
        return _require().config[key]

    def __setitem__(self, key: str, value: Any) -> None:
        _require().config[key] = value

    def __contains__(self, key: object) -> bool:
        return key in _require().config

    def __iter__(self):
        return iter(_require().config)

    def __len__(self) -> int:
        return len(_require().config)

    def __repr__(self) -> str:
        return (
            repr(_current.config) if _current is not None else "<richtypes.config: no active run>"
        )


config = _ConfigProxy()


def _forget(run: Run) -> None:
    global _current
    if _current is run:
        _current = None


_FINISH_HOOKS.append(_forget)
