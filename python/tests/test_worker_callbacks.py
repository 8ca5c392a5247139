"""Callbacks through a real worker: the test plays the runtime and answers the frames."""

import unittest

from tests.worker_process import FIXTURES, WorkerProcess


class WorkerCallbackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess("examples", FIXTURES)
        try:
            cls.worker.ready()
        except BaseException:
            cls.worker.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop()

    def next_callback(self, call_id):
        header, body = self.worker.wait_for(lambda h, b: h["t"] == "callback" and h["call"] == call_id)
        return header, body

    def reply(self, cid, value=None, body=None, error=None):
        header = {"t": "reply", "cid": cid}
        if error is not None:
            header["error"] = error
        else:
            header["value"] = value
            if body is not None:
                header["binary"] = True
        self.worker.send(header, body or b"")

    def test_a_tool_reads_writes_and_calls_through_the_runtime(self):
        call = self.worker.call("callback_roundtrip", {"text": "{}"}, session="s1")

        header, _ = self.next_callback(call)
        self.assertEqual((header["op"], header["params"]), ("get_variable", {"name": "threshold"}))
        self.reply(header["cid"], {"name": "threshold", "type": "VARIABLE_TYPE_FLOAT", "value": 0.75, "version": 2})

        header, _ = self.next_callback(call)
        self.assertEqual((header["op"], header["params"]),
                         ("set_variable", {"name": "last_text", "value": "{}", "type": "VARIABLE_TYPE_STRING"}))
        self.reply(header["cid"], {"name": "last_text", "type": "VARIABLE_TYPE_STRING", "value": "{}", "version": 4})

        header, _ = self.next_callback(call)
        self.assertEqual(header["op"], "list_tools")
        self.reply(header["cid"], {"tools": [{"name": "validate_json", "description": "Check JSON.", "parameters": {
            "type": "object", "properties": {"json_string": {"type": "string"}}, "required": ["json_string"],
            "additionalProperties": False}}]})

        header, _ = self.next_callback(call)
        self.assertEqual((header["op"], header["params"]),
                         ("call_tool", {"tool": "validate_json", "args": {"json_string": "{}"}}))
        self.reply(header["cid"], {"valid": True})

        header, _ = self.next_callback(call)
        self.assertEqual((header["op"], header["params"]), ("stream_tool", {"tool": "count", "args": {"n": 2}}))
        for i in (1, 2):
            self.worker.send({"t": "reply_chunk", "cid": header["cid"], "value": i})
        self.reply(header["cid"], None)

        header, body = self.next_callback(call)
        self.assertEqual((header["op"], header["params"], header["binary"], body),
                         ("call_tool", {"tool": "echo_bytes", "args": {}}, True, b"{}"))
        self.reply(header["cid"], None, body=body)

        result, _ = self.worker.end(call)
        self.assertEqual(result["value"], {"threshold": 0.75, "version": 4, "validated": {"valid": True},
                                           "counted": [1, 2], "payload": "{}"})

    def test_an_async_tool_calls_back(self):
        call = self.worker.call("async_callback_roundtrip", {"name": "greeting"})
        header, _ = self.next_callback(call)
        self.reply(header["cid"], {"name": "greeting", "value": "hello", "version": 1})
        header, _ = self.next_callback(call)
        self.assertEqual(header["params"], {"tool": "reverse_text", "args": {"text": "abc"}})
        self.reply(header["cid"], {"result": "cba"})
        self.assertEqual(self.worker.end(call)[0]["value"], {"value": "hello", "reversed": {"result": "cba"}})

    def test_leaving_a_stream_early_sends_callback_cancel(self):
        call = self.worker.call("first_of_stream", {"n": 100})
        header, _ = self.next_callback(call)
        self.assertEqual(header["op"], "stream_tool")
        self.worker.send({"t": "reply_chunk", "cid": header["cid"], "value": 1})
        cancel, _ = self.worker.wait_for(lambda h, b: h["t"] == "callback_cancel" and h["cid"] == header["cid"])
        self.assertEqual(self.worker.end(call)[0]["value"], 1)
        self.reply(header["cid"], error={"code": "canceled", "message": "the tool cancelled the callback"})

    def test_cancelling_a_call_cancels_its_open_callback(self):
        call = self.worker.call("callback_until_cancelled")
        header, _ = self.next_callback(call)
        self.worker.send({"t": "cancel", "id": call, "reason": "canceled"})
        cancel, _ = self.worker.wait_for(lambda h, b: h["t"] == "callback_cancel")
        self.assertEqual(cancel["cid"], header["cid"])
        self.assertEqual(self.worker.end(call)[0]["code"], "canceled")
        self.reply(header["cid"], error={"code": "canceled", "message": "the tool cancelled the callback"})

    def test_a_callback_error_the_tool_lets_through_ends_the_call_with_its_code(self):
        call = self.worker.call("callback_error_passes_through")
        header, _ = self.next_callback(call)
        self.reply(header["cid"], error={"code": "permission_denied", "message": "not for this key",
                                         "type": "PermissionDenied", "traceback": "at gateway"})
        error, _ = self.worker.end(call)
        self.assertEqual((error["code"], error["message"], error["type"]),
                         ("permission_denied", "not for this key", "PermissionDenied"))
        self.assertIn("callback_error_passes_through", error["traceback"])
        self.assertIn("at gateway", error["traceback"])


if __name__ == "__main__":
    unittest.main()
