"""JSON Schema (draft 2020-12) from Python type hints.

Supported: ``str``, ``int``, ``float``, ``bool``, ``None``, ``list``, ``list[T]``, ``dict``,
``dict[str, T]``, ``Optional[T]``, ``T | None``, ``Union[A, B]``, ``Literal[...]``, ``Any``,
``Annotated[T, "description"]``, nested in any combination. ``bytes`` is not a JSON type:
only a tool's payload parameter or its whole result may be ``bytes`` (``_tool.py`` handles
those before asking for a schema).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from ._exceptions import ToolDefinitionError

__all__ = ["SUPPORTED_HINTS", "schema_for_hint"]

#: Listed in the error for an unsupported hint, so the author sees the alternatives.
SUPPORTED_HINTS = (
    "str, int, float, bool, None, list, list[T], dict, dict[str, T], Optional[T], T | None, "
    "Union[...], Literal[...], Any, Annotated[T, 'description']"
)

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_NONE_TYPES = (None, type(None))


def schema_for_hint(hint: Any, where: str) -> dict:
    """The JSON Schema of values of ``hint``; ``where`` names the spot in error messages
    (``"tool 'echo', parameter 'text'"``)."""
    if hint is Any or hint is typing.Any:
        return {}
    if hint in _NONE_TYPES:
        return {"type": "null"}
    scalar = _SCALARS.get(hint)
    if scalar is not None:
        return {"type": scalar}
    if hint is list or hint is typing.List:
        return {"type": "array"}
    if hint is dict or hint is typing.Dict:
        return {"type": "object"}
    if hint in (bytes, bytearray, memoryview):
        raise ToolDefinitionError(
            f"{where}: bytes cannot be part of a JSON value; only the payload parameter "
            "(a top-level `bytes` parameter) or the whole result may be bytes"
        )

    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        schema = dict(schema_for_hint(args[0], where))
        description = next((a for a in args[1:] if isinstance(a, str)), None)
        if description:
            schema["description"] = description
        return schema
    if origin is list:
        items = schema_for_hint(args[0], f"{where} (list item)") if args else {}
        return {"type": "array", "items": items} if items else {"type": "array"}
    if origin is dict:
        if args and args[0] is not str:
            raise ToolDefinitionError(f"{where}: dict keys must be str (JSON object keys are strings), got {args[0]!r}")
        values = schema_for_hint(args[1], f"{where} (dict value)") if args else {}
        return {"type": "object", "additionalProperties": values} if values else {"type": "object"}
    if origin is typing.Union or origin is types.UnionType:
        return _union(args, where)
    if origin is typing.Literal:
        return _literal(args, where)
    raise ToolDefinitionError(f"{where}: unsupported type hint {_show(hint)}; supported: {SUPPORTED_HINTS}")


def _union(args: tuple, where: str) -> dict:
    members = [a for a in args if a not in _NONE_TYPES]
    nullable = len(members) < len(args)
    schemas = [schema_for_hint(a, where) for a in members]
    if len(schemas) == 1 and nullable:
        only = schemas[0]
        if isinstance(only.get("type"), str) and "enum" not in only:
            return {**only, "type": [only["type"], "null"]}  # the common Optional[str] reads simply
        if only == {}:
            return {}
    if nullable:
        schemas.append({"type": "null"})
    if any(s == {} for s in schemas):
        return {}
    return {"anyOf": schemas}


def _literal(values: tuple, where: str) -> dict:
    for value in values:
        if value is not None and not isinstance(value, (str, int, bool)):
            raise ToolDefinitionError(f"{where}: Literal values must be str, int, bool or None, got {value!r}")
    types_ = {_json_type(v) for v in values}
    schema: dict = {"enum": list(values)}
    if len(types_) == 1:
        schema = {"type": types_.pop(), **schema}
    return schema


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "string"


def _show(hint: Any) -> str:
    return hint.__qualname__ if isinstance(hint, type) else repr(hint)
