"""Filter indexes that carry the other filters' columns (issue: performance).

A history filtered by several things at once (an author, a status and a
kind) walked one filter's index and read each row from the table to check
the others: about a thousand table reads for a page and its capped count.
On PostgreSQL the author, status and kind indexes now INCLUDE the other
filter columns, so those checks and the capped count read the index only.
The status index joins 0007's as SQL (built CONCURRENTLY, without locking
out the sends of a live history) and ends in `id` like the others; the
model's own status index is dropped. SQLite has no INCLUDE: it keeps plain
indexes of the same names.
"""

from django.db import migrations

TABLE = "segments_submission"
# (name, columns, included columns)
INDEXES = [
    ("segments_sub_author_newest_idx", "(author_id, created_at DESC, id DESC)", "(status, kind)"),
    ("segments_sub_status_newest_idx", "(status, created_at DESC, id DESC)", "(kind, author_id)"),
    ("segments_sub_kind_newest_idx", "(kind, created_at DESC, id DESC)", "(status, author_id)"),
]


def create_indexes(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor != "postgresql":
        # No INCLUDE: 0007's plain indexes stay, and the status one is added.
        for name, columns, _included in INDEXES:
            execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {columns}")
        return
    for name, columns, included in INDEXES:
        # Built beside the old one, then swapped in: the list keeps an index meanwhile.
        building = f"{name}_new"
        execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building}")
        execute(f"CREATE INDEX CONCURRENTLY {building} ON {TABLE} {columns} INCLUDE {included}")
        execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        execute(f"ALTER INDEX {building} RENAME TO {name}")


def drop_included_columns(apps, schema_editor):
    """Back to 0007's indexes: the same names, without INCLUDE."""
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name, columns, _included in INDEXES:
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")
        if name != "segments_sub_status_newest_idx":  # not in 0007
            schema_editor.execute(f"CREATE INDEX {concurrently}{name} ON {TABLE} {columns}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("segments", "0007_history_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_included_columns, elidable=False),
        migrations.RemoveIndex(
            model_name="submission",
            name="segments_su_status_1094fe_idx",
        ),
    ]
