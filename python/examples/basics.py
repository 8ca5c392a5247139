"""Plain tools: echo, reverse_text, word_count, fail."""

from __future__ import annotations

from typing import Any

from toolbridge import tool


@tool
def echo(**kwargs: Any) -> dict[str, Any]:
    """Return the arguments exactly as given."""
    return kwargs


@tool
def reverse_text(text: str) -> dict[str, str]:
    """Reverse a text; returns {"result": <the text reversed>}."""
    return {"result": text[::-1]}


@tool
def word_count(text: str) -> dict[str, int]:
    """Count the words of a text (runs of non-whitespace); returns {"words": <count>}."""
    return {"words": len(text.split())}


@tool
def fail(message: str) -> None:
    """Raise RuntimeError(message), to show how a Python exception reaches the caller."""
    raise RuntimeError(message)
