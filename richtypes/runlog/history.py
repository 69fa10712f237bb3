"""The writer side of ``history.jsonl``: whole lines or nothing, and no silent loss.

A row is appended with ``O_APPEND`` writes. When a write fails part way (disk
full, quota, I/O error) the file is cut back to its last complete line, so the
next row starts on a line of its own and every row stays readable; the failure
is a :class:`~richtypes.runlog.errors.HistoryWriteError`. Before each append
the writer checks that its descriptor still is ``history.jsonl`` (SQLite does
the same for its database file): when the file was deleted or replaced under a
running process, the rows would otherwise go to an unlinked inode and vanish.
The writer then reopens the path, appends there, and reports the loss.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import HistoryWriteError

__all__ = ["HistoryFile"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)


class HistoryFile:
    """``history.jsonl`` opened for appending whole lines.

    Examples
    --------
    >>> import tempfile
    >>> history = HistoryFile(Path(tempfile.mkdtemp()) / "history.jsonl")
    >>> history.append(b'{"_step":0}\\n')
    >>> history.close()
    >>> history.path.read_bytes()
    b'{"_step":0}\\n'
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._open()

    def _open(self) -> None:
        self._fd = os.open(self.path, _FLAGS, 0o644)
        self._cut_needed = False
        st = os.fstat(self._fd)
        self._identity = (st.st_dev, st.st_ino)
        self._end = st.st_size  # where the last complete line ends

    def _moved(self) -> bool:
        """Whether the open file is no longer the one at ``path`` (deleted or replaced)."""
        assert self._fd is not None
        if os.fstat(self._fd).st_nlink == 0:
            return True
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return True
        return (st.st_dev, st.st_ino) != self._identity

    def _cut_back(self) -> None:
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, self._end)
        except OSError as exc:
            self._cut_needed = True
            raise HistoryWriteError(
                f"could not cut {str(self.path)!r} back to its last complete row: {exc}"
            ) from exc
        self._cut_needed = False

    def append(self, data: bytes, label: str = "a row") -> None:
        """Append ``data`` (whole lines) or leave the file as it was.

        Raises
        ------
        HistoryWriteError
            When the write failed (the file is cut back to its last complete
            line), or when ``history.jsonl`` had been deleted or replaced (the
            row is then written to a new ``history.jsonl``; rows before it were
            in the lost file).
        """
        if self._fd is None:
            raise HistoryWriteError(f"{str(self.path)!r} is closed")
        lost = self._moved()
        if lost:
            os.close(self._fd)
            self._fd = None
            try:
                self._open()
            except OSError as exc:
                raise HistoryWriteError(
                    f"{str(self.path)!r} was deleted or replaced while the run was open, "
                    f"and could not be created again: {exc}"
                ) from exc
        if self._cut_needed:
            self._cut_back()
        view = memoryview(data)
        try:
            while view:  # one write in practice; a short write continues, then the error comes
                view = view[os.write(self._fd, view) :]  # type: ignore[arg-type]
        except OSError as exc:
            try:
                self._cut_back()
            except HistoryWriteError:
                pass  # tried again before the next row
            raise HistoryWriteError(
                f"could not append {label} to {str(self.path)!r} ({exc.strerror or exc}); "
                "it is lost, the file keeps every row before it"
            ) from exc
        self._end += len(data)
        if lost:
            raise HistoryWriteError(
                f"{str(self.path)!r} was deleted or replaced while the run was open: "
                f"the rows written before are gone from it; {label} and later rows "
                "go to the new file"
            )

    def sync(self) -> None:
        """``fsync`` the file (rows survive power loss, not only a killed process)."""
        if self._fd is not None:
            os.fsync(self._fd)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
