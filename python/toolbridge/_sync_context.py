"""The context of plain functions and generators: callbacks block until the runtime answers."""

from __future__ import annotations

import queue
from typing import Any

from . import _operations as ops
from ._context import ContextBase
from ._exceptions import ToolError
from ._operations import NO_DEFAULT, reply_value
from ._proxies import ToolNamespace
from ._streams import ToolStream
from ._variables import Variable

__all__ = ["Context"]


class Context(ContextBase):
    """What a plain or generator tool can ask of toolbridge; declare a parameter annotated
    ``Context`` to receive it.

    Besides the attributes of :class:`ContextBase` (``session_id``, ``request_id``,
    ``deadline``, ``cancelled``, ``progress()``, ...) it reads and writes the session's
    variables and calls other tools, whatever language serves them. Each of these waits for
    the runtime's answer; a remote failure raises the matching :class:`ToolError` subclass.
    Once the call is cancelled they raise :class:`Cancelled` (or :class:`DeadlineExceeded`)
    without asking. Variables read during a call are cached for that call only.
    """

    __slots__ = ()

    def get_variable(self, name: str, default: Any = NO_DEFAULT) -> Any:
        """The value of a session variable (``bytes`` for a bytes variable); ``default``
        when it does not exist, else :class:`ToolNotFound`."""
        return self._drive(ops.get_variable(self, name, default))

    def set_variable(self, name: str, value: Any, type: Any = None, metadata: dict | None = None,
                     expected_version: int | None = None) -> Variable:
        """Create or replace a session variable; returns it with its new version.

        ``type`` is ``"string"``, ``"integer"``, ``"float"``, ``"boolean"``, ``"object"``,
        ``"array"`` or ``"bytes"`` (or the Python type); a ``bytes`` value is a bytes
        variable. ``expected_version`` makes the write conditional (:class:`Aborted` when
        the variable has another version; 0 means it must not exist yet).
        """
        return self._drive(ops.set_variable(self, name, value, type, metadata, expected_version))

    def delete_variable(self, name: str) -> bool:
        """Delete a session variable; False when there was none."""
        return self._drive(ops.delete_variable(self, name))

    def list_variables(self) -> list[Variable]:
        """Every variable of the session (bytes variables without their value)."""
        return self._drive(ops.list_variables(self))

    def list_tools(self) -> list[dict]:
        """The ToolInfo of every tool this call may use."""
        return self._drive(ops.list_tools(self))

    def call_tool(self, name: str, /, **kwargs: Any) -> Any:
        """Call a tool and return its result. A single ``bytes`` argument travels as the
        payload; a binary result comes back as ``bytes`` (a :class:`Result` when the tool
        returned a value too)."""
        return self._drive(ops.call_tool(self, name, kwargs))

    def stream_tool(self, name: str, /, **kwargs: Any) -> ToolStream:
        """Call a streaming tool; iterate the result for its chunks. Stopping early tells
        the runtime to stop the stream."""
        params, body, binary = ops.call_params(name, kwargs)
        sink: queue.SimpleQueue = queue.SimpleQueue()
        return ToolStream(self, self._open_callback("stream_tool", params, body, binary, sink), sink)

    @property
    def tools(self) -> ToolNamespace:
        """The tools this call may use, as functions: ``ctx.tools.validate_json(json_string="{}")``
        (fetched with ``list_tools`` on first use, once per call)."""
        if self._tools is None:
            self._tools = ToolNamespace.build(self, self.list_tools(), is_async=False)
        return self._tools

    def load_tools(self) -> ToolNamespace:
        """Fetch the tools (again) and return ``ctx.tools``."""
        self._tools = ToolNamespace.build(self, self.list_tools(), is_async=False)
        return self._tools

    # -- driving the operations ----------------------------------------------------------

    def _drive(self, plan: ops.Plan) -> Any:
        try:
            request = next(plan)
            while True:
                try:
                    reply = self._ask(*request)
                except ToolError as error:
                    request = plan.throw(error)
                else:
                    request = plan.send(reply)
        except StopIteration as done:
            return done.value

    def _ask(self, op: str, params: dict, body: Any, binary: bool) -> tuple[Any, Any]:
        sink: queue.SimpleQueue = queue.SimpleQueue()
        cid = self._open_callback(op, params, body, binary, sink)
        try:
            header, reply_body = sink.get()
        finally:
            self._close_callback(cid)
        if header is None:
            raise reply_body
        return reply_value(header, reply_body)
