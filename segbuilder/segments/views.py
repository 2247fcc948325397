"""Thin views: bind, validate, call one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from segbuilder.segments.forms import KIND_HELP, BuilderForms
from segbuilder.segments.models import Submission
from segbuilder.segments.services import segment_preview, segment_submit

HISTORY_PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
def builder(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_builder(request, BuilderForms())
    forms = BuilderForms(request.POST)
    if not forms.is_valid():
        return _render_builder(request, forms)
    segment = forms.segment()
    problems = segment.problems()
    if problems:  # the forms should have caught these; never send a bad segment
        return _render_builder(request, forms, problems=[str(p) for p in problems])
    if request.POST.get("action") != "send":
        return _render_builder(request, forms, preview=segment_preview(segment=segment))
    submission = segment_submit(author=request.user, segment=segment, fmt=forms.format)
    if submission.status == Submission.Status.CREATED:
        messages.success(request, f"Segment “{submission.name}” was created in Altcraft.")
        return redirect("submission_detail", pk=submission.pk)
    return _render_builder(request, forms, submission=submission,
                           preview=segment_preview(segment=segment))


def _render_builder(request: HttpRequest, forms: BuilderForms, **context) -> HttpResponse:
    return render(request, "segments/builder.html", {
        "forms": forms,
        "kind_help": KIND_HELP,
        "error_count": forms.error_count() if forms.segment_form.is_bound else 0,
        **context,
    })


def history(request: HttpRequest) -> HttpResponse:
    submissions = Submission.objects.select_related("author")
    page = Paginator(submissions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "segments/history.html", {"page": page})


def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("author"), pk=pk)
    return render(request, "segments/submission_detail.html", {"submission": submission})
