"""Signing in with a company account, against a real directory (slapd)."""

from __future__ import annotations

import io
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from segbuilder.segments.models import Submission
from tests.deadlines import ends_within
from tests.formdata import builder_data, selection, statseg
from tests.ldap.conftest import CONTACT, directory_variables
from tests.ldap.slapd import (
    EDITORS,
    PEOPLE_AND_GROUPS,
    POSIX,
    SERVICE_PASSWORD,
    UNIQUE,
    VIEWERS,
)

pytestmark = pytest.mark.django_db

UNAVAILABLE = "The company directory does not answer; try again, or use a local account."
NO_ACCESS = f"Your company account has no access to the segment builder. Ask {CONTACT} for access."
WRONG = "Please enter a correct username and password."


def sign_in(client, uid: str, password: str | None = None):
    password = password if password is not None else PEOPLE_AND_GROUPS[uid][2]
    return client.post(reverse("login"), {"username": uid, "password": password})


def shown(response) -> str:
    # The login page's messages, as the browser shows them (quotes unescaped).
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def roles(uid: str) -> set[str]:
    user = get_user_model().objects.get(username=uid)
    return set(user.groups.values_list("name", flat=True))


def send(client):
    return client.post(reverse("builder"), builder_data(
        name="From the directory", action="send", selections=[selection(statseg(1))]))


def test_an_editor_signs_in_with_the_directory_and_may_send(directory, client, sandbox_settings):
    response = sign_in(client, "alice")
    assert response.status_code == 302 and response.url == reverse("builder")
    alice = get_user_model().objects.get(username="alice")
    assert (alice.first_name, alice.last_name, alice.email) == (
        "Alice", "Sender", "alice@intranet.example")
    assert roles("alice") == {"Segment editors"} and not alice.is_staff
    assert not alice.has_usable_password()  # the directory checks her password
    assert 'value="send"' in client.get(reverse("builder")).content.decode()
    send(client)
    assert Submission.objects.get().author == alice
    assert len(sandbox_settings.received) == 1


def test_a_viewer_signs_in_and_may_not_send(directory, client, sandbox_settings):
    assert sign_in(client, "victor").status_code == 302
    assert roles("victor") == {"Segment viewers"}
    assert 'value="send"' not in client.get(reverse("builder")).content.decode()
    assert send(client).status_code == 403
    assert sandbox_settings.received == [] and not Submission.objects.exists()
    assert client.get(reverse("history")).status_code == 200


def test_the_staff_group_opens_the_admin(directory, client):
    assert sign_in(client, "stella").status_code == 302
    stella = get_user_model().objects.get(username="stella")
    assert stella.is_staff and not stella.is_superuser
    assert roles("stella") == {"Segment viewers"}
    assert client.get("/admin/segments/submission/").status_code == 200


def test_someone_in_no_mapped_group_is_refused_and_told_whom_to_ask(directory, client):
    response = sign_in(client, "sam")
    assert response.status_code == 200
    assert NO_ACCESS in shown(response)
    assert WRONG not in shown(response)
    assert not get_user_model().objects.filter(username="sam").exists()
    assert client.get(reverse("builder")).status_code == 302  # still signed out


def test_without_a_contact_the_refusal_names_an_administrator(slapd, sign_in_env, client):
    sign_in_env(**directory_variables(slapd, ACCESS_CONTACT=""))
    response = sign_in(client, "sam")
    assert "Ask an administrator of the segment builder for access." in shown(response)


def test_a_wrong_password_is_refused_and_counts_toward_lockout(directory, client):
    response = sign_in(client, "alice", "not-her-password")
    assert response.status_code == 200 and WRONG in shown(response)
    for _ in range(4):
        response = sign_in(client, "alice", "not-her-password")
    assert response.status_code == 429
    locked = sign_in(client, "alice")  # the right password, too late
    assert locked.status_code == 429 and "Too many failed logins" in shown(locked)
    assert not get_user_model().objects.filter(username="alice").exists()


def test_moving_a_person_between_groups_changes_the_role_at_the_next_sign_in(directory, client):
    assert sign_in(client, "mila").status_code == 302
    assert roles("mila") == {"Segment editors"}
    client.post(reverse("logout"))
    directory.move("mila", from_group=EDITORS, to_group=VIEWERS)
    try:
        assert sign_in(client, "mila").status_code == 302
        assert roles("mila") == {"Segment viewers"}
        assert 'value="send"' not in client.get(reverse("builder")).content.decode()
    finally:
        directory.move("mila", from_group=VIEWERS, to_group=EDITORS)


def test_a_person_removed_from_every_group_is_refused_and_loses_the_role(directory, client):
    assert sign_in(client, "mila").status_code == 302
    client.post(reverse("logout"))
    directory.move("mila", from_group=EDITORS, to_group=None)
    try:
        response = sign_in(client, "mila")
        assert NO_ACCESS in shown(response)
        assert roles("mila") == set()
    finally:
        directory.move("mila", from_group=None, to_group=EDITORS)


def test_other_django_groups_stay_as_the_admin_set_them(directory, client):
    from django.contrib.auth.models import Group

    alice = get_user_model().objects.create_user("alice")
    alice.groups.add(Group.objects.create(name="Newsletter team"),
                     Group.objects.get(name="Segment viewers"))
    assert sign_in(client, "alice").status_code == 302
    assert roles("alice") == {"Newsletter team", "Segment editors"}


@pytest.mark.parametrize("group_type, groups", [
    ("groupOfUniqueNames", UNIQUE),
    ("posixGroup", POSIX),
])
def test_other_group_types_give_the_same_roles(slapd, sign_in_env, client, group_type, groups):
    sign_in_env(**directory_variables(
        slapd, LDAP_GROUP_TYPE=group_type, LDAP_EDITORS_GROUP=groups["editors"],
        LDAP_VIEWERS_GROUP=groups["viewers"], LDAP_STAFF_GROUP=""))
    assert sign_in(client, "alice").status_code == 302
    client.post(reverse("logout"))
    assert sign_in(client, "victor").status_code == 302
    assert NO_ACCESS in shown(sign_in(client, "mila"))
    assert (roles("alice"), roles("victor")) == ({"Segment editors"}, {"Segment viewers"})


def test_a_local_account_still_signs_in(directory, client, django_user_model):
    django_user_model.objects.create_user("service-bot", password="local-pw-for-tests-7")
    response = sign_in(client, "service-bot", "local-pw-for-tests-7")
    assert response.status_code == 302


def test_the_login_page_says_which_account_to_use(directory, client):
    page = shown(client.get(reverse("login")))
    assert "Sign in with your company account" in page
    assert "Local accounts (the first admin, service accounts) sign in here too." in page


def test_the_directory_stopped_gives_the_message_and_local_accounts_still_work(
        directory, client, django_user_model):
    django_user_model.objects.create_user("admin", password="local-pw-for-tests-8")
    directory.stop()
    try:
        response = sign_in(client, "alice")
        assert response.status_code == 200
        assert UNAVAILABLE in shown(response)
        assert sign_in(client, "admin", "local-pw-for-tests-8").status_code == 302
    finally:
        directory.start()


def test_a_directory_that_never_answers_gives_the_message_within_its_timeout(
        slapd, sign_in_env, silent_directory, client):
    sign_in_env(**directory_variables(slapd, LDAP_SERVER_URI=silent_directory, LDAP_TIMEOUT="1"))
    # One timed-out call (1 s) refuses the sign-in; the directory holds on much longer.
    with ends_within(1.0):
        response = sign_in(client, "alice")
    assert response.status_code == 200 and UNAVAILABLE in shown(response)


def test_a_directory_that_refuses_the_service_account_says_so(slapd, sign_in_env, client):
    sign_in_env(**directory_variables(slapd, LDAP_BIND_PASSWORD="not-the-service-password"))
    response = sign_in(client, "alice")
    assert response.status_code == 200
    assert "The company directory could not check this sign-in" in shown(response)


def test_the_messages_in_russian(directory, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    page = shown(client.get(reverse("login")))
    assert "Войдите с рабочей учётной записью" in page
    refused = shown(sign_in(client, "sam"))
    assert "нет доступа к конструктору сегментов" in refused and CONTACT in refused
    directory.stop()
    try:
        assert "Каталог компании не отвечает" in shown(sign_in(client, "alice"))
    finally:
        directory.start()


def test_the_bind_password_is_in_no_page_and_no_log(directory, client, caplog):
    caplog.set_level(logging.DEBUG)
    pages = [client.get(reverse("login"))]
    for uid in PEOPLE_AND_GROUPS:
        pages.append(sign_in(client, uid))
        pages.append(client.get(reverse("builder")))
        client.post(reverse("logout"))
    pages.append(sign_in(client, "alice", "wrong"))
    assert sign_in(client, "stella").status_code == 302
    pages += [client.get(url) for url in ("/admin/", "/admin/auth/user/", "/admin/auth/group/")]
    directory.stop()
    try:
        pages.append(sign_in(client, "victor"))
    finally:
        directory.start()

    secrets = [SERVICE_PASSWORD, *(password for _, _, password, _ in PEOPLE_AND_GROUPS.values())]
    texts = [page.content.decode() for page in pages]
    assert not [secret for secret in secrets for text in texts if secret in text]
    logged = [record for record in caplog.records for secret in secrets
              if secret in record.getMessage() or secret in str(record.__dict__)]
    assert logged == []
    assert any("LDAPError" in record.getMessage() for record in caplog.records)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert SERVICE_PASSWORD not in dump.getvalue()
