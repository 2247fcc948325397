"""Undo and redo in the builder, in a real browser (static/js/undo.js).

Every change a person makes (a row added, removed or duplicated, typing in a
field, a kind switched) is one step that the Undo and Redo buttons, and
Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y outside text fields, step through; what the
server receives after an undo is the undone state.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import preview_payload
from tests.e2e.test_builder import (
    delete_box,
    expect_removed,
    head,
    kind_of,
    own,
    row,
    segment_card,
    visible_rows,
)

pytestmark = pytest.mark.browser


def ready(page: Page) -> Page:
    """Until undo.js records steps (it loads after builder.js's readiness), and
    the pickers have settled their lists: a step starts from the page as a
    gesture finds it, and Playwright's select_option makes none."""
    page.locator("#builder[data-undo-ready]").wait_for(state="attached")
    expect(page.locator("#pickers-refresh")).to_be_enabled()
    return page


def undo_button(page: Page):
    return page.get_by_role("button", name="Undo", exact=True)


def redo_button(page: Page):
    return page.get_by_role("button", name="Redo", exact=True)


def told(page: Page, message: str) -> None:
    """What the polite live region says to screen readers."""
    expect(page.locator("#undo-status[role=status][aria-live=polite]")).to_have_text(message)


def total_rules(page: Page):
    return page.locator('input[name="selections-0-rules-TOTAL_FORMS"]')


def test_undo_and_redo_step_through_typing_adding_a_kind_switch_and_a_removal(builder):
    page = ready(builder)
    expect(undo_button(page)).to_be_disabled()
    expect(redo_button(page)).to_be_disabled()
    name = segment_card(page).get_by_role("textbox", name="Segment name")

    # Typing in one field, keystroke by keystroke, is one step.
    name.press_sequentially("Loyal")
    expect(undo_button(page)).to_be_enabled()
    first = row(page, "selections-0-rules-0")
    kind_of(first).select_option(label="Email domain group")
    group = own(first).get_by_role("combobox", name="Domain group")
    group.press_sequentially("Gmail")
    row(page, "selections-0").get_by_role("button", name="Add rule").click()
    second = row(page, "selections-0-rules-1")
    expect(second).to_be_visible()
    expect(total_rules(page)).to_have_value("2")
    head(first).get_by_role("button", name="Remove Rule 1", exact=True).click()
    expect_removed(page, "selections-0-rules-0")
    expect(second).to_have_accessible_name("Rule 1")

    # Back, one step at a time, each said to screen readers.
    undo_button(page).click()
    told(page, "Undone: removed Rule 1")
    expect(first).to_be_visible()
    expect(delete_box(page, "selections-0-rules-0")).not_to_be_checked()
    expect(second).to_have_accessible_name("Rule 2")
    expect(group).to_have_value("Gmail")
    expect(redo_button(page)).to_be_enabled()

    undo_button(page).click()
    told(page, "Undone: added Rule 2")
    expect(second).to_have_count(0)
    expect(total_rules(page)).to_have_value("1")

    undo_button(page).click()
    told(page, "Undone: typing in Domain group of Rule 1")
    expect(group).to_have_value("")
    undo_button(page).click()
    told(page, "Undone: changed the kind of Rule 1")
    expect(group).to_be_hidden()
    expect(kind_of(first)).to_have_value("statseg")
    undo_button(page).click()
    told(page, "Undone: typing in Segment name")
    expect(name).to_have_value("")
    expect(undo_button(page)).to_be_disabled()
    # The last undo disabled its own button: the focus moved to Redo.
    expect(redo_button(page)).to_be_focused()

    # And forward again, to the removal.
    for _ in range(5):
        redo_button(page).click()
    told(page, "Redone: removed Rule 1")
    expect(redo_button(page)).to_be_disabled()
    expect(undo_button(page)).to_be_focused()
    expect(name).to_have_value("Loyal")
    expect_removed(page, "selections-0-rules-0")
    expect(visible_rows(page, "selections-0-rules")).to_have_count(1)
    expect(total_rules(page)).to_have_value("2")

    # A new change after an undo drops what could be redone.
    undo_button(page).click()
    expect(redo_button(page)).to_be_enabled()
    name.fill("Loyal customers")
    expect(redo_button(page)).to_be_disabled()

    # The server receives the undone state: the removal undone, Rule 1 is sent.
    segment_card(page).get_by_role("radio", name="Dynamic", exact=True).check()
    row(page, "selections-0").get_by_label("Database of this selection", exact=True).fill("1")
    payload = preview_payload(page)
    assert payload["name"] == "Loyal customers"
    # (Rule 2, added and left empty, is not sent.)
    assert [query["value"] for query in payload["segment"][0]["queries"]] == [
        [{"name": "domaingroup", "value": "Gmail"}]]


def test_duplicates_and_segment_kind_switches_are_steps_and_a_preview_sends_the_undone_state(
        builder):
    page = ready(builder)
    card = segment_card(page)
    card.get_by_role("textbox", name="Segment name").fill("Kinds")
    card.get_by_role("radio", name="Dynamic", exact=True).check()
    rules_section = page.get_by_role("heading", name="Rules", exact=True)
    expect(rules_section).to_be_visible()
    card.get_by_role("radio", name="Static", exact=True).check()
    expect(rules_section).to_be_hidden()
    undo_button(page).click()
    told(page, "Undone: changed the segment kind")
    expect(card.get_by_role("radio", name="Dynamic", exact=True)).to_be_checked()
    expect(rules_section).to_be_visible()

    selection = row(page, "selections-0")
    selection.get_by_label("Database of this selection", exact=True).fill("1")
    first = row(page, "selections-0-rules-0")
    kind_of(first).select_option(label="Email domain group")
    own(first).get_by_role("combobox", name="Domain group").fill("Gmail")
    head(first).get_by_role("button", name="Duplicate Rule 1", exact=True).click()
    copy = row(page, "selections-0-rules-1")
    own(copy).get_by_role("combobox", name="Domain group").fill("Yahoo! (US)")
    undo_button(page).click()
    told(page, "Undone: typing in Domain group of Rule 2")
    expect(own(copy).get_by_role("combobox", name="Domain group")).to_have_value("Gmail")
    undo_button(page).click()
    told(page, "Undone: added Rule 2, a copy")
    expect(copy).to_have_count(0)
    redo_button(page).click()
    expect(own(copy).get_by_role("combobox", name="Domain group")).to_have_value("Gmail")

    payload = preview_payload(page)
    assert payload["name"] == "Kinds"
    assert [rule["value"] for rule in payload["segment"][0]["queries"]] == [
        [{"name": "domaingroup", "value": "Gmail"}]] * 2
    # The page came back from the server: no step of the page before it.
    ready(page)
    expect(undo_button(page)).to_be_disabled()


def test_the_keyboard_undoes_outside_text_fields_and_leaves_typing_to_the_browser(builder):
    page = ready(builder)
    selection = row(page, "selections-0")
    add_rule = selection.get_by_role("button", name="Add rule")
    add_rule.click()
    second = row(page, "selections-0-rules-1")
    expect(second).to_be_visible()
    # The new rule's kind has the focus: a select is not a text field.
    expect(kind_of(second)).to_be_focused()
    page.keyboard.press("Control+z")
    told(page, "Undone: added Rule 2")
    expect(second).to_have_count(0)
    # Its kind is gone with it: the focus waits on Undo... nothing is left to
    # undo, so on Redo.
    expect(redo_button(page)).to_be_focused()
    page.keyboard.press("Control+Shift+z")
    told(page, "Redone: added Rule 2")
    expect(second).to_be_visible()
    page.keyboard.press("Control+z")
    expect(second).to_have_count(0)
    page.keyboard.press("Control+y")
    expect(second).to_be_visible()

    # In a text field, Ctrl+Z is the browser's: it undoes the typing, no step.
    name = segment_card(page).get_by_role("textbox", name="Segment name")
    name.click()
    page.keyboard.type("Loyal")
    # Chromium undoes typing in runs it chooses (one run, or a key at a time
    # when the page changed between keys, as the live preview does).
    for _ in "Loyal":
        page.keyboard.press("Control+z")
        if name.input_value() == "":
            break
    expect(name).to_have_value("")
    expect(second).to_be_visible()
    # The typing undone by the browser leaves nothing new: no step for it.
    page.keyboard.press("Tab")
    undo_button(page).click()
    told(page, "Undone: added Rule 2")


def test_a_hundred_steps_are_kept(builder):
    page = ready(builder)
    request_format = segment_card(page).get_by_role("combobox", name="Request format")
    # 101 switches: JSON -> XML, XML -> JSON, ..., the last to XML.
    formats = ["XML", "JSON"]
    for step in range(101):
        request_format.select_option(label=formats[step % 2])
    expect(request_format).to_have_value("xml")
    request_format.focus()
    for _ in range(99):
        page.keyboard.press("Control+z")
    expect(request_format).to_have_value("json")
    told(page, "Undone: changed Request format")
    page.keyboard.press("Control+z")
    expect(request_format).to_have_value("xml")
    # The oldest step (the first switch to XML) fell out: nothing is left.
    expect(undo_button(page)).to_be_disabled()
    page.keyboard.press("Control+z")
    expect(request_format).to_have_value("xml")
