"""Tools that call back into toolbridge: session variables, and tools in other languages.

They need a gateway (``npm start`` runs one): variables live there, and calls of tools
that this runtime does not serve in TypeScript go through it.
"""

from __future__ import annotations

from toolbridge import Context, tool


@tool
def tally(ctx: Context, by: int = 1, name: str = "tally") -> dict[str, int]:
    """Add ``by`` to the session's integer variable ``name`` (0 when unset); returns {"total": <new value>}."""
    total = ctx.get_variable(name, default=0) + by
    ctx.set_variable(name, total, type="integer")
    return {"total": total}


@tool
def describe_text(ctx: Context, text: str) -> dict:
    """Describe a text with the TypeScript tool slugify and the Python tool word_count, both
    called from here; returns {"slug": ..., "words": ...}."""
    slug = ctx.call_tool("slugify", text=text)["slug"]
    words = ctx.tools.word_count(text=text)["words"]
    return {"slug": slug, "words": words}
