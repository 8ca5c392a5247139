"""An async tool that waits, and stops as soon as its call is cancelled."""

from __future__ import annotations

from toolbridge import tool


@tool
async def sleep(ms: int) -> dict[str, int]:
    """Sleep for ms milliseconds (stops early when the call is cancelled); returns {"slept_ms": ms}."""
    import asyncio  # imported on first use, like the worker's event loop: it costs an idle worker ~6 MB

    await asyncio.sleep(max(0, ms) / 1000)
    return {"slept_ms": ms}
