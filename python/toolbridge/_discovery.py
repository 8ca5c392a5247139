"""``DiscoverSchema``: the public classes and functions of a module, with signatures and
docstrings, in the shape of ``toolbridge.v1.ModuleSchema``. Bounded in count and length."""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any

from ._exceptions import ToolDefinitionError
from ._schema import schema_for_hint

__all__ = ["describe_module"]

MAX_CLASSES = 200
MAX_FUNCTIONS = 200
MAX_METHODS = 100
MAX_DOC = 2000


def describe_module(module: types.ModuleType) -> dict:
    """The ModuleSchema JSON of a module: ``{"name", "doc", "classes", "functions"}``."""
    classes, functions = [], []
    for name, value in _public_members(module):
        if isinstance(value, type):
            if len(classes) < MAX_CLASSES:
                classes.append(_describe_class(name, value))
        elif callable(value) and (inspect.isroutine(value)):
            if len(functions) < MAX_FUNCTIONS:
                functions.append(describe_function(name, value))
    return {"name": module.__name__, "doc": _doc(module), "classes": classes, "functions": functions}


def _public_members(module: types.ModuleType) -> list[tuple[str, Any]]:
    """The module's ``__all__`` if it has one, else its public names defined in it."""
    names = getattr(module, "__all__", None)
    if isinstance(names, (list, tuple)):
        members = [(n, getattr(module, n, None)) for n in names if isinstance(n, str) and not n.startswith("_")]
        return [(n, v) for n, v in members if v is not None]
    out = []
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        if getattr(value, "__module__", None) == module.__name__:
            out.append((name, value))
    return out


def _describe_class(name: str, cls: type) -> dict:
    methods = []
    for attribute in dir(cls):
        if attribute.startswith("_") or len(methods) >= MAX_METHODS:
            continue
        try:
            raw = inspect.getattr_static(cls, attribute)
        except AttributeError:
            continue
        if isinstance(raw, (property, types.GetSetDescriptorType, types.MemberDescriptorType)):
            continue
        value = getattr(cls, attribute, None)
        if callable(value) and not isinstance(value, type):
            methods.append(describe_function(attribute, value, skip_self=not isinstance(raw, (staticmethod, classmethod))))
    return {"name": name, "doc": _doc(cls), "init": describe_function(name, cls), "methods": methods}


def describe_function(name: str, fn: Any, skip_self: bool = False) -> dict:
    """The FunctionSchema JSON of a callable: name, doc, Python's signature, and the JSON
    Schema of its parameters as far as its annotations tell."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins have no signature
        return {"name": name, "doc": _doc(fn), "signature": "(...)", "parameters": {"type": "object"}}
    parameters = [p for p in signature.parameters.values() if not p.name.startswith("_")]  # unreachable anyway
    if skip_self and parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    signature = signature.replace(parameters=parameters)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    properties, required = {}, []
    for param in parameters:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        try:
            schema = schema_for_hint(hints[param.name], name) if param.name in hints else {}
        except ToolDefinitionError:
            schema = {}
        properties[param.name] = schema
        if param.default is param.empty:
            required.append(param.name)
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"name": name, "doc": _doc(fn), "signature": str(signature)[:MAX_DOC], "parameters": schema}


def _doc(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc if len(doc) <= MAX_DOC else doc[: MAX_DOC - 1] + "…"
