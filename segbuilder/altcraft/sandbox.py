"""A small Altcraft look-alike for tests and demos.

It serves the few methods of the user API that the builder uses, under
`/api/v1.1/`, with JSON or XML bodies, and checks `segments/add/` requests on
its own, from shared/altcraft/API.md and the docs' page. It deliberately does
not reuse the application's validation (segment.py): it is the independent
check of what the application sends, so it is at least as strict as the docs
(unknown fields, missing fields and wrong types are all refused) and reports
every problem of a request at once, each with where it is:
`segment[1].queries[2]: operator is required` (positions count from 1).

Paging of the list methods: `from_id` (default 1) and `limit` (default 1000)
select the items with id >= from_id; `next_from_id` is the id of the first item
of the next page, and 0 when there is no next page (always present, so a client
can tell it was paged). `total_count` is the number of all items.

Answers are JSON, or XML when the request's `format` is "xml". A refusal carries
the envelope with `error` set and the same HTTP status (400, 401, 404, 413).
The log says which method was called and how it ended, never bodies or tokens.

Faults: `set_fault()` (or `server.fault = Fault.TIMEOUT`) makes it misbehave as
a network or Altcraft can: refuse connections, never answer, answer slowly,
reset the connection, send an error page, broken JSON or XML, an error code, or
XML with an external entity (see `Fault`). A fault may be limited to some
methods and to the next N requests, and can be switched from any thread while
requests are served. Every request whose body was read is in `received`, faults
included, so a test can count what reached the sandbox. With no fault set the
sandbox is exactly as strict as described above.
"""

from __future__ import annotations

import hmac
import json
import logging
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from segbuilder.altcraft import codec

logger = logging.getLogger(__name__)

DOCS_TOKEN = "abcdefghijklmnqrstuvwxyz"
API_PREFIX = "/api/v1.1/"
TRANSPORT_FIELDS = ("token", "format")
SUCCESS_TEXT = "Successful operation"
CONDITIONS = ("and", "or")

# Fields each object of a `segments/add/` request may have (besides token/format).
SEGMENT_FIELDS = frozenset({"name", "is_static", "is_refresh_daily", "list_id", "segment"})
SELECTION_FIELDS = frozenset(
    {"condition", "limit", "list_id", "percent_from", "percent_to", "queries"}
)
RULE_FIELDS = frozenset({"compo", "name", "type", "operator", "value", "condition", "child"})
RULE_TEXT_FIELDS = ("compo", "name", "type", "operator")
PARAM_FIELDS = frozenset({"name", "value"})


@dataclass
class Received:
    """One request as it arrived: `params` is the decoded body without token and format."""

    method: str
    content_type: str
    body: bytes
    params: dict


class Refusal(Exception):
    """An error answer: the envelope's `error` code and `error_text`."""

    def __init__(self, code: int, text: str):
        super().__init__(text)
        self.code = code
        self.text = text


# --- validation of segments/add/ -------------------------------------------------------


class _Problems:
    """Collects problems, each as "location: message"."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)


def segment_problems(params: dict) -> list[str]:
    """Every problem of a `segments/add/` request (token and format removed)."""
    problems = _Problems()
    _check_segment(params, problems)
    return problems.items


def segment_kind(params: dict) -> str:
    """The kind of a valid request, as API.md's table names it."""
    if not params["is_static"]:
        return "dynamic"
    return "updatable" if params.get("is_refresh_daily") else "static"


def _check_segment(params: dict, problems: _Problems) -> None:
    _check_unknown("", params, SEGMENT_FIELDS, problems)
    name = params.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add("", "name is required (non-empty text)")
    if "list_id" in params:
        _check_id("", "list_id", params["list_id"], problems)
    kind = _check_kind(params, problems)
    if kind == "static":
        _check_static(params, problems)
    elif kind is not None:
        _check_selections(params, kind, problems)


def _check_kind(params: dict, problems: _Problems) -> str | None:
    if "is_static" not in params:
        problems.add("", "is_static is required (true or false)")
        return None
    is_static = params["is_static"]
    refresh = params.get("is_refresh_daily", False)
    known = True
    if not isinstance(is_static, bool):
        problems.add("", f"is_static must be true or false, not {_shown(is_static)}")
        known = False
    if not isinstance(refresh, bool):
        problems.add("", f"is_refresh_daily must be true or false, not {_shown(refresh)}")
        known = False
    if not known:
        return None
    if not is_static and refresh:
        problems.add("", "is_refresh_daily must be false or absent for a dynamic segment")
        return None
    return segment_kind(params)


def _check_static(params: dict, problems: _Problems) -> None:
    if "list_id" not in params:
        problems.add("", "list_id is required for a static segment (its database id)")
    if params.get("segment") not in (None, [], ""):
        problems.add(
            "segment",
            "a static segment takes no rules (use is_refresh_daily true for an updatable one)",
        )


def _check_selections(params: dict, kind: str, problems: _Problems) -> None:
    selections = params.get("segment")
    if not isinstance(selections, list) or not selections:
        problems.add("segment", f"a {kind} segment needs rules: at least one selection")
        return
    for number, selection in enumerate(selections, start=1):
        _check_selection(f"segment[{number}]", selection, problems)


def _check_selection(where: str, selection: Any, problems: _Problems) -> None:
    if not isinstance(selection, dict):
        problems.add(where, "must be an object")
        return
    _check_unknown(where, selection, SELECTION_FIELDS, problems)
    _check_id(where, "list_id", selection.get("list_id"), problems)
    _check_condition(where, selection, problems)
    _check_int(where, selection, "limit", 0, None, problems)
    low = _check_int(where, selection, "percent_from", 0, 99, problems)
    high = _check_int(where, selection, "percent_to", 1, 100, problems)
    if low is not None and high is not None and low >= high:
        problems.add(where, f"percent_from ({low}) must be less than percent_to ({high})")
    queries = selection.get("queries")
    if not isinstance(queries, list) or not queries:
        problems.add(where, "queries is required: at least one rule")
        return
    for number, rule in enumerate(queries, start=1):
        _check_rule(f"{where}.queries[{number}]", rule, problems, depth=0)


def _check_rule(where: str, rule: Any, problems: _Problems, *, depth: int) -> None:
    if not isinstance(rule, dict):
        problems.add(where, "must be an object")
        return
    _check_unknown(where, rule, RULE_FIELDS, problems)
    is_group = _check_group(where, rule, problems, depth=depth)
    for field in RULE_TEXT_FIELDS:
        value = rule.get(field)
        if not is_group and (not isinstance(value, str) or not value.strip()):
            problems.add(where, f"{field} is required")
        elif is_group and value is not None and not isinstance(value, str):
            problems.add(where, f"{field} must be text")
    if not is_group or "value" in rule:
        _check_params(where, rule.get("value"), problems)
    if is_group and depth == 0:
        for number, child in enumerate(rule["child"], start=1):
            _check_rule(f"{where}.child[{number}]", child, problems, depth=depth + 1)


def _check_group(where: str, rule: dict, problems: _Problems, *, depth: int) -> bool:
    """Check `condition` + `child`, which come together; True for a rule group."""
    has_child, has_condition = "child" in rule, "condition" in rule
    if not has_child and not has_condition:
        return False
    if not has_child:
        problems.add(where, "condition is given without child (omit both for a plain rule)")
        return False
    child = rule["child"]
    if not isinstance(child, list) or not child:
        problems.add(
            where, "child must be a non-empty list (omit condition and child for a plain rule)"
        )
        return False
    if depth > 0:
        problems.add(where, "a rule inside a group cannot have child rules (one level deep only)")
        return False
    if not has_condition:
        problems.add(where, "condition is required with child (and/or)")
    else:
        _check_condition(where, rule, problems)
    return True


def _check_params(where: str, params: Any, problems: _Problems) -> None:
    if not isinstance(params, list):
        problems.add(where, "value is required: a list of {name, value} parameters")
        return
    for number, param in enumerate(params, start=1):
        here = f"{where}.value[{number}]"
        if not isinstance(param, dict):
            problems.add(here, "must be an object with name and value")
            continue
        _check_unknown(here, param, PARAM_FIELDS, problems)
        name = param.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.add(here, "name is required")
        value = param.get("value")
        if "value" not in param:
            problems.add(here, "value is required")
        elif isinstance(value, bool) or not isinstance(value, str | int):
            problems.add(here, f"value must be text or a whole number, not {_shown(value)}")


def _check_condition(where: str, data: dict, problems: _Problems) -> None:
    value = data.get("condition")
    if value is None:
        problems.add(where, 'condition is required ("and" or "or")')
    elif value not in CONDITIONS:
        problems.add(where, f'condition must be "and" or "or", not {_shown(value)}')


def _check_id(where: str, field: str, value: Any, problems: _Problems) -> None:
    if value is None:
        problems.add(where, f"{field} is required (a database id)")
    elif not _is_int(value) or value < 1:
        problems.add(where, f"{field} must be a whole number of 1 or more, not {_shown(value)}")


def _check_int(
    where: str, data: dict, field: str, low: int, high: int | None, problems: _Problems
) -> int | None:
    """Check a required integer in [low, high]; return it if it is fine."""
    value = data.get(field)
    if value is None:
        problems.add(where, f"{field} is required")
        return None
    if not _is_int(value) or value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        problems.add(where, f"{field} must be a whole number {bounds}, not {_shown(value)}")
        return None
    return value


def _check_unknown(where: str, data: dict, known: frozenset[str], problems: _Problems) -> None:
    for key in data:
        if key not in known:
            problems.add(where, f"unknown field {key!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A value as JSON would write it, shortened: messages quote what was sent."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- demo data ------------------------------------------------------------------------


def _demo_segments() -> dict[int, dict]:
    demo = [
        (1, "All customers", 1, 1200),
        (2, "Newsletter readers", 2, 340),
        (3, "Loyalty club members", 5, 85),
    ]
    return {
        segment_id: {
            "id": segment_id,
            "name": name,
            "kind": "static",
            "count": count,
            "payload": {
                "name": name,
                "is_static": True,
                "is_refresh_daily": False,
                "list_id": list_id,
            },
        }
        for segment_id, name, list_id, count in demo
    }


def _demo_databases() -> dict[int, dict]:
    names = {1: "Customers", 2: "Newsletter", 5: "Loyalty club"}
    return {i: {"id": i, "name": name, "ui_tags": [], "Groups": []} for i, name in names.items()}


def _demo_resources() -> dict[int, dict]:
    names = {1: "Main newsletter", 2: "Transactional mail"}
    return {i: {"id": i, "name": name, "groups": []} for i, name in names.items()}


# --- faults ---------------------------------------------------------------------------


class Fault(StrEnum):
    """The ways the sandbox can misbehave. Every fault but REFUSE reads the
    whole request first (so it is in `received`); none of them handles it
    (no segment is created) unless set with `process=True`, except SLOW and
    TRICKLE, which handle it at once and only hold the answer back."""

    REFUSE = "refuse"  # nothing listens on the port: connections are refused
    TIMEOUT = "timeout"  # never answer, until the client hangs up (at most hold_seconds)
    SLOW = "slow"  # the normal answer, after `delay` seconds
    TRICKLE = "trickle"  # the normal answer, one byte every `delay` seconds
    RESET = "reset"  # reset the connection (TCP RST) instead of answering
    HTTP_500 = "http-500"  # an HTML "500 Internal Server Error" page
    HTTP_502 = "http-502"  # an HTML "502 Bad Gateway" page, as a proxy sends
    HTML_200 = "html-200"  # an HTML page with HTTP 200 (a maintenance or login page)
    INVALID_JSON = "invalid-json"  # HTTP 200, JSON cut off halfway
    INVALID_XML = "invalid-xml"  # HTTP 200, XML cut off halfway
    ERROR_400 = "error-400"  # Altcraft's envelope with error 400 and its text
    ERROR_401 = "error-401"
    ERROR_402 = "error-402"
    ERROR_403 = "error-403"
    XXE = "xxe"  # HTTP 200, XML whose DTD declares an entity read from file:///etc/passwd


ERROR_TEXTS = {
    400: "Incorrect request",
    401: "API token required",
    402: "Tariff limit reached",
    403: "Access denied",
}
ERROR_FAULTS = {
    Fault.ERROR_400: 400,
    Fault.ERROR_401: 401,
    Fault.ERROR_402: 402,
    Fault.ERROR_403: 403,
}
# Faults that answer late rather than wrongly: the request is handled as usual.
LATE_FAULTS = frozenset({Fault.SLOW, Fault.TRICKLE})
DEFAULT_DELAY = 5.0
# The longest a fault keeps a connection open (TIMEOUT, SLOW, TRICKLE), so a
# client that never hangs up cannot pin a thread for ever.
HOLD_SECONDS = 60.0

HTML_TYPE = "text/html; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
PAGE_500 = (
    b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
    b"<body><h1>Internal Server Error</h1><p>The server encountered an internal error "
    b"and was unable to complete your request.</p></body></html>\n"
)
PAGE_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
PAGE_200 = (
    b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head>\n"
    b"<body><h1>Altcraft is under maintenance</h1><p>Please come back later.</p>"
    b"</body></html>\n"
)
BROKEN_JSON = b'{"data": {"saved_id": 4}, "error": 0, "error_text": "Successful'
BROKEN_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<xml><data><saved_id>4</saved_id></data><error>0</error><error_text>Successful"
)
# A parser that resolved the entity would show the file in an error message.
XXE_ANSWER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b"<xml><data><saved_id>4</saved_id><name>&xxe;</name></data>"
    b"<error>400</error><error_text>&xxe;</error_text></xml>\n"
)


@dataclass
class FaultPlan:
    """The fault in force: for which methods (None: all), for how many more
    requests (None: until cleared), and its options."""

    fault: Fault
    methods: frozenset[str] | None = None
    times: int | None = None
    delay: float = DEFAULT_DELAY
    status: int | None = None
    process: bool = False


@dataclass(frozen=True)
class Reply:
    """What to do with one request: send this answer, after `fault`'s
    misbehaviour (None: at once)."""

    status: int
    content: bytes
    content_type: str
    fault: Fault | None = None
    delay: float = 0.0


def fault_plan(
    fault: Fault | str,
    *,
    methods: Iterable[str] | None = None,
    times: int | None = None,
    delay: float = DEFAULT_DELAY,
    status: int | None = None,
    process: bool = False,
) -> FaultPlan:
    """A checked FaultPlan; ValueError names what does not fit."""
    fault = Fault(fault)
    if times is not None and times < 1:
        raise ValueError(f"times must be 1 or more, not {times}")
    if delay < 0:
        raise ValueError(f"delay must be 0 or more seconds, not {delay}")
    if status is not None and fault not in ERROR_FAULTS:
        raise ValueError(f"status only applies to the error faults, not to {fault}")
    if status is not None and not 100 <= status <= 599:
        raise ValueError(f"status must be an HTTP status (100-599), not {status}")
    if fault is Fault.REFUSE and (methods is not None or times is not None or process):
        # A refused connection never shows which method it was for, nor is it counted.
        raise ValueError("refuse applies to every connection until cleared")
    if isinstance(methods, str):
        methods = [methods]
    chosen = frozenset(m.strip("/") for m in methods) if methods is not None else None
    return FaultPlan(fault, chosen, times, delay, status, process)


# --- the server -----------------------------------------------------------------------


class SandboxServer:
    """The sandbox on a real socket. Bound on creation (port 0 picks a free
    port, see `url`); `start()` serves from a daemon thread, `serve_forever()`
    blocks the calling one until `stop()` or Ctrl-C."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, token: str = DOCS_TOKEN):
        self.token = token
        self.received: list[Received] = []
        self.segments: dict[int, dict] = _demo_segments()
        self.databases: dict[int, dict] = _demo_databases()
        self.resources: dict[int, dict] = _demo_resources()
        self.hold_seconds = HOLD_SECONDS
        self._lock = threading.Lock()
        self._next_id = max(self.segments) + 1
        self._plan: FaultPlan | None = None
        # Guards the listener, which REFUSE closes and clearing it reopens.
        self._listener_lock = threading.RLock()
        self._serving = False
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._httpd: _HTTPServer | None = self._bind((host, port))
        # Kept so that a reopened listener takes the same port (and `url` holds).
        self._address: tuple[str, int] = self._httpd.server_address[:2]
        self._methods: dict[str, Callable[[dict], dict]] = {
            "segments/add": self._segments_add,
            "segments/get": self._segments_get,
            "segments/list": self._segments_list,
            "databases/list": self._databases_list,
            "resources/list": self._resources_list,
        }

    def __repr__(self) -> str:
        return f"SandboxServer(url={self.url!r})"  # never the token

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
            options = {"delay": delay, "status": status, "process": process}
            plan = fault_plan(fault, methods=methods, times=times, **options)
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
        with self._lock:
            saved_id = max(self._next_id, max(self.segments, default=0) + 1)
            self._next_id = saved_id + 1
            self.segments[saved_id] = {
                "id": saved_id,
                "name": params["name"],
                "kind": segment_kind(params),
                "count": 0,
                "payload": params,
            }
        return {"data": {"saved_id": saved_id}}

    def _segments_get(self, params: dict) -> dict:
        segment_id = params.get("id")
        if not _is_int(segment_id):
            raise Refusal(400, f"Incorrect request: id is required, not {_shown(segment_id)}")
        with self._lock:
            record = self.segments.get(segment_id)
        if record is None:
            raise Refusal(400, f"Incorrect request: segment {segment_id} not found")
        return {"data": _segment_details(segment_id, record)}

    def _segments_list(self, params: dict) -> dict:
        with self._lock:
            items = [_segment_item(i, record) for i, record in self.segments.items()]
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
