"""Each fault of the sandbox, met by the real client over a real socket: what
the client raises, how many times it tried, and how many requests reached the
sandbox. Then the fault switches themselves: scope, thread safety, holding
connections without leaking threads, and the command line."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from segbuilder.altcraft.client import (
    AltcraftClient,
    AltcraftError,
    FailedBeforeSending,
    OutcomeUnknown,
    Rejected,
)
from segbuilder.altcraft.sandbox import (
    DOCS_TOKEN,
    ERROR_TEXTS,
    Fault,
    SandboxServer,
    fault_plan,
)
from tests.deadlines import ends_within
from tests.processes import interrupt, start_sandbox_command

ROOT = Path(__file__).resolve().parents[2]
STATIC = {"name": "Static", "is_static": True, "is_refresh_daily": False, "list_id": 1}
TIMEOUT = 0.5
UNKNOWN_FAULTS = [
    Fault.TIMEOUT,
    Fault.RESET,
    Fault.HTTP_500,
    Fault.HTTP_502,
    Fault.HTML_200,
    Fault.INVALID_JSON,
    Fault.INVALID_XML,
    Fault.XXE,
]


class CountingSession(requests.Session):
    """A real session that counts the requests it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sends = 0

    def send(self, request, **kwargs):
        self.sends += 1
        return super().send(request, **kwargs)


def client_for(server: SandboxServer, **options) -> AltcraftClient:
    options = {"timeout": TIMEOUT, "retries": 2, "backoff": 0.05, **options}
    return AltcraftClient(base_url=server.url, token=server.token, **options)


def demo_ids() -> list[int]:
    return sorted(SandboxServer().segments)


def passwd_lines() -> list[str]:
    """Lines of /etc/passwd that must never show up (a resolved entity)."""
    try:
        lines = Path("/etc/passwd").read_text().splitlines()
    except OSError:
        lines = []
    return [line for line in lines if line.strip()][:5] or ["root:x:0:0"]


def every_text(error: AltcraftError) -> list[str]:
    return [str(error), getattr(error, "answer", ""), getattr(error, "error_text", "")]


# --- refused: failed before sending, retried -------------------------------------------------


def test_a_refused_connection_fails_before_sending_after_three_attempts_with_growing_pauses(
    sandbox,
):
    sandbox.fault = Fault.REFUSE
    session = CountingSession()
    with pytest.raises(FailedBeforeSending) as caught:
        client_for(sandbox, session=session).segment_add(STATIC)

    assert session.sends == 3
    assert "connection refused" in str(caught.value)
    assert "no segment was created" in str(caught.value)
    assert "Tried 3 times" in str(caught.value)
    assert sandbox.received == []
    assert sorted(sandbox.segments) == demo_ids()


def test_the_refusing_port_really_refuses_and_listens_again_once_cleared(sandbox):
    port = int(sandbox.url.split(":")[2].split("/")[0])
    sandbox.set_fault("refuse")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()

    sandbox.clear_fault()
    answer = client_for(sandbox).segment_add(STATIC)

    assert sandbox.fault is None
    assert answer.data["saved_id"] in sandbox.segments
    assert len(sandbox.received) == 1


def test_retries_stop_when_the_total_time_has_no_room_for_another_attempt(sandbox):
    sandbox.fault = Fault.REFUSE
    session = CountingSession()
    client = client_for(sandbox, retries=5, backoff=0.3, total_timeout=1.5, session=session)
    with pytest.raises(FailedBeforeSending, match="Tried 2 times"):
        client.segment_add(STATIC)
    # 0.3 s pause, then 0.6 s would leave 0.6 s: less than connect + read (1 s).
    assert session.sends == 2


def test_a_tls_handshake_that_fails_is_named_and_not_resent(sandbox):
    # The sandbox speaks plain HTTP, so the handshake fails before the request
    # goes out; but requests reports a TLS failure the same way before and
    # after sending, so the client cannot promise that nothing was sent.
    session = CountingSession()
    url = sandbox.url.replace("http://", "https://")
    client = AltcraftClient(
        base_url=url, token=sandbox.token, timeout=TIMEOUT, backoff=0.01, session=session
    )
    with pytest.raises(OutcomeUnknown) as caught:
        client.segment_add(STATIC)
    assert "The secure connection (TLS) to Altcraft" in str(caught.value)
    assert "WRONG_VERSION_NUMBER" in str(caught.value)
    assert "check ALTCRAFT_API_URL" in str(caught.value)
    assert session.sends == 1
    assert sandbox.received == []


def test_a_tls_handshake_that_never_ends_is_stopped_by_the_timeout_and_not_resent():
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/api/v1.1/"
    client = AltcraftClient(base_url=url, token="t", timeout=0.3, retries=2)
    try:
        with pytest.raises(OutcomeUnknown, match="did not answer within 0.3 s"):
            client.segment_add(STATIC)
    finally:
        for sock in [*accepted, listener]:
            sock.close()
    assert len(accepted) == 1


# --- the request may have reached Altcraft: never resent ----------------------------------


def test_a_server_that_never_answers_leaves_the_outcome_unknown_after_one_request(sandbox):
    sandbox.fault = Fault.TIMEOUT
    session = CountingSession()
    # It would wait a minute.
    with ends_within(TIMEOUT), pytest.raises(OutcomeUnknown) as caught:
        client_for(sandbox, session=session).segment_add(STATIC)

    assert "did not answer within 0.5 s" in str(caught.value)
    assert "the segment may have been created" in str(caught.value)
    assert session.sends == 1 and len(sandbox.received) == 1
    assert sandbox.received[0].params == STATIC
    assert sorted(sandbox.segments) == demo_ids()


def test_an_answer_slower_than_the_timeout_is_unknown_though_the_segment_was_created(sandbox):
    sandbox.set_fault(Fault.SLOW, delay=2.0)
    session = CountingSession()
    with pytest.raises(OutcomeUnknown, match="did not answer within 0.5 s"):
        client_for(sandbox, session=session).segment_add(STATIC)

    assert session.sends == 1 and len(sandbox.received) == 1
    # Exactly why it must not be resent: Altcraft created it, the answer came late.
    (new_id,) = set(sandbox.segments) - set(demo_ids())
    assert sandbox.segments[new_id]["name"] == "Static"


def test_an_answer_slower_than_usual_but_within_the_timeout_is_a_success(sandbox):
    sandbox.set_fault(Fault.SLOW, delay=0.2)
    answer = client_for(sandbox).segment_add(STATIC)
    assert sandbox.received[-1].method == "segments/add"
    assert answer.data["saved_id"] in sandbox.segments


def test_an_answer_dripping_a_byte_at_a_time_is_cut_off_at_the_total_timeout(sandbox):
    # Each byte comes well within the read timeout, so only the total bound
    # stops it. The deadline is checked as the body comes in (the head, read by
    # http.client, is not cut short: see client.py); at 0.01 s a byte the head
    # is in by about the deadline, and the body would take as long again.
    sandbox.set_fault(Fault.TRICKLE, delay=0.01)
    session = CountingSession()
    client = client_for(sandbox, session=session, total_timeout=1.0)
    with ends_within(1.0), pytest.raises(OutcomeUnknown) as caught:
        client.segment_add(STATIC)

    assert "did not finish answering within 1 s" in str(caught.value)
    assert session.sends == 1 and len(sandbox.received) == 1


def test_the_default_total_timeout_keeps_a_send_inside_gunicorns_30_seconds():
    # ALTCRAFT_TIMEOUT=10 and the defaults: 2 retries of a 3.05 s connect,
    # 0.2 + 0.4 s of pauses, then a last connect and twice the read timeout,
    # which makes 29.75 s: capped at 25 s.
    client = AltcraftClient(base_url="http://127.0.0.1:1/api/v1.1/", token="t", timeout=10.0)
    assert client.total_timeout == 25.0
    small = AltcraftClient(base_url="http://127.0.0.1:1/api/v1.1/", token="t", timeout=0.5)
    assert small.total_timeout == pytest.approx(2 * 0.5 + 0.2 + 0.4 + 0.5 + 2 * 0.5)


def test_a_connection_reset_after_the_request_leaves_the_outcome_unknown(sandbox):
    sandbox.fault = Fault.RESET
    session = CountingSession()
    with pytest.raises(OutcomeUnknown, match="broke off before its answer arrived"):
        client_for(sandbox, session=session).segment_add(STATIC)
    assert session.sends == 1 and len(sandbox.received) == 1
    assert sorted(sandbox.segments) == demo_ids()


def test_the_reset_fault_sends_a_tcp_reset_not_a_polite_close(sandbox):
    sandbox.fault = Fault.RESET
    port = int(sandbox.url.split(":")[2].split("/")[0])
    body = b'{"token": "x"}'
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(
            b"POST /api/v1.1/segments/add/ HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        with pytest.raises(ConnectionResetError):
            conn.recv(1024)
    assert len(sandbox.received) == 1


@pytest.mark.parametrize(
    ("fault", "words", "page"),
    [
        (Fault.HTTP_500, "Altcraft answered HTTP 500", "Internal Server Error"),
        (Fault.HTTP_502, "Altcraft answered HTTP 502", "502 Bad Gateway"),
        (Fault.HTML_200, "it is a web page", "under maintenance"),
    ],
)
def test_an_error_page_leaves_the_outcome_unknown_after_one_request(sandbox, fault, words, page):
    sandbox.fault = fault
    session = CountingSession()
    with pytest.raises(OutcomeUnknown) as caught:
        client_for(sandbox, session=session).segment_add(STATIC)
    assert words in str(caught.value)
    assert "the segment may have been created" in str(caught.value)
    assert page in caught.value.answer
    assert session.sends == 1 and len(sandbox.received) == 1


@pytest.mark.parametrize(
    ("fault", "words"),
    [(Fault.INVALID_JSON, "its JSON is broken"), (Fault.INVALID_XML, "its XML is broken")],
)
def test_a_broken_answer_leaves_the_outcome_unknown_after_one_request(sandbox, fault, words):
    sandbox.fault = fault
    session = CountingSession()
    with pytest.raises(OutcomeUnknown) as caught:
        client_for(sandbox, session=session).segment_add(STATIC)
    assert "HTTP 200, but the answer is not a readable Altcraft answer" in str(caught.value)
    assert words in str(caught.value)
    assert session.sends == 1 and len(sandbox.received) == 1


def test_a_server_error_carrying_an_altcraft_envelope_is_still_unknown(sandbox):
    # A 5xx may strike after the segment was saved: not a plain refusal.
    sandbox.set_fault(Fault.ERROR_400, status=500)
    with pytest.raises(OutcomeUnknown, match=r"HTTP 500 \(a server error: Incorrect request\)"):
        client_for(sandbox).segment_add(STATIC)
    assert len(sandbox.received) == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_answer_with_an_external_entity_is_refused_and_no_file_is_read(sandbox, fmt):
    sandbox.fault = Fault.XXE
    session = CountingSession()
    payload = {**STATIC, "format": "xml"} if fmt == "xml" else STATIC
    with pytest.raises(OutcomeUnknown) as caught:
        client_for(sandbox, session=session).segment_add(payload, fmt=fmt)

    assert "its XML carries a DTD, which is never read" in str(caught.value)
    assert 'SYSTEM "file:///etc/passwd"' in caught.value.answer  # kept as sent, unresolved
    texts = every_text(caught.value)
    for line in passwd_lines():
        assert not [text for text in texts if line in text], line
    assert session.sends == 1 and len(sandbox.received) == 1


# --- Altcraft's error codes: rejected ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("http_status", ["the code", 200])
@pytest.mark.parametrize("code", [400, 401, 402, 403])
def test_an_error_code_is_a_rejection_with_altcraft_code_and_text(sandbox, code, http_status, fmt):
    sandbox.set_fault(f"error-{code}", status=None if http_status == "the code" else http_status)
    session = CountingSession()
    payload = {**STATIC, "format": "xml"} if fmt == "xml" else STATIC
    with pytest.raises(Rejected) as caught:
        client_for(sandbox, session=session).segment_add(payload, fmt=fmt)

    error = caught.value
    assert (error.code, error.error_text) == (code, ERROR_TEXTS[code])
    assert f"Altcraft refused the request (error {code}: {ERROR_TEXTS[code]})" in str(error)
    assert "No segment was created" in str(error)
    assert error.answer.lstrip().startswith("<?xml" if fmt == "xml" else "{")
    assert session.sends == 1 and len(sandbox.received) == 1
    assert sorted(sandbox.segments) == demo_ids()


# --- the switches ----------------------------------------------------------------------------


def test_a_fault_for_the_next_request_only_clears_itself(sandbox):
    sandbox.set_fault(Fault.ERROR_402, times=1)
    client = client_for(sandbox)
    with pytest.raises(Rejected):
        client.segment_add(STATIC)
    answer = client.segment_add(STATIC)
    assert answer.data["saved_id"] in sandbox.segments
    assert sandbox.fault is None
    assert len(sandbox.received) == 2


def test_a_fault_for_one_method_leaves_the_others_alone(sandbox):
    sandbox.set_fault(Fault.TIMEOUT, methods={"segments/add"})
    client = client_for(sandbox)
    assert [item["id"] for item in client.databases_list()] == [1, 2, 5]
    with pytest.raises(OutcomeUnknown):
        client.segment_add(STATIC)
    assert [r.method for r in sandbox.received] == ["databases/list", "segments/add"]


def test_process_first_creates_the_segment_and_then_loses_the_answer(sandbox):
    sandbox.set_fault(Fault.HTTP_502, process=True)
    with pytest.raises(OutcomeUnknown):
        client_for(sandbox).segment_add(STATIC)
    (new_id,) = set(sandbox.segments) - set(demo_ids())
    assert sandbox.segments[new_id]["name"] == "Static"


def test_no_fault_keeps_the_sandbox_as_strict_as_before(sandbox):
    sandbox.set_fault(Fault.HTML_200, times=1)
    with pytest.raises(OutcomeUnknown):
        client_for(sandbox).segment_add(STATIC)
    with pytest.raises(Rejected) as caught:
        client_for(sandbox).segment_add({"name": "No rules", "is_static": False})
    assert caught.value.code == 400
    assert "a dynamic segment needs rules" in caught.value.error_text
    with pytest.raises(Rejected, match="invalid token"):
        AltcraftClient(base_url=sandbox.url, token="wrong", timeout=TIMEOUT).segment_add(STATIC)


def test_concurrent_requests_get_the_fault_exactly_as_many_times_as_asked(sandbox):
    sandbox.set_fault(Fault.ERROR_403, times=5)

    def send(_: int) -> str:
        try:
            client_for(sandbox).segment_add(STATIC)
        except Rejected:
            return "rejected"
        return "created"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(send, range(20)))

    assert outcomes.count("rejected") == 5 and outcomes.count("created") == 15
    assert len(sandbox.received) == 20
    assert len(sandbox.segments) == len(demo_ids()) + 15


def test_switching_faults_from_another_thread_while_serving_is_safe(sandbox):
    stop = threading.Event()
    errors: list[BaseException] = []

    def toggle() -> None:
        faults = [Fault.ERROR_400, None, Fault.HTTP_502, None]
        index = 0
        while not stop.is_set():
            try:
                sandbox.set_fault(faults[index % len(faults)])
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            index += 1
            time.sleep(0.001)

    toggler = threading.Thread(target=toggle)
    toggler.start()
    try:
        outcomes = set()
        for _ in range(30):
            try:
                list(client_for(sandbox).databases_list())
                outcomes.add("ok")
            except (Rejected, OutcomeUnknown) as error:
                outcomes.add(type(error).__name__)
    finally:
        stop.set()
        toggler.join()
    assert errors == []
    assert outcomes <= {"ok", "Rejected", "OutcomeUnknown"}
    assert len(sandbox.received) == 30


def test_a_held_connection_is_let_go_as_soon_as_the_client_gives_up(sandbox):
    sandbox.fault = Fault.TIMEOUT
    before = threading.active_count()
    with pytest.raises(OutcomeUnknown):
        client_for(sandbox).segment_add(STATIC)
    deadline = time.monotonic() + 2
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= before


def test_a_client_that_never_gives_up_is_let_go_after_the_hold_limit_or_on_stop():
    with SandboxServer() as server:
        server.hold_seconds = 0.3
        server.fault = Fault.TIMEOUT
        port = int(server.url.split(":")[2].split("/")[0])
        request = b"POST /api/v1.1/databases/list/ HTTP/1.1\r\nHost: x\r\n"
        request += b"Content-Length: 2\r\n\r\n{}"
        with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
            conn.sendall(request)
            with ends_within(0.3):  # the socket itself would wait 3 s
                assert conn.recv(1024) == b""  # closed without an answer

        server.hold_seconds = 60
        with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
            conn.sendall(request)
            time.sleep(0.1)
            server.stop()
            assert conn.recv(1024) == b""  # let go at once: the hold was 60 s
    assert len(server.received) == 2


@pytest.mark.parametrize(
    ("fault", "options", "problem"),
    [
        ("refuse", {"methods": ["segments/add"]}, "refuse applies to every connection"),
        ("refuse", {"times": 1}, "refuse applies to every connection"),
        ("timeout", {"times": 0}, "times must be 1 or more"),
        ("slow", {"delay": -1}, "delay must be 0 or more"),
        ("http-500", {"status": 200}, "status only applies to the error faults"),
        ("error-400", {"status": 42}, "status must be an HTTP status"),
        ("no-such-fault", {}, "is not a valid Fault"),
    ],
)
def test_a_fault_that_does_not_make_sense_is_refused_with_a_clear_text(fault, options, problem):
    with pytest.raises(ValueError, match=problem):
        fault_plan(fault, **options)


# --- the command line -----------------------------------------------------------------------


def stop_command(process: subprocess.Popen) -> str:
    output = interrupt(process)
    assert process.returncode == 0
    return output


def test_the_command_serves_a_fault_for_demos():
    process, url, banner = start_sandbox_command("--fault", "error-402", "--http-status", "200")
    try:
        response = requests.post(f"{url}databases/list/", json={"token": DOCS_TOKEN}, timeout=5)
        assert response.status_code == 200
        assert response.json() == {"error": 402, "error_text": "Tariff limit reached"}
    finally:
        output = stop_command(process)
    assert "Fault: error-402 (every method, until stopped)" in banner
    assert "Sandbox stopped." in output


def test_the_command_can_refuse_connections_and_slow_alone_means_the_slow_fault():
    process, url, banner = start_sandbox_command("--fault", "refuse")
    try:
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{url}databases/list/", json={"token": DOCS_TOKEN}, timeout=5)
    finally:
        stop_command(process)
    assert "Fault: refuse" in banner

    process, url, banner = start_sandbox_command("--slow", "0.3", "--method", "databases/list")
    try:
        response = requests.post(f"{url}databases/list/", json={"token": DOCS_TOKEN}, timeout=5)
        assert response.json()["total_count"] == 3
    finally:
        stop_command(process)
    assert "Fault: slow (databases/list, until stopped)" in banner
