"""The worker's configuration, read once from its command line and environment."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Mapping, Sequence

__all__ = ["Config", "ConfigError"]

DEFAULT_MAX_MESSAGE_BYTES = 10 << 20
DEFAULT_THREADS = 64


class ConfigError(ValueError):
    """A flag or environment variable has a value the worker cannot use."""


@dataclass(frozen=True)
class Config:
    """Everything the worker reads from outside.

    Attributes:
        modules: ``--module`` specs, dotted paths or ``.py`` files, in order.
        max_message_bytes: largest body either way (``TOOLBRIDGE_MAX_MESSAGE_BYTES``).
        threads: threads for plain and generator tools (``TOOLBRIDGE_WORKER_THREADS``).
        object_modules: module prefixes the object bridge may use
            (``TOOLBRIDGE_OBJECT_MODULES``, comma-separated; empty: none).
    """

    modules: tuple[str, ...]
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    threads: int = DEFAULT_THREADS
    object_modules: tuple[str, ...] = ()

    @classmethod
    def load(cls, argv: Sequence[str], environ: Mapping[str, str]) -> Config:
        """Parse ``argv`` (without the program name) and the environment."""
        parser = _Parser(
            prog="python3 -m toolbridge",
            description="A toolbridge worker: serves the tools of the given modules over stdin/stdout "
            "(see python/PROTOCOL.md).",
        )
        parser.add_argument(
            "--module", action="append", default=[], metavar="SPEC",
            help="a dotted module path or a .py file whose tools to serve (repeatable)",
        )
        args = parser.parse_args(list(argv))
        if not args.module:
            raise ConfigError("no --module given: name at least one module or .py file with tools")
        prefixes = tuple(p.strip() for p in environ.get("TOOLBRIDGE_OBJECT_MODULES", "").split(",") if p.strip())
        return cls(
            modules=tuple(args.module),
            max_message_bytes=_positive(environ, "TOOLBRIDGE_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES),
            threads=_positive(environ, "TOOLBRIDGE_WORKER_THREADS", DEFAULT_THREADS),
            object_modules=prefixes,
        )


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a positive integer, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be a positive integer, got {raw!r}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{message} ({self.format_usage().strip()})")
