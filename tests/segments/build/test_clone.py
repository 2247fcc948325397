"""Clone: "Use as a starting point" fills the builder with a submission's
segment; sent unchanged it produces the same payload as the original."""

from __future__ import annotations

import pytest
from django.urls import reverse

from segbuilder.segments.history.views import builder_from_url
from segbuilder.segments.models import Submission
from tests.formdata import DOCUMENTED, builder_data
from tests.shown_form import form_action, rendered_value, send_as_shown

pytestmark = pytest.mark.django_db


GROUPS_AND_CUSTOM = {
    "name": "Loyal <clients> & co",
    "is_static": True,
    "is_refresh_daily": True,
    "segment": [
        {"condition": "or", "limit": 500, "list_id": 2, "percent_from": 10, "percent_to": 90,
         "queries": [
             {"compo": "default", "name": "_city", "operator": "equal", "type": "string",
              "value": [{"name": "value", "value": "Moscow"}, {"name": "code", "value": 77},
                        {"name": "zip", "value": "007"}]},
             {"condition": "and", "child": [
                 {"compo": "domaingroup", "name": "email", "operator": "equal", "type": "email",
                  "value": [{"name": "domaingroup", "value": "Gmail"}]},
                 {"compo": "default", "name": "custom_tags", "operator": "in", "type": "tags",
                  "value": []},
             ]},
             {"compo": "default", "name": "statseg", "operator": "once", "type": "statseg",
              "value": [{"name": "segment_id", "value": 4}],
              "condition": "or", "child": [
                  {"compo": "dataurl", "name": "subscription_email", "operator": "in_data",
                   "type": "subscription_email",
                   "value": [{"name": "field", "value": "email"},
                             {"name": "resource_id", "value": 3},
                             {"name": "url", "value": "https://example.com/?a=1&b=2"}]}]},
         ]},
        {"condition": "and", "limit": 0, "list_id": 9, "percent_from": 0, "percent_to": 100,
         "queries": [{"compo": "default", "name": "statseg", "operator": "once",
                      "type": "statseg", "value": [{"name": "segment_id", "value": 8}]}]},
    ],
}


def clone_of(client, submission: Submission):
    return client.get(builder_from_url(submission.pk))


def shown(response, name: str) -> str:
    return rendered_value(response.content, name)


@pytest.fixture
def author(user):
    """The editor who sent the original segment."""
    return user


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("kind", list(DOCUMENTED))
def test_a_clone_sent_unchanged_produces_the_same_payload_as_the_original(
        editor, sandbox_settings, kind, fmt):
    editor.post(reverse("builder"), builder_data(action="send", format=fmt, **DOCUMENTED[kind]))
    original = Submission.objects.get()

    filled = clone_of(editor, original)
    assert filled.status_code == 200
    assert shown(filled, "format") == fmt and shown(filled, "kind") == kind
    assert form_action(filled) == reverse("builder")
    sent = send_as_shown(editor, filled, action="send-again")

    first, second = sandbox_settings.received
    assert sent.status_code == 302
    assert second.params == first.params == original.payload
    assert second.content_type == first.content_type
    clone = Submission.objects.exclude(pk=original.pk).get()
    assert clone.status == Submission.Status.CREATED
    assert clone.altcraft_id != original.altcraft_id


def test_a_clone_with_a_new_name_differs_from_the_original_by_its_name_only(
        editor, sandbox_settings):
    editor.post(reverse("builder"), builder_data(action="send", **DOCUMENTED["dynamic"]))
    original = Submission.objects.get()
    send_as_shown(editor, clone_of(editor, original), name="Dynamic segment, May")
    first, second = sandbox_settings.received
    assert second.params == {**first.params, "name": "Dynamic segment, May"}
    assert Submission.objects.filter(name="Dynamic segment, May").count() == 1


def test_a_clone_keeps_every_selection_group_custom_rule_and_param(
        editor, sandbox_settings, author):
    original = Submission.objects.create(
        author=author, name=GROUPS_AND_CUSTOM["name"], kind="updatable", format="xml",
        payload=GROUPS_AND_CUSTOM, status=Submission.Status.REJECTED)
    filled = clone_of(editor, original)
    assert shown(filled, "format") == "xml"
    assert shown(filled, "selections-TOTAL_FORMS") == "2"
    kinds = [shown(filled, f"selections-0-rules-{i}-kind") for i in range(3)]
    assert kinds == ["custom", "group", "statseg"]
    assert [shown(filled, f"selections-0-rules-1-children-{i}-kind") for i in range(2)] == [
        "domaingroup", "custom"]
    assert shown(filled, "selections-0-rules-2-children-0-kind") == "dataurl"
    assert shown(filled, "selections-0-rules-2-condition") == "or"
    assert shown(filled, "selections-0-rules-0-params-1-value_type") == "number"
    assert shown(filled, "selections-0-rules-0-params-2-value") == "007"

    send_as_shown(editor, filled, action="send-again")

    (received,) = sandbox_settings.received
    assert received.params == GROUPS_AND_CUSTOM
    assert received.content_type.startswith("application/xml")


def test_the_filled_builder_says_which_submission_it_came_from(editor, author):
    original = Submission.objects.create(
        author=author, name="Segment 2", kind="static", format="json",
        payload={"name": "Segment 2", "is_static": True, "is_refresh_daily": False,
                 "list_id": 5})
    html = clone_of(editor, original).content.decode()
    detail = reverse("submission_detail", args=[original.pk])
    assert f'Filled from <a class="alert-link" href="{detail}">submission #{original.pk}</a>' \
        in html
    assert "sent by maria" in html and "These fields were not imported" not in html


def test_a_clone_posted_back_to_its_own_address_is_sent_all_the_same(
        editor, sandbox_settings):
    editor.post(reverse("builder"), builder_data(action="send", **DOCUMENTED["updatable"]))
    original = Submission.objects.get()
    sent = send_as_shown(editor, clone_of(editor, original), to_page_url=True,
                        action="send-again")
    assert sent.status_code == 302
    first, second = sandbox_settings.received
    assert second.params == first.params


def test_a_clone_of_a_missing_submission_is_not_found(editor):
    assert editor.get(builder_from_url(999)).status_code == 404


def test_a_stored_payload_that_cannot_be_read_leads_back_to_the_submission(editor, author):
    broken = Submission.objects.create(author=author, name="x", kind="static", format="json",
                                       payload={"name": "x", "is_static": "maybe"})
    response = clone_of(editor, broken)
    assert response.status_code == 302
    assert response.url == reverse("submission_detail", args=[broken.pk])
    page = editor.get(response.url).content.decode()
    assert "This submission cannot fill the builder" in page
    assert "is_static must be true or false" in page


def test_viewers_may_clone_but_not_send_the_clone(viewer, sandbox_settings, author):
    original = Submission.objects.create(
        author=author, name="Segment 2", kind="static", format="json",
        payload={"name": "Segment 2", "is_static": True, "is_refresh_daily": False,
                 "list_id": 5})
    filled = clone_of(viewer, original)
    assert filled.status_code == 200 and shown(filled, "name") == "Segment 2"
    assert 'value="send"' not in filled.content.decode()
    assert send_as_shown(viewer, filled).status_code == 403
    assert sandbox_settings.received == [] and Submission.objects.count() == 1


def test_anonymous_users_are_sent_to_login_instead_of_a_clone(client, author):
    original = Submission.objects.create(author=author, name="x", kind="static", format="json",
                                         payload={"name": "x", "is_static": True, "list_id": 5})
    response = clone_of(client, original)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


