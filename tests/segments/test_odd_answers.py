"""Answers from Altcraft that a database cannot store as they are (ids out of
range, NUL bytes, lone surrogates, an error code past 32 bits): each becomes
a clear status and message, never a 500, and no row stays "sending"."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from segbuilder.segments.models import Submission
from tests.formdata import builder_data

pytestmark = pytest.mark.django_db


class OddAltcraft(ThreadingHTTPServer):
    """Answers every request with `body` (JSON)."""

    daemon_threads = True
    body = b""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v1.1/"


class _Handler(BaseHTTPRequestHandler):
    server: OddAltcraft

    def do_POST(self) -> None:  # the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def answering(settings) -> Iterator[Callable[[str], None]]:
    server = OddAltcraft(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    settings.ALTCRAFT_API_URL = server.url
    settings.ALTCRAFT_TIMEOUT = 5.0

    def answer(text: str) -> None:
        server.body = text.encode("utf-8", "surrogatepass")

    yield answer
    server.shutdown()
    server.server_close()


def send(client) -> tuple[int, Submission]:
    data = builder_data(name="Odd answer", kind="static", list_id=1, action="send")
    response = client.post(reverse("builder"), data)
    return response.status_code, Submission.objects.get()


@pytest.mark.parametrize("saved_id", [2**63, 2**64, -1, 0, "10" * 30])
def test_a_saved_id_no_segment_can_have_is_outcome_unknown_with_a_message(
        editor, answering, saved_id):
    answering(json.dumps({"data": {"saved_id": saved_id}, "error": 0,
                          "error_text": "Successful operation"}))
    status, submission = send(editor)
    assert status == 200
    assert submission.status == Submission.Status.UNKNOWN
    assert submission.altcraft_id is None
    assert "probably created" in submission.error_text


def test_a_saved_id_of_thousands_of_digits_is_outcome_unknown(editor, answering):
    answering('{"data": {"saved_id": ' + "7" * 5000 + '}, "error": 0, "error_text": "ok"}')
    status, submission = send(editor)
    assert (status, submission.status) == (200, Submission.Status.UNKNOWN)


@pytest.mark.parametrize("text", ["bad\\u0000list", "bad\\ud800list"])
def test_an_error_text_a_database_refuses_is_stored_readably(editor, answering, text):
    answering('{"error": 400, "error_text": "' + text + '"}')
    status, submission = send(editor)
    assert status == 200
    assert submission.status == Submission.Status.REJECTED
    assert submission.error_text == "bad\ufffdlist"
    assert "\x00" not in submission.answer


def test_a_nul_in_a_successful_answer_is_stored_readably(editor, answering):
    answering('{"data": {"saved_id": 42, "note": "a\\u0000b"}, "error": 0, "error_text": "ok"}')
    status, submission = send(editor)
    assert (status, submission.status, submission.altcraft_id) == (302, "created", 42)
    assert "\x00" not in submission.answer


def test_an_error_code_past_32_bits_is_kept_as_text(editor, answering):
    answering(json.dumps({"error": 2**40, "error_text": "Strange"}))
    status, submission = send(editor)
    assert (status, submission.status, submission.error_code) == (200, "rejected", None)
    assert submission.error_text == "Strange"


def test_an_answer_the_database_still_refuses_leaves_a_status_not_sending(
        editor, answering, monkeypatch):
    from django.db import DatabaseError

    answering(json.dumps({"data": {"saved_id": 42}, "error": 0, "error_text": "ok"}))
    original_save, refused = Submission.save, []

    def save(self, *args, **kwargs):
        if self.answer and not refused:  # the first save of Altcraft's answer
            refused.append(self.pk)
            raise DatabaseError("refused")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Submission, "save", save)
    status, submission = send(editor)
    assert refused and status == 200
    assert submission.status == Submission.Status.UNKNOWN
    assert "could not be stored" in submission.error_text and submission.answer == ""
