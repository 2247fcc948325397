"""What the history's and the admin's rows of submissions share: computed
once for a whole page rather than once a row."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from segbuilder.segments.models import Submission


def pk_url(view_name: str, *, current_app: str | None = None) -> Callable[[int], str]:
    """reverse(view_name, args=[pk]) for many pks, escaped for an attribute:
    reversed once, with a marker id, as a page of rows reversed each took
    longer than writing the row."""
    marker = "9876543210"
    head, tail = (html.escape(part) for part in
                  reverse(view_name, args=[marker], current_app=current_app).split(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"


def choice_labels(field_name: str) -> dict[str, Any]:
    """A Submission field's choices: label by value (lazy, translated when shown)."""
    return dict(Submission._meta.get_field(field_name).flatchoices)


def escaped_labels(field_name: str) -> dict[str, str]:
    """get_FOO_display() of each choice, escaped, in the current language."""
    return {value: html.escape(str(label)) for value, label in choice_labels(field_name).items()}
