"""Create the first admin account, once, with a random password printed once."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an 'admin' superuser with a random password if no superuser exists."

    def handle(self, *args, **options) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("Log in with your existing admin account.")
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser("admin", password=password)
        self.stdout.write(self.style.SUCCESS(
            f"Created the admin account. Log in as: admin / {password}\n"
            "This password is shown only once: note it, or change it in the admin."
        ))
