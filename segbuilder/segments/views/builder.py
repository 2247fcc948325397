"""The builder page: compose, preview and send a segment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from segbuilder.segments.forms import KIND_HELP, BuilderForms
from segbuilder.segments.models import Submission
from segbuilder.segments.services import segment_preview, segment_submit


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
    preview = segment_preview(segment=segment)
    if request.POST.get("action") != "send":
        return _render_builder(request, forms, preview=preview)
    if not can_send(request.user):
        return _render_builder(request, forms, preview=preview, status=403, send_refused=True)
    submission = segment_submit(author=request.user, segment=segment, fmt=forms.format)
    if submission.status == Submission.Status.CREATED:
        messages.success(request, f"Segment “{submission.name}” was created in Altcraft.")
        return redirect("submission_detail", pk=submission.pk)
    return _render_builder(request, forms, submission=submission, preview=preview)


def can_send(user) -> bool:
    return user.has_perm("segments.send_segment")


def _render_builder(request: HttpRequest, forms: BuilderForms, *, status: int = 200,
                    **context) -> HttpResponse:
    return render(request, "segments/builder.html", {
        "forms": forms,
        "kind_help": KIND_HELP,
        "error_count": forms.error_count() if forms.segment_form.is_bound else 0,
        "can_send": can_send(request.user),
        **context,
    }, status=status)

