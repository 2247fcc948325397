"""Start-up refuses bad settings with a message naming the variable. Each case
runs Django's set-up in a fresh process, as gunicorn or manage.py would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD = {"DEBUG": "false", "SECRET_KEY": "a-long-enough-secret-for-tests"}


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "ALTCRAFT_FORMAT", "SECRET_KEY", "DEBUG",
                          "ALTCRAFT_TIMEOUT", "ALTCRAFT_API_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "segbuilder.settings", **env},
    )


def test_good_settings_start():
    result = start_django(**GOOD)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", "mysql://root@localhost/db"),
    ("DATABASE_URL", "not a url"),
    ("ALTCRAFT_FORMAT", "yaml"),
    ("ALTCRAFT_TIMEOUT", "soon"),
    ("ALTCRAFT_TIMEOUT", "0"),
    ("ALTCRAFT_API_URL", "ftp://altcraft.example/api/v1.1/"),
    ("DEBUG", "maybe"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    result = start_django(**{**GOOD, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must" in result.stderr


def test_without_debug_a_secret_key_is_required():
    result = start_django(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_postgres_url_selects_postgresql():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         "print(settings.DATABASES['default']['ENGINE'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, **GOOD, "DJANGO_SETTINGS_MODULE": "segbuilder.settings",
             "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"},
    )
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


def test_sqlite_by_default_uses_wal_and_immediate_transactions(settings):
    from segbuilder.env import env_database

    config = env_database("UNSET_DATABASE_URL_FOR_TEST", sqlite_path="/tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
