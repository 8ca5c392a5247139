"""Callback plumbing: a tool's requests to the runtime (``callback`` frames) and the
runtime's answers (``reply`` and ``reply_chunk``), matched by ``cid``.

The channel knows nothing of threads or event loops: each open callback has a *sink*, an
object with ``put(item)`` that may be called from the reader thread. A sync context uses a
``queue.SimpleQueue``; an async context uses :class:`AsyncSink`. An item is
``(header, body)`` for a frame, or ``(None, exception)`` when the callback ended locally
(the call was cancelled, the runtime went away).
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Protocol

from ._exceptions import ToolError

__all__ = ["AsyncSink", "CallbackChannel", "Sink"]

_EMPTY = b""


class Sink(Protocol):
    """Where the answers to one callback go."""

    def put(self, item: tuple) -> None: ...


class AsyncSink:
    """A sink for async tools: hands items to an asyncio queue on the tool's loop."""

    __slots__ = ("_loop", "queue")

    def __init__(self, loop: Any) -> None:
        import asyncio  # only async tools need it; plain workers never import asyncio

        self._loop = loop
        self.queue: asyncio.Queue = asyncio.Queue()

    def put(self, item: tuple) -> None:
        self._loop.call_soon_threadsafe(self.queue.put_nowait, item)

    async def get(self) -> tuple:
        return await self.queue.get()


class CallbackChannel:
    """Opens callbacks for calls and routes the runtime's answers to their sinks.

    ``send(header, body)`` writes one frame to the runtime (a FrameWriter's ``send`` in the
    worker, a scripted runtime double in tests); ``try_send(header)``, when given, writes a
    frame only if that needs no waiting (FrameWriter.try_send).
    """

    def __init__(self, send: Callable[..., None], try_send: Callable[[dict], bool] | None = None) -> None:
        self.send = send
        self._try_send = try_send
        self._pending: dict[int, Sink] = {}
        self._cids = itertools.count(1)
        self._closed: ToolError | None = None
        self._cancel_later: list[int] = []

    def open(self, call_id: int, op: str, params: dict, body: Any, sink: Sink, binary: bool = False) -> int:
        """Send a ``callback`` frame (``binary`` marks the body as a value, even an empty
        one); its answers go to ``sink``. Returns the cid."""
        if self._closed is not None:
            raise self._closed
        if self._cancel_later:
            self.send_cancels()
        cid = next(self._cids)
        self._pending[cid] = sink
        if self._closed is not None:  # closed while we registered: close() may have missed us
            self._pending.pop(cid, None)
            raise self._closed
        header = {"t": "callback", "cid": cid, "call": call_id, "op": op, "params": params}
        if binary or body:
            header["binary"] = True
        try:
            self.send(header, body)
        except BaseException:
            self._pending.pop(cid, None)
            raise
        return cid

    def cancel(self, cid: int, error: ToolError | None = None) -> None:
        """Give up on a callback: tell the runtime (``callback_cancel``) and, when ``error``
        is given, end the wait of whoever reads its sink. Does nothing for an ended cid."""
        sink = self._pending.pop(cid, None)
        if sink is None:
            return
        if error is not None:
            sink.put((None, error))
        try:
            self.send({"t": "callback_cancel", "cid": cid}, _EMPTY)
        except OSError:
            pass  # the runtime is gone; nobody to tell

    def cancel_soon(self, cid: int) -> None:
        """Like :meth:`cancel` without an error, for finalizers (``__del__``), which may run
        inside a frame write: it never waits for the writer. When the frame cannot go out at
        once it goes with the next callback, or when the worker next waits for input
        (:meth:`send_cancels`)."""
        if self._pending.pop(cid, None) is None:
            return
        try:
            if self._try_send is not None and self._try_send({"t": "callback_cancel", "cid": cid}):
                return
        except OSError:
            return
        self._cancel_later.append(cid)

    def send_cancels(self) -> None:
        """Send the ``callback_cancel`` frames that :meth:`cancel_soon` queued."""
        while self._cancel_later:
            cid = self._cancel_later.pop()
            try:
                self.send({"t": "callback_cancel", "cid": cid}, _EMPTY)
            except OSError:
                return

    def finish(self, cid: int) -> None:
        """Forget a callback whose final reply was read."""
        self._pending.pop(cid, None)

    def deliver(self, header: dict, body: Any) -> None:
        """Route a ``reply`` or ``reply_chunk`` frame; frames for unknown cids are dropped
        (the callback was cancelled locally, and this is the runtime's late answer)."""
        cid = header.get("cid")
        if header.get("t") == "reply":
            sink = self._pending.pop(cid, None)
        else:
            sink = self._pending.get(cid)
        if sink is not None:
            sink.put((header, body))

    def close(self, error: ToolError) -> None:
        """End every open callback with ``error`` (the runtime closed our input) and refuse
        new ones."""
        self._closed = error
        while self._pending:
            _, sink = self._pending.popitem()
            sink.put((None, error))
