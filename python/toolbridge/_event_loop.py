"""One asyncio event loop in its own thread, for async tools and async generators.

It starts with the first async call (a worker without async tools never imports asyncio).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Coroutine

__all__ = ["EventLoopThread"]


class EventLoopThread:
    """Runs coroutines on a private event loop; :meth:`spawn` may be called from any thread."""

    def __init__(self) -> None:
        self._loop: Any = None
        self._lock = threading.Lock()

    def spawn(self, make: Callable[[], Coroutine[Any, Any, Any]], started: Callable[[Any], None]) -> None:
        """Create ``make()`` as a task on the loop, then call ``started(task)`` on the loop
        thread before the task first runs."""
        loop = self._loop or self._start()
        loop.call_soon_threadsafe(self._create, make, started)

    @staticmethod
    def _create(make: Callable[[], Coroutine[Any, Any, Any]], started: Callable[[Any], None]) -> None:
        import asyncio

        started(asyncio.get_running_loop().create_task(make()))

    def _start(self) -> Any:
        with self._lock:
            if self._loop is None:
                import asyncio

                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="toolbridge-asyncio", daemon=True).start()
                self._loop = loop
        return self._loop
