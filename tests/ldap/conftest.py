"""The directory of the sign-in tests, and the app pointed at it through the
same environment variables a deployment sets."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from segbuilder.directory import sign_in_backends, sign_in_settings
from tests.ldap.slapd import (
    EDITORS,
    GROUPS,
    PEOPLE,
    SERVICE_DN,
    SERVICE_PASSWORD,
    STAFF,
    VIEWERS,
    Slapd,
    slapd_missing,
)

CONTACT = "the marketing IT desk (it@intranet.example)"
SIGN_IN_VARIABLES = ("LDAP_", "ACCESS_CONTACT", "REMOTE_USER_HEADER", "TRUSTED_PROXIES")


@pytest.fixture(scope="session")
def slapd(tmp_path_factory) -> Iterator[Slapd]:
    """One directory server for the whole run, stopped at the end whatever
    happened (and killed by the kernel if the test process dies)."""
    missing = slapd_missing()
    if missing:
        pytest.skip(missing)
    server = Slapd(tmp_path_factory.mktemp("slapd"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def sign_in_variables(monkeypatch):
    """Clears the machine's sign-in variables; returns a setter for them."""
    for name in list(os.environ):
        if name.startswith(SIGN_IN_VARIABLES):
            monkeypatch.delenv(name)

    def set_variables(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


@pytest.fixture
def sign_in_env(sign_in_variables, settings):
    """Sets sign-in variables, then the settings exactly as settings.py
    builds them from the environment at start-up."""

    def configure(**variables: str) -> None:
        sign_in_variables(**variables)
        for name, value in sign_in_settings().items():
            setattr(settings, name, value)
        axes, *_, local_accounts = settings.AUTHENTICATION_BACKENDS
        settings.AUTHENTICATION_BACKENDS = [axes, *sign_in_backends(), local_accounts]

    return configure


def directory_variables(slapd: Slapd, **overrides: str) -> dict[str, str]:
    return {
        "LDAP_SERVER_URI": slapd.uri,
        "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "LDAP_USER_SEARCH": PEOPLE,
        "LDAP_GROUP_SEARCH": GROUPS,
        "LDAP_EDITORS_GROUP": EDITORS,
        "LDAP_VIEWERS_GROUP": VIEWERS,
        "LDAP_STAFF_GROUP": STAFF,
        "LDAP_TIMEOUT": "2",
        "ACCESS_CONTACT": CONTACT,
        **overrides,
    }


@pytest.fixture
def directory(slapd, sign_in_env, db) -> Slapd:
    """The app signs people in against the test directory."""
    sign_in_env(**directory_variables(slapd))
    return slapd


@pytest.fixture
def silent_directory() -> Iterator[str]:
    """An address that accepts connections and never answers: a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"ldap://127.0.0.1:{listener.getsockname()[1]}"
