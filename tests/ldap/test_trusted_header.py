"""The trusted sign-in header: a single-sign-on proxy names the person in
REMOTE_USER_HEADER, honoured only from TRUSTED_PROXIES."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.ldap.conftest import directory_variables

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
HEADER = {"REMOTE_USER_HEADER": "X-Remote-User", "TRUSTED_PROXIES": f"{PROXY},10.9.0.0/16"}


def visit(client, person: str, *, address: str = PROXY):
    return client.get(reverse("builder"), headers={"X-Remote-User": person}, REMOTE_ADDR=address)


@pytest.fixture
def header_and_directory(slapd, sign_in_env):
    sign_in_env(**directory_variables(slapd), **HEADER)


def test_the_proxy_signs_in_an_editor_with_roles_from_the_directory(header_and_directory, client):
    response = visit(client, "alice")
    assert response.status_code == 200 and 'value="send"' in response.content.decode()
    alice = get_user_model().objects.get(username="alice")
    assert alice.email == "alice@intranet.example"
    assert set(alice.groups.values_list("name", flat=True)) == {"Segment editors"}
    assert visit(client, "alice", address="10.9.3.4").status_code == 200  # the proxies' network


def test_a_header_from_anyone_but_the_proxies_means_nothing(header_and_directory, client):
    response = visit(client, "alice", address="192.0.2.10")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not get_user_model().objects.filter(username="alice").exists()


def test_a_header_user_is_signed_out_when_the_header_is_gone(header_and_directory, client):
    assert visit(client, "victor").status_code == 200
    assert client.get(reverse("builder"), REMOTE_ADDR=PROXY).status_code == 302


def test_someone_in_no_group_gets_nothing_and_locks_out_nobody(header_and_directory, client):
    for _ in range(8):
        response = visit(client, "sam")
        assert response.status_code == 302  # to the login page, not the lockout page
    assert not get_user_model().objects.filter(username="sam").exists()
    assert visit(client, "alice").status_code == 200


def test_without_a_directory_a_local_account_keeps_its_groups(sign_in_env, client,
                                                              django_user_model):
    sign_in_env(**HEADER)
    olga = django_user_model.objects.create_user("olga")
    olga.groups.add(Group.objects.get(name="Segment viewers"))
    response = visit(client, "olga")
    assert response.status_code == 200 and 'value="send"' not in response.content.decode()
    client.logout()
    assert visit(client, "nobody-known").status_code == 302
    assert not django_user_model.objects.filter(username="nobody-known").exists()
