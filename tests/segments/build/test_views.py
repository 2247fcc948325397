from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from segbuilder.segments.models import Submission
from tests.examples import example_payload
from tests.formdata import (
    DOCUMENTED,
    builder_data,
    custom,
    domaingroup,
    group,
    param,
    selection,
    statseg,
)
from tests.shown_form import rendered_value

pytestmark = pytest.mark.django_db

EXPECTED = {
    "static": example_payload("static", "json"),
    "dynamic": example_payload("dynamic", "json"),
    "updatable": example_payload("updatable", "xml"),
}


def post_builder(client, **kwargs):
    return client.post(reverse("builder"), builder_data(**kwargs))


def test_anonymous_users_are_sent_to_login(client):
    for name in ("builder", "history"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_login_page_leads_to_the_builder(client, user):
    response = client.post(reverse("login"), {"username": "maria", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response.url == reverse("builder")


def test_the_empty_builder_offers_one_selection_with_one_rule(logged_in):
    response = logged_in.get(reverse("builder"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="selections-TOTAL_FORMS" value="1"' in html
    assert 'name="selections-0-rules-TOTAL_FORMS" value="1"' in html
    for template_id in ("tpl-selection", "tpl-rule", "tpl-subrule", "tpl-param", "tpl-subparam"):
        assert f'<template id="{template_id}">' in html
    assert "onclick" not in html


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_request_format_defaults_to_the_setting(logged_in, settings, fmt):
    settings.ALTCRAFT_FORMAT = fmt
    html = logged_in.get(reverse("builder")).content.decode()
    assert re.search(rf'<option value="{fmt}" selected>', html)


@pytest.mark.parametrize("kind", list(DOCUMENTED))
def test_preview_shows_the_exact_payload_in_json_and_xml_with_the_token_masked(
        logged_in, settings, kind):
    response = post_builder(logged_in, action="preview", **DOCUMENTED[kind])
    assert response.status_code == 200
    preview = response.context["preview"]
    from segbuilder.altcraft.codec import payload_from_json, payload_from_xml

    assert payload_from_json(preview["json"]) == {**EXPECTED[kind], "token": "***"}
    assert payload_from_xml(preview["xml"]) == {**EXPECTED[kind], "token": "***"}
    html = response.content.decode()
    assert "&quot;token&quot;: &quot;***&quot;" in html
    assert settings.ALTCRAFT_API_TOKEN not in html
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("kind", list(DOCUMENTED))
def test_send_creates_the_segment_and_the_sandbox_receives_exactly_the_payload(
        logged_in, sandbox_settings, user, kind, fmt):
    response = post_builder(logged_in, action="send", format=fmt, **DOCUMENTED[kind])
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("submission_detail", args=[submission.pk])
    (received,) = sandbox_settings.received
    assert received.params == EXPECTED[kind]
    assert received.content_type.startswith({"json": "application/json",
                                             "xml": "application/xml"}[fmt])
    assert submission.status == Submission.Status.CREATED
    assert submission.payload == EXPECTED[kind]
    assert (submission.author, submission.kind, submission.format) == (user, kind, fmt)
    assert submission.altcraft_id is not None and submission.duration_ms is not None
    page = logged_in.get(response.url).content.decode()
    assert f"Altcraft created segment <strong>{submission.altcraft_id}</strong>" in page
    assert reverse("builder") in page


def test_a_rejection_reshows_the_form_with_every_typed_value_and_altcraft_message(
        logged_in, sandbox_settings, settings):
    settings.ALTCRAFT_API_TOKEN = "not-the-sandbox-token"
    typed = dict(name="Лояльные <клиенты> & co", kind="dynamic", list_id=7, selections=[
        selection(statseg(11), group(domaingroup("Gmail"), custom(
            "dataurl", "subscription_email", "subscription_email", "in_data",
            param("field", "email"), param("resource_id", "3", "number"))), list_id=2,
            condition="or", limit=500, percent_from=10, percent_to=90)])
    response = post_builder(logged_in, action="send", **typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Altcraft refused the segment" in html and "(error 401)" in html
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.REJECTED and submission.error_code == 401
    for name, value in builder_data(**typed).items():
        if name == "action" or name.endswith(("MIN_NUM_FORMS", "MAX_NUM_FORMS")):
            continue
        assert rendered_value(response.content, name) == str(value), name




def test_invalid_input_shows_the_error_count_and_sends_nothing(logged_in, sandbox_settings):
    response = post_builder(logged_in, action="send", name="", selections=[
        selection(statseg("x"), percent_from=70, percent_to=20)])
    assert response.status_code == 200
    assert response.context["error_count"] == 3
    assert "There are 3 problems" in response.content.decode()
    assert sandbox_settings.received == [] and Submission.objects.count() == 0


@pytest.mark.parametrize("tamper", [
    {"selections-TOTAL_FORMS": None},
    {"selections-TOTAL_FORMS": "lots"},
    {"selections-TOTAL_FORMS": "-3"},
    {"selections-0-rules-TOTAL_FORMS": None, "selections-0-rules-INITIAL_FORMS": None},
    {"selections-0-rules-0-kind": "rm -rf"},
    {"kind": "sideways", "format": "yaml"},
    {"selections-0-list_id": "9" * 400},
    {"name": None, "kind": None, "format": None, "list_id": None},
])
def test_no_tampered_post_makes_a_server_error(logged_in, tamper):
    data = builder_data(**DOCUMENTED["dynamic"])
    for name, value in tamper.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    response = logged_in.post(reverse("builder"), data)
    assert response.status_code == 200
    assert response.context["error_count"] >= 1


def test_a_missing_management_form_says_so(logged_in):
    data = builder_data(**DOCUMENTED["dynamic"])
    del data["selections-TOTAL_FORMS"]
    html = logged_in.post(reverse("builder"), data).content.decode()
    assert "Part of this form arrived incomplete or altered" in html


def test_the_history_lists_submissions_newest_first(logged_in, sandbox_settings):
    post_builder(logged_in, action="send", **DOCUMENTED["static"])
    post_builder(logged_in, action="send", **DOCUMENTED["dynamic"])
    from lxml import html as lxml_html

    page = lxml_html.fromstring(logged_in.get(reverse("history")).content)
    rows = [[cell.text_content().strip() for cell in row.xpath("td")]
            for row in page.xpath("//tbody/tr")]
    newest, oldest = Submission.objects.order_by("-id")
    assert [row[-5:] for row in rows] == [
        ["maria", "Dynamic segment", "dynamic", "Created", str(newest.altcraft_id)],
        ["maria", "Segment 2", "static", "Created", str(oldest.altcraft_id)],
    ]


def test_viewers_see_no_send_button_and_the_server_refuses_them(viewer, sandbox_settings):
    html = viewer.get(reverse("builder")).content.decode()
    assert 'value="send"' not in html
    response = post_builder(viewer, action="send", **DOCUMENTED["dynamic"])
    assert response.status_code == 403
    assert "not send them" in response.content.decode()
    assert rendered_value(response.content, "name") == "Dynamic segment"
    assert sandbox_settings.received == [] and Submission.objects.count() == 0


def test_viewers_may_preview(viewer):
    response = post_builder(viewer, action="preview", **DOCUMENTED["dynamic"])
    assert response.status_code == 200 and response.context["preview"]


# --- the same segment sent again -----------------------------------------------------------


def test_sending_an_identical_segment_again_asks_first_and_sends_nothing(
        editor, sandbox_settings):
    data = builder_data(**DOCUMENTED["dynamic"], action="send")
    first = editor.post(reverse("builder"), data)
    assert first.status_code == 302
    created = Submission.objects.get()

    again = editor.post(reverse("builder"), {**data, "key": str(uuid.uuid4())})
    page = again.content.decode()
    assert again.status_code == 200
    assert (f"You sent this exact segment <a class=\"alert-link\" "
            f"href=\"{reverse('submission_detail', args=[created.pk])}\">1 minute ago</a> "
            f"(Altcraft id {created.altcraft_id}). Send another copy?") in " ".join(page.split())
    assert Submission.objects.count() == 1 and len(sandbox_settings.received) == 1


def test_confirming_sends_exactly_one_more_copy(editor, sandbox_settings):
    from tests.shown_form import shown_form_data

    data = builder_data(**DOCUMENTED["dynamic"], action="send")
    editor.post(reverse("builder"), data)
    asked = editor.post(reverse("builder"), {**data, "key": str(uuid.uuid4())})
    confirm = {**{k: v[0] for k, v in shown_form_data(asked.content).items()},
               "action": "send-again"}
    for _ in range(2):  # a double click on "Send another copy"
        editor.post(reverse("builder"), confirm)
    assert Submission.objects.count() == 2 and len(sandbox_settings.received) == 2


def test_the_same_key_sent_again_shows_the_first_send_without_asking(editor, sandbox_settings):
    data = {**builder_data(**DOCUMENTED["dynamic"], action="send"), "key": str(uuid.uuid4())}
    editor.post(reverse("builder"), data)
    repeated = editor.post(reverse("builder"), data)  # Back, then Send: the same form
    assert repeated.status_code == 302
    assert Submission.objects.count() == 1 and len(sandbox_settings.received) == 1


def test_a_different_segment_or_one_sent_long_ago_is_sent_without_asking(
        editor, sandbox_settings):
    data = builder_data(**DOCUMENTED["dynamic"], action="send")
    editor.post(reverse("builder"), data)
    Submission.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    assert editor.post(reverse("builder"), data).status_code == 302
    renamed = {**data, "name": data["name"] + " (2)"}
    assert editor.post(reverse("builder"), renamed).status_code == 302
    assert Submission.objects.count() == 3
