"""Indexes for a history of millions of submissions (issue: performance).

Every list is newest first and a page reads 50 or 100 rows, so each filter
gets an index that ends in the list's order: the page is read straight from
the index, and the capped count (selectors.CappedPaginator) too. The newest-
first index carries the name, so a search for a common word reads the index
only; on PostgreSQL a trigram index finds rare words (`name__icontains` is
`UPPER(name) LIKE '%WORD%'`). Altcraft ids are searched by exact value.

Written as SQL, not as Meta.indexes: the model keeps its state, and
PostgreSQL builds the indexes CONCURRENTLY, without locking out the sends
of a live history. Without the right to create the pg_trgm extension, the
trigram index is left out: search still works, reading more rows.
"""

from django.db import migrations, transaction
from django.db.utils import DatabaseError

TABLE = "segments_submission"
# (name, columns): plain indexes, the same on every database.
INDEXES = [
    ("segments_sub_kind_newest_idx", "(kind, created_at DESC, id DESC)"),
    ("segments_sub_author_newest_idx", "(author_id, created_at DESC, id DESC)"),
    ("segments_sub_altcraft_id_idx", "(altcraft_id)"),
]
NEWEST = "segments_sub_newest_idx"
TRIGRAM = "segments_sub_name_trgm_idx"


def create_indexes(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor != "postgresql":
        execute(f"CREATE INDEX IF NOT EXISTS {NEWEST} ON {TABLE} (created_at DESC, id DESC)")
        for name, columns in INDEXES:
            execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {columns}")
        return
    execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NEWEST} ON {TABLE} "
            "(created_at DESC, id DESC) INCLUDE (name)")
    for name, columns in INDEXES:
        execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} {columns}")
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return  # no right to create it: search reads more rows, and works
    execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRIGRAM} ON {TABLE} "
            "USING gin (UPPER(name) gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name in (NEWEST, *(name for name, _columns in INDEXES), TRIGRAM):
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("segments", "0006_translated_labels"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
