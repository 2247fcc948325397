"""Small helpers that read settings from the environment and fail loudly.

Each helper raises ImproperlyConfigured naming the variable, so a typo in a
deployment stops start-up with a message instead of running half-configured.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's text; set but empty (`NAME=` in an env file) counts as unset."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if not value > minimum:
        raise ImproperlyConfigured(f"{name} must be greater than {minimum:g}, not {raw!r}.")
    return value


def env_list(name: str, default: Sequence[str] = ()) -> list[str]:
    raw = os.environ.get(name, "")
    if not raw.strip():
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number from {minimum} to {maximum}, not {raw!r}.")
    return int(raw)


def env_choice(name: str, choices: Sequence[str], default: str) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        allowed = " or ".join(choices)
        raise ImproperlyConfigured(f"{name} must be {allowed}, not {value!r}.")
    return value


def env_url(name: str, default: str) -> str:
    value = env_str(name, default)
    if not value.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name} must start with http:// or https://, not {value!r}.")
    return value if value.endswith("/") else value + "/"


def env_database(name: str, *, sqlite_path: str) -> dict:
    """The DATABASES['default'] dict: a WAL-mode SQLite file unless a URL is given."""
    url = env_str(name)
    if not url:
        return sqlite_database(sqlite_path)
    import dj_database_url

    scheme = url.split("://", 1)[0]
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgres://... or sqlite:///... URL, not one starting {scheme!r}."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} could not be read: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return sqlite_database(str(config["NAME"]))
    return dict(config)


def sqlite_database(path: str) -> dict:
    # WAL and IMMEDIATE transactions let several gunicorn workers write without
    # "database is locked" errors (see DESIGN.md, pitfalls).
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        },
    }
