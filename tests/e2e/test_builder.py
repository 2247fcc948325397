"""The builder in a real browser: a person builds segments by clicking and
typing, and Altcraft (the sandbox) receives exactly what they built.

Controls are found by their visible labels and roles (get_by_role and
get_by_label), which also proves that every control has a visible label.
Number and id fields are found by label only: an id field may be a number
input or a text input offering Altcraft's list (role spinbutton or combobox).
Rows are found by their `data-row-prefix`, the formset prefix they post with.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Locator, Page, expect

from segbuilder.segments.models import Submission
from tests.e2e.conftest import preview_payload, wait_until_ready
from tests.examples import example_payload

pytestmark = pytest.mark.browser

GMAIL = {"compo": "domaingroup", "name": "email", "operator": "equal", "type": "email",
         "value": [{"name": "domaingroup", "value": "Gmail"}]}
YAHOO = {**GMAIL, "value": [{"name": "domaingroup", "value": "Yahoo! (US)"}]}
OPERATOR_MISSING = "Enter the operator of this custom rule."

# Every field a rule's kind may show, by its visible label, and which ones
# each rule kind (by its visible name) shows.
RULE_FIELDS = ("Segment id", "Domain group", "Field", "Resource id", "URL",
               "Source (compo)", "Field (name)", "Data type (type)", "Operator")
FIELDS_OF_KIND = {
    "Was in static segment": {"Segment id"},
    "Email domain group": {"Domain group"},
    "Field of a POST-URL response": {"Field", "Resource id", "URL"},
    "Tags from a POST-URL response": {"URL", "Field", "Resource id"},
    "Custom rule (enter its fields)": {"Source (compo)", "Field (name)", "Data type (type)",
                                       "Operator"},
    "Group of sub-rules only": set(),
}


# --- finding things on the page ------------------------------------------------------


def row(page: Page, prefix: str) -> Locator:
    """A selection, rule, sub-rule or param row by the prefix it posts with."""
    return page.locator(f'[data-row-prefix="{prefix}"]')


def head(rule: Locator) -> Locator:
    """A rule's first line: its kind and its Duplicate / Remove buttons."""
    return rule.locator(":scope > .rule-own > div").first


def own(rule: Locator) -> Locator:
    """A rule's own fields and params, without its sub-rules."""
    return rule.locator(":scope > .rule-own")


def kind_of(rule: Locator) -> Locator:
    return head(rule).get_by_role("combobox", name="Rule kind", exact=True)


def posted_id(container: Locator, field: str) -> Locator:
    """The id a picker's combobox posts (its hidden input, named …`field`):
    the combobox itself shows the item's name once Altcraft's list is in."""
    return container.locator(f'input[type="hidden"][name$="{field}"]').first


def segment_card(page: Page) -> Locator:
    return page.get_by_role("region", name="Segment", exact=True)


def delete_box(page: Page, prefix: str) -> Locator:
    return page.locator(f'input[name="{prefix}-DELETE"]')


def visible_rows(page: Page, formset_prefix: str) -> Locator:
    """The rows a person sees in one formset, in page order."""
    return page.locator(f'.formset[data-prefix="{formset_prefix}"] > .formset-rows'
                        " > .formset-row:not([hidden])")


def expect_removed(page: Page, prefix: str) -> None:
    """Removed: hidden, and its DELETE box ticked so the server drops it."""
    expect(row(page, prefix)).to_be_hidden()
    expect(delete_box(page, prefix)).to_be_checked()


# --- building the parts of a segment ---------------------------------------------------


def fill_segment(page: Page, *, name: str, kind: str, fmt: str = "JSON",
                 list_id: str | None = None) -> None:
    card = segment_card(page)
    card.get_by_role("textbox", name="Segment name").fill(name)
    card.get_by_role("radio", name=kind, exact=True).check()
    if list_id is not None:
        card.get_by_label("Database", exact=True).fill(list_id)
    card.get_by_role("combobox", name="Request format").select_option(label=fmt)


def fill_selection(selection: Locator, *, list_id: str, percent_to: str | None = None,
                   condition: str | None = None) -> None:
    selection.get_by_label("Database of this selection", exact=True).fill(list_id)
    if percent_to is not None:
        selection.get_by_label("To %", exact=True).fill(percent_to)
    if condition is not None:
        selection.get_by_role("combobox", name="Rules combine with").select_option(
            label=condition)


def statseg_rule(rule: Locator, segment_id: str) -> None:
    kind_of(rule).select_option(label="Was in static segment")
    own(rule).get_by_label("Segment id", exact=True).fill(segment_id)


def domaingroup_rule(rule: Locator, group: str) -> None:
    kind_of(rule).select_option(label="Email domain group")
    own(rule).get_by_role("combobox", name="Domain group").fill(group)


def fill_param(param: Locator, name: str, value: str, value_type: str = "Text") -> None:
    param.get_by_role("textbox", name="Parameter").fill(name)
    param.get_by_role("textbox", name="Value").fill(value)
    param.get_by_role("combobox", name="Type").select_option(label=value_type)


def expect_param(param: Locator, name: str, value: str, value_type: str) -> None:
    expect(param.get_by_role("textbox", name="Parameter")).to_have_value(name)
    expect(param.get_by_role("textbox", name="Value")).to_have_value(value)
    expect(param.get_by_role("combobox", name="Type")).to_have_value(value_type)


def press_send(page: Page) -> None:
    page.get_by_role("button", name="Send to Altcraft").click()


def segments_added(sandbox) -> list:
    """The create requests the sandbox received (the page may also list
    databases, segments or resources)."""
    return [received for received in sandbox.received if received.method == "segments/add"]


# --- 1-3: the documented examples, by hand ----------------------------------------------


def build_static(page: Page) -> None:
    fill_segment(page, name="Segment 2", kind="Static", list_id="5")
    expect(page.locator("#rules-section")).to_be_hidden()


def build_dynamic(page: Page) -> None:
    fill_segment(page, name="Dynamic segment", kind="Dynamic")
    fill_selection(row(page, "selections-0"), list_id="1", percent_to="99")
    statseg_rule(row(page, "selections-0-rules-0"), "1")
    row(page, "selections-0").get_by_role("button", name="Add rule").click()
    second = row(page, "selections-0-rules-1")
    expect(kind_of(second)).to_be_focused()
    statseg_rule(second, "2")


def build_updatable(page: Page) -> None:
    fill_segment(page, name="New segment 2", kind="Updatable", list_id="1", fmt="XML")
    fill_selection(row(page, "selections-0"), list_id="1", percent_to="99")
    domaingroup_rule(row(page, "selections-0-rules-0"), "Yahoo! (US)")


EXAMPLES = {
    # example: (file format, how a person builds it, problems of the empty form)
    "static": ("json", build_static, 2),
    "dynamic": ("json", build_dynamic, 3),
    "updatable": ("xml", build_updatable, 3),
}


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_a_person_builds_each_documented_example_and_altcraft_receives_exactly_it(
        builder, live_server, sandbox_settings, shot, example):
    page = builder
    fmt, build, empty_problems = EXAMPLES[example]
    kind_label = example.capitalize()
    shot("1-empty")

    # Sending the empty form is refused in the page; nothing reaches Altcraft.
    segment_card(page).get_by_role("radio", name=kind_label, exact=True).check()
    press_send(page)
    expect(page.locator("#error-summary")).to_have_text(
        re.compile(rf"There are {empty_problems} problems"))
    expect(page.locator("#error-summary")).to_be_focused()
    shot("3-error")
    assert segments_added(sandbox_settings) == []

    page.goto(live_server.url + "/")
    wait_until_ready(page)
    build(page)
    shot("2-filled")
    press_send(page)

    expect(page).to_have_url(re.compile(r"/history/\d+/$"))
    (received,) = segments_added(sandbox_settings)
    assert received.params == example_payload(example, fmt)
    assert received.content_type.startswith(f"application/{fmt}")
    submission = Submission.objects.get()
    assert submission.altcraft_id is not None
    expect(page.get_by_role("status").filter(has_text="Altcraft created segment")).to_contain_text(
        f"Altcraft created segment {submission.altcraft_id},")
    shot("4-created")


# --- 4: add, remove and duplicate at every level ---------------------------------------


def test_rows_are_added_removed_and_duplicated_at_every_level_and_the_preview_follows(
        builder, shot):
    page = builder
    shot("1-empty")
    fill_segment(page, name="Rows at every level", kind="Dynamic")
    fill_selection(row(page, "selections-0"), list_id="1")

    # Sub-rules: a group of two domain groups, OR; a third one added then removed.
    group = row(page, "selections-0-rules-0")
    kind_of(group).select_option(label="Group of sub-rules only")
    combine = group.get_by_role("combobox", name="Sub-rules combine with")
    expect(combine).to_be_hidden()
    group.get_by_role("button", name="Add sub-rule").click()
    gmail = row(page, "selections-0-rules-0-children-0")
    expect(kind_of(gmail)).to_be_focused()
    domaingroup_rule(gmail, "Gmail")
    combine.select_option(label="Any (OR)")
    head(gmail).get_by_role("button", name="Duplicate").click()
    yahoo = row(page, "selections-0-rules-0-children-1")
    expect(kind_of(yahoo)).to_have_value("domaingroup")
    expect(own(yahoo).get_by_role("combobox", name="Domain group")).to_have_value("Gmail")
    own(yahoo).get_by_role("combobox", name="Domain group").fill("Yahoo! (US)")
    expect(own(gmail).get_by_role("combobox", name="Domain group")).to_have_value("Gmail")
    group.get_by_role("button", name="Add sub-rule").click()
    statseg_rule(row(page, "selections-0-rules-0-children-2"), "7")
    head(row(page, "selections-0-rules-0-children-2")).get_by_role(
        "button", name="Remove").click()
    expect_removed(page, "selections-0-rules-0-children-2")
    expect(combine).to_be_visible()

    # A custom rule with the keyboard only: Remove left the focus on "Add
    # sub-rule"; Tab reaches "Add rule", Enter adds a rule whose kind has the focus.
    add_subrule = group.get_by_role("button", name="Add sub-rule")
    expect(add_subrule).to_be_focused()
    page.keyboard.press("Tab")
    expect(row(page, "selections-0").get_by_role("button", name="Add rule")).to_be_focused()
    page.keyboard.press("Enter")
    city = row(page, "selections-0-rules-1")
    expect(kind_of(city)).to_be_focused()
    page.keyboard.type("Custom")
    expect(kind_of(city)).to_have_value("custom")
    for _ in range(3):  # past Duplicate and Remove to the first custom field
        page.keyboard.press("Tab")
    expect(own(city).get_by_role("textbox", name="Source (compo)")).to_be_focused()
    for text in ("default", "_city", "string", "equal"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    expect(own(city).get_by_role("button", name="Add parameter")).to_be_focused()
    page.keyboard.press("Space")
    expect(row(page, "selections-0-rules-1-params-0").get_by_role(
        "textbox", name="Parameter")).to_be_focused()
    page.keyboard.type("value")
    page.keyboard.press("Tab")
    page.keyboard.type("Moscow")

    # Params: one added, duplicated with its type, the original removed.
    own(city).get_by_role("button", name="Add parameter").click()
    fill_param(row(page, "selections-0-rules-1-params-1"), "weight", "3", "Number")
    row(page, "selections-0-rules-1-params-1").get_by_role("button", name="Duplicate").click()
    weight = row(page, "selections-0-rules-1-params-2")
    expect_param(weight, "weight", "3", "number")
    weight.get_by_role("textbox", name="Value").fill("4")
    row(page, "selections-0-rules-1-params-1").get_by_role("button", name="Remove").click()
    expect_removed(page, "selections-0-rules-1-params-1")

    # Rules: the custom rule duplicated with all its values, then changed.
    head(city).get_by_role("button", name="Duplicate").click()
    region = row(page, "selections-0-rules-2")
    expect(kind_of(region)).to_have_value("custom")
    for label, value in (("Source (compo)", "default"), ("Field (name)", "_city"),
                         ("Data type (type)", "string"), ("Operator", "equal")):
        expect(own(region).get_by_role("textbox", name=label, exact=True)).to_have_value(value)
    expect_param(row(page, "selections-0-rules-2-params-0"), "value", "Moscow", "text")
    expect_removed(page, "selections-0-rules-2-params-1")
    expect_param(row(page, "selections-0-rules-2-params-2"), "weight", "4", "number")
    own(region).get_by_role("textbox", name="Field (name)", exact=True).fill("_region")
    expect(own(city).get_by_role("textbox", name="Field (name)", exact=True)).to_have_value(
        "_city")
    # A rule added then removed.
    row(page, "selections-0").get_by_role("button", name="Add rule").click()
    head(row(page, "selections-0-rules-3")).get_by_role("button", name="Remove").click()
    expect_removed(page, "selections-0-rules-3")
    # The group duplicated with its sub-rules, the removed one staying removed.
    head(group).get_by_role("button", name="Duplicate").click()
    group_copy = row(page, "selections-0-rules-4")
    expect(kind_of(group_copy)).to_have_value("group")
    expect(group_copy.get_by_role("combobox", name="Sub-rules combine with")).to_have_value("or")
    expect(own(row(page, "selections-0-rules-4-children-1")).get_by_role(
        "combobox", name="Domain group")).to_have_value("Yahoo! (US)")
    expect_removed(page, "selections-0-rules-4-children-2")
    # What the page shows, in its order, is what will be sent, in that order.
    expect(visible_rows(page, "selections-0-rules")).to_have_count(4)
    assert [r.get_attribute("data-row-prefix")
            for r in visible_rows(page, "selections-0-rules").all()] == [
        "selections-0-rules-0", "selections-0-rules-1", "selections-0-rules-2",
        "selections-0-rules-4"]

    # Selections: one added, duplicated with its rules, the original removed.
    page.locator("#rules-section").get_by_role("button", name="Add selection").click()
    second = row(page, "selections-1")
    expect(second.get_by_label("Database of this selection", exact=True)).to_be_focused()
    fill_selection(second, list_id="2", condition="Any (OR)")
    statseg_rule(row(page, "selections-1-rules-0"), "20")
    second.get_by_role("button", name="Duplicate selection").click()
    third = row(page, "selections-2")
    expect(posted_id(third, "list_id")).to_have_value("2")
    expect(third.get_by_role("combobox", name="Rules combine with")).to_have_value("or")
    expect(kind_of(row(page, "selections-2-rules-0"))).to_have_value("statseg")
    expect(own(row(page, "selections-2-rules-0")).get_by_label(
        "Segment id", exact=True)).to_have_value("20")
    fill_selection(third, list_id="3")
    second.get_by_role("button", name="Remove selection").click()
    expect_removed(page, "selections-1")
    shot("2-filled")

    group_payload = {"condition": "or", "child": [GMAIL, YAHOO]}
    city_payload = {"compo": "default", "name": "_city", "operator": "equal", "type": "string",
                    "value": [{"name": "value", "value": "Moscow"},
                              {"name": "weight", "value": 4}]}
    assert preview_payload(page) == {
        "name": "Rows at every level",
        "is_static": False,
        "segment": [
            {"condition": "and", "limit": 0, "list_id": 1, "percent_from": 0,
             "percent_to": 100,
             "queries": [group_payload, city_payload, {**city_payload, "name": "_region"},
                         group_payload]},
            {"condition": "or", "limit": 0, "list_id": 3, "percent_from": 0, "percent_to": 100,
             "queries": [{"compo": "default", "name": "statseg", "operator": "once",
                          "type": "statseg", "value": [{"name": "segment_id", "value": 20}]}]},
        ],
        "token": "***",
    }
    shot("3-preview")

    # The page came back from the server as it was: removed rows still hidden.
    expect(visible_rows(page, "selections")).to_have_count(2)
    expect(visible_rows(page, "selections-0-rules")).to_have_count(4)
    expect_removed(page, "selections-0-rules-3")
    expect_removed(page, "selections-0-rules-1-params-1")

    # Removing a selection's only rule: the error shows in that selection.
    head(row(page, "selections-2-rules-0")).get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Preview payload").click()
    expect(page.locator("#error-summary")).to_contain_text("There is 1 problem")
    expect(page.locator(".formset-errors")).to_have_count(1)
    expect(row(page, "selections-2").locator(".formset-errors")).to_have_text(
        "Add at least one rule to this selection.")
    shot("4-error")


# --- 5: an error shows at its row, and nothing typed is lost ------------------------------


def test_an_error_shows_in_its_row_only_and_every_typed_value_stays(
        builder, sandbox_settings, shot):
    page = builder
    shot("1-empty")
    # Updatable: it has a database of its own beside its selections' (a
    # dynamic segment shows only the selections').
    fill_segment(page, name="Errors <at> the right row & co", kind="Updatable",
                 list_id="9")
    fill_selection(row(page, "selections-0"), list_id="1", percent_to="50")
    statseg_rule(row(page, "selections-0-rules-0"), "11")
    page.locator("#rules-section").get_by_role("button", name="Add selection").click()
    fill_selection(row(page, "selections-1"), list_id="2", condition="Any (OR)")
    domaingroup_rule(row(page, "selections-1-rules-0"), "Gmail")
    row(page, "selections-1").get_by_role("button", name="Add rule").click()
    bad = row(page, "selections-1-rules-1")
    kind_of(bad).select_option(label="Custom rule (enter its fields)")
    for label, value in (("Source (compo)", "default"), ("Field (name)", "_city"),
                         ("Data type (type)", "string")):
        own(bad).get_by_role("textbox", name=label, exact=True).fill(value)
    own(bad).get_by_role("button", name="Add parameter").click()
    fill_param(row(page, "selections-1-rules-1-params-0"), "value", "Moscow")
    shot("2-filled")

    page.get_by_role("button", name="Preview payload").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("There is 1 problem")
    expect(summary).to_be_focused()
    operator = own(bad).get_by_role("textbox", name="Operator", exact=True)
    expect(operator).to_have_attribute("aria-invalid", "true")
    expect(operator).to_have_accessible_description(OPERATOR_MISSING)
    expect(bad.locator(".invalid-feedback")).to_have_text(OPERATOR_MISSING)
    # Once beside its field, once in the summary, whose link leads to the field.
    expect(page.locator("#builder").get_by_text(OPERATOR_MISSING)).to_have_count(1)
    link = summary.get_by_role("link", name="Selection 2, rule 2: Operator")
    expect(link).to_have_attribute("href", "#" + operator.get_attribute("id"))
    expect(summary).to_contain_text(OPERATOR_MISSING)
    expect(page.locator(".invalid-feedback, .formset-errors")).to_have_count(1)
    expect(page.locator(".is-invalid")).to_have_count(1)
    expect(page.locator("#preview-json")).to_have_count(0)
    shot("3-error")

    # Every typed value came back.
    card = segment_card(page)
    expect(card.get_by_role("textbox", name="Segment name")).to_have_value(
        "Errors <at> the right row & co")
    expect(card.get_by_role("radio", name="Updatable", exact=True)).to_be_checked()
    expect(posted_id(card, "list_id")).to_have_value("9")
    expect(posted_id(row(page, "selections-0"), "list_id")).to_have_value("1")
    expect(posted_id(row(page, "selections-1"), "list_id")).to_have_value("2")
    for prefix, values in {
        "selections-0": {"Profile limit": "0", "From %": "0", "To %": "50"},
        "selections-1": {"Profile limit": "0", "From %": "0", "To %": "100"},
    }.items():
        for label, value in values.items():
            expect(row(page, prefix).get_by_label(label, exact=True)).to_have_value(value)
    expect(row(page, "selections-0").get_by_role(
        "combobox", name="Rules combine with")).to_have_value("and")
    expect(row(page, "selections-1").get_by_role(
        "combobox", name="Rules combine with")).to_have_value("or")
    expect(own(row(page, "selections-0-rules-0")).get_by_label(
        "Segment id", exact=True)).to_have_value("11")
    expect(own(row(page, "selections-1-rules-0")).get_by_role(
        "combobox", name="Domain group")).to_have_value("Gmail")
    expect(kind_of(bad)).to_have_value("custom")
    for label, value in (("Source (compo)", "default"), ("Field (name)", "_city"),
                         ("Data type (type)", "string"), ("Operator", "")):
        expect(own(bad).get_by_role("textbox", name=label, exact=True)).to_have_value(value)
    expect_param(row(page, "selections-1-rules-1-params-0"), "value", "Moscow", "text")

    # Corrected where the error was, it goes through.
    operator.fill("equal")
    press_send(page)
    expect(page).to_have_url(re.compile(r"/history/\d+/$"))
    (received,) = segments_added(sandbox_settings)
    assert received.params["segment"][1] == {
        "condition": "or", "limit": 0, "list_id": 2, "percent_from": 0, "percent_to": 100,
        "queries": [GMAIL, {"compo": "default", "name": "_city", "operator": "equal",
                            "type": "string", "value": [{"name": "value", "value": "Moscow"}]}]}
    assert received.params["name"] == "Errors <at> the right row & co"


# --- 6: the fields that fit the segment kind and the rule kind ---------------------------


def expect_only_fields_of(rule: Locator, kind: str) -> None:
    for label in RULE_FIELDS:
        # Two kinds may share a param's label (Field, URL): the panel of the
        # kind picked before stays in the page, disabled and hidden.
        field = own(rule).get_by_label(label, exact=True).locator("visible=true")
        if label in FIELDS_OF_KIND[kind]:
            expect(field).to_be_visible()
        else:
            expect(field).to_be_hidden()
    add_param = own(rule).get_by_role("button", name="Add parameter", include_hidden=True)
    if kind.startswith("Custom"):
        expect(add_param).to_be_visible()
    else:
        expect(add_param).to_be_hidden()


def test_the_page_shows_only_the_fields_of_the_picked_segment_kind_and_rule_kind(
        builder, shot):
    page = builder
    rules_section = page.locator("#rules-section")
    card = segment_card(page)
    expect(card.get_by_role("radio", name="Dynamic", exact=True)).to_be_checked()
    expect(rules_section).to_be_visible()
    shot("1-empty")

    for kind, shown in (("Static", False), ("Dynamic", True), ("Static", False),
                        ("Updatable", True)):
        card.get_by_role("radio", name=kind, exact=True).check()
        if shown:
            expect(rules_section).to_be_visible()
        else:
            expect(rules_section).to_be_hidden()

    rule = row(page, "selections-0-rules-0")
    expect(kind_of(rule).locator("option")).to_have_text(list(FIELDS_OF_KIND))
    for kind in FIELDS_OF_KIND:
        kind_of(rule).select_option(label=kind)
        expect_only_fields_of(rule, kind)

    # A sub-rule offers no group, and its kind changes its own fields only.
    rule.get_by_role("button", name="Add sub-rule").click()
    subrule = row(page, "selections-0-rules-0-children-0")
    expect(kind_of(subrule).locator("option")).to_have_text(list(FIELDS_OF_KIND)[:-1])
    kind_of(subrule).select_option(label="Field of a POST-URL response")
    expect_only_fields_of(subrule, "Field of a POST-URL response")
    expect_only_fields_of(rule, "Group of sub-rules only")
    kind_of(rule).select_option(label="Email domain group")
    expect_only_fields_of(rule, "Email domain group")
    expect_only_fields_of(subrule, "Field of a POST-URL response")
    kind_of(rule).select_option(label="Group of sub-rules only")
    card.get_by_role("textbox", name="Segment name").fill("Kinds")
    shot("2-filled")

    # Static without its database id: the one error is the segment's; the
    # hidden rules (left empty) do not count; the rules stay hidden, as typed.
    card.get_by_role("radio", name="Static", exact=True).check()
    page.get_by_role("button", name="Preview payload").click()
    expect(page.locator("#error-summary")).to_contain_text("There is 1 problem")
    expect(card.get_by_label("Database", exact=True)).to_have_accessible_description(
        re.compile("A static segment needs its database."))
    expect(rules_section).to_be_hidden()
    shot("3-error")
    card.get_by_role("radio", name="Dynamic", exact=True).check()
    expect(rules_section).to_be_visible()
    expect_only_fields_of(rule, "Group of sub-rules only")
    expect_only_fields_of(subrule, "Field of a POST-URL response")


def test_leaving_a_segment_not_yet_sent_asks_first_and_staying_keeps_it(builder, live_server):
    page = builder
    asked = []
    answer = {"stay": True}

    def on_dialog(dialog):
        asked.append(dialog.type)
        dialog.dismiss() if answer["stay"] else dialog.accept()

    page.on("dialog", on_dialog)
    # A fresh, untouched builder lets the person go without asking.
    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(live_server.url + "/history/")
    page.go_back()
    wait_until_ready(page)
    name = page.get_by_role("textbox", name="Segment name")
    name.click()  # a real click: Chromium asks before leaving only after the person acted
    name.fill("Half done")
    with page.expect_event("dialog"):
        page.get_by_role("link", name="History").click()
    expect(name).to_have_value("Half done")
    assert asked == ["beforeunload"] and page.url == live_server.url + "/"

    # The builder's own buttons post everything: no question.
    page.get_by_role("button", name="Preview payload").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert asked == ["beforeunload"]

    # Back filled from the server, the page still holds the unsent segment;
    # this time the person confirms, and goes.
    answer["stay"] = False
    with page.expect_event("dialog"):
        page.get_by_role("link", name="History").click()
    expect(page).to_have_url(live_server.url + "/history/")
    assert asked == ["beforeunload", "beforeunload"]


def test_each_row_and_its_buttons_are_named_with_the_rows_number(builder):
    page = builder
    page.get_by_role("button", name="Add rule").click()
    page.get_by_role("button", name="Add rule").click()
    first, second = row(page, "selections-0-rules-0"), row(page, "selections-0-rules-2")
    kind_of(second).select_option(label="Custom rule (enter its fields)")
    own(second).get_by_role("button", name="Add parameter").click()
    param = row(page, "selections-0-rules-2-params-0")

    # A screen reader hears which row a button acts on, as a sighted person sees.
    expect(second).to_have_accessible_name("Rule 3")
    expect(head(second).get_by_role("button", name="Remove Rule 3", exact=True)).to_be_visible()
    expect(param).to_have_accessible_name("Parameter 1")
    expect(param.get_by_role("button", name="Duplicate Parameter 1", exact=True)).to_be_visible()
    selection = row(page, "selections-0")
    expect(selection).to_have_accessible_name("Selection 1")
    expect(selection.get_by_role("button", name="Remove selection 1", exact=True)).to_be_visible()

    # Numbers follow the rows shown: with the first rule gone, the third is the second.
    head(first).get_by_role("button", name="Remove Rule 1", exact=True).click()
    expect(second).to_have_accessible_name("Rule 2")
    expect(head(second).get_by_role("button", name="Duplicate Rule 2", exact=True)).to_be_visible()
    head(second).get_by_role("button", name="Duplicate Rule 2", exact=True).click()
    copy = row(page, "selections-0-rules-3")
    expect(copy).to_have_accessible_name("Rule 3")
    expect(copy.get_by_role("button", name="Duplicate Parameter 1", exact=True)).to_be_visible()


# --- 7: a rule holds the fields of its kind only ------------------------------------------


def test_switching_a_kind_away_and_back_keeps_what_was_typed_and_posts_only_the_kind_shown(
        builder, shot):
    page = builder
    fill_segment(page, name="Kinds switched", kind="Dynamic")
    fill_selection(row(page, "selections-0"), list_id="1")
    rule = row(page, "selections-0-rules-0")
    statseg_rule(rule, "7")
    custom_fields = (("Source (compo)", "profile"), ("Field (name)", "_city"),
                     ("Data type (type)", "string"), ("Operator", "equal"))
    kind_of(rule).select_option(label="Custom rule (enter its fields)")
    for label, value in custom_fields:
        own(rule).get_by_role("textbox", name=label, exact=True).fill(value)
    own(rule).get_by_role("button", name="Add parameter").click()
    fill_param(row(page, "selections-0-rules-0-params-0"), "value", "Moscow")
    domaingroup_rule(rule, "Gmail")

    # Back to each kind left: what was typed there is there again.
    kind_of(rule).select_option(label="Was in static segment")
    expect_only_fields_of(rule, "Was in static segment")
    expect(own(rule).get_by_label("Segment id", exact=True)).to_have_value("7")
    kind_of(rule).select_option(label="Custom rule (enter its fields)")
    expect_only_fields_of(rule, "Custom rule (enter its fields)")
    for label, value in custom_fields:
        expect(own(rule).get_by_role("textbox", name=label, exact=True)).to_have_value(value)
    expect_param(row(page, "selections-0-rules-0-params-0"), "value", "Moscow", "text")

    # A sub-rule's kinds, the same way.
    page.get_by_role("button", name="Add rule").click()
    group = row(page, "selections-0-rules-1")
    kind_of(group).select_option(label="Group of sub-rules only")
    group.get_by_role("button", name="Add sub-rule").click()
    sub_rule = row(page, "selections-0-rules-1-children-0")
    kind_of(sub_rule).select_option(label="Field of a POST-URL response")
    own(sub_rule).get_by_role("combobox", name="Field", exact=True).fill("email")
    own(sub_rule).get_by_label("Resource id", exact=True).fill("3")
    own(sub_rule).get_by_role("combobox", name="URL", exact=True).fill("https://example.com/x")
    statseg_rule(sub_rule, "8")
    kind_of(sub_rule).select_option(label="Field of a POST-URL response")
    expect(own(sub_rule).get_by_label("Resource id", exact=True)).to_have_value("3")
    shot("1-switched")

    # The post carries the fields of the kinds shown, and nothing of those left.
    with page.expect_request(lambda request: request.method == "POST") as posted:
        payload = preview_payload(page)
    names = set(parse_qs(posted.value.post_data, keep_blank_values=True))
    own_names = {name.removeprefix("selections-0-rules-0-") for name in names
                 if name.startswith("selections-0-rules-0-")}
    assert own_names == {"kind", "condition", "compo", "name", "type", "operator",
                         "params-TOTAL_FORMS", "params-INITIAL_FORMS", "params-MIN_NUM_FORMS",
                         "params-MAX_NUM_FORMS", "params-0-name", "params-0-value",
                         "params-0-value_type", "children-TOTAL_FORMS",
                         "children-INITIAL_FORMS", "children-MIN_NUM_FORMS",
                         "children-MAX_NUM_FORMS"}
    assert not any("statseg__" in name or "domaingroup__" in name for name in names)
    assert {name for name in names if "dataurl__" in name} == {
        f"selections-0-rules-1-children-0-dataurl__{param}"
        for param in ("field", "resource_id", "url")}
    assert payload["segment"][0]["queries"] == [
        {"compo": "profile", "name": "_city", "type": "string", "operator": "equal",
         "value": [{"name": "value", "value": "Moscow"}]},
        {"condition": "and", "child": [
            {"compo": "dataurl", "name": "subscription_email", "type": "subscription_email",
             "operator": "in_data", "value": [{"name": "field", "value": "email"},
                                              {"name": "resource_id", "value": 3},
                                              {"name": "url", "value": "https://example.com/x"}]},
        ]},
    ]
    # The page came back with each rule's kind and only its fields.
    expect_only_fields_of(row(page, "selections-0-rules-0"), "Custom rule (enter its fields)")
    expect_only_fields_of(row(page, "selections-0-rules-1-children-0"),
                          "Field of a POST-URL response")
    shot("2-preview")


# --- 8: rows announce themselves; copies keep every value ------------------------------


def test_rows_announce_what_changed_and_a_copy_keeps_values_that_look_like_its_prefix(builder):
    page = builder
    page.locator("#builder").evaluate("""form => {
        window.heard = [];
        for (const name of ["formset:added", "formset:removed", "rule:kind-changed"]) {
            document.addEventListener(name, (event) => window.heard.push(
                [event.type, event.detail.formsetName, event.detail.prefix,
                 event.target.dataset.rowPrefix, event.bubbles]));
        }
    }""")
    rule = row(page, "selections-0-rules-0")
    kind_of(rule).select_option(label="Custom rule (enter its fields)")
    # Values that read like the row's prefix, which a rename must leave alone.
    odd = "selections-0-rules-0-name"
    own(rule).get_by_role("textbox", name="Field (name)", exact=True).fill(odd)
    own(rule).get_by_role("button", name="Add parameter").click()
    fill_param(row(page, "selections-0-rules-0-params-0"), "id_selections-0-rules-0-kind", odd)
    head(rule).get_by_role("button", name="Duplicate").click()
    copy = row(page, "selections-0-rules-1")
    expect(own(copy).get_by_role("textbox", name="Field (name)", exact=True)).to_have_value(odd)
    expect_param(row(page, "selections-0-rules-1-params-0"), "id_selections-0-rules-0-kind", odd,
                 "text")
    expect(page.locator('[name="selections-0-rules-1-params-TOTAL_FORMS"]')).to_have_value("1")
    # The copy's own formsets are its own: a param added to it is numbered there.
    own(copy).get_by_role("button", name="Add parameter").click()
    expect(row(page, "selections-0-rules-1-params-1")).to_be_visible()
    expect(page.locator('[name="selections-0-rules-0-params-TOTAL_FORMS"]')).to_have_value("1")
    head(copy).get_by_role("button", name="Remove").click()

    heard = page.evaluate("window.heard")
    assert heard == [
        ["rule:kind-changed", "selections-0-rules", "selections-0-rules-0",
         "selections-0-rules-0", True],
        ["formset:added", "selections-0-rules-0-params", "selections-0-rules-0-params-0",
         "selections-0-rules-0-params-0", True],
        ["formset:added", "selections-0-rules", "selections-0-rules-1", "selections-0-rules-1",
         True],
        ["formset:added", "selections-0-rules-1-params", "selections-0-rules-1-params-1",
         "selections-0-rules-1-params-1", True],
        ["formset:removed", "selections-0-rules", "selections-0-rules-1",
         "selections-0-rules-1", True],
    ]
