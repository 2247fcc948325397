"""One bound for the tests that prove a call gives up at its deadline instead
of waiting for a server that never finishes (a minute, or 80 s of dripping).

The bound is the deadline plus GENEROUS seconds: far more than a busy machine
adds, far less than the wait it guards against. These tests also assert what
came of the call (the error, its message); the clock only tells "stopped at
its deadline" from "waited for the server"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

GENEROUS = 5.0


@contextmanager
def ends_within(deadline: float) -> Iterator[None]:
    """The block must end within `deadline` seconds, plus GENEROUS."""
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < deadline + GENEROUS, f"took {took:.1f} s, deadline {deadline} s"
