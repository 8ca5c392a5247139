"""``Result``: a tool's JSON value together with a binary payload."""

from __future__ import annotations

from typing import Any

__all__ = ["Result"]

_BYTES = (bytes, bytearray, memoryview)


class Result:
    """A tool's result with a binary payload beside its JSON value:
    ``return Result({"width": 640}, payload=png_bytes)``."""

    __slots__ = ("payload", "value")

    def __init__(self, value: Any = None, payload: bytes | bytearray | memoryview = b"") -> None:
        if not isinstance(payload, _BYTES):
            raise TypeError(f"Result payload must be bytes, got {type(payload).__name__}")
        self.value = value
        self.payload = payload

    def __repr__(self) -> str:
        return f"Result({self.value!r}, payload=<{len(self.payload)} bytes>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self.value == other.value and bytes(self.payload) == bytes(other.payload)

    __hash__ = None  # type: ignore[assignment]
