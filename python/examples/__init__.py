"""Example tools: ``--module examples`` serves every tool of these modules."""

# callbacks comes last so that the tools of the others keep their order in listings.
from . import basics, binary, streams, waiting, callbacks  # noqa: I001

__all__ = ["basics", "binary", "callbacks", "streams", "waiting"]
