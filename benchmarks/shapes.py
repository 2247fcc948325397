"""The segments the benchmarks build, send and render, at any size."""

from __future__ import annotations

from typing import Any

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from tests.formdata import builder_data, custom, param, selection, statseg

# The builder's limits: 50 rules per selection, 20 selections.
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
                 key: str | None = None) -> dict[str, Any]:
    """The builder's POST data for a segment of `rules` custom rules with a
    param each, 50 to a selection, as a browser posts it."""
    selections = []
    for first in range(0, rules, RULES_PER_SELECTION):
        numbers = range(first, min(first + RULES_PER_SELECTION, rules))
        selections.append(selection(
            *[custom("profile", f"field_{n}", "string", "contains", param("value", f"value {n}"))
              for n in numbers],
            list_id=1 + first // RULES_PER_SELECTION))
    data = builder_data(name=name, selections=selections, action=action)
    if key is not None:
        data["key"] = key
    return data


def send_post(rules: int, *, key: str) -> dict[str, Any]:
    """A 10-rule (or `rules`-rule) segment sent from the builder: known rule
    kinds, each with its param."""
    rows = [statseg(n + 1) for n in range(rules)]
    data = builder_data(name=f"Sent segment {key[:8]}", selections=[selection(*rows)],
                        action="send")
    data["key"] = key
    return data
