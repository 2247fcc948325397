from __future__ import annotations

import copy

import pytest

from segbuilder.altcraft.segment import Kind, Param, PayloadError, Rule, Segment, Selection
from tests.examples import EXAMPLE_NAMES, example_payload


def statseg(segment_id: int = 1) -> Rule:
    return Rule("default", "statseg", "statseg", "once", [Param("segment_id", segment_id)])


def dynamic(**selection) -> Segment:
    return Segment("Dynamic", Kind.DYNAMIC, selections=[Selection(**{"list_id": 1,
                   "rules": [statseg()], **selection})])


def messages(segment: Segment) -> list[str]:
    return [str(problem) for problem in segment.problems()]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_documented_example_goes_payload_model_payload_unchanged(name):
    payload = example_payload(name, "json")
    segment = Segment.from_payload(payload)
    assert segment.problems() == []
    assert segment.to_payload() == payload


@pytest.mark.parametrize(
    ("name", "kind"),
    [("static", Kind.STATIC), ("dynamic", Kind.DYNAMIC), ("updatable", Kind.UPDATABLE)],
)
def test_the_kind_follows_is_static_and_is_refresh_daily(name, kind):
    assert Segment.from_payload(example_payload(name, "json")).kind is kind


def test_the_payload_keeps_the_docs_key_order():
    payload = Segment.from_payload(example_payload("dynamic", "json")).to_payload()
    assert list(payload) == ["name", "is_static", "segment"]
    assert list(payload["segment"][0]) == [
        "condition", "limit", "list_id", "percent_from", "percent_to", "queries"]
    assert list(payload["segment"][0]["queries"][0]) == [
        "compo", "name", "operator", "type", "value"]


def test_a_top_level_list_id_is_kept_for_an_updatable_segment():
    payload = example_payload("updatable", "xml")
    assert Segment.from_payload(payload).to_payload() == payload


def test_token_and_format_are_transport_and_never_kept():
    payload = {**example_payload("static", "json"), "token": "secret", "format": "xml"}
    ignored: list = []
    result = Segment.from_payload(payload, ignored=ignored).to_payload()
    assert "token" not in result and "format" not in result
    assert ignored == []


def test_unknown_fields_are_reported_with_their_place():
    payload = copy.deepcopy(example_payload("dynamic", "json"))
    payload["colour"] = "red"
    payload["segment"][0]["queries"][1]["weight"] = 3
    ignored: list = []
    Segment.from_payload(payload, ignored=ignored)
    assert ignored == [((), "colour"), ((("selection", 1), ("rule", 2)), "weight")]


def test_a_group_round_trips_with_its_condition_and_children():
    group = Rule(condition="or", children=[statseg(1), statseg(2)])
    segment = dynamic(rules=[group])
    payload = segment.to_payload()
    assert payload["segment"][0]["queries"][0] == {
        "condition": "or",
        "child": [statseg(1).to_payload(), statseg(2).to_payload()],
    }
    assert Segment.from_payload(payload) == segment
    assert segment.problems() == []


def test_names_with_markup_quotes_and_cyrillic_survive():
    name = 'A & B <test> "q" \'s Сегмент 🎯'
    segment = Segment(name, Kind.STATIC, list_id=3)
    assert Segment.from_payload(segment.to_payload()).name == name


# --- each validation rule -------------------------------------------------------

def test_a_valid_dynamic_segment_has_no_problems():
    assert messages(dynamic()) == []


def test_the_name_is_required():
    assert messages(Segment("  ", Kind.STATIC, list_id=1)) == ["name is required"]


def test_a_static_segment_needs_a_list_id():
    assert messages(Segment("S", Kind.STATIC)) == ["a static segment needs a database (list_id)"]


def test_a_static_segment_takes_no_rules():
    segment = Segment("S", Kind.STATIC, list_id=1, selections=[Selection(1, rules=[statseg()])])
    assert messages(segment) == ["a static segment takes no rules"]


@pytest.mark.parametrize("kind", [Kind.DYNAMIC, Kind.UPDATABLE])
def test_dynamic_and_updatable_segments_need_a_selection(kind):
    assert messages(Segment("S", kind)) == [f"a {kind} segment needs at least one selection"]


def test_a_selection_needs_a_rule():
    assert messages(dynamic(rules=[])) == ["selection 1: a selection needs at least one rule"]


def test_a_selection_needs_a_database():
    assert messages(dynamic(list_id=None)) == ["selection 1: database (list_id) is required"]


def test_ids_must_be_positive():
    assert messages(dynamic(list_id=0)) == ["selection 1: list_id must be a positive whole number"]


def test_the_condition_is_and_or_or():
    assert messages(dynamic(condition="xor")) == [
        'selection 1: condition must be "and" or "or", not "xor"']


def test_the_limit_is_not_negative():
    assert messages(dynamic(limit=-1)) == ["selection 1: limit must be 0 (no limit) or more"]


@pytest.mark.parametrize(
    ("percent_from", "percent_to", "message"),
    [
        (-1, 50, "percent from must be between 0 and 99"),
        (100, 100, "percent from must be between 0 and 99"),
        (0, 101, "percent to must be between 1 and 100"),
        (50, 50, "percent to must be greater than percent from"),
        (60, 40, "percent to must be greater than percent from"),
    ],
)
def test_the_percent_range_is_checked(percent_from, percent_to, message):
    problems = messages(dynamic(percent_from=percent_from, percent_to=percent_to))
    assert f"selection 1: {message}" in problems


def test_the_full_percent_range_is_valid():
    assert messages(dynamic(percent_from=0, percent_to=100)) == []


def test_every_problem_is_reported_at_once_with_its_place():
    rules = [statseg(), Rule("default", "statseg", "statseg", "", [Param("", 1)])]
    segment = Segment("", Kind.DYNAMIC, selections=[
        Selection(1, rules=[statseg()]), Selection(2, condition="xor", rules=rules)])
    assert messages(segment) == [
        "name is required",
        'selection 2: condition must be "and" or "or", not "xor"',
        "selection 2, rule 2: operator is required",
        "selection 2, rule 2, param 1: parameter name is required",
    ]


def test_a_problem_knows_its_field_for_forms():
    (problem,) = dynamic(limit=-5).problems()
    assert problem.where == (("selection", 1),)
    assert problem.field == "limit"


def test_groups_nest_one_level_deep_only():
    inner = Rule(condition="and", children=[statseg()])
    segment = dynamic(rules=[Rule(condition="or", children=[inner])])
    assert messages(segment) == [
        "selection 1, rule 1, sub-rule 1: sub-rules can be nested one level deep only"]


def test_a_group_needs_a_valid_condition():
    segment = dynamic(rules=[Rule(condition="", children=[statseg()])])
    assert messages(segment) == ['selection 1, rule 1: condition must be "and" or "or", not ""']


def test_a_sub_rule_is_checked_like_a_rule():
    segment = dynamic(rules=[Rule(condition="and", children=[Rule("c", "n", "t", "")])])
    assert messages(segment) == ["selection 1, rule 1, sub-rule 1: operator is required"]


def test_a_condition_without_sub_rules_is_a_problem():
    rule = statseg()
    rule.condition = "and"
    assert messages(dynamic(rules=[rule])) == [
        "selection 1, rule 1: a rule with a condition needs sub-rules"]


@pytest.mark.parametrize("value", [True, 1.5, None, ["x"]])
def test_param_values_are_text_or_whole_numbers(value):
    rule = Rule("c", "n", "t", "o", [Param("p", value)])
    assert messages(dynamic(rules=[rule])) == [
        "selection 1, rule 1, param 1: parameter value must be text or a whole number"]


# --- reading payloads of the wrong shape -----------------------------------------

def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(PayloadError, match="must be an object"):
        Segment.from_payload(["not", "a", "dict"])


def test_every_type_problem_in_a_payload_is_reported_at_once():
    payload = {"name": "x", "is_static": "maybe", "segment": [
        {"list_id": "one", "queries": [{"compo": "c", "value": [{"name": "p", "value": 1.5}]}]},
        "junk"]}
    with pytest.raises(PayloadError) as error:
        Segment.from_payload(payload)
    assert [str(problem) for problem in error.value.problems] == [
        "is_static must be true or false, not 'maybe'",
        "selection 1: list_id must be a whole number, not 'one'",
        "selection 1, rule 1, param 1: parameter value must be text or a whole number",
        "item 2 of segment must be an object",
    ]


def test_a_missing_is_static_reads_as_a_dynamic_segment_as_the_docs_say():
    payload = example_payload("dynamic", "json")
    del payload["is_static"]
    segment = Segment.from_payload(payload)
    assert segment.kind is Kind.DYNAMIC and segment.problems() == []


def test_the_rule_count_includes_sub_rules():
    group = Rule(condition="or", children=[statseg(1), statseg(2)])
    assert dynamic(rules=[group, statseg()]).rule_count == 4
