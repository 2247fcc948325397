"""What is wrong with a segment or a payload, in the current language.

segbuilder.altcraft finds the problems (segment.py) and the reasons a body
cannot be read (codec.py), and keeps each as data: an English template marked
for translation, its parameters and where it is (the altcraft package stays
free of Django). They are put into words here, when shown: the template
through gettext, a kind by its label, each noun of the location through
pgettext. A template the catalogue does not hold (lxml's own syntax messages)
is shown as it came, in English; tests/test_i18n.py shows the others in Russian.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop, pgettext_lazy

from segbuilder.altcraft.codec import CodecError
from segbuilder.altcraft.messages import Where
from segbuilder.altcraft.segment import Kind, Problem
from segbuilder.segments.models import KIND_LABELS

# Where a problem is: "selection 2, rule 3".
LOCATION_NOUNS = {
    "selection": pgettext_lazy("location", "selection"),
    "rule": pgettext_lazy("location", "rule"),
    "sub-rule": pgettext_lazy("location", "sub-rule"),
    "param": pgettext_lazy("location", "param"),
}

# The json module's reasons for the usual slips, which codec.py passes on as
# its templates: marked here, since makemessages does not read json's source.
JSON_REASONS = (
    gettext_noop("Expecting value"),
    gettext_noop("Expecting ',' delimiter"),
    gettext_noop("Expecting ':' delimiter"),
    gettext_noop("Expecting property name enclosed in double quotes"),
    gettext_noop("Unterminated string starting at"),
    gettext_noop("Invalid control character at"),
    gettext_noop("Extra data"),
)


def problem_text(problem: Problem) -> str:
    """A Problem as str(problem) words it, in the current language."""
    message = message_text(problem.template, problem.params)
    if not problem.where:
        return message
    return f"{location_text(problem.where)}: {message}"


def codec_reason(error: CodecError) -> str:
    """Why codec.py could not read a body (without the line and column), in
    the current language."""
    return message_text(error.template, error.params)


def message_text(template: str, params: dict[str, Any]) -> str:
    """A template in the current language with its parameters in place."""
    text = gettext(template)
    if not params:
        return text
    return text % {name: _shown(value) for name, value in params.items()}


def location_text(where: Where) -> str:
    """("selection", 2), ("rule", 3) as "selection 2, rule 3", translated."""
    return ", ".join(f"{_noun(what)} {number}" for what, number in where)


def field_text(where: Where, name: str) -> str:
    """A field at its location ("selection 1, rule 2: weight"), translated."""
    return f"{location_text(where)}: {name}" if where else name


def _shown(value: Any) -> Any:
    # A kind is named as the builder names it; field names, numbers and what
    # the payload held are shown as they are.
    return str(KIND_LABELS[value]) if isinstance(value, Kind) else value


def _noun(what: str) -> str:
    return str(LOCATION_NOUNS[what]) if what in LOCATION_NOUNS else what
