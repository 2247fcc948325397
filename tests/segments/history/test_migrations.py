"""Migrations that change rows already there: 0009 fills the search column
of every submission, and can be undone."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from segbuilder.segments.models import Submission

BEFORE = [("segments", "0008_covering_indexes")]
AFTER = [("segments", "0009_search_text")]
search_text_migration = importlib.import_module("segbuilder.segments.migrations.0009_search_text")


def migrate(targets) -> object:
    """Migrate to `targets`; the apps (historical models) as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def at_0008(transactional_db):
    """The database as 0008 left it; the latest schema again afterwards."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield migrate(BEFORE)
    finally:
        migrate(latest)


def old_rows(apps, names: list[str]) -> None:
    user = apps.get_model("auth", "User").objects.create(username="maria")
    old_submission = apps.get_model("segments", "Submission")
    old_submission.objects.bulk_create(
        old_submission(author_id=user.pk, name=name, kind="dynamic", format="json", payload={})
        for name in names)


def test_0009_writes_the_search_text_of_every_submission_already_there(at_0008,
                                                                        monkeypatch):
    monkeypatch.setattr(search_text_migration, "BATCH", 2)  # three batches for five rows
    names = ["Лояльные клиенты", "STRASSE", "Straße", "ÉTÉ", "plain"]
    old_rows(at_0008, names)
    migrate(AFTER)
    assert dict(Submission.objects.values_list("name", "search_text")) == {
        "Лояльные клиенты": "лояльные клиенты", "STRASSE": "strasse", "Straße": "strasse",
        "ÉTÉ": "été", "plain": "plain"}
    assert list(Submission.objects.filter(search_text__contains="лояльные")
                .values_list("name", flat=True)) == ["Лояльные клиенты"]


def test_0009_can_be_undone_and_done_again(at_0008):
    old_rows(at_0008, ["Лояльные клиенты"])
    migrate(AFTER)
    apps = migrate(BEFORE)
    old_submission = apps.get_model("segments", "Submission")
    assert [field.name for field in old_submission._meta.get_fields()
            if field.name == "search_text"] == []
    assert list(old_submission.objects.values_list("name", flat=True)) == ["Лояльные клиенты"]
    migrate(AFTER)
    assert list(Submission.objects.values_list("search_text", flat=True)) == [
        "лояльные клиенты"]
