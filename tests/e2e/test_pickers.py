"""The pickers in a real browser: a person picks a database and a segment by
typing part of their names and leaving the field (which turns a name that
only one item holds into its id), and the preview carries their ids; with
Altcraft unreachable, the fields take typed ids and a note says why.
(Picking from the comboboxes' popups by keyboard: test_comboboxes.py.)"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import preview_payload, wait_until_ready

pytestmark = pytest.mark.browser


def pick(field: Locator, typed: str) -> None:
    """Type part of a name, key by key, and leave the field with Tab."""
    field.click()
    field.press_sequentially(typed)
    field.press("Tab")


def hint(field: Locator) -> Locator:
    """The line under a picker: the picked item's id, or a note."""
    return field.page.locator(f'[id="{field.get_attribute("id")}-hint"]')


def posted(field: Locator) -> Locator:
    """The id a picker posts (its hidden input)."""
    return field.page.locator(f'[id="{field.get_attribute("id")}-id"]')


def offered(page: Page, field: Locator) -> list[tuple[str, str]]:
    """(id, name) of each item of the field's list (its <datalist>)."""
    name = field.get_attribute("data-combobox")
    return page.locator(f"datalist#picker-{name} > option").evaluate_all(
        "options => options.map(o => [o.value, o.textContent])")


def selection_database(page: Page) -> Locator:
    return page.locator('[data-row-prefix="selections-0"]').get_by_role(
        "combobox", name="Database of this selection")


def test_a_person_picks_a_database_and_a_segment_by_part_of_their_names(
        sandbox_settings, fresh_builder, shot):
    page = fresh_builder
    sandbox_settings.databases[42] = {"id": 42, "name": "Spring sale 2025 – buyers",
                                      "ui_tags": [], "Groups": []}
    page.get_by_role("button", name="Refresh lists").click()
    expect(page.locator("#pickers-status")).to_have_text(
        "From Altcraft: 4 databases, 3 segments, 2 resources. "
        "Type a name or an id in their fields to pick one.")
    expect(page.locator("#pickers-fallback")).to_be_hidden()

    page.get_by_role("textbox", name="Segment name").fill("Picked by name")
    database = selection_database(page)
    assert ["42", "Spring sale 2025 – buyers"] in offered(page, database)
    pick(database, "SALE")
    expect(posted(database)).to_have_value("42")
    expect(database).to_have_value("Spring sale 2025 – buyers")
    expect(hint(database)).to_have_text("Id 42")

    rule = page.locator('[data-row-prefix="selections-0-rules-0"]')
    rule.get_by_role("combobox", name="Rule kind", exact=True).select_option(
        label="Was in static segment")
    segment = rule.get_by_role("combobox", name="Segment id")
    assert offered(page, segment) == [["1", "All customers"], ["2", "Newsletter readers"],
                                      ["3", "Loyalty club members"]]
    pick(segment, "er")  # in all three names: the field keeps what was typed
    expect(segment).to_have_value("er")
    expect(hint(segment)).to_have_text(
        "3 names contain “er”: pick one from the list, or type its id.")
    segment.fill("")
    pick(segment, "readers")
    expect(posted(segment)).to_have_value("2")
    expect(segment).to_have_value("Newsletter readers")

    # A rule added in the browser offers the list too.
    page.get_by_role("button", name="Add rule").click()
    added = page.locator('[data-row-prefix="selections-0-rules-1"]')
    added.get_by_role("combobox", name="Rule kind", exact=True).select_option(
        label="Field of a POST-URL response")
    resource = added.get_by_role("combobox", name="Resource id")
    pick(resource, "1")
    expect(resource).to_have_value("Main newsletter")
    expect(hint(resource)).to_have_text("Id 1")
    added.get_by_role("button", name="Remove").click()
    shot("1-picked")

    payload = preview_payload(page)

    assert payload["segment"][0]["list_id"] == 42
    assert payload["segment"][0]["queries"][0]["value"] == [{"name": "segment_id", "value": 2}]
    expect(posted(selection_database(page))).to_have_value("42")
    shot("2-preview")


def test_with_altcraft_unreachable_the_fields_take_typed_ids_and_a_note_says_so(
        sandbox_settings, builder, live_server, shot):
    page = builder
    # The first page's own fetch of the lists must be over, or it could fill
    # the cache again right after it is cleared.
    # ("Loading the lists of databases…" would match "databases" too early.)
    expect(page.locator("#pickers-status")).to_contain_text("From Altcraft:")
    sandbox_settings.set_fault("refuse")  # the port now refuses, as when Altcraft is down
    cache.clear()
    page.goto(live_server.url + "/")
    wait_until_ready(page)

    note = page.locator("#pickers-fallback")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Some of Altcraft's lists could not be loaded")
    expect(note.get_by_role("listitem").first).to_contain_text(": Could not connect to Altcraft")
    assert " ".join(note.get_by_role("listitem").evaluate_all(
        "items => items.map(i => i.dataset.lists)")).split() == [
        "databases", "segments", "resources"]
    page.get_by_role("textbox", name="Segment name").fill("Typed by hand")
    database = selection_database(page)
    pick(database, "7")
    expect(hint(database)).to_have_text("List not available: type the id.")
    rule = page.locator('[data-row-prefix="selections-0-rules-0"]')
    rule.get_by_role("combobox", name="Rule kind", exact=True).select_option(
        label="Was in static segment")
    rule.get_by_role("combobox", name="Segment id").fill("9")
    # Fields that come later say so too: a rule added, a kind's fields swapped in.
    page.get_by_role("button", name="Add rule").click()
    added = page.locator('[data-row-prefix="selections-0-rules-1"]')
    expect(hint(added.get_by_role("combobox", name="Segment id"))).to_have_text(
        "List not available: type the id.")
    added.get_by_role("combobox", name="Rule kind", exact=True).select_option(
        label="Field of a POST-URL response")
    expect(hint(added.get_by_role("combobox", name="Resource id"))).to_have_text(
        "List not available: type the id.")
    added.get_by_role("button", name="Remove").click()
    shot("1-fallback")
    payload = preview_payload(page)
    assert payload["segment"][0]["list_id"] == 7
    assert payload["segment"][0]["queries"][0]["value"] == [{"name": "segment_id", "value": 9}]
    # The page after the preview shows the note at once: failures stay cached a while.
    expect(note).to_be_visible()
    expect(hint(selection_database(page))).to_have_text("List not available: type the id.")

    # Altcraft is back: "Refresh lists" brings the lists, the note goes.
    sandbox_settings.clear_fault()
    page.get_by_role("button", name="Refresh lists").click()
    expect(note).to_be_hidden()
    expect(page.locator("#pickers-status")).to_contain_text("3 databases")
    selection_database(page).fill("")
    pick(selection_database(page), "5")
    expect(selection_database(page)).to_have_value("Loyalty club")
    shot("2-back")

    # Down again: a refresh that fails says so, and keeps the lists it had.
    sandbox_settings.set_fault("refuse")
    page.get_by_role("button", name="Refresh lists").click()
    expect(note).to_be_visible()
    assert len(offered(page, selection_database(page))) == 3
    expect(selection_database(page)).to_have_value("Loyalty club")
    shot("3-down-again")
