"""The @tool decorator: names, descriptions, schemas, kinds, payload and context parameters."""

import asyncio
import unittest
from typing import Any, AsyncIterator, Iterator, Optional

from toolbridge import AsyncContext, Context, Result, Tool, ToolDefinitionError, tool


class DecoratorFormsTest(unittest.TestCase):
    def test_bare_decorator_uses_function_name_and_docstring(self):
        @tool
        def greet(name: str) -> str:
            """Say hello.

            Longer text."""
            return f"hello {name}"

        self.assertIsInstance(greet, Tool)
        self.assertEqual(greet.name, "greet")
        self.assertEqual(greet.description, "Say hello.\n\nLonger text.")
        self.assertEqual(greet(name="ada"), "hello ada")
        self.assertEqual(greet.__name__, "greet")

    def test_decorator_with_arguments_overrides_name_and_description(self):
        @tool(name="say.hello", description="Greets.")
        def greet(name: str) -> str:
            return name

        self.assertEqual((greet.name, greet.description), ("say.hello", "Greets."))

    def test_called_as_a_function(self):
        def shout(text: str) -> str:
            return text.upper()

        self.assertEqual(tool(shout).info["name"], "shout")

    def test_bad_name_is_refused(self):
        with self.assertRaisesRegex(ToolDefinitionError, "is not allowed"):
            tool(name="has space")(lambda: None)
        with self.assertRaisesRegex(ToolDefinitionError, "is not allowed"):
            tool(lambda: None)


class ParametersSchemaTest(unittest.TestCase):
    def test_required_defaults_and_no_extra_properties(self):
        @tool
        def f(a: str, b: int = 3, c: Optional[list[str]] = None) -> None:
            """F."""

        self.assertEqual(f.parameters, {
            "type": "object",
            "properties": {
                "a": {"type": "string"},
                "b": {"type": "integer", "default": 3},
                "c": {"type": ["array", "null"], "items": {"type": "string"}, "default": None},
            },
            "required": ["a"],
            "additionalProperties": False,
        })

    def test_unannotated_parameter_accepts_anything(self):
        @tool
        def f(x):
            """F."""

        self.assertEqual(f.parameters["properties"], {"x": {}})

    def test_kwargs_allow_any_properties(self):
        @tool
        def echo(**kwargs: Any) -> dict:
            """Echo."""
            return kwargs

        self.assertEqual(echo.parameters, {"type": "object", "properties": {}, "additionalProperties": True})

    def test_non_json_default_is_left_out_of_the_schema(self):
        marker = object()

        @tool
        def f(x: Any = marker):
            """F."""

        self.assertEqual(f.parameters["properties"]["x"], {})
        self.assertNotIn("required", f.parameters)

    def test_unsupported_hint_names_tool_and_parameter(self):
        with self.assertRaisesRegex(ToolDefinitionError, r"tool 'f', parameter 'x': unsupported type hint complex"):
            @tool
            def f(x: complex):
                """F."""

    def test_unresolvable_forward_reference_is_a_definition_error(self):
        with self.assertRaisesRegex(ToolDefinitionError, "tool 'f': cannot resolve its type hints"):
            @tool
            def f(x: "NoSuchType"):  # noqa: F821
                """F."""

    def test_star_args_and_positional_only_are_refused(self):
        with self.assertRaisesRegex(ToolDefinitionError, r"\*args"):
            tool(name="f")(lambda *args: None)
        with self.assertRaisesRegex(ToolDefinitionError, "positional-only"):
            exec("def g(x, /): pass", ns := {})
            tool(ns["g"])


class PayloadAndContextTest(unittest.TestCase):
    def test_bytes_parameter_receives_the_payload_and_is_not_in_the_schema(self):
        @tool
        def thumbnail(image: bytes, width: int) -> bytes:
            """Resize."""
            return image

        self.assertEqual(thumbnail.payload_parameter, "image")
        self.assertEqual(list(thumbnail.parameters["properties"]), ["width"])
        self.assertTrue(thumbnail.returns_payload)
        self.assertEqual(thumbnail.info["payloadParameter"], "image")
        self.assertTrue(thumbnail.info["returnsPayload"])
        self.assertNotIn("result", thumbnail.info)

    def test_two_bytes_parameters_are_refused(self):
        with self.assertRaisesRegex(ToolDefinitionError, "only one parameter can receive the binary payload"):
            @tool
            def f(a: bytes, b: bytes):
                """F."""

    def test_result_type_returns_payload(self):
        @tool
        def f() -> Result:
            """F."""
            return Result(1, payload=b"x")

        self.assertTrue(f.returns_payload)

    def test_bytes_inside_the_result_hint_is_refused(self):
        with self.assertRaisesRegex(ToolDefinitionError, "tool 'f', result"):
            @tool
            def f() -> dict[str, bytes]:
                """F."""

    def test_context_parameter_is_not_in_the_schema(self):
        @tool
        def f(ctx: Context, text: str) -> str:
            """F."""
            return text

        self.assertEqual(f.context_parameter, "ctx")
        self.assertEqual(list(f.parameters["properties"]), ["text"])

    def test_async_tool_takes_async_context(self):
        @tool
        async def f(ctx: AsyncContext) -> None:
            """F."""

        self.assertEqual(f.context_parameter, "ctx")
        with self.assertRaisesRegex(ToolDefinitionError, "an async tool receives a toolbridge.AsyncContext"):
            @tool
            async def g(ctx: Context) -> None:
                """G."""
        with self.assertRaisesRegex(ToolDefinitionError, "a plain tool receives a toolbridge.Context"):
            @tool
            def h(ctx: AsyncContext) -> None:
                """H."""


class KindsTest(unittest.TestCase):
    def test_plain_function(self):
        @tool
        def f(x: int) -> int:
            """F."""
            return x + 1

        self.assertEqual((f.kind, f.streaming, f.result), ("plain", False, {"type": "integer"}))
        self.assertEqual(f(x=1), 2)

    def test_coroutine(self):
        @tool
        async def f(x: int) -> list[int]:
            """F."""
            return [x]

        self.assertEqual((f.kind, f.streaming, f.result), ("async", False, {"type": "array", "items": {"type": "integer"}}))
        self.assertEqual(asyncio.run(f(x=1)), [1])

    def test_generator_streams_and_its_unary_result_is_a_list(self):
        @tool
        def f(n: int) -> Iterator[str]:
            """F."""
            yield from map(str, range(n))

        self.assertEqual((f.kind, f.streaming), ("generator", True))
        self.assertEqual(f.result, {"type": "array", "items": {"type": "string"}})
        self.assertEqual(list(f(n=2)), ["0", "1"])

    def test_async_generator(self):
        @tool
        async def f(n: int) -> AsyncIterator[int]:
            """F."""
            for i in range(n):
                yield i

        async def collect():
            return [i async for i in f(n=3)]

        self.assertEqual((f.kind, f.streaming, f.info["streaming"]), ("async_generator", True, True))
        self.assertEqual(asyncio.run(collect()), [0, 1, 2])

    def test_generator_of_bytes_returns_payload(self):
        @tool
        def f() -> Iterator[bytes]:
            """F."""
            yield b"x"

        self.assertEqual((f.result, f.returns_payload), (None, True))

    def test_generator_with_a_non_iterator_hint_is_refused(self):
        with self.assertRaisesRegex(ToolDefinitionError, "a generator's return hint"):
            @tool
            def f() -> int:
                """F."""
                yield 1


class InfoTest(unittest.TestCase):
    def test_info_is_the_camel_case_tool_info(self):
        @tool
        def f(text: str) -> str:
            """Does f."""
            return text

        self.assertEqual(f.info, {
            "name": "f",
            "description": "Does f.",
            "parameters": f.parameters,
            "result": {"type": "string"},
            "streaming": False,
            "language": "python",
            "returnsPayload": False,
        })


class ResultTest(unittest.TestCase):
    def test_result_holds_value_and_payload(self):
        r = Result({"a": 1}, payload=b"xy")
        self.assertEqual((r.value, r.payload), ({"a": 1}, b"xy"))
        self.assertEqual(r, Result({"a": 1}, payload=bytearray(b"xy")))
        with self.assertRaises(TypeError):
            Result(1, payload="text")


if __name__ == "__main__":
    unittest.main()
