from __future__ import annotations

import pytest

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from segbuilder.segments.build.forms import (
    MAX_PARAMS,
    MAX_RULES,
    MAX_SELECTIONS,
    MAX_SUB_RULES,
    BuilderForms,
)
from tests.examples import EXAMPLE_NAMES, example_payload
from tests.formdata import (
    builder_data,
    custom,
    domaingroup,
    group,
    param,
    selection,
    statseg,
)


def bound(**kwargs) -> BuilderForms:
    forms = BuilderForms(builder_data(**kwargs))
    forms.is_valid()
    return forms


def valid_segment(**kwargs) -> Segment:
    forms = bound(**kwargs)
    assert forms.is_valid(), forms.error_count()
    return forms.segment()


def test_a_dynamic_segment_of_two_static_segment_rules_is_read():
    segment = valid_segment(name="Dynamic segment", selections=[
        selection(statseg(1), statseg(2), percent_to=99)])
    assert segment.to_payload() == example_payload("dynamic", "json")


def test_a_static_segment_needs_only_its_database():
    segment = valid_segment(name="Segment 2", kind="static", list_id=5)
    assert segment.to_payload() == example_payload("static", "json")


def test_a_static_segment_ignores_the_hidden_rules():
    segment = valid_segment(kind="static", list_id=5,
                            selections=[selection(statseg("not a number"))])
    assert segment.selections == []


def test_a_static_segment_without_database_is_refused_at_the_field():
    forms = bound(kind="static")
    assert forms.segment_form.errors["list_id"] == ["A static segment needs its database."]


def test_the_top_level_database_is_kept_for_other_kinds_when_filled():
    segment = valid_segment(kind="updatable", list_id=1, selections=[
        selection(domaingroup("Yahoo! (US)"), percent_to=99)], name="New segment 2")
    assert segment.to_payload() == example_payload("updatable", "xml")


def test_a_custom_rule_keeps_its_fields_and_typed_params():
    segment = valid_segment(selections=[selection(custom(
        "dataurl", "subscription_email", "subscription_email", "in_data",
        param("field", "email"), param("resource_id", "7", "number"), param("url", "007")))])
    rule = segment.selections[0].rules[0]
    assert rule == Rule("dataurl", "subscription_email", "subscription_email", "in_data",
                        [Param("field", "email"), Param("resource_id", 7), Param("url", "007")])


def test_a_group_whose_own_fields_are_blank_is_kept_with_its_sub_rules():
    blank_custom = custom("", "", "", "", condition="or",
                          children=[statseg(1), statseg(2)])
    segment = valid_segment(selections=[selection(blank_custom)])
    assert segment.selections[0].rules == [
        Rule(condition="or", children=[Rule("default", "statseg", "statseg", "once",
                                            [Param("segment_id", n)]) for n in (1, 2)])]


def test_a_group_kind_needs_a_sub_rule():
    forms = bound(selections=[selection(group())])
    rule_form = forms.selections.forms[0].rules.forms[0]
    assert "A group needs at least one sub-rule" in rule_form.errors["kind"][0]


def test_deleted_rows_are_ignored_at_every_level():
    segment = valid_segment(selections=[
        selection(statseg(1), statseg("bad", DELETE=True),
                  custom("c", "n", "t", "o", param("p", 1), param("", "", DELETE=True))),
        selection(statseg(), list_id="", DELETE=True),
    ])
    assert len(segment.selections) == 1
    rules = segment.selections[0].rules
    assert [rule.name for rule in rules] == ["statseg", "n"]
    assert rules[1].params == [Param("p", "1")]


def test_a_deleted_selection_skips_its_childrens_validation():
    forms = bound(selections=[selection(statseg()),
                              selection(statseg("x"), list_id="", DELETE=True)])
    assert forms.is_valid()


def test_an_empty_extra_row_is_ignored():
    data = builder_data(selections=[selection(statseg(1))])
    # A selection and a rule the user added but never touched.
    data.update({"selections-TOTAL_FORMS": 2, "selections-1-condition": "and",
                 "selections-1-limit": 0, "selections-1-percent_from": 0,
                 "selections-1-percent_to": 100, "selections-1-rules-TOTAL_FORMS": 0,
                 "selections-1-rules-INITIAL_FORMS": 0})
    data.update({"selections-0-rules-TOTAL_FORMS": 2, "selections-0-rules-1-kind": "statseg",
                 "selections-0-rules-1-condition": "and",
                 "selections-0-rules-1-params-TOTAL_FORMS": 0,
                 "selections-0-rules-1-params-INITIAL_FORMS": 0,
                 "selections-0-rules-1-children-TOTAL_FORMS": 0,
                 "selections-0-rules-1-children-INITIAL_FORMS": 0})
    forms = BuilderForms(data)
    assert forms.is_valid(), forms.error_count()
    assert len(forms.segment().selections) == 1
    assert len(forms.segment().selections[0].rules) == 1


# --- errors at their row ----------------------------------------------------------

def test_a_selection_error_is_reported_at_its_row():
    forms = bound(selections=[selection(statseg()), selection(statseg(), percent_from=60,
                                                              percent_to=40)])
    second = forms.selections.forms[1]
    assert second.errors == {"percent_to": ["Must be greater than From %."]}
    assert forms.selections.forms[0].errors == {}
    assert forms.error_count() == 1


def test_a_rule_error_is_reported_at_its_row():
    forms = bound(selections=[selection(statseg(1), custom("c", "n", "t", ""))])
    rules = forms.selections.forms[0].rules.forms
    assert rules[0].errors == {}
    assert rules[1].errors == {"operator": ["Enter the operator of this custom rule."]}


def test_a_known_kind_needs_its_params():
    forms = bound(selections=[selection(statseg(""))])
    rule = forms.selections.forms[0].rules.forms[0]
    assert rule.errors == {"statseg__segment_id": ["Enter the segment id."]}


def test_a_number_param_of_a_known_kind_must_be_a_number():
    forms = bound(selections=[selection(statseg("one"))])
    rule = forms.selections.forms[0].rules.forms[0]
    assert rule.errors == {"statseg__segment_id": ["Enter a whole number."]}


def test_a_sub_rule_error_is_reported_at_its_row():
    forms = bound(selections=[selection(group(statseg(1), custom("c", "n", "", "o")))])
    children = forms.selections.forms[0].rules.forms[0].children.forms
    assert children[0].errors == {}
    assert children[1].errors == {"type": ["Enter the type of this custom rule."]}


def test_a_param_error_is_reported_at_its_row():
    forms = bound(selections=[selection(custom("c", "n", "t", "o", param("a", "1"),
                                               param("b", "x", "number")))])
    params = forms.selections.forms[0].rules.forms[0].params.forms
    assert params[0].errors == {}
    assert params[1].errors == {"value": ["Enter a whole number, or set the type to Text."]}


def test_a_selection_without_rules_is_refused():
    forms = bound(selections=[selection()])
    rules = forms.selections.forms[0].rules
    assert rules.non_form_errors() == ["Add at least one rule to this selection."]


def test_a_dynamic_segment_without_selections_is_refused():
    forms = bound(selections=[])
    assert forms.selections.non_form_errors() == ["Add at least one selection with its rules."]


def test_sub_rules_cannot_hold_sub_rules():
    # A tampered POST: the sub-rule form has no children formset at all.
    data = builder_data(selections=[selection(group(statseg(1)))])
    data["selections-0-rules-0-children-0-children-TOTAL_FORMS"] = 1
    data["selections-0-rules-0-children-0-children-0-kind"] = "statseg"
    forms = BuilderForms(data)
    assert forms.is_valid()
    assert forms.segment().selections[0].rules[0].children[0].children == []


# --- limits -------------------------------------------------------------------------

def test_the_largest_segment_per_level_is_accepted():
    many_params = custom("c", "n", "t", "o", *[param(f"p{i}", i) for i in range(MAX_PARAMS)])
    selections = [selection(statseg(i + 1)) for i in range(MAX_SELECTIONS - 1)]
    selections.append(selection(many_params, *[statseg(i + 1) for i in range(MAX_RULES - 1)]))
    forms = bound(selections=selections)
    assert forms.is_valid()
    assert forms.segment().rule_count == MAX_SELECTIONS - 1 + MAX_RULES


@pytest.mark.parametrize(("level", "message"), [
    ("selections", f"A segment holds at most {MAX_SELECTIONS} selections."),
    ("rules", f"A selection holds at most {MAX_RULES} rules."),
    ("children", f"A group holds at most {MAX_SUB_RULES} sub-rules."),
    ("params", f"A rule takes at most {MAX_PARAMS} parameters."),
])
def test_more_than_the_limit_gets_a_clear_message(level, message):
    params = [param(f"p{i}", i) for i in range(MAX_PARAMS + (level == "params"))]
    children = [statseg() for _ in range(MAX_SUB_RULES + (level == "children"))]
    rules = [custom("c", "n", "t", "o", *params, children=children)] + [
        statseg() for _ in range(MAX_RULES - 1 + (level == "rules"))]
    selections = [selection(*rules)] + [
        selection(statseg()) for _ in range(MAX_SELECTIONS - 1 + (level == "selections"))]
    forms = bound(selections=selections)
    assert not forms.is_valid()
    rule = forms.selections.forms[0].rules.forms[0]
    formset = {"selections": forms.selections, "rules": forms.selections.forms[0].rules,
               "children": rule.children, "params": rule.params}[level]
    assert message in formset.non_form_errors()


# --- Segment -> forms -> Segment ------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_forms_built_from_a_segment_read_back_the_same_segment(name, fmt):
    segment = Segment.from_payload(example_payload(name, fmt))
    forms = BuilderForms.from_segment(segment)
    assert forms.segment_form.initial["name"] == segment.name
    data = builder_data_from_unbound(forms)
    rebound = BuilderForms(data)
    assert rebound.is_valid(), rebound.error_count()
    assert rebound.segment() == segment


def test_a_group_and_a_custom_rule_survive_the_round_trip_through_forms():
    segment = Segment("S", Kind.DYNAMIC, selections=[Selection(list_id=3, condition="or", rules=[
        Rule(condition="or", children=[Rule("a", "b", "c", "d", [Param("x", 5)])]),
        Rule("e", "f", "g", "h", [Param("y", "z")], condition="and", children=[
            Rule("default", "statseg", "statseg", "once", [Param("segment_id", 4)])]),
    ])])
    rebound = BuilderForms(builder_data_from_unbound(BuilderForms.from_segment(segment)))
    assert rebound.is_valid(), rebound.error_count()
    assert rebound.segment() == segment


def builder_data_from_unbound(forms: BuilderForms) -> dict:
    """What a browser posts for an unbound builder: every field's initial value."""
    data: dict = {"action": "preview"}
    for bound_field in forms.segment_form:
        data[bound_field.html_name] = bound_field.value() if bound_field.value() is not None else ""
    add_formset(data, forms.selections)
    return data


def add_formset(data: dict, formset) -> None:
    for bound_field in formset.management_form:
        data[bound_field.html_name] = bound_field.value()
    for form in formset.forms:
        for bound_field in form:
            value = bound_field.value()
            if value is not None and value is not False:
                data[bound_field.html_name] = value
        for name in ("rules", "params", "children"):
            nested = getattr(form, name, None)
            if nested is not None:
                add_formset(data, nested)


# --- typed params of custom rules ---------------------------------------------------


def params_of_first_rule(forms: BuilderForms) -> list:
    return forms.selections.forms[0].rules.forms[0].params.forms


def test_a_word_for_a_param_of_an_int_rule_is_refused_before_sending():
    forms = bound(selections=[selection(custom("default", "age", "int", "between",
                                               param("from", "eighteen")))])
    assert not forms.is_valid()
    assert params_of_first_rule(forms)[0].errors == {"value": [
        "This rule's data type is int, which takes whole numbers: "
        "enter one, or change the data type."]}


def test_a_word_for_a_param_of_an_int_sub_rule_is_refused_too():
    forms = bound(selections=[selection(group(custom("default", "age", " INT ", "between",
                                                     param("to", "old"))))])
    assert not forms.is_valid()
    sub_rule = forms.selections.forms[0].rules.forms[0].children.forms[0]
    assert "whole numbers" in sub_rule.params.forms[0].errors["value"][0]


def test_numbers_for_an_int_rule_are_kept_as_typed_text_or_number():
    segment = valid_segment(selections=[selection(custom(
        "default", "age", "int", "between", param("from", "18", "number"),
        param("to", "65"), param("note", "")))])
    assert segment.selections[0].rules[0].params == [
        Param("from", 18), Param("to", "65"), Param("note", "")]


def test_a_word_for_a_param_of_a_text_rule_is_kept():
    segment = valid_segment(selections=[selection(custom(
        "default", "_city", "string", "equal", param("city", "Kazan")))])
    assert segment.selections[0].rules[0].params == [Param("city", "Kazan")]


def test_the_data_type_message_is_translated(settings):
    from django.utils import translation

    with translation.override("ru"):
        forms = bound(selections=[selection(custom("default", "age", "int", "between",
                                                   param("from", "x")))])
        message = params_of_first_rule(forms)[0].errors["value"][0]
    assert "int" in message
    assert "whole numbers" not in message
