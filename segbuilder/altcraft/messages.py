"""Messages as data: an English template and its parameters, worded when shown.

The altcraft package stays free of Django, so it never translates. It marks
each template with `gettext_noop` (a name `make messages` looks for, so the
template lands in the catalogue) and keeps the parameters beside it; the app
puts both into the user's language when it shows them
(segbuilder/segments/problems.py). In English, here, for logs and `str()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Where = tuple[tuple[str, int], ...]


def gettext_noop(template: str) -> str:
    """Marks `template` for translation; returns it unchanged."""
    return template


def filled(template: str, params: Mapping[str, Any]) -> str:
    """The template in English with its parameters in place."""
    # Only a template given parameters is a format: one without may hold a
    # bare "%" (lxml's and json's own messages are passed on as templates).
    return template % params if params else template


def where_text(where: Where) -> str:
    """(("selection", 2), ("rule", 3)) as "selection 2, rule 3"."""
    return ", ".join(f"{noun} {number}" for noun, number in where)
