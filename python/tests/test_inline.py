"""The inline guard: a reader stuck in a long inline call is replaced."""

import threading
import unittest

from toolbridge._inline import InlineGuard

WAIT = 10.0


class InlineGuardTest(unittest.TestCase):
    def test_a_long_inline_call_promotes_a_new_reader(self):
        promoted = threading.Event()
        guard = InlineGuard(promoted.set, tick=0.001)
        generation = guard.begin()
        self.assertTrue(promoted.wait(WAIT))  # the "call" never ends until we say so
        self.assertFalse(guard.end(generation))  # the old reader must stop reading

    def test_the_new_reader_keeps_its_role(self):
        promotions = []
        promoted = threading.Event()
        guard = InlineGuard(lambda: (promotions.append(1), promoted.set()), tick=0.001)
        old = guard.begin()
        self.assertTrue(promoted.wait(WAIT))
        new = guard.begin()  # the promoted reader runs a short call
        self.assertTrue(guard.end(new))
        self.assertFalse(guard.end(old))
        self.assertEqual(promotions, [1])

    def test_short_inline_calls_keep_the_reader(self):
        promoted = threading.Event()
        guard = InlineGuard(promoted.set, tick=1.0)
        for _ in range(1000):
            self.assertTrue(guard.end(guard.begin()))
        self.assertFalse(promoted.is_set())


if __name__ == "__main__":
    unittest.main()
