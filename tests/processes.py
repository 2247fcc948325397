"""Child processes of the tests (the sandbox command, servers of the
benchmarks): they end with the test process, however it ends."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PR_SET_PDEATHSIG = 1


def dies_with_parent(*, ignore_sigint: bool = False) -> Callable[[], None]:
    """A `preexec_fn`: the child gets SIGTERM when the process that started
    it ends (Linux), so a killed test run leaves nothing behind.
    `ignore_sigint` starts it as a shell's `&` would."""

    def preexec() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    return preexec


def start_sandbox_command(*arguments: str,
                          ignore_sigint: bool = False) -> tuple[subprocess.Popen, str, str]:
    """`manage.py altcraft_sandbox` on a free port: the process, its URL and
    what it printed up to "Quit with Ctrl-C."."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "segbuilder.settings_test",
           "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "manage.py", "altcraft_sandbox", "--port", "0", "--quiet",
               *arguments]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
                               preexec_fn=dies_with_parent(ignore_sigint=ignore_sigint))
    assert process.stdout is not None
    lines = [process.stdout.readline()]
    while lines[-1] and not lines[-1].startswith("Quit"):
        lines.append(process.stdout.readline())
    url = lines[0].split(" at ")[1].strip()
    return process, url, "".join(lines)


def interrupt(process: subprocess.Popen, *, timeout: float = 10) -> str:
    """Ctrl-C for the process; what it printed after the banner. Killed if
    it does not stop in time (then the test fails on its return code)."""
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output
