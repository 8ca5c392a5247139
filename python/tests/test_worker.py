"""The worker as a real subprocess, driven over its pipes the way a runtime drives it."""

import os
import unittest

from tests.worker_process import FIXTURES, WorkerProcess

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE_TOOLS = ["echo", "reverse_text", "word_count", "fail", "echo_bytes", "count", "sleep"]


def fixture(name: str) -> str:
    return os.path.join(HERE, "fixtures", name)


class SharedWorkerCase(unittest.TestCase):
    """One worker serving the examples and the test tools, for the whole class."""

    env: dict[str, str] = {}

    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess("examples", FIXTURES, env=cls.env)
        try:
            cls.ready = cls.worker.ready()
        except BaseException:
            cls.worker.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop()

    def cancel(self, call_id, reason="canceled"):
        self.worker.send({"t": "cancel", "id": call_id, "reason": reason})


class StartupTest(SharedWorkerCase):
    def test_ready_lists_every_tool_with_its_info(self):
        names = [t["name"] for t in self.ready["tools"]]
        self.assertEqual(names[: len(EXAMPLE_TOOLS)], EXAMPLE_TOOLS)
        self.assertIn("worker_pid", names)
        self.assertEqual(self.ready["protocol"], 1)
        self.assertEqual(self.ready["pid"], self.worker.process.pid)
        reverse = next(t for t in self.ready["tools"] if t["name"] == "reverse_text")
        self.assertEqual(reverse["parameters"]["required"], ["text"])
        self.assertEqual(reverse["language"], "python")
        echo_bytes = next(t for t in self.ready["tools"] if t["name"] == "echo_bytes")
        self.assertEqual((echo_bytes["payloadParameter"], echo_bytes["returnsPayload"]), ("data", True))
        count = next(t for t in self.ready["tools"] if t["name"] == "count")
        self.assertTrue(count["streaming"])


class FatalTest(unittest.TestCase):
    def fatal(self, *modules, env=None):
        with WorkerProcess(*modules, env=env) as worker:
            header, _ = worker.wait_for(lambda h, b: True)
            self.assertEqual(header["t"], "fatal", header)
            self.assertEqual(worker.wait_exit(), 2)
            return header

    def test_missing_module(self):
        header = self.fatal("examples", "no_such_module_here")
        self.assertEqual(header["message"], "cannot import module 'no_such_module_here': "
                                            "No module named 'no_such_module_here'")
        self.assertEqual(header["type"], "ModuleNotFoundError")
        self.assertIn("Traceback", header["traceback"])

    def test_module_that_raises_on_import(self):
        header = self.fatal(fixture("broken_import.py"))
        self.assertEqual(header["type"], "ImportError")
        self.assertIn("broken on purpose", header["message"])

    def test_ill_defined_tool_names_tool_and_parameter(self):
        header = self.fatal(fixture("bad_hint.py"))
        self.assertEqual(header["type"], "toolbridge.ToolDefinitionError")
        self.assertIn("tool 'takes_opaque', parameter 'thing': unsupported type hint", header["message"])

    def test_duplicate_tool_name(self):
        header = self.fatal("examples", fixture("duplicate_echo.py"))
        self.assertIn("duplicate tool name 'echo'", header["message"])

    def test_missing_file(self):
        header = self.fatal("./no/such/file.py")
        self.assertIn("no such file", header["message"])

    def test_no_module_and_bad_environment_are_fatal_too(self):
        self.assertIn("no --module given", self.fatal()["message"])
        header = self.fatal("examples", env={"TOOLBRIDGE_WORKER_THREADS": "many"})
        self.assertIn("TOOLBRIDGE_WORKER_THREADS must be a positive integer", header["message"])


class UnaryCallTest(SharedWorkerCase):
    def test_reverse_text(self):
        header, body = self.worker.result("reverse_text", {"text": "abc"})
        self.assertEqual((header["t"], header["value"], body), ("result", {"result": "cba"}, b""))
        self.assertGreaterEqual(header["run_ms"], 0)

    def test_word_count(self):
        header, _ = self.worker.result("word_count", {"text": "  one two\tthree\n"})
        self.assertEqual(header["value"], {"words": 3})

    def test_echo_returns_its_arguments_as_given(self):
        args = {"text": "hé", "n": 1, "x": 2.5, "nested": {"list": [True, None, "z"]}}
        self.assertEqual(self.worker.result("echo", args)[0]["value"], args)

    def test_unknown_tool_is_not_found(self):
        header, _ = self.worker.result("no_such_tool")
        self.assertEqual(header["code"], "not_found")
        self.assertIn("no tool named 'no_such_tool'", header["message"])
        self.assertIn("reverse_text", header["message"])

    def test_bad_arguments_are_invalid_argument_with_the_field(self):
        header, _ = self.worker.result("reverse_text", {"text": 42})
        self.assertEqual((header["t"], header["code"], header["field"]), ("error", "invalid_argument", "/text"))
        self.assertEqual(header["message"], "text: expected a string, got 42")
        self.assertEqual(header["type"], "toolbridge.InvalidArguments")
        self.assertNotIn("traceback", header)
        header, _ = self.worker.result("reverse_text", {})
        self.assertEqual((header["code"], header["field"]), ("invalid_argument", "/text"))

    def test_python_exception_is_internal_with_type_message_and_traceback(self):
        header, _ = self.worker.result("fail", {"message": "boom"})
        self.assertEqual((header["code"], header["type"], header["message"]), ("internal", "RuntimeError", "boom"))
        self.assertIn('basics.py", line', header["traceback"])
        self.assertIn("raise RuntimeError(message)", header["traceback"])
        self.assertNotIn("_runner.py", header["traceback"])

    def test_exception_type_is_qualified_by_its_module(self):
        header, _ = self.worker.result("raise_custom", {"message": "m"})
        self.assertEqual(header["type"], "test_tools.CustomError")

    def test_a_tool_may_fail_with_any_toolbridge_code(self):
        header, _ = self.worker.result("deny", {"message": "not yours"})
        self.assertEqual((header["code"], header["message"]), ("permission_denied", "not yours"))

    def test_results_that_are_not_json_are_explained(self):
        header, _ = self.worker.result("bytes_in_json")
        self.assertEqual(header["code"], "internal")
        self.assertIn("bytes inside a JSON value at /data/1", header["message"])
        self.assertIn("toolbridge.Result", header["message"])
        header, _ = self.worker.result("not_json")
        self.assertIn("not JSON: /when is a datetime.date", header["message"])

    def test_context_carries_session_request_and_deadline(self):
        header, _ = self.worker.result("context_info", session="s1", request="r1", timeout_ms=60000)
        self.assertEqual(header["value"], {"session_id": "s1", "request_id": "r1", "has_deadline": True,
                                           "time_remaining_positive": True, "cancelled": False})
        header, _ = self.worker.result("context_info")
        self.assertFalse(header["value"]["has_deadline"])


class BinaryTest(SharedWorkerCase):
    def test_payload_in_and_out(self):
        payload = os.urandom(3 << 20)
        header, body = self.worker.result("echo_bytes", body=payload)
        self.assertEqual((header["t"], header["binary"], header["value"]), ("result", True, None))
        self.assertEqual(body, payload)

    def test_empty_payload(self):
        header, body = self.worker.result("echo_bytes")
        self.assertEqual((header["binary"], body), (True, b""))

    def test_value_and_payload_together(self):
        header, body = self.worker.result("value_and_payload", {"text": "héllo"})
        self.assertEqual((header["value"], header["binary"], body), ({"length": 5}, True, "héllo".encode()))


class StreamingTest(SharedWorkerCase):
    def test_generator_streams_chunks_and_progress_then_a_result(self):
        frames = self.worker.all_of(self.worker.call("count", {"n": 3}, stream=True))
        chunks = [h["value"] for h, _ in frames if h["t"] == "chunk"]
        progress = [(h["fraction"], h["message"]) for h, _ in frames if h["t"] == "progress"]
        self.assertEqual(chunks, [1, 2, 3])
        self.assertEqual(progress[-1], (1.0, "3 of 3"))
        self.assertEqual(frames[-1][0]["t"], "result")
        self.assertIsNone(frames[-1][0]["value"])

    def test_generator_called_without_stream_returns_a_list(self):
        self.assertEqual(self.worker.result("count", {"n": 4})[0]["value"], [1, 2, 3, 4])

    def test_binary_chunks(self):
        frames = self.worker.all_of(self.worker.call("byte_chunks", {"n": 3}, stream=True))
        self.assertEqual([(h.get("binary"), b) for h, b in frames[:-1]], [(True, b"0"), (True, b"1"), (True, b"2")])

    def test_binary_generator_called_without_stream_joins_its_bytes(self):
        header, body = self.worker.result("byte_chunks", {"n": 3})
        self.assertEqual((header["binary"], body), (True, b"012"))

    def test_async_generator_streams(self):
        frames = self.worker.all_of(self.worker.call("async_count", {"n": 3}, stream=True))
        self.assertEqual([h["value"] for h, _ in frames if h["t"] == "chunk"], [1, 2, 3])
        self.assertEqual(self.worker.result("async_count", {"n": 2})[0]["value"], [1, 2])

    def test_a_tool_error_ends_the_stream(self):
        header, _ = self.worker.result("count", {"n": -1}, stream=True)
        self.assertEqual((header["code"], header["field"]), ("invalid_argument", "/n"))

    def test_mixed_bytes_and_values_without_stream_is_an_error(self):
        header, _ = self.worker.result("mixed_chunks")
        self.assertIn("both bytes and JSON values", header["message"])


class CancellationTest(SharedWorkerCase):
    def test_cancelling_a_plain_tool_that_checks_its_context(self):
        call = self.worker.call("wait_for_cancel")
        self.cancel(call)
        header, _ = self.worker.end(call)
        self.assertEqual((header["t"], header["code"], header["type"]), ("error", "canceled", "toolbridge.Cancelled"))

    def test_cancelling_an_async_tool_cancels_its_task(self):
        call = self.worker.call("async_wait_for_cancel")
        self.cancel(call)
        self.assertEqual(self.worker.end(call)[0]["code"], "canceled")
        call = self.worker.call("sleep", {"ms": 60000})
        self.cancel(call, "deadline_exceeded")
        self.assertEqual(self.worker.end(call)[0]["code"], "deadline_exceeded")

    def test_cancelling_a_stream_stops_the_generator(self):
        call = self.worker.call("stream_until_cancelled", stream=True)
        self.worker.wait_for(lambda h, b: h.get("id") == call and h["t"] == "chunk")
        self.cancel(call)
        self.assertEqual(self.worker.end(call)[0]["code"], "canceled")

    def test_a_tool_that_ignores_cancellation_still_ends_with_the_reason(self):
        call = self.worker.call("hold", {"key": "ignores-cancel"})
        self.cancel(call)
        # Frames are read in order: the cancel has been handled before release runs.
        self.worker.result("release", {"key": "ignores-cancel"})
        header, _ = self.worker.end(call)
        self.assertEqual((header["t"], header["code"]), ("error", "canceled"))

    def test_cancel_for_an_unknown_call_is_ignored(self):
        self.cancel(999_999)
        self.assertEqual(self.worker.result("reverse_text", {"text": "ok"})[0]["value"], {"result": "ko"})


class DeadlineTest(SharedWorkerCase):
    def test_the_worker_enforces_timeout_ms_on_async_tools(self):
        header, _ = self.worker.result("sleep", {"ms": 60000}, timeout_ms=50)
        self.assertEqual((header["code"], header["type"]), ("deadline_exceeded", "toolbridge.DeadlineExceeded"))

    def test_the_worker_enforces_timeout_ms_on_plain_tools(self):
        header, _ = self.worker.result("wait_for_cancel", timeout_ms=50)
        self.assertEqual(header["code"], "deadline_exceeded")

    def test_a_call_that_ends_in_time_is_untouched(self):
        header, _ = self.worker.result("sleep", {"ms": 1}, timeout_ms=60000)
        self.assertEqual(header["value"], {"slept_ms": 1})


class ConcurrencyTest(SharedWorkerCase):
    def test_calls_complete_out_of_order_even_when_a_plain_tool_blocks_the_reader(self):
        # hold is a plain tool without context: its first call runs on the reader thread,
        # which must hand reading over so that the next calls (and the release) get through.
        held = self.worker.call("hold", {"key": "sync-order"})
        quick = self.worker.call("reverse_text", {"text": "ab"})
        self.assertEqual(self.worker.end(quick)[0]["value"], {"result": "ba"})
        self.assertFalse(any(h.get("id") == held for h, _ in self.worker.frames))
        self.worker.result("release", {"key": "sync-order"})
        self.assertEqual(self.worker.end(held)[0]["value"], "sync-order")

    def test_async_calls_complete_out_of_order(self):
        held = self.worker.call("async_hold", {"key": "async-order"})
        quick = self.worker.call("sleep", {"ms": 0})
        self.assertEqual(self.worker.end(quick)[0]["value"], {"slept_ms": 0})
        self.worker.result("release", {"key": "async-order"})
        self.assertEqual(self.worker.end(held)[0]["value"], "async-order")

    def test_many_calls_in_flight_are_matched_by_id(self):
        calls = {self.worker.call("reverse_text", {"text": f"call {i}"}): f"call {i}"[::-1] for i in range(100)}
        for call, expected in calls.items():
            self.assertEqual(self.worker.end(call)[0]["value"], {"result": expected})


class LimitsTest(SharedWorkerCase):
    env = {"TOOLBRIDGE_MAX_MESSAGE_BYTES": str(1 << 20)}

    def test_oversized_json_result_is_resource_exhausted(self):
        header, _ = self.worker.result("oversized", {"size": 2 << 20})
        self.assertEqual((header["t"], header["code"]), ("error", "resource_exhausted"))
        self.assertIn("TOOLBRIDGE_MAX_MESSAGE_BYTES", header["message"])

    def test_oversized_binary_result_is_resource_exhausted(self):
        header, body = self.worker.result("oversized_bytes", {"size": (1 << 20) + 1})
        self.assertEqual((header["code"], body), ("resource_exhausted", b""))

    def test_oversized_request_payload_is_resource_exhausted_and_the_worker_keeps_serving(self):
        header, _ = self.worker.result("echo_bytes", body=b"x" * ((1 << 20) + 1))
        self.assertEqual(header["code"], "resource_exhausted")
        self.assertIn("over the 1048576 byte limit", header["message"])
        self.assertEqual(self.worker.result("echo_bytes", body=b"fits")[1], b"fits")


class IsolationTest(SharedWorkerCase):
    def test_print_goes_to_stderr_not_into_the_frames(self):
        header, _ = self.worker.result("print_to_stdout", {"text": "hello from a tool"})
        self.assertEqual(header["value"], "printed")
        self.worker.wait_stderr("hello from a tool (fd 1)")
        self.assertIn(b"hello from a tool\n", self.worker.stderr)
        self.assertEqual(self.worker.result("reverse_text", {"text": "still framed"})[0]["t"], "result")

    def test_a_tool_reading_stdin_gets_nothing(self):
        self.assertEqual(self.worker.result("read_stdin")[0]["value"], "")

    def test_a_malformed_timeout_is_refused(self):
        self.worker.send({"t": "call", "id": 77_001, "tool": "reverse_text", "args": {"text": "x"},
                          "timeout_ms": "soon"})
        header, _ = self.worker.end(77_001)
        self.assertEqual((header["code"], header["field"]), ("invalid_argument", "/timeout_ms"))

    def test_unknown_frame_types_are_ignored(self):
        self.worker.send({"t": "no_such_frame", "id": 1})
        self.worker.wait_stderr("unknown type 'no_such_frame'")
        self.assertEqual(self.worker.result("reverse_text", {"text": "x"})[0]["t"], "result")


class ShutdownTest(unittest.TestCase):
    def test_end_of_input_lets_running_calls_finish_then_exits_zero(self):
        with WorkerProcess("examples", FIXTURES) as worker:
            worker.ready()
            slow = worker.call("ignore_cancel", {"ms": 200})
            stream = worker.call("count", {"n": 3, "delay_ms": 20}, stream=True)
            worker.close_input()
            self.assertEqual(worker.wait_exit(), 0)
            self.assertEqual(worker.end(slow)[0]["value"], {"slept_ms": 200})
            self.assertEqual(worker.end(stream)[0]["t"], "result")

    def test_a_tool_that_kills_its_worker(self):
        with WorkerProcess(FIXTURES) as worker:
            worker.ready()
            worker.call("exit_now", {"status": 3})
            self.assertEqual(worker.wait_exit(), 3)


if __name__ == "__main__":
    unittest.main()
