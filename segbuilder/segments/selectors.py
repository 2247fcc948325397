"""Selectors: the read side of the history. They build querysets and never
write or talk to Altcraft."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from segbuilder.segments.models import Submission

# Altcraft ids are stored as 64-bit integers; a longer number cannot be one,
# and SQLite refuses to compare with it.
MAX_ALTCRAFT_ID = 2**63 - 1
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_ALTCRAFT_ID = re.compile(r"[0-9]{1,19}")
# Lists count their rows exactly up to this many; past it they say "more than".
COUNT_CAP = 500
# The deepest row a page may start at (databases refuse larger offsets).
MAX_OFFSET = 2**53
# What a list row shows needs none of these, and they are most of a row's size.
LIST_DEFERRED = ("payload", "answer", "error_text")


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
    submissions = (Submission.objects.select_related("author").defer(*LIST_DEFERRED)
                   .order_by("-created_at", "-id"))
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
    authors = user_model.objects.filter(
        Exists(Submission.objects.filter(author=OuterRef("pk")))
    ).order_by(user_model.USERNAME_FIELD)
    return ShortList(model=user_model, query=authors.query, using=authors.db)


class ShortList(QuerySet):
    """A queryset known to be short, read in one query even where Django
    would stream it: a choice field iterates its choices with iterator(),
    which on PostgreSQL opens a server-side cursor, three round trips for a
    few dozen users on every history page."""

    def iterator(self, chunk_size=None):
        return iter(self.all())


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


class CappedPaginator(Paginator):
    """A paginator whose count reads at most COUNT_CAP + 1 rows, so a page of a
    list of a million rows costs what a page of a thousand does.

    Up to the cap everything is as with Django's Paginator. Past it `count` is
    COUNT_CAP + 1 and `count_is_exact` False; any page number is accepted, and
    a page knows whether there is a next one by reading one row more. An
    empty page past the end is EmptyPage, as usual (get_page then gives the
    first page: the last one is not known)."""

    count_cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The number of rows, or count_cap + 1 when there are more than count_cap."""
        return self.object_list[: self.count_cap + 1].count()

    @cached_property
    def count_is_exact(self) -> bool:
        return self.count <= self.count_cap

    def validate_number(self, number) -> int:
        if self.count_is_exact:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number) -> Page:
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self,
                          has_more=len(rows) > self.per_page)

    def get_page(self, number) -> Page:
        """A page, whatever `number` is: the first for one that is not a page
        number, the last for one past the end (the first when the end is not
        known)."""
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages if self.count_is_exact else 1
        try:
            return self.page(number)
        except EmptyPage:  # past the end of a list whose end is not known
            return self.page(1)


class CappedPage(Page):
    """A page of a list longer than the count cap: it knows whether more follow."""

    def __init__(self, object_list, number: int, paginator: CappedPaginator, *,
                 has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1
