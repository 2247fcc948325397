""""Check in Altcraft": settle a submission whose outcome is unknown by
finding the segment it would have created, by its name *and* its rules.

The whole check (every page of `segments/list`, then `segments/get` of each
segment with that name) runs before one deadline, CHECK_SECONDS. A submission
whose send may still be running is not checked: its own answer may yet come.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from segbuilder.altcraft.client import (
    MAX_TOTAL_TIMEOUT,
    AltcraftClient,
    FailedBeforeSending,
    OutcomeUnknown,
    Rejected,
)
from segbuilder.altcraft.segment import Kind, PayloadError, Segment
from segbuilder.segments.models import Submission

CHECK_SECONDS = 20.0
# A send ends within the client's overall limit; a little more covers saving
# Altcraft's answer. Until then the row may still change on its own.
SEND_MAY_RUN = datetime.timedelta(seconds=MAX_TOTAL_TIMEOUT + 5)
# segments/get is asked of at most this many segments of the same name.
MAX_CANDIDATES = 20
CHECKABLE = (Submission.Status.UNKNOWN, Submission.Status.SENDING)


class CheckFailed(Exception):
    """Altcraft could not be asked in time; the submission is left as it was."""


class StillSending(Exception):
    """The send may still be running; `seconds`: until it is certainly over."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


@dataclass(frozen=True)
class Candidate:
    segment_id: int
    same_rules: bool


def submission_check(*, submission: Submission, client: AltcraftClient | None = None,
                     now: datetime.datetime | None = None) -> Submission:
    """Created (as the segment with this name and the same rules), or not
    created; the finding is written in words to `error_text`."""
    # An update's outcome is not a segment to find by its name: not checked.
    if submission.status not in CHECKABLE or submission.action == Submission.Action.UPDATE:
        return submission
    now = now or timezone.now()
    running_until = submission.created_at + SEND_MAY_RUN
    if submission.status == Submission.Status.SENDING and now < running_until:
        raise StillSending(int((running_until - now).total_seconds()) + 1)
    client = client or AltcraftClient.from_settings()
    deadline = time.monotonic() + CHECK_SECONDS
    try:
        candidates = _candidates(client, submission, deadline)
    except (Rejected, FailedBeforeSending, OutcomeUnknown) as error:
        raise CheckFailed(str(error)) from error
    except TimeoutError:
        raise CheckFailed(_("Altcraft did not answer the check within %(seconds)s s.")
                          % {"seconds": f"{CHECK_SECONDS:g}"}) from None
    _settle(submission, candidates, checked=now)
    submission.save(update_fields=["status", "altcraft_id", "error_text"])
    return submission


def _candidates(client: AltcraftClient, submission: Submission,
                deadline: float) -> list[Candidate]:
    """The segments named as the submission, newest first, each compared
    with what the submission sent."""
    ids = sorted({item["id"] for item in client.segments_list(deadline=deadline)
                  if item.get("name") == submission.name and _is_id(item.get("id"))},
                 reverse=True)[:MAX_CANDIDATES]
    sent = _rules_of(submission.payload)
    found = []
    for segment_id in ids:
        data = client.call("segments/get", {"id": segment_id}, deadline=deadline).data
        got = _rules_of(data) if isinstance(data, dict) else None
        found.append(Candidate(segment_id, sent is not None and got == sent))
    return found


def _settle(submission: Submission, candidates: list[Candidate], *,
            checked: datetime.datetime) -> None:
    when = checked.strftime("%Y-%m-%d %H:%M UTC")
    same = [candidate.segment_id for candidate in candidates if candidate.same_rules]
    if same:
        # Of several alike (the same segment sent twice), one no other row holds.
        held = set(Submission.objects.filter(altcraft_id__in=same).exclude(pk=submission.pk)
                   .values_list("altcraft_id", flat=True))
        free = [segment_id for segment_id in same if segment_id not in held]
        submission.status = Submission.Status.CREATED
        submission.altcraft_id = (free or same)[0]
        # Stored in the language of whoever checked, like every error_text we write.
        submission.error_text = _("Checked in Altcraft on %(when)s: created as id %(id)s "
                                  "(same rules).") % {"when": when, "id": submission.altcraft_id}
    elif candidates:
        submission.status = Submission.Status.NOT_CREATED
        submission.error_text = _(
            "Checked in Altcraft on %(when)s: a segment with this name exists (id %(ids)s) but "
            "its rules differ, so this one was not created.") % {
            "when": when, "ids": ", ".join(str(c.segment_id) for c in candidates)}
    else:
        submission.status = Submission.Status.NOT_CREATED
        submission.error_text = _("Checked in Altcraft on %(when)s: not found, so it was not "
                                  "created.") % {"when": when}


def _rules_of(payload: dict) -> tuple | None:
    """What is compared: the kind's database and every selection with its
    rules, as plain values (a param's value as text: Altcraft's get may print
    1 as "1"); None when it cannot be read."""
    rules = {"name": "-", "is_static": False, "segment": payload.get("segment") or []}
    try:
        segment = Segment.from_payload(rules)
    except PayloadError:
        if payload.get("segment"):
            return None
        segment = Segment(name="-", kind=Kind.STATIC)
    return (
        payload.get("list_id") if not payload.get("segment") else None,
        tuple(
            (s.list_id, s.condition, s.limit, s.percent_from, s.percent_to,
             tuple(_rule_key(rule) for rule in s.rules))
            for s in segment.selections
        ),
    )


def _rule_key(rule) -> tuple:
    return (rule.compo, rule.name, rule.type, rule.operator,
            tuple((param.name, str(param.value)) for param in rule.params),
            rule.condition if rule.children else "",
            tuple(_rule_key(child) for child in rule.children))


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2**63 - 1
