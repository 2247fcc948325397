"""The history's rows and filter fields, and the builder's segment fields
(as crispy writes them), written for speed. The builder's rows are in
templates/segments/rows.jinja (the `rows` tags)."""

from __future__ import annotations

import html
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from segbuilder.segments.rows import escaped_labels, pk_url

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


@register.simple_tag
def filter_field(bound_field: forms.BoundField) -> SafeString:
    """A field of a filter form as crispy's Bootstrap 5 pack shows it (same
    ids and classes) but written directly; with errors, crispy writes it."""
    errors = bound_field.errors
    if errors:
        return as_crispy_field(bound_field)
    widget = bound_field.field.widget
    kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
    classes = f"{type(widget).__name__.lower()} {kind}"
    auto_id = bound_field.auto_id
    help_html = ""
    if bound_field.help_text:
        help_html = (f'<div id="{_variable(auto_id)}_helptext" class="form-text">'
                     f"{_variable(bound_field.help_text)}</div>")
    return mark_safe(
        f'<div id="div_{_variable(auto_id)}" class="mb-3">'
        f'<label for="{_variable(auto_id)}" class="form-label">{_variable(bound_field.label)}'
        f"</label>{widget_html(bound_field, {'class': classes}, errors)}"
        f"{help_html}</div>"
    )


# --- the history's rows --------------------------------------------------------------


@register.simple_tag
def history_rows(rows, author_names: dict[int, str]) -> SafeString:
    """The rows of templates/segments/history.html's table, one per row of
    selectors.LIST_COLUMNS (`author_names`: username by user id): what its
    template loop wrote (with _status.html), written directly, as it took
    most of the page's time."""
    kinds = escaped_labels("kind")
    statuses = escaped_labels("status")
    compare = _t("Compare submission")
    detail_url = pk_url("submission_detail")
    zone = timezone.get_current_timezone()
    authors = {pk: _variable(name) for pk, name in author_names.items()}
    html = []
    for row in rows:
        pk = row.id
        created_at = row.created_at.astimezone(zone)
        author = authors.get(row.author_id) or f"#{row.author_id}"  # deleted meanwhile
        altcraft_id = row.altcraft_id
        html.append(
            "\n  <tr>\n"
            '    <td><div class="form-check mb-0">\n'
            f'      <input class="form-check-input" type="checkbox" name="id" value="{pk}"'
            f' id="compare-{pk}">\n'
            f'      <label class="form-check-label" for="compare-{pk}">'
            f'<span class="visually-hidden">{compare} </span>#{pk}</label>\n'
            "    </div></td>\n"
            f'    <td><time datetime="{created_at.isoformat()}">'
            f"{created_at:%Y-%m-%d %H:%M}</time></td>\n"
            f"    <td>{author}</td>\n"
            f'    <td><a href="{detail_url(pk)}">{_variable(row.name)}</a></td>\n'
            f"    <td>{kinds.get(row.kind) or _variable(row.kind)}</td>\n"
            f'    <td><span class="badge text-bg-{_status_colour(row.status)}">'
            f"{statuses.get(row.status) or _variable(row.status)}</span>\n</td>\n"
            f'    <td>{"—" if altcraft_id is None else altcraft_id}</td>\n'
            "  </tr>\n  "
        )
    return mark_safe("".join(html))


# templates/segments/_status.html's badge colours.
_STATUS_COLOURS = {"created": "success", "rejected": "danger", "sending": "secondary",
                   "not_created": "info"}


def _status_colour(status: str) -> str:
    return _STATUS_COLOURS.get(status, "warning")


def _t(message: str) -> str:
    """A fixed text of the rows, translated and escaped."""
    return conditional_escape(gettext(message))


# The texts the rows print, marked here because makemessages (xgettext) does
# not look inside f-strings, where _t() uses them.
ROW_TEXTS = (gettext_noop("Compare submission"),)


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
    """`{{ text }}` for attribute names, input types and CSS classes."""
    return _variable(text)


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
    """Lazy text (labels, choices), translated and escaped."""
    return conditional_escape(value)


# Django's escape() without its lazy-text wrapper, which cost more than the
# escaping itself over a big builder's 300,000 values.
_escape = html.escape
