"""Fill the history with made-up submissions, fast, to see how the history
pages and the admin behave with years of it (a benchmark tool, not a command
of the app):

    DJANGO_SETTINGS_MODULE=segbuilder.settings DEBUG=true \
        .venv/bin/python -m benchmarks.bulk_load [--count N] [--authors N] [--days N] [--seed N]


On PostgreSQL the rows go in through COPY (a million in about a minute),
followed by VACUUM ANALYZE;
elsewhere through bulk_create in large batches. The rows look like real ones:
spread over `--days` up to now (newest with the highest ids), a few authors,
mostly created with some rejected, failed and unknown, names made of campaign
words, and real payloads of one to ten rules. Never run it on a real server:
the rows cannot be told from real history.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import uuid
from collections.abc import Iterator
from typing import Any

import django

if __name__ == "__main__":  # run as a script: Django is set up before the models load
    from segbuilder.startup import settings_or_exit

    settings_or_exit()
    django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection  # noqa: E402
from segbuilder.segments.models import Submission, search_text_of  # noqa: E402

STATUS_WEIGHTS = {
    Submission.Status.CREATED: 90, Submission.Status.REJECTED: 5, Submission.Status.FAILED: 2,
    Submission.Status.UNKNOWN: 2, Submission.Status.NOT_CREATED: 1,
}
KIND_WEIGHTS = {Kind.DYNAMIC: 60, Kind.UPDATABLE: 25, Kind.STATIC: 15}
# Words of segment names (three, then a code): about one name in twenty holds
# any given word.
NAME_WORDS = (
    "spring summer autumn winter black friday cyber monday new year loyal vip churned "
    "dormant active premium trial welcome onboarding reactivation newsletter digest promo "
    "sale clearance launch webinar survey feedback birthday anniversary referral partner "
    "retail wholesale mobile desktop email sms push moscow london berlin paris weekly "
    "monthly quarterly test pilot"
).split()
CODE_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
PAYLOAD_VARIANTS = 40
BATCH = 5_000


def bulk_load(*, count: int = 1_000_000, authors: int = 20, days: int = 3 * 365,
              seed: int = 1) -> None:
    """Add `count` submissions by `authors` authors (made if missing), spread
    over `days` days up to now."""
    if count < 0 or authors < 1 or days < 1:
        raise ValueError("count must be 0 or more, authors and days 1 or more")
    load = _copy if connection.vendor == "postgresql" else _insert_many
    load(count, author_ids=_authors(authors), days=days, rng=random.Random(seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000,
                        help="how many submissions to add (default 1,000,000)")
    parser.add_argument("--authors", type=int, default=20,
                        help="spread over this many authors, made if missing (default 20)")
    parser.add_argument("--days", type=int, default=3 * 365,
                        help="spread over this many days up to now (default 3 years)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    arguments = parser.parse_args()
    bulk_load(count=arguments.count, authors=arguments.authors, days=arguments.days,
              seed=arguments.seed)
    print(f"Added {arguments.count} submissions by {arguments.authors} authors over "
          f"{arguments.days} days.")


def _authors(count: int) -> list[int]:
    user_model = get_user_model()
    ids = []
    for number in range(1, count + 1):
        lookup: dict[str, Any] = {user_model.USERNAME_FIELD: f"author{number:02}"}
        user, _ = user_model.objects.get_or_create(**lookup)
        ids.append(user.pk)
    return ids


COLUMNS = ("created_at", "finished_at", "author_id", "name", "kind", "format", "payload",
           "status", "altcraft_id", "error_code", "error_text", "answer", "duration_ms", "key",
           "search_text", "action")


def _rows(count: int, *, author_ids: list[int], days: int, payloads: list,
          rng: random.Random) -> Iterator[tuple]:
    """One tuple per submission, in COLUMNS order, oldest first; the payload
    is one of `payloads`."""
    statuses, status_weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    kinds, kind_weights = zip(*KIND_WEIGHTS.items(), strict=True)
    now = timezone.now()
    start = now - datetime.timedelta(days=days)
    step = datetime.timedelta(days=days) / max(count, 1)
    for number in range(count):
        created_at = start + step * number
        status = rng.choices(statuses, status_weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        name = " ".join(rng.sample(NAME_WORDS, 3)).capitalize() + " " + _code(rng)
        took = rng.randint(40, 900)
        created = status == Submission.Status.CREATED
        rejected = status == Submission.Status.REJECTED
        yield (
            created_at, created_at + datetime.timedelta(milliseconds=took),
            rng.choice(author_ids), name, kind.value, "xml" if number % 5 == 0 else "json",
            payloads[number % PAYLOAD_VARIANTS], status.value,
            1_000_000 + number if created else None, 400 if rejected else None,
            "Invalid list_id" if rejected else "",
            json.dumps({"error": 0, "data": {"saved_id": 1_000_000 + number}}) if created else "",
            took, uuid.UUID(int=rng.getrandbits(128), version=4), search_text_of(name),
            Submission.Action.CREATE.value,
        )


def _code(rng: random.Random) -> str:
    """A campaign code, as names often end with: six letters and digits."""
    return "".join(rng.choices(CODE_CHARACTERS, k=6))


def _payload(rng: random.Random, number: int) -> dict:
    rules = [Rule("profile", f"field_{n}", "string", "contains",
                  params=[Param("value", f"value {n}")]) for n in range(rng.randint(1, 10))]
    segment = Segment(name=f"Segment {number}", kind=Kind.DYNAMIC,
                      selections=[Selection(list_id=rng.randint(1, 9), rules=rules)])
    return segment.to_payload()


def _table_and_columns() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(Submission._meta.db_table), ", ".join(quote(column) for column in COLUMNS)


def _copy(count: int, **kwargs) -> None:
    """PostgreSQL: one COPY, the payload given as JSON text."""
    payloads = [_payload(kwargs["rng"], number) for number in range(PAYLOAD_VARIANTS)]
    texts = {id(payload): json.dumps(payload, ensure_ascii=False) for payload in payloads}
    table, columns = _table_and_columns()
    with transaction.atomic(), connection.cursor() as cursor:
        # New search trigrams wait in the GIN index's pending list, merged once by
        # the VACUUM below instead of row by row (several times faster).
        cursor.execute("SET LOCAL gin_pending_list_limit = '512MB'")
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in _rows(count, payloads=payloads, **kwargs):
                copy.write_row((*row[:6], texts[id(row[6])], *row[7:]))
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
            cursor.execute(f"ANALYZE {table}")
            return
        # What autovacuum would soon do: fresh statistics for the planner, the
        # visibility map that lets counts read the indexes alone, and the GIN
        # pending list merged.
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("RESET maintenance_work_mem")


def _insert_many(count: int, **kwargs) -> None:
    """Other databases: executemany in batches, values prepared by the model's
    own fields (auto_now_add would replace created_at in bulk_create)."""
    payloads = [_payload(kwargs["rng"], number) for number in range(PAYLOAD_VARIANTS)]
    fields: list[Any] = [Submission._meta.get_field(column) for column in COLUMNS]
    table, columns = _table_and_columns()
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with transaction.atomic(), connection.cursor() as cursor:
        batch = []
        for row in _rows(count, payloads=payloads, **kwargs):
            batch.append([field.get_db_prep_save(value, connection)
                          for field, value in zip(fields, row, strict=True)])
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


if __name__ == "__main__":
    main()
