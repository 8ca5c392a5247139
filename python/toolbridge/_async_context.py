"""The context of ``async def`` tools and async generators: callbacks are coroutines."""

from __future__ import annotations

from typing import Any

from . import _operations as ops
from ._callbacks import AsyncSink
from ._context import ContextBase
from ._exceptions import ToolError
from ._operations import NO_DEFAULT, reply_value
from ._proxies import ToolNamespace
from ._streams import AsyncToolStream
from ._variables import Variable

__all__ = ["AsyncContext"]


class AsyncContext(ContextBase):
    """What an async tool can ask of toolbridge; declare a parameter annotated
    ``AsyncContext`` to receive it.

    The same methods as :class:`Context`, as coroutines (``await ctx.get_variable("x")``);
    ``stream_tool`` returns an async iterator. ``ctx.tools`` needs one
    ``await ctx.load_tools()`` first, because fetching the list must not block the event
    loop.
    """

    __slots__ = ()

    async def get_variable(self, name: str, default: Any = NO_DEFAULT) -> Any:
        """The value of a session variable (``bytes`` for a bytes variable); ``default``
        when it does not exist, else :class:`ToolNotFound`."""
        return await self._drive(ops.get_variable(self, name, default))

    async def set_variable(self, name: str, value: Any, type: Any = None, metadata: dict | None = None,
                           expected_version: int | None = None) -> Variable:
        """Create or replace a session variable; see :meth:`Context.set_variable`."""
        return await self._drive(ops.set_variable(self, name, value, type, metadata, expected_version))

    async def delete_variable(self, name: str) -> bool:
        """Delete a session variable; False when there was none."""
        return await self._drive(ops.delete_variable(self, name))

    async def list_variables(self) -> list[Variable]:
        """Every variable of the session (bytes variables without their value)."""
        return await self._drive(ops.list_variables(self))

    async def list_tools(self) -> list[dict]:
        """The ToolInfo of every tool this call may use."""
        return await self._drive(ops.list_tools(self))

    async def call_tool(self, name: str, /, **kwargs: Any) -> Any:
        """Call a tool and return its result; see :meth:`Context.call_tool`."""
        return await self._drive(ops.call_tool(self, name, kwargs))

    def stream_tool(self, name: str, /, **kwargs: Any) -> AsyncToolStream:
        """Call a streaming tool: ``async for chunk in ctx.stream_tool("count", n=3)``.
        Stopping early tells the runtime to stop the stream."""
        params, body, binary = ops.call_params(name, kwargs)
        sink = AsyncSink(_running_loop())
        return AsyncToolStream(self, self._open_callback("stream_tool", params, body, binary, sink), sink)

    @property
    def tools(self) -> ToolNamespace:
        """The tools this call may use, as coroutine functions; available after
        ``await ctx.load_tools()``."""
        if self._tools is None:
            raise RuntimeError("in an async tool, call `await ctx.load_tools()` once before using ctx.tools")
        return self._tools

    async def load_tools(self) -> ToolNamespace:
        """Fetch the tools this call may use and return them (also as ``ctx.tools``)."""
        self._tools = ToolNamespace.build(self, await self.list_tools(), is_async=True)
        return self._tools

    # -- driving the operations ----------------------------------------------------------

    async def _drive(self, plan: ops.Plan) -> Any:
        try:
            request = next(plan)
            while True:
                try:
                    reply = await self._ask(*request)
                except ToolError as error:
                    request = plan.throw(error)
                else:
                    request = plan.send(reply)
        except StopIteration as done:
            return done.value

    async def _ask(self, op: str, params: dict, body: Any, binary: bool) -> tuple[Any, Any]:
        sink = AsyncSink(_running_loop())
        cid = self._open_callback(op, params, body, binary, sink)
        try:
            header, reply_body = await sink.get()
        except BaseException:  # the task was cancelled: tell the runtime we stopped waiting
            self._close_callback(cid, cancel=True)
            raise
        self._close_callback(cid)
        if header is None:
            raise reply_body
        return reply_value(header, reply_body)


def _running_loop() -> Any:
    import asyncio  # imported here so that workers without async tools never load asyncio

    return asyncio.get_running_loop()
