"""Outcome unknown, resolved: "Check in Altcraft" settles the history entry."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from segbuilder.segments.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("lena", password="pw-for-tests-5"))
    return client


def unknown(author, name="Maybe created", **fields) -> Submission:
    return Submission.objects.create(author=author, name=name, kind="static", format="json",
                                     payload={"name": name}, status="unknown", **fields)


def check(client, submission):
    response = client.post(reverse("submission_check", args=[submission.pk]))
    assert response.status_code == 302
    submission.refresh_from_db()
    return client.get(response.url).content.decode()


def test_a_segment_found_by_name_settles_the_entry_as_created(
        logged_in, sandbox_settings, django_user_model):
    sandbox_settings.segments[901] = {"name": "Maybe created"}
    submission = unknown(django_user_model.objects.get())
    page = check(logged_in, submission)
    assert (submission.status, submission.altcraft_id) == ("created", 901)
    assert "Altcraft created segment <strong>901</strong>" in page


def test_no_segment_of_that_name_settles_it_as_not_created_and_offers_to_send_again(
        logged_in, sandbox_settings, django_user_model):
    submission = unknown(django_user_model.objects.get())
    page = check(logged_in, submission)
    assert submission.status == "not_created" and submission.altcraft_id is None
    assert "This segment was not created" in page
    assert reverse("submission_clone", args=[submission.pk]) in page


def test_a_segment_another_entry_accounts_for_is_not_claimed_twice(
        logged_in, sandbox_settings, django_user_model):
    author = django_user_model.objects.get()
    sandbox_settings.segments[910] = {"name": "Twice"}
    Submission.objects.create(author=author, name="Twice", kind="static", format="json",
                              payload={}, status="created", altcraft_id=910)
    submission = unknown(author, name="Twice")
    check(logged_in, submission)
    assert submission.status == "not_created"


def test_when_altcraft_cannot_be_asked_nothing_changes(logged_in, settings, django_user_model):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.ALTCRAFT_API_URL = f"http://127.0.0.1:{port}/api/v1.1/"
    submission = unknown(django_user_model.objects.get())
    page = check(logged_in, submission)
    assert submission.status == "unknown"
    assert "Altcraft could not be asked, so nothing changed" in page


def test_a_settled_entry_is_left_alone(logged_in, sandbox_settings, django_user_model):
    submission = Submission.objects.create(
        author=django_user_model.objects.get(), name="Done", kind="static",
        format="json", payload={}, status="created", altcraft_id=5)
    sandbox_settings.segments[920] = {"name": "Done"}
    check(logged_in, submission)
    assert (submission.status, submission.altcraft_id) == ("created", 5)
    assert sandbox_settings.received == []


def test_check_needs_a_post(logged_in, django_user_model):
    submission = unknown(django_user_model.objects.get())
    assert logged_in.get(reverse("submission_check", args=[submission.pk])).status_code == 405
