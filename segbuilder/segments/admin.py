"""Admin review of the shared history: read-only for everyone, superusers
included, with a CSV export of the selected rows."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from segbuilder.altcraft.codec import CodecError, payload_to_json
from segbuilder.segments import authors
from segbuilder.segments.admin_list import lean_changelist, list_query, period_after, period_starts
from segbuilder.segments.models import Submission
from segbuilder.segments.selectors import CappedPaginator, altcraft_id_of

CSV_COLUMNS = (
    "id", "created_at", "author", "name", "kind", "format", "status",
    "altcraft_id", "error_code", "error_text", "duration_ms", "payload",
)
CSV_CHUNK_SIZE = 500
# What Django's list shows needs none of these, and they are most of a row's size.
LIST_DEFERRED = ("payload", "answer", "error_text")


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can
    feed a streaming response one row at a time."""

    def write(self, value: str) -> str:
        return value


def submission_csv_lines(submissions: Iterable[Submission]) -> Iterator[str]:
    """The header and one CSV line per submission (payload as compact JSON;
    stored payloads never hold the token)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for s in submissions:
        yield writer.writerow((
            s.pk, s.created_at.isoformat(), _cell(s.author.get_username()), _cell(s.name),
            s.kind, s.format, s.status, _blank_if_none(s.altcraft_id),
            _blank_if_none(s.error_code), _cell(s.error_text),
            _blank_if_none(s.duration_ms),
            json.dumps(s.sent_payload, ensure_ascii=False, separators=(",", ":")),
        ))


def _cell(text: str) -> str:
    """Text a spreadsheet would read as a formula (=, +, -, @, tab, CR first)
    gets a leading apostrophe, as OWASP advises against CSV injection."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _blank_if_none(value: object) -> object:
    return "" if value is None else value


class SubmissionQuerySet(QuerySet):
    """The admin's submissions. The date hierarchy's years and months are
    found by asking, for each one between the first and the last submission,
    whether it holds any (one query of index probes), instead of reading the
    date of every row, which took seconds with a million of them."""

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        if field_name != "created_at" or kind not in ("year", "month") or order != "ASC" \
                or tzinfo is not None:
            return super().datetimes(field_name, kind, order, tzinfo)
        bounds = self.order_by().aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is None:
            return []
        starts = period_starts(timezone.localtime(bounds["first"]),
                               timezone.localtime(bounds["last"]), kind)
        edges = [timezone.make_aware(start) for start in [*starts, period_after(starts[-1], kind)]]
        probes = {
            f"p{number}": Exists(self.order_by().filter(created_at__gte=start, created_at__lt=end))
            for number, (start, end) in enumerate(zip(edges, edges[1:], strict=False))
        }
        held = (Submission.objects.using(self.db).order_by().annotate(**probes)
                .values_list(*probes)[:1].get())
        return [start for start, has_rows in zip(edges, held, strict=False) if has_rows]


class SentByFilter(admin.RelatedOnlyFieldListFilter):
    """The authors filter: the people who sent something, found with one
    index probe each rather than by reading the author of every row."""

    def field_choices(self, field, request, model_admin):
        return list(authors.submission_authors().items())


class SubmissionChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows none of the large fields: leave them in the database.
        return super().get_queryset(request, exclude_parameters).defer(*LIST_DEFERRED)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only review of the shared history."""

    list_display = ("when", "who", "name", "kind", "status", "altcraft_id", "duration")
    list_display_links = ("when", "name")
    list_filter = ("status", "kind", "format", ("author", SentByFilter))
    search_fields = ("name",)
    search_help_text = _("Part of the name, or an Altcraft id.")
    date_hierarchy = "created_at"
    list_select_related = ("author",)
    list_per_page = 50  # as the history's pages
    # One COUNT per page is enough: the "N total" beside a filtered count would
    # cost a second one over the whole table. And that one stops at
    # selectors.COUNT_CAP rows (templates/admin/segments/submission/pagination.html).
    show_full_result_count = False
    paginator = CappedPaginator
    actions = ("export_csv",)
    fields = (
        "created_at", "finished_at", "author", "name", "kind", "format", "status",
        "altcraft_id", "error_code", "error_text", "duration_ms", "payload_pretty", "answer",
        "key",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def action_checkbox(self, obj: Submission) -> str:
        """Django's checkbox column, written directly: rendering a checkbox
        widget's template for each of a page's rows took a quarter of the
        list's time."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" '
                           'aria-label="{}">', helpers.ACTION_CHECKBOX_NAME, str(obj.pk), label)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return SubmissionQuerySet(model=queryset.model, query=queryset.query.chain(),
                                  using=queryset.db)

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The common GETs (search, filters, dates, pages) from
        segments/admin_list.py, everything else from Django's own list."""
        if request.method == "GET" and extra_context is None \
                and (query := list_query(request.GET, self.list_per_page)) is not None:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            response = lean_changelist(self, request, query)
            if response is not None:
                return response
        return super().changelist_view(request, extra_context)

    def get_changelist(self, request: HttpRequest, **kwargs):
        return SubmissionChangeList

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # Already filtered out by has_delete_permission; dropped by name as well so
        # that a later permission change cannot bring bulk deletion back.
        actions.pop("delete_selected", None)
        return actions

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        unsearched = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (altcraft_id := altcraft_id_of(search_term)) is not None:
            # OR-ed onto the list-filtered queryset, not a fresh one, so the
            # sidebar filters still apply to id matches.
            queryset |= unsearched.filter(altcraft_id=altcraft_id)
        return queryset, may_have_duplicates

    @admin.display(description=_("When"), ordering="created_at")
    def when(self, obj: Submission):
        return obj.created_at

    @admin.display(description=_("Who"), ordering="author__username")
    def who(self, obj: Submission) -> str:
        return obj.author.get_username()

    @admin.display(description=_("Duration"), ordering="duration_ms")
    def duration(self, obj: Submission) -> str:
        if obj.duration_ms is None:
            return "—"
        return gettext("%(ms)s ms") % {"ms": obj.duration_ms}

    @admin.display(description=_("Payload (token left out)"))
    def payload_pretty(self, obj: Submission) -> str:
        try:
            text = payload_to_json(obj.sent_payload)
        except CodecError as error:
            text = gettext("(this payload cannot be shown as JSON: %(error)s)") % {
                "error": error}
        return format_html('<pre class="payload">{}</pre>', text)

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        # defer(None): the list's queryset leaves the payload out; the export needs it.
        rows = queryset.defer(None).select_related("author").iterator(chunk_size=CSV_CHUNK_SIZE)
        response = StreamingHttpResponse(submission_csv_lines(rows),
                                         content_type="text/csv; charset=utf-8")
        filename = f"submissions-{timezone.now():%Y%m%d-%H%M%S}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
