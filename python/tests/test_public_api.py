"""The package's public surface: complete, sorted, documented."""

import inspect
import types
import unittest

import toolbridge


class PublicApiTest(unittest.TestCase):
    def test_all_is_sorted(self):
        self.assertEqual(toolbridge.__all__, sorted(toolbridge.__all__))

    def test_every_public_name_is_exported(self):
        public = {
            name
            for name, value in vars(toolbridge).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType)
        }
        self.assertEqual(public, set(toolbridge.__all__))

    def test_every_exported_name_exists_and_is_documented(self):
        for name in toolbridge.__all__:
            value = getattr(toolbridge, name)
            self.assertTrue(inspect.getdoc(value), f"toolbridge.{name} has no docstring")

    def test_private_modules_have_docstrings(self):
        import pkgutil

        for info in pkgutil.iter_modules(toolbridge.__path__):
            module = __import__(f"toolbridge.{info.name}", fromlist=["_"])
            self.assertTrue(module.__doc__, f"toolbridge.{info.name} has no module docstring")


if __name__ == "__main__":
    unittest.main()
