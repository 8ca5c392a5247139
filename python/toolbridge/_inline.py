"""Short plain tools run on the reader thread itself; a watchdog hands reading to a new
thread when one of them runs long.

Handing every call to a pool thread costs a thread wake-up and a GIL hand-over per call,
about half of a short call's CPU time. So the reader runs a plain tool that takes no
context itself, inline, and defers its result frame to go out with the others of the same
read. The cost of that is that while an inline tool runs, nobody reads: no new calls, no
cancels, no callback replies. The :class:`InlineGuard` bounds that time: its watchdog
looks every ``tick`` seconds, and when the reader has been inside the same inline call for
a whole tick it *promotes* a new thread to be the reader. The old thread finishes its call
and then stops reading (:meth:`InlineGuard.end` tells it). A tool that ever ran long is
sent to the pool from then on (the worker keeps that list).

When nothing runs inline for a while the watchdog parks, so an idle worker costs nothing.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

__all__ = ["InlineGuard"]

_PARK_AFTER_TICKS = 50


class InlineGuard:
    """Watches the reader's inline calls; ``promote()`` must start a new reader thread."""

    def __init__(self, promote: Callable[[], None], tick: float = 0.002) -> None:
        self._promote = promote
        self._tick = tick
        self._lock = threading.Lock()
        self._generation = 0
        self._busy = False
        self._seq = 0
        self._parked = True
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self) -> int:
        """The reader is about to run a call inline; returns its generation for :meth:`end`."""
        # Read the generation before raising _busy: once _busy is up the watchdog may promote
        # a new reader at any moment, and this thread must then see that it lost the role.
        generation = self._generation
        self._seq += 1
        self._busy = True
        if self._parked:  # read after writing _busy: see _run's park for the other half
            self._parked = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="toolbridge-inline-watchdog", daemon=True)
                self._thread.start()
            self._wake.set()
        return generation

    def end(self, generation: int) -> bool:
        """The inline call ended; True if this thread is still the reader, False if another
        thread was promoted meanwhile (this one must stop reading)."""
        with self._lock:
            if generation != self._generation:
                return False
            self._busy = False
            return True

    def _run(self) -> None:
        last_seq = -1
        quiet = 0
        while True:
            time.sleep(self._tick)
            seq, busy = self._seq, self._busy
            if busy and seq == last_seq:
                with self._lock:
                    if self._busy and self._seq == seq:  # still the same call: it runs long
                        self._generation += 1
                        self._busy = False
                        self._promote()
            last_seq = seq
            quiet = 0 if busy else quiet + 1
            if quiet >= _PARK_AFTER_TICKS:
                self._parked = True
                if self._busy:  # begin() ran before it could see _parked: stay awake
                    self._parked = False
                    continue
                self._wake.wait()
                self._wake.clear()
                quiet = 0
