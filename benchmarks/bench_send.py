"""3. Send overhead and 6. memory: the app under gunicorn sends 10-rule
segments to the sandbox Altcraft (a process of its own) as a logged-in
editor's browser does: the builder form with its CSRF token, a history row
written before and after the call, the redirect to the result followed.
The overhead is measured on SQLite and on a scratch PostgreSQL database,
each against a direct `requests.post` of the same payload to the same
sandbox, the two taken in turns."""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
import time
import uuid
from collections.abc import Iterator

import requests

from benchmarks.common import (
    DB_NAME,
    POSTGRES_URL,
    Env,
    Row,
    drop_database,
    fmt,
    fresh_database,
    gunicorn,
    logged_in_session,
    prepare_database,
    rss_bytes,
    sandbox,
)
from benchmarks.shapes import send_post
from segbuilder.altcraft import codec
from segbuilder.altcraft.client import with_token
from segbuilder.altcraft.sandbox import DOCS_TOKEN
from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection

RULES = 10
SENDS = 200
WARMUP = 5
OVERHEAD_LIMIT = 0.015  # seconds over the direct post
MEMORY_SENDS = 1000
MEMORY_LIMIT = 1.5
SEND_DB_NAME = DB_NAME + "_send"


def run_overhead(env: Env) -> list[Row]:
    rows = [_overhead_row("SQLite", env)]
    postgres = dataclasses.replace(env, database_url=fresh_database(POSTGRES_URL, SEND_DB_NAME))
    try:
        prepare_database(postgres)
        rows.append(_overhead_row("PostgreSQL", postgres))
    finally:
        drop_database(POSTGRES_URL, SEND_DB_NAME)
    return rows


def _overhead_row(database: str, env: Env) -> Row:
    app_times: list[float] = []
    direct_times: list[float] = []
    with _app(env) as (session, base, altcraft_url):
        _check_same_payload(session, base, altcraft_url)
        for number in range(WARMUP + SENDS):
            key = str(uuid.uuid4())
            app = _timed(lambda key=key: _send_through_app(session, base, key))
            body = _direct_body(_name(key))
            direct = _timed(lambda body=body: _post_direct(altcraft_url, body))
            if number >= WARMUP:
                app_times.append(app)
                direct_times.append(direct)
    app_median, direct_median = statistics.median(app_times), statistics.median(direct_times)
    overhead = app_median - direct_median
    return Row("3", f"send of a {RULES}-rule segment as a browser makes it (the builder POST "
               f"and the redirect it follows), gunicorn, {database}, median of {SENDS}",
               fmt(app_median, "ms"),
               f"{fmt(direct_median, 'ms')} (requests.post of the same payload to the sandbox)",
               f"+{fmt(overhead, 'ms')}", f"≤ +{OVERHEAD_LIMIT * 1000:g} ms",
               overhead <= OVERHEAD_LIMIT)


def run_memory(env: Env) -> list[Row]:
    with sandbox(env) as altcraft_url:
        app_env = dataclasses.replace(env, altcraft_url=altcraft_url)
        with gunicorn(app_env, workers=1) as server:
            (worker,) = server.worker_pids()
            session = logged_in_session(server.base)
            _send_through_app(session, server.base, str(uuid.uuid4()))
            after_first = rss_bytes(worker)
            for _ in range(MEMORY_SENDS - 1):
                _send_through_app(session, server.base, str(uuid.uuid4()))
            peak = rss_bytes(worker, "VmHWM")
    ratio = peak / after_first
    return [Row("6", f"worker's peak memory after {MEMORY_SENDS:,} sends", fmt(peak, "MiB"),
                f"{fmt(after_first, 'MiB')} (after the first send)", f"{ratio:.2f}×",
                f"≤ {MEMORY_LIMIT:g}×", ratio <= MEMORY_LIMIT)]


@contextlib.contextmanager
def _app(env: Env) -> Iterator[tuple[requests.Session, str, str]]:
    """(an editor's session, the app's address, the sandbox's API URL)."""
    with sandbox(env) as altcraft_url:
        app_env = dataclasses.replace(env, altcraft_url=altcraft_url)
        with gunicorn(app_env, workers=1) as server:
            yield logged_in_session(server.base), server.base, altcraft_url


def _check_same_payload(session: requests.Session, base: str, altcraft_url: str) -> None:
    """The baseline posts what the app posts: one segment sent each way, the
    same name, read back from the sandbox the same (all but its id, and the
    subscriber count the sandbox makes up)."""
    key = str(uuid.uuid4())
    _send_through_app(session, base, key)
    (app_id,) = [item["id"] for item in _call(altcraft_url, "segments/list/", {})["data"]
                 if item["name"] == _name(key)]
    direct_id = _post_direct(altcraft_url, _direct_body(_name(key)))
    app, direct = (_call(altcraft_url, "segments/get/", {"id": segment_id})["data"]
                   for segment_id in (app_id, direct_id))
    if {**app, "id": None, "count": None} != {**direct, "id": None, "count": None}:
        raise RuntimeError(f"the direct post differs from the app's:\n{app}\n{direct}")


def _call(altcraft_url: str, method: str, params: dict) -> dict:
    response = requests.post(altcraft_url + method, json={**params, "token": DOCS_TOKEN},
                             timeout=60)
    response.raise_for_status()
    return response.json()


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _name(key: str) -> str:
    """The segment's name in both sends (benchmarks/shapes.py: send_post)."""
    return f"Sent segment {key[:8]}"


def _send_through_app(session: requests.Session, base: str, key: str) -> None:
    """The builder's Send as a browser makes it: the POST, then the GET of the
    submission's page it is redirected to."""
    data = send_post(RULES, key=key)
    data["csrfmiddlewaretoken"] = session.cookies["csrftoken"]
    response = session.post(base + "/", data=data, timeout=60)
    redirects = [r.status_code for r in response.history]
    if (redirects != [302] or response.status_code != 200
            or "/history/" not in response.url):
        raise RuntimeError(f"a send answered {redirects or response.status_code}, then "
                           f"{response.status_code} at {response.url}, not the redirect to "
                           "its result: was the segment created?")


def _direct_body(name: str) -> bytes:
    """The body the app sends for the same segment."""
    # The builder's "was in static segment" rule (catalogue/seed.py).
    segment = Segment(name=name, kind=Kind.DYNAMIC, selections=[
        Selection(list_id=1, rules=[Rule("default", "statseg", "statseg", "once",
                                         [Param("segment_id", n + 1)]) for n in range(RULES)])])
    return codec.encode(with_token(segment.to_payload(), DOCS_TOKEN), "json")


def _post_direct(altcraft_url: str, body: bytes) -> int:
    """Altcraft's id of the segment created by a plain post of `body`."""
    response = requests.post(altcraft_url + "segments/add/", data=body, timeout=60,
                             headers={"Content-Type": codec.CONTENT_TYPES["json"]})
    if response.status_code != 200 or response.json().get("error") != 0:
        raise RuntimeError(f"the sandbox refused the direct post: {response.text[:300]}")
    return response.json()["data"]["saved_id"]
