"""The segments the benchmarks build, send and render, at any size."""

from __future__ import annotations

from typing import Any

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from tests.formdata import builder_data, custom, param, selection, statseg

# How the benchmarks spread rules over selections by default (the builder
# takes up to 1,000 in one selection and 20 selections: row_budget.py).
RULES_PER_SELECTION = 50


def payload_segment(rules: int) -> Segment:
    """A dynamic segment of `rules` rules (sub-rules counted), in blocks of ten:
    four rules with two params each, and two groups of two sub-rules with a
    param each. Fewer than ten rules are plain rules."""
    blocks, plain = divmod(rules, 10)
    top: list[Rule] = []
    for block in range(blocks):
        top += [_rule(block * 10 + n, params=2) for n in range(4)]
        top += [Rule(condition="or", children=[_rule(block * 10 + 4 + 3 * g + n, params=1)
                                               for n in range(2)]) for g in range(2)]
    top += [_rule(blocks * 10 + n, params=2) for n in range(plain)]
    selections = [Selection(list_id=1 + n // 30, rules=top[n:n + 30])
                  for n in range(0, len(top), 30)]
    segment = Segment(name=f"Benchmark {rules} rules", kind=Kind.DYNAMIC, selections=selections)
    assert segment.rule_count == rules and not segment.problems()
    return segment


def _rule(number: int, *, params: int) -> Rule:
    return Rule("profile", f"field_{number}", "string", "contains",
                params=[Param("value", f"value {number}-{p}") if p == 0 else
                        Param("segment_id", number + p) for p in range(params)])


def builder_post(rules: int, *, name: str = "Benchmark", action: str = "preview",
                 key: str | None = None,
                 per_selection: int = RULES_PER_SELECTION) -> dict[str, Any]:
    """The builder's POST data for a segment of `rules` custom rules with a
    param each, `per_selection` to a selection, as a browser posts it."""
    selections = []
    for first in range(0, rules, per_selection):
        numbers = range(first, min(first + per_selection, rules))
        selections.append(selection(
            *[custom("profile", f"field_{n}", "string", "contains", param("value", f"value {n}"))
              for n in numbers],
            list_id=1 + first // per_selection))
    data = builder_data(name=name, selections=selections, action=action)
    if key is not None:
        data["key"] = key
    return data


def builder_segment(rules: int, *, name: str = "Benchmark",
                    per_selection: int = RULES_PER_SELECTION) -> Segment:
    """The segment that builder_post's data describes, as a payload to paste."""
    def rule(n: int) -> Rule:
        return Rule("profile", f"field_{n}", "string", "contains",
                    params=[Param("value", f"value {n}")])

    return Segment(name=name, kind=Kind.DYNAMIC, selections=[
        Selection(list_id=1 + first // per_selection,
                  rules=[rule(n) for n in range(first, min(first + per_selection, rules))])
        for first in range(0, rules, per_selection)])


def send_post(rules: int, *, key: str) -> dict[str, Any]:
    """A 10-rule (or `rules`-rule) segment sent from the builder: known rule
    kinds, each with its param."""
    rows = [statseg(n + 1) for n in range(rules)]
    data = builder_data(name=f"Sent segment {key[:8]}", selections=[selection(*rows)],
                        action="send")
    data["key"] = key
    return data


def tampered_post() -> dict[str, Any]:
    """The issue's 39 KB builder post: 2 selections x 150 rules, each rule
    claiming 150 sub-rules by its management form only."""
    data = builder_data(name="Tampered", selections=[selection(statseg(1))])
    data.update({"selections-TOTAL_FORMS": 2, "selections-0-rules-TOTAL_FORMS": 150,
                 "selections-1-rules-TOTAL_FORMS": 150})
    data.update({f"selections-{s}-rules-{r}-children-TOTAL_FORMS": 150
                 for s in range(2) for r in range(150)})
    return data


def oversized_payload() -> dict[str, Any]:
    """A paste of 20 selections x 50 rules x 50 sub-rules (51,000 rules)."""
    def rule(n: int) -> dict[str, Any]:
        return {"compo": "profile", "name": f"field_{n}", "type": "string",
                "operator": "contains", "value": [{"name": "value", "value": f"value {n}"}]}

    group = {"condition": "and", "child": [rule(n) for n in range(50)]}
    return {"name": "Oversized", "is_static": False, "segment": [
        {"list_id": 1, "condition": "and", "limit": 0, "percent_from": 0, "percent_to": 100,
         "queries": [group] * 50} for _ in range(20)]}
