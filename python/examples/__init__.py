"""Example tools: ``--module examples`` serves every tool of these modules."""

from . import basics, binary, streams, waiting

__all__ = ["basics", "binary", "streams", "waiting"]
