"""Argument validation for the JSON Schema subset that ``_schema.py`` produces.

A schema is compiled once, when the tool is defined, into nested closures; a call only
runs them. Keywords understood: ``type`` (a name or a list), ``enum``, ``items``,
``properties``, ``required``, ``additionalProperties``, ``anyOf``; annotations
(``description``, ``default``, ...) are ignored. An integer-valued float (``3.0``) is an
integer, as JSON Schema says, and reaches the tool as ``3``; ``true`` is never a number.

Errors are :class:`InvalidArguments` whose ``field`` is a JSON pointer (``/items/2``) and
whose message names the argument the way a person writes it (``items[2]: expected an
integer, got "x"``).
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

from ._exceptions import InvalidArguments

__all__ = ["compile_parameters", "compile_schema", "describe"]

#: Checks one value; returns it, or the same value with integral floats made ints.
Check = Callable[[Any], Any]


class _Mismatch(Exception):
    """A value does not match; ``path`` grows as the error travels up through containers."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        self.path: list[str | int] = []


def compile_parameters(schema: dict) -> Callable[[Any], dict]:
    """A validator for a tool's keyword arguments: takes the ``args`` object of a call,
    returns the keyword arguments to pass, raises :class:`InvalidArguments`."""
    properties = {name: compile_schema(sub) for name, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    extra_schema = schema.get("additionalProperties", True)
    extra = None if extra_schema is True or extra_schema == {} else (
        False if extra_schema is False else compile_schema(extra_schema))
    names = ", ".join(schema.get("properties", {})) or "none"

    def validate(args: Any) -> dict:
        if type(args) is not dict:
            raise InvalidArguments(f"arguments: expected an object, got {_show(args)}", field="")
        for name in required:
            if name not in args:
                raise InvalidArguments(f"{name}: this argument is required", field=_pointer([name]))
        out = args
        for key, value in args.items():
            check = properties.get(key, extra)
            if check is None:  # accepts anything
                continue
            if check is False:
                raise InvalidArguments(
                    f"{key}: unknown argument; this tool takes: {names}", field=_pointer([key]))
            try:
                checked = check(value)
            except _Mismatch as mismatch:
                mismatch.path.insert(0, key)
                raise _invalid(mismatch) from None
            if checked is not value:
                if out is args:
                    out = dict(args)
                out[key] = checked
        return out

    return validate


def compile_schema(schema: dict) -> Check | None:
    """The check for one schema, or None when the schema accepts anything."""
    checks: list[Check] = []
    types = schema.get("type")
    if types is not None:
        checks.append(_type_check(schema, [types] if isinstance(types, str) else list(types)))
    if "enum" in schema:
        checks.append(_enum_check(schema["enum"]))
    if "anyOf" in schema:
        checks.append(_any_of_check(schema["anyOf"]))
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]

    def all_of(value: Any) -> Any:
        for check in checks:
            value = check(value)
        return value

    return all_of


def describe(schema: dict) -> str:
    """A schema in words: ``a string``, ``an integer or null``, ``one of "a", "b"``."""
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(describe(s) for s in schema["anyOf"])
    types = schema.get("type")
    if types is None:
        return "any value"
    return " or ".join(_TYPE_WORDS[t] for t in ([types] if isinstance(types, str) else types))


_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
    "array": "a list",
    "object": "an object",
}


def _type_check(schema: dict, types: list[str]) -> Check:
    expected = describe({"type": types})
    items = compile_schema(schema["items"]) if isinstance(schema.get("items"), dict) else None
    extra = schema.get("additionalProperties")
    values = compile_schema(extra) if isinstance(extra, dict) else None
    accepts = set(types)

    def check(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            if "string" in accepts:
                return value
        elif kind is bool:
            if "boolean" in accepts:
                return value
        elif kind is int:
            if "integer" in accepts or "number" in accepts:
                return value
        elif kind is float:
            if "number" in accepts:
                return value
            if "integer" in accepts and math.isfinite(value) and value == int(value):
                return int(value)
        elif value is None:
            if "null" in accepts:
                return value
        elif kind is list:
            if "array" in accepts:
                return value if items is None else _check_items(value, items)
        elif kind is dict:
            if "object" in accepts:
                return value if values is None else _check_values(value, values)
        raise _Mismatch(f"expected {expected}, got {_show(value)}")

    return check


def _check_items(value: list, items: Check) -> list:
    out = value
    for index, item in enumerate(value):
        try:
            checked = items(item)
        except _Mismatch as mismatch:
            mismatch.path.insert(0, index)
            raise
        if checked is not item:
            if out is value:
                out = list(value)
            out[index] = checked
    return out


def _check_values(value: dict, values: Check) -> dict:
    out = value
    for key, item in value.items():
        try:
            checked = values(item)
        except _Mismatch as mismatch:
            mismatch.path.insert(0, key)
            raise
        if checked is not item:
            if out is value:
                out = dict(value)
            out[key] = checked
    return out


def _enum_check(allowed: list) -> Check:
    # (type, value) pairs so that True does not match 1 and 1 does not match True.
    keys = {(type(v), v) for v in allowed}
    expected = describe({"enum": allowed})

    def check(value: Any) -> Any:
        try:
            if (type(value), value) in keys:
                return value
        except TypeError:  # unhashable: a list or an object is never in an enum of scalars
            pass
        raise _Mismatch(f"expected {expected}, got {_show(value)}")

    return check


def _any_of_check(options: list[dict]) -> Check:
    checks = [compile_schema(s) for s in options]
    if any(c is None for c in checks):
        return lambda value: value
    expected = describe({"anyOf": options})

    def check(value: Any) -> Any:
        nested: _Mismatch | None = None
        for option in checks:
            try:
                return option(value)
            except _Mismatch as mismatch:
                if mismatch.path and nested is None:
                    nested = mismatch  # the value had the right shape; its inside is wrong
        if nested is not None:
            raise nested
        raise _Mismatch(f"expected {expected}, got {_show(value)}")

    return check


def _invalid(mismatch: _Mismatch) -> InvalidArguments:
    return InvalidArguments(f"{_label(mismatch.path)}: {mismatch.detail}", field=_pointer(mismatch.path))


def _pointer(path: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _label(path: list[str | int]) -> str:
    label = str(path[0]) if path else "arguments"
    for part in path[1:]:
        label += f"[{part}]" if isinstance(part, int) else f".{part}"
    return label


def _show(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
