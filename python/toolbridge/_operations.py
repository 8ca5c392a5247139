"""What each callback of a context sends and what its reply means, written once for both
contexts.

Each operation is a generator that yields requests ``(op, params, body, binary)`` and is
sent the replies ``(value, body)`` (``body`` is None unless the reply was binary) or has
the reply's error thrown into it. :class:`Context` drives them with blocking waits,
:class:`AsyncContext` with awaits; neither repeats the logic.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Generator

from ._exceptions import InvalidArguments, ToolNotFound, error_from_wire
from ._result import Result
from ._variables import variable_from_wire, variable_type

__all__ = [
    "NO_DEFAULT",
    "call_params",
    "call_tool",
    "delete_variable",
    "get_variable",
    "list_tools",
    "list_variables",
    "reply_value",
    "set_variable",
]

_BYTES = (bytes, bytearray, memoryview)
Request = tuple[str, dict, Any, bool]
Plan = Generator[Request, tuple[Any, Any], Any]


class _NoDefault:
    """The default of ``get_variable(name, default=NO_DEFAULT)``: a missing variable raises."""

    def __repr__(self) -> str:
        return "NO_DEFAULT"


#: ``get_variable``'s default when none is given: a missing variable raises.
NO_DEFAULT: Any = _NoDefault()


def get_variable(ctx: Any, name: str, default: Any) -> Plan:
    cache = ctx._variable_cache()
    if name in cache:
        found = cache[name]
        if found is None and default is NO_DEFAULT:
            raise ToolNotFound(f"session {ctx.session_id!r} has no variable {name!r}")
    else:
        try:
            value, body = yield ("get_variable", {"name": name}, b"", False)
        except ToolNotFound:
            cache[name] = None
            if default is NO_DEFAULT:
                raise
            return default
        found = cache[name] = variable_from_wire(value, body)
    return default if found is None else found.value


def set_variable(ctx: Any, name: str, value: Any, kind: Any, metadata: Any, expected_version: Any) -> Plan:
    params: dict[str, Any] = {"name": name}
    binary = isinstance(value, _BYTES)
    if binary:
        kind = "bytes" if kind is None else kind
    else:
        params["value"] = value
    if kind is not None:
        params["type"] = variable_type(kind)
    if metadata is not None:
        params["metadata"] = dict(metadata)
    if expected_version is not None:
        params["expected_version"] = int(expected_version)
    reply, body = yield ("set_variable", params, value if binary else b"", binary)
    variable = variable_from_wire(reply, body)
    if binary:  # the reply need not carry the bytes back: we know them
        variable = dataclasses.replace(variable, value=bytes(value), type="bytes")
    ctx._variable_cache()[name] = variable
    return variable


def delete_variable(ctx: Any, name: str) -> Plan:
    reply, _ = yield ("delete_variable", {"name": name}, b"", False)
    ctx._variable_cache()[name] = None
    return bool((reply or {}).get("deleted"))


def list_variables(ctx: Any) -> Plan:
    reply, _ = yield ("list_variables", {}, b"", False)
    variables = [variable_from_wire(v) for v in (reply or {}).get("variables", [])]
    cache = ctx._variable_cache()
    for variable in variables:
        if variable.type != "bytes":  # listed without their bytes: not a complete read
            cache[variable.name] = variable
    return variables


def list_tools(ctx: Any) -> Plan:
    reply, _ = yield ("list_tools", {}, b"", False)
    return list((reply or {}).get("tools", []))


def call_tool(ctx: Any, name: str, kwargs: dict) -> Plan:
    params, body, binary = call_params(name, kwargs)
    value, payload = yield ("call_tool", params, body, binary)
    return tool_result(value, payload)


def call_params(name: str, kwargs: dict) -> tuple[dict, Any, bool]:
    """The params of a ``call_tool``/``stream_tool`` callback: a bytes argument, if any,
    travels as the body."""
    if not isinstance(name, str) or not name:
        raise InvalidArguments(f"a tool name must be a non-empty string, got {name!r}")
    binary = [key for key, value in kwargs.items() if isinstance(value, _BYTES)]
    if len(binary) > 1:
        raise InvalidArguments(
            f"calling {name!r}: only one argument can be bytes (it travels as the payload), got {', '.join(binary)}")
    if not binary:
        return {"tool": name, "args": kwargs}, b"", False
    args = {key: value for key, value in kwargs.items() if key != binary[0]}
    return {"tool": name, "args": args}, kwargs[binary[0]], True


def tool_result(value: Any, payload: Any) -> Any:
    """What ``call_tool`` returns: the value, the bytes, or a Result with both."""
    if payload is None:
        return value
    return payload if value is None else Result(value, payload=payload)


def reply_value(header: dict, body: Any) -> tuple[Any, Any]:
    """``(value, body or None)`` of a ``reply`` or ``reply_chunk`` frame; raises its error."""
    error = header.get("error")
    if error is not None:
        raise error_from_wire(error)
    return header.get("value"), (body if header.get("binary") else None)
