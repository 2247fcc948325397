"""A segment in plain words, in the current language: shown beside the
builder's preview and on each history entry. One sentence per selection;
databases, segments and resources are called by their names when the
pickers' cache knows them (never asking Altcraft: the cache or nothing),
else by their ids. Values are not escaped here; templates escape them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from segbuilder.catalogue.loader import rule_kind_of
from segbuilder.segments.build.pickers import PickerLists, cached_picker_lists

# What a rule of each known kind says about a profile, read after "that"; and
# the shorter words for the same kind right after it ("... and once in ...").
# Ids arrive already worded: "“VIP” (5)" when the name is known, else "5".
KIND_PHRASES = {
    "statseg": (
        gettext_lazy("were once in static segment %(segment_id)s"),
        gettext_lazy("once in static segment %(segment_id)s"),
    ),
    "domaingroup": (
        gettext_lazy("have an email address in domain group “%(domaingroup)s”"),
        gettext_lazy("in domain group “%(domaingroup)s”"),
    ),
    "dataurl": (
        gettext_lazy(
            "have their subscription email in field “%(field)s” of the POST-URL response "
            "from %(url)s (resource %(resource_id)s)"
        ),
        gettext_lazy(
            "in field “%(field)s” of the POST-URL response from %(url)s "
            "(resource %(resource_id)s)"
        ),
    ),
}
# Which picker list names the ids of each param.
PARAM_LISTS = {"segment_id": "segments", "resource_id": "resources"}
# How a list of rules combines: after "that" at the top, in brackets below.
COMBINED = {
    "and": gettext_lazy("meet all of: %(rules)s"),
    "or": gettext_lazy("meet any of: %(rules)s"),
}
GROUPED = {
    "and": gettext_lazy("(all of: %(rules)s)"),
    "or": gettext_lazy("(any of: %(rules)s)"),
}
# Operators a custom rule commonly carries, in words (API.md: the editor's own
# operators); any other is shown as entered.
OPERATOR_WORDS = {
    "equal": gettext_lazy("is"),
    "not_equal": gettext_lazy("is not"),
    "between": gettext_lazy("between"),
    "exists": gettext_lazy("exists"),
    "not_exists": gettext_lazy("does not exist"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "in_list": gettext_lazy("is in the list"),
    "more": gettext_lazy("is more than"),
    "less": gettext_lazy("is less than"),
}
# Params whose name says nothing beyond the operator: only their value is read.
PLAIN_PARAMS = {"value", "values", "from", "to"}
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Names:
    """Known names by list ("databases", "segments", "resources") and id."""

    by_list: dict[str, dict[int, str]] = field(default_factory=dict)

    @classmethod
    def from_lists(cls, lists: PickerLists) -> Names:
        return cls({
            name: {item.id: item.name for item in items if item.name}
            for name in ("databases", "segments", "resources")
            if (items := lists.items(name)) is not None
        })

    def worded(self, list_name: str, value: object) -> str:
        """“Name” (id) when the name is known, else the id."""
        if value is None:
            return "?"
        name = self.by_list.get(list_name, {}).get(value) if isinstance(value, int) else None
        if not name:
            return str(value)
        return _("“%(name)s” (%(id)s)") % {"name": name, "id": value}


def segment_summary(segment: Segment, *, names: Names | None = None) -> str:
    """Sentences saying which profiles the segment holds; `names` defaults to
    what the pickers' cache holds."""
    if names is None:
        names = Names.from_lists(cached_picker_lists())
    database = names.worded("databases", segment.list_id)
    if segment.kind is Kind.STATIC:
        return _("All profiles of database %(list_id)s, taken once.") % {"list_id": database}
    if not segment.selections:
        return _("No profiles: the segment has no selections.")
    sentences = [_selection(selection, names) for selection in segment.selections]
    if len(sentences) > 1:
        sentences = [
            _("Selection %(number)s: %(selection)s") % {"number": number, "selection": text}
            for number, text in enumerate(sentences, start=1)]
        count = len(sentences)
        sentences.insert(0, ngettext(
            "Profiles found by any of %(count)s selection.",
            "Profiles found by any of %(count)s selections.", count) % {"count": count})
    if segment.kind is Kind.UPDATABLE:
        sentences.insert(0, _("Refreshed every day."))
    return " ".join(capfirst(sentence) for sentence in sentences)


def _selection(selection: Selection, names: Names) -> str:
    values = {"list_id": names.worded("databases", selection.list_id)}
    if selection.rules:
        values["rules"] = _combined(selection.rules, selection.condition, names, COMBINED)
        profiles = _("profiles of database %(list_id)s that %(rules)s") % values
    else:
        profiles = _("profiles of database %(list_id)s") % values
    return "; ".join((profiles, _share(selection), _limit(selection))) + "."


def _share(selection: Selection) -> str:
    if (selection.percent_from, selection.percent_to) == (0, 100):
        return _("the whole database")
    return _("%(from)s–%(to)s%% of the database") % {
        "from": selection.percent_from, "to": selection.percent_to}


def _limit(selection: Selection) -> str:
    if selection.limit <= 0:
        return _("no limit")
    return ngettext("at most %(count)s profile", "at most %(count)s profiles",
                    selection.limit) % {"count": selection.limit}


def _combined(rules: list[Rule], condition: str, names: Names, words: dict) -> str:
    """One rule as it reads; several with how they combine."""
    texts, previous = [], None
    for rule in rules:
        key = None if rule.is_group else _kind_key(rule)
        texts.append(_rule(rule, names, again=key is not None and key == previous))
        previous = key
    if len(texts) == 1 and words is COMBINED:
        return texts[0]
    template = words.get(condition)
    joined = ", ".join(texts)
    return template % {"rules": joined} if template else f"{condition}: {joined}"


def _rule(rule: Rule, names: Names, *, again: bool = False) -> str:
    if not rule.is_group:
        return _plain_rule(rule, names, again=again)
    children = _combined(rule.children, rule.condition, names, GROUPED)
    if not rule.has_own_fields:
        return children
    return _("%(rule)s, with sub-rules %(children)s") % {
        "rule": _plain_rule(rule, names), "children": children}


def _plain_rule(rule: Rule, names: Names, *, again: bool = False) -> str:
    key = _kind_key(rule)
    if key is not None:
        phrase, phrase_again = KIND_PHRASES[key]
        values = {param.name: _kind_value(param, names) for param in rule.params}
        return (phrase_again if again else phrase) % values
    return _custom_rule(rule)


def _kind_value(param: Param, names: Names) -> str:
    if param.name in PARAM_LISTS:
        return names.worded(PARAM_LISTS[param.name], param.value)
    return str(param.value)


def _custom_rule(rule: Rule) -> str:
    """A custom rule from its own fields: "age (int) between 18 and 30"; the
    compo is said only when it is not the usual "default"."""
    subject = _("%(name)s (%(type)s)") % {"name": rule.name, "type": rule.type} if (
        rule.type) else rule.name
    if rule.compo and rule.compo != "default":
        subject = f"{rule.compo}: {subject}"
    operator = OPERATOR_WORDS.get(rule.operator)
    parts = [subject, str(operator) if operator is not None else rule.operator]
    if rule.params:
        separator = " " + _("and") + " "
        parts.append(separator.join(_param(param) for param in rule.params))
    return " ".join(part for part in parts if part)


def _kind_key(rule: Rule) -> str | None:
    """The key of the rule's known kind when it has words here, else None."""
    kind = rule_kind_of(rule)
    return kind.key if kind is not None and kind.key in KIND_PHRASES else None


def _param(param: Param) -> str:
    value = param.value
    if isinstance(value, int) or (isinstance(value, str) and _is_number(value)):
        shown = str(value)
    else:
        shown = _("“%(value)s”") % {"value": value}
    return shown if param.name in PLAIN_PARAMS else f"{param.name} {shown}"


def _is_number(text: str) -> bool:
    """Digits (a sign, a decimal point) read bare, as the number they are meant as."""
    return NUMBER.fullmatch(text) is not None
