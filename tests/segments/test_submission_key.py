"""One segment per intent: the builder form's one-time key."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from segbuilder.segments.models import Submission
from tests.formdata import builder_data, selection, statseg

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("kim", password="pw-for-tests-4")
    user.groups.add(Group.objects.get(name="Segment editors"))
    client.force_login(user)
    return client


def send_data(key) -> dict:
    data = builder_data(name="Once", action="send", selections=[selection(statseg(1))])
    data["key"] = str(key)
    return data


def rendered_key(response) -> str:
    from lxml import html

    return html.fromstring(response.content).xpath('//input[@name="key"]/@value')[0]


def test_the_builder_page_carries_a_fresh_key_each_time(editor):
    first = rendered_key(editor.get(reverse("builder")))
    second = rendered_key(editor.get(reverse("builder")))
    assert uuid.UUID(first) != uuid.UUID(second)


def test_a_preview_keeps_the_key(editor):
    key = uuid.uuid4()
    response = editor.post(reverse("builder"), {**send_data(key), "action": "preview"})
    assert rendered_key(response) == str(key)


def test_a_double_click_creates_one_segment_and_shows_the_first_result(editor, sandbox_settings):
    key = uuid.uuid4()
    first = editor.post(reverse("builder"), send_data(key))
    second = editor.post(reverse("builder"), send_data(key))
    submission = Submission.objects.get()
    assert len(sandbox_settings.received) == 1
    assert first.url == second.url == reverse("submission_detail", args=[submission.pk])
    page = editor.get(second.url).content.decode()
    assert "nothing was sent again" in page


def test_a_second_tab_with_the_same_form_sends_nothing_again(editor, sandbox_settings,
                                                             django_user_model):
    from django.test import Client

    key = uuid.uuid4()
    editor.post(reverse("builder"), send_data(key))
    other_tab = Client()
    other_tab.force_login(django_user_model.objects.get(username="kim"))
    other_tab.post(reverse("builder"), send_data(key))
    assert len(sandbox_settings.received) == 1 and Submission.objects.count() == 1


def test_after_a_rejection_the_form_gets_a_new_key_so_the_user_can_send_again(
        editor, sandbox_settings, settings):
    settings.ALTCRAFT_API_TOKEN = "wrong-token"
    key = uuid.uuid4()
    response = editor.post(reverse("builder"), send_data(key))
    new_key = rendered_key(response)
    assert new_key != str(key)
    settings.ALTCRAFT_API_TOKEN = sandbox_settings.token
    editor.post(reverse("builder"), send_data(new_key))
    statuses = sorted(Submission.objects.values_list("status", flat=True))
    assert statuses == ["created", "rejected"]
    assert len(sandbox_settings.received) == 2


def test_a_tampered_key_is_replaced_and_never_a_server_error(editor, sandbox_settings):
    response = editor.post(reverse("builder"), {**send_data("not-a-uuid")})
    assert response.status_code == 302
    assert Submission.objects.get().key is not None
