"""Posts and pastes over the row budgets (segments/row_budget.py) are answered
at once with the counts, and build no forms: not for an editor, not for a
viewer, not for the issue's tampered post."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.altcraft.segment import Segment
from segbuilder.segments.build.forms import BuilderForms, RuleForm, SelectionForm
from segbuilder.segments.models import Submission
from tests.formdata import builder_data, custom, selection, statseg

pytestmark = pytest.mark.django_db

# A generous bound: the point is that no worker is held (gunicorn's timeout
# is 60 s); the counting itself takes milliseconds.
DEADLINE_S = 5.0


@pytest.fixture
def no_forms(monkeypatch):
    """Fails the test if a selection or rule form is built."""
    def refuse(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__} built for a post over budget")

    monkeypatch.setattr(RuleForm, "__init__", refuse)
    monkeypatch.setattr(SelectionForm, "__init__", refuse)


def claimed(**totals) -> dict:
    """A one-rule builder post whose management forms claim more rows."""
    data = builder_data(selections=[selection(statseg(1))])
    data.update({f"{prefix}-TOTAL_FORMS": total for prefix, total in totals.items()})
    return data


def params_post() -> dict:
    data = builder_data(selections=[selection(*[custom("c", "n", "t", "o")
                                                for _ in range(251)])])
    data.update({f"selections-0-rules-{n}-params-TOTAL_FORMS": 20 for n in range(251)})
    return data


def removed_rows_post() -> dict:
    data = builder_data(selections=[selection(statseg(1)) for _ in range(20)])
    for number in range(20):
        data[f"selections-{number}-rules-TOTAL_FORMS"] = 600
        data.update({f"selections-{number}-rules-{n}-DELETE": "on" for n in range(1, 600)})
    return data


def issue_post() -> dict:
    """The issue's 39 KB post: 2 selections x 150 rules x 150 sub-rules."""
    data = claimed(**{"selections": 2, "selections-0-rules": 150, "selections-1-rules": 150})
    data.update({f"selections-{s}-rules-{r}-children-TOTAL_FORMS": 150
                 for s in range(2) for r in range(150)})
    return data


POSTS = {
    "selections": (lambda: claimed(selections=21),
                   "The segment has at least 21 selections; the builder holds at most 20."),
    "rules in a selection": (
        lambda: claimed(**{"selections-0-rules": 1001}),
        "Selection 1 has 1,001 rules; a selection holds at most 1,000."),
    "sub-rules in a group": (
        lambda: claimed(**{"selections-0-rules-0-children": 51}),
        "Rule 1 of selection 1 has 51 sub-rules; a group holds at most 50."),
    "rules in the segment": (
        lambda: claimed(selections=3, **{f"selections-{n}-rules": 700 for n in range(3)}),
        "The segment has at least 2,001 rules and sub-rules; the builder holds at most 2,000."),
    "params in the segment": (
        params_post,
        "The segment has at least 5,020 parameters; the builder holds at most 5,000."),
    "rows posted": (
        removed_rows_post,
        "The form carries at least 10,001 rows, removed ones included; the builder takes at "
        "most 10,000 at once."),
    "the issue's tampered post": (
        issue_post,
        "The segment has at least 2,001 rules and sub-rules; the builder holds at most 2,000."),
}


def too_big_problems(response) -> list[str]:
    page = lxml_html.fromstring(response.content)
    return [item.text_content() for item in page.xpath('//ul[@id="too-big-list"]/li')]


@pytest.mark.parametrize("budget", list(POSTS))
@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_a_post_over_a_budget_gets_the_counts_and_builds_no_forms(request, no_forms, budget,
                                                                    who):
    client = request.getfixturevalue(who)
    data, message = POSTS[budget][0](), POSTS[budget][1]
    started = time.monotonic()
    response = client.post(reverse("builder"), {**data, "action": "send"})
    assert time.monotonic() - started < DEADLINE_S
    assert response.status_code == 400
    assert message in too_big_problems(response)
    assert "This segment is too big for the builder" in response.content.decode()
    assert Submission.objects.count() == 0


def test_a_post_within_the_budgets_is_built_as_ever(editor):
    response = editor.post(reverse("builder"), builder_data(selections=[
        selection(statseg(n + 1)) for n in range(3)]))
    assert response.status_code == 200 and response.context["preview"]


# --- pastes --------------------------------------------------------------------------------


def rule(*children: dict, params: int = 1) -> dict:
    payload = {"compo": "profile", "name": "n", "type": "string", "operator": "equal",
               "value": [{"name": f"p{n}", "value": f"v{n}"} for n in range(params)]}
    if children:
        payload.update(condition="and", child=list(children))
    return payload


def pasted(*selections: list[dict]) -> str:
    return json.dumps({"name": "Too big", "is_static": False, "segment": [
        {"list_id": 1, "condition": "and", "limit": 0, "percent_from": 0, "percent_to": 100,
         "queries": queries} for queries in selections]})


PASTES = {
    "selections": (lambda: pasted(*[[rule()]] * 21),
                   "The segment has at least 21 selections; the builder holds at most 20."),
    "rules in a selection": (lambda: pasted([rule()] * 1001),
                             "Selection 1 has 1,001 rules; a selection holds at most 1,000."),
    "sub-rules in a group": (
        lambda: pasted([rule(), rule(*[rule()] * 51)]),
        "Rule 2 of selection 1 has 51 sub-rules; a group holds at most 50."),
    "rules in the segment": (
        lambda: pasted(*[[rule()] * 700] * 3),
        "The segment has at least 2,001 rules and sub-rules; the builder holds at most 2,000."),
    "params in the segment": (
        lambda: pasted([rule(params=20)] * 251),
        "The segment has at least 5,020 parameters; the builder holds at most 5,000."),
    "20 x 50 rules x 50 sub-rules": (
        lambda: pasted(*[[rule(*[rule()] * 50)] * 50] * 20),
        "The segment has at least 2,001 rules and sub-rules; the builder holds at most 2,000."),
}


@pytest.fixture
def counted_forms(monkeypatch):
    """The rule forms built; and no segment read from the payload."""
    built = []
    original = RuleForm.__init__

    def counting(self, *args, **kwargs):
        built.append(kwargs.get("prefix"))
        original(self, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("a payload over budget was read into a segment")

    monkeypatch.setattr(RuleForm, "__init__", counting)
    monkeypatch.setattr(Segment, "from_payload", refuse)
    monkeypatch.setattr(BuilderForms, "from_segment", refuse)
    return built


@pytest.mark.parametrize("budget", list(PASTES))
@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_a_paste_over_a_budget_gets_the_counts_and_fills_nothing(request, counted_forms,
                                                                   budget, who):
    client = request.getfixturevalue(who)
    text, message = PASTES[budget][0](), PASTES[budget][1]
    started = time.monotonic()
    response = client.post(reverse("builder"), {"action": "import", "payload": text})
    assert time.monotonic() - started < DEADLINE_S
    page = lxml_html.fromstring(response.content)
    (error,) = page.xpath('//*[@id="import-error"]')
    assert "The payload is larger than the builder holds" in error.text_content()
    assert message in [item.text_content() for item in error.xpath(".//li")]
    # The builder the page shows is a fresh one: its one empty rule (beside the
    # <template> rows), nothing of the paste.
    assert [prefix for prefix in counted_forms if "__prefix__" not in prefix] == [
        "selections-0-rules-0"]
    assert page.xpath('//*[@id="import-result"]') == []
