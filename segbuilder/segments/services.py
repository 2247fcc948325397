"""Services: the only code that combines the database and Altcraft."""

from __future__ import annotations

import datetime
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from segbuilder.altcraft.client import (
    MASK,
    AltcraftClient,
    Answer,
    FailedBeforeSending,
    OutcomeUnknown,
    Rejected,
    with_token,
)
from segbuilder.altcraft.codec import payload_to_json, payload_to_xml
from segbuilder.altcraft.segment import Segment
from segbuilder.catalogue.known import remember_sent
from segbuilder.segments.models import Submission

logger = logging.getLogger(__name__)

# What a database refuses in text (PostgreSQL: NUL; both: lone surrogates),
# shown as U+FFFD instead.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Altcraft's error texts are short; anything longer is cut (the raw answer is
# cut to size by the client, its token masked first).
ERROR_TEXT_LIMIT = 10_000
MAX_ERROR_CODE = 2**31 - 1


def segment_preview(*, segment: Segment) -> dict[str, str]:
    """The request body in JSON and XML, the same documents the client sends
    (indented here for people), with the token shown as ***."""
    fields = with_token(segment.to_payload(), MASK)
    return {"json": payload_to_json(fields), "xml": payload_to_xml(fields).decode("utf-8")}


@dataclass(frozen=True)
class SubmitResult:
    submission: Submission
    # True when the key had been used already: nothing was sent this time.
    repeated: bool = False


# A segment sent again this soon, identical, is most likely a slip (Back, then
# Send; a second tab): the builder asks before sending another copy.
REPEAT_WINDOW = datetime.timedelta(minutes=10)


def recent_identical(*, author: User, segment: Segment,
                     now: datetime.datetime | None = None) -> Submission | None:
    """The author's latest submission of the same segment (the same payload;
    the token is never part of it) created in Altcraft within REPEAT_WINDOW."""
    now = now or timezone.now()
    payload = segment.to_payload()
    recent = (Submission.objects.filter(author=author, name=segment.name,
                                        status=Submission.Status.CREATED,
                                        created_at__gte=now - REPEAT_WINDOW)
              .order_by("-created_at"))
    return next((row for row in recent if row.sent_payload == payload), None)


def segment_submit(
    *,
    author: User,
    segment: Segment,
    fmt: str,
    key: uuid.UUID | None = None,
    client: AltcraftClient | None = None,
) -> SubmitResult:
    """Create the segment in Altcraft, keeping a history row of the attempt.

    The row is written before the request so that even a crash mid-send
    leaves a trace; it is updated with whatever Altcraft answered. A `key`
    already used (double click, second tab, resubmitted page) sends nothing
    and returns the first submission: the database's unique constraint
    decides, so it holds across workers."""
    payload = segment.to_payload()
    submission = _new_row(author=author, segment=segment, fmt=fmt, key=key)
    if submission is None:
        return SubmitResult(Submission.objects.get(key=key), repeated=True)
    client = client or AltcraftClient.from_settings()

    def created(answer: Answer) -> None:
        saved_id = answer.data.get("saved_id") if isinstance(answer.data, dict) else None
        _record(submission, Submission.Status.CREATED, altcraft_id=saved_id, answer=answer.raw)

    _attempt(submission, lambda: client.segment_add(payload, fmt=fmt), created)
    _remember_accepted(submission, segment)
    return SubmitResult(submission)


def segment_update(
    *,
    author: User,
    segment_id: int,
    segment: Segment,
    fmt: str,
    opened: dict,
    key: uuid.UUID | None = None,
    client: AltcraftClient | None = None,
) -> SubmitResult:
    """Replace segment `segment_id` in Altcraft with `segment`, by the same
    road as a create (segment_submit): the history row, with the Altcraft id
    and the segment as it was when `opened`, written before the request, the
    same outcomes, the same one-time key."""
    payload = segment.to_payload()
    submission = _new_row(author=author, segment=segment, fmt=fmt, key=key,
                          action=Submission.Action.UPDATE, altcraft_id=segment_id,
                          opened_payload=opened)
    if submission is None:
        return SubmitResult(Submission.objects.get(key=key), repeated=True)
    client = client or AltcraftClient.from_settings()

    def updated(answer: Answer) -> None:
        _record(submission, Submission.Status.UPDATED, answer=answer.raw)

    _attempt(submission, lambda: client.segment_update(segment_id, payload, fmt=fmt), updated)
    _remember_accepted(submission, segment)
    return SubmitResult(submission)


def _new_row(*, author: User, segment: Segment, fmt: str, key: uuid.UUID | None,
             **fields) -> Submission | None:
    """The history row of an attempt, or None if `key` was used already."""
    try:
        with transaction.atomic():
            return Submission.objects.create(
                author=author, name=segment.name, kind=segment.kind.value, format=fmt,
                payload=segment.to_payload(), key=key, **fields,
            )
    except IntegrityError:
        return None


def _attempt(submission: Submission, send: Callable[[], Answer],
             succeeded: Callable[[Answer], None]) -> None:
    """Send, and record in `submission` whatever came of it."""
    started = time.monotonic()
    try:
        answer = send()
    except Rejected as error:
        code = error.code if error.code is not None and abs(error.code) <= MAX_ERROR_CODE else None
        _record(submission, Submission.Status.REJECTED, error_code=code,
                error_text=error.error_text, answer=error.answer)
    except FailedBeforeSending as error:
        _record(submission, Submission.Status.FAILED, error_text=str(error))
    except OutcomeUnknown as error:
        _record(submission, Submission.Status.UNKNOWN, error_text=str(error), answer=error.answer)
    except Exception as error:  # a bug of ours after the row was written: keep the trace
        logger.exception("sending submission %s failed unexpectedly", submission.pk)
        _record(submission, Submission.Status.UNKNOWN,
                error_text=_("An unexpected error stopped the send (%(error)s). The segment may "
                             "or may not exist in Altcraft: check there before sending again.")
                % {"error": type(error).__name__})
    else:
        succeeded(answer)
    submission.duration_ms = round((time.monotonic() - started) * 1000)
    submission.finished_at = timezone.now()
    _save_outcome(submission)


def _remember_accepted(submission: Submission, segment: Segment) -> None:
    """The values Altcraft took are offered again in the builder
    (catalogue/known.py). Counting them is a nicety: a failure loses nothing."""
    if submission.status not in (Submission.Status.CREATED, Submission.Status.UPDATED):
        return
    try:
        remember_sent(segment)
    except DatabaseError:
        logger.exception("submission %s: its values could not be counted", submission.pk)


def _record(submission: Submission, status: str, **fields) -> None:
    submission.status = status
    for name, value in fields.items():
        if isinstance(value, str):
            value = storable_text(value)
            if name == "error_text":
                value = value[:ERROR_TEXT_LIMIT]
        setattr(submission, name, value)


def storable_text(text: str) -> str:
    """`text` as every database stores it: NUL and lone surrogates become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def _save_outcome(submission: Submission) -> None:
    """Save what Altcraft answered; if the database still refuses it, keep
    the status and a message without Altcraft's words, so that no row stays
    "sending" after an answer came."""
    try:
        with transaction.atomic():
            submission.save()
    except DatabaseError:
        logger.exception("submission %s: Altcraft's answer could not be stored", submission.pk)
        submission.answer = ""
        submission.error_text = _(
            "Altcraft answered, but its answer could not be stored in the history. "
            "Check the segment in Altcraft before sending it again.")
        if submission.status == Submission.Status.CREATED:
            submission.status = Submission.Status.UNKNOWN
            submission.altcraft_id = None
        elif submission.status == Submission.Status.UPDATED:
            submission.status = Submission.Status.UNKNOWN  # the id is the one updated: kept
        submission.save()
