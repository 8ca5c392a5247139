"""The ``@tool`` decorator: a Python function described as a toolbridge tool.

Everything about a tool is worked out once, when it is decorated: its kind (plain, async,
generator, async generator), the JSON Schema of its parameters and result, which parameter
receives the binary payload or the context, and the compiled argument validator. A call
does none of that again.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import re
import typing
from typing import Any, Callable, TypeVar, overload

from ._async_context import AsyncContext
from ._context import ContextBase
from ._exceptions import ToolDefinitionError
from ._result import Result
from ._schema import schema_for_hint
from ._sync_context import Context
from ._validation import compile_parameters

__all__ = ["ASYNC", "ASYNC_GENERATOR", "GENERATOR", "PLAIN", "Result", "Tool", "tool"]

PLAIN, ASYNC, GENERATOR, ASYNC_GENERATOR = "plain", "async", "generator", "async_generator"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,127}\Z")
_ITERATORS = {
    collections.abc.Iterator,
    collections.abc.Iterable,
    collections.abc.Generator,
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncGenerator,
}
_BYTES = (bytes, bytearray, memoryview)

F = TypeVar("F", bound=Callable[..., Any])


class Tool:
    """A function described as a tool; calling it calls the function.

    Attributes:
        name: the tool's unique name.
        description: what it does, for people and models (the docstring by default).
        fn: the decorated function.
        kind: ``"plain"``, ``"async"``, ``"generator"`` or ``"async_generator"``.
        streaming: True for generators: their items are streamed as chunks.
        parameters: JSON Schema of the keyword arguments.
        result: JSON Schema of the result, or None when the return hint does not say.
        payload_parameter: the ``bytes`` parameter that receives the binary payload, or None.
        returns_payload: True when the result (or each chunk) is binary.
        context_parameter: the parameter that receives the context, or None.
        validate: checks a call's arguments, returns the keyword arguments to pass.
        info: the ToolInfo JSON (camelCase) the worker reports.
    """

    def __init__(self, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None) -> None:
        if not callable(fn):
            raise ToolDefinitionError(f"@tool needs a function, got {fn!r}")
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "")
        if not _NAME.match(self.name):
            raise ToolDefinitionError(
                f"tool name {self.name!r} is not allowed: use letters, digits, '_', '.', '-' "
                "(starting with a letter or '_'), at most 128 characters"
            )
        self.description = description if description is not None else (inspect.getdoc(fn) or "")
        self.kind = _kind_of(fn)
        self.streaming = self.kind in (GENERATOR, ASYNC_GENERATOR)
        functools.update_wrapper(self, fn)

        hints = _hints(fn, self.name)
        self.payload_parameter: str | None = None
        self.context_parameter: str | None = None
        self.parameters = self._parameters(fn, hints)
        self.result, self.returns_payload = self._result(hints.get("return", inspect.Parameter.empty))
        self.validate = compile_parameters(self.parameters)
        self.info = self._info()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Tool {self.name!r} ({self.kind})>"

    def _parameters(self, fn: Callable[..., Any], hints: dict[str, Any]) -> dict:
        properties: dict[str, dict] = {}
        required: list[str] = []
        extra: Any = False
        context_type = AsyncContext if self.kind in (ASYNC, ASYNC_GENERATOR) else Context
        for param in inspect.signature(fn).parameters.values():
            where = f"tool {self.name!r}, parameter {param.name!r}"
            hint = hints.get(param.name, inspect.Parameter.empty)
            if param.kind is param.VAR_POSITIONAL:
                raise ToolDefinitionError(f"{where}: *args cannot be passed by name; use named parameters")
            if param.kind is param.POSITIONAL_ONLY:
                raise ToolDefinitionError(f"{where}: is positional-only; tools take keyword arguments")
            if isinstance(hint, type) and issubclass(hint, ContextBase):
                if hint is not context_type:
                    raise ToolDefinitionError(
                        f"{where}: {'an async' if context_type is AsyncContext else 'a plain'} tool "
                        f"receives a toolbridge.{context_type.__name__}, not a toolbridge.{hint.__name__}"
                    )
                if self.context_parameter is not None:
                    raise ToolDefinitionError(f"{where}: the tool already has a context parameter")
                self.context_parameter = param.name
                continue
            if param.kind is param.VAR_KEYWORD:
                extra = True if hint is inspect.Parameter.empty else schema_for_hint(hint, where) or True
                continue
            if hint is bytes:
                if self.payload_parameter is not None:
                    raise ToolDefinitionError(
                        f"{where}: only one parameter can receive the binary payload; "
                        f"{self.payload_parameter!r} already does"
                    )
                self.payload_parameter = param.name
                continue
            schema = {} if hint is inspect.Parameter.empty else dict(schema_for_hint(hint, where))
            if param.default is param.empty:
                required.append(param.name)
            elif _is_json(param.default):
                schema["default"] = param.default
            properties[param.name] = schema
        parameters: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            parameters["required"] = required
        parameters["additionalProperties"] = extra
        return parameters

    def _result(self, hint: Any) -> tuple[dict | None, bool]:
        where = f"tool {self.name!r}, result"
        if self.streaming:
            item: Any = inspect.Parameter.empty
            if hint is not inspect.Parameter.empty:
                if typing.get_origin(hint) not in _ITERATORS:
                    raise ToolDefinitionError(
                        f"{where}: a generator's return hint must be Iterator[T], Generator[T, ...] "
                        f"or AsyncIterator[T], got {hint!r}"
                    )
                args = typing.get_args(hint)
                item = args[0] if args else inspect.Parameter.empty
            if item in _BYTES:
                return None, True
            if item is inspect.Parameter.empty:
                return {"type": "array"}, False
            return {"type": "array", "items": schema_for_hint(item, f"{where} (item)")}, False
        if hint is inspect.Parameter.empty:
            return None, False
        if hint in _BYTES:
            return None, True
        if hint is Result:
            return None, True
        return schema_for_hint(hint, where), False

    def _info(self) -> dict:
        info: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "parameters": self.parameters,
            "streaming": self.streaming,
            "language": "python",
            "returnsPayload": self.returns_payload,
        }
        if self.result is not None:
            info["result"] = self.result
        if self.payload_parameter is not None:
            info["payloadParameter"] = self.payload_parameter
        return info


@overload
def tool(fn: F, /) -> Tool: ...


@overload
def tool(*, name: str | None = None, description: str | None = None) -> Callable[[F], Tool]: ...


def tool(fn: Any = None, /, *, name: str | None = None, description: str | None = None) -> Any:
    """Make a function a tool, bare (``@tool``) or with options (``@tool(name="x")``).

    ``name`` defaults to the function's name, ``description`` to its docstring. Raises
    :class:`ToolDefinitionError` for a hint it cannot describe as JSON Schema.
    """
    if fn is None:
        return lambda f: Tool(f, name=name, description=description)
    return Tool(fn, name=name, description=description)


def _kind_of(fn: Callable[..., Any]) -> str:
    if inspect.isasyncgenfunction(fn):
        return ASYNC_GENERATOR
    if inspect.iscoroutinefunction(fn):
        return ASYNC
    if inspect.isgeneratorfunction(fn):
        return GENERATOR
    return PLAIN


def _hints(fn: Callable[..., Any], name: str) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception as error:  # NameError for a forward reference, TypeError, ...
        raise ToolDefinitionError(f"tool {name!r}: cannot resolve its type hints: {error}") from error


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, (list, tuple)):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False
