"""The collector is held back while a POST builds a builder page, and only
then: nested and concurrent holds end when the last one does."""

from __future__ import annotations

import gc
import threading

from django.test import RequestFactory

from segbuilder.segments.collector import collector_held_back, collector_held_back_in


def test_the_collector_runs_again_when_the_last_hold_ends():
    assert gc.isenabled()
    with collector_held_back():
        with collector_held_back():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_hold_in_another_thread_keeps_it_held_until_that_one_ends():
    inside, leave = threading.Event(), threading.Event()

    def hold():
        with collector_held_back():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    inside.wait(10)
    with collector_held_back():
        pass
    assert not gc.isenabled()
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with collector_held_back():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_only_posts_are_run_with_the_collector_held_back():
    seen = []

    @collector_held_back_in
    def view(request):
        seen.append(gc.isenabled())
        return "page"

    factory = RequestFactory()
    assert view(factory.get("/")) == "page" and view(factory.post("/", {"a": 1})) == "page"
    assert seen == [True, False] and gc.isenabled()


def test_an_error_in_the_view_ends_the_hold():
    @collector_held_back_in
    def view(request):
        raise ValueError("broken")

    try:
        view(RequestFactory().post("/"))
    except ValueError:
        pass
    assert gc.isenabled()
