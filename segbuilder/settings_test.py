"""Settings for the test suite: the real settings with test-only defaults.

pytest-django loads settings before any conftest runs, so the defaults that
would otherwise come from the environment are set here.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("ALTCRAFT_API_TOKEN", "test-token-never-leaks-4f1e")

from segbuilder.settings import *  # noqa: E402,F403

# Plain storage: tests render pages without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
