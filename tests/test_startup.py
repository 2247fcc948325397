"""`make run` as a new user meets it: a taken port, a bad setting or an
exported .env.example each end in one line naming what to change, before
anything starts; never a traceback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / ".env.example"
# What the test process's own environment would add to every case.
OWN = ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALTCRAFT_", "DATABASE_URL", "LOG_LEVEL",
       "PORT", "SANDBOX_PORT")


def run(command: list[str] | str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(OWN)}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**clean, **env}, shell=isinstance(command, str))


def free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def test_a_taken_port_is_one_line_naming_the_variable_to_change():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run([sys.executable, "scripts/preflight.py", "ports", free_port(), port],
                     DEBUG="true")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Port {port} is taken by another program: stop it, or set SANDBOX_PORT to a free port "
        f"(e.g. SANDBOX_PORT={int(port) + 1} make run)."]


def test_free_ports_pass():
    result = run([sys.executable, "scripts/preflight.py", "ports", free_port(), free_port()],
                 DEBUG="true")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("env", "variable"), [
    ({"DEBUG": "false"}, "SECRET_KEY"),
    ({"DEBUG": "true", "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ({"DEBUG": "true", "SANDBOX_PORT": "eighty"}, "SANDBOX_PORT"),
    ({"DEBUG": "maybe"}, "DEBUG"),
    ({"DEBUG": "true", "ALTCRAFT_API_URL": "https://ru.altkraft.com/api/v1.1/"},
     "ALTCRAFT_API_TOKEN"),
])
def test_a_bad_setting_is_one_line_naming_the_variable_and_no_traceback(env, variable):
    for command in ([sys.executable, "manage.py", "check"],
                    [sys.executable, "scripts/preflight.py", "ports", free_port()]):
        result = run(command, **env)
        assert result.returncode == 2
        (line,) = result.stderr.splitlines()
        assert line.startswith("Configuration error: ") and variable in line
        assert "Traceback" not in result.stderr


def test_the_env_example_exported_as_it_is_starts_with_the_sandbox_on_its_port():
    script = ("set -a; . ./.env.example; set +a; export DEBUG=${DEBUG:-true}; "
              f"{sys.executable} manage.py shell -c "
              "'from django.conf import settings as s; print(s.ALTCRAFT_API_URL, s.DEBUG)'")
    result = run(script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["http://127.0.0.1:8765/api/v1.1/", "True"]


def test_the_env_example_reads_the_same_with_a_dotenv_parser():
    """Every line is a comment, blank, or NAME=VALUE with nothing after the value."""
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z_]+=[^\s#]*", line), line


def test_the_sandbox_url_follows_sandbox_port():
    result = run([sys.executable, "manage.py", "shell", "-c",
                  "from django.conf import settings; print(settings.ALTCRAFT_API_URL)"],
                 DEBUG="true", SANDBOX_PORT="9123")
    assert result.stdout.split()[-1] == "http://127.0.0.1:9123/api/v1.1/"


def test_redis_url_makes_redis_the_shared_cache_and_a_bad_one_is_named():
    show = ("from django.conf import settings as s; "
            "print(s.CACHES['default']['BACKEND'], s.CACHES['local']['BACKEND'])")
    result = run([sys.executable, "manage.py", "shell", "-c", show], DEBUG="true",
                 REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.split()[-2:] == ["django.core.cache.backends.redis.RedisCache",
                                          "django.core.cache.backends.locmem.LocMemCache"]
    result = run([sys.executable, "manage.py", "check"], DEBUG="true", REDIS_URL="localhost")
    assert result.returncode == 2 and "REDIS_URL must start with redis://" in result.stderr
