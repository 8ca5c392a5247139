"""The object bridge: the ``object`` frames of python/PROTOCOL.md.

Each operation returns the JSON of its response message in ``toolbridge/v1/object.proto``
(``create`` -> CreateInstanceResponse, ``call`` -> CallMethodResponse, ...), or raises a
:class:`ToolError` whose code the worker reports.
"""

from __future__ import annotations

import importlib
import inspect
import math
import threading
from typing import Any

from ._discovery import describe_module
from ._exceptions import InvalidArguments, ToolNotFound
from ._object_policy import ObjectPolicy
from ._object_store import ObjectStore, ref, short_repr

__all__ = ["ObjectBridge"]

MAX_STATE_ENTRIES = 100
_JSON_SCALARS = (str, bool, int, float, type(None))


class ObjectBridge:
    """Runs object operations for the worker; safe from any thread."""

    def __init__(self, policy: ObjectPolicy, store: ObjectStore | None = None) -> None:
        self.policy = policy
        self.store = store or ObjectStore()
        self._schemas: dict[str, dict] = {}
        self._schemas_lock = threading.Lock()
        self._ops = {
            "create": self.create,
            "call": self.call,
            "get": self.get,
            "list": self.list,
            "delete": self.delete,
            "discover": self.discover,
            "release": self.release,
        }

    def handle(self, frame: dict) -> dict:
        """Run the operation an ``object`` frame asks for."""
        op = self._ops.get(frame.get("op"))
        if op is None:
            raise InvalidArguments(f"unknown object operation {frame.get('op')!r}; one of: {', '.join(self._ops)}",
                                   field="/op")
        return op(frame)

    def create(self, frame: dict) -> dict:
        session = _session(frame)
        cls = self.policy.resolve_class(frame.get("class_path"))
        args, kwargs = self._arguments(session, frame)
        instance = _invoke(cls, args, kwargs, f"{frame['class_path']}(...)")
        return {"object": self.store.add(session, instance)}

    def call(self, frame: dict) -> dict:
        session = _session(frame)
        obj = self.store.get(session, frame.get("handle"))
        method_name = frame.get("method")
        self.policy.check_name(method_name, "method")
        self.policy.check_object(obj)
        try:
            method = getattr(obj, method_name)
        except AttributeError:
            raise ToolNotFound(f"{type(obj).__qualname__} has no method {method_name!r}", field="/method") from None
        if not callable(method):
            raise InvalidArguments(f"{type(obj).__qualname__}.{method_name} is not a method; read it with get",
                                   field="/method")
        args, kwargs = self._arguments(session, frame)
        result = _invoke(method, args, kwargs, f"{type(obj).__qualname__}.{method_name}(...)")
        value = self.store.to_value(session, result)
        if isinstance(value, dict) and len(value) == 1 and "$object" in value:
            return {"result": {"object": value["$object"]}}
        return {"result": {"value": value}}

    def get(self, frame: dict) -> dict:
        session = _session(frame)
        handle = frame.get("handle")
        obj = self.store.get(session, handle)
        return {"object": ref(handle, obj), "state": public_state(obj)}

    def list(self, frame: dict) -> dict:
        return {"objects": self.store.refs(_session(frame))}

    def delete(self, frame: dict) -> dict:
        return {"deleted": self.store.delete(_session(frame), frame.get("handle"))}

    def release(self, frame: dict) -> dict:
        return {"objects_released": self.store.release(_session(frame))}

    def discover(self, frame: dict) -> dict:
        module_name = frame.get("module")
        if not isinstance(module_name, str) or not module_name:
            raise InvalidArguments("discover needs a module, e.g. 'fractions'", field="/module")
        self.policy.check_module(module_name)
        with self._schemas_lock:
            schema = self._schemas.get(module_name)
        if schema is None:
            try:
                module = importlib.import_module(module_name)
            except ImportError as error:
                raise ToolNotFound(f"cannot import module {module_name!r}: {error}", field="/module") from None
            schema = describe_module(module)
            with self._schemas_lock:
                self._schemas[module_name] = schema
        return {"module": schema}

    def _arguments(self, session: str, frame: dict) -> tuple[list, dict]:
        args = frame.get("args") or []
        kwargs = frame.get("kwargs") or {}
        if not isinstance(args, list):
            raise InvalidArguments("args must be a list", field="/args")
        if not isinstance(kwargs, dict):
            raise InvalidArguments("kwargs must be an object", field="/kwargs")
        for name in kwargs:
            self.policy.check_name(name, "keyword argument")
        return self.store.arguments(session, args), self.store.arguments(session, kwargs)


def public_state(obj: Any) -> dict:
    """The public attributes of an object, JSON where they are, else their repr: instance
    attributes, slots and properties (a property that raises is left out); for a mapping
    or sequence that is JSON, also its content under ``"items"``."""
    state: dict[str, Any] = {}
    names: list[str] = list(getattr(obj, "__dict__", {}) or {})
    for klass in type(obj).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names += [slots] if isinstance(slots, str) else list(slots)
        names += [n for n, v in klass.__dict__.items() if isinstance(v, property)]
    for name in names:
        if name.startswith("_") or name in state or len(state) >= MAX_STATE_ENTRIES:
            continue
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        if not callable(value):
            state[name] = _json_or_repr(value)
    if isinstance(obj, (dict, list, tuple)) and "items" not in state:
        state["items"] = _json_or_repr(obj if not isinstance(obj, tuple) else list(obj))
    return state


def _json_or_repr(value: Any, depth: int = 0) -> Any:
    if isinstance(value, _JSON_SCALARS):
        if isinstance(value, float) and not math.isfinite(value):
            return short_repr(value)
        return value
    if depth < 16:
        if isinstance(value, (list, tuple)) and len(value) <= MAX_STATE_ENTRIES:
            return [_json_or_repr(v, depth + 1) for v in value]
        if isinstance(value, dict) and len(value) <= MAX_STATE_ENTRIES and all(isinstance(k, str) for k in value):
            return {k: _json_or_repr(v, depth + 1) for k, v in value.items()}
    return short_repr(value)


def _session(frame: dict) -> str:
    session = frame.get("session")
    if not isinstance(session, str) or not session:
        raise InvalidArguments("object operations need a session", field="/session")
    return session


def _invoke(target: Any, args: list, kwargs: dict, what: str) -> Any:
    """Call ``target``; arguments that do not fit its signature are invalid_argument, what
    it raises is reported like a tool's exception."""
    try:
        inspect.signature(target).bind(*args, **kwargs)
    except TypeError as error:
        raise InvalidArguments(f"{what}: {error}") from None
    except ValueError:
        pass  # no signature to check against (some builtins): let the call decide
    return target(*args, **kwargs)
