"""A plain tool's context calling back into toolbridge, against a scripted runtime."""

import unittest

from tests.runtime_double import HOLD, WAIT, Fail, Reply, ScriptedRuntime, Stream, run_in_thread
from toolbridge import (
    Aborted,
    Cancelled,
    Context,
    DeadlineExceeded,
    InvalidArguments,
    PermissionDenied,
    Result,
    ToolNotFound,
    Unavailable,
)
from toolbridge._variables import Variable


class VariableCallbacksTest(unittest.TestCase):
    def setUp(self):
        self.runtime = ScriptedRuntime()
        self.ctx = self.runtime.context(Context, call_id=7)

    def test_get_variable_asks_for_the_call_and_returns_the_value(self):
        self.runtime.variables["threshold"] = {"name": "threshold", "type": "VARIABLE_TYPE_FLOAT", "value": 0.5,
                                               "version": 3}
        self.assertEqual(self.ctx.get_variable("threshold"), 0.5)
        [callback] = self.runtime.callbacks()
        self.assertEqual((callback["op"], callback["call"], callback["params"]), ("get_variable", 7, {"name": "threshold"}))
        self.assertIsInstance(callback["cid"], int)

    def test_missing_variable_gives_the_default_or_raises_not_found(self):
        self.assertEqual(self.ctx.get_variable("nope", default=42), 42)
        self.assertIsNone(self.ctx.get_variable("nope", None))
        fresh = self.runtime.context(Context)
        with self.assertRaises(ToolNotFound) as caught:
            fresh.get_variable("nope")
        self.assertEqual((caught.exception.message, caught.exception.type),
                         ("variable 'nope' not found", "VariableNotFound"))
        with self.assertRaisesRegex(ToolNotFound, "has no variable 'nope'"):
            fresh.get_variable("nope")  # known missing: answered from the call's cache

    def test_reads_are_cached_for_the_call_only(self):
        self.runtime.variables["x"] = {"name": "x", "value": 1, "version": 1}
        self.assertEqual(self.ctx.get_variable("x"), 1)
        self.runtime.variables["x"]["value"] = 2  # changed by someone else
        self.assertEqual(self.ctx.get_variable("x"), 1)
        self.assertEqual(len(self.runtime.callbacks("get_variable")), 1)
        self.assertEqual(self.runtime.context(Context).get_variable("x"), 2)  # another call reads afresh

    def test_own_writes_replace_the_cached_value(self):
        self.runtime.variables["x"] = {"name": "x", "value": 1, "version": 1}
        self.ctx.get_variable("x")
        self.ctx.set_variable("x", 5)
        self.assertEqual(self.ctx.get_variable("x"), 5)
        self.ctx.delete_variable("x")
        self.assertEqual(self.ctx.get_variable("x", "gone"), "gone")
        self.assertEqual(len(self.runtime.callbacks("get_variable")), 1)

    def test_set_variable_sends_a_variable_write(self):
        variable = self.ctx.set_variable("limit", 10, type="integer", metadata={"description": "max items"},
                                         expected_version=0)
        [callback] = self.runtime.callbacks("set_variable")
        self.assertEqual(callback["params"], {"name": "limit", "value": 10, "type": "VARIABLE_TYPE_INTEGER",
                                              "metadata": {"description": "max items"}, "expected_version": 0})
        self.assertNotIn("binary", callback)
        self.assertEqual(variable, Variable(name="limit", value=10, type="integer", version=1,
                                            metadata={"description": "max items"}))

    def test_type_may_be_a_python_type_or_the_wire_name(self):
        self.ctx.set_variable("a", "x", type=str)
        self.ctx.set_variable("b", 1.5, type="VARIABLE_TYPE_FLOAT")
        self.assertEqual([c["params"]["type"] for c in self.runtime.callbacks("set_variable")],
                         ["VARIABLE_TYPE_STRING", "VARIABLE_TYPE_FLOAT"])
        with self.assertRaisesRegex(ValueError, "unknown variable type"):
            self.ctx.set_variable("c", 1, type="decimal")

    def test_bytes_values_travel_in_the_body(self):
        variable = self.ctx.set_variable("blob", b"\x00\x01raw")
        [(header, body)] = [(h, b) for h, b in self.runtime.sent if h.get("op") == "set_variable"]
        self.assertEqual((header["binary"], body), (True, b"\x00\x01raw"))
        self.assertEqual(header["params"], {"name": "blob", "type": "VARIABLE_TYPE_BYTES"})
        self.assertEqual((variable.value, variable.type), (b"\x00\x01raw", "bytes"))
        self.assertEqual(self.runtime.context(Context).get_variable("blob"), b"\x00\x01raw")

    def test_an_empty_bytes_value_is_still_binary(self):
        self.ctx.set_variable("empty", b"")
        [callback] = self.runtime.callbacks("set_variable")
        self.assertTrue(callback["binary"])

    def test_stale_expected_version_is_aborted_with_the_remote_message(self):
        self.ctx.set_variable("x", 1)
        with self.assertRaises(Aborted) as caught:
            self.ctx.set_variable("x", 2, expected_version=5)
        self.assertEqual(caught.exception.message, "variable 'x' is at version 1, not 5")
        self.assertEqual(caught.exception.type, "VersionMismatch")

    def test_delete_and_list(self):
        self.ctx.set_variable("a", 1)
        self.ctx.set_variable("b", b"bytes")
        listed = self.ctx.list_variables()
        self.assertEqual([(v.name, v.value, v.version) for v in listed], [("a", 1, 1), ("b", None, 1)])
        self.assertTrue(self.ctx.delete_variable("a"))
        self.assertFalse(self.ctx.delete_variable("a"))


class CallToolTest(unittest.TestCase):
    def setUp(self):
        self.runtime = ScriptedRuntime()
        self.runtime.add_tool({"name": "reverse_text", "parameters": {}}, lambda text: {"result": text[::-1]})
        self.runtime.add_tool({"name": "echo_bytes", "payloadParameter": "data", "returnsPayload": True},
                              lambda data: Reply(None, data))
        self.runtime.add_tool({"name": "measure", "payloadParameter": "data"},
                              lambda data, unit: Reply({"size": len(data), "unit": unit}, data[:2]))
        self.ctx = self.runtime.context(Context)

    def test_call_tool_returns_the_result(self):
        self.assertEqual(self.ctx.call_tool("reverse_text", text="abc"), {"result": "cba"})
        [callback] = self.runtime.callbacks("call_tool")
        self.assertEqual(callback["params"], {"tool": "reverse_text", "args": {"text": "abc"}})

    def test_a_tool_argument_named_name_is_allowed(self):
        self.runtime.add_tool({"name": "greet"}, lambda name: f"hi {name}")
        self.assertEqual(self.ctx.call_tool("greet", name="ada"), "hi ada")

    def test_a_bytes_argument_is_the_payload_and_a_binary_reply_is_bytes(self):
        self.assertEqual(self.ctx.call_tool("echo_bytes", data=b"\xff\x00"), b"\xff\x00")
        [(header, body)] = [(h, b) for h, b in self.runtime.sent if h.get("op") == "call_tool"]
        self.assertEqual((header["params"], header["binary"], body), ({"tool": "echo_bytes", "args": {}}, True, b"\xff\x00"))

    def test_a_binary_reply_with_a_value_is_a_result(self):
        self.assertEqual(self.ctx.call_tool("measure", data=b"abcd", unit="bytes"),
                         Result({"size": 4, "unit": "bytes"}, payload=b"ab"))

    def test_two_bytes_arguments_are_refused_before_sending(self):
        with self.assertRaisesRegex(InvalidArguments, "only one argument can be bytes"):
            self.ctx.call_tool("echo_bytes", a=b"1", b=b"2")
        self.assertEqual(self.runtime.sent, [])

    def test_remote_errors_raise_the_matching_class_with_type_and_traceback(self):
        self.runtime.handlers["call_tool"] = lambda params, body: Fail(
            "permission_denied", "tool 'http_get' is not allowed for this key", "PermissionError", "Error: ...")
        with self.assertRaises(PermissionDenied) as caught:
            self.ctx.call_tool("http_get", url="http://x")
        error = caught.exception
        self.assertEqual((error.code, error.message, error.type, error.traceback),
                         ("permission_denied", "tool 'http_get' is not allowed for this key", "PermissionError", "Error: ..."))

    def test_unknown_remote_codes_are_plain_tool_errors(self):
        self.runtime.handlers["call_tool"] = lambda params, body: Fail("internal", "boom", "TypeError")
        from toolbridge import ToolError

        with self.assertRaises(ToolError) as caught:
            self.ctx.call_tool("x")
        self.assertIs(type(caught.exception), ToolError)
        self.assertEqual(caught.exception.code, "internal")

    def test_list_tools(self):
        self.assertEqual([t["name"] for t in self.ctx.list_tools()], ["reverse_text", "echo_bytes", "measure"])


class StreamToolTest(unittest.TestCase):
    def setUp(self):
        self.runtime = ScriptedRuntime()
        self.ctx = self.runtime.context(Context)

    def test_chunks_then_the_final_result(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: Stream([1, 2, b"\x03"], result={"done": True})
        stream = self.ctx.stream_tool("count", n=3)
        self.assertEqual(list(stream), [1, 2, b"\x03"])
        self.assertEqual(stream.result, {"done": True})
        self.assertEqual(self.runtime.cancels(), [])
        [callback] = self.runtime.callbacks("stream_tool")
        self.assertEqual(callback["params"], {"tool": "count", "args": {"n": 3}})

    def test_stopping_early_sends_callback_cancel(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: HOLD
        stream = self.ctx.stream_tool("count", n=100)
        cid = self.runtime.callbacks("stream_tool")[0]["cid"]
        self.runtime.channel.deliver({"t": "reply_chunk", "cid": cid, "value": 1}, b"")
        for chunk in stream:
            self.assertEqual(chunk, 1)
            break
        stream.close()
        self.assertEqual(self.runtime.cancels(), [cid])
        with self.assertRaises(StopIteration):
            next(stream)

    def test_a_dropped_stream_is_cancelled_without_writing_from_its_finalizer(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: HOLD
        stream = self.ctx.stream_tool("count")
        cid = self.runtime.callbacks("stream_tool")[0]["cid"]
        del stream  # the finalizer may run inside a frame write: it only queues the cancel
        self.assertEqual(self.runtime.cancels(), [])
        self.runtime.channel.send_cancels()  # the worker does this before it waits for input
        self.assertEqual(self.runtime.cancels(), [cid])
        self.assertEqual(self.runtime.channel._pending, {})

    def test_a_dropped_stream_cancels_at_once_when_the_writer_is_free(self):
        free = [True]
        sent = []
        self.runtime.channel._try_send = lambda header: free[0] and not sent.append(header)
        self.runtime.handlers["stream_tool"] = lambda params, body: HOLD
        stream = self.ctx.stream_tool("count")
        cid = self.runtime.callbacks("stream_tool")[0]["cid"]
        del stream
        self.assertEqual(sent, [{"t": "callback_cancel", "cid": cid}])
        free[0] = False  # a write is under way: the cancel waits in the queue
        stream = self.ctx.stream_tool("count")
        busy_cid = self.runtime.callbacks("stream_tool")[1]["cid"]
        del stream
        self.assertEqual(len(sent), 1)
        self.runtime.channel.send_cancels()
        self.assertEqual(self.runtime.cancels(), [busy_cid])

    def test_queued_cancels_go_out_before_the_next_callback(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: HOLD
        stream = self.ctx.stream_tool("count")
        cid = self.runtime.callbacks("stream_tool")[0]["cid"]
        del stream
        self.ctx.list_tools()
        kinds = [(h["t"], h.get("cid")) for h, _ in self.runtime.sent]
        self.assertLess(kinds.index(("callback_cancel", cid)), len(kinds) - 1)

    def test_an_error_ends_the_stream(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: Stream([1], result=Fail("internal", "broke"))
        stream = self.ctx.stream_tool("count")
        self.assertEqual(next(stream), 1)
        with self.assertRaisesRegex(Exception, "broke"):
            next(stream)


class CancellationTest(unittest.TestCase):
    def setUp(self):
        self.runtime = ScriptedRuntime()
        self.ctx = self.runtime.context(Context)

    def test_a_callback_after_cancellation_raises_without_sending(self):
        self.ctx._cancel("canceled")
        with self.assertRaises(Cancelled):
            self.ctx.get_variable("x")
        with self.assertRaises(Cancelled):
            self.ctx.stream_tool("count")
        self.assertEqual(self.runtime.sent, [])

    def test_cancelling_the_call_ends_a_waiting_callback_and_tells_the_runtime(self):
        self.runtime.handlers["call_tool"] = lambda params, body: HOLD
        thread, outcome = run_in_thread(lambda: self.ctx.call_tool("slow"))
        cid = self.runtime.wait_for_callback("call_tool")["cid"]
        self.ctx._cancel("deadline_exceeded")
        thread.join(WAIT)
        self.assertIsInstance(outcome.get("error"), DeadlineExceeded)
        self.assertEqual(self.runtime.cancels(), [cid])
        self.runtime.answer(cid, "late")  # the runtime's late answer is dropped

    def test_end_of_input_fails_waiting_and_new_callbacks_with_unavailable(self):
        self.runtime.handlers["get_variable"] = lambda params, body: HOLD
        thread, outcome = run_in_thread(lambda: self.ctx.get_variable("x"))
        self.runtime.wait_for_callback("get_variable")
        self.runtime.channel.close(Unavailable("the runtime closed the worker's input"))
        thread.join(WAIT)
        self.assertIsInstance(outcome.get("error"), Unavailable)
        with self.assertRaises(Unavailable):
            self.ctx.call_tool("x")

    def test_callbacks_of_an_ended_call_are_dropped(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: HOLD
        self.ctx.stream_tool("count")
        self.ctx._end_callbacks()
        self.assertEqual(self.runtime.channel._pending, {})


if __name__ == "__main__":
    unittest.main()
