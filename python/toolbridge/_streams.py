"""Iterators over the chunks of a ``stream_tool`` callback.

Leaving one early (``break``, ``close()``, ``with`` ending, garbage collection) sends
``callback_cancel`` so that the runtime stops the remote stream.
"""

from __future__ import annotations

from typing import Any

from ._operations import reply_value, tool_result

__all__ = ["AsyncToolStream", "ToolStream"]


class _StreamBase:
    __slots__ = ("_cid", "_ctx", "_done", "_sink", "result")

    def __init__(self, ctx: Any, cid: int, sink: Any) -> None:
        self._ctx = ctx
        self._cid = cid
        self._sink = sink
        self._done = False
        #: The stream's final value (the remote generator's return value), once it ended.
        self.result: Any = None

    def _item(self, header: dict | None, body: Any) -> Any:
        """The chunk a frame carries; raises StopIteration-like _End at the final reply."""
        if header is None:
            self._finish(cancel=False)
            raise body
        if header.get("t") == "reply_chunk":
            value, payload = reply_value(header, body)
            return payload if payload is not None else value
        self._finish(cancel=False)
        self.result = tool_result(*reply_value(header, body))
        raise _End

    def _finish(self, cancel: bool) -> None:
        if not self._done:
            self._done = True
            self._ctx._close_callback(self._cid, cancel=cancel)

    def __del__(self) -> None:
        # A finalizer may run in any thread, even inside a frame write: queue the cancel.
        if not self._done:
            self._done = True
            try:
                self._ctx._open.pop(self._cid, None)
                self._ctx._channel.cancel_soon(self._cid)
            except Exception:  # at interpreter exit the channel may be gone
                pass


class _End(Exception):
    pass


class ToolStream(_StreamBase):
    """The chunks of a streamed tool, for plain tools: ``for chunk in ctx.stream_tool(...)``.

    Binary chunks come as ``bytes``. After the last chunk ``result`` holds the final value.
    """

    __slots__ = ()

    def __iter__(self) -> ToolStream:
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        header, body = self._sink.get()
        try:
            return self._item(header, body)
        except _End:
            raise StopIteration from None

    def close(self) -> None:
        """Stop listening; the runtime is told to stop the stream."""
        self._finish(cancel=True)

    def __enter__(self) -> ToolStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncToolStream(_StreamBase):
    """The chunks of a streamed tool, for async tools: ``async for chunk in ctx.stream_tool(...)``."""

    __slots__ = ()

    def __aiter__(self) -> AsyncToolStream:
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        try:
            header, body = await self._sink.get()
        except BaseException:  # the task was cancelled while waiting
            self._finish(cancel=True)
            raise
        try:
            return self._item(header, body)
        except _End:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        """Stop listening; the runtime is told to stop the stream."""
        self._finish(cancel=True)

    async def __aenter__(self) -> AsyncToolStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
