"""Lean rendering helpers for builder rows: a label, the widget and its errors,
without a template per field (big segments have thousands of fields)."""

from __future__ import annotations

from django import forms, template
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.html import format_html, format_html_join

from segbuilder.segments.forms import is_marked_deleted

register = template.Library()


@register.simple_tag
def field(bound_field: forms.BoundField, css: str = "") -> str:
    """A labelled input in a Bootstrap column, its errors right below it."""
    errors = bound_field.errors
    widget = bound_field.field.widget
    classes = "form-select form-select-sm" if isinstance(widget, forms.Select) \
        else "form-control form-control-sm"
    attrs = {"class": classes + (" is-invalid" if errors else "")}
    error_html = ""
    if errors:
        error_id = f"{bound_field.auto_id}-errors"
        attrs["aria-describedby"] = error_id
        attrs["aria-invalid"] = "true"
        error_html = format_html(
            '<div class="invalid-feedback d-block" id="{}">{}</div>',
            error_id, format_html_join(" ", "{}", ((e,) for e in errors)),
        )
    return format_html(
        '<div class="fld {}"><label class="form-label" for="{}">{}</label>{}{}</div>',
        css, bound_field.auto_id, bound_field.label, bound_field.as_widget(attrs=attrs),
        error_html,
    )


@register.simple_tag
def delete_field(form: forms.Form) -> str:
    """The row's DELETE checkbox, hidden: the Remove button sets it."""
    return form[DELETION_FIELD_NAME].as_widget(attrs={"hidden": True, "class": "js-delete"})


register.filter("is_deleted", is_marked_deleted)


@register.filter
def non_field_errors_html(form: forms.Form) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    return format_html('<div class="alert alert-danger py-1 px-2 small mb-2">{}</div>',
                       format_html_join(" ", "{}", ((e,) for e in errors)))
