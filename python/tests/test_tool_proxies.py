"""ctx.tools: proxies with names, docstrings and signatures built from ToolInfo."""

import inspect
import typing
import unittest
from typing import Any, Literal, Optional

from tests.runtime_double import Reply, ScriptedRuntime
from toolbridge import Context
from toolbridge._proxies import annotation_for, python_name, signature_for

VALIDATE_JSON = {
    "name": "validate_json",
    "description": "Check that a text is JSON, optionally against a schema.",
    "parameters": {
        "type": "object",
        "properties": {"json_string": {"type": "string"}, "schema": {"type": ["object", "null"], "default": None}},
        "required": ["json_string"],
        "additionalProperties": False,
    },
    "result": {"type": "object"},
}


class AnnotationTest(unittest.TestCase):
    def test_schema_types_become_type_hints(self):
        self.assertIs(annotation_for({"type": "string"}), str)
        self.assertIs(annotation_for({"type": "number"}), float)
        self.assertEqual(annotation_for({"type": "array", "items": {"type": "integer"}}), list[int])
        self.assertEqual(annotation_for({"type": "object", "additionalProperties": {"type": "boolean"}}), dict[str, bool])
        self.assertEqual(annotation_for({"type": ["string", "null"]}), Optional[str])
        self.assertEqual(annotation_for({"enum": ["a", "b"]}), Literal["a", "b"])
        self.assertEqual(annotation_for({"anyOf": [{"type": "integer"}, {"type": "string"}]}), typing.Union[int, str])
        self.assertIs(annotation_for({}), Any)

    def test_tool_names_become_identifiers(self):
        self.assertEqual(python_name("text.reverse-words"), "text_reverse_words")
        self.assertEqual(python_name("class"), "_class")
        self.assertEqual(python_name("3d"), "_3d")


class SignatureTest(unittest.TestCase):
    def test_required_first_then_optional_with_defaults(self):
        info = {"parameters": {"type": "object", "properties": {
            "mode": {"type": "string", "default": "fast"}, "text": {"type": "string"}}, "required": ["text"],
            "additionalProperties": False}, "result": {"type": "integer"}}
        self.assertEqual(str(signature_for(info)), "(text: str, mode: str = 'fast') -> int")

    def test_payload_parameter_and_binary_result(self):
        info = {"parameters": {"type": "object", "properties": {}, "additionalProperties": False},
                "payloadParameter": "data", "returnsPayload": True}
        self.assertEqual(str(signature_for(info)), "(data: bytes) -> bytes")

    def test_open_ended_and_odd_names_fall_back_to_kwargs(self):
        info = {"parameters": {"type": "object", "properties": {"a-b": {"type": "string"}}, "additionalProperties": False}}
        self.assertEqual(str(signature_for(info)), "(**kwargs: Any) -> Any")
        self.assertEqual(str(signature_for({"parameters": {"type": "object", "additionalProperties": True}})),
                         "(**kwargs: Any) -> Any")


class NamespaceTest(unittest.TestCase):
    def setUp(self):
        self.runtime = ScriptedRuntime()
        self.runtime.add_tool(VALIDATE_JSON, lambda json_string, schema=None: {"valid": json_string == "{}"})
        self.runtime.add_tool({"name": "text.reverse", "description": "Reverse.",
                               "parameters": {"type": "object", "properties": {"text": {"type": "string"}},
                                              "required": ["text"], "additionalProperties": False}},
                              lambda text: text[::-1])
        self.runtime.add_tool({"name": "thumbnail", "payloadParameter": "image", "returnsPayload": True,
                               "parameters": {"type": "object", "properties": {"width": {"type": "integer"}},
                                              "required": ["width"], "additionalProperties": False}},
                              lambda image, width: Reply(None, image[:width]))
        self.ctx = self.runtime.context(Context)

    def test_proxy_has_name_doc_and_signature(self):
        proxy = self.ctx.tools.validate_json
        self.assertEqual(proxy.__name__, "validate_json")
        self.assertEqual(proxy.__doc__, "Check that a text is JSON, optionally against a schema.")
        self.assertEqual(str(inspect.signature(proxy)),
                         "(json_string: str, schema: Optional[dict] = None) -> dict")
        self.assertEqual(typing.get_type_hints(proxy)["json_string"], str)

    def test_calling_a_proxy_calls_the_tool(self):
        self.assertEqual(self.ctx.tools.validate_json(json_string="{}"), {"valid": True})
        self.assertEqual(self.ctx.tools.validate_json("[]"), {"valid": False})
        self.assertEqual(self.runtime.callbacks("call_tool")[0]["params"],
                         {"tool": "validate_json", "args": {"json_string": "{}"}})

    def test_bad_arguments_fail_like_python_before_sending(self):
        with self.assertRaisesRegex(TypeError, "json_string"):
            self.ctx.tools.validate_json()
        self.assertEqual(self.runtime.callbacks("call_tool"), [])

    def test_payload_through_a_proxy(self):
        self.assertEqual(self.ctx.tools.thumbnail(b"abcdef", width=3), b"abc")

    def test_tools_are_discovered_once_per_call(self):
        self.ctx.tools.validate_json("{}")
        self.ctx.tools["text.reverse"]("ab")
        self.assertEqual(len(self.runtime.callbacks("list_tools")), 1)
        self.runtime.context(Context).tools  # another call discovers again
        self.assertEqual(len(self.runtime.callbacks("list_tools")), 2)

    def test_attribute_and_item_access(self):
        tools = self.ctx.tools
        self.assertIs(tools.text_reverse, tools["text.reverse"])
        self.assertIn("text.reverse", tools)
        self.assertEqual(len(tools), 3)
        self.assertEqual([p.__name__ for p in tools], ["validate_json", "text_reverse", "thumbnail"])
        self.assertIn("validate_json", dir(tools))
        with self.assertRaisesRegex(AttributeError, "no tool 'nope' is available to this call; available: "):
            tools.nope

    def test_stream_through_a_proxy(self):
        from tests.runtime_double import Stream

        self.runtime.handlers["stream_tool"] = lambda params, body: Stream(["c", "b"], result=None)
        self.assertEqual(list(self.ctx.tools["text.reverse"].stream(text="bc")), ["c", "b"])


if __name__ == "__main__":
    unittest.main()
