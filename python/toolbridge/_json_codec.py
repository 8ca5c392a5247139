"""The JSON of frame headers: compact, ASCII, no NaN, and without per-call set-up.

``json.dumps`` and ``json.loads`` rebuild their C encoder and wrap the C scanner on every
call; on the per-call path that is a good part of the cost. Here the C encoder is made
once (without circular-reference markers, so it holds no state between calls and is safe
from any thread; a cycle ends in RecursionError) and the C scanner is called directly.
"""

from __future__ import annotations

import json
from typing import Any, Callable

__all__ = ["decode_json", "encode_json"]


def _not_serializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _json_codec() -> tuple[Callable[[Any], str], Callable[[str], Any]]:
    """``(encode, decode)``: the C encoder and scanner where available, else the json module."""
    from json import encoder, scanner

    decoder = json.JSONDecoder()
    scan = decoder.scan_once

    def decode(text: str) -> Any:
        try:
            value, end = scan(text, 0)
        except StopIteration:
            return decoder.decode(text)  # raises the usual, readable ValueError
        if end != len(text):
            return decoder.decode(text)
        return value

    if encoder.c_make_encoder is None or scanner.c_make_scanner is None:  # pragma: no cover
        slow = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        return slow.encode, json.loads
    make = encoder.c_make_encoder(
        None, _not_serializable, encoder.c_encode_basestring_ascii, None, ":", ",", False, False, False
    )
    return (lambda value: "".join(make(value, 0))), decode


encode_json, decode_json = _json_codec()
