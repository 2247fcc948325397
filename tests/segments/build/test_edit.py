"""Edit mode: a segment of Altcraft opened in the builder (?altcraft=<id>),
changed and saved back with segments/update, through the same road as a
create; a segment changed in Altcraft meanwhile is not overwritten unasked."""

from __future__ import annotations

import copy
import json

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.altcraft.client import update_request
from segbuilder.segments.models import Submission
from tests.examples import example_payload
from tests.shown_form import form_action, shown_form_data

pytestmark = pytest.mark.django_db

SEGMENT_ID = 40
STORED = example_payload("dynamic", "json")


@pytest.fixture
def stored(sandbox_settings):
    """Segment 40 in the sandbox, a dynamic one, as if made in Altcraft."""
    sandbox_settings.segments[SEGMENT_ID] = {
        "id": SEGMENT_ID, "name": STORED["name"], "kind": "dynamic", "count": 77,
        "payload": copy.deepcopy(STORED)}
    return sandbox_settings


def open_segment(client, segment_id=SEGMENT_ID):
    return client.get(reverse("builder"), {"altcraft": segment_id})


def page(response):
    return lxml_html.fromstring(response.content)


def save(client, response, *, action="update", **changes):
    data = shown_form_data(response.content)
    data.update({name: [value] for name, value in changes.items()})
    data["action"] = [action]
    return client.post(form_action(response), data)


def updates(sandbox):
    return [received for received in sandbox.received if received.method == "segments/update"]


def test_opening_fills_the_builder_in_edit_mode(editor, stored):
    response = open_segment(editor)
    assert response.status_code == 200
    shown = page(response)
    assert shown.xpath('//h1[@id="builder-title"]')[0].text == \
        "Editing segment 40 in Altcraft"
    data = shown_form_data(response.content)
    assert data["altcraft_id"] == ["40"] and data["name"] == [STORED["name"]]
    assert json.loads(data["opened"][0]) == STORED
    assert data["kind"] == ["dynamic"]  # the hidden input: the radios are disabled
    assert all(radio.get("disabled") is not None
               for radio in shown.xpath('//input[@type="radio"][@name="kind"]'))
    (database,) = shown.xpath('//form[@id="builder"]//input[@name="selections-0-list_id"]')
    assert database.get("readonly") is not None
    assert shown.xpath('//button[@name="action"][@value="update"]')
    assert not shown.xpath('//button[@name="action"][@value="send"]')
    assert "77" in shown.xpath('//*[@id="import-read-only"]')[0].text_content()


def test_the_title_is_russian_in_russian(editor, stored):
    response = editor.get(reverse("builder"), {"altcraft": SEGMENT_ID},
                          HTTP_ACCEPT_LANGUAGE="ru")
    assert page(response).xpath('//h1[@id="builder-title"]')[0].text == \
        "Изменение сегмента 40 в Altcraft"


def test_renamed_and_saved_reaches_altcraft_as_one_update_with_the_rules_unchanged(
        editor, stored):
    opened = open_segment(editor)
    response = save(editor, opened, name="Renamed")
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("submission_detail", args=[submission.pk])
    (update,) = updates(stored)
    assert update.params == {"id": SEGMENT_ID, "name": "Renamed", "segment": STORED["segment"]}
    assert stored.segments[SEGMENT_ID]["name"] == "Renamed"
    assert stored.segments[SEGMENT_ID]["payload"]["segment"] == STORED["segment"]
    assert (submission.action, submission.status, submission.altcraft_id) == (
        "update", "updated", SEGMENT_ID)
    assert submission.opened_payload == STORED
    assert submission.payload["name"] == "Renamed"


def test_a_changed_rule_is_saved(editor, stored):
    opened = open_segment(editor)
    save(editor, opened, **{"selections-0-rules-0-statseg__segment_id": "3"})
    (update,) = updates(stored)
    assert update.params["segment"][0]["queries"][0]["value"] == [
        {"name": "segment_id", "value": 3}]


def test_a_segment_changed_in_altcraft_meanwhile_asks_before_overwriting(editor, stored):
    opened = open_segment(editor)
    stored.segments[SEGMENT_ID]["payload"]["segment"][0]["queries"].pop()
    stored.segments[SEGMENT_ID]["name"] = "Changed there"
    asked = save(editor, opened, name="Renamed here")
    assert asked.status_code == 200
    assert updates(stored) == [] and not Submission.objects.exists()
    (question,) = page(asked).xpath('//*[@id="conflict-question"]')
    text = " ".join(question.text_content().split())
    assert "This segment was changed in Altcraft since you opened it" in text
    assert "Changed there" in text and "removed" in text
    overwritten = save(editor, asked, action="update-anyway")
    assert overwritten.status_code == 302
    (update,) = updates(stored)
    assert update.params == {"id": SEGMENT_ID, "name": "Renamed here",
                             "segment": STORED["segment"]}
    assert Submission.objects.get().opened_payload == STORED


def test_the_same_form_saved_twice_updates_once(editor, stored):
    opened = open_segment(editor)
    first = save(editor, opened, name="Once")
    again = save(editor, opened, name="Once")
    assert again["Location"] == first["Location"]
    assert len(updates(stored)) == 1


def test_a_rejected_update_shows_the_builder_with_altcraft_s_error(editor, stored):
    opened = open_segment(editor)
    changed = shown_form_data(opened.content)
    stored.segments.pop(SEGMENT_ID)  # deleted in Altcraft meanwhile
    response = save(editor, opened, action="update-anyway")
    assert response.status_code == 200
    assert Submission.objects.get().status == "rejected"
    assert "not found" in response.content.decode()
    assert changed["altcraft_id"] == ["40"]


def test_a_changed_database_is_refused_without_asking_altcraft(editor, stored):
    opened = open_segment(editor)
    response = save(editor, opened, **{"selections-0-list_id": "2"})
    assert response.status_code == 200
    assert "cannot change" in response.content.decode()
    assert updates(stored) == [] and not Submission.objects.exists()


def test_a_viewer_may_open_but_not_save(viewer, stored):
    opened = open_segment(viewer)
    assert opened.status_code == 200
    response = save(viewer, opened)
    assert response.status_code == 403
    assert updates(stored) == [] and not Submission.objects.exists()


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "1" * 30, "٣"])
def test_an_id_that_is_no_number_goes_back_to_the_builder(editor, raw):
    response = editor.get(reverse("builder"), {"altcraft": raw})
    assert response.status_code == 302 and response["Location"] == reverse("builder")


def test_an_unknown_segment_shows_the_builder_with_a_clear_message(editor, stored):
    response = open_segment(editor, 999)
    assert response.status_code == 200
    assert "Segment 999 could not be fetched from Altcraft" in response.content.decode()
    assert not shown_form_data(response.content).get("altcraft_id")


def test_a_forged_opened_field_is_refused(editor, stored):
    opened = open_segment(editor)
    response = save(editor, opened, opened="[1, 2]")
    assert response.status_code == 400
    assert updates(stored) == []


def test_the_update_request_of_a_static_segment_is_its_name_and_database():
    payload = {"name": "S", "is_static": True, "is_refresh_daily": False, "list_id": 5}
    assert update_request(3, payload) == {"id": 3, "name": "S", "list_id": 5}
    dynamic = example_payload("dynamic", "json")
    assert update_request(3, dynamic) == {"id": 3, "name": dynamic["name"],
                                          "segment": dynamic["segment"]}


def test_the_update_s_history_entry_says_so_and_shows_what_the_edit_changed(editor, stored):
    opened = open_segment(editor)
    detail = editor.get(save(editor, opened, name="Renamed")["Location"])
    text = " ".join(page(detail).xpath('//*[@id="submission-outcome"]')[0].text_content().split())
    assert text == "Updated segment 40 in Altcraft, “Renamed”."
    (link,) = page(detail).xpath('//*[@id="edit-changes"]//a')
    submission = Submission.objects.get()
    assert link.get("href") == f"{reverse('submission_diff')}?edit={submission.pk}"
    changes = editor.get(link.get("href"))
    assert changes.status_code == 200
    shown = " ".join(page(changes).xpath('//section[@aria-labelledby="diff-changes"]')[0]
                     .text_content().split())
    assert STORED["name"] in shown and "Renamed" in shown
    assert "1 selection unchanged" in shown  # only renamed: the rules are as they were
    assert page(changes).xpath("//h1")[0].text == "What this edit changed"


def test_the_edit_compare_of_a_create_or_of_no_number_says_why(editor, stored, user):
    created = Submission.objects.create(author=user, name="N", kind="dynamic", format="json",
                                        payload=STORED)
    assert editor.get(reverse("submission_diff"), {"edit": created.pk}).status_code == 404
    assert editor.get(reverse("submission_diff"), {"edit": "x"}).status_code == 400


def test_the_history_filters_by_action(editor, stored, user):
    Submission.objects.create(author=user, name="Made", kind="dynamic", format="json",
                              payload=STORED)
    save(editor, open_segment(editor), name="Edited")
    names = {"update": "Edited", "create": "Made"}
    for action, name in names.items():
        listed = page(editor.get(reverse("history"), {"action": action}))
        rows = [tr.xpath("td")[3].text_content().strip() for tr in listed.xpath("//tbody/tr")]
        assert rows == [name]


def test_a_static_segment_renamed_is_updated_with_its_name_and_database(editor, sandbox_settings):
    opened = open_segment(editor, 1)  # a demo segment: static, database 1
    shown = page(opened)
    assert shown.xpath('//input[@name="kind"][@type="hidden"]')[0].get("value") == "static"
    assert shown.xpath('//input[@name="list_id"]')[0].get("readonly") is not None
    assert save(editor, opened, name="All customers, renamed").status_code == 302
    (update,) = updates(sandbox_settings)
    assert update.params == {"id": 1, "name": "All customers, renamed", "list_id": 1}
    assert sandbox_settings.segments[1]["name"] == "All customers, renamed"
