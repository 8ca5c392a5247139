"""Session variables as a tool sees them, and their wire form (the JSON of
``toolbridge.v1.Variable`` / ``VariableWrite``, see python/PROTOCOL.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Variable", "variable_from_wire", "variable_type"]

_TYPES = ("string", "integer", "float", "boolean", "object", "array", "bytes")
_PYTHON_TYPES = {str: "string", int: "integer", float: "float", bool: "boolean", dict: "object", list: "array",
                 bytes: "bytes"}
_PREFIX = "VARIABLE_TYPE_"


@dataclass(frozen=True)
class Variable:
    """One session variable.

    Attributes:
        name: the variable's name.
        value: its value: JSON, or ``bytes`` for a bytes variable (``None`` in
            ``list_variables()``, which does not carry bytes; use ``get_variable``).
        type: ``"string"``, ``"integer"``, ``"float"``, ``"boolean"``, ``"object"``,
            ``"array"``, ``"bytes"`` or ``"unspecified"``.
        version: 1 on creation, one more on every write (for ``expected_version``).
        metadata: ``{"createdBy", "tags", "description"}`` as far as set.
        constraints: ``{"min", "max", "allowed", "maxLength"}`` as far as set.
        created_at: RFC 3339 timestamp, or ``""``.
        updated_at: RFC 3339 timestamp, or ``""``.
    """

    name: str
    value: Any
    type: str = "unspecified"
    version: int = 0
    metadata: dict = field(default_factory=dict)
    constraints: dict = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


def variable_type(kind: Any) -> str:
    """The wire name (``VARIABLE_TYPE_INTEGER``) of a type given as ``"integer"``, ``int``
    or the wire name itself; ValueError for anything else."""
    if isinstance(kind, type) and kind in _PYTHON_TYPES:
        return _PREFIX + _PYTHON_TYPES[kind].upper()
    if isinstance(kind, str):
        name = kind.upper()
        name = name[len(_PREFIX):] if name.startswith(_PREFIX) else name
        if name.lower() in _TYPES:
            return _PREFIX + name
    raise ValueError(f"unknown variable type {kind!r}; use one of: {', '.join(_TYPES)} (or int, str, ...)")


def variable_from_wire(wire: Any, body: bytes | None = None) -> Variable:
    """A Variable from its JSON; ``body`` is the value of a bytes variable (a binary reply)."""
    if not isinstance(wire, dict):
        wire = {}
    kind = str(wire.get("type") or "unspecified")
    kind = kind[len(_PREFIX):].lower() if kind.startswith(_PREFIX) else kind.lower()
    value = body if body is not None else wire.get("value")
    return Variable(
        name=str(wire.get("name", "")),
        value=value,
        type="bytes" if body is not None else kind,
        version=int(wire.get("version") or 0),
        metadata=dict(wire.get("metadata") or {}),
        constraints=dict(wire.get("constraints") or {}),
        created_at=str(wire.get("createdAt") or wire.get("created_at") or ""),
        updated_at=str(wire.get("updatedAt") or wire.get("updated_at") or ""),
    )
