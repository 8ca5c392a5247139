"""Find the tools a worker serves: import each ``--module`` spec and collect its tools.

A spec is a dotted module path (``examples``) or a path to a ``.py`` file. A module's tools
are its attributes that are :class:`Tool` objects, and those of its submodules that it
imported (``examples/__init__.py`` imports its modules, so ``examples`` serves them all).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

from ._exceptions import ToolDefinitionError
from ._tool import Tool

__all__ = ["ModuleLoadError", "import_spec", "load_tools", "tools_in"]


class ModuleLoadError(Exception):
    """A spec could not be imported; ``cause`` is what importing raised."""

    def __init__(self, spec: str, cause: BaseException) -> None:
        super().__init__(f"cannot import module {spec!r}: {cause}")
        self.spec = spec
        self.cause = cause


def load_tools(specs: list[str]) -> dict[str, Tool]:
    """Every tool of every spec, by name. Raises :class:`ModuleLoadError` when a spec does
    not import (an ill-defined tool included) and :class:`ToolDefinitionError` for a
    duplicate name."""
    tools: dict[str, Tool] = {}
    origins: dict[str, str] = {}
    for spec in specs:
        try:
            module = import_spec(spec)
        except (Exception, SystemExit) as error:
            raise ModuleLoadError(spec, error) from error
        for found in tools_in(module):
            other = tools.get(found.name)
            if other is found:
                continue
            if other is not None:
                raise ToolDefinitionError(
                    f"duplicate tool name {found.name!r}: defined in {origins[found.name]} and in "
                    f"{found.fn.__module__}; give one of them another name with @tool(name=...)"
                )
            tools[found.name] = found
            origins[found.name] = found.fn.__module__
    return tools


def import_spec(spec: str) -> types.ModuleType:
    """Import a dotted module path or a ``.py`` file."""
    if spec.endswith(".py") or os.sep in spec or "/" in spec:
        return _import_file(spec)
    return importlib.import_module(spec)


def tools_in(module: types.ModuleType) -> list[Tool]:
    """The tools a module holds, its imported submodules' included, in definition order."""
    found: list[Tool] = []
    seen: set[int] = set()
    _collect(module, found, seen, set())
    return found


def _collect(module: types.ModuleType, found: list[Tool], seen: set[int], visited: set[str]) -> None:
    visited.add(module.__name__)
    prefix = module.__name__ + "."
    for value in list(vars(module).values()):
        if isinstance(value, Tool):
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif (
            isinstance(value, types.ModuleType)
            and value.__name__.startswith(prefix)
            and value.__name__ not in visited
        ):
            _collect(value, found, seen, visited)


def _import_file(path: str) -> types.ModuleType:
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path}")
    name = os.path.splitext(os.path.basename(path))[0]
    if name in sys.modules or not name.isidentifier():
        name = f"_toolbridge_file_{len(sys.modules)}_{abs(hash(path))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.append(directory)  # lets the file import its neighbours, without shadowing
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
