"""The frame codec of PROTOCOL.md: an 8-byte prefix (header length, body length, both
uint32 big-endian), a UTF-8 JSON header, a raw body.

:class:`FrameReader` reads many small frames per ``read`` into one reusable buffer and reads
a large body straight into the ``bytes`` object the tool receives. :class:`FrameWriter`
writes a whole frame with one ``writev`` under one lock, without concatenating the body.
"""

from __future__ import annotations

import os
import struct
import threading
from typing import Any, Callable

from ._buffers import freeze, new_bytes
from ._exceptions import ResourceExhausted
from ._json_codec import decode_json, encode_json

__all__ = [
    "MAX_HEADER_BYTES",
    "FrameError",
    "FrameReader",
    "FrameWriter",
    "encode_frame",
    "set_pipe_size",
]

#: Largest header either side accepts (PROTOCOL.md).
MAX_HEADER_BYTES = 16 << 20

_PREFIX = struct.Struct(">II")
_F_SETPIPE_SZ = 1031  # Linux; fcntl does not export the constant
_READ_BUFFER = 256 << 10
_DEFER_BYTES = 64 << 10
_DEFER_FRAMES = 128
_EMPTY = b""




class FrameError(Exception):
    """A frame could not be read (bad header); its bytes were consumed, the stream is in sync."""


def set_pipe_size(fd: int, size: int = 1 << 20) -> None:
    """Raise the capacity of the pipe behind ``fd`` (Linux); ignore every failure."""
    try:
        import fcntl

        fcntl.fcntl(fd, _F_SETPIPE_SZ, size)
    except (ImportError, OSError, ValueError):
        pass


def encode_frame(header: dict, body: Any = _EMPTY) -> bytes:
    """One frame as bytes (tests and small frames; the worker writes with FrameWriter)."""
    encoded = encode_json(header).encode()
    return _PREFIX.pack(len(encoded), len(body)) + encoded + bytes(body)


class FrameReader:
    """Reads frames from a file descriptor.

    :meth:`read` returns ``(header, body)``; ``body`` is ``None`` when the frame's body was
    longer than ``max_body`` (its bytes were skipped; ``dropped`` holds its length).
    It returns ``None`` at end of input and raises :class:`FrameError` for a bad header.
    ``before_wait`` is called before every read from the file descriptor, i.e. whenever the
    frames already read are used up (the worker flushes its deferred writes there).
    """

    def __init__(self, fd: int, max_body: int, before_wait: Callable[[], None] | None = None) -> None:
        self._file = open(fd, "rb", buffering=0, closefd=False)
        raw_readinto = self._file.readinto
        if before_wait is None:
            self._readinto = raw_readinto
        else:
            def readinto(view: memoryview) -> int | None:
                before_wait()
                return raw_readinto(view)

            self._readinto = readinto
        self._max_body = max_body
        self._buffer = bytearray(_READ_BUFFER)
        self._view = memoryview(self._buffer)
        self._start = 0
        self._end = 0
        self.dropped = 0

    def read(self) -> tuple[dict, bytes | None] | None:
        if not self._fill(8):
            return None
        header_len, body_len = _PREFIX.unpack_from(self._buffer, self._start)
        if header_len > MAX_HEADER_BYTES:
            self._skip(8 + header_len + body_len)
            raise FrameError(f"frame header of {header_len} bytes is over the {MAX_HEADER_BYTES} byte limit")
        if not self._fill(8 + header_len):
            return None
        start = self._start + 8
        self._start = start + header_len
        try:
            header = decode_json(str(self._view[start : start + header_len], "utf-8"))
            if type(header) is not dict:
                raise ValueError("the header is not a JSON object")
        except (ValueError, RecursionError) as error:
            self._skip(body_len)
            raise FrameError(f"bad frame header: {error}") from None
        if body_len == 0:
            return header, _EMPTY
        if body_len > self._max_body:
            self._skip(body_len)
            self.dropped = body_len
            return header, None
        body = self._body(body_len)
        return None if body is None else (header, body)

    def close(self) -> None:
        self._file.close()

    def _body(self, length: int) -> bytes | None:
        buffered = self._end - self._start
        if buffered >= length:
            start = self._start
            self._start = start + length
            return self._view[start : start + length].tobytes()
        if length < 2:
            if not self._fill(length):
                return None
            return self._body(length)
        # Large body: read the rest straight into the object the tool will get.
        data, view = new_bytes(length)
        view[:buffered] = self._view[self._start : self._end]
        self._start = self._end = 0
        filled = buffered
        while filled < length:
            n = self._readinto(view[filled:])
            if not n:
                return None
            filled += n
        view.release()
        return freeze(data)

    def _fill(self, count: int) -> bool:
        """Make ``count`` bytes available from ``_start``; False at end of input."""
        if self._start == self._end:
            self._start = self._end = 0
        while self._end - self._start < count:
            if self._start + count > len(self._buffer):
                self._compact(count)
            n = self._readinto(self._view[self._end :])
            if not n:
                return False
            self._end += n
        return True

    def _compact(self, count: int) -> None:
        pending = self._end - self._start
        if count > len(self._buffer):  # a header bigger than the buffer: grow (rare)
            self._view.release()
            grown = bytearray(max(count, 2 * len(self._buffer)))
            grown[:pending] = self._buffer[self._start : self._end]
            self._buffer, self._view = grown, memoryview(grown)
        else:
            self._view[:pending] = self._view[self._start : self._end]
        self._start, self._end = 0, pending

    def _skip(self, count: int) -> None:
        while count > 0:
            if self._start == self._end:
                self._start = self._end = 0
                n = self._readinto(self._view)
                if not n:
                    return
                self._end = n
            step = min(count, self._end - self._start)
            self._start += step
            count -= step


class FrameWriter:
    """Writes whole frames to a file descriptor; safe to call from any thread.

    :meth:`write` writes at once. :meth:`defer` queues a frame to go out with the next
    :meth:`flush` (or at once when the queue is big), so that the results of several short
    calls leave in one ``writev``; frames of one call must all take the same route.
    """

    def __init__(self, fd: int, max_body: int) -> None:
        self._fd = fd
        self._max_body = max_body
        self._max_value = min(MAX_HEADER_BYTES, max_body)
        self._lock = threading.Lock()
        self._pending: list = []
        self._pending_bytes = 0

    def encode(self, header: dict, *, value: bool = False) -> bytes:
        """The header's bytes. Raises ResourceExhausted when it is over 16 MiB, or over the
        message limit when ``value`` says it carries a tool's value (a result or a chunk);
        TypeError or ValueError when it is not JSON."""
        encoded = encode_json(header).encode()
        limit = self._max_value if value else MAX_HEADER_BYTES
        if len(encoded) > limit:
            raise ResourceExhausted(
                f"the value is {_mib(len(encoded))} of JSON, over the {_mib(limit)} limit "
                + ("(TOOLBRIDGE_MAX_MESSAGE_BYTES)" if value else "of a frame header")
            )
        return encoded

    def check_body(self, body: Any) -> None:
        """Raise ResourceExhausted when ``body`` is longer than the message limit."""
        if len(body) > self._max_body:
            raise ResourceExhausted(
                f"the binary result is {_mib(len(body))}, over the {_mib(self._max_body)} limit "
                "(TOOLBRIDGE_MAX_MESSAGE_BYTES)"
            )

    def send(self, header: dict, body: Any = _EMPTY, *, value: bool = False) -> None:
        """Encode and write one frame; checks sizes first and writes nothing when they fail."""
        if body:
            self.check_body(body)
        self.write(self.encode(header, value=value), body)

    def try_send(self, header: dict) -> bool:
        """Write a small body-less frame only if no write is under way (never waits, so a
        finalizer may call it, even one that runs inside a write); False if it did not."""
        encoded = self.encode(header)
        if not self._lock.acquire(blocking=False):
            return False
        try:
            _write_all(self._fd, _PREFIX.pack(len(encoded), 0) + encoded)
        finally:
            self._lock.release()
        return True

    def write(self, encoded_header: bytes, body: Any = _EMPTY) -> None:
        """Write one frame whose header is already encoded."""
        prefix = _PREFIX.pack(len(encoded_header), len(body)) + encoded_header
        with self._lock:
            if not body:
                _write_all(self._fd, prefix)
            else:
                _writev_all(self._fd, [prefix, body])

    def defer(self, encoded_header: bytes, body: Any = _EMPTY) -> None:
        """Queue one frame for the next :meth:`flush`."""
        prefix = _PREFIX.pack(len(encoded_header), len(body)) + encoded_header
        with self._lock:
            self._pending.append(prefix)
            self._pending_bytes += len(prefix)
            if body:
                self._pending.append(body)
                self._pending_bytes += len(body)
            if self._pending_bytes >= _DEFER_BYTES or len(self._pending) >= _DEFER_FRAMES:
                self._flush_locked()

    def flush(self) -> None:
        """Write the queued frames with one ``writev``."""
        if self._pending:
            with self._lock:
                self._flush_locked()

    def _flush_locked(self) -> None:
        pending = self._pending
        if pending:
            self._pending, self._pending_bytes = [], 0
            _writev_all(self._fd, pending)


def _write_all(fd: int, data: bytes) -> None:
    written = os.write(fd, data)
    if written < len(data):
        view = memoryview(data)
        while written < len(data):
            written += os.write(fd, view[written:])


def _writev_all(fd: int, parts: list) -> None:
    total = sum(len(p) for p in parts)
    written = os.writev(fd, parts)
    while written < total:  # a pipe write interrupted by a signal may be short
        rest, skip = [], written
        for part in parts:
            if skip >= len(part):
                skip -= len(part)
                continue
            rest.append(memoryview(part)[skip:])
            skip = 0
        parts, total = rest, total - written
        written = os.writev(fd, parts)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"
