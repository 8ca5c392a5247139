"""Argument validation: clear messages and JSON pointers to the offending field."""

import unittest
from typing import Any, Literal, Optional

from toolbridge import InvalidArguments, tool


@tool
def sample(text: str, items: list[int], flag: bool = False, mode: Literal["fast", "slow"] = "fast",
           ratio: float = 1.0, note: Optional[str] = None, tags: dict[str, list[str]] | None = None,
           anything: Any = None) -> None:
    """A tool with one parameter of each kind."""


@tool
def open_ended(**kwargs: int) -> None:
    """Takes any keyword arguments, all integers."""


class ValidationTest(unittest.TestCase):
    def invalid(self, args, validate=sample.validate):
        with self.assertRaises(InvalidArguments) as caught:
            validate(args)
        return caught.exception

    def test_valid_arguments_pass_through_unchanged(self):
        args = {"text": "hi", "items": [1, 2], "flag": True, "mode": "slow", "ratio": 2, "note": None,
                "tags": {"a": ["b"]}, "anything": {"x": [1]}}
        self.assertIs(sample.validate(args), args)

    def test_wrong_type_names_the_field_and_the_value(self):
        error = self.invalid({"text": 42, "items": []})
        self.assertEqual(error.field, "/text")
        self.assertEqual(str(error), "text: expected a string, got 42")
        self.assertEqual(error.code, "invalid_argument")

    def test_list_item_pointer_and_label(self):
        error = self.invalid({"text": "", "items": [1, 2, "x"]})
        self.assertEqual(error.field, "/items/2")
        self.assertEqual(str(error), 'items[2]: expected an integer, got "x"')

    def test_nested_dict_value_pointer(self):
        error = self.invalid({"text": "", "items": [], "tags": {"a": ["ok", 3]}})
        self.assertEqual(error.field, "/tags/a/1")
        self.assertEqual(str(error), "tags.a[1]: expected a string, got 3")

    def test_missing_required_argument(self):
        error = self.invalid({"items": []})
        self.assertEqual(error.field, "/text")
        self.assertEqual(str(error), "text: this argument is required")

    def test_unknown_argument_lists_the_known_ones(self):
        error = self.invalid({"text": "", "items": [], "colour": "red"})
        self.assertEqual(error.field, "/colour")
        self.assertIn("colour: unknown argument", str(error))
        self.assertIn("text, items, flag", str(error))

    def test_bool_is_not_an_integer_and_not_a_number(self):
        self.assertEqual(self.invalid({"text": "", "items": [True]}).field, "/items/0")
        self.assertEqual(str(self.invalid({"text": "", "items": [], "ratio": False})),
                         "ratio: expected a number, got false")

    def test_integer_is_not_a_boolean(self):
        self.assertEqual(str(self.invalid({"text": "", "items": [], "flag": 1})), "flag: expected a boolean, got 1")

    def test_literal_lists_the_allowed_values(self):
        error = self.invalid({"text": "", "items": [], "mode": "medium"})
        self.assertEqual(str(error), 'mode: expected one of "fast", "slow", got "medium"')

    def test_optional_accepts_null_and_names_both_types(self):
        self.assertEqual(str(self.invalid({"text": "", "items": [], "note": 5})),
                         "note: expected a string or null, got 5")

    def test_nested_error_inside_a_nullable_container_is_reported_where_it_is(self):
        error = self.invalid({"text": "", "items": [], "tags": {"a": "not a list"}})
        self.assertEqual(error.field, "/tags/a")

    def test_integral_float_is_an_integer(self):
        out = sample.validate({"text": "", "items": [1.0, 2]})
        self.assertEqual(out["items"], [1, 2])
        self.assertIs(type(out["items"][0]), int)
        self.assertEqual(self.invalid({"text": "", "items": [1.5]}).field, "/items/0")

    def test_arguments_must_be_an_object(self):
        error = self.invalid([1, 2])
        self.assertEqual(str(error), "arguments: expected an object, got [1, 2]")

    def test_long_values_are_shortened_in_messages(self):
        error = self.invalid({"text": ["x" * 500], "items": []})
        self.assertLess(len(str(error)), 120)

    def test_kwargs_schema_checks_every_extra_argument(self):
        self.assertEqual(open_ended.validate({"a": 1, "b": 2}), {"a": 1, "b": 2})
        error = self.invalid({"a": 1, "b": "two"}, open_ended.validate)
        self.assertEqual(error.field, "/b")

    def test_pointer_escapes_slash_and_tilde(self):
        error = self.invalid({"a/b~c": "x"}, open_ended.validate)
        self.assertEqual(error.field, "/a~1b~0c")


if __name__ == "__main__":
    unittest.main()
