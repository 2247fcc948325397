from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_has_a_csp_without_inline_scripts(client, admin_user):
    client.force_login(admin_user)
    for url in (reverse("login"), reverse("builder"), reverse("history"), "/admin/"):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy


def test_the_login_page_has_the_csp_for_anonymous_users_too(client):
    assert "default-src 'self'" in client.get(reverse("login")).headers["Content-Security-Policy"]


def test_repeated_failed_logins_lock_the_account(client, django_user_model):
    django_user_model.objects.create_user("olga", password="right-password-1")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "olga", "password": "wrong"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "olga", "password": "right-password-1"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_a_right_password_still_logs_in_after_a_few_mistakes(client, django_user_model):
    django_user_model.objects.create_user("ivan", password="right-password-2")
    for _ in range(2):
        client.post(reverse("login"), {"username": "ivan", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "ivan", "password": "right-password-2"})
    assert response.status_code == 302
