"""A small Altcraft look-alike for tests and demos.

It serves the few methods of the user API that the builder uses, under
`/api/v1.1/`, with JSON or XML bodies, and checks `segments/add/` requests on
its own, from shared/altcraft/API.md and the docs' page. It deliberately does
not reuse the application's validation (segment.py): it is the independent
check of what the application sends, so it is at least as strict as the docs
(unknown fields, missing fields and wrong types are all refused) and reports
every problem of a request at once, each with where it is:
`segment[1].queries[2]: operator is required` (positions count from 1).

Modules: `rules` (the check of a request), `faults` (the ways it misbehaves),
`store` (its segments, optionally kept in a file), `server` (the socket and
the methods). `segments/update/` replaces a segment's name and rules; its kind
and databases cannot change (error 400), nor can an unknown id be updated.

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

from segbuilder.altcraft.sandbox.faults import (
    DEFAULT_DELAY,
    ERROR_TEXTS,
    LATE_FAULTS,
    Fault,
    fault_plan,
)
from segbuilder.altcraft.sandbox.rules import segment_kind, segment_problems
from segbuilder.altcraft.sandbox.server import DOCS_TOKEN, Received, SandboxServer

__all__ = [
    "DEFAULT_DELAY", "DOCS_TOKEN", "ERROR_TEXTS", "LATE_FAULTS", "Fault", "Received",
    "SandboxServer", "fault_plan", "segment_kind", "segment_problems",
]
