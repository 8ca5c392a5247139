"""The context of ``async def`` tools and async generators: callbacks are coroutines."""

from __future__ import annotations

from ._context import ContextBase

__all__ = ["AsyncContext"]


class AsyncContext(ContextBase):
    """What an async tool can ask of toolbridge; declare a parameter annotated
    ``AsyncContext`` to receive it. See :class:`ContextBase` for the attributes."""

    __slots__ = ()
