"""Python's cyclic garbage collector, held back while a view builds a big
builder page.

A 1,000-rule builder makes about a million objects (3,000 forms, their
fields, widgets and bound fields), all alive until the page is written.
The collector's full passes run again and again as they pile up, each one
reading every one of them, so validating and rendering grew faster than the
segment: 0.4 s of a 1,000-rule preview went to passes that found nothing to
free. Held back, the garbage is collected once, after the view.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_held_back() -> Iterator[None]:
    """No automatic collection inside (threads share the collector: it runs
    again when the last of them leaves)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()


def collector_held_back_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view, run with the collector held back for a POST (a builder or a
    payload of any size: the forms it builds are as big as the segment). A
    GET shows a fresh builder, too small to be worth it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        with collector_held_back():
            return view(request, *args, **kwargs)

    return wrapped
