"""The worker process: ``python3 -m toolbridge --module examples``.

One reader loop reads frames from the runtime and dispatches them: ``call`` to the event
loop (async tools), the thread pool (generators, tools that take a context, tools that
once ran long) or the reader itself (other plain tools, see ``_inline.py``); ``cancel`` to
the call's context; ``reply`` and ``reply_chunk`` to the callback channel; ``object`` to
the object bridge. The loop starts on the main thread and moves to a new thread when an
inline call runs long. Every frame goes out through one :class:`FrameWriter` (whole frames
under one lock). At end of input the worker lets the calls in flight finish, then exits 0.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from typing import Any, Sequence

from ._async_context import AsyncContext
from ._callbacks import CallbackChannel
from ._config import Config
from ._context import ContextBase
from ._deadlines import DeadlineWatch
from ._event_loop import EventLoopThread
from ._exceptions import InvalidArguments, ResourceExhausted, ToolNotFound, Unavailable, type_name
from ._frames import FrameError, FrameReader, FrameWriter, set_pipe_size
from ._inline import InlineGuard
from ._loader import ModuleLoadError, load_tools
from ._pool import ThreadPool
from ._runner import CallRunner
from ._sync_context import Context
from ._tool import ASYNC, ASYNC_GENERATOR, PLAIN, Tool

__all__ = ["PROTOCOL_VERSION", "Worker", "main"]

PROTOCOL_VERSION = 1

#: An inline call that runs longer than this sends its tool to the pool from then on.
INLINE_LIMIT_MS = 1.0


def log(message: str) -> None:
    """One line on stderr, which the runtime relays to its log."""
    print(f"toolbridge worker: {message}", file=sys.stderr, flush=True)


class Worker:
    """Serves ``tools`` over a frame reader and writer until end of input."""

    def __init__(self, tools: dict[str, Tool], config: Config, reader: FrameReader, writer: FrameWriter) -> None:
        self._tools = tools
        self._config = config
        self._reader = reader
        self._writer = writer
        self._calls: dict[int, ContextBase] = {}
        self.channel = CallbackChannel(writer.send, writer.try_send)
        self._runner = CallRunner(writer, self._ended)
        self._pool = ThreadPool(config.threads)
        self._loop = EventLoopThread()
        self._deadlines = DeadlineWatch(self._calls)
        self._guard = InlineGuard(self._promote_reader)
        # Plain tools without a context may run on the reader thread (see _inline.py).
        self._inline = {t for t in tools.values() if t.kind is PLAIN and t.context_parameter is None}
        self._handlers = {
            "call": self._on_call,
            "cancel": self._on_cancel,
            "reply": self.channel.deliver,
            "reply_chunk": self.channel.deliver,
            "object": self._on_object,
        }
        self._end_of_input = threading.Event()
        self._draining = False
        self._drained = threading.Event()
        self._objects: Any = None  # the ObjectBridge, made (and imported) on the first object frame

    def serve(self) -> int:
        """Read and dispatch frames until end of input, then drain; returns the exit status."""
        self._read_frames()
        self._end_of_input.wait()
        return self._drain()

    def _read_frames(self) -> None:
        """The reader loop; returns at end of input, or when another thread took over."""
        read, handlers = self._reader.read, self._handlers
        while True:
            # Drop the last frame before waiting for the next: a large payload must not outlive its call.
            frame = header = body = None
            try:
                frame = read()
            except FrameError as error:
                log(str(error))
                continue
            if frame is None:
                self._writer.flush()
                self._end_of_input.set()
                return
            header, body = frame
            handler = handlers.get(header.get("t"))
            if handler is None:
                log(f"ignoring a frame of unknown type {header.get('t')!r}")
                continue
            try:
                if handler(header, body) is False:
                    return  # this thread ran a call inline for too long; another one reads now
            except Exception:  # a malformed frame must not stop the worker
                log(f"cannot handle a {header.get('t')!r} frame:\n{traceback.format_exc()}")

    def _promote_reader(self) -> None:
        threading.Thread(target=self._read_frames, name="toolbridge-reader", daemon=True).start()

    # -- frames --------------------------------------------------------------------------

    def _on_call(self, header: dict, body: bytes | None) -> bool:
        """Start a call; False when it ran inline and this thread lost the reader role."""
        call_id = header["id"]
        tool = self._tools.get(header.get("tool"))
        if body is None:
            self._runner.fail(call_id, ResourceExhausted(
                f"the request payload is {self._reader.dropped} bytes, over the "
                f"{self._config.max_message_bytes} byte limit (TOOLBRIDGE_MAX_MESSAGE_BYTES)"))
            return True
        if tool is None:
            self._runner.fail(call_id, ToolNotFound(
                f"no tool named {header.get('tool')!r}; this worker serves: {', '.join(sorted(self._tools))}",
                field="/tool"))
            return True
        timeout_ms = header.get("timeout_ms")
        if timeout_ms is not None and (type(timeout_ms) not in (int, float) or timeout_ms != timeout_ms):
            self._runner.fail(call_id, InvalidArguments(
                f"timeout_ms must be a number of milliseconds or null, got {timeout_ms!r}", field="/timeout_ms"))
            return True
        kind = tool.kind
        is_async = kind is ASYNC or kind is ASYNC_GENERATOR
        ctx = (AsyncContext if is_async else Context)(
            call_id,
            self.channel,
            header.get("session") or "",
            header.get("request") or "",
            None if timeout_ms is None else time.monotonic() + timeout_ms / 1000,
        )
        self._calls[call_id] = ctx
        if timeout_ms is not None:
            self._deadlines.watch(ctx)
        args, stream = header.get("args"), header.get("stream") is True
        if is_async:
            self._loop.spawn(lambda: self._runner.run_async(tool, ctx, args, body, stream), _cancels_task(ctx))
        elif tool in self._inline:
            generation = self._guard.begin()
            run_ms = self._runner.run(tool, ctx, args, body, stream, deferred=True)
            still_reader = self._guard.end(generation)
            if not still_reader or run_ms > INLINE_LIMIT_MS:
                self._inline.discard(tool)
            if not still_reader:
                self._writer.flush()
                return False
        else:
            self._pool.submit(self._runner.run, tool, ctx, args, body, stream)
        return True

    def _on_cancel(self, header: dict, body: bytes | None) -> None:
        ctx = self._calls.get(header["id"])
        if ctx is not None:
            reason = header.get("reason")
            ctx._cancel(reason if reason in ("deadline_exceeded", "canceled") else "canceled")

    def _on_object(self, header: dict, body: bytes | None) -> None:
        if self._objects is None:
            from ._object_bridge import ObjectBridge
            from ._object_policy import ObjectPolicy

            self._objects = ObjectBridge(ObjectPolicy(self._config.object_modules))
        self._pool.submit(self._runner.run_object, header["id"], self._objects.handle, header)

    # -- call bookkeeping ----------------------------------------------------------------

    def _ended(self, ctx: ContextBase) -> None:
        if ctx._open:
            ctx._end_callbacks()
        self._calls.pop(ctx._call_id, None)
        if self._draining and not self._calls:
            self._drained.set()

    def _drain(self) -> int:
        self._writer.flush()
        self._draining = True
        self.channel.close(Unavailable("the runtime closed the worker's input; callbacks cannot be answered"))
        if self._calls:
            self._drained.wait()
        return 0


def _cancels_task(ctx: ContextBase):
    """Links an async call's task to its context, so that cancelling the call cancels it."""

    def started(task: Any) -> None:
        loop = task.get_loop()
        ctx._on_cancel = lambda: loop.call_soon_threadsafe(task.cancel)

    return started


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker: set up the pipes, load the tools, report ``ready`` (or ``fatal`` and
    return 2), serve until end of input."""
    # fd 1 carries frames only: keep a private copy for them and send everything else a
    # tool might print (print(), C libraries, child processes) to stderr. Likewise fd 0
    # is the runtime's; a tool that reads stdin gets /dev/null instead of our frames.
    frames_out = os.dup(1)
    frames_in = os.dup(0)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout = sys.stderr
    set_pipe_size(frames_in)
    set_pipe_size(frames_out)

    writer = FrameWriter(frames_out, 1 << 62)
    try:
        config = Config.load(sys.argv[1:] if argv is None else argv, os.environ)
        writer = FrameWriter(frames_out, config.max_message_bytes)
        tools = load_tools(list(config.modules))
    except ModuleLoadError as error:
        writer.send(_fatal_header(str(error), error.cause))
        return 2
    except Exception as error:  # a bad configuration, a duplicate tool name
        writer.send(_fatal_header(str(error), error))
        return 2
    writer.send({"t": "ready", "protocol": PROTOCOL_VERSION, "pid": os.getpid(),
                 "tools": [t.info for t in tools.values()]})
    worker: Worker

    def before_wait() -> None:
        worker.channel.send_cancels()
        writer.flush()

    reader = FrameReader(frames_in, config.max_message_bytes, before_wait=before_wait)
    worker = Worker(tools, config, reader, writer)
    return worker.serve()


def _fatal_header(message: str, error: BaseException) -> dict:
    return {"t": "fatal", "message": message, "type": type_name(type(error)),
            "traceback": "".join(traceback.format_exception(type(error), error, error.__traceback__))}
