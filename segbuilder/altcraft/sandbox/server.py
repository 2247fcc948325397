"""The sandbox on a real socket: one request in, one answer (or one fault) out."""

from __future__ import annotations

import hmac
import json
import logging
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from segbuilder.altcraft import codec
from segbuilder.altcraft.sandbox.faults import (
    BROKEN_JSON,
    BROKEN_XML,
    DEFAULT_DELAY,
    ERROR_FAULTS,
    ERROR_TEXTS,
    HOLD_SECONDS,
    HTML_TYPE,
    JSON_TYPE,
    LATE_FAULTS,
    PAGE_200,
    PAGE_500,
    PAGE_502,
    XML_TYPE,
    XXE_ANSWER,
    Fault,
    FaultPlan,
    Reply,
    fault_plan,
)
from segbuilder.altcraft.sandbox.rules import (
    Refusal,
    _is_int,
    _shown,
    segment_kind,
    segment_problems,
    update_problems,
)
from segbuilder.altcraft.sandbox.store import DEMO_DATABASES, DEMO_RESOURCES, SegmentStore

# The logger keeps the package's name, which the command and settings name.
logger = logging.getLogger("segbuilder.altcraft.sandbox")

DOCS_TOKEN = "abcdefghijklmnqrstuvwxyz"
API_PREFIX = "/api/v1.1/"
TRANSPORT_FIELDS = ("token", "format")
SUCCESS_TEXT = "Successful operation"


@dataclass
class Received:
    """One request as it arrived: `params` is the decoded body without token and format."""

    method: str
    content_type: str
    body: bytes
    params: dict



class SandboxServer:
    """The sandbox on a real socket. Bound on creation (port 0 picks a free
    port, see `url`); `start()` serves from a daemon thread, `serve_forever()`
    blocks the calling one until `stop()` or Ctrl-C."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, token: str = DOCS_TOKEN,
                 data_file: str | os.PathLike | None = None):
        self.token = token
        self.received: list[Received] = []
        # `data_file`: keep the segments there across restarts (None: in memory).
        self.store = SegmentStore(data_file)
        self.databases: dict[int, dict] = {
            i: {"id": i, "name": name, "ui_tags": [], "Groups": []}
            for i, name in DEMO_DATABASES.items()}
        self.resources: dict[int, dict] = {
            i: {"id": i, "name": name, "groups": []} for i, name in DEMO_RESOURCES.items()}
        self.hold_seconds = HOLD_SECONDS
        self._lock = threading.Lock()
        self._plan: FaultPlan | None = None
        # Guards the listener, which REFUSE closes and clearing it reopens.
        self._listener_lock = threading.RLock()
        self._serving = False
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._httpd: _HTTPServer | None = self._bind((host, port))
        # Kept so that a reopened listener takes the same port (and `url` holds).
        host_bound, port_bound = self._httpd.server_address[:2]
        self._address: tuple[str, int] = (str(host_bound), int(port_bound))
        self._methods: dict[str, Callable[[dict], dict]] = {
            "segments/add": self._segments_add,
            "segments/get": self._segments_get,
            "segments/update": self._segments_update,
            "segments/list": self._segments_list,
            "databases/list": self._databases_list,
            "resources/list": self._resources_list,
        }

    def __repr__(self) -> str:
        return f"SandboxServer(url={self.url!r})"  # never the token

    @property
    def segments(self) -> dict[int, dict]:
        """The segments it holds, by id. A test may put one in directly (as if
        made in Altcraft's own editor); such a one is not written to the file."""
        return self.store.segments

    @property
    def url(self) -> str:
        host, port = self._address
        return f"http://{host}:{port}{API_PREFIX}"

    def start(self) -> SandboxServer:
        with self._listener_lock:
            self._serving = True
            if self._httpd is not None and self._thread is None:
                self._start_thread(self._httpd)
        return self

    def serve_forever(self) -> None:
        self.start()
        try:
            while not self.stopping.wait(0.2):
                pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving; held connections (TIMEOUT, SLOW) are let go at once."""
        self.stopping.set()
        with self._listener_lock:
            self._serving = False
            self._close_listener()

    # --- faults ---------------------------------------------------------------------------

    @property
    def fault(self) -> Fault | None:
        with self._lock:
            return self._plan.fault if self._plan else None

    @fault.setter
    def fault(self, fault: Fault | str | None) -> None:
        self.set_fault(fault)

    def set_fault(
        self,
        fault: Fault | str | None,
        *,
        methods: Iterable[str] | None = None,
        times: int | None = None,
        delay: float = DEFAULT_DELAY,
        status: int | None = None,
        process: bool = False,
    ) -> None:
        """Misbehave with `fault` (None: behave again) from the next request on.

        `methods`: only for these methods ("segments/add"); `times`: only for the
        next N of them, then behave again; `delay`: seconds before the answer
        (SLOW) or between its bytes (TRICKLE); `status`: the HTTP status of an
        error fault's answer (default: the error code; 200 puts the error in
        the envelope only); `process`: handle the request as usual before
        misbehaving, as when Altcraft saved the segment and the answer was lost.
        REFUSE closes the listening socket, so the port really refuses; any
        other fault, or none, opens it again on the same port."""
        plan = None
        if fault is not None:
            plan = fault_plan(fault, methods=methods, times=times, delay=delay, status=status,
                              process=process)
        with self._lock:
            self._plan = plan
        with self._listener_lock:
            if plan is not None and plan.fault is Fault.REFUSE:
                self._close_listener()
            else:
                self._open_listener()

    def clear_fault(self) -> None:
        self.set_fault(None)

    def _take_fault(self, method: str) -> FaultPlan | None:
        """The fault for this request, if any, counting it against `times`."""
        with self._lock:
            plan = self._plan
            if plan is None or plan.fault is Fault.REFUSE:
                return None
            if plan.methods is not None and method not in plan.methods:
                return None
            if plan.times is not None:
                plan.times -= 1
                if plan.times <= 0:
                    self._plan = None
            return plan

    # --- the listener ---------------------------------------------------------------------

    def _bind(self, address: tuple[str, int]) -> _HTTPServer:
        httpd = _HTTPServer(address, _Handler)
        httpd.sandbox = self
        return httpd

    def _start_thread(self, httpd: _HTTPServer) -> None:
        # A short poll interval keeps stop() (and so each test) quick.
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="altcraft-sandbox",
            daemon=True,
        )
        self._thread.start()

    def _close_listener(self) -> None:
        if self._httpd is None:
            return
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()
        self._httpd = None

    def _open_listener(self) -> None:
        if self._httpd is not None or self.stopping.is_set():
            return
        try:
            self._httpd = self._bind(self._address)
        except OSError as error:
            raise OSError(f"the sandbox could not listen on {self.url} again: {error}") from None
        if self._serving:
            self._start_thread(self._httpd)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- one request ------------------------------------------------------------------

    def reply(self, path: str, headers: Any, body: bytes) -> Reply:
        """What to answer to one POST whose body was read (and is recorded)."""
        method = path.split("?", 1)[0].removeprefix(API_PREFIX).strip("/")
        content_type = headers.get("Content-Type", "")
        params, problem = _parse_body(body, content_type)
        self._record(Received(method, content_type, body, _without_transport(params)))
        fmt = "xml" if params.get("format") == "xml" else "json"
        plan = self._take_fault(method)
        if plan is None or plan.process or plan.fault in LATE_FAULTS:
            normal = Reply(*self._answer(method, path, params, problem, headers, fmt))
            if plan is None:
                return normal
            if plan.fault in LATE_FAULTS:
                logger.info("sandbox %s -> held back (%s)", method, plan.fault)
                return replace(normal, fault=plan.fault, delay=plan.delay)
        logger.info("sandbox %s -> fault %s", method or "?", plan.fault)
        return _fault_reply(plan, fmt)

    def _answer(
        self, method: str, path: str, params: dict, problem: str | None, headers: Any, fmt: str
    ) -> tuple[int, bytes, str]:
        """HTTP status, body and content type of the normal answer."""
        try:
            data = self._dispatch(method, path, params, problem, headers)
        except Refusal as refusal:
            logger.info("sandbox %s -> error %s", method or "?", refusal.code)
            envelope = {"error": refusal.code, "error_text": refusal.text}
            return refusal.code, *_render(envelope, fmt)
        logger.info("sandbox %s -> ok%s", method, _result_note(data))
        return 200, *_render({**data, "error": 0, "error_text": SUCCESS_TEXT}, fmt)

    def _dispatch(
        self, method: str, path: str, params: dict, problem: str | None, headers: Any
    ) -> dict:
        handler = self._methods.get(method)
        if handler is None or not path.split("?", 1)[0].startswith(API_PREFIX):
            raise Refusal(404, f"unknown method {method or path!r}")
        if problem:
            raise Refusal(400, problem)
        if params.get("format", "json") not in ("json", "xml"):
            raise Refusal(400, f"format must be json or xml, not {_shown(params['format'])}")
        self._check_token(params, headers)
        return handler(_without_transport(params))

    def _check_token(self, params: dict, headers: Any) -> None:
        token = params.get("token")
        authorization = headers.get("Authorization", "")
        if token is None and authorization.lower().startswith("bearer "):
            token = authorization[len("bearer ") :].strip()
        if token in (None, ""):
            raise Refusal(401, "API token required")
        if not isinstance(token, str) or not hmac.compare_digest(
            token.encode(), self.token.encode()
        ):
            raise Refusal(401, "invalid token")

    def _record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    # --- methods ------------------------------------------------------------------------

    def _segments_add(self, params: dict) -> dict:
        problems = segment_problems(params)
        if problems:
            raise Refusal(400, "Incorrect request: " + "; ".join(problems))
        saved_id = self.store.add(name=params["name"], kind=segment_kind(params), payload=params)
        return {"data": {"saved_id": saved_id}}

    def _segments_get(self, params: dict) -> dict:
        segment_id, record = self._stored(params)
        return {"data": _segment_details(segment_id, record)}

    def _segments_update(self, params: dict) -> dict:
        """A full replacement of name and rules; the kind and databases stay."""
        segment_id, record = self._stored(params)
        stored = record.get("payload", {})
        problems = update_problems(params, stored)
        if problems:
            raise Refusal(400, "Incorrect request: " + "; ".join(problems))
        payload = {key: value for key, value in params.items() if key != "id"}
        for field in ("is_static", "is_refresh_daily", "list_id"):
            if field in stored:
                payload.setdefault(field, stored[field])
        self.store.replace(segment_id, name=params["name"], payload=payload)
        return {"data": {"saved_id": segment_id}}

    def _stored(self, params: dict) -> tuple[int, dict]:
        segment_id = params.get("id")
        if not _is_int(segment_id):
            raise Refusal(400, f"Incorrect request: id is required, not {_shown(segment_id)}")
        record = self.store.get(segment_id)
        if record is None:
            raise Refusal(400, f"Incorrect request: segment {segment_id} not found")
        return segment_id, record

    def _segments_list(self, params: dict) -> dict:
        items = [_segment_item(segment_id, record) for segment_id, record in self.store.items()]
        return _page(items, params)

    def _databases_list(self, params: dict) -> dict:
        return _page(list(self.databases.values()), params)

    def _resources_list(self, params: dict) -> dict:
        return _page(list(self.resources.values()), params)


def _segment_item(segment_id: int, record: dict) -> dict:
    return {
        "id": segment_id,
        "name": record.get("name", f"Segment {segment_id}"),
        "ui_tags": [],
        "Groups": [],
    }


def _segment_details(segment_id: int, record: dict) -> dict:
    """What `segments/get/` shows: every rule carries child and condition."""
    payload = record.get("payload", {})
    details = {
        "id": segment_id,
        "name": record.get("name", payload.get("name", f"Segment {segment_id}")),
        "count": record.get("count", 0),
        "is_static": payload.get("is_static", True),
        "is_refresh_daily": payload.get("is_refresh_daily", False),
    }
    if "list_id" in payload:
        details["list_id"] = payload["list_id"]
    details["segment"] = [
        {**selection, "queries": [_with_group_fields(rule) for rule in selection["queries"]]}
        for selection in payload.get("segment") or []
    ]
    return details


def _with_group_fields(rule: dict) -> dict:
    children = [_with_group_fields(child) for child in rule.get("child", [])]
    return {**rule, "condition": rule.get("condition", ""), "child": children}


def _page(items: list[dict], params: dict) -> dict:
    from_id = params.get("from_id", 1)
    limit = params.get("limit", 1000)
    if not _is_int(from_id) or from_id < 0:
        raise Refusal(400, f"Incorrect request: from_id must be 0 or more, not {_shown(from_id)}")
    if not _is_int(limit) or limit < 1:
        raise Refusal(400, f"Incorrect request: limit must be 1 or more, not {_shown(limit)}")
    ordered = sorted((item for item in items if item["id"] >= from_id), key=lambda i: i["id"])
    page, rest = ordered[:limit], ordered[limit:]
    return {
        "data": page,
        "next_from_id": rest[0]["id"] if rest else 0,
        "total_count": len(items),
    }


def _parse_body(body: bytes, content_type: str) -> tuple[dict, str | None]:
    """The decoded body and None, or {} and what is wrong with it."""
    if not body.strip():
        return {}, "Incorrect request: the body is empty (send JSON or XML)"
    media = content_type.split(";", 1)[0].strip().lower()
    fmt = "json" if media.endswith("json") else "xml" if media.endswith("xml") else None
    try:
        params = codec.decode(body, fmt)
    except codec.CodecError as error:
        kind = (fmt or ("xml" if body.lstrip().startswith(b"<") else "json")).upper()
        return {}, f"Incorrect request: the body is not valid {kind}: {error}"
    return params, None


def _without_transport(params: dict) -> dict:
    return {key: value for key, value in params.items() if key not in TRANSPORT_FIELDS}


def _render(envelope: dict, fmt: str) -> tuple[bytes, str]:
    if fmt == "xml":
        return codec.payload_to_xml(envelope), "application/xml; charset=utf-8"
    return json.dumps(envelope, ensure_ascii=False).encode(), "application/json; charset=utf-8"


def _fault_reply(plan: FaultPlan, fmt: str) -> Reply:
    """The answer of a fault that answers wrongly (or not at all)."""
    fault = plan.fault
    if fault in ERROR_FAULTS:
        code = ERROR_FAULTS[fault]
        content, content_type = _render({"error": code, "error_text": ERROR_TEXTS[code]}, fmt)
        return Reply(plan.status or code, content, content_type, fault)
    answers = {
        Fault.HTTP_500: (500, PAGE_500, HTML_TYPE),
        Fault.HTTP_502: (502, PAGE_502, HTML_TYPE),
        Fault.HTML_200: (200, PAGE_200, HTML_TYPE),
        Fault.INVALID_JSON: (200, BROKEN_JSON, JSON_TYPE),
        Fault.INVALID_XML: (200, BROKEN_XML, XML_TYPE),
        Fault.XXE: (200, XXE_ANSWER, XML_TYPE),
    }
    status, content, content_type = answers.get(fault, (0, b"", ""))
    return Reply(status, content, content_type, fault, plan.delay)


def _result_note(data: dict) -> str:
    inner = data.get("data")
    if isinstance(inner, dict) and "saved_id" in inner:
        return f" saved_id={inner['saved_id']}"
    if isinstance(inner, list):
        return f" {len(inner)} items, next_from_id={data.get('next_from_id')}"
    return ""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: SandboxServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AltcraftSandbox/1.0"
    # A client that stops sending must not hold a thread for ever.
    timeout = 30
    # Headers and body go out in two writes: without TCP_NODELAY the second
    # waits for the client's delayed ACK (about 40 ms per request).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_POST(self) -> None:  # the name http.server calls
        body = self._read_body()
        if body is None:
            return
        sandbox = self.server.sandbox
        reply = sandbox.reply(self.path, self.headers, body)
        if reply.fault is None:
            self._send(reply.status, reply.content, reply.content_type)
            return
        # After a fault the connection is not reused: hang up once done.
        self.close_connection = True
        if reply.fault is Fault.TIMEOUT:
            self._hold(sandbox.hold_seconds)
        elif reply.fault is Fault.RESET:
            self._reset()
        elif reply.fault is Fault.SLOW:
            if self._hold(min(reply.delay, sandbox.hold_seconds)):
                self._send(reply.status, reply.content, reply.content_type)
        elif reply.fault is Fault.TRICKLE:
            self._trickle(reply)
        else:
            self._send(reply.status, reply.content, reply.content_type)

    def do_GET(self) -> None:
        self._refuse(405, "use POST: every Altcraft API method is a POST")

    do_PUT = do_DELETE = do_PATCH = do_GET

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._refuse(411, "send the body with a Content-Length")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._refuse(400, "Incorrect request: Content-Length is not a number")
            return None
        if length > codec.MAX_BODY_BYTES:
            # Not read: answer and hang up instead of swallowing a huge body.
            too_big = f"the body is larger than {codec.MAX_BODY_BYTES} bytes"
            self._refuse(413, f"Incorrect request: {too_big}")
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _refuse(self, code: int, text: str) -> None:
        logger.info("sandbox %s %s -> error %s", self.command, self.path.split("?", 1)[0], code)
        content, content_type = _render({"error": code, "error_text": text}, "json")
        self.close_connection = True
        self._send(code, content, content_type)

    def _send(self, status: int, content: bytes, content_type: str) -> None:
        self.send_response(status, _reason(status))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        if self.close_connection:
            self.send_header("Connection", "close")
        try:
            self.end_headers()
            self.wfile.write(content)
        except OSError:  # the client gave up (after a SLOW answer, say)
            self.close_connection = True

    # --- faults -------------------------------------------------------------------------

    def _hold(self, seconds: float) -> bool:
        """Keep the connection open without answering for `seconds`; False
        as soon as the client hangs up or the sandbox stops."""
        stopping = self.server.sandbox.stopping
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if stopping.is_set():
                return False
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                if self._client_gone():
                    return False
                stopping.wait(0.05)  # it sent more (pipelining): not a hang-up
        return True

    def _client_gone(self) -> bool:
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
        linger = struct.pack("ii", 1, 0)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        # The socket's file holds the descriptor open: close it first, or the
        # close below would wait for it.
        self.rfile.close()
        self.connection.close()

    def _trickle(self, reply: Reply) -> None:
        """Send the answer one byte at a time, `reply.delay` seconds apart."""
        stopping = self.server.sandbox.stopping
        head = (
            f"HTTP/1.1 {reply.status} {_reason(reply.status)}\r\n"
            f"Content-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(reply.content)}\r\nConnection: close\r\n\r\n"
        )
        data = head.encode("ascii") + reply.content
        end = time.monotonic() + self.server.sandbox.hold_seconds
        for index in range(len(data)):
            try:
                self.connection.sendall(data[index : index + 1])
            except OSError:
                return
            if stopping.wait(reply.delay) or time.monotonic() > end:
                return

    def log_message(self, format: str, *args: Any) -> None:
        # http.server's own access log would go to stderr; the sandbox logs
        # method and result itself.
        pass


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
