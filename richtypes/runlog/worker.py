"""The background worker of a run: encodes logged rows off the caller's thread.

Tasks go through a bounded :class:`queue.Queue`, so a producer faster than the
encoder blocks in :meth:`Worker.submit` once ``maxsize`` tasks wait
(backpressure instead of unbounded memory). A task that raises does not stop
the worker: the exception is kept and handed back by :meth:`Worker.take_error`
(the run raises it at its next ``log`` or at ``finish``), so no error is lost.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Worker"]

_STOP = object()


class Worker:
    """One daemon thread running submitted callables in order.

    Examples
    --------
    >>> done = []
    >>> worker = Worker(maxsize=4, name="example")
    >>> worker.submit(lambda: done.append(1))
    >>> worker.close()
    >>> done, worker.take_error()
    ([1], None)
    """

    def __init__(self, maxsize: int = 64, name: str = "richtypes-run") -> None:
        if maxsize < 1:
            raise ValueError(f"the queue size must be >= 1, got {maxsize}")
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
        self._errors: list[BaseException] = []
        self._errors_lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, task: Callable[[], None]) -> None:
        """Queue ``task``; blocks while the queue is full."""
        if self._closed:
            raise RuntimeError("the worker is closed")
        self.queue.put(task)

    def _loop(self) -> None:
        while True:
            task = self.queue.get()
            try:
                if task is _STOP:
                    return
                task()
            except BaseException as exc:  # kept for the caller, never lost
                with self._errors_lock:
                    self._errors.append(exc)
            finally:
                self.queue.task_done()

    def take_error(self) -> BaseException | None:
        """The oldest error a task raised that was not taken yet, or None."""
        with self._errors_lock:
            return self._errors.pop(0) if self._errors else None

    def pending_errors(self) -> int:
        """How many errors wait to be taken."""
        with self._errors_lock:
            return len(self._errors)

    def flush(self) -> None:
        """Wait until every task submitted so far has run."""
        self.queue.join()

    def close(self) -> None:
        """Run every queued task, then stop the thread (idempotent).

        Returns once every task has run (no wait at all when the worker is
        idle); the idle thread then ends on its own, so the caller never
        waits for it to be scheduled just to exit (up to milliseconds on a
        busy machine).
        """
        if self._closed:
            return
        self._closed = True
        self.queue.join()
        self.queue.put(_STOP)
