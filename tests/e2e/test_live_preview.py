"""The live preview, the in-page import and the focus after Preview, in a
real browser (issue 14): the preview follows typing with no click, a failed
import changes nothing in the builder and asks no "Leave site?" question."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_builder import build_dynamic, head, own, row, segment_card

pytestmark = pytest.mark.browser


def no_dialogs(page: Page) -> list[str]:
    """Every dialog the page raises ("Leave site?" among them), recorded and
    dismissed; the test asserts the list is empty."""
    raised: list[str] = []

    def record(dialog) -> None:
        raised.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", record)
    return raised


def live_payload(page: Page) -> dict:
    """The payload the preview shows once it has caught up with the form."""
    expect(page.locator("#preview-panel")).not_to_have_attribute("data-stale", "true")
    expect(page.locator("#preview-panel")).not_to_have_attribute("aria-busy", "true")
    return json.loads(page.locator("#preview-json pre").inner_text())


def segment_ids(payload: dict) -> list[int]:
    return [query["value"][0]["value"] for query in payload["segment"][0]["queries"]]


def stay_marker(page: Page) -> None:
    """A mark in the page's window: gone if the page was loaded again."""
    page.evaluate("window.stillTheSamePage = true")


def expect_same_page(page: Page) -> None:
    assert page.evaluate("window.stillTheSamePage === true")


def test_the_preview_follows_typing_a_name_a_param_and_a_removed_rule_without_a_click(builder):
    page = builder
    raised = no_dialogs(page)
    stay_marker(page)
    build_dynamic(page)
    payload = live_payload(page)
    assert payload["name"] == "Dynamic segment"
    assert segment_ids(payload) == [1, 2]

    segment_card(page).get_by_role("textbox", name="Segment name").fill("Spring buyers")
    assert live_payload(page)["name"] == "Spring buyers"

    own(row(page, "selections-0-rules-1")).get_by_label("Segment id", exact=True).fill("7")
    assert segment_ids(live_payload(page)) == [1, 7]

    head(row(page, "selections-0-rules-0")).get_by_role("button", name="Remove").click()
    assert segment_ids(live_payload(page)) == [7]
    expect(page.locator("#preview-xml")).to_contain_text("Spring buyers")

    # A problem shows instead of a payload, with a link to its field.
    segment_card(page).get_by_role("textbox", name="Segment name").fill("")
    expect(page.locator("#preview-panel")).not_to_have_attribute("data-stale", "true")
    expect(page.locator("#preview-json")).to_have_count(0)
    expect(page.locator("#preview-problems a[href='#id_name']")).to_be_visible()
    segment_card(page).get_by_role("textbox", name="Segment name").fill("Back again")
    assert live_payload(page)["name"] == "Back again"

    expect_same_page(page)
    assert raised == []


def test_a_failed_import_leaves_the_builder_as_it_was_and_asks_nothing(builder):
    page = builder
    raised = no_dialogs(page)
    stay_marker(page)
    build_dynamic(page)
    name = segment_card(page).get_by_role("textbox", name="Segment name")
    second_id = own(row(page, "selections-0-rules-1")).get_by_label("Segment id", exact=True)
    name.fill("Half-built segment")
    second_id.fill("42")

    page.get_by_role("button", name="Import JSON or XML").click()
    expect(page.locator("#import-box")).to_be_visible()
    paste = page.get_by_role("textbox", name="Paste a payload (JSON or XML)")
    paste.fill('{"name": "broken", ')
    page.locator("#import-form").get_by_role("button", name="Import", exact=True).click()

    expect(page.locator("#import-error")).to_be_visible()
    paste = page.get_by_role("textbox", name="Paste a payload (JSON or XML)")
    expect(paste).to_be_focused()
    expect(paste).to_have_value('{"name": "broken", ')
    expect(paste).to_have_attribute("aria-invalid", "true")
    # Nothing else changed: the same page, every typed value in its place.
    expect_same_page(page)
    expect(name).to_have_value("Half-built segment")
    expect(second_id).to_have_value("42")
    expect(own(row(page, "selections-0-rules-0")).get_by_label(
        "Segment id", exact=True)).to_have_value("1")
    assert raised == []

    # A good paste asks first, in the page (never the browser's "Leave site?"):
    # keeping the work changes nothing, replacing it imports the paste.
    good = json.dumps({"name": "Imported", "is_static": True, "list_id": 5})
    paste.fill(good)
    page.locator("#import-form").get_by_role("button", name="Import", exact=True).click()
    question = page.get_by_role("dialog", name="Replace the current segment?")
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="Keep editing")).to_be_focused()
    question.get_by_role("button", name="Keep editing").click()
    expect(question).to_be_hidden()
    expect_same_page(page)
    expect(name).to_have_value("Half-built segment")
    expect(second_id).to_have_value("42")
    expect(paste).to_have_value(good)

    # Escape keeps it too.
    page.locator("#import-form").get_by_role("button", name="Import", exact=True).click()
    expect(question).to_be_visible()
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    expect_same_page(page)
    expect(name).to_have_value("Half-built segment")

    page.locator("#import-form").get_by_role("button", name="Import", exact=True).click()
    question.get_by_role("button", name="Replace it").click()
    expect(page.locator("#import-result")).to_be_visible()
    expect(segment_card(page).get_by_role("textbox", name="Segment name")).to_have_value(
        "Imported")
    assert raised == []


def test_an_import_into_an_untouched_builder_asks_nothing(builder):
    page = builder
    raised = no_dialogs(page)
    page.get_by_role("button", name="Import JSON or XML").click()
    expect(page.locator("#import-box")).to_be_visible()
    page.get_by_role("textbox", name="Paste a payload (JSON or XML)").fill(
        json.dumps({"name": "Straight in", "is_static": True, "list_id": 5}))
    page.locator("#import-form").get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-result")).to_be_visible()
    expect(segment_card(page).get_by_role("textbox", name="Segment name")).to_have_value(
        "Straight in")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert raised == []


def test_focus_goes_to_the_preview_after_preview_and_to_the_summary_after_an_error(builder):
    page = builder
    build_dynamic(page)
    page.get_by_role("button", name="Preview payload").click()
    panel = page.locator("#preview-panel")
    expect(panel).to_have_attribute("data-previewed", "")
    expect(panel).to_be_focused()
    expect(panel).to_be_in_viewport()

    # On a narrow screen the preview sits below the form: it is scrolled to.
    page.set_viewport_size({"width": 390, "height": 800})
    page.get_by_role("button", name="Preview payload").click()
    expect(panel).to_be_focused()
    expect(page.locator("#preview-json")).to_be_in_viewport()

    page.set_viewport_size({"width": 1400, "height": 900})
    segment_card(page).get_by_role("textbox", name="Segment name").fill("")
    page.get_by_role("button", name="Preview payload").click()
    expect(page.locator("#error-summary")).to_be_focused()


def test_the_sticky_bar_never_hides_the_focused_control(builder):
    page = builder
    page.set_viewport_size({"width": 1400, "height": 500})
    build_dynamic(page)
    bar = page.locator(".sticky-actions")
    # Tab backwards from the bar, field by field: each focused one is above it.
    page.get_by_role("button", name="Preview payload").focus()
    page.evaluate("window.scrollTo(0, 0)")
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement, r = el.getBoundingClientRect();
            return {bottom: r.bottom, inBar: !!el.closest('.sticky-actions')};
        }""")
        if focused["inBar"]:
            break
        assert focused["bottom"] <= bar.bounding_box()["y"] + 1, focused


# --- the marks next to the fields follow the live preview -----------------------------


def fresh(page: Page) -> None:
    """Until the live preview has shown its answer to the form as it is."""
    expect(page.locator("#preview-panel")).not_to_have_attribute("data-stale", "true")


def expect_marked(page: Page, control, line_id: str, message: str) -> None:
    """Marked as the full page marks it: red, aria-invalid, its error line
    under it, read out with it."""
    expect(control).to_have_class(re.compile(r"(^|\s)is-invalid(\s|$)"))
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f'[id="{line_id}"]')).to_have_text(message)
    expect(page.locator(f'[id="{line_id}"]')).to_be_visible()
    expect(control).to_have_accessible_description(re.compile(re.escape(message)))


def expect_unmarked(page: Page, control, line_id: str) -> None:
    fresh(page)
    expect(control).not_to_have_class(re.compile(r"(^|\s)is-invalid(\s|$)"))
    expect(control).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(f'[id="{line_id}"]')).to_have_count(0)


def caret(control) -> int:
    return control.evaluate("element => element.selectionStart")


def test_a_field_is_marked_as_it_goes_wrong_and_unmarked_as_it_is_fixed_while_typing_in_it(
        builder):
    page = builder
    stay_marker(page)
    build_dynamic(page)
    fresh(page)

    # A rule's number typed with a letter in the middle: marked, without a
    # click, while the caret stays where the person typed.
    segment_id = own(row(page, "selections-0-rules-1")).get_by_label("Segment id", exact=True)
    segment_id.fill("71")
    fresh(page)
    segment_id.press("ArrowLeft")
    segment_id.press("x")
    line = "id_selections-0-rules-1-statseg__segment_id-errors"
    expect_marked(page, segment_id, line, "Enter a whole number.")
    expect(page.locator(f'#preview-problems a[href="#{segment_id.get_attribute("id")}"]')
           ).to_be_visible()
    expect(segment_id).to_be_focused()
    expect(segment_id).to_have_value("7x1")
    assert caret(segment_id) == 2
    segment_id.press("Backspace")
    expect_unmarked(page, segment_id, line)
    expect(segment_id).to_be_focused()
    expect(segment_id).to_have_value("71")
    assert caret(segment_id) == 1

    # A field with help text: the help is still read out, marked or not.
    limit = row(page, "selections-0").get_by_label("Profile limit", exact=True)
    limit.fill("-5")
    line = "id_selections-0-limit-errors"
    expect_marked(page, limit, line, "Ensure this value is greater than or equal to 0.")
    expect(limit).to_have_accessible_description(re.compile("0 means no limit"))
    limit.fill("0")
    expect_unmarked(page, limit, line)
    expect(limit).to_have_accessible_description("0 means no limit")
    expect(limit).to_be_focused()

    # The segment's own fields are marked as crispy marks them.
    name = segment_card(page).get_by_role("textbox", name="Segment name")
    name.fill("")
    expect_marked(page, name, "id_name_error", "This field is required.")
    expect(name).to_be_focused()
    name.press_sequentially("Back")
    expect_unmarked(page, name, "id_name_error")
    expect(name).to_be_focused()
    expect(name).to_have_value("Back")
    assert live_payload(page)["name"] == "Back"
    expect_same_page(page)


def test_a_mark_of_the_full_page_goes_away_once_the_field_is_fixed(builder):
    page = builder
    build_dynamic(page)
    name = segment_card(page).get_by_role("textbox", name="Segment name")
    name.fill("")
    page.get_by_role("button", name="Preview payload").click()
    expect(page.locator("#error-summary")).to_be_focused()
    name = segment_card(page).get_by_role("textbox", name="Segment name")
    expect_marked(page, name, "id_name_error", "This field is required.")
    name.fill("Fixed")
    expect_unmarked(page, name, "id_name_error")
    expect(name).to_be_focused()
