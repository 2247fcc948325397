"""What is wrong with a segment or a payload, in the current language.

segbuilder.altcraft.segment finds the problems, and codec.py the reasons a
payload cannot be read, and word them in English (the altcraft package stays
free of Django). Its messages are listed here once
more, marked for translation, and a message is translated when it is shown;
one this table does not know is shown as it came, in English
(tests/test_i18n.py has each of them shown in Russian).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop, pgettext_lazy

from segbuilder.altcraft.segment import Kind, Problem
from segbuilder.segments.models import KIND_LABELS

# Where a problem is: "selection 2, rule 3".
LOCATION_NOUNS = {
    "selection": pgettext_lazy("location", "selection"),
    "rule": pgettext_lazy("location", "rule"),
    "sub-rule": pgettext_lazy("location", "sub-rule"),
    "param": pgettext_lazy("location", "param"),
}
_PLACE = r"(?:selection|rule|sub-rule|param) \d+"
_LOCATION = re.compile(r"(?P<noun>selection|rule|sub-rule|param) (?P<number>\d+)")
_LOCATED = re.compile(rf"(?P<where>{_PLACE}(?:, {_PLACE})*): (?P<what>.*)", re.DOTALL)

# segment.py's messages, the specific ones before the general ones that would
# match them too. %(field)s stands for a field name, %(kind)s for a kind,
# %(number)s for a position and %(value)s for whatever the payload held.
MESSAGES = (
    gettext_noop("the payload must be an object"),
    gettext_noop("is_static is required (true or false)"),
    gettext_noop("name is required"),
    gettext_noop("database (list_id) is required"),
    gettext_noop("parameter name is required"),
    gettext_noop("%(field)s is required"),
    gettext_noop("a static segment needs a database (list_id)"),
    gettext_noop("a static segment takes no rules"),
    gettext_noop("a %(kind)s segment needs at least one selection"),
    gettext_noop("limit must be 0 (no limit) or more"),
    gettext_noop("percent from must be between 0 and 99"),
    gettext_noop("percent to must be between 1 and 100"),
    gettext_noop("percent to must be greater than percent from"),
    gettext_noop("a selection needs at least one rule"),
    gettext_noop("parameter value must be text or a whole number"),
    gettext_noop('condition must be "and" or "or", not "%(value)s"'),
    gettext_noop("%(field)s must be a positive whole number"),
    gettext_noop("a rule with a condition needs sub-rules"),
    gettext_noop("sub-rules can be nested one level deep only"),
    gettext_noop("%(field)s must be text"),
    gettext_noop("%(field)s must be a whole number, not %(value)s"),
    gettext_noop("%(field)s must be true or false, not %(value)s"),
    gettext_noop("%(field)s must be a list"),
    gettext_noop("item %(number)s of %(field)s must be an object"),
    # codec.py's reasons for a pasted payload it cannot read, and the JSON
    # reader's for the usual slips (lxml's own are many, and left in English).
    gettext_noop("XML with a DTD (DOCTYPE) is not accepted"),
    gettext_noop("the payload must be a JSON object, not an array"),
    gettext_noop("the payload must be a JSON object, not a string"),
    gettext_noop("the payload must be a JSON object, not a number"),
    gettext_noop("the payload must be a JSON object, not true or false"),
    gettext_noop("the payload must be a JSON object, not null"),
    gettext_noop("the root element must be <xml>, not <%(value)s>"),
    gettext_noop("the payload holds text that is not valid Unicode"),
    gettext_noop("the JSON body is not valid UTF-8"),
    gettext_noop("the XML text is not valid Unicode"),
    gettext_noop("the JSON is nested too deeply"),
    gettext_noop("the payload is nested too deeply"),
    gettext_noop("the body is larger than %(number)s bytes"),
    gettext_noop("Expecting value"),
    gettext_noop("Expecting ',' delimiter"),
    gettext_noop("Expecting ':' delimiter"),
    gettext_noop("Expecting property name enclosed in double quotes"),
    gettext_noop("Unterminated string starting at"),
    gettext_noop("Invalid control character at"),
    gettext_noop("Extra data"),
)
_GROUPS = {"field": r"\w+", "kind": r"\w+", "number": r"\d+", "value": r".*"}


def _pattern(message: str) -> re.Pattern:
    pattern = re.escape(message)
    for name, group in _GROUPS.items():
        pattern = pattern.replace(re.escape(f"%({name})s"), f"(?P<{name}>{group})")
    return re.compile(pattern, re.DOTALL)


_PATTERNS = tuple((message, _pattern(message)) for message in MESSAGES)


def problem_text(problem: Problem) -> str:
    """A Problem as str(problem) words it, in the current language."""
    message = message_text(problem.message)
    if not problem.where:
        return message
    return f"{location_text(problem.where)}: {message}"


def message_text(message: str) -> str:
    """One of segment.py's messages (without its location), translated."""
    for english, pattern in _PATTERNS:
        if match := pattern.fullmatch(message):
            values = match.groupdict()
            if "kind" in values:
                values["kind"] = _kind_text(values["kind"])
            return gettext(english) % values
    return message


def location_text(where: tuple[tuple[str, int], ...]) -> str:
    """("selection", 2), ("rule", 3) as "selection 2, rule 3", translated."""
    return ", ".join(f"{_noun(what)} {number}" for what, number in where)


def located_text(text: str) -> str:
    """"selection 2, rule 3: what" (segment.py's ignored fields, imports'
    notes) with its location translated; other text as it is."""
    match = _LOCATED.fullmatch(text)
    if not match:
        return text
    where = tuple((found["noun"], int(found["number"]))
                  for found in _LOCATION.finditer(match["where"]))
    return f"{location_text(where)}: {match['what']}"


def _kind_text(kind: str) -> str:
    try:
        return str(KIND_LABELS[Kind(kind)])
    except ValueError:
        return kind


def _noun(what: str) -> str:
    return str(LOCATION_NOUNS[what]) if what in LOCATION_NOUNS else what
