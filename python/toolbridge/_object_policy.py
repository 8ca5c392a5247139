"""What the object bridge may reach: modules under the configured prefixes, public names.

``TOOLBRIDGE_OBJECT_MODULES`` lists module prefixes (``fractions,collections``); a prefix
allows the module of that name and its submodules. Nothing is allowed by default. Names
that start with ``_`` (private and dunder names) are never reachable, whatever the prefixes.
A handle's methods may be called only when its class comes from an allowed module, so an
object that escapes through a return value (a module, a function, a file) stays inert.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._exceptions import InvalidArguments, PermissionDenied, ToolNotFound

__all__ = ["ObjectPolicy"]

_ENV = "TOOLBRIDGE_OBJECT_MODULES"


class ObjectPolicy:
    """Checks module paths and names against ``prefixes``."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        self.prefixes = tuple(p.strip().rstrip(".") for p in prefixes if p.strip())

    def allows_module(self, module: str) -> bool:
        return any(module == p or module.startswith(p + ".") for p in self.prefixes)

    def check_module(self, module: str) -> None:
        """PermissionDenied unless ``module`` is under an allowed prefix and public."""
        for part in module.split("."):
            self.check_name(part, f"in module {module!r}")
        if not self.allows_module(module):
            raise PermissionDenied(self._not_allowed(f"module {module!r}"))

    def check_name(self, name: str, what: str = "name") -> None:
        """PermissionDenied for a private or dunder name; InvalidArguments for a non-name.
        ``what`` says where the name comes from (``"method"``, ``"in module 'x'"``)."""
        label = f"{name!r} {what}" if what.startswith("in ") else f"{what} {name!r}"
        if not isinstance(name, str) or not name.isidentifier():
            raise InvalidArguments(f"{label} is not a Python name")
        if name.startswith("_"):
            raise PermissionDenied(f"{label} is private: the object bridge reaches public names only (no leading '_')")

    def check_object(self, obj: Any) -> None:
        """PermissionDenied unless the object's class comes from an allowed module."""
        module = type(obj).__module__ or ""
        if not self.allows_module(module):
            raise PermissionDenied(self._not_allowed(f"objects of class {type(obj).__module__}.{type(obj).__qualname__}"))

    def resolve_class(self, class_path: str) -> type:
        """The class ``module.Class`` names, imported only once the module is allowed."""
        if not isinstance(class_path, str) or "." not in class_path:
            raise InvalidArguments(f"class_path must look like 'module.Class', got {class_path!r}")
        parts = class_path.split(".")
        for part in parts:
            self.check_name(part, f"in class path {class_path!r}")
        missing: ImportError | None = None
        for split in range(len(parts) - 1, 0, -1):  # the longest importable module wins
            module_name = ".".join(parts[:split])
            if not self.allows_module(module_name):
                continue
            try:
                target: Any = importlib.import_module(module_name)
            except ImportError as error:
                missing = missing or error
                continue
            for attribute in parts[split:]:
                try:
                    target = getattr(target, attribute)
                except AttributeError:
                    raise ToolNotFound(f"{class_path!r}: {module_name} has no public name {attribute!r}") from None
            if not isinstance(target, type):
                raise InvalidArguments(f"{class_path!r} is not a class")
            return target
        if missing is not None:
            raise ToolNotFound(f"{class_path!r}: cannot import its module: {missing}")
        raise PermissionDenied(self._not_allowed(f"class {class_path!r}"))

    def _not_allowed(self, what: str) -> str:
        if not self.prefixes:
            return (f"{what} is not reachable: the object bridge allows no modules; set {_ENV} to a "
                    f"comma-separated list of module prefixes (e.g. fractions,decimal)")
        return (f"{what} is not reachable: add its module (or a parent package) to {_ENV}, "
                f"which allows: {', '.join(self.prefixes)}")
