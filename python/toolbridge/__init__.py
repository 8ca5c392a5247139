"""toolbridge: write a tool once in Python, call it from anywhere.

Decorate a function with :func:`tool`; its type hints become the JSON Schema that callers
see and that arguments are checked against. A toolbridge runtime serves it over gRPC,
gRPC-Web and Connect by running ``python3 -m toolbridge --module <your module>`` workers.

    from toolbridge import Context, tool

    @tool
    def reverse_text(text: str) -> dict:
        \"\"\"Reverse a text.\"\"\"
        return {"result": text[::-1]}

    @tool
    def summarize(ctx: Context, text: str) -> dict:
        \"\"\"A tool that calls back: session variables, other tools, progress.\"\"\"
        limit = ctx.get_variable("summary_limit", default=100)
        ctx.progress(0.5, "validating")
        checked = ctx.tools.validate_json(json_string=text)
        return {"limit": limit, "checked": checked}
"""

from ._async_context import AsyncContext
from ._exceptions import (
    Aborted,
    Cancelled,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArguments,
    PermissionDenied,
    ResourceExhausted,
    ToolbridgeError,
    ToolDefinitionError,
    ToolError,
    ToolNotFound,
    Unavailable,
    error_class,
)
from ._operations import NO_DEFAULT
from ._result import Result
from ._sync_context import Context
from ._tool import Tool, tool
from ._variables import Variable

__all__ = [
    "Aborted",
    "AsyncContext",
    "Cancelled",
    "Context",
    "DeadlineExceeded",
    "FailedPrecondition",
    "InvalidArguments",
    "NO_DEFAULT",
    "PermissionDenied",
    "ResourceExhausted",
    "Result",
    "Tool",
    "ToolDefinitionError",
    "ToolError",
    "ToolNotFound",
    "ToolbridgeError",
    "Unavailable",
    "Variable",
    "error_class",
    "tool",
]

__version__ = "0.1.0"
