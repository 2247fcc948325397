"""3. Send overhead and 6. memory: the app under gunicorn sends 10-rule
segments to the sandbox Altcraft (a process of its own) as a logged-in
editor's browser does: the builder form with its CSRF token, a history row
written before and after the call, a redirect to the result."""

from __future__ import annotations

import dataclasses
import statistics
import time
import uuid

import requests

from benchmarks.common import Env, Row, fmt, gunicorn, logged_in_session, rss_bytes, sandbox
from benchmarks.shapes import send_post
from segbuilder.altcraft import codec
from segbuilder.altcraft.client import with_token
from segbuilder.altcraft.rulekinds import RULE_KINDS_BY_KEY
from segbuilder.altcraft.sandbox import DOCS_TOKEN
from segbuilder.altcraft.segment import Kind, Segment, Selection

RULES = 10
SENDS = 200
WARMUP = 5
OVERHEAD_LIMIT = 0.020  # seconds over the direct post
MEMORY_SENDS = 1000
MEMORY_LIMIT = 1.5


def run_overhead(env: Env) -> list[Row]:
    with sandbox(env) as altcraft_url:
        app_env = dataclasses.replace(env, altcraft_url=altcraft_url)
        with gunicorn(app_env, workers=1) as server:
            session = logged_in_session(server.base)
            app_times: list[float] = []
            direct_times: list[float] = []
            for number in range(WARMUP + SENDS):
                app = _timed(lambda: _send_through_app(session, server.base))
                body = _direct_body(number)
                direct = _timed(lambda body=body: _post_direct(altcraft_url, body))
                if number >= WARMUP:
                    app_times.append(app)
                    direct_times.append(direct)
    app_median, direct_median = statistics.median(app_times), statistics.median(direct_times)
    overhead = app_median - direct_median
    return [
        Row("3", f"send of a {RULES}-rule segment through the app (median of {SENDS})",
            fmt(app_median, "ms"), f"{fmt(direct_median, 'ms')} (requests.post to the sandbox)",
            f"+{fmt(overhead, 'ms')}", f"≤ +{OVERHEAD_LIMIT * 1000:g} ms",
            overhead <= OVERHEAD_LIMIT),
    ]


def run_memory(env: Env) -> list[Row]:
    with sandbox(env) as altcraft_url:
        app_env = dataclasses.replace(env, altcraft_url=altcraft_url)
        with gunicorn(app_env, workers=1) as server:
            (worker,) = server.worker_pids()
            session = logged_in_session(server.base)
            _send_through_app(session, server.base)
            after_first = rss_bytes(worker)
            for _ in range(MEMORY_SENDS - 1):
                _send_through_app(session, server.base)
            peak = rss_bytes(worker, "VmHWM")
    ratio = peak / after_first
    return [Row("6", f"worker's peak memory after {MEMORY_SENDS:,} sends", fmt(peak, "MiB"),
                f"{fmt(after_first, 'MiB')} (after the first send)", f"{ratio:.2f}×",
                f"≤ {MEMORY_LIMIT:g}×", ratio <= MEMORY_LIMIT)]


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _send_through_app(session: requests.Session, base: str) -> None:
    data = send_post(RULES, key=str(uuid.uuid4()))
    data["csrfmiddlewaretoken"] = session.cookies["csrftoken"]
    response = session.post(base + "/", data=data, timeout=60, allow_redirects=False)
    if response.status_code != 302 or "/history/" not in response.headers.get("Location", ""):
        raise RuntimeError(f"a send answered {response.status_code}, not the redirect to its "
                           "result: was the segment created?")


def _direct_body(number: int) -> bytes:
    """The body the app sends for the same segment."""
    statseg = RULE_KINDS_BY_KEY["statseg"]
    segment = Segment(name=f"Direct segment {number}", kind=Kind.DYNAMIC, selections=[
        Selection(list_id=1, rules=[statseg.build({"segment_id": n + 1}) for n in range(RULES)])])
    return codec.encode(with_token(segment.to_payload(), DOCS_TOKEN), "json")


def _post_direct(altcraft_url: str, body: bytes) -> None:
    response = requests.post(altcraft_url + "segments/add/", data=body, timeout=60,
                             headers={"Content-Type": codec.CONTENT_TYPES["json"]})
    if response.status_code != 200 or response.json().get("error") != 0:
        raise RuntimeError(f"the sandbox refused the direct post: {response.text[:300]}")
