"""A scripted stand-in for the runtime's side of callbacks (test helper).

It plays the ``CallbackChannel``'s ``send``: every frame a context sends lands in ``sent``,
and each ``callback`` frame is answered by the handler registered for its op. The default
handlers keep session variables in memory the way the gateway does (versions,
``expected_version``) and call Python functions registered as tools.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from toolbridge import AsyncContext, Context
from toolbridge._callbacks import CallbackChannel

WAIT = 10.0


@dataclass
class Reply:
    """An answer: a value, optionally with a binary body."""

    value: Any = None
    body: bytes | None = None


@dataclass
class Fail:
    """An error answer."""

    code: str
    message: str
    type: str = ""
    traceback: str = ""


@dataclass
class Stream:
    """reply_chunk frames, then a final reply."""

    chunks: list = field(default_factory=list)
    result: Any = None


#: Handler result meaning "do not answer now" (the test answers or cancels later).
HOLD = object()


class ScriptedRuntime:
    """Answers callbacks; ``handlers[op](params, body)`` returns a value, Reply, Fail, Stream or HOLD."""

    def __init__(self) -> None:
        self.channel = CallbackChannel(self.receive)
        self.sent: list[tuple[dict, bytes]] = []
        self.variables: dict[str, dict] = {}
        self.tools: dict[str, tuple[dict, Callable[..., Any]]] = {}
        self.handlers: dict[str, Callable[[dict, bytes], Any]] = {
            "get_variable": self._get,
            "set_variable": self._set,
            "delete_variable": self._delete,
            "list_variables": lambda params, body: {"variables": [
                {k: v for k, v in var.items() if k != "_bytes"} for var in self.variables.values()]},
            "list_tools": lambda params, body: {"tools": [info for info, _ in self.tools.values()]},
            "call_tool": self._call_tool,
            "stream_tool": self._call_tool,
        }
        self._changed = threading.Condition()

    def context(self, kind: type = Context, call_id: int = 1, session_id: str = "s1") -> Any:
        return kind(call_id, self.channel, session_id, "r1", None)

    def add_tool(self, info: dict, fn: Callable[..., Any]) -> None:
        self.tools[info["name"]] = (info, fn)

    # -- what a context sends ------------------------------------------------------------

    def receive(self, header: dict, body: Any = b"") -> None:
        with self._changed:
            self.sent.append((header, bytes(body)))
            self._changed.notify_all()
        if header["t"] != "callback":
            return
        answer = self.handlers[header["op"]](header["params"], bytes(body))
        if answer is not HOLD:
            self.answer(header["cid"], answer)

    def callbacks(self, op: str | None = None) -> list[dict]:
        return [h for h, _ in self.sent if h["t"] == "callback" and (op is None or h["op"] == op)]

    def cancels(self) -> list[int]:
        return [h["cid"] for h, _ in self.sent if h["t"] == "callback_cancel"]

    def wait_for_callback(self, op: str) -> dict:
        with self._changed:
            if not self._changed.wait_for(lambda: self.callbacks(op), WAIT):
                raise AssertionError(f"no {op} callback; sent: {self.sent}")
            return self.callbacks(op)[-1]

    def answer(self, cid: int, answer: Any) -> None:
        """Deliver an answer the way the worker's reader thread would."""
        deliver = self.channel.deliver
        if isinstance(answer, Fail):
            error = {"code": answer.code, "message": answer.message, "type": answer.type, "traceback": answer.traceback}
            deliver({"t": "reply", "cid": cid, "error": error}, b"")
        elif isinstance(answer, Stream):
            for chunk in answer.chunks:
                if isinstance(chunk, bytes):
                    deliver({"t": "reply_chunk", "cid": cid, "binary": True}, chunk)
                else:
                    deliver({"t": "reply_chunk", "cid": cid, "value": chunk}, b"")
            self.answer(cid, answer.result)
        elif isinstance(answer, Reply) and answer.body is not None:
            deliver({"t": "reply", "cid": cid, "binary": True, "value": answer.value}, answer.body)
        else:
            value = answer.value if isinstance(answer, Reply) else answer
            deliver({"t": "reply", "cid": cid, "value": value}, b"")

    # -- default handlers ----------------------------------------------------------------

    def _get(self, params: dict, body: bytes) -> Any:
        var = self.variables.get(params["name"])
        if var is None:
            return Fail("not_found", f"variable {params['name']!r} not found", "VariableNotFound")
        if "_bytes" in var:
            return Reply({k: v for k, v in var.items() if k != "_bytes"}, var["_bytes"])
        return var

    def _set(self, params: dict, body: bytes) -> Any:
        name = params["name"]
        old = self.variables.get(name)
        expected = params.get("expected_version")
        version = old["version"] if old else 0
        if expected is not None and expected != version:
            return Fail("aborted", f"variable {name!r} is at version {version}, not {expected}", "VersionMismatch")
        var = {"name": name, "type": params.get("type") or (old or {}).get("type", "VARIABLE_TYPE_UNSPECIFIED"),
               "version": version + 1, "metadata": params.get("metadata", {})}
        if "value" in params:
            var["value"] = params["value"]
        else:
            var["_bytes"] = body
        self.variables[name] = var
        return {k: v for k, v in var.items() if k != "_bytes"}

    def _delete(self, params: dict, body: bytes) -> Any:
        return {"deleted": self.variables.pop(params["name"], None) is not None}

    def _call_tool(self, params: dict, body: bytes) -> Any:
        entry = self.tools.get(params["tool"])
        if entry is None:
            return Fail("not_found", f"no tool named {params['tool']!r}", "ToolNotFound")
        info, fn = entry
        args = dict(params["args"])
        if info.get("payloadParameter"):
            args[info["payloadParameter"]] = body
        return fn(**args)


def run_in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, dict]:
    """Run ``fn`` on a thread; the dict gets "value" or "error" when it ends."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


__all__ = ["HOLD", "AsyncContext", "Context", "Fail", "Reply", "ScriptedRuntime", "Stream", "run_in_thread"]
