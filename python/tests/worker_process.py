"""Drives a real worker process over its pipes, the way a runtime does (test helper).

Every wait is bounded: a broken worker fails the test with a timeout instead of hanging it.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
from typing import Any, Callable

from toolbridge._frames import encode_frame

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(PYTHON_DIR, "tests", "fixtures", "test_tools.py")
WAIT = 10.0  # seconds; generous, only a broken worker ever reaches it

_PREFIX = struct.Struct(">II")

Frame = tuple[dict, bytes]


class WorkerProcess:
    """A ``python3 -m toolbridge`` child; ``frames`` collects what it writes, in order."""

    def __init__(self, *modules: str, env: dict[str, str] | None = None) -> None:
        args = [sys.executable, "-m", "toolbridge"]
        for module in modules:
            args += ["--module", module]
        full_env = {**os.environ, "PYTHONPATH": PYTHON_DIR, **(env or {})}
        self.process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env, bufsize=0
        )
        self.frames: list[Frame] = []
        self.stderr = b""
        self._changed = threading.Condition()
        self._write_lock = threading.Lock()
        self._next_id = 0
        self._eof = False
        self._threads = [
            threading.Thread(target=self._read_frames, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        """Kill the worker if it still runs and close the pipes (always safe to call)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(WAIT)
        for thread in self._threads:
            thread.join(WAIT)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                pipe.close()
            except OSError:
                pass

    def ready(self) -> dict:
        """The first frame, which must be ``ready``."""
        header, _ = self.wait_for(lambda h, b: h["t"] in ("ready", "fatal"))
        if header["t"] != "ready":
            raise AssertionError(f"worker did not start: {header}")
        return header

    def close_input(self) -> None:
        self.process.stdin.close()

    def wait_exit(self, timeout: float = WAIT) -> int:
        return self.process.wait(timeout)

    # -- frames --------------------------------------------------------------------------

    def send(self, header: dict, body: bytes = b"") -> None:
        with self._write_lock:
            self.process.stdin.write(encode_frame(header, body))

    def call(self, tool: str, args: dict | None = None, body: bytes = b"", *, stream: bool = False,
             timeout_ms: int | None = None, session: str = "", request: str = "") -> int:
        """Send a ``call`` frame; returns its id."""
        with self._write_lock:
            self._next_id += 1
            call_id = self._next_id
        self.send({"t": "call", "id": call_id, "tool": tool, "args": {} if args is None else args,
                   "session": session, "request": request, "timeout_ms": timeout_ms, "stream": stream}, body)
        return call_id

    def wait_for(self, match: Callable[[dict, bytes], bool], timeout: float = WAIT) -> Frame:
        """Remove and return the first frame that matches; AssertionError after ``timeout``."""
        with self._changed:
            found = self._changed.wait_for(lambda: self._find(match) is not None or self._eof, timeout)
            index = self._find(match)
            if index is None:
                reason = "the worker closed its output" if self._eof and found else f"{timeout}s passed"
                raise AssertionError(f"no matching frame: {reason}; frames: {self.frames}; "
                                     f"stderr: {self.stderr.decode(errors='replace')[-2000:]}")
            return self.frames.pop(index)

    def end(self, call_id: int, timeout: float = WAIT) -> Frame:
        """The ``result`` or ``error`` frame that ends a call."""
        return self.wait_for(lambda h, b: h.get("id") == call_id and h["t"] in ("result", "error"), timeout)

    def all_of(self, call_id: int, timeout: float = WAIT) -> list[Frame]:
        """Every frame of a call up to and including its end, in order."""
        out = []
        while True:
            frame = self.wait_for(lambda h, b: h.get("id") == call_id and "cid" not in h, timeout)
            out.append(frame)
            if frame[0]["t"] in ("result", "error"):
                return out

    def result(self, tool: str, args: dict | None = None, body: bytes = b"", **options: Any) -> Frame:
        """Call and wait for the end."""
        return self.end(self.call(tool, args, body, **options))

    def _find(self, match: Callable[[dict, bytes], bool]) -> int | None:
        for index, (header, body) in enumerate(self.frames):
            if match(header, body):
                return index
        return None

    def _read_frames(self) -> None:
        out = self.process.stdout
        try:
            while True:
                prefix = _read_exactly(out, 8)
                if prefix is None:
                    break
                header_len, body_len = _PREFIX.unpack(prefix)
                import json

                header = json.loads(_read_exactly(out, header_len))
                body = _read_exactly(out, body_len) if body_len else b""
                with self._changed:
                    self.frames.append((header, body))
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._eof = True
                self._changed.notify_all()

    def _read_stderr(self) -> None:
        while True:
            chunk = self.process.stderr.read(65536)
            if not chunk:
                return
            with self._changed:
                self.stderr += chunk
                self._changed.notify_all()

    def wait_stderr(self, text: str, timeout: float = WAIT) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: text.encode() in self.stderr, timeout):
                raise AssertionError(f"{text!r} not on stderr: {self.stderr!r}")


def _read_exactly(stream: Any, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
