"""The builder's rows in its Django page: written by the Jinja2 macros of
templates/segments/rows.jinja, where their markup lives."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from segbuilder.segments.build.forms import BuilderForms

register = template.Library()

ROWS_TEMPLATE = "segments/rows.jinja"


@register.simple_tag
def builder_rows(forms: BuilderForms, part: str, fields: list | None = None) -> SafeString:
    """`part` of the rows: "selections" (the rows themselves), "row_templates"
    (the <template>s builder.js copies rows from) or "field_errors" (the
    error lines of the row `fields` given, for the live preview's marks)."""
    rows = engines["jinja2"].get_template(ROWS_TEMPLATE)
    context = {"forms": forms, "part": part, "fields": fields or [],
               "translated": TranslatedOnce()}
    # Jinja2 escaped every value as it wrote them.
    return mark_safe(rows.render(context))


class TranslatedOnce(dict):
    """Lazy texts (labels, choices) in the page's language, each translated
    once per page: a 1,000-rule builder shows the same few labels 10,000
    times, and translating one costs more than writing its input. Keyed by
    the lazy object, which the forms' fields share with their class and which
    outlives the page."""

    def __call__(self, text: Any) -> str:
        key = id(text)
        translated = self.get(key)
        if translated is None:
            translated = self[key] = str(text)
        return translated
