"""The ways the sandbox can misbehave, as a network or Altcraft can."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


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
