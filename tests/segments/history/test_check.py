"""Outcome unknown, resolved: "Check in Altcraft" settles the history entry by
the segment's name and rules, within one deadline, only for those who may
send, and never while the send may still be running."""

from __future__ import annotations

import datetime
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from segbuilder.altcraft.sandbox import SandboxServer
from segbuilder.segments.history import check as check_module
from segbuilder.segments.history.check import StillSending, submission_check
from segbuilder.segments.history.views import builder_from_url
from segbuilder.segments.models import Submission
from tests.examples import example_payload

pytestmark = pytest.mark.django_db

DYNAMIC = example_payload("dynamic", "json")


def unknown(author, name: str = "Maybe created", payload: dict | None = None,
            **fields) -> Submission:
    payload = payload if payload is not None else {**DYNAMIC, "name": name}
    fields = {"status": "unknown", **fields}
    return Submission.objects.create(author=author, name=name, kind="dynamic", format="json",
                                     payload=payload, **fields)


def check(client, submission):
    response = client.post(reverse("submission_check", args=[submission.pk]))
    assert response.status_code == 302
    submission.refresh_from_db()
    return client.get(response.url).content.decode()


def made_in_altcraft(sandbox: SandboxServer, segment_id: int, payload: dict) -> None:
    """A segment as if made in Altcraft's own editor (or by a lost send)."""
    sandbox.segments[segment_id] = {"id": segment_id, "name": payload["name"],
                                    "kind": "dynamic", "count": 7, "payload": payload}


def test_a_segment_with_the_name_and_the_same_rules_settles_the_entry_as_created(
        editor, user, sandbox_settings):
    made_in_altcraft(sandbox_settings, 901, {**DYNAMIC, "name": "Maybe created"})
    submission = unknown(user)
    page = check(editor, submission)
    assert (submission.status, submission.altcraft_id) == ("created", 901)
    assert "created as id 901 (same rules)" in submission.error_text
    assert "Altcraft created segment <strong>901</strong>" in page


def test_a_segment_with_the_name_but_other_rules_means_not_created(
        editor, user, sandbox_settings):
    other = example_payload("dynamic", "json")
    other["segment"][0]["limit"] = 12345
    made_in_altcraft(sandbox_settings, 902, {**other, "name": "Maybe created"})
    submission = unknown(user)
    page = check(editor, submission)
    assert (submission.status, submission.altcraft_id) == ("not_created", None)
    assert "a segment with this name exists (id 902) but its rules differ" in page


def test_no_segment_of_that_name_settles_it_as_not_created_and_offers_to_send_again(
        editor, user, sandbox_settings):
    submission = unknown(user)
    page = check(editor, submission)
    assert submission.status == "not_created" and submission.altcraft_id is None
    assert "not found, so it was not created" in submission.error_text
    assert builder_from_url(submission.pk) in page


def test_an_id_another_row_holds_still_counts_after_altcraft_handed_it_out_again(
        editor, user, sandbox_settings):
    """A sandbox restart or another Altcraft account hands out ids again: the
    row that holds 903 is another segment, and must not hide this one."""
    Submission.objects.create(author=user, name="Something else", kind="static",
                              format="json", payload={}, status="created", altcraft_id=903)
    made_in_altcraft(sandbox_settings, 903, {**DYNAMIC, "name": "Maybe created"})
    submission = unknown(user)
    check(editor, submission)
    assert (submission.status, submission.altcraft_id) == ("created", 903)


def test_of_two_alike_segments_each_unknown_entry_takes_its_own(editor, user, sandbox_settings):
    for segment_id in (910, 911):
        made_in_altcraft(sandbox_settings, segment_id, {**DYNAMIC, "name": "Twice"})
    first, second = unknown(user, name="Twice"), unknown(user, name="Twice")
    check(editor, first)
    check(editor, second)
    assert {first.altcraft_id, second.altcraft_id} == {910, 911}


def test_a_send_that_may_still_be_running_is_not_checked(editor, user, sandbox_settings):
    made_in_altcraft(sandbox_settings, 904, {**DYNAMIC, "name": "Maybe created"})
    submission = unknown(user, status="sending")
    page = check(editor, submission)
    assert (submission.status, submission.altcraft_id) == ("sending", None)
    assert "may still be on its way to Altcraft" in page
    assert sandbox_settings.received == []


def test_a_send_long_over_is_checked_with_an_injected_clock(user, sandbox_settings):
    made_in_altcraft(sandbox_settings, 905, {**DYNAMIC, "name": "Maybe created"})
    submission = unknown(user, status="sending")
    with pytest.raises(StillSending):
        submission_check(submission=submission)
    later = submission.created_at + check_module.SEND_MAY_RUN + datetime.timedelta(seconds=1)
    submission_check(submission=submission, now=later)
    assert (submission.status, submission.altcraft_id) == ("created", 905)


@pytest.mark.parametrize("who", ["viewer", "nobody"])
def test_those_who_may_not_send_may_not_check_and_nothing_changes(
        client, viewer, user, sandbox_settings, django_user_model, who):
    if who == "nobody":
        client.force_login(django_user_model.objects.create_user("nils", password="pw-9"))
    made_in_altcraft(sandbox_settings, 906, {**DYNAMIC, "name": "Maybe created"})
    submission = unknown(user)
    response = client.post(reverse("submission_check", args=[submission.pk]))
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == "unknown" and sandbox_settings.received == []
    page = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert "Check in Altcraft" not in page


class EndlessSlowList(ThreadingHTTPServer):
    """segments/list answers every page slowly, always with a next page."""

    daemon_threads = True
    pages = 0


class _SlowPage(BaseHTTPRequestHandler):
    server: EndlessSlowList

    def do_POST(self) -> None:  # the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.pages += 1
        time.sleep(0.3)
        page = self.server.pages
        body = (f'{{"data": [{{"id": {page}, "name": "x"}}], "next_from_id": {page + 1}, '
                '"total_count": 999999, "error": 0}').encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_the_check_gives_up_at_its_one_deadline_against_an_endless_slow_list(
        editor, user, settings, monkeypatch):
    server = EndlessSlowList(("127.0.0.1", 0), _SlowPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ALTCRAFT_API_URL = f"http://127.0.0.1:{server.server_address[1]}/api/v1.1/"
    settings.ALTCRAFT_TIMEOUT = 5.0
    monkeypatch.setattr(check_module, "CHECK_SECONDS", 1.0)
    submission = unknown(user)
    try:
        started = time.monotonic()
        page = check(editor, submission)
        assert time.monotonic() - started < 1.0 + 5  # generous: the list never ends
    finally:
        server.shutdown()
        server.server_close()
    assert submission.status == "unknown"
    assert "Altcraft could not be asked, so nothing changed" in page
    assert server.pages <= 5


def test_when_altcraft_cannot_be_asked_nothing_changes(editor, user, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.ALTCRAFT_API_URL = f"http://127.0.0.1:{port}/api/v1.1/"
    submission = unknown(user)
    page = check(editor, submission)
    assert submission.status == "unknown"
    assert "Altcraft could not be asked, so nothing changed" in page


def test_a_settled_entry_is_left_alone(editor, user, sandbox_settings):
    submission = Submission.objects.create(
        author=user, name="Done", kind="static", format="json", payload={}, status="created",
        altcraft_id=5)
    check(editor, submission)
    assert (submission.status, submission.altcraft_id) == ("created", 5)
    assert sandbox_settings.received == []


def test_check_needs_a_post(editor, user):
    submission = unknown(user)
    assert editor.get(reverse("submission_check", args=[submission.pk])).status_code == 405


def test_an_entry_checked_long_after_is_dated_by_the_check(user, sandbox_settings):
    submission = unknown(user)
    when = timezone.now().replace(year=2030, month=5, day=6, hour=7, minute=8)
    submission_check(submission=submission, now=when)
    assert "Checked in Altcraft on 2030-05-06 07:08 UTC" in submission.error_text
