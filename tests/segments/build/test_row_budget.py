"""Counting a builder post's rows from its management forms, and a pasted
payload's from its parsed dict, before any form is built."""

from __future__ import annotations

import pytest
from django.utils import translation

from segbuilder.segments.build import row_budget
from segbuilder.segments.build.row_budget import (
    MAX_PARAMS_IN_SEGMENT,
    MAX_ROWS_POSTED,
    MAX_RULES_IN_SEGMENT,
    PARAMS,
    ROWS,
    RULES,
    RULES_IN_SELECTION,
    SELECTIONS,
    SUB_RULES_IN_GROUP,
    Overrun,
    count_payload,
    count_posted,
    overrun_texts,
)
from tests.formdata import builder_data, custom, domaingroup, group, param, selection, statseg


def tampered(**counts) -> dict:
    """A one-rule post that claims more rows by its management forms only:
    {formset prefix: TOTAL_FORMS}."""
    data = builder_data(selections=[selection(statseg(1))])
    data.update({f"{prefix}-TOTAL_FORMS": total for prefix, total in counts.items()})
    return data


# --- a builder post -----------------------------------------------------------------------


def test_a_post_is_counted_as_the_forms_would_build_it():
    data = builder_data(selections=[
        selection(statseg(1), custom("c", "n", "t", "o", param("a", 1), param("b", 2)),
                  group(domaingroup("Gmail"), custom("a", "b", "c", "d", param("x", 1)))),
        selection(statseg(2)),
    ])
    counts = count_posted(data)
    assert (counts.selections, counts.rules, counts.params) == (2, 6, 3)
    assert counts.rows == 2 + 6 + 3 and counts.complete
    assert counts.overruns() == []


def test_removed_rows_are_not_live_and_their_children_are_not_counted():
    data = builder_data(selections=[
        selection(statseg(1), custom("c", "n", "t", "o", param("a", 1), param("b", 2,
                                                                            DELETE=True)),
                  group(statseg(2), statseg(3), DELETE=True)),
        selection(statseg(4), statseg(5), DELETE=True),
    ])
    counts = count_posted(data)
    assert (counts.selections, counts.rules, counts.params) == (1, 2, 1)
    # Every row a formset would build, removed ones too; not below removed rows.
    assert counts.rows == 2 + 3 + 2


def test_params_count_for_custom_rules_only_as_only_they_have_a_params_formset():
    data = builder_data(selections=[selection(statseg(1))])
    data["selections-0-rules-0-params-TOTAL_FORMS"] = 20
    assert count_posted(data).params == 0


def test_sub_rules_count_one_level_deep_only():
    data = builder_data(selections=[selection(group(statseg(1)))])
    data["selections-0-rules-0-children-0-children-TOTAL_FORMS"] = 50
    assert count_posted(data).rules == 2


@pytest.mark.parametrize(("total", "rules"), [
    ("lots", 0), ("-3", 0), ("", 0), (None, 0), ("3.0", 3), (" 2 ", 2)])
def test_a_row_count_is_read_as_the_formsets_read_it(total, rules):
    data = builder_data(selections=[selection(statseg(1))])
    data["selections-0-rules-TOTAL_FORMS"] = total
    assert count_posted(data).rules == rules


def test_each_level_is_read_no_further_than_its_formset_would_build():
    counts = count_posted(tampered(**{"selections-0-rules-0-children": 10**9}))
    # 3 x 50 sub-rule rows: Django's absolute cap for that formset.
    assert counts.rules == 1 + 150 and counts.complete
    assert counts.overruns() == [Overrun(SUB_RULES_IN_GROUP, 150, 50, (1, 1))]


def test_the_issues_tampered_post_is_counted_only_until_it_is_over_budget():
    prefixes = {"selections": 2, "selections-0-rules": 150, "selections-1-rules": 150}
    prefixes.update({f"selections-{s}-rules-{r}-children": 150
                     for s in range(2) for r in range(150)})
    counts = count_posted(tampered(**prefixes))
    assert not counts.complete
    assert counts.rules == MAX_RULES_IN_SEGMENT + 1
    assert counts.rows < MAX_RULES_IN_SEGMENT + 20
    overruns = counts.overruns()
    assert overruns[0] == Overrun(RULES, 2001, 2000, exact=False)
    assert {overrun.what for overrun in overruns[1:]} == {SUB_RULES_IN_GROUP}


@pytest.mark.parametrize(("counts", "overrun"), [
    ({"selections": 21}, Overrun(SELECTIONS, 21, 20, exact=False)),
    ({"selections-0-rules": 1001}, Overrun(RULES_IN_SELECTION, 1001, 1000, (1,))),
    ({"selections-0-rules-0-children": 51}, Overrun(SUB_RULES_IN_GROUP, 51, 50, (1, 1))),
    ({"selections": 3, **{f"selections-{n}-rules": 700 for n in range(3)}},
     Overrun(RULES, 2001, 2000, exact=False)),
])
def test_each_budget_of_rows_is_told_with_its_count(counts, overrun):
    assert overrun in count_posted(tampered(**counts)).overruns()


def test_the_budget_of_params_is_told_with_its_count():
    rules = [custom("c", "n", "t", "o") for _ in range(251)]
    data = builder_data(selections=[selection(*rules)])
    data.update({f"selections-0-rules-{n}-params-TOTAL_FORMS": 20 for n in range(251)})
    assert count_posted(data).overruns() == [Overrun(PARAMS, 5020, MAX_PARAMS_IN_SEGMENT,
                                                     exact=False)]


def test_the_budget_of_rows_counts_removed_ones_too():
    data = builder_data(selections=[selection(statseg(1)) for _ in range(20)])
    for number in range(20):
        data[f"selections-{number}-rules-TOTAL_FORMS"] = 600
        data.update({f"selections-{number}-rules-{n}-DELETE": "on" for n in range(1, 600)})
    counts = count_posted(data)
    assert counts.rules == 17  # the live ones counted before the stop
    assert counts.overruns() == [Overrun(ROWS, MAX_ROWS_POSTED + 1, MAX_ROWS_POSTED,
                                         exact=False)]


# --- a pasted payload ------------------------------------------------------------------------


def rule(*children: dict, params: int = 1) -> dict:
    payload = {"compo": "c", "name": "n", "type": "t", "operator": "o",
               "value": [{"name": f"p{n}", "value": n} for n in range(params)]}
    if children:
        payload.update(condition="and", child=list(children))
    return payload


def test_a_payload_is_counted_rules_sub_rules_and_params():
    payload = {"segment": [{"queries": [rule(), rule(rule(), rule(params=3), params=0)]},
                           {"queries": [rule(params=2)]}]}
    counts = count_payload(payload)
    assert (counts.selections, counts.rules, counts.params) == (2, 5, 7)
    assert counts.overruns() == []


def test_a_payload_of_twenty_by_fifty_by_fifty_is_counted_until_over_budget():
    group_of_fifty = rule(*[rule() for _ in range(50)])
    payload = {"segment": [{"queries": [group_of_fifty] * 50} for _ in range(20)]}
    counts = count_payload(payload)
    assert not counts.complete and counts.rules == MAX_RULES_IN_SEGMENT + 1
    assert counts.overruns() == [Overrun(RULES, 2001, 2000, exact=False)]


@pytest.mark.parametrize(("payload", "overrun"), [
    ({"segment": [{"queries": [rule()]}] * 21}, Overrun(SELECTIONS, 21, 20, exact=False)),
    ({"segment": [{"queries": [rule()] * 1001}]}, Overrun(RULES_IN_SELECTION, 1001, 1000, (1,))),
    ({"segment": [{"queries": [rule(), rule(*[rule()] * 51)]}]},
     Overrun(SUB_RULES_IN_GROUP, 51, 50, (1, 2))),
    ({"segment": [{"queries": [rule(params=20)] * 251}]},
     Overrun(PARAMS, 5020, 5000, exact=False)),
])
def test_each_budget_of_a_payload_is_told_with_its_count(payload, overrun):
    assert overrun in count_payload(payload).overruns()


def test_sub_rules_nested_deeper_than_python_recurses_are_counted_without_recursion():
    deepest = rule()
    for _ in range(5000):
        deepest = rule(deepest, params=0)
    counts = count_payload({"segment": [{"queries": [deepest]}]})
    assert counts.overruns() == [Overrun(RULES, 2001, 2000, exact=False)]


@pytest.mark.parametrize("payload", [
    None, [], "text", {"segment": "many"}, {"segment": [1, "x", None]},
    {"segment": [{"queries": {"compo": "c"}}]}, {"segment": [{"queries": [1, [2]]}]},
])
def test_a_payload_of_another_shape_counts_what_is_where_a_list_belongs(payload):
    assert count_payload(payload).overruns() == []


# --- in words ---------------------------------------------------------------------------------


def test_an_overrun_is_told_with_its_counts_and_where_it_is():
    assert overrun_texts([
        Overrun(RULES_IN_SELECTION, 1050, 1000, (2,)),
        Overrun(SUB_RULES_IN_GROUP, 150, 50, (1, 3)),
        Overrun(RULES, 2001, 2000, exact=False),
        Overrun(ROWS, 10_001, 10_000, exact=False),
    ]) == [
        "Selection 2 has 1,050 rules; a selection holds at most 1,000.",
        "Rule 3 of selection 1 has 150 sub-rules; a group holds at most 50.",
        "The segment has at least 2,001 rules and sub-rules; the builder holds at most 2,000.",
        "The form carries at least 10,001 rows, removed ones included; the builder takes at "
        "most 10,000 at once.",
    ]


def test_an_overrun_is_told_in_the_language_of_the_page():
    with translation.override("ru"):
        (text,) = overrun_texts([Overrun(SELECTIONS, 21, 20)])
    assert text == "В сегменте 21 выборка; конструктор вмещает не больше 20."


def test_every_budget_has_its_words():
    for what in (SELECTIONS, RULES_IN_SELECTION, SUB_RULES_IN_GROUP, RULES, PARAMS, ROWS):
        (text,) = row_budget.overrun_texts([Overrun(what, 3, 2, (1, 1))])
        assert "3" in text and "2" in text
