"""The errors of the run log."""

from __future__ import annotations

from ..core.errors import RichTypesError

__all__ = ["RunError", "NoActiveRunError", "HistoryWriteError"]


class RunError(RichTypesError):
    """A run was used in a way it does not allow (finished, directory taken ...)."""


class NoActiveRunError(RunError):
    """A module-level function (``richtypes.log`` ...) was called with no current run."""


class HistoryWriteError(RunError):
    """A row could not be appended to ``history.jsonl`` (disk full, file deleted ...).

    Raised at the next ``log``, ``flush`` or ``finish`` after the failed
    write. The history file is left as it was before the failed row (a partial
    line is cut back), so every earlier and later row stays readable.
    """
