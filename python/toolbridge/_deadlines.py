"""Cancels calls whose deadline passed, from the Python side (the runtime does too; the
first reason wins).

One thread sleeps until the earliest deadline among the calls in flight. A call adds no
timer of its own: :meth:`DeadlineWatch.watch` only wakes the thread when the new deadline
is earlier than the one it sleeps towards, which for the usual equal timeouts is never.
"""

from __future__ import annotations

import threading
import time
from typing import Mapping

from ._context import ContextBase

__all__ = ["DeadlineWatch"]

_FOREVER = float("inf")


class DeadlineWatch:
    """Watches the deadlines of the contexts in ``calls`` (the worker's in-flight table)."""

    def __init__(self, calls: Mapping[int, ContextBase]) -> None:
        self._calls = calls
        self._wake = threading.Condition(threading.Lock())
        self._next = _FOREVER
        self._thread: threading.Thread | None = None

    def watch(self, ctx: ContextBase) -> None:
        """Make sure the call's deadline is seen (call after adding it to ``calls``)."""
        deadline = ctx.deadline
        if deadline is None or deadline >= self._next:
            return
        with self._wake:
            if deadline < self._next:
                self._next = deadline
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="toolbridge-deadlines", daemon=True)
                    self._thread.start()
                self._wake.notify()

    def _run(self) -> None:
        with self._wake:
            while True:
                # While scanning, keep watch() off its fast path (no deadline is >= +inf): a
                # call added after the scan passed it must wait for the lock and be compared
                # with the value this scan computes.
                self._next = _FOREVER
                now = time.monotonic()
                earliest = _FOREVER
                for ctx in list(self._calls.values()):
                    deadline = ctx.deadline
                    if deadline is None or ctx._reason is not None:
                        continue
                    if deadline <= now:
                        ctx._cancel("deadline_exceeded")
                    elif deadline < earliest:
                        earliest = deadline
                self._next = earliest
                self._wake.wait(None if earliest == _FOREVER else earliest - now)
