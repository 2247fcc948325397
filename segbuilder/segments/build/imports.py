"""Import and clone: a pasted payload, or a past submission, read back into a
Segment that fills the builder (payload -> Segment -> forms, DESIGN.md).

Nothing is dropped silently: every field of the payload that the builder does
not keep is named in `ImportResult.not_imported`, and every problem that must be
fixed before sending is in `ImportResult.problems`. A payload that cannot be read
at all raises `PayloadUnreadable`, saying where.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from segbuilder.altcraft.codec import DTD_REFUSED, CodecError, decode
from segbuilder.altcraft.messages import Where
from segbuilder.altcraft.printed import NotASegment, printed_segment
from segbuilder.altcraft.segment import (
    TRANSPORT_FIELDS,
    Kind,
    PayloadError,
    Rule,
    Segment,
)
from segbuilder.segments.build.row_budget import (
    MAX_PARAMS_IN_RULE,
    overrun_texts,
    overruns_of_payload,
)
from segbuilder.segments.models import Submission
from segbuilder.segments.problems import (
    codec_reason,
    field_text,
    location_text,
    message_text,
    problem_text,
)

FORMAT_NAMES = {"json": "JSON", "xml": "XML"}
_XML_ROOT = re.compile(r"<xml[\s>/]")
# Shown beside a syntax error: enough of the line to recognise it.
LINE_EXCERPT_CHARS = 120


class PayloadUnreadable(ValueError):
    """A payload that cannot fill the builder. `heading` says why (and where, for
    a syntax error, with `line`/`column` and `excerpt`, the text of that line);
    `problems` lists shape or type problems, each with its location; `message`
    is all of it in one line."""

    def __init__(self, heading: str, *, line: int | None = None, column: int | None = None,
                 excerpt: str = "", problems: list[str] | None = None):
        self.heading = heading
        self.line = line
        self.column = column
        self.excerpt = excerpt
        self.problems = problems or []
        self.message = f"{heading}: {'; '.join(self.problems)}" if self.problems else heading
        super().__init__(self.message)


@dataclass(frozen=True)
class ImportResult:
    """A segment ready to fill the builder, in the request format it came in."""

    segment: Segment
    fmt: str
    # Fields of the payload the builder does not keep, as "selection 1, rule 2: foo".
    not_imported: list[str] = field(default_factory=list)
    # What must be fixed before sending (Segment.problems() and the builder's limits).
    problems: list[str] = field(default_factory=list)
    # Transport fields the paste carried (token, format): never kept, the app sets them.
    transport: list[str] = field(default_factory=list)
    # The Altcraft segment an update payload or a get answer is about: offered
    # to edit, besides creating a new one (the default).
    segment_id: int | None = None
    # Fields Altcraft only reports (count, description…): shown, never sent.
    read_only: dict[str, Any] = field(default_factory=dict)
    # How the paste was read (a get answer, quotes taken off), in words.
    notes: list[str] = field(default_factory=list)

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES.get(self.fmt, self.fmt)

    @property
    def summary(self) -> str:
        """"an updatable segment with 1 selection and 2 rules", for messages."""
        kind = self.segment.kind
        if kind is Kind.STATIC:
            return _("a static segment")
        selections, rules = len(self.segment.selections), self.segment.rule_count
        counts = {
            "selections": npgettext("with", "%(count)d selection", "%(count)d selections",
                                    selections) % {"count": selections},
            "rules": npgettext("with", "%(count)d rule", "%(count)d rules",
                               rules) % {"count": rules},
        }
        if kind is Kind.UPDATABLE:
            return _("an updatable segment with %(selections)s and %(rules)s") % counts
        return _("a dynamic segment with %(selections)s and %(rules)s") % counts


def segment_import(*, text: str) -> ImportResult:
    """Read a pasted `segments/add/` payload, JSON or XML (told apart by its first
    character), with or without its token and `format`."""
    if not text.strip():
        raise PayloadUnreadable(_("The box is empty: paste a JSON or XML payload first."))
    fmt = "xml" if text.lstrip("\ufeff \t\r\n").startswith("<") else "json"
    try:
        payload = decode(text, fmt)
    except CodecError as error:
        raise _unreadable(error, text=text, fmt=fmt) from None
    return printed_import(payload, fmt=fmt)


def printed_import(decoded: Any, *, fmt: str) -> ImportResult:
    """What Altcraft prints (a create or update payload, a segments/get answer
    or its `data`), already decoded, read into a segment."""
    if not isinstance(decoded, dict):
        return _read(decoded, fmt=fmt)  # _read says what is wrong with it
    try:
        printed = printed_segment(decoded, fmt=fmt)
    except NotASegment as error:
        raise PayloadUnreadable(message_text(error.template, error.params)) from None
    result = _read(printed.payload, fmt=fmt)
    return dataclasses.replace(
        result, segment_id=printed.segment_id, read_only=printed.read_only,
        notes=[message_text(note, {}) for note in printed.notes],
        transport=[*result.transport, *(name for name in decoded if name in TRANSPORT_FIELDS
                                        and name not in result.transport)])


def submission_clone(*, submission: Submission) -> ImportResult:
    """The segment a past submission sent, in the format it was sent in."""
    return _read(submission.payload, fmt=submission.format)


# --- reading --------------------------------------------------------------------------


def _read(payload: Any, *, fmt: str) -> ImportResult:
    # Counted before the segment and its forms are built, which a payload of
    # tens of thousands of rules would hold the worker for.
    overruns = overruns_of_payload(payload)
    if overruns:
        raise PayloadUnreadable(_("The payload is larger than the builder holds"),
                                problems=overrun_texts(overruns))
    ignored: list[Field] = []
    try:
        segment = Segment.from_payload(payload, ignored=ignored)
    except PayloadError as error:
        problems = [problem_text(problem) for problem in error.problems]
        raise PayloadUnreadable(_("The payload could not be read into a segment"),
                                problems=problems) from None
    too_big = _limit_problems(segment)
    if too_big:
        raise PayloadUnreadable(_("The payload is larger than the builder holds"),
                                problems=too_big)
    unbuildable = dict(_unbuildable(segment))  # trims the segment: compare after it
    left_out = {**dict(_dropped_by_segment(payload, segment)), **unbuildable}
    not_imported = [*(field_text(*where) for where in ignored),
                    *(field_text(*where) + why for where, why in left_out.items())]
    return ImportResult(
        segment=segment,
        fmt=fmt,
        not_imported=not_imported,
        problems=[problem_text(problem) for problem in segment.problems()],
        transport=[name for name in payload if name in TRANSPORT_FIELDS],
    )


# A field at its location, by name: ((("selection", 1), ("rule", 2)), "weight").
Field = tuple[Where, str]


def _limit_problems(segment: Segment) -> list[str]:
    """The builder's limit of params per rule (forms.py), which neither Segment
    nor the row budgets (row_budget.py, checked before) know."""
    problems = []
    for number, selection in enumerate(segment.selections, start=1):
        for rule_where, rule in _rules_of((("selection", number),), selection.rules):
            if len(rule.params) > MAX_PARAMS_IN_RULE:
                problems.append(_too_many(rule_where, ngettext(
                    "%(count)d parameter, at most %(max)d",
                    "%(count)d parameters, at most %(max)d",
                    len(rule.params)), len(rule.params), MAX_PARAMS_IN_RULE))
    return problems


def _too_many(where: Where, text: str, count: int, most: int) -> str:
    return f"{location_text(where)}: {text % {'count': count, 'max': most}}"


def _rules_of(where: Where, rules: list[Rule], noun: str = "rule"):
    """(location, rule) for each rule and, recursively, each of its sub-rules."""
    for number, rule in enumerate(rules, start=1):
        rule_where = (*where, (noun, number))
        yield rule_where, rule
        yield from _rules_of(rule_where, rule.children, "sub-rule")


def _dropped_by_segment(payload: dict, segment: Segment) -> Iterator[tuple[Field, str]]:
    """(where, why) for each known field of the payload that the segment's own
    payload leaves out: empty ones (a rule's `"condition": ""` and `"child": []`),
    and `is_refresh_daily` of a dynamic segment. A static segment's `segment` is
    not among them: its selections fill the builder, hidden until the kind
    changes, and Segment.problems() says a static segment takes none."""
    return _missing_keys((), payload, segment.to_payload(), top=True)


def _missing_keys(where: Where, original: dict, kept: dict, *, top: bool = False):
    for key, value in original.items():
        if top and (key in TRANSPORT_FIELDS or (key == "segment" and key not in kept)):
            continue
        if key not in kept:
            if key in _KNOWN_FIELDS:  # unknown ones are already in `ignored`
                yield (where, key), _why_left_out(key, value)
            continue
        noun, kept_value = _ITEM_NOUNS.get(key), kept[key]
        if noun and isinstance(value, list) and isinstance(kept_value, list):
            # The reader keeps every item of a list it read, so the two align.
            pairs = zip(value, kept_value, strict=False)
            for number, (item, kept_item) in enumerate(pairs, start=1):
                if isinstance(item, dict) and isinstance(kept_item, dict):
                    yield from _missing_keys((*where, (noun, number)), item, kept_item)


def _why_left_out(key: str, value: Any) -> str:
    if value in (None, "", []):
        return " " + _("(empty)")
    if key == "is_refresh_daily":
        return " " + _("(not used by a dynamic segment)")
    return ""


# The lists the payload reader descends into, and what one item is called.
_ITEM_NOUNS = {"segment": "selection", "queries": "rule", "child": "sub-rule"}
_KNOWN_FIELDS = frozenset({
    "name", "is_static", "is_refresh_daily", "list_id", "segment", "condition", "limit",
    "percent_from", "percent_to", "queries", "compo", "type", "operator", "value", "child",
})


def _unbuildable(segment: Segment) -> Iterator[tuple[Field, str]]:
    """(where, why) for what the builder's forms cannot show, removed from the
    segment so that the filled builder and the list agree: sub-rules of sub-rules
    (Altcraft's editor nests one level deep) and a condition on a rule without
    sub-rules."""
    for number, selection in enumerate(segment.selections, start=1):
        for rule_where, rule in _rules_of((("selection", number),), selection.rules):
            if rule_where[-1][0] == "sub-rule" and rule.children:
                rule.children = []
                yield (rule_where, "child"), " " + _("(sub-rules nest one level deep only)")
                if rule.condition:
                    rule.condition = ""
                    yield (rule_where, "condition"), " " + _("(it combined those sub-rules)")
            if rule.condition and not rule.children:
                rule.condition = ""
                yield (rule_where, "condition"), " " + _("(only a rule with sub-rules has one)")


# --- syntax errors --------------------------------------------------------------------


def _unreadable(error: CodecError, *, text: str, fmt: str) -> PayloadUnreadable:
    values = {"format": FORMAT_NAMES[fmt], "line": error.line, "column": error.column,
              "reason": codec_reason(error)}
    if error.line and error.column:
        message = _("The pasted %(format)s could not be read at line %(line)s, "
                    "column %(column)s: %(reason)s") % values
    elif error.line:
        message = _("The pasted %(format)s could not be read at line %(line)s: "
                    "%(reason)s") % values
    else:
        message = _("The pasted %(format)s could not be read: %(reason)s") % values
    hint = _hint(error, text=text, fmt=fmt)
    if hint:
        message += f". {hint}"
    return PayloadUnreadable(message, line=error.line, column=error.column,
                             excerpt=_line_of(text, error.line))


def _hint(error: CodecError, *, text: str, fmt: str) -> str:
    """A plain-words guess for the usual slips, the docs' own examples' among them."""
    if error.template == DTD_REFUSED or not error.line:
        return ""
    if fmt == "xml":
        if not _XML_ROOT.search(text):
            return _("The payload must be wrapped in <xml> … </xml>: "
                     "is the opening <xml> missing?")
        return ""
    before = _text_before(text, error.line, error.column or 1).rstrip()
    if not before:
        return _("A payload is a JSON object { … } or an XML document <xml> … </xml>.")
    if error.template == "Expecting ',' delimiter":
        if error.column == 1 and error.line > 1:
            return _("A comma is probably missing at the end of line %(line)s.") % {
                "line": error.line - 1}
        return _("A comma is probably missing just before this point.")
    if before.endswith(",") and (error.template == "Expecting value"
                                 or error.template.startswith("Expecting property name")):
        return _("There is a comma too many just before this point.")
    return ""


def _text_before(text: str, line: int, column: int) -> str:
    """The text before a 1-based line and column."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[:line - 1]) + (lines[line - 1][:column - 1] if line <= len(lines) else "")


def _line_of(text: str, line: int | None) -> str:
    if not line:
        return ""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    excerpt = lines[line - 1].strip()
    if len(excerpt) > LINE_EXCERPT_CHARS:
        excerpt = excerpt[:LINE_EXCERPT_CHARS] + "…"
    return excerpt

