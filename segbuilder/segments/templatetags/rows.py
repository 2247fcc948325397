"""The builder's rows in its Django page: written by the Jinja2 macros of
templates/segments/rows.jinja, where their markup lives."""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from segbuilder.segments.forms import BuilderForms

register = template.Library()

ROWS_TEMPLATE = "segments/rows.jinja"


@register.simple_tag
def builder_rows(forms: BuilderForms, part: str) -> SafeString:
    """`part` of the rows: "selections" (the rows themselves) or
    "row_templates" (the <template>s builder.js copies rows from)."""
    rows = engines["jinja2"].get_template(ROWS_TEMPLATE)
    # Jinja2 escaped every value as it wrote them.
    return mark_safe(rows.render({"forms": forms, "part": part}))
