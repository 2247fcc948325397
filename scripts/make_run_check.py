"""CI's check of the README's first command: `make run` on free ports from
this clone answers its login page and its sandbox Altcraft, then stops.
Exits non-zero, with what `make run` printed, when it does not."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DOCS_TOKEN = "abcdefghijklmnqrstuvwxyz"
SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answered(url: str, **post: object) -> requests.Response | None:
    try:
        if post:
            return requests.post(url, json=post, timeout=5)
        return requests.get(url, timeout=5)
    except requests.RequestException:
        return None


def main() -> int:
    app_port, sandbox_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ALTCRAFT_", "DATABASE_URL", "DEBUG", "SECRET_KEY"))}
    env.update(PORT=str(app_port), SANDBOX_PORT=str(sandbox_port))
    log = open(ROOT / "make-run-check.log", "w+")  # noqa: SIM115 (read back at the end)
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        login = sandbox = None
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            login = answered(f"http://127.0.0.1:{app_port}/login/")
            sandbox = answered(f"http://127.0.0.1:{sandbox_port}/api/v1.1/databases/list/",
                               token=DOCS_TOKEN)
            if login is not None and sandbox is not None:
                break
            time.sleep(1)
        ok = (login is not None and login.status_code == 200 and 'name="password"' in login.text
              and sandbox is not None and sandbox.json().get("error") == 0)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    log.seek(0)
    printed = log.read()
    if not ok:
        print(f"make run did not serve its login page and sandbox:\n{printed}")
        return 1
    print(f"make run served /login/ on {app_port} and the sandbox on {sandbox_port}, then stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
