"""The Altcraft client against real sockets: the sandbox, and tiny servers that
misbehave in the ways a network does."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from segbuilder.altcraft import codec
from segbuilder.altcraft.client import (
    MASK,
    RAW_ANSWER_CAP,
    AltcraftClient,
    AltcraftError,
    FailedBeforeSending,
    OutcomeUnknown,
    Rejected,
    mask_token,
    with_token,
)
from segbuilder.altcraft.sandbox import SandboxServer
from tests.deadlines import ends_within
from tests.examples import EXAMPLE_NAMES, example_payload

SECRET = "s3cret-token-that-must-never-leak"

# --- helpers ---------------------------------------------------------------------------


class CountingSession(requests.Session):
    """A real session that counts what it sends (and with which timeout)."""

    def __init__(self) -> None:
        super().__init__()
        self.sends = 0
        self.timeouts: list[object] = []

    def send(self, request, **kwargs):
        self.sends += 1
        self.timeouts.append(kwargs.get("timeout"))
        return super().send(request, **kwargs)


class RawServer:
    """A TCP server that reads each request and then does `behaviour(conn)`;
    counts the connections it accepted."""

    def __init__(self, behaviour: Callable[[socket.socket], None]):
        self.behaviour = behaviour
        self.connections = 0
        self.stopped = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}/api/v1.1/"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            read_request(conn)
            self.behaviour(conn)

    def close(self) -> None:
        self.stopped.set()
        self._thread.join(timeout=2)
        self._socket.close()


def read_request(conn: socket.socket) -> bytes:
    """Read one HTTP request (headers and Content-Length body)."""
    conn.settimeout(2)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        body += conn.recv(65536)
    return data


def http_response(status: str, body: bytes, content_type: str = "text/html") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def replying(response: bytes) -> Callable[[socket.socket], None]:
    return lambda conn: conn.sendall(response)


def drip(conn: socket.socket, stopped: threading.Event, head: bytes, body: bytes) -> None:
    """Send `head` at once, then `body` one byte a second, each byte within the
    read timeout; ends when the client hangs up or the server stops."""
    conn.sendall(head)
    for index in range(len(body)):
        if stopped.wait(1.0):
            return
        try:
            conn.sendall(body[index : index + 1])
        except OSError:
            return


def token_runs(text: str, token: str = SECRET, run: int = 8) -> list[str]:
    """Every piece of `token`, `run` characters long, that `text` holds."""
    pieces = {token[index : index + run] for index in range(len(token) - run + 1)}
    return sorted(piece for piece in pieces if piece in text)


def error_texts(error: AltcraftError) -> list[str]:
    return [str(error), getattr(error, "answer", ""), getattr(error, "error_text", "")]


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(behaviour: Callable[[socket.socket], None]) -> RawServer:
        servers.append(RawServer(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def client_for(url: str, token: str = SECRET, **options) -> AltcraftClient:
    options = {"timeout": 2.0, "retries": 0, "backoff": 0.01, **options}
    return AltcraftClient(base_url=url, token=token, **options)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1.1/"


STATIC = {"name": "Static", "is_static": True, "is_refresh_daily": False, "list_id": 1}


# --- success ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_documented_example_is_created_and_arrives_exactly_as_given(sandbox, name, fmt):
    payload = example_payload(name, fmt)
    answer = client_for(sandbox.url, sandbox.token).segment_add(payload, fmt=fmt)

    assert answer.status == 200
    assert answer.data["saved_id"] == max(sandbox.segments)
    received = sandbox.received[-1]
    assert received.method == "segments/add"
    assert received.content_type == codec.CONTENT_TYPES[fmt]
    assert received.params == payload


def test_the_saved_ids_increase_from_one_call_to_the_next(sandbox):
    client = client_for(sandbox.url, sandbox.token)
    ids = [client.segment_add(STATIC).data["saved_id"] for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert ids[0] > 3  # above the demo segments


def test_the_token_goes_last_in_the_body_and_no_format_is_added(sandbox):
    client_for(sandbox.url, sandbox.token).segment_add(STATIC)
    body = json.loads(sandbox.received[-1].body)
    assert list(body) == [*STATIC, "token"]
    assert body["token"] == sandbox.token


def test_with_token_puts_the_token_last_even_when_the_payload_has_one():
    payload = {"token": "old", "name": "x", "is_static": False}
    assert list(with_token(payload, "***").items()) == [
        ("name", "x"),
        ("is_static", False),
        ("token", "***"),
    ]
    assert payload["token"] == "old"  # the caller's dict is left alone


def test_every_call_has_a_connect_and_a_read_timeout(sandbox):
    session = CountingSession()
    client_for(sandbox.url, sandbox.token, timeout=10.0, session=session).segment_add(STATIC)
    client_for(sandbox.url, sandbox.token, timeout=0.5, session=session).segment_get(1)
    assert session.timeouts == [(3.05, 10.0), (0.5, 0.5)]


def test_an_xml_answer_is_read_into_ints_and_lists(sandbox):
    answer = client_for(sandbox.url, sandbox.token).call("databases/list", {"format": "xml"})
    assert answer.raw.lstrip().startswith("<?xml")
    assert [item["id"] for item in answer.data] == [1, 2, 5]
    assert answer.envelope["next_from_id"] == 0
    assert answer.envelope["total_count"] == 3


def test_an_xml_create_can_ask_for_an_xml_answer(sandbox):
    payload = {**example_payload("dynamic", "xml"), "format": "xml"}
    answer = client_for(sandbox.url, sandbox.token).segment_add(payload, fmt="xml")
    assert answer.raw.lstrip().startswith("<?xml")
    assert answer.data == {"saved_id": max(sandbox.segments)}


def test_segment_get_returns_the_rules_with_child_and_condition(sandbox):
    client = client_for(sandbox.url, sandbox.token)
    saved_id = client.segment_add(example_payload("dynamic", "json")).data["saved_id"]
    segment = client.segment_get(saved_id)
    assert segment["id"] == saved_id and segment["name"] == "Dynamic segment"
    rule = segment["segment"][0]["queries"][0]
    assert rule["child"] == [] and rule["condition"] == ""


def test_from_settings_reaches_the_sandbox_the_settings_point_at(sandbox_settings):
    answer = AltcraftClient.from_settings().segment_add(STATIC)
    assert answer.data["saved_id"] in sandbox_settings.segments


def test_the_client_repr_does_not_show_the_token():
    assert SECRET not in repr(client_for("http://127.0.0.1:1/api/v1.1/"))


# --- paging -----------------------------------------------------------------------------


def test_paging_through_2500_segments_yields_all_in_order_in_three_requests():
    with SandboxServer() as server:
        server.segments.clear()
        for segment_id in range(1, 2501):
            server.segments[segment_id] = {"name": f"Segment {segment_id}"}
        items = list(client_for(server.url, server.token).segments_list(page_size=1000))
        requests_made = [r.params for r in server.received]

    assert [item["id"] for item in items] == list(range(1, 2501))
    assert items[-1]["name"] == "Segment 2500"
    assert requests_made == [
        {"from_id": 1, "limit": 1000},
        {"from_id": 1001, "limit": 1000},
        {"from_id": 2001, "limit": 1000},
    ]


def test_paging_follows_gaps_in_the_ids(sandbox):
    databases = list(client_for(sandbox.url, sandbox.token).databases_list(page_size=2))
    assert [item["name"] for item in databases] == ["Customers", "Newsletter", "Loyalty club"]
    assert [r.params["from_id"] for r in sandbox.received] == [1, 5]


def test_resources_are_listed(sandbox):
    resources = list(client_for(sandbox.url, sandbox.token).resources_list())
    assert [item["id"] for item in resources] == [1, 2]
    assert len(sandbox.received) == 1


def test_xml_paging_reads_one_item_pages_as_lists(sandbox):
    client = client_for(sandbox.url, sandbox.token)
    items = list(client.databases_list(page_size=1, fmt="xml"))
    assert [item["id"] for item in items] == [1, 2, 5]


# --- refusals ---------------------------------------------------------------------------


def test_a_refused_segment_raises_rejected_with_altcraft_code_and_text(sandbox):
    client = client_for(sandbox.url, sandbox.token)
    with pytest.raises(Rejected) as caught:
        client.segment_add({"name": "No rules", "is_static": False})
    error = caught.value
    assert error.code == 400
    assert "a dynamic segment needs rules" in error.error_text
    assert json.loads(error.answer)["error"] == 400
    assert "Altcraft refused the request (error 400" in str(error)
    assert "No segment was created" in str(error)


def test_a_wrong_token_is_rejected_with_401(sandbox):
    with pytest.raises(Rejected) as caught:
        client_for(sandbox.url, token="wrong-token").segment_add(STATIC)
    assert caught.value.code == 401
    assert caught.value.error_text == "invalid token"
    assert "wrong-token" not in str(caught.value)


def test_a_404_page_without_envelope_is_a_rejection_with_the_http_status(raw_server):
    server = raw_server(replying(http_response("404 Not Found", b"<html>nope</html>")))
    with pytest.raises(Rejected) as caught:
        client_for(server.url).segment_add(STATIC)
    assert caught.value.code == 404
    assert caught.value.error_text.startswith("HTTP 404")
    assert "check ALTCRAFT_API_URL" in str(caught.value)


def test_an_error_envelope_under_http_200_is_a_rejection(raw_server):
    envelope = b'{"error": 402, "error_text": "Tariff limit reached"}'
    server = raw_server(replying(http_response("200 OK", envelope, "application/json")))
    with pytest.raises(Rejected) as caught:
        client_for(server.url).segment_add(STATIC)
    assert (caught.value.code, caught.value.error_text) == (402, "Tariff limit reached")


# --- failures before sending: retried ----------------------------------------------------


def test_a_closed_port_fails_before_sending_after_trying_retries_more_times():
    # Nothing listens there, so nothing can have been received.
    session = CountingSession()
    client = client_for(closed_port_url(), retries=2, backoff=0.01, session=session)
    with pytest.raises(FailedBeforeSending) as caught:
        client.segment_add(STATIC)
    assert session.sends == 3
    assert caught.value.retryable
    assert "connection refused" in str(caught.value)
    assert "no segment was created" in str(caught.value)
    assert "Tried 3 times" in str(caught.value)


def test_retries_pause_longer_each_time(caplog):
    caplog.set_level(logging.INFO, logger="segbuilder.altcraft.client")
    client = client_for(closed_port_url(), retries=2, backoff=0.1)
    with pytest.raises(FailedBeforeSending):
        client.segment_add(STATIC)
    pauses = [record.getMessage() for record in caplog.records if "retrying" in record.msg]
    assert pauses == [
        "Altcraft segments/add: retrying in 0.10 s",
        "Altcraft segments/add: retrying in 0.20 s",
    ]


def test_an_unknown_host_fails_before_sending():
    session = CountingSession()
    client = client_for("http://altcraft-sandbox.invalid/api/v1.1/", retries=1, session=session)
    with pytest.raises(FailedBeforeSending) as caught:
        client.segment_add(STATIC)
    assert session.sends == 2
    assert "could not be resolved" in str(caught.value)


@pytest.mark.skipif(
    sys.platform != "linux", reason="relies on Linux dropping SYNs on a full backlog"
)
def test_a_connect_timeout_fails_before_sending():
    # A listener with a full accept queue: Linux drops further SYNs, so the
    # client's connect times out without any connection being made.
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = listener.getsockname()[1]
    fillers = [socket.socket() for _ in range(3)]
    for filler in fillers:
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
    session = CountingSession()
    client = client_for(
        f"http://127.0.0.1:{port}/api/v1.1/", timeout=0.2, retries=1, session=session
    )
    try:
        with pytest.raises(FailedBeforeSending) as caught:
            client.segment_add(STATIC)
    finally:
        for sock in [*fillers, listener]:
            sock.close()
    assert session.sends == 2
    assert "timed out" in str(caught.value)


# --- outcome unknown: never resent -------------------------------------------------------


def test_a_server_that_never_answers_leaves_the_outcome_unknown_at_the_read_timeout(raw_server):
    # The server would hang up after 5 s: "did not answer" means the read timeout struck.
    server = raw_server(lambda conn: server.stopped.wait(5))
    client = client_for(server.url, timeout=0.5, retries=2)
    with pytest.raises(OutcomeUnknown) as caught:
        client.segment_add(STATIC)
    assert server.connections == 1
    assert "did not answer within 0.5 s" in str(caught.value)
    assert "the segment may have been created" in str(caught.value)


def test_a_connection_closed_after_the_request_leaves_the_outcome_unknown(raw_server):
    server = raw_server(lambda conn: None)  # reads the request, then hangs up
    with pytest.raises(OutcomeUnknown) as caught:
        client_for(server.url, retries=2).segment_add(STATIC)
    assert server.connections == 1
    assert "broke off" in str(caught.value)


def test_a_502_html_page_leaves_the_outcome_unknown(raw_server):
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    server = raw_server(replying(http_response("502 Bad Gateway", page)))
    with pytest.raises(OutcomeUnknown) as caught:
        client_for(server.url, retries=2).segment_add(STATIC)
    assert server.connections == 1
    assert "Altcraft answered HTTP 502" in str(caught.value)
    assert "502 Bad Gateway" in caught.value.answer


def test_a_200_answer_that_is_not_an_envelope_leaves_the_outcome_unknown(raw_server):
    server = raw_server(replying(http_response("200 OK", b"OK, thanks", "text/plain")))
    with pytest.raises(OutcomeUnknown, match="not a readable Altcraft answer"):
        client_for(server.url).segment_add(STATIC)


def test_a_success_without_saved_id_leaves_the_outcome_unknown(raw_server):
    envelope = b'{"data": {}, "error": 0, "error_text": "Successful operation"}'
    server = raw_server(replying(http_response("200 OK", envelope, "application/json")))
    with pytest.raises(OutcomeUnknown, match="no segment id"):
        client_for(server.url).segment_add(STATIC)


def test_a_redirect_is_not_followed_and_leaves_the_outcome_unknown(raw_server):
    redirect = b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /elsewhere/\r\n"
    redirect += b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    server = raw_server(replying(redirect))
    with pytest.raises(OutcomeUnknown, match="redirect"):
        client_for(server.url).segment_add(STATIC)
    assert server.connections == 1


def test_an_answer_over_the_size_cap_is_not_read_and_the_kept_text_is_capped(raw_server):
    huge = b'{"error": 0, "data": "' + b"x" * codec.MAX_BODY_BYTES + b'"}'
    server = raw_server(replying(http_response("200 OK", huge, "application/json")))
    with pytest.raises(OutcomeUnknown) as caught:
        client_for(server.url).segment_add(STATIC)
    assert "Altcraft answered HTTP 200, but the answer is too large to read" in str(caught.value)
    assert "the segment may have been created" in str(caught.value)
    assert len(caught.value.answer) == RAW_ANSWER_CAP


@pytest.mark.parametrize("encoding", ["content-length", "chunked"])
def test_an_answer_dripping_a_byte_a_second_is_stopped_at_the_deadline(raw_server, encoding):
    # Every byte comes within the read timeout (2 s): only the deadline stops it.
    body = b'{"error": 0, "data": {"saved_id": 7}, "error_text": "' + b"x" * 60 + b'"}'
    if encoding == "chunked":
        # One chunk, its size line sent with the head: http.client reads that
        # line, like the head, with the read timeout alone (see client.py).
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n" % len(body)
        body += b"\r\n0\r\n\r\n"
    else:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
    server = raw_server(lambda conn: drip(conn, server.stopped, head, body))
    client = client_for(server.url, timeout=2.0, total_timeout=1.5, retries=2)
    # The whole drip would take 80 s.
    with ends_within(1.5), pytest.raises(OutcomeUnknown) as caught:
        client.segment_add(STATIC)
    assert "did not finish answering within 1.5 s" in str(caught.value)
    assert "the segment may have been created" in str(caught.value)
    assert server.connections == 1


# --- the token stays secret ---------------------------------------------------------------


def test_the_token_never_appears_in_errors_or_logs(raw_server, caplog):
    caplog.set_level(logging.DEBUG)
    echo = json.dumps({"error": 400, "error_text": f"bad request with token {SECRET}"}).encode()
    servers = [
        raw_server(replying(http_response("200 OK", echo, "application/json"))),
        raw_server(replying(http_response("502 Bad Gateway", b"<html>" + SECRET.encode()))),
        raw_server(lambda conn: None),
    ]
    errors: list[AltcraftError] = []
    with SandboxServer(token="another-token") as sandbox:
        for url in [sandbox.url, closed_port_url(), *(server.url for server in servers)]:
            with pytest.raises(AltcraftError) as caught:
                client_for(url, timeout=0.5).segment_add(STATIC)
            errors.append(caught.value)

    texts = [str(error) for error in errors]
    texts += [getattr(error, attr, "") for error in errors for attr in ("answer", "error_text")]
    texts += [record.getMessage() for record in caplog.records]
    assert [type(error) for error in errors] == [
        Rejected,
        FailedBeforeSending,
        Rejected,
        OutcomeUnknown,
        OutcomeUnknown,
    ]
    assert not [text for text in texts if SECRET in text]
    assert "bad request with token ***" in errors[2].error_text


def envelope_echoing(token_at: int, echoed: str = SECRET, size: int = 0) -> bytes:
    """A refusal whose error text echoes `echoed` so that it starts `token_at`
    characters into the answer, and goes on past RAW_ANSWER_CAP (to `size`
    bytes in all, if more)."""
    head = '{"error": 400, "error_text": "bad request '
    text = f"{head}{'p' * (token_at - len(head))}{echoed} from the request "
    return (text.ljust(max(size, RAW_ANSWER_CAP + 100) - 2, "q") + '"}').encode()


@pytest.mark.parametrize(
    "token_at",
    [RAW_ANSWER_CAP - len(SECRET) + 1, RAW_ANSWER_CAP - 24, RAW_ANSWER_CAP - 8,
     RAW_ANSWER_CAP - 1, RAW_ANSWER_CAP, RAW_ANSWER_CAP + 1],
)
def test_a_token_echoed_across_the_size_cap_leaves_nothing_of_it(raw_server, token_at):
    answer = envelope_echoing(token_at)
    server = raw_server(replying(http_response("400 Bad Request", answer, "application/json")))
    with pytest.raises(Rejected) as caught:
        client_for(server.url).segment_add(STATIC)
    assert len(caught.value.answer) == RAW_ANSWER_CAP
    for text in error_texts(caught.value):
        assert token_runs(text) == []
    assert f"{MASK} from the request" in caught.value.error_text


def test_a_token_echoed_across_the_size_cap_of_an_oversize_answer_leaves_nothing(raw_server):
    answer = envelope_echoing(RAW_ANSWER_CAP - 20, size=codec.MAX_BODY_BYTES + 10)
    server = raw_server(replying(http_response("200 OK", answer, "application/json")))
    with pytest.raises(OutcomeUnknown, match="too large") as caught:
        client_for(server.url).segment_add(STATIC)
    assert MASK in caught.value.answer
    assert token_runs(caught.value.answer) == []


def test_a_partial_echo_of_the_token_is_masked(raw_server):
    partial = SECRET[5:17]  # 12 characters in a row, neither end of the token
    answer = envelope_echoing(60, echoed=f"token={partial}")
    server = raw_server(replying(http_response("400 Bad Request", answer, "application/json")))
    with pytest.raises(Rejected) as caught:
        client_for(server.url).segment_add(STATIC)
    assert f"token={MASK} from the request" in caught.value.error_text
    for text in error_texts(caught.value):
        assert token_runs(text) == []


def test_list_items_naming_the_token_come_back_masked(raw_server):
    envelope = {"error": 0, "data": [{"id": 1, "name": f"Leads {SECRET}"},
                                     {"id": 2, "name": f"Old {SECRET[:10]}", SECRET: "x"}]}
    server = raw_server(replying(http_response(
        "200 OK", json.dumps(envelope).encode(), "application/json")))
    items = list(client_for(server.url).databases_list())
    assert items == [
        {"id": 1, "name": f"Leads {MASK}"},
        {"id": 2, "name": f"Old {MASK}", MASK: "x"},
    ]


# --- the mask itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"echo {SECRET} end", f"echo {MASK} end"),
        (f"{SECRET}{SECRET}", MASK),  # back to back: one stretch
        (f"a {SECRET} b {SECRET}", f"a {MASK} b {MASK}"),
        (f"start {SECRET[:8]}", f"start {MASK}"),
        (f"{SECRET[-8:]} end", f"{MASK} end"),
        (f"x{SECRET[3:20]}y", f"x{MASK}y"),
        (f"a {SECRET[:7]} b {SECRET[-7:]}", f"a {SECRET[:7]} b {SECRET[-7:]}"),  # 7 is too few
        (f"{SECRET[:12]}{SECRET[4:16]}", MASK),  # overlapping runs: one stretch
        ("nothing secret here", "nothing secret here"),
        ("", ""),
    ],
)
def test_mask_token_replaces_the_token_and_every_run_of_eight_of_its_characters(text, masked):
    assert mask_token(text, SECRET) == masked


def test_mask_token_masks_a_short_token_whole_and_leaves_text_alone_without_a_token():
    assert mask_token("key=abc123 and abc12", "abc123") == f"key={MASK} and abc12"
    assert mask_token(f"echo {SECRET}", "") == f"echo {SECRET}"


# --- TLS ---------------------------------------------------------------------------------------


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a certificate no client trusts."""
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "key.pem"),
             "-out", str(tmp_path / "cert.pem")],
            check=True, capture_output=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        pytest.skip("openssl cannot make a certificate here")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


def test_a_certificate_refused_fails_before_sending_and_is_not_retried(self_signed):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    received: list[bytes] = []

    def serve() -> None:
        with listener.accept()[0] as conn:
            try:
                with self_signed.wrap_socket(conn, server_side=True) as tls:
                    received.append(tls.recv(1024))
            except (ssl.SSLError, OSError):
                pass  # the client gave up in the handshake

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    session = CountingSession()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/api/v1.1/"
    try:
        with pytest.raises(FailedBeforeSending) as caught:
            client_for(url, retries=2, session=session).segment_add(STATIC)
        thread.join(timeout=5)
    finally:
        listener.close()
    assert "its certificate was not accepted" in str(caught.value)
    assert "Nothing was sent" in str(caught.value)
    assert not caught.value.retryable and session.sends == 1
    assert received == []


def test_a_payload_that_cannot_be_written_as_xml_fails_before_sending(sandbox):
    payload = {**STATIC, "name": "bad \x00 name"}
    with pytest.raises(FailedBeforeSending, match="could not be written as XML") as caught:
        client_for(sandbox.url, sandbox.token, retries=2).segment_add(payload, fmt="xml")
    assert not caught.value.retryable
    assert sandbox.received == []
