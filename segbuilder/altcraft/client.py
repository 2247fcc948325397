"""The HTTP client of the Altcraft user API: the only code that talks to Altcraft.

Every call is one POST of `{base_url}{method}/` with the parameters and the
token in the body (JSON or XML, see shared/altcraft/API.md). What can go wrong
is sorted by what it means for the user:

- `Rejected`: Altcraft answered and refused (`error` != 0); nothing was created.
- `FailedBeforeSending`: no connection was made, so nothing reached Altcraft;
  these are retried a few times with a growing pause, and safe to retry later.
- `OutcomeUnknown`: the request may have reached Altcraft (read timeout, reset,
  a server error (HTTP 5xx), an answer we cannot read). A create is never
  resent automatically: every `segments/add/` makes a new segment and there is
  no idempotency key.

The token is never logged and never part of a message: any text Altcraft sends
back has it masked before we keep it.

Time: `timeout` bounds the connect (at most CONNECT_TIMEOUT_CAP) and each
wait for answer bytes; `total_timeout` bounds the whole call, retries included.
Per-operation timeouts alone are not enough: a server that drips its answer a
byte at a time resets the read timeout with each byte and could hold a gunicorn
worker past its own timeout. So the answer is read as it arrives and the
deadline is checked each time a piece of it comes in: a drip is stopped at its
first byte past the deadline, a silence by the read timeout. By default the
total leaves room for every retry to time out on connect and for a last attempt
of a connect plus twice `timeout`, but is never more than MAX_TOTAL_TIMEOUT:
25 s for the default ALTCRAFT_TIMEOUT of 10 s.

Two waits are outside the deadline, because only a thread or a patched library
could cut them short: the status line and headers, which Python's http.client
reads with the read timeout alone, and the DNS lookup of the host name, which
the system resolver does within its own limits (`timeout` and `attempts` in
/etc/resolv.conf). A lookup that fails means nothing was sent.
"""

from __future__ import annotations

import functools
import logging
import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.exceptions import NameResolutionError, NewConnectionError

from segbuilder.altcraft import codec

logger = logging.getLogger(__name__)

# The most of an answer we keep (for history and error reports), in characters.
RAW_ANSWER_CAP = 64 * 1024
# The most read from the socket at once.
READ_CHUNK_BYTES = 64 * 1024
# A run of this many characters of the token is masked, not only the whole
# token: an echo cut short still shows no usable part of it.
PARTIAL_TOKEN_RUN = 8
# Connect timeout: a little over a multiple of 3 s, the TCP retransmit window.
CONNECT_TIMEOUT_CAP = 3.05
# The time a whole call is given, retries included, leaving time within
# gunicorn's timeout to save the history row and render the page that tells the
# user what happened. It is checked as the answer comes in, so a call ends at
# most one read timeout past it (the head and the DNS lookup aside: see above).
MAX_TOTAL_TIMEOUT = 25.0
MASK = "***"
# Altcraft's ids, and ours in the history, are 64-bit integers.
MAX_ID = 2**63 - 1
CREATE_METHODS = frozenset({"segments/add"})


def update_request(segment_id: int, payload: dict) -> dict:
    """The `segments/update/` request for a create payload: the id, the name
    and the rules (API.md); a static segment has no rules, and its database
    (`list_id`) goes along as the update of a static segment needs it. The
    kind and the databases stay as they are in Altcraft."""
    request = {"id": segment_id, "name": payload["name"]}
    if payload.get("is_static") and not payload.get("is_refresh_daily"):
        request["list_id"] = payload.get("list_id")
    else:
        request["segment"] = payload.get("segment", [])
    return request


class AltcraftError(Exception):
    """Base of every client error; str() is a plain-English message."""


class Rejected(AltcraftError):
    """Altcraft answered and refused the request (`error` != 0, or an HTTP 4xx)."""

    def __init__(self, message: str, *, code: int | None, error_text: str, answer: str = ""):
        super().__init__(message)
        self.code = code
        self.error_text = error_text
        self.answer = answer


class FailedBeforeSending(AltcraftError):
    """No connection was made: nothing reached Altcraft, so it is safe to retry.
    `retryable` is False when trying again cannot help (a malformed URL)."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class OutcomeUnknown(AltcraftError):
    """The request may have reached Altcraft; never resend it automatically."""

    def __init__(self, message: str, *, answer: str = ""):
        super().__init__(message)
        self.answer = answer


@dataclass(frozen=True)
class Answer:
    """A successful answer: `data` is the envelope's data, `raw` the body as
    text (capped), `envelope` the whole decoded answer (paging fields)."""

    data: Any
    raw: str
    status: int
    elapsed_ms: int
    envelope: dict[str, Any] = field(default_factory=dict, repr=False)


def with_token(payload: dict, token: str) -> dict:
    """The payload with the token as its last key, as the docs' examples put it.
    The preview shows it with token="***"."""
    return {**{key: value for key, value in payload.items() if key != "token"}, "token": token}


@dataclass(frozen=True)
class _Body:
    status: int
    content: bytes
    too_large: bool
    elapsed_ms: int
    content_type: str = ""


class AltcraftClient:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float,
        retries: int = 2,
        backoff: float = 0.2,
        total_timeout: float | None = None,
        session: requests.Session | None = None,
    ):
        """`timeout` bounds each connect (at most CONNECT_TIMEOUT_CAP) and each
        wait for answer bytes; `total_timeout` the whole call, retries included
        (default: see the module's docstring)."""
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._token = token
        self.timeout = timeout
        self.connect_timeout = min(CONNECT_TIMEOUT_CAP, timeout)
        self.retries = retries
        self.backoff = backoff
        self.total_timeout = (
            total_timeout if total_timeout is not None else self._default_total_timeout()
        )
        self.session = session or requests.Session()

    def _default_total_timeout(self) -> float:
        """Room for every retry to time out on connect, then for a last attempt
        whose answer starts within `timeout` and trickles in for another
        `timeout`; never more than MAX_TOTAL_TIMEOUT."""
        retrying = self.retries * self.connect_timeout + self.backoff * (2**self.retries - 1)
        return min(MAX_TOTAL_TIMEOUT, retrying + self.connect_timeout + 2 * self.timeout)

    def __repr__(self) -> str:
        # Never the token: reprs end up in logs and tracebacks.
        return (
            f"AltcraftClient(base_url={self.base_url!r}, timeout={self.timeout}, "
            f"total_timeout={self.total_timeout})"
        )

    @classmethod
    def from_settings(cls) -> AltcraftClient:
        from django.conf import settings

        return cls(
            base_url=settings.ALTCRAFT_API_URL,
            token=settings.ALTCRAFT_API_TOKEN,
            timeout=settings.ALTCRAFT_TIMEOUT,
        )

    # --- methods of the API ---------------------------------------------------

    def segment_add(self, payload: dict, *, fmt: str = "json") -> Answer:
        """Create a segment; the new id is `answer.data["saved_id"]`."""
        answer = self.call("segments/add", payload, fmt=fmt)
        saved_id = answer.data.get("saved_id") if isinstance(answer.data, dict) else None
        if isinstance(saved_id, bool) or not isinstance(saved_id, int):
            raise OutcomeUnknown(
                "Altcraft reported success but its answer carries no segment id (saved_id). "
                "The segment was probably created: check Altcraft's segment list before "
                "trying again.",
                answer=answer.raw,
            )
        if not 1 <= saved_id <= MAX_ID:
            raise OutcomeUnknown(
                f"Altcraft reported success but its segment id ({_shorten(str(saved_id), 40)}) "
                "is not one a segment can have. The segment was probably created: check "
                "Altcraft's segment list before trying again.",
                answer=answer.raw,
            )
        return answer

    def segment_update(self, segment_id: int, payload: dict, *, fmt: str = "json") -> Answer:
        """Replace the name and rules of segment `segment_id` with those of
        `payload` (a create payload, Segment.to_payload())."""
        return self.call("segments/update", update_request(segment_id, payload), fmt=fmt)

    def segment_get(self, segment_id: int) -> dict:
        return self.call("segments/get", {"id": segment_id}).data

    # The list methods take a `deadline` (a time.monotonic() value) for the
    # whole list: each page gets only what is left of it, and TimeoutError is
    # raised, before a page is asked for, once nothing is left.

    def segments_list(self, *, page_size: int = 1000, fmt: str = "json",
                      deadline: float | None = None) -> Iterator[dict]:
        return self._pages("segments/list", page_size=page_size, fmt=fmt, deadline=deadline)

    def databases_list(self, *, page_size: int = 1000, fmt: str = "json",
                       deadline: float | None = None) -> Iterator[dict]:
        return self._pages("databases/list", page_size=page_size, fmt=fmt, deadline=deadline)

    def resources_list(self, *, page_size: int = 1000, fmt: str = "json",
                       deadline: float | None = None) -> Iterator[dict]:
        return self._pages("resources/list", page_size=page_size, fmt=fmt, deadline=deadline)

    def _pages(self, method: str, *, page_size: int, fmt: str,
               deadline: float | None) -> Iterator[dict]:
        """Every item of a list method, following `next_from_id` until it is
        0 or absent (or stops moving forward, so a faulty server cannot loop us)."""
        from_id = 1
        while True:
            params = {"from_id": from_id, "limit": page_size}
            answer = self.call(method, params, fmt=fmt, deadline=deadline)
            items = _as_list(answer.data)
            yield from items
            next_from_id = _as_int(answer.envelope.get("next_from_id"))
            if not items or not next_from_id or next_from_id <= from_id:
                return
            from_id = next_from_id

    # --- transport --------------------------------------------------------------

    def call(self, method: str, params: dict, *, fmt: str = "json",
             deadline: float | None = None) -> Answer:
        """POST one method and return its answer, or raise an AltcraftError;
        within `total_timeout`, and before `deadline` when one is given
        (TimeoutError, nothing sent, when it has passed already)."""
        method = method.strip("/")
        try:
            body = codec.encode(with_token(params, self._token), fmt)
        except codec.CodecError as error:
            raise FailedBeforeSending(
                f"The request could not be written as {fmt.upper()} ({error}). Nothing was "
                f"sent, so {_nothing_changed(method)}",
                retryable=False,
            ) from None
        headers = {"Content-Type": codec.CONTENT_TYPES[fmt], "Accept": "application/json, */*"}
        call_deadline = time.monotonic() + self.total_timeout
        if deadline is not None:
            if deadline <= time.monotonic():
                raise TimeoutError(f"no time was left to ask Altcraft's {method}")
            call_deadline = min(call_deadline, deadline)
        received = self._send(method, body, headers, call_deadline)
        return self._read_answer(method, received)

    def _send(self, method: str, body: bytes, headers: dict[str, str],
              deadline: float) -> _Body:
        """Send with retries of the failures that happen before anything is
        sent, all before `deadline`."""
        allowed = deadline - time.monotonic()  # what the messages say it had
        attempts = 0
        while True:
            attempts += 1
            try:
                return self._send_once(method, body, headers, deadline, allowed)
            except FailedBeforeSending as error:
                pause = self.backoff * 2 ** (attempts - 1)
                if attempts > self.retries or not error.retryable:
                    raise _after_attempts(error, attempts) from None
                # A retry is only worth it with time for a whole attempt left:
                # one cut short after connecting would turn "nothing was sent"
                # into "the outcome is unknown".
                if deadline - time.monotonic() - pause < self.connect_timeout + self.timeout:
                    raise _after_attempts(error, attempts) from None
                logger.info("Altcraft %s: retrying in %.2f s", method, pause)
                time.sleep(pause)

    def _send_once(
        self, method: str, body: bytes, headers: dict[str, str], deadline: float, allowed: float
    ) -> _Body:
        url = f"{self.base_url}{method}/"
        started = time.monotonic()
        left = max(deadline - started, 0.001)
        try:
            response = self.session.post(
                url,
                data=body,
                headers=headers,
                timeout=(min(self.connect_timeout, left), min(self.timeout, left)),
                stream=True,
                # A redirected POST may be replayed or turned into a GET: never follow.
                allow_redirects=False,
            )
            with response:
                content, too_large = _read_capped(response, deadline)
        except (requests.RequestException, urllib3.exceptions.HTTPError, _OutOfTime) as error:
            elapsed_ms = _ms_since(started)
            out_of_time = isinstance(error, _OutOfTime) or time.monotonic() >= deadline
            failure = self._classify(method, error, out_of_time=out_of_time, allowed=allowed)
            logger.warning(
                "Altcraft %s failed after %d ms: %s", method, elapsed_ms, type(failure).__name__
            )
            raise failure from None
        elapsed_ms = _ms_since(started)
        logger.info("Altcraft %s: HTTP %s in %d ms", method, response.status_code, elapsed_ms)
        content_type = response.headers.get("Content-Type", "")
        return _Body(response.status_code, content, too_large, elapsed_ms, content_type)

    def _classify(
        self, method: str, error: BaseException, *, out_of_time: bool = False,
        allowed: float | None = None,
    ) -> AltcraftError:
        """What a failed attempt means. Only a connection never made (refused,
        DNS, connect timeout) or a certificate refused in the handshake proves
        that nothing was sent; anything later may have reached Altcraft."""
        where = self._where()
        if isinstance(error, _BAD_URL_ERRORS):
            return FailedBeforeSending(
                f"The Altcraft address is not a valid URL ({type(error).__name__}). Nothing "
                f"was sent, so {_nothing_changed(method)} Check ALTCRAFT_API_URL.",
                retryable=False,
            )
        certificate = _certificate_refused(error)
        if certificate or _never_connected(error):
            reason = "its certificate was not accepted" if certificate else _connect_reason(error)
            return FailedBeforeSending(
                f"Could not connect to Altcraft at {where} ({reason}). Nothing was sent, "
                f"so {_nothing_changed(method)} It is safe to try again.",
                # A certificate does not change between two tries a second apart.
                retryable=not certificate,
            )
        if out_of_time:
            seconds = self.total_timeout if allowed is None else allowed
            what = f"Altcraft at {where} did not finish answering within {_seconds(seconds)} s"
        elif isinstance(error, _READ_TIMEOUTS):
            what = f"Altcraft at {where} did not answer within {self.timeout:g} s"
        elif isinstance(error, _TLS_ERRORS):
            what = (
                f"The secure connection (TLS) to Altcraft at {where} failed "
                f"({_tls_reason(error)}); check ALTCRAFT_API_URL"
            )
        else:
            what = f"The connection to Altcraft at {where} broke off before its answer arrived"
        return OutcomeUnknown(f"{what}. The request may have reached Altcraft: {_maybe(method)}")

    def _where(self) -> str:
        # Host and port only: a URL could carry credentials in its user part.
        parts = urlsplit(self.base_url)
        return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "?"

    # --- answers ------------------------------------------------------------------

    def _read_answer(self, method: str, body: _Body) -> Answer:
        # Masked whole, then cut: a cut first could leave a prefix of the token
        # that no mask matches.
        text = body.content.decode("utf-8", errors="replace")
        raw = mask_token(text, self._token)[:RAW_ANSWER_CAP]
        envelope, problem = (None, "") if body.too_large else _decode_envelope(body, self._token)
        if envelope is not None and body.status >= 500:
            # A server error may strike after the segment was saved, whatever
            # the envelope says: the outcome is unknown.
            error_text = self._mask(str(envelope.get("error_text") or "no error text"))
            raise OutcomeUnknown(
                f"Altcraft answered HTTP {body.status} (a server error: "
                f"{_shorten(error_text, 200)}). The request may have reached Altcraft: "
                f"{_maybe(method)}",
                answer=raw,
            )
        if envelope is not None:
            code = _as_int(envelope.get("error"))
            if code == 0:
                return Answer(envelope.get("data"), raw, body.status, body.elapsed_ms, envelope)
            error_text = self._mask(str(envelope.get("error_text") or "no error text"))
            raise Rejected(
                f"Altcraft refused the request (error {code}: {_shorten(error_text)}). "
                f"{_refused(method)}{_code_hint(code)}",
                code=code,
                error_text=error_text,
                answer=raw,
            )
        return self._unreadable(method, body, raw, self._mask(problem))

    def _unreadable(self, method: str, body: _Body, raw: str, problem: str) -> Answer:
        """An answer without a readable envelope: what it means depends on the status."""
        status = body.status
        if body.too_large:
            why = "is too large to read"
        else:
            why = "is not a readable Altcraft answer" + (f" ({problem})" if problem else "")
        if 400 <= status < 500:
            error_text = f"HTTP {status} without an Altcraft answer"
            raise Rejected(
                f"Altcraft answered HTTP {status} ({_status_hint(status)}). {_refused(method)}",
                code=status,
                error_text=error_text,
                answer=raw,
            )
        if status >= 500:
            message = f"Altcraft answered HTTP {status} without an Altcraft answer"
        elif 300 <= status < 400:
            message = f"Altcraft answered with a redirect (HTTP {status}); check ALTCRAFT_API_URL"
        else:
            message = f"Altcraft answered HTTP {status}, but the answer {why}"
        raise OutcomeUnknown(
            f"{message}. The request may have reached Altcraft: {_maybe(method)}", answer=raw
        )

    def _mask(self, text: str) -> str:
        return mask_token(text, self._token)


_BAD_URL_ERRORS = (
    requests.exceptions.URLRequired,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
)
# requests raises its own errors until the headers are in; reading the body
# afterwards raises urllib3's.
_READ_TIMEOUTS = (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError)
_TLS_ERRORS = (requests.exceptions.SSLError, urllib3.exceptions.SSLError)


class _OutOfTime(Exception):
    """The call's deadline passed while its answer was still coming in."""


def _read_capped(response: requests.Response, deadline: float) -> tuple[bytes, bool]:
    """The body, at most codec.MAX_BODY_BYTES + 1 bytes of it, and whether it
    was longer. `read1` hands over whatever has arrived (iter_content would wait
    for a whole chunk, which a drip never fills), so the deadline is checked
    each time a piece comes in."""
    limit = codec.MAX_BODY_BYTES
    chunks: list[bytes] = []
    size = 0
    while chunk := response.raw.read1(READ_CHUNK_BYTES, decode_content=True):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[: limit + 1], True
        if time.monotonic() > deadline:
            raise _OutOfTime
    return b"".join(chunks), False


def mask_token(text: str, token: str) -> str:
    """`text` with every stretch that is the token, or PARTIAL_TOKEN_RUN or more
    of its characters in a row, replaced by one MASK."""
    if not token or not text:
        return text
    pieces, any_piece = _token_pieces(token)
    if not any_piece.search(text):  # the usual case, in one scan
        return text
    run = len(next(iter(pieces)))
    stretches: list[list[int]] = []
    for start in sorted(_starts(text, pieces)):
        if stretches and start <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], start + run)
        else:
            stretches.append([start, start + run])
    parts: list[str] = []
    kept = 0
    for start, end in stretches:
        parts += [text[kept:start], MASK]
        kept = end
    return "".join([*parts, text[kept:]])


@functools.lru_cache(maxsize=4)
def _token_pieces(token: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """Every run of PARTIAL_TOKEN_RUN characters of the token (the token itself
    if shorter), and a pattern that finds any of them. Every longer piece of
    the token is covered by the runs it is made of."""
    run = min(PARTIAL_TOKEN_RUN, len(token))
    pieces = frozenset(token[index : index + run] for index in range(len(token) - run + 1))
    return pieces, re.compile("|".join(map(re.escape, sorted(pieces))))


def _starts(text: str, pieces: frozenset[str]) -> Iterator[int]:
    """Where each of `pieces` starts in `text`, overlaps included."""
    for piece in pieces:
        start = text.find(piece)
        while start != -1:
            yield start
            start = text.find(piece, start + 1)


def _masked(value: Any, token: str) -> Any:
    """A decoded answer with the token masked in every text, keys included."""
    if isinstance(value, str):
        return mask_token(value, token)
    if isinstance(value, dict):
        return {_masked(key, token): _masked(item, token) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, token) for item in value]
    return value


def _never_connected(error: BaseException) -> bool:
    """True when no TCP connection was made (refused, DNS failure, connect
    timeout): urllib3 raises NewConnectionError for the first two (the DNS one
    is NameResolutionError), requests ConnectTimeout for the last."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    return any(isinstance(cause, NewConnectionError) for cause in _causes(error))


def _certificate_refused(error: BaseException) -> bool:
    # Certificates are checked in the handshake, before the request is written.
    return any(isinstance(cause, ssl.SSLCertVerificationError) for cause in _causes(error))


def _connect_reason(error: BaseException) -> str:
    for cause in _causes(error):
        if isinstance(cause, NameResolutionError):
            return "the host name could not be resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, TimeoutError) or "timed out" in str(cause).lower():
            return "the connection timed out"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "the connection timed out"
    return "the connection could not be made"


def _tls_reason(error: BaseException) -> str:
    """OpenSSL's short name of the failure (WRONG_VERSION_NUMBER when the
    address speaks plain HTTP), or the error's kind."""
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLError) and cause.reason:
            return str(cause.reason)
    return type(error).__name__


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (requests and urllib3 wrap in args[0] and
    .reason), and its __cause__/__context__, each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked += list(current.args[:1])
        pending.extend(item for item in linked if isinstance(item, BaseException))


def _decode_envelope(body: _Body, token: str) -> tuple[dict[str, Any] | None, str]:
    """The decoded answer, every text in it masked, if it is an Altcraft
    envelope (a dict with an integer `error`), else None and why not, in words
    a user can read."""
    content = body.content
    if not content.strip():
        return None, "it is empty"
    if _looks_like_html(content, body.content_type):
        return None, "it is a web page, not an answer of the API"
    try:
        data = codec.decode(content)
    except codec.CodecError as error:
        if error.reason == codec.DTD_REFUSED:
            # An answer's DTD could make a parser read local files (XXE): never read.
            return None, "its XML carries a DTD, which is never read, for safety"
        kind = "XML" if content.lstrip().startswith(b"<") else "JSON"
        where = f" at line {error.line}" if error.line is not None else ""
        return None, f"its {kind} is broken{where}"
    except (ValueError, TypeError):
        return None, "it cannot be decoded"
    if not isinstance(data, dict) or _as_int(data.get("error")) is None:
        return None, "it has no error code"
    try:
        return _masked(data, token), ""
    except RecursionError:
        return None, "it is nested too deeply"


def _looks_like_html(content: bytes, content_type: str) -> bool:
    if content_type.split(";", 1)[0].strip().lower() in ("text/html", "application/xhtml+xml"):
        return True
    start = content[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))


def _after_attempts(error: FailedBeforeSending, attempts: int) -> FailedBeforeSending:
    """The last failure, saying how often we tried."""
    if attempts == 1:
        return error
    return FailedBeforeSending(f"{error} Tried {attempts} times.", retryable=error.retryable)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _as_list(data: Any) -> list[dict]:
    """List data as a list: an XML answer with one item, or none, may come back
    as a lone dict or nothing."""
    if data in (None, "", {}):
        return []
    if isinstance(data, dict):
        return [data]
    return list(data)


def _nothing_changed(method: str) -> str:
    return "no segment was created." if method in CREATE_METHODS else "nothing was changed."


def _refused(method: str) -> str:
    return "No segment was created." if method in CREATE_METHODS else "Nothing was changed."


def _maybe(method: str) -> str:
    if method in CREATE_METHODS:
        return (
            "the segment may have been created. Check Altcraft's segment list before "
            "trying again, or it may be created twice."
        )
    return "it only reads data, so it is safe to try again."


def _code_hint(code: int | None) -> str:
    return {
        401: " Check ALTCRAFT_API_TOKEN.",
        402: " The Altcraft account's tariff limit is reached.",
        403: " The API token has no access to this.",
    }.get(code or 0, "")


def _status_hint(status: int) -> str:
    return {
        401: "not authorised: check ALTCRAFT_API_TOKEN",
        403: "access denied",
        404: "not found: check ALTCRAFT_API_URL",
    }.get(status, "the request was refused")


def _seconds(value: float) -> str:
    """Seconds as people read them: 25, 1, 0.4."""
    return f"{value:.1f}".removesuffix(".0") if value < 10 else f"{round(value)}"


def _shorten(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
