"""The shared history: the list of submissions and one submission's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from segbuilder.segments.models import Submission

HISTORY_PAGE_SIZE = 50


def history(request: HttpRequest) -> HttpResponse:
    submissions = Submission.objects.select_related("author")
    page = Paginator(submissions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "segments/history.html", {"page": page})


def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("author"), pk=pk)
    return render(request, "segments/submission_detail.html", {"submission": submission})
