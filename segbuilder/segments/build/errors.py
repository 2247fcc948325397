"""Every problem of a bound builder as a list a person can follow: where it is
("Selection 2, rule 1"), what is wrong, and the id of the field to jump to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from segbuilder.altcraft.segment import Kind
from segbuilder.segments.build.forms import BuilderForms, NestedFormSet


@dataclass(frozen=True)
class BuilderError:
    where: str
    message: str
    anchor: str


def builder_errors(builder: BuilderForms) -> list[BuilderError]:
    errors = list(_form_errors(builder.segment_form, _("Segment"), anchor="segment-heading"))
    if builder.kind != Kind.STATIC:
        errors += _formset_errors(builder.selections, _("Selection"), where="")
    return errors


def invalid_fields(builder: BuilderForms) -> list[forms.BoundField]:
    """The fields marked in red next to them: those of the forms
    builder_errors reads (no rows for a static segment, no deleted rows)."""
    shown: list[forms.Form] = [builder.segment_form]
    if builder.kind != Kind.STATIC:
        shown += _live_forms(builder.selections)
    return [form[name] for form in shown for name in form.errors if name in form.fields]


def _live_forms(formset: NestedFormSet) -> Iterator[forms.Form]:
    for form in formset.live_forms():
        yield form
        for child in form.child_formsets():
            yield from _live_forms(child)


def _formset_errors(formset: NestedFormSet, noun: str, *, where: str) -> list[BuilderError]:
    anchor = f"formset-{formset.prefix}"
    errors = [BuilderError(where or _("Rules"), str(message), anchor)
              for message in formset.non_form_errors()]
    for number, form in enumerate(formset.live_forms(), start=1):
        place = f"{where}, {noun.lower()} {number}" if where else f"{noun} {number}"
        errors += _form_errors(form, place, anchor=f"row-{form.prefix}")
        for child in form.child_formsets():
            errors += _formset_errors(child, _level_noun(child), where=place)
    return errors


def _form_errors(form: forms.Form, where: str, *, anchor: str) -> list[BuilderError]:
    errors = []
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            field_where, field_anchor = where, anchor
        else:
            bound = form[name]
            field_where, field_anchor = f"{where}: {bound.label}", bound.auto_id
        errors += [BuilderError(field_where, str(message), field_anchor) for message in messages]
    return errors


# What one row of a nested formset is called, by the formset's prefix suffix.
LEVEL_NOUNS = {"rules": gettext_lazy("rule"), "children": gettext_lazy("sub-rule"),
               "params": gettext_lazy("parameter")}


def _level_noun(formset: NestedFormSet) -> str:
    suffix = (formset.prefix or "").rsplit("-", 1)[-1]
    return str(LEVEL_NOUNS.get(suffix, suffix))
