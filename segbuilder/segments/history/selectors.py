"""Selectors: the read side of the history. They build querysets and never
write or talk to Altcraft."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Hashable, Iterator
from typing import Any

from django.core.cache import caches
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import cached_property

from segbuilder.segments.models import Submission, search_text_of

# Altcraft ids are stored as 64-bit integers; a longer number cannot be one,
# and SQLite refuses to compare with it.
MAX_ALTCRAFT_ID = 2**63 - 1
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_ALTCRAFT_ID = re.compile(r"[0-9]{1,19}")
# Lists count their rows exactly up to this many; past it they say "more than".
COUNT_CAP = 500
# The deepest row a page may start at (databases refuse larger offsets).
MAX_OFFSET = 2**53
# What a row of the history shows (CappedPaginator's `columns`). Rows are
# read as tuples of these: building a submission and its author for each
# row took a fifth of the history page's time, and the payload is most of a
# row's size. Authors' names come from authors.author_names(), not a join
# with the users, which made the count query twice as slow.
LIST_COLUMNS = ("id", "created_at", "author_id", "name", "kind", "status", "altcraft_id")


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
    a number also matches that exact Altcraft id), `action`, `status`, `kind`, `author`
    (a user id), `date_from` and `date_to` (dates, both days included, in the
    current time zone)."""
    conditions = []  # one filter() call: each call copies the query
    if query := (filters.get("q") or "").strip():
        conditions.append(search_condition(query))
    for field, column in (("action", "action"), ("status", "status"), ("kind", "kind"),
                          ("author", "author_id")):
        if value := filters.get(field):
            conditions.append(Q(**{column: value}))
    if (start := _start_of_day(filters.get("date_from"))) is not None:
        conditions.append(Q(created_at__gte=start))
    if (end := _start_of_day(_day_after(filters.get("date_to")))) is not None:
        conditions.append(Q(created_at__lt=end))
    return Submission.objects.filter(*conditions).order_by("-created_at", "-id")


def search_condition(query: str) -> Q:
    """What a search for `query` matches: names holding it in any case (the
    case-folded query in the case-folded name, Submission.search_text), and
    the Altcraft id it names, if it names one."""
    match = Q(search_text__contains=search_text_of(query))
    if (altcraft_id := altcraft_id_of(query)) is not None:
        match |= Q(altcraft_id=altcraft_id)
    return match


def list_key(*parts: Hashable) -> tuple:
    """What names a filtered list for CappedPaginator's `count_key`: its
    filters, in the current time zone (dates are days there)."""
    return (*parts, timezone.get_current_timezone_name())


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
    first page: the last one is not known).

    `object_list` is a queryset of models. A page reads its rows and the
    capped count in one query (one round trip fewer on every list page;
    only its rows when `count` was asked first, as the admin's list does),
    as named tuples of `columns` when given, else as models. With a `count_key`
    (what names the list: its filters), a list found longer than the cap is
    remembered so for a minute (the `local` cache) and its pages skip the
    count: counting cost a third of the page query, and a list past the cap
    almost never shrinks back under it (submissions are never deleted)."""

    count_cap = COUNT_CAP

    def __init__(self, object_list: QuerySet, per_page: int, orphans: int = 0,
                 allow_empty_first_page: bool = True, *,
                 columns: tuple[str, ...] | None = None, count_key: Hashable = None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.columns = columns
        self.count_key = count_key
        # Page number -> whether more rows follow it, for the pages read past the cap.
        self.more_after: dict[int, bool] = {}

    @cached_property
    def count(self) -> int:
        """The number of rows, or count_cap + 1 when there are more than count_cap."""
        return self._capped().count()

    @cached_property
    def count_is_exact(self) -> bool:
        return self.count <= self.count_cap

    def validate_number(self, number) -> int:
        if self.count_is_exact:
            return super().validate_number(number)
        return self._page_number(number)

    def page(self, number) -> Page:
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        # The count is read with the rows unless it is known already (the
        # admin's ChangeList asks for it first) or the list is known to be long.
        counted = "count" in self.__dict__
        known_long = not counted and self._known_long()
        rows = list((self._rows() if counted or known_long else self._rows_and_count())
                    [bottom:bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        if not counted:  # what `count` would read
            if not rows:
                self.__dict__["count"] = 0
            elif known_long:
                self.__dict__["count"] = self.count_cap + 1
            else:
                self.__dict__["count"] = rows[0].capped_count
                if self.count_key is not None and not self.count_is_exact:
                    caches["local"].set(self._long_list_key(), True)
        if self.count_is_exact:
            if number > self.num_pages:
                raise EmptyPage(self.error_messages["no_results"])
            return Page(rows[: self.per_page], number, self)
        self.more_after[number] = has_more = len(rows) > self.per_page
        return CappedPage(rows[: self.per_page], number, self, has_more=has_more)

    def get_elided_page_range(self, number: int | float | str = 1, *, on_each_side: int = 3,
                              on_ends: int = 2) -> Iterator[str | int]:
        """Django's page links (the admin's list shows them); past the cap,
        up to the page after the last one read, then an ellipsis while more
        follow, as the last page is not known."""
        if self.count_is_exact:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side,
                                                     on_ends=on_ends)
            return
        number = self.validate_number(number)
        has_more = self.more_after.get(number)
        if has_more is None:
            has_more = self.page(number).has_next()
        known = Paginator(range(number + has_more), 1)
        yield from known.get_elided_page_range(number, on_each_side=on_each_side,
                                               on_ends=on_ends)
        if has_more:
            yield str(self.ELLIPSIS)

    def get_page(self, number) -> Page:
        """A page, whatever `number` is: the first for one that is not a page
        number, the last for one past the end (the first when the end is not
        known)."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:  # before the first page or past the last
            return self.page(self.num_pages if self.count_is_exact else 1)

    def _page_number(self, number) -> int:
        """`number` as a page number, without counting the rows."""
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

    def _long_list_key(self) -> str:
        # The filters that name the list may be long or odd text: hashed.
        digest = hashlib.sha256(repr((self.count_key, self.count_cap)).encode()).hexdigest()
        return f"long-list:{digest}"

    def _known_long(self) -> bool:
        return self.count_key is not None and bool(caches["local"].get(self._long_list_key()))

    # Its object_list is a QuerySet (the stubs allow any sequence).
    object_list: QuerySet

    def _rows(self) -> QuerySet:
        if self.columns is None:
            return self.object_list
        return self.object_list.values_list(*self.columns, named=True)

    def _capped(self) -> QuerySet:
        return self.object_list.values("pk")[: self.count_cap + 1]

    def _rows_and_count(self) -> QuerySet:
        capped, params = self._capped().query.sql_with_params()
        rows = self.object_list.annotate(
            capped_count=RawSQL(f"SELECT COUNT(*) FROM ({capped}) capped", params))
        if self.columns is None:
            return rows
        return rows.values_list(*self.columns, "capped_count", named=True)


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

