"""Runs one call of a tool and writes how it ended: chunks, then a result or an error.

The same steps for every kind of tool: bind the arguments (validate, add the payload and
the context), run, turn the outcome into frames. Plain functions and generators run on a
pool thread (:meth:`CallRunner.run`), coroutines and async generators as tasks on the event
loop thread (:meth:`CallRunner.run_async`).
"""

from __future__ import annotations

import os
import time
import traceback
from typing import Any, Callable

from ._context import ContextBase
from ._exceptions import ToolError, type_name
from ._frames import FrameWriter
from ._result import Result
from ._tool import ASYNC, PLAIN, Tool

__all__ = ["CallRunner", "error_header"]

_BYTES = (bytes, bytearray, memoryview)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_MAX_MESSAGE_CHARS = 8 << 10
_MAX_TRACEBACK_CHARS = 64 << 10


class CallRunner:
    """Runs calls and writes their frames with ``writer``; calls ``ended(ctx)`` after a
    call's last frame is written."""

    def __init__(self, writer: FrameWriter, ended: Callable[[ContextBase], None]) -> None:
        self._writer = writer
        self._ended = ended

    def run(self, tool: Tool, ctx: ContextBase, args: Any, body: bytes, stream: bool, deferred: bool = False) -> float:
        """Run a plain or generator tool to the end (on the calling thread); returns how long
        the tool ran, in ms. ``deferred`` queues the final frame (FrameWriter.defer)."""
        run_ms = 0.0
        try:
            kwargs = _bind(tool, ctx, args, body)
            if ctx._reason is not None:
                raise ctx._cancel_error()
            started = time.perf_counter()
            try:
                if tool.kind is PLAIN:
                    value = tool.fn(**kwargs)
                else:
                    value = self._drive(tool.fn(**kwargs), ctx, stream)
            finally:
                run_ms = (time.perf_counter() - started) * 1000
            if ctx._reason is not None:
                raise ctx._cancel_error()
            self._complete(ctx, value, run_ms, deferred)
        except BaseException as error:
            self._fail(ctx, error, deferred)
        finally:
            self._ended(ctx)
        return run_ms

    async def run_async(self, tool: Tool, ctx: ContextBase, args: Any, body: bytes, stream: bool) -> None:
        """Run an async tool or async generator to the end (as a task on the event loop)."""
        try:
            kwargs = _bind(tool, ctx, args, body)
            ctx.check_cancelled()
            started = time.perf_counter()
            if tool.kind is ASYNC:
                value = await tool.fn(**kwargs)
            else:
                value = await self._drive_async(tool.fn(**kwargs), ctx, stream)
            run_ms = (time.perf_counter() - started) * 1000
            ctx.check_cancelled()
            self._complete(ctx, value, run_ms)
        except BaseException as error:  # CancelledError too: the call ends with an error frame
            self._fail(ctx, error)
        finally:
            self._ended(ctx)

    def run_object(self, call_id: int, operation: Callable[[dict], Any], frame: dict) -> None:
        """Run an object bridge operation and write its ``result`` or ``error`` frame."""
        try:
            header = {"t": "result", "id": call_id, "value": operation(frame)}
            try:
                encoded = self._writer.encode(header, value=True)
            except (TypeError, ValueError, RecursionError):
                raise _not_json(header["value"], "returned") from None
            self._writer.write(encoded)
        except BaseException as error:
            try:
                self._writer.send(error_header(call_id, error))
            except OSError:
                pass

    def fail(self, call_id: int, error: BaseException) -> None:
        """End a call that never started (unknown tool, oversized request)."""
        self._writer.send(error_header(call_id, error))

    # -- generators ----------------------------------------------------------------------

    def _drive(self, gen: Any, ctx: ContextBase, stream: bool) -> Any:
        items: list = []
        try:
            while True:
                if ctx._reason is not None:
                    raise ctx._cancel_error()
                try:
                    item = next(gen)
                except StopIteration as stop:
                    return stop.value if stream else _collected(items)
                if stream:
                    self._chunk(ctx, item)
                else:
                    items.append(item)
        finally:
            gen.close()

    async def _drive_async(self, agen: Any, ctx: ContextBase, stream: bool) -> Any:
        items: list = []
        try:
            while True:
                if ctx._reason is not None:
                    raise ctx._cancel_error()
                try:
                    item = await agen.__anext__()
                except StopAsyncIteration:
                    return None if stream else _collected(items)
                if stream:
                    self._chunk(ctx, item)
                else:
                    items.append(item)
        finally:
            await agen.aclose()

    def _chunk(self, ctx: ContextBase, item: Any) -> None:
        if isinstance(item, _BYTES):
            self._writer.send({"t": "chunk", "id": ctx._call_id, "binary": True}, item)
            return
        try:
            self._writer.send({"t": "chunk", "id": ctx._call_id, "value": item}, value=True)
        except (TypeError, ValueError, RecursionError):
            raise _not_json(item, "yielded") from None

    # -- outcomes ------------------------------------------------------------------------

    def _complete(self, ctx: ContextBase, value: Any, run_ms: float, deferred: bool = False) -> None:
        payload: Any = None
        if type(value) is Result:
            value, payload = value.value, value.payload
        elif isinstance(value, _BYTES):
            value, payload = None, value
        header = {"t": "result", "id": ctx._call_id, "value": value, "run_ms": round(run_ms, 3)}
        if payload is None:
            payload = b""
        else:
            header["binary"] = True
            self._writer.check_body(payload)
        try:
            encoded = self._writer.encode(header, value=True)
        except (TypeError, ValueError, RecursionError):
            raise _not_json(value, "returned") from None
        (self._writer.defer if deferred else self._writer.write)(encoded, payload)

    def _fail(self, ctx: ContextBase, error: BaseException, deferred: bool = False) -> None:
        if ctx._reason is not None:
            error = ctx._cancel_error()  # a cancelled call ends with its reason, whatever it raised
        try:
            encoded = self._writer.encode(error_header(ctx._call_id, error))
            (self._writer.defer if deferred else self._writer.write)(encoded)
        except OSError:
            pass  # the runtime is gone


def error_header(call_id: int, error: BaseException) -> dict:
    """The ``error`` frame for ``error``: a ToolError keeps its code; anything else is
    ``internal``. A traceback is attached when the error passed through code outside
    toolbridge (the tool's own frames)."""
    if isinstance(error, ToolError):
        code, message, kind, field = error.code, error.message, error.type or type_name(type(error)), error.field
    else:
        code, kind, field = "internal", type_name(type(error)), None
        message = str(error) or kind
    header: dict[str, Any] = {"t": "error", "id": call_id, "code": code, "message": _cap(message, _MAX_MESSAGE_CHARS),
                              "type": kind}
    trace = _tool_traceback(error)
    remote = error.traceback if isinstance(error, ToolError) else None
    if remote:
        trace = f"{trace}\nThe remote side's traceback:\n{remote}" if trace else remote
    if trace:
        header["traceback"] = _cap(trace, _MAX_TRACEBACK_CHARS, keep_end=True)
    if field is not None:
        header["field"] = field
    return header


def _bind(tool: Tool, ctx: ContextBase, args: Any, body: bytes) -> dict:
    kwargs = tool.validate({} if args is None else args)
    if tool.payload_parameter is not None:
        kwargs[tool.payload_parameter] = body
    if tool.context_parameter is not None:
        kwargs[tool.context_parameter] = ctx
    return kwargs


def _collected(items: list) -> Any:
    """A generator's items as one unary result: a list, or the bytes joined when it yields
    bytes."""
    binary = sum(1 for i in items if isinstance(i, _BYTES))
    if not binary:
        return items
    if binary < len(items):
        raise ToolError("the generator yielded both bytes and JSON values; yield one kind", type="TypeError")
    return b"".join(items)


def _tool_traceback(error: BaseException) -> str:
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        tb = tb.tb_next  # the worker's own frames say nothing about the tool
    if tb is None:
        return ""
    return "".join(traceback.format_exception(type(error), error, tb))


def _not_json(value: Any, verb: str) -> ToolError:
    where, what = _first_non_json(value, "")
    if what == "bytes":
        hint = "return the bytes alone, or toolbridge.Result(value, payload=...)"
        return ToolError(f"the tool {verb} bytes inside a JSON value at {where or '/'}: {hint}", type="TypeError")
    return ToolError(f"the tool {verb} a value that is not JSON: {where or '/'} is {what}", type="TypeError")


def _first_non_json(value: Any, path: str, depth: int = 0) -> tuple[str, str]:
    if depth > 200:
        return path, "nested too deeply (or refers to itself)"
    if value is None or isinstance(value, (str, bool, int)):
        return "", ""
    if isinstance(value, float):
        return ("", "") if value == value and abs(value) != float("inf") else (path, f"{value} (not a JSON number)")
    if isinstance(value, _BYTES):
        return path, "bytes"
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _first_non_json(item, f"{path}/{index}", depth + 1)
            if found[1]:
                return found
        return "", ""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return path, f"an object with a {type(key).__name__} key"
            found = _first_non_json(item, f"{path}/{key}", depth + 1)
            if found[1]:
                return found
        return "", ""
    return path, f"a {type_name(type(value))}"


def _cap(text: str, limit: int, keep_end: bool = False) -> str:
    if len(text) <= limit:
        return text
    if keep_end:
        return "… (truncated)\n" + text[-limit:]
    return text[:limit] + "… (truncated)"
