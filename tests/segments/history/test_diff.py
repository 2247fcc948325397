from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from segbuilder.catalogue.loader import catalogue
from segbuilder.segments.history.diff import (
    Change,
    FieldChange,
    LineTag,
    describe_rule,
    payload_line_diff,
    payloads_compare,
    segment_diff,
)
from segbuilder.segments.models import Submission
from tests.examples import example_payload


def statseg(segment_id: int | str) -> Rule:
    return Rule("default", "statseg", "statseg", "once", [Param("segment_id", segment_id)])


def domaingroup(group: str) -> Rule:
    return Rule("domaingroup", "email", "email", "equal", [Param("domaingroup", group)])


def dynamic(*rules: Rule, name: str = "Loyal", **selection) -> Segment:
    return Segment(name, Kind.DYNAMIC, selections=[Selection(list_id=1, rules=list(rules),
                                                             **selection)])


def only_selection(diff):
    (selection,) = diff.selections
    return selection


# --- segment_diff ------------------------------------------------------------------------


def test_identical_segments_have_no_changes():
    segment = dynamic(statseg(1), domaingroup("Gmail"))
    diff = segment_diff(segment, dynamic(statseg(1), domaingroup("Gmail")))
    assert not diff.has_changes
    assert diff.fields == [] and diff.selections == []
    assert diff.unchanged_selections == 1


def test_a_kind_change_is_one_field_change_and_the_selections_go_with_it():
    old = Segment("Loyal", Kind.STATIC, list_id=5)
    new = Segment("Loyal", Kind.UPDATABLE, list_id=5, selections=[Selection(1, rules=[statseg(1)])])
    diff = segment_diff(old, new)
    assert diff.fields == [FieldChange("kind", "Static", "Updatable")]
    selection = only_selection(diff)
    assert selection.change is Change.ADDED
    assert [rule.change for rule in selection.rules] == [Change.ADDED]


def test_a_name_change_is_the_only_change():
    diff = segment_diff(dynamic(statseg(1), name="Old"), dynamic(statseg(1), name="New"))
    assert diff.fields == [FieldChange("name", "Old", "New")]
    assert diff.fields[0].change is Change.CHANGED
    assert diff.selections == []


def test_a_segment_database_set_and_cleared_shows_as_added_and_removed():
    with_db = Segment("S", Kind.UPDATABLE, list_id=5)
    without = Segment("S", Kind.UPDATABLE)
    (added,) = segment_diff(without, with_db).fields
    assert added == FieldChange("list_id", None, "5") and added.change is Change.ADDED
    (removed,) = segment_diff(with_db, without).fields
    assert removed == FieldChange("list_id", "5", None) and removed.change is Change.REMOVED


def test_a_rule_added_in_the_middle_is_exactly_one_addition():
    old = dynamic(statseg(1), statseg(2), statseg(3), statseg(4))
    new = dynamic(statseg(1), statseg(2), domaingroup("Gmail"), statseg(3), statseg(4))
    selection = only_selection(segment_diff(old, new))
    (rule,) = selection.rules
    assert rule.change is Change.ADDED
    assert (rule.old_position, rule.new_position) == (None, 3)
    assert rule.new == 'Email domain group: Domain group "Gmail"'
    assert rule.old is None
    assert selection.unchanged_rules == 4
    assert selection.fields == []


def test_a_rule_removed_is_exactly_one_removal():
    old = dynamic(statseg(1), statseg(2), statseg(3))
    selection = only_selection(segment_diff(old, dynamic(statseg(1), statseg(3))))
    (rule,) = selection.rules
    assert rule.change is Change.REMOVED
    assert (rule.old_position, rule.new_position) == (2, None)
    assert rule.old == "Was in static segment: Segment id 2"
    assert rule.title == "Rule 2"
    assert selection.unchanged_rules == 2


def test_a_param_value_changed_is_one_changed_rule_naming_the_param():
    old = dynamic(statseg(1), statseg(2), statseg(3))
    new = dynamic(statseg(1), statseg(7), statseg(3))
    (rule,) = only_selection(segment_diff(old, new)).rules
    assert rule.change is Change.CHANGED
    assert rule.fields == [FieldChange("param segment_id", "2", "7")]
    assert rule.old == "Was in static segment: Segment id 2"
    assert rule.new == "Was in static segment: Segment id 7"
    assert rule.title == "Rule 2"


def test_a_number_that_became_text_is_a_change_and_the_rule_becomes_custom():
    (rule,) = only_selection(segment_diff(dynamic(statseg(2)), dynamic(statseg("2")))).rules
    assert FieldChange("param segment_id", "2", '"2"') in rule.fields
    assert FieldChange("rule kind", "Was in static segment", "custom rule") in rule.fields
    assert rule.new == ('Custom rule (source default, field statseg, data type statseg, '
                        'operator once): segment_id "2"')


def test_a_changed_operator_of_a_custom_rule_is_named():
    old = Rule("event", "open", "int", "gt", [Param("count", 1)])
    new = Rule("event", "open", "int", "lt", [Param("count", 1), Param("days", 30)])
    (rule,) = only_selection(segment_diff(dynamic(old), dynamic(new))).rules
    assert rule.fields == [FieldChange("rule operator", "gt", "lt"),
                           FieldChange("param days", None, "30")]


def test_a_rule_replaced_by_another_kind_at_the_same_place_is_changed_not_added_and_removed():
    old = dynamic(statseg(1), statseg(2), statseg(3))
    new = dynamic(statseg(1), domaingroup("Gmail"), statseg(3))
    (rule,) = only_selection(segment_diff(old, new)).rules
    assert rule.change is Change.CHANGED
    assert rule.fields == [
        FieldChange("rule kind", "Was in static segment", "Email domain group"),
        FieldChange("param segment_id", "2", None),
        FieldChange("param domaingroup", None, '"Gmail"'),
    ]


def test_a_changed_rule_moved_by_an_insertion_keeps_both_positions():
    old = dynamic(statseg(1), statseg(2))
    new = dynamic(domaingroup("Gmail"), domaingroup("Yahoo"), statseg(1), statseg(5))
    rules = only_selection(segment_diff(old, new)).rules
    assert [(r.change, r.old_position, r.new_position) for r in rules] == [
        (Change.ADDED, None, 1), (Change.ADDED, None, 2), (Change.CHANGED, 2, 4)]
    assert rules[2].title == "Rule 2 → 4"


def test_param_order_alone_is_reported():
    old = Rule("x", "y", "z", "eq", [Param("a", 1), Param("b", 2)])
    new = Rule("x", "y", "z", "eq", [Param("b", 2), Param("a", 1)])
    (rule,) = only_selection(segment_diff(dynamic(old), dynamic(new))).rules
    assert rule.fields == [FieldChange("param order", "a, b", "b, a")]


def test_percent_range_and_limit_changes_are_field_changes_of_the_selection():
    old = dynamic(statseg(1), limit=0, percent_from=0, percent_to=100)
    new = dynamic(statseg(1), limit=500, percent_from=10, percent_to=99)
    selection = only_selection(segment_diff(old, new))
    assert selection.change is Change.CHANGED
    assert selection.fields == [FieldChange("limit", "0 (no limit)", "500"),
                                FieldChange("range", "0–100%", "10–99%")]
    assert selection.rules == []
    assert selection.unchanged_rules == 1


def test_a_selection_database_and_condition_change():
    old = dynamic(statseg(1), condition="and")
    new = Segment("Loyal", Kind.DYNAMIC, selections=[Selection(9, "or", rules=[statseg(1)])])
    assert only_selection(segment_diff(old, new)).fields == [
        FieldChange("list_id", "1", "9"), FieldChange("condition", "All (AND)", "Any (OR)")]


def test_a_selection_added_and_one_removed_carry_their_fields_and_rules():
    one = dynamic(statseg(1))
    two = Segment("Loyal", Kind.DYNAMIC, selections=[
        Selection(1, rules=[statseg(1)]),
        Selection(2, "or", 10, 0, 50, rules=[statseg(3), domaingroup("Gmail")]),
    ])
    added = only_selection(segment_diff(one, two))
    assert (added.position, added.change) == (2, Change.ADDED)
    assert added.fields == [FieldChange("list_id", None, "2"),
                            FieldChange("condition", None, "Any (OR)"),
                            FieldChange("limit", None, "10"), FieldChange("range", None, "0–50%")]
    assert [(r.change, r.new_position, r.new) for r in added.rules] == [
        (Change.ADDED, 1, "Was in static segment: Segment id 3"),
        (Change.ADDED, 2, 'Email domain group: Domain group "Gmail"')]
    removed = only_selection(segment_diff(two, one))
    assert (removed.position, removed.change) == (2, Change.REMOVED)
    assert {f.change for f in removed.fields} == {Change.REMOVED}
    assert [r.change for r in removed.rules] == [Change.REMOVED, Change.REMOVED]
    assert segment_diff(two, one).unchanged_selections == 1


def test_a_group_condition_change_is_named_on_the_group():
    old = dynamic(Rule(condition="or", children=[statseg(1), statseg(2)]))
    new = dynamic(Rule(condition="and", children=[statseg(1), statseg(2)]))
    (rule,) = only_selection(segment_diff(old, new)).rules
    assert rule.fields == [FieldChange("sub-rule condition", "Any (OR)", "All (AND)")]
    assert rule.children == [] and rule.unchanged_children == 2
    assert rule.new == ("Rule group combined by All (AND): Was in static segment: Segment id 1; "
                        "Was in static segment: Segment id 2")


def test_a_group_child_added_and_one_changed_are_sub_rule_differences():
    old = dynamic(statseg(9), Rule(condition="or", children=[statseg(1), statseg(2)]))
    new = dynamic(statseg(9), Rule(condition="or", children=[
        domaingroup("Gmail"), statseg(1), statseg(3)]))
    selection = only_selection(segment_diff(old, new))
    (group,) = selection.rules
    assert group.change is Change.CHANGED and group.fields == []
    assert [(c.change, c.old_position, c.new_position, c.depth) for c in group.children] == [
        (Change.ADDED, None, 1, 1), (Change.CHANGED, 2, 3, 1)]
    assert group.children[1].fields == [FieldChange("param segment_id", "2", "3")]
    assert group.children[1].title == "Sub-rule 2 → 3"
    assert group.unchanged_children == 1
    assert list(selection.rule_rows()) == [group, *group.children]
    assert selection.unchanged_rules == 1


def test_rules_are_described_in_plain_words():
    assert describe_rule(statseg(2)) == "Was in static segment: Segment id 2"
    assert describe_rule(Rule("a", "b", "", "d")) == (
        "Custom rule (source a, field b, data type —, operator d)")
    grouped = Rule("default", "statseg", "statseg", "once", [Param("segment_id", 1)],
                   condition="or", children=[domaingroup("Gmail")])
    assert describe_rule(grouped) == (
        "Was in static segment: Segment id 1, with sub-rules combined by Any (OR): "
        'Email domain group: Domain group "Gmail"')


# --- payload_line_diff -------------------------------------------------------------------


def test_equal_payloads_give_every_line_as_equal():
    payload = example_payload("dynamic", "json")
    lines = payload_line_diff(payload, payload)
    assert {line.tag for line in lines} == {LineTag.EQUAL}
    assert "\n".join(line.text for line in lines).count("\n") == len(lines) - 1
    assert lines[0].text == "{" and (lines[0].old_number, lines[0].new_number) == (1, 1)


def test_a_changed_value_is_one_removed_and_one_added_line_with_context():
    old = example_payload("dynamic", "json")
    new = {**old, "name": "Renamed"}
    lines = payload_line_diff(old, new, context=1)
    changed = [(line.tag, line.text.strip()) for line in lines
               if line.tag in (LineTag.ADDED, LineTag.REMOVED)]
    assert changed == [(LineTag.REMOVED, '"name": "Dynamic segment",'),
                       (LineTag.ADDED, '"name": "Renamed",')]
    assert [line.tag for line in lines[:4]] == [
        LineTag.EQUAL, LineTag.REMOVED, LineTag.ADDED, LineTag.EQUAL]
    assert lines[-1].tag is LineTag.SKIPPED
    assert lines[-1].text.endswith("unchanged lines")
    assert lines[1].marker == "-" and lines[2].marker == "+"
    assert (lines[1].old_number, lines[1].new_number) == (2, None)
    assert (lines[2].old_number, lines[2].new_number) == (None, 2)


def test_without_context_limit_every_line_is_shown():
    old = example_payload("dynamic", "json")
    new = {**old, "name": "Renamed"}
    lines = payload_line_diff(old, new, context=None)
    assert LineTag.SKIPPED not in {line.tag for line in lines}
    assert len([line for line in lines if line.tag != LineTag.ADDED]) == len(
        json.dumps(old, indent=2).splitlines())


def test_payloads_compare_reads_both_and_reports_an_unreadable_one():
    good = example_payload("dynamic", "json")
    comparison = payloads_compare(old=good, new={"name": "x", "is_static": "maybe"})
    assert comparison.segments is None
    assert comparison.old_problem is None
    assert "is_static must be true or false" in comparison.new_problem
    assert any(line.tag is LineTag.ADDED for line in comparison.lines)
    fine = payloads_compare(old=good, new={**good, "extra": 1})
    assert fine.segments is not None and not fine.segments.has_changes
    assert fine.new_ignored == ["extra"] and fine.old_ignored == []


# --- the page -----------------------------------------------------------------------------


@pytest.fixture
def submissions(django_user_model):
    """Two submissions of the dynamic example: the newer adds a rule in the middle
    and renames the segment."""
    author = django_user_model.objects.create_user("maria")
    old_payload = example_payload("dynamic", "json")
    new_segment = Segment.from_payload(old_payload)
    new_segment.name = "Dynamic segment, v2"
    new_segment.selections[0].rules.insert(1, domaingroup("Gmail"))
    older = make_submission(author, old_payload)
    newer = make_submission(author, new_segment.to_payload())
    Submission.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))
    return older, newer


def make_submission(author, payload, **extra):
    return Submission.objects.create(
        author=author, name=str(payload.get("name", "?")), kind="dynamic", format="json",
        payload=payload, status=Submission.Status.CREATED, **extra)


def diff_url(*ids) -> str:
    query = "&".join(f"id={value}" for value in ids)
    return f"{reverse('submission_diff')}?{query}" if ids else reverse("submission_diff")


@pytest.mark.django_db
def test_the_diff_url_sits_under_history_before_the_detail_pages():
    assert reverse("submission_diff") == "/history/diff/"


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_two_submissions_are_compared_older_first_whatever_the_order(viewer, submissions, order):
    older, newer = submissions
    ids = (older.pk, newer.pk) if order == "older first" else (newer.pk, older.pk)
    response = viewer.get(diff_url(*ids))
    assert response.status_code == 200
    assert (response.context["old"], response.context["new"]) == (older, newer)
    diff = response.context["comparison"].segments
    assert diff.fields == [FieldChange("name", "Dynamic segment", "Dynamic segment, v2")]
    (rule,) = only_selection(diff).rules
    assert (rule.change, rule.new_position) == (Change.ADDED, 2)
    html = response.content.decode()
    assert reverse("submission_detail", args=[older.pk]) in html
    assert reverse("submission_detail", args=[newer.pk]) in html
    assert html.index(f"#{older.pk} ") < html.index(f"#{newer.pk} ")
    assert 'Email domain group: Domain group &quot;Gmail&quot;' in html
    assert 'class="diff-line diff-added"' in html and 'class="diff-line diff-removed"' in html
    assert "css/diff.css" in html
    assert "No differences" not in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.django_db
def test_two_equal_submissions_say_no_differences(viewer, django_user_model):
    author = django_user_model.objects.create_user("maria")
    payload = example_payload("updatable", "xml")
    first, second = make_submission(author, payload), make_submission(author, payload)
    response = viewer.get(diff_url(first.pk, second.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No differences" in html
    assert 'class="diff-line diff-added"' not in html
    assert 'class="diff-line diff-removed"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "message"), [
    ((), "Pick two submissions to compare"),
    (("1",), "Pick two submissions to compare; only one was given."),
    (("1", "2", "3"), "Pick exactly two submissions to compare; 3 were given."),
    (("1", "abc"), "“abc” is not a submission number"),
    (("1", "-2"), "“-2” is not a submission number"),
    (("0", "2"), "“0” is not a submission number"),
    (("1", "1.5"), "“1.5” is not a submission number"),
    (("1", "9" * 40), "is not a submission number"),
    (("1", "²"), "is not a submission number"),
    (("4", "4"), "Pick two different submissions; #4 was given twice."),
])
def test_bad_inputs_show_the_form_and_say_what_is_wrong(viewer, submissions, query, message):
    response = viewer.get(diff_url(*query))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert html.count('name="id"') == 2
    assert '<label class="form-label" for="diff-id-1">' in html
    assert '<label class="form-label" for="diff-id-2">' in html
    assert "comparison" not in response.context


@pytest.mark.django_db
def test_a_typed_number_stays_in_the_form(viewer, submissions):
    html = viewer.get(diff_url("12", "abc")).content.decode()
    assert 'id="diff-id-1" name="id" min="1" step="1" required value="12"' in html
    assert 'id="diff-id-2" name="id" min="1" step="1" required value=""' in html


@pytest.mark.django_db
def test_an_unknown_id_is_a_404_page_with_the_form_and_a_message(viewer, submissions):
    older, _ = submissions
    response = viewer.get(diff_url(older.pk, 999999))
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no submission #999999 in the history." in html
    assert html.count('name="id"') == 2
    assert "comparison" not in response.context


@pytest.mark.django_db
def test_an_unreadable_payload_is_shown_with_a_message_and_only_the_line_diff(
        viewer, submissions, django_user_model):
    older, _ = submissions
    broken = make_submission(older.author, {"name": "Broken", "is_static": "maybe", "segment": 7})
    response = viewer.get(diff_url(older.pk, broken.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This payload cannot be read as a segment" in html
    assert "is_static must be true or false" in html
    assert "Changes, rule by rule" in html and "Not available" in html
    assert response.context["comparison"].segments is None
    assert 'class="diff-line diff-added"' in html


@pytest.mark.django_db
def test_a_payload_that_is_not_an_object_is_compared_line_by_line(viewer, submissions):
    older, _ = submissions
    odd = make_submission(older.author, {"name": "x"})
    Submission.objects.filter(pk=odd.pk).update(payload=["not", "an", "object"])
    response = viewer.get(diff_url(older.pk, odd.pk))
    assert response.status_code == 200
    assert "the payload must be an object" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, submissions):
    older, newer = submissions
    response = client.get(diff_url(older.pk, newer.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_the_page_uses_a_fixed_number_of_queries(viewer, submissions, django_assert_num_queries):
    older, newer = submissions
    # The rule-kind catalogue: one query a minute per process, then the cache.
    catalogue()
    # Session, user, then both submissions with their authors in one query.
    with django_assert_num_queries(3):
        response = viewer.get(diff_url(older.pk, newer.pk))
    assert response.status_code == 200


# --- the builder's words, in both languages -------------------------------------------


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("Rules combine with", "All (AND)", "Any (OR)", "Segment id",
            "Was in static segment: Segment id 7")),
    ("ru", ("Правила объединяются через", "Все (И)", "Любое (ИЛИ)", "ID сегмента",
            "Был в статическом сегменте: ID сегмента 7")),
])
def test_changes_read_in_the_builders_words_not_altcraft_keys(language, words):
    from django.utils import translation

    condition_label, all_of, any_of, param_label, described = words
    with translation.override(language):
        diff = segment_diff(dynamic(statseg(2), condition="and"),
                            dynamic(statseg(7), condition="or"))
        selection = only_selection(diff)
        condition = next(f for f in selection.fields if f.name == "condition")
        (rule,) = selection.rules
        assert (condition.label, condition.old, condition.new) == (condition_label, all_of,
                                                                   any_of)
        assert [f.label for f in rule.fields] == [param_label]
        assert rule.new == described


def test_a_custom_rules_fields_and_params_keep_their_own_names():
    old = Rule("event", "open", "int", "gt", [Param("count", 1)])
    new = Rule("event", "open", "int", "lt", [Param("count", 2)])
    (rule,) = only_selection(segment_diff(dynamic(old), dynamic(new))).rules
    assert [f.label for f in rule.fields] == ["Operator", "Parameter count"]
