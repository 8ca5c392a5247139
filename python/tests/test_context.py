"""The context a tool receives: ids, deadline, cancellation, progress."""

import threading
import time
import unittest

from toolbridge import AsyncContext, Cancelled, Context, DeadlineExceeded
from toolbridge._callbacks import CallbackChannel
from toolbridge._deadlines import DeadlineWatch

WAIT = 10.0


class Recorder:
    """Stands in for the frame writer: keeps what would have been sent."""

    def __init__(self):
        self.frames = []

    def __call__(self, header, body=b""):
        self.frames.append((header, body))


def make(cls=Context, deadline=None, call_id=5):
    sent = Recorder()
    ctx = cls(call_id, CallbackChannel(sent), session_id="s1", request_id="r1", deadline=deadline)
    return ctx, sent


class ContextStateTest(unittest.TestCase):
    def test_ids_and_repr(self):
        ctx, _ = make()
        self.assertEqual((ctx.session_id, ctx.request_id), ("s1", "r1"))
        self.assertIn("session='s1'", repr(ctx))

    def test_no_deadline_means_no_time_limit(self):
        ctx, _ = make()
        self.assertIsNone(ctx.deadline)
        self.assertIsNone(ctx.time_remaining())

    def test_time_remaining_counts_down_to_zero(self):
        ctx, _ = make(deadline=time.monotonic() + 60)
        self.assertTrue(59 < ctx.time_remaining() <= 60)
        past, _ = make(deadline=time.monotonic() - 1)
        self.assertEqual(past.time_remaining(), 0.0)

    def test_cancel_sets_cancelled_and_check_raises_cancelled(self):
        ctx, _ = make()
        self.assertFalse(ctx.cancelled)
        ctx.check_cancelled()
        self.assertTrue(ctx._cancel("canceled"))
        self.assertTrue(ctx.cancelled)
        with self.assertRaises(Cancelled) as caught:
            ctx.check_cancelled()
        self.assertEqual(caught.exception.code, "canceled")

    def test_deadline_reason_raises_deadline_exceeded_and_first_reason_wins(self):
        ctx, _ = make()
        ctx._cancel("deadline_exceeded")
        self.assertFalse(ctx._cancel("canceled"))
        with self.assertRaises(DeadlineExceeded):
            ctx.check_cancelled()

    def test_cancel_runs_the_interrupt_hook_once(self):
        ctx, _ = make(AsyncContext)
        calls = []
        ctx._on_cancel = lambda: calls.append(1)
        ctx._cancel("canceled")
        ctx._cancel("canceled")
        self.assertEqual(calls, [1])


class ProgressTest(unittest.TestCase):
    def test_progress_sends_a_progress_frame_for_the_call(self):
        ctx, sent = make(call_id=9)
        ctx.progress(0.25, "a quarter")
        ctx.progress(1)
        self.assertEqual(sent.frames, [
            ({"t": "progress", "id": 9, "fraction": 0.25, "message": "a quarter"}, b""),
            ({"t": "progress", "id": 9, "fraction": 1.0, "message": ""}, b""),
        ])

    def test_fraction_outside_zero_to_one_is_refused(self):
        ctx, sent = make()
        for bad in (-0.1, 1.5, float("nan")):
            with self.subTest(fraction=bad):
                with self.assertRaises(ValueError):
                    ctx.progress(bad)
        self.assertEqual(sent.frames, [])


class DeadlineWatchTest(unittest.TestCase):
    def test_cancels_calls_whose_deadline_passed_and_leaves_the_others(self):
        calls = {}
        watch = DeadlineWatch(calls)
        soon, _ = make(deadline=time.monotonic() + 0.02, call_id=1)
        later, _ = make(deadline=time.monotonic() + 60, call_id=2)
        fired = threading.Event()
        soon._on_cancel = fired.set
        calls[2] = later
        watch.watch(later)
        calls[1] = soon
        watch.watch(soon)  # earlier than what the watch sleeps towards: it must wake up
        self.assertTrue(fired.wait(WAIT))
        self.assertTrue(soon.cancelled)
        with self.assertRaises(DeadlineExceeded):
            soon.check_cancelled()
        self.assertFalse(later.cancelled)

    def test_a_call_added_while_the_watch_scans_is_not_missed(self):
        scanning, resume = threading.Event(), threading.Event()

        class SlowCalls(dict):
            """Holds the watch inside its scan until the test lets it go."""

            def values(self):
                snapshot = list(super().values())
                if not scanning.is_set():
                    scanning.set()
                    resume.wait(WAIT)
                return snapshot

        calls = SlowCalls()
        watch = DeadlineWatch(calls)
        first, _ = make(deadline=time.monotonic() + 60, call_id=1)
        calls[1] = first
        watch.watch(first)
        self.assertTrue(scanning.wait(WAIT))  # the watch thread is now inside its first scan
        late, _ = make(deadline=time.monotonic() + 0.02, call_id=2)
        fired = threading.Event()
        late._on_cancel = fired.set
        calls[2] = late
        watcher = threading.Thread(target=watch.watch, args=(late,))
        watcher.start()
        resume.set()
        watcher.join(WAIT)
        self.assertTrue(fired.wait(WAIT))
        self.assertFalse(first.cancelled)

    def test_calls_without_deadline_are_never_cancelled(self):
        calls = {}
        watch = DeadlineWatch(calls)
        ctx, _ = make(call_id=1)
        calls[1] = ctx
        watch.watch(ctx)
        self.assertFalse(ctx.cancelled)


if __name__ == "__main__":
    unittest.main()
