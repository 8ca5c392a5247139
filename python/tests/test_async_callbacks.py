"""An async tool's context: the same callbacks, as coroutines."""

import asyncio
import inspect
import unittest

from tests.runtime_double import HOLD, Fail, Reply, ScriptedRuntime, Stream
from toolbridge import AsyncContext, Cancelled, ToolNotFound


def run(coro, timeout=10.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


class AsyncCallbacksTest(unittest.TestCase):
    def setUp(self):
        self.runtime = ScriptedRuntime()
        self.runtime.add_tool(
            {"name": "validate_json", "description": "Check a JSON text.",
             "parameters": {"type": "object", "properties": {"json_string": {"type": "string"}},
                            "required": ["json_string"], "additionalProperties": False}},
            lambda json_string: {"valid": json_string.startswith("{")})
        self.runtime.add_tool({"name": "echo_bytes", "payloadParameter": "data", "returnsPayload": True},
                              lambda data: Reply(None, data))
        self.ctx = self.runtime.context(AsyncContext)

    def test_variables(self):
        async def scenario():
            self.assertEqual(await self.ctx.get_variable("x", "none"), "none")
            variable = await self.ctx.set_variable("x", [1, 2], type="array")
            self.assertEqual(variable.version, 1)
            self.assertEqual(await self.ctx.get_variable("x"), [1, 2])
            self.assertEqual([v.name for v in await self.ctx.list_variables()], ["x"])
            self.assertTrue(await self.ctx.delete_variable("x"))
            with self.assertRaises(ToolNotFound):
                await self.runtime.context(AsyncContext).get_variable("x")

        run(scenario())

    def test_call_tool_and_payloads(self):
        async def scenario():
            self.assertEqual(await self.ctx.call_tool("validate_json", json_string="{}"), {"valid": True})
            self.assertEqual(await self.ctx.call_tool("echo_bytes", data=b"raw"), b"raw")

        run(scenario())

    def test_remote_error(self):
        self.runtime.handlers["call_tool"] = lambda params, body: Fail("not_found", "no tool named 'x'", "ToolNotFound")

        async def scenario():
            with self.assertRaisesRegex(ToolNotFound, "no tool named 'x'"):
                await self.ctx.call_tool("x")

        run(scenario())

    def test_stream_tool_is_an_async_iterator(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: Stream([1, b"2", 3], result=None)

        async def scenario():
            return [chunk async for chunk in self.ctx.stream_tool("count", n=3)]

        self.assertEqual(run(scenario()), [1, b"2", 3])

    def test_leaving_an_async_stream_early_sends_callback_cancel(self):
        self.runtime.handlers["stream_tool"] = lambda params, body: HOLD

        async def scenario():
            stream = self.ctx.stream_tool("count")
            cid = self.runtime.callbacks("stream_tool")[0]["cid"]
            self.runtime.channel.deliver({"t": "reply_chunk", "cid": cid, "value": 1}, b"")
            async with stream:
                async for chunk in stream:
                    break
            return cid, chunk

        cid, chunk = run(scenario())
        self.assertEqual(chunk, 1)
        self.assertEqual(self.runtime.cancels(), [cid])

    def test_cancelling_the_task_while_waiting_sends_callback_cancel(self):
        self.runtime.handlers["call_tool"] = lambda params, body: HOLD

        async def scenario():
            task = asyncio.ensure_future(self.ctx.call_tool("slow"))
            while not self.runtime.callbacks("call_tool"):
                await asyncio.sleep(0)  # let the task send its callback
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
            return self.runtime.callbacks("call_tool")[0]["cid"]

        cid = run(scenario())
        self.assertEqual(self.runtime.cancels(), [cid])

    def test_cancelled_call_raises_without_sending(self):
        self.ctx._cancel("canceled")

        async def scenario():
            with self.assertRaises(Cancelled):
                await self.ctx.get_variable("x")

        run(scenario())
        self.assertEqual(self.runtime.sent, [])

    def test_tools_need_loading_then_are_coroutine_functions(self):
        with self.assertRaisesRegex(RuntimeError, r"await ctx.load_tools\(\)"):
            self.ctx.tools

        async def scenario():
            tools = await self.ctx.load_tools()
            self.assertIs(tools, self.ctx.tools)
            proxy = tools.validate_json
            self.assertTrue(inspect.iscoroutinefunction(proxy))
            self.assertEqual(str(inspect.signature(proxy)), "(json_string: str) -> Any")
            return await proxy(json_string="[]")

        self.assertEqual(run(scenario()), {"valid": False})


if __name__ == "__main__":
    unittest.main()
