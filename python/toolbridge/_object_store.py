"""The objects of each session, behind opaque handles, and how values cross the bridge.

Arguments may name an object of the same session as ``{"$handle": "<handle>"}`` anywhere
in their JSON. A result is JSON where it is JSON-shaped; any other part becomes a new
object of the session, written ``{"$object": {"handle", "class_path", "repr"}}``.
Every count input controls is bounded: objects per session, sessions, repr length, depth.
"""

from __future__ import annotations

import math
import os
import threading
from typing import Any

from ._exceptions import InvalidArguments, ResourceExhausted, ToolNotFound

__all__ = ["ObjectStore", "class_path", "short_repr"]

MAX_OBJECTS_PER_SESSION = 1000
MAX_SESSIONS = 10_000
MAX_REPR = 200
MAX_DEPTH = 64


def class_path(obj: Any) -> str:
    """``module.Class`` of an object."""
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def short_repr(obj: Any, limit: int = MAX_REPR) -> str:
    """``repr(obj)`` cut to ``limit`` characters; never raises."""
    try:
        text = repr(obj)
    except Exception as error:  # a broken __repr__ must not break the bridge
        text = f"<{class_path(obj)} (repr failed: {type(error).__name__})>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ObjectStore:
    """Objects by session and handle; safe from any thread."""

    def __init__(self, max_per_session: int = MAX_OBJECTS_PER_SESSION, max_sessions: int = MAX_SESSIONS) -> None:
        self._sessions: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._max_per_session = max_per_session
        self._max_sessions = max_sessions

    def add(self, session: str, obj: Any) -> dict:
        """Keep ``obj`` in the session; returns its ObjectRef JSON."""
        with self._lock:
            objects = self._sessions.get(session)
            if objects is None:
                if len(self._sessions) >= self._max_sessions:
                    raise ResourceExhausted(f"this worker holds objects for {self._max_sessions} sessions already; "
                                            "release some sessions first")
                objects = self._sessions[session] = {}
            if len(objects) >= self._max_per_session:
                raise ResourceExhausted(f"session {session!r} holds {self._max_per_session} objects already; "
                                        "delete some first")
            handle = "obj-" + os.urandom(8).hex()
            objects[handle] = obj
        return ref(handle, obj)

    def get(self, session: str, handle: Any) -> Any:
        """The object behind a handle; ToolNotFound for a handle the session does not hold."""
        try:
            return self._sessions[session][handle]
        except (KeyError, TypeError):
            raise ToolNotFound(f"session {session!r} has no object {handle!r} "
                               "(it was deleted, released, or lost with its worker)") from None

    def delete(self, session: str, handle: Any) -> bool:
        with self._lock:
            objects = self._sessions.get(session)
            if not objects or handle not in objects:
                return False
            del objects[handle]
            if not objects:
                del self._sessions[session]
            return True

    def release(self, session: str) -> int:
        """Drop every object of the session; returns how many there were."""
        with self._lock:
            return len(self._sessions.pop(session, None) or ())

    def refs(self, session: str) -> list[dict]:
        with self._lock:
            items = list((self._sessions.get(session) or {}).items())
        return [ref(handle, obj) for handle, obj in items]

    def arguments(self, session: str, value: Any, depth: int = 0) -> Any:
        """JSON arguments with every ``{"$handle": h}`` replaced by the session's object."""
        if depth > MAX_DEPTH:
            raise InvalidArguments(f"arguments are nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            if len(value) == 1 and "$handle" in value:
                return self.get(session, value["$handle"])
            return {k: self.arguments(session, v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.arguments(session, v, depth + 1) for v in value]
        return value

    def to_value(self, session: str, value: Any, depth: int = 0) -> Any:
        """A result as JSON: JSON-shaped parts as they are, others as new objects."""
        if value is None or isinstance(value, (str, bool, int)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else self.object_value(session, value)
        if depth < MAX_DEPTH:
            if isinstance(value, (list, tuple)):
                return [self.to_value(session, v, depth + 1) for v in value]
            if isinstance(value, dict) and all(isinstance(k, str) for k in value):
                return {k: self.to_value(session, v, depth + 1) for k, v in value.items()}
        return self.object_value(session, value)

    def object_value(self, session: str, obj: Any) -> dict:
        return {"$object": self.add(session, obj)}


def ref(handle: str, obj: Any) -> dict:
    """The ObjectRef JSON of an object."""
    return {"handle": handle, "class_path": class_path(obj), "repr": short_repr(obj)}
