"""The pickers' comboboxes in a real browser, with the keyboard only: a
database and a segment picked by name land in the payload as their ids; an
id Altcraft does not list is sent as typed, with a note; switching the kind
carries the chosen database over."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import preview_payload, wait_until_ready

pytestmark = pytest.mark.browser


def selection_database(page: Page) -> Locator:
    return page.locator('[data-row-prefix="selections-0"]').get_by_role(
        "combobox", name="Database of this selection")


def begin_segment(page: Page, name: str) -> Locator:
    """Names the segment; returns the first selection's database, where each
    test starts picking."""
    page.get_by_role("textbox", name="Segment name").fill(name)
    return selection_database(page)


def posted(page: Page, name: str) -> Locator:
    """The hidden input the form posts for `name`."""
    return page.locator(f'#builder input[name="{name}"]')


def hint(combo: Locator) -> Locator:
    return combo.page.locator(f'[id="{combo.get_attribute("id")}-hint"]')


def listbox(combo: Locator) -> Locator:
    return combo.page.locator(f'[id="{combo.get_attribute("aria-controls")}"]')


def type_into(combo: Locator, text: str, *, replace: bool = False) -> None:
    """Go to the field (focus, as Tab would) and type, key by key; with
    replace, over all it held (Ctrl+A first)."""
    combo.focus()
    if replace:
        combo.page.keyboard.press("Control+a")
    combo.page.keyboard.type(text)


def choose_first_match(combo: Locator, typed: str) -> None:
    """Type part of a name, then take the popup's first match (ArrowDown, Enter)."""
    type_into(combo, typed)
    combo.page.keyboard.press("ArrowDown")
    combo.page.keyboard.press("Enter")


def test_a_database_and_a_segment_are_picked_by_name_with_the_keyboard(
        sandbox_settings, fresh_builder_with_lists, shot):
    page = fresh_builder_with_lists
    database = begin_segment(page, "Picked by keyboard")
    type_into(database, "loyal")
    options = listbox(database).get_by_role("option")
    expect(options).to_have_text(["Loyalty club (5)"])
    expect(database).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(database).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(database).to_have_value("Loyalty club")
    expect(database).to_have_attribute("aria-expanded", "false")
    expect(posted(page, "selections-0-list_id")).to_have_value("5")
    expect(hint(database)).to_have_text("Id 5")

    rule = page.locator('[data-row-prefix="selections-0-rules-0"]')
    rule.get_by_role("combobox", name="Rule kind", exact=True).select_option(
        label="Was in static segment")
    segment = rule.get_by_role("combobox", name="Segment id")
    type_into(segment, "er")  # in all three names
    expect(listbox(segment).get_by_role("option")).to_have_count(3)
    page.keyboard.press("Escape")
    expect(listbox(segment)).to_be_hidden()
    page.keyboard.press("ArrowDown")  # opens again, on the first match
    page.keyboard.press("ArrowDown")
    expect(listbox(segment).get_by_role("option", selected=True)).to_have_text(
        "Newsletter readers (2)")
    shot("1-open")
    page.keyboard.press("Enter")
    expect(segment).to_have_value("Newsletter readers")
    expect(posted(page, "selections-0-rules-0-statseg__segment_id")).to_have_value("2")

    payload = preview_payload(page, keyboard=True)

    assert payload["segment"][0]["list_id"] == 5
    assert payload["segment"][0]["queries"][0]["value"] == [{"name": "segment_id", "value": 2}]
    # The page after the preview shows the names again.
    expect(selection_database(page)).to_have_value("Loyalty club")
    expect(page.locator('[data-row-prefix="selections-0-rules-0"]').get_by_role(
        "combobox", name="Segment id")).to_have_value("Newsletter readers")
    shot("2-preview")


def test_an_id_altcraft_does_not_list_is_sent_as_typed_with_a_note(
        sandbox_settings, fresh_builder_with_lists):
    page = fresh_builder_with_lists
    database = begin_segment(page, "Typed id")
    type_into(database, "77")
    expect(listbox(database)).to_be_hidden()
    page.keyboard.press("Tab")
    expect(database).to_have_value("77")
    expect(hint(database)).to_have_text(
        "Altcraft does not list database 77; it will be sent as typed.")
    expect(database).to_have_accessible_description(
        "Altcraft does not list database 77; it will be sent as typed.")
    # A known id typed shows its name.
    type_into(database, "2", replace=True)
    page.keyboard.press("Tab")
    expect(database).to_have_value("Newsletter")
    expect(hint(database)).to_have_text("Id 2")
    type_into(database, "77", replace=True)
    page.keyboard.press("Tab")

    rule = page.locator('[data-row-prefix="selections-0-rules-0"]')
    rule.get_by_role("combobox", name="Rule kind", exact=True).select_option(
        label="Was in static segment")
    rule.get_by_role("combobox", name="Segment id").fill("1")

    payload = preview_payload(page, keyboard=True)

    assert payload["segment"][0]["list_id"] == 77
    expect(hint(selection_database(page))).to_have_text(
        "Altcraft does not list database 77; it will be sent as typed.")


def test_switching_dynamic_to_static_carries_the_database_over_and_back(
        sandbox_settings, fresh_builder_with_lists, live_server):
    page = fresh_builder_with_lists
    database = begin_segment(page, "Switched")
    choose_first_match(database, "Customers")
    expect(posted(page, "selections-0-list_id")).to_have_value("1")
    # A dynamic segment has one database field per selection, no other.
    segment_database = page.get_by_role("combobox", name="Database", exact=True)
    expect(segment_database).to_be_hidden()
    expect(posted(page, "list_id")).to_have_value("")

    page.get_by_role("radio", name="Static").check()

    expect(page.locator("#rules-section")).to_be_hidden()
    expect(segment_database).to_have_value("Customers")
    expect(posted(page, "list_id")).to_have_value("1")
    payload = preview_payload(page, keyboard=True)
    assert payload["list_id"] == 1
    assert payload["is_static"] is True

    # And back: on a new page, Static with its database, then Dynamic.
    page.goto(live_server.url + "/")
    wait_until_ready(page)
    page.get_by_role("radio", name="Static").check()
    choose_first_match(segment_database, "newsl")
    page.get_by_role("radio", name="Dynamic").check()
    expect(selection_database(page)).to_have_value("Newsletter")
    expect(posted(page, "selections-0-list_id")).to_have_value("2")
    # Moved, not copied: nothing hidden is sent.
    expect(segment_database).to_be_hidden()
    expect(posted(page, "list_id")).to_have_value("")

    # Updatable, like the docs' example, has both, the same.
    page.get_by_role("radio", name="Updatable").check()
    expect(segment_database).to_have_value("Newsletter")
    expect(posted(page, "list_id")).to_have_value("2")


def test_a_long_list_shows_fifty_matches_and_asks_to_keep_typing(
        sandbox_settings, fresh_builder_with_lists):
    page = fresh_builder_with_lists
    for number in range(100, 1300):
        sandbox_settings.databases[number] = {"id": number, "name": f"Region {number}",
                                              "ui_tags": [], "Groups": []}
    page.get_by_role("button", name="Refresh lists").click()
    expect(page.locator("#pickers-status")).to_contain_text("1203 databases")
    database = selection_database(page)
    type_into(database, "region")
    expect(listbox(database).get_by_role("option")).to_have_count(50)
    more = page.locator(f'[id="{database.get_attribute("id")}-more"]')
    expect(more).to_have_text("Showing 50 of 1200 matches: keep typing to narrow them down.")
    page.keyboard.type(" 1234")
    expect(listbox(database).get_by_role("option")).to_have_text(["Region 1234 (1234)"])
    expect(more).to_be_hidden()
    page.keyboard.press("Enter")  # no option chosen: the one name that holds it
    expect(posted(page, "selections-0-list_id")).to_have_value("1234")
    expect(database).to_have_value("Region 1234")


def test_a_custom_params_type_follows_what_is_typed_until_it_is_set(
        sandbox_settings, fresh_builder_with_lists):
    page = fresh_builder_with_lists
    page.get_by_role("textbox", name="Segment name").fill("Typed params")
    rule = page.locator('[data-row-prefix="selections-0-rules-0"]')
    rule.get_by_role("combobox", name="Rule kind", exact=True).select_option(
        label="Custom rule (enter its fields)")
    for label, value in (("Source (compo)", "default"), ("Field (name)", "age"),
                         ("Data type (type)", "int"), ("Operator", "between")):
        rule.get_by_role("textbox", name=label).fill(value)
    rule.get_by_role("button", name="Add parameter").click()
    param = page.locator('[data-row-prefix="selections-0-rules-0-params-0"]')
    value = param.get_by_role("textbox", name="Value")
    value_type = param.get_by_role("combobox", name="Type")
    param.get_by_role("textbox", name="Parameter").fill("from")
    value.press_sequentially("18")
    expect(value_type).to_have_value("number")
    value.press_sequentially("+")
    expect(value_type).to_have_value("text")
    value.press("Backspace")
    expect(value_type).to_have_value("number")
    value_type.select_option(label="Text")  # set by the person: it stays
    value.fill("")
    value.press_sequentially("21")
    expect(value_type).to_have_value("text")
    value.fill("old")

    page.get_by_role("button", name="Preview payload").click()

    expect(page.locator("#error-summary")).to_contain_text(
        "This rule's data type is int, which takes whole numbers")
    param = page.locator('[data-row-prefix="selections-0-rules-0-params-0"]')
    expect(param.get_by_role("textbox", name="Value")).to_have_accessible_description(
        re.compile("takes whole numbers"))
