"""The object bridge through a real worker's object frames."""

import unittest

from tests.worker_process import WorkerProcess


class ObjectFramesCase(unittest.TestCase):
    env = {"TOOLBRIDGE_OBJECT_MODULES": "fractions, collections,decimal"}

    @classmethod
    def setUpClass(cls):
        cls.worker = WorkerProcess("examples", env=cls.env)
        try:
            cls.worker.ready()
        except BaseException:
            cls.worker.stop()
            raise
        cls.next_id = 10_000

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop()

    def op(self, op, **fields):
        type(self).next_id += 1
        call_id = self.next_id
        self.worker.send({"t": "object", "id": call_id, "op": op, **fields})
        header, _ = self.worker.end(call_id)
        return header


class WorkerObjectTest(ObjectFramesCase):
    def test_create_call_get_list_delete_release(self):
        created = self.op("create", session="s1", class_path="fractions.Fraction", args=[1, 3], kwargs={})
        self.assertEqual(created["t"], "result")
        ref = created["value"]["object"]
        self.assertEqual((ref["class_path"], ref["repr"]), ("fractions.Fraction", "Fraction(1, 3)"))
        called = self.op("call", session="s1", handle=ref["handle"], method="as_integer_ratio", args=[], kwargs={})
        self.assertEqual(called["value"], {"result": {"value": [1, 3]}})
        got = self.op("get", session="s1", handle=ref["handle"])
        self.assertEqual(got["value"]["state"]["denominator"], 3)
        counter = self.op("create", session="s1", class_path="collections.Counter", args=["abca"])["value"]["object"]
        self.assertEqual(self.op("call", session="s1", handle=counter["handle"], method="most_common", args=[1])["value"],
                         {"result": {"value": [["a", 2]]}})
        listed = self.op("list", session="s1")["value"]["objects"]
        self.assertEqual({o["class_path"] for o in listed}, {"fractions.Fraction", "collections.Counter"})
        self.assertEqual(self.op("delete", session="s1", handle=ref["handle"])["value"], {"deleted": True})
        self.assertEqual(self.op("release", session="s1")["value"], {"objects_released": 1})

    def test_decimal_result_is_a_new_object(self):
        a = self.op("create", session="s2", class_path="decimal.Decimal", args=["2"])["value"]["object"]
        root = self.op("call", session="s2", handle=a["handle"], method="sqrt")["value"]["result"]["object"]
        self.assertEqual(root["class_path"], "decimal.Decimal")
        self.assertTrue(root["repr"].startswith("Decimal('1.41421356"))

    def test_a_denied_module(self):
        error = self.op("create", session="s1", class_path="os.PathLike")
        self.assertEqual((error["t"], error["code"]), ("error", "permission_denied"))
        self.assertIn("TOOLBRIDGE_OBJECT_MODULES", error["message"])

    def test_an_exception_in_the_class_is_internal_with_its_traceback(self):
        error = self.op("create", session="s1", class_path="fractions.Fraction", args=["nope"])
        self.assertEqual((error["code"], error["type"]), ("internal", "ValueError"))
        self.assertIn("fractions.py", error["traceback"])

    def test_discover(self):
        module = self.op("discover", module="decimal")["value"]["module"]
        self.assertIn("Decimal", [c["name"] for c in module["classes"]])

    def test_tools_keep_working_beside_objects(self):
        self.assertEqual(self.worker.result("reverse_text", {"text": "ab"})[0]["value"], {"result": "ba"})


class DefaultDeniesEverythingTest(ObjectFramesCase):
    env = {}

    def test_without_configuration_nothing_is_reachable(self):
        error = self.op("create", session="s1", class_path="fractions.Fraction")
        self.assertEqual(error["code"], "permission_denied")
        self.assertIn("allows no modules", error["message"])


if __name__ == "__main__":
    unittest.main()
