"""How many rows a builder post or a pasted payload holds, counted before any
form is built, and the budgets they must fit in.

Each formset level caps only its own rows, and the caps multiply: 2
selections x 150 rules x 150 sub-rules is a 39 KB post that would build
45,000 forms. So the rows are counted first, from the posted management
forms (or the parsed payload), and a segment over a budget is answered at
once, with the counts, building nothing.

Counting is bounded too: each level is read up to Django's absolute cap (the
number of rows its formset would build), and counting stops as soon as the
segment is over one of its totals, so a post that claims millions of rows is
read no further than the first few thousand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME, TOTAL_FORM_COUNT
from django.utils.datastructures import MultiValueDict
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from segbuilder.altcraft.rulekinds import CUSTOM

# The budgets. Per level (the formsets' max_num, forms.py):
MAX_SELECTIONS = 20
MAX_RULES_IN_SELECTION = 1_000
MAX_SUB_RULES_IN_GROUP = 50
MAX_PARAMS_IN_RULE = 20
# In the whole segment:
MAX_RULES_IN_SEGMENT = 2_000  # rules and sub-rules
MAX_PARAMS_IN_SEGMENT = 5_000
# Every row a post carries, the ones removed in the page included: a removed
# row still travels with the form (its DELETE box ticked) and is built.
MAX_ROWS_POSTED = 10_000
# A formset reads at most this many times its max_num rows (room for rows
# added then removed in the page, whose indexes are never reused).
ABSOLUTE_MAX_FACTOR = 3

# What a budget counts (Overrun.what).
SELECTIONS = "selections"
RULES_IN_SELECTION = "rules_in_selection"
SUB_RULES_IN_GROUP = "sub_rules_in_group"
RULES = "rules"
PARAMS = "params"
ROWS = "rows"


@dataclass(frozen=True)
class Overrun:
    """A budget the segment is over: `count` where at most `limit` fit. `where`
    numbers the selection (and rule) as the page shows them; `exact` is False
    when counting stopped there, so there may be more."""

    what: str
    count: int
    limit: int
    where: tuple[int, ...] = ()
    exact: bool = True


@dataclass
class RowCounts:
    """The live rows of a segment (removed ones left out), and for a post every
    row it carries. `complete` is False when counting stopped early, past a
    budget of the whole segment."""

    selections: int = 0
    rules: int = 0  # rules and sub-rules
    params: int = 0
    rows: int = 0
    complete: bool = True
    # Selections and groups over their own budget.
    crowded: list[Overrun] = field(default_factory=list)

    def overruns(self) -> list[Overrun]:
        """Every budget the segment is over, the whole segment's first."""
        totals = [(SELECTIONS, self.selections, MAX_SELECTIONS),
                  (RULES, self.rules, MAX_RULES_IN_SEGMENT),
                  (PARAMS, self.params, MAX_PARAMS_IN_SEGMENT),
                  (ROWS, self.rows, MAX_ROWS_POSTED)]
        found = [Overrun(what, count, limit, exact=self.complete)
                 for what, count, limit in totals if count > limit]
        return found + self.crowded

    # Each step of counting goes through these, so that counting stops as
    # soon as the segment is over a budget of its own.
    def add_row(self) -> None:
        self.rows += 1
        self._stop_past(self.rows, MAX_ROWS_POSTED)

    def add_selection(self) -> None:
        self.selections += 1
        self._stop_past(self.selections, MAX_SELECTIONS)

    def add_rule(self) -> None:
        self.rules += 1
        self._stop_past(self.rules, MAX_RULES_IN_SEGMENT)

    def add_params(self, count: int) -> None:
        self.params += count
        self._stop_past(self.params, MAX_PARAMS_IN_SEGMENT)

    def crowd(self, what: str, count: int, limit: int, where: tuple[int, ...]) -> None:
        if count > limit:
            self.crowded.append(Overrun(what, count, limit, where, exact=self.complete))

    def _stop_past(self, count: int, limit: int) -> None:
        if count > limit:
            self.complete = False
            raise _Stop


class _Stop(Exception):
    """Counting went past a budget of the whole segment: nothing more to learn."""


def overruns_posted(data: Mapping[str, Any]) -> list[Overrun]:
    return count_posted(data).overruns()


def overruns_of_payload(payload: Any) -> list[Overrun]:
    return count_payload(payload).overruns()


# --- a builder post ----------------------------------------------------------------------


def count_posted(data: Mapping[str, Any]) -> RowCounts:
    """The rows a builder post would build, from its management forms: the
    rows of each formset Django would read, and below them the child formsets
    of live rows only (a removed row's children are not built), params only
    for custom rules, sub-rules only one level deep (forms.py builds the same)."""
    counts = RowCounts()
    try:
        for number, prefix in _posted_rows(data, "selections", MAX_SELECTIONS, counts):
            counts.add_selection()
            _count_posted_rules(data, prefix, number, counts)
    except _Stop:
        pass
    return counts


def _count_posted_rules(data: Mapping[str, Any], selection: str, number: int,
                        counts: RowCounts) -> None:
    rules = 0
    try:
        for rule_number, prefix in _posted_rows(data, f"{selection}-rules",
                                                MAX_RULES_IN_SELECTION, counts):
            rules += 1
            counts.add_rule()
            _count_posted_params(data, prefix, counts)
            _count_posted_sub_rules(data, prefix, (number, rule_number), counts)
    finally:  # also when counting stops: what was counted so far is told
        counts.crowd(RULES_IN_SELECTION, rules, MAX_RULES_IN_SELECTION, (number,))


def _count_posted_sub_rules(data: Mapping[str, Any], rule: str, where: tuple[int, int],
                            counts: RowCounts) -> None:
    sub_rules = 0
    try:
        for _number, prefix in _posted_rows(data, f"{rule}-children", MAX_SUB_RULES_IN_GROUP,
                                            counts):
            sub_rules += 1
            counts.add_rule()
            _count_posted_params(data, prefix, counts)
    finally:
        counts.crowd(SUB_RULES_IN_GROUP, sub_rules, MAX_SUB_RULES_IN_GROUP, where)


def _count_posted_params(data: Mapping[str, Any], rule: str, counts: RowCounts) -> None:
    if data.get(f"{rule}-kind") != CUSTOM:
        return
    params = sum(1 for _ in _posted_rows(data, f"{rule}-params", MAX_PARAMS_IN_RULE, counts))
    counts.add_params(params)


def _posted_rows(data: Mapping[str, Any], prefix: str, max_num: int,
                 counts: RowCounts) -> Iterator[tuple[int, str]]:
    """(number as shown, prefix) of each live row of the formset `prefix`: as
    many as its TOTAL_FORMS says, up to the formset's absolute cap."""
    total = min(_whole_number(data.get(f"{prefix}-{TOTAL_FORM_COUNT}")),
                max_num * ABSOLUTE_MAX_FACTOR)
    number = 0
    for index in range(total):
        counts.add_row()
        row = f"{prefix}-{index}"
        if is_ticked(data, f"{row}-{DELETION_FIELD_NAME}"):
            continue
        number += 1
        yield number, row


# Read as the formsets read them: a management form's count, a row's DELETE box.
_COUNT_FIELD = forms.IntegerField()
_DELETE_BOX = forms.CheckboxInput()


def is_ticked(data: Mapping[str, Any], name: str) -> bool:
    """A checkbox as posted, read as its form field will read it."""
    return _DELETE_BOX.value_from_datadict(data, MultiValueDict(), name)


def _whole_number(value: Any) -> int:
    try:
        number = _COUNT_FIELD.to_python(value)
    except ValidationError:
        return 0
    return max(number or 0, 0)


# --- a parsed payload --------------------------------------------------------------------


def count_payload(payload: Any) -> RowCounts:
    """The rows a parsed `segments/add/` payload would fill the builder with:
    its selections, rules and sub-rules (at any depth), and their params.
    Whatever is not a list where a list belongs counts as nothing: reading the
    payload into a segment says what is wrong with it."""
    counts = RowCounts()
    try:
        for number, selection in enumerate(_items(payload, "segment"), start=1):
            counts.add_selection()
            rules = _items(selection, "queries")
            counts.crowd(RULES_IN_SELECTION, len(rules), MAX_RULES_IN_SELECTION, (number,))
            for rule_number, rule in enumerate(rules, start=1):
                _count_rule_tree(rule, (number, rule_number), counts)
    except _Stop:
        pass
    return counts


def _count_rule_tree(rule: Any, where: tuple[int, int], counts: RowCounts) -> None:
    """A rule, its sub-rules and theirs, walked without recursion (a paste
    may nest deeper than Python recurses)."""
    pending = [rule]
    while pending:
        current = pending.pop()
        counts.add_rule()
        counts.add_params(len(_items(current, "value")))
        children = _items(current, "child")
        counts.crowd(SUB_RULES_IN_GROUP, len(children), MAX_SUB_RULES_IN_GROUP, where)
        pending += children


def _items(container: Any, key: str) -> list:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, list) else []


# --- in words ----------------------------------------------------------------------------


def overrun_texts(overruns: list[Overrun]) -> list[str]:
    """Each overrun as a sentence in the current language, with its counts."""
    return [_overrun_text(overrun) for overrun in overruns]


def _overrun_text(overrun: Overrun) -> str:
    count = number_format(overrun.count, force_grouping=True)
    values = {
        "count": count if overrun.exact else gettext("at least %(count)s") % {"count": count},
        "limit": number_format(overrun.limit, force_grouping=True),
        **dict(zip(("selection", "rule"), overrun.where, strict=False)),
    }
    n = overrun.count
    texts = {
        SELECTIONS: ngettext(
            "The segment has %(count)s selection; the builder holds at most %(limit)s.",
            "The segment has %(count)s selections; the builder holds at most %(limit)s.", n),
        RULES_IN_SELECTION: ngettext(
            "Selection %(selection)s has %(count)s rule; a selection holds at most %(limit)s.",
            "Selection %(selection)s has %(count)s rules; a selection holds at most %(limit)s.",
            n),
        SUB_RULES_IN_GROUP: ngettext(
            "Rule %(rule)s of selection %(selection)s has %(count)s sub-rule; "
            "a group holds at most %(limit)s.",
            "Rule %(rule)s of selection %(selection)s has %(count)s sub-rules; "
            "a group holds at most %(limit)s.", n),
        RULES: ngettext(
            "The segment has %(count)s rule and sub-rule; the builder holds at most %(limit)s.",
            "The segment has %(count)s rules and sub-rules; the builder holds at most "
            "%(limit)s.", n),
        PARAMS: ngettext(
            "The segment has %(count)s parameter; the builder holds at most %(limit)s.",
            "The segment has %(count)s parameters; the builder holds at most %(limit)s.", n),
        ROWS: ngettext(
            "The form carries %(count)s row, removed ones included; the builder takes at "
            "most %(limit)s at once.",
            "The form carries %(count)s rows, removed ones included; the builder takes at "
            "most %(limit)s at once.", n),
    }
    return texts[overrun.what] % values
