"""A small thread pool for plain and generator tools.

Lighter than ``concurrent.futures.ThreadPoolExecutor`` on the per-call path (no Future, one
C-level queue) and it starts a thread only when every started thread is busy, up to
``max_threads``; a call that finds all of them busy waits for the next free one.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable

__all__ = ["ThreadPool"]


class ThreadPool:
    """Runs ``fn(*args)`` on daemon threads; ``fn`` must not raise (it reports its own errors)."""

    def __init__(self, max_threads: int, name: str = "toolbridge-tool") -> None:
        self._max = max(1, max_threads)
        self._name = name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._waiting = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            self._waiting += 1
            spawn = self._waiting > self._idle and self._threads < self._max
            if spawn:
                self._threads += 1
        self._queue.put((fn, args))
        if spawn:
            threading.Thread(target=self._run, name=f"{self._name}-{self._threads}", daemon=True).start()

    @property
    def threads(self) -> int:
        """Threads started so far."""
        return self._threads

    def _run(self) -> None:
        get, lock = self._queue.get, self._lock
        while True:
            with lock:
                self._idle += 1
            fn, args = get()
            with lock:
                self._idle -= 1
                self._waiting -= 1
            fn(*args)
            del fn, args  # do not keep the last call's arguments alive while idle
