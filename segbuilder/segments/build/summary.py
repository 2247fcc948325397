"""A segment in plain words, in the current language: shown beside the
builder's preview and on each history entry. Values are not escaped here;
templates escape them."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from segbuilder.catalogue.loader import rule_kind_of

# What a rule of each known kind says about a profile, read after "that"; and
# the shorter words for the same kind right after it ("... and once in ...").
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
CONDITION_WORDS = {"and": gettext_lazy("and"), "or": gettext_lazy("or")}


def segment_summary(segment: Segment) -> str:
    """One sentence saying which profiles the segment holds."""
    if segment.kind is Kind.STATIC:
        return _("All profiles of database %(list_id)s, taken once") % {
            "list_id": _id(segment.list_id)}
    if not segment.selections:
        return _("No profiles: the segment has no selections")
    # Profiles in any selection are in the segment.
    separator = f"; {CONDITION_WORDS['or']} "
    text = separator.join(_selection(selection) for selection in segment.selections)
    if segment.kind is Kind.UPDATABLE:
        text = _("refreshed every day: %(selections)s") % {"selections": text}
    return capfirst(text)


def _selection(selection: Selection) -> str:
    values = {"list_id": _id(selection.list_id)}
    if selection.rules:
        values["rules"] = _joined(selection.rules, selection.condition)
        profiles = _("profiles of database %(list_id)s that %(rules)s") % values
    else:
        profiles = _("profiles of database %(list_id)s") % values
    return "; ".join((profiles, _share(selection), _limit(selection)))


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


def _joined(rules: list[Rule], condition: str) -> str:
    word = CONDITION_WORDS.get(condition, condition)
    texts, previous = [], None
    for rule in rules:
        key = None if rule.is_group else _kind_key(rule)
        texts.append(_rule(rule, again=key is not None and key == previous))
        previous = key
    return f" {word} ".join(texts)


def _rule(rule: Rule, *, again: bool = False) -> str:
    if not rule.is_group:
        return _plain_rule(rule, again=again)
    children = f"({_joined(rule.children, rule.condition)})"
    if not rule.has_own_fields:
        return children
    return _("%(rule)s, with sub-rules %(children)s") % {
        "rule": _plain_rule(rule), "children": children}


def _plain_rule(rule: Rule, *, again: bool = False) -> str:
    key = _kind_key(rule)
    if key is not None:
        phrase, phrase_again = KIND_PHRASES[key]
        values = {param.name: param.value for param in rule.params}
        return (phrase_again if again else phrase) % values
    # A custom rule: its own fields, as the user entered them.
    fields = "/".join((rule.compo, rule.name, rule.type))
    params = ", ".join(_param(param) for param in rule.params)
    return _("match %(rule)s") % {
        "rule": " ".join(part for part in (fields, rule.operator, params) if part)}


def _kind_key(rule: Rule) -> str | None:
    """The key of the rule's known kind when it has words here, else None."""
    kind = rule_kind_of(rule)
    return kind.key if kind is not None and kind.key in KIND_PHRASES else None


def _param(param: Param) -> str:
    if isinstance(param.value, int):
        return f"{param.name} {param.value}"
    return f"{param.name} " + _("“%(value)s”") % {"value": param.value}


def _id(value: int | None) -> str:
    return "?" if value is None else str(value)
