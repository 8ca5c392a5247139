"""Measures a worker over its pipes (run by hand; not a test):

    python3 python/tests/bench_worker.py [--seconds 3] [--concurrency 1 16]

Prints echo calls/s at each concurrency, with the worker's CPU time per call (read from
/proc; steadier than the rate on a busy machine), and the 10 MiB ``echo_bytes`` round trip.
The driver is one Python thread that parses as little as it can, so at high rates it
measures itself as much as the worker: treat the rates as a floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import time

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = struct.Struct(">II")


class Pipe:
    """A worker and the few things the benchmark does with it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "toolbridge", "--module", "examples"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": PYTHON_DIR}, bufsize=0,
        )
        self.out = self.process.stdin
        self.inp = self.process.stdout.fileno()
        self.buffer = bytearray()
        header, _ = self.read_frame()
        assert header["t"] == "ready", header

    def close(self) -> None:
        self.out.close()
        self.process.wait(10)

    def read_big_frame(self) -> tuple[dict, memoryview]:
        """A frame read with one copy of its body (for the large payload)."""
        while len(self.buffer) < 8:
            self.fill()
        h, b = PREFIX.unpack_from(self.buffer)
        while len(self.buffer) < 8 + h:
            self.fill()
        header = json.loads(bytes(self.buffer[8 : 8 + h]))
        body = bytearray(b)
        have = self.buffer[8 + h : 8 + h + b]
        body[: len(have)] = have
        del self.buffer[: 8 + h + len(have)]
        view, filled = memoryview(body), len(have)
        with open(self.inp, "rb", buffering=0, closefd=False) as raw:
            while filled < b:
                n = raw.readinto(view[filled:])
                if not n:
                    raise EOFError("worker closed its output")
                filled += n
        return header, view

    def read_frame(self) -> tuple[dict, bytes]:
        while True:
            frame = self.take_frame()
            if frame is not None:
                return json.loads(frame[0]), frame[1]
            self.fill()

    def fill(self) -> None:
        chunk = os.read(self.inp, 1 << 20)
        if not chunk:
            raise EOFError("worker closed its output")
        self.buffer += chunk

    def take_frame(self) -> tuple[bytes, bytes] | None:
        if len(self.buffer) < 8:
            return None
        h, b = PREFIX.unpack_from(self.buffer)
        if len(self.buffer) < 8 + h + b:
            return None
        header = bytes(self.buffer[8 : 8 + h])
        body = bytes(self.buffer[8 + h : 8 + h + b])
        del self.buffer[: 8 + h + b]
        return header, body


def call_frame(call_id: int, tool: str, args: dict, body: bytes = b"") -> bytes:
    header = json.dumps({"t": "call", "id": call_id, "tool": tool, "args": args, "session": "", "request": "",
                         "timeout_ms": 30000, "stream": False}, separators=(",", ":")).encode()
    return PREFIX.pack(len(header), len(body)) + header + body


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (Linux), 0 where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def echo_rate(pipe: Pipe, concurrency: int, seconds: float) -> float:
    args = {"message": "hello", "n": 1}
    next_id = 1
    pipe.out.write(b"".join(call_frame(i, "echo", args) for i in range(next_id, next_id + concurrency)))
    next_id += concurrency
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    in_flight = concurrency
    while in_flight:
        pipe.fill()
        ended = 0
        while (frame := pipe.take_frame()) is not None:
            if b'"t":"result"' not in frame[0]:
                raise RuntimeError(f"unexpected frame {frame[0]!r}")
            ended += 1
        done += ended
        in_flight -= ended
        if ended and time.perf_counter() < deadline:
            pipe.out.write(b"".join(call_frame(i, "echo", args) for i in range(next_id, next_id + ended)))
            next_id += ended
            in_flight += ended
    return done / (time.perf_counter() - started)


def bytes_round_trip(pipe: Pipe, size: int, rounds: int) -> list[float]:
    payload = os.urandom(size)
    times = []
    for i in range(rounds):
        frame = call_frame(1_000_000 + i, "echo_bytes", {}, payload)
        started = time.perf_counter()
        pipe.out.write(frame)
        header, body = pipe.read_big_frame()
        times.append((time.perf_counter() - started) * 1000)
        assert header["t"] == "result" and len(body) == size, header
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    pipe = Pipe()
    try:
        echo_rate(pipe, 4, 0.5)  # warm up: threads started, code paths hot
        for concurrency in options.concurrency:
            cpu_before, started = cpu_seconds(pipe.process.pid), time.perf_counter()
            rate = echo_rate(pipe, concurrency, options.seconds)
            calls = rate * (time.perf_counter() - started)
            cpu_us = (cpu_seconds(pipe.process.pid) - cpu_before) / calls * 1e6
            print(f"echo, {concurrency:>2} in flight: {rate:>8.0f} calls/s, worker CPU {cpu_us:.1f} us/call")
        times = bytes_round_trip(pipe, 10 << 20, options.rounds)
        print(f"echo_bytes 10 MiB round trip: p50 {statistics.median(times):.1f} ms, "
              f"min {min(times):.1f} ms, max {max(times):.1f} ms ({options.rounds} rounds)")
    finally:
        pipe.close()


if __name__ == "__main__":
    main()
