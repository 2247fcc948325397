"""Import and clone in a real browser: a person pastes the documented XML
updatable example, sends it, finds it in the history and starts a new segment
from it; the builder shows the same values, and sends the same payload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from segbuilder.segments.models import Submission
from tests.examples import example_payload, example_text

pytestmark = pytest.mark.browser


def segments_added(sandbox) -> list:
    """The sandbox's segments/add requests (the builder also fetches its lists)."""
    return [request for request in sandbox.received if request.method == "segments/add"]


def expect_the_documented_updatable_segment(page: Page) -> None:
    """The builder shows /work/shared/altcraft/examples/updatable.xml field by field."""
    segment = page.get_by_role("region", name="Segment", exact=True)
    expect(segment.get_by_role("textbox", name="Segment name")).to_have_value("New segment 2")
    expect(segment.get_by_role("radio", name="Updatable", exact=True)).to_be_checked()
    # The pickers' posted ids (the comboboxes show the names once the lists are in).
    expect(segment.locator('input[name="list_id"]')).to_have_value("1")
    expect(segment.get_by_role("combobox", name="Request format")).to_have_value("xml")

    selections = page.locator('[data-row-prefix^="selections-"].selection:not([hidden])')
    expect(selections).to_have_count(1)
    selection = selections.first
    expect(selection.locator('input[name$="-list_id"]')).to_have_value("1")
    expect(selection.get_by_role("combobox", name="Rules combine with")).to_have_value("and")
    expect(selection.get_by_role("spinbutton", name="Profile limit")).to_have_value("0")
    expect(selection.get_by_role("spinbutton", name="From %")).to_have_value("0")
    expect(selection.get_by_role("spinbutton", name="To %")).to_have_value("99")

    rules = selection.locator(".rule:not(.subrule):not([hidden])")
    expect(rules).to_have_count(1)
    rule = rules.first
    kind = rule.get_by_role("combobox", name="Rule kind", exact=True)
    expect(kind).to_have_value("domaingroup")
    expect(kind.locator("option:checked")).to_have_text("Email domain group")
    expect(rule.get_by_role("combobox", name="Domain group")).to_have_value("Yahoo! (US)")
    expect(rule.get_by_role("combobox", name="Domain group")).to_be_visible()
    expect(rule.get_by_role("textbox", name="Source (compo)")).to_be_hidden()
    expect(rule.locator(".subrule:not([hidden])")).to_have_count(0)


def test_a_person_imports_the_documented_xml_sends_it_and_starts_again_from_the_history(
        builder, live_server, sandbox_settings, shot):
    page = builder
    expected = example_payload("updatable", "xml")

    # Import: the box opens, takes the docs' text (token and all), fills the builder.
    box = page.get_by_role("textbox", name="Paste a payload (JSON or XML)")
    expect(box).to_be_hidden()
    open_import_box(page)
    expect(box).to_be_visible()
    box.fill(example_text("updatable", "xml"))
    shot("1-pasted")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.locator("#import-result")).to_contain_text(
        "Imported the pasted XML payload: an updatable segment with 1 selection and 1 rule.")
    expect(page.locator("#import-not-imported")).to_have_count(0)
    expect(page.locator("#import-problems")).to_have_count(0)
    expect_the_documented_updatable_segment(page)
    expect(page.locator("body")).not_to_contain_text("abcdefghijklmnqrstuvwxyz")
    shot("2-imported")

    # Send it unchanged: Altcraft receives the documented payload, as XML.
    page.get_by_role("button", name="Send to Altcraft").click()
    expect(page).to_have_url(re.compile(r"/history/\d+/$"))
    (received,) = segments_added(sandbox_settings)
    assert received.params == expected
    assert received.content_type.startswith("application/xml")
    original = Submission.objects.get()
    expect(page.get_by_role("status").filter(has_text="Altcraft created segment")).to_contain_text(
        f"Altcraft created segment {original.altcraft_id},")
    shot("3-sent")

    # Find it in the history and open it.
    page.locator("nav.navbar").get_by_role("link", name="History").click()
    expect(page).to_have_url(live_server.url + "/history/")
    page.get_by_role("link", name="New segment 2").first.click()
    expect(page).to_have_url(live_server.url + f"/history/{original.pk}/")

    # Clone it: the builder shows the same values.
    page.get_by_role("link", name="Use as a starting point").click()
    expect(page).to_have_url(live_server.url + f"/?from={original.pk}")
    expect(page.locator("#import-result")).to_contain_text(f"submission #{original.pk}")
    expect_the_documented_updatable_segment(page)
    shot("4-cloned")

    # Sent unchanged a minute later, the builder asks first; the copy is then
    # a new segment with the same payload.
    page.get_by_role("button", name="Send to Altcraft").click()
    question = page.locator("#repeat-question")
    expect(question).to_contain_text("You sent this exact segment")
    expect(question).to_be_focused()
    assert len(segments_added(sandbox_settings)) == 1
    shot("5-asked")
    question.get_by_role("button", name="Send another copy").click()
    expect(page).to_have_url(re.compile(r"/history/\d+/$"))
    first, second = segments_added(sandbox_settings)
    assert second.params == first.params == expected
    clone = Submission.objects.exclude(pk=original.pk).get()
    assert clone.altcraft_id != original.altcraft_id
    shot("6-clone-sent")


def test_an_unreadable_paste_stays_in_the_box_with_where_it_went_wrong(builder, shot):
    page = builder
    open_import_box(page)
    raw = example_text("static", "json").replace('"list_id": 5,', '"list_id": 5')
    page.get_by_role("textbox", name="Paste a payload (JSON or XML)").fill(raw)
    page.get_by_role("button", name="Import", exact=True).click()

    box = page.get_by_role("textbox", name="Paste a payload (JSON or XML)")
    expect(box).to_be_visible()
    expect(box).to_have_value(raw)
    expect(box).to_be_focused()
    expect(page.locator("#import-error")).to_contain_text(
        "The pasted JSON could not be read at line 5, column 1")
    expect(page.locator("#import-error")).to_contain_text("end of line 4")
    shot("error")


def open_import_box(page) -> None:
    """Open the import box and wait until it is open: Bootstrap marks it
    `show` once it has stopped moving."""
    page.get_by_role("button", name="Import JSON or XML").click()
    expect(page.locator("#import-box")).to_have_class(re.compile(r"\bshow\b"))
