"""toolbridge.adapters: tools as plain callables, and the thin DSPy wrapper."""

import asyncio
import inspect
import sys
import types
import unittest

from tests.runtime_double import ScriptedRuntime
from tests.test_tool_proxies import VALIDATE_JSON
from toolbridge import AsyncContext, Context
from toolbridge.adapters import as_dspy_tools, as_tools


class FakeDspyTool:
    """Records what as_dspy_tools hands to dspy.Tool."""

    def __init__(self, func, name=None, desc=None, args=None):
        self.func, self.name, self.desc, self.args = func, name, desc, args


class AdaptersCase(unittest.TestCase):
    def setUp(self):
        self.runtime = ScriptedRuntime()
        self.runtime.add_tool(VALIDATE_JSON, lambda json_string, schema=None: {"valid": json_string == "{}"})
        self.runtime.add_tool({"name": "text.upper", "description": "Upper-case a text.",
                               "parameters": {"type": "object", "properties": {"text": {"type": "string"}},
                                              "required": ["text"], "additionalProperties": False}},
                              lambda text: text.upper())


class AsToolsTest(AdaptersCase):
    def test_plain_callables_with_names_docs_and_signatures(self):
        tools = as_tools(self.runtime.context(Context))
        self.assertEqual([t.__name__ for t in tools], ["validate_json", "text_upper"])
        validate, upper = tools
        self.assertTrue(inspect.isfunction(validate))
        self.assertEqual(validate.__doc__, VALIDATE_JSON["description"])
        self.assertEqual(list(inspect.signature(validate).parameters), ["json_string", "schema"])
        self.assertEqual(upper(text="abc"), "ABC")
        self.assertEqual(validate("{}"), {"valid": True})

    def test_async_tools_after_loading(self):
        ctx = self.runtime.context(AsyncContext)

        async def scenario():
            tools = as_tools(await ctx.load_tools())
            self.assertTrue(all(inspect.iscoroutinefunction(t) for t in tools))
            return await tools[1](text="x")

        self.assertEqual(asyncio.run(asyncio.wait_for(scenario(), 10)), "X")

    def test_rejects_other_things(self):
        with self.assertRaises(TypeError):
            as_tools(object())


class AsDspyToolsTest(AdaptersCase):
    def test_without_dspy_the_error_says_what_to_do(self):
        saved = sys.modules.pop("dspy", None)
        sys.modules["dspy"] = None  # makes `import dspy` raise ImportError
        try:
            with self.assertRaisesRegex(ImportError, r"as_dspy_tools needs DSPy .*as_tools\(\)"):
                as_dspy_tools(self.runtime.context(Context))
        finally:
            del sys.modules["dspy"]
            if saved is not None:
                sys.modules["dspy"] = saved

    def test_wraps_each_callable_in_dspy_tool_with_its_schema(self):
        fake = types.ModuleType("dspy")
        fake.Tool = FakeDspyTool
        saved = sys.modules.get("dspy")
        sys.modules["dspy"] = fake
        try:
            wrapped = as_dspy_tools(self.runtime.context(Context))
        finally:
            if saved is None:
                del sys.modules["dspy"]
            else:
                sys.modules["dspy"] = saved
        self.assertEqual([(t.name, t.desc) for t in wrapped],
                         [("validate_json", VALIDATE_JSON["description"]), ("text_upper", "Upper-case a text.")])
        self.assertEqual(wrapped[0].args, VALIDATE_JSON["parameters"]["properties"])
        self.assertEqual(wrapped[1].func(text="q"), "Q")


if __name__ == "__main__":
    unittest.main()
