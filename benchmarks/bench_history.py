"""4. History at scale, on PostgreSQL: a million submissions loaded with
`manage.py bulk_load_submissions`, then the history list, its filters, its
search and the admin list timed through gunicorn against the login page in
the same run, and their queries counted with 50 rows and with a million."""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, timedelta
from urllib.parse import quote

import requests

from benchmarks.common import (
    Env,
    Row,
    drop_database,
    fmt,
    fresh_database,
    gunicorn,
    logged_in_session,
    prepare_database,
)

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "segbuilder_bench"
ROWS = int(os.environ.get("BENCH_HISTORY_ROWS", "1000000"))
# Enough that every filter of pages() matches some of them.
FIRST_ROWS = 1000
REPEAT = 21
LIST_LIMIT, SEARCH_LIMIT = 2.0, 5.0
ADMIN = "/admin/segments/submission/"


# The code that ends the first name (set once it is loaded): a rare search
# that matches rows with 200 rows and with a million.
rare_words = "pilot"


def pages() -> list[tuple[str, str, float]]:
    """(what, URL, budget as a multiple of the login page)."""
    month = date.today().replace(day=1) - timedelta(days=200)
    end = (month + timedelta(days=40)).replace(day=1) - timedelta(days=1)
    year_ago = date.today() - timedelta(days=365)
    return [
        ("history list", "/history/", LIST_LIMIT),
        ("history list, page 5", "/history/?page=5", LIST_LIMIT),
        ("history filtered by status", "/history/?status=rejected", LIST_LIMIT),
        ("history filtered by kind", "/history/?kind=static", LIST_LIMIT),
        ("history filtered by author", "/history/?author=author03", LIST_LIMIT),
        ("history filtered by a month",
         f"/history/?date_from={month:%Y-%m-%d}&date_to={end:%Y-%m-%d}", LIST_LIMIT),
        ("history, all filters at once", "/history/?status=created&kind=dynamic"
         f"&author=author07&date_from={year_ago:%Y-%m-%d}", LIST_LIMIT),
        ("history search, a common word", "/history/?q=loyal", SEARCH_LIMIT),
        ("history search, a rare code", f"/history/?q={quote(rare_words)}", SEARCH_LIMIT),
        ("admin list", ADMIN, LIST_LIMIT),
        ("admin list filtered by status", ADMIN + "?status__exact=rejected", LIST_LIMIT),
        ("admin list, one year", ADMIN + f"?created_at__year={month.year}", LIST_LIMIT),
        ("admin search, a common word", ADMIN + "?q=loyal", SEARCH_LIMIT),
    ]


def run(env: Env) -> list[Row]:
    env = Env(database_url=fresh_database(ADMIN_URL, DB_NAME), static_root=env.static_root)
    try:
        return _measure(env)
    finally:
        if not os.environ.get("BENCH_KEEP_DB"):
            drop_database(ADMIN_URL, DB_NAME)


def _measure(env: Env) -> list[Row]:
    prepare_database(env)
    os.environ.update(env.vars())
    import django

    django.setup()
    from django.core.management import call_command

    call_command("bulk_load_submissions", count=FIRST_ROWS, seed=1, verbosity=0)
    _pick_rare_words()
    few = _query_counts()
    small = _list_time(env)
    started = time.perf_counter()
    call_command("bulk_load_submissions", count=ROWS - FIRST_ROWS, seed=2, verbosity=0)
    loaded = time.perf_counter() - started
    many = _query_counts()
    rows = [Row("4", f"bulk load of {ROWS - FIRST_ROWS:,} submissions (COPY, VACUUM ANALYZE)",
                fmt(loaded, "s"), "—", "—", "—", None)]
    with gunicorn(env, workers=1) as server:
        session = logged_in_session(server.base)
        anonymous = requests.Session()
        for what, url, limit in pages():
            login, page = _interleaved(anonymous, session, server.base, url)
            ratio = page / login
            rows.append(Row("4", f"{what} `{url}`", fmt(page, "ms"),
                            f"{fmt(login, 'ms')} (login page)", f"{ratio:.2f}×",
                            f"≤ {limit:g}×", ratio <= limit))
            if url == "/history/":
                rows.append(Row("4", f"history list with {ROWS:,} rows against {FIRST_ROWS:,}",
                                fmt(page, "ms"), f"{fmt(small, 'ms')} ({FIRST_ROWS:,} rows)",
                                f"{page / small:.2f}×", "—", None))
    for what, url, _limit in pages():
        rows.append(Row("4", f"queries of the {what}", f"{many[url]} with {ROWS:,} rows",
                        f"{few[url]} with {FIRST_ROWS:,} rows", "—", "the same",
                        many[url] == few[url]))
    return rows


def _pick_rare_words() -> None:
    """The code that ends the first name: six random letters and digits."""
    global rare_words
    from segbuilder.segments.models import Submission

    rare_words = Submission.objects.order_by("pk").values_list("name", flat=True)[0].rsplit(
        " ", 1)[1]


def _list_time(env: Env) -> float:
    """The history list's median time while the history is small."""
    with gunicorn(env, workers=1) as server:
        session = logged_in_session(server.base)
        return _interleaved(requests.Session(), session, server.base, "/history/")[1]


def _interleaved(anonymous: requests.Session, session: requests.Session, base: str,
                 url: str) -> tuple[float, float]:
    """Median times of the login page and of `url`, taken in turns."""
    logins, times = [], []
    for number in range(REPEAT + 2):
        login = _get(anonymous, base + "/login/")
        page = _get(session, base + url)
        if number >= 2:  # warm-up
            logins.append(login)
            times.append(page)
    return statistics.median(logins), statistics.median(times)


def _get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=120, allow_redirects=False)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed


def _query_counts() -> dict[str, int]:
    """The queries each page makes, through Django's test client."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(is_superuser=True))
    counts = {}
    for _what, url, _limit in pages():
        client.get(url)  # the first request of a process does one-off queries
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts[url] = len(queries)
    return counts
