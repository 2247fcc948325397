"""4. History at scale, on PostgreSQL: two scratch databases filled by
`benchmarks/bulk_load.py`, one with 1,000 submissions and one with a
million (the same first 1,000, then more), each served by gunicorn. Each
list URL (history list, filters, search; Django's admin list, a status
filter, a year, a search) is timed on both servers in turns, beside the login
page, and its queries are counted with 1,000 rows and with a million."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

import requests

from benchmarks.common import (
    DB_NAME,
    POSTGRES_URL,
    PY,
    ROOT,
    Env,
    Row,
    drop_database,
    fmt,
    fresh_database,
    gunicorn,
    logged_in_session,
    prepare_database,
)

SMALL_DB_NAME = DB_NAME + "_small"
ROWS = int(os.environ.get("BENCH_HISTORY_ROWS", "1000000"))
# Enough that every filter of pages() matches some of them.
FIRST_ROWS = 1000
REPEAT = 31
# Budgets: each URL with a million rows against the same URL with FIRST_ROWS,
# and the history's against the login page too.
HISTORY_GROWTH, HISTORY_LOGIN, ADMIN_GROWTH = 1.3, 3.0, 1.5
ADMIN = "/admin/segments/submission/"


@dataclass(frozen=True)
class Page:
    what: str
    url: str
    growth: float  # budget: time with ROWS / time with FIRST_ROWS
    login: float | None  # budget: time / the login page's, if any


# The code that ends the first name (set once it is loaded): a rare search
# that matches rows with 1,000 rows and with a million.
rare_words = "pilot"


def pages() -> list[Page]:
    month = date.today().replace(day=1) - timedelta(days=200)
    end = (month + timedelta(days=40)).replace(day=1) - timedelta(days=1)
    year_ago = date.today() - timedelta(days=365)
    history = [
        ("history list", "/history/"),
        ("history list, page 5", "/history/?page=5"),
        ("history filtered by status", "/history/?status=rejected"),
        ("history filtered by kind", "/history/?kind=static"),
        ("history filtered by author", "/history/?author=author03"),
        ("history filtered by a month",
         f"/history/?date_from={month:%Y-%m-%d}&date_to={end:%Y-%m-%d}"),
        ("history, all filters at once", "/history/?status=created&kind=dynamic"
         f"&author=author07&date_from={year_ago:%Y-%m-%d}"),
        ("history search, a common word", "/history/?q=loyal"),
        ("history search, a rare code", f"/history/?q={quote(rare_words)}"),
    ]
    admin = [
        ("admin list", ADMIN),
        ("admin list filtered by status", ADMIN + "?status__exact=rejected"),
        ("admin list, one year", ADMIN + f"?created_at__year={month.year}"),
        ("admin search, a common word", ADMIN + "?q=loyal"),
    ]
    return ([Page(what, url, HISTORY_GROWTH, HISTORY_LOGIN) for what, url in history]
            + [Page(what, url, ADMIN_GROWTH, None) for what, url in admin])


def run(env: Env) -> list[Row]:
    big = Env(database_url=fresh_database(POSTGRES_URL, DB_NAME), static_root=env.static_root)
    small = Env(database_url=fresh_database(POSTGRES_URL, SMALL_DB_NAME),
                static_root=env.static_root)
    try:
        return _measure(big, small)
    finally:
        if not os.environ.get("BENCH_KEEP_DB"):
            drop_database(POSTGRES_URL, DB_NAME)
            drop_database(POSTGRES_URL, SMALL_DB_NAME)


def _measure(big: Env, small: Env) -> list[Row]:
    prepare_database(small)
    subprocess.run([PY, "-m", "benchmarks.bulk_load", "--count", str(FIRST_ROWS), "--seed", "1"],
                   cwd=ROOT, env=small.vars(), check=True, stdout=subprocess.DEVNULL)
    prepare_database(big)
    os.environ.update(big.vars())
    import django

    django.setup()
    # Only now: the loader imports the models, which need Django set up for
    # this database.
    from benchmarks.bulk_load import bulk_load

    bulk_load(count=FIRST_ROWS, seed=1)
    _pick_rare_words()
    few = _query_counts()
    started = time.perf_counter()
    bulk_load(count=ROWS - FIRST_ROWS, seed=2)
    loaded = time.perf_counter() - started
    many = _query_counts()
    rows = [Row("4", f"bulk load of {ROWS - FIRST_ROWS:,} submissions (COPY, VACUUM ANALYZE)",
                fmt(loaded, "s"), "—", "—", "—", None)]
    with gunicorn(big, workers=1) as big_server, gunicorn(small, workers=1) as small_server:
        big_session = logged_in_session(big_server.base)
        small_session = logged_in_session(small_server.base)
        anonymous = requests.Session()
        for page in pages():
            login, at_first, at_rows = _interleaved(
                lambda: _get(anonymous, big_server.base + "/login/"),
                lambda url=page.url: _get(small_session, small_server.base + url),
                lambda url=page.url: _get(big_session, big_server.base + url))
            growth = at_rows / at_first
            rows.append(Row("4", f"{page.what} `{page.url}`, {ROWS:,} rows against {FIRST_ROWS:,}",
                            fmt(at_rows, "ms"), f"{fmt(at_first, 'ms')} ({FIRST_ROWS:,} rows)",
                            f"{growth:.2f}×", f"≤ {page.growth:g}×", growth <= page.growth))
            if page.login is not None:
                ratio = at_rows / login
                rows.append(Row("4", f"{page.what}, {ROWS:,} rows, against the login page",
                                fmt(at_rows, "ms"), f"{fmt(login, 'ms')} (login page)",
                                f"{ratio:.2f}×", f"≤ {page.login:g}×", ratio <= page.login))
    for page in pages():
        rows.append(Row("4", f"queries of the {page.what}", f"{many[page.url]} with {ROWS:,} rows",
                        f"{few[page.url]} with {FIRST_ROWS:,} rows", "—", "the same",
                        many[page.url] == few[page.url]))
    return rows


def _pick_rare_words() -> None:
    """The code that ends the first name: six random letters and digits."""
    global rare_words
    from segbuilder.segments.models import Submission

    rare_words = Submission.objects.order_by("pk").values_list("name", flat=True)[0].rsplit(
        " ", 1)[1]


def _interleaved(*runs: Callable[[], float]) -> list[float]:
    """Median times of each of `runs`, taken in turns so that all see the
    same moments of a shared machine (the first two rounds warm up)."""
    times: list[list[float]] = [[] for _ in runs]
    for number in range(REPEAT + 2):
        for run, taken in zip(runs, times, strict=True):
            elapsed = run()
            if number >= 2:
                taken.append(elapsed)
    return [statistics.median(taken) for taken in times]


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
    for page in pages():
        url = page.url
        client.get(url)  # the first request of a process does one-off queries
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts[url] = len(queries)
    return counts
