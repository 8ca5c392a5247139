"""The bare pipe baseline: answer each call frame on stdin with a result frame on stdout.

Frames are those of python/PROTOCOL.md (uint32 header length, uint32 body length, JSON header, raw body).
It decodes the header to learn the call id and echoes the args and the body: the least any worker must do.
Standard library only; exits at end of input.
"""

import json
import struct
import sys

PREFIX = struct.Struct(">II")


def main() -> None:
    read = sys.stdin.buffer.read
    out = sys.stdout.buffer
    while True:
        prefix = read(8)
        if len(prefix) < 8:
            return
        header_length, body_length = PREFIX.unpack(prefix)
        header = json.loads(read(header_length))
        body = read(body_length) if body_length else b""
        reply = json.dumps(
            {"t": "result", "id": header["id"], "value": header.get("args"), "binary": bool(body)}
        ).encode()
        out.write(PREFIX.pack(len(reply), len(body)))
        out.write(reply)
        if body:
            out.write(body)
        out.flush()


if __name__ == "__main__":
    main()
