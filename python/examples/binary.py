"""A tool that takes and returns raw bytes (the call's payload, never JSON or base64)."""

from __future__ import annotations

from toolbridge import tool


@tool
def echo_bytes(data: bytes) -> bytes:
    """Return the request payload unchanged as the response payload."""
    return data
