"""Selectors: the read side of the history. They build querysets and never
write or talk to Altcraft."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from segbuilder.segments.models import Submission

# Altcraft ids are stored as 64-bit integers; a longer number cannot be one,
# and SQLite refuses to compare with it.
MAX_ALTCRAFT_ID = 2**63 - 1
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_ALTCRAFT_ID = re.compile(r"[0-9]{1,19}")


def altcraft_id_of(query: str) -> int | None:
    """The Altcraft id a search query names, or None when it is not a number
    that can be one (e.g. " 42 " -> 42, "Promo 42" -> None)."""
    text = query.strip()
    if not _ALTCRAFT_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ALTCRAFT_ID else None


def submission_list(*, filters: dict[str, Any]) -> QuerySet[Submission]:
    """Submissions newest first, narrowed by the cleaned history filters.

    Keys (each optional, empty values ignored): `q` (name substring, any case;
    a number also matches that exact Altcraft id), `status`, `kind`, `author`
    (a user), `date_from` and `date_to` (dates, both days included, in the
    current time zone)."""
    submissions = Submission.objects.select_related("author").order_by("-created_at", "-id")
    if query := (filters.get("q") or "").strip():
        match = Q(name__icontains=query)
        if (altcraft_id := altcraft_id_of(query)) is not None:
            match |= Q(altcraft_id=altcraft_id)
        submissions = submissions.filter(match)
    for field in ("status", "kind", "author"):
        if value := filters.get(field):
            submissions = submissions.filter(**{field: value})
    if (start := _start_of_day(filters.get("date_from"))) is not None:
        submissions = submissions.filter(created_at__gte=start)
    if (end := _start_of_day(_day_after(filters.get("date_to")))) is not None:
        submissions = submissions.filter(created_at__lt=end)
    return submissions


def submission_authors() -> QuerySet:
    """The users who have sent at least one submission, by username: the author
    filter's choices, in one query."""
    user_model = get_user_model()
    return user_model.objects.filter(
        Exists(Submission.objects.filter(author=OuterRef("pk")))
    ).order_by(user_model.USERNAME_FIELD)


def _day_after(day: datetime.date | None) -> datetime.date | None:
    if day is None or day == datetime.date.max:
        return None  # no day after the last one: the range is open-ended
    return day + datetime.timedelta(days=1)


def _start_of_day(day: datetime.date | None) -> datetime.datetime | None:
    """Midnight of `day` in the current time zone, as UTC so the query can use
    the created_at index; None for a day no datetime can hold (year 1 east of
    UTC), which leaves that side of the range open."""
    if day is None:
        return None
    try:
        midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        return midnight.astimezone(datetime.UTC)
    except OverflowError:
        return None
