"""The history page's filter form: plain GET parameters, so a filtered list
can be bookmarked and shared."""

from __future__ import annotations

from django import forms

from segbuilder.segments.forms import KIND_CHOICES
from segbuilder.segments.models import Submission
from segbuilder.segments.selectors import submission_authors

FILTER_FIELDS = ("q", "status", "kind", "author", "date_from", "date_to")


class AuthorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_username()


class HistoryFilterForm(forms.Form):
    """Search and filters of the history list; every field is optional."""

    q = forms.CharField(
        label="Search", required=False, max_length=255, strip=True,
        help_text="Part of the name, or an Altcraft id.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or Altcraft id"}),
    )
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[("", "Any status"), *Submission.Status.choices],
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *KIND_CHOICES],
    )
    # Usernames in the URL rather than ids: a shared link says whose list it is.
    author = AuthorChoiceField(
        label="Sent by", required=False, queryset=submission_authors(),
        to_field_name="username", empty_label="Anyone",
        error_messages={"invalid_choice": "Nobody by that name has sent anything."},
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "“To” must be on or after “From”.")
        return cleaned

    def is_filtered(self) -> bool:
        """Whether any filter or search was given (blank fields do not count)."""
        return any(self.data.get(name, "").strip() for name in FILTER_FIELDS)
