"""Import and clone: fill the builder from a pasted payload or a past submission."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from segbuilder.segments import imports
from segbuilder.segments.forms import BuilderForms
from segbuilder.segments.models import Submission
from segbuilder.segments.views import builder as builder_views
from segbuilder.segments.views.builder import render_builder


@require_http_methods(["GET", "POST"])
def builder_import(request: HttpRequest) -> HttpResponse:
    """POST a pasted payload: the builder filled with it, or the builder with
    the text kept in the box and what is wrong with it."""
    if request.method == "GET":
        return redirect("builder")
    if _is_builder_post(request):
        return builder_views.builder(request)
    text = request.POST.get("payload", "")
    try:
        result = imports.segment_import(text=text)
    except imports.PayloadUnreadable as error:
        return render_builder(request, BuilderForms(), import_text=text, import_error=error)
    forms = BuilderForms.from_segment(result.segment, fmt=result.fmt)
    return render_builder(request, forms, imported=result)


@require_http_methods(["GET", "HEAD", "POST"])
def submission_clone(request: HttpRequest, pk: int) -> HttpResponse:
    """The builder filled with what a submission sent, to edit and send anew."""
    if request.method == "POST":
        if _is_builder_post(request):
            return builder_views.builder(request)
        return HttpResponseNotAllowed(["GET", "HEAD"])
    submission = get_object_or_404(Submission.objects.select_related("author"), pk=pk)
    try:
        result = imports.submission_clone(submission=submission)
    except imports.PayloadUnreadable as error:
        messages.error(request, _("This submission cannot fill the builder: %(reason)s")
                       % {"reason": error.message})
        return redirect("submission_detail", pk=submission.pk)
    forms = BuilderForms.from_segment(result.segment, fmt=result.fmt)
    return render_builder(request, forms, imported=result, cloned_from=submission)


def _is_builder_post(request: HttpRequest) -> bool:
    """The builder's own form, posted to this page's address. The filled builder
    posts to the builder's URL, but a client that ignores a form's action posts
    to the address of the page it read (this one): it is served the same."""
    return "payload" not in request.POST and "selections-TOTAL_FORMS" in request.POST
