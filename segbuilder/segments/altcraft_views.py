"""The "In Altcraft" page: Altcraft's own segments, paged and searchable by
name, each with an "Open" link into the builder's edit mode. The data is
segbuilder/segments/altcraft_segments.py's; viewers may see it too (login is
required by LoginRequiredMiddleware)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from segbuilder.altcraft.segment import Kind
from segbuilder.segments.altcraft_segments import (
    AltcraftSegment,
    altcraft_segments,
    segment_details,
)
from segbuilder.segments.models import KIND_LABELS

PAGE_SIZE = 50


class ListedSegment(TypedDict):
    """A row as templates/segments/altcraft_segments.html shows it: text."""

    id: str
    name: str
    kind: str  # its label in the current language, "" when unknown
    count: str  # "" when unknown
    open_url: str


@require_http_methods(["GET", "HEAD", "POST"])
def altcraft_segments_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if request.method == "POST":
        # "Refresh": ask Altcraft again, then show the list as a GET would.
        altcraft_segments(refresh=True)
        url = reverse("altcraft_segments")
        return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
    listed = altcraft_segments()
    page = rows = None
    if listed.segments is not None:
        page = Paginator(listed.matching(query), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = _rows(list(page.object_list))
    return render(request, "segments/altcraft_segments.html", {
        "failure": listed.failure.shown() if listed.failure else "",
        "page": page, "rows": rows, "query": query,
    })


def _rows(segments: Sequence[AltcraftSegment]) -> list[ListedSegment]:
    details = segment_details([segment.id for segment in segments])
    builder = reverse("builder")
    rows: list[ListedSegment] = []
    for segment in segments:
        found = details.get(segment.id)
        kind = found.kind if found else None
        count = found.count if found else None
        rows.append({
            "id": str(segment.id),
            "name": segment.name,
            "kind": str(KIND_LABELS[Kind(kind)]) if kind else "",
            "count": str(count) if count is not None else "",
            "open_url": f"{builder}?{urlencode({'altcraft': segment.id})}",
        })
    return rows
