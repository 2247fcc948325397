"""The people of the segments tests: an editor (may send) and a viewer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group


@pytest.fixture
def user(django_user_model):
    """Maria, a "Segment editors" member: she may send."""
    user = django_user_model.objects.create_user("maria", password="pw-for-tests-1")
    user.groups.add(Group.objects.get(name="Segment editors"))
    return user


@pytest.fixture
def logged_in(client, user):
    """A test client logged in as Maria, the editor."""
    client.force_login(user)
    return client


@pytest.fixture
def editor(logged_in):
    return logged_in


@pytest.fixture
def viewer(client, django_user_model):
    """A test client logged in as Victor, a "Segment viewers" member."""
    user = django_user_model.objects.create_user("victor", password="pw-for-tests-2")
    user.groups.add(Group.objects.get(name="Segment viewers"))
    client.force_login(user)
    return client
