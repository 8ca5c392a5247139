"""The tools a call may use, as plain Python callables for agent frameworks.

Inside a tool, ``as_tools(ctx)`` gives one function per tool the session may use, each with
the tool's name, its description as docstring and a signature (and annotations) built from
its JSON Schema: the shape that DSPy, LangChain (``StructuredTool.from_function``) and
similar frameworks accept as tools. Calling one calls the tool through the context.

    @tool
    def plan(ctx: Context, goal: str) -> str:
        agent = dspy.ReAct("goal -> answer", tools=as_dspy_tools(ctx))
        return agent(goal=goal).answer

In an async tool, load the tools first: ``as_tools(await ctx.load_tools())`` (the
functions are then coroutine functions).
"""

from __future__ import annotations

from typing import Any, Callable

from ._context import ContextBase
from ._proxies import ToolNamespace

__all__ = ["as_dspy_tools", "as_tools"]


def as_tools(tools: ContextBase | ToolNamespace) -> list[Callable[..., Any]]:
    """One function per tool: from a context (``ctx.tools``) or a loaded ToolNamespace."""
    namespace = tools.tools if isinstance(tools, ContextBase) else tools
    if not isinstance(namespace, ToolNamespace):
        raise TypeError(f"as_tools needs a toolbridge context or ctx.tools, got {type(tools).__name__}")
    return list(namespace)


def as_dspy_tools(tools: ContextBase | ToolNamespace) -> list[Any]:
    """The tools as ``dspy.Tool`` objects (name, description and argument schemas taken from
    each tool's ToolInfo). Raises ImportError when DSPy is not installed."""
    try:
        import dspy
    except ImportError as error:
        raise ImportError(
            "as_dspy_tools needs DSPy (pip install dspy); without it, as_tools() gives plain functions "
            "that most agent frameworks accept"
        ) from error
    out = []
    for fn in as_tools(tools):
        info = fn.tool_info  # type: ignore[attr-defined]
        properties = (info.get("parameters") or {}).get("properties")
        args = dict(properties) if properties is not None and not info.get("payloadParameter") else None
        out.append(dspy.Tool(fn, name=fn.__name__, desc=fn.__doc__, args=args))
    return out
