"""Admin review of the shared history: Django's own list, read-only for
everyone, superusers included, with a CSV export of the selected rows."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from segbuilder.altcraft.codec import CodecError, payload_to_json
from segbuilder.segments.history import authors
from segbuilder.segments.history.csv_export import CHUNK_SIZE as CSV_CHUNK_SIZE
from segbuilder.segments.history.csv_export import csv_response
from segbuilder.segments.history.selectors import CappedPaginator, search_condition
from segbuilder.segments.models import Submission

# The product's name on every admin page, in the reader's language.
admin.site.site_header = _("Altcraft segment builder")
admin.site.site_title = _("Altcraft segment builder")
admin.site.index_title = _("Segment builder administration")

# The fields list_display and str() (the rows' checkboxes) read.
LIST_FIELDS = ("created_at", "author__username", "name", "kind", "status", "altcraft_id",
               "duration_ms")


class SentByFilter(admin.RelatedOnlyFieldListFilter):
    """The authors filter: the people who sent something, found with one
    index probe each rather than by reading the author of every row."""

    def field_choices(self, field, request, model_admin):
        return list(authors.submission_authors().items())


class SubmissionChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # What the list shows and no more: the payload and the answers are most
        # of a row's size. (The export's defer(None) reads them again.)
        return super().get_queryset(request, exclude_parameters).only(*LIST_FIELDS)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only review of the shared history: Django's own list, made to
    hold a million rows with the admin's options alone."""

    list_display = ("when", "who", "name", "kind", "status", "altcraft_id", "duration")
    list_display_links = ("when", "name")
    list_filter = ("status", "kind", "format", ("author", SentByFilter))
    # Searched in the case-folded name, by get_search_results.
    search_fields = ("search_text",)
    search_help_text = _("Part of the name, or an Altcraft id.")
    # Years, months and days found by index probes (SubmissionQuerySet.datetimes).
    date_hierarchy = "created_at"
    list_select_related = ("author",)
    list_per_page = 50  # as the history's pages
    # One count per page, and it stops at selectors.COUNT_CAP rows: the "N
    # total" beside a filtered count would count the whole table, and so
    # would the filters' facets. Past the cap the list says "more than"
    # (templates/admin/segments/submission/pagination.html, search_form.html).
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    actions = ("export_csv",)

    class Media:
        # Underlined links and a labelled search box (axe-core, tests/e2e/test_axe.py).
        css = {"all": ["css/admin.css"]}
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

    def get_changelist(self, request: HttpRequest, **kwargs):
        return SubmissionChangeList

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # Already filtered out by has_delete_permission; dropped by name as well so
        # that a later permission change cannot bring bulk deletion back.
        actions.pop("delete_selected", None)
        return actions

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """The history's search: the whole term in the case-folded name (its
        trigram index on PostgreSQL), or the Altcraft id it names; the
        sidebar's filters still apply."""
        if not (term := search_term.strip()):
            return queryset, False
        return queryset.filter(search_condition(term)), False

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
        return render_to_string("admin/segments/submission/payload.html", {"text": text})

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        # defer(None): the list's queryset leaves the payload out; the export needs it.
        rows = queryset.defer(None).select_related("author").iterator(chunk_size=CSV_CHUNK_SIZE)
        return csv_response(rows, prefix="submissions")
