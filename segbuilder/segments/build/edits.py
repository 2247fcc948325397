"""Edit mode: a segment that exists in Altcraft, opened in the builder
(`?altcraft=<id>`), changed and saved back with `segments/update`.

The segment travels in the form as it was when opened (`opened`, the payload
Segment.to_payload() gives, so that two readings of the same segment compare
equal whatever Altcraft adds to its rules); before saving it is fetched again,
and a segment changed in Altcraft meanwhile is not overwritten unasked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from segbuilder.altcraft.client import MAX_ID, AltcraftClient, AltcraftError
from segbuilder.altcraft.segment import PayloadError, Segment
from segbuilder.segments.build import imports
from segbuilder.segments.history.diff import PayloadComparison, payloads_compare

# The opened segment posted back: a segment the builder holds (row_budget.py)
# is well under this as JSON.
MAX_OPENED_CHARS = 5_000_000


class OpenFailed(Exception):
    """The segment could not be fetched from Altcraft or read; str() says why,
    in the current language."""


def segment_opened(segment_id: int, *, client: AltcraftClient | None = None
                   ) -> imports.ImportResult:
    """Segment `segment_id` as Altcraft has it now (`segments/get`), read as an import."""
    client = client or AltcraftClient.from_settings()
    try:
        data = client.segment_get(segment_id)
    except AltcraftError as error:
        raise OpenFailed(gettext("Segment %(id)s could not be fetched from Altcraft: %(error)s")
                         % {"id": segment_id, "error": error}) from None
    if not isinstance(data, dict):
        raise OpenFailed(gettext("Altcraft's answer for segment %(id)s holds no segment.")
                         % {"id": segment_id})
    try:
        return imports.printed_import(data, fmt="json")
    except imports.PayloadUnreadable as error:
        raise OpenFailed(gettext("Segment %(id)s cannot fill the builder: %(reason)s")
                         % {"id": segment_id, "reason": error.message}) from None


class EditForm(forms.Form):
    """What edit mode carries in hidden fields: the Altcraft id, and the
    segment as it was when opened."""

    altcraft_id = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    opened = forms.CharField(max_length=MAX_OPENED_CHARS, strip=False, widget=forms.HiddenInput)

    def clean_opened(self) -> dict:
        try:
            opened = json.loads(self.cleaned_data["opened"])
        except ValueError:
            opened = None
        if not isinstance(opened, dict):
            raise forms.ValidationError(_("The segment as opened is not a JSON object."))
        try:
            Segment.from_payload(opened)
        except PayloadError:
            raise forms.ValidationError(_("The segment as opened is not a segment.")) from None
        return opened

    @classmethod
    def of(cls, segment_id: int, opened: dict) -> EditForm:
        return cls(initial={"altcraft_id": segment_id,
                            "opened": json.dumps(opened, ensure_ascii=False)})


def edit_problems(opened: dict, segment: Segment) -> list[str]:
    """What Altcraft cannot change in an existing segment and `segment` changes:
    its kind, and the database of a selection."""
    before = Segment.from_payload(opened)
    problems = []
    if segment.kind is not before.kind:
        problems.append(gettext("The kind of a segment in Altcraft cannot change."))
    if segment.list_id != before.list_id and before.list_id is not None:
        problems.append(gettext("The database of a segment in Altcraft cannot change."))
    databases = {selection.list_id for selection in before.selections}
    if before.list_id is not None:
        databases.add(before.list_id)
    for number, selection in enumerate(segment.selections, start=1):
        if selection.list_id not in databases:
            problems.append(gettext("Selection %(number)s: database %(list_id)s is not this "
                                    "segment's, and Altcraft cannot change a segment's databases.")
                            % {"number": number, "list_id": selection.list_id})
    return problems


@dataclass(frozen=True)
class Conflict:
    """The segment changed in Altcraft since it was opened: what changed."""

    current: dict
    comparison: PayloadComparison


def changed_since(opened: dict, segment_id: int, *,
                  client: AltcraftClient | None = None) -> Conflict | None:
    """The change made in Altcraft to segment `segment_id` since it was
    `opened`, or None if it is as it was. Raises OpenFailed."""
    current = segment_opened(segment_id, client=client).segment.to_payload()
    if current == opened:
        return None
    return Conflict(current, payloads_compare(old=opened, new=current))
