"""A streaming tool: a generator's yields reach a StreamTool caller one by one."""

from __future__ import annotations

import time
from typing import Iterator

from toolbridge import Context, InvalidArguments, tool

MAX_COUNT = 100_000


@tool
def count(ctx: Context, n: int, delay_ms: int = 0) -> Iterator[int]:
    """Stream the numbers 1 to n, waiting delay_ms before each, and report progress."""
    if not 0 <= n <= MAX_COUNT:
        raise InvalidArguments(f"n: must be between 0 and {MAX_COUNT}, got {n}", field="/n")
    if delay_ms < 0:
        raise InvalidArguments(f"delay_ms: must not be negative, got {delay_ms}", field="/delay_ms")
    for i in range(1, n + 1):
        if delay_ms:
            time.sleep(delay_ms / 1000)
        yield i
        ctx.progress(i / n, f"{i} of {n}")
