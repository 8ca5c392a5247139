"""The object bridge on standard-library classes, and what it refuses."""

import unittest

from toolbridge import InvalidArguments, PermissionDenied, ResourceExhausted, ToolNotFound
from toolbridge._object_bridge import ObjectBridge
from toolbridge._object_policy import ObjectPolicy
from toolbridge._object_store import MAX_REPR, ObjectStore

ALLOWED = ("fractions", "collections", "decimal")


class BridgeCase(unittest.TestCase):
    def setUp(self):
        self.bridge = ObjectBridge(ObjectPolicy(ALLOWED))

    def op(self, op, session="s1", **fields):
        return self.bridge.handle({"op": op, "session": session, **fields})

    def create(self, class_path, *args, session="s1", **kwargs):
        return self.op("create", session=session, class_path=class_path, args=list(args), kwargs=kwargs)["object"]

    def call(self, handle, method, *args, session="s1", **kwargs):
        return self.op("call", session=session, handle=handle, method=method, args=list(args), kwargs=kwargs)["result"]


class FractionTest(BridgeCase):
    def test_create_returns_a_reference(self):
        ref = self.create("fractions.Fraction", 1, 3)
        self.assertEqual((ref["class_path"], ref["repr"]), ("fractions.Fraction", "Fraction(1, 3)"))
        self.assertTrue(ref["handle"].startswith("obj-"))

    def test_json_results_come_back_as_json_and_others_as_new_objects(self):
        handle = self.create("fractions.Fraction", 3, 9)["handle"]
        self.assertEqual(self.call(handle, "as_integer_ratio"), {"value": [1, 3]})
        limited = self.call(self.create("fractions.Fraction", "3.14159")["handle"], "limit_denominator", 10)
        self.assertEqual((limited["object"]["class_path"], limited["object"]["repr"]),
                         ("fractions.Fraction", "Fraction(22, 7)"))
        self.assertEqual(len(self.op("list")["objects"]), 3)

    def test_get_shows_public_state(self):
        handle = self.create("fractions.Fraction", 2, 4)["handle"]
        got = self.op("get", handle=handle)
        self.assertEqual(got["object"]["repr"], "Fraction(1, 2)")
        self.assertEqual((got["state"]["numerator"], got["state"]["denominator"]), (1, 2))
        self.assertFalse(any(name.startswith("_") for name in got["state"]))

    def test_keyword_arguments(self):
        self.assertEqual(self.create("fractions.Fraction", numerator=6, denominator=4)["repr"], "Fraction(3, 2)")

    def test_arguments_that_do_not_fit_the_signature_are_invalid(self):
        with self.assertRaisesRegex(InvalidArguments, r"fractions.Fraction\(...\): too many positional arguments"):
            self.create("fractions.Fraction", 1, 2, 3)

    def test_what_the_class_raises_is_raised(self):
        with self.assertRaisesRegex(ValueError, "Invalid literal for Fraction"):
            self.create("fractions.Fraction", "not a number")


class CounterAndDecimalTest(BridgeCase):
    def test_counter(self):
        handle = self.create("collections.Counter", "hello")["handle"]
        self.assertEqual(self.call(handle, "most_common", 1), {"value": [["l", 2]]})
        self.assertEqual(self.call(handle, "total"), {"value": 5})
        self.assertEqual(self.op("get", handle=handle)["state"]["items"], {"h": 1, "e": 1, "l": 2, "o": 1})

    def test_decimal_with_a_handle_argument(self):
        a = self.create("decimal.Decimal", "1.10")["handle"]
        b = self.create("decimal.Decimal", "2.5")["handle"]
        result = self.call(a, "max", {"$handle": b})
        self.assertEqual((result["object"]["class_path"], result["object"]["repr"]), ("decimal.Decimal", "Decimal('2.5')"))
        self.assertEqual(self.call(a, "as_tuple"), {"value": [0, [1, 1, 0], -2]})

    def test_nested_non_json_parts_become_objects(self):
        half = self.create("fractions.Fraction", 1, 2)["handle"]
        ordered = self.create("collections.OrderedDict", a={"$handle": half})["handle"]
        key, nested = self.call(ordered, "popitem")["value"]
        self.assertEqual(key, "a")
        self.assertEqual((nested["$object"]["class_path"], nested["$object"]["repr"]),
                         ("fractions.Fraction", "Fraction(1, 2)"))
        self.assertEqual(self.call(nested["$object"]["handle"], "as_integer_ratio"), {"value": [1, 2]})

    def test_long_reprs_are_shortened(self):
        ref = self.create("collections.UserString", "x" * 1000)
        self.assertEqual(len(ref["repr"]), MAX_REPR)
        self.assertTrue(ref["repr"].endswith("…"))


class RefusalTest(BridgeCase):
    def test_a_module_outside_the_prefixes_is_denied_with_the_setting_to_change(self):
        for class_path in ("os.PathLike", "subprocess.Popen", "fractionsx.Fraction"):
            with self.subTest(class_path=class_path):
                with self.assertRaises(PermissionDenied) as caught:
                    self.create(class_path)
                self.assertIn("TOOLBRIDGE_OBJECT_MODULES", str(caught.exception))
                self.assertIn("fractions, collections, decimal", str(caught.exception))

    def test_nothing_is_allowed_by_default(self):
        bridge = ObjectBridge(ObjectPolicy(()))
        with self.assertRaisesRegex(PermissionDenied, "allows no modules; set TOOLBRIDGE_OBJECT_MODULES"):
            bridge.handle({"op": "create", "session": "s1", "class_path": "fractions.Fraction"})
        with self.assertRaises(PermissionDenied):
            bridge.handle({"op": "discover", "module": "fractions"})

    def test_private_and_dunder_names_are_denied(self):
        handle = self.create("fractions.Fraction", 1, 3)["handle"]
        for method in ("_normalize", "__class__", "__reduce__"):
            with self.subTest(method=method):
                with self.assertRaisesRegex(PermissionDenied, f"method '{method}' is private"):
                    self.call(handle, method)
        with self.assertRaisesRegex(PermissionDenied, "'_pydecimal' in class path"):
            self.create("decimal._pydecimal.Decimal")
        with self.assertRaisesRegex(PermissionDenied, "keyword argument '_normalize' is private"):
            self.create("fractions.Fraction", 1, 3, _normalize=False)

    def test_objects_of_classes_outside_the_prefixes_stay_inert(self):
        handle = self.create("collections.Counter", "ab")["handle"]
        keys = self.call(handle, "keys")["object"]  # a builtins.dict_keys, not JSON
        self.assertEqual(keys["class_path"], "builtins.dict_keys")
        with self.assertRaisesRegex(PermissionDenied, "objects of class builtins.dict_keys"):
            self.call(keys["handle"], "isdisjoint", [])

    def test_a_function_is_not_a_class(self):
        with self.assertRaisesRegex(InvalidArguments, "'decimal.getcontext' is not a class"):
            self.create("decimal.getcontext")

    def test_missing_names_are_not_found(self):
        with self.assertRaisesRegex(ToolNotFound, "has no public name 'Nope'"):
            self.create("fractions.Nope")
        handle = self.create("fractions.Fraction")["handle"]
        with self.assertRaisesRegex(ToolNotFound, "has no method 'nope'"):
            self.call(handle, "nope")
        with self.assertRaisesRegex(InvalidArguments, "is not a method; read it with get"):
            self.call(handle, "numerator")


class SessionTest(BridgeCase):
    def test_handles_belong_to_their_session(self):
        handle = self.create("fractions.Fraction", 1, 2)["handle"]
        with self.assertRaisesRegex(ToolNotFound, "session 's2' has no object"):
            self.call(handle, "as_integer_ratio", session="s2")
        with self.assertRaises(ToolNotFound):
            self.create("decimal.Decimal", {"$handle": handle}, session="s2")

    def test_delete_list_and_release(self):
        a = self.create("fractions.Fraction", 1)["handle"]
        self.create("fractions.Fraction", 2)
        self.assertEqual(self.op("delete", handle=a), {"deleted": True})
        self.assertEqual(self.op("delete", handle=a), {"deleted": False})
        self.assertEqual([o["repr"] for o in self.op("list")["objects"]], ["Fraction(2, 1)"])
        self.assertEqual(self.op("release"), {"objects_released": 1})
        self.assertEqual(self.op("list"), {"objects": []})
        self.assertEqual(self.op("release"), {"objects_released": 0})

    def test_a_session_is_required(self):
        with self.assertRaisesRegex(InvalidArguments, "need a session"):
            self.op("list", session="")

    def test_objects_per_session_are_bounded(self):
        bridge = ObjectBridge(ObjectPolicy(ALLOWED), ObjectStore(max_per_session=2))
        for _ in range(2):
            bridge.handle({"op": "create", "session": "s1", "class_path": "fractions.Fraction"})
        with self.assertRaisesRegex(ResourceExhausted, "holds 2 objects already"):
            bridge.handle({"op": "create", "session": "s1", "class_path": "fractions.Fraction"})
        bridge.handle({"op": "create", "session": "s2", "class_path": "fractions.Fraction"})  # others unaffected

    def test_unknown_operation(self):
        with self.assertRaisesRegex(InvalidArguments, "unknown object operation 'explode'"):
            self.op("explode")


class DiscoverTest(BridgeCase):
    def test_describes_classes_methods_signatures_and_docs(self):
        module = self.bridge.handle({"op": "discover", "module": "fractions"})["module"]
        self.assertEqual(module["name"], "fractions")
        self.assertIn("rational", module["doc"].lower())
        [fraction] = module["classes"]
        self.assertEqual(fraction["name"], "Fraction")
        self.assertEqual(fraction["init"]["signature"], "(numerator=0, denominator=None)")
        methods = {m["name"]: m for m in fraction["methods"]}
        self.assertEqual(methods["limit_denominator"]["signature"], "(max_denominator=1000000)")
        self.assertIn("Closest Fraction", methods["limit_denominator"]["doc"])
        self.assertEqual(methods["limit_denominator"]["parameters"]["type"], "object")

    def test_functions_and_caching(self):
        first = self.bridge.handle({"op": "discover", "module": "collections"})
        self.assertIn("namedtuple", [f["name"] for f in first["module"]["functions"]])
        self.assertIs(self.bridge.handle({"op": "discover", "module": "collections"})["module"], first["module"])

    def test_denied_and_missing_modules(self):
        with self.assertRaises(PermissionDenied):
            self.bridge.handle({"op": "discover", "module": "os"})
        bridge = ObjectBridge(ObjectPolicy(("nosuchpackage",)))
        with self.assertRaisesRegex(ToolNotFound, "cannot import module 'nosuchpackage'"):
            bridge.handle({"op": "discover", "module": "nosuchpackage"})


if __name__ == "__main__":
    unittest.main()
