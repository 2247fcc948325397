"""Two submissions compared: what differs between their segments, rule by rule,
beside a line diff of their JSON payloads."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from segbuilder.segments.diff import payloads_compare
from segbuilder.segments.models import Submission

# Positive, and small enough for the database's integer (a longer number
# would overflow SQLite rather than simply find nothing).
_SUBMISSION_ID = re.compile(r"[0-9]{1,18}")


def submission_diff(request: HttpRequest) -> HttpResponse:
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
