"""Lean rendering of the builder's rows: a label, the widget and its errors
per field, and whole rows and formsets, written in Python; and of the
history's rows and filter fields.

A 1,000-rule builder has about 15,000 fields in 3,000 nested formsets;
through the template engine (one include per row, one template per widget,
one form template per management form) it took about 6 s to render. The row
templates (templates/segments/_formset.html, _selection.html, _rule.html,
_param.html) now call the tags below, which write the very same HTML: a
change of markup is made here (tests/segments/test_builder_rendering.py
compares widgets and rows with what Django and the former templates write).
Anything this module does not know (another widget template, a custom form
renderer, a localized field, a row template of its own) is left to Django.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from segbuilder.segments.forms import is_marked_deleted

register = template.Library()

_WIDGETS = "django/forms/widgets/"
# Widget templates that are django/forms/widgets/input.html under another name.
_INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "search",
                 "tel", "checkbox", "date")
)
_SELECT_TEMPLATE = f"{_WIDGETS}select.html"
_OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"


class _NotFast(Exception):
    """Something this module does not write exactly as Django would."""


@register.simple_tag
def field(bound_field: forms.BoundField, css: str = "") -> SafeString:
    """A labelled input in a Bootstrap column, its errors right below it."""
    errors = bound_field.errors
    widget = bound_field.field.widget
    classes = "form-select form-select-sm" if isinstance(widget, forms.Select) \
        else "form-control form-control-sm"
    attrs = {"class": classes + (" is-invalid" if errors else "")}
    error_html = ""
    auto_id = bound_field.auto_id
    if errors:
        error_id = f"{auto_id}-errors"
        attrs["aria-describedby"] = error_id
        attrs["aria-invalid"] = "true"
        error_html = (f'<div class="invalid-feedback d-block" id="{_variable(error_id)}">'
                      f'{" ".join(_variable(error) for error in errors)}</div>')
    return mark_safe(
        f'<div class="fld {_word(css)}"><label class="form-label" for="{_variable(auto_id)}">'
        f"{_variable(bound_field.label)}</label>{widget_html(bound_field, attrs, errors)}"
        f"{error_html}</div>"
    )


@register.simple_tag
def delete_field(form: forms.Form) -> SafeString:
    """The row's DELETE checkbox, hidden: the Remove button sets it."""
    return widget_html(form[DELETION_FIELD_NAME], {"hidden": True, "class": "js-delete"})


register.filter("is_deleted", is_marked_deleted)


@register.filter
def non_field_errors_html(form: forms.Form) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    return format_html('<div class="alert alert-danger py-1 px-2 small mb-2">{}</div>',
                       format_html_join(" ", "{}", ((e,) for e in errors)))


# --- fields outside the rows ---------------------------------------------------------


@register.filter
def as_crispy_field_once(bound_field: forms.BoundField) -> SafeString:
    """crispy's `as_crispy_field`, remembered: a field in the same state (its
    value, errors and language) is written the same, and the builder's
    segment fields are in the same state on every fresh builder page, where
    crispy's templates took half of the page's time."""
    key = (type(bound_field.form), bound_field.html_name, bound_field.auto_id,
           bound_field.form.is_bound, repr(bound_field.value()),
           tuple(str(error) for error in bound_field.errors), get_language())
    html = _CRISPY_FIELDS.get(key)
    if html is None:
        html = as_crispy_field(bound_field)
        if len(_CRISPY_FIELDS) >= _CRISPY_FIELDS_KEPT:
            _CRISPY_FIELDS.clear()
        _CRISPY_FIELDS[key] = html
    return html


_CRISPY_FIELDS: dict[tuple, SafeString] = {}
_CRISPY_FIELDS_KEPT = 256


# --- rows and formsets ----------------------------------------------------------------
# Each writer returns what its template writes, without the file's final
# newline: the template file adds it, and a formset adds it after each row,
# as {% include %} did.


@register.simple_tag
def formset_block(formset: forms.BaseFormSet, row_template: str, template_id: str,
                  add_label: str) -> SafeString:
    """templates/segments/_formset.html: a formset's management form, errors,
    rows (each as `row_template` writes it) and its Add button."""
    write_row = _ROW_WRITERS.get(row_template)
    if write_row is None:  # a row template of its own: the template engine writes it
        def write_row(form):
            return render_to_string(row_template, {"form": form}).removesuffix("\n")
    errors = formset.non_form_errors()
    errors_html = (
        '<div class="alert alert-danger py-1 px-2 small formset-errors" role="alert">'
        f'{" ".join(conditional_escape(error) for error in errors)}</div>' if errors else ""
    )
    rows = "".join(f"{_written_once(write_row, form)}\n" for form in formset)
    return mark_safe(
        f'<div class="formset" data-prefix="{_e(formset.prefix)}" data-template="{_e(template_id)}"'
        f' data-max="{_e(formset.max_num)}" data-absolute-max="{_e(formset.absolute_max)}">\n'
        f"  {management_form_html(formset)}\n"
        f"  {errors_html}\n"
        f'  <div class="formset-rows">{rows}</div>\n'
        '  <div class="formset-limit small text-danger" role="status" aria-live="polite"></div>\n'
        '  <button type="button" class="btn btn-outline-primary btn-sm" data-action="add">'
        f"{_e(add_label)}</button>\n"
        "</div>"
    )


def _written_once(write_row: Callable[[forms.Form], str], form: forms.Form) -> str:
    """The row, after which its form lets go of its bound fields: they and
    the form hold each other, so a big builder's forms were left for the
    cyclic collector to find (a pass over a million objects); without the
    cycle they are freed as soon as the page is written."""
    html = write_row(form)
    form._bound_fields_cache.clear()
    return html


@register.simple_tag
def selection_row(form: forms.Form) -> SafeString:
    """templates/segments/_selection.html: one selection and its rules."""
    rules = formset_block(form.rules, "segments/_rule.html", "tpl-rule", gettext("Add rule"))
    prefix = _e(form.prefix)
    return mark_safe(
        f'<fieldset class="card mb-3 formset-row selection" data-row-prefix="{prefix}"'
        f' aria-labelledby="{prefix}-title"{_hidden_if_deleted(form)}>\n'
        '  <legend class="card-header h6 m-0 d-flex align-items-center gap-2">\n'
        f'    <span class="me-auto" id="{prefix}-title">{_t("Selection")}'
        f' <span class="row-number" id="{prefix}-number"></span></span>\n'
        '    <button type="button" class="btn btn-outline-secondary btn-sm"'
        f' id="{prefix}-duplicate" aria-labelledby="{prefix}-duplicate {prefix}-number"'
        f' data-action="duplicate">{_t("Duplicate selection")}</button>\n'
        f'    <button type="button" class="btn btn-outline-danger btn-sm" id="{prefix}-remove"'
        f' aria-labelledby="{prefix}-remove {prefix}-number" data-action="remove">'
        f'{_t("Remove selection")}</button>\n'
        "  </legend>\n"
        '  <div class="card-body">\n'
        f"    {non_field_errors_html(form)}\n"
        '    <div class="row g-2 mb-2 align-items-start">\n'
        f'      {field(form["list_id"], "col-sm-3")}{field(form["condition"], "col-sm-3")}'
        f'{field(form["limit"], "col-sm-2")}{field(form["percent_from"], "col-sm-2")}'
        f'{field(form["percent_to"], "col-sm-2")}\n'
        "    </div>\n"
        f"    {delete_field(form)}\n"
        f"    {rules}\n\n"
        "  </div>\n"
        "</fieldset>"
    )


@register.simple_tag
def rule_row(form: forms.Form) -> SafeString:
    """templates/segments/_rule.html: a rule or a sub-rule, with its params
    and, for a rule, its sub-rules."""
    kind = form["kind"].value()
    noun = _t("Sub-rule") if form.depth else _t("Rule")
    kind_rows = "".join(
        f'\n    <div class="row g-2 mt-1" data-kind="{_e(key)}"{" hidden" if kind != key else ""}>'
        f'{"".join(field(bound_field, "col-sm-4") for bound_field in fields)}</div>\n    '
        for key, fields in form.kind_param_fields()
    )
    params = formset_block(form.params, "segments/_param.html",
                           "tpl-subparam" if form.depth else "tpl-param",
                           gettext("Add parameter"))
    children = ""
    if form.children is not None:
        sub_rules = formset_block(form.children, "segments/_rule.html", "tpl-subrule",
                                  gettext("Add sub-rule"))
        children = (
            "\n"
            '  <div class="subrules mt-2">\n'
            '    <div class="row g-2 align-items-end mb-1 subrule-condition"'
            f'{"" if form.children.live_forms() else " hidden"}>'
            f'{field(form["condition"], "col-sm-4")}</div>\n'
            f"    {sub_rules}\n\n"
            "  </div>\n"
            "  "
        )
    prefix = _e(form.prefix)
    return mark_safe(
        f'<div class="formset-row rule{" subrule" if form.depth else ""}"'
        f' data-row-prefix="{prefix}" role="group" aria-labelledby="{prefix}-title"'
        f"{_hidden_if_deleted(form)}>\n"
        '  <div class="rule-own">\n'
        '    <div class="d-flex flex-wrap align-items-end gap-2">\n'
        f'      <span class="fw-semibold rule-title" id="{prefix}-title">{noun}'
        ' <span class="row-number"></span></span>\n'
        f'      {field(form["kind"], "rule-kind")}\n'
        '      <span class="ms-auto d-flex gap-1">\n'
        f"        {_row_buttons(prefix, indent='        ')}\n"
        "      </span>\n"
        "    </div>\n"
        f"    {non_field_errors_html(form)}\n"
        f"    {kind_rows}\n"
        f'    <div class="mt-1" data-kind="custom"{" hidden" if kind != "custom" else ""}>\n'
        f'      <div class="row g-2">{field(form["compo"], "col-sm-3")}'
        f'{field(form["name"], "col-sm-3")}{field(form["type"], "col-sm-3")}'
        f'{field(form["operator"], "col-sm-3")}</div>\n'
        '      <div class="params mt-2">\n'
        f"        {params}\n\n"
        "      </div>\n"
        "    </div>\n"
        "  </div>\n"
        f"  {children}\n"
        f"  {delete_field(form)}\n"
        "</div>"
    )


def _row_buttons(prefix: str, *, indent: str) -> str:
    """A rule's or a parameter's Duplicate and Remove buttons, named with the
    row's title for screen readers ("Remove Rule 2"): the visible words are
    the same on every row, the number shows beside the title."""
    return (
        f'<button type="button" class="btn btn-outline-secondary btn-sm" id="{prefix}-duplicate"'
        f' aria-labelledby="{prefix}-duplicate {prefix}-title" data-action="duplicate">'
        f'{_t("Duplicate")}</button>\n'
        f'{indent}<button type="button" class="btn btn-outline-danger btn-sm" id="{prefix}-remove"'
        f' aria-labelledby="{prefix}-remove {prefix}-title" data-action="remove">'
        f'{_t("Remove")}</button>'
    )


@register.simple_tag
def param_row(form: forms.Form) -> SafeString:
    """templates/segments/_param.html: one parameter of a custom rule."""
    prefix = _e(form.prefix)
    return mark_safe(
        '<div class="formset-row param row g-2 align-items-end mb-1"'
        f' data-row-prefix="{prefix}" role="group" aria-labelledby="{prefix}-title"'
        f"{_hidden_if_deleted(form)}>\n"
        f'  <span class="visually-hidden param-title" id="{prefix}-title">{_t("Parameter")}'
        ' <span class="row-number"></span></span>\n'
        f'  {field(form["name"], "col-sm-4")}{field(form["value"], "col-sm-4")}'
        f'{field(form["value_type"], "col-sm-2")}\n'
        '  <div class="col-auto d-flex gap-1 pb-1">\n'
        f"    {_row_buttons(prefix, indent='    ')}\n"
        "  </div>\n"
        f"  {delete_field(form)}\n"
        "</div>"
    )


@register.simple_tag
def row_templates(selections: forms.BaseFormSet) -> SafeString:
    """The <template> rows builder.js copies, one per level: empty forms, the
    same on every page but for the language, so written once per language."""
    key = (type(selections), selections.prefix, get_language())
    html = _ROW_TEMPLATES.get(key)
    if html is None:
        selection = selections.empty_form
        rule = selection.rules.empty_form
        sub_rule = rule.children.empty_form
        html = _ROW_TEMPLATES[key] = mark_safe(
            f'\n<template id="tpl-selection">{selection_row(selection)}\n</template>\n'
            f'<template id="tpl-rule">{rule_row(rule)}\n</template>\n'
            f'<template id="tpl-subrule">{rule_row(sub_rule)}\n</template>\n'
            f'<template id="tpl-param">{param_row(rule.params.empty_form)}\n</template>\n'
            f'<template id="tpl-subparam">{param_row(sub_rule.params.empty_form)}\n</template>\n'
        )
    return html


_ROW_TEMPLATES: dict[tuple, SafeString] = {}


_ROW_WRITERS: dict[str, Callable[[forms.Form], SafeString]] = {
    "segments/_selection.html": selection_row,
    "segments/_rule.html": rule_row,
    "segments/_param.html": param_row,
}


def management_form_html(formset: forms.BaseFormSet) -> SafeString:
    """`{{ formset.management_form }}`: its hidden inputs (a management form
    with errors is left to Django, which shows them). A builder has two
    formsets per rule, so their four inputs are written straight from the
    form's data, as Django's hidden input writes them."""
    management_form = formset.management_form
    if management_form.is_bound and management_form.errors:
        return mark_safe(str(management_form))
    fields = management_form.fields
    if not all(type(field.widget) is forms.HiddenInput and not field.localize
               and not field.show_hidden_initial for field in fields.values()):
        return mark_safe("".join(bound_field.as_widget()
                                 for bound_field in management_form.hidden_fields()))
    parts = []
    for name, field in fields.items():
        html_name = management_form.add_prefix(name)
        if management_form.is_bound:
            value = management_form.data.get(html_name)
        else:
            value = management_form.get_initial_for_field(field, name)
        value_html = "" if value is None or value == "" else f' value="{_formatted(value)}"'
        parts.append(f'<input type="hidden" name="{_variable(html_name)}"{value_html}'
                     f'{_id_attr(management_form, html_name)}>')
    return mark_safe("".join(parts))


def _id_attr(form: forms.Form, html_name: str) -> str:
    # BoundField.auto_id
    auto_id = form.auto_id
    if auto_id and "%s" in str(auto_id):
        return f' id="{_variable(auto_id % html_name)}"'
    return f' id="{_variable(html_name)}"' if auto_id else ""


def _hidden_if_deleted(form: forms.Form) -> str:
    return " hidden" if is_marked_deleted(form) else ""


def _t(message: str) -> str:
    """A fixed text of the rows, translated and escaped."""
    key = (message, get_language())
    text = _ROW_TEXTS.get(key)
    if text is None:
        text = _ROW_TEXTS[key] = conditional_escape(gettext(message))
    return text



# The texts the rows print, marked here because makemessages (xgettext) does
# not look inside f-strings, where _t() uses them.
ROW_TEXTS = (
    gettext_noop("Duplicate"),
    gettext_noop("Duplicate selection"),
    gettext_noop("Parameter"),
    gettext_noop("Remove"),
    gettext_noop("Remove selection"),
    gettext_noop("Rule"),
    gettext_noop("Selection"),
    gettext_noop("Sub-rule"),
)

_ROW_TEXTS: dict[tuple[str, str | None], str] = {}


def _e(value: Any) -> str:
    """`{{ value }}` for the text and whole numbers these rows print."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _variable(value)


# --- widgets without the template engine --------------------------------------------


def widget_html(bound_field: forms.BoundField, attrs: dict[str, Any],
                errors: forms.utils.ErrorList | None = None) -> SafeString:
    """What `bound_field.as_widget(attrs=attrs)` returns, written directly
    (`errors`: the field's errors, when the caller has them already)."""
    field = bound_field.field
    widget = field.widget
    if (field.localize or type(bound_field.form.renderer) is not DjangoTemplates
            or isinstance(widget, forms.MultiWidget)
            or type(widget).render is not forms.Widget.render
            or type(widget)._render is not forms.Widget._render):
        return bound_field.as_widget(attrs=attrs)
    # The same steps as BoundField.as_widget, up to the template.
    attrs = _widget_attrs(bound_field, attrs, bound_field.errors if errors is None else errors)
    auto_id = bound_field.auto_id
    if auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", auto_id)
    try:
        if type(widget) is forms.Select and widget.template_name == _SELECT_TEMPLATE \
                and widget.option_template_name == _OPTION_TEMPLATE:
            return mark_safe(_write_plain_select(widget, bound_field.html_name,
                                                 bound_field.value(), attrs))
        context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)
        return mark_safe(_write_widget(context["widget"]))
    except _NotFast:
        return bound_field.as_widget(attrs=attrs)


def _write_plain_select(widget: forms.Select, name: str, value: Any,
                        attrs: dict[str, Any]) -> str:
    """A Select with flat choices, without building the option dicts of its
    context (Select.get_context, optgroups and create_option of Django 5.2):
    three selects a rule made them a tenth of a big builder's time."""
    selected_values = widget.format_value(value)
    parts = [f'<select name="{_variable(name)}"{_attrs(widget.build_attrs(widget.attrs, attrs))}>']
    has_selected = False
    for option_value, option_label in widget.choices:
        if isinstance(option_label, list | tuple):
            raise _NotFast  # groups: left to Django
        if option_value is None:
            option_value = ""
        selected = not has_selected and str(option_value) in selected_values
        has_selected |= selected
        parts.append(f'\n  <option value="{_formatted(option_value)}"'
                     f'{" selected" if selected else ""}>{_variable(option_label)}</option>\n')
    parts.append("\n</select>")
    return "".join(parts)


def _widget_attrs(bound_field: forms.BoundField, attrs: dict[str, Any],
                  errors: forms.utils.ErrorList) -> dict[str, Any]:
    """BoundField.build_widget_attrs (Django 5.2) for a widget that is not a
    MultiWidget, with the field's errors given."""
    field = bound_field.field
    widget = field.widget
    form = bound_field.form
    attrs = dict(attrs)
    if field.required and form.use_required_attribute \
            and widget.use_required_attribute(bound_field.initial):
        attrs["required"] = True
    if field.disabled:
        attrs["disabled"] = True
    if not widget.is_hidden and errors:
        attrs["aria-invalid"] = "true"
    if not attrs.get("aria-describedby") and not widget.use_fieldset \
            and not widget.attrs.get("aria-describedby"):
        # BoundField.aria_describedby
        auto_id = bound_field.auto_id
        described_by = []
        if auto_id and not widget.is_hidden:
            if field.help_text:
                described_by.append(f"{auto_id}_helptext")
            if errors:
                described_by.append(f"{auto_id}_error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
    return attrs


def _write_widget(widget: dict[str, Any]) -> str:
    template_name = widget["template_name"]
    if template_name in _INPUT_TEMPLATES:
        return _write_input(widget)
    if template_name == _SELECT_TEMPLATE:
        return _write_select(widget)
    raise _NotFast


def _write_input(widget: dict[str, Any]) -> str:
    # django/forms/widgets/input.html
    value = widget["value"]
    value_html = "" if value is None else f' value="{_formatted(value)}"'
    return (f'<input type="{_word(widget["type"])}" name="{_variable(widget["name"])}"'
            f'{value_html}{_attrs(widget["attrs"])}>')


def _write_select(widget: dict[str, Any]) -> str:
    # django/forms/widgets/select.html and select_option.html; each included
    # option keeps its template's final newline.
    parts = [f'<select name="{_variable(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_variable(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION_TEMPLATE:
                raise _NotFast
            parts.append(f'\n  <option value="{_formatted(option["value"])}"'
                         f'{_attrs(option["attrs"])}>{_variable(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {_word(name)}")
        elif value is not False:
            parts.append(f' {_word(name)}="{_formatted(value)}"')
    return "".join(parts)


def _word(text: Any) -> str:
    """`{{ text }}` for the few texts that recur on every field (attribute
    names, input types, CSS classes): escaped once."""
    escaped = _WORDS.get(text) if type(text) is str else None
    if escaped is None:
        escaped = _variable(text)
        if type(text) is str and len(_WORDS) < _WORDS_KEPT:
            _WORDS[text] = escaped
    return escaped


_WORDS: dict[str, str] = {}
_WORDS_KEPT = 512


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` with autoescaping."""
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is int:
        return str(value)
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _variable(value: Any) -> str:
    """`{{ value }}` with autoescaping, for text; other types go to Django."""
    if type(value) is str:
        return _escape(value)
    if isinstance(value, Promise):
        return _lazy_text(value)
    if isinstance(value, str):  # safe text, as it is
        return conditional_escape(value)
    raise _NotFast


def _lazy_text(value: Promise) -> str:
    """Lazy text (labels, choices), translated and escaped. The same few lazy
    labels are shown thousands of times in a big builder, and translating
    one costs more than writing its input: each is translated once per
    language. The entry keeps the lazy object, so its id stays its own."""
    language = get_language()
    found = _LAZY_TEXTS.get(id(value))
    if found is not None and found[0] is value and found[1] == language:
        return found[2]
    text = conditional_escape(value)
    if len(_LAZY_TEXTS) >= _LAZY_TEXTS_KEPT:
        _LAZY_TEXTS.clear()
    _LAZY_TEXTS[id(value)] = (value, language, text)
    return text


_LAZY_TEXTS: dict[int, tuple[Promise, str | None, str]] = {}
_LAZY_TEXTS_KEPT = 4096


# Django's escape() without its lazy-text wrapper, which cost more than the
# escaping itself over a big builder's 300,000 values.
_escape = html.escape
