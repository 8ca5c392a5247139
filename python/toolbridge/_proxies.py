"""``ctx.tools``: the tools a call may use, as Python functions.

Each proxy is a real function (``async def`` in async tools) whose ``__name__``,
``__doc__``, ``__signature__`` and ``__annotations__`` come from the tool's ToolInfo, so
``inspect.signature``, ``help()`` and agent frameworks that build tool schemas from
signatures see the remote tool's parameters. Calling it calls the tool through the
context (``call_tool``); ``proxy.stream(...)`` streams it (``stream_tool``).
"""

from __future__ import annotations

import inspect
import keyword
import re
from typing import Any, Callable, Iterator, Literal, Optional, Union

__all__ = ["ToolNamespace", "annotation_for", "make_proxy", "python_name", "signature_for"]

_SCALARS = {"string": str, "integer": int, "number": float, "boolean": bool, "null": type(None)}
_NOT_IDENTIFIER = re.compile(r"\W")


def python_name(tool_name: str) -> str:
    """A Python identifier for a tool name (``"text.reverse-words"`` -> ``text_reverse_words``)."""
    name = _NOT_IDENTIFIER.sub("_", tool_name)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "_" + name
    return name


def annotation_for(schema: Any) -> Any:
    """The Python type hint a JSON Schema describes, as far as it says (else ``Any``)."""
    if not isinstance(schema, dict) or not schema:
        return Any
    if "enum" in schema and schema["enum"]:
        return Literal[tuple(schema["enum"])]  # type: ignore[misc]
    if "anyOf" in schema:
        return _union([annotation_for(s) for s in schema["anyOf"]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return _union([annotation_for({**schema, "type": k}) for k in kind])
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        items = annotation_for(schema.get("items"))
        return list if items is Any else list[items]  # type: ignore[valid-type]
    if kind == "object":
        values = annotation_for(schema.get("additionalProperties"))
        return dict if values is Any else dict[str, values]  # type: ignore[valid-type]
    return Any


def _union(members: list) -> Any:
    if Any in members:
        return Any
    if len(members) == 2 and type(None) in members:
        return Optional[next(m for m in members if m is not type(None))]
    return Union[tuple(members)]  # type: ignore[return-value]


def signature_for(info: dict) -> inspect.Signature:
    """A Python signature for a ToolInfo: the payload parameter first (``bytes``), then the
    required parameters, then the optional ones (their schema default, else None), and
    ``**kwargs`` when the tool takes extra arguments or names one that is not an identifier."""
    schema = info.get("parameters") or {}
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    extra = schema.get("additionalProperties", True) not in (False, None)
    P = inspect.Parameter
    mandatory, optional = [], []
    for name, sub in properties.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            extra = True
            continue
        annotation = annotation_for(sub)
        if name in required:
            mandatory.append(P(name, P.POSITIONAL_OR_KEYWORD, annotation=annotation))
        else:
            default = sub.get("default") if isinstance(sub, dict) else None
            optional.append(P(name, P.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation))
    payload = info.get("payloadParameter")
    if payload and payload.isidentifier() and not keyword.iskeyword(payload) and payload not in properties:
        mandatory.insert(0, P(payload, P.POSITIONAL_OR_KEYWORD, annotation=bytes))
    parameters = mandatory + optional
    if extra:
        parameters.append(P("kwargs", P.VAR_KEYWORD, annotation=Any))
    returns = bytes if info.get("returnsPayload") else annotation_for(info.get("result"))
    return inspect.Signature(parameters, return_annotation=returns)


def make_proxy(ctx: Any, info: dict, is_async: bool) -> Callable[..., Any]:
    """A function that calls the tool ``info`` describes through ``ctx``."""
    tool_name = info["name"]
    signature = signature_for(info)

    def arguments(args: tuple, kwargs: dict) -> dict:
        bound = signature.bind(*args, **kwargs)  # a TypeError names the bad argument, as Python does
        out = {}
        for name, value in bound.arguments.items():
            if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                out.update(value)
            else:
                out[name] = value
        return out

    if is_async:
        async def proxy(*args: Any, **kwargs: Any) -> Any:
            return await ctx.call_tool(tool_name, **arguments(args, kwargs))
    else:
        def proxy(*args: Any, **kwargs: Any) -> Any:
            return ctx.call_tool(tool_name, **arguments(args, kwargs))

    def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return ctx.stream_tool(tool_name, **arguments(args, kwargs))

    proxy.__name__ = proxy.__qualname__ = python_name(tool_name)
    proxy.__doc__ = info.get("description") or f"The {tool_name} tool."
    proxy.__signature__ = signature  # type: ignore[attr-defined]
    proxy.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    proxy.__annotations__["return"] = signature.return_annotation
    proxy.tool_name = tool_name  # type: ignore[attr-defined]
    proxy.tool_info = info  # type: ignore[attr-defined]
    proxy.stream = stream  # type: ignore[attr-defined]
    return proxy


class ToolNamespace:
    """The tools a call may use: ``ctx.tools.reverse_text(text="abc")``.

    Attribute access uses the Python name of a tool (``.`` and ``-`` become ``_``); item
    access the exact tool name (``ctx.tools["text.reverse"]``). Iterating yields the
    proxies; ``len()`` counts them.
    """

    def __init__(self, proxies: list[Callable[..., Any]]) -> None:
        self._by_tool = {p.tool_name: p for p in proxies}  # type: ignore[attr-defined]
        self._by_attribute = {p.__name__: p for p in proxies}

    @classmethod
    def build(cls, ctx: Any, infos: list[dict], is_async: bool) -> ToolNamespace:
        return cls([make_proxy(ctx, info, is_async) for info in infos if isinstance(info, dict) and info.get("name")])

    def __getattr__(self, name: str) -> Callable[..., Any]:
        try:
            return self.__dict__["_by_attribute"][name]
        except KeyError:
            known = ", ".join(sorted(self.__dict__.get("_by_attribute", ()))) or "none"
            raise AttributeError(f"no tool {name!r} is available to this call; available: {known}") from None

    def __getitem__(self, tool_name: str) -> Callable[..., Any]:
        try:
            return self._by_tool[tool_name]
        except KeyError:
            raise KeyError(f"no tool {tool_name!r} is available to this call") from None

    def __contains__(self, tool_name: object) -> bool:
        return tool_name in self._by_tool or tool_name in self._by_attribute

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        return iter(self._by_tool.values())

    def __len__(self) -> int:
        return len(self._by_tool)

    def __dir__(self) -> list[str]:
        return sorted(self._by_attribute)

    def __repr__(self) -> str:
        return f"<ToolNamespace: {', '.join(self._by_tool) or 'no tools'}>"

