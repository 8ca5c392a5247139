"""The exceptions toolbridge raises, and the one map between them and Connect codes.

::

    ToolbridgeError                  anything toolbridge raises
    ├── ToolDefinitionError          a tool is ill-defined (raised at import time)
    └── ToolError                    a call failed; carries code, message, type, traceback, field
        ├── ToolNotFound             not_found: no such tool (or variable, or object)
        ├── InvalidArguments         invalid_argument: arguments do not match the schema
        ├── PermissionDenied         permission_denied: the caller may not do this
        ├── DeadlineExceeded         deadline_exceeded: the call ran out of time
        ├── Unavailable              unavailable: the other side is gone; retrying may work
        ├── Cancelled                canceled: the caller gave up
        ├── ResourceExhausted        resource_exhausted: a size or count limit was hit
        ├── FailedPrecondition       failed_precondition: the state does not allow this
        └── Aborted                  aborted: a conflict, e.g. a stale expected_version

A ``ToolError`` whose code has no subclass (``internal``, ``unknown``, ...) is a plain
``ToolError``. :func:`error_class` is the only place that turns a code name into a class;
each class's ``code`` attribute turns it back.
"""

from __future__ import annotations

__all__ = [
    "Aborted",
    "Cancelled",
    "DeadlineExceeded",
    "FailedPrecondition",
    "InvalidArguments",
    "PermissionDenied",
    "ResourceExhausted",
    "ToolDefinitionError",
    "ToolError",
    "ToolNotFound",
    "ToolbridgeError",
    "Unavailable",
    "error_class",
    "error_from_wire",
    "type_name",
]


class ToolbridgeError(Exception):
    """Base class of every exception toolbridge raises."""


class ToolDefinitionError(ToolbridgeError):
    """A tool is ill-defined: an unsupported type hint, a duplicate name, ...

    Raised by ``@tool`` when a module is imported; a worker reports it as ``fatal``.
    """


class ToolError(ToolbridgeError):
    """A call failed.

    ``code`` is the Connect code name in snake case (``"internal"``); ``type`` is the
    exception type on the side that failed (``"ValueError"``), ``traceback`` its stack
    trace, ``field`` the JSON pointer of the offending argument (``"/text"``).
    """

    #: The Connect code name of this class; instances may carry another one.
    code: str = "internal"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        type: str | None = None,
        traceback: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.type = type
        self.traceback = traceback
        self.field = field

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.message!r}, code={self.code!r})"

    def __reduce__(self):  # keeps keyword-only fields through pickle and copy
        fields = {"code": self.code, "type": self.type, "traceback": self.traceback, "field": self.field}
        return (_rebuild, (self.__class__, self.message, fields))


def _rebuild(cls: type[ToolError], message: str, fields: dict) -> ToolError:
    return cls(message, **fields)


class ToolNotFound(ToolError):
    """No such tool (``not_found``); also used for a missing variable or object."""

    code = "not_found"


class InvalidArguments(ToolError):
    """The arguments do not match the tool's schema (``invalid_argument``)."""

    code = "invalid_argument"


class PermissionDenied(ToolError):
    """The caller may not use this tool, variable, module or name (``permission_denied``)."""

    code = "permission_denied"


class DeadlineExceeded(ToolError):
    """The call ran out of time (``deadline_exceeded``)."""

    code = "deadline_exceeded"


class Unavailable(ToolError):
    """The other side is gone, e.g. the runtime closed the worker's input (``unavailable``)."""

    code = "unavailable"


class Cancelled(ToolError):
    """The caller cancelled the call (``canceled``, Connect's spelling)."""

    code = "canceled"


class ResourceExhausted(ToolError):
    """A size or count limit was hit (``resource_exhausted``)."""

    code = "resource_exhausted"


class FailedPrecondition(ToolError):
    """The current state does not allow the operation (``failed_precondition``)."""

    code = "failed_precondition"


class Aborted(ToolError):
    """The operation lost a conflict, e.g. a stale ``expected_version`` (``aborted``)."""

    code = "aborted"


_BY_CODE: dict[str, type[ToolError]] = {
    cls.code: cls
    for cls in (
        ToolNotFound,
        InvalidArguments,
        PermissionDenied,
        DeadlineExceeded,
        Unavailable,
        Cancelled,
        ResourceExhausted,
        FailedPrecondition,
        Aborted,
    )
}


def error_class(code: str) -> type[ToolError]:
    """The exception class for a Connect code name; ``ToolError`` for codes without one.

    The reverse is the class's ``code`` attribute: ``error_class(c).code == c`` for every
    code that has a class.
    """
    return _BY_CODE.get(code, ToolError)


def error_from_wire(error: dict) -> ToolError:
    """The exception an error object of a frame describes (``{"code", "message", ...}``)."""
    code = str(error.get("code") or "unknown")
    return error_class(code)(
        str(error.get("message") or code),
        code=code,
        type=error.get("type") or None,
        traceback=error.get("traceback") or None,
        field=error.get("field") or None,
    )


def type_name(cls: type) -> str:
    """How an exception type is named on the wire: ``ValueError``, ``mypkg.MyError``,
    ``toolbridge.InvalidArguments`` (public path, not the private module)."""
    module = cls.__module__
    if module == "builtins":
        return cls.__qualname__
    if module.startswith("toolbridge._"):
        module = "toolbridge"
    return f"{module}.{cls.__qualname__}"
