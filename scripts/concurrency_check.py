#!/usr/bin/env python3
"""Concurrency check on a team-server setup (issue: reliability).

Starts the sandbox Altcraft and two gunicorn servers on PostgreSQL, then 50
simulated users send 50 different segments at once while 20 more sessions
post one 51st form (one submission key) at the same moment. Passes when the
sandbox holds 51 new segments, the history 51 successful submissions, and no
request failed.

    .venv/bin/python scripts/concurrency_check.py [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the benchmarks' process helpers, shared

from benchmarks.common import free_port, fresh_database, logged_in_session, wait_for  # noqa: E402
from segbuilder.altcraft.sandbox import DOCS_TOKEN  # noqa: E402

PY = sys.executable
USERS = 50
DUPLICATES = 20
PASSWORD = "concurrency-check-pw-1"
DB_NAME = "segbuilder_concurrency"


def manage(env: dict, *args: str, input_text: str | None = None) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, input=input_text,
                            capture_output=True, text=True, check=True)
    return result.stdout


def create_users(env: dict) -> None:
    code = (
        "from django.contrib.auth.models import Group, User\n"
        "editors = Group.objects.get(name='Segment editors')\n"
        f"for i in range({USERS + DUPLICATES}):\n"
        f"    u = User.objects.create_user(f'user{{i}}', password='{PASSWORD}')\n"
        "    u.groups.add(editors)\n"
    )
    manage(env, "shell", "-c", code)


def builder_form(session: requests.Session, base: str, name: str, key: str | None = None) -> dict:
    page = session.get(base + "/", timeout=30).text
    form_key = key or re.search(r'name="key" value="([^"]+)"', page).group(1)
    prefix = "selections-0-rules-0"
    return {
        "csrfmiddlewaretoken": session.cookies["csrftoken"], "key": form_key,
        "name": name, "kind": "dynamic", "format": "json", "list_id": "", "action": "send",
        "selections-TOTAL_FORMS": 1, "selections-INITIAL_FORMS": 0,
        "selections-0-list_id": 1, "selections-0-condition": "and", "selections-0-limit": 0,
        "selections-0-percent_from": 0, "selections-0-percent_to": 100,
        "selections-0-rules-TOTAL_FORMS": 1, "selections-0-rules-INITIAL_FORMS": 0,
        f"{prefix}-kind": "statseg", f"{prefix}-statseg__segment_id": 1,
        f"{prefix}-condition": "and",
        f"{prefix}-params-TOTAL_FORMS": 0, f"{prefix}-params-INITIAL_FORMS": 0,
        f"{prefix}-children-TOTAL_FORMS": 0, f"{prefix}-children-INITIAL_FORMS": 0,
    }


def sandbox_segment_count(sandbox_url: str) -> int:
    answer = requests.post(sandbox_url + "segments/list/", timeout=10,
                           json={"token": "abcdefghijklmnqrstuvwxyz", "limit": 1}).json()
    return answer["total_count"]


def run(database_url: str) -> int:
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "concurrency-check-secret-key-0123456789",
           "DATABASE_URL": fresh_database(database_url, DB_NAME), "ALLOWED_HOSTS": "127.0.0.1"}
    sandbox_port, app_ports = free_port(), [free_port(), free_port()]
    env["ALTCRAFT_API_URL"] = f"http://127.0.0.1:{sandbox_port}/api/v1.1/"
    env["ALTCRAFT_API_TOKEN"] = DOCS_TOKEN
    manage(env, "migrate", "--no-input")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--no-input")
    create_users(env)
    processes = [subprocess.Popen([PY, "manage.py", "altcraft_sandbox", "--quiet",
                                   "--port", str(sandbox_port)], cwd=ROOT, env=env)]
    for port in app_ports:
        processes.append(subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "segbuilder.wsgi", "--workers", "2",
             "--threads", "4", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env))
    try:
        bases = [f"http://127.0.0.1:{port}" for port in app_ports]
        for base in bases:
            wait_for(base + "/login/")
        wait_for(env["ALTCRAFT_API_URL"].replace("/api/v1.1/", "/"))
        return check(bases, env["ALTCRAFT_API_URL"], env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def check(bases: list[str], sandbox_url: str, env: dict) -> int:
    before = sandbox_segment_count(sandbox_url)
    sessions = [logged_in_session(bases[i % 2], f"user{i}", PASSWORD)
                for i in range(USERS + DUPLICATES)]
    forms = [builder_form(sessions[i], bases[i % 2], f"Concurrent segment {i}")
             for i in range(USERS)]
    # One more form, a 51st intent, is posted by 20 sessions at once: one key.
    shared_key = builder_form(sessions[USERS], bases[USERS % 2], "Shared")["key"]
    forms += [builder_form(sessions[USERS + j], bases[(USERS + j) % 2], "Shared segment",
                           key=shared_key) for j in range(DUPLICATES)]
    start = threading.Barrier(len(forms))

    def send(i: int) -> int:
        # Idle keep-alive connections were closed by gunicorn meanwhile: start fresh.
        sessions[i].close()
        start.wait()
        response = sessions[i].post(bases[i % 2] + "/", data=forms[i], timeout=60,
                                    allow_redirects=False)
        return response.status_code

    started = time.monotonic()
    with ThreadPoolExecutor(len(forms)) as pool:
        statuses = list(pool.map(send, range(len(forms))))
    elapsed = time.monotonic() - started
    created = sandbox_segment_count(sandbox_url) - before
    successes = count_created_submissions(env)
    errors = [status for status in statuses if status != 302]
    print(f"{len(forms)} sends in {elapsed:.1f} s: {statuses.count(302)} redirected to a result, "
          f"{len(errors)} errors {errors[:5]}; sandbox: {created} new segments; "
          f"history: {successes} successful submissions")
    ok = created == USERS + 1 and successes == USERS + 1 and not errors
    print("PASS" if ok else "FAIL: expected 51 segments, 51 successful submissions, no error")
    return 0 if ok else 1


def count_created_submissions(env: dict) -> int:
    code = ("from segbuilder.segments.models import Submission;"
            "print(Submission.objects.filter(status='created').count())")
    return int(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL URL whose server may create a scratch database")
    return run(parser.parse_args().database_url)


if __name__ == "__main__":
    sys.exit(main())
