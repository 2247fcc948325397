"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from segbuilder.altcraft.sandbox import SandboxServer
from segbuilder.catalogue.loader import CACHE_KEY as CATALOGUE_CACHE_KEY


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
def fresh_caches(request) -> None:
    """Each test starts from its own rows: what each process keeps for a
    minute (the `local` cache: the authors, the long lists) would otherwise
    hold an earlier test's, whose ids a rolled-back SQLite database hands
    out again.

    A test without the database (the forms, the words of a diff) gets the
    rule-kind catalogue its migration seeds, as if already loaded; a test
    with it reads the catalogue from its database."""
    from django.core.cache import caches

    caches["local"].clear()
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db"))
    if not uses_db:
        caches["local"].set(CATALOGUE_CACHE_KEY, documented_catalogue(), None)


def documented_catalogue():
    """The seeded catalogue (segbuilder/catalogue/seed.py), without a database."""
    from segbuilder.altcraft.rulekinds import RuleKind
    from segbuilder.catalogue.loader import Catalogue, labels_of, param_spec
    from segbuilder.catalogue.seed import DOCUMENTED_KINDS

    return Catalogue(tuple(
        RuleKind(key=kind["key"], labels=labels_of(kind),
                 compo=kind["compo"], name=kind["name"], type=kind["type"],
                 operator=kind["operator"],
                 params=tuple(param_spec({"name": name, "type": type_, "label_en": en,
                                          "label_ru": ru, "choices": ""})
                              for name, type_, en, ru in kind["params"]))
        for kind in DOCUMENTED_KINDS))
