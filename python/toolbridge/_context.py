"""What a running tool can ask of toolbridge: who is calling, how long it may take, whether
the caller gave up, and a way to report progress.

A tool receives a context by declaring a parameter annotated with :class:`Context` (plain
functions and generators) or :class:`AsyncContext` (``async def`` functions and async
generators). The two share everything in this module; they differ only in the callbacks
(``get_variable``, ``call_tool``, ...), which block in a :class:`Context` and are coroutines
in an :class:`AsyncContext`.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

from ._callbacks import CallbackChannel
from ._exceptions import ToolError, error_class

__all__ = ["ContextBase", "cancel_message"]


def cancel_message(reason: str) -> str:
    """The message of the error that ends a call cancelled for ``reason``."""
    if reason == "deadline_exceeded":
        return "the call's deadline was exceeded"
    return "the call was cancelled by its caller"


class ContextBase:
    """The part of a tool's context shared by :class:`Context` and :class:`AsyncContext`.

    Attributes:
        session_id: the session the call belongs to; ``""`` for none.
        request_id: the caller's id for this call; ``""`` when it gave none.
        deadline: when the call must end, on the ``time.monotonic()`` clock; ``None`` for
            no deadline.
    """

    __slots__ = (
        "session_id",
        "request_id",
        "deadline",
        "_call_id",
        "_channel",
        "_reason",
        "_open",
        "_on_cancel",
        "_variables",
        "_tools",
    )

    def __init__(
        self,
        call_id: int,
        channel: CallbackChannel,
        session_id: str = "",
        request_id: str = "",
        deadline: float | None = None,
    ) -> None:
        self.session_id = session_id
        self.request_id = request_id
        self.deadline = deadline
        self._call_id = call_id
        self._channel = channel
        self._reason: str | None = None
        self._open: dict[int, Any] = {}
        self._on_cancel: Callable[[], None] | None = None
        self._variables: dict[str, Any] | None = None
        self._tools: Any = None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} call={self._call_id} session={self.session_id!r} "
            f"request={self.request_id!r} cancelled={self.cancelled}>"
        )

    @property
    def cancelled(self) -> bool:
        """True once the caller cancelled the call or its deadline passed."""
        return self._reason is not None

    def check_cancelled(self) -> None:
        """Raise :class:`Cancelled` if the call was cancelled (:class:`DeadlineExceeded` if
        its deadline passed); a long-running tool calls this between steps."""
        if self._reason is not None:
            raise self._cancel_error()

    def time_remaining(self) -> float | None:
        """Seconds left before the deadline (0 once it passed); ``None`` without a deadline."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress, ``fraction`` between 0 and 1; a streaming caller sees it as a
        progress event."""
        fraction = float(fraction)
        if not (0.0 <= fraction <= 1.0) or math.isnan(fraction):
            raise ValueError(f"progress fraction must be between 0 and 1, got {fraction}")
        self._channel.send(
            {"t": "progress", "id": self._call_id, "fraction": fraction, "message": str(message)}
        )

    # -- callbacks, shared by both kinds of context ---------------------------------------

    def _variable_cache(self) -> dict:
        """This call's read cache: name -> Variable, or None for a variable known missing."""
        if self._variables is None:
            self._variables = {}
        return self._variables

    def _open_callback(self, op: str, params: dict, body: Any, binary: bool, sink: Any) -> int:
        """Send a callback for this call; raises the cancel error without sending anything
        when the call was cancelled."""
        if self._reason is not None:
            raise self._cancel_error()
        cid = self._channel.open(self._call_id, op, params, body, sink, binary)
        self._open[cid] = sink
        if self._reason is not None:  # cancelled while we were sending: do not wait for nothing
            self._channel.cancel(cid, self._cancel_error())
        return cid

    def _close_callback(self, cid: int, cancel: bool = False) -> None:
        """Forget a callback; ``cancel`` tells the runtime we stopped listening."""
        self._open.pop(cid, None)
        if cancel:
            self._channel.cancel(cid)
        else:
            self._channel.finish(cid)

    # -- used by the worker --------------------------------------------------------------

    def _cancel(self, reason: str) -> bool:
        """Mark the call cancelled for ``reason`` (first reason wins), end its open callbacks
        and interrupt the tool where possible. False when it was already cancelled."""
        if self._reason is not None:
            return False
        self._reason = reason
        error = self._cancel_error()
        for cid in list(self._open):
            self._channel.cancel(cid, error)
        if self._on_cancel is not None:
            self._on_cancel()
        return True

    def _end_callbacks(self) -> None:
        """The call ended: its open callbacks end with it (the runtime knows; nothing is sent)."""
        for cid in list(self._open):
            self._open.pop(cid, None)
            self._channel.finish(cid)

    def _cancel_error(self) -> ToolError:
        reason = self._reason or "canceled"
        return error_class(reason)(cancel_message(reason), code=reason)
