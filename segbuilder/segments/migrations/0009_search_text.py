"""The search column (issue: history and admin on stock Django).

Searches look in `search_text`, the case-folded name (models.search_text_of),
with a plain `contains` of the case-folded query: the same on SQLite, whose
LIKE folds ASCII letters only, and on PostgreSQL. This migration adds the
column, fills it for the rows already there in batches (each batch its own
transaction, so a live history keeps taking sends), and on PostgreSQL moves
0007's two name indexes onto it: the trigram index that finds rare words,
and the newest-first index that carries what a search reads.

Non-atomic for the batches and for CREATE INDEX CONCURRENTLY. Backwards, the
indexes go back to the name and the column is dropped.
"""

from django.db import migrations, models, transaction
from django.db.utils import DatabaseError

TABLE = "segments_submission"
NEWEST = "segments_sub_newest_idx"
OLD_TRIGRAM = "segments_sub_name_trgm_idx"
TRIGRAM = "segments_sub_search_trgm_idx"
BATCH = 2000


def fill_search_text(apps, schema_editor):
    """search_text_of(name) for every row, BATCH rows at a time, by id."""
    submissions = apps.get_model("segments", "Submission").objects.using(
        schema_editor.connection.alias)
    last = 0
    while True:
        rows = list(submissions.filter(pk__gt=last).order_by("pk").only("pk", "name")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.search_text = row.name.casefold()  # models.search_text_of, as it is today
        with transaction.atomic(using=schema_editor.connection.alias):
            submissions.bulk_update(rows, ["search_text"])
        last = rows[-1].pk


def index_search_text(apps, schema_editor):
    _swap_indexes(schema_editor, column="search_text", trigram=TRIGRAM, old_trigram=OLD_TRIGRAM)


def index_name(apps, schema_editor):
    _swap_indexes(schema_editor, column="name", trigram=OLD_TRIGRAM, old_trigram=TRIGRAM)


def _swap_indexes(schema_editor, *, column: str, trigram: str, old_trigram: str) -> None:
    """PostgreSQL: the newest-first index INCLUDEs `column`, and the trigram
    index is on it (0007's forms for the name). Each new index is built
    beside the old one, then swapped in: the lists keep an index meanwhile."""
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's plain newest-first index carries no column; no trigrams
    execute = schema_editor.execute
    building = f"{NEWEST}_new"
    execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building}")
    execute(f"CREATE INDEX CONCURRENTLY {building} ON {TABLE} "
            f"(created_at DESC, id DESC) INCLUDE ({column})")
    execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEWEST}")
    execute(f"ALTER INDEX {building} RENAME TO {NEWEST}")
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return  # no right to create it (see 0007): search reads more rows, and works
    # 0007 indexed UPPER(name) for icontains; `contains` on the folded text needs no UPPER.
    expression = "UPPER(name)" if column == "name" else column
    execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {trigram} ON {TABLE} "
            f"USING gin ({expression} gin_trgm_ops)")
    execute(f"DROP INDEX CONCURRENTLY IF EXISTS {old_trigram}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("segments", "0008_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False,
                                   verbose_name="search text"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index_search_text, index_name, elidable=False),
    ]
