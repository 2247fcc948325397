"""Edit mode in a real browser: a person opens a segment that exists in
Altcraft, changes a rule and saves it; Altcraft receives one segments/update
with the segment's id, its name and the changed rule."""

from __future__ import annotations

import copy
import re

import pytest
from playwright.sync_api import expect

from segbuilder.segments.models import Submission
from tests.e2e.conftest import wait_until_ready
from tests.examples import example_payload

pytestmark = pytest.mark.browser

SEGMENT_ID = 40


def test_a_person_opens_a_segment_changes_a_rule_and_saves_it(
        builder, live_server, sandbox_settings, shot):
    page = builder
    stored = example_payload("dynamic", "json")
    sandbox_settings.segments[SEGMENT_ID] = {
        "id": SEGMENT_ID, "name": stored["name"], "kind": "dynamic", "count": 12,
        "payload": copy.deepcopy(stored)}

    page.goto(f"{live_server.url}/?altcraft={SEGMENT_ID}")
    wait_until_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Editing segment 40 in Altcraft")
    segment = page.get_by_role("region", name="Segment", exact=True)
    expect(segment.get_by_role("radio", name="Dynamic", exact=True)).to_be_checked()
    expect(segment.get_by_role("radio", name="Dynamic", exact=True)).to_be_disabled()
    rule = page.locator('[data-row-prefix="selections-0-rules-0"]')
    expect(page.locator('[data-row-prefix="selections-0"]').get_by_label(
        "Database of this selection", exact=True)).not_to_be_editable()
    segment_id = rule.get_by_label("Segment id", exact=True).first
    expect(rule.locator('input[name$="statseg__segment_id"]')).to_have_value("1")
    segment_id.fill("3")
    shot("1-changed")

    page.get_by_role("button", name="Save changes to Altcraft").click()
    expect(page).to_have_url(re.compile(r"/history/\d+/$"))
    expect(page.locator("#submission-outcome")).to_contain_text(
        "Updated segment 40 in Altcraft")
    (update,) = [received for received in sandbox_settings.received
                 if received.method == "segments/update"]
    expected_rules = copy.deepcopy(stored["segment"])
    expected_rules[0]["queries"][0]["value"] = [{"name": "segment_id", "value": 3}]
    assert update.params == {"id": SEGMENT_ID, "name": stored["name"],
                             "segment": expected_rules}
    submission = Submission.objects.get()
    assert (submission.action, submission.status) == ("update", "updated")
    shot("2-saved")
