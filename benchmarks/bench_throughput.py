"""5. Throughput: gunicorn with 2 workers, 16 connections for 10 s on
loopback, the builder page against a bare Django view served by the same
processes (benchmarks/urls.py), both as a logged-in user."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from http.client import HTTPConnection

import requests

from benchmarks.common import Env, Row, fmt, gunicorn, logged_in_session

CONNECTIONS = 16
SECONDS = 10
LIMIT = 0.30
BARE, BUILDER = "/bench/bare/", "/"


def run(env: Env) -> list[Row]:
    with gunicorn(env, workers=2) as server:
        session = logged_in_session(server.base)
        cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
        for path in (BARE, BUILDER):  # both answer 200 to this user, and are warm
            response = requests.get(server.base + path, headers={"Cookie": cookie}, timeout=30,
                                    allow_redirects=False)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            _load(server.base + path, cookie, seconds=2)
        tool, bare = _load(server.base + BARE, cookie, seconds=SECONDS)
        _, builder = _load(server.base + BUILDER, cookie, seconds=SECONDS)
    ratio = builder / bare
    return [Row("5", f"builder page, {CONNECTIONS} connections × {SECONDS} s ({tool})",
                fmt(builder, "rps"), f"{fmt(bare, 'rps')} (bare Django view)",
                f"{ratio:.0%}", f"≥ {LIMIT:.0%}", ratio >= LIMIT)]


def _load(url: str, cookie: str, *, seconds: int) -> tuple[str, float]:
    """(tool, requests per second) of `url` under load."""
    if shutil.which("wrk"):
        return "wrk", _wrk(url, cookie, seconds=seconds)
    return "Python threads", _threads(url, cookie, seconds=seconds)


def _wrk(url: str, cookie: str, *, seconds: int) -> float:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "30s",
         "-H", f"Cookie: {cookie}", url], capture_output=True, text=True, check=True).stdout
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"{url}: {match.group(1)} answers were errors under load")
    if errors := re.search(r"Socket errors: (.*)", output):
        raise RuntimeError(f"{url}: socket errors under load: {errors.group(1)}")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))


def _threads(url: str, cookie: str, *, seconds: int) -> float:
    """A plain load generator for machines without wrk: CONNECTIONS threads,
    each sending one request after another."""
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, path = port_path.split("/", 1)
    deadline = time.monotonic() + seconds
    counts = [0] * CONNECTIONS
    failures: list[int] = []

    def worker(index: int) -> None:
        while time.monotonic() < deadline:
            connection = HTTPConnection(host, int(port), timeout=30)
            connection.request("GET", "/" + path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                failures.append(response.status)
            counts[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{url}: {len(failures)} answers were errors under load")
    return sum(counts) / (time.monotonic() - started)
