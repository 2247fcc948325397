"""The shared history: the list of submissions and one submission's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from segbuilder.altcraft.codec import CodecError, payload_to_json, payload_to_xml
from segbuilder.altcraft.segment import PayloadError, Segment
from segbuilder.segments import authors
from segbuilder.segments.history_forms import HistoryFilterForm
from segbuilder.segments.models import Submission
from segbuilder.segments.selectors import (
    LIST_COLUMNS,
    CappedPaginator,
    list_key,
    submission_list,
)
from segbuilder.segments.services import CheckFailed, submission_check
from segbuilder.segments.summary import segment_summary

HISTORY_PAGE_SIZE = 50


@require_safe
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET)
    page = author_names = None
    if form.is_valid():
        filters = form.cleaned_data
        paginator = CappedPaginator(submission_list(filters=filters), HISTORY_PAGE_SIZE,
                                    columns=LIST_COLUMNS,
                                    count_key=list_key("history", *sorted(filters.items())))
        page = paginator.get_page(request.GET.get("page"))
        author_names = authors.author_names(row.author_id for row in page.object_list)
    return render(request, "segments/history.html", {
        "form": form, "page": page, "author_names": author_names,
        "filtered": form.is_filtered(),
    })


@require_safe
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("author"), pk=pk)
    return render(request, "segments/submission_detail.html", {
        "submission": submission, "summary": _summary(submission.payload),
        **_payload_texts(submission.sent_payload),
    })


@require_POST
def submission_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """"Check in Altcraft" for a submission whose outcome is unknown."""
    submission = get_object_or_404(Submission, pk=pk)
    try:
        submission_check(submission=submission)
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
