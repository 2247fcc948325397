"""The builder page, one URL for all it does: compose, preview and send a
segment (POST), import a pasted payload (POST with action=import), start
from a past submission (GET ?from=<pk>), open a segment of Altcraft to edit it
(GET ?altcraft=<id>) and save it back (POST with action=update); and the
pickers' lists as JSON.

The page's scripts ask for parts only, on the same road (same forms, same
codec): a preview posted with the header `X-Builder-Part: preview` gets the
preview panel and the error summary alone (the live preview), and an import
posted with `X-Builder-Part: import` gets the import box back (200) when the
paste cannot be read, or 204 when it can (the script then posts it for real)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from segbuilder.altcraft.segment import Kind, Segment
from segbuilder.catalogue.known import known_values
from segbuilder.catalogue.seen import remember_unnamed
from segbuilder.segments.build import edits, imports, row_budget
from segbuilder.segments.build.errors import builder_errors, invalid_fields
from segbuilder.segments.build.forms import KIND_CHOICES, KIND_HELP, BuilderForms, known_values_id
from segbuilder.segments.build.pickers import picker_lists
from segbuilder.segments.build.summary import segment_summary
from segbuilder.segments.models import Submission
from segbuilder.segments.problems import problem_text
from segbuilder.segments.services import (
    SubmitResult,
    recent_identical,
    segment_preview,
    segment_submit,
    segment_update,
)

IMPORT = "import"
PREVIEW = "preview"
SEND = "send"
# The header a script sends to get a part of the page instead of all of it.
PART_HEADER = "X-Builder-Part"
# "Send another copy", when asked whether an identical recent segment should be sent again.
SEND_AGAIN = "send-again"
# Edit mode: save the changes to Altcraft; "Overwrite anyway", when the
# segment changed in Altcraft since it was opened.
UPDATE = "update"
UPDATE_ANYWAY = "update-anyway"


@require_http_methods(["GET", "HEAD", "POST"])
def builder(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        if "from" in request.GET:
            return builder_from_submission(request, request.GET["from"])
        if "altcraft" in request.GET:
            return builder_from_altcraft(request, request.GET["altcraft"])
        return render_builder(request, BuilderForms())
    if request.POST.get("action") == IMPORT:
        return builder_import(request)
    return builder_post(request)


def builder_post(request: HttpRequest) -> HttpResponse:
    """The builder's own form: preview it, or send it."""
    # Counted before any form is built: the forms of a post over budget
    # would hold the worker for as long as they took to build.
    overruns = row_budget.overruns_posted(request.POST)
    if overruns:
        if wants_part(request, PREVIEW):
            return render_preview_part(request, BuilderForms(), status=400,
                                       problems=row_budget.overrun_texts(overruns))
        return render_too_big(request, overruns)
    key = posted_key(request)
    forms = BuilderForms(request.POST)
    if not forms.is_valid():
        return render_builder(request, forms, key=key)
    segment = forms.segment()
    problems = segment.problems()
    if problems:  # the forms should have caught these; never send a bad segment
        return render_builder(request, forms, key=key,
                              problems=[problem_text(p) for p in problems])
    preview = segment_preview(segment=segment)
    summary = segment_summary(segment)
    action = request.POST.get("action")
    if action in (UPDATE, UPDATE_ANYWAY):
        return builder_update(request, forms, segment, key=key,
                              anyway=action == UPDATE_ANYWAY, preview=preview, summary=summary)
    if action not in (SEND, SEND_AGAIN):
        return render_builder(request, forms, key=key, preview=preview, summary=summary,
                              previewed=True)
    if not can_send(request.user):
        return render_builder(request, forms, key=key, preview=preview, summary=summary,
                              status=403, send_refused=True)
    # Every page needs a login (LoginRequiredMiddleware): the user is a User.
    assert isinstance(request.user, User)
    # A key used already shows what became of that send (segment_submit); a new
    # one for a segment just created asks first, with a key of its own, so that
    # "Send another copy" sends exactly one more.
    if action == SEND and not (key and Submission.objects.filter(key=key).exists()):
        earlier = recent_identical(author=request.user, segment=segment)
        if earlier is not None:
            return render_builder(request, forms, preview=preview, summary=summary,
                                  repeat_of=earlier, repeat_minutes=_minutes_since(earlier))
    result = segment_submit(author=request.user, segment=segment, fmt=forms.format,
                            key=key or uuid.uuid4())
    return render_sent(request, forms, result, key=key, preview=preview, summary=summary)


def builder_update(request: HttpRequest, forms: BuilderForms, segment: Segment, *,
                   key: uuid.UUID | None, anyway: bool, **shown) -> HttpResponse:
    """Edit mode's "Save changes to Altcraft": the segment fetched again and,
    unless it changed since it was opened (or `anyway`), updated."""
    if not can_send(request.user):
        return render_builder(request, forms, key=key, status=403, send_refused=True, **shown)
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    edit = forms.edit
    if edit is None or not edit.is_valid():
        return render_builder(request, forms, key=key, status=400, problems=[
            _("This form does not say which segment of Altcraft to save: open the segment "
              "again from Altcraft.")], **shown)
    segment_id, opened = edit.cleaned_data["altcraft_id"], edit.cleaned_data["opened"]
    problems = edits.edit_problems(opened, segment)
    if problems:
        return render_builder(request, forms, key=key, problems=problems, **shown)
    # A key used already shows what became of that save (segment_update).
    if not anyway and not (key and Submission.objects.filter(key=key).exists()):
        try:
            conflict = edits.changed_since(opened, segment_id)
        except edits.OpenFailed as error:
            return render_builder(request, forms, key=key, problems=[str(error)], **shown)
        if conflict is not None:
            return render_builder(request, forms, key=key, conflict=conflict, **shown)
    result = segment_update(author=request.user, segment_id=segment_id, segment=segment,
                            fmt=forms.format, opened=opened, key=key or uuid.uuid4())
    return render_sent(request, forms, result, key=key, **shown)


def render_sent(request: HttpRequest, forms: BuilderForms, result: SubmitResult, *,
                key: uuid.UUID | None, **shown) -> HttpResponse:
    """What became of a create or an update."""
    submission = result.submission
    if result.repeated:
        messages.info(request, _("This form was sent already, so nothing was sent again. "
                                 "Here is what happened to it."))
        return redirect("submission_detail", pk=submission.pk)
    if submission.status in (Submission.Status.CREATED, Submission.Status.UPDATED):
        # The submission's page says it was created or updated, with Altcraft's id.
        return redirect("submission_detail", pk=submission.pk)
    # Rejected or failed: nothing was created, so a fresh key lets the user send
    # again. Outcome unknown: the same key, so a resend shows this attempt.
    next_key = key if submission.status == Submission.Status.UNKNOWN else None
    return render_builder(request, forms, key=next_key, submission=submission, **shown)


def builder_import(request: HttpRequest) -> HttpResponse:
    """A pasted payload: the builder filled with it, or the builder with the
    text kept in the box and what is wrong with it."""
    text = request.POST.get("payload", "")
    try:
        result = imports.segment_import(text=text)
    except imports.PayloadUnreadable as error:
        if wants_part(request, IMPORT):
            # The builder is left as it is in the page; only the box changes.
            return render(request, "segments/_import_box.html",
                          {"import_text": text, "import_error": error})
        return render_builder(request, BuilderForms(), import_text=text, import_error=error)
    if wants_part(request, IMPORT):
        return HttpResponse(status=204)
    remember_unnamed(result.segment)
    forms = BuilderForms.from_segment(result.segment, fmt=result.fmt)
    return render_builder(request, forms, imported=result)


def builder_from_submission(request: HttpRequest, raw_pk: str) -> HttpResponse:
    """The builder filled with what a submission sent, to edit and send anew."""
    if not raw_pk.isascii() or not raw_pk.isdigit() or len(raw_pk) > 18:
        return redirect("builder")
    submission = get_object_or_404(Submission.objects.select_related("author"), pk=int(raw_pk))
    try:
        result = imports.submission_clone(submission=submission)
    except imports.PayloadUnreadable as error:
        messages.error(request, _("This submission cannot fill the builder: %(reason)s")
                       % {"reason": error.message})
        return redirect("submission_detail", pk=submission.pk)
    remember_unnamed(result.segment)
    forms = BuilderForms.from_segment(result.segment, fmt=result.fmt)
    return render_builder(request, forms, imported=result, cloned_from=submission)


def builder_from_altcraft(request: HttpRequest, raw_id: str) -> HttpResponse:
    """Edit mode: the builder filled with segment `raw_id` as Altcraft has it now."""
    if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18 or int(raw_id) < 1:
        return redirect("builder")
    segment_id = int(raw_id)
    try:
        result = edits.segment_opened(segment_id)
    except edits.OpenFailed as error:
        return render_builder(request, BuilderForms(), problems=[str(error)])
    remember_unnamed(result.segment)
    edit = edits.EditForm.of(segment_id, result.segment.to_payload())
    forms = BuilderForms.from_segment(result.segment, edit=edit)
    return render_builder(request, forms, imported=result, opened_id=segment_id)


def _minutes_since(submission: Submission) -> int:
    return max(1, round((timezone.now() - submission.created_at).total_seconds() / 60))


def posted_key(request: HttpRequest) -> uuid.UUID | None:
    """The builder form's one-time submission key, if it posted a valid one."""
    try:
        return uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        return None


def can_send(user) -> bool:
    return user.has_perm("segments.send_segment")


def render_too_big(request: HttpRequest, overruns: list[row_budget.Overrun]) -> HttpResponse:
    """A post over the row budgets: what is over, by how much; nothing built."""
    return render(request, "segments/too_big.html",
                  {"problems": row_budget.overrun_texts(overruns)}, status=400)


def wants_part(request: HttpRequest, part: str) -> bool:
    """Whether a script asked for `part` of the page only (for the action it posted)."""
    return (request.headers.get(PART_HEADER) == part
            and request.POST.get("action", PREVIEW) == part)


def render_preview_part(request: HttpRequest, forms: BuilderForms, *, status: int = 200,
                        **context) -> HttpResponse:
    """The live preview: the preview panel, the error summary and the marks
    of the invalid fields, nothing else. An unbound `forms` (a post over the
    row budgets) carries no marks: the page keeps the ones it shows."""
    bound = forms.segment_form.is_bound
    invalid = bound and not forms.is_valid()
    fields = invalid_fields(forms) if invalid else []
    errors = builder_errors(forms) if invalid else []
    return render(request, "segments/_preview_part.html", {
        "forms": forms, "errors": errors, "error_count": len(errors), "marks": bound,
        "segment_fields": [bf for bf in fields if bf.form is forms.segment_form],
        "row_fields": [bf for bf in fields if bf.form is not forms.segment_form],
        **context,
    }, status=status)


def render_builder(request: HttpRequest, forms: BuilderForms, *, status: int = 200,
                   key: uuid.UUID | None = None, **context) -> HttpResponse:
    if wants_part(request, PREVIEW):
        return render_preview_part(request, forms, status=status, **context)
    errors = builder_errors(forms) if forms.segment_form.is_bound and not forms.is_valid() else []
    return render(request, "segments/builder.html", {
        "forms": forms,
        # One key per intent to send: kept across previews and errors.
        "submission_key": key or uuid.uuid4(),
        "kind_help": [(label, KIND_HELP[Kind(value)]) for value, label in KIND_CHOICES],
        "errors": errors,
        "error_count": len(errors),
        "can_send": can_send(request.user),
        "known_values": known_value_lists(),
        **context,
    }, status=status)


def known_value_lists() -> list[tuple[str, tuple[str, ...]]]:
    """The <datalist>s the builder's text params point at (forms.known_values_id)."""
    return [(known_values_id(kind_key, param), values)
            for (kind_key, param), values in known_values().items()]


@require_safe
@never_cache
def pickers(request: HttpRequest) -> JsonResponse:
    """{"databases": [{"id", "name"}...], "segments": [...], "resources": [...],
    "errors": {list: message}}; `?refresh=1` asks Altcraft again. Always 200:
    a list that failed is empty and has its message in `errors`. Login is
    required (LoginRequiredMiddleware)."""
    lists = picker_lists(refresh=request.GET.get("refresh") == "1")
    return JsonResponse(lists.as_json())
