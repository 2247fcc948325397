from __future__ import annotations

import pytest

from segbuilder.altcraft.segment import Param, Rule, Segment
from segbuilder.catalogue.loader import catalogue, rule_kind_of
from segbuilder.catalogue.seed import DOCUMENTED_KINDS
from tests.examples import example_payload

# The kinds come from the catalogue, which the data migration seeds.
pytestmark = pytest.mark.django_db


def test_the_catalogue_holds_the_four_documented_kinds():
    assert [(k.compo, k.name, k.type, k.operator) for k in catalogue().kinds] == [
        ("default", "statseg", "statseg", "once"),
        ("domaingroup", "email", "email", "equal"),
        ("dataurl", "subscription_email", "subscription_email", "in_data"),
        ("default", "custom_tags", "subscription_email", "in_data"),
    ]


def test_the_get_examples_kind_has_its_typed_params():
    kind = catalogue().by_key["custom_tags"]
    assert [(spec.name, spec.type, spec.input) for spec in kind.params] == [
        ("url", str, "text"), ("field", str, "text"), ("resource_id", int, "resource")]


@pytest.mark.parametrize("key", [kind["key"] for kind in DOCUMENTED_KINDS])
def test_every_kind_has_an_english_and_a_russian_name(key):
    kind = catalogue().by_key[key]
    assert kind.label("en") and kind.label("ru") and kind.label("en") != kind.label("ru")
    for spec in kind.params:
        assert spec.label("en") and spec.label("ru")


def test_an_unknown_language_falls_back_to_english():
    assert catalogue().by_key["statseg"].label("de") == "Was in static segment"


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
    rule = catalogue().by_key["dataurl"].build({"url": "u", "field": "f", "resource_id": 4})
    assert [param.name for param in rule.params] == ["field", "resource_id", "url"]
    assert rule_kind_of(rule).key == "dataurl"


def test_a_custom_rule_passes_through_the_payload_unchanged():
    rule = Rule("default", "_city", "string", "equal", [Param("value", "Омск")])
    assert Rule(**vars(rule)).to_payload() == rule.to_payload()
    payload = {"name": "x", "is_static": False, "segment": [{
        "condition": "and", "limit": 0, "list_id": 1, "percent_from": 0, "percent_to": 100,
        "queries": [rule.to_payload()]}]}
    assert Segment.from_payload(payload).to_payload() == payload
