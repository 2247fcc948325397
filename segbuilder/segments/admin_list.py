"""The admin's list of submissions for the common requests, written directly.

Django's ChangeList and its templates took about 15 ms for a page even
without rows (filters, date hierarchy, app list, template includes) and
half a millisecond per row: 13 to 18 times the login page. This module
answers the GETs that only search, filter, drill into dates and turn pages
(PARAMETERS, each with a well-formed value: `list_query`) with the same
markup as Django's change_list.html, so the admin's CSS and actions.js work
unchanged; SubmissionAdmin.changelist_view leaves everything else (actions,
ordering, "show all", facets, popups, odd values) to Django's own list.

One query reads a page's rows and the capped count (CappedPaginator). The
date hierarchy's periods are read by queries of their own, each answer kept
a minute (segments/memo.py): with no dates chosen, the first and the last
date and which years between hold rows; with a year or a month chosen (or
when all the rows are in one), which of its months or days hold rows.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_FACETS_VAR
from django.contrib.admin.utils import label_for_field
from django.contrib.admin.views.main import ALL_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.core.paginator import InvalidPage, Paginator
from django.db import connections
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, QueryDict
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, ngettext

from segbuilder.segments import authors
from segbuilder.segments.memo import Memo
from segbuilder.segments.models import Submission
from segbuilder.segments.rows import choice_labels, escaped_labels, pk_url
from segbuilder.segments.selectors import LIST_COLUMNS, MAX_OFFSET, CappedPaginator, list_key

TEMPLATE = "admin/segments/submission/lean_change_list.html"

YEAR, MONTH, DAY = "created_at__year", "created_at__month", "created_at__day"
DATE_PREFIX = "created_at__"
AUTHOR = "author__id__exact"
# Filter parameter -> the field it narrows by one of its choices.
CHOICE_FILTERS = {"status__exact": "status", "kind__exact": "kind", "format__exact": "format"}
FILTERS = (*CHOICE_FILTERS, AUTHOR)
PARAMETERS = frozenset({SEARCH_VAR, PAGE_VAR, YEAR, MONTH, DAY, *FILTERS})
# Django's own list: the model's ordering, which its "When" header shows as sorted.
ORDERING = ("-created_at", "-id")
SORTED_COLUMN = "when"
# list_display's columns: (name, the field or method its header is labelled from).
COLUMNS = ("when", "who", "name", "kind", "status", "altcraft_id", "duration")
MAX_USER_ID = 2**31 - 1
# With no dates chosen, the years probed beside the first and the last date.
YEARS_PROBED = 10
EMPTY = "-"  # ModelAdmin.get_empty_value_display()


@dataclass(frozen=True)
class ListQuery:
    """A request the lean list answers: its parameters, checked."""

    params: dict[str, str]  # as given, one value each, without the page
    search: str
    filters: dict[str, Any]  # field lookups
    year: int | None
    month: int | None
    day: int | None
    period: tuple[datetime.datetime, datetime.datetime] | None  # the chosen dates
    page: int


def list_query(query: QueryDict, per_page: int) -> ListQuery | None:
    """The parameters of a GET the lean list answers, or None when Django's
    own list should: an unknown or repeated parameter, or a value that is
    not one the lean list would write in its own links."""
    params = {}
    for key, values in query.lists():
        if key not in PARAMETERS or len(values) != 1:
            return None
        params[key] = values[0]
    search = params.get(SEARCH_VAR, "")
    if "\x00" in search:  # Django's search form refuses it, with a message
        return None
    filters: dict[str, Any] = {}
    for key, field in CHOICE_FILTERS.items():
        if key in params:
            if params[key] not in choice_labels(field):
                return None
            filters[field] = params[key]
    if AUTHOR in params:
        if (author_id := _whole(params[AUTHOR], 1, MAX_USER_ID)) is None:
            return None
        filters["author_id"] = author_id
    page = 1
    if PAGE_VAR in params:
        if (page := _whole(params.pop(PAGE_VAR), 1, MAX_OFFSET // per_page)) is None:
            return None
    dates = _dates(params)
    if dates is None:
        return None
    year, month, day, period = dates
    return ListQuery(params, search, filters, year, month, day, period, page)


def _dates(params: dict[str, str]) -> tuple | None:
    """(year, month, day, (start, end)) of the date hierarchy's parameters,
    each part None when not given; None when malformed (a month without its
    year, a day that does not exist)."""
    if MONTH in params and YEAR not in params or DAY in params and MONTH not in params:
        return None
    year, month, day = (_whole(params[key], 1, top) if key in params else 0
                        for key, top in ((YEAR, 9998), (MONTH, 12), (DAY, 31)))
    if None in (year, month, day):
        return None
    if not year:
        return None, None, None, None
    try:
        start = datetime.datetime(year, month or 1, day or 1)
        end = period_after(start, "day" if day else "month" if month else "year")
        period = (timezone.make_aware(start), timezone.make_aware(end))
    except (ValueError, OverflowError):
        return None
    return year, month or None, day or None, period


def _whole(text: str, low: int, high: int) -> int | None:
    """`text` as a whole number from low to high, written as Django writes one."""
    if not (text.isascii() and text.isdigit()) or str(int(text)) != text:
        return None
    number = int(text)
    return number if low <= number <= high else None


# --- the view -----------------------------------------------------------------------------


def lean_changelist(model_admin, request: HttpRequest, query: ListQuery):
    """The list page for `query`, or None when Django's list should answer
    (a page past the end: Django's list redirects)."""
    opts = model_admin.opts
    per_page = model_admin.list_per_page
    submissions = _submissions(model_admin, request, query)
    dates = _Dates(submissions)
    paginator = CappedPaginator(submissions, per_page, columns=LIST_COLUMNS,
                                count_key=list_key("admin", *sorted(query.params.items())))
    try:
        page = paginator.page(query.page)
    except InvalidPage:
        return None
    rows = page.object_list
    count = paginator.count
    changelist = _Links(query.params)
    site = model_admin.admin_site
    request.current_app = site.name
    context = {
        **_site_context(site, request),
        "title": (gettext("Select %s to change") if model_admin.has_change_permission(request)
                  else gettext("Select %s to view")) % opts.verbose_name,
        "subtitle": None,
        "opts": opts,
        "body_class": f"app-{opts.app_label} model-{opts.model_name} change-list",
        "media_js": _media_js(model_admin),
        "breadcrumbs_html": mark_safe(_breadcrumbs(opts, site.name)),
        "search_html": mark_safe(_search_form(model_admin, query, count, paginator.count_is_exact)),
        "date_hierarchy_html": mark_safe(_date_hierarchy(dates, query, rows, changelist)),
        "actions_html": mark_safe(_actions(model_admin, request, len(rows), count)),
        "results_html": mark_safe(_results(model_admin, request, rows, changelist)),
        "pagination_html": mark_safe(_pagination(model_admin, page, changelist)),
        "filters_html": mark_safe(_remembered(
            ("filters", tuple(query.params.items()), tuple(authors.submission_authors().items())),
            lambda: _filters(query, changelist))),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _media_js(model_admin) -> SafeString:
    """The admin's script tags: the same on every page of a process, and
    each static() address took a lookup in the static files' manifest."""
    media = model_admin.media
    return mark_safe(_remembered(("media", tuple(media._js), settings.STATIC_URL),
                                 lambda: "\n".join(media.render_js())))


def _site_context(site, request: HttpRequest) -> dict[str, Any]:
    """AdminSite.each_context() without the app list, which only the
    navigation sidebar shows, and this page goes without it."""
    script_name = request.META.get("SCRIPT_NAME", "")
    return {
        "site_title": site.site_title,
        "site_header": site.site_header,
        "site_url": script_name if site.site_url == "/" and script_name else site.site_url,
        "has_permission": site.has_permission(request),
        "available_apps": [],
        "is_popup": False,
        "is_nav_sidebar_enabled": False,
    }


def _submissions(model_admin, request: HttpRequest, query: ListQuery) -> QuerySet:
    """What Django's ChangeList.get_queryset gives for these parameters: the
    list filters, the date range, the ordering, then the admin's search."""
    submissions = model_admin.get_queryset(request).filter(**query.filters)
    if query.period is not None:
        start, end = query.period
        submissions = submissions.filter(created_at__gte=start, created_at__lt=end)
    submissions, may_have_duplicates = model_admin.get_search_results(
        request, submissions.order_by(*ORDERING), query.search)
    return submissions.distinct() if may_have_duplicates else submissions


# --- the date hierarchy ---------------------------------------------------------------------


class _Dates:
    """What the date hierarchy reads about the listed rows' dates, in SQL
    written around the list's query, compiled once: the ORM took longer to
    build a dozen EXISTS probes than the database took to answer them."""

    def __init__(self, submissions: QuerySet):
        self.db = submissions.db
        connection = connections[self.db]
        dates = submissions.order_by().values("created_at")
        self.sql, self.params = dates.query.get_compiler(using=self.db).as_sql()
        self.column = "b." + connection.ops.quote_name("created_at")
        self.adapt = connection.ops.adapt_datetimefield_value

    def span(self, end_year: int) -> tuple[datetime.datetime, datetime.datetime, list]:
        """The first and the last date (local), and which of the YEARS_PROBED
        years up to `end_year` hold rows, in one query: the years between
        the first and the last date are most often among them. Kept a minute
        (segments/memo.py): this query cost a tenth of the page."""
        return _SPANS.get(self._key("span", end_year), lambda: self._read_span(end_year))

    def _read_span(self, end_year: int) -> tuple[datetime.datetime, datetime.datetime, list]:
        starts = [datetime.datetime(year, 1, 1)
                  for year in range(end_year - YEARS_PROBED + 1, end_year + 1)]
        mask = self.held_mask(starts, "year")
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT (SELECT MIN({self.column}) FROM ({self.sql}) b),"
                           f" (SELECT MAX({self.column}) FROM ({self.sql}) b), {mask.sql}",
                           [*self.params, *self.params, *mask.params])
            first, last, held = cursor.fetchone()
        return _local(first), _local(last), _held(held, starts)

    def held_mask(self, starts: list[datetime.datetime], kind: str) -> RawSQL:
        """Bit n set when the n-th period holds rows: one EXISTS (an index
        probe) per period."""
        edges = [timezone.make_aware(start) for start in [*starts, period_after(starts[-1], kind)]]
        probes, params = [], []
        for number, (start, end) in enumerate(pairwise(edges)):
            probes.append(f"CASE WHEN EXISTS (SELECT 1 FROM ({self.sql}) b"
                          f" WHERE {self.column} >= %s AND {self.column} < %s)"
                          f" THEN {1 << number} ELSE 0 END")
            params.extend([*self.params, self.adapt(start), self.adapt(end)])
        return RawSQL(" + ".join(probes), params, output_field=IntegerField())

    def held(self, starts: list[datetime.datetime], kind: str) -> list[datetime.datetime]:
        """The `starts` of the periods that hold rows, in one query of its
        own, kept a minute as the span is."""
        return _SPANS.get(self._key("held", tuple(starts), kind),
                          lambda: self._read_held(starts, kind))

    def _key(self, *question: Hashable) -> tuple:
        """What names an answer: the listed rows, the question, the time zone."""
        return (self.db, self.sql, tuple(self.params), *question,
                timezone.get_current_timezone_name())

    def _read_held(self, starts: list[datetime.datetime], kind: str) -> list[datetime.datetime]:
        mask = self.held_mask(starts, kind)
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {mask.sql}", mask.params)
            return _held(cursor.fetchone()[0], starts)


_SPANS = Memo()


def _local(value: datetime.datetime | str) -> datetime.datetime:
    """A date read by a raw query, in the current time zone (SQLite gives
    text in UTC, as Django stores it there)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return timezone.localtime(value)


def _starts(year: int, month: int | None = None) -> list[datetime.datetime]:
    """The starts (local, naive) of the months of a year, or of the days of a month."""
    if month is None:
        return [datetime.datetime(year, number, 1) for number in range(1, 13)]
    start = datetime.datetime(year, month, 1)
    end = period_after(start, "month")
    return [start + datetime.timedelta(days=number) for number in range((end - start).days)]


def _held(mask: int, starts: list[datetime.datetime]) -> list[datetime.datetime]:
    return [start for number, start in enumerate(starts) if mask >> number & 1]


def period_after(start: datetime.datetime, kind: str) -> datetime.datetime:
    """The start of the year, month or day after the one `start` begins."""
    if kind == "year":
        return start.replace(year=start.year + 1)
    if kind == "day":
        return start + datetime.timedelta(days=1)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def period_starts(first: datetime.datetime, last: datetime.datetime,
                  kind: str) -> list[datetime.datetime]:
    """The starts of the years or months from `first` to `last` (local, naive)."""
    start = datetime.datetime(first.year, 1 if kind == "year" else first.month, 1)
    starts = []
    while start <= last.replace(tzinfo=None):
        starts.append(start)
        start = period_after(start, kind)
    return starts


def _date_hierarchy(dates: _Dates, query: ListQuery, rows: list, changelist: _Links) -> str:
    """admin/date_hierarchy.html as Django's date_hierarchy tag fills it:
    with no dates chosen, it starts at the years, or at the months or days
    when all the rows are in one year or one month."""
    year, month, day = query.year, query.month, query.day
    held = None
    if year is None and rows:  # no rows: no dates to offer
        end_year = max(timezone.localtime().year, timezone.localtime(rows[0].created_at).year)
        first, last, held = dates.span(end_year)
        if first.year == last.year:
            year = first.year
            if first.month != last.month:
                held = dates.held(_starts(year), "month")
            else:
                month = first.month
                held = ([datetime.datetime(year, month, first.day)] if first.day == last.day
                        else dates.held(_starts(year, month), "day"))
        elif first.year <= end_year - YEARS_PROBED or last.year > end_year:
            held = dates.held(period_starts(first, last, "year"), "year")
    elif year is not None and not day:
        starts = _starts(year, month) if month else _starts(year)
        held = dates.held(starts, "day" if month else "month") if rows else []

    def link(params: dict[str, Any]) -> str:
        return _attr(changelist.query_string(params, remove=[DATE_PREFIX]))

    parts = ['<nav class="toplinks">\n']
    if day:
        shown = datetime.date(year, month, day)
        parts.append(f'<a href="{link({YEAR: year, MONTH: month})}" class="date-back">&lsaquo; '
                     f'{_e(capfirst(_date_text(shown, "YEAR_MONTH_FORMAT")))}</a>\n'
                     f'{_e(capfirst(_date_text(shown, "MONTH_DAY_FORMAT")))}\n')
    elif month:
        parts.append(f'<a href="{link({YEAR: year})}" class="date-back">&lsaquo; {year}</a>\n')
        parts.extend(f'<a href="{link({YEAR: year, MONTH: month, DAY: start.day})}">'
                     f'{_e(capfirst(_date_text(start, "MONTH_DAY_FORMAT")))}</a>\n'
                     for start in held or ())
    elif year:
        parts.append(f'<a href="{link({})}" class="date-back">&lsaquo; '
                     f'{_e(gettext("All dates"))}</a>\n')
        parts.extend(f'<a href="{link({YEAR: year, MONTH: start.month})}">'
                     f'{_e(capfirst(_date_text(start, "YEAR_MONTH_FORMAT")))}</a>\n'
                     for start in held or ())
    else:
        parts.extend(f'<a href="{link({YEAR: start.year})}">{start.year}</a>\n'
                     for start in held or ())
    parts.append("</nav>\n")
    return "".join(parts)


# --- the page's pieces ----------------------------------------------------------------------


class _Links:
    """ChangeList.get_query_string for the lean list's parameters (the page
    left out, as Django leaves it out)."""

    def __init__(self, params: dict[str, str]):
        # Each parameter encoded once: a page has some fifty links.
        self.encoded = {key: _pair(key, value) for key, value in params.items()}

    def query_string(self, new: dict[str, Any] | None = None,
                     remove: Iterable[str] = ()) -> str:
        pairs = {key: pair for key, pair in self.encoded.items()
                 if not any(key.startswith(prefix) for prefix in remove)}
        for key, value in (new or {}).items():
            if value is None:
                pairs.pop(key, None)
            else:
                pairs[key] = _pair(key, value)
        return "?" + "&".join(pair for _key, pair in sorted(pairs.items()))


def _pair(key: str, value: Any) -> str:
    # urlencode()'s way
    return f"{quote_plus(key)}={quote_plus(str(value))}"


def _remembered(key: tuple, write: Callable[[], str]) -> str:
    """What write() gives for `key` in the current language, written once:
    the column headers and the filters are the same for the same parameters,
    and took a sixth of the list's time."""
    key = (*key, get_language(), get_script_prefix())
    html_ = _REMEMBERED.get(key)
    if html_ is None:
        if len(_REMEMBERED) >= _REMEMBERED_KEPT:
            _REMEMBERED.clear()
        html_ = _REMEMBERED[key] = write()
    return html_


_REMEMBERED: dict[tuple, str] = {}
_REMEMBERED_KEPT = 512


def _breadcrumbs(opts, site_name: str) -> str:
    return _remembered(("breadcrumbs", site_name), lambda: _write_breadcrumbs(opts, site_name))


def _write_breadcrumbs(opts, site_name: str) -> str:
    home = reverse("admin:index", current_app=site_name)
    app = reverse("admin:app_list", kwargs={"app_label": opts.app_label}, current_app=site_name)
    return (f'<div class="breadcrumbs">\n<a href="{_attr(home)}">{_e(gettext("Home"))}</a>\n'
            f'&rsaquo; <a href="{_attr(app)}">{_e(opts.app_config.verbose_name)}</a>\n'
            f"&rsaquo; {_e(capfirst(opts.verbose_name_plural))}\n</div>")


def _search_form(model_admin, query: ListQuery, count: int, exact: bool) -> str:
    # admin/search_form.html. The count beside the button shows only for a
    # narrowed list whose count is exact (Django's shows it always, even
    # unfiltered; the paginator below says it too).
    parts = [
        '<div id="toolbar"><form id="changelist-search" method="get" role="search">\n'
        "<div><!-- DIV needed for valid HTML -->\n"
        f'<label for="searchbar"><img src="{_attr(static("admin/img/search.svg"))}" '
        'alt="Search"></label>\n'
        f'<input type="text" size="40" name="{SEARCH_VAR}" value="{_e(query.search)}" '
        'id="searchbar" aria-describedby="searchbar_helptext">\n'
        f'<input type="submit" value="{_e(gettext("Search"))}">\n'
    ]
    if exact and query.params:
        results = ngettext("%(counter)s result", "%(counter)s results", count) % {
            "counter": count}
        parts.append(f'    <span class="small quiet">{_e(results)} (<a href="?">'
                     f'{_e(gettext("Show all"))}</a>)</span>\n')
    parts.extend(f'    <input type="hidden" name="{_e(key)}" value="{_e(value)}">\n'
                 for key, value in query.params.items() if key != SEARCH_VAR)
    parts.append("</div>\n<br class=\"clear\">\n"
                 f'<div class="help" id="searchbar_helptext">{_e(model_admin.search_help_text)}'
                 "</div>\n</form></div>\n")
    return "".join(parts)


def _actions(model_admin, request: HttpRequest, shown: int, count: int) -> str:
    # admin/actions.html with the ActionForm's two fields
    options = "".join(
        f'\n  <option value="{_e(name)}"{" selected" if not name else ""}>{_e(label)}</option>'
        for name, label in model_admin.get_action_choices(request))
    parts = [
        '<div class="actions">\n'
        f'    <label>{_e(helpers.ActionForm.base_fields["action"].label)} '
        f'<select name="action" required>{options}\n</select></label>'
        '<input type="hidden" name="select_across" value="0" class="select-across">\n'
        f'    <button type="submit" class="button" title="{_e(gettext("Run the selected action"))}"'
        f' name="index" value="0">{_e(gettext("Go"))}</button>\n'
        f'        <span class="action-counter" data-actions-icnt="{shown}">'
        f'{_e(gettext("0 of %(cnt)s selected") % {"cnt": shown})}</span>\n'
    ]
    if count != shown:
        all_selected = ngettext("%(total_count)s selected", "All %(total_count)s selected",
                                count) % {"total_count": count}
        select_all = gettext("Select all %(total_count)s %(module_name)s") % {
            "total_count": count, "module_name": model_admin.opts.verbose_name_plural}
        parts.append(
            f'        <span class="all hidden">{_e(all_selected)}</span>\n'
            '        <span class="question hidden">\n'
            '            <a role="button" href="#" title="'
            f'{_e(gettext("Click here to select the objects across all pages"))}">'
            f"{_e(select_all)}</a>\n        </span>\n"
            '        <span class="clear hidden"><a role="button" href="#">'
            f'{_e(gettext("Clear selection"))}</a></span>\n'
        )
    parts.append("</div>\n")
    return "".join(parts)


def _results(model_admin, request: HttpRequest, rows: list, changelist: _Links) -> str:
    """admin/change_list_results.html with the rows Django's items_for_result
    writes for list_display, from the rows' columns."""
    if not rows:
        return ""
    headers = _remembered(("headers", tuple(changelist.encoded.items())),
                          lambda: _headers(model_admin, changelist))
    return ('<div class="results">\n<table id="result_list">\n<thead>\n<tr>\n'
            f"{headers}</tr>\n</thead>\n<tbody>\n"
            f"{''.join(_rows(model_admin, request, rows))}</tbody>\n</table>\n</div>\n")


def _headers(model_admin, links: _Links) -> str:
    # Django's result_headers for the model's ordering: "When" sorted, newest first.
    sorted_index = COLUMNS.index(SORTED_COLUMN) + 1
    label = gettext("Select all objects on this page for an action")
    parts = ['<th scope="col" class="action-checkbox-column">\n'
             f'   <div class="text"><span><input type="checkbox" id="action-toggle" '
             f'aria-label="{_e(label)}"></span></div>\n   <div class="clear"></div>\n</th>\n']
    for index, name in enumerate(COLUMNS, start=1):
        text = _e(capfirst(_column_label(name, model_admin)))
        if index == sorted_index:
            remove, toggle = links.query_string({ORDER_VAR: ""}), links.query_string(
                {ORDER_VAR: str(index)})
            parts.append(
                f'<th scope="col" class="sortable column-{name} sorted descending">\n'
                '       <div class="sortoptions">\n'
                f'         <a class="sortremove" href="{_attr(remove)}" '
                f'title="{_e(gettext("Remove from sorting"))}"></a>\n'
                f'         <a href="{_attr(toggle)}" class="toggle descending" '
                f'title="{_e(gettext("Toggle sorting"))}"></a>\n'
                "       </div>\n"
                f'   <div class="text"><a href="{_attr(toggle)}">{text}</a></div>\n'
                '   <div class="clear"></div>\n</th>\n')
        else:
            primary = links.query_string({ORDER_VAR: f"{index}.-{sorted_index}"})
            parts.append(f'<th scope="col" class="sortable column-{name}">\n'
                         f'   <div class="text"><a href="{_attr(primary)}">{text}</a></div>\n'
                         '   <div class="clear"></div>\n</th>\n')
    return "".join(parts)


def _column_label(name: str, model_admin) -> str:
    key = (name, get_language())
    label = _COLUMN_LABELS.get(key)
    if label is None:
        label = _COLUMN_LABELS[key] = str(label_for_field(name, Submission, model_admin))
    return label


_COLUMN_LABELS: dict[tuple[str, str | None], str] = {}


def _rows(model_admin, request: HttpRequest, rows: list) -> Iterator[str]:
    """One <tr> per row, as Django's items_for_result writes it."""
    change_url = pk_url("admin:segments_submission_change",
                        current_app=model_admin.admin_site.name)
    preserved = model_admin.get_preserved_filters(request)
    suffix = _attr("?" + preserved) if preserved else ""
    kinds = escaped_labels("kind")
    statuses = escaped_labels("status")
    names = {pk: _e(name) for pk, name in authors.author_names(
        {row.author_id for row in rows}).items()}
    select = gettext("Select this object for an action - {}")
    milliseconds = html.escape(gettext("%(ms)s ms"))
    when = _DateText("DATETIME_FORMAT")
    zone = timezone.get_current_timezone()
    escape = html.escape
    for row in rows:
        pk = row.id
        url = f"{change_url(pk)}{suffix}"
        name = escape(row.name)
        status = row.status
        # str(submission), for the checkbox's label: "name (status)"
        label = select.format(f"{name} ({statuses.get(status) or escape(status)})")
        duration = "—" if row.duration_ms is None else milliseconds % {"ms": int(row.duration_ms)}
        yield (
            '<tr><td class="action-checkbox"><input type="checkbox" name="_selected_action" '
            f'value="{pk}" class="action-select" aria-label="{label}"></td>'
            f'<th class="field-when nowrap"><a href="{url}">'
            f"{escape(when(row.created_at.astimezone(zone)))}</a></th>"
            f'<td class="field-who">{names.get(row.author_id) or EMPTY}</td>'
            f'<td class="field-name"><a href="{url}">{name if row.name.strip() else EMPTY}</a></td>'
            f'<td class="field-kind">{kinds.get(row.kind, EMPTY)}</td>'
            f'<td class="field-status">{statuses.get(status, EMPTY)}</td>'
            f'<td class="field-altcraft_id">'
            f'{EMPTY if row.altcraft_id is None else row.altcraft_id}</td>'
            f'<td class="field-duration">{duration}</td></tr>\n'
        )


def _pagination(model_admin, page, changelist: _Links) -> str:
    """templates/admin/segments/submission/pagination.html: Django's page
    links, and past the count cap "more than N submissions" (and page links
    up to the next page, the last one not being known)."""
    paginator = page.paginator
    opts = model_admin.opts
    count = paginator.count
    number = page.number
    parts = ['<p class="paginator">\n']
    if count > paginator.per_page:
        if paginator.count_is_exact:
            numbers = paginator.get_elided_page_range(number)
            last = paginator.num_pages
        else:
            known = number + 1 if page.has_next() else number
            numbers = [*Paginator(range(known), 1).get_elided_page_range(number)]
            if page.has_next():
                numbers.append(Paginator.ELLIPSIS)
            last = None
        for item in numbers:
            if item == Paginator.ELLIPSIS:
                parts.append(f"{item} \n")
            elif item == number:
                parts.append(f'<span class="this-page">{item}</span> \n')
            else:
                end = ' class="end"' if item == last else ""
                parts.append(f'<a href="'
                             f'{_attr(changelist.query_string({PAGE_VAR: item}))}"{end}>'
                             f"{item}</a> \n")
    if paginator.count_is_exact:
        noun = opts.verbose_name if count == 1 else opts.verbose_name_plural
        parts.append(f"{count} {_e(noun)}\n")
    else:
        parts.append(_e(gettext("more than %(cap)s %(name)s") % {
            "cap": paginator.count_cap, "name": opts.verbose_name_plural}) + "\n")
    if paginator.count_is_exact and paginator.per_page < count <= model_admin.list_max_show_all:
        parts.append(f'<a href="{_attr(changelist.query_string({ALL_VAR: ""}))}" '
                     f'class="showall">{_e(gettext("Show all"))}</a>\n')
    parts.append("</p>\n")
    return "".join(parts)


def _filters(query: ListQuery, changelist: _Links) -> str:
    """change_list.html's filter sidebar with admin/filter.html per filter
    (list_filter: status, kind, format, then the authors)."""
    active = any(key in query.params for key in FILTERS)
    facets = changelist.query_string({IS_FACETS_VAR: True})
    parts = ['<nav id="changelist-filter" aria-labelledby="changelist-filter-header">\n'
             f'<h2 id="changelist-filter-header">{_e(gettext("Filter"))}</h2>\n'
             '<div id="changelist-filter-extra-actions">\n'
             f'  <h3>\n    <a href="{_attr(facets)}" class="viewlink">'
             f'{_e(gettext("Show counts"))}</a>\n  </h3>\n']
    if active:
        # Django's link keeps the date range as __gte/__lt, which only its own
        # list reads; the hierarchy's parameters mean the same.
        clear = changelist.query_string(remove=FILTERS)
        parts.append(f'  <h3>\n    <a href="{_attr(clear)}">&#10006; '
                     f'{_e(gettext("Clear all filters"))}</a>\n  </h3>\n')
    parts.append("</div>\n")
    for key, field in CHOICE_FILTERS.items():
        parts.append(_filter(changelist, key, field, query.params.get(key),
                             choice_labels(field).items()))
    parts.append(_filter(changelist, AUTHOR, "author", query.params.get(AUTHOR),
                         authors.submission_authors().items()))
    parts.append("</nav>\n")
    return "".join(parts)


_SELECTED = ' class="selected"'


def _filter(changelist: _Links, key: str, field: str, chosen: str | None,
            choices: Iterable[tuple[Any, Any]]) -> str:
    title = _e(Submission._meta.get_field(field).verbose_name)
    isnull = key.partition("__")[0] + "__isnull"
    items = [(chosen is None, changelist.query_string(remove=[key, isnull]), gettext("All"))]
    items.extend((chosen == str(value), changelist.query_string({key: value}, remove=[isnull]),
                  label) for value, label in choices)
    lis = "".join(f'    <li{_SELECTED if selected else ""}>\n'
                  f'    <a href="{_attr(link)}">{_e(label)}</a></li>\n'
                  for selected, link, label in items)
    summary = _e(gettext(" By %(filter_title)s ")) % {"filter_title": title}
    return (f'<details data-filter-title="{title}" open>\n  <summary>\n    {summary}\n'
            f"  </summary>\n  <ul>\n{lis}  </ul>\n</details>\n")


# --- texts --------------------------------------------------------------------------------


def _e(value: Any) -> str:
    """`{{ value }}`: text (lazy or not) escaped."""
    return html.escape(str(value))


def _attr(url: str) -> str:
    return html.escape(url)


class _DateText:
    """formats.date_format(value, format_name) for many values: Django's
    formatter took 35-45 µs per date, a page's dates 4 ms. Each part of the
    format (month name, day, hour, "a.m."...) is written once per language
    and stored by the part of the date it depends on."""

    def __init__(self, format_name: str):
        self.language = get_language()
        self.pieces: list[tuple[str, Callable | None | bool]] = []
        for number, piece in enumerate(re_formatchars.split(str(formats.get_format(format_name)))):
            if number % 2:
                self.pieces.append((piece, _DEPENDS_ON.get(piece)))
            elif piece:
                self.pieces.append((re_escaped.sub(r"\1", piece), False))

    def __call__(self, value: datetime.date) -> str:
        parts = []
        for piece, depends_on in self.pieces:
            if depends_on is False:
                parts.append(piece)
                continue
            if depends_on is None:  # the whole value and its zone (c, r, U, O, T, Z...)
                parts.append(str(getattr(DateFormat(value), piece)()))
                continue
            key = (self.language, piece, depends_on(value))
            text = _DATE_PARTS.get(key)
            if text is None:
                if len(_DATE_PARTS) >= _DATE_PARTS_KEPT:
                    _DATE_PARTS.clear()
                text = _DATE_PARTS[key] = str(getattr(DateFormat(value), piece)())
            parts.append(text)
        return "".join(parts)


# What each format character of django.utils.dateformat depends on.
_DEPENDS_ON: dict[str, Callable] = {
    **dict.fromkeys("bEFmMnN", attrgetter("month")),
    **dict.fromkeys("djS", attrgetter("day")),
    **dict.fromkeys("yYL", attrgetter("year")),
    **dict.fromkeys("DlwWzot", attrgetter("year", "month", "day")),
    **dict.fromkeys("aAgGhH", attrgetter("hour")),
    "i": attrgetter("minute"),
    "s": attrgetter("second"),
    "u": attrgetter("microsecond"),
    **dict.fromkeys("fP", attrgetter("hour", "minute")),
}
_DATE_PARTS: dict[tuple, str] = {}
_DATE_PARTS_KEPT = 20000


def _date_text(value: datetime.date, format_name: str) -> str:
    return _DateText(format_name)(value)
