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
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
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


# --- the server -----------------------------------------------------------------------


class SandboxServer:
    """The sandbox on a real socket. Bound on creation (port 0 picks a free
    port, see `url`); `start()` serves from a daemon thread, `serve_forever()`
    from the calling one."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, token: str = DOCS_TOKEN):
        self.token = token
        self.received: list[Received] = []
        self.segments: dict[int, dict] = _demo_segments()
        self.databases: dict[int, dict] = _demo_databases()
        self.resources: dict[int, dict] = _demo_resources()
        self._lock = threading.Lock()
        self._next_id = max(self.segments) + 1
        self._thread: threading.Thread | None = None
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
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
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"

    def start(self) -> SandboxServer:
        # A short poll interval keeps stop() (and so each test) quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="altcraft-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- one request ------------------------------------------------------------------

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        """HTTP status, body and content type of the answer to one POST."""
        method = path.split("?", 1)[0].removeprefix(API_PREFIX).strip("/")
        content_type = headers.get("Content-Type", "")
        params, problem = _parse_body(body, content_type)
        self._record(Received(method, content_type, body, _without_transport(params)))
        fmt = "xml" if params.get("format") == "xml" else "json"
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
        status, content, content_type = self.server.sandbox.answer(self.path, self.headers, body)
        self._send(status, content, content_type)

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
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        # http.server's own access log would go to stderr; the sandbox logs
        # method and result itself.
        pass


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
