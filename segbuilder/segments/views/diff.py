"""Two submissions compared: what differs between their segments, rule by rule,
beside a line diff of their JSON payloads."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
    missing = [f"#{pk}" for pk in ids if pk not in found]
    if missing:
        problem = f"There is no submission {' or '.join(missing)} in the history."
        return _render(request, raw=raw, problem=problem, status=404)
    # Older first, so "added" means added by the later submission.
    old, new = sorted(found.values(), key=lambda s: (s.created_at, s.pk))
    comparison = payloads_compare(old=old.payload, new=new.payload)
    sides = [
        {"label": "Older", "submission": old, "problem": comparison.old_problem,
         "ignored": comparison.old_ignored},
        {"label": "Newer", "submission": new, "problem": comparison.new_problem,
         "ignored": comparison.new_ignored},
    ]
    return _render(request, raw=[str(old.pk), str(new.pk)], old=old, new=new,
                   comparison=comparison, sides=sides)


def _two_ids(raw: list[str]) -> tuple[list[int], str | None]:
    """The two submission ids asked for, or why they cannot be compared."""
    if len(raw) != 2:
        if not raw:
            return [], ("Pick two submissions to compare: tick two rows in the history, "
                        "or enter their numbers below.")
        if len(raw) == 1:
            return [], "Pick two submissions to compare; only one was given."
        return [], f"Pick exactly two submissions to compare; {len(raw)} were given."
    for value in raw:
        if not _SUBMISSION_ID.fullmatch(value.strip()) or int(value) < 1:
            shown = value if len(value) <= 40 else f"{value[:40]}…"
            return [], f"“{shown}” is not a submission number: use whole numbers such as 12."
    ids = [int(value) for value in raw]
    if ids[0] == ids[1]:
        return [], f"Pick two different submissions; #{ids[0]} was given twice."
    return ids, None


def _render(request: HttpRequest, *, raw: list[str], status: int = 200, **context) -> HttpResponse:
    # Keep what was typed in the form when it could be a number, so it can be fixed.
    typed = [value.strip() for value in raw if _SUBMISSION_ID.fullmatch(value.strip())][:2]
    return render(request, "segments/diff.html", {
        "form_values": typed + [""] * (2 - len(typed)),
        **context,
    }, status=status)
