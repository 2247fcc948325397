"""The history page's filter form: plain GET parameters, so a filtered list
can be bookmarked and shared."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from segbuilder.segments.build.forms import KIND_CHOICES
from segbuilder.segments.history.authors import submission_authors
from segbuilder.segments.models import Submission

FILTER_FIELDS = ("q", "action", "status", "kind", "author", "date_from", "date_to")


class HistoryFilterForm(forms.Form):
    """Search and filters of the history list; every field is optional."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=255, strip=True,
        help_text=_("Part of the name, or an Altcraft id."),
        widget=forms.TextInput(attrs={"type": "search",
                                      "placeholder": _("Name or Altcraft id")}),
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False,
        choices=[("", _("Created or updated")), *Submission.Action.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any status")), *Submission.Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *KIND_CHOICES],
    )
    # Usernames in the URL rather than ids: a shared link says whose list it is.
    author = forms.ChoiceField(
        label=_("Sent by"), required=False,
        error_messages={"invalid_choice": _("Nobody by that name has sent anything.")},
    )
    date_from = forms.DateField(
        label=pgettext_lazy("date", "From"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date", "To"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.author_names = submission_authors()
        if self.data.get("author") and self.data["author"] not in self.author_names.values():
            self.author_names = submission_authors(refresh=True)  # someone new, maybe
        self.fields["author"].choices = [
            ("", _("Anyone")), *((name, name) for name in self.author_names.values())]

    def clean_author(self) -> int | None:
        """The chosen author's user id: the list filters on it, which its
        index answers without reading the users."""
        name = self.cleaned_data["author"]
        if not name:
            return None
        return next(pk for pk, known in self.author_names.items() if known == name)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", gettext("“To” must be on or after “From”."))
        return cleaned

    def is_filtered(self) -> bool:
        """Whether any filter or search was given (blank fields do not count)."""
        return any(self.data.get(name, "").strip() for name in FILTER_FIELDS)
