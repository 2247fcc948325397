"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from segbuilder.altcraft.sandbox import SandboxServer


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A running Altcraft sandbox on a free port, with the docs' token."""
    server = SandboxServer(port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox_settings(sandbox: SandboxServer, settings) -> SandboxServer:
    """The sandbox, with the Altcraft settings pointing at it."""
    settings.ALTCRAFT_API_URL = sandbox.url
    settings.ALTCRAFT_API_TOKEN = sandbox.token
    settings.ALTCRAFT_TIMEOUT = 5.0
    return sandbox


@pytest.fixture(autouse=True)
def english_between_tests() -> Iterator[None]:
    """Each test starts in English: a Russian request would otherwise leave
    its language active in the test thread for the next test."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    """Each test starts from its own rows: what each process keeps for a
    minute (the `local` cache: the authors, the long lists) would otherwise
    hold an earlier test's, whose ids a rolled-back SQLite database hands
    out again."""
    from django.core.cache import caches

    caches["local"].clear()
