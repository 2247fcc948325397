"""What Altcraft prints, read as a segment to import: a create payload, an
update payload (with the segment's `id`), or a `segments/get` answer (the
envelope `{"data": …, "error": 0, …}` or its `data` alone), in JSON or XML.

The rules come out as a payload that Segment.from_payload reads; the id is
offered to the user ("edit segment N" or "create a new one"), and the fields
Altcraft only reports (`count`, `description`, …) are kept aside to be shown,
never sent. Altcraft's XML get example prints text values inside literal
double quotes (`<name>"Test segment1"</name>`): such quotes are taken off,
and the import says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from segbuilder.altcraft.codec import INTEGER_FIELDS, PARAMS_TAG
from segbuilder.altcraft.messages import gettext_noop

# Fields a get answer reports that a create or update does not take.
READ_ONLY_FIELDS = ("count", "description", "ui_tags", "Groups", "groups", "created",
                    "updated", "type", "status")
ENVELOPE_FIELDS = frozenset({"data", "error", "error_text"})
MAX_ID = 2**63 - 1

UNQUOTED = gettext_noop("Quotes around whole values were taken off (Altcraft's XML get "
                        "example prints values that way).")
GET_ANSWER = gettext_noop("Read from a segments/get answer of Altcraft.")
_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,18})", re.ASCII)


class NotASegment(ValueError):
    """What was pasted is an Altcraft answer that holds no segment: `template`
    and `params` say why (messages as data)."""

    def __init__(self, template: str, **params: Any):
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


@dataclass
class Printed:
    payload: dict  # what Segment.from_payload reads: name, kind flags, rules
    segment_id: int | None = None  # the segment an update or a get answer is about
    read_only: dict[str, Any] = field(default_factory=dict)  # shown, never sent
    notes: list[str] = field(default_factory=list)  # templates (gettext_noop)


def printed_segment(decoded: dict, *, fmt: str) -> Printed:
    """The segment in `decoded` (what the codec read from a paste)."""
    notes: list[str] = []
    data = decoded
    if _is_envelope(decoded):
        error = decoded.get("error", 0)
        if error not in (0, "0", None):
            raise NotASegment(
                gettext_noop("This is an error answer of Altcraft (error %(code)s: %(text)s), "
                             "not a segment."),
                code=error, text=str(decoded.get("error_text", ""))[:200])
        data = decoded["data"]
        if not isinstance(data, dict):
            raise NotASegment(gettext_noop("This Altcraft answer holds no segment."))
        notes.append(GET_ANSWER)
    if fmt == "xml":
        data, unquoted = _unquoted(data)
        if unquoted:
            notes.append(UNQUOTED)
    payload = {key: value for key, value in data.items()
               if key != "id" and key not in READ_ONLY_FIELDS}
    read_only = {key: data[key] for key in READ_ONLY_FIELDS if key in data}
    return Printed(payload, _segment_id(data.get("id")), read_only, notes)


def _is_envelope(decoded: dict) -> bool:
    return ("data" in decoded and set(decoded) <= ENVELOPE_FIELDS | {"format", "token"}
            and ("error" in decoded or "error_text" in decoded))


def _segment_id(value: Any) -> int | None:
    if isinstance(value, str) and _CANONICAL_INTEGER.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
        return value
    if value is None:
        return None
    raise NotASegment(gettext_noop("The segment id %(value)s is not a whole number of 1 or "
                                   "more."), value=repr(value)[:40])


def _unquoted(value: Any, key: str = "", parent: str = "") -> tuple[Any, bool]:
    """`value` with the quotes taken off every text wholly inside them (and
    such a text read as the number it holds where XML numbers are read)."""
    if isinstance(value, dict):
        pairs = [(k, *_unquoted(v, k, key)) for k, v in value.items()]
        return {k: v for k, v, _ in pairs}, any(changed for _, _, changed in pairs)
    if isinstance(value, list):
        items = [_unquoted(item, key, parent) for item in value]
        return [v for v, _ in items], any(changed for _, changed in items)
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        numeric = key in INTEGER_FIELDS or (key == "value" and parent == PARAMS_TAG)
        if numeric and _CANONICAL_INTEGER.fullmatch(inner):
            return int(inner), True
        return inner, True
    return value, False
