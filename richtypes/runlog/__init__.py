"""The local run log: ``init``, ``log``, ``config``, ``summary``, artifacts, ``finish``, and the reader.

See :mod:`richtypes.runlog.api` for the layout of a run directory.
"""

from .api import (
    DEFAULT_QUEUE_SIZE,
    DEFAULT_ROOT,
    HistoryWriteError,
    NoActiveRunError,
    Run,
    RunError,
    config,
    current_run,
    finish,
    init,
    log,
    log_artifact,
)
from .reader import RunReader, open_run

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
    "open_run",
    "RunReader",
    "DEFAULT_ROOT",
    "DEFAULT_QUEUE_SIZE",
]
