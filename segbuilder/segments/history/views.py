"""The shared history: the list of submissions, one submission's page, its
"Check in Altcraft", and two submissions compared (rule by rule, beside a
line diff of their JSON payloads)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST, require_safe

from segbuilder.altcraft.codec import CodecError, payload_to_json, payload_to_xml
from segbuilder.altcraft.segment import PayloadError, Segment
from segbuilder.segments.build.summary import segment_summary
from segbuilder.segments.history import authors
from segbuilder.segments.history.check import CheckFailed, StillSending, submission_check
from segbuilder.segments.history.csv_export import CHUNK_SIZE, DOWNLOAD_CAP, csv_response
from segbuilder.segments.history.diff import payloads_compare
from segbuilder.segments.history.filters import HistoryFilterForm
from segbuilder.segments.history.selectors import (
    LIST_COLUMNS,
    CappedPaginator,
    list_key,
    submission_list,
)
from segbuilder.segments.models import KIND_CHOICES, Submission

HISTORY_PAGE_SIZE = 50


@require_safe
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET)
    page = rows = None
    if form.is_valid():
        filters = form.cleaned_data
        paginator = CappedPaginator(submission_list(filters=filters), HISTORY_PAGE_SIZE,
                                    columns=LIST_COLUMNS,
                                    count_key=list_key("history", *sorted(filters.items())))
        page = paginator.get_page(request.GET.get("page"))
        names = authors.author_names(row.author_id for row in page.object_list)
        rows = listed_submissions(page.object_list, names)
    return render(request, "segments/history.html", {
        "form": form, "page": page, "rows": rows, "filtered": form.is_filtered(),
        "csv_cap": DOWNLOAD_CAP,
    })


@require_safe
def history_csv(request: HttpRequest) -> HttpResponseBase:
    """The history as the page filters it, as CSV: at most DOWNLOAD_CAP rows,
    newest first (the page says so). Anyone who may read the history may
    download it."""
    form = HistoryFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('history')}?{request.GET.urlencode()}")
    rows = (submission_list(filters=form.cleaned_data).select_related("author")
            [:DOWNLOAD_CAP].iterator(chunk_size=CHUNK_SIZE))
    return csv_response(rows, prefix="history")


class ListedSubmission(TypedDict):
    """A row of the history as templates/segments/history.html shows it: text
    (dicts of text are what Django's templates read fastest)."""

    id: str
    url: str
    created_at: str  # ISO 8601, in the current time zone
    when: str  # the same, as YYYY-MM-DD HH:MM
    author: str
    name: str
    kind: str  # its label, in the current language
    status: str
    status_label: str
    altcraft_id: str  # "" when none


def listed_submissions(rows: Iterable[Any], author_names: dict[int, str]
                       ) -> list[ListedSubmission]:
    """The rows of a page (named tuples of LIST_COLUMNS) with the names they
    show: authors' (`author_names`: username by user id) and choices' labels
    (a value no choice has is shown as it is)."""
    kinds, statuses = (
        {value: str(label) for value, label in choices}
        for choices in (KIND_CHOICES, Submission.Status.choices))
    zone = timezone.get_current_timezone()
    detail_url = _detail_url()
    listed = []
    for row in rows:
        created_at = row.created_at.astimezone(zone)
        listed.append(ListedSubmission(
            id=str(row.id), url=detail_url(row.id),
            created_at=created_at.isoformat(), when=f"{created_at:%Y-%m-%d %H:%M}",
            author=author_names.get(row.author_id) or f"#{row.author_id}",  # deleted meanwhile
            name=row.name, kind=kinds.get(row.kind, row.kind), status=row.status,
            status_label=statuses.get(row.status, row.status),
            altcraft_id="" if row.altcraft_id is None else str(row.altcraft_id)))
    return listed


def _detail_url() -> Callable[[int], str]:
    """reverse("submission_detail", args=[pk]) for the pks of a page, reversed
    once: reversing each row's took as long as writing the rest of it."""
    marker = 9876543210
    head, tail = reverse("submission_detail", args=[marker]).rsplit(str(marker), 1)
    return lambda pk: f"{head}{int(pk)}{tail}"


@require_safe
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("author"), pk=pk)
    return render(request, "segments/submission_detail.html", {
        "submission": submission, "summary": _summary(submission.payload),
        "clone_url": builder_from_url(submission.pk),
        **_payload_texts(submission.sent_payload),
    })


@require_POST
def submission_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """"Check in Altcraft" for a submission whose outcome is unknown."""
    # The check rewrites the history: only those who may send may run it.
    if not request.user.has_perm("segments.send_segment"):
        raise PermissionDenied
    submission = get_object_or_404(Submission, pk=pk)
    try:
        submission_check(submission=submission)
    except StillSending as wait:
        messages.warning(request, _("This segment may still be on its way to Altcraft: check "
                                    "again in %(seconds)s s, when its send is surely over.")
                         % {"seconds": wait.seconds})
    except CheckFailed as error:
        messages.error(request, _("Altcraft could not be asked, so nothing changed: %(error)s")
                       % {"error": error})
    return redirect("submission_detail", pk=pk)


def _summary(payload: dict) -> str:
    """The stored segment in plain words, or nothing when the payload cannot
    be read as a segment (rows written before a format change, or by hand)."""
    try:
        return segment_summary(Segment.from_payload(payload))
    except PayloadError:
        return ""


def _payload_texts(payload: dict) -> dict[str, str]:
    """The stored payload as JSON and XML text; a payload one format cannot
    hold is explained instead of breaking the page."""
    texts = {}
    for fmt, write in (("json", payload_to_json), ("xml", payload_to_xml)):
        try:
            text = write(payload)
        except CodecError as error:
            texts[f"payload_{fmt}_error"] = str(error)
        else:
            texts[f"payload_{fmt}"] = text if isinstance(text, str) else text.decode("utf-8")
    return texts


# Positive, and small enough for the database's integer (a longer number
# would overflow SQLite rather than simply find nothing).
_SUBMISSION_ID = re.compile(r"[0-9]{1,18}")


def submission_diff(request: HttpRequest) -> HttpResponse:
    """Two submissions compared (`?id=<pk>&id=<pk>`), or what one edit
    changed (`?edit=<pk>`: the segment as opened, then as saved)."""
    if "edit" in request.GET:
        return edit_diff(request, request.GET["edit"])
    raw = request.GET.getlist("id")
    ids, problem = _two_ids(raw)
    if problem:
        return _render(request, raw=raw, problem=problem, empty=not raw)
    found = Submission.objects.select_related("author").in_bulk(ids)
    missing = [pgettext("submission", "#%(id)s") % {"id": pk} for pk in ids if pk not in found]
    if missing:
        problem = _("There is no submission %(numbers)s in the history.") % {
            "numbers": _(" or ").join(missing)}
        return _render(request, raw=raw, problem=problem, status=404)
    # Older first, so "added" means added by the later submission.
    old, new = sorted(found.values(), key=lambda s: (s.created_at, s.pk))
    comparison = payloads_compare(old=old.sent_payload, new=new.sent_payload)
    sides = [
        {"label": pgettext("submission", "Older"), "submission": old,
         "problem": comparison.old_problem, "ignored": comparison.old_ignored},
        {"label": pgettext("submission", "Newer"), "submission": new,
         "problem": comparison.new_problem, "ignored": comparison.new_ignored},
    ]
    return _render(request, raw=[str(old.pk), str(new.pk)], old=old, new=new,
                   comparison=comparison, sides=sides)


def edit_diff(request: HttpRequest, raw: str) -> HttpResponse:
    if not _SUBMISSION_ID.fullmatch(raw.strip()):
        shown = raw if len(raw) <= 40 else f"{raw[:40]}…"
        return _render(request, raw=[], status=400, problem=_(
            "“%(value)s” is not a submission number: use whole numbers such as 12.")
            % {"value": shown})
    edit = get_object_or_404(Submission.objects.select_related("author"), pk=int(raw))
    if edit.opened_payload is None:
        return _render(request, raw=[], status=404, problem=_(
            "Submission #%(id)s is not an edit of a segment in Altcraft.") % {"id": edit.pk})
    comparison = payloads_compare(old=edit.opened_payload, new=edit.sent_payload)
    sides = [
        {"label": _("As opened in Altcraft"), "submission": edit,
         "problem": comparison.old_problem, "ignored": comparison.old_ignored},
        {"label": _("As saved"), "submission": edit,
         "problem": comparison.new_problem, "ignored": comparison.new_ignored},
    ]
    return _render(request, raw=[], edit=edit, comparison=comparison, sides=sides)


def _two_ids(raw: list[str]) -> tuple[list[int], str | None]:
    """The two submission ids asked for, or why they cannot be compared."""
    if len(raw) != 2:
        if not raw:
            return [], _("Pick two submissions to compare: tick two rows in the history, "
                         "or enter their numbers below.")
        if len(raw) == 1:
            return [], _("Pick two submissions to compare; only one was given.")
        return [], ngettext("Pick exactly two submissions to compare; %(count)d was given.",
                            "Pick exactly two submissions to compare; %(count)d were given.",
                            len(raw)) % {"count": len(raw)}
    for value in raw:
        if not _SUBMISSION_ID.fullmatch(value.strip()) or int(value) < 1:
            shown = value if len(value) <= 40 else f"{value[:40]}…"
            return [], _("“%(value)s” is not a submission number: use whole numbers "
                         "such as 12.") % {"value": shown}
    ids = [int(value) for value in raw]
    if ids[0] == ids[1]:
        return [], _("Pick two different submissions; #%(id)s was given twice.") % {
            "id": ids[0]}
    return ids, None


def _render(request: HttpRequest, *, raw: list[str], status: int = 200, **context) -> HttpResponse:
    # Keep what was typed in the form when it could be a number, so it can be fixed.
    typed = [value.strip() for value in raw if _SUBMISSION_ID.fullmatch(value.strip())][:2]
    return render(request, "segments/diff.html", {
        "form_values": typed + [""] * (2 - len(typed)),
        **context,
    }, status=status)


def builder_from_url(pk: int) -> str:
    """The builder filled with what submission `pk` sent."""
    return f"{reverse('builder')}?{urlencode({'from': pk})}"
