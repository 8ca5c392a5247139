"""The context of plain functions and generators: callbacks block until the runtime answers."""

from __future__ import annotations

from ._context import ContextBase

__all__ = ["Context"]


class Context(ContextBase):
    """What a plain or generator tool can ask of toolbridge; declare a parameter annotated
    ``Context`` to receive it. See :class:`ContextBase` for the attributes."""

    __slots__ = ()
