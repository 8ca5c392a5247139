"""The frame codec over real pipes."""

import json
import os
import threading
import unittest

from toolbridge import ResourceExhausted
from toolbridge._buffers import freeze, new_bytes, zero_copy
from toolbridge._frames import FrameError, FrameReader, FrameWriter, encode_frame
from toolbridge._json_codec import decode_json, encode_json

LIMIT = 16 << 20


class PipeCase(unittest.TestCase):
    def setUp(self):
        self.read_fd, self.write_fd = os.pipe()
        self.reader = FrameReader(self.read_fd, LIMIT)
        self.writer = FrameWriter(self.write_fd, LIMIT)

    def tearDown(self):
        self.reader.close()
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    def write_in_background(self, data: bytes) -> threading.Thread:
        """Pipes hold less than a big frame: write from another thread while we read."""
        def run():
            view = memoryview(data)
            while view:
                view = view[os.write(self.write_fd, view):]
            os.close(self.write_fd)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        return thread


class FrameReaderTest(PipeCase):
    def test_reads_many_small_frames_in_order(self):
        frames = [({"t": "call", "id": i, "args": {"x": "é" * i}}, bytes([i]) * (i % 3)) for i in range(200)]
        self.write_in_background(b"".join(encode_frame(h, b) for h, b in frames))
        for header, body in frames:
            self.assertEqual(self.reader.read(), (header, body))
        self.assertIsNone(self.reader.read())

    def test_large_body_arrives_whole_as_bytes(self):
        body = os.urandom(10 << 20)
        self.write_in_background(encode_frame({"t": "call", "id": 1}, body) + encode_frame({"t": "cancel", "id": 1}))
        header, got = self.reader.read()
        self.assertEqual(header, {"t": "call", "id": 1})
        self.assertIs(type(got), bytes)
        self.assertEqual(got, body)
        self.assertEqual(self.reader.read(), ({"t": "cancel", "id": 1}, b""))

    def test_body_over_the_limit_is_skipped_and_reported(self):
        reader = FrameReader(self.read_fd, 1000)
        self.write_in_background(encode_frame({"t": "call", "id": 7}, b"x" * 5000) + encode_frame({"t": "call", "id": 8}, b"ok"))
        self.assertEqual(reader.read(), ({"t": "call", "id": 7}, None))
        self.assertEqual(reader.dropped, 5000)
        self.assertEqual(reader.read(), ({"t": "call", "id": 8}, b"ok"))

    def test_bad_header_is_an_error_and_the_stream_stays_in_sync(self):
        bad = b"{not json"
        raw = len(bad).to_bytes(4, "big") + (3).to_bytes(4, "big") + bad + b"abc"
        not_object = b"[1]"
        raw += len(not_object).to_bytes(4, "big") + (0).to_bytes(4, "big") + not_object
        self.write_in_background(raw + encode_frame({"t": "cancel", "id": 2}))
        with self.assertRaisesRegex(FrameError, "bad frame header"):
            self.reader.read()
        with self.assertRaisesRegex(FrameError, "not a JSON object"):
            self.reader.read()
        self.assertEqual(self.reader.read(), ({"t": "cancel", "id": 2}, b""))

    def test_header_bigger_than_the_read_buffer(self):
        header = {"t": "call", "id": 1, "args": {"text": "y" * (600 << 10)}}
        self.write_in_background(encode_frame(header, b"tail"))
        self.assertEqual(self.reader.read(), (header, b"tail"))

    def test_end_of_input_inside_a_frame_is_the_end(self):
        self.write_in_background(encode_frame({"t": "call", "id": 1}, b"body")[:-2])
        self.assertIsNone(self.reader.read())


class FrameWriterTest(PipeCase):
    def test_writes_header_and_body_that_the_reader_reads_back(self):
        for body in (b"", b"bytes", bytearray(b"array"), memoryview(b"view")):
            self.writer.send({"t": "result", "id": 1, "binary": True}, body)
            self.assertEqual(self.reader.read(), ({"t": "result", "id": 1, "binary": True}, bytes(body)))

    def test_value_over_the_message_limit_writes_nothing(self):
        writer = FrameWriter(self.write_fd, 100)
        with self.assertRaisesRegex(ResourceExhausted, "TOOLBRIDGE_MAX_MESSAGE_BYTES"):
            writer.send({"t": "result", "id": 1, "value": "x" * 200}, value=True)
        with self.assertRaises(ResourceExhausted):
            writer.send({"t": "result", "id": 1}, b"y" * 101)
        writer.send({"t": "error", "id": 1, "message": "m" * 200})  # not a value: only the 16 MiB cap
        header, _ = self.reader.read()
        self.assertEqual(header["t"], "error")

    def test_non_json_values_raise_before_writing(self):
        with self.assertRaises(TypeError):
            self.writer.send({"t": "result", "value": {1, 2}})
        with self.assertRaises(ValueError):
            self.writer.send({"t": "result", "value": float("nan")})

    def test_big_body_through_a_small_pipe(self):
        body = os.urandom(4 << 20)
        thread = threading.Thread(target=self.writer.send, args=({"t": "result", "id": 3, "binary": True}, body))
        thread.start()
        header, got = self.reader.read()
        thread.join(10)
        self.assertEqual((header["id"], got), (3, body))

    def test_deferred_frames_go_out_together_on_flush(self):
        for i in range(3):
            self.writer.defer(self.writer.encode({"t": "result", "id": i}), b"b%d" % i)
        os.set_blocking(self.read_fd, False)
        with self.assertRaises(BlockingIOError):
            os.read(self.read_fd, 1)  # nothing written yet
        os.set_blocking(self.read_fd, True)
        self.writer.flush()
        for i in range(3):
            self.assertEqual(self.reader.read(), ({"t": "result", "id": i}, b"b%d" % i))

    def test_a_large_deferred_frame_is_written_at_once(self):
        body = b"z" * (64 << 10)
        thread = threading.Thread(target=self.writer.defer, args=(self.writer.encode({"t": "result", "id": 1}), body))
        thread.start()
        self.assertEqual(self.reader.read(), ({"t": "result", "id": 1}, body))
        thread.join(10)

    def test_reader_calls_before_wait_before_reading_the_pipe(self):
        waits = []
        reader = FrameReader(self.read_fd, LIMIT, before_wait=lambda: waits.append(1))
        os.write(self.write_fd, encode_frame({"t": "a"}) + encode_frame({"t": "b"}))
        self.assertEqual(reader.read(), ({"t": "a"}, b""))
        self.assertEqual(reader.read(), ({"t": "b"}, b""))  # already buffered: no wait
        self.assertEqual(len(waits), 1)

    def test_try_send_writes_only_when_no_write_is_under_way(self):
        self.assertTrue(self.writer.try_send({"t": "callback_cancel", "cid": 1}))
        self.assertEqual(self.reader.read(), ({"t": "callback_cancel", "cid": 1}, b""))
        with self.writer._lock:  # as if this thread were inside a write
            self.assertFalse(self.writer.try_send({"t": "callback_cancel", "cid": 2}))

    def test_encode_frame_layout(self):
        frame = encode_frame({"t": "x"}, b"ab")
        header = json.dumps({"t": "x"}, separators=(",", ":")).encode()
        self.assertEqual(frame, len(header).to_bytes(4, "big") + (2).to_bytes(4, "big") + header + b"ab")


class JsonCodecTest(unittest.TestCase):
    def test_compact_ascii_output(self):
        self.assertEqual(encode_json({"a": [1, 2.5, "é", None, True]}), '{"a":[1,2.5,"\\u00e9",null,true]}')

    def test_refuses_nan_and_non_json_values(self):
        with self.assertRaises(ValueError):
            encode_json(float("inf"))
        with self.assertRaisesRegex(TypeError, "Object of type set is not JSON serializable"):
            encode_json({1})

    def test_decodes_like_json_loads(self):
        self.assertEqual(decode_json('{"a":[1,{"b":null}]}'), {"a": [1, {"b": None}]})
        self.assertEqual(decode_json(' {"a": 1} '), {"a": 1})
        with self.assertRaises(ValueError):
            decode_json('{"a": 1} trailing')
        with self.assertRaises(ValueError):
            decode_json("")


class NewBytesTest(unittest.TestCase):
    def test_fills_a_fresh_bytes_object(self):
        data, view = new_bytes(5)
        view[:] = b"hello"
        view.release()
        result = freeze(data)
        self.assertEqual(result, b"hello")
        self.assertIs(type(result), bytes)
        self.assertEqual(hash(result), hash(b"hello"))

    def test_uses_no_extra_copy_on_cpython(self):
        self.assertTrue(zero_copy)

    def test_refuses_sizes_that_cpython_shares(self):
        with self.assertRaises(ValueError):
            new_bytes(1)


if __name__ == "__main__":
    unittest.main()
