from __future__ import annotations

import pytest

from segbuilder.altcraft.rulekinds import RULE_KINDS, RULE_KINDS_BY_KEY, rule_kind_of
from segbuilder.altcraft.segment import Param, Rule, Segment
from tests.examples import example_payload


def test_the_catalogue_holds_the_three_documented_kinds():
    assert [(k.compo, k.name, k.type, k.operator) for k in RULE_KINDS] == [
        ("default", "statseg", "statseg", "once"),
        ("domaingroup", "email", "email", "equal"),
        ("dataurl", "subscription_email", "subscription_email", "in_data"),
    ]


@pytest.mark.parametrize("kind", RULE_KINDS, ids=lambda kind: kind.key)
def test_every_kind_has_an_english_and_a_russian_name(kind):
    assert kind.label("en") and kind.label("ru") and kind.label("en") != kind.label("ru")
    for spec in kind.params:
        assert spec.label("en") and spec.label("ru")


def test_an_unknown_language_falls_back_to_english():
    assert RULE_KINDS_BY_KEY["statseg"].label("de") == "Was in static segment"


@pytest.mark.parametrize(("name", "fmt", "key"), [
    ("dynamic", "json", "statseg"), ("updatable", "xml", "domaingroup")])
def test_the_documented_rules_are_recognised(name, fmt, key):
    segment = Segment.from_payload(example_payload(name, fmt))
    assert rule_kind_of(segment.selections[0].rules[0]).key == key


def test_a_post_url_rule_is_recognised_with_its_typed_params():
    rule = Rule("dataurl", "subscription_email", "subscription_email", "in_data",
                [Param("field", "email"), Param("resource_id", 3), Param("url", "https://x")])
    assert rule_kind_of(rule).key == "dataurl"


@pytest.mark.parametrize("rule", [
    Rule("default", "statseg", "statseg", "never", [Param("segment_id", 1)]),
    Rule("default", "statseg", "statseg", "once", [Param("segment_id", "1")]),
    Rule("default", "statseg", "statseg", "once", [Param("segment_id", 1), Param("x", 2)]),
    Rule("default", "statseg", "statseg", "once", []),
    Rule("dataurl", "subscription_email", "subscription_email", "in_data",
         [Param("url", "u"), Param("resource_id", 3), Param("field", "f")]),
], ids=["other operator", "text id", "extra param", "no param", "params reordered"])
def test_anything_else_is_a_custom_rule(rule):
    assert rule_kind_of(rule) is None


def test_a_kind_builds_its_rule_with_params_in_catalogue_order():
    rule = RULE_KINDS_BY_KEY["dataurl"].build({"url": "u", "field": "f", "resource_id": 4})
    assert [param.name for param in rule.params] == ["field", "resource_id", "url"]
    assert rule_kind_of(rule).key == "dataurl"


def test_a_custom_rule_passes_through_the_payload_unchanged():
    rule = Rule("default", "_city", "string", "equal", [Param("value", "Омск")])
    assert Rule(**vars(rule)).to_payload() == rule.to_payload()
    payload = {"name": "x", "is_static": False, "segment": [{
        "condition": "and", "limit": 0, "list_id": 1, "percent_from": 0, "percent_to": 100,
        "queries": [rule.to_payload()]}]}
    assert Segment.from_payload(payload).to_payload() == payload
