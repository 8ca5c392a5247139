"""JSON Schema derived from type hints."""

import typing
import unittest
from typing import Annotated, Any, Dict, List, Literal, Optional, Union

from toolbridge import ToolDefinitionError
from toolbridge._schema import schema_for_hint


def schema(hint):
    return schema_for_hint(hint, "tool 't', parameter 'p'")


class ScalarHintsTest(unittest.TestCase):
    def test_scalars_map_to_json_types(self):
        self.assertEqual(schema(str), {"type": "string"})
        self.assertEqual(schema(int), {"type": "integer"})
        self.assertEqual(schema(float), {"type": "number"})
        self.assertEqual(schema(bool), {"type": "boolean"})
        self.assertEqual(schema(None), {"type": "null"})
        self.assertEqual(schema(type(None)), {"type": "null"})

    def test_any_accepts_everything(self):
        self.assertEqual(schema(Any), {})


class ContainerHintsTest(unittest.TestCase):
    def test_bare_list_and_dict(self):
        self.assertEqual(schema(list), {"type": "array"})
        self.assertEqual(schema(List), {"type": "array"})
        self.assertEqual(schema(dict), {"type": "object"})
        self.assertEqual(schema(Dict), {"type": "object"})

    def test_list_of_items(self):
        self.assertEqual(schema(list[int]), {"type": "array", "items": {"type": "integer"}})
        self.assertEqual(schema(List[str]), {"type": "array", "items": {"type": "string"}})
        self.assertEqual(schema(list[Any]), {"type": "array"})

    def test_dict_of_values(self):
        self.assertEqual(schema(dict[str, float]), {"type": "object", "additionalProperties": {"type": "number"}})
        self.assertEqual(schema(dict[str, Any]), {"type": "object"})

    def test_dict_with_non_string_keys_is_refused(self):
        with self.assertRaisesRegex(ToolDefinitionError, r"parameter 'p': dict keys must be str"):
            schema(dict[int, str])

    def test_nested_combinations(self):
        self.assertEqual(
            schema(list[dict[str, list[Optional[int]]]]),
            {"type": "array", "items": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"type": ["integer", "null"]}}}},
        )


class UnionHintsTest(unittest.TestCase):
    def test_optional_and_pipe_none_are_nullable(self):
        self.assertEqual(schema(Optional[str]), {"type": ["string", "null"]})
        self.assertEqual(schema(str | None), {"type": ["string", "null"]})
        self.assertEqual(schema(list[int] | None), {"type": ["array", "null"], "items": {"type": "integer"}})

    def test_union_of_several_types_is_any_of(self):
        self.assertEqual(schema(Union[int, str]), {"anyOf": [{"type": "integer"}, {"type": "string"}]})
        self.assertEqual(schema(int | str | None),
                         {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]})

    def test_optional_any_is_any(self):
        self.assertEqual(schema(Optional[Any]), {})


class LiteralHintsTest(unittest.TestCase):
    def test_literal_strings_are_an_enum(self):
        self.assertEqual(schema(Literal["a", "b"]), {"type": "string", "enum": ["a", "b"]})

    def test_literal_of_mixed_types_has_no_type(self):
        self.assertEqual(schema(Literal[1, "one", None]), {"enum": [1, "one", None]})

    def test_optional_literal(self):
        self.assertEqual(schema(Optional[Literal["x"]]),
                         {"anyOf": [{"type": "string", "enum": ["x"]}, {"type": "null"}]})

    def test_literal_of_other_values_is_refused(self):
        with self.assertRaisesRegex(ToolDefinitionError, "Literal values must be"):
            schema(Literal[1.5])


class AnnotatedHintsTest(unittest.TestCase):
    def test_a_string_annotation_becomes_the_description(self):
        self.assertEqual(schema(Annotated[str, "the text to reverse"]),
                         {"type": "string", "description": "the text to reverse"})


class UnsupportedHintsTest(unittest.TestCase):
    def test_unsupported_hint_names_tool_parameter_and_alternatives(self):
        class Opaque:
            pass

        with self.assertRaises(ToolDefinitionError) as caught:
            schema(Opaque)
        message = str(caught.exception)
        self.assertIn("tool 't', parameter 'p'", message)
        self.assertIn("Opaque", message)
        self.assertIn("supported:", message)

    def test_bytes_inside_json_is_refused(self):
        for hint in (bytes, list[bytes], dict[str, bytes], Optional[bytes]):
            with self.subTest(hint=hint):
                with self.assertRaisesRegex(ToolDefinitionError, "bytes cannot be part of a JSON value"):
                    schema(hint)

    def test_tuple_and_set_are_unsupported(self):
        for hint in (tuple, set[int], typing.Callable):
            with self.subTest(hint=hint):
                with self.assertRaises(ToolDefinitionError):
                    schema(hint)


if __name__ == "__main__":
    unittest.main()
