"""The builder's pickers block: Altcraft's lists as far as the cache holds
them, so the page renders at once; static/js/pickers.js fetches the rest."""

from __future__ import annotations

from django import template
from django.conf import settings

from segbuilder.segments.build.pickers import LIST_LABELS, cached_picker_lists

register = template.Library()


@register.inclusion_tag("segments/_pickers.html")
def pickers_block() -> dict:
    lists = cached_picker_lists()
    return {
        "lists": lists,
        "labels": LIST_LABELS,
        "error_groups": [
            (" ".join(names), ", ".join(str(LIST_LABELS[name]) for name in names),
             reason.shown())
            for names, reason in lists.error_groups
        ],
        # How long the browser waits for the `pickers` view: its own deadline
        # (ALTCRAFT_TIMEOUT) plus room for a busy server.
        "wait_ms": int((settings.ALTCRAFT_TIMEOUT + 5) * 1000),
    }
